"""Add or edit one filter: a property picker with type-ahead, the operators of its type,
and a value editor shaped by the operator (values, a value, a range, a date, days, a segment).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pendulum
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, ContentSwitcher, Input, Label, OptionList, Select, SelectionList, Static
from textual.widgets.option_list import Option

from ...core import dates, filters, segments
from ...core.errors import InvalidFilter, SegtuiError
from ...core.properties import BOOLEAN, DATE, DATETIME, ENUMERATION, MULTIPLE, NUMBER, OTHER, TEXT, WITH_OPTIONS, properties
from ...i18n import ENGLISH, N_, _, full_day, language, number, pgettext, quoted
from ..keys import key_name
from ..text import literal, printable
from .calendar import CalendarModal
from .data_words import (day_form, day_order, option_label, per_object, property_label, segment_type_word, shown_day,
                         shown_number, typed_number)
from ..widgets.live_count import LiveCount
from ..widgets.type_ahead import TypeAhead

SEGMENT = "__segment__"
# the Operator list's only entry until a property is chosen; replaced, never kept, afterwards
NO_OPERATOR = "__no_operator__"
# how many associated records must match: "Associated company: ..." (any), none, at least N
SEGMENT_LABEL = N_("Segment membership")
# the type beside each property of the picker (English: the type's code, as it always showed)
KIND_WORDS = {TEXT: N_("text"), NUMBER: N_("number"), DATE: N_("date"), DATETIME: N_("datetime"),
              ENUMERATION: N_("enumeration"), BOOLEAN: N_("boolean"), MULTIPLE: N_("multiple_checkboxes")}
EARLIEST_DAY = pendulum.Date(1900, 1, 1)
LATEST_DAY = pendulum.Date(2199, 12, 31)
EXAMPLE_DAY = pendulum.Date(2026, 12, 31)  # a placeholder's example, in the form the field reads
SHAPE_PANE = {
    "none": "shape-none", "value": "shape-value", "values": "shape-values", "range": "shape-range",
    "date": "shape-date", "date_range": "shape-range", "days": "shape-days", "segment": "shape-segment",
}


class FilterForm(ModalScreen[dict | None]):
    CSS_PATH = "filter_form.tcss"
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="filter.cancel"),
        Binding("ctrl+s", "apply", N_("Apply"), priority=True, id="filter.apply"),
    ]

    def __init__(self, object_type: str, title: str, current: dict | None,
                 candidate: Callable[[dict], dict], *, segment_id: int | None = None) -> None:
        super().__init__()
        self.object_type = object_type
        self.form_title = title
        self.current = current
        self.candidate = candidate
        self.segment_id = segment_id
        self.other = OTHER[object_type]
        # the associated object's properties answer to "@companies.industry"
        self.registry = {**properties(object_type), **{
            f"@{self.other}.{name}": prop for name, prop in properties(self.other).items()}}
        self.prop: str | None = None
        self.segment_choice: int | None = None
        self.tried = False

    # -- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Label(self.form_title, id="form-title", markup=False)
            with Horizontal(classes="form-row"):
                yield Label(_("Property"), classes="form-label")
                yield TypeAhead("prop-list", placeholder=_("type to find a property"), id="prop-search", compact=True)
            yield OptionList(id="prop-list")
            with Horizontal(classes="form-row", id="assoc-row"):
                yield Label(per_object(self.other, _("Associated contacts"), _("Associated companies")),
                            classes="form-label")
                yield Select(self.how_many(), allow_blank=False, value="any", id="assoc-mode", compact=True)
                yield Input(placeholder="N", type="integer", max_length=7, id="assoc-n", compact=True)
            with Horizontal(classes="form-row"):
                yield Label(_("Operator"), classes="form-label")
                yield Select([(_("choose a property first"), NO_OPERATOR)], allow_blank=False, value=NO_OPERATOR,
                             id="operator", compact=True, disabled=True)
            with ContentSwitcher(initial="shape-none", id="value-editor"):
                yield Static("", id="shape-none", classes="muted")
                with Horizontal(id="shape-value", classes="form-row"):
                    yield Label(_("Value"), classes="form-label")
                    yield Input(id="value", compact=True)
                with Vertical(id="shape-values"):
                    with Horizontal(id="values-text-row", classes="form-row"):
                        yield Label(_("Values"), classes="form-label")
                        yield Input(placeholder=_("Bretagne, Normandie"), id="values-text", compact=True)
                    yield Label(_("Comma-separated; any of them matches (case is ignored)."),
                                id="values-hint", classes="muted")
                    yield SelectionList(id="values-enum")
                with Horizontal(id="shape-range", classes="form-row"):
                    yield Label(_("Between"), classes="form-label")
                    yield Input(id="low", compact=True)
                    yield Label(_(" and "), classes="between")
                    yield Input(id="high", compact=True)
                with Horizontal(id="shape-date", classes="form-row"):
                    yield Label(_("Day"), classes="form-label")
                    yield Input(placeholder=_("{day}, today…").format(day=shown_day(EXAMPLE_DAY, self.app.ctx)), max_length=24,
                                id="date", compact=True)
                    yield Button(_("Calendar…"), id="pick-date", compact=True)
                with Horizontal(id="shape-days", classes="form-row"):
                    yield Label("N =", classes="form-label")
                    yield Input(placeholder="30", type="integer", max_length=5, id="days", compact=True)
                    yield Label(_(" days"), classes="between")
                with Vertical(id="shape-segment"):
                    with Horizontal(classes="form-row"):
                        yield Label(_("Segment"), classes="form-label")
                        yield TypeAhead("segment-list", placeholder=_("type to find a segment"),
                                        id="segment-search", compact=True)
                    yield OptionList(id="segment-list")
            yield Static("", id="form-error", classes="error-text")
            yield LiveCount(self.object_type, segment_id=self.segment_id, prefix=_("With this filter: matches"),
                            id="form-count")
            with Horizontal(id="form-buttons"):
                yield Label(_("Enter: apply · Esc: cancel"), classes="muted", id="form-keys")
                yield Button(_("Cancel"), id="cancel", compact=True)
                yield Button(_("Apply"), id="apply", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.show_association()
        self.fill_properties("")
        if self.current is not None:
            self.load(self.current)
            self.focus_value()  # editing is mostly changing the value
        else:
            self.set_focus(self.query_one("#prop-search", Input))  # typed keys are its own at once
            self.changed()

    def how_many(self) -> list[tuple[str, str]]:
        """How many associated records must match (French agrees "one" and "none" with the object)."""
        if self.other == "contacts":
            return [(pgettext("contacts", "at least one"), "any"), (pgettext("contacts", "none"), "none"),
                    (_("at least N"), "n")]
        return [(pgettext("companies", "at least one"), "any"), (pgettext("companies", "none"), "none"),
                (_("at least N"), "n")]

    # -- the property picker ----------------------------------------------------------------
    def property_choices(self, text: str) -> list[tuple[str, str, str]]:
        """(id, label, type) of the properties whose label or name contains ``text``."""
        needle = text.strip().casefold()
        rows = [(pid, self.label_of(pid), _(KIND_WORDS.get(p.type, p.type))) for pid, p in self.registry.items()]
        rows.append((SEGMENT, _(SEGMENT_LABEL), per_object(self.object_type, _("contact is (not) in a segment"),
                                                            _("company is (not) in a segment"))))
        if not needle:
            return rows
        starts = [r for r in rows if r[1].casefold().startswith(needle) or r[0].startswith(needle)
                  or (r[0].startswith("@") and property_label(self.registry[r[0]]).casefold().startswith(needle))]
        contains = [r for r in rows if r not in starts and (needle in r[1].casefold() or needle in r[0])]
        return starts + contains

    def label_of(self, pid: str) -> str:
        if pid == SEGMENT:
            return _(SEGMENT_LABEL)
        label = property_label(self.registry[pid])
        if not pid.startswith("@"):
            return label
        return per_object(self.other, _("Associated contact: {label}"), _("Associated company: {label}")).format(label=label)

    def fill_properties(self, text: str) -> None:
        listing = self.query_one("#prop-list", OptionList)
        choices = self.property_choices(text)
        listing.set_options(
            Option(Text.assemble((label, "bold" if pid == self.prop else ""), (f"  {kind}", "dim")), id=pid)
            for pid, label, kind in choices
        )
        if choices:
            ids = [c[0] for c in choices]
            listing.highlighted = ids.index(self.prop) if self.prop in ids else 0
        else:
            listing.set_options([Option(Text(_("No property matches {text}").format(text=quoted(printable(text))),
                                             style="italic"),
                                        disabled=True)])

    @on(Input.Changed, "#prop-search")
    def property_typed(self, event: Input.Changed) -> None:
        self.query_one("#prop-list").display = True
        self.fill_properties(event.value)

    @on(Input.Submitted, "#prop-search")
    def property_entered(self) -> None:
        listing = self.query_one("#prop-list", OptionList)
        if listing.highlighted is not None and listing.option_count:
            option = listing.get_option_at_index(listing.highlighted)
            if not option.disabled:
                self.choose_property(option.id)

    @on(OptionList.OptionSelected, "#prop-list")
    def property_clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose_property(event.option.id)

    def choose_property(self, pid: str, operator: str | None = None) -> None:
        self.prop = pid
        label = self.label_of(pid)
        self.show_association()
        search = self.query_one("#prop-search", Input)
        with self.prevent(Input.Changed):
            search.value = label
        self.fill_properties("")
        self.query_one("#prop-list").display = False  # typing in the field shows it again
        specs = self.specs()
        select = self.query_one("#operator", Select)
        with self.prevent(Select.Changed):
            select.set_options([(_(s.label), s.name) for s in specs])
            select.value = operator if operator in {s.name for s in specs} else specs[0].name
            select.disabled = False
        self.show_value_editor()
        if pid != SEGMENT and self.registry[pid].type in WITH_OPTIONS:
            self.fill_enum(self.registry[pid].options, [])
        self.changed()
        select.focus()

    def specs(self) -> list[filters.OperatorSpec]:
        if self.prop is None:
            return []
        kind = filters.MEMBERSHIP if self.prop == SEGMENT else self.registry[self.prop].type
        return filters.operators_for(kind)

    def spec(self) -> filters.OperatorSpec | None:
        value = self.query_one("#operator", Select).value
        return next((s for s in self.specs() if s.name == value), None)

    # -- the value editor ---------------------------------------------------------------------
    def show_value_editor(self) -> None:
        spec = self.spec()
        shape = spec.shape if spec else "none"
        self.query_one("#value-editor", ContentSwitcher).current = SHAPE_PANE[shape]
        none = self.query_one("#shape-none", Static)
        none.update("" if spec is None else _("This operator needs no value."))
        if shape == "values":
            is_enum = self.registry[self.prop].type in WITH_OPTIONS
            self.query_one("#values-text-row").display = not is_enum
            self.query_one("#values-hint").display = not is_enum
            self.query_one("#values-enum").display = is_enum
        if shape == "value":
            number = self.registry[self.prop].type == NUMBER
            self.query_one("#value", Input).placeholder = _("a number, e.g. 1 or 2.5") if number else _("text")
        if shape in ("range", "date_range"):
            hint = _("number")
            if shape == "date_range":  # the form to type in another language (English: as it was)
                hint = _("a day") if language() == ENGLISH else day_form(self.app.ctx)
            self.query_one("#low", Input).placeholder = hint
            self.query_one("#high", Input).placeholder = hint
        if shape == "segment":
            self.fill_segments(self.query_one("#segment-search", Input).value)

    def fill_enum(self, options: tuple[str, ...], chosen: list[str]) -> None:
        pick = self.query_one("#values-enum", SelectionList)
        pick.clear_options()
        prop = self.registry.get(self.prop) if self.prop else None
        pick.add_options([(option_label(prop, o) if prop is not None else o.replace("_", " "), o, o in chosen)
                          for o in options])
        pick.highlighted = 0

    def fill_segments(self, text: str) -> None:
        page = segments.list_page(search=text, object_type=self.object_type, limit=40)
        listing = self.query_one("#segment-list", OptionList)
        rows = [s for s in page.rows if s.id != self.segment_id]
        options = [
            Option(Text.assemble(("● " if s.id == self.segment_choice else "  ", "bold"), literal(s.name, limit=60),
                                 ("  " + _("{type}, {size}").format(type=segment_type_word(s.type), size=number(s.size)),
                                  "dim")),
                   id=str(s.id))
            for s in rows
        ]
        if not options:
            options = [Option(Text(per_object(self.object_type, _("No other contact segment matches"),
                                              _("No other company segment matches")), style="italic"), disabled=True)]
        listing.set_options(options)
        ids = [str(s.id) for s in rows]
        listing.highlighted = ids.index(str(self.segment_choice)) if str(self.segment_choice) in ids else 0

    @on(Input.Changed, "#segment-search")
    def segment_typed(self, event: Input.Changed) -> None:
        self.fill_segments(event.value)

    @on(Input.Submitted, "#segment-search")
    def segment_entered(self, event: Input.Submitted) -> None:
        event.stop()
        listing = self.query_one("#segment-list", OptionList)
        if self.segment_choice is not None and not event.value.strip():
            self.action_apply()
            return
        if listing.highlighted is not None and listing.option_count:
            option = listing.get_option_at_index(listing.highlighted)
            if not option.disabled:
                self.choose_segment(int(option.id))

    @on(OptionList.OptionSelected, "#segment-list")
    def segment_clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose_segment(int(event.option.id))

    def choose_segment(self, segment_id: int) -> None:
        self.segment_choice = segment_id
        with self.prevent(Input.Changed):
            self.query_one("#segment-search", Input).value = ""
        self.fill_segments("")
        self.changed()
        self.query_one("#apply", Button).focus()

    @on(Button.Pressed, "#pick-date")
    def open_calendar(self) -> None:
        try:
            current = self.read_day("#date")
        except SegtuiError:
            current = self.app.ctx.today()
        self.app.push_screen(CalendarModal(current, EARLIEST_DAY, LATEST_DAY), self.date_picked)

    def date_picked(self, day) -> None:
        if day is not None:
            self.query_one("#date", Input).value = shown_day(day, self.app.ctx)
            self.query_one("#date", Input).focus()

    # -- loading an existing filter -------------------------------------------------------------
    def load(self, f: dict) -> None:
        if "association" in f:
            inner = f.get("filters") or []
            if len(inner) != 1 or "property" not in inner[0]:
                self.query_one("#form-error", Static).update(Text("⚠ " + _(
                    "This association filter has {n} conditions: the form edits one; "
                    "change it with segtui segments filters (JSON).").format(n=number(len(inner)))))
                return
            mode = "none" if f.get("negate") else ("n" if f.get("at_least", 1) > 1 else "any")
            with self.prevent(Select.Changed):
                self.query_one("#assoc-mode", Select).value = mode
            self.query_one("#assoc-n", Input).value = str(f.get("at_least", "")) if mode == "n" else ""
            f = {**inner[0], "property": f"@{f['association']}.{inner[0]['property']}"}
        if "segment" in f:
            self.segment_choice = f["segment"] if isinstance(f["segment"], int) else None
            self.choose_property(SEGMENT, f.get("operator"))
            return
        if f.get("property") not in self.registry:
            self.changed()
            return
        self.choose_property(f["property"], f.get("operator"))
        spec = self.spec()
        shape = spec.shape if spec else "none"
        with self.prevent(Input.Changed):
            if shape in ("value",):
                self.query_one("#value", Input).value = shown_number(f.get("value")) if self.is_number() \
                    else _show(f.get("value"))
            elif shape == "date":
                self.query_one("#date", Input).value = self.stored_day(f.get("value"))
            elif shape == "days":
                self.query_one("#days", Input).value = _show(f.get("value"))
            elif shape in ("range", "date_range"):
                low, high = (list(f.get("values") or []) + ["", ""])[:2]
                show = self.stored_day if shape == "date_range" else shown_number
                self.query_one("#low", Input).value = "" if low is None else show(low)
                self.query_one("#high", Input).value = "" if high is None else show(high)
            elif shape == "values":
                values = [str(v) for v in f.get("values") or []]
                if self.registry[self.prop].type in WITH_OPTIONS:
                    self.fill_enum(self.registry[self.prop].options, values)
                else:
                    self.query_one("#values-text", Input).value = ", ".join(values)
        self.changed()

    # -- reading the form ----------------------------------------------------------------------
    def draft(self) -> dict:
        """The filter the form describes; InvalidFilter says what is missing or wrong."""
        if self.prop is None:
            raise InvalidFilter(N_("Choose a property: type part of its name, then Enter"))
        spec = self.spec()
        if spec is None:
            raise InvalidFilter(N_("Choose an operator"))
        if self.prop == SEGMENT:
            if self.segment_choice is None:
                raise InvalidFilter(N_("Choose a segment in the list: type part of its name, then Enter"))
            return {"segment": self.segment_choice, "operator": spec.name}
        f: dict = {"property": self.prop, "operator": spec.name}
        shape = spec.shape
        if shape == "value":
            f["value"] = self.required("#value", N_("Type a value"))
            if self.is_number():
                f["value"] = typed_number(f["value"])
        elif shape == "date":
            self.required("#date", N_("Type a day (2026-12-31, today, in 2 weeks…), or use the calendar"))
            f["value"] = self.read_day("#date").isoformat()
        elif shape == "date_range":
            self.required("#low", N_("Type the first day"))
            self.required("#high", N_("Type the last day"))
            f["values"] = [self.read_day("#low").isoformat(), self.read_day("#high").isoformat()]
        elif shape == "days":
            f["value"] = self.required("#days", N_("Type a number of days"))
        elif shape in ("range", "date_range"):
            f["values"] = [typed_number(self.required("#low", N_("Type the low end"))),
                           typed_number(self.required("#high", N_("Type the high end")))]
        elif shape == "values":
            if self.registry[self.prop].type in WITH_OPTIONS:
                f["values"] = list(self.query_one("#values-enum", SelectionList).selected)
                if not f["values"]:
                    raise InvalidFilter("Tick at least one value ({key})", key=key_name("space"))
            else:
                text = self.query_one("#values-text", Input).value
                f["values"] = [v.strip() for v in text.split(",") if v.strip()]
                if not f["values"]:
                    raise InvalidFilter(N_("Type at least one value"))
        if self.prop.startswith("@"):
            return self.wrap_association(f)
        return f

    def read_day(self, selector: str) -> pendulum.Date:
        ctx = self.app.ctx
        try:
            day = dates.parse_day(self.query_one(selector, Input).value, today=ctx.today(), order=day_order(ctx))
        except SegtuiError as exc:
            raise InvalidFilter(exc.text) from None
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            raise InvalidFilter("{day} is outside the days a filter takes ({first} to {last})", day=full_day(day),
                                first=str(EARLIEST_DAY.year), last=str(LATEST_DAY.year))
        return day

    def stored_day(self, value) -> str:
        """A filter's stored day (ISO) as the field shows it to be typed again."""
        try:
            return shown_day(pendulum.Date.fromisoformat(str(value)), self.app.ctx)
        except ValueError:
            return _show(value)

    def readings(self) -> str:
        """How typed days were read ('next monday is Monday 30 November 2026'), said before applying."""
        spec = self.spec()
        shape = spec.shape if spec else "none"
        fields = {"date": ["#date"], "date_range": ["#low", "#high"]}.get(shape, [])
        said = []
        for selector in fields:
            typed = self.query_one(selector, Input).value.strip()
            try:
                day = self.read_day(selector)
            except SegtuiError:
                continue
            if typed != day.isoformat():  # a numeric form too: the form applies without saying the day otherwise
                said.append(_("{typed} is {day}").format(typed=typed, day=full_day(day)))
        return "; ".join(said) + ("." if said else "")

    def has_changes(self) -> bool:
        """Something was chosen or typed that Esc would throw away."""
        if self.current is None:
            return self.prop is not None
        try:
            return self.checked() != self.current
        except SegtuiError:
            return True

    def wrap_association(self, inner: dict) -> dict:
        """``{"association": "companies", "filters": [inner]}``, with "none" or "at least N"."""
        inner = {**inner, "property": self.prop.split(".", 1)[1]}
        f: dict = {"association": self.other, "filters": [inner]}
        mode = self.query_one("#assoc-mode", Select).value
        if mode == "none":
            f["negate"] = True
        elif mode == "n":
            f["at_least"] = self.required("#assoc-n", per_object(
                self.other, N_("Type how many associated contacts must match"),
                N_("Type how many associated companies must match")))
        return f

    def show_association(self) -> None:
        association = bool(self.prop and self.prop.startswith("@"))
        self.query_one("#assoc-row").display = association
        self.query_one("#assoc-n").display = association and self.query_one("#assoc-mode", Select).value == "n"

    @on(Select.Changed, "#assoc-mode")
    def association_mode_changed(self) -> None:
        self.show_association()
        self.changed()
        if self.query_one("#assoc-mode", Select).value == "n":
            self.query_one("#assoc-n", Input).focus()

    def required(self, selector: str, missing: str) -> str:
        """The field's text; ``missing`` (English, marked) says what to type when it is empty."""
        text = self.query_one(selector, Input).value.strip()
        if not text:
            raise InvalidFilter(missing)
        return text

    def is_number(self) -> bool:
        return self.prop is not None and self.prop != SEGMENT and self.registry[self.prop].type == NUMBER

    def checked(self) -> dict:
        """The filter, validated on its own as the engine will; raises InvalidFilter.

        What only the whole tree can tell (a membership filter making a cycle) is marked by
        the editor on the filter itself once applied, and the count below says it too.
        """
        f = self.draft()
        return filters.validate_filter(f, self.object_type, resolve_segment=segments.resolve_segment_ref,
                                       where=_("This filter"))

    @on(Select.Changed, "#operator")
    def operator_changed(self, event: Select.Changed) -> None:
        if event.value == NO_OPERATOR:  # the list set up before any property: nothing to follow
            return
        self.show_value_editor()
        self.changed()
        self.focus_value()

    def focus_value(self) -> None:
        """After choosing an operator, on to its value."""
        spec = self.spec()
        target = {"value": "#value", "date": "#date", "days": "#days", "range": "#low", "date_range": "#low",
                  "segment": "#segment-search"}.get(spec.shape if spec else "none")
        if spec is not None and spec.shape == "values":
            is_enum = self.registry[self.prop].type in WITH_OPTIONS
            target = "#values-enum" if is_enum else "#values-text"
        self.query_one(target or "#apply").focus()

    @on(Input.Changed, "#value, #values-text, #low, #high, #date, #days, #assoc-n")
    @on(SelectionList.SelectedChanged, "#values-enum")
    def changed(self) -> bool:
        """Check as the user types; the count follows once they pause."""
        error = self.query_one("#form-error", Static)
        count = self.query_one("#form-count", LiveCount)
        try:
            normal = self.checked()
        except SegtuiError as exc:
            # the form is the filter: "This filter: " says nothing here (a colon has a space before it in French)
            message = re.sub(r"^" + re.escape(_("This filter")) + r"\s?:\s*", "", exc.message)
            error.update(Text(f"⚠ {printable(message, limit=300)}"))
            error.set_class(not self.tried and self.looks_untouched(), "muted")
            count.request(None, why_not="")
            return False
        error.update(Text(self.readings(), style="dim"))
        error.set_class(False, "muted")
        count.request(self.candidate(normal))
        return True

    def looks_untouched(self) -> bool:
        """Nothing typed yet: the message is a hint, not an error."""
        spec = self.spec()
        if self.prop is None or spec is None:
            return True
        ids = {"value": ["#value"], "date": ["#date"], "days": ["#days"], "range": ["#low", "#high"],
               "date_range": ["#low", "#high"], "values": ["#values-text"]}.get(spec.shape, [])
        return all(not self.query_one(i, Input).value.strip() for i in ids) if ids else False

    # -- closing -----------------------------------------------------------------------------
    @on(Input.Submitted, "#low")
    def low_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#high", Input).focus()

    @on(Input.Submitted, "#value, #values-text, #high, #date, #days")
    @on(Button.Pressed, "#apply")
    def action_apply(self) -> None:
        self.tried = True
        if not self.changed():
            self.query_one("#form-error", Static).set_class(False, "muted")
            return
        self.dismiss(self.checked())

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if not self.has_changes():
            self.dismiss(None)
            return
        from .confirm import ConfirmModal

        self.app.push_screen(
            ConfirmModal(_("Discard this filter?"), _("What was chosen and typed here is not applied yet."),
                         _("Discard")),
            lambda ok: self.dismiss(None) if ok else None,
        )


def _show(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
