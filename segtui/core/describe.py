"""Segments as plain data: the stable JSON of ``segments show --json`` and list summaries."""

from __future__ import annotations

import json
import re

import pendulum
from pendulum import DateTime

from .. import i18n
from ..i18n import N_, _, pgettext
from . import audit, causes, conversions, filters, store
from .display import format_local, shown_actor
from .context import Context
from .models import Segment
from .schedule import explain, format_moment, in_words, summary


def iso(moment: DateTime | None) -> str | None:
    return moment.in_timezone("UTC").isoformat().replace("+00:00", "Z") if moment else None


def segment_names(ids) -> dict[int, str]:
    ids = set(ids)
    if not ids:
        return {}
    return {s.id: s.name for s in Segment.select(Segment.id, Segment.name).where(Segment.id.in_(ids))}


def readable_filters(segment: Segment) -> list[list[str]]:
    tree = store.tree(segment)
    return filters.describe_tree(tree, segment.object_type, segment_names(filters.referenced_segments(tree)))


def schedule_summary(segment: Segment, ctx: Context, *, with_year: bool = False) -> str:
    """'-> static after 30 days idle, due 31 Dec'; ``with_year`` always names the due day's year."""
    return summary(store.schedule_of(segment), segment.due_at, tz=segment.schedule_tz or ctx.tz,
                   now=None if with_year else ctx.now())


def schedule_json(segment: Segment, ctx: Context) -> dict:
    data = store.schedule_of(segment).to_json()
    tz = segment.schedule_tz or ctx.tz
    data["due_at"] = iso(segment.due_at)
    data["due_local"] = format_moment(segment.due_at, tz) if segment.due_at else None
    data["explanation"] = explain(store.schedule_of(segment), segment.due_at, tz=tz, now=ctx.now())
    return data


def list_row(segment: Segment, ctx: Context, folders: dict | None = None) -> dict:
    """``folders``: id -> Folder, read once for a whole list (else read when needed)."""
    return {
        "id": segment.id,
        "name": segment.name,
        "type": segment.type,
        "object_type": segment.object_type,
        "size": segment.size,
        "last_activity_at": iso(segment.last_activity_at),
        "auto_conversion": schedule_summary(segment, ctx) or None,
        "due_at": iso(segment.due_at),
        "updated_at": iso(segment.updated_at),
        "created_by": segment.created_by,
        "refresh_error": segment.refresh_error,
        "description": segment.description,
        "folder": folder_path(segment, folders),
    }


def folder_path(segment: Segment, folders: dict | None = None) -> str | None:
    from .folders import path_of

    return path_of(segment.folder_id, folders) or None


def segment_json(segment: Segment, ctx: Context) -> dict:
    tree = store.tree(segment)
    names = segment_names(filters.referenced_segments(tree))
    shown_tree = {
        "groups": [
            {"filters": [
                {**f, "segment_name": names.get(f["segment"])} if "segment" in f else f
                for f in group["filters"]
            ]}
            for group in tree["groups"]
        ]
    }
    return {
        **list_row(segment, ctx),
        "version": segment.version,
        "created_at": iso(segment.created_at),
        "updated_by": segment.updated_by,
        "filters": shown_tree,
        "filters_readable": filters.describe_tree(tree, segment.object_type, names),
        "schedule": schedule_json(segment, ctx),
        "refreshed_at": iso(segment.refreshed_at),
        "conversions": [
            {
                "id": c.id,
                "direction": c.direction,
                "trigger": c.trigger,
                "requested": json.loads(c.requested),
                "due_at": iso(c.due_at),
                "converted_at": iso(c.converted_at),
                "actor": c.actor,
                "size": c.size,
            }
            for c in conversions.history(segment.id)
        ],
    }


CONVERSION_ACTIONS = {"convert_to_static", "convert_to_active", "auto_convert_to_static"}
TRIGGERS = {"manual": N_("by hand (Actions menu or command line)"), "on_day": N_("on a specific day"),
            "after_inactivity": N_("after inactivity")}
# the audit snapshots' keys, as a person reads them (other keys: their code, capitalised)
FIELDS = {"name": N_("Name"), "type": N_("Type"), "size": N_("Size"), "schedule": N_("Schedule"),
          "due_at": N_("Due at"), "filters": N_("Filters"), "folder": N_("Folder"),
          "description": N_("Description"), "object_type": N_("Object type"), "archived": N_("Archived"),
          "segments": N_("Segments"), "label": N_("Label"), "path": N_("Path"), "count": N_("Count")}
# how a record joined or left, by the code the membership log stores
REASONS = {"filter": N_("its filters"), "manual": N_("by hand"), "import": N_("an import"),
           "conversion": N_("a conversion")}


def _moment(moment: DateTime | None, ctx: Context) -> str:
    """'Thursday 31 December 2026, 09:30:00 Europe/Paris', in the language."""
    if not moment:
        return "-"
    local = ctx.local(moment)
    return _("{day}, {time} {zone}").format(day=format_local(local, i18n.FULL_DAY),
                                            time=format_local(local, "HH:mm:ss"), zone=ctx.tz)


_ISO_MOMENT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+([+-][0-9:]+|Z)?$")


def _shown(value, ctx: Context, key: str = "") -> str:
    if value in (None, ""):
        return "-"
    if key == "schedule" and (said := in_words(value)) is not None:  # {"mode": "on_day", ...}: in words
        return said
    if isinstance(value, str) and _ISO_MOMENT.match(value):  # a stored UTC moment: in the account's zone
        return format_local(ctx.local(pendulum.parse(value)), i18n.MOMENT)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _field(key: str) -> str:
    if key == "deleted":  # the segment's state: a word the console also uses for its list of deleted segments
        return pgettext("segment", "Deleted")
    return _(FIELDS[key]) if key in FIELDS else key.replace("_", " ").capitalize()


def _changes(before: str | None, after: str | None, ctx: Context) -> list[tuple[str, str]]:
    """The fields an act changed, 'before -> after', from the audit entry's two snapshots."""
    old = json.loads(before) if before else {}
    new = json.loads(after) if after else {}
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [(_("Before"), str(before or "-")), (_("After"), str(after or "-"))]
    rows = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            shown_old, shown_new = _shown(old.get(key), ctx, key), _shown(new.get(key), ctx, key)
            rows.append((_field(key), f"{shown_old} -> {shown_new}"))
    return rows


def audit_detail(entry, ctx: Context) -> list[tuple[str, str]]:
    """An audit entry in full, as (label, text) rows; a conversion adds its trigger, due and applied moments."""
    rows = [(_("When"), _moment(entry.at, ctx)), (_("Who"), shown_actor(entry.actor)), (_("What"), audit.summary_of(entry))]
    rows += _changes(entry.before, entry.after, ctx)
    if entry.action in CONVERSION_ACTIONS and entry.segment_id is not None:
        record = conversions.record_at(entry.segment_id, entry.at)
        if record is not None:
            trigger = TRIGGERS.get(record.trigger)
            rows += [
                (_("Trigger"), _(trigger) if trigger else record.trigger),
                (_("Requested"), in_words(record.requested) or record.requested),
                (_("Due"), _moment(record.due_at, ctx) if record.due_at else _("- (converted by hand)")),
                (_("Applied"), _moment(record.converted_at, ctx)),
                (_("Members then"), i18n.number(record.size)),
            ]
    return rows


def membership_detail(entry, key: str, ctx: Context, object_type: str = "contacts") -> list[tuple[str, str]]:
    """A membership log entry in full; ``object_type``: the segment's (a cause names its properties)."""
    reason = REASONS.get(entry.reason)
    what = (_("Added to the segment: {record}") if entry.action == "added"
            else _("Removed from the segment: {record}")).format(record=key)
    return [(_("When"), _moment(entry.at, ctx)), (_("Who"), shown_actor(entry.actor)),
            (_("What"), what), (_("How"), _(reason) if reason else causes.shown(entry.reason, object_type))]
