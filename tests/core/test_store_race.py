"""The conditional write, raced for real: two connections, the second paused between its
read and its write while the first changes the segment and commits.

Every caller re-reads the row under a lock first (``store.lock``), so in the services the
version condition is a second line of defence; these tests reach it directly, the way a
writer that read without the lock would, and show that exactly one of the two writes wins.
"""

from __future__ import annotations

from dataclasses import replace

import threading

import pytest

from segtui.core import segments, store
from segtui.core.db import write_transaction
from segtui.core.errors import InvalidName, SegmentNotFound, StaleSegment
from segtui.core.models import Segment, database_proxy

from core_helpers import audit_actions, make, region_is, regions, reload

TIMEOUT = 60  # a deadline against a hang, never a measure


class Paused(threading.Thread):
    """A second connection (its own thread) that does its ``work``, pausing once inside it
    (``pause``) until let go; what it returned or raised is its ``outcome``."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.paused = threading.Event()
        self.go = threading.Event()
        self.outcome: object = None

    def work(self) -> object:
        raise NotImplementedError

    def pause(self) -> None:
        self.paused.set()
        assert self.go.wait(TIMEOUT), "never let go"

    def run(self) -> None:
        try:
            self.outcome = self.work()
        except Exception as exc:  # handed to the test, which asserts on it
            self.outcome = exc
        finally:
            self.paused.set()
            database_proxy.close()  # this thread's connection

    def finish(self) -> object:
        self.go.set()
        self.join(TIMEOUT)
        assert not self.is_alive(), f"the paused {type(self).__name__} never finished"
        return self.outcome


class PausedWriter(Paused):
    """Reads the segment, pauses, then writes ``changes`` with ``store.conditional_update`` in a
    write transaction of its own."""

    def __init__(self, ctx, segment_id: int, **changes) -> None:
        super().__init__()
        self.ctx, self.segment_id, self.changes = ctx, segment_id, changes
        self.read_version: int | None = None

    def work(self) -> object:
        segment = Segment.get_by_id(self.segment_id)  # the read, on this thread's connection
        self.read_version = segment.version
        self.pause()
        with write_transaction():
            return store.conditional_update(self.ctx, segment, **self.changes)


@pytest.fixture
def bretons(ctx):
    regions("Bretagne", "Normandie")
    return make(ctx, "Bretons", "active", region_is("Bretagne"))


def test_the_writer_that_read_before_the_other_committed_loses(ctx, bretons):
    second = PausedWriter(replace(ctx, actor="bob"), bretons.id, name="Bob's name", name_key="bob's name")
    second.start()
    assert second.paused.wait(TIMEOUT)
    assert second.read_version == bretons.version

    first = segments.rename(ctx, bretons.id, "Bretons of Alice")  # the first writer commits meanwhile
    assert first.version == bretons.version + 1

    lost = second.finish()
    assert isinstance(lost, StaleSegment), lost
    assert str(lost) == ("'Bretons of Alice' was changed by alice at 2026-11-26 09:30 UTC since you opened it "
                         "(Renamed 'Bretons' to 'Bretons of Alice'); it has been reloaded: check it and try again")
    row = reload(bretons)
    assert (row.name, row.version, row.updated_by) == ("Bretons of Alice", bretons.version + 1, "alice")
    assert audit_actions(bretons).count("rename") == 1


def test_without_a_rival_the_paused_writer_wins_and_bumps_the_version(ctx, bretons):
    second = PausedWriter(replace(ctx, actor="bob"), bretons.id, name="Bob's name", name_key="bob's name")
    second.start()
    assert second.paused.wait(TIMEOUT)
    won = second.finish()
    assert isinstance(won, Segment), won
    assert (won.name, won.version, won.updated_by) == ("Bob's name", bretons.version + 1, "bob")
    row = reload(bretons)
    assert (row.name, row.version, row.updated_by, row.updated_at) == (
        "Bob's name", bretons.version + 1, "bob", ctx.now())


def test_the_writer_that_read_before_a_delete_is_told_it_was_deleted(ctx, bretons):
    second = PausedWriter(replace(ctx, actor="bob"), bretons.id, name="Bob's name", name_key="bob's name")
    second.start()
    assert second.paused.wait(TIMEOUT)
    segments.delete(ctx, bretons.id)

    lost = second.finish()
    assert isinstance(lost, SegmentNotFound), lost
    assert str(lost) == "'Bretons' was deleted meanwhile; nothing was changed"
    row = reload(bretons)
    assert (row.name, row.version, row.deleted_by) == ("Bretons", bretons.version + 1, "alice")


def test_two_paused_writers_of_one_version_exactly_one_wins(ctx, bretons):
    writers = [PausedWriter(replace(ctx, actor=who), bretons.id, name=f"{who}'s", name_key=f"{who}'s")
               for who in ("bob", "carol")]
    for writer in writers:
        writer.start()
        assert writer.paused.wait(TIMEOUT)
    outcomes = [writer.finish() for writer in writers]  # one after the other, both from version 1
    assert isinstance(outcomes[0], Segment) and isinstance(outcomes[1], StaleSegment), outcomes
    assert "was changed by bob" in str(outcomes[1])
    assert (reload(bretons).name, reload(bretons).version) == ("bob's", bretons.version + 1)


class PausedRestore(Paused):
    """``segments.restore``, paused after its checks (the segment read deleted, its name free)
    and before its conditional write: ``pause_here`` is hooked into its checks."""

    def __init__(self, ctx, segment_id: int) -> None:
        super().__init__()
        self.ctx, self.segment_id = ctx, segment_id

    def work(self) -> object:
        return segments.restore(self.ctx, self.segment_id)

    def pause_here(self) -> None:
        if threading.current_thread() is self:
            self.pause()


@pytest.fixture
def paused_restore(ctx, bretons, monkeypatch):
    """A restore by bob of the deleted Bretons, paused between its checks and its write: on
    PostgreSQL nothing locks the row it read, so a rival may commit in between (on SQLite the
    write lock taken up front makes the rival wait instead)."""
    segments.delete(ctx, bretons.id)
    restore = PausedRestore(replace(ctx, actor="bob"), bretons.id)
    checked = segments.membership.check_references
    monkeypatch.setattr(segments.membership, "check_references",
                        lambda tree: (checked(tree), restore.pause_here())[0])
    restore.start()
    assert restore.paused.wait(TIMEOUT)
    return restore


@pytest.mark.postgres_only
def test_two_restores_of_one_segment_exactly_one_wins(ctx, bretons, paused_restore):
    won = segments.restore(ctx, bretons.id)  # alice restores it meanwhile
    assert won.deleted_at is None and won.updated_by == "alice"

    lost = paused_restore.finish()
    assert isinstance(lost, SegmentNotFound), lost
    assert str(lost) == "'Bretons' was restored by someone else meanwhile"
    row = reload(bretons)
    assert (row.deleted_at, row.updated_by, row.version) == (None, "alice", bretons.version + 2)
    assert audit_actions(bretons).count("restore") == 1


@pytest.mark.postgres_only
def test_a_restore_under_a_name_created_meanwhile_is_refused_and_changes_nothing(ctx, bretons, paused_restore):
    theirs = make(ctx, "BRETONS", "static")  # the name is free: alice takes it

    lost = paused_restore.finish()
    assert isinstance(lost, InvalidName), lost
    assert "named 'Bretons' already exists" in str(lost)
    row = reload(bretons)
    assert row.deleted_at is not None and row.version == bretons.version + 1
    assert "restore" not in audit_actions(bretons)
    assert reload(theirs).deleted_at is None
