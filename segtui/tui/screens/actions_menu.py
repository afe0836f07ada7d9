"""The Actions menu: a small list at the top right of a segment, like HubSpot's."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Region
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...i18n import N_, _
from ..actions import MenuEntry


class ActionsMenu(ModalScreen[str | None]):
    CSS_PATH = "actions_menu.tcss"
    BINDINGS = [Binding("escape", "dismiss_menu", N_("Close"), id="menu.dismiss_menu")]

    def __init__(self, entries: list[MenuEntry], anchor: Region | None = None) -> None:
        """``anchor``: the screen region of the Actions button, under which the menu opens."""
        super().__init__()
        self.entries = entries
        self.anchor = anchor

    def compose(self) -> ComposeResult:
        options = []
        for entry in self.entries:
            label = Text(entry.label)
            if entry.blocked:
                label = Text.assemble((entry.label, "dim"), (f"  ({entry.blocked})", "dim italic"))
            options.append(Option(label, id=entry.action))
        menu = OptionList(*options, id="actions-menu")
        menu.border_title = _("Actions")
        # as wide as its longest entry (plus border and padding), not a fixed block
        menu.styles.width = min(70, max(len(o.prompt.plain) for o in options) + 4)
        yield menu

    def on_mount(self) -> None:
        menu = self.query_one(OptionList)
        menu.highlighted = 0
        if self.anchor is not None:  # right edge on the button's right edge, top just under it
            right = max(0, self.size.width - self.anchor.right)
            menu.styles.margin = (self.anchor.bottom, right, 0, 0)

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        entry = next(e for e in self.entries if e.action == event.option.id)
        if entry.blocked:
            self.notify(entry.refusal, title=_("Not available"), severity="warning", timeout=8)
            return
        self.dismiss(entry.action)

    def on_click(self, event) -> None:
        if event.widget is self:
            self.dismiss(None)

    def action_dismiss_menu(self) -> None:
        self.dismiss(None)
