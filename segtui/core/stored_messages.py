"""Messages kept in the database as their English template and parameters, so that what was
written in one language reads in the reader's (the audit log's summaries).

A stored message is JSON: ``{"template": ..., "params": {...}}`` (a plural one adds
``"plural"`` and ``"n"``). A parameter is plain JSON (a name, an id: shown as stored) or one
of the kinds below, each a JSON object with one distinctive key, read back as an object
that shows itself in the language of the moment:

- a nested message: ``{"template": ..., "params": ...}``;
- ``Count``: ``{"count": n}``, a number the English log always wrote without grouping;
- ``Number``: ``{"number": n}``, grouped in every language (1,234 / 1 234);
- ``PropertyName``: ``{"property": name, "object": type}``, the internal name in English (as
  the log always wrote it), the property's label in another language;
- ``Label``: ``{"label": text, "property": name}``, a label as it was; a built-in property's
  seeded label reads in the language;
- ``Joined``: ``{"join": [...], "sep": "; "}``, parts shown one after the other;
- ``Quoted``: ``{"quoted": text}``, a name quoted as the reader's language quotes it ('X' in
  English, as the log always wrote it; « X » in French);
- ``Sentence``: ``{"sentence": ...}``, its first letter made upper case and a full stop added.

A template stored with a count before the count had its plural form (``Added {n} record(s) by
hand``) is read back as the plural message it became (``current``): an old row says ``1 fiche``
and ``2 fiches`` as a new one does (its English summary stays as written).

``english()`` renders any of them in English without touching the process's language (the
``summary`` column keeps that rendering: what ``--json``, older readers and rows written
before the template was stored show).
"""

from __future__ import annotations

import json
from functools import cache

from .. import i18n
from ..i18n import Message


class Count:
    __slots__ = ("n",)

    def __init__(self, n: int) -> None:
        self.n = n

    def __str__(self) -> str:
        return str(self.n) if i18n.language() == i18n.ENGLISH else i18n.number(self.n)

    def english(self) -> str:
        return str(self.n)

    def encode(self) -> dict:
        return {"count": self.n}


class Number(Count):
    __slots__ = ()

    def __str__(self) -> str:
        return i18n.number(self.n)

    def english(self) -> str:
        return f"{self.n:,}"

    def encode(self) -> dict:
        return {"number": self.n}


class PropertyName:
    __slots__ = ("name", "object_type")

    def __init__(self, object_type: str, name: str) -> None:
        self.object_type, self.name = object_type, name

    def __str__(self) -> str:
        if i18n.language() == i18n.ENGLISH:
            return self.name
        from .properties import all_properties, label_of

        prop = all_properties(self.object_type).get(self.name) if self.object_type in ("contacts", "companies") else None
        return label_of(prop) if prop is not None else self.name

    def english(self) -> str:
        return self.name

    def encode(self) -> dict:
        return {"property": self.name, "object": self.object_type}


class Label:
    __slots__ = ("name", "label")

    def __init__(self, name: str, label: str) -> None:
        self.name, self.label = name, label

    def __str__(self) -> str:
        from .properties import seeded_label

        return seeded_label(self.name, self.label)

    def __repr__(self) -> str:  # a template may quote it: {label!r}
        return repr(str(self))

    def english(self) -> str:
        return self.label

    def encode(self) -> dict:
        return {"label": self.label, "property": self.name}


class Joined:
    __slots__ = ("parts", "sep")

    def __init__(self, parts, sep: str = ", ") -> None:
        self.parts, self.sep = list(parts), sep

    def __str__(self) -> str:
        return i18n.separator(self.sep).join(str(p) for p in self.parts)

    def __bool__(self) -> bool:
        return bool(self.parts)

    def english(self) -> str:
        return self.sep.join(english(p) for p in self.parts)

    def encode(self) -> dict:
        return {"join": [encode(p) for p in self.parts], "sep": self.sep}


class Quoted:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return i18n.quoted(self.text)

    def english(self) -> str:
        return repr(self.text)

    def encode(self) -> dict:
        return {"quoted": self.text}


def quoted_names(names) -> Joined:
    """'A', 'B' / « A », « B »: names quoted in the reader's language, one after the other."""
    return Joined([Quoted(name) for name in names], ", ")


class Sentence:
    __slots__ = ("inner",)

    def __init__(self, inner) -> None:
        self.inner = inner

    @staticmethod
    def _made(text: str) -> str:
        return text[0].upper() + text[1:] + "." if text else text

    def __str__(self) -> str:
        return self._made(str(self.inner))

    def english(self) -> str:
        return self._made(english(self.inner))

    def encode(self) -> dict:
        return {"sentence": encode(self.inner)}


_KINDS = (Count, PropertyName, Label, Joined, Quoted, Sentence)
_PLAIN = (str, int, float, bool, type(None))


def english(value) -> str | object:
    """``value`` in English: a message and every kind rendered, plain values as they are (a
    template's ``{name!r}`` still quotes a name)."""
    if isinstance(value, Message):
        params = {key: _english_param(v) for key, v in value.params.items()}
        if value.plural is not None:
            return (value.template if value.count == 1 else value.plural).format(n=f"{value.count:,}", **params)
        return value.template.format(**params) if value.params else value.template
    if isinstance(value, _KINDS):
        return value.english()
    return value if isinstance(value, str) else str(value)


def _english_param(value):
    return english(value) if isinstance(value, (Message, *_KINDS)) else value


# the templates written before their count had its plural form (the audit's, issue 16)
OLD_CREATED = {
    ("active", "contacts"): "Created active contacts segment {name!r} with {n} members",
    ("active", "companies"): "Created active companies segment {name!r} with {n} members",
    ("static", "contacts"): "Created static contacts segment {name!r} with {n} members",
    ("static", "companies"): "Created static companies segment {name!r} with {n} members",
}
OLD_RETYPED = {
    "contacts": "Changed contacts property {label!r} from {old} to {new} ({n} values converted)",
    "companies": "Changed companies property {label!r} from {old} to {new} ({n} values converted)",
}
OLD_FROZEN = "Converted {name!r} to static ({n} members frozen)"
OLD_ADDED, OLD_REMOVED = "Added {n} record(s) by hand", "Removed {n} record(s) by hand"
OLD_MADE = "Made {name!r} from {region} of {segments} ({n} records)"
OLD_ASSOCIATED = {"contacts": "Associated contact #{id} with {n} companies ({new} new). {effect}",
                  "companies": "Associated company #{id} with {n} contacts ({new} new). {effect}"}
OLD_DRIFT = "{missing} record(s) its filters select are not members, {extra} member(s) they do not select"
OLD_REPLAY = "the log replays to {log_only} member(s) not stored and misses {unlogged}"
OLD_JOINED, OLD_LEFT = "{n} joined {segments} segment(s)", "{n} left {segments} segment(s)"


def _count(value) -> int:
    value = value.n if isinstance(value, Count) else value
    if not isinstance(value, int):
        raise TypeError(f"not a count: {value!r}")
    return value


@cache
def _rewritten() -> dict:
    """Each old template and how its message (its parameters, its count) makes the one it became."""
    from .associations import associated_many
    from .check import EXTRA, MISSING, NOT_STORED, UNLOGGED
    from .conversions import FROZEN
    from .follow import JOINED, LEFT, SEGMENTS
    from .membership import ADDED_BY_HAND, REMOVED_BY_HAND
    from .overlap import MADE
    from .property_admin import AUDIT
    from .segments import CREATED

    def counted(pair):  # the count {n} now chooses the form
        return lambda m: i18n.nmsg(*pair, _count(m.params["n"]), **{k: v for k, v in m.params.items() if k != "n"})

    def associated(object_type):
        return lambda m: associated_many(object_type, m.params["id"], _count(m.params["n"]), _count(m.params["new"]),
                                         m.params["effect"])

    def both(first, first_key, second, second_key):  # two counts, each with its own plural
        return lambda m: Joined([i18n.nmsg(*first, _count(m.params[first_key])),
                                 i18n.nmsg(*second, _count(m.params[second_key]))], ", ")

    def in_segments(pair):  # a plural message by its records, the segments counted in their own words
        return lambda m: i18n.nmsg(*pair, _count(m.count), segments=i18n.nmsg(*SEGMENTS, _count(m.params["segments"])))

    return {**{OLD_CREATED[kind]: counted(CREATED[kind]) for kind in OLD_CREATED},
            **{OLD_RETYPED[kind]: counted(AUDIT["retype"][kind]) for kind in OLD_RETYPED},
            **{OLD_ASSOCIATED[kind]: associated(kind) for kind in OLD_ASSOCIATED},
            OLD_FROZEN: counted(FROZEN), OLD_ADDED: counted(ADDED_BY_HAND), OLD_REMOVED: counted(REMOVED_BY_HAND),
            OLD_MADE: counted(MADE), OLD_DRIFT: both(MISSING, "missing", EXTRA, "extra"),
            OLD_REPLAY: both(NOT_STORED, "log_only", UNLOGGED, "unlogged"),
            OLD_JOINED: in_segments(JOINED), OLD_LEFT: in_segments(LEFT)}


def current(message: Message):
    """``message`` as it is written today: one stored before its counts had their plural forms
    becomes what it became (a message, or two joined); one whose parameters do not fit stays as
    it was."""
    rewrite = _rewritten().get(message.template)
    if rewrite is None:
        return message
    try:
        return rewrite(message)
    except (KeyError, TypeError):
        return message


def encode(value):
    """A message or parameter as JSON-able data; TypeError for what cannot be stored."""
    if isinstance(value, Message):
        data = {"template": value.template, "params": {key: encode(v) for key, v in value.params.items()}}
        if value.plural is not None:
            data.update(plural=value.plural, n=value.count)
        return data
    if isinstance(value, _KINDS):
        return value.encode()
    if isinstance(value, _PLAIN):
        return value
    raise TypeError(f"a stored message cannot hold {type(value).__name__}: {value!r}")


def decode(data):
    """What ``encode`` made, back as a message or parameter (unknown shapes as they are)."""
    if not isinstance(data, dict):
        return data
    if "template" in data:
        params = {key: decode(v) for key, v in (data.get("params") or {}).items()}
        message = Message(data["template"], **params)
        if data.get("plural") is not None:
            message.plural, message.count = data["plural"], data.get("n", 0)
        return current(message)
    if "count" in data:
        return Count(data["count"])
    if "number" in data:
        return Number(data["number"])
    if "join" in data:
        return Joined([decode(p) for p in data["join"]], data.get("sep", ", "))
    if "sentence" in data:
        return Sentence(decode(data["sentence"]))
    if "quoted" in data:
        return Quoted(data["quoted"])
    if "label" in data:
        return Label(data.get("property", ""), data["label"])
    if "property" in data:
        return PropertyName(data.get("object", ""), data["property"])
    return data


def to_columns(message: Message) -> tuple[str, str, str]:
    """(English summary, template, params as JSON) for the audit entry's columns."""
    data = encode(message)
    rest = {key: v for key, v in data.items() if key != "template"}
    return english(message), data["template"], json.dumps(rest, sort_keys=True, ensure_ascii=False)


def message_of(summary: str, template: str | None, params: str | None, action: str | None = None) -> Message | None:
    """The message an audit row was made from: its stored template and parameters, or for a row
    written before they were stored (migration 0006), its summary read back when that is
    exactly one of its action's known sentences (``old_summaries``); None otherwise."""
    if not template:
        from .old_summaries import read

        return read(action, summary) if action else None
    try:
        data = json.loads(params or "{}")
        return decode({"template": template, **data})
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


def from_columns(summary: str, template: str | None, params: str | None, action: str | None = None) -> str:
    """The stored message in the language of the moment (``message_of``); the stored summary
    as it is in English, and for a row whose message cannot be read."""
    if i18n.language() == i18n.ENGLISH:
        return summary
    message = message_of(summary, template, params, action)
    if message is None:
        return summary
    try:
        return str(message)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return summary
