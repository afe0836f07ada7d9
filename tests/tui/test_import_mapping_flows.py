"""Pilot tests (issue 12): a HubSpot export through the import mapping screen, and what it refuses."""

from __future__ import annotations

from textual.widgets import Button, DataTable, Input, Select

from segtui.core import properties as registry
from segtui.core.models import Contact, ImportMapping, PropertyDefinition
from segtui.tui.screens.import_mapping import CREATE, SKIP, ColumnMappingModal, ImportMappingScreen
from segtui.tui.screens.import_modal import ImportModal

from ..core.core_helpers import dump
from .conftest import run, settle

HUBSPOT = (
    "Record ID,Email,First Name,Lifecycle Stage,Favorite Color,Yearly Gift,Member Level\n"
    "901,ada@example.org,Ada,Marketing Qualified Lead,Blue,\"1 234,5\",Gold\n"
    "902,bob@example.org,Bob,customer,Red,12,Silver\n"
    "903,cy@example.org,Cy,Lead,Blue,\"3,5\",Gold\n"
    "904,di@example.org,Di,Customer,Red,7,Silver\n"
)


def shown(widget) -> str:
    return str(widget.render())


def column_row(screen: ImportMappingScreen, header: str) -> int:
    return [c.header for c in screen.shown.columns].index(header)


def fates(screen: ImportMappingScreen) -> dict[str, str]:
    table = screen.query_one("#mapping-columns", DataTable)
    return {str(table.get_row_at(i)[0]): str(table.get_row_at(i)[1]) for i in range(table.row_count)}


async def open_mapping(pilot, name: str) -> ImportMappingScreen:
    await pilot.press("i")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ImportModal)
    pilot.app.screen.query_one("#import-path", Input).value = name
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ImportMappingScreen), shown(pilot.app.screen.query_one("#import-report"))
    return screen


async def change_column(pilot, screen: ImportMappingScreen, header: str) -> ColumnMappingModal:
    screen.query_one("#mapping-columns", DataTable).move_cursor(row=column_row(screen, header))
    await pilot.press("enter")
    await pilot.pause()
    modal = pilot.app.screen
    assert isinstance(modal, ColumnMappingModal)
    return modal


async def submit(pilot, form: ColumnMappingModal) -> None:
    """Enter in the label field applies the form, as the Apply button does."""
    form.query_one("#column-label", Input).focus()
    await pilot.press("enter")
    await pilot.pause()


def test_a_hubspot_export_through_the_mapping_screen(make_app, files_dir):
    (files_dir / "hubspot.csv").write_text(HUBSPOT, encoding="utf-8")
    seen = {}

    async def scenario(pilot):
        screen = await open_mapping(pilot, "hubspot.csv")
        seen["fates"] = fates(screen)
        seen["detected"] = {c.header: screen.shown.detected[c.index].type for c in screen.shown.columns}
        seen["summary"] = shown(screen.query_one("#mapping-summary"))
        assert PropertyDefinition.select().where(PropertyDefinition.name == "favorite_color").count() == 0
        # Yearly Gift: a number with a comma decimal point, created as a number
        modal = await change_column(pilot, screen, "Yearly Gift")
        assert modal.query_one("#column-target", Select).value == CREATE
        assert modal.query_one("#column-type", Select).value == "number"
        # Member Level: not imported
        await pilot.press("escape")
        await pilot.pause()
        modal = await change_column(pilot, screen, "Member Level")
        modal.query_one("#column-target", Select).value = SKIP
        await pilot.pause()
        await pilot.click("#column-apply")
        await settle(pilot)
        assert pilot.app.screen is screen
        seen["after_skip"] = fates(screen)
        # Favorite Color: created as a text property instead of the inferred dropdown, renamed
        modal = await change_column(pilot, screen, "Favorite Color")
        modal.query_one("#column-label", Input).value = "Preferred colour"
        modal.query_one("#column-type", Select).value = "text"
        await pilot.pause()
        await pilot.click("#column-apply")
        await settle(pilot)
        seen["preview"] = [[str(c) for c in screen.query_one("#mapping-preview", DataTable).get_row_at(i)]
                           for i in range(screen.query_one("#mapping-preview", DataTable).row_count)]
        seen["contacts_before_import"] = Contact.select().where(Contact.email == "ada@example.org").count()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ImportModal)
        seen["report"] = shown(pilot.app.screen.query_one("#import-report"))
        # the same headers next time: the mapping is remembered
        pilot.app.screen.query_one("#import-path", Input).value = "hubspot.csv"
        pilot.app.screen.query_one("#import-path", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        seen["again"] = fates(pilot.app.screen)

    run(make_app(), scenario, size=(120, 40))
    fate = seen["fates"]
    assert "Email" in fate["Email"] and "name" in fate["Email"]
    assert fate["First Name"].startswith("First name") and fate["Lifecycle Stage"].startswith("Lifecycle stage")
    assert fate["Record ID"].startswith("Record ID")
    assert fate["Favorite Color"] == "new Favorite Color"  # of the type detected beside it; options in the summary
    assert seen["detected"]["Yearly Gift"] == "number" and seen["detected"]["Favorite Color"] == "enumeration"
    assert "4 lines: 4 new, 0 updated, 0 unchanged, 0 refused lines" in seen["summary"]
    assert seen["after_skip"]["Member Level"] == "not imported"
    assert seen["contacts_before_import"] == 0
    first = seen["preview"][0]
    assert first[0] == "2" and "ada@example.org" in first and "Marketing qualified lead" in first
    assert "1234.5" in first and "Blue" in first
    assert "Imported. 4 lines: 4 created, 0 updated." in seen["report"]
    assert "Created the property 'Preferred colour' (preferred_colour, text)" in seen["report"]
    ada = Contact.get(Contact.email == "ada@example.org")
    assert ada.lifecycle_stage == "marketing_qualified_lead"
    assert (ada.p_preferred_colour, ada.p_yearly_gift, ada.hubspot_id) == ("Blue", 1234.5, "901")
    assert registry.get("contacts", "member_level") is None
    assert seen["again"]["Favorite Color"].startswith("Preferred colour")
    assert seen["again"]["Member Level"] == "not imported"
    assert ImportMapping.select().count() == 1


def test_bad_input_on_the_mapping_screen_changes_nothing(make_app, files_dir):
    (files_dir / "odd.csv").write_text(
        "Email,Lifecycle Stage,Favorite Color\n"
        "ok@example.org,Lead,Blue\n"
        "alien@example.org,Starship captain,Red\n"
        "no-at-sign,Lead,Blue\n", encoding="utf-8")
    (files_dir / "empty.csv").write_text("", encoding="utf-8")
    before = dump()
    seen = {}

    async def scenario(pilot):
        await pilot.press("i")
        await pilot.pause()
        modal = pilot.app.screen
        modal.query_one("#import-path", Input).value = "empty.csv"
        await pilot.press("enter")
        await settle(pilot)
        seen["empty"] = shown(modal.query_one("#import-report"))
        assert pilot.app.screen is modal
        await pilot.press("escape")
        await pilot.pause()
        screen = await open_mapping(pilot, "odd.csv")
        seen["summary"] = shown(screen.query_one("#mapping-summary"))
        seen["import_disabled"] = screen.query_one("#mapping-import", Button).disabled
        await pilot.press("ctrl+s")  # refused as it stands: a sentence, nothing written
        await settle(pilot)
        assert pilot.app.screen is screen
        # the column form refuses what it cannot create, in words, and stays open
        form = await change_column(pilot, screen, "Favorite Color")
        form.query_one("#column-label", Input).value = "!!!"
        await submit(pilot, form)
        await pilot.pause()
        seen["empty_label"] = shown(form.query_one("#column-error"))
        form.query_one("#column-label", Input).value = "City"
        await submit(pilot, form)
        await pilot.pause()
        seen["clash"] = shown(form.query_one("#column-error"))
        form.query_one("#column-label", Input).value = "Tone"
        form.query_one("#column-type", Select).value = "multiple_checkboxes"
        form.query_one("#column-options", Input).value = ""
        await submit(pilot, form)
        await pilot.pause()
        seen["no_options"] = shown(form.query_one("#column-error"))
        assert pilot.app.screen is form
        await pilot.press("escape")
        await pilot.pause()
        seen["during"] = dump()
        # the value that is not an option can be added as one (o), then only the bad email remains
        await pilot.press("o")
        await settle(pilot)
        seen["after_o"] = shown(screen.query_one("#mapping-summary"))
        await pilot.press("escape")
        await settle(pilot)
        seen["back"] = shown(pilot.app.screen.query_one("#import-report"))

    run(make_app(), scenario, size=(120, 40))
    assert "The file is empty" in seen["empty"]
    summary = seen["summary"]
    assert "Import is refused as it stands (2 problems)" in summary
    assert "line 3: Lifecycle stage: 'Starship captain' is not one of its options" in summary
    assert "line 4: 'no-at-sign' is not an email address" in summary
    assert "1 value of the file is not an option of Lifecycle stage: Starship captain — press o" in summary
    assert seen["import_disabled"] is True
    assert "Type a label with at least one letter or digit" in seen["empty_label"]
    assert "A contacts property named 'city' already exists" in seen["clash"]
    assert "needs options" in seen["no_options"]
    assert seen["during"] == before
    assert "Starship captain" not in seen["after_o"] and "(1 problem)" in seen["after_o"]
    assert "Nothing was imported." in seen["back"]
    assert dump() == before
