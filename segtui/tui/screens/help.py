"""`?`: every key of the screen underneath, and how the console works."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

GUIDE = """\
Active segments follow their filters; static segments change only by hand.
Open a segment with Enter, then press a for Actions (convert now, export...) or g for the
Settings tab, where "Automatic conversion to static" converts it on a day or after a
period without membership changes. A background worker in this console (and in
`segtui worker`) applies due conversions; you are told when one happens.
ctrl+p opens the command palette: every action is there by name."""


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Text("segtui: keys", style="bold"))
            yield Static(self.keys_table())
            yield Static(Text(GUIDE))

    def keys_table(self) -> Table:
        table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
        table.add_column("Key")
        table.add_column("Action")
        underneath = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else self.app.screen
        seen = set()
        for source in (underneath, self.app):
            for binding in getattr(source, "BINDINGS", []):
                if not hasattr(binding, "key") or not binding.description:
                    continue
                keys = binding.key_display or binding.key
                if (keys, binding.description) in seen:
                    continue
                seen.add((keys, binding.description))
                table.add_row(keys.replace("question_mark", "?"), binding.description)
        for keys, what in (("ctrl+p", "Command palette"), ("tab / shift+tab", "Move between fields"),
                           ("↑ ↓ PgUp PgDn", "Move in tables"), ("Enter", "Open / choose")):
            table.add_row(keys, what)
        return table

    def action_close(self) -> None:
        self.dismiss(None)
