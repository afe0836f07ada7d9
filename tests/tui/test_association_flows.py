"""Pilot tests (issue 12): a record page lists its associations, adds, removes and opens them, and
the segments with association filters follow at once."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import DataTable

from segtui.core import associations, records, segments
from segtui.core.models import Company, Contact, Membership
from segtui.tui.app import SegtuiApp
from segtui.tui.screens.confirm import ConfirmModal
from segtui.tui.screens.record_page import RecordScreen
from segtui.tui.screens.record_picker import RecordPicker

from .conftest import run, settle, wait_until


def linked_rows(page: RecordScreen) -> list[str]:
    table = page.query_one("#record-associations", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def members(segment_id: int) -> set[int]:
    return {m.record_id for m in Membership.select().where(Membership.segment == segment_id)}


def software_people(ctx):
    segments.create(ctx, "Software people", "contacts", "active", {"groups": [{"filters": [
        {"association": "companies", "filters": [{"property": "industry", "operator": "is_any_of",
                                                  "values": ["Software"]}]}]}]})
    return segments.get("Software people")


def test_add_open_make_primary_and_remove_associations(make_app, demo_ctx):
    soft, shop = Company.select().order_by(Company.id).limit(2)
    records.set_property(demo_ctx, "companies", soft.id, "industry", "Software")
    records.set_property(demo_ctx, "companies", shop.id, "industry", "Retail")
    person = Contact.select().order_by(Contact.id).first()
    for company in associations.companies_of(person.id):  # a clean start whatever the demo linked
        associations.dissociate(demo_ctx, person.id, company[0].id)
    segment = software_people(demo_ctx)
    assert person.id not in members(segment.id)
    seen = {}

    async def scenario(pilot):
        page = RecordScreen("contacts", person.id)
        await pilot.app.push_screen(page)
        await settle(pilot)
        seen["none"] = linked_rows(page)
        await pilot.press("a")
        await pilot.pause()
        picker = pilot.app.screen
        assert isinstance(picker, RecordPicker) and picker.object_type == "companies"
        for company in (soft, shop):  # mark both, found by domain
            picker.query_one("#picker-search").value = company.domain
            await wait_until(pilot, lambda domain=company.domain: picker.search_text == domain
                             and not picker.search_pending and bool(picker.rows), f"the companies of {company.domain}")
            await settle(pilot)
            picker.query_one("#picker-table").focus()
            await pilot.press("space")
            await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is page
        seen["added"] = linked_rows(page)
        seen["note"] = str(page.query_one("#edit-note").render())
        seen["members_after_add"] = members(segment.id)
        # the second company becomes the primary one
        table = page.query_one("#record-associations", DataTable)
        table.focus()
        table.move_cursor(row=1)
        await pilot.press("p")
        await settle(pilot)
        seen["primary"] = linked_rows(page)
        # remove the software company (now second): confirmed first
        table.move_cursor(row=1)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmModal)
        await pilot.press("escape")  # Cancel changes nothing
        await pilot.pause()
        seen["after_cancel"] = linked_rows(page)
        await pilot.press("x")
        await pilot.pause()
        await pilot.click("#confirm")
        await settle(pilot)
        seen["removed"] = linked_rows(page)
        seen["members_after_remove"] = members(segment.id)
        # Enter opens the associated company's page, which lists the contact
        table.move_cursor(row=0)
        await pilot.press("enter")
        await settle(pilot)
        company_page = pilot.app.screen
        assert isinstance(company_page, RecordScreen) and company_page.object_type == "companies"
        seen["company_side"] = linked_rows(company_page)

    run(make_app(), scenario, size=(120, 40))
    assert seen["none"] == ["no associated company"]
    assert len(seen["added"]) == 2 and seen["added"][0].startswith("primary ")
    assert "2 companies associated" in seen["note"] and "1 joined 1 segment" in seen["note"]
    assert person.id in seen["members_after_add"]  # at once, no worker run
    assert seen["primary"][0].startswith(f"primary {shop.domain}")
    assert seen["after_cancel"] == seen["primary"]
    assert len(seen["removed"]) == 1 and seen["removed"][0].startswith(f"primary {shop.domain}")
    assert person.id not in seen["members_after_remove"]
    assert any(person.email in row for row in seen["company_side"])
    assert [c.id for c, _ in associations.companies_of(person.id)] == [shop.id]


def test_a_read_only_console_lists_associations_and_changes_none(demo_ctx):
    company = Company.select().order_by(Company.id).first()
    person = Contact.select().order_by(Contact.id).first()
    associations.associate(demo_ctx, person.id, company.id)
    before = [c.id for c, _ in associations.companies_of(person.id)]
    seen = {}

    async def scenario(pilot):
        page = RecordScreen("contacts", person.id)
        await pilot.app.push_screen(page)
        await settle(pilot)
        page.query_one("#record-associations", DataTable).focus()
        for key in ("a", "x", "p"):
            await pilot.press(key)
            await pilot.pause()
            seen.setdefault("screens", []).append(type(pilot.app.screen).__name__)
        seen["rows"] = linked_rows(page)
        seen["title"] = str(page.query_one("#associations-title").render())

    run(SegtuiApp(replace(demo_ctx, read_only=True), worker_interval=0, animations=False), scenario, size=(120, 40))
    assert seen["screens"] == ["RecordScreen"] * 3
    assert any(company.domain in row for row in seen["rows"])
    assert "a add" not in seen["title"] and "Enter open" in seen["title"]
    assert [c.id for c, _ in associations.companies_of(person.id)] == before
