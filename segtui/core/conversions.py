"""Changing a segment's type: now (both ways, with a preview), on a schedule, and the
worker's application of due conversions, each by a write that only one process can win.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pendulum

from .. import i18n
from ..i18n import Message, N_n, _, _n, nmsg
from . import audit, filters, membership, store
from .context import Context
from .db import write_transaction
from .errors import ConversionNotAllowed
from .models import ConversionRecord, Segment
from .schedule import NEVER_SCHEDULE, Schedule, check_for_saving, due_moment, explain
from .stored_messages import Count

# the audit's sentence of a conversion to static
FROZEN = N_n("Converted {name!r} to static ({n} member frozen)", "Converted {name!r} to static ({n} members frozen)")


@dataclass(frozen=True)
class ToStaticPreview:
    size: int

    def sentence(self) -> str:
        return _n("{n} record will be kept and no longer updated automatically.",
                  "{n} records will be kept and no longer updated automatically.", self.size)


@dataclass(frozen=True)
class ToActivePreview:
    added: int
    removed: int
    size_after: int

    def sentence(self) -> str:
        return _("+{added} added, -{removed} removed ({size} members after).").format(
            added=i18n.number(self.added), removed=i18n.number(self.removed), size=i18n.number(self.size_after))


def preview_to_static(segment_id: int) -> ToStaticPreview:
    segment = store.get(segment_id)
    _require(segment, "active", "static")
    return ToStaticPreview(size=membership.segment_size(segment.id))


def preview_to_active(ctx: Context, segment_id: int) -> ToActivePreview:
    segment = store.get(segment_id)
    _require(segment, "static", "active")
    tree = _require_filters(segment)
    diff = membership.preview(segment, tree, ctx)
    size = membership.segment_size(segment.id)
    return ToActivePreview(diff.added, diff.removed, size + diff.added - diff.removed)


def _require(segment: Segment, current: str, target: str) -> None:
    if segment.type != current:
        if target == "static":
            raise ConversionNotAllowed("{name!r} is already static", name=segment.name)
        raise ConversionNotAllowed("{name!r} is already active", name=segment.name)


def _require_filters(segment: Segment) -> dict:
    tree = store.tree(segment)
    if not filters.has_filters(tree):
        raise ConversionNotAllowed("Add at least one filter to {name!r} before converting it to active: an active "
                                   "segment's members are the records its filters select", name=segment.name)
    return tree


def _snapshot(segment: Segment) -> dict:
    return {
        "type": segment.type,
        "size": segment.size,
        "schedule": store.schedule_of(segment).to_json(),
        "due_at": segment.due_at.isoformat() if segment.due_at else None,
    }


def convert_to_static(ctx: Context, segment_id: int, *, expected_version: int | None = None) -> ConversionRecord:
    """Freeze the members now; any automatic conversion is cleared (superseded)."""
    with store.editing(ctx, segment_id, expected_version, "converting a segment") as segment:
        _require(segment, "active", "static")
        before = _snapshot(segment)
        store.conditional_update(
            ctx, segment, type="static", due_at=None, next_refresh_at=None,
            **store.schedule_columns(NEVER_SCHEDULE),
        )
        record = ConversionRecord.create(
            segment=segment.id, direction="to_static", trigger="manual",
            requested=json.dumps({"mode": "now"}), due_at=None, converted_at=ctx.now(),
            actor=ctx.actor, size=segment.size,
        )
        audit.record(
            ctx, "convert_to_static", nmsg(*FROZEN, segment.size, name=segment.name),
            segment_id=segment.id, before=before, after=_snapshot(segment),
        )
        return record


def convert_to_active(ctx: Context, segment_id: int, *, expected_version: int | None = None) -> tuple[ConversionRecord, membership.Diff]:
    """Membership becomes exactly what the filters select; manual changes stop."""
    with store.editing(ctx, segment_id, expected_version, "converting a segment") as segment:
        _require(segment, "static", "active")
        tree = _require_filters(segment)
        before = _snapshot(segment)
        store.conditional_update(ctx, segment, type="active", next_refresh_at=None)
        diff = membership.apply_and_stamp(ctx, segment, tree, reason="conversion")
        record = ConversionRecord.create(
            segment=segment.id, direction="to_active", trigger="manual",
            requested=json.dumps({"mode": "now"}), due_at=None, converted_at=ctx.now(),
            actor=ctx.actor, size=segment.size,
        )
        audit.record(
            ctx, "convert_to_active",
            Message("Converted {name!r} to active (+{added} added, -{removed} removed)", name=segment.name,
                    added=Count(diff.added), removed=Count(diff.removed)),
            segment_id=segment.id, before=before, after=_snapshot(segment),
        )
        return record, diff


def set_schedule(ctx: Context, segment_id: int, schedule: Schedule, *,
                 expected_version: int | None = None) -> Segment:
    """Save the automatic conversion; the due moment is computed and stored for the worker."""
    with store.editing(ctx, segment_id, expected_version, "changing the automatic conversion") as segment:
        if segment.type != "active":
            raise ConversionNotAllowed("{name!r} is static: automatic conversion to static applies to active "
                                       "segments only", name=segment.name)
        check_for_saving(schedule, today=ctx.today())
        before = _snapshot(segment)
        due = due_moment(schedule, tz=ctx.tz, last_activity_at=segment.last_activity_at)
        store.conditional_update(
            ctx, segment, due_at=due, schedule_tz=ctx.tz, **store.schedule_columns(schedule)
        )
        audit.record(
            ctx, "set_schedule", Message("Automatic conversion of {name!r}: {schedule}", name=segment.name,
                                         schedule=json.dumps(schedule.to_json())),
            segment_id=segment.id, before=before, after=_snapshot(segment),
        )
        return segment


def projected(ctx: Context, segment: Segment, schedule: Schedule) -> tuple[pendulum.DateTime | None, str]:
    """The due moment and its sentence for a schedule not saved yet (the Settings panel)."""
    due = due_moment(schedule, tz=ctx.tz, last_activity_at=segment.last_activity_at)
    return due, explain(schedule, due, tz=ctx.tz, now=ctx.now())


@dataclass(frozen=True)
class Applied:
    segment_id: int
    name: str
    due_at: pendulum.DateTime
    converted_at: pendulum.DateTime
    conversion_id: int


def _due(now: pendulum.DateTime):
    return Segment.due_at.is_null(False) & (Segment.due_at <= now) & (Segment.type == "active") & store.live()


def apply_due(ctx: Context, *, limit: int = 500) -> list[Applied]:
    """Convert every segment whose due moment has passed (up to ``limit``). Safe to run in
    many processes at once.

    One transaction per conversion, which takes the earliest due segment that no other
    worker holds: on PostgreSQL ``FOR UPDATE SKIP LOCKED`` shares them out between workers,
    on SQLite the write lock makes the workers take turns. A conversion is applied exactly
    once; a worker killed in the middle of one leaves it due for the next.
    """
    ctx.require_write("applying due conversions")
    applied = []
    while len(applied) < limit:
        if not Segment.select(Segment.id).where(_due(ctx.now())).exists():  # no write lock for nothing
            return applied
        with write_transaction():
            query = Segment.select().where(_due(ctx.now())).order_by(Segment.due_at, Segment.id).limit(1)
            segment = store.skip_locked(query).first()
            result = _convert_due(ctx, segment) if segment is not None else None
        if result is None:
            return applied
        applied.append(result)
    return applied


def _convert_due(ctx: Context, segment: Segment) -> Applied | None:
    """Inside the transaction that read ``segment``: the conditional write, the record, the audit."""
    segment_id, due_at = segment.id, segment.due_at
    schedule = store.schedule_of(segment)
    before = _snapshot(segment)
    won = (
        Segment.update(
            type="static", due_at=None, next_refresh_at=None, version=Segment.version + 1,
            updated_at=ctx.now(), updated_by=ctx.actor, **store.schedule_columns(NEVER_SCHEDULE),
        )
        .where((Segment.id == segment_id) & (Segment.type == "active") & (Segment.due_at == due_at) & store.live())
        .execute()
    )
    if won != 1:
        return None
    record = ConversionRecord.create(
        segment=segment_id, direction="to_static", trigger=schedule.mode,
        requested=json.dumps(schedule.to_json()), due_at=due_at, converted_at=ctx.now(),
        actor=ctx.actor, size=segment.size,
    )
    segment.type = "static"
    segment.schedule_mode = "never"
    segment.due_at = None
    audit.record(
        ctx, "auto_convert_to_static",
        Message("Converted {name!r} to static automatically (due {due}, applied {applied})", name=segment.name,
                due=due_at.isoformat(), applied=ctx.now().isoformat()),
        segment_id=segment_id, before=before, after=_snapshot(segment),
    )
    return Applied(segment_id, segment.name, due_at, ctx.now(), record.id)


def history(segment_id: int) -> list[ConversionRecord]:
    return list(
        ConversionRecord.select().where(ConversionRecord.segment == segment_id).order_by(ConversionRecord.id.desc())
    )


def record_at(segment_id: int, moment) -> ConversionRecord | None:
    """The conversion an audit entry written at ``moment`` tells of (same transaction, same clock)."""
    return (ConversionRecord.select()
            .where((ConversionRecord.segment == segment_id) & (ConversionRecord.converted_at <= moment))
            .order_by(ConversionRecord.converted_at.desc(), ConversionRecord.id.desc()).first())


def since(last_id: int) -> list[tuple[ConversionRecord, str]]:
    """Conversions recorded after ``last_id`` by any process, with the segment's name."""
    query = (
        ConversionRecord.select(ConversionRecord, Segment.name)
        .join(Segment)
        .where(ConversionRecord.id > last_id)
        .order_by(ConversionRecord.id)
    )
    return [(row, row.segment.name) for row in query]


def latest_id() -> int:
    row = ConversionRecord.select(ConversionRecord.id).order_by(ConversionRecord.id.desc()).first()
    return row.id if row else 0
