"""Pilot tests (issue 12): the Properties screen, and custom properties on the record page."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Select, Static

from segtui.core import property_admin, records, segments
from segtui.core import properties as registry
from segtui.core.models import Contact
from segtui.tui.screens.properties_screen import PropertiesScreen, PropertyFormModal
from segtui.tui.screens.record_page import RecordScreen

from .conftest import run


async def done(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_create_archive_and_restore_a_property(make_app, demo_ctx):
    app = make_app()

    async def scenario(pilot):
        await pilot.press("P")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, PropertiesScreen)
        assert "lifecycle_stage" in screen.names
        await pilot.press("n")
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, PropertyFormModal)
        await pilot.press(*"Member Level")
        assert "member_level" in str(form.query_one("#form-name", Static).render())
        form.query_one("#form-type", Select).value = "enumeration"
        await pilot.pause()
        form.query_one("#form-options", Input).value = "Gold, gold"
        await pilot.click("#save")
        await done(pilot)
        assert "are the same option" in str(form.query_one("#form-error", Static).render())
        form.query_one("#form-options", Input).value = "Gold, Silver"
        form.query_one("#form-options", Input).focus()
        await pilot.press("enter")
        await done(pilot)
        assert pilot.app.screen is screen, str(form.query_one("#form-error", Static).render())
        table = screen.query_one(DataTable)
        assert screen.names[table.cursor_row] == "member_level"
        # used by a segment: archiving is refused, naming it
        segments.create(demo_ctx, "Gold", "contacts", "active", {"groups": [{"filters": [
            {"property": "member_level", "operator": "is_any_of", "values": ["Gold"]}]}]})
        await pilot.press("a")
        await done(pilot)
        assert not registry.get("contacts", "member_level").archived
        segments.delete(demo_ctx, segments.get("Gold").id)
        await pilot.press("a")
        await done(pilot)
        assert registry.get("contacts", "member_level").archived
        assert "member_level" not in screen.names  # archived ones are hidden until h
        await pilot.press("h")
        await pilot.pause()
        table.move_cursor(row=screen.names.index("member_level"))
        await pilot.press("a")
        await done(pilot)
        assert not registry.get("contacts", "member_level").archived
        await pilot.press("o")
        await pilot.pause()
        assert screen.object_type == "companies" and "domain" in screen.names

    run(app, scenario, size=(100, 30))


def test_the_record_page_shows_custom_properties_by_label(make_app, demo_ctx):
    property_admin.create(demo_ctx, "contacts", "Interests", "multiple_checkboxes", options="Events,Podcasts")
    contact = Contact.select().order_by(Contact.id).first()
    records.set_property(demo_ctx, "contacts", contact.id, "interests", "podcasts;EVENTS")
    app = make_app()

    async def scenario(pilot):
        pilot.app.push_screen(RecordScreen("contacts", contact.id))
        await pilot.pause()
        table = pilot.app.screen.query_one("#properties", DataTable)
        rows = {str(table.get_row_at(i)[0]): str(table.get_row_at(i)[1]) for i in range(table.row_count)}
        assert rows["Interests"] == "Events;Podcasts"

    run(app, scenario)


def test_an_association_filter_through_the_filter_form(make_app):
    from segtui.tui.screens.filter_form import FilterForm

    app = make_app()
    results = []

    async def scenario(pilot):
        pilot.app.push_screen(FilterForm("contacts", "Add a filter", None, lambda f: {"groups": [{"filters": [f]}]}),
                              results.append)
        await pilot.pause()
        form = pilot.app.screen
        await pilot.press(*"Associated company: Ind")
        await pilot.press("enter")
        await pilot.pause()
        assert form.prop == "@companies.industry" and form.query_one("#assoc-row").display
        await pilot.press("tab")
        await pilot.press(*"Software")
        await pilot.pause()
        form.query_one("#assoc-mode", Select).value = "n"
        await pilot.pause()
        form.query_one("#assoc-n", Input).value = "2"
        await pilot.pause()
        form.action_apply()
        await pilot.pause()
        # and back: an existing association filter opens in the form
        pilot.app.push_screen(FilterForm("contacts", "Edit", {"association": "companies", "negate": True, "filters": [
            {"property": "employees", "operator": "gt", "value": 100}]}, lambda f: {"groups": [{"filters": [f]}]}),
            results.append)
        await pilot.pause()
        form = pilot.app.screen
        assert form.prop == "@companies.employees" and form.query_one("#assoc-mode", Select).value == "none"
        form.action_apply()
        await pilot.pause()

    run(app, scenario)
    assert results == [
        {"association": "companies", "at_least": 2,
         "filters": [{"property": "industry", "operator": "is_any_of", "values": ["Software"]}]},
        {"association": "companies", "negate": True,
         "filters": [{"property": "employees", "operator": "gt", "value": 100}]},
    ]
