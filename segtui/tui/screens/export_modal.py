"""Ask for the name of the file to export a segment's members to, in the files folder."""

from __future__ import annotations

import os
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from ...core import files
from ...core.errors import InvalidInput
from ...i18n import N_, _, _n, quoted
from ..text import printable


class ExportModal(ModalScreen[str | None]):
    """Dismissed with a file name (checked by files.check_name, not there yet) or None."""

    CSS_PATH = "confirm.tcss"
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="export.cancel")]

    def __init__(self, name: str, size: int, default_name: str, folder: Path) -> None:
        super().__init__()
        self.segment_name = name
        self.member_count = size
        self.default_name = default_name
        self.folder = folder

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(_n("Export {n} member of {name}", "Export {n} members of {name}", self.member_count,
                           name=quoted(printable(self.segment_name, limit=50))),
                        id="dialog-title", markup=False)
            yield Label(_("Files folder: {folder}").format(folder=printable(str(self.folder), limit=300)),
                        id="export-folder", markup=False)
            yield Label(_("File name (a new .csv file in that folder):"))
            yield Input(self.default_name, id="export-path")
            yield Label(self.location(self.default_name), id="export-location", classes="muted", markup=False)
            yield Label("", id="export-error", classes="error-text", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button(_("Cancel"), id="cancel")
                yield Button(_("Export"), id="confirm", variant="primary")

    def location(self, name: str) -> str:
        """Where the file will be, in full: the user must be able to find it afterwards."""
        try:
            return _("Saved as {path}").format(path=printable(str(files.in_folder(self.folder, name)), limit=400))
        except InvalidInput:
            return ""

    @on(Input.Changed, "#export-path")
    def typed(self, event: Input.Changed) -> None:
        self.query_one("#export-location", Label).update(self.location(event.value))
        self.query_one("#export-error", Label).update("")

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#confirm")
    def confirm(self) -> None:
        name = self.query_one("#export-path", Input).value
        error = self.query_one("#export-error", Label)
        try:
            path = files.in_folder(self.folder, name)
        except InvalidInput as exc:
            error.update(str(exc))
            return
        if os.path.lexists(path):
            error.update(_("{name} already exists: choose another name.").format(name=printable(name, limit=60)))
            return
        self.dismiss(name)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
