"""The analysis views in the console (issue 14): the Analyze tab's chart and its cursor,
members as of a day, overlap with a segment made from a region, the upcoming-conversions
calendar. Pilot flows, and snapshots at 80x24, 120x40 and under NO_COLOR."""

from __future__ import annotations

from dataclasses import replace

import pendulum
import pytest
from textual.widgets import DataTable, Input

from segtui.core import history, overlap, segments
from segtui.tui.screens.members_as_of import MembersAsOfScreen
from segtui.tui.screens.name_modal import NameModal
from segtui.tui.screens.overlap import OverlapScreen
from segtui.tui.screens.segment_detail import SegmentDetailScreen
from segtui.tui.screens.segment_picker import SegmentPicker
from segtui.tui.screens.unused import UnusedScreen
from segtui.tui.screens.upcoming import UpcomingScreen
from segtui.tui.widgets.members_view import MembersView
from segtui.tui.widgets.row_list import RowList
from segtui.tui.widgets.size_chart import SizeChart

from .conftest import SIZES, compare, run, scenario, search_and_open, wait_until, walk
from .lived import NAME, give_history


@pytest.fixture
def lived(demo_ctx, clock) -> int:
    return give_history(demo_ctx, clock)


async def open_lived(pilot) -> None:
    await search_and_open(pilot, NAME)  # the name set at once: typing it is the search tests' part


async def analyze(pilot, *pressed) -> None:
    await open_lived(pilot)
    await pilot.press("5", *pressed)
    await pilot.pause()


async def _analyze_moved(pilot):
    await analyze(pilot, "left", "left", "left")


async def _analyze_year(pilot):
    await analyze(pilot, "z", "z")


async def _members_as_of(pilot):
    await analyze(pilot, "left", "left", "left", "left", "left", "left", "left", "enter")


async def _records_as_of(pilot):
    await open_lived(pilot)
    await pilot.press("w", *"2026-11-20", "enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _upcoming(pilot):
    await pilot.press("C")
    await pilot.pause()


async def choose_segment(pilot, name: str) -> None:
    """In the segment picker, type part of a name, wait for the list to offer it first, Enter."""
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, SegmentPicker), "the segment picker")
    picker = pilot.app.screen
    picker.query_one("#segment-search").value = name
    choices = picker.query_one("#segment-choices")

    def offered() -> bool:
        return choices.option_count > 0 and str(choices.get_option_at_index(0).prompt).startswith(name)

    await wait_until(pilot, offered, f"{name!r} first in the segment picker")
    await pilot.press("enter")
    await pilot.pause()


async def _overlap(pilot):
    await analyze(pilot, "o")
    await choose_segment(pilot, "Newsletter, Normandie")


async def _overlap_three(pilot):
    await _overlap(pilot)
    await pilot.press("plus")
    await choose_segment(pilot, "Events 2025")


SCREENS = {
    "analyze": scenario(_analyze_moved),
    "analyze_year": scenario(_analyze_year),
    "records_as_of": scenario(_records_as_of),
    "members_as_of": scenario(_members_as_of),
    "upcoming": scenario(_upcoming),
    "overlap": scenario(_overlap),
    "overlap_three": scenario(_overlap_three),
}


@pytest.mark.parametrize("size", list(SIZES))
def test_screens(snapshot, make_app, lived, size):
    """One console walks the screens (conftest.walk)."""
    assert compare(snapshot, walk(make_app(), SCREENS, SIZES[size])) == []


def test_screens_without_colour(snapshot, make_app, lived, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    assert app.no_color
    screens = ["analyze", "upcoming", "overlap", "records_as_of", "members_as_of"]
    assert compare(snapshot, walk(app, {name: SCREENS[name] for name in screens}, (80, 24))) == []


# ------------------------------------------------------------------ flows


def test_the_cursor_moves_day_by_day_and_shows_the_days_figures(make_app, lived, demo_ctx):
    app = make_app()
    today = demo_ctx.today()
    expected = history.size_history(demo_ctx, lived, first=today.subtract(days=29), last=today)

    async def scenario(pilot):
        await analyze(pilot)
        chart = pilot.app.screen.query_one(SizeChart)
        assert pilot.app.focused is chart
        assert chart.data.periods[chart.cursor].first_day == today
        for step in range(1, 8):
            await pilot.press("left")
            period = expected.periods[-1 - step]
            assert chart.data.periods[chart.cursor] == period
            shown = str(chart.query_one("#chart-day").render())
            assert period.first_day.format("ddd D MMM YYYY") in shown
            assert f"size {period.size:,}" in shown and f"+{period.added:,} added" in shown
        await pilot.press("right", "end")
        assert chart.cursor == len(chart.data.periods) - 1
        await pilot.press("z", "z")  # 90 days, then a year: 365 days, the cursor stays on its day
        assert (len(chart.data.periods), chart.data.grain) == (365, "day")
        assert chart.data.periods[chart.cursor].first_day == today
        await pilot.press("z")  # all: since the segment was created
        assert chart.data.periods[0].first_day == today.subtract(days=120)
        kinds = {m.kind for m in chart.data.markers}
        assert {"created", "schedule", "converted"} <= kinds
        await pilot.press("Z")  # back from all to a year
        assert (len(chart.data.periods), chart.data.grain) == (365, "day")
        # the digits still show the page's tabs from the chart (the ranges are not on them)
        tabs = pilot.app.screen.query_one("#tabs")
        await pilot.press("1")
        assert tabs.active == "tab-records" and pilot.app.focused is pilot.app.screen.query_one("#members")
        await pilot.press("5")
        assert tabs.active == "tab-analyze" and pilot.app.focused is chart

    run(app, scenario)


def test_enter_lists_the_members_of_the_cursors_day(make_app, lived, demo_ctx):
    app = make_app()
    day = demo_ctx.today().subtract(days=5)
    then = {r for (r,) in history.member_ids_at(lived, history.end_of_day(day, demo_ctx.tz)).query().tuples()}

    async def scenario(pilot):
        await analyze(pilot, *["left"] * 5, "enter")
        screen = pilot.app.screen
        assert isinstance(screen, MembersAsOfScreen) and screen.day == day
        assert screen.total == len(then)
        shown = {int(k.value) for k in screen.query_one(DataTable).rows}
        assert shown <= then and len(shown) == min(50, len(then))
        # another day typed; a bad one is refused where it is typed, the list stays
        field = screen.query_one("#as-of-day", Input)
        field.value = "2026-02-30"
        await pilot.press("tab", "shift+tab")
        field.focus()
        await pilot.press("enter")
        assert "not a day" in str(screen.query_one("#as-of-error").render()) and screen.day == day
        field.value = "2026-12-25"
        await pilot.press("enter")
        assert "in the future" in str(screen.query_one("#as-of-error").render())
        field.value = day.subtract(days=120).isoformat()  # before the segment was created
        await pilot.press("enter")
        await pilot.pause()
        assert screen.total == 0 and str(screen.query_one("#as-of-error").render()) == ""

    run(app, scenario)


def test_the_records_tab_as_of_a_past_day(make_app, lived, demo_ctx):
    """w: the Records tab lists who was a member at the end of a typed day, page by page; a bad
    or future day is refused where it is typed; an empty day goes back to today's members."""
    app = make_app()
    day = demo_ctx.today().subtract(days=6)
    then = history.member_ids_at(lived, history.end_of_day(day, demo_ctx.tz))
    then_ids = sorted(r for (r,) in then.query().tuples())
    today_size = segments.get(lived).size
    assert len(then_ids) > 50 and set(then_ids) != {r for (r,) in history.MembersAt(lived).query().tuples()}

    async def scenario(pilot):
        await open_lived(pilot)
        screen = pilot.app.screen
        await pilot.press("w")
        field = screen.query_one("#records-as-of", Input)
        assert pilot.app.focused is field
        await pilot.press(*day.isoformat(), "enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        table = screen.query_one("#members", MembersView)
        assert screen.as_of == day and screen.as_of_total == len(then_ids)
        assert screen.as_of_ids == then_ids[:50] and table.row_count == 50
        status = str(screen.query_one("#members-status").render())
        assert f"of {len(then_ids):,} at the end of {day.format('ddd D MMM YYYY')}" in status
        assert not screen.check_action("mark", ()) and not screen.check_action("remove_records", ())
        await pilot.press("right_square_bracket")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.as_of_ids == then_ids[50:100]
        # } the last page and [ back from it, read by keyset from the edges of the page shown
        held = len(then_ids) - (len(then_ids) - 1) // 50 * 50
        await pilot.press("right_curly_bracket")
        await pilot.pause()
        assert screen.as_of_ids == then_ids[-held:] and f"{len(then_ids):,} at the end of" in str(
            screen.query_one("#members-status").render())
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert screen.as_of_ids == then_ids[len(then_ids) - held - 50 : len(then_ids) - held]
        await pilot.press("left_curly_bracket")
        await pilot.pause()
        assert screen.as_of_ids == then_ids[:50]
        # a day that is not one, and one to come: refused beside the field, the table stays
        for bad, words in (("2026-02-30", "not a day"), ("2026-12-25", "in the future")):
            field.value = bad
            field.focus()
            await pilot.press("enter")
            assert words in str(screen.query_one("#as-of-hint").render()) and screen.as_of == day
        # emptied: today's members again
        field.value = ""
        field.focus()
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.as_of is None and table.row_count == min(50, today_size)
        assert str(screen.query_one("#members-status").render()).startswith(f"Members 1–{min(50, today_size)} of")

    run(app, scenario)


def test_overlap_and_a_static_segment_from_a_region(make_app, lived, demo_ctx):
    app = make_app()
    other = segments.get("Newsletter, Normandie or Bretagne")
    expected = overlap.overlap([lived, other.id])

    async def scenario(pilot):
        await _overlap(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, OverlapScreen) and screen.result.regions == expected.regions
        table = screen.query_one(DataTable)
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == "3"  # in both, first
        await pilot.press("s")
        assert isinstance(pilot.app.screen, NameModal)
        pilot.app.screen.query_one(Input).value = "Readers in the newsletter"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, SegmentDetailScreen)
        made = segments.get("Readers in the newsletter")
        assert (made.type, made.size) == ("static", expected.regions[3])

    run(app, scenario)


def test_overlap_picker_cancelled_goes_back(make_app, lived):
    app = make_app()

    async def scenario(pilot):
        await analyze(pilot, "o")
        assert isinstance(pilot.app.screen, SegmentPicker)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, SegmentDetailScreen)

    run(app, scenario)


def test_upcoming_calendar_opens_the_segment(make_app, lived, demo_ctx):
    app = make_app()

    async def scenario(pilot):
        await pilot.press("C")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, UpcomingScreen)
        names = [u.name for u in screen.cal.upcoming]
        assert names == ["Webinar October 2026", "Spring campaign, engaged", "Events 2025, Bretagne"]
        assert screen.selected == demo_ctx.today()  # the overdue one counts on today
        await pilot.press("pagedown")
        assert screen.selected == pendulum.Date(2026, 12, 1)
        listing = screen.query_one("#upcoming-list", RowList)
        assert listing.cursor_row == 1  # the first conversion from 1 December: Spring campaign on the 26th
        await pilot.press("tab", "enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, SegmentDetailScreen)
        assert pilot.app.screen.segment.name == "Spring campaign, engaged"

    run(app, scenario)


def test_the_upcoming_list_moves_and_opens_by_keys_and_clicks(make_app, lived):
    """The list is drawn line by line (RowList): its cursor, its keys and a click on a row."""
    app = make_app()

    async def scenario(pilot):
        await pilot.press("C")
        await pilot.pause()
        listing = pilot.app.screen.query_one("#upcoming-list", RowList)
        assert (listing.row_count, listing.cursor_row) == (3, 0)
        await pilot.press("tab", "end")
        assert pilot.app.focused is listing and listing.cursor_row == 2
        await pilot.press("home", "down", "down", "down")  # stops at the last row
        assert listing.cursor_row == 2
        await pilot.press("up")
        assert listing.key_at(listing.cursor_row) == str(segments.get("Spring campaign, engaged").id)
        await pilot.click("#upcoming-list", offset=(3, 0))  # the header's line: nothing
        assert listing.cursor_row == 1
        await pilot.click("#upcoming-list", offset=(3, 3))  # the third row: highlighted
        assert listing.cursor_row == 2 and isinstance(pilot.app.screen, UpcomingScreen)
        await pilot.click("#upcoming-list", offset=(3, 3))  # again: opened
        await pilot.pause()
        assert isinstance(pilot.app.screen, SegmentDetailScreen)
        assert pilot.app.screen.segment.name == "Events 2025, Bretagne"

    run(app, scenario)


# ------------------------------------------------------------------ why is this record here


@pytest.fixture
def joined_by_an_edit(demo_ctx, clock) -> int:
    """A contact that joins 'Events 2025, Bretagne' after bob set its region, and left VIPs."""
    from segtui.core import membership, records
    from segtui.core.models import Contact

    who = Contact.select().where((Contact.region == "Normandie") & (Contact.events_attended >= 1)).first()
    vips = segments.get("Hand-picked VIPs")
    membership.add_records(demo_ctx, vips.id, [who.id])
    clock.advance(minutes=5)
    records.set_property(replace(demo_ctx, actor="bob"), "contacts", who.id, "region", "Bretagne")
    clock.advance(minutes=1)
    membership.refresh(replace(demo_ctx, actor="worker"), segments.get("Events 2025, Bretagne").id)
    clock.advance(minutes=10)
    membership.remove_records(demo_ctx, vips.id, [who.id])
    return who.id


async def _record_page(pilot):
    from segtui.tui.screens.record_page import RecordScreen

    pilot.app.push_screen(RecordScreen("contacts", pilot.app.why_record))
    await pilot.pause()


def test_the_record_page_says_why(make_app, joined_by_an_edit):
    app = make_app()
    app.why_record = joined_by_an_edit

    async def scenario(pilot):
        await _record_page(pilot)
        text = str(pilot.app.screen.query_one("#record-why").render())
        assert "Events 2025, Bretagne" in text and "through its filters after region changed from 'Normandie' " \
               "to 'Bretagne' by bob" in " ".join(text.split())
        assert "matches group 1" in text
        assert "Past memberships" in text and "removed by hand by alice" in " ".join(text.split())

    run(app, scenario, size=(120, 40))


@pytest.mark.parametrize("size", list(SIZES))
def test_record_page_snapshot(snap_compare, make_app, joined_by_an_edit, size):
    app = make_app()
    app.why_record = joined_by_an_edit
    assert snap_compare(app, terminal_size=SIZES[size], run_before=scenario(_record_page))


def test_record_page_without_colour(snap_compare, make_app, joined_by_an_edit, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    app.why_record = joined_by_an_edit
    assert snap_compare(app, terminal_size=(80, 24), run_before=scenario(_record_page))


# ------------------------------------------------------------------ unused segments


def test_unused_view_marks_and_deletes_to_the_bin(make_app, demo_ctx, clock):
    from segtui.core import usage
    from segtui.tui.screens.confirm import ConfirmModal
    from segtui.tui.screens.unused import UnusedScreen

    clock.advance(days=100)
    expected = [s.name for s in usage.unused(demo_ctx, 90)]
    assert "Hand-picked VIPs" not in expected  # 'Customers not in VIPs' reads it
    app = make_app()

    async def scenario(pilot):
        await pilot.press("U")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, UnusedScreen)
        assert [s.name for s in screen.rows] == expected
        field = screen.query_one("#unused-days", Input)
        field.value = "0"
        field.focus()
        await pilot.press("enter")
        assert "whole number" in str(screen.query_one("#unused-error").render()) and screen.days == 90
        screen.query_one(DataTable).focus()
        await pilot.press("space", "space", "delete")
        assert isinstance(pilot.app.screen, ConfirmModal)
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert [s.name for s in screen.rows] == expected[2:]
        assert {s.name for s in segments.deleted(demo_ctx)} == set(expected[:2])

    run(app, scenario)


async def open_unused_and_mark_the_first(pilot):
    """``U``, then ``space`` once the list has the focus: sent at once, on a loaded machine the
    space reached the segments list before the Unused screen took the keys, and marked nothing."""
    await pilot.press("U")
    for _attempt in range(500):
        screen = pilot.app.screen
        if isinstance(screen, UnusedScreen) and screen.query_one(DataTable).has_focus:
            break
        await pilot.pause(0.01)
    else:
        raise AssertionError(f"the Unused screen never took the keys: {pilot.app.screen}")
    await pilot.press("space")
    await pilot.pause()


@pytest.mark.parametrize("size", list(SIZES))
def test_unused_snapshot(snap_compare, make_app, clock, size):
    clock.advance(days=100)
    assert snap_compare(make_app(), terminal_size=SIZES[size], run_before=scenario(open_unused_and_mark_the_first))


def test_unused_without_colour(snap_compare, make_app, clock, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    clock.advance(days=100)
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=scenario(open_unused_and_mark_the_first))


def test_the_members_as_of_screen_leaves_the_records_tabs_as_of_where_it_was(make_app, lived):
    """A screen's stylesheet applies app-wide once loaded: the members-as-of screen's label rule
    once moved the Records tab's "As of" field one column right."""
    app = make_app()

    async def scenario(pilot):
        await open_lived(pilot)
        before = pilot.app.screen.query_one("#records-as-of").region.x
        await pilot.press("5", "enter")
        assert isinstance(pilot.app.screen, MembersAsOfScreen)
        await pilot.press("escape")
        await pilot.pause()
        pilot.app.screen.query_one("#tabs").active = "tab-records"
        await pilot.pause()
        assert pilot.app.screen.query_one("#records-as-of").region.x == before

    run(app, scenario)
