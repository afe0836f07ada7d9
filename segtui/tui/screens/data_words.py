"""Words and forms the data screens share, in the console's language.

A built-in property's label, a type's name and an object's name are English in the core
and said in the language by core.properties (``label_of``...); a custom property's label is
the admin's own words, shown as typed. Numbers and days are typed as the language writes them (``1,5`` and ``31/12/2026``
in French) and handed to the core in the form it reads.
"""

from __future__ import annotations

import re

from babel import dates as babel_dates
from babel import numbers as babel_numbers

from ...core import dates, history, properties
from ...core.errors import SegtuiError
from ...i18n import ENGLISH, N_, _, language, locale, parse_number

_SPACES = re.compile(r"[\s\u00a0\u202f]")


def property_label(prop) -> str:
    """A built-in property's label in the language; a custom one as its admin wrote it."""
    return properties.label_of(prop)


def option_label(prop, value) -> str:
    """An option's label: a built-in option's in the language, a custom one as written."""
    return properties.option_label_of(prop, value)


def description(prop) -> str:
    """A built-in property's description in the language; a custom one as written."""
    return properties.description_of(prop)


# a type's name in a table's column, where the whole one would not fit
SHORT_TYPES = {properties.MULTIPLE: N_("Checkboxes")}


def type_name(type_code: str, *, short: bool = True) -> str:
    """'Dropdown (one value)', or 'Dropdown' when ``short`` ('Checkboxes' for 'Multiple checkboxes')."""
    if short and type_code in SHORT_TYPES:
        return _(SHORT_TYPES[type_code])
    name = properties.type_label(type_code)
    return name.split(" (")[0] if short else name


def new_property(proposal) -> str:
    """A property an import creates: 'Favorite Color' (favorite_color, dropdown: Blue, Red), its
    type in the language (the core's describe() writes the type's code, as the CLI's --type)."""
    type_ = type_name(proposal.type).lower()
    if proposal.options:
        return _("{label!r} ({name}, {type}: {options})").format(
            label=proposal.label, name=proposal.name, type=type_, options=", ".join(proposal.options))
    return _("{label!r} ({name}, {type})").format(label=proposal.label, name=proposal.name, type=type_)


def object_label(object_type: str) -> str:
    """'Contacts' / 'Companies', capitalised, in the language."""
    return properties.object_label(object_type)


def per_object(object_type: str, contacts: str, companies: str) -> str:
    """One of two whole sentences: other languages agree their words with the object's gender."""
    return contacts if object_type == "contacts" else companies


def day_order(ctx) -> str | None:
    """How a numeric day is read: the account locale's order, else the language's (French
    reads 01/02/2027 as 1 February); English keeps refusing a form that reads two ways."""
    if ctx.date_order or language() == ENGLISH:
        return ctx.date_order
    return dates.DAY_FIRST if _day_first() else dates.MONTH_FIRST


def shown_day(day, ctx) -> str:
    """A day as the language types it, in the order it is read back: 2026-12-31 in English
    (ISO), 31/12/2026 in French."""
    return dates.typed_form(day, day_order(ctx))


def day_form(ctx) -> str:
    """How to type a day, for hints and placeholders: YYYY-MM-DD / JJ/MM/AAAA."""
    return dates.form(day_order(ctx))


def read_past_day(text: str, ctx):
    """A day typed in an as-of field: ISO in English, as always; in another language its
    numeric form too (31/12/2026) and its words, as every other day field reads them."""
    if language() == ENGLISH:
        return history.parse_day(text, _("The day"))
    return dates.parse_day(text, today=ctx.today(), order=day_order(ctx))


def _day_first() -> bool:
    """The language's short date starts with the day (CLDR)."""
    pattern = babel_dates.get_date_format("short", locale=locale()).pattern.lstrip("'")
    return pattern[:1] not in ("M", "L")


def typed_number(text: str) -> str:
    """A number typed in the language, in the form the core reads: '1,5' -> '1.5' and
    '1 234' -> '1234' in French. Text that is not a number is handed on as typed: the core
    says why it is refused."""
    if language() == ENGLISH or babel_numbers.get_decimal_symbol(locale=locale()) == ".":
        return text
    try:
        parse_number(text)
    except ValueError:
        return text
    return _SPACES.sub("", text).replace(",", ".")


def shown_number(value) -> str:
    """A stored number as the language types it: 2.5 / 2,5 (whole numbers without '.0')."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if language() != ENGLISH and isinstance(value, int | float):
        text = text.replace(".", babel_numbers.get_decimal_symbol(locale=locale()))
    return text


SEGMENT_TYPES = {"active": N_("active"), "static": N_("static")}


def segment_type_word(segment_type: str) -> str:
    """'active' / 'static' in running text, in the language."""
    return _(SEGMENT_TYPES.get(segment_type, segment_type))


_NUMERIC_DAY = re.compile(r"^\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\s*$")


def typed_day(text: str, ctx) -> str:
    """A day typed in the language's numeric form (31/12/2026 in French), as the core reads
    it (2026-12-31); anything else is handed on as typed (the core says why it is refused)."""
    if language() == ENGLISH or not _NUMERIC_DAY.match(text):
        return text
    try:
        return dates.parse_day(text, today=ctx.today(), order=day_order(ctx)).isoformat()
    except SegtuiError:
        return text
