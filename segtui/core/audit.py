"""The audit log: every administrative act, who did it, when, before and after.

What was done is a message (``i18n.Message``, its parameters plain values or the kinds of
``stored_messages``): stored as its English sentence (``summary``, what ``--json`` shows) and
as its template and parameters, so that ``summary_of`` says it in the reader's language."""

from __future__ import annotations

import json

from ..i18n import Message
from . import stored_messages
from .context import Context
from .models import AuditEntry


def summary_of(entry: AuditEntry) -> str:
    """What the entry says was done, in the language of the moment (an entry written before
    messages were stored: read back from its English summary if it is a known sentence, else
    that summary)."""
    return stored_messages.from_columns(entry.summary, entry.template, entry.params, entry.action)


def record(
    ctx: Context,
    action: str,
    summary: Message,
    *,
    segment_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
    at=None,
    record: tuple[str, int] | None = None,
) -> AuditEntry:
    """``record``: (object type, id) of the record the act changed, if it is about one."""
    english, template, params = stored_messages.to_columns(summary)
    return AuditEntry.create(
        at=at or ctx.now(),
        actor=ctx.actor,
        action=action,
        segment_id=segment_id,
        summary=english,
        template=template,
        params=params,
        before=None if before is None else json.dumps(before, sort_keys=True, default=str),
        after=None if after is None else json.dumps(after, sort_keys=True, default=str),
        record_type=record[0] if record else None,
        record_id=record[1] if record else None,
    )


def for_segment(segment_id: int, *, limit: int = 100, before_id: int | None = None) -> list[AuditEntry]:
    """Newest first, page by page (pass the last id seen as ``before_id``)."""
    query = AuditEntry.select().where(AuditEntry.segment_id == segment_id)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return list(query.order_by(AuditEntry.id.desc()).limit(limit))


def for_record(object_type: str, record_id: int, *, actions: tuple[str, ...] = ("edit_record",),
               limit: int = 200) -> list[AuditEntry]:
    """The acts about one record (its edits), newest first."""
    return list(
        AuditEntry.select()
        .where((AuditEntry.record_id == record_id) & (AuditEntry.record_type == object_type)
               & AuditEntry.action.in_(actions))
        .order_by(AuditEntry.id.desc()).limit(limit)
    )


def entries(*, limit: int = 100, action: str | None = None) -> list[AuditEntry]:
    query = AuditEntry.select()
    if action:
        query = query.where(AuditEntry.action == action)
    return list(query.order_by(AuditEntry.id.desc()).limit(limit))
