"""Ask for a segment name (rename, clone), checked as it is typed: empty or taken is refused here."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from ...i18n import N_, _
from ..text import problem
from ..work import CoreWork


class NameModal(CoreWork, ModalScreen[str | None]):
    CSS_PATH = "confirm.tcss"
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="name.cancel")]

    def __init__(self, title: str, value: str, confirm_label: str, check: Callable[[str], str],
                 note: str = "", field_label: str = "") -> None:
        """The words given are in the language shown; ``field_label`` is "Name:" unless told."""
        super().__init__()
        self.title_text = title
        self.value = value
        self.confirm_label = confirm_label
        self.check = check
        self.note = note
        self.field_label = field_label or _("Name:")

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title", markup=False)
            if self.note:
                yield Static(self.note, markup=False, classes="muted")
            yield Label(self.field_label)
            yield Input(self.value, id="name-input")
            yield Static("", id="name-error", classes="error-text")
            with Horizontal(id="dialog-buttons"):
                yield Button(_("Cancel"), id="cancel")
                yield Button(self.confirm_label, id="confirm", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#name-input", Input).focus()

    def checked(self) -> str | None:
        error = self.query_one("#name-error", Static)
        error.update("")
        text = self.query_one("#name-input", Input).value
        return self.read_core(lambda: self.check(text), failed=lambda exc: error.update(problem(exc.message)))

    @on(Input.Changed, "#name-input")
    def typed(self) -> None:
        self.checked()

    @on(Input.Submitted, "#name-input")
    @on(Button.Pressed, "#confirm")
    def confirm(self) -> None:
        name = self.checked()
        if name is not None:
            self.dismiss(name)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
