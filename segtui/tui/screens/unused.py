"""Segments nothing uses: no other segment's filters read them and nobody changed them (no
edit, no membership change) for N days. Mark some (space) and delete them to the 90-day bin."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label

from ...core import usage
from ...core.errors import SegtuiError
from ...i18n import N_, _, _n, number, pgettext, quoted
from ..widgets.footer import Footer
from ..widgets.header import Header
from ..actions import BACK, Action, ActionTable, HasActions
from ..keys import key_name
from ..text import literal, moment, moment_width, type_badge
from ..work import CoreWork
from .confirm import ConfirmModal

DEFAULT_DAYS = 90


class UnusedScreen(HasActions, CoreWork, Screen):
    CSS_PATH = "unused.tcss"
    ACTIONS = ActionTable(
        "unused",
        BACK,
        Action("mark", N_("Mark"), "space", mutates=True, palette=False),
        Action("delete", N_("Delete marked"), "delete", mutates=True,
               title=N_("Delete the marked segments"), description=N_("To the bin: restorable for 90 days")),
    )
    BINDINGS = ACTIONS.bindings()

    def __init__(self, days: int = DEFAULT_DAYS) -> None:
        super().__init__()
        self.days = days
        self.rows: list = []
        self.marked: set[int] = set()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="unused-bar"):
            yield Label(_("Unused and unchanged for"), id="unused-label")
            yield Input(str(self.days), id="unused-days", compact=True, restrict=r"[0-9]*")
            yield Label(_("days"), id="unused-unit")
            yield Label("", id="unused-error")
        yield DataTable(id="unused-list", cursor_type="row", zebra_stripes=True)
        yield Label("", id="unused-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = _("Unused segments")
        table = self.query_one(DataTable)
        for label, width in (("", 1), (_("Name"), 32), (_("Type"), 8), (_("Size"), 7), (_("Unchanged since"), moment_width())):
            table.add_column(label, width=width)
        self.load()
        table.focus()

    def load(self) -> None:
        rows = self.read_core(lambda: usage.unused(self.app.ctx, self.days), failed=self.refused)
        if rows is None:
            return
        self.rows = rows
        self.marked &= {s.id for s in rows}
        table = self.query_one(DataTable)
        table.clear()
        tz = self.app.ctx.tz
        for s in rows:
            table.add_row(Text("●" if s.id in self.marked else " "), literal(s.name, limit=60), type_badge(s.type),
                          Text(number(s.size), justify="right"), moment(usage.unchanged_since(s), tz), key=str(s.id))
        self.show_status()

    def show_status(self) -> None:
        if not self.rows:
            text = _("No segment is unused and unchanged for {days} days.").format(days=self.days)
        else:
            text = _n("{n} segment nothing uses, unchanged for {days} days",
                      "{n} segments nothing uses, unchanged for {days} days", len(self.rows), days=self.days)
            if not self.app.ctx.read_only:
                delete = key_name("delete")
                text += " · " + (_n("{n} marked · {delete} deletes them (restorable for 90 days)",
                                    "{n} marked · {delete} deletes them (restorable for 90 days)", len(self.marked),
                                    delete=delete)
                                 if self.marked else _("{space} marks · {delete} deletes the marked ones").format(
                                     space=key_name("space"), delete=delete))
        self.query_one("#unused-status", Label).update(text)

    def refused(self, exc: SegtuiError) -> None:
        self.query_one("#unused-error", Label).update(str(exc))

    @on(Input.Submitted, "#unused-days")
    def days_typed(self, event: Input.Submitted) -> None:
        try:
            days = int(event.value)
        except ValueError:
            self.refused(SegtuiError(N_("Type a whole number of days")))
            return
        self.query_one("#unused-error", Label).update("")
        previous, self.days = self.days, days
        self.load()
        if str(self.query_one("#unused-error", Label).render()):
            self.days = previous
            return
        self.query_one(DataTable).focus()

    def action_mark(self) -> None:
        table = self.query_one(DataTable)
        if not self.rows:
            return
        segment = self.rows[table.cursor_row]
        self.marked ^= {segment.id}
        table.update_cell_at((table.cursor_row, 0), Text("●" if segment.id in self.marked else " "))
        if table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)
        self.show_status()

    def action_delete(self) -> None:
        if not self.marked:
            self.notify(_("Mark the segments to delete with {space} first.").format(space=key_name("space")), severity="warning")
            return
        chosen = [(s.id, s.version) for s in self.rows if s.id in self.marked]
        names = ", ".join([quoted(s.name) for s in self.rows if s.id in self.marked][:5])
        self.app.push_screen(
            ConfirmModal(_n("Delete {n} segment?", "Delete {n} segments?", len(chosen)),
                         f"{names}{' ...' if len(chosen) > 5 else ''}\n"
                         + _("They can be restored for 90 days (D on the segments list)."), _("Delete")),
            lambda yes: self.delete(chosen) if yes else None,
        )

    def delete(self, chosen) -> None:
        ctx = self.app.ctx
        self.run_core(lambda: usage.delete_many(ctx, chosen), done=self.deleted)

    def deleted(self, result: usage.BulkResult) -> None:
        self.notify(_n("Deleted {n} segment; restore it from Recently deleted (D).",
                       "Deleted {n} segments; restore them from Recently deleted (D).", len(result.deleted)),
                    title=pgettext("notification", "Deleted"))
        for name, why in result.refused[:3]:
            self.notify(_("{name} was not deleted: {why}").format(name=quoted(name), why=why), severity="warning",
                        timeout=10)
        self.marked.clear()
        self.load()

    def action_back(self) -> None:
        self.dismiss(None)  # the list reloads: some segments may be gone
