"""Reading and writing one segment row safely: lookups, locks and conditional writes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager

import peewee

from ..i18n import Message
from . import audit, filters
from .context import Context
from .display import ShownMinute
from .db import is_sqlite, locked, write_transaction
from .errors import SegmentNotFound, StaleSegment
from .models import AuditEntry, Segment, SegmentRead, database_proxy
from .schedule import NEVER, Schedule


NAME_KEY_BYTES = 1000  # a PostgreSQL index entry holds at most ~2,700 bytes
MAX_ID = 2**63 - 1  # a 64-bit integer column, on both databases


def is_id_text(text: str) -> bool:
    """ASCII digits only (str.isdigit also takes '²' and other digits int() refuses)."""
    stripped = text.strip()
    return stripped.isascii() and stripped.isdigit()


def name_key(name: str) -> str:
    """A name as compared for uniqueness, search and sort: casefolded. A very long one is cut
    and completed with a digest of the whole, so that it fits an index on every database."""
    key = name.casefold()
    encoded = key.encode()
    if len(encoded) <= NAME_KEY_BYTES:
        return key
    head = encoded[: NAME_KEY_BYTES - 40].decode(errors="ignore")
    return f"{head} #{hashlib.sha256(encoded).hexdigest()[:32]}"


def live() -> peewee.Expression:
    return Segment.deleted_at.is_null()


def get(ref, *, include_deleted: bool = False) -> Segment:
    """A segment by id (int or digits) or exact name."""
    if isinstance(ref, str) and "\x00" in ref:  # no name holds one (they are refused)
        raise SegmentNotFound("No segment named {ref!r}", ref=ref)
    query = Segment.select()
    if not include_deleted:
        query = query.where(live())
    if isinstance(ref, bool) or not isinstance(ref, (int, str)):
        raise SegmentNotFound("A segment is named by its id or its exact name, not {ref!r}", ref=ref)
    if isinstance(ref, int) or is_id_text(ref):
        number = int(ref)
        if not 1 <= number <= MAX_ID:  # no row has it, and SQLite cannot even bind it
            raise SegmentNotFound("No segment with id {id}: ids are whole numbers from 1 to {limit}", id=number,
                                  limit=MAX_ID)
        found = query.where(Segment.id == number).first()
        if found is None and isinstance(ref, str):
            found = query.where(Segment.name == ref).first()
        if found is None:
            raise SegmentNotFound("No segment with id {id}", id=ref)
        return found
    matches = list(query.where(Segment.name == ref).limit(3))
    if not matches:
        hint = query.where(Segment.name_key == name_key(ref.strip())).first()
        if hint is not None:
            raise SegmentNotFound("No segment named {ref!r} (did you mean {name!r}?)", ref=ref, name=hint.name)
        raise SegmentNotFound("No segment named {ref!r}", ref=ref)
    if len(matches) > 1:
        ids = ", ".join(f"{m.id} ({m.object_type})" for m in matches)
        raise SegmentNotFound("Several segments are named {ref!r}: use an id: {ids}", ref=ref, ids=ids)
    return matches[0]


def lock(segment_id: int) -> Segment:
    """Re-read the segment inside a write transaction, locking its row on PostgreSQL."""
    found = locked(Segment.select().where(Segment.id == segment_id)).first()
    if found is None:
        raise SegmentNotFound("Segment {id} no longer exists", id=segment_id)
    if found.deleted_at is not None:
        raise SegmentNotFound("{name!r} was deleted by {actor} meanwhile; nothing was changed", name=found.name,
                              actor=found.deleted_by)
    return found


def skip_locked(query):
    """On PostgreSQL, lock the rows ``query`` reads, skipping those another transaction holds.

    Workers then share out the work instead of queueing behind each other's locks. SQLite
    needs nothing: a write transaction there holds the whole database.
    """
    if is_sqlite(database_proxy):
        return query
    return query.for_update(skip_locked=True)


@contextmanager
def editing(ctx: Context, segment_id: int, expected_version: int | None, what: str) -> Iterator[Segment]:
    """The segment, locked and checked to be the version the user saw, inside one write
    transaction: everything done in the ``with`` block commits together or not at all.

    ``what`` names the act for a read-only console's refusal ("renaming a segment").
    """
    ctx.require_write(what)
    with write_transaction():
        segment = lock(segment_id)
        check_version(segment, expected_version)
        yield segment


def check_version(segment: Segment, expected_version: int | None) -> None:
    if expected_version is not None and segment.version != expected_version:
        when = ShownMinute(segment.updated_at) if segment.updated_at else "?"
        what = last_change(segment)
        raise StaleSegment(Message("{name!r} was changed by {actor} at {when} UTC", name=segment.name,
                                   actor=segment.updated_by, when=when), what)


class _Said:
    """An audit entry's summary, said in the language of the moment it is shown (a refusal
    raised in one language may be shown in another)."""

    __slots__ = ("entry",)

    def __init__(self, entry: AuditEntry) -> None:
        self.entry = entry

    def __str__(self) -> str:
        return audit.summary_of(self.entry)

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


def last_change(segment: Segment) -> _Said | None:
    """What the last person who changed the segment did, from the audit log."""
    entry = (
        AuditEntry.select(AuditEntry.action, AuditEntry.summary, AuditEntry.template, AuditEntry.params)
        .where((AuditEntry.segment_id == segment.id) & (AuditEntry.actor == segment.updated_by))
        .order_by(AuditEntry.id.desc())
        .first()
    )
    return _Said(entry) if entry is not None else None


def conditional_update(ctx: Context, segment: Segment, **changes) -> Segment:
    """Write ``changes`` only if nobody else changed the segment since it was read.

    The WHERE on the version makes the write one that exactly one process can win.
    """
    now = ctx.now()
    changes.update(updated_at=now, updated_by=ctx.actor)
    count = (
        Segment.update(version=Segment.version + 1, **changes)
        .where((Segment.id == segment.id) & (Segment.version == segment.version) & live())
        .execute()
    )
    if count != 1:
        current = Segment.get_or_none(Segment.id == segment.id)
        if current is None or current.deleted_at is not None:
            raise SegmentNotFound("{name!r} was deleted meanwhile; nothing was changed", name=segment.name)
        check_version(current, segment.version)
    for key, value in changes.items():
        setattr(segment, key, value)
    segment.version += 1
    return segment


def tree(segment: Segment) -> dict:
    return json.loads(segment.filters)


def schedule_of(segment: Segment) -> Schedule:
    if segment.schedule_mode == NEVER or segment.schedule_mode is None:
        return Schedule()
    return Schedule(
        segment.schedule_mode,
        day=segment.schedule_day,
        amount=segment.schedule_amount,
        unit=segment.schedule_unit,
    )


def schedule_columns(schedule: Schedule) -> dict:
    return {
        "schedule_mode": schedule.mode,
        "schedule_day": schedule.day,
        "schedule_amount": schedule.amount,
        "schedule_unit": schedule.unit,
    }


def filter_columns(tree: dict) -> dict:
    """The stored filters plus what is derived from them for quick lookups."""
    props = sorted(filters.referenced_properties(tree))
    return {
        "filters": filters.dumps(tree),
        "filter_properties": "," + "".join(f"{p}," for p in props),
        "has_relative_dates": filters.uses_relative_dates(tree),
    }


def save_reads(segment_id: int, object_type: str, tree: dict) -> None:
    """Keep the property -> segments index in step with the filters just saved."""
    SegmentRead.delete().where(SegmentRead.segment_id == segment_id).execute()
    rows = [{"segment_id": segment_id, "object_type": object_type, "property": name}
            for name in sorted(filters.referenced_properties(tree))]
    if rows:
        SegmentRead.insert_many(rows).execute()
