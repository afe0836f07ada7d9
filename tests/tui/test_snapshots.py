"""Snapshots of every screen and modal at 80x24 and 120x40 (fixed clock, demo seed).

Each screen is a scenario from the segments list; one console walks several of them (a fresh
segments list before each: conftest.walk) and each screenshot is compared with its own SVG."""

from __future__ import annotations

from pathlib import Path

import pytest

from segtui.core import segments
from segtui.core.models import Contact

from .conftest import SIZES, compare, keys, scenario, screen_lines, search_and_open, settle, still_toasts, walk


async def open_named(pilot, name: str) -> None:
    await search_and_open(pilot, name)


def opened(name):
    async def step(pilot):
        await open_named(pilot, name)

    return step


SCREENS = {
    "list": scenario(),
    "list_static_filter": scenario(keys("t", "t")),
    "detail_records": scenario(opened("Events 2025, Bretagne")),
    "actions_menu": scenario(opened("Events 2025, Bretagne"), keys("a")),
    "confirm_to_static": scenario(opened("Events 2025, Bretagne"), keys("a", "enter")),
    "actions_blocked": scenario(opened("Hand-picked VIPs"), keys("a")),
    "settings_active": scenario(opened("Spring campaign, engaged"), keys("g")),
    "settings_static": scenario(opened("Hand-picked VIPs"), keys("g")),
    "help": scenario(keys("question_mark")),
}


async def _show_filters_tab(pilot):
    pilot.app.screen.query_one("#tabs").active = "tab-filters"
    await pilot.pause()


async def _open_calendar(pilot):
    pilot.app.screen.query_one("#pick-day").press()
    await pilot.pause()


SCREENS["detail_filters"] = scenario(opened("Newsletter, Normandie or Bretagne"), _show_filters_tab)
SCREENS["calendar"] = scenario(opened("Events 2025, Bretagne"), keys("g"), _open_calendar)


# -- building segments (issue 4) ------------------------------------------------------------
def value_of(selector, text):
    """Set a field as typing would (Input.Changed), without a Pilot key press per character."""

    async def step(pilot):
        pilot.app.screen.query_one(selector).value = text
        await pilot.pause()

    return step


def typed(text):
    async def step(pilot):
        await pilot.press(*text)
        await pilot.pause()

    return step


async def _test_a_normandie_contact(pilot):
    # one who passes the events filter and fails the region filter
    who = Contact.select().where((Contact.region == "Normandie") & (Contact.events_attended >= 1)).first()
    pilot.app.screen.query_one("#picker-search").value = who.email
    await settle(pilot)
    await pilot.press("enter")  # chooses


SCREENS.update({
    "editor_empty": scenario(keys("n"), settle),
    "editor_groups": scenario(opened("Newsletter, Normandie or Bretagne"), keys("e"), settle),
    "editor_error": scenario(opened("Hand-picked VIPs"), keys("e", "n"), typed("segm"), keys("enter", "tab"),
                             value_of("#segment-search", "customers"), keys("enter", "enter"), settle),
    "filter_form": scenario(keys("n"), value_of("#name", "Bretons"), keys("tab", "tab", "tab", "n"), typed("reg"),
                            keys("enter", "tab"), value_of("#values-text", "Bretagne, Normandie"), settle),
    "record_picker": scenario(opened("Hand-picked VIPs"), keys("plus"), value_of("#picker-search", "claire"), settle,
                              keys("down", "space", "space")),
    "test_record": scenario(opened("Events 2025, Bretagne"), keys("t"), _test_a_normandie_contact, settle),
    "records_browser": scenario(keys("b"), settle),
    "deleted": scenario(opened("Webinar October 2026"), keys("delete", "enter"), settle, keys("D")),
})


# -- issue 15: the screens a newcomer meets that had no snapshot ----------------------------------
SCREENS.update({
    "activity": scenario(opened("Events 2025, Bretagne"), keys("4")),
    "activity_entry": scenario(opened("Events 2025, Bretagne"), keys("4", "enter")),
    "help_detail": scenario(opened("Events 2025, Bretagne"), keys("question_mark")),
    "record_page": scenario(keys("b"), settle, keys("enter"), settle),
    "record_delete": scenario(keys("b"), settle, keys("enter"), settle, keys("delete")),
    "import": scenario(keys("i")),
    "export": scenario(opened("Hand-picked VIPs"), keys("x")),
    "settings_unsaved": scenario(opened("Events 2025, Bretagne"), keys("g"), value_of("#mode", "after_inactivity"),
                                 value_of("#amount", "1.5"), keys("escape")),
})


# The import and export dialogs show the files folder: one that is the same on every run (no
# screenshot writes a file into it).
SNAPSHOT_FILES = Path("/tmp/segtui-snapshots/files")

# The screens each console walks (about ten seconds each, so that the two workers share them).
# No scenario changes the data but "deleted", last of its walk.
WALKS = {
    "list": ["list", "list_static_filter", "help", "import", "editor_empty", "filter_form", "records_browser",
             "record_page", "record_delete"],
    "events": ["detail_records", "actions_menu", "confirm_to_static", "calendar", "test_record", "activity",
               "activity_entry", "help_detail", "settings_unsaved"],
    "others": ["actions_blocked", "settings_static", "editor_error", "record_picker", "export", "settings_active",
               "detail_filters", "editor_groups", "deleted"],
}
assert sorted(sum(WALKS.values(), [])) == sorted(SCREENS)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("screens", list(WALKS))
def test_screens(snapshot, make_app, screens, size):
    SNAPSHOT_FILES.mkdir(parents=True, exist_ok=True)
    app = still_toasts(make_app(files_dir=SNAPSHOT_FILES))
    shots = walk(app, {name: SCREENS[name] for name in WALKS[screens]}, SIZES[size])
    assert compare(snapshot, shots) == []


# the screens whose columns follow the terminal's width, on a wide terminal too (issue 15)
WIDE = ["list", "detail_records", "activity", "records_browser", "record_page", "record_picker", "help_detail"]


def test_wide_screens(snapshot, make_app):
    SNAPSHOT_FILES.mkdir(parents=True, exist_ok=True)
    app = still_toasts(make_app(files_dir=SNAPSHOT_FILES))
    shots = walk(app, {name: SCREENS[name] for name in WIDE}, (200, 50))
    assert compare(snapshot, shots) == []


HOSTILE = "[bold red]Injected[/] \x1b[31mred\x1b[0m \x1b]0;title\x07 \u202egnp.exe"
# markup shown as typed; escapes, the bell and the right-to-left override as visible codes
HOSTILE_SHOWN = "[bold red]Injected[/] \\u001b[31mred\\u001b[0m \\u001b]0;title\\u0007 \\u202egnp.exe"


def test_hostile_text_is_shown_literally(snap_compare, make_app, demo_ctx):
    """The whole hostile name reaches the screen, in the segment page's header and its title."""
    segments.create(demo_ctx, HOSTILE, "contacts", "static")
    long_name = "L" * 10_000
    segments.create(demo_ctx, long_name, "contacts", "static")
    assert segments.get(long_name).name == long_name
    seen = []

    async def run_before(pilot) -> None:
        await open_named(pilot, "Injected")
        seen.extend(screen_lines(pilot.app))

    assert snap_compare(still_toasts(make_app()), terminal_size=(120, 40), run_before=run_before)
    assert seen[0].strip().startswith(f"⭘      {HOSTILE_SHOWN} — alice"), seen[0]
    assert seen[1].strip().startswith(f"Static  {HOSTILE_SHOWN}   "), seen[1]
    assert not any(c in "".join(seen) for c in "\x1b\x07\u202e")
