"""Active segments follow their records at the cost of the change, not of the table.

When records change (an edit, an import, a record created), only the changed records are
evaluated, and only against the live active segments whose filters read a changed property
(the ``segment_read`` index, kept with the filters). Joins and leaves are applied in the
transaction of the change, logged with the reason ("region changed", by the actor) and
counted in size, last activity and the inactivity clock. Segments that read those
segments' membership (``in_segment`` / ``not_in_segment``) are carried along in the same
transaction, in dependency order, for the same records.

Filters are evaluated by their compiled SQL, restricted to the changed record ids: whatever
a filter can say (custom properties, associations) is evaluated the same way here as in a
full refresh. Many segments are evaluated by one query: each segment's filter tree becomes
one bit of an integer column (62 segments to a column), so that a query returns, per
record, which segments it matches, and the comparison with the stored membership is a set
difference.

The relative-date rollover is the same machinery: at the account's midnight a segment's
relative-date filters move by a day, and only the records whose date lies between a
boundary's old and new position (an index range) can change sides.
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass, field
from functools import reduce

import pendulum
from peewee import Case, Value

from . import filters, membership, store
from .context import Context
from .db import is_sqlite
from .models import (
    RECORD_MODELS,
    Membership,
    MembershipLog,
    Segment,
    SegmentDependency,
    SegmentRead,
    database_proxy,
)

BITS = 62  # segments per integer column: a positive 64-bit sum on every database
SEGMENTS_PER_QUERY = BITS * 4
IDS_PER_QUERY = 1000
REASON_LENGTH = 200  # the log's reason column is a VARCHAR(255) on PostgreSQL


@dataclass
class Followed:
    """What a change did to segment membership: per segment id, who joined and who left."""

    joined: dict[int, list[int]] = field(default_factory=dict)
    left: dict[int, list[int]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    evaluated: int = 0  # segments evaluated

    @property
    def changed(self) -> bool:
        return bool(self.joined or self.left)

    def merge(self, other: "Followed") -> "Followed":
        for mine, theirs in ((self.joined, other.joined), (self.left, other.left)):
            for sid, ids in theirs.items():
                mine[sid] = sorted(set(mine.get(sid, [])) | set(ids))
        self.names.update(other.names)
        self.evaluated += other.evaluated
        return self

    def summary(self) -> dict:
        """For the audit log and JSON: segment names joined and left, with counts."""
        def side(part):
            return [{"segment": sid, "name": self.names.get(sid, f"#{sid}"), "records": len(ids)}
                    for sid, ids in sorted(part.items())]
        return {"joined": side(self.joined), "left": side(self.left)}

    def sentence(self, record_id: int | None = None) -> str:
        """"Joined 'A', 'B'; left 'C'." for one record (or counts for many)."""
        parts = []
        for verb, part in (("joined", self.joined), ("left", self.left)):
            if record_id is not None:
                names = [self.names.get(sid, f"#{sid}") for sid, ids in sorted(part.items()) if record_id in ids]
                if names:
                    parts.append(f"{verb} " + ", ".join(repr(n) for n in names))
            elif part:
                count = sum(len(ids) for ids in part.values())
                parts.append(f"{count:,} {verb} {len(part):,} segment(s)")
        text = "; ".join(parts)
        return (text[0].upper() + text[1:] + ".") if text else "No segment membership changed."


def reason_text(cause: str) -> str:
    return cause if len(cause) <= REASON_LENGTH else cause[: REASON_LENGTH - 1] + "…"


def changed_cause(names) -> str:
    """"region changed", "region, city changed", "region, city and 3 more changed"."""
    names = sorted(names)
    shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
    return f"{shown} changed"


def segments_reading(object_type: str, names: set[str] | None):
    """Live active segments of ``object_type`` whose filters read any of ``names`` (the
    index), or every one of them when ``names`` is None (a new record may match anything)."""
    query = Segment.select().where(
        (Segment.object_type == object_type) & (Segment.type == "active") & store.live()
    )
    if names is not None:
        if not names:
            return query.where(Value(False))
        readers = SegmentRead.select(SegmentRead.segment_id).where(
            (SegmentRead.object_type == object_type) & SegmentRead.property.in_(sorted(names))
        )
        query = query.where(Segment.id.in_(readers))
    return query


def records_changed(ctx: Context, object_type: str, record_ids, changed: set[str] | None, *,
                    cause: str) -> Followed:
    """Records of ``object_type`` changed ``changed`` properties (None: created, anything may
    match): re-evaluate them against the segments that read those properties, and against
    the segments that read those segments' membership. Call inside the change's transaction.
    """
    ids = sorted(set(record_ids))
    if not ids:
        return Followed()
    direct = [s.id for s in segments_reading(object_type, changed).select(Segment.id)]
    causes = {}
    if changed is not None and cause == changed_cause(changed) and len(changed) > 1:
        # each segment's log names the changed properties it reads
        reads: dict[int, set[str]] = {}
        for segment_id, name in SegmentRead.select(SegmentRead.segment_id, SegmentRead.property).where(
                SegmentRead.segment_id.in_(direct) & (SegmentRead.object_type == object_type)).tuples():
            reads.setdefault(segment_id, set()).add(name)
        causes = {sid: changed_cause(reads[sid] & changed) for sid in direct if reads.get(sid, set()) & changed}
    return follow(ctx, object_type, ids, direct, cause=cause, causes=causes)


def follow(ctx: Context, object_type: str, ids: list[int], direct: list[int], *, cause: str,
           causes: dict[int, str] | None = None, today: dict[int, pendulum.Date] | None = None) -> Followed:
    """Evaluate ``ids`` against the ``direct`` segments, then their dependants, in order.

    ``today`` overrides, per segment, the day its relative dates are read for (the rollover
    evaluates for the new day); otherwise a segment is evaluated for the day it was last
    evaluated for, so that an edit and the rollover never disagree about "today".
    """
    result = Followed()
    if not ids or not direct:
        return result
    upstream = _dependency_closure(set(direct))
    segments = _lock(set(upstream) | set(direct))
    order = _dependency_order(segments, upstream)
    touched: dict[int, set[int]] = {}  # per segment: records whose membership changed
    due = set(direct)
    level: list[Segment] = []

    def run():
        _run_level(ctx, object_type, ids, level, cause, causes or {}, today, touched, result, due, upstream)
        level.clear()

    for segment in order:
        reads = upstream.get(segment.id, set())
        if reads & {s.id for s in level}:
            run()  # what it reads must be up to date first
        if segment.id in due or any(touched.get(u) for u in reads):
            level.append(segment)
    run()
    return result


def _dependency_closure(start: set[int]) -> dict[int, set[int]]:
    """Every segment reading (transitively) one of ``start``'s membership -> what it reads."""
    upstream: dict[int, set[int]] = {}
    frontier = set(start)
    seen = set(start)
    while frontier:
        rows = (SegmentDependency.select(SegmentDependency.segment, SegmentDependency.depends_on)
                .where(SegmentDependency.depends_on.in_(sorted(frontier))).tuples())
        frontier = set()
        for user, used in rows:
            upstream.setdefault(user, set()).add(used)
            if user not in seen:
                seen.add(user)
                frontier.add(user)
    return upstream


def _lock(segment_ids: set[int]) -> dict[int, Segment]:
    """The live active ones among ``segment_ids``, their rows locked (by id: one order for
    every process), read after the lock so that a full refresh that just committed is seen."""
    query = Segment.select().where(Segment.id.in_(sorted(segment_ids))).order_by(Segment.id)
    if not is_sqlite(database_proxy):
        query = query.for_update()
    return {s.id: s for s in query if s.type == "active" and s.deleted_at is None}


def _dependency_order(segments: dict[int, Segment], upstream: dict[int, set[int]]) -> list[Segment]:
    """Segments before the segments that read their membership (ties by id)."""
    order, placed = [], set()
    pending = sorted(segments)
    while pending:
        ready = [sid for sid in pending if not (upstream.get(sid, set()) & (set(segments) - placed))]
        if not ready:  # a cycle cannot be saved; should one exist, evaluate the rest anyway
            ready = pending
        order.extend(segments[sid] for sid in ready)
        placed.update(ready)
        pending = [sid for sid in pending if sid not in placed]
    return order


def _run_level(ctx, object_type, ids, level, cause, causes, today, touched, result, direct, upstream) -> None:
    """Segments none of which reads another's membership: evaluated together, then applied."""
    if not level:
        return
    days = {s.id: (today or {}).get(s.id) or s.dates_as_of or ctx.today() for s in level}
    matching = _matching(object_type, level, ids, days)
    current = _members_among([s.id for s in level], ids)
    result.evaluated += len(level)
    for segment in level:  # by id within the level: one lock order for every process
        now_in = matching[segment.id]
        was_in = current.get(segment.id, set())
        joined, left = sorted(now_in - was_in), sorted(was_in - now_in)
        if not joined and not left:
            continue
        why = causes.get(segment.id, cause)
        via = sorted(u for u in upstream.get(segment.id, ()) if touched.get(u))
        if via and segment.id not in direct:
            why = f"{cause}, via " + ", ".join(repr(result.names.get(u, f"#{u}")[:60]) for u in via)
        _apply(ctx, segment, joined, left, reason_text(why))
        touched[segment.id] = set(joined) | set(left)
        result.names[segment.id] = segment.name
        if joined:
            result.joined[segment.id] = joined
        if left:
            result.left[segment.id] = left


def _matching(object_type: str, segments: list[Segment], ids: list[int],
              days: dict[int, pendulum.Date]) -> dict[int, set[int]]:
    """Which of ``ids`` each segment's filters select: one query per 248 segments and 1,000
    records, each segment one bit of an integer column."""
    model = RECORD_MODELS[object_type]
    out: dict[int, set[int]] = {s.id: set() for s in segments}
    for start in range(0, len(segments), SEGMENTS_PER_QUERY):
        chunk = segments[start : start + SEGMENTS_PER_QUERY]
        columns = []
        for g in range(0, len(chunk), BITS):
            terms = [
                Case(None, [(filters.compile_tree(store.tree(s), object_type, today=days[s.id]), 1 << bit)], 0)
                for bit, s in enumerate(chunk[g : g + BITS])
            ]
            columns.append(reduce(operator.add, terms))
        for i in range(0, len(ids), IDS_PER_QUERY):
            query = model.select(model.id, *columns).where(model.id.in_(ids[i : i + IDS_PER_QUERY]))
            for row in database_proxy.execute(query).fetchall():
                record_id = row[0]
                for g, mask in enumerate(row[1:]):
                    mask = int(mask or 0)
                    while mask:
                        low = mask & -mask
                        out[chunk[g * BITS + low.bit_length() - 1].id].add(record_id)
                        mask ^= low
    return out


def _members_among(segment_ids: list[int], ids: list[int]) -> dict[int, set[int]]:
    """Which of ``ids`` are members of each segment (read through the record index)."""
    wanted = set(segment_ids)
    out: dict[int, set[int]] = {}
    for i in range(0, len(ids), IDS_PER_QUERY):
        query = Membership.select(Membership.segment, Membership.record_id).where(
            Membership.record_id.in_(ids[i : i + IDS_PER_QUERY]) & Membership.segment.in_(segment_ids)
        )
        for segment_id, record_id in database_proxy.execute(query).fetchall():
            if segment_id in wanted:
                out.setdefault(segment_id, set()).add(record_id)
    return out


def _apply(ctx: Context, segment: Segment, joined: list[int], left: list[int], reason: str) -> None:
    now = ctx.now()
    rows = [(segment.id, rid, "removed", reason, now, ctx.actor) for rid in left]
    rows += [(segment.id, rid, "added", reason, now, ctx.actor) for rid in joined]
    fields = [MembershipLog.segment, MembershipLog.record_id, MembershipLog.action, MembershipLog.reason,
              MembershipLog.at, MembershipLog.actor]
    for i in range(0, len(rows), 500):
        MembershipLog.insert_many(rows[i : i + 500], fields=fields).execute()
    for i in range(0, len(left), IDS_PER_QUERY):
        Membership.delete().where(
            (Membership.segment == segment.id) & Membership.record_id.in_(left[i : i + IDS_PER_QUERY])
        ).execute()
    members = [(segment.id, rid, "filter", now) for rid in joined]
    for i in range(0, len(members), 500):
        Membership.insert_many(members[i : i + 500], fields=[
            Membership.segment, Membership.record_id, Membership.source, Membership.joined_at]).execute()
    membership.record_activity(ctx, segment, membership.Diff(len(joined), len(left)), mark_dependants=False)


# ---------------------------------------------------------------- relative dates


def crossing(tree: dict, object_type: str, old: pendulum.Date, new: pendulum.Date):
    """Records whose date lies between a relative-date boundary's position on ``old`` and on
    ``new``: the only ones whose match can change between those days (index ranges)."""
    model = RECORD_MODELS[object_type]
    low_day, high_day = sorted((old, new))
    ranges = []
    for group in tree.get("groups", []):
        for f in group.get("filters", []):
            if f.get("operator") not in filters.RELATIVE_DATE_OPERATORS:
                continue
            column = getattr(model, f["property"])
            n = f["value"]
            offsets = {"less_than_days_ago": (-n, 0), "more_than_days_ago": (-n,),
                       "less_than_days_from_now": (0, n), "more_than_days_from_now": (n,)}[f["operator"]]
            for k in offsets:
                span = dt.timedelta(days=k)
                ranges.append(column.between((low_day + span).isoformat(), (high_day + span).isoformat()))
    if not ranges:
        return None
    return model.select(model.id).where(reduce(operator.or_, ranges))


def rollover(ctx: Context, segment: Segment) -> membership.Diff:
    """Move a relative-date segment from the day it was evaluated for to today, evaluating
    only the records that crossed a boundary. Inside the refresh's transaction, locked."""
    today = ctx.today()
    old = segment.dates_as_of
    diff = membership.Diff(0, 0)
    if old != today:
        query = crossing(store.tree(segment), segment.object_type, old, today)
        ids = [rid for (rid,) in query.tuples()] if query is not None else []
        done = follow(ctx, segment.object_type, ids, [segment.id], cause="dates moved on",
                      today={segment.id: today})
        diff = membership.Diff(len(done.joined.get(segment.id, [])), len(done.left.get(segment.id, [])))
    Segment.update(
        refreshed_at=ctx.now(), dates_as_of=today, next_refresh_at=membership.next_day_start(ctx), stale=False,
    ).where(Segment.id == segment.id).execute()
    return diff
