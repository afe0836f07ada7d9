"""Ask where to export a segment's members."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from ..text import count, printable


class ExportModal(ModalScreen[str | None]):
    CSS_PATH = "confirm.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, name: str, size: int, default_path: str) -> None:
        super().__init__()
        self.segment_name = name
        self.member_count = size
        self.default_path = default_path

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"Export {count(self.member_count, 'member')} of {printable(self.segment_name, limit=50)!r}",
                        id="dialog-title", markup=False)
            yield Label("CSV file to write:")
            yield Input(self.default_path, id="export-path")
            yield Label("", id="export-error", classes="error-text")
            with Horizontal(id="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Export", id="confirm", variant="primary")

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#confirm")
    def confirm(self) -> None:
        text = self.query_one("#export-path", Input).value.strip()
        error = self.query_one("#export-error", Label)
        if not text:
            error.update("Type a file name.")
            return
        path = Path(text).expanduser()
        if path.is_dir():
            error.update("That is a folder: add a file name.")
            return
        if path.exists():
            error.update(f"{printable(str(path))} already exists: choose another name.")
            return
        if not path.parent.exists():
            error.update(f"The folder {printable(str(path.parent))} does not exist.")
            return
        self.dismiss(str(path))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
