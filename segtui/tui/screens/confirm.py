"""A modal confirmation for every destructive or converting act. Esc or Cancel changes nothing."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from ...i18n import N_, _


class ConfirmModal(ModalScreen[bool]):
    CSS_PATH = "confirm.tcss"
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="confirm.cancel")]

    def __init__(self, title: str, body: str, confirm_label: str = N_("Confirm")) -> None:
        """``title``, ``body`` and ``confirm_label``: already in the language shown."""
        super().__init__()
        self.title_text = title
        self.body = body
        self.confirm_label = _(confirm_label)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title", markup=False)
            yield Static(self.body, id="dialog-body", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button(_("Cancel"), id="cancel")
                yield Button(self.confirm_label, id="confirm", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#confirm", Button).focus()

    @on(Button.Pressed, "#confirm")
    def confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
