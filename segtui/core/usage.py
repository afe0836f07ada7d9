"""What uses a segment and what it uses (membership filters, followed through chains), and
the segments nothing uses that have not changed for a while."""

from __future__ import annotations

from dataclasses import dataclass

import pendulum

from .. import i18n
from . import segments, store
from .context import Context
from .errors import InvalidInput, SegtuiError
from .models import Segment, SegmentDependency

MAX_UNUSED_DAYS = 36500


@dataclass(frozen=True)
class Use:
    segment: Segment
    chain: list[str]  # names from the segment asked about to this one

    @property
    def depth(self) -> int:
        return len(self.chain) - 1


@dataclass(frozen=True)
class Usage:
    segment: Segment
    used_by: list[Use]  # segments whose filters read it, directly or through others
    uses: list[Use]  # segments its filters read, directly or through others


def _walk(start: Segment, *, upward: bool) -> list[Use]:
    """Breadth first over the dependency edges; each segment once, by its shortest chain."""
    found: list[Use] = []
    seen = {start.id}
    frontier = [(start.id, [start.name])]
    while frontier:
        ids = [sid for sid, _ in frontier]
        chains = dict(frontier)
        if upward:
            edges = SegmentDependency.select(SegmentDependency.depends_on, SegmentDependency.segment).where(
                SegmentDependency.depends_on.in_(ids)).tuples()
        else:
            edges = SegmentDependency.select(SegmentDependency.segment, SegmentDependency.depends_on).where(
                SegmentDependency.segment.in_(ids)).tuples()
        pairs = [(a, b) for a, b in edges if b not in seen]
        nexts = {s.id: s for s in Segment.select().where(Segment.id.in_({b for _, b in pairs}) & store.live())}
        frontier = []
        for a, b in sorted(pairs, key=lambda p: (nexts[p[1]].name_key, p[1]) if p[1] in nexts else ("", p[1])):
            if b in seen or b not in nexts:
                continue
            seen.add(b)
            chain = chains[a] + [nexts[b].name]
            found.append(Use(nexts[b], chain))
            frontier.append((b, chain))
    return found


def usage(segment_ref) -> Usage:
    segment = store.get(segment_ref)
    return Usage(segment, _walk(segment, upward=True), _walk(segment, upward=False))


def _users_alive():
    user = Segment.alias("user_segment")
    return (
        SegmentDependency.select(SegmentDependency.depends_on)
        .join(user, on=(user.id == SegmentDependency.segment))
        .where(user.deleted_at.is_null())
    )


def unused(ctx: Context, days: int, *, limit: int | None = None) -> list[Segment]:
    """Live segments that no live segment's filters read and that have not changed (no
    edit, no membership change) for ``days`` days, oldest change first."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_UNUSED_DAYS:
        raise InvalidInput("The number of days must be a whole number from 1 to {limit}",
                           limit=i18n.number(MAX_UNUSED_DAYS))
    cutoff = ctx.now().subtract(days=days)
    query = (
        Segment.select()
        .where(store.live() & Segment.id.not_in(_users_alive())
               & (Segment.updated_at <= cutoff) & (Segment.last_activity_at <= cutoff))
        .order_by(Segment.last_activity_at, Segment.id)
    )
    if limit:
        query = query.limit(limit)
    return list(query)


def unchanged_since(segment: Segment) -> pendulum.DateTime:
    return max(segment.updated_at, segment.last_activity_at)


@dataclass(frozen=True)
class BulkResult:
    deleted: list[Segment]
    refused: list[tuple[str, str]]  # (name, why)


def delete_many(ctx: Context, chosen: list[tuple[int, int]]) -> BulkResult:
    """Delete each (id, version) to the 90-day bin; one that changed meanwhile, or that
    another segment now uses, is left as it is and said why."""
    ctx.require_write("deleting segments")
    done, refused = [], []
    for segment_id, version in chosen:
        try:
            done.append(segments.delete(ctx, segment_id, expected_version=version))
        except SegtuiError as exc:
            found = Segment.get_or_none(Segment.id == segment_id)
            refused.append((found.name if found else f"#{segment_id}", exc.message))
    return BulkResult(done, refused)
