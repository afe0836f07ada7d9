"""A page of rows drawn line by line (Textual's Line API), for a segment's members.

The DataTable mounts every row it is given, measures every cell and lays itself out again
each time its rows change: re-filling it cost most of a page turn (28 to 49 ms at 50 rows).
This view holds the page's cells and draws only the lines on screen, when Textual asks for
them (``render_line``), the way Toolong shows a file of millions of lines: a page turn hands
it new cells and repaints; nothing is mounted, nothing is measured.

Looks and keys as the DataTable had them: a header line that stays, zebra rows, a row
cursor (up/down, page up/down, home/end), the first ``fixed_columns`` staying in place when
the rest scrolls sideways (left/right), Enter or a click on a row selects it, the mouse
wheel scrolls. The cells are Rich ``Text`` (data shown literally: never markup).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...i18n import N_

PADDING = 1  # a space each side of every cell, as the DataTable's cell_padding


class MembersView(ScrollView, can_focus=True):
    BINDINGS = [
        Binding("up", "cursor_up", N_("Up"), show=False),
        Binding("down", "cursor_down", N_("Down"), show=False),
        Binding("pageup", "cursor_page_up", N_("Page up"), show=False),
        Binding("pagedown", "cursor_page_down", N_("Page down"), show=False),
        Binding("home", "cursor_home", N_("First row"), show=False),
        Binding("end", "cursor_end", N_("Last row"), show=False),
        Binding("left", "scroll_left", N_("Left"), show=False),
        Binding("right", "scroll_right", N_("Right"), show=False),
        Binding("enter", "select", N_("Select"), show=False),
    ]
    COMPONENT_CLASSES = {
        "members-view--header",
        "members-view--cursor",
        "members-view--even-row",
        "members-view--odd-row",
        "members-view--hover",
    }
    # the DataTable's own colours, so that the Records tab looks as it did
    DEFAULT_CSS = """
    MembersView {
        background: $surface;
        color: $foreground;
        height: 1fr;
        &:focus {
            background-tint: $foreground 5%;
            & > .members-view--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .members-view--header {
                background-tint: $foreground 5%;
            }
        }
        &:dark > .members-view--even-row {
            background: $surface-darken-1 40%;
        }
        & > .members-view--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .members-view--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .members-view--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .members-view--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .members-view--hover {
            background: $block-hover-background;
        }
    }
    """

    cursor_row: reactive[int] = reactive(0, repaint=False, always_update=True)
    hover_row: reactive[int] = reactive(-1, repaint=False)

    @dataclass
    class RowHighlighted(Message):
        """The cursor is on another row."""

        view: MembersView
        row: int

        @property
        def control(self) -> MembersView:
            return self.view

    @dataclass
    class RowSelected(Message):
        """Enter, or a click, on a row."""

        view: MembersView
        row: int

        @property
        def control(self) -> MembersView:
            return self.view

    def __init__(self, *, fixed_columns: int = 0, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.fixed_columns = fixed_columns
        self.labels: list[str] = []
        self.widths: list[int] = []
        self.rows: list[list[Text]] = []
        self._strips: dict[tuple[int, str], Strip] = {}  # (row, look) -> the whole row, drawn once
        self._base = Style()  # the widget's own style, read once a frame (rich_style walks the ancestors)

    # -- what it shows ---------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self.rows)

    def set_columns(self, labels: Sequence[str], widths: Sequence[int]) -> None:
        self.labels, self.widths = list(labels), list(widths)
        self._changed()

    def set_rows(self, rows: Sequence[Sequence[Text]], *, cursor: int | None = None) -> None:
        """A new page: its cells (one ``Text`` a column), the cursor where it was or at ``cursor``."""
        self.rows = [list(row) for row in rows]
        self._changed()
        self.scroll_to(y=0, animate=False, immediate=True)
        self.cursor_row = min(max(self.cursor_row if cursor is None else cursor, 0), max(len(self.rows) - 1, 0))

    def update_cell(self, row: int, column: int, cell: Text) -> None:
        self.rows[row][column] = cell
        for key in [key for key in self._strips if key[0] == row]:
            del self._strips[key]
        self.refresh_line(row + 1)

    def cell(self, row: int, column: int) -> Text:
        return self.rows[row][column]

    def _changed(self) -> None:
        self._strips.clear()
        size = Size(sum(w + 2 * PADDING for w in self.widths), len(self.rows) + 1)
        if size != self.virtual_size and self.is_mounted and self.container_size:
            # not a layout of the whole screen (virtual_size is a layout reactive: 20 to 40 ms a
            # page turn): the scrollbars follow, and lay the screen out only to appear or go
            self.set_reactive(ScrollView.virtual_size, size)
            self._scroll_update(size)
        else:
            self.virtual_size = size
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def _on_focus(self, event: events.Focus) -> None:
        self._strips.clear()  # the cursor's colours follow the focus

    def _on_blur(self, event: events.Blur) -> None:
        self._strips.clear()

    # -- drawing ---------------------------------------------------------------------------
    def _fixed_width(self) -> int:
        return sum(w + 2 * PADDING for w in self.widths[: self.fixed_columns])

    def _draw(self, cells: Sequence[Text], style: Style) -> Strip:
        segments: list[Segment] = []
        console = self.app.console
        pad = " " * PADDING
        length = 0
        for text, width in zip(cells, self.widths):
            length += width + 2 * PADDING
            if not text.spans:  # most cells: one style over the whole text, drawn without Rich's renderer
                plain = text.plain
                if cell_len(plain) > width:
                    plain = set_cell_size(plain, width - 1) + "…" if width > 0 else ""
                else:
                    plain = set_cell_size(plain, width)
                own = console.get_style(text.style) if text.style else None
                segments.append(Segment(pad + plain + pad, style + own if own else style))
                continue
            cell = text.copy()
            cell.no_wrap = True
            cell.truncate(width, overflow="ellipsis", pad=True)
            cell.pad(PADDING)
            segments.extend(Segment.apply_style(cell.render(console), style))
        return Strip(segments, length)

    def _row_look(self, row: int) -> str:
        if row == self.cursor_row:
            return "members-view--cursor"
        if row == self.hover_row:
            return "members-view--hover"
        return "members-view--even-row" if row % 2 == 0 else "members-view--odd-row"

    def _row_strip(self, row: int) -> Strip:
        look = "header" if row < 0 else self._row_look(row)
        key = (row, look)
        strip = self._strips.get(key)
        if strip is None:
            base = self._base
            if row < 0:
                style = base + self.get_component_rich_style("members-view--header")
                strip = self._draw([Text(label) for label in self.labels], style)
            else:
                # zebra rows lie under the cursor and the hover as in the DataTable
                zebra = "members-view--even-row" if row % 2 == 0 else "members-view--odd-row"
                style = base + self.get_component_rich_style(zebra)
                if look != zebra:
                    style += self.get_component_rich_style(look)
                strip = self._draw(self.rows[row], style)
            self._strips[key] = strip
        return strip

    def render_lines(self, crop: Region) -> list[Strip]:
        base = self.rich_style
        if base != self._base:
            self._base = base
            self._strips.clear()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        row = -1 if y == 0 else scroll_y + y - 1
        if row >= len(self.rows) or not self.widths:
            return Strip.blank(width, self._base)
        strip = self._row_strip(row)
        if scroll_x == 0 or not strip.cell_length:
            return strip.crop_extend(0, width, self._base)
        fixed = min(self._fixed_width(), width)
        moving = strip.crop_extend(fixed + scroll_x, scroll_x + width, self._base)
        return Strip.join([strip.crop(0, fixed), moving])

    # -- the cursor ------------------------------------------------------------------------
    def watch_cursor_row(self, old: int, new: int) -> None:
        if old != new:
            self.refresh_line(old + 1)
        self.refresh_line(new + 1)
        self._keep_in_view(new)
        if self.rows:
            self.post_message(self.RowHighlighted(self, new))

    def watch_hover_row(self, old: int, new: int) -> None:
        for row in (old, new):
            if row >= 0:
                self.refresh_line(row + 1)

    def _keep_in_view(self, row: int) -> None:
        shown = max(self.scrollable_content_region.height - 1, 1)  # lines under the header
        top = self.scroll_offset.y
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + shown:
            self.scroll_to(y=row - shown + 1, animate=False, immediate=True)

    def move_cursor(self, row: int) -> None:
        if self.rows:
            self.cursor_row = min(max(row, 0), len(self.rows) - 1)

    def _page(self) -> int:
        return max(self.scrollable_content_region.height - 2, 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor_row + 1)

    def action_cursor_page_up(self) -> None:
        self.move_cursor(self.cursor_row - self._page())

    def action_cursor_page_down(self) -> None:
        self.move_cursor(self.cursor_row + self._page())

    def action_cursor_home(self) -> None:
        self.move_cursor(0)

    def action_cursor_end(self) -> None:
        self.move_cursor(len(self.rows) - 1)

    def action_select(self) -> None:
        if self.rows:
            self.post_message(self.RowSelected(self, self.cursor_row))

    # -- the mouse -------------------------------------------------------------------------
    def _row_at(self, y: int) -> int:
        row = self.scroll_offset.y + y - 1
        return row if y >= 1 and 0 <= row < len(self.rows) else -1

    def on_click(self, event: events.Click) -> None:
        row = self._row_at(event.y)
        if row >= 0:
            self.cursor_row = row
            self.post_message(self.RowSelected(self, row))

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self.hover_row = self._row_at(event.y)

    def on_leave(self, event: events.Leave) -> None:
        self.hover_row = -1
