"""Edit the filters of a segment. Active: the effect (+N added, -M removed) is confirmed
before saving. Static: the filters do not change the members; they matter for a later
conversion to active, and the screen says so.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from ...core import filters, segments, store
from ...core.errors import SegtuiError, StaleSegment
from ...i18n import N_, _, _n, number, quoted
from ..widgets.footer import Footer
from ..widgets.header import Header, name_title
from ..actions import Action, ActionTable, HasActions
from ..text import printable, problem
from .data_words import segment_type_word
from ..widgets.filter_editor import FilterEditor
from ..widgets.inline_message import InlineMessage
from ..work import CoreWork
from .confirm import ConfirmModal
from .filter_form import FilterForm


class EditFiltersScreen(HasActions, CoreWork, Screen[bool]):
    """Dismissed with True when the filters were saved."""

    CSS_PATH = "segment_form.tcss"
    ACTIONS = ActionTable(
        "filters",
        Action("save", N_("Save"), "ctrl+s", priority=True, description=N_("Save the filters ({key})")),
        Action("cancel", N_("Cancel"), "escape", palette=False),
    )
    BINDINGS = ACTIONS.bindings()

    def __init__(self, segment) -> None:
        super().__init__()
        self.segment = segment
        self.busy = False

    def compose(self) -> ComposeResult:
        seg = self.segment
        yield Header()
        yield Static(self.note(), id="filters-note")
        prefix = _("Matches") if seg.type == "active" else _("These filters select")
        yield FilterEditor(seg.object_type, store.tree(seg), form=FilterForm, segment_id=seg.id, count_prefix=prefix,
                           id="editor")
        yield InlineMessage("", id="form-error", classes="error-text")
        yield Footer(compact=True)

    def note(self) -> Text:
        seg = self.segment
        # the name its own span, as it always was drawn
        before, after = _("Filters of {name} ({type}, {members})").split("{name}", 1)
        text = Text.assemble((before, "bold"), (printable(seg.name, limit=80), "bold"), (after.format(
            type=segment_type_word(seg.type), members=_n("{n} member", "{n} members", seg.size)) + "\n", "bold"))
        if seg.type == "active":
            text.append(_("Saving applies them at once: you will see how many records join and leave first."),
                        style="italic")
        else:
            text.append(_("This segment is static: its members do not change when you save. These filters only "
                          "matter for a later conversion to active."), style="italic")
        return text

    def palette_commands(self):
        yield from self.ACTIONS.commands(self)
        yield from self.query_one(FilterEditor).palette_commands()

    def on_mount(self) -> None:
        name_title(self, _("Edit filters · {name}"), self.segment.name)
        self.query_one(FilterEditor).focus_rows()

    def action_save(self) -> None:
        if self.busy:
            return
        editor = self.query_one(FilterEditor)
        error = self.query_one("#form-error", Static)
        if not editor.changed:
            self.notify(_("No change to save."), timeout=3)
            return
        trouble = editor.first_error()
        if trouble:
            error.update(problem(trouble, _("⚠ Not saved: ")))
            return
        tree = editor.current_tree()
        if self.segment.type == "active" and not filters.has_filters(tree):
            error.update(_("⚠ Not saved: an active segment needs at least one filter; convert it to static to keep "
                           "it without."))
            return
        error.update("")
        if self.segment.type == "active":
            self.busy = True
            error.update(Text(_("Working out the effect…"), style="dim"))
            self.preview(tree, self.segment.version)
        else:
            self.busy = True
            self.save(tree, self.segment.version)

    def preview(self, tree: dict, version: int) -> None:
        ctx, segment_id = self.app.ctx, self.segment.id
        self.run_core(lambda: segments.preview_filters(ctx, segment_id, tree),
                      done=lambda diff: self.confirm(tree, version, diff), failed=self.failed, group="filters")

    def confirm(self, tree: dict, version: int, diff) -> None:
        self.busy = False
        self.query_one("#form-error", Static).update("")
        size_after = self.segment.size + diff.added - diff.removed
        body = _n("+{added} added, -{removed} removed ({n} member after). The members follow the new filters "
                  "from now on.",
                  "+{added} added, -{removed} removed ({n} members after). The members follow the new filters "
                  "from now on.", size_after, added=number(diff.added), removed=number(diff.removed))
        self.app.push_screen(
            ConfirmModal(_("Save the filters of {name}?").format(name=quoted(printable(self.segment.name, limit=50))),
                         body, _("Save")),
            lambda ok: self.start_save(tree, version) if ok else None,
        )

    def start_save(self, tree: dict, version: int) -> None:
        self.busy = True
        self.query_one("#form-error", Static).update(Text(_("Saving and applying the filters…"), style="dim"))
        self.save(tree, version)

    def save(self, tree: dict, version: int) -> None:
        ctx, segment_id = self.app.ctx, self.segment.id
        self.run_core(lambda: segments.update_filters(ctx, segment_id, tree, expected_version=version),
                      done=self.saved, failed=self.not_saved, group="filters")

    def not_saved(self, exc: SegtuiError) -> None:
        if isinstance(exc, StaleSegment):
            self.stale(exc)
        else:
            self.failed(exc)

    def failed(self, message: object) -> None:
        self.busy = False
        self.query_one("#form-error", Static).update(problem(message, _("⚠ Not saved: ")))
        self.notify(str(message), title=_("Not saved"), severity="error", timeout=10)

    def stale(self, exc: StaleSegment) -> None:
        """Someone else changed the segment: keep this draft, and say what saving again means."""
        segment = self.read_core(lambda: segments.get(self.segment.id), failed=self.failed)
        if segment is None:
            return
        self.segment = segment
        self.query_one("#filters-note", Static).update(self.note())
        what = (_("{changed} since you opened it ({what})").format(changed=exc.changed, what=exc.what) if exc.what
                else _("{changed} since you opened it").format(changed=exc.changed))
        self.failed(_("{message}. Your draft is kept: ctrl+s saves it over their version, Esc discards it.").format(
            message=what))

    def saved(self, result) -> None:
        _segment, diff = result
        self.busy = False
        if self.segment.type == "active":
            self.notify(_("Filters saved: +{added} added, -{removed} removed.").format(
                added=number(diff.added), removed=number(diff.removed)), title=_("Saved"))
        else:
            self.notify(_("Filters saved. The members did not change; the filters are used when converting to "
                          "active."), title=_("Saved"))
        self.dismiss(True)

    def action_cancel(self) -> None:
        if not self.query_one(FilterEditor).changed:
            self.dismiss(False)
            return
        self.app.push_screen(
            ConfirmModal(_("Discard your changes to the filters?"), _("Nothing has been saved yet."), _("Discard")),
            lambda ok: self.dismiss(False) if ok else None,
        )
