"""Folders and descriptions in the console (issue 14): the list shows one folder or all, marks
segments and moves them to a folder; folders are made, renamed and deleted (not while they
hold something); a segment is described from its page. Pilot flows and snapshots."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input

from segtui.core import folders, segments
from segtui.core.models import Segment
from segtui.tui.screens.confirm import ConfirmModal
from segtui.tui.screens.folders import FoldersScreen
from segtui.tui.screens.name_modal import NameModal
from segtui.tui.screens.segment_detail import SegmentDetailScreen
from segtui.tui.screens.segments_list import SegmentsListScreen

from .conftest import SIZES, compare, run, scenario, settle, walk


@pytest.fixture
def filed(demo_ctx) -> dict:
    """Marketing (with Events inside it) holding two segments; one segment described."""
    marketing = folders.create(demo_ctx, "Marketing")
    events = folders.create(demo_ctx, "Events", marketing.id)
    names = [s.name for s in Segment.select().where(Segment.deleted_at.is_null()).order_by(Segment.name_key)]
    folders.move(demo_ctx, [(segments.get(names[0]).id, None)], marketing.id)
    folders.move(demo_ctx, [(segments.get(names[1]).id, None)], events.id)
    folders.describe(demo_ctx, segments.get(names[0]).id, "Everyone we met at the 2025 fairs")
    return {"marketing": marketing.id, "events": events.id, "names": names}


def rows(screen) -> list[str]:
    return [k.value for k in screen.query_one(DataTable).rows]


def test_the_list_shows_a_folder_and_moves_marked_segments(make_app, demo_ctx, filed):
    app = make_app()
    names = filed["names"]

    async def scenario(pilot):
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, SegmentsListScreen)
        about = str(screen.query_one("#list-about").render())
        assert "Marketing" in about and "Everyone we met at the 2025 fairs" in about
        await pilot.press("f")
        picker = pilot.app.screen
        assert isinstance(picker, FoldersScreen)
        assert rows(picker) == ["all", str(filed["marketing"]), str(filed["events"])]
        await pilot.press("down", "enter")  # Marketing, with Events inside it
        await settle(pilot)
        shown = [segments.get(int(k)).name for k in rows(screen)]
        assert shown == names[:2]
        assert "in 'Marketing'" in str(screen.query_one("#list-status").render())
        # back to all, mark two others and move them into Events
        await pilot.press("f")
        assert pilot.app.screen.query_one(DataTable).cursor_row == 1  # on the folder shown
        await pilot.press("up", "enter")
        await settle(pilot)
        assert screen.folder is None and len(rows(screen)) == len(names)
        table = screen.query_one(DataTable)
        table.move_cursor(row=2)
        await pilot.press("space", "space")
        assert [segments.get(i).name for i in screen.marked] == names[2:4]
        assert "2 marked: M moves them" in str(screen.query_one("#list-status").render())
        await pilot.press("M")
        picker = pilot.app.screen
        assert isinstance(picker, FoldersScreen) and rows(picker)[0] == "top"
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        moved = [segments.get(n) for n in names[2:4]]
        assert {s.folder_id for s in moved} == {filed["events"]} and not screen.marked
        # the highlighted segment alone goes back to the top
        table.move_cursor(row=rows(screen).index(str(moved[0].id)))
        await pilot.press("M", "enter")  # the cursor starts on the top level
        await settle(pilot)
        assert segments.get(moved[0].id).folder_id is None

    run(app, scenario)


def test_folders_are_made_renamed_and_deleted_only_when_empty(make_app, demo_ctx, filed):
    app = make_app()

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("f")
        picker = pilot.app.screen
        await pilot.press("down", "n")  # a new folder inside Marketing
        modal = pilot.app.screen
        assert isinstance(modal, NameModal)
        await pilot.press(*"events")  # taken there, ignoring case: refused as it is typed
        await settle(pilot)
        assert "already exists" in str(modal.query_one("#name-error").render())
        modal.query_one(Input).value = "Webinars"
        await pilot.press("enter")
        await settle(pilot)
        made = folders.get("Marketing/Webinars")
        assert pilot.app.screen is picker and str(made.id) in rows(picker)
        await pilot.press("e")  # rename the highlighted (new) folder
        pilot.app.screen.query_one(Input).value = "Webinars 2026"
        await pilot.press("enter")
        await settle(pilot)
        assert folders.get(made.id).name == "Webinars 2026"
        # Marketing holds a segment and folders: refused beside the list, nothing asked
        picker.query_one(DataTable).move_cursor(row=1)
        await pilot.press("delete")
        assert pilot.app.screen is picker
        assert "holds 1 segment:" in str(picker.query_one("#folders-error").render())
        # the empty one is deleted after a confirmation
        picker.query_one(DataTable).move_cursor(row=rows(picker).index(str(made.id)))
        await pilot.press("delete")
        assert isinstance(pilot.app.screen, ConfirmModal)
        await pilot.press("enter")
        await settle(pilot)
        assert str(made.id) not in rows(picker)
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, SegmentsListScreen)

    run(app, scenario)


def test_a_viewer_neither_moves_nor_makes_folders(make_app, demo_ctx, filed):
    from dataclasses import replace

    app = make_app()
    app.ctx = replace(demo_ctx, read_only=True)

    async def scenario(pilot):
        await settle(pilot)
        screen = pilot.app.screen
        assert not screen.check_action("move", ()) and not screen.check_action("mark", ())
        await pilot.press("f")
        picker = pilot.app.screen
        assert isinstance(picker, FoldersScreen)
        assert not picker.check_action("new_folder", ()) and not picker.check_action("delete_folder", ())

    run(app, scenario)


def test_describe_a_segment_from_its_page(make_app, demo_ctx, filed):
    app = make_app()
    name = filed["names"][2]

    async def scenario(pilot):
        await settle(pilot)
        await pilot.press("slash", *name, "enter", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SegmentDetailScreen)
        await pilot.press("d")
        modal = pilot.app.screen
        modal.query_one(Input).value = "x" * 2001
        await settle(pilot)
        assert "at most 2,000" in str(modal.query_one("#name-error").render())
        modal.query_one(Input).value = "Contacts for the spring mailing"
        await pilot.press("enter")
        await settle(pilot)
        assert segments.get(name).description == "Contacts for the spring mailing"
        assert "Contacts for the spring mailing" in str(pilot.app.screen.query_one("#segment-facts").render())

    run(app, scenario)


async def _folders_picker(pilot):
    await settle(pilot)
    await pilot.press("f")
    await pilot.pause()


async def _folder_shown(pilot):
    await _folders_picker(pilot)
    await pilot.press("down", "enter")
    await settle(pilot)


SCREENS = {"folders": scenario(_folders_picker), "folder_list": scenario(_folder_shown)}


@pytest.mark.parametrize("size", list(SIZES))
def test_folder_screens(snapshot, make_app, filed, size):
    """One console walks both screens (conftest.walk)."""
    assert compare(snapshot, walk(make_app(), SCREENS, SIZES[size])) == []


def test_folder_screens_without_colour(snapshot, make_app, filed, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    assert app.no_color
    assert compare(snapshot, walk(app, SCREENS, (80, 24))) == []
