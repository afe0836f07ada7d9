"""The action tables: keys, menu, ? help and palette come from one declaration per screen."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.widgets._footer import FooterKey

from segtui.core import segments
from segtui.tui.actions import HasActions, MenuEntry
from segtui.tui.app import SegtuiApp
from segtui.tui.keys import binding_key_name
from segtui.tui.screens.actions_menu import ActionsMenu
from segtui.tui.screens.create_segment import CreateSegmentScreen
from segtui.tui.screens.deleted_segments import DeletedSegmentsScreen
from segtui.tui.screens.edit_filters import EditFiltersScreen
from segtui.tui.screens.help import HelpScreen
from segtui.tui.screens.import_mapping import ImportMappingScreen
from segtui.tui.screens.name_modal import NameModal
from segtui.tui.screens.properties_screen import PropertiesScreen
from segtui.tui.screens.record_page import RecordScreen
from segtui.tui.screens.record_test import RecordTestScreen
from segtui.tui.screens.records_browser import RecordsBrowserScreen
from segtui.tui.screens.segment_detail import SegmentDetailScreen
from segtui.tui.screens.segments_list import SegmentsListScreen
from segtui.tui.screens.folders import FoldersScreen
from segtui.tui.screens.members_as_of import MembersAsOfScreen
from segtui.tui.screens.overlap import OverlapScreen
from segtui.tui.screens.unused import UnusedScreen
from segtui.tui.screens.upcoming import UpcomingScreen
from segtui.tui.widgets.filter_editor import FilterEditor
from segtui.tui.widgets.size_chart import SizeChart

from .conftest import run, settle
from .test_flows import open_segment
from .test_palette_commands import PLACES

WITH_ACTIONS = [SegtuiApp, SegmentsListScreen, SegmentDetailScreen, CreateSegmentScreen, EditFiltersScreen,
                DeletedSegmentsScreen, RecordScreen, RecordsBrowserScreen, RecordTestScreen, FilterEditor,
                PropertiesScreen, ImportMappingScreen,
                # issue 14's views
                MembersAsOfScreen, UpcomingScreen, OverlapScreen, UnusedScreen, FoldersScreen, SizeChart]


@pytest.mark.parametrize("owner", WITH_ACTIONS, ids=lambda c: c.__name__)
def test_every_declared_action_has_its_handler_and_a_binding_id(owner):
    assert issubclass(owner, HasActions)
    for action in owner.ACTIONS.actions:
        assert callable(getattr(owner, f"action_{action.name}", None)), action.name
    ids = [binding.id for binding in owner.BINDINGS]
    assert all(ids) and len(set(ids)) == len(ids)
    assert {b.id.split(".")[0] for b in owner.BINDINGS} == {owner.ACTIONS.scope}


def help_lines(app) -> dict[str, str]:
    """The ? help as it shows: action -> its keys (the fixed lines about tables and fields left out)."""
    help_screen = app.screen
    assert isinstance(help_screen, HelpScreen)
    keys, what = (list(column.cells) for column in help_screen.keys_table().columns)
    return {w: str(k) for k, w in zip(keys, what) if w not in FIXED_HELP}


FIXED_HELP = {"Command palette", "Move between fields", "Move in tables", "Open / choose"}


async def help_keys(pilot) -> dict[str, str]:
    await pilot.press("question_mark")
    await pilot.pause()
    rows = help_lines(pilot.app)
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


# -- the four surfaces never disagree ------------------------------------------------------------
def surfaces_disagree(app, screen, help_rows: dict[str, str], menu: list[MenuEntry] | None) -> list[str]:
    """Each action of every table on this screen (the app's, the screen's, a widget's) against
    what the footer, the ? help, the Actions menu and the palette show: each shows it exactly
    when it applies here (its check_action), with its key as bound now. Empty when they agree."""
    footer = {key.action: key for key in screen.query(FooterKey) if not key.has_class("-command-palette")}
    palette = {command.title: command.help for command in app.get_system_commands(screen)}
    hidden = getattr(screen, "PALETTE_HIDES", frozenset())
    bound = {}  # binding id -> the keys that reach it now (after the keymap; not a key a field takes)
    for key, active in screen.active_bindings.items():
        if active.enabled and active.binding.id:
            bound.setdefault(active.binding.id, []).append(binding_key_name(active.binding, key))
    owners = [app, screen, *(w for w in screen.walk_children() if isinstance(w, HasActions))]
    problems, listed = [], 0
    for owner in owners:
        in_focus_chain = owner is app or owner is screen or owner in (app.focused.ancestors_with_self
                                                                      if app.focused else ())
        for action in owner.ACTIONS.actions:
            where = f"{type(owner).__name__}.{action.name}"
            applies = owner.check_action(action.name, ()) is not False
            if action.key and in_focus_chain:
                keys = bound.get(f"{owner.ACTIONS.scope}.{action.name}")
                if applies != (keys is not None) or help_rows.get(action.label) != (",".join(keys or []) or None):
                    problems.append(f"{where}: applies={applies}, bound to {keys}, ? help says {help_rows.get(action.label)!r}")
                listed += keys is not None
                if action.show and applies != (action.name in footer):
                    problems.append(f"{where}: applies={applies}, footer shows it: {action.name in footer}")
            if action.menu:
                entry = next((e for e in menu or [] if e.action == action.name), None)
                refused_here = entry is not None and action.elsewhere is not None and entry.reason == action.elsewhere[1]
                if applies != (entry is not None and not refused_here):
                    problems.append(f"{where}: applies={applies}, menu entry {entry}")
                says = palette.get(action.heading)
                if (says is None) != (entry is None) or (entry and bool(entry.blocked) != says.startswith("Not available")):
                    problems.append(f"{where}: menu entry {entry}, palette says {says!r}")
            elif action.palette and not (owner is app and action.name in hidden):
                if applies != (action.heading in palette):
                    problems.append(f"{where}: applies={applies}, in the palette: {action.heading in palette}")
    if listed != len(help_rows):
        problems.append(f"the ? help lists {len(help_rows) - listed} line(s) no action table offers: {help_rows}")
    return problems


async def check_surfaces(pilot, place: str, found: dict[str, list[str]]) -> None:
    app, screen = pilot.app, pilot.app.screen
    await pilot.press("question_mark")
    await settle(pilot)
    help_rows = help_lines(app)
    await pilot.press("escape")
    await settle(pilot)
    menu = None
    if isinstance(screen, SegmentDetailScreen):
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ActionsMenu)
        menu = app.screen.entries
        await pilot.press("escape")
        await settle(pilot)
    assert app.screen is screen
    found[place] = surfaces_disagree(app, screen, help_rows, menu)


ADMIN_ONLY = ("editor", "mapping")  # a viewer edits no filters and imports nothing


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_footer_help_menu_and_palette_agree_for_every_role_and_place(make_app, demo_ctx, role):
    """One console per role visits every place in turn (each from the segments list as it
    first showed: test_palette_commands.PLACES) and checks the four surfaces there."""
    places = [place for place in PLACES if not (role == "viewer" and place in ADMIN_ONLY)]
    found: dict[str, list[str]] = {}

    async def scenario(pilot):
        for place in places:
            await PLACES[place](pilot)
            await check_surfaces(pilot, place, found)

    if role == "admin":
        app = make_app()
    else:
        app = SegtuiApp(replace(demo_ctx, read_only=True), worker_interval=0, animations=False)
    run(app, scenario, size=(120, 40))
    assert list(found) == places
    assert {place: problems for place, problems in found.items() if problems} == {}, role


def test_a_rebound_key_is_the_one_the_footer_and_the_help_show(make_app):
    app = make_app()
    app.set_keymap({"segment.rename": "R", "segment.edit_filters": "E", "app.help": "f1"})
    found: dict[str, list[str]] = {}

    async def scenario(pilot):
        screen = await open_segment(pilot, "Events 2025, Bretagne")
        await settle(pilot)
        footer = {key.action: key.key for key in screen.query(FooterKey)}
        await pilot.press("f1")
        await settle(pilot)
        found["help"] = help_lines(pilot.app)
        await pilot.press("escape")
        await settle(pilot)
        found["footer"] = footer

    run(app, scenario, size=(120, 40))
    # (Rename is not in the footer: the footer keeps its room for the keys used most)
    assert found["footer"]["edit_filters"] == "E" and found["help"]["Filters"] == "E"
    assert "rename" not in found["footer"] and found["help"]["Rename"] == "R"
    assert found["help"]["Help"] == "f1"


def test_a_viewer_restores_nothing_with_enter_either(demo_ctx):
    """Enter on a row reaches the restore action through its table, as the r key does."""
    gone = segments.get("Events 2025, Bretagne")
    segments.delete(demo_ctx, gone.id)
    viewer = SegtuiApp(replace(demo_ctx, read_only=True), worker_interval=0, animations=False)
    notices = []

    async def scenario(pilot):
        await pilot.press("D")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DeletedSegmentsScreen) and pilot.app.screen.ids == [gone.id]
        for key in ("enter", "r"):
            await pilot.press(key)
            await settle(pilot)
        notices.extend(n.message for n in pilot.app._notifications)

    run(viewer, scenario)
    assert [s.id for s in segments.deleted(demo_ctx)] == [gone.id]
    assert notices == ["This console is read-only: restore is not offered."]
