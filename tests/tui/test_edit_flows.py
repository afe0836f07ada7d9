"""Editing filters in the console, on both databases: removing filters and groups, a stale
edit (another admin changed the segment meanwhile), a save that fails, a draft kept."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Static

from segtui.core import segments, store
from segtui.core.models import AuditEntry
from segtui.tui.screens.confirm import ConfirmModal
from segtui.tui.screens.edit_filters import EditFiltersScreen
from segtui.tui.screens.segment_detail import SegmentDetailScreen
from segtui.tui.widgets.filter_editor import FilterEditor

from .conftest import on_both_databases, run, settle
from .test_flows import open_segment

NEWSLETTER = "Newsletter, Normandie or Bretagne"
EVENTS = "Events 2025, Bretagne"


def subscribed_in(region: str) -> list[dict]:
    return [{"property": "subscribed", "operator": "is_true"},
            {"property": "region", "operator": "is_any_of", "values": [region]}]


def rendered(widget) -> str:
    return str(widget.render())


async def edit(pilot, name: str) -> tuple[SegmentDetailScreen, EditFiltersScreen, FilterEditor]:
    detail = await open_segment(pilot, name)
    await pilot.press("e")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, EditFiltersScreen)
    return detail, screen, screen.query_one(FilterEditor)


async def save_and_confirm(pilot) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ConfirmModal), pilot.app.screen
    await pilot.press("enter")
    await settle(pilot)


async def edit_a_value(pilot, name: str, value: int):
    """The segment's filters in the editor, its first filter's value changed (not saved)."""
    _, screen, editor = await edit(pilot, name)
    editor.groups[0][0] = {**editor.groups[0][0], "value": value}
    editor.refresh_rows()
    await settle(pilot)
    return screen, editor


def notices(pilot) -> list[str]:
    return [n.message for n in pilot.app._notifications]


@on_both_databases
def test_remove_a_filter_then_a_whole_group_and_save(make_app):
    app = make_app()
    target = segments.get(NEWSLETTER)
    assert store.tree(target)["groups"] == [{"filters": subscribed_in("Normandie")},
                                            {"filters": subscribed_in("Bretagne")}]
    seen = {}

    async def scenario(pilot):
        detail, screen, editor = await edit(pilot, NEWSLETTER)
        await pilot.press("down", "down")  # Group 1 -> its first filter -> its second
        assert editor.cursor() == ("filter", 0, 1)
        await pilot.press("d")
        await settle(pilot)
        assert editor.groups == [[subscribed_in("Normandie")[0]], subscribed_in("Bretagne")]
        assert editor.cursor() == ("filter", 0, 0) and editor.changed
        await pilot.press("d")  # the group's last filter: the group goes with it
        await settle(pilot)
        assert editor.groups == [subscribed_in("Bretagne")]
        assert any("Group 1 had no filter left and was removed." in n for n in notices(pilot))
        await pilot.press("n")  # back to two groups: a filter in a new group...
        await settle(pilot)
        pilot.app.screen.dismiss(None)  # ... abandoned in its form: nothing added
        await settle(pilot)
        assert editor.groups == [subscribed_in("Bretagne")]
        assert editor.cursor() == ("group", 0, None)
        await pilot.press("d")  # on the title of the only group: all of it
        await settle(pilot)
        assert editor.groups == [] and any("Removed group 1 (2 filters)." in n for n in notices(pilot))
        await pilot.press("ctrl+s")  # an active segment without filters is refused inline
        await settle(pilot)
        seen["refused"] = rendered(screen.query_one("#form-error", Static))
        assert pilot.app.screen is screen
        pilot.app.screen.query_one(FilterEditor).groups = [subscribed_in("Bretagne")]
        editor.refresh_rows()
        await settle(pilot)
        await save_and_confirm(pilot)
        assert pilot.app.screen is detail

    run(app, scenario)
    assert "an active segment needs at least one filter" in seen["refused"]
    after = segments.get(target.id)
    assert store.tree(after) == {"groups": [{"filters": subscribed_in("Bretagne")}]}
    assert after.version == target.version + 1


@on_both_databases
def test_a_stale_edit_keeps_the_draft_and_saving_again_writes_it(make_app, demo_ctx):
    app = make_app()
    target = segments.get(EVENTS)
    seen = {}

    async def scenario(pilot):
        screen, editor = await edit_a_value(pilot, EVENTS, 3)
        segments.rename(replace(demo_ctx, actor="bob"), target.id, "Events 2025, Breizh")  # another admin
        await save_and_confirm(pilot)
        assert pilot.app.screen is screen, "a stale save leaves the editor open"
        seen["error"] = rendered(screen.query_one("#form-error", Static))
        seen["note"] = rendered(screen.query_one("#filters-note", Static))
        seen["stored"] = store.tree(segments.get(target.id))
        assert editor.groups[0][0]["value"] == 3 and editor.changed  # the draft is kept
        await save_and_confirm(pilot)  # over their version, knowingly

    run(app, scenario)
    assert "was changed by bob" in seen["error"] and "Your draft is kept" in seen["error"]
    assert "Events 2025, Breizh" in seen["note"]  # reloaded: the note names their version
    assert seen["stored"]["groups"][0]["filters"][0]["value"] == 1  # nothing saved by the stale try
    after = segments.get(target.id)
    assert after.name == "Events 2025, Breizh"
    assert store.tree(after)["groups"][0]["filters"][0]["value"] == 3


@on_both_databases
def test_a_save_that_fails_says_so_and_changes_nothing(make_app, demo_ctx):
    app = make_app()
    target = segments.get(EVENTS)
    seen = {}

    async def scenario(pilot):
        screen, _ = await edit_a_value(pilot, EVENTS, 3)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmModal)
        segments.delete(replace(demo_ctx, actor="bob"), target.id)  # gone before the save
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        seen["error"] = rendered(screen.query_one("#form-error", Static))
        seen["notices"] = notices(pilot)

    run(app, scenario)
    assert seen["error"].startswith("⚠ Not saved: ") and "was deleted by bob" in seen["error"]
    assert any("was deleted by bob" in n for n in seen["notices"])
    after = store.get(target.id, include_deleted=True)
    assert store.tree(after)["groups"][0]["filters"][0]["value"] == 1
    assert not AuditEntry.select().where((AuditEntry.segment_id == target.id)
                                         & (AuditEntry.action == "edit_filters")).exists()


def test_leaving_with_changes_asks_first_and_keeps_the_draft_on_no(make_app):
    app = make_app()
    target = segments.get(EVENTS)

    async def scenario(pilot):
        detail, screen, editor = await edit(pilot, EVENTS)
        await pilot.press("ctrl+s")  # nothing changed yet: nothing to save
        await settle(pilot)
        assert pilot.app.screen is screen and any("No change to save." in n for n in notices(pilot))
        await pilot.press("down", "d")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        modal = pilot.app.screen
        assert isinstance(modal, ConfirmModal) and modal.title_text == "Discard your changes to the filters?"
        await pilot.press("escape")  # no: back to the draft
        await settle(pilot)
        assert pilot.app.screen is screen and editor.changed and len(editor.groups[0]) == 1
        await pilot.press("escape", "enter")  # yes: discarded
        await settle(pilot)
        assert pilot.app.screen is detail

    run(app, scenario)
    assert store.tree(segments.get(target.id)) == store.tree(target)
    assert segments.get(target.id).version == target.version
