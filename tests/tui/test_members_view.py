"""The Line-API members view (issue 13) on its own: lines drawn from the page's cells, the
cursor by keys and by the mouse, a page replaced, a cell updated, fixed columns when the
rest scrolls sideways."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual.app import App, ComposeResult

from segtui.tui.widgets.members_view import MembersView

LABELS = ["", "Record", "Name", "Joined"]
WIDTHS = [1, 12, 10, 8]


def page(first: int, count: int) -> list[list[Text]]:
    return [[Text(""), Text(f"r{n}@x.org"), Text(f"Name {n}"), Text("26 Nov")] for n in range(first, first + count)]


class Host(App):
    def __init__(self) -> None:
        super().__init__()
        self.highlighted: list[int] = []
        self.selected: list[int] = []

    def compose(self) -> ComposeResult:
        yield MembersView(id="view", fixed_columns=2)

    def on_mount(self) -> None:
        view = self.query_one(MembersView)
        view.set_columns(LABELS, WIDTHS)
        view.set_rows(page(0, 50))
        view.focus()

    def on_members_view_row_highlighted(self, event: MembersView.RowHighlighted) -> None:
        self.highlighted.append(event.row)

    def on_members_view_row_selected(self, event: MembersView.RowSelected) -> None:
        self.selected.append(event.row)


def run(scenario, size=(60, 12)) -> Host:
    app = Host()

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await scenario(pilot, app.query_one(MembersView))

    asyncio.run(main())
    return app


def lines(view: MembersView) -> list[str]:
    return [view.render_line(y).text for y in range(view.size.height)]


def test_only_the_lines_on_screen_are_drawn_under_a_header_that_stays():
    seen = {}

    async def scenario(pilot, view):
        seen["first"] = lines(view)
        seen["strips"] = len(view._strips)
        await pilot.press("end")
        seen["end"] = (view.cursor_row, lines(view))

    run(scenario)
    first = seen["first"]
    assert first[0].split() == ["Record", "Name", "Joined"]
    assert first[1].startswith("    r0@x.org") and "Name 0" in first[1] and first[-1].split()[0] == "r10@x.org"
    assert len(first) == 12 and all(len(line) == 60 for line in first)
    assert seen["strips"] <= 12  # the header and the eleven rows on screen: not the fifty
    row, end = seen["end"]
    assert row == 49 and end[0].split() == ["Record", "Name", "Joined"] and end[-1].split()[0] == "r49@x.org"


def test_keys_move_the_cursor_and_keep_it_in_view():
    seen = {}

    async def scenario(pilot, view):
        await pilot.press("down", "down")
        seen["down"] = view.cursor_row
        await pilot.press("up")
        seen["up"] = view.cursor_row
        await pilot.press("pagedown")
        seen["pagedown"] = (view.cursor_row, view.scroll_offset.y)
        await pilot.press("pagedown", "pagedown", "pagedown", "pagedown", "pagedown", "pagedown")
        seen["bottom"] = (view.cursor_row, lines(view)[-1].split()[0])
        await pilot.press("pageup")
        seen["pageup"] = view.cursor_row
        await pilot.press("home", "up")
        seen["home"] = (view.cursor_row, view.scroll_offset.y)
        await pilot.press("enter")

    app = run(scenario)
    assert seen["down"] == 2 and seen["up"] == 1
    assert seen["pagedown"][0] == 11 and seen["pagedown"][1] == 1  # row 11 is the last line on screen
    assert seen["bottom"] == (49, "r49@x.org")
    assert seen["pageup"] == 39
    assert seen["home"] == (0, 0)
    assert app.selected == [0]
    assert app.highlighted[:3] == [0, 1, 2]


def test_a_click_selects_the_row_under_the_mouse():
    seen = {}

    async def scenario(pilot, view):
        await pilot.click(MembersView, offset=(5, 3))  # the third row (the header is line 0)
        seen["row"] = view.cursor_row
        await pilot.click(MembersView, offset=(5, 0))  # the header: nothing
        await pilot.hover(MembersView, offset=(5, 5))
        seen["hover"] = view.hover_row

    app = run(scenario)
    assert seen["row"] == 2 and app.selected == [2]
    assert seen["hover"] == 4


def test_a_new_page_and_an_updated_cell():
    seen = {}

    async def scenario(pilot, view):
        await pilot.press("end")
        view.set_rows(page(50, 20))  # a shorter page: the cursor stays on it
        await pilot.pause()
        seen["page"] = (view.cursor_row, view.scroll_offset.y, lines(view)[1].split()[0], view.row_count)
        view.set_rows(page(70, 5), cursor=0)
        view.update_cell(0, 0, Text("✓"))
        await pilot.pause()
        seen["marked"] = lines(view)[1]
        seen["cell"] = view.cell(0, 1).plain
        view.set_rows([])
        await pilot.pause()
        seen["empty"] = lines(view)

    run(scenario)
    assert seen["page"] == (19, 9, "r59@x.org", 20)
    assert seen["marked"].startswith(" ✓  r70@x.org") and seen["cell"] == "r70@x.org"
    assert seen["empty"][0].split() == ["Record", "Name", "Joined"] and not "".join(seen["empty"][1:]).strip()


def test_the_fixed_columns_stay_when_the_rest_scrolls_sideways():
    seen = {}

    async def scenario(pilot, view):
        view.set_columns(LABELS, [1, 12, 40, 30])
        await pilot.pause()
        await pilot.press("right", "right", "right")
        await pilot.pause()
        seen["scrolled"] = (view.scroll_offset.x, lines(view)[0], lines(view)[1])

    run(scenario, size=(40, 8))
    x, header, row = seen["scrolled"]
    assert x > 0
    assert header.startswith("    Record     ") and "Name" not in header[:17]
    assert row.startswith("    r0@x.org    ") and len(row) == 40
