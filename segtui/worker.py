"""One worker tick: apply due conversions, then refresh stale active segments.

Used by the console's timer and by ``segtui worker``. Any number of ticks may run at once
against one database: conversions are won by a conditional UPDATE, refreshes are claimed
with a lease that expires if the worker dies holding it (on PostgreSQL both pass over rows
another worker holds: SKIP LOCKED). Database trouble (locked, connection lost) ends the
tick with the exception, for the caller to report and retry; a segment that cannot be
refreshed is marked with its error and retried with backoff, the others go on.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field

import peewee

from .core import conversions, follow, membership, store
from .i18n import _, _n
from .core.context import Context
from .core.db import is_transient, write_transaction
from .core.errors import SegtuiError
from .core.models import Segment

LEASE_SECONDS = 300
MAX_BACKOFF_SECONDS = 3600
# The furthest ahead a worker ever schedules: a refresh at the next day's start (or a
# backoff of at most an hour), a lease of LEASE_SECONDS. A moment further ahead than this
# was written by a clock that ran ahead (a wrong SEGTUI_NOW, a host whose clock jumped):
# it is treated as due, or the segment would wait until that clock's year.
REFRESH_HORIZON_HOURS = 48
LEASE_HORIZON_SECONDS = 2 * LEASE_SECONDS


def console_actor(console_actor_name: str) -> str:
    """Who the audit log names for the worker inside a console: the worker, and whose console."""
    return f"worker (console of {console_actor_name})"


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class TickResult:
    applied: list[conversions.Applied] = field(default_factory=list)
    refreshed: list[tuple[int, membership.Diff]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        """What the tick did, in the language: "1 conversion applied, 2 segments refreshed (1 changed), 0 failures"."""
        changed = sum(1 for _unused, d in self.refreshed if d.changed)
        return _("{conversions}, {refreshed}, {failures}").format(
            conversions=_n("{n} conversion applied", "{n} conversions applied", len(self.applied)),
            # TRANSLATORS: {changed} is "1 changed", said with its own count
            refreshed=_n("{n} segment refreshed ({changed})", "{n} segments refreshed ({changed})",
                         len(self.refreshed), changed=_n("{n} changed", "{n} changed", changed)),
            failures=_n("{n} failure", "{n} failures", len(self.failed)))


def tick(ctx: Context, *, me: str | None = None, max_refreshes: int = 50) -> TickResult:
    me = me or worker_id()
    result = TickResult()
    if ctx.read_only:  # a read-only console watches; the other workers do the work
        return result
    result.applied = conversions.apply_due(ctx)
    claimed = claim_stale(ctx, me, limit=max_refreshes)
    rolled = roll_over(ctx, claimed, me)
    for n, segment_id in enumerate(claimed):
        if segment_id in rolled:
            result.refreshed.append((segment_id, rolled[segment_id]))
            continue
        try:
            result.refreshed.append((segment_id, membership.refresh(ctx, segment_id)))
        except (SegtuiError, peewee.PeeweeException) as exc:
            if is_transient(exc):  # the database, not the segment: end the tick, retry later
                release(claimed[n:], me)
                raise
            message = str(exc)
            record_failure(ctx, segment_id, message)
            result.failed.append((segment_id, message))
    return result


def roll_over(ctx: Context, claimed: list[int], me: str) -> dict[int, membership.Diff]:
    """The claimed segments that only owe their midnight rollover, rolled over together (the
    records that crossed a boundary read once for all of them); the others, or all of them if
    that fails for a reason of its own, are refreshed one by one, each failure its own."""
    if not claimed:
        return {}
    try:
        return follow.roll_over(ctx, claimed)
    except (SegtuiError, peewee.PeeweeException) as exc:
        if is_transient(exc):  # the database, not the segments: end the tick, retry later
            release(claimed, me)
            raise
        return {}


def claim_stale(ctx: Context, me: str, *, limit: int) -> list[int]:
    """Claim up to ``limit`` segments due for a refresh; each claim is won by one worker.

    One transaction: on SQLite it holds the write lock; on PostgreSQL the rows are locked
    with SKIP LOCKED, so that workers claiming at the same moment share the segments out.
    A claim is a lease: if its worker dies, it expires and another worker takes it.
    """
    now = ctx.now()
    free = (Segment.claim_expires_at.is_null() | (Segment.claim_expires_at < now)
            | (Segment.claim_expires_at > now.add(seconds=LEASE_HORIZON_SECONDS)))
    due = (Segment.next_refresh_at <= now) | (Segment.next_refresh_at > now.add(hours=REFRESH_HORIZON_HOURS))
    wanted = (
        Segment.select(Segment.id)
        .where(
            Segment.next_refresh_at.is_null(False) & due
            & (Segment.type == "active") & store.live() & free
        )
        .order_by(Segment.next_refresh_at, Segment.id)
        .limit(limit)
    )
    if not wanted.exists():  # the usual tick: nothing to claim, no write lock taken
        return []
    with write_transaction():
        claimed = [segment_id for (segment_id,) in store.skip_locked(wanted).tuples()]
        if claimed:
            Segment.update(claimed_by=me, claim_expires_at=now.add(seconds=LEASE_SECONDS)).where(
                Segment.id.in_(claimed)
            ).execute()
    return claimed


def release(segment_ids: list[int], me: str) -> None:
    """Give back claims not worked on (best effort: if the database is gone, they expire)."""
    try:
        Segment.update(claimed_by=None, claim_expires_at=None).where(
            Segment.id.in_(segment_ids) & (Segment.claimed_by == me)
        ).execute()
    except peewee.PeeweeException:
        pass


def backoff_seconds(failures: int) -> int:
    return min(60 * 2 ** max(failures - 1, 0), MAX_BACKOFF_SECONDS)


def record_failure(ctx: Context, segment_id: int, message: str) -> None:
    """Keep the error on the segment, retry later with backoff, release the claim."""
    with write_transaction():
        segment = Segment.get_or_none(Segment.id == segment_id)
        if segment is None:
            return
        failures = segment.refresh_failures + 1
        Segment.update(
            refresh_error=message,
            refresh_failures=failures,
            next_refresh_at=ctx.now().add(seconds=backoff_seconds(failures)),
            claimed_by=None,
            claim_expires_at=None,
        ).where(Segment.id == segment_id).execute()
