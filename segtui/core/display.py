"""Text from the data, made safe to show in a terminal, and values written as text."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

import pendulum
from babel import Locale
from babel import dates as babel_dates

from .. import i18n
from ..i18n import _
from .properties import BOOLEAN, DATE, DATETIME, ENUMERATION, MULTIPLE, NUMBER, Property, option_label_of


# spaces Python does not call printable but a terminal shows as spaces: French typography puts a
# no-break space before ":" and a narrow one between digit groups ("1 234")
SPACES = "\u00a0\u202f"


def printable(value: object, *, limit: int | None = None, keep: str = "", unsafe: str = "",
              replacement: str | None = None) -> str:
    """Control, format and bidi-override characters become visible escapes; long text is cut.

    ``keep``: characters kept as they are though not printable ("\\n" for multi-line output);
    ``unsafe``: printable characters replaced too (" " in a log token, and then every space); ``replacement``: what
    stands for a replaced character (default: its ``\\uXXXX`` escape).
    """
    text = "" if value is None else str(value)
    head = text if limit is None else text[: limit + 1]
    shown = "".join(
        c if ((c.isprintable() or (c in SPACES and " " not in unsafe)) and c not in unsafe) or c in keep
        else (replacement if replacement is not None else f"\\u{ord(c):04x}")
        for c in head
    )
    if limit is not None and len(text) > limit:
        shown = shown[:limit] + "…"
    return shown


def format_number(value) -> str:
    """12 rather than 12.0; other numbers as Python writes them."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 2**53 else repr(float(value))


def format_value(prop: Property, value, *, tz: str = "UTC", labels: bool = False) -> str:
    """A stored value as the user types it (CSV import and export, the property editor) and reads it.

    Date-times in the account time zone with their offset; ``labels``: options by label, a
    built-in one's in the language (screens), rather than by value (files, which read either back).
    """
    if value is None or value == "":
        return ""
    if prop.type == NUMBER:
        return format_number(value)
    if prop.type == BOOLEAN:
        if labels:  # on a screen, in the language (values.parse reads the words back)
            return _("true") if value else _("false")
        return "true" if value else "false"
    if prop.type == DATE:  # on a screen in another language, in its words (files keep ISO)
        return shown_day(value) if labels else value.isoformat()
    if prop.type == DATETIME:
        moment = (value if isinstance(value, pendulum.DateTime) else pendulum.instance(value)).in_timezone(tz)
        if labels and i18n.language() != i18n.ENGLISH:
            return i18n.format_moment(moment, SECOND_ZONE)
        return moment.format("YYYY-MM-DD HH:mm:ssZ")
    if prop.type == ENUMERATION:  # a built-in option's label in the language on a screen
        return option_label_of(prop, value) if labels else str(value)
    if prop.type == MULTIPLE:
        parts = [v for v in str(value).split(";") if v]
        return ";".join(option_label_of(prop, v) if labels else v for v in parts)
    return str(value)


_CONSOLE_WORKER = re.compile(r"worker \(console of (.+)\)", re.S)


def shown_actor(actor: str | None) -> str:
    """Who acted, as stored (a person's name), but the worker inside someone's console, which
    the log names in English ('worker (console of alice)'), said in the language."""
    text = actor or ""
    found = _CONSOLE_WORKER.fullmatch(text)
    return _("worker (console of {name})").format(name=found[1]) if found else text


SECOND_ZONE = "d MMM y HH:mm:ss xxx"  # a date-time value on a screen in another language than English
ISO_MINUTE = "yyyy-MM-dd HH:mm"


def shown_day(day) -> str:
    """A day for people: ISO in English, as segtui always wrote it (2026-09-01); the language's
    words otherwise (1 sept. 2026)."""
    return day.isoformat() if i18n.language() == i18n.ENGLISH else format_local(day, i18n.DAY)


def shown_minute(moment) -> str:
    """A moment already in the zone it is shown in, for people: 2026-09-01 10:05 in English, as
    segtui always wrote it; 1 sept. 2026 10:05 in another language."""
    return format_local(moment, ISO_MINUTE if i18n.language() == i18n.ENGLISH else i18n.MOMENT)


class ShownMinute:
    """A moment as a message parameter: said by ``shown_minute`` in the language of the moment
    it is shown (a Message is translated each time it is shown)."""

    __slots__ = ("moment",)

    def __init__(self, moment) -> None:
        self.moment = moment

    def __str__(self) -> str:
        return shown_minute(self.moment)


# the pendulum formats the console used to pass, read as the Babel patterns they always meant
_PENDULUM_FORMATS = {
    "D MMM YYYY HH:mm": i18n.MOMENT,
    "D MMM YYYY": i18n.DAY,
    "D MMM": i18n.DAY_THIS_YEAR,
    "dddd D MMMM YYYY": i18n.FULL_DAY,
    "MMMM YYYY": i18n.MONTH,
    "HH:mm": i18n.TIME,
}
# the English month abbreviations segtui always showed (CLDR's en_GB says "Sept")
_ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_FIELD = re.compile(r"%\((\w+)\)s")


def _names(kind: str, width: str, context: str, locale) -> tuple[str, ...]:
    getter = babel_dates.get_month_names if kind == "month" else babel_dates.get_day_names
    names = getter(width, context=context, locale=locale)
    return tuple(names[i] for i in (range(1, 13) if kind == "month" else range(7)))


def _month_name(names: tuple[str, ...]) -> Callable[[pendulum.Date], str]:
    return lambda m: names[m.month - 1]


def _weekday_name(names: tuple[str, ...]) -> Callable[[pendulum.Date], str]:
    return lambda m: names[m.weekday()]


@cache
def _formatter(pattern: str, code: str) -> Callable[[pendulum.Date], str]:
    """A Babel pattern compiled once per language, for a table's every cell: the fields a moment
    shows are read directly (moment() 4.4 µs a cell, against 8.3 µs with Babel's format_datetime
    and 9.7 µs with pendulum's format before)."""
    locale = Locale.parse("en_GB" if code == i18n.ENGLISH else code)
    template = babel_dates.parse_pattern(pattern).format
    months = {"MMM": _ENGLISH_MONTHS if code == i18n.ENGLISH else _names("month", "abbreviated", "format", locale),
              "MMMM": _names("month", "wide", "format", locale),
              "LLLL": _names("month", "wide", "stand-alone", locale),
              "LLL": _names("month", "abbreviated", "stand-alone", locale)}
    weekdays = {"EEEE": _names("day", "wide", "format", locale),
                "EEE": _names("day", "abbreviated", "format", locale)}
    getters: dict[str, Callable[[pendulum.Date], str]] = {
        "d": lambda m: str(m.day), "dd": lambda m: f"{m.day:02d}",
        "M": lambda m: str(m.month), "MM": lambda m: f"{m.month:02d}",
        "y": lambda m: str(m.year), "yyyy": lambda m: f"{m.year:04d}",
        "HH": lambda m: f"{m.hour:02d}", "H": lambda m: str(m.hour),
        "mm": lambda m: f"{m.minute:02d}", "ss": lambda m: f"{m.second:02d}",
        **{key: _month_name(names) for key, names in months.items()},
        **{key: _weekday_name(names) for key, names in weekdays.items()},
    }
    fields = _FIELD.findall(template)
    if not all(field in getters for field in fields):
        return lambda m: i18n.format_moment(m, pattern)
    chosen = [(field, getters[field]) for field in dict.fromkeys(fields)]
    return lambda m: template % {field: get(m) for field, get in chosen}


def format_local(value, pattern: str) -> str:
    """A date or moment already in the zone it is shown in, in a Babel pattern (or one of the
    pendulum formats the console used), in the language."""
    return _formatter(_PENDULUM_FORMATS.get(pattern, pattern), i18n.language())(value)
