"""Issue 15: the console as a newcomer meets it. One Pilot test per defect seen (each failed before)."""

from __future__ import annotations

from dataclasses import replace

import pendulum
from textual import events
from textual.widgets import DataTable, Input, Select

from segtui.core import conversions, dates, membership, records, segments
from segtui.core.models import Contact
from segtui.core.schedule import AFTER_INACTIVITY, ON_DAY, Schedule
from segtui.tui.app import SegtuiApp
from segtui.tui.screens.actions_menu import ActionsMenu
from segtui.tui.screens.activity_entry import ActivityEntryModal
from segtui.tui.screens.confirm import ConfirmModal
from segtui.tui.screens.create_segment import CreateSegmentScreen
from segtui.tui.screens.filter_form import FilterForm
from segtui.tui.screens.help import HelpScreen
from segtui.tui.screens.record_picker import RecordPicker
from segtui.tui.screens.segment_detail import SegmentDetailScreen
from segtui.tui.screens.segments_list import SegmentsListScreen
from segtui.tui.screens.calendar import CalendarModal
from segtui.tui.widgets.members_view import MembersView
from segtui.tui.widgets.settings_panel import SettingsPanel

from .conftest import run, settle, wait_until
from .test_flows import choose_action, open_segment


def viewer_app(demo_ctx) -> SegtuiApp:
    return SegtuiApp(replace(demo_ctx, read_only=True), worker_interval=0, animations=False)


def text_of(widget) -> str:
    return str(widget.render())


# 1 -------------------------------------------------------------------------------------------
def test_calendar_stops_at_its_stated_range_instead_of_crashing(make_app):
    app = make_app()

    async def scenario(pilot):
        await open_segment(pilot, "Events 2025, Bretagne")
        await pilot.press("g")
        panel = pilot.app.screen.query_one(SettingsPanel)
        panel.query_one("#mode", Select).value = ON_DAY
        await pilot.pause()
        panel.query_one("#day", Input).value = "9999-12-31"
        await pilot.pause()
        assert "more than ten years ahead" in text_of(panel.query_one("#schedule-error"))
        panel.query_one("#pick-day").press()
        await pilot.pause()
        calendar = pilot.app.screen
        assert isinstance(calendar, CalendarModal)
        today = pilot.app.ctx.today()
        assert calendar.latest == today.add(years=10) and calendar.selected == calendar.latest
        assert "to 26 Nov 2036" in text_of(calendar.query_one("#calendar-range"))
        await pilot.press("right", "down", "pagedown", "pagedown")
        await pilot.pause()
        assert calendar.selected == calendar.latest
        assert "The last day here is 26 November 2036" in text_of(calendar.query_one("#calendar-error"))
        await pilot.press("left")
        assert calendar.selected == calendar.latest.subtract(days=1)
        for _ in range(130):
            await pilot.press("pageup")
        assert calendar.selected == today
        assert "The first day here is 26 November 2026" in text_of(calendar.query_one("#calendar-error"))

    run(app, scenario)


def test_calendar_at_the_end_of_time_does_not_overflow(make_app):
    app = make_app()
    last = pendulum.Date(9999, 12, 31)

    async def scenario(pilot):
        pilot.app.push_screen(CalendarModal(last, pendulum.Date(1, 1, 1), last))
        await pilot.pause()
        await pilot.press("right", "down", "pagedown")
        await pilot.pause()
        assert pilot.app.screen.selected == last

    run(app, scenario)


# 2 -------------------------------------------------------------------------------------------
async def footer_fits(pilot, where: str) -> None:
    """Every key of the footer whole, none under the palette key (what left stray characters)."""
    footer = pilot.app.screen.query_one("Footer")
    for _ in range(50):  # the footer recomposes after the bindings settle (slow on a loaded machine)
        await pilot.pause(0.1)
        if footer.query(".-command-palette"):
            break
    assert footer.virtual_size.width <= footer.size.width, where
    keys = [k for k in footer.query("FooterKey") if not k.has_class("-command-palette")]
    palette = footer.query_one(".-command-palette")
    assert all(k.region.right <= palette.region.x for k in keys), where


def test_footer_keys_fit_whole_at_80_columns(make_app):
    app = make_app()
    saving = {}

    async def scenario(pilot):
        await footer_fits(pilot, "list")
        for name in ("Events 2025, Bretagne", "Hand-picked VIPs"):
            await open_segment(pilot, name)
            await footer_fits(pilot, name)
            await pilot.press("3")  # the Settings tab: ctrl+s Save only where there is something to save
            await settle(pilot)
            await pilot.pause(0.2)
            await footer_fits(pilot, f"settings of {name}")
            saving[name] = [k.action for k in pilot.app.screen.query("FooterKey")].count("save")
            await pilot.press("5")  # the Analyze tab (issue 14): the chart's keys with the page's
            await settle(pilot)
            await footer_fits(pilot, f"analyze of {name}")
            await pilot.press("1")
            await settle(pilot)
            await pilot.press("e")
            await settle(pilot)
            await footer_fits(pilot, f"edit filters of {name}")
            await pilot.press("escape", "escape")
            await pilot.pause()
        await pilot.press("n")
        await settle(pilot)
        pilot.app.screen.query_one("#editor").focus_rows()
        await footer_fits(pilot, "create segment")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("b")
        await settle(pilot)
        await footer_fits(pilot, "records")
        await pilot.press("enter")
        await settle(pilot)
        await footer_fits(pilot, "a record")

    run(app, scenario, size=(80, 24))
    assert saving == {"Events 2025, Bretagne": 1, "Hand-picked VIPs": 0}


# 3 -------------------------------------------------------------------------------------------
def test_segments_list_columns_follow_the_width(make_app):
    widths = {}

    async def look(pilot, size):
        table = pilot.app.screen.query_one("#segments", DataTable)
        columns = {c.key.value: c.width for c in table.columns.values()}
        longest = max(len(s.name) for s in segments.list_page(limit=50).rows)
        assert columns["name"] >= longest  # "Newsletter, Normandie or Bretagne" whole
        assert table.fixed_columns == 1
        shown = sum(w + 2 for w in columns.values())
        widths[size] = (columns, shown)
        row = table.get_row_at(0)
        assert all("…" not in getattr(cell, "plain", str(cell)) for cell in row[:2])

    for size in ((80, 24), (120, 40), (200, 50)):
        async def scenario(pilot, size=size):
            await look(pilot, size)
        run(make_app(), scenario, size=size)
    narrow, wide = widths[(80, 24)][0], widths[(200, 50)][0]
    assert narrow["conversion"] < wide["conversion"]
    # at 200 columns every column is on screen without scrolling
    assert widths[(200, 50)][1] <= 200


def test_auto_conversion_keeps_its_year_in_the_list(make_app, demo_ctx):
    target = segments.get("Spring campaign, engaged")
    app = make_app()

    async def scenario(pilot):
        table = pilot.app.screen.query_one("#segments", DataTable)
        row = table.get_row(str(target.id))
        due = target.due_at.in_timezone("Europe/Paris").format("D MMM YYYY")
        # at 80 columns the day whole, the period left out (the segment's page says it)
        assert row[3].plain == f"due {due}, if idle"
        assert table.columns["conversion"].width >= len(row[3].plain)

    run(app, scenario, size=(80, 24))


# 4 -------------------------------------------------------------------------------------------
def test_enter_on_an_activity_row_opens_the_whole_entry(make_app, demo_ctx, clock):
    target = segments.get("Events 2025, Bretagne")
    conversions.set_schedule(demo_ctx, target.id, Schedule(AFTER_INACTIVITY, amount=1, unit="days"),
                             expected_version=target.version)
    clock.advance(days=3)
    conversions.apply_due(demo_ctx)
    app = make_app()

    async def scenario(pilot):
        screen = await open_segment(pilot, target.name)
        await pilot.press("4")
        await pilot.pause()
        table = screen.query_one("#activity", DataTable)
        assert pilot.app.screen.focused is table
        what = [c for c in table.columns.values() if str(c.label) == "What"][0]
        assert what.width >= 80  # at 120 columns the sentence is not cut at 47
        await pilot.press("enter")
        await pilot.pause()
        modal = pilot.app.screen
        assert isinstance(modal, ActivityEntryModal)
        rows = dict(modal.rows)
        assert rows["Who"] and rows["When"].startswith("Sunday 29 November 2026")
        assert "automatically" in rows["What"]
        assert rows["Trigger"] == "after inactivity"
        assert rows["Due"].startswith("Friday 27 November 2026") and rows["Applied"].startswith("Sunday 29 November")
        assert rows["Type"] == "active -> static"
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is screen

    run(app, scenario, size=(120, 40))


# 5 -------------------------------------------------------------------------------------------
def test_help_lists_only_the_keys_that_apply_and_wraps_once(make_app, demo_ctx):
    seen = {}

    async def active(pilot):
        await open_segment(pilot, "Events 2025, Bretagne")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(pilot.app.screen, HelpScreen)
        seen["active"] = pilot.app.screen

    async def static(pilot):
        await open_segment(pilot, "Hand-picked VIPs")
        await pilot.press("question_mark")
        await pilot.pause()
        seen["static"] = pilot.app.screen

    async def viewer(pilot):
        await open_segment(pilot, "Hand-picked VIPs")
        await pilot.press("question_mark")
        await pilot.pause()
        seen["viewer"] = pilot.app.screen

    def actions(help_screen) -> set[str]:
        return set(help_screen.described)

    run(make_app(), active, size=(80, 24))
    run(make_app(), static, size=(80, 24))
    run(viewer_app(demo_ctx), viewer, size=(80, 24))
    assert "Add" not in actions(seen["active"]) and "Remove" not in actions(seen["active"])
    assert {"Add", "Remove", "Mark"} <= actions(seen["static"])
    assert not {"Import", "Export", "Filters", "Add", "Rename", "Delete"} & actions(seen["viewer"])
    assert {"Back", "Actions", "Test"} <= actions(seen["viewer"])
    for screen in seen.values():
        assert "`" not in screen.guide_text
        assert all(len(paragraph) > 80 for paragraph in screen.guide_text.split("\n\n")[1:2])


# 6 -------------------------------------------------------------------------------------------
def test_operator_list_has_no_placeholder_once_a_property_is_chosen(make_app):
    app = make_app()

    async def scenario(pilot):
        await pilot.press("n")
        await pilot.pause()
        pilot.app.screen.query_one("#name", Input).value = "Bretons"
        pilot.app.screen.query_one("#editor").action_add_filter()
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, FilterForm)
        select = form.query_one("#operator", Select)
        assert select.disabled
        await pilot.press(*"region", "enter")
        await pilot.pause()
        labels = [str(prompt) for prompt, _ in select._options]
        assert "choose a property first" not in labels
        assert labels[0] == "is any of" and not select.disabled

    run(app, scenario)


# 7 -------------------------------------------------------------------------------------------
def test_create_segment_drops_the_not_saved_message_once_it_is_fixed(make_app):
    app = make_app()

    async def scenario(pilot):
        await pilot.press("n")
        await pilot.pause()
        screen = pilot.app.screen
        screen.query_one("#name", Input).value = "Bretons"
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = screen.query_one("#form-error")
        assert "needs at least one filter" in text_of(error)
        screen.query_one("#editor").apply_form(None, None, {"property": "region", "operator": "is_any_of",
                                                            "values": ["Bretagne"]})
        await settle(pilot)
        assert not error.display and text_of(error) == ""
        assert isinstance(pilot.app.screen, CreateSegmentScreen)

    run(app, scenario)


# 8 -------------------------------------------------------------------------------------------
def test_unsaved_settings_ask_before_leaving(make_app):
    app = make_app()
    target = segments.get("Events 2025, Bretagne")

    async def scenario(pilot):
        screen = await open_segment(pilot, target.name)
        await pilot.press("g")
        panel = screen.query_one(SettingsPanel)
        panel.query_one("#mode", Select).value = AFTER_INACTIVITY
        await pilot.pause()
        panel.query_one("#amount", Input).value = "3"
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        modal = pilot.app.screen
        assert isinstance(modal, ConfirmModal) and "without saving" in modal.title_text
        await pilot.press("escape")  # stay
        await pilot.pause()
        assert pilot.app.screen is screen and panel.query_one("#amount", Input).value == "3"
        await pilot.press("ctrl+s")
        await settle(pilot)  # the save runs in a thread
        await pilot.press("escape")  # saved: nothing to ask
        await pilot.pause()
        assert isinstance(pilot.app.screen, SegmentsListScreen)

    run(app, scenario)
    saved = segments.get(target.id)
    assert (saved.schedule_mode, saved.schedule_amount) == (AFTER_INACTIVITY, 3)


def test_a_filter_form_with_changes_asks_before_discarding(make_app):
    app = make_app()

    async def scenario(pilot):
        await pilot.press("n")
        await pilot.pause()
        pilot.app.screen.query_one("#editor").action_add_filter()
        await pilot.pause()
        await pilot.press("escape")  # nothing chosen yet: closes at once
        await pilot.pause()
        assert isinstance(pilot.app.screen, CreateSegmentScreen)
        pilot.app.screen.query_one("#editor").action_add_filter()
        await pilot.pause()
        await pilot.press(*"region", "enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmModal)
        await pilot.press("enter")  # Discard
        await pilot.pause()
        assert isinstance(pilot.app.screen, CreateSegmentScreen)

    run(app, scenario)


# 9 -------------------------------------------------------------------------------------------
def test_segment_header_breaks_between_facts_and_title_has_one_ellipsis(make_app, demo_ctx):
    long_name = "Spring campaign, engaged" + " and very much so" * 6
    target = segments.get("Spring campaign, engaged")
    segments.rename(demo_ctx, target.id, long_name, expected_version=target.version)
    app = make_app()

    async def scenario(pilot):
        screen = await open_segment(pilot, long_name)
        facts = text_of(screen.query_one("#segment-facts")).splitlines()
        assert facts[0].startswith("Contacts · ") and " members · last activity " in facts[0]
        assert facts[1].startswith("Auto-conversion -> static after 30 days idle, due") and facts[1].endswith("2026")
        header = pilot.app.screen.query_one("HeaderTitle")
        assert "……" not in str(header.render())

    run(app, scenario, size=(80, 24))


# 10 ------------------------------------------------------------------------------------------
def test_filter_messages_name_the_property_by_its_label(make_app):
    app = make_app()

    async def scenario(pilot):
        await pilot.press("n")
        await pilot.pause()
        pilot.app.screen.query_one("#editor").action_add_filter()
        await pilot.pause()
        form = pilot.app.screen
        await pilot.press(*"events", "enter")
        await pilot.pause()
        form.query_one("#value", Input).value = "1e400"
        await pilot.pause()
        message = text_of(form.query_one("#form-error"))
        assert "Events attended needs a number, got '1e400'" in message
        assert "events_attended" not in message

    run(app, scenario)


# 11 ------------------------------------------------------------------------------------------
def test_inactivity_number_refuses_a_decimal_visibly(make_app):
    app = make_app()
    target = segments.get("Events 2025, Bretagne")

    async def scenario(pilot):
        screen = await open_segment(pilot, target.name)
        await pilot.press("g")
        panel = screen.query_one(SettingsPanel)
        panel.query_one("#mode", Select).value = AFTER_INACTIVITY
        await pilot.pause()
        panel.query_one("#amount", Input).focus()
        await pilot.press("1", "full_stop", "5")
        await pilot.pause()
        assert panel.query_one("#amount", Input).value == "1.5"
        assert "whole number, not '1.5'" in text_of(panel.query_one("#schedule-error"))
        assert panel.query_one("#save").disabled
        assert "1 month" in text_of(panel.query_one("#periods"))

    run(app, scenario)
    assert segments.get(target.id).version == target.version


# 12 ------------------------------------------------------------------------------------------
def test_static_filters_tab_says_how_the_members_came_in(make_app, demo_ctx):
    target = segments.get("Fundraising event contacts")
    app = make_app()

    async def scenario(pilot):
        screen = await open_segment(pilot, target.name)
        await pilot.press("2")
        await pilot.pause()
        text = text_of(screen.query_one("#filters-text"))
        assert "filled the segment when it was saved" not in text
        assert "do not change the members of this static segment" in text
        counts = membership.source_counts(target.id)
        assert f"Its {sum(counts.values()):,} members:" in text

    run(app, scenario, size=(120, 40))


def test_how_the_members_came_in_is_counted_when_the_filters_tab_shows_it(make_app, demo_ctx, monkeypatch):
    """Issue 13: the count over every member is not made to open a segment (1 s at 5,000,000 on PostgreSQL),
    only for the Filters tab, once, in a thread for a big segment."""
    from segtui.tui.screens import segment_detail

    target = segments.get("Fundraising event contacts")
    calls = []
    real = membership.source_counts
    monkeypatch.setattr(membership, "source_counts", lambda sid: calls.append(sid) or real(sid))
    monkeypatch.setattr(segment_detail, "ORIGIN_AT_ONCE", 0)  # every segment counts as big here
    app = make_app()
    seen = {}

    async def scenario(pilot):
        screen = await open_segment(pilot, target.name)
        await settle(pilot)
        seen["opened"] = (list(calls), text_of(screen.query_one("#filters-text")))
        await pilot.press("2")
        await settle(pilot)
        seen["counted"] = text_of(screen.query_one("#filters-text"))
        await pilot.press("1", "2")
        await settle(pilot)
        seen["calls"] = list(calls)

    run(app, scenario, size=(120, 40))
    counts = real(target.id)
    assert seen["opened"][0] == [] and "Its " not in seen["opened"][1]
    assert f"Its {sum(counts.values()):,} members: " in seen["counted"] and "counting" not in seen["counted"]
    assert seen["calls"] == [target.id]  # once: the tab shown again reads no count


# 13 ------------------------------------------------------------------------------------------
def test_empty_search_under_a_type_says_other_types_match(make_app):
    app = make_app()

    async def scenario(pilot):
        await pilot.press("t")  # Active
        await pilot.pause()
        await pilot.press("slash", *"hand", "enter")
        await pilot.pause()
        status = text_of(pilot.app.screen.query_one("#list-status"))
        assert status == "No active segment matches 'hand'. 1 segment of another type matches: t shows all types."
        await pilot.press("t")
        await pilot.pause()
        screen = pilot.app.screen
        assert screen.type_filter is None and screen.total == 1

    run(app, scenario)


# 14 ------------------------------------------------------------------------------------------
def test_record_picker_keys_do_what_the_hint_says(make_app):
    app = make_app()
    target = segments.get("Hand-picked VIPs")
    claires = [c.id for c in Contact.select().where(Contact.first_name == "Claire").order_by(Contact.id)]
    before = membership.members_among(target.id, claires)

    async def scenario(pilot):
        await open_segment(pilot, target.name)
        await pilot.press("plus")
        await pilot.pause()
        picker = pilot.app.screen
        assert isinstance(picker, RecordPicker)
        await pilot.press(*"claire")
        await settle(pilot)
        search = picker.query_one("#picker-search", Input)
        assert pilot.app.screen.focused is search
        await pilot.press("space")  # marks the highlighted result, types nothing
        assert search.value == "claire" and len(picker.marked) == 1
        await pilot.press("down")  # to the results
        assert pilot.app.screen.focused is picker.query_one(DataTable)
        await pilot.press("space")
        assert len(picker.marked) == 2
        search.focus()
        await pilot.pause()
        await pilot.press("enter")  # one Enter chooses
        await pilot.pause()
        assert isinstance(pilot.app.screen, SegmentDetailScreen)

    run(app, scenario, size=(120, 40))
    added = membership.members_among(target.id, claires) - before
    assert 1 <= len(added) <= 2  # the two marked (one may have been a member already)


def test_test_record_picker_enter_chooses_at_once(make_app):
    app = make_app()

    async def scenario(pilot):
        await open_segment(pilot, "Events 2025, Bretagne")
        await pilot.press("t")
        await pilot.pause()
        picker = pilot.app.screen
        assert picker.query_one("#picker-keys").size.width >= len(text_of(picker.query_one("#picker-keys")))
        await pilot.press(*"claire", "enter")
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "RecordTestScreen"

    run(app, scenario, size=(120, 40))


# 15 ------------------------------------------------------------------------------------------
def test_a_viewer_pressing_g_sees_the_settings_read_only(demo_ctx):
    app = viewer_app(demo_ctx)

    async def scenario(pilot):
        screen = await open_segment(pilot, "Spring campaign, engaged")
        await pilot.press("g")
        await pilot.pause()
        assert screen.query_one("#tabs").active == "tab-settings"
        note = text_of(screen.query_one("#static-note"))
        assert "read-only" in note and "Converts on" in note

    run(app, scenario)


# 16 ------------------------------------------------------------------------------------------
def test_keys_typed_right_after_slash_go_to_the_search(make_app):
    app = make_app()

    async def scenario(pilot):
        await open_segment(pilot, "Events 2025, Bretagne")
        await pilot.press("escape")
        await pilot.pause()
        pilot.app.screen.action_clear_search()
        await pilot.pause()
        # "/events" arriving at once (a paste, an SSH packet): every key is queued before any runs
        for character in "/events":
            event = events.Key("slash" if character == "/" else character, character)
            event.set_sender(pilot.app)
            pilot.app._driver.send_message(event)
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, SegmentsListScreen)
                         and pilot.app.screen.query_one("#search", Input).value == "events", "'events' in the search")
        assert isinstance(pilot.app.screen, SegmentsListScreen)
        assert pilot.app.screen.query_one("#search", Input).value == "events"

    run(app, scenario)


# friction -----------------------------------------------------------------------------------
def test_opening_a_segment_focuses_its_members_and_tabs_have_keys(make_app):
    app = make_app()

    async def scenario(pilot):
        screen = await open_segment(pilot, "Events 2025, Bretagne")
        members = screen.query_one("#members", MembersView)
        assert pilot.app.screen.focused is members
        await pilot.press("down")
        assert members.cursor_row == 1
        tabs = screen.query_one("#tabs")
        for key, tab in (("2", "tab-filters"), ("3", "tab-settings"), ("4", "tab-activity"), ("1", "tab-records")):
            await pilot.press(key)
            await pilot.pause()
            assert tabs.active == tab
        titles = {c.title for c in pilot.app.get_system_commands(pilot.app.screen)}
        assert {"Records tab", "Filters tab", "Settings tab", "Activity tab"} <= titles

    run(app, scenario)


def test_settings_day_reads_words_and_the_locale_form_and_says_the_full_date(make_app, demo_ctx):
    target = segments.get("Events 2025, Bretagne")

    def check(order, typed, shown, error=None):
        app = SegtuiApp(replace(demo_ctx, date_order=order), worker_interval=0, animations=False)

        async def scenario(pilot):
            screen = await open_segment(pilot, target.name)
            await pilot.press("g")
            panel = screen.query_one(SettingsPanel)
            panel.query_one("#mode", Select).value = ON_DAY
            await pilot.pause()
            panel.query_one("#day", Input).value = typed
            await pilot.pause()
            if error:
                assert error in text_of(panel.query_one("#schedule-error"))
            else:
                assert text_of(panel.query_one("#explanation")).startswith(f"{typed} is {shown}. Converts on")

        run(app, scenario)

    check(dates.DAY_FIRST, "31/12/2026", "Thursday 31 December 2026")
    check(dates.MONTH_FIRST, "12/31/2026", "Thursday 31 December 2026")
    check(None, "next monday", "Monday 30 November 2026")
    check(None, "in 2 weeks", "Thursday 10 December 2026")
    check(None, "03/04/2027", "", error="reads two ways: Saturday 3 April 2027 (day/month) or Thursday 4 March 2027")


def test_actions_menu_opens_under_its_button(make_app):
    app = make_app()

    async def scenario(pilot):
        screen = await open_segment(pilot, "Events 2025, Bretagne")
        button = screen.query_one("#actions-button").region
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ActionsMenu)
        menu = pilot.app.screen.query_one("#actions-menu").region
        assert menu.y == button.bottom and menu.right == button.right
        assert menu.width < 60

    run(app, scenario, size=(120, 40))


def test_error_notifications_stay_until_dismissed(make_app):
    app = make_app()
    app.NOTIFICATION_TIMEOUT = SegtuiApp.NOTIFICATION_TIMEOUT  # the console's own, not the tests' longer one

    async def scenario(pilot):
        pilot.app.notify("Something failed", severity="error")
        pilot.app.notify("Something happened")
        await pilot.pause()
        timeouts = sorted(n.timeout for n in pilot.app._notifications)
        assert timeouts[0] < 60 and timeouts[1] >= 3600
        titles = {c.title for c in pilot.app.get_system_commands(pilot.app.screen)}
        assert "Dismiss notifications" in titles

    run(app, scenario)


def test_record_edit_message_names_the_property_by_its_label(demo_ctx):
    contact = Contact.select().first()
    try:
        records.set_property(demo_ctx, "contacts", contact.id, "events_attended", "lots")
    except Exception as exc:  # noqa: BLE001 - the message is what is checked
        assert str(exc).startswith("Events attended must be a number")
    else:
        raise AssertionError("a bad number was accepted")


# Friction: export -----------------------------------------------------------------------------
def test_export_shows_the_full_location_and_proposes_a_free_name(make_app, files_dir):
    app = make_app()
    target = segments.get("Hand-picked VIPs")
    seen = {}

    async def export_with_the_proposed_name(pilot):
        await choose_action(pilot, "Export members")
        modal = pilot.app.screen
        proposed = modal.query_one("#export-path", Input).value
        location = text_of(modal.query_one("#export-location"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SegmentDetailScreen), f"{proposed!r} was refused"
        return proposed, location

    async def scenario(pilot):
        await open_segment(pilot, target.name)
        seen["first"] = await export_with_the_proposed_name(pilot)
        seen["second"] = await export_with_the_proposed_name(pilot)
        seen["told"] = [n.message for n in pilot.app._notifications]

    run(app, scenario, size=(120, 40))
    (first, first_location), (second, second_location) = seen["first"], seen["second"]
    assert first == "hand-picked-vips.csv" and second == "hand-picked-vips-2.csv"
    assert {p.name for p in files_dir.iterdir()} == {first, second}
    assert first_location == f"Saved as {files_dir / first}" and second_location == f"Saved as {files_dir / second}"
    assert f"Exported {target.size} members to {files_dir / second}." in seen["told"]


def test_free_name_skips_taken_names_and_keeps_to_plain_characters(tmp_path):
    from segtui.core import files

    assert files.free_name(tmp_path, "../Éte 2026: ~VIP \x1b[31m") == "éte-2026-vip-31m.csv"
    (tmp_path / "vips.csv").write_text("")
    (tmp_path / "vips-2.csv").symlink_to(tmp_path / "nowhere")  # dangling: taken all the same
    assert files.free_name(tmp_path, "VIPs") == "vips-3.csv"
    assert files.free_name(tmp_path, "…", fallback="segment-7") == "segment-7.csv"
    assert files.check_name(files.free_name(tmp_path, "x" * 500))
