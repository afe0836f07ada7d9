"""Several OS processes on one database (SQLite file or PostgreSQL), at CI size.

- the race: 8 workers started together, 1,000 due conversions: each applied exactly once;
- the kill: a worker SIGKILLed at a random moment of a large refresh leaves the database
  consistent, and another worker finishes the job once the lease has expired;
- the lease: a worker killed holding a claim; the claim is taken over after it expires.

tests/perf/ holds the full-size versions (python tests/perf/bench_workers.py).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal

import pytest

from segtui import worker
from segtui.core import db as dbmod
from segtui.core.membership import Diff
from segtui.core.models import Segment

from core_helpers import inconsistencies
from tests import workload

DUE_CONVERSIONS = 1000
WORKERS = 8
KILL_TRIALS = 3
KILL_CONTACTS = 20_000


def test_eight_workers_apply_each_of_1000_due_conversions_exactly_once(database_url):
    workload.seed_due_conversions(database_url, DUE_CONVERSIONS)
    outcomes, _ = workload.race(database_url, processes=WORKERS)
    assert workload.race_problems(database_url, outcomes, DUE_CONVERSIONS) == []


def test_a_worker_killed_in_a_large_refresh_leaves_the_database_consistent(database_url):
    """Each kill lands inside the refresh's transaction: the worker has written its first
    batch (not visible to others: uncommitted) when it is killed."""
    segment_id = workload.build_refresh_world(database_url, KILL_CONTACTS)
    trials = []
    for seed in range(KILL_TRIALS):
        workload.shuffle_regions(database_url, segment_id, 0.3, seed=100 + seed)
        trials.append(workload.kill_trial(database_url, segment_id, check=inconsistencies))
    assert [t["problems"] for t in trials] == [[]] * KILL_TRIALS
    assert [(t["killed"], t["torn"], t["state_after_kill"]) for t in trials] == [(True, True, "old")] * KILL_TRIALS


def test_a_worker_killed_holding_a_claim_loses_it_when_the_lease_expires(database_url):
    segment_id = workload.build_refresh_world(database_url, 300)
    workload.shuffle_regions(database_url, segment_id, 0.5, seed=1)
    spawn = mp.get_context("spawn")
    claimed = spawn.Queue()
    victim = spawn.Process(target=workload.claim_and_hang, args=(database_url, claimed))
    victim.start()
    assert claimed.get(timeout=60) == [segment_id]
    os.kill(victim.pid, signal.SIGKILL)
    victim.join(timeout=30)
    workload.wait_for_orphans(database_url)

    db = dbmod.open_database(database_url)
    try:
        before, wanted = workload.snapshot(segment_id)
        ctx = workload.context("rescuer")
        assert worker.tick(ctx, me="rescuer").refreshed == []  # the claim is still held
        ctx.clock.advance(seconds=worker.LEASE_SECONDS - 1)
        assert worker.tick(ctx, me="rescuer").refreshed == []
        assert workload.snapshot(segment_id)[0] == before
        assert Segment.get_by_id(segment_id).claimed_by == "victim"
        ctx.clock.advance(seconds=2)  # expired: another worker takes it over
        result = worker.tick(ctx, me="rescuer")
        assert result.refreshed == [(segment_id, Diff(len(wanted - before), len(before - wanted)))]
        assert workload.snapshot(segment_id)[0] == wanted
        row = Segment.get_by_id(segment_id)
        assert (row.claimed_by, row.claim_expires_at, row.next_refresh_at) == (None, None, None)
        assert inconsistencies() == []
    finally:
        db.close()


@pytest.mark.postgres_only
def test_workers_skip_what_another_transaction_holds(database_url):
    """PostgreSQL: SKIP LOCKED. A row locked by another worker is passed over, not waited for.

    The worker's connection may wait 1 ms for a lock (lock_timeout): had it queued behind
    the held row instead of skipping it, its tick would fail at once with a lock timeout.
    """
    import psycopg2

    workload.seed_due_conversions(database_url, 3)
    params = dbmod.parseresult_to_dict(dbmod.urlparse(database_url))
    other = psycopg2.connect(dbname=params["database"], user=params["user"], host=params["host"])
    try:
        other.cursor().execute("SELECT id FROM segment WHERE name = 'Due 1' FOR UPDATE")
        impatient = f"{database_url}&options=-c%20lock_timeout%3D1"
        db = dbmod.open_database(impatient)
        try:
            assert db.execute_sql("SHOW lock_timeout").fetchone()[0] == "1ms"
            ctx = workload.context("w1")
            applied = worker.tick(ctx, me="w1").applied
            assert sorted(a.name for a in applied) == ["Due 0", "Due 2"]
            assert Segment.get(Segment.name == "Due 1").type == "active"  # held: left alone
            other.rollback()  # the other worker gave up: the next tick takes it
            assert [a.name for a in worker.tick(ctx, me="w1").applied] == ["Due 1"]
        finally:
            db.close()
    finally:
        other.close()


def test_the_consistency_check_sees_what_a_torn_refresh_would_leave(ctx):
    """The checker the kill trials rely on does find each kind of damage."""
    from segtui.core.models import Membership, MembershipLog

    from core_helpers import make, region_is, regions

    regions("Bretagne", "Bretagne", "Normandie")
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    assert inconsistencies() == []
    Segment.update(size=5).where(Segment.id == segment.id).execute()
    assert inconsistencies() == ["1 segments whose size is not their number of members"]
    Segment.update(size=1).where(Segment.id == segment.id).execute()
    Membership.delete().where(Membership.record_id == 1).execute()  # deleted, not logged
    assert inconsistencies() == ["1 records the log says are members and are not"]
    Membership.insert(segment=segment.id, record_id=3, source="filter", joined_at=ctx.now()).execute()
    MembershipLog.insert(segment=segment.id, record_id=2, action="added", reason="filter", at=ctx.now(),
                         actor="x").execute()
    assert inconsistencies() == [
        "1 segments whose size is not their number of members",
        "1 log entries that repeat the previous action (or remove a non-member)",
        "1 records the log says are members and are not",
        "1 members the log does not account for",
    ]


def test_two_processes_editing_the_same_records_end_as_a_full_refresh_would(database_url):
    workload.build_follow_world(database_url, 300)
    hot = [1, 2, 3]  # both processes change these, over and over
    outcomes = workload.run_together([
        (workload.edit_in_a_process, (database_url, "alice", hot, 40, 1)),
        (workload.edit_in_a_process, (database_url, "bob", hot, 40, 2)),
    ])
    assert [error for _, _, error in outcomes] == [None, None]
    _assert_as_a_full_refresh_would(database_url)


def test_a_record_edited_while_a_worker_refreshes_the_segment_ends_as_a_full_refresh_would(database_url):
    # the full refreshes change the very records being edited (they drifted beforehand)
    ids = workload.build_follow_world(database_url, 3000, drifted=True)
    outcomes = workload.run_together([
        (workload.edit_in_a_process, (database_url, "alice", list(range(1, 3001, 4)), 80, 3)),
        (workload.full_refreshes_in_a_process, (database_url, ids, 8)),
    ])
    assert [error for _, _, error in outcomes] == [None, None]
    db = dbmod.open_database(database_url)
    try:
        worker.tick(workload.context("worker"), me="w")  # dependants owed a full refresh
    finally:
        db.close()
    _assert_as_a_full_refresh_would(database_url)


def _assert_as_a_full_refresh_would(url: str) -> None:
    from segtui.core import check

    db = dbmod.open_database(url)
    try:
        ctx = workload.context("checker")
        report = check.check(ctx)
        assert (report.pending, report.drifts) == ([], [])
        assert inconsistencies() == []
    finally:
        db.close()


@pytest.mark.parametrize("row_locks", [True, False], ids=["locked", "without-the-lock"])
def test_an_edit_while_a_full_refresh_is_half_written_waits_for_it(database_url, backend, row_locks):
    """The refresh has logged that record 5 (drifted into Bretagne) joins, and has not yet
    written the members; the record is moved out of Bretagne meanwhile. With the segment's
    row lock the edit waits for the refresh and then removes the record; without it (shown
    on PostgreSQL: SQLite's write lock serialises whole transactions) the edit evaluates
    against the membership of before the refresh and the record stays in by mistake."""
    if backend == "sqlite" and not row_locks:
        pytest.skip("SQLite serialises writing transactions whole: there is no row lock to take away")
    bretons = workload.build_follow_world(database_url, 12, drifted=True)[0]
    reached, edited = workload.events(2)
    outcomes = workload.run_together([
        # locked, the edit cannot happen before the refresh ends: the refresh waits 2 s for
        # nothing; unlocked, the edit ends it as soon as it is done (a slow machine: up to 30 s)
        (workload.refresh_pausing_in_a_process, (database_url, bretons, 2.0 if row_locks else 30.0, reached, edited)),
        (workload.edit_when_told_in_a_process, (database_url, 5, {"region": "Normandie"}, row_locks,
                                                reached, edited)),
    ])
    assert sorted(outcomes) == [("editor", 0, None), ("refresher", 2, None)]  # 5 and 9 drifted in
    db = dbmod.open_database(database_url)
    try:
        from segtui.core import check

        report = check.check(workload.context("checker"))
        # the other segments drifted behind the engine's back too; Bretons is the one refreshed
        drifted = [(d.missing, d.extra) for d in report.drifts if d.segment_id == bretons]
        assert drifted == ([] if row_locks else [(0, 1)])  # without: 5 is in Bretons, and in Normandie
    finally:
        db.close()
