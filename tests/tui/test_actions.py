"""The action tables: keys, menu, ? help and palette come from one declaration per screen."""

from __future__ import annotations

from dataclasses import replace

import pytest

from segtui.core import segments
from segtui.tui.actions import HasActions
from segtui.tui.app import SegtuiApp
from segtui.tui.screens.create_segment import CreateSegmentScreen
from segtui.tui.screens.deleted_segments import DeletedSegmentsScreen
from segtui.tui.screens.edit_filters import EditFiltersScreen
from segtui.tui.screens.help import HelpScreen
from segtui.tui.screens.name_modal import NameModal
from segtui.tui.screens.record_page import RecordScreen
from segtui.tui.screens.record_test import RecordTestScreen
from segtui.tui.screens.records_browser import RecordsBrowserScreen
from segtui.tui.screens.segment_detail import SegmentDetailScreen
from segtui.tui.screens.segments_list import SegmentsListScreen
from segtui.tui.widgets.filter_editor import FilterEditor

from .conftest import run
from .test_flows import open_segment

WITH_ACTIONS = [SegtuiApp, SegmentsListScreen, SegmentDetailScreen, CreateSegmentScreen, EditFiltersScreen,
                DeletedSegmentsScreen, RecordScreen, RecordsBrowserScreen, RecordTestScreen, FilterEditor]


@pytest.mark.parametrize("owner", WITH_ACTIONS, ids=lambda c: c.__name__)
def test_every_declared_action_has_its_handler_and_a_binding_id(owner):
    assert issubclass(owner, HasActions)
    for action in owner.ACTIONS.actions:
        assert callable(getattr(owner, f"action_{action.name}", None)), action.name
    ids = [binding.id for binding in owner.BINDINGS]
    assert all(ids) and len(set(ids)) == len(ids)
    assert {b.id.split(".")[0] for b in owner.BINDINGS} == {owner.ACTIONS.scope}


async def help_keys(pilot) -> dict[str, str]:
    await pilot.press("question_mark")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, HelpScreen)
    rows = {what: keys for keys, what in
            HelpScreen.rows_of(pilot.app.screen_stack[-2]) + HelpScreen.rows_of(pilot.app)}
    await pilot.press("escape")
    return rows


def test_help_lists_only_what_the_screen_offers(make_app, demo_ctx):
    seen = {}

    async def admin(pilot):
        await open_segment(pilot, "Events 2025, Bretagne")  # active
        seen["active"] = await help_keys(pilot)
        await pilot.press("escape")
        await open_segment(pilot, "Hand-picked VIPs")  # static
        seen["static"] = await help_keys(pilot)

    async def viewer(pilot):
        await open_segment(pilot, "Hand-picked VIPs")
        seen["viewer"] = await help_keys(pilot)

    run(make_app(), admin)
    run(SegtuiApp(replace(demo_ctx, read_only=True), worker_interval=0, animations=False), viewer)
    by_hand = {"Add", "Mark", "Remove", "Add a segment"}
    assert not by_hand & set(seen["active"]) and {"Filters", "Export", "Rename"} <= set(seen["active"])
    assert by_hand <= set(seen["static"])
    assert not ({"Import", "Export", "Filters", "Rename", "Delete"} | by_hand) & set(seen["viewer"])
    assert {"Back", "Actions", "Test", "Help", "Quit"} <= set(seen["viewer"])


def test_a_keymap_rebinds_a_key_by_its_binding_id(make_app):
    app = make_app()
    app.set_keymap({"segment.rename": "R"})
    target = segments.get("Events 2025, Bretagne")

    async def scenario(pilot):
        screen = await open_segment(pilot, target.name)
        await pilot.press("n")  # the old key does nothing now
        await pilot.pause()
        assert pilot.app.screen is screen
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(pilot.app.screen, NameModal)

    run(app, scenario)


def test_an_action_that_does_not_apply_does_nothing_however_it_is_reached(make_app):
    target = segments.get("Events 2025, Bretagne")  # active: members follow the filters

    async def scenario(pilot):
        screen = await open_segment(pilot, target.name)
        assert screen.check_action("add_records", ()) is False
        screen.action_add_records()  # as a stray call would
        await pilot.pause()
        assert pilot.app.screen is screen
        assert any("Convert it to static" in n.message for n in pilot.app._notifications)
        titles = {c.title for c in pilot.app.get_system_commands(screen)}
        assert "Import records" in titles and "Convert to static" in titles and "Convert to active" not in titles

    run(make_app(), scenario)
