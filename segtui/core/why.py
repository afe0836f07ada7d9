"""Why a record is in a segment: when it joined and how (the filter group it matches and
the edit that made it match, by whom; or who added it by hand; or the import), and the
segments it left, with when and why. Read from the membership log and the audit."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pendulum
from peewee import fn

from ..i18n import N_, _, in_english, quoted
from . import causes, filters, store
from .context import Context
from .describe import segment_names
from .display import shown_actor, shown_minute
from .models import AuditEntry, Membership, MembershipLog, Segment
from .stored_messages import PropertyName

REASONS = {"filter": N_("its filters"), "manual": N_("by hand"), "import": N_("an import"),
           "conversion": N_("a conversion to active")}
LEAVE_REASONS = {"filter": N_("it stopped matching the filters"), "manual": N_("removed by hand"),
                 "conversion": N_("the conversion to active")}
def _at(moment: pendulum.DateTime, tz: str) -> str:
    return shown_minute(moment.in_timezone(tz))


def _said(text: str) -> str:
    """A value as a person reads it in a sentence (an empty one is unknown)."""
    return quoted(text or _("unknown"))


def _kind(reason: str | None) -> tuple[str | None, str | None]:
    """A log reason as (kind, cause): the records a change of properties made join or leave
    are logged with the change itself as their reason ("region changed", "import: region
    changed", "region changed, via 'Bretons'"): those are the filters' doing."""
    if reason is None or reason in REASONS:
        return reason, None
    return "filter", reason


class _Filter:
    """A filter of a segment, said in words in the language of the moment it is read."""

    __slots__ = ("filter", "object_type", "names")

    def __init__(self, filter_: dict, object_type: str, names: dict) -> None:
        self.filter, self.object_type, self.names = filter_, object_type, names

    def __str__(self) -> str:
        return filters.describe_filter(self.filter, self.object_type, self.names)


@dataclass(frozen=True)
class Edit:
    at: pendulum.DateTime
    actor: str
    property: str
    before: str
    after: str
    object_type: str = ""  # whose property it is: its label is said in the language

    def sentence(self) -> str:
        return _("{property} changed from {before} to {after} by {actor}").format(
            property=PropertyName(self.object_type, self.property), before=_said(self.before),
            after=_said(self.after), actor=self.actor)


@dataclass(frozen=True)
class Stay:
    segment: Segment
    joined_at: pendulum.DateTime | None
    join_reason: str  # filter | manual | import | conversion
    join_actor: str
    join_cause: str | None  # the change of properties that made it join, when the log says
    left_at: pendulum.DateTime | None  # None: still a member
    leave_reason: str | None
    leave_actor: str | None
    leave_cause: str | None
    matching_groups: list[int]  # 1-based groups of the filters it matches now (active segments)
    groups: list[list[_Filter]]  # the filters, in words when read
    edit: Edit | None  # the last edit of a property the filters read, up to the join

    @property
    def current(self) -> bool:
        return self.left_at is None

    def join_sentence(self, tz: str) -> str:
        when = _at(self.joined_at, tz) if self.joined_at else "?"
        actor = shown_actor(self.join_actor)
        how = _(REASONS[self.join_reason]) if self.join_reason in REASONS else self.join_reason
        by_hand = self.join_reason in ("manual", "import")
        if self.edit is not None:
            if by_hand:
                return _("joined {when} through {how} by {actor} after {edit} at {edit_when}").format(
                    when=when, how=how, actor=actor, edit=self.edit.sentence(), edit_when=_at(self.edit.at, tz))
            return _("joined {when} through {how} after {edit} at {edit_when}").format(
                when=when, how=how, edit=self.edit.sentence(), edit_when=_at(self.edit.at, tz))
        if self.join_cause:
            if by_hand:
                return _("joined {when} through {how} by {actor} after {cause} (by {actor})").format(
                    when=when, how=how, actor=actor, cause=self._cause(self.join_cause))
            return _("joined {when} through {how} after {cause} (by {actor})").format(
                when=when, how=how, cause=self._cause(self.join_cause), actor=actor)
        if by_hand:
            return _("joined {when} through {how} by {actor}").format(when=when, how=how, actor=actor)
        return _("joined {when} through {how}").format(when=when, how=how)

    def _cause(self, cause: str) -> str:
        return causes.shown(cause, self.segment.object_type)

    def leave_sentence(self, tz: str) -> str:
        if self.left_at is None:
            return ""
        reason = LEAVE_REASONS.get(self.leave_reason or "")
        how = _(reason) if reason else self.leave_reason or ""
        when = _at(self.left_at, tz)
        if self.leave_cause:
            return _("left {when}: {how} after {cause} (by {actor})").format(
                when=when, how=how, cause=self._cause(self.leave_cause), actor=shown_actor(self.leave_actor))
        if self.leave_reason == "manual":
            return _("left {when}: {how} by {actor}").format(when=when, how=how, actor=shown_actor(self.leave_actor))
        return _("left {when}: {how}").format(when=when, how=how)

    def match_sentence(self) -> str:
        if not self.groups or self.segment.type != "active" or not self.current:
            return ""
        if not self.matching_groups:
            return _("matches none of the filter groups now (a refresh is pending)")
        parts = [_("group {group}: {filters}").format(group=g, filters=_(" AND ").join(str(f) for f in self.groups[g - 1]))
                 for g in self.matching_groups]
        return _("matches {groups}").format(groups="; ".join(parts))


def stays(ctx: Context, object_type: str, record_id: int) -> list[Stay]:
    """The record's memberships, current ones first, then past ones (newest first)."""
    from .records import get_record

    get_record(object_type, record_id)
    last = (
        MembershipLog.select(MembershipLog.segment, fn.MAX(MembershipLog.id).alias("last"))
        .where(MembershipLog.record_id == record_id)
        .group_by(MembershipLog.segment)
    )
    last_ids = [row.last for row in last]
    last_rows = {r.segment_id: r for r in MembershipLog.select().where(MembershipLog.id.in_(last_ids))} if last_ids else {}
    current = {m.segment_id: m for m in Membership.select().where(Membership.record_id == record_id)}
    wanted = set(last_rows) | set(current)
    live = {s.id: s for s in Segment.select().where(
        Segment.id.in_(wanted) & store.live() & (Segment.object_type == object_type))} if wanted else {}
    edits = _edits(object_type, record_id)
    out = []
    for sid, segment in live.items():
        row = last_rows.get(sid)
        member = current.get(sid)
        joined = _last_join(sid, record_id) if member is not None or row is not None else None
        tree = store.tree(segment)
        names = segment_names(filters.referenced_segments(tree))
        groups = [[_Filter(f, object_type, names) for f in group["filters"]] for group in tree.get("groups", [])]
        matching = []
        if member is not None and segment.type == "active" and groups:
            matching = [i + 1 for i, flags in enumerate(
                filters.explain_record(tree, object_type, record_id, today=ctx.today())) if flags and all(flags)]
        read = filters.referenced_properties(tree)
        join_at = joined.at if joined else (member.joined_at if member else None)
        join_reason, join_cause = _kind(joined.reason if joined else member.source)
        edit = None
        if join_reason in ("filter", "conversion") and join_at is not None:
            edit = next((e for e in edits if e.property in read and e.at <= join_at), None)
        left = row if member is None and row is not None and row.action == "removed" else None
        leave_reason, leave_cause = _kind(left.reason if left else None)
        out.append(Stay(
            segment, join_at, join_reason, joined.actor if joined else "", join_cause,
            left.at if left else None, leave_reason, left.actor if left else None, leave_cause,
            matching, groups, edit,
        ))
    out.sort(key=lambda s: (not s.current, -(s.left_at or s.joined_at or pendulum.datetime(1970, 1, 1)).timestamp(),
                            s.segment.name_key))
    return out


def _last_join(segment_id: int, record_id: int):
    return (
        MembershipLog.select()
        .where((MembershipLog.record_id == record_id) & (MembershipLog.segment == segment_id)
               & (MembershipLog.action == "added"))
        .order_by(MembershipLog.id.desc()).first()
    )


def _edits(object_type: str, record_id: int) -> list[Edit]:
    """The record's property edits, newest first."""
    out = []
    for entry in (AuditEntry.select()
                  .where((AuditEntry.record_id == record_id) & (AuditEntry.record_type == object_type)
                         & (AuditEntry.action == "edit_record"))
                  .order_by(AuditEntry.id.desc()).limit(500)):
        before, after = json.loads(entry.before or "{}"), json.loads(entry.after or "{}")
        for name in after:
            out.append(Edit(entry.at, entry.actor, name, str(before.get(name) or ""), str(after.get(name) or ""),
                            object_type))
    return out


def stay_json(stay: Stay, tz: str) -> dict:
    """The stay for programs: its explanation in English whatever the language (a program reads
    the same words in every console), as the CLI's --json says every sentence."""
    from .describe import iso

    with in_english():
        explanation = "; ".join(t for t in (stay.join_sentence(tz), stay.leave_sentence(tz), stay.match_sentence()) if t)
    return {
        "segment": stay.segment.id, "name": stay.segment.name, "type": stay.segment.type,
        "member": stay.current, "joined_at": iso(stay.joined_at), "join_reason": stay.join_reason,
        "join_actor": stay.join_actor, "join_cause": stay.join_cause, "left_at": iso(stay.left_at),
        "leave_reason": stay.leave_reason, "leave_actor": stay.leave_actor, "leave_cause": stay.leave_cause, "matching_groups": stay.matching_groups,
        "edit": None if stay.edit is None else {
            "at": iso(stay.edit.at), "actor": stay.edit.actor, "property": stay.edit.property,
            "before": stay.edit.before, "after": stay.edit.after},
        "explanation": explanation,
    }


