"""One entry of a segment's Activity tab, in full: who, when, what, before and after."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ...i18n import N_, _
from ..text import printable


class ActivityEntryModal(ModalScreen[None]):
    DEFAULT_CSS = """
    ActivityEntryModal { align: center middle; background: $background 60%; }
    #entry { width: 100; max-width: 95%; height: auto; max-height: 90%; border: thick $primary;
             background: $surface; padding: 0 1; }
    #entry-title { text-style: bold; margin-bottom: 1; }
    #entry-keys { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [Binding("escape,enter,q", "close", N_("Close"), id="activity_entry.close")]

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="entry"):
            yield Label(_("Activity entry"), id="entry-title")
            table = Table(show_header=False, box=None, padding=(0, 2, 0, 0), expand=True)
            table.add_column(style="bold", no_wrap=True)
            table.add_column(ratio=1, overflow="fold")
            for label, value in self.rows:
                table.add_row(label, Text(printable(value, limit=2000)))
            yield Static(table)
            yield Label(_("Esc or Enter: close"), id="entry-keys")

    def action_close(self) -> None:
        self.dismiss(None)
