"""Showing data safely: names and emails are text, never markup or terminal escapes."""

from __future__ import annotations

from functools import cache, partial

import pendulum
from pendulum import DateTime
from rich.text import Text

from .. import config
from ..core.display import printable as core_printable

MAX_SHOWN = 200


# the one printable(), with the console's default length
printable = partial(core_printable, limit=MAX_SHOWN)


def problem(message: object, prefix: str = "⚠ ") -> Text:
    """A refusal shown under a field or a form."""
    return Text(f"{prefix}{printable(message, limit=300)}")


def literal(value: object, style: str = "", *, limit: int = MAX_SHOWN) -> Text:
    """A Rich Text that shows ``value`` exactly (Text is never parsed as markup)."""
    return Text(printable(value, limit=limit), style=style, no_wrap=True, overflow="ellipsis")


def type_badge(segment_type: str) -> Text:
    # white on a dark fill stays readable under the table's cursor highlight and in NO_COLOR
    if segment_type == "active":
        return Text(" Active ", style="bold white on dark_green")
    return Text(" Static ", style="bold white on grey35")


@cache
def _zone(tz: str) -> pendulum.Timezone:
    # a zone named by its string is looked up again on every conversion: 70 µs a moment shown
    # against 13 µs with the zone kept (a page of members or segments shows hundreds of moments)
    return pendulum.timezone(tz)


def moment(value: DateTime | None, tz: str, fmt: str = config.SHOWN_MOMENT) -> str:
    return value.in_timezone(_zone(tz)).format(fmt) if value is not None else "-"


def moment_cell(value: DateTime | None, tz: str) -> Text:
    """A moment in a table cell: cut with an ellipsis when its column is narrowed, never silently."""
    return Text(moment(value, tz), no_wrap=True, overflow="ellipsis")


def count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"
