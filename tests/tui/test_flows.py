"""Pilot tests of the console's flows, checked through the core."""

from __future__ import annotations

from dataclasses import replace

import json

from textual.widgets import Input, Select

from tests import driver_errors
from segtui.cli import main as cli_main
from segtui.core import conversions, member_pages, segments
from segtui.core.models import AuditEntry, ConversionRecord
from segtui.tui.screens.actions_menu import ActionsMenu
from segtui.tui.screens.confirm import ConfirmModal
from segtui.tui.screens.help import HelpScreen
from segtui.tui.screens.segment_detail import SegmentDetailScreen
from segtui.tui.screens.segments_list import SegmentsListScreen
from segtui.tui.widgets.settings_panel import SettingsPanel

from .conftest import on_both_databases, run, search_and_open, settle


async def open_segment(pilot, name: str) -> SegmentDetailScreen:
    await search_and_open(pilot, name)
    screen = pilot.app.screen
    assert isinstance(screen, SegmentDetailScreen), f"expected the detail of {name!r}, got {screen!r}"
    assert screen.segment.name == name
    return screen


async def choose_action(pilot, label: str) -> None:
    await pilot.press("a")
    await pilot.pause()
    menu = pilot.app.screen
    assert isinstance(menu, ActionsMenu)
    labels = [e.label for e in menu.entries]
    await pilot.press(*(["down"] * labels.index(label)), "enter")
    await pilot.pause()


@on_both_databases
def test_convert_active_to_static_through_actions_menu(make_app):
    app = make_app()
    target = segments.get("Events 2025, Bretagne")
    size = target.size

    async def scenario(pilot):
        await open_segment(pilot, target.name)
        await choose_action(pilot, "Convert to static")
        modal = pilot.app.screen
        assert isinstance(modal, ConfirmModal)
        assert f"{size:,} records will be kept" in modal.body
        await pilot.click("#confirm")
        await pilot.pause()
        assert isinstance(pilot.app.screen, SegmentDetailScreen)
        assert pilot.app.screen.segment.type == "static"

    run(app, scenario)
    after = segments.get(target.id)
    assert after.type == "static" and after.size == size
    assert after.schedule_mode == "never" and after.due_at is None
    assert ConversionRecord.select().where(ConversionRecord.segment == target.id).count() == 1


def test_cancel_changes_nothing(make_app):
    app = make_app()
    target = segments.get("Events 2025, Bretagne")

    async def scenario(pilot):
        await open_segment(pilot, target.name)
        await choose_action(pilot, "Convert to static")
        assert isinstance(pilot.app.screen, ConfirmModal)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, SegmentDetailScreen)

    run(app, scenario)
    after = segments.get(target.id)
    assert (after.type, after.version, after.due_at) == ("active", target.version, target.due_at)
    assert ConversionRecord.select().count() == 0


@on_both_databases
def test_static_with_filters_converts_to_active_with_preview(make_app, demo_ctx):
    app = make_app()
    target = segments.get("Fundraising event contacts")
    expected = conversions.preview_to_active(demo_ctx, target.id)

    async def scenario(pilot):
        await open_segment(pilot, target.name)
        await choose_action(pilot, "Convert to active")
        await settle(pilot)  # the preview is computed in a thread
        modal = pilot.app.screen
        assert isinstance(modal, ConfirmModal)
        assert f"+{expected.added:,} added, -{expected.removed:,} removed" in modal.body
        await pilot.press("enter")
        await pilot.pause()

    run(app, scenario)
    after = segments.get(target.id)
    assert after.type == "active"
    assert after.size == expected.size_after


def test_static_without_filters_explains_instead_of_converting(make_app):
    app = make_app()
    target = segments.get("Hand-picked VIPs")

    async def scenario(pilot):
        await open_segment(pilot, target.name)
        await pilot.press("a")
        await pilot.pause()
        menu = pilot.app.screen
        entry = next(e for e in menu.entries if e.action == "convert_active")
        assert entry.blocked == "add at least one filter first"
        await pilot.press(*(["down"] * menu.entries.index(entry)), "enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ActionsMenu), "a blocked entry must not open anything"
        assert any("add at least one filter" in n.message for n in pilot.app._notifications)

    run(app, scenario)
    assert segments.get(target.id).type == "static"


async def fill_schedule(pilot, mode: str, *, day: str = "", amount: str = "", unit: str = "days"):
    await pilot.press("g")
    await pilot.pause()
    panel = pilot.app.screen.query_one(SettingsPanel)
    panel.query_one("#mode", Select).value = mode
    await pilot.pause()
    if day:
        panel.query_one("#day", Input).value = day
    if amount:
        panel.query_one("#amount", Input).value = amount
        panel.query_one("#unit", Select).value = unit
    await pilot.pause()
    return panel


@on_both_databases
def test_three_schedule_options_saved_and_shown(make_app, demo_ctx, database_url, capsys, monkeypatch):
    app = make_app()
    target = segments.get("Newsletter, Normandie or Bretagne")
    seen = {}

    async def scenario(pilot):
        await open_segment(pilot, target.name)
        panel = await fill_schedule(pilot, "on_day", day="2026-12-31")
        assert "Converts on Thursday 31 December 2026 at 00:00 Europe/Paris" in str(
            panel.query_one("#explanation").render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        seen["on_day"] = segments.get(target.id).due_at
        panel = await fill_schedule(pilot, "after_inactivity", amount="2", unit="weeks")
        await pilot.click("#save")
        await pilot.pause()
        seen["after"] = segments.get(target.id).schedule_amount, segments.get(target.id).schedule_unit
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, SegmentsListScreen)
        seen["list"] = str(pilot.app.screen.query_one("DataTable").get_cell(str(target.id), "conversion"))
        await open_segment(pilot, target.name)
        await fill_schedule(pilot, "never")
        await pilot.press("ctrl+s")
        await pilot.pause()

    run(app, scenario)
    assert seen["on_day"].isoformat() == "2026-12-30T23:00:00+00:00"
    assert seen["after"] == (2, "weeks")
    assert seen["list"].startswith("due ") and seen["list"].endswith(" 2026 (2 weeks idle)")
    final = segments.get(target.id)
    assert final.schedule_mode == "never" and final.due_at is None
    monkeypatch.setenv("SEGTUI_NOW", demo_ctx.now().isoformat())
    monkeypatch.setenv("SEGTUI_TZ", "Europe/Paris")
    capsys.readouterr()
    assert cli_main(["--db", str(database_url), "segments", "show", str(target.id), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["schedule"]["mode"] == "never"
    actions = [a.action for a in AuditEntry.select().where(AuditEntry.segment_id == target.id)]
    assert actions.count("set_schedule") == 3


@on_both_databases
def test_bad_schedules_are_refused_inline_and_nothing_saved(make_app):
    app = make_app()
    target = segments.get("Newsletter, Normandie or Bretagne")
    errors = []

    async def scenario(pilot):
        await open_segment(pilot, target.name)
        for mode, values in (
            ("on_day", {"day": "2026-11-01"}),
            ("on_day", {"day": "2026-02-30"}),
            ("on_day", {"day": "03/04/2027"}),
            ("after_inactivity", {"amount": "0"}),
            ("after_inactivity", {"amount": "-3"}),
            ("after_inactivity", {"amount": "5000"}),
        ):
            panel = await fill_schedule(pilot, mode, **values)
            await pilot.press("ctrl+s")
            await pilot.pause()
            errors.append(str(panel.query_one("#schedule-error").render()))
            assert panel.query_one("#save").disabled

    run(app, scenario)
    assert "in the past" in errors[0]
    assert "not a real day" in errors[1]
    assert "reads two ways" in errors[2]
    assert "at least 1" in errors[3] and "at least 1" in errors[4]
    assert "at most 3650 days" in errors[5]
    after = segments.get(target.id)
    assert after.version == target.version and after.schedule_mode == "never"


@on_both_databases
def test_worker_tick_converts_due_segment_while_detail_is_open(make_app, demo_ctx):
    app = make_app()
    target = segments.get("Events 2025, Bretagne")

    async def scenario(pilot):
        screen = await open_segment(pilot, target.name)
        assert screen.segment.type == "active"
        demo_ctx.clock.advance(days=40)  # past the on-day schedule
        pilot.app.start_tick()
        await settle(pilot)
        assert screen.segment.type == "static"
        badge = str(screen.query_one("#segment-name").render())
        assert "Static" in badge
        assert any("was converted to static automatically" in n.message for n in pilot.app._notifications)

    run(app, scenario)
    record = ConversionRecord.get(ConversionRecord.segment == target.id)
    assert record.trigger == "on_day" and record.due_at is not None


def test_conversion_by_another_process_is_announced(make_app, demo_ctx):
    app = make_app()
    target = segments.get("Large companies")

    async def scenario(pilot):
        await pilot.pause()
        conversions.convert_to_static(replace(demo_ctx, actor="bob"), target.id)
        pilot.app.announce_conversions()
        await pilot.pause()
        assert any("Large companies" in n.message and "by bob" in n.message for n in pilot.app._notifications)

    run(app, scenario)


@on_both_databases
def test_stale_conversion_is_refused_and_screen_reloads(make_app, demo_ctx):
    app = make_app()
    target = segments.get("Events 2025, Bretagne")

    async def scenario(pilot):
        screen = await open_segment(pilot, target.name)
        segments.rename(replace(demo_ctx, actor="bob"), target.id, "Events 2025, Breizh")
        await choose_action(pilot, "Convert to static")
        await pilot.press("enter")
        await pilot.pause()
        assert any("changed by bob" in n.message for n in pilot.app._notifications)
        assert screen.segment.name == "Events 2025, Breizh"

    run(app, scenario)
    assert segments.get(target.id).type == "active"


def test_palette_has_every_action_by_name(make_app):
    app = make_app()
    titles = {}

    async def scenario(pilot):
        titles["list"] = {c.title for c in pilot.app.get_system_commands(pilot.app.screen)}
        await open_segment(pilot, "Events 2025, Bretagne")
        titles["detail"] = {c.title for c in pilot.app.get_system_commands(pilot.app.screen)}
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HelpScreen)

    run(app, scenario)
    assert {"Search segments", "Show help", "Quit"} <= titles["list"]
    assert {"Convert to static", "Automatic conversion settings", "Export members",
            "Back to segments", "Search segments"} <= titles["detail"]


def test_export_members_from_the_console(make_app, files_dir):
    app = make_app()
    target = segments.get("Hand-picked VIPs")
    out = files_dir / "vips.csv"

    async def scenario(pilot):
        await open_segment(pilot, target.name)
        await choose_action(pilot, "Export members")
        field = pilot.app.screen.query_one("#export-path", Input)
        field.value = out.name
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    run(app, scenario)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("Email,First name")
    assert len(lines) == 1 + target.size


def test_list_search_type_filter_and_empty_state(make_app):
    app = make_app()

    async def scenario(pilot):
        screen = pilot.app.screen
        await pilot.press("t")  # Active
        await pilot.pause()
        assert screen.type_filter == "active"
        assert all(segments.get(i).type == "active" for i in screen.ids)
        await pilot.press("slash", *"zzz-nothing")
        await pilot.pause()
        assert screen.total == 0
        assert "No active segment matches 'zzz-nothing'." in str(screen.query_one("#list-status").render())

    run(app, scenario)


def test_calendar_picks_a_day_into_the_form(make_app):
    app = make_app()

    async def scenario(pilot):
        await open_segment(pilot, "Large companies")
        panel = await fill_schedule(pilot, "on_day")
        panel.query_one("#pick-day").press()
        await pilot.pause()
        await pilot.press("pagedown", "down", "enter")  # same day next month, one week later
        await pilot.pause()
        assert panel.query_one("#day", Input).value == "2027-01-02"
        assert "Saturday 2 January 2027 at 00:00 Europe/Paris" in str(panel.query_one("#explanation").render())

    run(app, scenario)


def test_console_refuses_to_start_without_a_terminal(tmp_path, capsys):
    code = cli_main(["--db", str(tmp_path / "x.db")])
    assert code == 2
    err = capsys.readouterr().err
    assert "ssh -t" in err and "needs a terminal" in err


def test_read_only_console_shows_the_schedule_but_offers_no_change(database, clock, demo_ctx):
    from dataclasses import replace

    from segtui.tui.app import SegtuiApp

    app = SegtuiApp(replace(demo_ctx, read_only=True), worker_interval=0, animations=False)
    target = segments.get("Spring campaign, engaged")

    async def scenario(pilot):
        screen = await open_segment(pilot, target.name)
        assert "read-only" in pilot.app.sub_title
        assert not {"export", "convert_static", "edit_filters"} & {e.action for e in screen.menu_entries()}
        screen.query_one("#tabs").active = "tab-settings"
        await pilot.pause()
        panel = screen.query_one(SettingsPanel)
        assert panel.query_one("#conversion-form").has_class("hidden")
        note = str(panel.query_one("#static-note").render())
        assert "read-only" in note and "unless a record is added or removed" in note
        panel.action_save()
        screen.action_export()
        await pilot.pause()
        assert isinstance(pilot.app.screen, SegmentDetailScreen)

    run(app, scenario)
    assert segments.get(target.id).version == target.version


def test_export_never_overwrites_a_file(make_app, files_dir):
    app = make_app()
    existing = files_dir / "keep.csv"
    existing.write_text("precious", encoding="utf-8")

    async def scenario(pilot):
        await open_segment(pilot, "Hand-picked VIPs")
        await choose_action(pilot, "Export members")
        pilot.app.screen.query_one("#export-path", Input).value = existing.name
        await pilot.press("enter")
        await pilot.pause()
        assert "already exists" in str(pilot.app.screen.query_one("#export-error").render())

    run(app, scenario)
    assert existing.read_text(encoding="utf-8") == "precious"


def test_a_locked_database_during_an_action_is_reported_and_the_console_stays(make_app, monkeypatch):

    app = make_app()
    target = segments.get("Events 2025, Bretagne")

    def locked(*args, **kwargs):
        raise driver_errors.sqlite_locked()

    monkeypatch.setattr(conversions, "convert_to_static", locked)
    monkeypatch.setattr(conversions, "preview_to_static", locked)

    async def scenario(pilot):
        screen = await open_segment(pilot, target.name)
        await choose_action(pilot, "Convert to static")
        await pilot.pause()
        assert pilot.app.is_running and pilot.app.screen is screen
        assert any("is locked by another process" in n.message for n in pilot.app._notifications)

    run(app, scenario)
    assert segments.get(target.id).type == "active"


def test_page_keys_on_members_that_failed_to_load_say_so(make_app, monkeypatch):
    app = make_app()
    target = segments.list_page(sort="size", descending=True, limit=1).rows[0]  # more than a page of members
    assert target.size > 50
    real_read = member_pages.read

    def locked(*args, **kwargs):
        raise driver_errors.sqlite_locked()

    monkeypatch.setattr(member_pages, "read", locked)

    async def scenario(pilot):
        screen = await open_segment(pilot, target.name)
        assert screen.pages is None and screen.member_ids == []
        assert any("is locked by another process" in n.message for n in pilot.app._notifications)
        for key in ("right_square_bracket", "left_square_bracket", "left_curly_bracket", "right_curly_bracket"):
            pilot.app.clear_notifications()
            await pilot.press(key)
            await pilot.pause()
            assert pilot.app.is_running and pilot.app.screen is screen, key
            said = [n.message for n in pilot.app._notifications]
            assert said == ["The members could not be read, so there is no page to turn: press r to try again."], key
        monkeypatch.setattr(member_pages, "read", real_read)
        await pilot.press("r")
        await pilot.pause()
        assert screen.pages is not None and len(screen.member_ids) == 50
        first = list(screen.member_ids)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert screen.pages.number == 1 and screen.member_ids and screen.member_ids[0] not in first

    run(app, scenario)


@on_both_databases
def test_a_record_edited_in_another_console_shows_in_the_open_segment_at_the_next_tick(make_app, demo_ctx):
    """The other console's edit updates the segment in its own transaction; this console's
    next worker tick re-reads the screen, with no full refresh of the segment."""
    from segtui.core import records

    followers, _ = segments.create(demo_ctx, "Followers of Lambrun", "contacts", "active",
                                   {"groups": [{"filters": [{"property": "city", "operator": "is_any_of",
                                                             "values": ["Lambrun"]}]}]})
    contact = records.search("contacts", "", limit=1)[0][0]
    app = make_app()

    async def scenario(pilot):
        screen = await open_segment(pilot, followers.name)
        assert screen.member_ids == []
        records.set_properties(replace(demo_ctx, actor="bob"), "contacts", contact.id, {"city": "Lambrun"})
        assert screen.member_ids == []  # not yet re-read
        pilot.app.start_tick()
        await settle(pilot)
        assert screen.member_ids == [contact.id]
        assert "1 member" in str(screen.query_one("#segment-facts").render())

    run(app, scenario)
    after = segments.get(followers.id)
    assert after.refreshed_at == followers.refreshed_at and after.size == 1  # followed, not refreshed
