"""Days as people type them: ISO, the locale's usual form, and a few words.

``2026-12-31`` always works. ``31/12/2026`` (or with ``.`` or ``-``) is read in the
account locale's order: day first under most locales, month first under a US one. When the
locale does not say (C, POSIX, unset) the language decides (French reads day first); when
neither does (English), a form that reads two ways is refused with both readings, so that
nobody converts a segment on the wrong day. Words: ``today``, ``tomorrow``, ``in 2 weeks``
(days, weeks, months, years), ``next monday`` and a bare weekday (the next one after today);
in French also ``aujourd'hui``, ``demain``, ``dans 2 semaines`` (jours, semaines, mois, ans,
années), ``lundi prochain`` and ``lundi`` (accents optional). Every reading is shown back as
the full date (``Thursday 31 December 2026`` / ``jeudi 31 décembre 2026``) before it is
saved. Today comes from the caller's clock.
"""

from __future__ import annotations

import os
import re
import unicodedata

from pendulum import Date

from .. import i18n
from ..i18n import _
from .display import format_local
from .errors import InvalidInput

DAY_FIRST = "DMY"
MONTH_FIRST = "MDY"
# territories whose usual numeric date puts the month first (CLDR: en_US, en_PH, ...)
MONTH_FIRST_TERRITORIES = {"US", "PH", "FM", "MH", "PW", "AS", "GU", "MP", "PR", "UM", "VI", "BZ"}
# territories where both orders are in daily use: the ambiguous forms are refused there too
MIXED_TERRITORIES = {"CA"}
# locale names that say nothing about the order
NEUTRAL_LOCALES = {"", "C", "POSIX"}
# the order each language reads a numeric day in when the locale does not say (English is
# written both ways around the world: it does not decide)
LANGUAGE_ORDER = {"fr": DAY_FIRST}

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
UNITS = {"day": "days", "week": "weeks", "month": "months", "year": "years"}
# the words of each language besides English (typed without accents as well: compared unaccented)
WORDS = {
    "fr": {
        "today": ("aujourd'hui", "aujourdhui", "auj"),
        "tomorrow": ("demain",),
        "weekdays": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
        "units": {"jour": "days", "jours": "days", "semaine": "weeks", "semaines": "weeks", "mois": "months",
                  "an": "years", "ans": "years", "annee": "years", "annees": "years"},
    },
}

_ISO = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_NUMERIC = re.compile(r"^([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})$")
_IN = re.compile(r"^in ([0-9]{1,4}) (day|week|month|year)s?$")
_NEXT = re.compile(r"^(?:next )?([a-z]+)$")
_IN_FRENCH = re.compile(r"^dans ([0-9]{1,4}) ([a-z]+)$")
_NEXT_FRENCH = re.compile(r"^(?:(?:le )?([a-z]+)(?: prochain)?|prochain ([a-z]+))$")


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


def language_order(order: str | None) -> str | None:
    """The order to read a numeric day in: the locale's, else the language's, else None."""
    return order or LANGUAGE_ORDER.get(i18n.language())


def example(order: str | None) -> str:
    """How the locale's form looks, for hints: '31/12/2026', '12/31/2026' or ''."""
    return {DAY_FIRST: "31/12/2026", MONTH_FIRST: "12/31/2026"}.get(language_order(order), "")


def typed_form(day: Date, order: str | None) -> str:
    """A day as a field shows it to be typed again: ISO in English (as segtui always showed it),
    the language's numeric form otherwise, in the order it is read back (31/12/2026, or
    12/31/2026 under a month-first locale); ISO when no order is known."""
    shown = language_order(order) if i18n.language() != i18n.ENGLISH else None
    if shown == DAY_FIRST:
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    if shown == MONTH_FIRST:
        return f"{day.month:02d}/{day.day:02d}/{day.year}"
    return day.isoformat()


def form(order: str | None) -> str:
    """The form ``typed_form`` shows, said for a hint: 'YYYY-MM-DD' / 'JJ/MM/AAAA'."""
    shown = language_order(order) if i18n.language() != i18n.ENGLISH else None
    if shown == DAY_FIRST:
        return _("DD/MM/YYYY")
    if shown == MONTH_FIRST:
        return _("MM/DD/YYYY")
    return _("YYYY-MM-DD")


def reads_as_shown(typed: str, day: Date, order: str | None) -> bool:
    """``typed`` is ``day`` written as a field shows it (ISO or ``typed_form``): nothing to say
    back about how it was read."""
    return typed.strip() in (day.isoformat(), typed_form(day, order))


def hint(order: str | None) -> str:
    local = example(order)
    if local:
        return _("type a day as 2026-12-31, {example}, or a word: today, tomorrow, in 2 weeks, next monday").format(
            example=local)
    return _("type a day as 2026-12-31, or a word: today, tomorrow, in 2 weeks, next monday")


def full(day: Date) -> str:
    """'Thursday 31 December 2026' / 'jeudi 31 décembre 2026': how every typed day is shown back."""
    return format_local(day, i18n.FULL_DAY)


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
        raise InvalidInput("No day given: {hint}", hint=_Hint(order))
    match = _ISO.match(typed)
    if match:
        day = _real(int(match[1]), int(match[2]), int(match[3]))
        if day is None:
            raise InvalidInput("{typed} is not a real day of the calendar", typed=raw.strip())
        return day
    match = _NUMERIC.match(typed)
    if match:
        return _numeric(raw.strip(), int(match[1]), int(match[3]), int(match[4]), language_order(order))
    word = _word(typed, today)
    if word is None and i18n.language() in WORDS:
        word = _local_word(_unaccented(typed), today, WORDS[i18n.language()])
    if word is not None:
        return word
    raise InvalidInput("{typed!r} is not a day: {hint}", typed=raw.strip(), hint=_Hint(order))


class _Hint:
    """The hint, written in the language of whoever reads the error."""

    def __init__(self, order: str | None):
        self.order = order

    def __str__(self) -> str:
        return hint(self.order)


class _Full:
    """A day in full, in the language of whoever reads the error."""

    def __init__(self, day: Date):
        self.day = day

    def __str__(self) -> str:
        return full(self.day)


def _numeric(shown: str, first: int, second: int, year: int, order: str | None) -> Date:
    day_first = _real(year, second, first)
    month_first = _real(year, first, second)
    if order == DAY_FIRST:
        if day_first is None:
            raise InvalidInput("{typed} is not a day in the form day/month/year (e.g. 31/12/2026)", typed=shown)
        return day_first
    if order == MONTH_FIRST:
        if month_first is None:
            raise InvalidInput("{typed} is not a day in the form month/day/year (e.g. 12/31/2026)", typed=shown)
        return month_first
    if day_first and month_first and day_first != month_first:
        raise InvalidInput(
            "{typed} reads two ways: {day_first} (day/month) or {month_first} (month/day); type {iso_day_first} "
            "or {iso_month_first}", typed=shown, day_first=_Full(day_first), month_first=_Full(month_first),
            iso_day_first=day_first.isoformat(), iso_month_first=month_first.isoformat())
    found = day_first or month_first
    if found is None:
        raise InvalidInput("{typed} is not a real day of the calendar", typed=shown)
    return found


def _ahead(today: Date, typed: str, unit: str, amount: int) -> Date:
    try:
        return today.add(**{unit: amount})
    except (OverflowError, ValueError):
        raise InvalidInput("{typed!r} is beyond the last day of the calendar", typed=typed) from None


def _next_weekday(today: Date, weekday: int) -> Date:
    """The next such weekday after today (a week ahead when today is one)."""
    return today.add(days=(weekday - today.weekday()) % 7 or 7)


def _word(typed: str, today: Date) -> Date | None:
    if typed == "today":
        return today
    if typed == "tomorrow":
        return today.add(days=1)
    match = _IN.match(typed)
    if match:
        return _ahead(today, typed, UNITS[match[2]], int(match[1]))
    match = _NEXT.match(typed)
    if match and match[1] in WEEKDAYS:
        return _next_weekday(today, WEEKDAYS.index(match[1]))
    return None


def _unaccented(text: str) -> str:
    """'année' -> 'annee', 'aujourd’hui' -> "aujourd'hui": what people type without accents."""
    text = text.replace("\u2019", "'").replace("\u02bc", "'")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _local_word(typed: str, today: Date, words: dict) -> Date | None:
    if typed in words["today"]:
        return today
    if typed in words["tomorrow"]:
        return today.add(days=1)
    match = _IN_FRENCH.match(typed)
    if match and match[2] in words["units"]:
        return _ahead(today, typed, words["units"][match[2]], int(match[1]))
    match = _NEXT_FRENCH.match(typed)
    name = match and (match[1] or match[2])
    if name in words["weekdays"]:
        return _next_weekday(today, words["weekdays"].index(name))
    return None
