"""The layout holds at 80x24 in French as in English (issue 16): a long segment name stays
recognisable in the header, the record page's values are read whole, the upcoming
conversions are not cut."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from segtui.core import segments
from segtui.core.models import Contact
from segtui.tui.screens.edit_filters import EditFiltersScreen
from segtui.tui.screens.members_as_of import MembersAsOfScreen
from segtui.tui.screens.overlap import OverlapScreen
from segtui.tui.screens.record_test import RecordTestScreen
from segtui.tui.screens.segment_detail import SegmentDetailScreen
from segtui.tui.widgets.header import fit, middle

from .conftest import run, screen_lines, settle

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
