"""Every scheduled conversion in the next days, as a calendar: on-day ones at their moment,
inactivity ones at their projected moment (if nothing changes), the overdue ones the worker
has not applied yet, and the recently applied ones with their due and applied moments."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pendulum

from . import store
from .context import Context
from ..i18n import _
from .errors import InvalidInput
from .models import ConversionRecord, Segment
from .schedule import AFTER_INACTIVITY, format_period

MAX_DAYS = 366


@dataclass(frozen=True)
class Upcoming:
    segment_id: int
    name: str
    object_type: str
    size: int
    mode: str  # on_day | after_inactivity
    due_at: pendulum.DateTime
    day: pendulum.Date  # in the account time zone
    overdue: bool  # due already, waiting for the worker
    period: str | None  # "30 days" for inactivity schedules
    local: pendulum.DateTime  # due_at in the account time zone

    @property
    def projected(self) -> bool:
        """Inactivity: the moment moves back whenever a record joins or leaves."""
        return self.mode == AFTER_INACTIVITY

    def condition(self) -> str:
        if self.overdue:
            return _("due: converts at the next worker run")
        return _("if nothing changes ({period} idle)").format(period=self.period) if self.projected else _("on its day")


@dataclass(frozen=True)
class Applied:
    segment_id: int
    name: str
    trigger: str
    due_at: pendulum.DateTime | None
    converted_at: pendulum.DateTime
    day: pendulum.Date
    actor: str

    @property
    def late(self) -> pendulum.Duration | None:
        return self.converted_at - self.due_at if self.due_at else None


@dataclass(frozen=True)
class Calendar:
    first_day: pendulum.Date
    last_day: pendulum.Date
    upcoming: list[Upcoming]
    applied: list[Applied]

    def counts(self) -> Counter:
        """Conversions per local day (overdue ones count on today)."""
        return Counter(u.day for u in self.upcoming)

    def on(self, day: pendulum.Date) -> list[Upcoming]:
        return [u for u in self.upcoming if u.day == day]


def check_days(days) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InvalidInput("The number of days must be a whole number from 1 to {limit}", limit=MAX_DAYS)
    return days


def calendar(ctx: Context, days: int = 30, *, applied_days: int = 7) -> Calendar:
    """The next ``days`` days from today (local), and conversions applied in the last
    ``applied_days``: two indexed range reads."""
    check_days(days)
    tz = pendulum.timezone(ctx.tz)  # resolved once, not once per row
    now = ctx.now()
    today = ctx.today()
    last = today.add(days=days - 1)
    end = pendulum.datetime(last.year, last.month, last.day, tz=tz).add(days=1).in_timezone("UTC")
    rows = (
        Segment.select(Segment.id, Segment.name, Segment.object_type, Segment.size, Segment.schedule_mode,
                       Segment.schedule_amount, Segment.schedule_unit, Segment.due_at)
        .where((Segment.type == "active") & store.live() & Segment.due_at.is_null(False) & (Segment.due_at < end))
        .order_by(Segment.due_at, Segment.id)
    )
    upcoming = []
    for s in rows:
        overdue = s.due_at <= now
        local = s.due_at.in_timezone(tz)
        upcoming.append(Upcoming(
            s.id, s.name, s.object_type, s.size, s.schedule_mode, s.due_at,
            today if overdue else local.date(), overdue,
            format_period(s.schedule_amount, s.schedule_unit) if s.schedule_mode == AFTER_INACTIVITY else None,
            local,
        ))
    since = now.subtract(days=applied_days)
    applied = [
        Applied(c.segment_id, name, c.trigger, c.due_at, c.converted_at, c.converted_at.in_timezone(tz).date(),
                c.actor)
        for c, name in (
            (c, c.segment.name)
            for c in ConversionRecord.select(ConversionRecord, Segment.name).join(Segment)
            .where((ConversionRecord.trigger != "manual") & (ConversionRecord.converted_at >= since))
            .order_by(ConversionRecord.converted_at.desc(), ConversionRecord.id.desc())
        )
    ]
    return Calendar(today, last, upcoming, applied)


def upcoming_json(item: Upcoming) -> dict:
    from .describe import iso

    return {"segment": item.segment_id, "name": item.name, "object_type": item.object_type, "size": item.size,
            "mode": item.mode, "due_at": iso(item.due_at), "day": item.day.isoformat(), "overdue": item.overdue,
            "projected": item.projected, "condition": item.condition()}


def applied_json(item: Applied) -> dict:
    from .describe import iso

    return {"segment": item.segment_id, "name": item.name, "trigger": item.trigger, "due_at": iso(item.due_at),
            "converted_at": iso(item.converted_at), "actor": item.actor}


