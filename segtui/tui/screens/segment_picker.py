"""Pick another segment of the same object, by typing part of its name."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList
from textual.widgets.option_list import Option

from ...core import segments
from ...i18n import N_, _, _n
from ..text import literal, printable
from ..widgets.type_ahead import TypeAhead


class SegmentPicker(ModalScreen[int | None]):
    CSS_PATH = "segment_picker.tcss"
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="segment_picker.cancel")]

    def __init__(self, title: str, object_type: str, *, exclude: int | None = None) -> None:
        super().__init__()
        self.picker_title = title
        self.object_type = object_type
        self.exclude = exclude

    def compose(self) -> ComposeResult:
        with Vertical(id="segment-picker"):
            yield Label(self.picker_title, id="segment-picker-title", markup=False)
            yield TypeAhead("segment-choices", placeholder=_("type part of a segment's name"), id="segment-search",
                            compact=True)
            yield OptionList(id="segment-choices")
            with Horizontal(id="segment-picker-buttons"):
                yield Label(_("↑↓: move · Enter: choose · Esc: cancel"), classes="muted", id="segment-picker-keys")
                yield Button(_("Cancel"), id="cancel", compact=True)

    def on_mount(self) -> None:
        self.fill("")
        self.set_focus(self.query_one("#segment-search"))  # typed keys are its own at once

    def fill(self, text: str) -> None:
        page = segments.list_page(search=text, object_type=self.object_type, limit=50)
        rows = [s for s in page.rows if s.id != self.exclude]
        listing = self.query_one(OptionList)
        if rows:
            listing.set_options(
                Option(Text.assemble(literal(s.name, limit=60), ("  " + self.facts(s), "dim")), id=str(s.id))
                for s in rows
            )
            listing.highlighted = 0
        else:
            none = {"contacts": _("No other contacts segment matches {search!r}"),
                    "companies": _("No other companies segment matches {search!r}")}[self.object_type]
            listing.set_options([Option(Text(none.format(search=printable(text)), style="italic"), disabled=True)])

    @staticmethod
    def facts(segment) -> str:
        # English says "members" whatever the number (as it always did)
        if segment.type == "active":
            return _n("active, {n} members", "active, {n} members", segment.size)
        return _n("static, {n} members", "static, {n} members", segment.size)

    @on(TypeAhead.Changed, "#segment-search")
    def typed(self, event: TypeAhead.Changed) -> None:
        self.fill(event.value)

    @on(TypeAhead.Submitted, "#segment-search")
    def entered(self) -> None:
        listing = self.query_one(OptionList)
        if listing.highlighted is not None and listing.option_count:
            option = listing.get_option_at_index(listing.highlighted)
            if not option.disabled:
                self.dismiss(int(option.id))

    @on(OptionList.OptionSelected, "#segment-choices")
    def clicked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
