"""Finding 9 of issue 10: one run with a clock in 2030 set the next refresh of the
relative-date segments to 2030, and the worker with the real clock then skipped them
("0 refreshed"). A next refresh, a lease or a backoff implausibly far ahead of now is
treated as due (both databases)."""

from __future__ import annotations

import pendulum

from segtui import worker
from segtui.core import segments
from segtui.core.clock import FixedClock
from segtui.core.context import Context
from segtui.core.models import Contact, Segment

from ..conftest import T0

FUTURE = pendulum.datetime(2030, 6, 1, 12, 0, tz="UTC")


def relative_segment(ctx) -> int:
    Contact.insert(email="recent@example.org", last_activity_date=T0.date().subtract(days=3), updated_at=T0).execute()
    tree = {"groups": [{"filters": [{"property": "last_activity_date", "operator": "less_than_days_ago",
                                     "value": 7}]}]}
    segment, _ = segments.create(ctx, "Active last week", "contacts", "active", tree)
    return segment.id


def test_a_refresh_scheduled_by_a_clock_far_ahead_is_due_now(ctx):
    segment_id = relative_segment(ctx)
    ahead = Context(clock=FixedClock(FUTURE), actor="alice", tz="Europe/Paris")
    Segment.update(next_refresh_at=T0).where(Segment.id == segment_id).execute()
    assert [s for s, _ in worker.tick(ahead).refreshed] == [segment_id]  # the clock in 2030 ...
    assert Segment.get_by_id(segment_id).next_refresh_at > FUTURE  # ... schedules the next one in 2030
    result = worker.tick(ctx)  # the real clock again
    assert [s for s, _ in result.refreshed] == [segment_id]
    healed = Segment.get_by_id(segment_id).next_refresh_at
    assert T0 < healed <= T0.add(days=1)
    assert worker.tick(ctx).refreshed == []  # and it is not refreshed twice


def test_a_lease_and_a_backoff_far_ahead_are_over(ctx):
    segment_id = relative_segment(ctx)
    ahead = Context(clock=FixedClock(FUTURE), actor="alice", tz="Europe/Paris")
    Segment.update(next_refresh_at=T0).where(Segment.id == segment_id).execute()
    assert worker.claim_stale(ahead, "worker-in-2030", limit=10) == [segment_id]  # then it died
    assert worker.claim_stale(ctx, "me", limit=10) == [segment_id]  # its 2030 lease does not hold
    worker.release([segment_id], "me")
    worker.record_failure(ahead, segment_id, "a failure in 2030")  # backoff counted from 2030
    assert worker.claim_stale(ctx, "me", limit=10) == [segment_id]


def test_a_normal_schedule_is_kept(ctx):
    segment_id = relative_segment(ctx)
    worker.record_failure(ctx, segment_id, "a real failure")  # retried in a minute, not now
    assert worker.claim_stale(ctx, "me", limit=10) == []
    Segment.update(next_refresh_at=T0.add(hours=30)).where(Segment.id == segment_id).execute()
    assert worker.claim_stale(ctx, "me", limit=10) == []  # tomorrow's start is plausible
