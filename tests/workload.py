"""Work for several OS processes on one database: the race, the kill and the lease trials.

Used by tests/core/test_processes.py (CI sizes) and tests/perf/ (full sizes). The child
functions run in processes started with the "spawn" method: they open the database
themselves from its URL and report through a queue.
"""

from __future__ import annotations

import os
import random
import signal
import time

import pendulum

from segtui.core import db as dbmod
from segtui.core.clock import FixedClock
from segtui.core.context import Context
from segtui.core.models import AuditEntry, Contact, ConversionRecord, Membership, MembershipLog, Segment

T0 = pendulum.datetime(2026, 12, 5, 8, tz="UTC")
DUE = pendulum.datetime(2026, 11, 30, 23, tz="UTC")
CREATED = pendulum.datetime(2026, 11, 1, tz="UTC")
BRETONS = {"groups": [{"filters": [{"property": "region", "operator": "is_any_of", "values": ["Bretagne"]}]}]}


def context(actor: str, moment=T0) -> Context:
    return Context(clock=FixedClock(moment), actor=actor, tz="Europe/Paris")


# ---------------------------------------------------------------- the race: many workers, many due conversions


def seed_due_conversions(url: str, count: int) -> None:
    """``count`` active segments whose conversion to static fell due before T0."""
    db = dbmod.open_database(url)
    try:
        rows = [
            dict(name=f"Due {i}", name_key=f"due {i}", object_type="contacts", type="active",
                 filters='{"groups":[{"filters":[{"operator":"is_known","property":"region"}]}]}',
                 filter_properties=",region,", last_activity_at=CREATED, created_at=CREATED, created_by="alice",
                 updated_at=CREATED, updated_by="alice", schedule_mode="on_day",
                 schedule_day=pendulum.date(2026, 12, 1), schedule_tz="Europe/Paris", due_at=DUE)
            for i in range(count)
        ]
        with dbmod.write_transaction(db):
            for start in range(0, count, 200):
                Segment.insert_many(rows[start:start + 200]).execute()
    finally:
        db.close()


def tick_in_a_process(url: str, actor: str, barrier, results) -> None:
    """A headless worker: open the database, wait for the others, tick until nothing is left.
    A tick ended by the database being locked past the busy timeout (eight writers on SQLite
    on a loaded machine) is tried again, as ``segtui worker`` does: it wrote nothing."""
    from segtui import worker
    from segtui.core.db_errors import is_transient

    try:
        db = dbmod.open_database(url)
        ctx = context(actor)
        barrier.wait(timeout=60)
        started = time.perf_counter()
        won, retries = [], 0
        while True:
            try:
                applied = worker.tick(ctx, me=actor).applied
            except Exception as exc:
                if not is_transient(exc) or retries == 20:
                    raise
                retries += 1
                continue
            won += [a.segment_id for a in applied]
            if not applied:
                break
        seconds = time.perf_counter() - started
        db.close()
        results.put((actor, won, seconds, None))
    except Exception as exc:  # reported to the parent, which fails with it
        results.put((actor, [], 0.0, f"{type(exc).__name__}: {exc}"))


def race(url: str, *, processes: int, timeout: float = 300) -> tuple[list, float]:
    """Start ``processes`` workers together; (outcomes, wall seconds from the barrier)."""
    import multiprocessing as mp

    spawn = mp.get_context("spawn")
    barrier = spawn.Barrier(processes + 1)
    results = spawn.Queue()
    workers = [spawn.Process(target=tick_in_a_process, args=(url, f"worker-{n}", barrier, results))
               for n in range(processes)]
    for process in workers:
        process.start()
    barrier.wait(timeout=120)
    started = time.perf_counter()
    outcomes = [results.get(timeout=timeout) for _ in workers]
    wall = time.perf_counter() - started
    for process in workers:
        process.join(timeout=30)
        assert process.exitcode == 0, process.exitcode
    return outcomes, wall


def race_problems(url: str, outcomes: list, expected: int) -> list[str]:
    """Everything that is not 'each due conversion applied exactly once'."""
    problems = [f"{actor}: {error}" for actor, _, _, error in outcomes if error]
    won = [sid for _, ids, _, _ in outcomes for sid in ids]
    if len(won) != expected or len(set(won)) != expected:
        problems.append(f"workers report {len(won)} conversions ({len(set(won))} segments), expected {expected}")
    db = dbmod.open_database(url)
    try:
        records = list(ConversionRecord.select())
        entries = list(AuditEntry.select().where(AuditEntry.action == "auto_convert_to_static"))
        for what, rows in (("conversion records", records), ("audit rows", entries)):
            segments = {r.segment_id for r in rows}
            if len(rows) != expected or len(segments) != expected:
                problems.append(f"{len(rows)} {what} for {len(segments)} segments, expected {expected}")
        by_segment = {r.segment_id: r.actor for r in records}
        if any(by_segment.get(e.segment_id) != e.actor for e in entries):
            problems.append("a conversion record and its audit row name different workers")
        if Segment.select().where((Segment.type == "active") | Segment.due_at.is_null(False)).count():
            problems.append("segments left active or due")
    finally:
        db.close()
    return problems


# ---------------------------------------------------------------- the kill: a worker dies in a large refresh


def build_refresh_world(url: str, contacts: int, seed: int = 1) -> int:
    """``contacts`` contacts, a third in Bretagne, and the active segment 'Bretons'. Its id."""
    from segtui.core import segments

    rng = random.Random(seed)
    db = dbmod.open_database(url)
    try:
        rows = [{"email": f"c{i}@example.org", "region": "Bretagne" if rng.random() < 0.33 else "Normandie",
                 "updated_at": CREATED} for i in range(contacts)]
        with dbmod.write_transaction(db):
            for start in range(0, contacts, 1000):
                Contact.insert_many(rows[start:start + 1000]).execute()
        segment, _ = segments.create(context("alice", CREATED), "Bretons", "contacts", "active", BRETONS)
        return segment.id
    finally:
        db.close()


def shuffle_regions(url: str, segment_id: int, share: float, seed: int) -> None:
    """Move ``share`` of the contacts to the other region: the next refresh has a large diff."""
    db = dbmod.open_database(url)
    try:
        rng = random.Random(seed)
        rows = Contact.select(Contact.id, Contact.region).order_by(Contact.id).tuples()
        moved = rng.sample(list(rows), int(len(rows) * share))
        with dbmod.write_transaction(db):
            for region in ("Bretagne", "Normandie"):
                ids = [c for c, r in moved if r == region]
                other = "Normandie" if region == "Bretagne" else "Bretagne"
                for start in range(0, len(ids), 500):
                    Contact.update(region=other).where(Contact.id.in_(ids[start:start + 500])).execute()
            Segment.update(next_refresh_at=T0).where(Segment.id == segment_id).execute()
    finally:
        db.close()


def refresh_in_a_process(url: str, ready, written, hold: bool) -> None:
    """The victim: one worker tick, which claims the stale segment and refreshes it.

    Once the refresh has written its first batch inside its transaction, it puts the number
    of rows on ``written``; with ``hold`` it then waits there, transaction open, until killed.
    """
    import threading

    from segtui import worker
    from segtui.core import membership

    def first_batch(rows: int) -> None:
        written.put(rows)
        if hold:
            threading.Event().wait()

    membership.after_first_batch = first_batch
    db = dbmod.open_database(url)
    ready.set()
    worker.tick(context("victim"), me="victim")
    db.close()


def log_rows(segment_id: int) -> int:
    """The committed membership log rows of a segment, as another connection sees them."""
    return MembershipLog.select().where(MembershipLog.segment == segment_id).count()


def snapshot(segment_id: int) -> tuple[set[int], set[int]]:
    """(members now, what the filters select)."""
    members = {m for (m,) in Membership.select(Membership.record_id).where(Membership.segment == segment_id).tuples()}
    wanted = {c for (c,) in Contact.select(Contact.id).where(Contact.region == "Bretagne").tuples()}
    return members, wanted


def kill_trial(url: str, segment_id: int, *, check, seed: int = 0, window: float | None = None) -> dict:
    """Start a worker on a stale segment and SIGKILL it, then check the database, let the
    lease expire and finish the job.

    Without ``window`` the kill lands inside the refresh's transaction for certain: the
    worker signals once it has written its first batch and waits there; the test checks that
    this batch is not visible to another connection (not committed), then kills. With
    ``window`` (the benchmark), the kill lands at a random moment of that many seconds after
    the worker is ready. ``torn`` says whether the kill cut a transaction that had written:
    the first batch was signalled, and membership is still the old set after the kill.

    ``check()`` returns the inconsistencies of the bound database (a list of strings).
    """
    import multiprocessing as mp
    import queue

    from segtui import worker

    rng = random.Random(seed)
    spawn = mp.get_context("spawn")
    db = dbmod.open_database(url)
    before, wanted = snapshot(segment_id)
    logged_before = log_rows(segment_id)
    db.close()
    ready, written = spawn.Event(), spawn.Queue()
    victim = spawn.Process(target=refresh_in_a_process, args=(url, ready, written, window is None))
    victim.start()
    assert ready.wait(timeout=60), "the worker did not start"
    uncommitted = None
    if window is None:
        try:
            rows = written.get(timeout=300)
        except queue.Empty:
            raise AssertionError("the worker never signalled its first batch") from None
        db = dbmod.open_database(url)
        try:
            uncommitted = rows > 0 and log_rows(segment_id) == logged_before
        finally:
            db.close()
        delay = None
    else:
        delay = rng.uniform(0, window)
        time.sleep(delay)
    if victim.is_alive():
        os.kill(victim.pid, signal.SIGKILL)
    victim.join(timeout=30)
    killed = victim.exitcode == -signal.SIGKILL
    try:
        signalled = written.get_nowait() > 0 if window is not None else True
    except queue.Empty:
        signalled = False
    wait_for_orphans(url)

    db = dbmod.open_database(url)
    try:
        problems = list(check())
        members, _ = snapshot(segment_id)
        if members not in (before, wanted):
            problems.append("membership is neither the old set nor the new one")
        state = "old" if members == before and before != wanted else "new"
        if window is None and not uncommitted:
            problems.append("the first batch was visible to another connection before the kill (committed?)")
        if state == "old" and log_rows(segment_id) != logged_before:
            problems.append("the killed transaction left log rows behind")
        # the lease expires: another worker finishes the job
        later = context("rescuer", T0.add(seconds=worker.LEASE_SECONDS + 1))
        worker.tick(later, me="rescuer")
        members, wanted = snapshot(segment_id)
        if members != wanted:
            problems.append("after the lease expired, the refresh was not completed")
        problems += check()
        row = Segment.get_by_id(segment_id)
        if (row.claimed_by, row.next_refresh_at) != (None, None):
            problems.append(f"the claim or the refresh mark is left: {row.claimed_by} {row.next_refresh_at}")
        if Segment.select().where(Segment.refresh_error.is_null(False)).count():
            problems.append("a refresh error was recorded")
    finally:
        db.close()
    torn = killed and signalled and state == "old"
    return {"delay": delay, "killed": killed, "torn": torn, "state_after_kill": state, "problems": problems}


def wait_for_orphans(url: str, timeout: float = 60) -> None:
    """PostgreSQL: wait until the server has noticed the dead client and rolled it back."""
    if not url.startswith(("postgres://", "postgresql://")):
        return
    db = dbmod.connect(url)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            others = db.execute_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle'"
            ).fetchone()[0]
            if not others:
                return
            time.sleep(0.05)
        raise AssertionError("the killed worker's connection is still open")
    finally:
        db.close()


# ---------------------------------------------------------------- the lease: a worker dies holding a claim


def claim_and_hang(url: str, ready) -> None:
    """Claim every stale segment, then hang (until killed) without refreshing them."""
    from segtui import worker

    db = dbmod.open_database(url)
    claimed = worker.claim_stale(context("victim"), "victim", limit=10)
    db.close()
    ready.put(claimed)
    time.sleep(600)


# ---------------------------------------------------------------- record changes racing each other and refreshes


FOLLOW_FILTERS = [
    {"groups": [{"filters": [{"property": "region", "operator": "is_any_of", "values": ["Bretagne"]}]}]},
    {"groups": [{"filters": [{"property": "region", "operator": "is_none_of", "values": ["Bretagne"]},
                             {"property": "events_attended", "operator": "gte", "value": 2}]}]},
    {"groups": [{"filters": [{"property": "events_attended", "operator": "lt", "value": 3}]},
                {"filters": [{"property": "region", "operator": "is_any_of", "values": ["Alsace"]}]}]},
]


def build_follow_world(url: str, contacts: int, *, drifted: bool = False) -> list[int]:
    """Contacts, three active segments reading region and events_attended, and a dependant
    of the first two (their ids, the dependant last). ``drifted``: then a quarter of the
    contacts moved to Bretagne without the segments knowing (as if the worker were behind)."""
    from segtui.core import segments

    db = dbmod.open_database(url)
    try:
        rows = [{"email": f"c{i}@example.org", "region": ("Bretagne", "Normandie", "Alsace")[i % 3],
                 "events_attended": i % 5, "updated_at": CREATED} for i in range(contacts)]
        with dbmod.write_transaction(db):
            for start in range(0, contacts, 1000):
                Contact.insert_many(rows[start:start + 1000]).execute()
        ctx = context("alice", CREATED)
        ids = [segments.create(ctx, f"S{n}", "contacts", "active", tree)[0].id for n, tree in enumerate(FOLLOW_FILTERS)]
        both = {"groups": [{"filters": [{"segment": ids[0], "operator": "in_segment"},
                                        {"segment": ids[1], "operator": "not_in_segment"}]}]}
        ids.append(segments.create(ctx, "Dependant", "contacts", "active", both)[0].id)
        if drifted:  # behind the engine's back: the full refreshes have work to do
            with dbmod.write_transaction(db):
                for start in range(1, contacts + 1, 2000):
                    Contact.update(region="Bretagne").where(Contact.id.in_(list(range(start, start + 2000, 4)))).execute()
        return ids
    finally:
        db.close()


def edit_in_a_process(url: str, actor: str, record_ids: list[int], rounds: int, seed: int, barrier, results) -> None:
    """Set region and events_attended of ``record_ids`` at random, ``rounds`` times, as fast as it can."""
    from segtui.core import records

    try:
        db = dbmod.open_database(url)
        ctx = context(actor)
        rng = random.Random(seed)
        barrier.wait(timeout=60)
        retried = 0
        for _ in range(rounds):
            values = {"region": rng.choice(["Bretagne", "Normandie", "Alsace", ""]),
                      "events_attended": str(rng.randint(0, 5))}
            record_id = rng.choice(record_ids)
            while True:
                try:
                    records.set_properties(ctx, "contacts", record_id, values)
                    break
                except Exception as exc:  # a deadlock or lock timeout: nothing was written, try again
                    if not dbmod.is_transient(getattr(exc, "__cause__", None) or exc) and "locked" not in str(exc):
                        raise
                    dbmod.reset_connection()
                    retried += 1
        db.close()
        results.put((actor, retried, None))
    except Exception as exc:
        results.put((actor, 0, f"{type(exc).__name__}: {exc}"))


def full_refreshes_in_a_process(url: str, segment_ids: list[int], rounds: int, barrier, results) -> None:
    """Refresh the segments in full, over and over, while records change under them."""
    from segtui.core import membership

    try:
        db = dbmod.open_database(url)
        ctx = context("worker")
        barrier.wait(timeout=60)
        retried = 0
        for n in range(rounds):
            try:
                membership.refresh(ctx, segment_ids[n % len(segment_ids)], full=True)
            except Exception as exc:
                if not dbmod.is_transient(exc) and "locked" not in str(exc):
                    raise
                dbmod.reset_connection()
                retried += 1
        db.close()
        results.put(("refresher", retried, None))
    except Exception as exc:
        results.put(("refresher", 0, f"{type(exc).__name__}: {exc}"))


def refresh_pausing_in_a_process(url: str, segment_id: int, pause: float, reached, edited, barrier,
                                 results) -> None:
    """A full refresh that stops in the middle of its transaction (its diff logged, the
    members not yet written): it tells ``reached``, then waits for ``edited`` (at most
    ``pause`` seconds: an editor that needs this transaction's lock cannot edit before it ends)."""
    from segtui.core import membership

    try:
        db = dbmod.open_database(url)
        barrier.wait(timeout=60)

        def hold(_logged: int) -> None:
            reached.set()
            edited.wait(timeout=pause)

        membership.after_first_batch = hold
        diff = membership.refresh(context("worker"), segment_id, full=True)
        db.close()
        results.put(("refresher", diff.added, None))
    except Exception as exc:
        results.put(("refresher", 0, f"{type(exc).__name__}: {exc}"))


def edit_when_told_in_a_process(url: str, record_id: int, values: dict, row_locks: bool, reached, edited,
                                barrier, results) -> None:
    """Edit one record once the refresh is paused inside its transaction; tell ``edited``.
    ``row_locks=False`` takes the segment row locks out of the edit's evaluation, to show
    what they are for."""
    from segtui.core import follow, records

    try:
        db = dbmod.open_database(url)
        if not row_locks:
            follow.ROW_LOCK = ""
        barrier.wait(timeout=60)
        reached.wait(timeout=60)
        while True:
            try:
                records.set_properties(context("alice"), "contacts", record_id, values)
                break
            except Exception as exc:  # SQLite: the refresh holds the write lock past the busy timeout
                if "locked" not in str(exc):
                    raise
                dbmod.reset_connection()
        edited.set()
        db.close()
        results.put(("editor", 0, None))
    except Exception as exc:
        results.put(("editor", 0, f"{type(exc).__name__}: {exc}"))


def events(count: int) -> list:
    """Events the processes of ``run_together`` can share."""
    import multiprocessing as mp

    return [mp.get_context("spawn").Event() for _ in range(count)]


def run_together(targets: list[tuple], timeout: float = 300) -> list:
    """Start the (function, args) together behind one barrier; their reports."""
    import multiprocessing as mp

    spawn = mp.get_context("spawn")
    barrier = spawn.Barrier(len(targets))
    results = spawn.Queue()
    processes = [spawn.Process(target=fn, args=(*args, barrier, results)) for fn, args in targets]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=timeout) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    return outcomes
