"""Snapshots of issue 12's screens (your own data) at 80x24 and 120x40: Properties, the import
mapping screen and its column form, and a record page with its associations; one console walks
them at each size (conftest.walk)."""

from __future__ import annotations

import pytest
from peewee import fn

from segtui.core import associations
from segtui.core.models import Association, Company, Contact
from segtui.tui.screens.record_page import RecordScreen

from .conftest import SIZES, compare, keys, scenario, settle, still_toasts, walk
from .test_import_mapping_flows import HUBSPOT


async def mapping(pilot):
    await pilot.press("i")
    await pilot.pause()
    pilot.app.screen.query_one("#import-path").value = "hubspot.csv"
    await pilot.press("enter")
    await settle(pilot)


async def favorite_color_form(pilot):
    screen = pilot.app.screen
    screen.query_one("#mapping-columns").move_cursor(row=[c.header for c in screen.shown.columns].index("Favorite Color"))
    await pilot.press("enter")
    await pilot.pause()


async def record_page(pilot):
    """The page of the contact with the most companies (the lowest id of them)."""
    count = fn.COUNT(Association.company)
    person = (Association.select(Association.contact).group_by(Association.contact)
              .order_by(count.desc(), Association.contact).first()).contact_id
    await pilot.app.push_screen(RecordScreen("contacts", person))
    await settle(pilot)
    pilot.app.screen.query_one("#record-associations").focus()
    await pilot.pause()


SCREENS = {
    "properties": scenario(keys("P"), settled=True),
    "import_mapping": scenario(mapping, settled=True),
    "column_mapping": scenario(mapping, favorite_color_form, settled=True),
    "record_associations": scenario(record_page, settled=True),
}


@pytest.mark.parametrize("size", list(SIZES))
def test_screens(snapshot, make_app, demo_ctx, files_dir, size):
    (files_dir / "hubspot.csv").write_text(HUBSPOT, encoding="utf-8")
    person = Contact.select().order_by(Contact.id).first()
    for company in Company.select().order_by(Company.id).limit(2):
        associations.associate(demo_ctx, person.id, company.id)
    assert compare(snapshot, walk(still_toasts(make_app()), SCREENS, SIZES[size])) == []
