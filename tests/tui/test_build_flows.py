"""Pilot tests of building segments in the console (issue 4), each checked through the core."""

from __future__ import annotations

import re

from peewee import fn
from rich.text import Text

from segtui.core import filters, records, segments, store
from segtui.core.models import Contact, Membership, MembershipLog, Segment
from segtui.tui.screens.actions_menu import ActionsMenu
from segtui.tui.screens.confirm import ConfirmModal
from segtui.tui.screens.create_segment import CreateSegmentScreen
from segtui.tui.screens.deleted_segments import DeletedSegmentsScreen
from segtui.tui.screens.edit_filters import EditFiltersScreen
from segtui.tui.screens.filter_form import FilterForm
from segtui.tui.screens.import_mapping import ImportMappingScreen
from segtui.tui.screens.import_modal import ImportModal
from segtui.tui.screens.name_modal import NameModal
from segtui.tui.screens.record_page import RecordScreen
from segtui.tui.screens.record_picker import RecordPicker
from segtui.tui.screens.records_browser import RecordsBrowserScreen
from segtui.tui.screens.segment_detail import SegmentDetailScreen
from segtui.tui.screens.segments_list import SegmentsListScreen
from segtui.tui.screens.record_test import RecordTestScreen
from segtui.tui.widgets.filter_editor import FilterEditor
from segtui.tui.widgets.live_count import LiveCount

from .conftest import on_both_databases, run, settle
from .test_flows import choose_action, open_segment


async def typed(pilot, text: str) -> None:
    await pilot.press(*text)


def shown(widget) -> str:
    if isinstance(widget, Text):
        return widget.plain
    return str(widget.render())


def members(segment_id: int) -> set[int]:
    return {m.record_id for m in Membership.select(Membership.record_id).where(Membership.segment == segment_id)}


def contact_ids(where) -> set[int]:
    return {c.id for c in Contact.select(Contact.id).where(where)}


def segment_rows(page) -> list[str]:
    table = page.query_one("#record-segments")
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def choose_operator(pilot, downs: int) -> None:
    """The operator dropdown has focus: open it, move, pick."""
    await pilot.press("enter", *(["down"] * downs), "enter")
    await pilot.pause()


async def palette(pilot, title: str) -> None:
    """Run a command of the palette by its exact title."""
    commands = {c.title: c for c in pilot.app.get_system_commands(pilot.app.screen)}
    assert title in commands, f"no palette command {title!r} in {sorted(commands)}"
    commands[title].callback()
    await pilot.pause()


def test_create_an_active_segment_with_two_groups_through_the_editor(make_app):
    app = make_app()
    seen = {}

    async def scenario(pilot):
        await pilot.press("n")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, CreateSegmentScreen)
        screen.query_one("#name").value = "Events or customers"  # typing is slow in Pilot; the same event
        await pilot.press("tab", "tab", "tab")
        assert pilot.app.focused.id == "filter-rows"
        # group 1: events attended >= 1 AND region is any of Bretagne
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(pilot.app.screen, FilterForm)
        await typed(pilot, "even")
        await pilot.press("enter")
        await choose_operator(pilot, 5)  # is equal to -> ... -> is greater than or equal to
        assert pilot.app.focused.id == "value"
        await typed(pilot, "1")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await typed(pilot, "reg")
        await pilot.press("enter", "tab")
        await typed(pilot, "Bretagne")
        await pilot.press("enter")
        await pilot.pause()
        # group 2 (OR): lifecycle stage is any of customer
        await pilot.press("o")
        await pilot.pause()
        await typed(pilot, "life")
        await pilot.press("enter", "tab", *(["down"] * 5), "space", "ctrl+s")
        await settle(pilot)
        editor = screen.query_one(FilterEditor)
        seen["rows"] = [shown(o.prompt) if hasattr(o, "prompt") else "" for o in
                        editor.query_one("#filter-rows")._options]
        seen["count"] = shown(editor.query_one(LiveCount))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SegmentDetailScreen)

    run(app, scenario)
    created = segments.get("Events or customers")
    assert (created.type, created.object_type) == ("active", "contacts")
    assert store.tree(created) == {"groups": [
        {"filters": [{"property": "events_attended", "operator": "gte", "value": 1},
                     {"property": "region", "operator": "is_any_of", "values": ["Bretagne"]}]},
        {"filters": [{"property": "lifecycle_stage", "operator": "is_any_of", "values": ["customer"]}]},
    ]}
    expected = contact_ids(((Contact.events_attended >= 1) & (fn.LOWER(Contact.region) == "bretagne"))
                           | (Contact.lifecycle_stage == "customer"))
    assert members(created.id) == expected and created.size == len(expected)
    assert seen["count"] == f"Matches {len(expected):,} contacts"
    text = "\n".join(seen["rows"])
    assert "Events attended is greater than or equal to 1" in text
    assert "AND Region is any of Bretagne" in text
    assert "Lifecycle stage is any of Customer" in text and "OR" in seen["rows"]


def test_empty_and_duplicate_names_are_refused_inline(make_app):
    app = make_app()
    before = Segment.select().count()
    seen = {}

    async def scenario(pilot):
        await pilot.press("n")
        await pilot.pause()
        screen = pilot.app.screen
        await pilot.press("ctrl+s")
        await pilot.pause()
        seen["empty"] = shown(screen.query_one("#name-error"))
        screen.query_one("#name").value = "events 2025, BRETAGNE"
        await pilot.pause()
        seen["taken"] = shown(screen.query_one("#name-error"))
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert pilot.app.screen is screen
        screen.query_one("#name").value = "Brand new"
        await pilot.pause()
        seen["free_visible"] = screen.query_one("#name-error").display
        await pilot.press("ctrl+s")  # an active segment without filters
        await pilot.pause()
        seen["no_filters"] = shown(screen.query_one("#form-error"))

    run(app, scenario)
    assert "A segment needs a name" in seen["empty"]
    assert "named 'Events 2025, Bretagne' already exists" in seen["taken"]
    assert seen["free_visible"] is False
    assert "an active segment needs at least one filter" in seen["no_filters"]
    assert Segment.select().count() == before


@on_both_databases
def test_edit_a_filter_and_the_confirmed_diff_is_what_happened(make_app):
    app = make_app()
    target = segments.get("Events 2025, Bretagne")
    before = members(target.id)
    seen = {}

    async def scenario(pilot):
        detail = await open_segment(pilot, target.name)
        await pilot.press("e")
        await pilot.pause()
        editor_screen = pilot.app.screen
        assert isinstance(editor_screen, EditFiltersScreen)
        await pilot.press("down")  # Group 1 -> its first filter
        assert editor_screen.query_one(FilterEditor).cursor() == ("filter", 0, 0)
        await pilot.press("enter")
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, FilterForm) and form.query_one("#value").value == "1"
        assert pilot.app.focused.id == "value"
        form.query_one("#value").value = "3"
        await pilot.press("enter")
        await settle(pilot)
        assert "Events attended is greater than or equal to 3" in shown(
            editor_screen.query_one("#filter-rows").get_option_at_index(1).prompt)
        await pilot.press("ctrl+s")
        await settle(pilot)
        modal = pilot.app.screen
        assert isinstance(modal, ConfirmModal)
        seen["body"] = modal.body
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is detail
        assert detail.segment.size == len(members(target.id))

    run(app, scenario)
    added, removed = map(int, re.search(r"\+(\d+) added, -(\d+) removed", seen["body"]).groups())
    after = members(target.id)
    assert (len(after - before), len(before - after)) == (added, removed)
    assert removed > 0  # some Bretons attended only one or two events
    assert after == contact_ids((Contact.events_attended >= 3) & (Contact.region == "Bretagne"))
    assert store.tree(segments.get(target.id))["groups"][0]["filters"][0]["value"] == 3


def test_article_example_static_to_active_then_a_region_filter(make_app, demo_ctx):
    """Contacts met at fundraising events: converted to active, then "Region is Bretagne"."""
    app = make_app()
    target = segments.get("Fundraising event contacts")
    others_before = {c.id for c in Contact.select().where(Contact.id.in_(list(members(target.id)))
                                                          & (Contact.region != "Bretagne"))}
    assert others_before
    seen = {}

    async def scenario(pilot):
        detail = await open_segment(pilot, target.name)
        await choose_action(pilot, "Convert to active")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmModal)
        await pilot.press("enter")
        await pilot.pause()
        assert detail.segment.type == "active"
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("n")  # the cursor is on Group 1: the filter joins it (AND)
        await pilot.pause()
        await typed(pilot, "regi")
        await pilot.press("enter", "tab")
        await typed(pilot, "bretagne")
        await pilot.press("enter")
        await settle(pilot)
        seen["count"] = shown(pilot.app.screen.query_one(LiveCount))
        await pilot.press("ctrl+s")
        await settle(pilot)
        seen["body"] = pilot.app.screen.body
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is detail

    run(app, scenario)
    after = segments.get(target.id)
    kept = members(target.id)
    expected = contact_ids((Contact.events_attended >= 2) & (fn.LOWER(Contact.region) == "bretagne"))
    assert after.type == "active" and kept == expected and after.size == len(expected)
    assert not kept & others_before  # the other regions left, automatically
    assert {r for (r,) in Contact.select(Contact.region).where(Contact.id.in_(list(kept))).tuples()} == {"Bretagne"}
    assert f"-{len(others_before)} removed" in seen["body"]
    assert seen["count"] == f"Matches {len(expected):,} contacts"
    gone = {row.record_id for row in MembershipLog.select().where(
        (MembershipLog.segment == target.id) & (MembershipLog.action == "removed")
        & (MembershipLog.reason == "filter"))}
    assert gone == others_before


def test_test_a_record_shows_each_filter_and_group(make_app, demo_ctx):
    app = make_app()
    target = segments.get("Events 2025, Bretagne")
    inside = Contact.get((Contact.region == "Bretagne") & (Contact.events_attended >= 1))
    outside = Contact.select().where((Contact.region == "Normandie") & (Contact.events_attended >= 1)).first()
    seen = {}

    async def pick(pilot, email):
        picker = pilot.app.screen
        picker.query_one("#picker-search").value = email
        await pilot.press("enter")  # chooses from the results of what was typed, once they are shown
        await settle(pilot)
        assert not picker.is_attached

    async def scenario(pilot):
        await open_segment(pilot, target.name)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(pilot.app.screen, RecordPicker)
        await pick(pilot, inside.email)
        screen = pilot.app.screen
        assert isinstance(screen, RecordTestScreen) and screen.record_id == inside.id
        seen["inside"] = shown(screen.query_one("#test-verdict")) + shown(screen.query_one("#test-groups"))
        await pilot.press("t")
        await pilot.pause()
        await pick(pilot, outside.email)
        assert screen.record_id == outside.id
        seen["outside"] = shown(screen.query_one("#test-verdict")) + shown(screen.query_one("#test-groups"))

    run(app, scenario)
    assert "✓ This contact matches the filters" in seen["inside"] and "It is a member now." in seen["inside"]
    assert "✓ Group 1 passes" in seen["inside"]
    assert "✗ This contact does not match" in seen["outside"] and "It is not a member now." in seen["outside"]
    assert "✓ Events attended is greater than or equal to 1" in seen["outside"]
    assert "✗ Region is any of Bretagne   (Region: Normandie)" in seen["outside"]
    assert filters.explain_record(store.tree(target), "contacts", outside.id, today=demo_ctx.today()) == [[True, False]]


def test_add_and_remove_by_hand_on_a_static_segment(make_app):
    app = make_app()
    target = segments.get("Hand-picked VIPs")
    before = members(target.id)
    newcomers = [c.id for c in Contact.select().where(Contact.id.not_in(list(before))
                                                     & (Contact.first_name == "Claire")).order_by(Contact.id)]
    seen = {}

    async def scenario(pilot):
        detail = await open_segment(pilot, target.name)
        await pilot.press("plus")
        await pilot.pause()
        picker = pilot.app.screen
        assert isinstance(picker, RecordPicker) and picker.several
        await typed(pilot, "claire")
        await settle(pilot)
        await pilot.press("down")  # into the results (Enter would choose)
        rows = list(picker.rows)
        # mark the first two newcomers shown
        wanted = [rid for rid in rows if rid in newcomers][:2]
        for rid in wanted:
            picker.query_one("#picker-table").move_cursor(row=rows.index(rid))
            await pilot.press("space")
        assert set(picker.marked) == set(wanted)
        seen["added"] = wanted
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert pilot.app.screen is detail
        assert set(wanted) <= members(target.id)
        # remove two members: mark them on the Records tab, then -
        table = detail.query_one("#members")
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("space", "space")
        seen["removed"] = set(detail.marked)
        await pilot.press("minus")
        await pilot.pause()
        modal = pilot.app.screen
        assert isinstance(modal, ConfirmModal) and modal.title_text.startswith("Remove 2 records")
        await pilot.press("enter")
        await pilot.pause()

    run(app, scenario)
    after = members(target.id)
    assert after == (before | set(seen["added"])) - seen["removed"]
    assert len(seen["removed"]) == 2 and len(seen["added"]) == 2
    assert segments.get(target.id).size == len(after)
    reasons = [(r.action, r.reason) for r in MembershipLog.select().where(MembershipLog.segment == target.id)
               .order_by(MembershipLog.id.desc()).limit(4)]
    assert reasons == [("removed", "manual")] * 2 + [("added", "manual")] * 2


def test_manual_membership_is_refused_on_an_active_segment_with_the_reason(make_app):
    app = make_app()
    target = segments.get("Events 2025, Bretagne")
    before = members(target.id)

    async def scenario(pilot):
        await open_segment(pilot, target.name)
        await pilot.press("plus", "minus", "m")  # not offered: nothing opens
        await pilot.pause()
        assert isinstance(pilot.app.screen, SegmentDetailScreen)
        for title in ("Add records", "Remove records", "Add members of another segment"):
            await palette(pilot, title)
            assert isinstance(pilot.app.screen, SegmentDetailScreen)
        messages = [n.message for n in pilot.app._notifications]
        assert sum("this segment is active: its members follow its filters. Convert it to static" in m
                   for m in messages) == 3
        await pilot.press("a")
        await pilot.pause()
        menu = pilot.app.screen
        assert isinstance(menu, ActionsMenu)
        blocked = {e.label: e.blocked for e in menu.entries}
        assert blocked["Add records"] == "static segments only"

    run(app, scenario)
    assert members(target.id) == before


def test_add_all_members_of_another_segment(make_app):
    app = make_app()
    target = segments.get("Hand-picked VIPs")
    other = segments.get("Webinar October 2026")
    expected = members(target.id) | members(other.id)

    async def scenario(pilot):
        await open_segment(pilot, target.name)
        await pilot.press("m")
        await pilot.pause()
        await typed(pilot, "web")
        await pilot.press("enter")
        await pilot.pause()
        modal = pilot.app.screen
        assert isinstance(modal, ConfirmModal) and f"{other.size} members" in modal.body
        await pilot.press("enter")
        await settle(pilot)

    run(app, scenario)
    assert members(target.id) == expected
    assert segments.get(target.id).size == len(expected)


def test_delete_refused_for_a_dependency_then_delete_and_restore(make_app):
    app = make_app()
    used = segments.get("Hand-picked VIPs")
    target = segments.get("Webinar October 2026")
    seen = {}

    async def scenario(pilot):
        screen = pilot.app.screen
        assert isinstance(screen, SegmentsListScreen)
        screen.query_one("#segments").move_cursor(row=screen.ids.index(used.id))
        await pilot.press("delete")
        await pilot.pause()
        assert pilot.app.screen is screen, "a refused delete asks nothing"
        seen["refusal"] = pilot.app._notifications._notifications.copy()
        detail = await open_segment(pilot, target.name)
        await choose_action(pilot, "Delete")
        assert isinstance(pilot.app.screen, ConfirmModal)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, SegmentsListScreen) and detail not in pilot.app.screen_stack
        assert target.id not in pilot.app.screen.ids
        await pilot.press("D")
        await pilot.pause()
        deleted_view = pilot.app.screen
        assert isinstance(deleted_view, DeletedSegmentsScreen) and deleted_view.ids == [target.id]
        seen["deleted"] = segments.deleted(pilot.app.ctx)
        await pilot.press("r")
        await pilot.pause()
        assert deleted_view.ids == []

    run(app, scenario)
    message = " ".join(n.message for n in seen["refusal"].values())
    assert "'Hand-picked VIPs' cannot be deleted: it is used in the filters of 'Customers not in VIPs'" in message
    assert segments.get(used.id).deleted_at is None
    assert [s.id for s in seen["deleted"]] == [target.id]
    restored = segments.get(target.id)
    assert restored.deleted_at is None and restored.name == target.name


def test_import_a_good_file_and_a_bad_one(make_app, files_dir):
    app = make_app()
    bad = files_dir / "bad.csv"
    bad.write_text("email,region,events_attended\nnew.a@example.org,Bretagne,two\n"
                   "new.b@example.org,Bretagne,1\n,Normandie,3\n", encoding="utf-8")
    known = Contact.get_by_id(1)
    good = files_dir / "good.csv"
    good.write_text(f"email,first_name,region,events_attended\nnew.c@example.org,Nouveau,Bretagne,2\n"
                    f"{known.email.upper()},,Occitanie,\n", encoding="utf-8")
    contacts_before = Contact.select().count()
    seen = {}

    async def attempt(pilot, path):
        """Through the mapping screen: its summary, then Import (refused or done), back to the dialog."""
        modal = pilot.app.screen
        modal.query_one("#import-path").value = path.name
        modal.query_one("#import-path").focus()
        await pilot.press("enter")
        await settle(pilot)
        mapping = pilot.app.screen
        assert isinstance(mapping, ImportMappingScreen)
        summary = shown(mapping.query_one("#mapping-summary"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        if pilot.app.screen is mapping:  # refused: nothing written, back to the dialog
            await pilot.press("escape")
            await settle(pilot)
        return summary + "\n" + shown(modal.query_one("#import-report"))

    async def scenario(pilot):
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ImportModal)
        seen["bad"] = await attempt(pilot, bad)
        seen["count_after_bad"] = Contact.select().count()
        seen["good"] = await attempt(pilot, good)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, SegmentsListScreen)

    run(app, scenario)
    assert "Import is refused as it stands (2 problems)" in seen["bad"]
    assert "line 2: Events attended must be a number" in seen["bad"]
    assert "line 4: missing email" in seen["bad"]
    assert "Nothing was imported." in seen["bad"]
    assert seen["count_after_bad"] == contacts_before
    assert not Contact.select().where(Contact.email == "new.b@example.org").exists()
    assert "Imported. 2 lines: 1 created, 1 updated." in seen["good"]
    assert Contact.select().count() == contacts_before + 1
    assert Contact.get(Contact.email == "new.c@example.org").first_name == "Nouveau"
    assert Contact.get_by_id(1).region == "Occitanie" and Contact.get_by_id(1).first_name == known.first_name


def test_records_browser_edit_a_property_and_the_segments_follow(make_app, demo_ctx):
    app = make_app()
    bretons = segments.get("Events 2025, Bretagne")
    person = Contact.get_by_id(sorted(members(bretons.id))[0])
    seen = {}

    async def scenario(pilot):
        await pilot.press("b")
        await pilot.pause()
        browser = pilot.app.screen
        assert isinstance(browser, RecordsBrowserScreen)
        await settle(pilot)
        seen["status"] = shown(browser.query_one("#browser-status"))
        browser.query_one("#browser-search").value = person.email
        await settle(pilot)
        assert browser.ids == [person.id]
        browser.query_one("#records").focus()
        await pilot.press("enter")
        await pilot.pause()
        page = pilot.app.screen
        assert isinstance(page, RecordScreen)
        seen["segments_before"] = segment_rows(page)
        props = page.query_one("#properties")
        props.move_cursor(row=page.names.index("region"))
        await pilot.press("e")
        await pilot.pause()
        pilot.app.screen.query_one("#property-value").value = "Occitanie"
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is page
        seen["note"] = shown(page.query_one("#edit-note"))
        seen["segments"] = segment_rows(page)  # no worker run needed

    run(app, scenario)
    assert seen["status"].startswith("1–50 of 300 contacts · page 1/6")
    assert "Saved: Region is now Occitanie." in seen["note"]
    assert "Left 'Events 2025, Bretagne'" in seen["note"]
    assert any("Events 2025, Bretagne" in s for s in seen["segments_before"])
    assert not any("Events 2025, Bretagne" in s for s in seen["segments"])
    assert records.get_record("contacts", person.id).region == "Occitanie"
    assert person.id not in members(bretons.id)


def test_rename_and_clone_with_names_checked_inline(make_app):
    app = make_app()
    target = segments.get("Webinar October 2026")
    seen = {}

    async def scenario(pilot):
        detail = await open_segment(pilot, target.name)
        await pilot.press("n")
        await pilot.pause()
        modal = pilot.app.screen
        assert isinstance(modal, NameModal)
        modal.query_one("#name-input").value = "hand-picked vips"
        await pilot.press("enter")
        await pilot.pause()
        assert pilot.app.screen is modal, "a taken name is refused where it is typed"
        seen["taken"] = shown(modal.query_one("#name-error"))
        modal.query_one("#name-input").value = "Webinar Nov 2026"
        await pilot.press("enter")
        await pilot.pause()
        assert detail.segment.name == "Webinar Nov 2026"
        await pilot.press("c")
        await pilot.pause()
        seen["default"] = pilot.app.screen.query_one("#name-input").value
        await pilot.press("enter")
        await settle(pilot)
        seen["opened"] = pilot.app.screen.segment.name

    run(app, scenario)
    assert "already exists" in seen["taken"]
    assert segments.get(target.id).name == "Webinar Nov 2026"
    assert seen["default"] == "Copy of Webinar Nov 2026" == seen["opened"]
    copy = segments.get("Copy of Webinar Nov 2026")
    assert copy.type == "active" and copy.schedule_mode == "never"
    assert members(copy.id) == members(target.id)


def test_cycle_is_marked_on_the_filter_and_nothing_saved(make_app):
    app = make_app()
    target = segments.get("Hand-picked VIPs")
    seen = {}

    async def scenario(pilot):
        await open_segment(pilot, target.name)
        await pilot.press("e")
        await pilot.pause()
        screen = pilot.app.screen
        await pilot.press("n")
        await pilot.pause()
        await typed(pilot, "segm")
        await pilot.press("enter", "tab")
        await typed(pilot, "cust")
        await pilot.press("enter")  # choose the segment
        await pilot.press("enter")  # apply
        await settle(pilot)
        editor = screen.query_one(FilterEditor)
        seen["row"] = shown(editor.query_one("#filter-rows").get_option_at_index(1).prompt)
        seen["count"] = shown(editor.query_one(LiveCount))
        await pilot.press("ctrl+s")
        await pilot.pause()
        seen["error"] = shown(screen.query_one("#form-error"))
        assert pilot.app.screen is screen

    run(app, scenario)
    assert "Is member of segment Customers not in VIPs" in seen["row"]
    assert "⚠ These filters would make 'Hand-picked VIPs' depend on itself" in seen["row"]
    assert seen["count"] == "Fix the marked filter to see how many match."
    assert seen["error"].startswith("⚠ Not saved: Group 1, filter 1: These filters would make")
    assert store.tree(segments.get(target.id)) == {"groups": []}


@on_both_databases
def test_static_filters_are_saved_without_changing_members(make_app):
    app = make_app()
    target = segments.get("Hand-picked VIPs")
    before = members(target.id)
    seen = {}

    async def scenario(pilot):
        await open_segment(pilot, target.name)
        await pilot.press("e")
        await pilot.pause()
        seen["note"] = shown(pilot.app.screen.query_one("#filters-note"))
        await pilot.press("n")
        await pilot.pause()
        await typed(pilot, "subscri")
        await pilot.press("enter", "enter")  # is true needs no value: apply from the operator
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SegmentDetailScreen)

    run(app, scenario)
    assert "only matter for a later conversion to active" in seen["note"]
    assert store.tree(segments.get(target.id)) == {"groups": [{"filters": [
        {"property": "subscribed", "operator": "is_true"}]}]}
    assert members(target.id) == before


def test_palette_titles_and_read_only(make_app, demo_ctx):
    app = make_app()
    titles = {}

    async def scenario(pilot):
        titles["list"] = {c.title for c in pilot.app.get_system_commands(pilot.app.screen)}
        await open_segment(pilot, "Hand-picked VIPs")
        titles["static"] = {c.title for c in pilot.app.get_system_commands(pilot.app.screen)}
        await pilot.press("escape", "D")
        await pilot.pause()
        titles["deleted"] = {c.title for c in pilot.app.get_system_commands(pilot.app.screen)}

    run(app, scenario)
    assert {"Create segment", "Browse records", "Recently deleted", "Import records", "Delete"} <= titles["list"]
    assert {"Edit filters", "Test a record", "Add records", "Remove records", "Add members of another segment",
            "Rename", "Clone", "Delete", "Import records", "Export members", "Recently deleted",
            "Create segment", "Browse records"} <= titles["static"]
    assert "Restore" in titles["deleted"]

    from dataclasses import replace

    from segtui.tui.app import SegtuiApp

    read_only = SegtuiApp(replace(demo_ctx, read_only=True), worker_interval=0, animations=False)
    seen = {}

    async def look(pilot):
        seen["list"] = {c.title for c in pilot.app.get_system_commands(pilot.app.screen)}
        detail = await open_segment(pilot, "Hand-picked VIPs")
        seen["menu"] = [e.label for e in detail.menu_entries()]
        await pilot.press("e", "plus", "delete", "n")
        await pilot.pause()
        seen["screen"] = pilot.app.screen
        await pilot.press("escape", "D")
        await pilot.pause()
        seen["restore"] = {c.title for c in pilot.app.get_system_commands(pilot.app.screen)}

    run(read_only, look)
    assert not {"Create segment", "Import records", "Delete"} & seen["list"]
    assert {"Browse records", "Recently deleted"} <= seen["list"]
    # an export writes on the server; the automatic conversion is shown, read-only
    assert seen["menu"] == ["Automatic conversion settings", "Test a record", "Back to segments"]
    assert isinstance(seen["screen"], SegmentDetailScreen)
    assert "Restore" not in seen["restore"]


def test_done_when_create_convert_add_by_hand_and_back(make_app, demo_ctx):
    """The issue's "done when", by keys: create "Events 2025, Bretagne" (events attended >= 1 AND
    region is Bretagne), see its members, convert it to static, add one contact by hand, and
    convert it back to active."""
    segments.delete(demo_ctx, segments.get("Events 2025, Bretagne").id)  # the demo's, to free the name
    expected = contact_ids((Contact.events_attended >= 1) & (fn.LOWER(Contact.region) == "bretagne"))
    outsider = Contact.select().where(Contact.region == "Occitanie").order_by(Contact.id).first()
    seen = {}

    async def scenario(pilot):
        await pilot.press("n")
        await pilot.pause()
        pilot.app.screen.query_one("#name").value = "Events 2025, Bretagne"
        await pilot.press("tab", "tab", "tab", "n")
        await typed(pilot, "even")
        await pilot.press("enter")
        await choose_operator(pilot, 5)
        await pilot.press("1", "enter", "n")
        await typed(pilot, "reg")
        await pilot.press("enter", "tab", *"Bretagne", "enter")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        detail = pilot.app.screen
        assert isinstance(detail, SegmentDetailScreen)
        seen["shown"] = set(detail.member_ids)
        await choose_action(pilot, "Convert to static")
        await pilot.press("enter")
        await pilot.pause()
        assert detail.segment.type == "static"
        await pilot.press("plus")
        await pilot.pause()
        pilot.app.screen.query_one("#picker-search").value = outsider.email
        await settle(pilot)
        await pilot.press("enter", "enter")
        await pilot.pause()
        seen["static"] = members(detail.segment_id)
        await choose_action(pilot, "Convert to active")
        await settle(pilot)
        seen["preview"] = pilot.app.screen.body
        await pilot.press("enter")
        await pilot.pause()
        seen["id"] = detail.segment_id

    run(make_app(), scenario)
    assert seen["shown"] == expected  # all on the first page of the small demo
    assert seen["static"] == expected | {outsider.id}
    assert "+0 added, -1 removed" in seen["preview"]
    final = segments.get(seen["id"])
    assert final.type == "active" and members(final.id) == expected


def test_names_in_notifications_and_forms_are_never_markup(make_app, demo_ctx):
    hostile = "[bold red]Injected[/] [link=x]y"
    target, _ = segments.create(demo_ctx, hostile, "contacts", "static")
    seen = {}

    async def scenario(pilot):
        screen = pilot.app.screen
        screen.query_one("#segments").move_cursor(row=screen.ids.index(target.id))
        await pilot.press("delete")
        await pilot.pause()
        modal = pilot.app.screen
        seen["title"] = modal.title_text
        await pilot.press("enter")
        await settle(pilot)  # the delete runs in a thread worker: its notice comes after it
        seen["notes"] = list(pilot.app._notifications)

    run(make_app(), scenario)
    assert seen["title"] == f"Delete {hostile!r}?"
    assert seen["notes"] and all(not n.markup for n in seen["notes"])
    assert any(hostile in n.message for n in seen["notes"])
    assert segments.deleted(demo_ctx)[0].id == target.id


@on_both_databases
def test_delete_a_record_from_its_page_names_the_segments_it_leaves(make_app, demo_ctx):
    """del on the record page (issue 13): a dialog naming the segments it leaves; Cancel changes nothing,
    Delete deletes it for good, it leaves them at once (their dependants too), the browser shows it gone."""
    app = make_app()
    bretons = segments.get("Events 2025, Bretagne")
    person = Contact.get_by_id(sorted(members(bretons.id))[0])
    held = {b.segment.id: b.segment.name for b in records.memberships_of("contacts", person.id)}
    assert bretons.id in held
    seen = {}

    async def scenario(pilot):
        await pilot.press("b")
        await settle(pilot)
        browser = pilot.app.screen
        browser.query_one("#browser-search").value = person.email
        await settle(pilot)
        browser.query_one("#records").focus()
        await pilot.press("enter")
        await settle(pilot)
        page = pilot.app.screen
        assert isinstance(page, RecordScreen)
        await pilot.press("delete")
        await pilot.pause()
        modal = pilot.app.screen
        assert isinstance(modal, ConfirmModal)
        seen["dialog"] = (modal.title_text, modal.body)
        await pilot.press("escape")  # Cancel: nothing
        await pilot.pause()
        assert pilot.app.screen is page
        seen["kept"] = Contact.get_or_none(Contact.id == person.id) is not None
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("enter")  # Delete (the focused button)
        await settle(pilot)
        seen["back"] = pilot.app.screen
        seen["told"] = [n.message for n in pilot.app._notifications]
        seen["browser"] = (list(browser.ids), shown(browser.query_one("#browser-status")))

    run(app, scenario)
    title, body = seen["dialog"]
    assert title == f"Delete contact {person.email} for good?"
    assert body.startswith(f"It leaves {len(held)} segment{'s' if len(held) > 1 else ''}: ")
    assert all(repr(name) in body for name in held.values()) and "cannot be undone" in body
    assert seen["kept"]
    assert isinstance(seen["back"], RecordsBrowserScreen)
    assert any(m.startswith(f"Deleted contact {person.email}. Left ") and "'Events 2025, Bretagne'" in m
               for m in seen["told"]), seen["told"]
    assert seen["browser"] == ([], f"No contacts match {person.email!r}.")  # the search still typed
    assert Contact.get_or_none(Contact.id == person.id) is None
    assert not any(person.id in members(sid) for sid in held)
    assert segments.get(bretons.id).size == len(members(bretons.id))
    last = MembershipLog.select().where(MembershipLog.record_id == person.id).order_by(MembershipLog.id.desc()).first()
    assert last.action == "removed"


def test_a_viewer_gets_no_delete_on_a_record_page(demo_ctx):
    from dataclasses import replace

    from segtui.tui.app import SegtuiApp

    app = SegtuiApp(replace(demo_ctx, read_only=True), worker_interval=0, animations=False)
    person = Contact.select().order_by(Contact.id).first()
    seen = {}

    async def scenario(pilot):
        pilot.app.push_screen(RecordScreen("contacts", person.id))
        await settle(pilot)
        await pilot.press("delete")
        await pilot.pause()
        seen["screen"] = pilot.app.screen
        seen["palette"] = [c.title for c in pilot.app.screen.ACTIONS.commands(pilot.app.screen)]

    run(app, scenario)
    assert isinstance(seen["screen"], RecordScreen)  # no dialog
    assert "Delete this record" not in seen["palette"]
    assert Contact.get_or_none(Contact.id == person.id) is not None
