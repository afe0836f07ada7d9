"""Recently deleted segments (90 days), newest first; Restore brings one back."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from ...core import segments
from ...core.properties import OBJECT_TYPES
from ...core.errors import SegtuiError
from ... import config
from ...i18n import N_, _, _n, number, pgettext, quoted
from ..widgets.footer import Footer
from ..widgets.header import Header
from ..actions import BACK, Action, ActionTable, HasActions
from ..text import badge_width, literal, moment, moment_width, printable, type_badge
from .data_words import object_label
from ..work import CoreWork


class DeletedSegmentsScreen(HasActions, CoreWork, Screen):
    CSS_PATH = "deleted_segments.tcss"
    ACTIONS = ActionTable(
        "deleted",
        BACK,
        Action("restore", N_("Restore"), "r", mutates=True, description=N_("Bring the highlighted segment back")),
        Action("reload", N_("Reload"), "ctrl+r", show=False, palette=False),
    )
    BINDINGS = ACTIONS.bindings()
    PALETTE_HIDES = frozenset({"recently_deleted"})

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[int] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="deleted-note")
        yield DataTable(id="deleted", cursor_type="row", zebra_stripes=True)
        yield Label("", id="deleted-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = _("Recently deleted")
        table = self.query_one(DataTable)
        for label, width in ((_("Name"), 24), (_("Type"), badge_width()),
                             (_("Object"), max(9, *(len(object_label(o)) for o in OBJECT_TYPES))), (_("Size"), 6),
                             (pgettext("column", "Deleted"), moment_width()),
                             (_("Restore until"), 13), (_("By"), 10)):
            table.add_column(label, width=width)
        self.reload()
        table.focus()

    def reload(self) -> None:
        self.read_core(self.show_deleted)

    def show_deleted(self) -> None:
        ctx = self.app.ctx
        table = self.query_one(DataTable)
        keep = self.ids[table.cursor_row] if self.ids and 0 <= table.cursor_row < len(self.ids) else None
        table.clear()
        self.ids = []
        for seg in segments.deleted(ctx):
            until = seg.deleted_at.add(days=segments.RESTORE_DAYS)
            table.add_row(
                literal(seg.name, limit=60), type_badge(seg.type), object_label(seg.object_type).lower(),
                Text(number(seg.size), justify="right"), moment(seg.deleted_at, ctx.tz),
                moment(until, ctx.tz, config.SHOWN_DAY), literal(seg.deleted_by, limit=20), key=str(seg.id),
            )
            self.ids.append(seg.id)
        if keep in self.ids:
            table.move_cursor(row=self.ids.index(keep), animate=False)
        note = _("Segments deleted in the last {days} days, newest first; their filters and members are kept until "
                 "then.").format(days=number(segments.RESTORE_DAYS))
        if ctx.read_only:
            note += " " + _("This console is read-only: restoring is not offered.")
        self.query_one("#deleted-note", Static).update(note)
        status = _("Nothing was deleted recently.")
        if self.ids:
            status = _n("{n} segment", "{n} segments", len(self.ids)) + (
                "" if ctx.read_only else " · " + _("r restores the highlighted one"))
        self.query_one("#deleted-status", Label).update(status)

    def selected_id(self) -> int | None:
        table = self.query_one(DataTable)
        if not self.ids or not 0 <= table.cursor_row < len(self.ids):
            return None
        return self.ids[table.cursor_row]

    @on(DataTable.RowSelected, "#deleted")
    def row_chosen(self) -> None:
        self.action_restore()  # through the action table, as the key is

    def action_restore(self) -> None:
        segment_id = self.selected_id()
        if segment_id is None:
            self.notify(_("Nothing to restore."), severity="warning", timeout=3)
            return
        ctx = self.app.ctx
        self.run_core(lambda: segments.restore(ctx, segment_id), done=self.restored, failed=self.not_restored,
                      group="restore")

    def not_restored(self, exc: SegtuiError) -> None:
        self.notify(str(exc), title=_("Not restored"), severity="error", timeout=10)
        self.reload()

    def restored(self, restored) -> None:
        name = quoted(printable(restored.name, limit=60))
        if restored.type == "active":
            said = _("Restored {name} (its members are refreshed at the next run of the worker).").format(name=name)
        else:
            said = _n("Restored {name} with {n} member.", "Restored {name} with {n} members.", restored.size, name=name)
        self.notify(said, title=_("Restored"))
        self.reload()

    def action_reload(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()
