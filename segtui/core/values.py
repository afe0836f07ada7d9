"""Typed property values from text and back: what an edit, an import and an export agree on.

Stored forms: numbers as floats, booleans, dates as days, date-times as UTC moments,
enumerations as the option's value, multiple checkboxes as ``;a;b;`` (option values in the
options' order, between semicolons so that "contains" is one LIKE per value).

Numbers (the rule of a whole import column, see ``number_style``): ``1234.5`` and ``1234``
always; ``1,234.5`` (``,`` groups thousands) and ``1 234,5`` / ``1.234,5`` (``,`` is the
decimal point) when the column says which: a value such as ``1,234`` or ``1.234`` alone could
be either, and is refused unless another value of the column decides.
"""

from __future__ import annotations

import math
import re

import pendulum

from .. import i18n
from ..i18n import _
from .display import format_value
from .properties import BOOLEAN, DATE, DATETIME, ENUMERATION, MULTIPLE, NUMBER, TEXT, Property, label_of

TRUE_WORDS = {"true", "yes", "1"}
FALSE_WORDS = {"false", "no", "0"}
# what a person typing in the language may write besides the English words (files keep those)
LOCAL_TRUE_WORDS = {"fr": {"vrai", "oui"}}
LOCAL_FALSE_WORDS = {"fr": {"faux", "non"}}
DOT, COMMA = "dot", "comma"  # which character is the decimal point
TYPED = "typed"  # typed by a person: the language's decimal point ("1,5" in French), "." always
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_SPACES = re.compile(r"[ \u00a0\u202f]")
_DOT_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")  # 1,234 or 1,234.5
_COMMA_GROUPED = re.compile(r"^[+-]?\d{1,3}([ .]\d{3})+(,\d+)?$")  # 1 234,5 or 1.234,5 or 1.234
_COMMA_DECIMAL = re.compile(r"^[+-]?\d+,\d+$")  # 12,5
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LOCAL_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$")


def number_styles(text: str) -> set[str]:
    """The decimal-point styles a number written as ``text`` fits (empty: not a number)."""
    text = text.strip()
    if _PLAIN.match(text):
        if "." not in text and "e" not in text.lower():
            return {DOT, COMMA}  # a whole number reads the same either way
        # 1.234 could be a thousand two hundred and thirty-four (1.234,5 style)
        return {DOT, COMMA} if re.fullmatch(r"[+-]?\d{1,3}\.\d{3}", text) else {DOT}
    styles = set()
    if _DOT_GROUPED.match(text):
        styles.add(DOT)
    if _COMMA_GROUPED.match(_SPACES.sub(" ", text)) or _COMMA_DECIMAL.match(text):
        styles.add(COMMA)
    return styles


def _ambiguous(text: str) -> bool:
    return "," in text or "." in text


def number_style(cells: list[str]) -> str:
    """The one decimal-point style of a column of numbers; ValueError when it is not clear.

    Cells that are not numbers at all are left to their own error.
    """
    common = {DOT, COMMA}
    witness: dict[str, str] = {}
    for cell in cells:
        cell = cell.strip()
        styles = number_styles(cell) if cell else set()
        if not styles:
            continue
        if len(styles) == 1:
            witness.setdefault(next(iter(styles)), cell)
        if not common & styles:
            dot, comma = witness.get(DOT, cell), witness.get(COMMA, cell)
            raise ValueError(_("mixes {dot!r} ('.' as the decimal point) and {comma!r} (',' as the decimal point)")
                             .format(dot=dot, comma=comma))
        common &= styles
    if common == {DOT, COMMA}:
        unclear = next((c.strip() for c in cells if c.strip() and _ambiguous(c.strip())
                        and number_styles(c) == {DOT, COMMA}), None)
        if unclear is not None:
            raise ValueError(_("{value!r} could be read with ',' or '.' as the decimal point: "
                               "write it without a thousands separator (1234 or 1234.5)").format(value=unclear))
        return DOT
    return next(iter(common))


def parse_number(text: str, style: str = DOT) -> float:
    if style == TYPED:
        style = COMMA if i18n.decimal(0.5)[1] == "," else DOT
        if style == COMMA and "," not in text:
            style = DOT  # "1.5" is a number in every language
    text = _SPACES.sub("", text.strip())
    if style == COMMA and not _PLAIN.match(text.replace(".", "").replace(",", ".")):
        raise ValueError
    if style == COMMA:
        text = text.replace(".", "").replace(",", ".")
    elif not _PLAIN.match(text):
        if not _DOT_GROUPED.match(text):
            raise ValueError
        text = text.replace(",", "")
    value = float(text)
    if math.isinf(value):
        raise OverflowError
    return value


def parse_moment(text: str, tz: str) -> pendulum.DateTime:
    """ISO 8601 with an offset, or ``YYYY-MM-DD HH:MM[:SS]`` read in the account time zone."""
    text = text.strip()
    if _ISO_MOMENT.match(text):
        return pendulum.parse(text.replace(" ", "T")).in_timezone("UTC")
    if _LOCAL_MOMENT.match(text):
        return pendulum.parse(text.replace(" ", "T"), tz=tz).in_timezone("UTC")
    if _DAY.match(text):
        return pendulum.parse(text, tz=tz).in_timezone("UTC")
    raise ValueError


def parse_day(text: str, tz: str) -> pendulum.Date:
    """A day, or the day (in the account time zone) of a date-time such as HubSpot's Create Date."""
    text = text.strip()
    if _DAY.match(text):
        return pendulum.Date.fromisoformat(text)
    moment = parse_moment(text, tz)
    return moment.in_timezone(tz).date()


def option_value(prop: Property, text: str) -> str:
    """An option by its value or its label, case-insensitively (archived options are refused)."""
    wanted = text.strip().casefold()
    for option in prop.live_choices:
        if option.value.casefold() == wanted or option.label.casefold() == wanted:
            return option.value
    shown = ", ".join(o.label for o in prop.live_choices) or _("none yet")
    raise ValueError(_("{property}: {value!r} is not one of its options ({options})").format(
        property=label_of(prop), value=text.strip(), options=shown))


def pack_multiple(prop: Property, values) -> str | None:
    chosen = set(values)
    if not chosen:
        return None
    ordered = [o.value for o in prop.choices if o.value in chosen]
    return ";" + ";".join(ordered) + ";"


def unpack_multiple(stored) -> list[str]:
    return [v for v in (stored or "").split(";") if v]


def parse(prop: Property, text: str, *, tz: str = "UTC", style: str = TYPED):
    """A typed value from text; '' means unknown. Raises ValueError with a plain sentence, in
    the language. Numbers: ``style`` as an import column decides it, else as typed in the
    language (``1,5`` in French)."""
    if text.strip() == "":
        return None
    # a leading tab or CR is kept in text: it is what makes a formula-like cell inert (files.neutralise)
    text = text.strip(" \n") if prop.type == TEXT else text.strip()
    if "\x00" in text:
        raise ValueError(_("{property} contains a NUL character (\\x00), which cannot be stored").format(
            property=label_of(prop)))
    if prop.type == NUMBER:
        try:
            return parse_number(text, style)
        except OverflowError:
            raise ValueError(_("{property}: {value!r} is too large").format(property=label_of(prop), value=text)) from None
        except ValueError:
            raise ValueError(_("{property} must be a number, not {value!r}").format(
                property=label_of(prop), value=text)) from None
    if prop.type == DATE:
        try:
            return parse_day(text, tz)
        except ValueError:
            if _DAY.match(text):
                raise ValueError(_("{property}: {value} is not a real day").format(
                    property=label_of(prop), value=text)) from None
            raise ValueError(_("{property} must be a date YYYY-MM-DD, not {value!r}").format(
                property=label_of(prop), value=text)) from None
    if prop.type == DATETIME:
        try:
            return parse_moment(text, tz)
        except ValueError:
            raise ValueError(_("{property} must be a date and time (YYYY-MM-DD HH:MM, or ISO 8601), not "
                               "{value!r}").format(property=label_of(prop), value=text)) from None
    if prop.type == BOOLEAN:
        lowered = text.lower()
        if lowered in TRUE_WORDS or lowered in LOCAL_TRUE_WORDS.get(i18n.language(), ()):
            return True
        if lowered in FALSE_WORDS or lowered in LOCAL_FALSE_WORDS.get(i18n.language(), ()):
            return False
        raise ValueError(_("{property} must be true or false (or yes/no, 1/0), not {value!r}").format(
            property=label_of(prop), value=text))
    if prop.type == ENUMERATION:
        return option_value(prop, text)
    if prop.type == MULTIPLE:
        return pack_multiple(prop, [option_value(prop, part) for part in text.split(";") if part.strip()])
    return text


def format(prop: Property, value, *, tz: str = "UTC", labels: bool = False) -> str:  # noqa: A001
    """Text for a stored value: what an export writes and an import reads back unchanged."""
    return format_value(prop, value, tz=tz, labels=labels)
