"""RowList, the line-by-line list of the upcoming conversions (issue 14): the header stays,
the cursor scrolls the rows into view, cells are cut to their column, nothing is rendered
past the rows."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual.app import App, ComposeResult

from segtui.tui.widgets.row_list import RowList

ROWS = [(f"row {i}", Text(f"a long name number {i} " * 3, style="bold")) for i in range(100)]


class ListApp(App):
    def compose(self) -> ComposeResult:
        yield RowList(id="rows")

    def on_mount(self) -> None:
        self.query_one(RowList).set_rows([("First", 8), ("Second", 20)], ROWS, [str(i) for i in range(100)])
        self.query_one(RowList).focus()
        self.chosen: list[str] = []

    def on_row_list_chosen(self, event: RowList.Chosen) -> None:
        self.chosen.append(event.key)


def line(rows: RowList, y: int) -> str:
    return rows.render_line(y).text


def test_the_cursor_scrolls_the_rows_under_a_header_that_stays():
    async def scenario():
        app = ListApp()
        async with app.run_test(size=(40, 11)) as pilot:
            rows = app.query_one(RowList)
            assert rows.size.height == 11
            assert line(rows, 0).split() == ["First", "Second"]
            assert line(rows, 1).startswith(" row 0 ") and "…" in line(rows, 1)  # cut to its 20 cells
            assert len(line(rows, 1)) == 40
            await pilot.press("end")
            assert rows.cursor_row == 99 and round(rows.scroll_offset.y) == 90  # 10 lines under the header
            assert line(rows, 0).split() == ["First", "Second"]
            assert line(rows, 10).startswith(" row 99 ")
            await pilot.press("up")
            assert round(rows.scroll_offset.y) == 90  # still in view: no scrolling
            await pilot.press("home")
            assert rows.cursor_row == 0 and round(rows.scroll_offset.y) == 0
            for _ in range(12):
                await pilot.press("down")
            assert rows.cursor_row == 12 and round(rows.scroll_offset.y) == 3
            await pilot.press("enter")
            await pilot.pause()
            assert app.chosen == ["12"]
            rows.set_rows([("Only", 6)], [("one",)], ["k"])
            await pilot.pause()
            assert line(rows, 1).startswith(" one ") and line(rows, 2).strip() == ""  # past the rows: blank
            assert rows.key_at(1) is None and rows.row_count == 1

    asyncio.run(scenario())
