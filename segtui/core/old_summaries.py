"""Audit entries written before their message was stored (migration 0006): only their English
sentence is there. One that is exactly a known sentence whose parameters are names, counts and
codes is read back into its message, and so reads in the reader's language; any other (a
sentence with a nested one inside: an import's counts, what an edit did to the segments) is
shown as it was written.
"""

from __future__ import annotations

import ast
import re
import string
from functools import cache

from ..i18n import Message
from .stored_messages import OLD_ADDED, OLD_CREATED, OLD_FROZEN, OLD_REMOVED, OLD_RETYPED, Count, Label, current

_QUOTED = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""
_COUNTS = {"n", "added", "removed"}
_TOKENS = {"name", "type", "old", "new", "due", "applied", "email", "domain"}  # a word without spaces
_FREE = {"folder", "schedule"}  # a folder's path; the schedule's JSON


@cache
def _templates() -> dict[str, tuple[str, ...]]:
    """The sentences of the audit as they were written before 0006, by action."""
    from .property_admin import AUDIT

    return {
        "create": tuple(OLD_CREATED.values()),
        "rename": ("Renamed {old!r} to {new!r}",),
        "edit_filters": ("Edited the filters of {name!r} (+{added}, -{removed})",),
        "clone": ("Cloned {source!r} as {name!r}",),
        "delete": ("Deleted {name!r}",),
        "restore": ("Restored {name!r}",),
        "convert_to_static": (OLD_FROZEN,),
        "convert_to_active": ("Converted {name!r} to active (+{added} added, -{removed} removed)",),
        "set_schedule": ("Automatic conversion of {name!r}: {schedule}",),
        "auto_convert_to_static": ("Converted {name!r} to static automatically (due {due}, applied {applied})",),
        "add_records": (OLD_ADDED,),
        "remove_records": (OLD_REMOVED,),
        "create_folder": ("Created folder {path!r}",),
        "rename_folder": ("Renamed folder {old!r} to {new!r}",),
        "delete_folder": ("Deleted folder {path!r}",),
        "move": ("Moved {name!r} to the top", "Moved {name!r} to {folder}"),
        "describe": ("Described {name!r}", "Cleared the description of {name!r}"),
        "create_property": tuple(AUDIT["create"].values()),
        "edit_property": tuple(AUDIT["edit"].values()),
        "archive_property": tuple(AUDIT["archive"].values()),
        "restore_property": tuple(AUDIT["restore"].values()),
        "retype_property": tuple(OLD_RETYPED.values()),
    }


def _field_pattern(name: str, conversion: str | None) -> str:
    if conversion == "r":
        return _QUOTED
    if name in _COUNTS:
        return r"\d[\d,]*"
    if name in _TOKENS:
        return r"\S+"
    if name in _FREE:
        return r".+"
    raise ValueError(f"no pattern for the field {name!r}")


@cache
def _compiled(template: str) -> tuple[re.Pattern, tuple[tuple[str, str | None], ...]]:
    pattern, fields = [], []
    for literal, name, _spec, conversion in string.Formatter().parse(template):
        pattern.append(re.escape(literal))
        if name is not None:
            pattern.append(f"({_field_pattern(name, conversion)})")
            fields.append((name, conversion))
    return re.compile("".join(pattern), re.S), tuple(fields)


def read(action: str, summary: str) -> Message | None:
    """The message an old entry's English ``summary`` was made from, as it is written today
    (``stored_messages.current``), or None if it is not exactly one of the known sentences of its action."""
    message = parse(action, summary)
    return None if message is None else current(message)


def parse(action: str, summary: str) -> Message | None:
    """The message an old entry's English ``summary`` was made from, as it was then."""
    for template in _templates().get(action, ()):
        pattern, fields = _compiled(template)
        found = pattern.fullmatch(summary)
        if found is None:
            continue
        params: dict[str, object] = {}
        for (name, conversion), text in zip(fields, found.groups(), strict=True):
            if conversion == "r":
                params[name] = ast.literal_eval(text)
            elif name in _COUNTS:
                params[name] = Count(int(text.replace(",", "")))
            else:
                params[name] = text
        if "label" in params and "name" in params:  # a built-in property's seeded label in the language
            params["label"] = Label(str(params["name"]), str(params["label"]))
        return Message(template, **params)
    return None
