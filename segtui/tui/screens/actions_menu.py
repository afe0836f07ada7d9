"""The Actions menu: a small list at the top right of a segment, like HubSpot's."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..actions import MenuEntry


class ActionsMenu(ModalScreen[str | None]):
    CSS_PATH = "actions_menu.tcss"
    BINDINGS = [Binding("escape", "dismiss_menu", "Close", id="menu.dismiss_menu")]

    def __init__(self, entries: list[MenuEntry]) -> None:
        super().__init__()
        self.entries = entries

    def compose(self) -> ComposeResult:
        options = []
        for entry in self.entries:
            label = Text(entry.label)
            if entry.blocked:
                label = Text.assemble((entry.label, "dim"), (f"  ({entry.blocked})", "dim italic"))
            options.append(Option(label, id=entry.action))
        menu = OptionList(*options, id="actions-menu")
        menu.border_title = "Actions"
        yield menu

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        entry = next(e for e in self.entries if e.action == event.option.id)
        if entry.blocked:
            self.notify(entry.refusal, title="Not available", severity="warning", timeout=8)
            return
        self.dismiss(entry.action)

    def on_click(self, event) -> None:
        if event.widget is self:
            self.dismiss(None)

    def action_dismiss_menu(self) -> None:
        self.dismiss(None)
