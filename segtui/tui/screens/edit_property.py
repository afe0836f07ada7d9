"""Edit one property of a record; the value is checked as the CSV import checks it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from ...core import records
from ...core.errors import SegtuiError
from ...core.properties import BOOLEAN, DATE, DATETIME, ENUMERATION, MULTIPLE, NUMBER, Property
from ..text import problem
from ..work import CoreWork

UNKNOWN = ""
HINTS = {NUMBER: "a number with a '.' decimal point", DATE: "a day as YYYY-MM-DD", "text": "text",
         DATETIME: "YYYY-MM-DD HH:MM in the account time zone, or ISO 8601",
         MULTIPLE: "options separated by ';'"}


class EditPropertyModal(CoreWork, ModalScreen[tuple[Property, str, str] | None]):
    """Dismissed with (property, the text saved, what it did to segment membership)."""

    CSS_PATH = "confirm.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="property.cancel")]

    def __init__(self, object_type: str, record_id: int, prop: Property, current: str) -> None:
        super().__init__()
        self.object_type = object_type
        self.record_id = record_id
        self.prop = prop
        self.current = current

    def compose(self) -> ComposeResult:
        prop = self.prop
        with Vertical(id="dialog"):
            yield Label(f"Edit {prop.label}", id="dialog-title", markup=False)
            if prop.type in (ENUMERATION, BOOLEAN):
                options = prop.options if prop.type == ENUMERATION else ("true", "false")
                choices = [(prop.option_label(o) if prop.type == ENUMERATION else o, o) for o in options]
                if not prop.is_key:
                    choices.append(("(unknown)", UNKNOWN))
                yield Select(choices, allow_blank=False, value=self.current if self.current in options else UNKNOWN,
                             id="property-value")
            else:
                hint = HINTS.get(prop.type, "text")
                yield Label(f"{prop.label} ({hint}; empty means unknown):" if not prop.is_key else
                            f"{prop.label} (identifies the record; cannot be empty):", markup=False)
                yield Input(self.current, id="property-value")
            yield Static("Active segments whose filters read this property follow the change as it is saved.",
                         classes="muted")
            yield Static("", id="property-error", classes="error-text")
            with Horizontal(id="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Save", id="confirm", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#property-value").focus()

    def value(self) -> str:
        widget = self.query_one("#property-value")
        return widget.value if isinstance(widget, Input) else (widget.value or UNKNOWN)

    @on(Input.Submitted, "#property-value")
    @on(Button.Pressed, "#confirm")
    def save(self) -> None:
        text, ctx = self.value(), self.app.ctx
        self.run_core(lambda: records.set_property(ctx, self.object_type, self.record_id, self.prop.name, text),
                      done=lambda result: self.dismiss((self.prop, text.strip(), result[1].sentence(self.record_id))),
                      failed=self.not_saved, group="save")

    def not_saved(self, exc: SegtuiError) -> None:
        self.query_one("#property-error", Static).update(problem(exc.message, "⚠ Not saved: "))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
