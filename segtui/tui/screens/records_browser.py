"""Browse contacts and companies: search by key or name, page by page, Enter opens a record."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Tab, Tabs

from ...core import records
from ...core.display import format_value
from ...core.errors import SegtuiError
from ...core.properties import OBJECT_TYPES, properties, value_of
from ...i18n import N_, _, _n, number, pgettext, quoted
from ..widgets.footer import Footer
from ..widgets.header import Header
from ..widgets.debounced_search import DebouncedSearch
from ..actions import BACK, Action, ActionTable, HasActions
from ..columns import SCROLLBAR, Column, fit, need
from ..text import literal, printable
from .data_words import object_label, per_object, property_label
from .record_picker import record_name

PAGE = 50
PAGES = Binding.Group(N_("Pages"), compact=True)
SHORT = {"lifecycle_stage": N_("Stage"), "events_attended": N_("Events")}
COLUMNS = {
    "contacts": [("email", 28), ("name", 18), ("region", 14), ("lifecycle_stage", 12), ("events_attended", 6),
                 ("city", 14)],
    "companies": [("domain", 28), ("name", 20), ("industry", 12), ("region", 14), ("employees", 9), ("city", 14)],
}


class RecordsBrowserScreen(HasActions, DebouncedSearch, Screen):
    SEARCH_ID = "browser-search"
    STATUS_SELECTOR = "#browser-status"
    CSS_PATH = "records_browser.tcss"
    ACTIONS = ActionTable(
        "records",
        BACK,
        # priority: handled the moment it arrives, so that the keys typed right after it (a fast
        # typist, a paste, "/events" in one SSH packet) reach the search box, never the screen's keys
        Action("search", N_("Search"), "slash", key_display="/", title=N_("Search records"),
               description=N_("By email, domain or name"), priority=True),
        Action("switch_object", N_("Contacts/Companies"), "o", title=N_("Switch contacts / companies"),
               description=N_("Browse the other object")),
        Action("previous_page", N_("Prev page"), "left_square_bracket", key_display="[", group=PAGES, palette=False),
        Action("next_page", N_("Next page"), "right_square_bracket", key_display="]", group=PAGES, palette=False),
    )
    BINDINGS = ACTIONS.bindings()
    PALETTE_HIDES = frozenset({"browse_records"})

    def __init__(self, object_type: str = "contacts") -> None:
        super().__init__()
        self.object_type = object_type
        self.search_text = ""
        self.start = 0
        self.total = 0
        self.ids: list[int] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="browser-toolbar"):
            yield Input(placeholder=_("Search by email, domain or name  ( / )"), id="browser-search", compact=True)
            yield Tabs(*(Tab(object_label(o), id=o) for o in OBJECT_TYPES), active=self.object_type,
                       id="object-tabs")
        yield DataTable(id="records", cursor_type="row", zebra_stripes=True)
        yield Label("", id="browser-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = pgettext("title", "Records")
        self.set_columns()
        self.load()
        self.query_one(DataTable).focus()

    def set_columns(self, rows: list | None = None) -> None:
        """Columns from the screen's width and what the rows shown need (the key column stays put)."""
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.fixed_columns = 1
        registry = properties(self.object_type)
        wanted = []
        for index, (name, width) in enumerate(COLUMNS[self.object_type]):
            label = _("Name") if name == "name" else _(SHORT[name]) if name in SHORT else property_label(registry[name])
            values = [cells[index].plain for _, cells in rows or []]
            wanted.append(Column(name, label, need(label, values, 40) if rows else width, min(width, 10)))
        # no column in part at the right edge; a page that fits the table has no vertical scrollbar
        spare = SCROLLBAR if rows is not None and table.size.height and len(rows) + 2 <= table.size.height else 0
        for column, width in zip(wanted, fit(wanted, self.size.width + spare, first_share=0.4, whole=True)):
            table.add_column(column.label, width=width, key=column.key)

    # -- loading -------------------------------------------------------------------------------
    def reload(self) -> None:
        self.load()

    def load(self, delay: float = 0.0) -> None:
        object_type, text, start = self.object_type, self.search_text, self.start

        def job():
            found, total = records.search(object_type, text, offset=start, limit=PAGE)
            rows = [(r.id, [self.cell(object_type, r, name) for name, _ in COLUMNS[object_type]]) for r in found]
            return object_type, rows, total

        self.run_core(job, done=self.show, failed=self.show_error, group="browse", delay=delay)

    @staticmethod
    def cell(object_type: str, record, name: str) -> Text:
        if name == "name":
            return literal(record_name(object_type, record), limit=60)
        prop = properties(object_type)[name]
        value = format_value(prop, value_of(record, prop), labels=True)
        if prop.type == "number":
            return Text(value, justify="right")
        return literal(value, limit=80)

    def show_error(self, exc: SegtuiError) -> None:
        self.query_one("#browser-status", Label).update(Text(f"⚠ {printable(exc)}", style="bold red"))

    def show(self, result) -> None:
        object_type, rows, total = result
        if object_type != self.object_type:
            return
        table = self.query_one(DataTable)
        keep = self.ids[table.cursor_row] if self.ids and 0 <= table.cursor_row < len(self.ids) else None
        self.set_columns(rows)
        self.ids = []
        for rid, cells in rows:
            table.add_row(*cells, key=str(rid))
            self.ids.append(rid)
        if keep in self.ids:
            table.move_cursor(row=self.ids.index(keep), animate=False)
        self.total = total
        status = self.query_one("#browser-status", Label)
        if not total:
            if self.search_text.strip():
                status.update(per_object(object_type, _("No contacts match {text}."), _("No companies match {text}."))
                              .format(text=quoted(printable(self.search_text))))
            else:
                status.update(per_object(object_type, _("No contacts yet: import a CSV file (i on the segments list)."),
                                         _("No companies yet: import a CSV file (i on the segments list).")))
            return
        pages = (total + PAGE - 1) // PAGE
        first, last = number(self.start + 1), number(self.start + len(rows))
        shown = (_n("{first}–{last} of {n} contact", "{first}–{last} of {n} contacts", total, first=first, last=last)
                 if object_type == "contacts" else
                 _n("{first}–{last} of {n} company", "{first}–{last} of {n} companies", total, first=first, last=last))
        status.update(_("{shown} · page {page}/{pages} · Enter opens").format(
            shown=shown, page=number(self.start // PAGE + 1), pages=number(pages)))

    # -- searching and paging -----------------------------------------------------------------
    @on(Tabs.TabActivated, "#object-tabs")
    def object_changed(self, event: Tabs.TabActivated) -> None:
        if event.tab.id == self.object_type or not self.is_mounted:
            return
        self.object_type = event.tab.id
        self.start = 0
        self.ids = []
        self.set_columns()
        self.reload()

    def action_switch_object(self) -> None:
        tabs = self.query_one(Tabs)
        tabs.active = OBJECT_TYPES[(OBJECT_TYPES.index(self.object_type) + 1) % len(OBJECT_TYPES)]

    def action_search(self) -> None:
        search = self.query_one("#browser-search", Input)
        if self.focused is search:  # a "/" typed in the search itself is text
            search.insert_text_at_cursor("/")
            return
        self.set_focus(search)  # at once, not at the next idle moment

    def action_next_page(self) -> None:
        self.turn_page(1)

    def action_previous_page(self) -> None:
        self.turn_page(-1)

    def turn_page(self, step: int) -> None:
        offset = self.start + step * PAGE
        if offset < 0 or offset >= max(self.total, 1):
            return
        self.start = offset
        self.ids = []
        self.reload()

    @on(DataTable.RowSelected, "#records")
    def open_record(self, event: DataTable.RowSelected) -> None:
        from .record_page import RecordScreen

        self.app.push_screen(RecordScreen(self.object_type, int(event.row_key.value)))

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.reload()

    def action_back(self) -> None:
        if self.query_one("#browser-search", Input).has_focus and self.search_text:
            self.query_one("#browser-search", Input).value = ""
            self.query_one(DataTable).focus()
            return
        self.app.pop_screen()
