"""Showing data safely: names and emails are text, never markup or terminal escapes."""

from __future__ import annotations

import re
from functools import cache, partial

import pendulum
from pendulum import DateTime
from rich.cells import cell_len
from rich.text import Text

from .. import config, i18n
from ..core.display import format_local
from ..core.display import printable as core_printable
from ..i18n import _, _n

MAX_SHOWN = 200
# the no-break spaces French typography puts before ":" and inside « »: a line never wraps there
NO_BREAK = "\u00a0\u202f"
_SPACE = rf"[^\S{NO_BREAK}]"  # a space a line may wrap at
_WORD = rf"[^\s]|[{NO_BREAK}]"


def keep_no_break_spaces() -> None:
    """Rich and Textual wrap a line at any white space, the no-break ones included: « Bretagne »
    could end a line with « and start the next with Bretagne », or a line start with ":". Their
    wrapping (the one pattern each reads, Textual pinned) then treats them as part of a word."""
    from rich import _wrap as rich_wrap
    from textual import _wrap as textual_wrap

    rich_wrap.re_word = re.compile(rf"{_SPACE}*(?:{_WORD})+{_SPACE}*")
    textual_wrap.re_chunk = re.compile(rf"(?:{_WORD})+{_SPACE}*|{_SPACE}+")


# the one printable(), with the console's default length
printable = partial(core_printable, limit=MAX_SHOWN)


def problem(message: object, prefix: str = "⚠ ") -> Text:
    """A refusal shown under a field or a form."""
    return Text(f"{prefix}{printable(message, limit=300)}")


def literal(value: object, style: str = "", *, limit: int = MAX_SHOWN) -> Text:
    """A Rich Text that shows ``value`` exactly (Text is never parsed as markup)."""
    return Text(printable(value, limit=limit), style=style, no_wrap=True, overflow="ellipsis")


def wrapping(value: object, width: int, style: str = "", *, limit: int = MAX_SHOWN) -> Text:
    """``value`` for a cell ``width`` cells wide whose lines wrap: read whole, never cut. A word
    longer than the width (an e-mail, a web address) is broken before its ``@``, else after a
    dot, dash or slash, where one falls in its last two thirds, rather than at whatever letter the
    width ends on."""
    pieces = []
    for word in re.split(r"(\s+)", printable(value, limit=limit)):
        while cell_len(word) > width > 2 and len(word) > 1:
            places = range(min(width, len(word) - 1), width // 3, -1)  # wide letters: the Text folds them
            cut = next((i for i in places if word[i] == "@"), None) or next(
                (i for i in places if word[i - 1] in "./-_"), min(width, len(word) - 1))
            pieces.append(word[:cut] + "\n")
            word = word[cut:]
        pieces.append(word)
    return Text("".join(pieces), style=style, overflow="fold")


def type_badge(segment_type: str) -> Text:
    # white on a dark fill stays readable under the table's cursor highlight and in NO_COLOR
    if segment_type == "active":
        label = _("Active")
        return Text(f" {label} ", style="bold white on dark_green")
    label = _("Static")
    return Text(f" {label} ", style="bold white on grey35")


@cache
def _zone(tz: str) -> pendulum.Timezone:
    # a zone named by its string is looked up again on every conversion: 70 µs a moment shown
    # against 13 µs with the zone kept (a page of members or segments shows hundreds of moments)
    return pendulum.timezone(tz)


def moment(value: DateTime | None, tz: str, fmt: str = config.SHOWN_MOMENT) -> str:
    """``value`` in the zone ``tz``, in the pattern ``fmt`` (``2 Jan 2027 09:30`` / ``2 janv. 2027 09:30``)."""
    if value is None:
        return "-"
    return format_local(value.in_timezone(_zone(tz)), fmt)


@cache
def _moment_width(fmt: str, code: str) -> int:
    # the longest month and weekday names, two-digit days and hours: the widest text of ``fmt``
    return max(len(format_local(pendulum.datetime(2027, month, day, 23, 59, 59), fmt))
               for month in range(1, 13) for day in (22, 23, 24, 25, 26, 27, 28))


def moment_width(fmt: str = config.SHOWN_MOMENT) -> int:
    """The most cells a moment written in ``fmt`` takes in the language (a table column's width:
    ``26 Nov 2026 09:30`` is 17, ``26 janv. 2027 09:30`` 19)."""
    return _moment_width(fmt, i18n.language())


def badge_width() -> int:
    """The cells the widest type badge takes in the language (`` Active `` 8, `` Statique `` 10)."""
    return max(len(type_badge("active")), len(type_badge("static")))


def moment_cell(value: DateTime | None, tz: str) -> Text:
    """A moment in a table cell: cut with an ellipsis when its column is narrowed, never silently."""
    return Text(moment(value, tz), no_wrap=True, overflow="ellipsis")


def count(n: int, word: str) -> str:
    """'1 member', '1,234 members' / '1 membre', '1 234 membres': the words the console counts."""
    if word == "member":
        return _n("{n} member", "{n} members", n)
    if word == "segment":
        return _n("{n} segment", "{n} segments", n)
    if word == "record":
        return _n("{n} record", "{n} records", n)
    if word == "contact":
        return _n("{n} contact", "{n} contacts", n)
    if word == "company":
        return _n("{n} company", "{n} companies", n)
    return f"{i18n.number(n)} {word}{'' if n == 1 else 's'}"
