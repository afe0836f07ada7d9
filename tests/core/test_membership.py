"""Membership: set-based refresh, inactivity bookkeeping, manual changes, dependants, pages."""

from __future__ import annotations

from dataclasses import replace

import json

import pendulum
import pytest

from segtui import worker
from segtui.core.member_pages import MemberPages
from segtui.core import conversions, membership, segments
from segtui.core.errors import MembershipNotAllowed, RecordNotFound, SegmentNotFound, StaleSegment
from segtui.core.membership import Diff
from segtui.core.models import AuditEntry, Contact, Membership, MembershipLog, Segment
from segtui.core.schedule import AFTER_INACTIVITY, Schedule

from core_helpers import add_companies, add_contacts, audit_actions, dump, log_rows, make, members, region_is, regions, reload, tree

T0 = pendulum.datetime(2026, 11, 26, 9, 30, tz="UTC")


@pytest.fixture
def people(database):
    """c1-c3 in Bretagne, c4-c5 in Normandie, c6 nowhere."""
    return regions("Bretagne", "Bretagne", "Bretagne", "Normandie", "Normandie", None)


def move(record_id: int, region: str | None) -> None:
    Contact.update(region=region).where(Contact.id == record_id).execute()


def size_matches_rows(segment) -> bool:
    row = reload(segment)
    return row.size == Membership.select().where(Membership.segment == row.id).count()


def test_refresh_applies_a_set_based_diff(ctx, clock, people):
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    move(people[0], "Normandie")
    move(people[5], "Bretagne")
    move(people[3], "bretagne")  # text comparisons ignore case
    clock.advance(hours=2)
    diff = membership.refresh(replace(ctx, actor="worker"), segment.id)
    assert diff == Diff(added=2, removed=1) and diff.changed
    assert members(segment) == {people[1], people[2], people[3], people[5]}
    assert log_rows(segment)[3:] == [(people[0], "removed", "filter"), (people[3], "added", "filter"), (people[5], "added", "filter")]
    new_log = MembershipLog.select().where(MembershipLog.segment == segment.id).order_by(MembershipLog.id)[3:]
    assert {(r.at, r.actor) for r in new_log} == {(clock.now(), "worker")}
    row = reload(segment)
    assert (row.size, row.last_activity_at, row.refreshed_at) == (4, clock.now(), clock.now())
    assert size_matches_rows(segment)
    joined = {m.record_id: (m.source, m.joined_at) for m in Membership.select().where(Membership.segment == segment.id)}
    assert joined[people[5]] == ("filter", clock.now())
    assert joined[people[1]] == ("filter", T0)  # members who stay keep their join moment


def test_refresh_that_changes_nothing_moves_no_activity(ctx, clock, people):
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    conversions.set_schedule(ctx, segment.id, Schedule(AFTER_INACTIVITY, amount=7, unit="days"))
    due = reload(segment).due_at
    assert due == T0.add(days=7)
    log_before = log_rows(segment)
    clock.advance(days=2)
    Contact.update(city="Rennes").execute()  # an edit that does not change who matches
    assert membership.refresh(ctx, segment.id) == Diff(0, 0)
    row = reload(segment)
    assert (row.last_activity_at, row.due_at, row.size) == (T0, due, 3)
    assert row.refreshed_at == clock.now()
    assert log_rows(segment) == log_before


def test_a_change_pushes_the_inactivity_due_moment_back(ctx, clock, people):
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    conversions.set_schedule(ctx, segment.id, Schedule(AFTER_INACTIVITY, amount=1, unit="months"))
    assert reload(segment).due_at == T0.add(months=1)
    clock.advance(days=10)
    move(people[5], "Bretagne")
    assert membership.refresh(ctx, segment.id) == Diff(1, 0)
    row = reload(segment)
    assert row.last_activity_at == clock.now()
    assert row.due_at == pendulum.datetime(2027, 1, 6, 9, 30, tz="UTC")  # 6 Dec + 1 month


def test_inactivity_due_pushed_back_in_the_zone_it_was_saved_in(ctx, clock, people):
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    conversions.set_schedule(ctx.__class__(clock=clock, actor="ny", tz="America/New_York"), segment.id,
                             Schedule(AFTER_INACTIVITY, amount=1, unit="days"))
    clock.set(pendulum.datetime(2027, 3, 13, 15, tz="UTC"))  # 10:00 in New York, the eve of its DST change
    move(people[5], "Bretagne")
    membership.refresh(ctx, segment.id)  # a Paris console does the refresh
    assert reload(segment).due_at == pendulum.datetime(2027, 3, 14, 14, tz="UTC")  # 10:00 New York time again


def test_manual_add_and_remove_on_static(ctx, clock, people):
    segment = make(ctx, "VIP", "static")
    clock.advance(minutes=1)
    bob = replace(ctx, actor="bob")
    assert membership.add_records(bob, segment.id, [people[0], people[1], people[1]]) == Diff(2, 0)
    assert members(segment) == {people[0], people[1]}
    assert {m.source for m in Membership.select().where(Membership.segment == segment.id)} == {"manual"}
    row = reload(segment)
    assert (row.size, row.last_activity_at) == (2, clock.now())
    audit_count, log_count = AuditEntry.select().count(), MembershipLog.select().count()

    clock.advance(minutes=1)
    assert membership.add_records(bob, segment.id, [people[1], people[0]]) == Diff(0, 0)  # idempotent
    assert membership.remove_records(bob, segment.id, [people[5]]) == Diff(0, 0)  # not a member
    assert (AuditEntry.select().count(), MembershipLog.select().count()) == (audit_count, log_count)
    assert reload(segment).last_activity_at == clock.now().subtract(minutes=1)

    assert membership.remove_records(bob, segment.id, [people[0], people[5]]) == Diff(0, 1)
    assert members(segment) == {people[1]}
    assert reload(segment).size == 1 and size_matches_rows(segment)
    assert reload(segment).last_activity_at == clock.now()
    assert log_rows(segment) == [(people[0], "added", "manual"), (people[1], "added", "manual"), (people[0], "removed", "manual")]
    entries = list(AuditEntry.select().where(AuditEntry.segment_id == segment.id).order_by(AuditEntry.id))
    assert [(e.action, e.actor) for e in entries] == [("create", "alice"), ("add_records", "bob"), ("remove_records", "bob")]
    assert json.loads(entries[1].after)["count"] == 2
    # records that do not exist are ignored, never inserted as members
    assert membership.add_records(ctx, segment.id, [9999]) == Diff(0, 0)
    assert members(segment) == {people[1]}


@pytest.mark.parametrize("verb", ["add", "remove"])
def test_manual_changes_refused_on_active(ctx, people, verb):
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    change = membership.add_records if verb == "add" else membership.remove_records
    before = dump()
    with pytest.raises(MembershipNotAllowed) as caught:
        change(ctx, segment.id, [people[0], people[5]])
    assert str(caught.value) == (
        "'Bretons' is an active segment: its members follow its filters. "
        f"Convert it to static to {verb} records by hand."
    )
    assert dump() == before


def test_manual_changes_check_the_version_and_deletion(ctx, people):
    segment = make(ctx, "VIP", "static")
    segments.rename(replace(ctx, actor="bob"), segment.id, "VIPs")
    before = dump()
    with pytest.raises(StaleSegment, match="'VIPs' was changed by bob"):
        membership.add_records(ctx, segment.id, [people[0]], expected_version=1)
    assert dump() == before
    segments.delete(ctx, segment.id)
    before = dump()
    with pytest.raises(SegmentNotFound, match="was deleted by alice meanwhile"):
        membership.add_records(ctx, segment.id, [people[0]])
    assert dump() == before


def test_resolve_keys(ctx, people):
    add_contacts({"email": "anne.le-gall@example.org"})
    add_companies({"domain": "acme.fr"}, {"domain": "beta.io"})
    assert membership.resolve_keys("contacts", ["C1@Example.org ", " c3@example.org", "c1@example.org"]) == [people[0], people[2]]
    assert membership.resolve_keys("companies", ["BETA.IO", "acme.fr"]) == [1, 2]
    with pytest.raises(RecordNotFound) as caught:
        membership.resolve_keys("contacts", ["c1@example.org", "Nobody@example.org"])
    assert str(caught.value) == "No contact nobody@example.org: nothing was changed"
    with pytest.raises(RecordNotFound, match=r"No contact u1@x.org, u2@x.org, u3@x.org, u4@x.org, u5@x.org and 2 more"):
        membership.resolve_keys("contacts", [f"u{i}@x.org" for i in range(1, 8)])
    with pytest.raises(RecordNotFound, match="No company acme.com"):
        membership.resolve_keys("companies", ["acme.com"])
    with pytest.raises(RecordNotFound, match="Name at least one contact"):
        membership.resolve_keys("contacts", ["", "  "])


def test_dependants_follow_a_used_membership_changed_by_hand_at_once(ctx, clock, people):
    vip = make(ctx, "VIP", "static")
    not_vip = make(ctx, "Bretons not VIP", "active", tree([
        {"property": "region", "operator": "is_any_of", "values": ["Bretagne"]},
        {"segment": vip.id, "operator": "not_in_segment"},
    ]))
    in_vip = make(ctx, "In VIP", "active", tree([{"segment": "VIP", "operator": "in_segment"}]))
    frozen = make(ctx, "Frozen VIP", "static", tree([{"segment": "VIP", "operator": "in_segment"}]))
    assert members(not_vip) == set(people[:3]) and members(in_vip) == set()
    clock.advance(minutes=5)
    membership.add_records(ctx, vip.id, [people[0], people[4]])
    assert members(not_vip) == {people[1], people[2]}
    assert members(in_vip) == {people[0], people[4]}
    assert members(frozen) == set()  # static: does not follow
    assert [reload(s).next_refresh_at for s in (not_vip, in_vip, frozen)] == [None, None, None]
    assert worker.tick(ctx, me="w1").refreshed == []


def test_a_dependant_of_a_dependant_follows_through_the_worker(ctx, clock, people):
    a = make(ctx, "A", "active", region_is("Bretagne"))
    b = make(ctx, "B", "active", tree([{"segment": a.id, "operator": "in_segment"}]))
    c = make(ctx, "C", "active", tree([{"segment": b.id, "operator": "in_segment"}]))
    move(people[5], "Bretagne")
    membership.refresh(ctx, a.id)
    assert reload(b).next_refresh_at == clock.now() and reload(c).next_refresh_at is None
    worker.tick(ctx, me="w1")  # B follows A and marks C
    assert people[5] in members(b)
    assert reload(c).next_refresh_at == clock.now()
    worker.tick(ctx, me="w1")
    assert members(c) == members(a) == {people[0], people[1], people[2], people[5]}


def test_a_refresh_without_change_does_not_mark_dependants(ctx, people):
    a = make(ctx, "A", "active", region_is("Bretagne"))
    b = make(ctx, "B", "active", tree([{"segment": a.id, "operator": "in_segment"}]))
    membership.refresh(ctx, a.id)
    assert reload(b).next_refresh_at is None


def test_refresh_of_static_or_deleted(ctx, clock, people):
    static = make(ctx, "S", "static", region_is("Bretagne"))
    Segment.update(next_refresh_at=clock.now()).where(Segment.id == static.id).execute()
    move(people[0], None)
    assert membership.refresh(ctx, static.id) == Diff(0, 0)
    assert members(static) == set(people[:3])
    assert reload(static).next_refresh_at is None
    gone = make(ctx, "G", "active", region_is("Bretagne"))
    segments.delete(ctx, gone.id)
    with pytest.raises(SegmentNotFound):
        membership.refresh(ctx, gone.id)


def test_members_pages_newest_first(ctx, clock, people):
    add_contacts({"email": "zoe@example.org", "first_name": "Zoé", "last_name": "Le Gall", "region": "Bretagne"})
    segment = make(ctx, "VIP", "static")
    membership.add_records(ctx, segment.id, [people[3], people[1]])
    clock.advance(minutes=1)
    membership.add_records(ctx, segment.id, [7])
    clock.advance(minutes=1)
    membership.add_records(ctx, segment.id, [people[0], people[4]])
    pages = MemberPages("contacts", segment.id, reload(segment).size)
    pages.first()
    page = pages.rows
    assert [r.record_id for r in page] == [people[4], people[0], 7, people[3], people[1]]
    assert page[2].key == "zoe@example.org" and page[2].name == "Zoé Le Gall" and page[2].region == "Bretagne"
    assert page[2].source == "manual" and page[2].joined_at == T0.add(minutes=1)
    assert page[0].name == ""  # no name known
    pages = MemberPages("contacts", segment.id, reload(segment).size, page_size=2)
    pages.first()
    seen = [[r.record_id for r in pages.rows]]
    while pages.next():
        seen.append([r.record_id for r in pages.rows])
    assert seen == [[people[4], people[0]], [7, people[3]], [people[1]]]
    log = membership.log_page(segment.id, limit=2)
    assert [r.record_id for r in log] == [people[4], people[0]]
    assert [r.record_id for r in membership.log_page(segment.id, limit=10, before_id=log[-1].id)] == [7, people[3], people[1]]


def test_audit_of_an_active_segment_has_no_manual_entries(ctx, people):
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    move(people[5], "Bretagne")
    membership.refresh(ctx, segment.id)
    assert audit_actions(segment) == ["create"]
