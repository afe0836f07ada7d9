"""Several OS processes apply the same due conversions: each is applied exactly once."""

from __future__ import annotations

import multiprocessing as mp

import pendulum
import pytest

from segtui.core import db as dbmod
from segtui.core.models import AuditEntry, ConversionRecord, Segment

SEGMENTS = 200
PROCESSES = 4
DUE = pendulum.datetime(2026, 11, 30, 23, tz="UTC")
NOW = "2026-12-05T08:00:00+00:00"


def apply_in_a_process(path: str, actor: str, barrier, results) -> None:
    """Run in a spawned process: open the file, wait for the others, apply what is due."""
    from segtui.core import conversions
    from segtui.core.clock import FixedClock, parse_moment
    from segtui.core.context import Context

    try:
        db = dbmod.open_database(path)
        ctx = Context(clock=FixedClock(parse_moment(NOW)), actor=actor, tz="Europe/Paris")
        barrier.wait(timeout=30)
        applied = conversions.apply_due(ctx)
        db.close()
        results.put((actor, [a.segment_id for a in applied], None))
    except Exception as exc:  # reported to the test, which fails with it
        results.put((actor, [], f"{type(exc).__name__}: {exc}"))


@pytest.fixture
def due_file(tmp_path):
    path = str(tmp_path / "shared.db")
    db = dbmod.open_database(path)
    at = pendulum.datetime(2026, 11, 1, tz="UTC")
    Segment.insert_many(
        [
            dict(name=f"Due {i}", name_key=f"due {i}", object_type="contacts", type="active",
                 filters='{"groups":[{"filters":[{"operator":"is_known","property":"region"}]}]}',
                 filter_properties=",region,", last_activity_at=at, created_at=at, created_by="alice",
                 updated_at=at, updated_by="alice", schedule_mode="on_day", schedule_day=pendulum.date(2026, 12, 1),
                 schedule_tz="Europe/Paris", due_at=DUE)
            for i in range(SEGMENTS)
        ]
    ).execute()
    db.close()
    return path


def test_many_processes_apply_each_due_conversion_once(due_file):
    context = mp.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    processes = [
        context.Process(target=apply_in_a_process, args=(due_file, f"worker-{n}", barrier, results))
        for n in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    assert [error for _, _, error in outcomes if error] == []
    won = [sid for _, ids, _ in outcomes for sid in ids]
    assert len(won) == SEGMENTS and len(set(won)) == SEGMENTS

    db = dbmod.open_database(due_file)
    try:
        records = list(ConversionRecord.select())
        assert len(records) == SEGMENTS
        assert len({r.segment_id for r in records}) == SEGMENTS
        assert {(r.direction, r.trigger, r.due_at, r.converted_at) for r in records} == {
            ("to_static", "on_day", DUE, pendulum.parse(NOW))}
        entries = list(AuditEntry.select().where(AuditEntry.action == "auto_convert_to_static"))
        assert len(entries) == SEGMENTS
        assert len({e.segment_id for e in entries}) == SEGMENTS
        # who won what is recorded consistently: the record and the audit name the same process
        by_segment = {r.segment_id: r.actor for r in records}
        assert all(by_segment[e.segment_id] == e.actor for e in entries)
        assert {actor for actor, ids, _ in outcomes for _ in ids} == set(by_segment.values())
        assert Segment.select().where(Segment.type == "active").count() == 0
        assert Segment.select().where(Segment.due_at.is_null(False)).count() == 0
    finally:
        db.close()
