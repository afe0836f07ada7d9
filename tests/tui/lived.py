"""A segment with months of life, for the Analyze tab's snapshots and the README screenshots:
"Newsletter readers" is created 120 days before the demo's today, follows its filters while
contacts subscribe and unsubscribe, gets an automatic conversion, is converted to static by
hand 30 days before today, then changes by hand."""

from __future__ import annotations

from dataclasses import replace

import random

from segtui.core import conversions, membership, segments
from segtui.core.models import Contact
from segtui.core.schedule import AFTER_INACTIVITY, Schedule

NAME = "Newsletter readers"
FILTERS = {"groups": [{"filters": [{"property": "subscribed", "operator": "is_true"},
                                   {"property": "region", "operator": "is_any_of", "values": ["Bretagne"]}]}]}


def give_history(ctx, clock, *, days: int = 120, seed: int = 3) -> int:
    """Returns the segment's id; the clock is back where it was."""
    today = clock.now()
    rng = random.Random(seed)
    ids = [c.id for c in Contact.select(Contact.id).where(Contact.region == "Bretagne").order_by(Contact.id)]
    start = today.subtract(days=days).in_timezone(ctx.tz).replace(hour=9, minute=0, second=0)
    clock.set(start)
    for rid in ids:
        Contact.update(subscribed=rng.random() < 0.3).where(Contact.id == rid).execute()
    segment, _ = segments.create(replace(ctx, actor="marie"), NAME, "contacts", "active", FILTERS)
    for day in range(1, days - 30):
        clock.set(start.add(days=day, hours=rng.randint(0, 8)))
        growth = 0.7 if day < 60 else 0.35
        for rid in rng.sample(ids, max(1, len(ids) // 25)):
            Contact.update(subscribed=rng.random() < growth).where(Contact.id == rid).execute()
        membership.refresh(replace(ctx, actor="worker"), segment.id)
        if day == 40:
            conversions.set_schedule(replace(ctx, actor="marie"), segment.id,
                                     Schedule(AFTER_INACTIVITY, amount=60, unit="days"))
    clock.set(start.add(days=days - 30, hours=2))
    conversions.convert_to_static(replace(ctx, actor="yann"), segment.id)
    outside = [c.id for c in Contact.select(Contact.id).order_by(Contact.id).limit(200)]
    for day in range(days - 29, days, 3):
        clock.set(start.add(days=day, hours=1))
        membership.add_records(replace(ctx, actor="yann"), segment.id, rng.sample(outside, 4))
    clock.set(today)
    return segment.id
