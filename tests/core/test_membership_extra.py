"""Membership services used by the console: add another segment's members, which are members."""

from __future__ import annotations

from dataclasses import replace

import json

import pytest

from segtui.core import membership
from segtui.core.errors import MembershipNotAllowed, ReadOnly, RecordNotFound, StaleSegment
from segtui.core.models import AuditEntry, Contact, Membership, Segment

from core_helpers import add_companies, add_contacts, dump, f, log_rows, make, members, region_is, regions, reload, tree


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


# -- what mutation testing found unasserted (issue 17) ----------------------------------------
def segment_row(segment) -> tuple:
    return Segment.select().where(Segment.id == segment.id).tuples().get()


def test_a_refresh_writes_only_its_own_segment(ctx, clock, people):
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    picked = make(ctx, "Picked", "static")
    # another segment mid-claim and owed a refresh: nobody else's refresh may touch that
    other = make(ctx, "Normands", "active", region_is("Normandie"))
    Segment.update(stale=True, next_refresh_at=clock.now(), refresh_error="timeout", refresh_failures=2,
                   claimed_by="w2", claim_expires_at=clock.now().add(minutes=5)).where(Segment.id == other.id).execute()
    Segment.update(stale=True, next_refresh_at=clock.now()).where(Segment.id == picked.id).execute()
    untouched = segment_row(other)
    clock.advance(hours=1)
    membership.refresh(ctx, bretons.id, full=True)
    assert segment_row(other) == untouched
    assert (reload(bretons).refreshed_at, reload(bretons).dates_as_of) == (clock.now(), None)  # no relative dates
    assert membership.refresh(ctx, picked.id) == membership.Diff(0, 0)  # static: nothing owed any more
    assert (reload(picked).stale, reload(picked).next_refresh_at) == (False, None)
    assert segment_row(other) == untouched


@pytest.mark.parametrize("owed", ["asked", "stale", "never evaluated"])
def test_a_full_refresh_happens_when_asked_owed_or_never_evaluated(ctx, clock, people, owed):
    """A relative-date segment normally gets the rollover only (the records whose date
    crossed a boundary); the members removed here behind the engine's back come back only
    through a full evaluation."""
    Contact.update(last_activity_date=clock.now().date()).execute()
    recent = make(ctx, "Recent", "active", tree([f("last_activity_date", "less_than_days_ago", value=10)]))
    assert members(recent) == set(people)
    Membership.delete().where(Membership.segment == recent.id).execute()
    Segment.update(size=0).where(Segment.id == recent.id).execute()
    if owed == "stale":
        Segment.update(stale=True).where(Segment.id == recent.id).execute()
    if owed == "never evaluated":
        Segment.update(dates_as_of=None).where(Segment.id == recent.id).execute()
    membership.refresh(ctx, recent.id, full=owed == "asked")
    assert members(recent) == set(people)
    row = reload(recent)
    assert (row.size, row.stale, row.dates_as_of) == (len(people), False, clock.now().date())


def test_without_anything_owed_a_relative_segment_only_rolls_over(ctx, clock, people):
    Contact.update(last_activity_date=clock.now().date()).execute()
    recent = make(ctx, "Recent", "active", tree([f("last_activity_date", "less_than_days_ago", value=10)]))
    Membership.delete().where((Membership.segment == recent.id) & (Membership.record_id == people[0])).execute()
    Segment.update(claimed_by="w1", refresh_error="boom").where(Segment.id == recent.id).execute()
    membership.refresh(ctx, recent.id)  # nothing crossed a boundary: the hole stays (check finds it)
    assert people[0] not in members(recent)
    assert (reload(recent).claimed_by, reload(recent).refresh_error) == (None, None)


def test_unknown_keys_are_listed_up_to_five(ctx, people):
    for count, shown in [(5, "u1@x.org, u2@x.org, u3@x.org, u4@x.org, u5@x.org"),
                         (6, "u1@x.org, u2@x.org, u3@x.org, u4@x.org, u5@x.org and 1 more")]:
        with pytest.raises(RecordNotFound) as caught:
            membership.resolve_keys("contacts", [f"u{i}@x.org" for i in range(1, count + 1)])
        assert str(caught.value) == f"No contact {shown}: nothing was changed"


def test_a_read_only_console_adds_and_removes_nothing(ctx, people):
    picked = make(ctx, "Picked", "static")
    membership.add_records(ctx, picked.id, people[:2])
    ro = replace(ctx, read_only=True)
    before = dump()
    for act, what in [(lambda: membership.add_records(ro, picked.id, people[2:3]), "adding records"),
                      (lambda: membership.remove_records(ro, picked.id, people[:1]), "removing records")]:
        with pytest.raises(ReadOnly) as caught:
            act()
        assert str(caught.value) == f"This console is read-only: {what} is not allowed."
    assert dump() == before


def test_many_records_at_once_are_counted_logged_and_audited_over_every_batch(ctx, people):
    crowd = add_contacts(*({"region": "Alsace"} for _ in range(membership.CHUNK + 1)))  # two batches
    picked = make(ctx, "Picked", "static")
    other = make(ctx, "Other", "static")
    assert membership.add_records(ctx, picked.id, crowd) == membership.Diff(len(crowd), 0)
    membership.add_records(ctx, other.id, people[:2])  # the newest log entries are another segment's
    assert reload(picked).size == len(crowd)
    entry = AuditEntry.select().where((AuditEntry.segment_id == picked.id) & (AuditEntry.action == "add_records")).get()
    assert json.loads(entry.after) == {"record_ids": sorted(crowd)[:100], "count": len(crowd)}
    page = membership.log_page(picked.id)
    assert len(page) == 100 and {row.segment_id for row in page} == {picked.id}
    assert [row.record_id for row in page] == sorted(crowd, reverse=True)[:100]  # newest first
    assert membership.remove_records(ctx, picked.id, crowd) == membership.Diff(0, len(crowd))
    assert reload(picked).size == 0 and members(other) == set(people[:2])


def test_add_members_of_takes_that_segments_members_only(ctx, people):
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    make(ctx, "Normands", "active", region_is("Normandie"))  # members that must not come along
    picked = make(ctx, "Picked", "static")
    assert membership.add_members_of(ctx, picked.id, bretons.id) == membership.Diff(2, 0)
    assert members(picked) == {people[0], people[1]}
    with pytest.raises(MembershipNotAllowed) as caught:
        membership.add_members_of(ctx, picked.id, picked.id)
    assert str(caught.value) == "Choose another segment: a segment's members are already its members"
