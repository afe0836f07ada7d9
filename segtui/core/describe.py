"""Segments as plain data: the stable JSON of ``segments show --json`` and list summaries."""

from __future__ import annotations

import json
import re

import pendulum
from pendulum import DateTime

from . import conversions, filters, store
from .context import Context
from .models import Segment
from .schedule import explain, format_moment, summary


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
TRIGGERS = {"manual": "by hand (Actions menu or command line)", "on_day": "on a specific day",
            "after_inactivity": "after inactivity"}


def _moment(moment: DateTime | None, ctx: Context) -> str:
    return ctx.local(moment).format("dddd D MMMM YYYY, HH:mm:ss") + f" {ctx.tz}" if moment else "-"


_ISO_MOMENT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+([+-][0-9:]+|Z)?$")


def _shown(value, ctx: Context) -> str:
    if value in (None, ""):
        return "-"
    if isinstance(value, str) and _ISO_MOMENT.match(value):  # a stored UTC moment: in the account's zone
        return ctx.local(pendulum.parse(value)).format("D MMM YYYY HH:mm")
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _changes(before: str | None, after: str | None, ctx: Context) -> list[tuple[str, str]]:
    """The fields an act changed, 'before -> after', from the audit entry's two snapshots."""
    old = json.loads(before) if before else {}
    new = json.loads(after) if after else {}
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [("Before", str(before or "-")), ("After", str(after or "-"))]
    rows = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            shown_old, shown_new = _shown(old.get(key), ctx), _shown(new.get(key), ctx)
            rows.append((key.replace("_", " ").capitalize(), f"{shown_old} -> {shown_new}"))
    return rows


def audit_detail(entry, ctx: Context) -> list[tuple[str, str]]:
    """An audit entry in full, as (label, text) rows; a conversion adds its trigger, due and applied moments."""
    rows = [("When", _moment(entry.at, ctx)), ("Who", entry.actor), ("What", entry.summary)]
    rows += _changes(entry.before, entry.after, ctx)
    if entry.action in CONVERSION_ACTIONS and entry.segment_id is not None:
        record = conversions.record_at(entry.segment_id, entry.at)
        if record is not None:
            rows += [
                ("Trigger", TRIGGERS.get(record.trigger, record.trigger)),
                ("Requested", record.requested),
                ("Due", _moment(record.due_at, ctx) if record.due_at else "- (converted by hand)"),
                ("Applied", _moment(record.converted_at, ctx)),
                ("Members then", f"{record.size:,}"),
            ]
    return rows


def membership_detail(entry, key: str, ctx: Context) -> list[tuple[str, str]]:
    reasons = {"filter": "its filters", "manual": "by hand", "import": "an import", "conversion": "a conversion"}
    verb = "Added to" if entry.action == "added" else "Removed from"
    return [("When", _moment(entry.at, ctx)), ("Who", entry.actor),
            ("What", f"{verb} the segment: {key}"), ("How", reasons.get(entry.reason, entry.reason))]
