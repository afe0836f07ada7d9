"""The audit log: every administrative act, who did it, when, before and after.

What was done is a message (``i18n.Message``, its parameters plain values or the kinds of
``stored_messages``): stored as its English sentence (``summary``, what ``--json`` shows) and
as its template and parameters, so that ``summary_of`` says it in the reader's language."""

from __future__ import annotations

import json

import pendulum

from ..i18n import Message
from . import stored_messages
from .context import Context
from .models import AuditEntry


def summary_of(entry: AuditEntry) -> str:
    """What the entry says was done, in the language of the moment (an entry written before
    messages were stored: read back from its English summary if it is a known sentence, else
    that summary). Parameters stored for machines (a schedule's JSON, ISO moments) are said
    in words, in every language."""
    said = _in_words.get(entry.action)
    if said is not None:
        message = stored_messages.message_of(entry.summary, entry.template, entry.params, entry.action)
        if message is not None and all(isinstance(message.params.get(key), str) for key in said):
            for key, words in said.items():
                message.params[key] = words(message.params[key])
            try:
                return str(message)
            except (ValueError, TypeError, KeyError, IndexError, AttributeError):
                return entry.summary
    return stored_messages.from_columns(entry.summary, entry.template, entry.params, entry.action)


class _UtcMinute:
    """A stored ISO moment (UTC) said to the minute, in the language, with its zone."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        from .display import shown_minute

        try:
            moment = pendulum.parse(self.text).in_timezone("UTC")
        except (ValueError, TypeError, AttributeError):
            return self.text
        return f"{shown_minute(moment)} UTC"


def _schedule_words(text: str):
    from .schedule import InWords

    return InWords(text)


# the actions whose sentences hold a parameter written for machines, and how to say each
_in_words = {
    "set_schedule": {"schedule": _schedule_words},
    "auto_convert_to_static": {"due": _UtcMinute, "applied": _UtcMinute},
}


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
