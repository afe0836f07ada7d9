"""The Settings tab: a left sidebar and the "Automatic conversion to static" section."""

from __future__ import annotations

from pendulum import Date
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, ContentSwitcher, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from ...core import conversions, dates, schedule, store
from ...core.display import shown_actor
from ...core.errors import SegtuiError
from ...core.kinds import SegmentType
from ...core.schedule import AFTER_INACTIVITY, NEVER, ON_DAY, Schedule
from ...i18n import N_, _
from ..actions import Action, ActionTable, HasActions
from ..keys import key_name
from ..text import moment, printable
from ..work import CoreWork

# the article's words (its French: Jamais / Un jour spécifique / Après l'inactivité)
MODE_CHOICES = [(N_("Never"), NEVER), (N_("On a specific day"), ON_DAY), (N_("After inactivity"), AFTER_INACTIVITY)]
UNIT_CHOICES = [(N_("days"), "days"), (N_("weeks"), "weeks"), (N_("months"), "months")]
# the periods HubSpot's dropdowns offer first; any whole number can be typed
COMMON_PERIODS = N_("e.g. 7 days, 2 weeks, 1 month, 6 months")
ACTIVE_ONLY = frozenset({SegmentType.ACTIVE})
OBJECTS = {"contacts": N_("contacts"), "companies": N_("companies")}
EXAMPLE_DAY = Date(2026, 12, 31)  # the day field's placeholder, in the form it reads


class SettingsPanel(HasActions, CoreWork, Widget):
    """The form saves through the core in a thread, then says so with a message: the screen
    decides what to reload. ``calendar``: the day picker screen (widgets import no screen)."""

    class Saved(Message):
        """The automatic conversion was saved; ``sentence`` says when it converts."""

        def __init__(self, sentence: str) -> None:
            super().__init__()
            self.sentence = sentence

    class NotSaved(Message):
        """The core refused the schedule (or another admin changed the segment)."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    DEFAULT_CSS = """
    SettingsPanel { height: 1fr; }
    #settings-sidebar { width: 24; height: 100%; border: none; border-right: solid $primary-background; }
    #settings-body { width: 1fr; padding: 0 2; }
    #conversion-form { height: auto; }
    .form-row { height: auto; margin-top: 1; }
    #mode { width: 30; }
    #day { width: 26; }
    #amount { width: 10; }
    #periods, #day-hint { color: $text-muted; height: auto; }
    #unit { width: 14; margin-left: 2; }
    #pick-day { margin-left: 2; }
    #explanation { margin-top: 1; height: auto; }
    #schedule-error { height: auto; }
    #save-row { height: auto; margin-top: 1; }
    #mode { margin-top: 1; }
    .hidden { display: none; }
    """
    # only where there is something to save: an active segment, in a console that may change it
    # (in the footer, ctrl+s Save takes room the page's own keys need)
    ACTIONS = ActionTable("settings", Action("save", N_("Save"), "ctrl+s", mutates=True, types=ACTIVE_ONLY, priority=True,
                                             palette=False))
    BINDINGS = ACTIONS.bindings()

    def __init__(self, *, calendar: type[ModalScreen], **kwargs) -> None:
        super().__init__(**kwargs)
        self.calendar = calendar
        self.segment = None
        self.error_message = ""

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield OptionList(
                Option(_("Automatic conversion\nto static"), id="conversion"),
                Option(_("Details"), id="details"),
                id="settings-sidebar",
            )
            with ContentSwitcher(initial="conversion", id="settings-body"):
                with VerticalScroll(id="conversion"):
                    yield Label(_("Automatic conversion to static"), classes="section-title")
                    yield Static("", id="static-note", classes="hidden")
                    with Vertical(id="conversion-form"):
                        yield Label(_("Convert this segment to static"))
                        yield Select([(_(label), value) for label, value in MODE_CHOICES], allow_blank=False,
                                     value=NEVER, id="mode", compact=True)
                        with Horizontal(id="day-row", classes="form-row hidden"):
                            yield Input(placeholder=_("{day}, tomorrow…").format(day=self.shown_day(EXAMPLE_DAY)), id="day",
                                        max_length=24, compact=True)
                            yield Button(_("Calendar…"), id="pick-day", compact=True)
                        yield Static("", id="day-hint", classes="hidden")
                        with Horizontal(id="inactivity-row", classes="form-row hidden"):
                            # no type="integer": a refused character stays visible with the reason
                            yield Input(placeholder="30", id="amount", max_length=6, compact=True)
                            yield Select([(_(label), value) for label, value in UNIT_CHOICES], allow_blank=False,
                                         value="days", id="unit", compact=True)
                        yield Static(_(COMMON_PERIODS), id="periods", classes="hidden")
                        yield Static("", id="explanation")
                        yield Static("", id="schedule-error", classes="error-text")
                        with Horizontal(id="save-row"):
                            yield Button(_("Save"), id="save", variant="primary", compact=True)
                            yield Label("  " + key_name(self.ACTIONS.by_name["save"].key), classes="muted")
                yield Static("", id="details")

    def on_mount(self) -> None:
        # as wide as its longest line needs (24 in English; French runs longer)
        sidebar = self.query_one("#settings-sidebar", OptionList)
        longest = max(len(line) for option in sidebar.options for line in str(option.prompt).splitlines())
        sidebar.styles.width = max(24, longest + 4)

    # -- showing the stored state ---------------------------------------------------------
    def show(self, segment) -> None:
        """Load the saved schedule (called on open and whenever the segment reloads)."""
        changed_segment = self.segment is None or self.segment.version != segment.version
        self.segment = segment
        self.show_details()
        is_static = segment.type != "active"
        read_only = self.app.ctx.read_only
        note = self.query_one("#static-note", Static)
        note.set_class(not (is_static or read_only), "hidden")
        self.query_one("#conversion-form").set_class(is_static or read_only, "hidden")
        if is_static:
            note.update(_("This segment is static. Automatic conversion to static applies to active segments only."))
            return
        if read_only:
            saved = store.schedule_of(segment)
            sentence = conversions.projected(self.app.ctx, segment, saved)[1]
            note.update(sentence + "\n\n" + _("This console is read-only: the automatic conversion is shown, "
                                                  "not changed."))
            return
        if not changed_segment and self.is_dirty():
            self.update_explanation()  # keep what the user is typing
            return
        with self.prevent(Select.Changed, Input.Changed):
            self.query_one("#mode", Select).value = segment.schedule_mode or NEVER
            self.query_one("#day", Input).value = self.shown_day(segment.schedule_day) if segment.schedule_day else ""
            self.query_one("#amount", Input).value = str(segment.schedule_amount or "")
            self.query_one("#unit", Select).value = segment.schedule_unit or "days"
        self.show_rows()
        self.update_explanation()

    def show_details(self) -> None:
        seg, tz = self.segment, self.app.ctx.tz
        lines = [
            _("Id: {id}").format(id=seg.id),
            _("Object: {object}").format(object=_(OBJECTS[seg.object_type]) if seg.object_type in OBJECTS
                                         else seg.object_type),
            _("Created: {moment} by {actor}").format(moment=moment(seg.created_at, tz), actor=printable(shown_actor(seg.created_by))),
            _("Updated: {moment} by {actor}").format(moment=moment(seg.updated_at, tz), actor=printable(shown_actor(seg.updated_by))),
            _("Version: {version}").format(version=seg.version),
            _("Last refreshed: {moment}").format(moment=moment(seg.refreshed_at, tz)),
            _("Times shown in {zone}.").format(zone=tz),
        ]
        self.query_one("#details", Static).update("\n".join(lines))

    def focus_dropdown(self) -> None:
        self.query_one("#settings-sidebar", OptionList).highlighted = 0
        self.query_one(ContentSwitcher).current = "conversion"
        if self.segment is not None and self.segment.type == "active" and not self.app.ctx.read_only:
            self.query_one("#mode", Select).focus()
        else:
            self.query_one("#settings-sidebar", OptionList).focus()

    @on(OptionList.OptionHighlighted, "#settings-sidebar")
    def switch_section(self, event: OptionList.OptionHighlighted) -> None:
        self.query_one(ContentSwitcher).current = event.option.id

    # -- the form -------------------------------------------------------------------------
    def mode(self) -> str:
        return self.query_one("#mode", Select).value

    def show_rows(self) -> None:
        self.query_one("#day-row").set_class(self.mode() != ON_DAY, "hidden")
        self.query_one("#day-hint").set_class(self.mode() != ON_DAY, "hidden")
        self.query_one("#inactivity-row").set_class(self.mode() != AFTER_INACTIVITY, "hidden")
        self.query_one("#periods").set_class(self.mode() != AFTER_INACTIVITY, "hidden")
        if self.mode() == ON_DAY:
            self.query_one("#day-hint", Static).update(dates.hint(self.app.ctx.date_order).capitalize())

    def saved_schedule(self) -> Schedule:
        return store.schedule_of(self.segment)

    def is_dirty(self) -> bool:
        """The form says something other than what is saved (unsaved changes)."""
        if self.segment is None or self.segment.type != "active" or self.app.ctx.read_only:
            return False
        saved = self.saved_schedule()
        if self.mode() != saved.mode:
            return True
        if self.mode() == ON_DAY:
            typed = self.query_one("#day", Input).value
            return not dates.reads_as_shown(typed, saved.day, self.app.ctx.date_order) if saved.day else bool(typed.strip())
        if self.mode() == AFTER_INACTIVITY:
            return (self.query_one("#amount", Input).value.strip() != str(saved.amount or "")
                    or self.query_one("#unit", Select).value != (saved.unit or "days"))
        return False

    def shown_day(self, day) -> str:
        """A day as the field shows it to be typed again (31/12/2026 in French), read back by read_day."""
        return dates.typed_form(day, self.app.ctx.date_order)

    def read_day(self):
        ctx = self.app.ctx
        return dates.parse_day(self.query_one("#day", Input).value, today=ctx.today(), order=ctx.date_order)

    def read_form(self) -> Schedule:
        """The schedule the form describes; raises InvalidSchedule with the reason."""
        mode = self.mode()
        if mode == ON_DAY:
            text = self.query_one("#day", Input).value.strip()
            if not text:
                raise schedule.InvalidSchedule("Pick a day: type it or use the calendar")
            plan = Schedule(ON_DAY, day=self.read_day())
            schedule.check_for_saving(plan, today=self.app.ctx.today())
            return plan
        if mode == AFTER_INACTIVITY:
            text = self.query_one("#amount", Input).value.strip()
            if not text:
                raise schedule.InvalidSchedule("Type a number of days, weeks or months")
            amount, unit = schedule.parse_amount(text, self.query_one("#unit", Select).value)
            return Schedule(AFTER_INACTIVITY, amount=amount, unit=unit)
        return schedule.NEVER_SCHEDULE

    def update_explanation(self) -> bool:
        """Validate as the user types: the exact moment, or the reason it cannot be saved."""
        if self.segment is None:
            return False
        explanation = self.query_one("#explanation", Static)
        error = self.query_one("#schedule-error", Static)
        try:
            plan = self.read_form()
        except SegtuiError as exc:
            self.error_message = str(exc)
            explanation.update("")
            error.update(self.error_message)
            self.query_one("#save", Button).disabled = True
            return False
        sentence = conversions.projected(self.app.ctx, self.segment, plan)[1]
        typed = self.query_one("#day", Input).value.strip()
        if plan.mode == ON_DAY and not dates.reads_as_shown(typed, plan.day, self.app.ctx.date_order):
            # say how the typed day was read
            sentence = _("{typed} is {day}. {sentence}").format(typed=typed, day=dates.full(plan.day), sentence=sentence)
        explanation.update(sentence)
        self.error_message = ""
        error.update("")
        self.query_one("#save", Button).disabled = False
        return True

    @on(Select.Changed, "#mode")
    def mode_changed(self) -> None:
        if self.segment is None:
            return
        self.show_rows()
        self.update_explanation()

    @on(Select.Changed, "#unit")
    @on(Input.Changed, "#day")
    @on(Input.Changed, "#amount")
    def form_changed(self) -> None:
        self.update_explanation()

    @on(Button.Pressed, "#pick-day")
    def open_calendar(self) -> None:
        today = self.app.ctx.today()
        try:
            current = self.read_day()
        except SegtuiError:
            current = today
        self.app.push_screen(self.calendar(current, today, schedule.latest_day(today)), self.day_picked)

    def day_picked(self, day) -> None:
        if day is not None:
            self.query_one("#day", Input).value = self.shown_day(day)
            self.query_one("#day", Input).focus()

    @on(Input.Submitted, "#day")
    @on(Input.Submitted, "#amount")
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if self.segment is None or self.segment.type != "active" or self.app.ctx.read_only:
            return
        if not self.update_explanation():
            self.notify(self.error_message, title=_("Not saved"), severity="error")
            return
        plan, ctx, segment_id, version = self.read_form(), self.app.ctx, self.segment.id, self.segment.version

        def job() -> str:
            saved = conversions.set_schedule(ctx, segment_id, plan, expected_version=version)
            return conversions.projected(ctx, saved, plan)[1]

        self.run_core(job, done=self.saved, failed=self.not_saved, group="save")

    def saved(self, sentence: str) -> None:
        self.notify(sentence, title=_("Automatic conversion saved"))
        self.post_message(self.Saved(sentence))

    def not_saved(self, exc: SegtuiError) -> None:
        self.query_one("#schedule-error", Static).update(str(exc))
        self.notify(str(exc), title=_("Not saved"), severity="error", timeout=10)
        self.post_message(self.NotSaved(str(exc)))
