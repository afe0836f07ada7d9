"""Text from the data, made safe to show in a terminal."""

from __future__ import annotations


def printable(value: object, *, limit: int | None = None) -> str:
    """Control, format and bidi-override characters become visible escapes; long text is cut."""
    text = "" if value is None else str(value)
    head = text if limit is None else text[: limit + 1]
    shown = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in head)
    if limit is not None and len(text) > limit:
        shown = shown[:limit] + "…"
    return shown
