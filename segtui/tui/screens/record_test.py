"""Test a record: for each filter and group of a segment, does this record pass?"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from ...core import describe, filters, membership, records, segments, store
from ...core.display import format_value
from ...core.errors import SegtuiError
from ...core.properties import key_property, properties, value_of
from ...i18n import N_, _, number, quoted
from ..widgets.footer import Footer
from ..widgets.header import Header, name_title
from ..actions import BACK, Action, ActionTable, HasActions
from ..text import printable
from ..work import CoreWork
from .data_words import per_object, property_label, segment_type_word
from .record_picker import RecordPicker, record_name

PASS = ("✓ ", "bold green")
FAIL = ("✗ ", "bold red")


class RecordTestScreen(HasActions, CoreWork, Screen):
    CSS_PATH = "record_test.tcss"
    ACTIONS = ActionTable(
        "test",
        BACK,
        Action("another", N_("Test another record"), "t", description=N_("Pick another record (t)")),
    )
    BINDINGS = ACTIONS.bindings()

    def __init__(self, segment, record_id: int) -> None:
        super().__init__()
        self.segment = segment
        self.record_id = record_id

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="test-body"):
            yield Static(id="test-verdict")
            yield Static(id="test-groups")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        name_title(self, _("Test a record · {name}"), self.segment.name)
        self.show()

    def show(self) -> None:
        self.read_core(self.show_test, failed=self.cannot_test)

    def cannot_test(self, exc: SegtuiError) -> None:
        self.query_one("#test-verdict", Static).update(Text(f"⚠ {printable(exc.message)}", style="bold red"))
        self.query_one("#test-groups", Static).update("")

    def show_test(self) -> None:
        seg = self.segment
        record = records.get_record(seg.object_type, self.record_id)
        tree = store.tree(seg)
        results = filters.explain_record(tree, seg.object_type, self.record_id, today=self.app.ctx.today(),
                                         tz=self.app.ctx.tz)
        self.query_one("#test-verdict", Static).update(self.verdict(record, results))
        self.query_one("#test-groups", Static).update(self.groups(record, tree, results))

    def verdict(self, record, results: list[list[bool]]) -> Text:
        seg = self.segment
        key = getattr(record, key_property(seg.object_type).name)
        name = record_name(seg.object_type, record)
        matches = any(all(group) for group in results)
        is_member = self.record_id in membership.members_among(seg.id, [self.record_id])
        text = Text.assemble((_("Record") + "  ", "bold"), printable(key, limit=80))
        if name:
            text.append(f"  ({printable(name, limit=60)})")
        text.append("\n" + _("Segment") + " ", style="bold")
        text.append(f"{printable(seg.name, limit=80)} ({segment_type_word(seg.type)})\n\n")
        text.append(*PASS if matches else FAIL)
        if matches:
            text.append(per_object(seg.object_type, _("This contact matches the filters"),
                                   _("This company matches the filters")), style="bold")
        else:
            text.append(per_object(seg.object_type, _("This contact does not match the filters"),
                                   _("This company does not match the filters")), style="bold")
        text.append(_(": at least one group must pass, and a group passes when all its filters do.") + "\n")
        state = _("It is a member now") if is_member else _("It is not a member now")
        text.append(state, style="bold")
        if seg.type == "active":
            if is_member != matches:
                text.append(_("; it will be a member once the segment is refreshed (at the background worker's "
                              "next run, or Actions → Refresh members now).") if matches else
                            _("; it will be not a member once the segment is refreshed (at the background worker's "
                              "next run, or Actions → Refresh members now)."))
            else:
                text.append(".")
        else:
            text.append(_(" (static: members change only by hand; the filters apply if it is converted to active)."))
        return text

    def groups(self, record, tree: dict, results: list[list[bool]]) -> Text:
        seg = self.segment
        names = describe.segment_names(filters.referenced_segments(tree))
        registry = properties(seg.object_type)
        text = Text()
        if not results:
            text.append("\n" + _("This segment has no filters: nothing to test."), style="italic")
        for g, (group, outcome) in enumerate(zip(tree["groups"], results)):
            text.append("\n" + _("OR") + "\n" if g else "\n", style="bold")
            text.append(*PASS if all(outcome) else FAIL)
            verdict = _("Group {g} passes") if all(outcome) else _("Group {g} fails")
            text.append(verdict.format(g=number(g + 1)) + "\n", style="bold underline")
            for i, (f, ok) in enumerate(zip(group["filters"], outcome)):
                text.append(_("  AND ") if i else "      ", style="bold")
                text.append(*PASS if ok else FAIL)
                text.append(printable(filters.describe_filter(f, seg.object_type, names), limit=200))
                if "property" in f and f["property"] in registry:
                    prop = registry[f["property"]]
                    value = format_value(prop, value_of(record, prop), tz=self.app.ctx.tz, labels=True)
                    text.append("   " + _("({property}: {value})").format(
                        property=property_label(prop), value=printable(value, limit=60) or _("unknown")), style="dim")
                text.append("\n")
        return text

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_another(self) -> None:
        title = per_object(self.segment.object_type, _("Test a contact against {name}"),
                           _("Test a company against {name}")).format(name=quoted(printable(self.segment.name, limit=50)))
        self.app.push_screen(
            RecordPicker(self.segment.object_type, title, segment_id=self.segment.id, confirm_label=_("Test")),
            self.picked,
        )

    def picked(self, ids: list[int] | None) -> None:
        if ids:
            self.record_id = ids[0]
            self.show()

    def reload(self) -> None:
        """After a worker tick: the segment may have been refreshed or converted."""
        segment = self.read_core(lambda: segments.get(self.segment.id), failed=self.gone)
        if segment is not None:
            self.segment = segment
            self.show()

    def gone(self, exc: SegtuiError) -> None:
        self.notify(_("This segment was deleted by another admin."), severity="warning")
        if self.app.screen is self:
            self.app.pop_screen()
