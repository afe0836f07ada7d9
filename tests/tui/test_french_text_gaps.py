"""The last English a French admin met in the console (issue 16): a built-in property's label
and description in its edit form, kept as stored unless changed."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from segtui.core import properties as registry
from segtui.tui.screens.properties_screen import PropertiesScreen, PropertyFormModal

from .conftest import run, settle


async def done(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_a_built_in_property_is_edited_in_french_and_stays_english_unless_changed(french, make_app):
    seen = {}

    async def edit_company_domain(pilot) -> PropertyFormModal:
        screen = pilot.app.screen
        screen.query_one(DataTable).move_cursor(row=screen.names.index("company_domain"))
        await pilot.press("e")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, PropertyFormModal)
        return form

    async def scenario(pilot):
        await pilot.press("P")
        await settle(pilot)
        properties_screen = pilot.app.screen
        assert isinstance(properties_screen, PropertiesScreen)
        form = await edit_company_domain(pilot)
        seen["label"] = form.query_one("#form-label", Input).value
        seen["description"] = form.query_one("#form-description", Input).value
        form.query_one("#form-label", Input).focus()
        await pilot.press("enter")  # saved as shown: nothing changed
        await done(pilot)
        assert pilot.app.screen is properties_screen
        seen["kept"] = registry.get("contacts", "company_domain")
        form = await edit_company_domain(pilot)
        form.query_one("#form-label", Input).value = "Domaine de l'employeur"
        form.query_one("#form-label", Input).focus()
        await pilot.press("enter")
        await done(pilot)
        assert pilot.app.screen is properties_screen
        seen["changed"] = registry.get("contacts", "company_domain")

    run(make_app(), scenario, size=(80, 24))
    assert seen["label"] == "Domaine de l'entreprise"
    assert seen["description"] == registry.description_of(seen["kept"]) != seen["kept"].description  # in French
    assert (seen["kept"].label, seen["kept"].description) == (
        "Company domain", "Associates the contact with the company of this domain on import")
    assert seen["changed"].label == "Domaine de l'employeur"
    assert seen["changed"].description == "Associates the contact with the company of this domain on import"
