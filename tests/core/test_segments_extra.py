"""Segments services used by the console's forms: name checks, per-filter problems, live counts."""

from __future__ import annotations

import pytest

from segtui.core import segments
from segtui.core.errors import InvalidFilter, InvalidName

from core_helpers import dump, f, make, region_is, regions, tree


@pytest.fixture
def people(database):
    """c1-c3 in Bretagne, c4-c5 in Normandie, c6 nowhere."""
    return regions("Bretagne", "Bretagne", "Bretagne", "Normandie", "Normandie", None)


def test_check_name_cleans_and_refuses_empty_and_taken_names(ctx, people):
    vip = make(ctx, "VIP donors", "static")
    assert segments.check_name("  Spring  ", "contacts") == "Spring"
    with pytest.raises(InvalidName, match="A segment needs a name"):
        segments.check_name("   ", "contacts")
    with pytest.raises(InvalidName, match="named 'VIP donors' already exists"):
        segments.check_name("vip DONORS", "contacts")
    # the segment itself may keep its name; the other object type is free
    assert segments.check_name("VIP donors", "contacts", except_id=vip.id) == "VIP donors"
    assert segments.check_name("VIP donors", "companies") == "VIP donors"


def test_filter_problems_mark_each_bad_filter_in_place(ctx, people):
    vip = make(ctx, "VIP", "static")
    draft = tree(
        [f("region", "is_any_of", values=["Bretagne"]), f("events_attended", "gte", value="abc")],
        [f("nope", "is_known"), {"segment": vip.id, "operator": "in_segment"}],
        [{"segment": 9999, "operator": "in_segment"}, f("subscribed", "contains", value="x")],
    )
    before = dump()
    problems = segments.filter_problems(draft, "contacts")
    assert problems[0][0] is None
    assert problems[0][1] == "This filter: Events attended needs a number, got 'abc'"
    assert problems[1] == ["This filter: unknown property 'nope' for contacts", None]
    assert problems[2][0] == "This filter: No segment with id 9999"
    assert "does not apply to Subscribed (a boolean property)" in problems[2][1]
    assert dump() == before


def test_filter_problems_find_cycles_through_the_edited_segment(ctx, people):
    base = make(ctx, "Base", "static")
    user = make(ctx, "User", "active", tree([{"segment": base.id, "operator": "not_in_segment"}]))
    draft = tree([{"segment": user.id, "operator": "in_segment"}, f("region", "is_known")])
    problems = segments.filter_problems(draft, "contacts", segment_id=base.id)
    assert problems[0][0] == "These filters would make 'Base' depend on itself through segment membership filters"
    assert problems[0][1] is None
    # for a new segment (no id yet) there is no cycle
    assert segments.filter_problems(draft, "contacts") == [[None, None]]


def test_count_matching_counts_without_changing_anything(ctx, people):
    before = dump()
    assert segments.count_matching(ctx, "contacts", region_is("bretagne")) == 3
    either = tree([f("region", "is_any_of", values=["Bretagne"])], [f("region", "is_any_of", values=["Normandie"])])
    assert segments.count_matching(ctx, "contacts", either) == 5
    assert segments.count_matching(ctx, "contacts", {"groups": []}) == 0
    with pytest.raises(InvalidFilter, match="Events attended needs a number"):
        segments.count_matching(ctx, "contacts", tree([f("events_attended", "gt", value="x")]))
    assert dump() == before


def test_suggest_copy_name_skips_taken_names(ctx, people):
    source = make(ctx, "Bretons", "active", region_is("Bretagne"))
    assert segments.suggest_copy_name(source.id) == "Copy of Bretons"
    make(ctx, "copy of bretons", "static")
    assert segments.suggest_copy_name(source.id) == "Copy of Bretons (2)"
