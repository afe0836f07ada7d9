"""Snapshots of the console's frame and the article's flows in French, at 80x24 (issue 16).

One console walks the screens and takes each screenshot on the way (conftest.Shots), each
compared with its own SVG (conftest.compare), updated with ``--snapshot-update`` (then LOOK
at them: ``convert x.svg x.png``).
"""

from __future__ import annotations

import pytest

from .conftest import Shots, compare, run, search_and_open, settle, still_toasts

SIZE = (80, 24)


async def back_to_list(pilot) -> None:
    while len(pilot.app.screen_stack) > 2:
        pilot.app.pop_screen()
    await settle(pilot)
    pilot.app.screen.query_one("#search").value = ""
    pilot.app.screen.query_one("DataTable").focus()
    await settle(pilot)


async def keys(pilot, *pressed: str) -> None:
    await pilot.press(*pressed)
    await settle(pilot)


@pytest.fixture
def console(french, make_app):
    return still_toasts(make_app())


def test_an_active_segment_in_french(console, snapshot):
    """The list, an active segment's five tabs, the date picker, the Actions menu, the
    Convertir dialog, an activity entry, the help, the palette and the rename dialog."""
    shots = Shots()

    async def walk(pilot):
        await shots.take(pilot, "list")
        await search_and_open(pilot, "Events 2025, Bretagne")
        await shots.take(pilot, "detail_records")
        await keys(pilot, "2")
        await shots.take(pilot, "detail_filters")
        await keys(pilot, "3")
        await shots.take(pilot, "settings_on_a_day")
        pilot.app.screen.query_one("#pick-day").press()
        await shots.take(pilot, "calendar")
        await keys(pilot, "escape")
        pilot.app.screen.query_one("#mode").value = "after_inactivity"
        await settle(pilot)
        pilot.app.screen.query_one("#amount").value = "2"
        await shots.take(pilot, "settings_after_inactivity")
        await keys(pilot, "escape")
        await shots.take(pilot, "leave_unsaved")
        await keys(pilot, "tab", "enter")  # Annuler: back to the form, then back to what is saved
        pilot.app.screen.query_one("#mode").value = "on_day"
        pilot.app.screen.query_one("#day").value = "2026-12-28"
        await keys(pilot, "4")
        await shots.take(pilot, "activity")
        await keys(pilot, "enter")
        await shots.take(pilot, "activity_entry")
        await keys(pilot, "escape", "5")
        await shots.take(pilot, "analyze")
        await keys(pilot, "enter")
        await shots.take(pilot, "members_as_of")
        await keys(pilot, "escape", "1", "a")
        await shots.take(pilot, "actions_menu")
        await keys(pilot, "enter")
        await shots.take(pilot, "confirm_to_static")
        await keys(pilot, "escape", "question_mark")
        await shots.take(pilot, "help_segment")
        await keys(pilot, "escape", "ctrl+p")
        await shots.take(pilot, "palette")
        await keys(pilot, "escape", "n")
        await shots.take(pilot, "rename")
        await keys(pilot, "escape")

    run(console, walk, size=SIZE)
    assert {name: cut for name, cut in shots.cut.items() if cut} == {}
    assert compare(snapshot, shots) == []


def test_a_static_segment_and_the_list_in_french(console, snapshot):
    """A static segment (its menu with what is refused, its Paramètres, adding another
    segment's members), the list's type filter and help, and Créer un segment."""
    shots = Shots()

    async def walk(pilot):
        await search_and_open(pilot, "Hand-picked VIPs")
        await keys(pilot, "a")
        await shots.take(pilot, "actions_static")
        await keys(pilot, "escape", "3")
        await shots.take(pilot, "settings_static")
        await keys(pilot, "1", "m")
        await shots.take(pilot, "segment_picker")
        await keys(pilot, "escape")
        await back_to_list(pilot)
        await keys(pilot, "t", "t")
        await shots.take(pilot, "list_static")
        await keys(pilot, "question_mark")
        await shots.take(pilot, "help_list")
        await keys(pilot, "escape", "n")
        await shots.take(pilot, "create_segment")
        await keys(pilot, "escape")

    run(console, walk, size=SIZE)
    assert {name: cut for name, cut in shots.cut.items() if cut} == {}
    assert compare(snapshot, shots) == []
