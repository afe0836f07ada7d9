"""A read-only list of rows drawn line by line (Textual's Line API): only the lines on the
screen are rendered, so a list of hundreds of rows costs what a screenful does to show.
A DataTable measures and lays out every row it is given before its first frame; where a
screen lists everything of a kind (the upcoming conversions of 2,000 schedules) that is
most of the time the screen takes to appear.

Columns have fixed widths; cells are Rich ``Text`` (cut with an ellipsis) or strings. The
first line is the header and stays in place; ↑ ↓ Home End move the cursor, Enter (or a
click on the highlighted row) chooses it.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

PADDING = 1  # each side of a cell, as a DataTable's


class RowList(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    RowList {
        height: 1fr;
        background: $surface;
    }
    RowList > .row-list--header {
        text-style: bold;
        background: $panel;
    }
    RowList > .row-list--stripe {
        background: $surface-lighten-1;
    }
    RowList > .row-list--cursor {
        background: $block-cursor-blurred-background;
        text-style: bold;
    }
    RowList:focus > .row-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    """
    COMPONENT_CLASSES = {"row-list--header", "row-list--stripe", "row-list--cursor"}
    BINDINGS = [
        Binding("up", "cursor(-1)", show=False, id="rows.up"),
        Binding("down", "cursor(1)", show=False, id="rows.down"),
        Binding("home", "cursor_to(0)", show=False, id="rows.home"),
        Binding("end", "cursor_to(-1)", show=False, id="rows.end"),
        Binding("enter", "choose", show=False, id="rows.choose"),
    ]

    class Chosen(Message):
        """Enter (or a click on the highlighted row) on a row."""

        def __init__(self, row_list: RowList, index: int, key: str) -> None:
            super().__init__()
            self.row_list = row_list
            self.index = index
            self.key = key

        @property
        def control(self) -> RowList:
            return self.row_list

    class Highlighted(Message):
        """The cursor is on another row (or the rows were replaced)."""

        def __init__(self, row_list: RowList, index: int) -> None:
            super().__init__()
            self.row_list = row_list
            self.index = index

        @property
        def control(self) -> RowList:
            return self.row_list

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns: list[tuple[str, int]] = []
        self.rows: list[tuple[Text, ...]] = []
        self.keys: list[str] = []
        self.cursor_row = 0

    # -- content ------------------------------------------------------------------------
    def set_rows(self, columns: list[tuple[str, int]], rows: list[tuple], keys: list[str]) -> None:
        """Replace the whole list (the cursor goes back to the first row)."""
        self.columns = columns
        self.rows = [tuple(c if isinstance(c, Text) else Text(str(c)) for c in row) for row in rows]
        self.keys = list(keys)
        self.cursor_row = 0
        width = sum(w + 2 * PADDING for _, w in columns)
        self.virtual_size = Size(width, len(self.rows) + 1)  # + the header
        self.scroll_to(0, 0, animate=False)
        self.refresh()
        self.post_message(self.Highlighted(self, 0))

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def key_at(self, index: int) -> str | None:
        return self.keys[index] if 0 <= index < len(self.keys) else None

    # -- the cursor ---------------------------------------------------------------------
    def move_cursor(self, row: int) -> None:
        if not self.rows:
            return
        self.cursor_row = max(0, min(len(self.rows) - 1, row))
        seen = max(1, self.size.height - 1)  # the lines under the header
        top = round(self.scroll_offset.y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False)
        elif self.cursor_row >= top + seen:
            self.scroll_to(y=self.cursor_row - seen + 1, animate=False)
        self.refresh()
        self.post_message(self.Highlighted(self, self.cursor_row))

    def action_cursor(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step)

    def action_cursor_to(self, index: int) -> None:
        self.move_cursor(index % len(self.rows) if self.rows else 0)

    def action_choose(self) -> None:
        if self.rows:
            self.post_message(self.Chosen(self, self.cursor_row, self.keys[self.cursor_row]))

    def on_click(self, event: Click) -> None:
        if event.y < 1:
            return  # the header
        index = round(self.scroll_offset.y) + event.y - 1
        if 0 <= index < len(self.rows):
            if index == self.cursor_row:
                self.action_choose()
            else:
                self.move_cursor(index)

    # -- drawing ------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        if y == 0:
            cells = tuple(Text(label) for label, _ in self.columns)
            style = self.get_component_rich_style("row-list--header")
        else:
            index = round(scroll_y) + y - 1
            if not 0 <= index < len(self.rows):
                return Strip.blank(width, self.rich_style)
            cells = self.rows[index]
            if index == self.cursor_row:
                style = self.get_component_rich_style("row-list--cursor")
            elif index % 2:
                style = self.get_component_rich_style("row-list--stripe")
            else:
                style = Style()
        line = Text(no_wrap=True, end="")
        for (_, w), cell in zip(self.columns, cells):
            shown = cell.copy()
            shown.no_wrap = True
            shown.truncate(w, overflow="ellipsis", pad=True)
            line.append(" " * PADDING)
            line.append_text(shown)
            line.append(" " * PADDING)
        segments = [Segment(s.text, style + s.style if s.style else style) for s in line.render(self.app.console)]
        total = max(width + round(scroll_x), sum(w + 2 * PADDING for _, w in self.columns))
        return Strip(segments).extend_cell_length(total, style).crop(round(scroll_x), round(scroll_x) + width)
