"""Segment folders: pick the folder the list shows (or where marked segments move), and make,
rename or delete folders. Folders nest; a folder that holds segments or folders is not deleted."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from ...core import folders
from ...core.errors import SegtuiError
from ...i18n import N_, _, _n, number, quoted
from ..widgets.footer import Footer
from ..actions import Action, ActionTable, HasActions
from ..text import literal, printable, problem
from ..work import CoreWork
from .confirm import ConfirmModal
from .name_modal import NameModal

ALL = "all"  # every segment, whatever its folder (showing only)
TOP = "top"  # no folder (moving only)


class FoldersScreen(HasActions, CoreWork, ModalScreen[str | None]):
    """Dismissed with ``ALL``, ``TOP`` or a folder id (as text), or None when cancelled.

    ``moving``: the choice is where segments go (the top level is offered, "all" is not).
    """

    CSS_PATH = "folders.tcss"
    ACTIONS = ActionTable(
        "folders",
        Action("cancel", N_("Cancel"), "escape", palette=False),
        Action("new_folder", N_("New folder"), "n", mutates=True, description=N_("Inside the highlighted folder")),
        Action("rename_folder", N_("Rename"), "e", mutates=True, title=N_("Rename the folder")),
        Action("delete_folder", N_("Delete"), "delete", mutates=True, title=N_("Delete the folder"),
               description=N_("Only an empty one")),
    )
    BINDINGS = ACTIONS.bindings()

    def __init__(self, *, moving: int = 0, current: str = ALL) -> None:
        super().__init__()
        self.moving = moving  # how many segments are moving (0: choosing what the list shows)
        self.current = current
        self.rows: list[folders.FolderRow] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="folders-dialog"):
            title = (_n("Move {n} segment to…", "Move {n} segments to…", self.moving) if self.moving
                     else _("Show the segments of a folder"))
            yield Label(title, id="folders-title")
            yield DataTable(id="folders", cursor_type="row", show_header=False)
            yield Static("", id="folders-error")
            yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(_("Folder"), width=44)
        table.add_column(_("Segments"), width=9)
        self.load(keep=self.current)
        table.focus()

    def load(self, keep: str | None = None) -> None:
        rows = self.read_core(folders.tree)
        if rows is None:
            return
        self.rows = rows
        table = self.query_one(DataTable)
        table.clear()
        if self.moving:
            table.add_row(Text(_("/ the top level (no folder)"), style="italic"), "", key=TOP)
        else:
            table.add_row(Text(_("All segments"), style="italic"), "", key=ALL)
        for row in rows:
            name = Text("  " * row.depth + "▸ ")
            name.append_text(literal(row.folder.name, limit=40))
            table.add_row(name, Text(number(row.segments), justify="right"), key=str(row.folder.id))
        keys = [ALL if not self.moving else TOP] + [str(r.folder.id) for r in rows]
        if keep in keys:
            table.move_cursor(row=keys.index(keep), animate=False)

    def highlighted(self) -> folders.FolderRow | None:
        table = self.query_one(DataTable)
        index = table.cursor_row - 1  # the first row is "All segments" / "the top level"
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def say(self, text: str = "") -> None:
        self.query_one("#folders-error", Static).update(problem(text) if text else "")

    @on(DataTable.RowSelected, "#folders")
    def chosen(self, event: DataTable.RowSelected) -> None:
        self.dismiss(event.row_key.value)

    def action_cancel(self) -> None:
        self.dismiss(None)

    # -- making, renaming, deleting ------------------------------------------------------------
    def action_new_folder(self) -> None:
        parent = self.highlighted()
        title = (_("New folder in {path}").format(path=quoted(printable(parent.path, limit=40))) if parent
                 else _("New folder at the top"))

        def check(name: str) -> str:
            return folders.check_name(name, parent.folder.id if parent else None)

        def made(name: str | None) -> None:
            if name is None:
                return
            ctx = self.app.ctx
            self.run_core(lambda: folders.create(ctx, name, parent.folder.id if parent else None),
                          done=lambda folder: self.load(keep=str(folder.id)), failed=lambda exc: self.say(exc.message))

        self.app.push_screen(NameModal(title, "", _("Create"), check), made)

    def action_rename_folder(self) -> None:
        row = self.highlighted()
        if row is None:
            self.say(_("Choose a folder to rename."))
            return

        def check(name: str) -> str:
            return folders.check_name(name, row.folder.parent_id, except_id=row.folder.id)

        def renamed(name: str | None) -> None:
            if name is None:
                return
            ctx = self.app.ctx
            self.run_core(lambda: folders.rename(ctx, row.folder.id, name),
                          done=lambda folder: self.load(keep=str(folder.id)), failed=lambda exc: self.say(exc.message))

        self.app.push_screen(NameModal(_("Rename folder {path}").format(path=quoted(printable(row.path, limit=40))),
                                       row.folder.name, _("Rename"), check), renamed)

    def action_delete_folder(self) -> None:
        row = self.highlighted()
        if row is None:
            self.say(_("Choose a folder to delete."))
            return
        problem_text = self.read_core(lambda: folders.why_not_deleted(row.folder.id), failed=self.failed)
        if problem_text:
            self.say(problem_text)
            return

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            ctx = self.app.ctx
            self.run_core(lambda: folders.delete(ctx, row.folder.id), done=lambda _: self.load(),
                          failed=lambda exc: self.say(exc.message))

        self.app.push_screen(ConfirmModal(_("Delete folder"), _("Delete the empty folder {path}?").format(
            path=quoted(printable(row.path))), _("Delete")), confirmed)

    def failed(self, exc: SegtuiError) -> None:
        self.say(exc.message)
