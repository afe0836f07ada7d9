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
from ...i18n import N_, _
from ..text import problem
from ..work import CoreWork
from .data_words import day_form, option_label, property_label, typed_day, typed_number

UNKNOWN = ""
HINTS = {NUMBER: N_("a number with a '.' decimal point"), DATE: N_("a day as {form}"), "text": N_("text"),
         DATETIME: N_("YYYY-MM-DD HH:MM in the account time zone, or ISO 8601"),
         MULTIPLE: N_("options separated by ';'")}


class EditPropertyModal(CoreWork, ModalScreen[tuple[Property, str, str] | None]):
    """Dismissed with (property, the text saved, what it did to segment membership)."""

    CSS_PATH = "confirm.tcss"
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="property.cancel")]

    def __init__(self, object_type: str, record_id: int, prop: Property, current: str) -> None:
        super().__init__()
        self.object_type = object_type
        self.record_id = record_id
        self.prop = prop
        self.current = current

    def compose(self) -> ComposeResult:
        prop = self.prop
        label = property_label(prop)
        with Vertical(id="dialog"):
            yield Label(_("Edit {property}").format(property=label), id="dialog-title", markup=False)
            if prop.type in (ENUMERATION, BOOLEAN):
                options = prop.options if prop.type == ENUMERATION else ("true", "false")
                words = {"true": _("true"), "false": _("false")}
                choices = [(option_label(prop, o) if prop.type == ENUMERATION else words[o], o) for o in options]
                if not prop.is_key:
                    choices.append((_("(unknown)"), UNKNOWN))
                yield Select(choices, allow_blank=False, value=self.current if self.current in options else UNKNOWN,
                             id="property-value")
            else:
                hint = _(HINTS.get(prop.type, "text")).format(form=day_form(self.app.ctx))
                yield Label(_("{property} ({hint}; empty means unknown):").format(property=label, hint=hint)
                            if not prop.is_key else
                            _("{property} (identifies the record; cannot be empty):").format(property=label),
                            markup=False)
                yield Input(self.current, id="property-value")
            yield Static(_("Active segments whose filters read this property follow the change as it is saved."),
                         classes="muted")
            yield Static("", id="property-error", classes="error-text")
            with Horizontal(id="dialog-buttons"):
                yield Button(_("Cancel"), id="cancel")
                yield Button(_("Save"), id="confirm", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#property-value").focus()

    def value(self) -> str:
        """What to store, in the form the core reads (a number typed as the language writes it)."""
        widget = self.query_one("#property-value")
        if not isinstance(widget, Input):
            return widget.value or UNKNOWN
        if self.prop.type == NUMBER:
            return typed_number(widget.value)
        if self.prop.type == DATE:
            return typed_day(widget.value, self.app.ctx)
        return widget.value

    def typed(self) -> str:
        """What the user typed or chose, as they wrote it (said back once saved)."""
        widget = self.query_one("#property-value")
        return widget.value if isinstance(widget, Input) else (widget.value or UNKNOWN)

    @on(Input.Submitted, "#property-value")
    @on(Button.Pressed, "#confirm")
    def save(self) -> None:
        text, typed, ctx = self.value(), self.typed(), self.app.ctx
        self.run_core(lambda: records.set_property(ctx, self.object_type, self.record_id, self.prop.name, text),
                      done=lambda result: self.dismiss((self.prop, typed.strip(), result[1].sentence(self.record_id))),
                      failed=self.not_saved, group="save")

    def not_saved(self, exc: SegtuiError) -> None:
        self.query_one("#property-error", Static).update(problem(exc.message, _("⚠ Not saved: ")))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
