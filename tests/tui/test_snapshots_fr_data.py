"""The console's data screens in French at 80x24 (issue 16), and their main flows in French.

One console walks several screens and takes each screenshot on the way (conftest.Shots),
each compared with its own SVG (conftest.compare), updated with ``--snapshot-update`` (then
LOOK at them: ``convert x.svg x.png``).
"""

from __future__ import annotations

from pathlib import Path

import pendulum
import pytest

from segtui.core import associations, records, segments
from segtui.core.models import Company, Contact
from segtui.tui.screens.edit_filters import EditFiltersScreen
from segtui.tui.screens.edit_property import EditPropertyModal
from segtui.tui.screens.export_modal import ExportModal
from segtui.tui.screens.filter_form import FilterForm
from segtui.tui.screens.overlap import OverlapScreen
from segtui.tui.screens.record_page import RecordScreen
from segtui.tui.screens.record_test import RecordTestScreen

from .conftest import Shots, compare, run, screen_lines, settle, still_toasts
from .test_import_mapping_flows import HUBSPOT

SIZE = (80, 24)


async def keys(pilot, *pressed: str) -> None:
    await pilot.press(*pressed)
    await settle(pilot)


def segment_named(name: str):
    return next(s for s in segments.list_page(search=name, limit=5).rows if s.name == name)


# the files folder the dialogs name: the same on every run, as the snapshots show it
SNAPSHOT_FILES = Path("/tmp/segtui-snapshots/files-fr-data")


@pytest.fixture
def console(french, make_app, demo_ctx):
    SNAPSHOT_FILES.mkdir(parents=True, exist_ok=True)
    (SNAPSHOT_FILES / "hubspot.csv").write_text(HUBSPOT, encoding="utf-8")
    (SNAPSHOT_FILES / "newsletter.csv").unlink(missing_ok=True)
    person = Contact.select().order_by(Contact.id).first()
    for company in Company.select().order_by(Company.id).limit(2):
        associations.associate(demo_ctx, person.id, company.id)
    return still_toasts(make_app(files_dir=SNAPSHOT_FILES))


def test_records_and_properties_in_french(console, snapshot):
    """Records, a record page with its associations, editing a property, the record picker,
    the properties and a new property's form."""
    shots = Shots()
    person = Contact.select().order_by(Contact.id).first()

    async def walk(pilot):
        await keys(pilot, "b")
        await shots.take(pilot, "records_browser")
        await pilot.app.push_screen(RecordScreen("contacts", person.id))
        await shots.take(pilot, "record_page")
        page = pilot.app.screen
        page.query_one("#properties").move_cursor(row=page.names.index("events_attended"))
        await keys(pilot, "e")
        await shots.take(pilot, "edit_property")
        await keys(pilot, "escape")
        await keys(pilot, "a")
        await shots.take(pilot, "record_picker")
        await keys(pilot, "escape", "escape", "escape", "P")
        await shots.take(pilot, "properties")
        await keys(pilot, "n")
        await shots.take(pilot, "property_form")

    run(console, walk, size=SIZE)
    assert compare(snapshot, shots) == []


def test_import_and_lists_in_french(console, snapshot, demo_ctx):
    """The import dialog, the mapping screen and a column's form; recently deleted, unused
    segments, the folders, upcoming conversions."""
    shots = Shots()
    unused = next(s for s in segments.list_page(limit=50).rows if not segments.dependants(s.id))
    segments.delete(demo_ctx, unused.id)

    async def walk(pilot):
        await keys(pilot, "i")
        pilot.app.screen.query_one("#import-path").value = "hubspot.csv"
        await shots.take(pilot, "import_modal")
        await keys(pilot, "enter")
        await shots.take(pilot, "import_mapping")
        mapping = pilot.app.screen
        mapping.query_one("#mapping-columns").move_cursor(
            row=[c.header for c in mapping.shown.columns].index("Favorite Color"))
        await keys(pilot, "enter")
        await shots.take(pilot, "column_mapping")
        await keys(pilot, "escape", "escape", "escape", "D")
        await shots.take(pilot, "deleted_segments")
        await keys(pilot, "escape", "U")
        await shots.take(pilot, "unused")
        await keys(pilot, "escape", "f")
        await shots.take(pilot, "folders")
        await keys(pilot, "escape", "C")
        await shots.take(pilot, "upcoming")

    run(console, walk, size=SIZE)
    assert compare(snapshot, shots) == []


def test_filters_test_and_overlap_in_french(console, snapshot):
    """Editing filters, a filter's form with a number typed with a decimal comma, testing a
    record, the overlap of two segments and the export dialog."""
    shots = Shots()
    segment = segment_named("Newsletter, Normandie or Bretagne")
    other = segment_named("Events 2025, Bretagne")

    async def walk(pilot):
        await pilot.app.push_screen(EditFiltersScreen(segment))
        await shots.take(pilot, "edit_filters")
        await keys(pilot, "n")
        form = pilot.app.screen
        assert isinstance(form, FilterForm)
        form.choose_property("events_attended", "gt")
        form.query_one("#value").value = "1,5"
        await shots.take(pilot, "filter_form_decimal_comma")
        await keys(pilot, "escape")
        await keys(pilot, "enter")  # discard
        await keys(pilot, "escape")
        contact = Contact.select().order_by(Contact.id).first()
        await pilot.app.push_screen(RecordTestScreen(segment, contact.id))
        await shots.take(pilot, "record_test")
        await keys(pilot, "escape")
        overlap = OverlapScreen(segment)
        overlap.others = [other.id]
        await pilot.app.push_screen(overlap)
        overlap.compute()
        await shots.take(pilot, "overlap")
        await keys(pilot, "escape")
        await pilot.app.push_screen(ExportModal(segment.name, segment.size, "newsletter.csv", pilot.app.files_dir))
        await shots.take(pilot, "export_modal")

    run(console, walk, size=SIZE)
    assert compare(snapshot, shots) == []


# -- the flows, in French ----------------------------------------------------------------------------
def test_a_filter_takes_a_decimal_comma_in_french(french, make_app):
    """'1,5' is one and a half in French: the filter applied holds 1.5; '1,5,3' is refused
    under the field, in French."""
    segment = segment_named("Newsletter, Normandie or Bretagne")
    seen = {}

    async def scenario(pilot):
        await pilot.app.push_screen(EditFiltersScreen(segment))
        await settle(pilot)
        await keys(pilot, "n")
        form = pilot.app.screen
        form.choose_property("events_attended", "gt")
        form.query_one("#value").value = "1,5,3"
        await settle(pilot)
        seen["refused"] = str(form.query_one("#form-error").render())
        form.query_one("#value").value = "1,5"
        await settle(pilot)
        seen["count"] = str(form.query_one("#form-count").render())
        form.query_one("#value").focus()
        await keys(pilot, "enter")
        seen["groups"] = pilot.app.screen.query_one("FilterEditor").groups
        seen["lines"] = screen_lines(pilot.app)

    run(make_app(), scenario, size=SIZE)
    assert seen["refused"].startswith("⚠ ") and "1,5,3" in seen["refused"]
    assert seen["count"].startswith("Avec ce filtre\u00a0: correspondent")
    assert any({"property": "events_attended", "operator": "gt", "value": 1.5} in group for group in seen["groups"])
    assert any("Groupe 1" in line for line in seen["lines"]) and any("   ET " in line for line in seen["lines"])


def test_a_record_edit_takes_french_numbers_and_days(french, make_app, demo_ctx):
    """A number typed '2,5' is stored as 2.5, a day typed '31/12/2026' as that day, and the
    page says so in French."""
    person = Contact.select().order_by(Contact.id).first()
    seen = {}

    async def edit(pilot, name: str, typed: str) -> None:
        page = pilot.app.screen
        page.query_one("#properties").move_cursor(row=page.names.index(name))
        await keys(pilot, "e")
        modal = pilot.app.screen
        assert isinstance(modal, EditPropertyModal)
        modal.query_one("#property-value").value = typed
        await keys(pilot, "enter")

    async def scenario(pilot):
        await pilot.app.push_screen(RecordScreen("contacts", person.id))
        await settle(pilot)
        await edit(pilot, "events_attended", "2,5")
        seen["note"] = str(pilot.app.screen.query_one("#edit-note").render())
        await edit(pilot, "last_activity_date", "31/12/2026")

    run(make_app(), scenario, size=SIZE)
    record = records.get_record("contacts", person.id)
    assert record.events_attended == 2.5
    assert record.last_activity_date == pendulum.Date(2026, 12, 31)
    assert seen["note"].startswith("Enregistré\u00a0: ") and "2,5" in seen["note"]


def test_the_import_mapping_speaks_french(console):
    seen = {}

    async def scenario(pilot):
        await keys(pilot, "i")
        pilot.app.screen.query_one("#import-path").value = "hubspot.csv"
        await keys(pilot, "enter")
        seen["title"] = str(pilot.app.screen.query_one("#mapping-title").render())
        seen["lines"] = screen_lines(pilot.app)
        seen["summary"] = str(pilot.app.screen.query_one("#mapping-summary").render())

    run(console, scenario, size=SIZE)
    assert seen["title"] == "Importer des contacts depuis hubspot.csv · 4 lignes · 7 colonnes"
    assert any("Colonne" in line and "Importe dans" in line for line in seen["lines"])
    assert seen["summary"].startswith("4 lignes\u00a0: ") and "\nCrée «\u00a0Favorite Color\u00a0»" in seen["summary"]
    assert seen["summary"].endswith("\nRien n'est écrit avant Importer (Ctrl+s).")


def test_a_filter_reads_a_french_day(french, make_app):
    """'01/02/2027' is the first of February in French (whatever the locale variables say),
    and the form says how it read it before applying."""
    segment = segment_named("Newsletter, Normandie or Bretagne")
    seen = {}

    async def scenario(pilot):
        await pilot.app.push_screen(EditFiltersScreen(segment))
        await settle(pilot)
        await keys(pilot, "n")
        form = pilot.app.screen
        form.choose_property("last_activity_date", "before")
        form.query_one("#date").value = "01/02/2027"
        await settle(pilot)
        seen["reading"] = str(form.query_one("#form-error").render())
        form.query_one("#date").focus()
        await keys(pilot, "enter")
        seen["groups"] = pilot.app.screen.query_one("FilterEditor").groups

    run(make_app(), scenario, size=SIZE)
    assert seen["reading"] == "01/02/2027\u00a0: lundi 1 février 2027."
    assert any({"property": "last_activity_date", "operator": "before", "value": "2027-02-01"} in group
               for group in seen["groups"])
