"""Why records joined or left a segment, as the membership log stores it (its ``reason``),
and read back in the reader's language.

The log's reason is short (REASON_LENGTH) and written on the hot path of imports and edits:
it keeps a compact English text, readable as it is in ``--json`` and in old rows, built only
here. Its grammar:

- a code: ``filter``, ``manual``, ``import``, ``conversion``, ``repair``, ``dates moved on``;
- a change of properties (internal names): ``region changed``, ``region, city changed``,
  ``a, b, c, d and 3 more changed``;
- ``record deleted``, ``contact deleted``, ``company deleted`` (the record on the other side of
  an association);
- ``associated``, ``associated with acme.com``, ``no longer with acme.com``;
- records changed by hand in a segment another one reads: ``added to 'Name'``,
  ``imported into 'Name'``, ``removed from 'Name'`` (the name cut to 60 characters, quoted as
  Python writes a string);
- ``import: <cause>``: a change of properties, ``new record`` or ``associated``, by an import;
- ``contact: <cause>`` / ``company: <cause>``: the associated record's change (its properties
  are the other object's);
- ``<cause>, via 'A', 'B'``: segments whose members changed in turn, read by this one.

A text longer than REASON_LENGTH is cut and ends with "…". ``describe`` parses a stored text
back into a message (the properties by their label in the language); what it does not read
(a cut text, a text of another version) is shown as stored.
"""

from __future__ import annotations

import ast
import re

from .. import i18n
from ..i18n import N_, Message, nmsg
from .properties import OTHER, SINGULAR
from .stored_messages import Joined, PropertyName, quoted_names

REASON_LENGTH = 200  # the log's reason column is a VARCHAR(255) on PostgreSQL
NAME_LENGTH = 60  # a segment's name in a cause
SHOWN_NAMES = 4  # properties named in a change, the others counted

CODES = ("filter", "manual", "import", "conversion", "repair", "dates moved on")
REPAIR, DATES_MOVED_ON = "repair", "dates moved on"
RECORD_DELETED = "record deleted"
NEW_RECORD = "new record"
ASSOCIATED = "associated"


# ---------------------------------------------------------------- building


def cut(cause: str) -> str:
    """The cause as stored: at most REASON_LENGTH characters."""
    return cause if len(cause) <= REASON_LENGTH else cause[: REASON_LENGTH - 1] + "…"


def changed(names) -> str:
    """"region changed", "region, city changed", "region, city and 3 more changed"."""
    names = sorted(names)
    shown = ", ".join(names[:SHOWN_NAMES])
    more = len(names) - SHOWN_NAMES
    return f"{shown} and {more} more changed" if more > 0 else f"{shown} changed"


def imported(cause: str) -> str:
    """``cause`` (a change, NEW_RECORD or ASSOCIATED) made by an import."""
    return f"import: {cause}"


def deleted(object_type: str) -> str:
    """The record of ``object_type`` on the other side of an association was deleted."""
    return f"{SINGULAR[object_type]} deleted"


def associated_with(domain: str) -> str:
    return f"associated with {domain}"


def no_longer_with(domain: str) -> str:
    return f"no longer with {domain}"


def _quoted(name: str) -> str:
    return repr(name[:NAME_LENGTH])


def added_to(segment_name: str) -> str:
    return f"added to {_quoted(segment_name)}"


def imported_into(segment_name: str) -> str:
    return f"imported into {_quoted(segment_name)}"


def removed_from(segment_name: str) -> str:
    return f"removed from {_quoted(segment_name)}"


def across(object_type: str, cause: str) -> str:
    """``cause`` happened to records of ``object_type`` associated with the ones that moved."""
    return f"{SINGULAR[object_type]}: {cause}"


def via(cause: str, segment_names) -> str:
    """``cause`` reached this segment through the members of ``segment_names``."""
    return f"{cause}, via " + ", ".join(_quoted(name) for name in segment_names)


# ---------------------------------------------------------------- reading

_NAMED = r"(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
_VIA = re.compile(rf"(?P<cause>.+), via (?P<names>{_NAMED}(?:, {_NAMED})*)", re.S)
_CHANGED = re.compile(r"(?P<names>[a-z][a-z0-9_]*(?:, [a-z][a-z0-9_]*)*)(?: and (?P<more>\d+) more)? changed")
_ACROSS = re.compile(r"(?P<object>contact|company): (?P<cause>.+)", re.S)
_BY_HAND = re.compile(rf"(?P<how>added to|imported into|removed from) (?P<name>{_NAMED})", re.S)
_WITH = re.compile(r"(?P<how>associated with|no longer with) (?P<domain>\S+)")
_OBJECT_OF = {singular: object_type for object_type, singular in SINGULAR.items()}

WORDS = {
    REPAIR: N_("repair"),
    DATES_MOVED_ON: N_("dates moved on"),
    RECORD_DELETED: N_("record deleted"),
    "contact deleted": N_("contact deleted"),
    "company deleted": N_("company deleted"),
    ASSOCIATED: N_("associated"),
    NEW_RECORD: N_("new record"),
}
BY_HAND = {"added to": N_("added to {name}"), "imported into": N_("imported into {name}"),
           "removed from": N_("removed from {name}")}
WITH = {"associated with": N_("associated with {domain}"), "no longer with": N_("no longer with {domain}")}
ACROSS = {"contact": N_("contact: {cause}"), "company": N_("company: {cause}")}


def describe(text: str | None, object_type: str) -> Message | None:
    """A stored cause as a message (None when it does not follow the grammar: show it as
    stored). ``object_type``: the segment's, whose properties a change names."""
    if not text:
        return None
    if text in WORDS:
        return Message(WORDS[text])
    if (found := _CHANGED.fullmatch(text)) is not None:
        names = [PropertyName(object_type, name) for name in found["names"].split(", ")]
        more = int(found["more"] or 0)
        listed = nmsg("{names} and {n} more", "{names} and {n} more", more, names=Joined(names)) if more else Joined(names)
        # TRANSLATORS: {properties} are property labels: "region, city" / "region, city and 3 more"
        return nmsg("{properties} changed", "{properties} changed", len(names) + more, properties=listed)
    if text.startswith("import: "):
        inner = describe(text[len("import: "):], object_type)
        return Message("import: {cause}", cause=inner) if inner is not None else None
    if (found := _BY_HAND.fullmatch(text)) is not None:
        return Message(BY_HAND[found["how"]], name=_names_in(found["name"]))
    if (found := _WITH.fullmatch(text)) is not None:
        return Message(WITH[found["how"]], domain=found["domain"])
    if (found := _VIA.fullmatch(text)) is not None:
        inner = describe(found["cause"], object_type)
        if inner is not None:
            return Message("{cause}, via {segments}", cause=inner, segments=_names_in(found["names"]))
    if (found := _ACROSS.fullmatch(text)) is not None:
        other = _OBJECT_OF[found["object"]]
        if other == OTHER.get(object_type, other):
            inner = describe(found["cause"], other)
            if inner is not None:
                return Message(ACROSS[found["object"]], cause=inner)
    return None


def _names_in(text: str) -> Joined:
    """Names stored quoted as Python quotes them, quoted as the reader's language does."""
    return quoted_names(ast.literal_eval(name) for name in re.findall(_NAMED, text))


def shown(text: str | None, object_type: str) -> str:
    """A stored cause in the reader's language: as stored in English (it is English), parsed
    and translated in another language, as stored when it does not parse."""
    if not text or i18n.language() == i18n.ENGLISH:
        return text or ""
    message = describe(text, object_type)
    return str(message) if message is not None else text
