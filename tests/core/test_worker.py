"""The worker tick: due conversions first, then stale refreshes; failures, backoff, claims."""

from __future__ import annotations

import pendulum
import pytest

from tests import driver_errors
from segtui import worker
from segtui.core import conversions
from segtui.core.membership import Diff
from segtui.core.models import Contact, Segment
from segtui.core.schedule import ON_DAY, Schedule

from core_helpers import conversions_of, make, members, region_is, regions, reload, tree


@pytest.fixture
def people(database):
    """c1-c3 in Bretagne, c4-c5 in Normandie, c6 nowhere."""
    return regions("Bretagne", "Bretagne", "Bretagne", "Normandie", "Normandie", None)


def stale(*segments, at=None) -> None:
    at = at or pendulum.datetime(2026, 11, 26, 9, 30, tz="UTC")
    Segment.update(next_refresh_at=at).where(Segment.id.in_([s.id for s in segments])).execute()


def test_tick_converts_due_segments_then_refreshes_stale_ones(ctx, clock, people):
    due = make(ctx, "Due", "active", region_is("Bretagne"))
    other = make(ctx, "Other", "active", region_is("Bretagne"))
    conversions.set_schedule(ctx, due.id, Schedule(ON_DAY, day=pendulum.date(2026, 11, 27)))
    clock.set(pendulum.datetime(2026, 11, 27, 8, tz="UTC"))
    Contact.update(region="Bretagne").where(Contact.id == people[5]).execute()
    stale(due, other)
    result = worker.tick(ctx, me="w1")
    assert [(a.segment_id, a.due_at) for a in result.applied] == [(due.id, pendulum.datetime(2026, 11, 26, 23, tz="UTC"))]
    assert result.refreshed == [(other.id, Diff(1, 0))]
    assert result.failed == []
    assert result.summary() == "1 conversion applied, 1 segment refreshed (1 changed), 0 failures"
    # converted before the refresh: frozen with the members it had when it fell due
    assert reload(due).type == "static" and members(due) == set(people[:3])
    assert reload(due).next_refresh_at is None
    assert members(other) == set(people[:3]) | {people[5]}
    assert (reload(other).claimed_by, reload(other).claim_expires_at, reload(other).next_refresh_at) == (None, None, None)
    nothing = worker.tick(ctx, me="w1")
    assert nothing.summary() == "0 conversions applied, 0 segments refreshed (0 changed), 0 failures"


def test_not_yet_stale_segments_are_left_alone(ctx, clock, people):
    later = make(ctx, "Later", "active", region_is("Bretagne"))
    stale(later, at=clock.now().add(minutes=1))
    Contact.update(region="Bretagne").execute()
    assert worker.tick(ctx, me="w1").refreshed == []
    assert members(later) == set(people[:3])
    clock.advance(minutes=1)
    assert worker.tick(ctx, me="w1").refreshed == [(later.id, Diff(3, 0))]


def test_a_failing_refresh_is_recorded_backs_off_and_does_not_stop_the_others(ctx, clock, people):
    vip = make(ctx, "VIP", "static")
    broken = make(ctx, "Broken", "active", tree([{"segment": vip.id, "operator": "in_segment"}]))
    first = make(ctx, "A first", "active", region_is("Normandie"))
    last = make(ctx, "Z last", "active", region_is("Bretagne"))
    # the used segment disappears behind the dependant's back (no dependants check)
    Segment.update(deleted_at=clock.now(), deleted_by="someone").where(Segment.id == vip.id).execute()
    Contact.update(region="Bretagne").where(Contact.id == people[5]).execute()
    stale(first, broken, last)
    result = worker.tick(ctx, me="w1")
    assert result.failed == [(broken.id, "The filters use segment 'VIP', which was deleted: edit the filters")]
    assert sorted(sid for sid, _ in result.refreshed) == sorted([first.id, last.id])
    assert people[5] in members(last)
    row = reload(broken)
    assert row.refresh_error == "The filters use segment 'VIP', which was deleted: edit the filters"
    assert (row.refresh_failures, row.next_refresh_at) == (1, clock.now().add(seconds=60))
    assert (row.claimed_by, row.claim_expires_at) == (None, None)

    clock.advance(seconds=59)
    assert worker.tick(ctx, me="w1").failed == []  # backing off
    clock.advance(seconds=1)
    assert [sid for sid, _ in worker.tick(ctx, me="w1").failed] == [broken.id]
    assert (reload(broken).refresh_failures, reload(broken).next_refresh_at) == (2, clock.now().add(seconds=120))

    # once it can be evaluated again, the next retry clears the error
    Segment.update(deleted_at=None, deleted_by=None).where(Segment.id == vip.id).execute()
    clock.advance(seconds=120)
    assert worker.tick(ctx, me="w1").refreshed == [(broken.id, Diff(0, 0))]
    row = reload(broken)
    assert (row.refresh_error, row.refresh_failures, row.next_refresh_at) == (None, 0, None)


@pytest.mark.parametrize("failures, seconds", [(0, 60), (1, 60), (2, 120), (3, 240), (6, 1920), (7, 3600), (40, 3600)])
def test_backoff(failures, seconds):
    assert worker.backoff_seconds(failures) == seconds


def test_a_claim_held_by_another_live_worker_is_skipped(ctx, clock, people):
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    Contact.update(region="Bretagne").where(Contact.id == people[5]).execute()
    stale(segment)
    Segment.update(claimed_by="other:1", claim_expires_at=clock.now().add(seconds=30)).where(Segment.id == segment.id).execute()
    result = worker.tick(ctx, me="w1")
    assert result.refreshed == [] and result.failed == []
    row = reload(segment)
    assert (row.claimed_by, members(segment)) == ("other:1", set(people[:3]))
    # the other worker died holding it: when the lease expires, the claim is taken over
    clock.advance(seconds=31)
    assert worker.tick(ctx, me="w1").refreshed == [(segment.id, Diff(1, 0))]
    row = reload(segment)
    assert (row.claimed_by, row.claim_expires_at, row.next_refresh_at) == (None, None, None)
    assert people[5] in members(segment)


def test_each_claim_is_won_by_one_worker(ctx, clock, people):
    segments = [make(ctx, f"S{i}", "active", region_is("Bretagne")) for i in range(3)]
    stale(*segments)
    assert worker.claim_stale(ctx, "w1", limit=2) == [segments[0].id, segments[1].id]
    assert worker.claim_stale(ctx, "w2", limit=10) == [segments[2].id]
    assert worker.claim_stale(ctx, "w3", limit=10) == []
    row = reload(segments[0])
    assert (row.claimed_by, row.claim_expires_at) == ("w1", clock.now().add(seconds=worker.LEASE_SECONDS))
    clock.advance(seconds=worker.LEASE_SECONDS + 1)
    assert worker.claim_stale(ctx, "w3", limit=10) == [s.id for s in segments]


def test_max_refreshes_per_tick(ctx, people):
    segments = [make(ctx, f"S{i}", "active", region_is("Bretagne")) for i in range(5)]
    stale(*segments)
    assert len(worker.tick(ctx, me="w1", max_refreshes=2).refreshed) == 2
    assert len(worker.tick(ctx, me="w1", max_refreshes=2).refreshed) == 2
    assert len(worker.tick(ctx, me="w1", max_refreshes=2).refreshed) == 1


def test_static_and_deleted_segments_are_not_claimed(ctx, clock, people):
    static = make(ctx, "Static", "static", region_is("Bretagne"))
    gone = make(ctx, "Gone", "active", region_is("Bretagne"))
    stale(static, gone)
    Segment.update(deleted_at=clock.now()).where(Segment.id == gone.id).execute()
    assert worker.claim_stale(ctx, "w1", limit=10) == []
    assert worker.tick(ctx, me="w1").refreshed == []
    assert conversions_of(static) == []


def test_worker_ids_differ():
    assert worker.worker_id() != worker.worker_id()


def test_database_trouble_ends_the_tick_without_blaming_the_segment(ctx, clock, people, monkeypatch):
    """Locked or disconnected: not the segment's fault. No error is recorded on it, its claim
    is given back, and the caller (the console, ``segtui worker``) retries later."""
    import peewee

    from segtui.core import membership

    segments = [make(ctx, f"S{i}", "active", region_is("Bretagne")) for i in range(3)]
    stale(*segments)
    real_refresh, done = membership.refresh, []

    def refresh(ctx, segment_id, **kwargs):
        if done:
            raise driver_errors.sqlite_locked()
        done.append(segment_id)
        return real_refresh(ctx, segment_id, **kwargs)

    monkeypatch.setattr(membership, "refresh", refresh)
    with pytest.raises(peewee.OperationalError):
        worker.tick(ctx, me="w1")
    rows = [reload(s) for s in segments]
    assert [(r.claimed_by, r.claim_expires_at, r.refresh_error) for r in rows] == [(None, None, None)] * 3
    assert [r.next_refresh_at is None for r in rows] == [True, False, False]
    monkeypatch.setattr(membership, "refresh", real_refresh)
    assert [sid for sid, _ in worker.tick(ctx, me="w2").refreshed] == [segments[1].id, segments[2].id]
