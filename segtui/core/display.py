"""Text from the data, made safe to show in a terminal, and values written as text."""

from __future__ import annotations

import pendulum

from .properties import BOOLEAN, DATE, DATETIME, ENUMERATION, MULTIPLE, NUMBER, Property


def printable(value: object, *, limit: int | None = None, keep: str = "", unsafe: str = "",
              replacement: str | None = None) -> str:
    """Control, format and bidi-override characters become visible escapes; long text is cut.

    ``keep``: characters kept as they are though not printable ("\\n" for multi-line output);
    ``unsafe``: printable characters replaced too (" " in a log token); ``replacement``: what
    stands for a replaced character (default: its ``\\uXXXX`` escape).
    """
    text = "" if value is None else str(value)
    head = text if limit is None else text[: limit + 1]
    shown = "".join(
        c if (c.isprintable() or (c in "\u00a0\u202f" and not unsafe)) and c not in unsafe or c in keep
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

    Date-times in the account time zone with their offset; ``labels``: options by label (screens)
    rather than by value (files, which read either back).
    """
    if value is None or value == "":
        return ""
    if prop.type == NUMBER:
        return format_number(value)
    if prop.type == BOOLEAN:
        return "true" if value else "false"
    if prop.type == DATE:
        return value.isoformat()
    if prop.type == DATETIME:
        moment = value if isinstance(value, pendulum.DateTime) else pendulum.instance(value)
        return moment.in_timezone(tz).format("YYYY-MM-DD HH:mm:ssZ")
    if prop.type == ENUMERATION:
        return prop.option_label(value) if labels else str(value)
    if prop.type == MULTIPLE:
        parts = [v for v in str(value).split(";") if v]
        return ";".join(prop.option_label(v) if labels else v for v in parts)
    return str(value)
