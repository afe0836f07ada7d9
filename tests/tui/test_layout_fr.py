"""The layout holds at 80x24 in French as in English (issue 16): a long segment name stays
recognisable in the header, the record page's values are read whole, the upcoming
conversions are not cut."""

from __future__ import annotations

import pytest
from peewee import fn
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from segtui.core import conversions, records, segments
from segtui.core.models import Contact
from segtui.core.schedule import ON_DAY, Schedule
from segtui.tui.screens.edit_filters import EditFiltersScreen
from segtui.tui.screens.members_as_of import MembersAsOfScreen
from segtui.tui.screens.overlap import OverlapScreen
from segtui.tui.screens.record_page import RecordScreen
from segtui.tui.screens.record_test import RecordTestScreen
from segtui.tui.screens.segment_detail import SegmentDetailScreen
from segtui.tui.widgets.header import fit, middle
from segtui.tui.widgets.row_list import RowList

from .conftest import run, screen_lines, settle
from .lived import give_history

SIZE = (80, 24)
LONG = "Newsletter subscribers in Normandie or Bretagne, autumn 2026 campaign, engaged"


@pytest.fixture(params=["en", "fr"])
def language(request):
    if request.param == "fr":
        request.getfixturevalue("french")
    return request.param


def test_a_name_is_shortened_in_the_middle():
    assert middle("Spring campaign, engaged", 30) == "Spring campaign, engaged"
    shortened = middle(LONG, 30)
    assert cell_len(shortened) <= 30 and shortened.startswith("Newsletter sub") and shortened.endswith("engaged")
    assert "…" in shortened


def test_the_header_gives_up_who_then_the_middle_of_the_name_then_the_other_words():
    name = "Spring campaign, engaged"
    title = f"Edit filters · {name}"
    assert fit(title, "alice · Europe/Paris", 62, name=name).plain == f"{title} — alice · Europe/Paris"
    assert fit(title, "alice · Europe/Paris", 40, name=name).plain == title
    read_only = fit(title, "read-only · alice · Europe/Paris", 51, name=name, short_sub="read-only").plain  # 51 cells
    assert read_only == f"{title} — read-only"
    long_title = f"Edit filters · {LONG}"
    shown = fit(long_title, "alice · Europe/Paris", 62, name=LONG).plain
    assert cell_len(shown) <= 62 and shown.startswith("Edit filters · Newsletter") and shown.endswith("engaged")
    alone = fit(f"A screen with very many words about · {LONG}", "", 50, name=LONG).plain
    assert cell_len(alone) <= 50 and alone.startswith("Newsletter") and alone.endswith("engaged")


def test_a_long_segment_name_stays_recognisable_in_every_header(language, make_app, demo_ctx):
    """The edit-filters, test-a-record, overlap, members-as-of and segment screens at 80 columns:
    the header shows the name's start and end, and nothing runs into the edge."""
    target = segments.get("Newsletter, Normandie or Bretagne")
    other = segments.get("Events 2025, Bretagne")
    segment = segments.rename(demo_ctx, target.id, LONG)
    contact = Contact.select().order_by(Contact.id).first()
    seen = {}

    async def header(pilot, screen) -> None:
        await pilot.app.push_screen(screen)
        await settle(pilot)
        seen[type(screen).__name__] = screen_lines(pilot.app)[0]
        pilot.app.pop_screen()
        await pilot.pause()

    async def scenario(pilot):
        await header(pilot, EditFiltersScreen(segment))
        await header(pilot, RecordTestScreen(segment, contact.id))
        overlap = OverlapScreen(segment)
        overlap.others = [other.id]
        await header(pilot, overlap)
        await header(pilot, MembersAsOfScreen(segment, demo_ctx.today()))
        await header(pilot, SegmentDetailScreen(segment.id))

    run(make_app(), scenario, size=SIZE)
    words = {"en": ("Edit filters", "Test a record", "Overlap of"),
             "fr": ("Modifier les filtres", "Tester une fiche", "Chevauchement de")}[language]
    assert set(seen) == {"EditFiltersScreen", "RecordTestScreen", "OverlapScreen", "MembersAsOfScreen",
                         "SegmentDetailScreen"}
    for screen, line in seen.items():
        title = line[8:].strip()  # after the header's icon
        assert title.startswith(("Newsletter sub", *words)), (screen, line)
        assert "Newsletter sub" in title and title.endswith("campaign, engaged"), (screen, line)
        assert "…" in title and cell_len(line.rstrip()) <= 80 - 10, (screen, line)
    assert seen["EditFiltersScreen"][8:].strip().startswith(words[0])


def test_the_record_page_shows_every_value_whole(language, make_app, demo_ctx):
    """A contact with a long e-mail and 'Lead qualifié marketing' / 'Marketing qualified lead': at
    80 columns each value is on the screen whole (wrapped where it is longer than its column),
    none ends with '…', and the segments it belongs to are named whole, a long name too."""
    person = next(c for c in Contact.select().where(Contact.lifecycle_stage == "marketing_qualified_lead")
                  .order_by(fn.LENGTH(Contact.email).desc(), Contact.id) if records.segments_of("contacts", c.id))
    segments.rename(demo_ctx, records.segments_of("contacts", person.id)[0].id, LONG)
    stage = {"en": "Marketing qualified lead", "fr": "Lead qualifié marketing"}[language]
    seen = {}

    async def scenario(pilot):
        await pilot.app.push_screen(RecordScreen("contacts", person.id))
        await settle(pilot)
        page = pilot.app.screen
        props = page.query_one("#properties")
        seen["values"] = {name: props.get_row(name)[1] for name in page.names}
        seen["widths"] = [column.width for column in props.ordered_columns]
        seen["heights"] = {name: props.rows[name].height for name in page.names}
        seen["segments"] = [row[0].plain for row in (page.query_one("#record-segments").get_row_at(i)
                                                      for i in range(page.query_one("#record-segments").row_count))]
        seen["lines"] = screen_lines(pilot.app)

    run(make_app(), scenario, size=SIZE)
    shown = "\n".join(seen["lines"])
    value_width = seen["widths"][1]
    assert stage in shown
    assert cell_len(person.email) > value_width  # the e-mail does not fit one line: it wraps at its @
    local, domain = person.email.split("@")
    assert local in shown and f"@{domain}" in shown
    for name, value in seen["values"].items():
        lines = value.plain.split("\n")
        assert all(cell_len(line) <= value_width for line in lines), (name, value.plain)
        assert seen["heights"][name] >= len(lines), name
        assert not value.plain.endswith("…"), name
    assert seen["values"]["email"].plain.replace("\n", "") == person.email
    assert sum(seen["widths"]) + 2 * 2 + 2 <= 52  # the two columns and the scrollbar's room in their panel
    segment_names = {s.name for s in records.segments_of("contacts", person.id)}
    assert {" ".join(text.split()[1:]) for text in seen["segments"]} == {" ".join(n.split()) for n in segment_names}


@pytest.fixture
def lived(demo_ctx, clock) -> int:
    """The history of lived.py (an overdue, a projected and an on-day conversion to come) and a
    conversion applied yesterday by the worker, on its day."""
    today = clock.now()
    segment = segments.get("Customers not in VIPs")
    clock.set(today.subtract(days=3))
    conversions.set_schedule(demo_ctx, segment.id, Schedule(ON_DAY, day=today.subtract(days=1).in_timezone(
        demo_ctx.tz).date()))
    clock.set(today.subtract(days=1).add(hours=1))
    assert [a.segment_id for a in conversions.apply_due(demo_ctx)] == [segment.id]
    clock.set(today)
    return give_history(demo_ctx, clock)


def test_the_upcoming_conversions_are_not_cut(language, make_app, lived):
    """An overdue, a projected, an on-day and an applied conversion at 80 columns: every cell of
    the list whole in its column (none ends with '…'), and the line under the list says the
    highlighted one in whole words, following the cursor."""
    seen = {}

    async def scenario(pilot):
        await pilot.press("C")
        await settle(pilot)
        screen = pilot.app.screen
        listing = screen.query_one("#upcoming-list", RowList)
        seen["columns"] = list(listing.columns)
        seen["rows"] = [[cell.plain for cell in row] for row in listing.rows]
        seen["conditions"] = [u.condition() for u in screen.cal.upcoming]
        seen["details"] = []
        listing.focus()
        for index in range(listing.row_count):
            listing.move_cursor(index)
            await pilot.pause()
            seen["details"].append(str(screen.query_one("#upcoming-detail").render()))
        seen["lines"] = screen_lines(pilot.app)

    run(make_app(), scenario, size=SIZE)
    widths = [width for _label, width in seen["columns"]]
    assert sum(width + 2 for width in widths) + 2 <= SIZE[0]  # no column pushed off, the scrollbar's room kept
    assert len(seen["rows"]) >= 4
    for row in seen["rows"]:
        for cell, width in zip(row, widths):
            assert cell_len(cell) <= width and not cell.endswith("…"), (cell, width)
    notes = {row[3] for row in seen["rows"]}
    words = {"en": ("at the next worker run", "if idle for", "applied"),
             "fr": ("au prochain passage", "si inactif", "appliquée")}[language]
    assert words[0] in notes and any(n.startswith(words[1]) for n in notes) and words[2] in notes, notes
    for index, condition in enumerate(seen["conditions"]):  # the core's whole sentence under the list
        assert seen["details"][index] == f"{seen['rows'][index][1]} · {condition}"
    assert seen["details"][-1].startswith(seen["rows"][-1][1] + " · ")
    assert not any(line.rstrip().endswith("…") for line in seen["lines"])


def test_the_activity_and_the_overlap_of_three_are_not_cut(language, make_app, demo_ctx):
    """The Activity tab's 'what' and the overlap's 'who' of three segments with long names wrap
    in their column at 80 columns instead of ending with '…'."""
    first = segments.get("Events 2025, Bretagne")
    others = [segments.get("Newsletter, Normandie or Bretagne").id, segments.get("Fundraising event contacts").id]
    seen = {}

    def cells(table, column: int) -> list[tuple[str, int]]:
        """Each row's text in that column, and the lines the row has."""
        return [(table.get_row_at(i)[column].plain, row.height) for i, row in enumerate(table.ordered_rows)]

    async def scenario(pilot):
        detail = SegmentDetailScreen(first.id)
        await pilot.app.push_screen(detail)
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        activity = detail.query_one("#activity")
        seen["activity"] = (cells(activity, 1), activity.ordered_columns[1].width)
        overlap = OverlapScreen(first)
        overlap.others = others
        await pilot.app.push_screen(overlap)
        overlap.compute()
        await settle(pilot)
        regions = overlap.query_one("#overlap-regions")
        seen["overlap"] = (cells(regions, 1), regions.ordered_columns[1].width)
        seen["labels"] = [overlap.result.label(mask) for mask in overlap.result.regions]

    run(make_app(), scenario, size=SIZE)
    for name in ("activity", "overlap"):
        texts, width = seen[name]
        assert texts, name
        for text, height in texts:  # every line of the text on its row: whole
            assert not text.endswith("…") and height >= len(Text(text).wrap(Console(), width)), (name, text, height)
    assert sorted(" ".join(t.split()) for t, _h in seen["overlap"][0]) == sorted(" ".join(t.split())
                                                                               for t in seen["labels"])
    assert any(cell_len(label) > seen["overlap"][1] for label in seen["labels"])  # some wrap at 80 columns
