"""Segments as plain data: the stable JSON of ``segments show --json`` and list summaries."""

from __future__ import annotations

import json

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


def schedule_summary(segment: Segment, ctx: Context) -> str:
    return summary(store.schedule_of(segment), segment.due_at, tz=segment.schedule_tz or ctx.tz, now=ctx.now())


def schedule_json(segment: Segment, ctx: Context) -> dict:
    data = store.schedule_of(segment).to_json()
    tz = segment.schedule_tz or ctx.tz
    data["due_at"] = iso(segment.due_at)
    data["due_local"] = format_moment(segment.due_at, tz) if segment.due_at else None
    data["explanation"] = explain(store.schedule_of(segment), segment.due_at, tz=tz, now=ctx.now())
    return data


def list_row(segment: Segment, ctx: Context) -> dict:
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
    }


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
