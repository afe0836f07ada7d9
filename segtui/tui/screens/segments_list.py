"""The Segments list: search, type filter, sort, read page by page from the database."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Tab, Tabs

from ...core import folders, schedule, segments, store
from ...core.errors import SegtuiError
from ...i18n import N_, _, _n, language, number, pgettext
from .. import flows
from ..widgets.footer import Footer
from ..widgets.header import Header
from ..actions import Action, ActionTable, HasActions
from ..columns import SCROLLBAR, Column, fit, need
from ..text import literal, moment_cell, moment_width, printable, type_badge
from ..work import CoreWork

PAGE = 200
COLUMNS = [
    # in order of importance: the name as wide as the names need, then type, size and the
    # automatic conversion; the others as the width allows (the rest by scrolling sideways,
    # the name staying in place)
    (N_("Name"), "name", 0),
    (N_("Type"), "type", 8),
    (N_("Size"), "size", 6),
    (N_("Auto-conversion"), "conversion", 0),
    (N_("Object"), "object", 9),
    (N_("Last activity"), "last_activity", 17),
    (N_("Last updated"), "updated", 17),
    (N_("Created by"), "created_by", 0),
]
SORT_ORDER = [key for _label, key, _least in COLUMNS]
TYPE_TABS = {"all": None, "active": "active", "static": "static"}
OBJECTS = {"contacts": N_("contacts"), "companies": N_("companies")}  # the object column's words


class SegmentsListScreen(HasActions, CoreWork, Screen):
    CSS_PATH = "segments_list.tcss"
    ACTIONS = ActionTable(
        "list",
        Action("create", N_("Create"), "n", mutates=True, palette=False),
        # priority: handled the moment it arrives, so that the keys typed right after it (a fast
        # typist, a paste, "/events" in one SSH packet) reach the search box, never the screen's keys
        Action("search", N_("Search"), "slash", key_display="/", title=N_("Search segments"),
               description=N_("Filter the list by name"), priority=True),
        Action("cycle_type", N_("Type"), "t", title=N_("Filter by type"), description=N_("All / Active / Static")),
        Action("cycle_sort", N_("Sort"), "s", title=N_("Sort segments"), description=N_("Cycle the sort column")),
        Action("reverse_sort", N_("Order"), "o", show=False, palette=False),
        Action("reload", N_("Reload"), "r", show=False, title=N_("Reload segments"),
               description=N_("Read the list again")),
        Action("delete", N_("Delete"), "delete", mutates=True, show=False,
               description=N_("Delete the highlighted segment (restorable for 90 days)")),
        Action("browse", N_("Records"), "b", palette=False),
        Action("import_records", N_("Import"), "i", mutates=True, palette=False),
        Action("recently_deleted", N_("Deleted"), "D", key_display="D", palette=False),
        Action("properties", N_("Properties"), "P", key_display="P", show=False, palette=False),
        Action("unused", N_("Unused"), "U", key_display="U", show=False, palette=False),
        # not in the footer: at 80 columns it would cut issue 15's keys (? help and the palette list it)
        Action("folders", N_("Folders"), "f", show=False, title=N_("Show a folder"),
               description=N_("The segments of one folder, or all; make, rename, delete folders")),
        Action("mark", N_("Mark"), "space", mutates=True, show=False, palette=False),
        Action("move", N_("Move"), "M", key_display="M", mutates=True, show=False, title=N_("Move to a folder"),
               description=N_("The marked segments (or the highlighted one) to a folder or the top")),
        Action("clear_search", N_("Clear search"), "escape", show=False, palette=False),
    )
    BINDINGS = ACTIONS.bindings()

    def __init__(self) -> None:
        super().__init__()
        self.search_text = ""
        self.type_filter: str | None = None
        self.sort = "name"
        self.descending = False
        self.loaded = 0
        self.total = 0
        self.ids: list[int] = []
        self.laid_out_width = 0
        self.compact_conversion = False  # the conversion column without the inactivity periods
        self.scrollbar_assumed = True
        self.scrollbar_seen: dict[tuple[int, int], bool] = {}  # (table height, rows) -> a vertical scrollbar
        self.folder: int | None = None  # the folder shown (with the folders inside it); None: all
        self.marked: dict[int, str] = {}  # segment id -> name, to move together
        self.about: dict[int, tuple[str, str]] = {}  # segment id -> (folder path, description)
        self.left = False  # another screen was pushed over this one since it was last read

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="list-toolbar"):
            yield Input(placeholder=_("Search segments by name  ( / )"), id="search", compact=True)
            yield Tabs(Tab(pgettext("segment types", "All"), id="all"),
                       Tab(pgettext("segment types", "Active"), id="active"),
                       Tab(pgettext("segment types", "Static"), id="static"), id="type-tabs")
        yield DataTable(id="segments", cursor_type="row", zebra_stripes=True)
        yield Label("", id="list-about")
        yield Label("", id="list-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = _("Segments")
        table = self.query_one(DataTable)
        table.fixed_columns = 1
        self.reload()
        table.focus()

    def on_resize(self) -> None:
        if self.is_mounted and self.size.width != self.laid_out_width:
            self.reload()

    # -- data ---------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the first page again, keeping the cursor on the same segment if possible."""
        table = self.query_one(DataTable)
        keep = self.ids[table.cursor_row] if self.ids and 0 <= table.cursor_row < len(self.ids) else None
        self.ids = []
        self.loaded = 0
        self.load_more(lay_out=True)
        if keep in self.ids:
            table.move_cursor(row=self.ids.index(keep), animate=False)

    def conversion_cell(self, seg, compact: bool = False) -> Text:
        """When the segment converts; ``compact``: the inactivity's period left out (where the
        column would cut it; the segment's page says it whole)."""
        if seg.refresh_error:
            return Text(_("⚠ refresh failing"), style="bold red", no_wrap=True, overflow="ellipsis")
        plan = store.schedule_of(seg)
        tz = seg.schedule_tz or self.app.ctx.tz
        if plan.mode == schedule.ON_DAY:
            text = _("on {day}").format(day=plan.day.format("D MMM YYYY", locale=language()))
        elif plan.mode == schedule.AFTER_INACTIVITY and seg.due_at is not None:
            day = seg.due_at.in_timezone(tz).format("D MMM YYYY", locale=language())
            text = _("due {day}, if idle").format(day=day) if compact else _("due {day} ({period} idle)").format(
                day=day, period=schedule.format_period(plan.amount, plan.unit))
        else:
            return Text("-", style="dim")
        return Text(text, no_wrap=True, overflow="ellipsis")

    def lay_out(self, rows) -> None:
        """Columns from the width the table has and what this page's rows need."""
        table = self.query_one(DataTable)
        conversions = [self.conversion_cell(seg).plain for seg in rows]
        label = {key: _(english) for english, key, _least in COLUMNS}
        wanted = {
            "name": Column("name", label["name"], need(label["name"], [
                ("✓ " if seg.id in self.marked else "") + printable(seg.name) for seg in rows], 60), 12),
            "type": Column("type", label["type"], max(8, need(label["type"], [type_badge(seg.type).plain
                                                                              for seg in rows]))),
            "size": Column("size", label["size"], max(4, need(label["size"], [number(seg.size) for seg in rows]))),
            "conversion": Column("conversion", label["conversion"], need(label["conversion"], conversions), 12),
            "object": Column("object", label["object"], max(9, need(label["object"], [self.object_word(seg.object_type)
                                                                                  for seg in rows]))),
            "last_activity": Column("last_activity", label["last_activity"], max(moment_width(), need(label["last_activity"], []))),
            "updated": Column("updated", label["updated"], max(moment_width(), need(label["updated"], []))),
            "created_by": Column("created_by", label["created_by"],
                                 need(label["created_by"], [seg.created_by for seg in rows], 20)),
        }
        # no column in part at the right edge: without a vertical scrollbar (the rows fit) its room
        # is the columns' too; checked once laid out (check_scrollbar)
        height = table.size.height
        seen = self.scrollbar_seen.get((height, self.total))
        # the header and a horizontal scrollbar take two lines
        self.scrollbar_assumed = seen if seen is not None else (not height or self.total > height - 2)
        available = self.size.width + (0 if self.scrollbar_assumed else SCROLLBAR)

        def widths_for() -> list[int]:
            return fit([wanted[key] for _english, key, _least in COLUMNS], available, first_share=0.45, whole=True)

        widths = widths_for()
        at = [key for _english, key, _least in COLUMNS].index("conversion")
        self.compact_conversion = widths[at] < wanted["conversion"].need
        if self.compact_conversion:  # the days whole rather than the periods cut
            compact = [self.conversion_cell(seg, compact=True).plain for seg in rows]
            wanted["conversion"] = Column("conversion", label["conversion"], need(label["conversion"], compact), 12)
            widths = widths_for()
        table.clear(columns=True)
        for (_english, key, _least), width in zip(COLUMNS, widths):
            table.add_column(label[key], key=key, width=width)
        self.laid_out_width = self.size.width
        self.call_after_refresh(self.check_scrollbar)

    def check_scrollbar(self) -> None:
        """Laid out again if the table has (or has not) the vertical scrollbar its columns assumed."""
        tables = self.query(DataTable)
        if not self.is_attached or not tables:  # the screen went meanwhile (a language switch)
            return
        table = tables.first()
        if table.size.height and table.show_vertical_scrollbar != self.scrollbar_assumed:
            self.scrollbar_seen[(table.size.height, self.total)] = table.show_vertical_scrollbar
            self.reload()

    def load_more(self, *, lay_out: bool = False) -> None:
        ctx = self.app.ctx
        page = self.read_core(lambda: segments.list_page(
            search=self.search_text, type=self.type_filter, sort=self.sort,
            descending=self.descending, offset=self.loaded, limit=PAGE, folder=self.folder,
        ))
        if page is None:
            return
        self.total = page.total
        table = self.query_one(DataTable)
        known = self.read_core(folders.all_by_id) or {}
        if lay_out:
            self.lay_out(page.rows)
        for seg in page.rows:
            self.about[seg.id] = (folders.path_of(seg.folder_id, known), seg.description or "")
            table.add_row(
                self.name_cell(seg.id, seg.name),
                type_badge(seg.type),
                Text(number(seg.size), justify="right"),
                self.conversion_cell(seg, self.compact_conversion),
                self.object_word(seg.object_type),
                moment_cell(seg.last_activity_at, ctx.tz),
                moment_cell(seg.updated_at, ctx.tz),
                literal(seg.created_by, limit=40),
                key=str(seg.id),
            )
            self.ids.append(seg.id)
        self.loaded += len(page.rows)
        self.update_status()
        self.show_about()

    @staticmethod
    def object_word(object_type: str) -> str:
        return _(OBJECTS[object_type]) if object_type in OBJECTS else object_type

    def name_cell(self, segment_id: int, name: str) -> Text:
        cell = literal(name)
        if segment_id in self.marked:
            cell = Text.assemble(Text("✓ ", style="bold green"), cell, no_wrap=True, overflow="ellipsis")
        return cell

    def show_about(self) -> None:
        """The highlighted segment's folder and description, on one line."""
        table = self.query_one(DataTable)
        about = Text()
        if self.ids and 0 <= table.cursor_row < len(self.ids):
            path, text = self.about.get(self.ids[table.cursor_row], ("", ""))
            if path:
                about.append(f"▸ {printable(path, limit=40)}  ", style="bold")
            if text:
                about.append(printable(text, limit=200).replace("\n", " "), style="italic")
        self.query_one("#list-about", Label).update(about, layout=False)

    def update_status(self) -> None:
        status = self.query_one("#list-status", Label)
        arrow = "↓" if self.descending else "↑"
        sort_label = next(_(label) for label, key, _least in COLUMNS if key == self.sort)
        if self.total == 0:
            if self.folder is not None and not (self.search_text or self.type_filter):
                status.update(_("No segments in folder {folder!r} · f chooses another").format(
                    folder=printable(folders.path_of(self.folder), limit=40)))
            elif self.search_text and self.type_filter:
                others = segments.list_page(search=self.search_text, limit=1).total
                none = {"active": _("No active segment matches {search!r}."),
                        "static": _("No static segment matches {search!r}.")}[self.type_filter]
                text = none.format(search=printable(self.search_text))
                if others:
                    text += " " + _n("{n} segment of another type matches: t shows all types.",
                                     "{n} segments of another type match: t shows all types.", others)
                status.update(text)
            elif self.search_text:
                status.update(_("No segment matches {search!r}.").format(search=printable(self.search_text)))
            elif self.type_filter:
                status.update({"active": _("No active segments: t shows all types."),
                               "static": _("No static segments: t shows all types.")}[self.type_filter])
            else:
                status.update(_("No segments yet. Press n to create one, or i to import records first.")
                              if not self.app.ctx.read_only else _("No segments yet."))
            return
        shown = number(min(self.loaded, self.total))
        if self.folder is not None:
            text = _n("{n} segment in {folder!r} · showing {shown} · sorted by {column} {arrow} · Enter opens",
                      "{n} segments in {folder!r} · showing {shown} · sorted by {column} {arrow} · Enter opens",
                      self.total, folder=printable(folders.path_of(self.folder), limit=30), shown=shown,
                      column=sort_label.lower(), arrow=arrow)
        else:
            text = _n("{n} segment · showing {shown} · sorted by {column} {arrow} · Enter opens",
                      "{n} segments · showing {shown} · sorted by {column} {arrow} · Enter opens",
                      self.total, shown=shown, column=sort_label.lower(), arrow=arrow)
        if self.marked:
            text = _n("{n} marked: M moves them · {status}", "{n} marked: M moves them · {status}",
                      len(self.marked), status=text)
        status.update(text, layout=False)  # fixed size: no re-layout when paging

    @on(DataTable.RowHighlighted, "#segments")
    def maybe_load_more(self, event: DataTable.RowHighlighted) -> None:
        self.show_about()
        if event.cursor_row >= self.loaded - 20 and self.loaded < self.total:
            self.load_more()

    def action_unused(self) -> None:
        from .unused import UnusedScreen

        self.app.push_screen(UnusedScreen(), lambda _: self.reload())

    @on(DataTable.RowSelected, "#segments")
    def open_segment(self, event: DataTable.RowSelected) -> None:
        from .segment_detail import SegmentDetailScreen

        self.app.push_screen(SegmentDetailScreen(int(event.row_key.value)))

    @on(DataTable.HeaderSelected, "#segments")
    def sort_by_header(self, event: DataTable.HeaderSelected) -> None:
        key = event.column_key.value
        if key == self.sort:
            self.descending = not self.descending
        else:
            self.sort, self.descending = key, False
        self.reload()

    # -- search and filters -------------------------------------------------------------
    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        self.search_text = event.value
        self.reload()

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        self.query_one(DataTable).focus()

    @on(Tabs.TabActivated, "#type-tabs")
    def type_changed(self, event: Tabs.TabActivated) -> None:
        # (the tabs activate "All" once mounted: the list read by on_mount is already that one)
        if TYPE_TABS[event.tab.id] != self.type_filter:
            self.type_filter = TYPE_TABS[event.tab.id]
            self.reload()

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        if self.focused is search:  # a "/" typed in the search itself is text
            search.insert_text_at_cursor("/")
            return
        self.set_focus(search)  # at once, not at the next idle moment

    def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        if search.value:
            search.value = ""
        self.query_one(DataTable).focus()

    def action_cycle_type(self) -> None:
        tabs = self.query_one(Tabs)
        order = list(TYPE_TABS)
        if self.total == 0 and self.search_text and self.type_filter:  # "t shows all types"
            tabs.active = "all"
            return
        tabs.active = order[(order.index(tabs.active or "all") + 1) % len(order)]

    def action_cycle_sort(self) -> None:
        self.sort = SORT_ORDER[(SORT_ORDER.index(self.sort) + 1) % len(SORT_ORDER)]
        self.descending = False
        self.reload()

    def action_reverse_sort(self) -> None:
        self.descending = not self.descending
        self.reload()

    def action_reload(self) -> None:
        self.reload()

    # -- acts ---------------------------------------------------------------------------------
    def highlighted_segment(self):
        table = self.query_one(DataTable)
        if not self.ids or not 0 <= table.cursor_row < len(self.ids):
            return None
        return self.read_core(lambda: segments.get(self.ids[table.cursor_row]), failed=self.gone)

    def gone(self, exc: SegtuiError) -> None:
        self.notify(str(exc), severity="warning")
        self.reload()

    def action_create(self) -> None:
        self.app.action_create_segment()

    def action_delete(self) -> None:
        segment = self.highlighted_segment()
        if segment is None:
            self.notify(_("No segment to delete here."), severity="warning", timeout=3)
            return
        flows.delete_segment(self, segment, self.reload)

    # -- folders --------------------------------------------------------------------------------
    def action_folders(self) -> None:
        from .folders import ALL, FoldersScreen

        def chosen(choice: str | None) -> None:
            if choice is None:
                self.reload()  # folders may have been made or renamed meanwhile
                return
            self.folder = None if choice == ALL else int(choice)
            self.reload()

        self.app.push_screen(FoldersScreen(current=ALL if self.folder is None else str(self.folder)), chosen)

    def action_mark(self) -> None:
        table = self.query_one(DataTable)
        if not self.ids or not 0 <= table.cursor_row < len(self.ids):
            return
        sid = self.ids[table.cursor_row]
        name = str(table.get_row(str(sid))[0]).removeprefix("✓ ")
        if sid in self.marked:
            del self.marked[sid]
        else:
            self.marked[sid] = name
        table.update_cell(str(sid), "name", self.name_cell(sid, name))
        if table.cursor_row < len(self.ids) - 1:
            table.move_cursor(row=table.cursor_row + 1)
        self.update_status()

    def action_move(self) -> None:
        from .folders import TOP, FoldersScreen

        chosen = dict(self.marked)
        if not chosen:
            segment = self.highlighted_segment()
            if segment is None:
                self.notify(_("No segment to move here."), severity="warning", timeout=3)
                return
            chosen = {segment.id: segment.name}

        def go(target: str | None) -> None:
            if target is None:
                return
            ctx = self.app.ctx
            folder = None if target == TOP else int(target)

            def moved(done) -> None:
                if folder:
                    moved_text = _n("Moved {n} segment to {folder}.", "Moved {n} segments to {folder}.", len(chosen),
                                    folder=printable(folders.path_of(folder), limit=40))
                else:
                    moved_text = _n("Moved {n} segment to the top level.", "Moved {n} segments to the top level.",
                                    len(chosen))
                self.notify(moved_text, timeout=4)
                self.marked.clear()
                self.reload()

            self.run_core(lambda: folders.move(ctx, [(sid, None) for sid in chosen], folder), done=moved,
                          group="move")

        self.app.push_screen(FoldersScreen(moving=len(chosen)), go)

    def action_browse(self) -> None:
        self.app.action_browse_records()

    def action_import_records(self) -> None:
        self.app.action_import_records()

    def action_recently_deleted(self) -> None:
        self.app.action_recently_deleted()

    def action_properties(self) -> None:
        self.app.action_properties()

    def on_screen_suspend(self) -> None:
        self.left = True

    def on_screen_resume(self) -> None:
        # back from another screen: read again (the first resume follows on_mount, which just read it)
        if self.is_mounted and self.left:
            self.left = False
            self.reload()
