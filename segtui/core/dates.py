"""Days as people type them: ISO, the locale's usual form, and a few words.

``2026-12-31`` always works. ``31/12/2026`` (or with ``.`` or ``-``) is read in the
account locale's order: day first under most locales, month first under a US one. When the
locale does not say (C, POSIX, unset) a form that reads two ways is refused with both
readings, so that nobody converts a segment on the wrong day. Words: ``today``,
``tomorrow``, ``in 2 weeks`` (days, weeks, months, years), ``next monday`` and a bare
weekday (the next one after today). Every reading is shown back as the full date
(``Thursday 31 December 2026``) before it is saved. Today comes from the caller's clock.
"""

from __future__ import annotations

import os
import re

from pendulum import Date

from .errors import InvalidInput

DAY_FIRST = "DMY"
MONTH_FIRST = "MDY"
# territories whose usual numeric date puts the month first (CLDR: en_US, en_PH, ...)
MONTH_FIRST_TERRITORIES = {"US", "PH", "FM", "MH", "PW", "AS", "GU", "MP", "PR", "UM", "VI", "BZ"}
# territories where both orders are in daily use: the ambiguous forms are refused there too
MIXED_TERRITORIES = {"CA"}
# locale names that say nothing about the order
NEUTRAL_LOCALES = {"", "C", "POSIX"}

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
UNITS = {"day": "days", "week": "weeks", "month": "months", "year": "years"}

_ISO = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_NUMERIC = re.compile(r"^([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})$")
_IN = re.compile(r"^in ([0-9]{1,4}) (day|week|month|year)s?$")
_NEXT = re.compile(r"^(?:next )?([a-z]+)$")

HINT = "type a day as 2026-12-31, {local}or a word: today, tomorrow, in 2 weeks, next monday"


def date_order(environ=os.environ) -> str | None:
    """The usual numeric day order of the account locale (LC_ALL, LC_TIME, LANG), or None."""
    for name in ("LC_ALL", "LC_TIME", "LANG"):
        value = environ.get(name, "")
        if value:
            return order_of_locale(value)
    return None


def order_of_locale(name: str) -> str | None:
    """'en_US.UTF-8' -> MDY, 'fr_FR' or 'en_GB' -> DMY, 'C.UTF-8' -> None."""
    base = name.split(".", 1)[0].split("@", 1)[0]
    if base in NEUTRAL_LOCALES:
        return None
    parts = re.split(r"[_-]", base)
    if len(parts) < 2:
        return None
    territory = parts[1].upper()
    if territory in MIXED_TERRITORIES:
        return None
    return MONTH_FIRST if territory in MONTH_FIRST_TERRITORIES else DAY_FIRST


def example(order: str | None) -> str:
    """How the locale's form looks, for hints: '31/12/2026', '12/31/2026' or ''."""
    return {DAY_FIRST: "31/12/2026", MONTH_FIRST: "12/31/2026"}.get(order, "")


def hint(order: str | None) -> str:
    local = example(order)
    return HINT.format(local=f"{local}, " if local else "")


def full(day: Date) -> str:
    """'Thursday 31 December 2026': how every typed day is shown back."""
    return day.format("dddd D MMMM YYYY")


def _real(year: int, month: int, day: int) -> Date | None:
    try:
        return Date(year, month, day)
    except ValueError:
        return None


def parse_day(text: str, *, today: Date, order: str | None = None) -> Date:
    """The day ``text`` names; InvalidInput saying why and what to type otherwise."""
    raw = text if isinstance(text, str) else ""
    typed = " ".join(raw.strip().lower().split())
    if not typed:
        raise InvalidInput(f"No day given: {hint(order)}")
    match = _ISO.match(typed)
    if match:
        day = _real(int(match[1]), int(match[2]), int(match[3]))
        if day is None:
            raise InvalidInput(f"{raw.strip()} is not a real day of the calendar")
        return day
    match = _NUMERIC.match(typed)
    if match:
        return _numeric(raw.strip(), int(match[1]), int(match[3]), int(match[4]), order)
    word = _word(typed, today)
    if word is not None:
        return word
    raise InvalidInput(f"{raw.strip()!r} is not a day: {hint(order)}")


def _numeric(shown: str, first: int, second: int, year: int, order: str | None) -> Date:
    day_first = _real(year, second, first)
    month_first = _real(year, first, second)
    if order == DAY_FIRST:
        if day_first is None:
            raise InvalidInput(f"{shown} is not a day in the form day/month/year (e.g. 31/12/2026)")
        return day_first
    if order == MONTH_FIRST:
        if month_first is None:
            raise InvalidInput(f"{shown} is not a day in the form month/day/year (e.g. 12/31/2026)")
        return month_first
    if day_first and month_first and day_first != month_first:
        raise InvalidInput(
            f"{shown} reads two ways: {full(day_first)} (day/month) or {full(month_first)} (month/day); "
            f"type {day_first.isoformat()} or {month_first.isoformat()}"
        )
    found = day_first or month_first
    if found is None:
        raise InvalidInput(f"{shown} is not a real day of the calendar")
    return found


def _word(typed: str, today: Date) -> Date | None:
    if typed == "today":
        return today
    if typed == "tomorrow":
        return today.add(days=1)
    match = _IN.match(typed)
    if match:
        try:
            return today.add(**{UNITS[match[2]]: int(match[1])})
        except (OverflowError, ValueError):
            raise InvalidInput(f"{typed!r} is beyond the last day of the calendar") from None
    match = _NEXT.match(typed)
    if match and match[1] in WEEKDAYS:
        ahead = (WEEKDAYS.index(match[1]) - today.weekday()) % 7 or 7
        return today.add(days=ahead)
    return None
