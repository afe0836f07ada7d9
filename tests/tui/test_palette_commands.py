"""Every command of the palette, run from the screen that offers it, does what its title says;
and the records browser's companies tab and pages."""

from __future__ import annotations

import pytest

from segtui.core import records
from segtui.core.models import Contact

from .conftest import run, settle
from .test_flows import open_segment


async def to_list(pilot) -> None:
    """Back to the segments list as it first showed: no search, every type, the table focused."""
    while len(pilot.app.screen_stack) > 2:
        pilot.app.pop_screen()
    await settle(pilot)
    pilot.app.screen.query_one("#search").value = ""
    pilot.app.screen.query_one("DataTable").focus()
    await settle(pilot)


async def at_list(pilot) -> None:
    await to_list(pilot)


async def at_active(pilot) -> None:
    await to_list(pilot)
    await open_segment(pilot, "Events 2025, Bretagne")


async def at_static(pilot) -> None:
    await to_list(pilot)
    await open_segment(pilot, "Hand-picked VIPs")


async def at_editor(pilot) -> None:
    await at_active(pilot)
    await pilot.press("e")
    await settle(pilot)
    await pilot.press("down")  # on the first filter


async def at_test_record(pilot) -> None:
    await at_active(pilot)
    await pilot.press("t")
    await settle(pilot)
    pilot.app.screen.query_one("#picker-search").value = "claire"
    await settle(pilot)
    await pilot.press("enter", "enter")
    await settle(pilot)


async def at_deleted(pilot) -> None:
    await to_list(pilot)
    await pilot.press("D")
    await settle(pilot)


async def at_browser(pilot) -> None:
    await to_list(pilot)
    await pilot.press("b")
    await settle(pilot)


async def at_record(pilot) -> None:
    await at_browser(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def at_properties(pilot) -> None:
    await to_list(pilot)
    await pilot.press("P")
    await settle(pilot)


async def at_mapping(pilot) -> None:
    """The import mapping screen of a small HubSpot-style file (a contact's first name changes)."""
    from pathlib import Path

    await to_list(pilot)
    Path(pilot.app.files_folder(), "people.csv").write_text(
        "Email,First Name,Member Level\nclaire.x@example.org,Claire,Gold\n", encoding="utf-8")
    await pilot.press("i")
    await settle(pilot)
    pilot.app.screen.query_one("#import-path").value = "people.csv"
    await pilot.press("enter")
    await settle(pilot)


# the list last: its commands change how it shows (type filter, sort)
PLACES = {"active": at_active, "static": at_static, "editor": at_editor, "test_record": at_test_record,
          "deleted": at_deleted, "browser": at_browser, "record": at_record, "properties": at_properties,
          "mapping": at_mapping, "list": at_list}

# (place, title) -> the screen on top after running it, or the notice it gives
EXPECTED = {
    ("list", "Search segments"): "SegmentsListScreen focus=#search",
    ("list", "Filter by type"): "SegmentsListScreen",
    ("list", "Sort segments"): "SegmentsListScreen",
    ("list", "Reload segments"): "SegmentsListScreen",
    ("list", "Delete"): "ConfirmModal",
    ("list", "Create segment"): "CreateSegmentScreen",
    ("list", "Browse records"): "RecordsBrowserScreen",
    ("list", "Recently deleted"): "DeletedSegmentsScreen",
    ("list", "Import records"): "ImportModal",
    ("active", "Convert to static"): "ConfirmModal",
    ("active", "Automatic conversion settings"): "SegmentDetailScreen tab=tab-settings",
    ("active", "Refresh members now"): "SegmentDetailScreen notice=Refreshed",
    ("active", "Edit filters"): "EditFiltersScreen",
    ("active", "Test a record"): "RecordPicker",
    ("active", "Add records"): "SegmentDetailScreen notice=this segment is active",
    ("active", "Remove records"): "SegmentDetailScreen notice=this segment is active",
    ("active", "Add members of another segment"): "SegmentDetailScreen notice=this segment is active",
    ("active", "Import records"): "ImportModal",
    ("active", "Export members"): "ExportModal",
    ("active", "Rename"): "NameModal",
    ("active", "Clone"): "NameModal",
    ("active", "Delete"): "ConfirmModal",
    ("active", "Back to segments"): "SegmentsListScreen",
    ("active", "Open the Actions menu"): "ActionsMenu",
    ("active", "Search segments"): "SegmentsListScreen focus=#search",
    ("active", "Create segment"): "CreateSegmentScreen",
    ("active", "Browse records"): "RecordsBrowserScreen",
    ("active", "Recently deleted"): "DeletedSegmentsScreen",
    ("static", "Convert to active"): "SegmentDetailScreen notice=add at least one filter",
    ("static", "Add records"): "RecordPicker",
    ("static", "Remove records"): "ConfirmModal",  # the highlighted member
    ("static", "Add members of another segment"): "SegmentPicker",
    ("editor", "Save"): "EditFiltersScreen notice=No change to save.",
    ("editor", "Add filter"): "FilterForm",
    ("editor", "Add group"): "FilterForm",
    ("editor", "Edit filter"): "FilterForm",
    ("editor", "Remove filter or group"): "EditFiltersScreen",
    ("test_record", "Test another record"): "RecordPicker",
    ("deleted", "Restore"): "DeletedSegmentsScreen notice=Nothing to restore.",
    ("browser", "Search records"): "RecordsBrowserScreen focus=#browser-search",
    ("browser", "Switch contacts / companies"): "RecordsBrowserScreen object=companies",
    ("record", "Edit property"): "EditPropertyModal",
    ("record", "Associate records"): "RecordPicker",
    ("record", "Remove association"): "RecordScreen notice=Highlight an associated company first",
    ("record", "Make primary company"): "RecordScreen notice=Highlight an associated company first",
    ("list", "Properties"): "PropertiesScreen",
    ("properties", "Search properties"): "PropertiesScreen",
    ("properties", "Contact / company properties"): "PropertiesScreen",
    ("properties", "Create property"): "PropertyFormModal",
    ("properties", "Edit property"): "PropertyFormModal",
    ("properties", "Archive or restore property"): "PropertiesScreen notice=built-in",
    ("properties", "Show archived properties"): "PropertiesScreen",
    ("mapping", "Change the column's mapping"): "ColumnMappingModal",
    ("mapping", "Add the missing options"): "ImportMappingScreen notice=already an option",
    ("mapping", "Import the file"): "ImportModal",
}


def outcome(pilot, notices_before: int) -> str:
    screen = pilot.app.screen
    shown = type(screen).__name__
    focused = pilot.app.focused
    if shown in ("SegmentsListScreen", "RecordsBrowserScreen") and focused is not None and focused.id in (
            "search", "browser-search"):
        shown += f" focus=#{focused.id}"
    if shown == "RecordsBrowserScreen" and screen.object_type != "contacts":
        shown += f" object={screen.object_type}"
    if shown == "SegmentDetailScreen" and screen.query_one("#tabs").active != "tab-records":
        shown += f" tab={screen.query_one('#tabs').active}"
    fresh = [n.message for n in pilot.app._notifications][notices_before:]
    return shown + (f" notice={fresh[-1]}" if fresh else "")


def test_every_expected_command_has_a_place_to_run_from():
    assert {place for place, _ in EXPECTED} <= set(PLACES)


@pytest.mark.parametrize("place", list(PLACES))
def test_every_palette_command_runs_and_does_what_it_says(make_app, place):
    """One console per place, so that the places run side by side on the test workers."""
    app = make_app()
    go = PLACES[place]
    seen: dict[str, str] = {}
    offered: list[str] = []
    expected = {title: shown for (where, title), shown in EXPECTED.items() if where == place}

    async def scenario(pilot):
        await go(pilot)
        base = pilot.app.screen
        offered.extend(c.title for c in pilot.app.get_system_commands(base))
        for title in offered:
            if title not in expected:
                continue  # a command reachable everywhere, checked from the list and a segment
            if base not in pilot.app.screen_stack:  # the last command left the place
                await go(pilot)
                base = pilot.app.screen
            while pilot.app.screen is not base:  # close what the last command opened
                pilot.app.pop_screen()
            pilot.app.set_focus(None)  # and forget where it left the focus and the tab
            if type(base).__name__ == "SegmentDetailScreen":
                base.query_one("#tabs").active = "tab-records"
            await settle(pilot)
            commands = {c.title: c for c in pilot.app.get_system_commands(base)}
            before = len(pilot.app._notifications)
            commands[title].callback()
            await settle(pilot)
            seen[title] = outcome(pilot, before)
        await to_list(pilot)

    run(app, scenario, size=(120, 40))
    assert set(expected) <= set(offered)
    wrong = {title: got for title, got in seen.items()
             if not (got == expected[title] or " notice=" in expected[title]
                     and got.startswith(expected[title].split(" notice=")[0])
                     and expected[title].split(" notice=")[1] in got)}
    assert wrong == {}, "\n".join(f"{place}, {t}: got {v!r}, expected {expected[t]!r}" for t, v in wrong.items())
    assert len(seen) == len(expected)


def test_records_browser_pages_and_the_companies_tab(make_app):
    app = make_app()
    contacts, companies = Contact.select().count(), records.search("companies", "", offset=0, limit=1)[1]
    assert contacts == 300 and companies > 0
    seen = {}

    async def scenario(pilot):
        await pilot.press("b")
        await settle(pilot)
        browser = pilot.app.screen
        status = browser.query_one("#browser-status")
        seen["first"] = str(status.render())
        await pilot.press("left_square_bracket")  # before the first page: nothing
        await settle(pilot)
        seen["still_first"] = str(status.render())
        await pilot.press("right_square_bracket")
        await settle(pilot)
        seen["second"] = str(status.render())
        seen["second_ids"] = list(browser.ids)
        for _ in range(10):  # past the last page: it stays there
            await pilot.press("right_square_bracket")
            await settle(pilot)
        seen["last"] = str(status.render())
        await pilot.press("o")  # the companies tab, from its first page
        await settle(pilot)
        seen["companies"] = (browser.object_type, str(status.render()), len(browser.ids))
        await pilot.press("slash")
        await pilot.press(*"zzzz-no-such")
        await settle(pilot)
        seen["none"] = str(status.render())
        await pilot.press("escape")  # clears the search first
        await settle(pilot)
        seen["cleared"] = (pilot.app.screen is browser, str(status.render()))
        await pilot.press("o")
        await settle(pilot)
        seen["back_to_contacts"] = browser.object_type
        await pilot.press("escape")
        await settle(pilot)
        seen["left"] = type(pilot.app.screen).__name__

    run(app, scenario, size=(120, 40))
    assert seen["first"] == "1–50 of 300 contacts · page 1/6 · Enter opens"
    assert seen["still_first"] == seen["first"]
    assert seen["second"] == "51–100 of 300 contacts · page 2/6 · Enter opens"
    expected_ids = [r.id for r in records.search("contacts", "", offset=50, limit=50)[0]]
    assert seen["second_ids"] == expected_ids
    assert seen["last"] == "251–300 of 300 contacts · page 6/6 · Enter opens"
    pages = (companies + 49) // 50
    assert seen["companies"] == ("companies", f"1–{min(companies, 50)} of {companies} companies · page 1/{pages} "
                                              "· Enter opens", min(companies, 50))
    assert seen["none"] == "No companies match 'zzzz-no-such'."
    assert seen["cleared"][0] and seen["cleared"][1].startswith("1–")
    assert seen["back_to_contacts"] == "contacts"
    assert seen["left"] == "SegmentsListScreen"
