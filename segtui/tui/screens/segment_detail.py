"""A segment: header, Records / Filters / Settings / Activity tabs, and the Actions menu."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, Label, Static, TabbedContent, TabPane

from ...core import audit, causes, conversions, describe, files, filters, history, membership, records, segments, store
from ...core.display import shown_actor
from ...core.errors import InvalidInput, SegmentNotFound, SegtuiError
from ...core.member_pages import MemberPages
from ...core.past_member_pages import PastMemberPages
from ...core.kinds import ScheduleMode, SegmentType
from ...i18n import N_, _, _n, language, number, pgettext
from .. import flows
from ..widgets.footer import Footer
from ..widgets.header import Header, name_title
from ..actions import Action, ActionTable, HasActions, MenuEntry
from ..keys import key_name
from ..columns import CELL_PADDING, SCROLLBAR, Column, fit, need
from ..text import literal, moment, moment_cell, moment_width, printable, type_badge, wrapping
from ..widgets.members_view import MembersView
from ..widgets.settings_panel import SettingsPanel
from ..widgets.size_chart import SizeChart
from ..work import CoreWork
from .actions_menu import ActionsMenu
from .activity_entry import ActivityEntryModal
from .calendar import CalendarModal
from .confirm import ConfirmModal
from .data_words import day_form, read_past_day, shown_day
from .edit_filters import EditFiltersScreen
from .export_modal import ExportModal
from .import_modal import ImportModal
from .name_modal import NameModal
from .record_picker import RecordPicker
from .segment_picker import SegmentPicker
from .record_test import RecordTestScreen

MEMBERS_PAGE = 50
# how a static segment's members came in is counted over all of them (a GROUP BY: 1 s at
# 5,000,000 members on PostgreSQL): only when the Filters tab shows it, in a thread beyond this
ORIGIN_AT_ONCE = 50_000
# how a record joined (stored codes), in words
REASONS = {"filter": N_("filters"), "manual": N_("by hand"), "import": N_("import"), "conversion": N_("conversion")}
OBJECTS = {"contacts": N_("Contacts"), "companies": N_("Companies")}
PAGES = Binding.Group(N_("Pages"), compact=True)
TABS = Binding.Group(N_("Tabs"), compact=True)
MEMBERS = Binding.Group(N_("Add/remove"), compact=True)
ACTIVE, STATIC = frozenset({SegmentType.ACTIVE}), frozenset({SegmentType.STATIC})
# acts on static segments only: not bound on active ones, whose menu says why
BY_HAND = (N_("static segments only"), N_("this segment is active: its members follow its filters. Convert it to "
                                          "static to change its members by hand"))


def _needs_filters(words: str):
    """``words``: English marked with N_, said in the language shown when the menu opens."""
    return lambda screen: "" if filters.has_filters(store.tree(screen.segment)) else _(words)


# In the order of use: the footer shows the first ones (show=True; at 80 columns every shown key
# fits whole), the ? help lists all that apply in this order; the menu has its own order.
ACTIONS = ActionTable(
    "segment",
    Action("back", N_("Back"), "escape", title=N_("Back to segments"), menu=16),
    Action("actions", N_("Actions"), "a", title=N_("Open the Actions menu"), description=N_("The segment's actions")),
    Action("edit_filters", N_("Filters"), "e", title=N_("Edit filters"), mutates=True, menu=5),
    Action("add_records", N_("Add"), "plus", key_display="+", title=N_("Add records"), mutates=True, types=STATIC,
           elsewhere=BY_HAND, menu=7, group=MEMBERS),
    Action("remove_records", N_("Remove"), "minus", key_display="-", title=N_("Remove records"), mutates=True,
           types=STATIC, elsewhere=BY_HAND, menu=8, group=MEMBERS,
           blocked=lambda screen: (_("the Records tab shows a past day") if screen.as_of is not None
                                   else "" if screen.segment.size else _("no members to remove"))),
    Action("records_tab", N_("Records tab"), "1", group=TABS, description=N_("Show the segment's members (1)")),
    Action("filters_tab", N_("Filters tab"), "2", group=TABS, description=N_("Show the segment's filters (2)")),
    Action("settings_tab", N_("Settings tab"), "3", group=TABS, description=N_("Show the automatic conversion (3)")),
    Action("activity_tab", N_("Activity tab"), "4", group=TABS, description=N_("Show who changed what, and when (4)")),
    Action("analyze", N_("Analyze tab"), "5", group=TABS,
           description=N_("The size over time, members as of a day, overlap, usage (5)")),
    Action("test_record", N_("Test"), "t", title=N_("Test a record"), blocked=_needs_filters(N_("no filters to test")),
           menu=6, show=False),
    Action("mark", N_("Mark"), "space", mutates=True, types=STATIC, palette=False, show=False),
    Action("add_members_of", N_("Add a segment"), "m", title=N_("Add members of another segment"), mutates=True,
           types=STATIC, elsewhere=BY_HAND, menu=9, show=False),
    # (the status line under the members says "[ ] turn pages": not repeated in the footer)
    Action("previous_page", N_("Prev page"), "left_square_bracket", key_display="[", group=PAGES, palette=False,
           show=False),
    Action("next_page", N_("Next page"), "right_square_bracket", key_display="]", group=PAGES, palette=False,
           show=False),
    Action("first_page", N_("First page"), "left_curly_bracket", key_display="{", group=PAGES, palette=False,
           show=False, description=N_("The newest members")),
    Action("last_page", N_("Last page"), "right_curly_bracket", key_display="}", group=PAGES, palette=False,
           show=False, description=N_("The oldest members")),
    Action("import_records", N_("Import"), "i", title=N_("Import records"), mutates=True, menu=10, show=False),
    # an export writes a new file in the console's files folder (over SSH: on the server)
    Action("export", N_("Export"), "x", title=N_("Export members"), mutates=True, menu=11, show=False),
    Action("rename", N_("Rename"), "n", mutates=True, menu=12, show=False),
    Action("describe", N_("Describe"), "d", mutates=True, show=False, menu=13,
           description=N_("A description, shown in the header and the segments list")),
    Action("clone", N_("Clone"), "c", mutates=True, menu=14, show=False),
    Action("delete", N_("Delete"), "delete", mutates=True, menu=15, show=False),
    # not a change in itself: a viewer sees the automatic conversion, read-only (the panel offers no saving)
    Action("settings", N_("Auto-conversion"), "g", title=N_("Automatic conversion settings"), show=False, menu=2),
    Action("reload", N_("Reload"), "r", show=False, palette=False),
    Action("convert_static", N_("Convert to static"), mutates=True, types=ACTIVE, menu=1),
    Action("convert_active", N_("Convert to active"), mutates=True, types=STATIC, menu=1,
           blocked=_needs_filters(N_("add at least one filter first"))),
    Action("refresh", N_("Refresh members now"), mutates=True, types=ACTIVE, menu=3),
    Action("search_segments", N_("Search segments"), description=N_("Back to the list, in its search field")),
    Action("as_of", N_("As of"), "w", show=False, title=N_("Members as of a past day"),
           description=N_("The Records tab lists who was a member at the end of a day")),
)


class SegmentDetailScreen(HasActions, CoreWork, Screen):
    CSS_PATH = "segment_detail.tcss"
    ACTIONS = ACTIONS
    BINDINGS = ACTIONS.bindings()
    PALETTE_HIDES = frozenset({"import_records"})  # its own Import records is in the list above

    def __init__(self, segment_id: int) -> None:
        super().__init__()
        self.segment_id = segment_id
        self.segment = None
        self.pages: MemberPages | None = None  # the page of members shown, read by keyset
        self.marked: dict[int, str] = {}  # record id -> key, across pages
        self.member_ids: list[int] = []
        self.members_shown: list[tuple[str, str, str]] = []  # key, name, region of each member shown, printable
        self.members_need = (0, 0, 0)  # the widest key, name and region shown so far
        self.members_base = ""
        # how a static segment's members came in (the Filters tab): (segment's size and last activity, words)
        self.origin: tuple[tuple, str] | None = None
        self.activity_items: list[tuple] = []  # what each Activity row shows in full on Enter
        self.laid_out_width = 0
        self.as_of = None  # a past day: the Records tab shows who was a member at its end
        self.as_of_pages: PastMemberPages | None = None  # the page of the members as of that day, by keyset

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="detail-header"):
            with Vertical(id="detail-title"):
                yield Static(id="segment-name")
                yield Static(id="segment-facts")
            yield Button(_("Actions ▾"), id="actions-button", variant="primary", compact=True)
        with TabbedContent(id="tabs"):
            with TabPane(_("Records"), id="tab-records"):
                with Horizontal(id="as-of-row"):
                    yield Label(_("As of"), id="as-of-label")
                    yield Input(id="records-as-of", placeholder=pgettext("the members as of", "today"), compact=True)
                    yield Label(self.as_of_hint(), id="as-of-hint")
                yield MembersView(id="members", fixed_columns=2)  # the mark and the record stay sideways
                yield Label("", id="members-status")
            with TabPane(_("Filters"), id="tab-filters"):
                with VerticalScroll():
                    yield Static(id="filters-text")
            with TabPane(_("Settings"), id="tab-settings"):
                yield SettingsPanel(id="settings", calendar=CalendarModal)
            with TabPane(_("Activity"), id="tab-activity"):
                yield DataTable(id="activity", cursor_type="row", zebra_stripes=True)
            with TabPane(_("Analyze"), id="tab-analyze"):
                yield SizeChart(id="size-chart")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#members", MembersView).focus()  # arrows work at once

    def on_resize(self) -> None:
        if self.segment is not None and self.size.width != self.laid_out_width:
            self.lay_out_members()
            self.show_activity()

    # -- loading ------------------------------------------------------------------------
    def reload(self) -> None:
        self.read_core(self.show_segment, failed=self.cannot_show)

    def cannot_show(self, exc: SegtuiError) -> None:
        if isinstance(exc, SegmentNotFound):
            self.notify(_("This segment was deleted by another admin."), severity="warning")
            if self.app.screen is self:
                self.app.pop_screen()
            return
        self.show_core_error(exc)

    def show_segment(self) -> None:
        self.segment = segments.get(self.segment_id)
        if self.segment.type != SegmentType.STATIC:
            self.marked.clear()
        self.refresh_bindings()
        self.show_header()
        self.show_members()
        self.show_filters()
        self.query_one(SettingsPanel).show(self.segment)
        self.show_activity()
        self.query_one(SizeChart).show(self.segment)

    def show_header(self) -> None:
        seg, ctx = self.segment, self.app.ctx
        name_title(self, "{name}", seg.name)  # shortened in the middle where it does not fit
        name = Text.assemble(type_badge(seg.type), " ", literal(seg.name, "bold"))
        self.query_one("#segment-name", Static).update(name)
        facts = _n("{object} · {n} member · last activity {moment}", "{object} · {n} members · last activity {moment}",
                   seg.size, object=_(OBJECTS[seg.object_type]), moment=moment(seg.last_activity_at, ctx.tz))
        summary = describe.schedule_summary(seg, ctx, with_year=True)
        text = Text(facts, style="dim", no_wrap=True, overflow="ellipsis")
        if summary:  # a line of its own: it never breaks in the middle at 80 columns
            text.append("\n" + _("Auto-conversion {summary}").format(summary=summary), style="dim")
        if seg.description:
            text.append("\n" + printable(seg.description, limit=200), style="italic")
        if seg.refresh_error:
            text.append("\n" + _("⚠ Refresh failing: {error}").format(error=printable(seg.refresh_error)),
                        style="bold red")
        self.query_one("#segment-facts", Static).update(text)

    def show_members(self) -> None:
        """The page of members shown, read again (the first page the first time)."""
        if self.as_of is not None:
            self.show_members_as_of()
            return
        seg = self.segment
        if self.pages is None or self.pages.object_type != seg.object_type:
            self.pages = None  # kept only once a first page was read: the page keys need one
            pages = MemberPages(seg.object_type, seg.id, seg.size, page_size=MEMBERS_PAGE)
            pages.first()
            self.pages = pages
        else:
            self.pages.again(seg.size)
        self.show_page()

    def turn_page(self, turn) -> None:
        """``turn``: a move of ``self.pages`` (next, previous, first, last), read by keyset on the UI thread."""
        if self.read_core(turn):
            self.show_page(cursor=None)

    def show_page(self, cursor: int | None = None) -> None:
        """The page read into the members view: cells only, the view draws the lines on screen."""
        rows, tz = self.pages.rows, self.app.ctx.tz
        self.member_ids = [row.record_id for row in rows]
        # each value made printable once: for the widths, then for the cells
        self.members_shown = [(printable(r.key), printable(r.name), printable(r.region or "")) for r in rows]
        self.lay_out_members()
        view = self.query_one("#members", MembersView)
        view.set_rows([[self.mark_cell(row.record_id), *(Text(value, no_wrap=True, overflow="ellipsis")
                                                         for value in shown),
                        moment_cell(row.joined_at, tz), Text(self.reason(row.source))]
                       for row, shown in zip(rows, self.members_shown)],
                      cursor=cursor)
        size = self.segment.size
        if size == 0 or not rows:
            self.members_base = (_("No members. Active segments fill from their filters.")
                                 if self.segment.type == SegmentType.ACTIVE
                                 else _("No members. Static segments change only by hand: + adds records."))
        else:
            first = self.pages.first_index + 1
            last = first + len(rows) - 1
            self.members_base = _("Members {first}–{last} of {total} · page {page}/{pages} · [ ] turn pages").format(
                first=number(first), last=number(last), total=number(max(size, last)),
                page=number(self.pages.number + 1), pages=number(max(self.pages.pages, self.pages.number + 1)))
        self.update_members_status()

    @staticmethod
    def reason(source: str) -> str:
        """How a record joined, in words (the stored code when it is not one of ours)."""
        return _(REASONS[source]) if source in REASONS else source

    def cause(self, reason: str) -> str:
        """Why a record joined or left, from the log: a code in words, a cause in the language."""
        return _(REASONS[reason]) if reason in REASONS else causes.shown(reason, self.segment.object_type)

    def fit_members(self, labels: list[str], columns: list[Column], rows: int) -> None:
        """The members view's columns, fitted to the width the screen has (after the mark): the
        columns that do not fit whole are scrolled to, none shows in part at the edge."""
        self.laid_out_width = self.size.width
        view = self.query_one("#members", MembersView)
        # a page that fits the view has no vertical scrollbar: its room is the columns' too
        spare = SCROLLBAR if 0 < rows < view.size.height else 0
        widths = fit(columns, self.size.width - 3 + spare, whole=True)
        view.set_columns(["", *labels], [1, *widths])

    def lay_out_members(self) -> None:
        """The columns from the width the screen has and what the page's members need."""
        if self.as_of is not None:
            if self.as_of_pages is not None:
                self.draw_members_as_of()
            return
        shown = self.members_shown
        # what the columns need only grows while the screen is open: a page of shorter emails keeps the
        # widths, so that the horizontal scrollbar does not come and go (each time a layout of the screen)
        record, name, region, joined, how = _("Record"), _("Name"), _("Region"), _("Joined"), _("How")
        self.members_need = tuple(max(had, now) for had, now in zip(self.members_need, (
            need(record, [s[0] for s in shown]), need(name, [s[1] for s in shown], 30),
            need(region, [s[2] for s in shown], 24))))
        self.fit_members([record, name, region, joined, how],
                         [Column("key", record, self.members_need[0], 16),
                          Column("name", name, self.members_need[1], 10),
                          Column("region", region, self.members_need[2], 8),
                          Column("joined", joined, max(moment_width(), len(joined)),
                                 max(moment_width(), len(joined))),
                          Column("how", how, max(10, len(how), *(len(_(word)) for word in REASONS.values())))],
                         len(shown))

    @property
    def as_of_total(self) -> int:
        return self.as_of_pages.total if self.as_of_pages is not None else 0

    @property
    def as_of_ids(self) -> list[int]:
        """The records on the page of the members as of the past day."""
        return [r.record_id for r in self.as_of_pages.rows] if self.as_of_pages is not None else []

    def show_members_as_of(self) -> None:
        """Who was a member at the end of ``as_of`` (account time zone), rebuilt from the log: the
        page shown read again, or the first page of another day."""
        moment = history.end_of_day(self.as_of, self.app.ctx.tz)
        pages = self.as_of_pages
        if pages is None or pages.segment_id != self.segment.id or pages.moment != moment:
            self.as_of_pages = None
            self.as_of_pages = PastMemberPages.at(self.segment.id, moment, page_size=MEMBERS_PAGE)
        else:
            pages.again()
        self.draw_members_as_of()

    def draw_members_as_of(self) -> None:
        """The page of the members as of the past day, as read."""
        pages = self.as_of_pages
        rows, total = pages.rows, pages.total
        # who was there, not when or how they joined (the record page says that)
        shown = [(printable(r.key), printable(r.name)) for r in rows]
        record, name = _("Record"), _("Name")
        self.fit_members([record, name], [Column("key", record, need(record, [s[0] for s in shown]), 16),
                                          Column("name", name, need(name, [s[1] for s in shown], 30), 10)],
                         len(shown))
        self.member_ids = []  # nothing to mark or remove in the past
        self.query_one("#members", MembersView).set_rows(
            [[Text(""), *(Text(value, no_wrap=True, overflow="ellipsis") for value in row)] for row in shown])
        day = self.as_of.format("ddd D MMM YYYY", locale=language())
        if not total:
            self.members_base = _("No members at the end of {day}.").format(day=day)
        else:
            first = pages.first_index + 1
            self.members_base = _("{first}–{last} of {total} at the end of {day} (from the log) · page {page}/{pages} "
                                  "· [ ] pages").format(first=number(first), last=number(first + len(rows) - 1),
                                                        total=number(total), day=day,
                                                        page=number(pages.number + 1), pages=number(pages.pages))
        self.query_one("#as-of-hint", Label).update(_("empty the day to see today's members"))
        self.update_members_status()

    def turn_as_of_page(self, turn) -> None:
        """``turn``: a move of the members as of the past day (next, previous, first, last), read by keyset."""
        if self.as_of_pages is not None and self.read_core(turn):
            self.draw_members_as_of()

    def as_of_hint(self) -> str:
        return _("w: a past day ({form}) shows who was a member then").format(form=day_form(self.app.ctx))

    def action_as_of(self) -> None:
        self.show_tab("tab-records")
        self.query_one("#records-as-of", Input).focus()

    @on(Input.Submitted, "#records-as-of")
    def as_of_typed(self, event: Input.Submitted) -> None:
        hint = self.query_one("#as-of-hint", Label)
        text = event.value.strip()
        day = None
        if text:
            try:
                day = read_past_day(text, self.app.ctx)
                if day > self.app.ctx.today():
                    raise SegtuiError("{day} is in the future: choose a day up to today",
                                      day=shown_day(day, self.app.ctx))
            except SegtuiError as exc:
                hint.update(Text(exc.message, style="bold red"))
                return
            if day == self.app.ctx.today():
                day = None  # today is what the table shows live
        if day is None:
            hint.update(self.as_of_hint())
            event.input.value = ""
        self.as_of = day
        self.marked.clear()
        self.refresh_bindings()
        self.read_core(self.show_members)
        self.query_one("#members", MembersView).focus()

    def update_members_status(self) -> None:
        text = self.members_base
        if self.as_of is not None:
            self.query_one("#members-status", Label).update(text, layout=False)
            return
        if self.marked:
            text += " · " + _n("{n} marked: - removes them", "{n} marked: - removes them", len(self.marked))
        elif self.segment.type == SegmentType.STATIC and self.segment.size and not self.app.ctx.read_only:
            text += " · " + _("{space} marks").format(space=key_name("space"))
        # a fixed-size label: no re-layout of the whole screen on every page turn
        self.query_one("#members-status", Label).update(text, layout=False)

    def show_filters(self) -> None:
        seg = self.segment
        groups = describe.readable_filters(seg)
        text = Text()
        editable = not self.app.ctx.read_only
        if seg.type == SegmentType.STATIC:
            note = (_("These filters do not change the members of this static segment: they are what a conversion "
                      "to active will use.") if groups else
                    _("This static segment has no filters. Add filters before converting it to active."))
            text.append(note + (" " + _("e edits them.") if editable else "") + "\n", style="italic")
            origin = self.members_origin()
            if origin:
                text.append(origin + "\n\n", style="italic")
        elif editable:
            text.append(_("The members are the records these filters select. e edits them; t tests a record.")
                        + "\n\n", style="italic")
        if not groups and seg.type == SegmentType.ACTIVE:
            text.append(_("No filters."))
        joined_by = _("AND")
        for i, group in enumerate(groups):
            if i:
                text.append("\n" + _("OR") + "\n\n", style="bold")
            text.append(_("Group {n}").format(n=i + 1) + "\n", style="bold underline")
            for j, sentence in enumerate(group):
                text.append(f"{joined_by:>5} " if j else "      ", style="bold")
                text.append(printable(sentence, limit=400) + "\n")
        self.query_one("#filters-text", Static).update(text)

    def members_origin(self) -> str:
        """How the members of a static segment came in, counted when the Filters tab shows it ("" before)."""
        seg = self.segment
        key = (seg.id, seg.size, seg.last_activity_at)
        if self.origin is not None and self.origin[0] == key:
            return self.origin[1]
        if self.query_one(TabbedContent).active != "tab-filters":
            return ""
        if seg.size <= ORIGIN_AT_ONCE:
            self.origin = (key, self.origin_words(membership.source_counts(seg.id)))
            return self.origin[1]

        def counted(counts: dict[str, int]) -> None:
            self.origin = (key, self.origin_words(counts))
            self.show_filters()

        self.run_core(lambda: membership.source_counts(seg.id), done=counted, group="origin")
        return _n("Its {n} member: counting how they came in…", "Its {n} members: counting how they came in…", seg.size)

    @on(TabbedContent.TabActivated, "#tabs")
    def tab_shown(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-filters" and self.segment is not None and self.segment.type == SegmentType.STATIC:
            self.show_filters()

    @staticmethod
    def origin_words(counts: dict[str, int]) -> str:
        """How the members of a static segment came in, in words that are true for this one."""
        if not counts:
            return _("It has no members; + adds records by hand.")
        # English says the same for one or many; other languages agree the participle with n
        words = {
            "filter": lambda n: _n("{n} from its filters when it was saved", "{n} from its filters when it was saved", n),
            "conversion": lambda n: _n("{n} kept when it was converted to static",
                                       "{n} kept when it was converted to static", n),
            "manual": lambda n: _n("{n} added by hand", "{n} added by hand", n),
            "import": lambda n: _n("{n} imported", "{n} imported", n),
        }
        parts = [words[source](n) if source in words else f"{number(n)} {source}"
                 for source, n in sorted(counts.items(), key=lambda kv: -kv[1])]
        return _n("Its {n} member: {how}.", "Its {n} members: {how}.", sum(counts.values()), how=", ".join(parts))

    def show_activity(self) -> None:
        table = self.query_one("#activity", DataTable)
        cursor = table.cursor_row
        tz = self.app.ctx.tz
        items = []
        for entry in audit.for_segment(self.segment_id, limit=100):
            items.append((entry.at, audit.summary_of(entry), shown_actor(entry.actor), entry, None))
        log = membership.log_page(self.segment_id, limit=100)
        keys = membership.record_keys(self.segment.object_type, [e.record_id for e in log])
        for entry in log:
            key = keys.get(entry.record_id, f"#{entry.record_id}")
            what = (_("Added {record} ({how})") if entry.action == "added" else _("Removed {record} ({how})")).format(
                record=key, how=self.cause(entry.reason))
            items.append((entry.at, what, shown_actor(entry.actor), entry, key))
        items.sort(key=lambda item: item[0], reverse=True)
        self.activity_items = items[:150]
        what, when, who = _("What"), _("When"), _("Who")
        # the moment is never cut (its column is as wide as the language writes a moment); what
        # happened and who share the rest
        when_width = max(moment_width(), cell_len(when))
        what_width, who_width = fit(
            [Column("what", what, need(what, [printable(i[1]) for i in self.activity_items], 200), 20),
             Column("who", who, need(who, [i[2] for i in self.activity_items], 20))],
            self.size.width - 1 - when_width - CELL_PADDING, first_share=0.75)
        table.clear(columns=True)
        for label, width in ((when, when_width), (what, what_width), (who, who_width)):
            table.add_column(label, width=width)
        for at, what, who, _entry, _key in self.activity_items:
            # what happened wraps rather than being cut (Enter shows the whole entry, before and after)
            table.add_row(moment_cell(at, tz), wrapping(what, what_width, limit=400), literal(who, limit=40),
                          height=None)
        if self.activity_items:
            table.move_cursor(row=min(max(cursor, 0), len(self.activity_items) - 1), animate=False)

    @on(DataTable.RowSelected, "#activity")
    def open_activity_entry(self, event: DataTable.RowSelected) -> None:
        if not 0 <= event.cursor_row < len(self.activity_items):
            return
        *_shown, entry, key = self.activity_items[event.cursor_row]
        ctx = self.app.ctx
        rows = self.read_core(lambda: describe.audit_detail(entry, ctx) if key is None
                              else describe.membership_detail(entry, key, ctx, self.segment.object_type))
        if rows is not None:
            self.app.push_screen(ActivityEntryModal(rows))

    @on(SettingsPanel.Saved)
    @on(SettingsPanel.NotSaved)
    def settings_changed(self) -> None:
        self.reload()

    # -- the Analyze tab ------------------------------------------------------------------
    @on(SizeChart.MembersAsOf)
    def members_as_of(self, message: SizeChart.MembersAsOf) -> None:
        from .members_as_of import MembersAsOfScreen

        self.app.push_screen(MembersAsOfScreen(self.segment, message.day))

    @on(SizeChart.CompareAsked)
    def compare(self) -> None:
        from .overlap import OverlapScreen

        self.app.push_screen(OverlapScreen(self.segment))

    # -- actions ------------------------------------------------------------------------
    def action_back(self) -> None:
        if not self.query_one(SettingsPanel).is_dirty():
            self.app.pop_screen()
            return
        self.app.push_screen(
            ConfirmModal(_("Leave without saving the automatic conversion?"),
                         _("The change on the Settings tab is not saved: Leave drops it; Cancel goes back "
                           "to it ({key} saves it).").format(key=key_name(SettingsPanel.ACTIONS.by_name["save"].key)),
                         _("Leave")),
            lambda ok: self.app.pop_screen() if ok else None,
        )

    def action_records_tab(self) -> None:
        self.show_tab("tab-records")

    def action_filters_tab(self) -> None:
        self.show_tab("tab-filters")

    def action_settings_tab(self) -> None:
        self.show_tab("tab-settings")

    def action_activity_tab(self) -> None:
        self.show_tab("tab-activity")

    def show_tab(self, tab_id: str) -> None:
        """Show a tab and put the focus on its content."""
        self.query_one(TabbedContent).active = tab_id
        if tab_id == "tab-settings":
            self.query_one(SettingsPanel).focus_dropdown()
        elif tab_id == "tab-filters":
            self.query_one("#tab-filters VerticalScroll").focus()
        elif tab_id == "tab-analyze":
            self.query_one(SizeChart).focus()
        else:
            self.query_one("#members" if tab_id == "tab-records" else "#activity").focus()

    def action_reload(self) -> None:
        self.reload()

    def members_unread(self) -> bool:
        """No page of members was read (the segment or its members failed to load): a page key says
        so instead of turning a page that is not there."""
        if self.pages is not None:
            return False
        self.notify(_("The members could not be read, so there is no page to turn: press r to try again."),
                    title=_("No members shown"), severity="warning")
        return True

    def action_next_page(self) -> None:
        if self.as_of is not None:
            self.turn_as_of_page(lambda: self.as_of_pages.next())
        elif not self.members_unread():
            self.turn_page(self.pages.next)

    def action_previous_page(self) -> None:
        if self.as_of is not None:
            self.turn_as_of_page(lambda: self.as_of_pages.previous())
        elif not self.members_unread():
            self.turn_page(self.pages.previous)

    def action_first_page(self) -> None:
        if self.as_of is not None:
            self.turn_as_of_page(lambda: self.as_of_pages.first() or True)
        elif not self.members_unread() and self.pages.number:
            self.turn_page(lambda: self.pages.first() or True)

    def action_last_page(self) -> None:
        if self.as_of is not None:
            self.turn_as_of_page(lambda: self.as_of_pages.last() or True)
        elif not self.members_unread() and self.pages.number < self.pages.pages - 1:
            self.turn_page(lambda: self.pages.last() or True)

    def action_analyze(self) -> None:
        self.show_tab("tab-analyze")

    def action_settings(self) -> None:
        self.show_tab("tab-settings")

    @on(Button.Pressed, "#actions-button")
    def action_actions(self) -> None:
        button = self.query_one("#actions-button", Button)
        self.app.push_screen(ActionsMenu(self.menu_entries(), anchor=button.region), self.run_menu_choice)

    def menu_entries(self) -> list[MenuEntry]:
        return self.ACTIONS.menu_entries(self)

    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("mark", "remove_records") and self.as_of is not None:
            return False  # the Records tab shows a past day: nothing there to change
        return super().check_action(action, parameters)

    def run_menu_choice(self, choice: str | None) -> None:
        if choice:
            self.run_entry(choice)

    def action_search_segments(self) -> None:
        self.app.search_segments()

    # -- filters and testing --------------------------------------------------------------
    def action_edit_filters(self) -> None:
        self.app.push_screen(EditFiltersScreen(self.segment), lambda saved: self.reload() if saved else None)

    def action_test_record(self) -> None:
        if not filters.has_filters(store.tree(self.segment)):
            self.notify(_("This segment has no filters to test a record against: add some with e (Edit filters)."),
                        title=_("Nothing to test"), severity="warning", timeout=8)
            return
        title = {"contacts": _("Test a contact against {name!r}"),
                 "companies": _("Test a company against {name!r}")}[self.segment.object_type]
        self.app.push_screen(
            RecordPicker(self.segment.object_type, title.format(name=printable(self.segment.name, limit=50)),
                         segment_id=self.segment_id, confirm_label=_("Test")),
            self.test_picked,
        )

    def test_picked(self, ids: list[int] | None) -> None:
        if ids:
            self.app.push_screen(RecordTestScreen(self.segment, ids[0]))

    # -- manual membership (static segments) ---------------------------------------------
    def action_add_records(self) -> None:
        title = {"contacts": _("Add contacts to {name!r}"),
                 "companies": _("Add companies to {name!r}")}[self.segment.object_type]
        self.app.push_screen(
            RecordPicker(self.segment.object_type, title.format(name=printable(self.segment.name, limit=50)),
                         several=True, segment_id=self.segment_id, confirm_label=_("Add")),
            lambda ids: self.add_chosen(ids, self.segment.version),
        )

    def add_chosen(self, ids: list[int] | None, version: int) -> None:
        if not ids:
            return
        ctx = self.app.ctx

        def added(diff) -> None:
            already = len(ids) - diff.added
            if already:
                said = _n("Added {n} record ({already} already members).",
                          "Added {n} records ({already} already members).", diff.added, already=number(already))
            else:
                said = _n("Added {n} record.", "Added {n} records.", diff.added)
            self.notify(said, title=_("Records added"))
            self.reload()

        self.run_core(lambda: membership.add_records(ctx, self.segment_id, ids, expected_version=version),
                      done=added, failed=self.fail, group="add_records")

    def action_mark(self) -> None:
        if self.query_one(TabbedContent).active != "tab-records":
            self.notify(_("Members are marked on the Records tab."), severity="warning", timeout=4)
            return
        view = self.query_one("#members", MembersView)
        row = view.cursor_row
        if not 0 <= row < len(self.member_ids):
            return
        rid = self.member_ids[row]
        if rid in self.marked:
            del self.marked[rid]
        else:
            self.marked[rid] = self.pages.rows[row].key
        view.update_cell(row, 0, self.mark_cell(rid))
        view.move_cursor(row + 1)
        self.update_members_status()

    def mark_cell(self, rid: int) -> Text:
        return Text("✓", style="bold green") if rid in self.marked else Text("")

    def action_remove_records(self) -> None:
        row = self.query_one("#members", MembersView).cursor_row
        chosen = dict(self.marked)
        if not chosen and 0 <= row < len(self.member_ids):
            chosen = {self.member_ids[row]: self.pages.rows[row].key}
        if not chosen:
            self.notify(_("No member to remove: mark rows with {space} on the Records tab.").format(
                space=key_name("space")), severity="warning",
                        timeout=5)
            return
        shown = ", ".join(printable(k, limit=40) for k in list(chosen.values())[:5])
        if len(chosen) > 5:
            shown = _n("{shown} and {n} more", "{shown} and {n} more", len(chosen) - 5, shown=shown)
        version = self.segment.version
        self.app.push_screen(
            ConfirmModal(_n("Remove {n} record from {name!r}?", "Remove {n} records from {name!r}?", len(chosen),
                            name=printable(self.segment.name, limit=50)),
                         _("{records}. The records themselves are kept; only their membership ends.").format(
                             records=shown), _("Remove")),
            lambda ok: self.remove_chosen(sorted(chosen), version) if ok else None,
        )

    def remove_chosen(self, ids: list[int], version: int) -> None:
        ctx = self.app.ctx

        def removed(diff) -> None:
            self.marked.clear()
            self.notify(_n("Removed {n} record.", "Removed {n} records.", diff.removed), title=_("Records removed"))
            self.reload()

        self.run_core(lambda: membership.remove_records(ctx, self.segment_id, ids, expected_version=version),
                      done=removed, failed=self.fail, group="remove_records")

    def action_add_members_of(self) -> None:
        title = {"contacts": _("Add the members of another contacts segment to {name!r}"),
                 "companies": _("Add the members of another companies segment to {name!r}")}[self.segment.object_type]
        self.app.push_screen(
            SegmentPicker(title.format(name=printable(self.segment.name, limit=40)), self.segment.object_type,
                          exclude=self.segment_id),
            lambda other: self.confirm_members_of(other, self.segment.version) if other else None,
        )

    def confirm_members_of(self, other_id: int, version: int) -> None:
        other = self.read_core(lambda: segments.get(other_id), failed=self.fail)
        if other is None:
            return
        body = _n("Every one of the {n} member of {other!r} joins {name!r} (those already in stay as they are). "
                  "It is a one-off copy: later changes to the other segment are not followed.",
                  "Every one of the {n} members of {other!r} joins {name!r} (those already in stay as they are). "
                  "It is a one-off copy: later changes to the other segment are not followed.",
                  other.size, other=printable(other.name, limit=50), name=printable(self.segment.name, limit=50))
        self.app.push_screen(
            ConfirmModal(_("Add the members of {other!r}?").format(other=printable(other.name, limit=50)), body,
                         _("Add")),
            lambda ok: self.add_members_of(other_id, version) if ok else None,
        )

    def add_members_of(self, other_id: int, version: int) -> None:
        ctx = self.app.ctx
        self.run_core(lambda: membership.add_members_of(ctx, self.segment_id, other_id, expected_version=version),
                      done=self.members_added, failed=self.fail, group="add_members_of")

    def members_added(self, diff) -> None:
        self.notify(_n("Added {n} record.", "Added {n} records.", diff.added), title=_("Records added"))
        self.reload()

    # -- import, rename, clone, delete ----------------------------------------------------
    def action_import_records(self) -> None:
        into = self.segment if self.segment.type == SegmentType.STATIC else None
        self.app.push_screen(ImportModal(self.segment.object_type, into, folder=self.app.files_folder()),
                             lambda imported: self.reload() if imported else None)

    def action_rename(self) -> None:
        flows.rename_segment(self, self.segment, self.reload)

    def action_describe(self) -> None:
        """A description, shown in the header and the segments list (empty: none)."""
        from ...core import folders

        version = self.segment.version

        def check(text: str) -> str:
            if len(text.strip()) > folders.MAX_DESCRIPTION:
                raise InvalidInput("A description has at most {n} characters", n=number(folders.MAX_DESCRIPTION))
            return text

        def save(text: str | None) -> None:
            if text is None:
                return
            ctx = self.app.ctx
            self.run_core(lambda: folders.describe(ctx, self.segment_id, text, expected_version=version),
                          done=lambda _: self.reload(), failed=self.fail, group="describe")

        self.app.push_screen(NameModal(_("Describe {name!r}").format(name=printable(self.segment.name, limit=40)),
                                       self.segment.description or "", _("Save"), check,
                                       note=_("Shown in the header and the segments list; empty removes it."),
                                       field_label=_("Description:")), save)

    def action_clone(self) -> None:
        flows.clone_segment(self, self.segment, self.open_clone)

    def open_clone(self, copy_id: int) -> None:
        if self.app.screen is self:
            self.app.switch_screen(SegmentDetailScreen(copy_id))

    def action_delete(self) -> None:
        flows.delete_segment(self, self.segment, self.deleted)

    def deleted(self) -> None:
        if self.app.screen is self:
            self.app.pop_screen()

    def action_convert_static(self) -> None:
        self.start_conversion(SegmentType.STATIC)

    def action_convert_active(self) -> None:  # offered with filters only (ACTIONS)
        self.start_conversion(SegmentType.ACTIVE)

    def start_conversion(self, target: SegmentType) -> None:
        """Preview the effect (in a thread: an active target evaluates the filters), confirm, convert."""
        version, ctx, segment_id = self.segment.version, self.app.ctx, self.segment_id
        if target == SegmentType.STATIC:
            preview, convert = (lambda: conversions.preview_to_static(segment_id),
                                lambda: conversions.convert_to_static(ctx, segment_id, expected_version=version))
        else:
            preview, convert = (lambda: conversions.preview_to_active(ctx, segment_id),
                                lambda: conversions.convert_to_active(ctx, segment_id, expected_version=version))

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.run_core(convert, done=lambda result: self.converted(target, result), failed=self.fail,
                              group="convert")

        def confirm(effect) -> None:
            if target == SegmentType.STATIC:
                body = _("{effect} From then on, records are added or removed only by hand.").format(
                    effect=effect.sentence())
                if self.segment.schedule_mode != ScheduleMode.NEVER:
                    body += " " + _("The scheduled automatic conversion is cleared.")
                title = _("Convert {name!r} to static?")
            else:
                body = _("{effect} Membership then follows the filters; records can no longer be added or removed "
                         "by hand.").format(effect=effect.sentence())
                title = _("Convert {name!r} to active?")
            self.app.push_screen(
                ConfirmModal(title.format(name=printable(self.segment.name, limit=60)), body, _("Convert")),
                confirmed)

        self.run_core(preview, done=confirm, failed=self.fail, group="preview")

    def converted(self, target: SegmentType, result) -> None:
        if target == SegmentType.STATIC:
            record = result
            message = _n("{name!r} is now static: {n} member frozen.", "{name!r} is now static: {n} members frozen.",
                         record.size, name=printable(self.segment.name, limit=60))
        else:
            record, diff = result
            message = _("Now active: +{added} added, -{removed} removed.").format(added=number(diff.added),
                                                                                  removed=number(diff.removed))
        self.app.note_own_conversion(record.id)
        self.notify(message, title=_("Converted"))
        self.reload()

    def action_refresh(self) -> None:
        ctx = self.app.ctx
        self.run_core(lambda: membership.refresh(ctx, self.segment_id), done=self.refreshed, failed=self.fail,
                      group="refresh")

    def refreshed(self, diff) -> None:
        self.notify(_("Refreshed: +{added} added, -{removed} removed.").format(added=number(diff.added),
                                                                               removed=number(diff.removed)))
        self.reload()

    def action_export(self) -> None:
        folder = self.app.files_folder()
        default = files.free_name(folder, self.segment.name, fallback=f"segment-{self.segment_id}")
        self.app.push_screen(ExportModal(self.segment.name, self.segment.size, default, folder), self.export_to)

    def export_to(self, name: str | None) -> None:
        if not name:
            return
        folder = self.app.files_folder()
        # a name in the files folder only (checked again here: the modal is not the guard)
        self.run_core(lambda: records.export_members(self.segment_id, files.in_folder(folder, name)),
                      done=lambda written: self.notify(
                          _n("Exported {n} member to {path}.", "Exported {n} members to {path}.", written,
                             path=printable(str(files.in_folder(folder, name)))),
                          title=pgettext("notification title", "Export")),
                      failed=self.fail, group="export")

    def fail(self, exc: Exception) -> None:
        """Show a domain error where the user is looking, then show the segment as it is now."""
        self.notify(str(exc), title=_("Not done"), severity="error", timeout=10)
        self.reload()

