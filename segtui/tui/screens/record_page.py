"""One record: its properties (Enter edits one) and the segments it belongs to.

An edit is saved at once, and the active segments whose filters read that property follow it
in the same transaction; the page says which segments the record joined or left.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Static

from ...core import records
from ...core.display import format_value
from ...core.errors import SegtuiError
from ...core.properties import SINGULAR, key_property, properties, value_of
from ..actions import BACK, Action, ActionTable, HasActions
from ..text import literal, moment, printable, type_badge
from ..work import CoreWork
from .edit_property import EditPropertyModal
from .record_picker import record_name


class RecordScreen(HasActions, CoreWork, Screen):
    CSS_PATH = "record_page.tcss"
    ACTIONS = ActionTable(
        "record",
        BACK,
        Action("edit", "Edit property", "e", mutates=True, description="The highlighted property of this record"),
        Action("reload", "Reload", "r", show=False, palette=False),
    )
    BINDINGS = ACTIONS.bindings()

    def __init__(self, object_type: str, record_id: int) -> None:
        super().__init__()
        self.object_type = object_type
        self.record_id = record_id
        self.names = list(properties(object_type))
        self.edited = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="record-title")
        with Horizontal(id="record-body"):
            with Vertical(id="record-left"):
                yield DataTable(id="properties", cursor_type="row", zebra_stripes=True)
            with Vertical(id="record-right"):
                yield Label("Member of", classes="section-title")
                yield DataTable(id="record-segments", cursor_type="row", show_cursor=False, show_header=False)
        yield Static("", id="edit-note")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        props = self.query_one("#properties", DataTable)
        props.add_column("Property", width=18)
        props.add_column("Value", width=30)
        self.reload()
        props.focus()

    def reload(self) -> None:
        self.read_core(self.show_record, failed=self.gone)

    def gone(self, exc: SegtuiError) -> None:
        self.notify(str(exc), severity="warning")
        if self.app.screen is self:
            self.app.pop_screen()

    def show_record(self) -> None:
        record = records.get_record(self.object_type, self.record_id)
        registry = properties(self.object_type)
        key = getattr(record, key_property(self.object_type).name)
        name = record_name(self.object_type, record)
        self.title = printable(key, limit=60)
        title = Text.assemble((SINGULAR[self.object_type].capitalize() + "  ", "bold"), literal(key, "bold"))
        if name:
            title.append("  ")
            title.append(literal(name))
        title.append(f"\nLast updated {moment(record.updated_at, self.app.ctx.tz)}", style="dim")
        self.query_one("#record-title", Static).update(title)

        props = self.query_one("#properties", DataTable)
        row = props.cursor_row
        props.clear()
        for prop_name in self.names:
            prop = registry[prop_name]
            value = format_value(prop, value_of(record, prop), tz=self.app.ctx.tz, labels=True)
            props.add_row(prop.label, literal(value, limit=200) if value else Text("unknown", style="dim italic"),
                          key=prop_name)
        props.move_cursor(row=min(row, len(self.names) - 1), animate=False)

        segs = self.query_one("#record-segments", DataTable)
        segs.clear(columns=True)
        # the column as wide as the panel: long names end with an ellipsis instead of leaving the screen
        segs.add_column("Segment", width=max(20, self.size.width - 52 - 5))
        found = records.segments_of(self.object_type, self.record_id)
        for seg in found:
            segs.add_row(Text.assemble(type_badge(seg.type), " ", literal(seg.name), no_wrap=True, overflow="ellipsis"),
                          key=str(seg.id))
        if not found:
            segs.add_row(Text("no segment", style="dim italic"))
        self.show_note()

    def show_note(self) -> None:
        self.query_one("#edit-note", Static).update(Text(self.edited))

    def action_edit(self) -> None:
        props = self.query_one("#properties", DataTable)
        if not 0 <= props.cursor_row < len(self.names):
            return
        prop = properties(self.object_type)[self.names[props.cursor_row]]
        record = self.read_core(lambda: records.get_record(self.object_type, self.record_id))
        if record is None:
            return
        current = format_value(prop, value_of(record, prop), tz=self.app.ctx.tz)
        self.app.push_screen(EditPropertyModal(self.object_type, self.record_id, prop, current), self.saved)

    @on(DataTable.RowSelected, "#properties")
    def row_chosen(self) -> None:
        self.action_edit()

    def saved(self, result) -> None:
        if not result:
            return
        prop, text, effect = result
        shown = printable(text, limit=60) if text else "unknown"
        self.edited = f"Saved: {prop.label} is now {shown}. {printable(effect, limit=300)}"
        self.notify(self.edited, title="Record saved")
        self.reload()

    def action_reload(self) -> None:
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()
