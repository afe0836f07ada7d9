"""Membership services used by the console: add another segment's members, which are members."""

from __future__ import annotations

import pytest

from segtui.core import membership
from segtui.core.errors import MembershipNotAllowed, StaleSegment

from core_helpers import add_companies, dump, log_rows, make, members, region_is, regions, reload


@pytest.fixture
def people(database):
    return regions("Bretagne", "Bretagne", "Normandie", "Normandie", None)


def test_add_members_of_another_segment(ctx, people):
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    picked = make(ctx, "Picked", "static")
    membership.add_records(ctx, picked.id, [people[1], people[4]])
    diff = membership.add_members_of(ctx, picked.id, bretons.id, expected_version=reload(picked).version)
    assert (diff.added, diff.removed) == (1, 0)  # people[1] was already in
    assert members(picked) == {people[0], people[1], people[4]}
    assert reload(picked).size == 3
    assert log_rows(picked)[-1] == (people[0], "added", "manual")


@pytest.mark.parametrize("case", ["active target", "other object", "itself", "stale"])
def test_add_members_of_refusals_change_nothing(ctx, people, case):
    add_companies({"region": "Bretagne"})
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    picked = make(ctx, "Picked", "static")
    firms = make(ctx, "Firms", "active", region_is("Bretagne"), object_type="companies")
    target, other, version, error, message = {
        "active target": (bretons, picked, None, MembershipNotAllowed, "'Bretons' is an active segment"),
        "other object": (picked, firms, None, MembershipNotAllowed, "'Firms' holds companies"),
        "itself": (picked, picked, None, MembershipNotAllowed, "Choose another segment"),
        "stale": (picked, bretons, picked.version - 1, StaleSegment, "since you opened it"),
    }[case]
    before = dump()
    with pytest.raises(error, match=message):
        membership.add_members_of(ctx, target.id, other.id, expected_version=version)
    assert dump() == before


def test_members_among(ctx, people):
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    assert membership.members_among(bretons.id, people) == {people[0], people[1]}
    assert membership.members_among(bretons.id, []) == set()
    assert membership.members_among(bretons.id, [people[2], 12345]) == set()
