"""Create segment: a name, the object, the type, then the filter editor; ctrl+s saves."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, ProgressBar, Select, Static

from ...core import filters, segments
from ...core.errors import SegtuiError
from ...core.kinds import SegmentType
from ...core.properties import OBJECT_LABELS, OBJECT_TYPES
from ...i18n import N_, _, _n
from ..widgets.footer import Footer
from ..widgets.header import Header
from ..actions import Action, ActionTable, HasActions
from ..text import printable, problem
from ..widgets.filter_editor import FilterEditor
from ..widgets.inline_message import InlineMessage
from ..work import CoreWork
from .confirm import ConfirmModal
from .filter_form import FilterForm

TYPE_CHOICES = [(N_("Active: members follow the filters"), SegmentType.ACTIVE),
                (N_("Static: filled once from the filters, then by hand"), SegmentType.STATIC)]
OBJECTS = {"contacts": N_("Contacts"), "companies": N_("Companies")}  # as OBJECT_LABELS, in the language shown


class CreateSegmentScreen(HasActions, CoreWork, Screen):
    CSS_PATH = "segment_form.tcss"
    ACTIONS = ActionTable(
        "create",
        Action("save", N_("Save"), "ctrl+s", priority=True, description=N_("Save the segment and its filters ({key})")),
        Action("cancel", N_("Cancel"), "escape", palette=False),
        Action("focus_filters", N_("Filters"), "f", show=False, palette=False),
    )
    BINDINGS = ACTIONS.bindings()
    PALETTE_HIDES = frozenset({"create_segment"})

    def __init__(self) -> None:
        super().__init__()
        self.saving = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="segment-form"):
            with Horizontal(classes="form-row"):
                yield Label(_("Name"), classes="form-label")
                yield Input(placeholder=_("e.g. Events 2025, Bretagne"), id="name", compact=True)
            yield InlineMessage("", id="name-error", classes="error-text")
            with Horizontal(classes="form-row"):
                yield Label(_("Object"), classes="form-label")
                yield Select([(_(OBJECTS.get(o, OBJECT_LABELS[o])), o) for o in OBJECT_TYPES], allow_blank=False,
                             value="contacts", id="object", compact=True)
                yield Label(_("Type"), classes="form-label type-label")
                yield Select([(_(label), value) for label, value in TYPE_CHOICES], allow_blank=False, value="active",
                             id="type", compact=True)
            yield Static("", id="type-note", classes="muted")
        yield FilterEditor("contacts", form=FilterForm, id="editor")
        with Vertical(id="saving", classes="hidden"):
            yield Label("", id="saving-label")
            yield ProgressBar(total=None, show_eta=False, id="saving-bar")
        yield InlineMessage("", id="form-error", classes="error-text")
        yield Footer(compact=True)

    def palette_commands(self):
        yield from self.ACTIONS.commands(self)
        yield from self.query_one(FilterEditor).palette_commands()

    def on_mount(self) -> None:
        self.title = _("Create segment")
        self.show_type_note()
        self.query_one("#name", Input).focus()

    # -- inline checks ------------------------------------------------------------------------
    def object_type(self) -> str:
        return self.query_one("#object", Select).value

    def segment_type(self) -> str:
        return self.query_one("#type", Select).value

    def check_name(self) -> str | None:
        """The cleaned name, or None with the reason shown under the field."""
        error = self.query_one("#name-error", Static)
        error.update("")
        text, object_type = self.query_one("#name", Input).value, self.object_type()
        return self.read_core(lambda: segments.check_name(text, object_type),
                              failed=lambda exc: error.update(problem(exc.message)))

    @on(Input.Changed, "#name")
    def name_changed(self, event: Input.Changed) -> None:
        if event.value.strip():
            self.check_name()
        else:
            self.query_one("#name-error", Static).update("")

    @on(Input.Submitted, "#name")
    def name_entered(self) -> None:
        if self.check_name() is not None:
            self.query_one("#object", Select).focus()

    @on(Select.Changed, "#object")
    def object_changed(self, event: Select.Changed) -> None:
        editor = self.query_one(FilterEditor)
        if editor.object_type == event.value:
            return
        had = filters.has_filters(editor.current_tree())
        editor.set_object_type(event.value)
        if had:
            self.notify({"contacts": _("The filters were cleared: contacts have other properties."),
                         "companies": _("The filters were cleared: companies have other properties.")}[event.value],
                        timeout=5)
        if self.query_one("#name", Input).value.strip():
            self.check_name()

    @on(Select.Changed, "#type")
    def type_changed(self) -> None:
        self.show_type_note()
        self.recheck()

    @on(FilterEditor.Changed)
    @on(Input.Changed, "#name")
    def recheck(self) -> None:
        """A "Not saved" message says what is wrong now: once it is fixed, it goes."""
        form_error = self.query_one("#form-error", InlineMessage)
        if not form_error.display or self.saving:
            return
        trouble = self.why_not_saved()
        form_error.update(problem(trouble, _("⚠ Not saved: ")) if trouble else "")

    def why_not_saved(self) -> str | None:
        editor = self.query_one(FilterEditor)
        trouble = editor.first_error()
        if trouble:
            return trouble
        if self.segment_type() == SegmentType.ACTIVE and not filters.has_filters(editor.current_tree()):
            return _("an active segment needs at least one filter (press n to add one).")
        return None

    def show_type_note(self) -> None:
        note = (_("The members are the records the filters select, now and later; it needs at least one filter.")
                if self.segment_type() == SegmentType.ACTIVE else
                _("The filters fill it once when saved (or leave them empty); then records are added by hand."))
        self.query_one("#type-note", Static).update(note)

    def action_focus_filters(self) -> None:
        self.query_one(FilterEditor).focus_rows()

    # -- saving -------------------------------------------------------------------------------
    def action_save(self) -> None:
        if self.saving:
            return
        form_error = self.query_one("#form-error", Static)
        name = self.check_name()
        if name is None:
            form_error.update("")
            self.query_one("#name", Input).focus()
            return
        editor = self.query_one(FilterEditor)
        trouble = self.why_not_saved()
        if trouble:
            form_error.update(problem(trouble, _("⚠ Not saved: ")))
            editor.focus_rows()
            return
        tree = editor.current_tree()
        form_error.update("")
        self.saving = True
        self.query_one("#saving").remove_class("hidden")
        self.query_one("#saving-label", Label).update(
            (_("Creating {name!r}: processing the filters…") if filters.has_filters(tree)
             else _("Creating {name!r}…")).format(name=printable(name, limit=60)))
        ctx, object_type, segment_type = self.app.ctx, self.object_type(), self.segment_type()
        self.run_core(lambda: segments.create(ctx, name, object_type, segment_type, tree), done=self.created,
                      failed=self.failed, group="create")

    def failed(self, exc: SegtuiError) -> None:
        self.saving = False
        self.query_one("#saving").add_class("hidden")
        self.query_one("#form-error", Static).update(problem(exc, _("⚠ Not saved: ")))
        self.notify(str(exc), title=_("Not saved"), severity="error", timeout=10)

    def created(self, result) -> None:
        from .segment_detail import SegmentDetailScreen

        segment, diff = result
        self.notify(_n("Created {name!r} with {n} member.", "Created {name!r} with {n} members.", diff.added,
                       name=printable(segment.name, limit=60)), title=_("Segment created"))
        self.app.switch_screen(SegmentDetailScreen(segment.id))

    def action_cancel(self) -> None:
        editor = self.query_one(FilterEditor)
        if not editor.changed and not self.query_one("#name", Input).value.strip():
            self.app.pop_screen()
            return
        self.app.push_screen(
            ConfirmModal(_("Leave without creating the segment?"), _("The name and filters typed here are lost."),
                         _("Leave")),
            lambda ok: self.app.pop_screen() if ok else None,
        )
