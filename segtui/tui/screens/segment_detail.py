"""A segment: header, Records / Filters / Settings / Activity tabs, and the Actions menu."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Label, Static, TabbedContent, TabPane

from ...core import audit, conversions, describe, filters, membership, records, segments, store
from ...core.errors import SegmentNotFound, SegtuiError
from ..text import count, literal, moment, printable, type_badge
from ..widgets.settings_panel import SettingsPanel
from .actions_menu import ActionsMenu, MenuEntry
from .confirm import ConfirmModal
from .export_modal import ExportModal

MEMBERS_PAGE = 50
REASONS = {"filter": "filters", "manual": "by hand", "import": "import", "conversion": "conversion"}


class SegmentDetailScreen(Screen):
    CSS_PATH = "segment_detail.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("a", "actions", "Actions"),
        Binding("right_square_bracket", "next_page", "Next page", key_display="]"),
        Binding("left_square_bracket", "previous_page", "Prev page", key_display="["),
        Binding("g", "settings", "Auto-conversion", show=False),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self, segment_id: int) -> None:
        super().__init__()
        self.segment_id = segment_id
        self.segment = None
        self.page = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="detail-header"):
            with Vertical(id="detail-title"):
                yield Static(id="segment-name")
                yield Static(id="segment-facts")
            yield Button("Actions ▾", id="actions-button", variant="primary", compact=True)
        with TabbedContent(id="tabs"):
            with TabPane("Records", id="tab-records"):
                yield DataTable(id="members", cursor_type="row", zebra_stripes=True)
                yield Label("", id="members-status")
            with TabPane("Filters", id="tab-filters"):
                with VerticalScroll():
                    yield Static(id="filters-text")
            with TabPane("Settings", id="tab-settings"):
                yield SettingsPanel(id="settings")
            with TabPane("Activity", id="tab-activity"):
                yield DataTable(id="activity", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        members = self.query_one("#members", DataTable)
        for label, width in (("Record", 34), ("Name", 22), ("Region", 14), ("Joined", 17), ("How", 10)):
            members.add_column(label, width=width)
        activity = self.query_one("#activity", DataTable)
        for label, width in (("When", 17), ("What", 46), ("Who", 12)):
            activity.add_column(label, width=width)
        self.reload()

    # -- loading ------------------------------------------------------------------------
    def reload(self) -> None:
        try:
            self.segment = segments.get(self.segment_id)
        except SegmentNotFound:
            self.notify("This segment was deleted by another admin.", severity="warning")
            self.app.pop_screen()
            return
        self.show_header()
        self.show_members()
        self.show_filters()
        self.query_one(SettingsPanel).show(self.segment)
        self.show_activity()

    def show_header(self) -> None:
        seg, ctx = self.segment, self.app.ctx
        self.title = printable(seg.name, limit=60)
        name = Text.assemble(type_badge(seg.type), " ", literal(seg.name, "bold", limit=120))
        self.query_one("#segment-name", Static).update(name)
        facts = (
            f"{seg.object_type.capitalize()} · {count(seg.size, 'member')} · "
            f"last activity {moment(seg.last_activity_at, ctx.tz)}"
        )
        summary = describe.schedule_summary(seg, ctx)
        if summary:
            facts += f" · {summary}"
        text = Text(facts, style="dim")
        if seg.refresh_error:
            text.append(f"\n⚠ Refresh failing: {printable(seg.refresh_error)}", style="bold red")
        self.query_one("#segment-facts", Static).update(text)

    def show_members(self) -> None:
        table = self.query_one("#members", DataTable)
        table.clear()
        rows = membership.members_page(self.segment, offset=self.page * MEMBERS_PAGE, limit=MEMBERS_PAGE)
        tz = self.app.ctx.tz
        for row in rows:
            table.add_row(
                literal(row.key, limit=60), literal(row.name, limit=40), literal(row.region or "", limit=30),
                moment(row.joined_at, tz), REASONS.get(row.source, row.source), key=str(row.record_id),
            )
        size = self.segment.size
        status = self.query_one("#members-status", Label)
        if size == 0:
            status.update("No members." + (" Active segments fill from their filters." if self.segment.type == "active"
                                           else " Static segments change only by hand."))
        else:
            first = self.page * MEMBERS_PAGE + 1
            last = first + len(rows) - 1
            pages = (size + MEMBERS_PAGE - 1) // MEMBERS_PAGE
            status.update(f"Members {first:,}–{last:,} of {size:,} · page {self.page + 1:,}/{pages:,} · [ ] turn pages")

    def show_filters(self) -> None:
        seg = self.segment
        groups = describe.readable_filters(seg)
        text = Text()
        if seg.type == "static":
            note = ("Read-only: these filters filled the segment when it was saved; they are used when "
                    "converting to active." if groups else
                    "This static segment has no filters. Add filters before converting it to active.")
            text.append(note + "\n\n", style="italic")
        if not groups and seg.type == "active":
            text.append("No filters.")
        for i, group in enumerate(groups):
            if i:
                text.append("\nOR\n\n", style="bold")
            text.append(f"Group {i + 1}\n", style="bold underline")
            for j, sentence in enumerate(group):
                text.append("  AND " if j else "      ", style="bold")
                text.append(printable(sentence, limit=400) + "\n")
        self.query_one("#filters-text", Static).update(text)

    def show_activity(self) -> None:
        table = self.query_one("#activity", DataTable)
        table.clear()
        tz = self.app.ctx.tz
        items = []
        for entry in audit.for_segment(self.segment_id, limit=100):
            items.append((entry.at, literal(entry.summary, limit=200), entry.actor))
        log = membership.log_page(self.segment_id, limit=100)
        keys = membership.record_keys(self.segment.object_type, [e.record_id for e in log])
        for entry in log:
            verb = "Added" if entry.action == "added" else "Removed"
            what = f"{verb} {keys.get(entry.record_id, f'#{entry.record_id}')} ({REASONS.get(entry.reason, entry.reason)})"
            items.append((entry.at, literal(what, limit=200), entry.actor))
        items.sort(key=lambda item: item[0], reverse=True)
        for at, what, who in items[:150]:
            table.add_row(moment(at, tz), what, literal(who, limit=20))

    # -- actions ------------------------------------------------------------------------
    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.reload()

    def action_next_page(self) -> None:
        if (self.page + 1) * MEMBERS_PAGE < self.segment.size:
            self.page += 1
            self.show_members()

    def action_previous_page(self) -> None:
        if self.page > 0:
            self.page -= 1
            self.show_members()

    def action_settings(self) -> None:
        self.query_one(TabbedContent).active = "tab-settings"
        self.query_one(SettingsPanel).focus_dropdown()

    @on(Button.Pressed, "#actions-button")
    def action_actions(self) -> None:
        self.app.push_screen(ActionsMenu(self.menu_entries()), self.run_menu_choice)

    def menu_entries(self) -> list[MenuEntry]:
        seg, read_only = self.segment, self.app.ctx.read_only
        entries = []
        if not read_only:
            if seg.type == "active":
                entries.append(MenuEntry("convert_static", "Convert to static"))
            elif filters.has_filters(store.tree(seg)):
                entries.append(MenuEntry("convert_active", "Convert to active"))
            else:
                entries.append(MenuEntry("convert_active", "Convert to active",
                                         blocked="add at least one filter first"))
            entries.append(MenuEntry("settings", "Automatic conversion settings"))
            if seg.type == "active":
                entries.append(MenuEntry("refresh", "Refresh members now"))
        entries.append(MenuEntry("export", "Export members"))
        entries.append(MenuEntry("back", "Back to segments"))
        return entries

    def run_menu_choice(self, choice: str | None) -> None:
        if choice:
            self.run_action_by_name(choice)

    def run_action_by_name(self, name: str) -> None:
        handlers = {
            "convert_static": self.action_convert_static,
            "convert_active": self.action_convert_active,
            "settings": self.action_settings,
            "refresh": self.action_refresh_now,
            "export": self.action_export,
            "back": self.action_back,
        }
        handlers[name]()

    def action_convert_static(self) -> None:
        try:
            preview = conversions.preview_to_static(self.segment_id)
        except SegtuiError as exc:
            self.fail(exc)
            return
        body = (f"{preview.sentence()} From then on, records are added or removed only by hand.")
        if self.segment.schedule_mode != "never":
            body += " The scheduled automatic conversion is cleared."
        version = self.segment.version
        self.app.push_screen(
            ConfirmModal(f"Convert {printable(self.segment.name, limit=60)!r} to static?", body, "Convert"),
            lambda ok: self.convert_static(version) if ok else None,
        )

    def convert_static(self, version: int) -> None:
        try:
            record = conversions.convert_to_static(self.app.ctx, self.segment_id, expected_version=version)
        except SegtuiError as exc:
            self.fail(exc)
            return
        self.app.note_own_conversion(record.id)
        self.notify(f"{printable(self.segment.name, limit=60)!r} is now static: {count(record.size, 'member')} frozen.",
                    title="Converted")
        self.reload()

    def action_convert_active(self) -> None:
        if self.segment.type != "static":
            self.notify("This segment is already active.", severity="warning")
            return
        if not filters.has_filters(store.tree(self.segment)):
            self.notify("Add at least one filter before converting to active: an active segment's members "
                        "are the records its filters select.", title="Cannot convert", severity="warning", timeout=8)
            return
        self.preview_active(self.segment.version)

    @work(thread=True, exclusive=True, group="preview", exit_on_error=False)
    def preview_active(self, version: int) -> None:
        try:
            preview = conversions.preview_to_active(self.app.ctx, self.segment_id)
        except SegtuiError as exc:
            self.app.call_from_thread(self.fail, exc)
            return
        body = (f"{preview.sentence()} Membership then follows the filters; records can no longer be "
                "added or removed by hand.")
        self.app.call_from_thread(
            self.app.push_screen,
            ConfirmModal(f"Convert {printable(self.segment.name, limit=60)!r} to active?", body, "Convert"),
            lambda ok: self.convert_active(version) if ok else None,
        )

    def convert_active(self, version: int) -> None:
        try:
            record, diff = conversions.convert_to_active(self.app.ctx, self.segment_id, expected_version=version)
        except SegtuiError as exc:
            self.fail(exc)
            return
        self.app.note_own_conversion(record.id)
        self.notify(f"Now active: +{diff.added:,} added, -{diff.removed:,} removed.", title="Converted")
        self.reload()

    def action_refresh_now(self) -> None:
        try:
            diff = membership.refresh(self.app.ctx, self.segment_id)
        except SegtuiError as exc:
            self.fail(exc)
            return
        self.notify(f"Refreshed: +{diff.added:,} added, -{diff.removed:,} removed.")
        self.reload()

    def action_export(self) -> None:
        default = f"segment-{self.segment_id}.csv"
        self.app.push_screen(ExportModal(self.segment.name, self.segment.size, default), self.export_to)

    def export_to(self, path: str | None) -> None:
        if path:
            self.run_export(path)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def run_export(self, path: str) -> None:
        try:
            written = records.export_members(self.segment_id, path)
        except SegtuiError as exc:
            self.app.call_from_thread(self.fail, exc)
            return
        self.app.call_from_thread(self.notify, f"Exported {count(written, 'member')} to {path}.", title="Export")

    def fail(self, exc: Exception) -> None:
        """Show a domain error where the user is looking, then show the segment as it is now."""
        self.notify(str(exc), title="Not done", severity="error", timeout=10)
        self.reload()

