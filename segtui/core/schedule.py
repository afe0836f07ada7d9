"""Automatic conversion to static: the three modes, their validation and due moment.

Mirrors HubSpot's API: CONVERSION_DATE {day, month, year} and INACTIVITY {offset, timeUnit}.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pendulum
from pendulum import Date, DateTime

from .. import config, i18n
from ..i18n import _, ngettext, nmsg, pgettext
from .display import format_local
from .errors import InvalidSchedule
from .kinds import ScheduleMode

NEVER = ScheduleMode.NEVER
ON_DAY = ScheduleMode.ON_DAY
AFTER_INACTIVITY = ScheduleMode.AFTER_INACTIVITY
MODES = tuple(ScheduleMode)
UNITS = ("days", "weeks", "months")
# ten years, whichever the unit: longer is a typo, not a plan
MAX_AMOUNT = {"days": 3650, "weeks": 520, "months": 120}

_ISO_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass(frozen=True)
class Schedule:
    mode: str = NEVER
    day: Date | None = None
    amount: int | None = None
    unit: str | None = None

    def to_json(self) -> dict:
        if self.mode == ON_DAY:
            return {"mode": ON_DAY, "day": self.day.isoformat()}
        if self.mode == AFTER_INACTIVITY:
            return {"mode": AFTER_INACTIVITY, "amount": self.amount, "unit": self.unit}
        return {"mode": NEVER}


NEVER_SCHEDULE = Schedule()


def parse_day(text) -> Date:
    if not isinstance(text, str) or not _ISO_DAY.match(text.strip()):
        raise InvalidSchedule("{value!r} is not a date: use YYYY-MM-DD, e.g. 2026-12-31", value=text)
    try:
        return Date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidSchedule("{value} is not a real day of the calendar", value=text.strip()) from None


UNIT_WORDS = {"day": "days", "days": "days", "week": "weeks", "weeks": "weeks", "month": "months", "months": "months"}


# what a person may type in the language besides the English words
LOCAL_UNIT_WORDS = {"fr": {"jour": "days", "jours": "days", "semaine": "weeks", "semaines": "weeks", "mois": "months"}}


def unit_from_text(text: str) -> str:
    """'1 month' reads as well as '2 months': the unit as the schedule stores it."""
    typed = str(text).strip().lower()
    unit = UNIT_WORDS.get(typed) or LOCAL_UNIT_WORDS.get(i18n.language(), {}).get(typed)
    if unit is None:
        raise InvalidSchedule("The unit must be days, weeks or months, not {unit!r}", unit=text)
    return unit


def parse_amount(value, unit) -> tuple[int, str]:
    if unit not in UNITS:
        raise InvalidSchedule("The unit must be days, weeks or months, not {unit!r}", unit=unit)
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"[+-]?[0-9]+", text):
            raise InvalidSchedule("The period must be a whole number, not {value!r}", value=value)
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidSchedule("The period must be a whole number, not {value!r}", value=value)
    if value <= 0:
        raise InvalidSchedule("The period must be at least 1")
    limit = MAX_AMOUNT[unit]
    if value > limit:
        raise InvalidSchedule("The period can be at most {period} (ten years)", period=_Period(limit, unit))
    return value, unit


def parse(data) -> Schedule:
    """A schedule from its JSON form (SPEC §8); refuses anything malformed."""
    if not isinstance(data, dict) or "mode" not in data:
        raise InvalidSchedule('A schedule is an object with a "mode": never, on_day or after_inactivity')
    mode = data["mode"]
    if mode == NEVER:
        extra = set(data) - {"mode"}
    elif mode == ON_DAY:
        extra = set(data) - {"mode", "day"}
        if "day" not in data:
            raise InvalidSchedule('An on_day schedule needs a "day" (YYYY-MM-DD)')
    elif mode == AFTER_INACTIVITY:
        extra = set(data) - {"mode", "amount", "unit"}
        if "amount" not in data or "unit" not in data:
            raise InvalidSchedule('An after_inactivity schedule needs an "amount" and a "unit"')
    else:
        raise InvalidSchedule("Unknown schedule mode {mode!r}: use never, on_day or after_inactivity", mode=mode)
    if extra:
        raise InvalidSchedule(nmsg("Unexpected field in the schedule: {fields}", "Unexpected fields in the schedule: {fields}",
                                   len(extra), fields=", ".join(sorted(extra))))
    if mode == ON_DAY:
        return Schedule(ON_DAY, day=parse_day(data["day"]))
    if mode == AFTER_INACTIVITY:
        amount, unit = parse_amount(data["amount"], data["unit"])
        return Schedule(AFTER_INACTIVITY, amount=amount, unit=unit)
    return NEVER_SCHEDULE


def latest_day(today: Date) -> Date:
    """The last day an on-day conversion may be set for: ten years ahead, as for inactivity."""
    return today.add(years=10)


def check_for_saving(schedule: Schedule, *, today: Date) -> None:
    """A day in the past is refused; today means at the next worker run."""
    if schedule.mode == ON_DAY and schedule.day < today:
        raise InvalidSchedule("{day} is in the past (today is {today}): pick today or a later day",
                              day=schedule.day.isoformat(), today=today.isoformat())
    if schedule.mode == ON_DAY and schedule.day > latest_day(today):
        raise InvalidSchedule("{day} is more than ten years ahead: pick a day until {last}",
                              day=schedule.day.isoformat(), last=latest_day(today).isoformat())


def start_of_day(day: Date, tz: str) -> DateTime:
    """00:00 of ``day`` in ``tz``, in UTC: the first of two midnights (a DST end at 01:00), the
    first moment of the day where midnight does not exist (a DST start at 00:00)."""
    midnight = pendulum.datetime(day.year, day.month, day.day, tz=tz, fold=0)
    if midnight.date() != day:  # fold=0 moved a missing midnight back into the day before
        midnight = pendulum.datetime(day.year, day.month, day.day, tz=tz, fold=1)
    return midnight.in_timezone("UTC")


def due_moment(schedule: Schedule, *, tz: str, last_activity_at: DateTime) -> DateTime | None:
    """When the segment converts, in UTC. Inactivity counts in calendar terms in ``tz``."""
    if schedule.mode == ON_DAY:
        return start_of_day(schedule.day, tz)
    if schedule.mode == AFTER_INACTIVITY:
        local = last_activity_at.in_timezone(tz)
        return local.add(**{schedule.unit: schedule.amount}).in_timezone("UTC")
    return None


def format_period(amount: int, unit: str) -> str:
    """'1 day', '30 days' / '1 jour', '30 jours'."""
    # the digits as typed (3650, not 3,650): a period is read back as the number in the field
    if unit == "days":
        return ngettext("{n} day", "{n} days", amount).format(n=amount)
    if unit == "weeks":
        return ngettext("{n} week", "{n} weeks", amount).format(n=amount)
    if unit == "months":
        return ngettext("{n} month", "{n} months", amount).format(n=amount)
    return f"{amount} {unit[:-1] if amount == 1 else unit}"


class _Period:
    """A period in the language of whoever reads the message it is in."""

    def __init__(self, amount: int, unit: str):
        self.amount, self.unit = amount, unit

    def __str__(self) -> str:
        return format_period(self.amount, self.unit)


def format_moment(moment: DateTime, tz: str) -> str:
    """'Thursday 31 December 2026 at 00:00 Europe/Paris' / 'jeudi 31 décembre 2026 à 00:00 (Europe/Paris)'."""
    local = moment.in_timezone(tz)
    return _("{day} at {time} {zone}").format(day=format_local(local, i18n.FULL_DAY),
                                              time=format_local(local, i18n.TIME), zone=tz)


def in_words(plan) -> str | None:
    """A schedule as stored in the audit ({"mode": "on_day", "day": "2027-01-03"}, a dict or its
    JSON) said in the language: 'on 3 Jan 2027', 'after 30 days of inactivity', 'never', 'now';
    None for what is not one."""
    if isinstance(plan, str):
        try:
            plan = json.loads(plan)
        except ValueError:
            return None
    mode = plan.get("mode") if isinstance(plan, dict) else None
    if mode == ON_DAY:
        try:
            day = Date.fromisoformat(str(plan.get("day")))
        except ValueError:
            return None
        return pgettext("automatic conversion", "on {day}").format(day=format_local(day, config.SHOWN_DAY))
    if mode == AFTER_INACTIVITY and isinstance(plan.get("amount"), int) and plan.get("unit") in UNITS:
        return pgettext("automatic conversion", "after {period} of inactivity").format(
            period=format_period(plan["amount"], plan["unit"]))
    if mode == NEVER:
        return pgettext("automatic conversion", "never")
    if mode == "now":
        return pgettext("automatic conversion", "now")
    return None


class InWords:
    """A stored schedule as a message parameter, said by ``in_words`` in the language of the
    moment (as stored when it is not one)."""

    __slots__ = ("plan",)

    def __init__(self, plan) -> None:
        self.plan = plan

    def __str__(self) -> str:
        said = in_words(self.plan)
        return said if said is not None else str(self.plan)


def summary(schedule: Schedule, due_at: DateTime | None, *, tz: str, now: DateTime | None = None) -> str:
    """Short text for the segments list: '-> static on 31 Dec 2026', '... idle, due 14 Jan'.

    The due day of an inactivity schedule shows its year only when it is not this year.
    """
    if schedule.mode == ON_DAY:
        return _("-> static on {day}").format(day=format_local(schedule.day, config.SHOWN_DAY))
    if schedule.mode == AFTER_INACTIVITY:
        period = format_period(schedule.amount, schedule.unit)
        if due_at is None:
            return _("-> static after {period} idle").format(period=period)
        local = due_at.in_timezone(tz)
        same_year = now is not None and now.in_timezone(tz).year == local.year
        due = format_local(local, config.SHOWN_DAY_THIS_YEAR if same_year else config.SHOWN_DAY)
        return _("-> static after {period} idle, due {day}").format(period=period, day=due)
    return ""


def explain(schedule: Schedule, due_at: DateTime | None, *, tz: str, now: DateTime) -> str:
    """The sentence under the Settings dropdown."""
    if schedule.mode == NEVER or due_at is None:
        return _("This segment will not be converted automatically.")
    if due_at <= now:
        return _("Already due: converts at the next worker run.")
    when = format_moment(due_at, tz)
    if schedule.mode == AFTER_INACTIVITY:
        return _("Converts on {when} unless a record is added or removed before then.").format(when=when)
    return _("Converts on {when}.").format(when=when)
