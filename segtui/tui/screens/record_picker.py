"""Pick contacts or companies by searching: one (test a record) or several (add records).

The search runs in a thread once the user pauses typing; results come a page at a time.
Space marks a row (several mode), Enter chooses, ] and [ turn pages, Esc cancels.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label

from ...core import membership, records
from ...core.errors import SegtuiError
from ...core.properties import key_property
from ...i18n import N_, _, _n, number, quoted
from ..widgets.debounced_search import DebouncedSearch
from ..columns import Column, fit, need
from ..text import literal, printable
from .data_words import per_object

PAGE = 50


class PickerSearch(Input):
    """The picker's search box: it keeps typed text, and hands the list's keys to the list.

    Down goes to the results; space marks the highlighted result when several can be
    chosen (a search never needs a space: each field is matched on its own); Enter chooses.
    """

    # priority: an Input takes printable keys before its own plain bindings
    BINDINGS = [Binding("down", "to_results", show=False), Binding("space", "mark", show=False, priority=True)]

    def action_to_results(self) -> None:
        self.screen.query_one(DataTable).focus()

    def action_mark(self) -> None:
        picker = self.screen
        if picker.several and picker.rows:
            picker.action_toggle()
        else:
            self.insert_text_at_cursor(" ")


def record_name(object_type: str, record) -> str:
    if object_type == "contacts":
        return " ".join(p for p in (record.first_name, record.last_name) if p)
    return record.name or ""


class RecordPicker(DebouncedSearch, ModalScreen[list[int] | None]):
    SEARCH_ID = "picker-search"
    STATUS_SELECTOR = "#picker-status"
    CSS_PATH = "record_picker.tcss"
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="picker.cancel"),
        Binding("space", "toggle", N_("Mark"), show=False, id="picker.toggle"),
        Binding("right_square_bracket", "page(1)", N_("Next page"), key_display="]", id="picker.next_page"),
        Binding("left_square_bracket", "page(-1)", N_("Prev page"), key_display="[", id="picker.previous_page"),
        Binding("ctrl+s", "choose", N_("Choose"), priority=True, id="picker.choose"),
    ]

    def __init__(self, object_type: str, title: str, *, several: bool = False, segment_id: int | None = None,
                 confirm_label: str | None = None) -> None:
        """``title`` and ``confirm_label`` in the language shown (default: "Choose")."""
        super().__init__()
        self.object_type = object_type
        self.picker_title = title
        self.several = several
        self.segment_id = segment_id
        self.confirm_label = confirm_label if confirm_label is not None else _("Choose")
        self.search_text = ""
        self.start = 0
        self.total = 0
        self.rows: list[int] = []
        self.marked: dict[int, str] = {}  # id -> key, kept across searches and pages
        self.search_pending = False  # typed text whose results are not shown yet
        self.choose_when_shown = False

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Label(self.picker_title, id="picker-title", markup=False)
            yield PickerSearch(placeholder=per_object(self.object_type, _("Search contacts by email or name"),
                                                      _("Search companies by domain or name")),
                               id="picker-search", compact=True)
            yield DataTable(id="picker-table", cursor_type="row", zebra_stripes=True)
            yield Label("", id="picker-status")
            hint = (_("↓: results · space: mark · Enter: choose (the marked, or the highlighted) · ] [: pages · "
                      "Esc: cancel") if self.several else _("↓: results · Enter: choose the highlighted · ] [: pages · "
                                                            "Esc: cancel"))
            yield Label(hint, classes="muted", id="picker-keys")
            with Horizontal(id="picker-buttons"):
                yield Label("", id="picker-spacer")
                yield Button(_("Cancel"), id="cancel", compact=True)
                yield Button(self.confirm_label, id="choose", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.load()
        self.set_focus(self.query_one("#picker-search", Input))  # typed keys are its own at once

    # -- searching --------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == self.SEARCH_ID:
            self.search_pending = True  # (DebouncedSearch restarts the search)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter chooses, as the hint says, once the results of what was typed are shown
        (not DebouncedSearch's move to the results: Down does that here)."""
        if event.input.id != self.SEARCH_ID:
            return
        event.prevent_default()
        if self.search_pending:  # still searching: choose from the new results
            self.choose_when_shown = True
            return
        self.action_choose()

    def load(self, delay: float = 0.0) -> None:
        object_type, text, start, segment_id = self.object_type, self.search_text, self.start, self.segment_id

        def job():
            found, total = records.search(object_type, text, offset=start, limit=PAGE)
            members = membership.members_among(segment_id, [r.id for r in found]) if segment_id is not None else set()
            key = key_property(object_type).name
            rows = [(r.id, getattr(r, key), record_name(object_type, r), r.region or "") for r in found]
            return rows, total, members

        self.run_core(job, done=self.show, failed=self.show_error, group="picker", delay=delay)

    def show_error(self, exc: SegtuiError) -> None:
        self.search_pending = self.choose_when_shown = False
        self.query_one("#picker-status", Label).update(Text(f"⚠ {printable(exc)}", style="bold red"))

    def show(self, result) -> None:
        rows, total, members = result
        table = self.query_one(DataTable)
        self.set_columns(rows)
        self.rows = []
        self.total = total
        for rid, key, name, region in rows:
            cells = [self.mark_cell(rid), literal(key, limit=60), literal(name, limit=40), literal(region, limit=30)]
            if self.segment_id is not None:
                cells.append(Text(_("yes"), style="dim") if rid in members else Text(""))
            table.add_row(*cells, key=str(rid))
            self.rows.append(rid)
        self.search_pending = False
        self.update_status()
        if self.choose_when_shown:
            self.choose_when_shown = False
            self.action_choose()

    def set_columns(self, rows: list) -> None:
        """Columns from the picker's width and the results' lengths: emails whole when they fit."""
        table = self.query_one(DataTable)
        table.clear(columns=True)
        key_label = _("Email") if self.object_type == "contacts" else _("Domain")
        name_label, region_label, member_label = _("Name"), _("Region"), _("Member")
        wanted = [Column("key", key_label, need(key_label, [printable(r[1]) for r in rows], 50), 16),
                  Column("name", name_label, need(name_label, [printable(r[2]) for r in rows], 30), 8),
                  Column("region", region_label, need(region_label, [printable(r[3]) for r in rows], 26), 6)]
        if self.segment_id is not None:
            wanted.append(Column("member", member_label, max(6, len(member_label))))
        table.add_column("", width=1)
        for column, width in zip(wanted, fit(wanted, (table.size.width or 80) - 3, first_share=0.5)):
            table.add_column(column.label, width=width)

    def mark_cell(self, rid: int) -> Text:
        return Text("✓", style="bold green") if rid in self.marked else Text("")

    def update_status(self) -> None:
        if not self.total:
            if self.search_text.strip():
                text = per_object(self.object_type, _("No contacts match {text}."),
                                  _("No companies match {text}.")).format(text=quoted(printable(self.search_text)))
            else:
                text = per_object(self.object_type, _("No contacts yet: import some first."),
                                  _("No companies yet: import some first."))
        else:
            last = self.start + len(self.rows)
            text = (_n("{first}–{last} of {n} contact", "{first}–{last} of {n} contacts", self.total,
                       first=number(self.start + 1), last=number(last)) if self.object_type == "contacts"
                    else _n("{first}–{last} of {n} company", "{first}–{last} of {n} companies", self.total,
                            first=number(self.start + 1), last=number(last)))
        if self.several:
            text += " · " + _n("{n} marked", "{n} marked", len(self.marked))
        self.query_one("#picker-status", Label).update(text)
        button = self.query_one("#choose", Button)
        if self.several:
            n = len(self.marked) or (1 if self.rows else 0)
            button.label = _("{action} {n}").format(action=self.confirm_label, n=number(n)) if n else self.confirm_label

    # -- choosing -----------------------------------------------------------------------------
    def highlighted_id(self) -> int | None:
        table = self.query_one(DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def action_toggle(self) -> None:
        if not self.several:
            return
        rid = self.highlighted_id()
        if rid is None:
            return
        table = self.query_one(DataTable)
        if rid in self.marked:
            del self.marked[rid]
        else:
            self.marked[rid] = str(table.get_row(str(rid))[1])
        table.update_cell(str(rid), table.columns[next(iter(table.columns))].key, self.mark_cell(rid))
        if table.cursor_row < len(self.rows) - 1:
            table.move_cursor(row=table.cursor_row + 1)
        self.update_status()

    def action_page(self, step: int) -> None:
        offset = self.start + step * PAGE
        if offset < 0 or offset >= max(self.total, 1):
            return
        self.start = offset
        self.load()

    @on(DataTable.RowSelected, "#picker-table")
    @on(Button.Pressed, "#choose")
    def action_choose(self) -> None:
        chosen = list(self.marked) if self.several and self.marked else []
        if not chosen:
            rid = self.highlighted_id()
            if rid is None:
                self.query_one("#picker-status", Label).update(
                    Text(per_object(self.object_type, _("Nothing to choose: search for a contact first."),
                                    _("Nothing to choose: search for a company first.")), style="bold red"))
                return
            chosen = [rid]
        self.dismiss(sorted(chosen))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
