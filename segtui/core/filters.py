"""Filter trees (SPEC §3, §8): validate, compile to SQL, describe, explain.

A tree is ``{"groups": [{"filters": [...]}, ...]}``: groups are OR'ed, the filters of a
group AND'ed. ``validate`` turns user input into a normalised tree; everything else
expects a normalised tree.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import operator
import re
from dataclasses import dataclass
from functools import reduce

import pendulum
from peewee import SQL, NodeList, Value, fn

from .. import i18n
from ..i18n import N_, Message, _, ngettext
from . import properties as registry
from .display import format_number
from .errors import InvalidFilter, RecordNotFound, SegmentNotFound
from .kinds import records_word
from .models import RECORD_MODELS, Association, Membership
from .properties import BOOLEAN, DATE, DATETIME, ENUMERATION, MULTIPLE, NUMBER, OTHER, TEXT

MEMBERSHIP = "membership"
ASSOCIATION = "association"
MAX_DAYS = 36500
# What one filter definition may hold, checked before any SQL is built: both databases run
# every definition within these (SQLite's parser gives up on deeper SQL, around 80 OR groups
# or 100 AND filters, while PostgreSQL accepted 400), and a hostile file cannot make the
# JSON reader recurse. The README states them.
MAX_GROUPS = 20
MAX_FILTERS = 20
MAX_VALUES = 1000
MAX_NESTING = 8
MAX_AT_LEAST = 1_000_000
# the association table's column for each side
ASSOCIATION_SIDE = {"contacts": "contact", "companies": "company"}
EMPTY_TREE = {"groups": []}


@dataclass(frozen=True)
class OperatorSpec:
    name: str
    text: str  # the English label, marked: ``label`` is it in the language
    shape: str  # none | value | values | range | days | date | date_range | segment

    @property
    def label(self) -> str:
        return _(self.text)


def _specs(*rows: tuple[str, str, str]) -> list[OperatorSpec]:
    return [OperatorSpec(*row) for row in rows]


_KNOWN = (("is_known", N_("is known"), "none"), ("is_unknown", N_("is unknown"), "none"))

OPERATORS: dict[str, list[OperatorSpec]] = {
    TEXT: _specs(
        ("is_any_of", N_("is any of"), "values"),
        ("is_none_of", N_("is none of"), "values"),
        ("contains", N_("contains"), "value"),
        ("not_contains", N_("does not contain"), "value"),
        ("starts_with", N_("starts with"), "value"),
        ("ends_with", N_("ends with"), "value"),
        *_KNOWN,
    ),
    NUMBER: _specs(
        ("eq", N_("is equal to"), "value"),
        ("neq", N_("is not equal to"), "value"),
        ("lt", N_("is less than"), "value"),
        ("lte", N_("is less than or equal to"), "value"),
        ("gt", N_("is greater than"), "value"),
        ("gte", N_("is greater than or equal to"), "value"),
        ("between", N_("is between"), "range"),
        *_KNOWN,
    ),
    DATE: _specs(
        ("on", N_("is on"), "date"),
        ("before", N_("is before"), "date"),
        ("after", N_("is after"), "date"),
        ("between", N_("is between"), "date_range"),
        ("less_than_days_ago", N_("is less than N days ago"), "days"),
        ("more_than_days_ago", N_("is more than N days ago"), "days"),
        ("less_than_days_from_now", N_("is less than N days from now"), "days"),
        ("more_than_days_from_now", N_("is more than N days from now"), "days"),
        *_KNOWN,
    ),
    ENUMERATION: _specs(
        ("is_any_of", N_("is any of"), "values"),
        ("is_none_of", N_("is none of"), "values"),
        *_KNOWN,
    ),
    BOOLEAN: _specs(("is_true", N_("is true"), "none"), ("is_false", N_("is false"), "none"), *_KNOWN),
    MULTIPLE: _specs(
        ("contains_any", N_("contains any of"), "values"),
        ("contains_all", N_("contains all of"), "values"),
        ("contains_none", N_("contains none of"), "values"),
        *_KNOWN,
    ),
    MEMBERSHIP: _specs(
        ("in_segment", N_("is member of segment"), "segment"),
        ("not_in_segment", N_("is not member of segment"), "segment"),
    ),
}

OPERATORS[DATETIME] = OPERATORS[DATE]  # compared by the day in the account time zone
RELATIVE_DATE_OPERATORS = frozenset(s.name for s in OPERATORS[DATE] if s.shape == "days")
# The key each shape carries its operand in.
_OPERAND_KEY = {
    "none": None,
    "value": "value",
    "date": "value",
    "days": "value",
    "values": "values",
    "range": "values",
    "date_range": "values",
    "segment": "segment",
}
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def operators_for(property_type: str) -> list[OperatorSpec]:
    return OPERATORS[property_type]


def _spec(property_type: str, name: str) -> OperatorSpec | None:
    return next((s for s in OPERATORS[property_type] if s.name == name), None)


def parse_json(text: str) -> dict:
    if _nesting(text) > MAX_NESTING:
        raise InvalidFilter("Filters are nested too deep: a filter definition has at most {limit} levels of [ ] and "
                            "{{ }}", limit=MAX_NESTING)
    try:
        tree = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidFilter("Filters are not valid JSON: line {line} column {column}: {problem}",
                            line=exc.lineno, column=exc.colno, problem=exc.msg) from None
    if not isinstance(tree, dict):
        raise InvalidFilter("Filters must be a JSON object with a 'groups' list")
    return tree


def _nesting(text: str) -> int:
    """How deep [ ] and { } nest outside strings, counted without recursion (json.loads recurses)."""
    deepest = depth = 0
    for token in _BRACKETS.findall(text):
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def dumps(tree) -> str:
    return json.dumps(tree, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# ---------------------------------------------------------------- validation


def validate(tree, object_type: str, *, resolve_segment) -> dict:
    if object_type not in RECORD_MODELS:
        raise InvalidFilter("Unknown object type {object_type!r}", object_type=object_type)
    registry.ensure_fresh()
    if not isinstance(tree, dict):
        raise InvalidFilter("Filters must be a JSON object with a 'groups' list")
    for key in tree:
        if key != "groups":
            raise InvalidFilter("Filters: unknown key {key!r}", key=key)
    groups = tree.get("groups")
    if not isinstance(groups, list):
        raise InvalidFilter("'groups' must be a list")
    if len(groups) > MAX_GROUPS:
        raise InvalidFilter("Filters have {count} groups: at most {limit} groups joined by OR",
                            count=i18n.number(len(groups)), limit=MAX_GROUPS)
    for g, group in enumerate(groups, 1):
        if isinstance(group, dict) and isinstance(group.get("filters"), list) and len(group["filters"]) > MAX_FILTERS:
            raise InvalidFilter("Group {group} has {count} filters: at most {limit} filters joined by AND in a group",
                                group=g, count=i18n.number(len(group["filters"])), limit=MAX_FILTERS)
    out = []
    for g, group in enumerate(groups, 1):
        if not isinstance(group, dict) or not isinstance(group.get("filters"), list):
            raise InvalidFilter("Group {group} must be an object with a 'filters' list", group=g)
        extra = sorted(set(group) - {"filters"})
        if extra:
            raise InvalidFilter("Group {group}: unknown key {key!r}", group=g, key=extra[0])
        if not group["filters"]:
            raise InvalidFilter("Group {group} has no filters", group=g)
        out.append(
            {
                "filters": [
                    _validate_filter(f, object_type, resolve_segment, Message("Group {group}, filter {filter}",
                                                                              group=g, filter=i))
                    for i, f in enumerate(group["filters"], 1)
                ]
            }
        )
    return {"groups": out}


def _validate_filter(f, object_type, resolve_segment, where, *, inside=False) -> dict:
    if not isinstance(f, dict):
        raise InvalidFilter("{where} must be an object", where=where)
    if "association" in f:
        if inside:
            raise InvalidFilter("{where}: an association filter cannot hold another association filter", where=where)
        return _validate_association(f, object_type, resolve_segment, where)
    for key in f:
        if key not in ("property", "segment", "operator", "value", "values"):
            raise InvalidFilter("{where}: unknown key {key!r}", where=where, key=key)
    if "property" in f and "segment" in f:
        raise InvalidFilter("{where}: give either 'property' or 'segment', not both", where=where)
    op = f.get("operator")
    if not isinstance(op, str) or not op:
        raise InvalidFilter("{where}: missing 'operator'", where=where)

    if "segment" in f:
        if inside:
            raise InvalidFilter("{where}: inside an association filter only property filters apply", where=where)
        spec = _spec(MEMBERSHIP, op)
        if spec is None:
            raise InvalidFilter("{where}: operator {operator!r} does not apply to segment membership",
                                where=where, operator=op)
        _check_operand_keys(f, spec, where, ("segment", "operator"))
        segment_id = _resolve(f["segment"], object_type, resolve_segment, where)
        return {"segment": segment_id, "operator": op}

    name = f.get("property")
    if not isinstance(name, str) or not name:
        raise InvalidFilter("{where}: needs a 'property' or a 'segment'", where=where)
    prop = registry.get(object_type, name)
    if prop is None:
        raise InvalidFilter("{where}: unknown property {name!r} for {records}", where=where, name=name,
                            records=records_word(object_type))
    if prop.archived:
        raise InvalidFilter("{where}: the property {label!r} ({name}) is archived: restore it to filter on it",
                            where=where, label=registry.label_of(prop), name=name)
    spec = _spec(prop.type, op)
    if spec is None:
        raise InvalidFilter("{where}: operator {operator!r} does not apply to {label} (a {type} property)",
                            where=where, operator=op, label=registry.label_of(prop), type=prop.type)
    _check_operand_keys(f, spec, where, ("property", "operator"))
    out = {"property": name, "operator": op}
    key = _OPERAND_KEY[spec.shape]
    if key is not None:
        out[key] = _operand(f[key], spec.shape, prop, Message("{where}: {label}", where=where, label=registry.label_of(prop)))
    return out


def _validate_association(f, object_type, resolve_segment, where) -> dict:
    for key in f:
        if key not in ("association", "filters", "negate", "at_least"):
            raise InvalidFilter("{where}: unknown key {key!r} in an association filter", where=where, key=key)
    other = f["association"]
    if other != OTHER[object_type]:
        raise InvalidFilter("{where}: {records} are associated with {others}, not {given!r}", where=where,
                            records=records_word(object_type), others=records_word(OTHER[object_type]), given=other)
    inner = f.get("filters", [])
    if not isinstance(inner, list):
        raise InvalidFilter("{where}: 'filters' of an association filter must be a list", where=where)
    if len(inner) > MAX_FILTERS:
        raise InvalidFilter("{where} has {count} filters on the associated {others}: at most {limit}", where=where,
                            count=i18n.number(len(inner)), others=records_word(other), limit=MAX_FILTERS)
    negate = f.get("negate", False)
    if not isinstance(negate, bool):
        raise InvalidFilter("{where}: 'negate' must be true or false", where=where)
    out = {"association": other, "filters": [
        _validate_filter(g, other, resolve_segment, _associated_where(where, other, i), inside=True)
        for i, g in enumerate(inner, 1)
    ]}
    if "at_least" in f:
        n = f["at_least"]
        if negate:
            raise InvalidFilter("{where}: give either 'negate' or 'at_least', not both", where=where)
        if isinstance(n, str) and n.strip().isdigit():
            n = int(n.strip())
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_AT_LEAST:
            raise InvalidFilter("{where}: 'at_least' needs a whole number from 1 to {limit}, got {given!r}",
                                where=where, limit=i18n.number(MAX_AT_LEAST), given=n)
        if n > 1:
            out["at_least"] = n
    if negate:
        out["negate"] = True
    return out


def _associated_where(where, other: str, i: int) -> Message:
    if other == "companies":
        return Message("{where}, associated company filter {filter}", where=where, filter=i)
    return Message("{where}, associated contact filter {filter}", where=where, filter=i)


THIS_FILTER = Message("This filter")


def validate_filter(f, object_type: str, *, resolve_segment, where: str | Message = THIS_FILTER) -> dict:
    """One filter alone, normalised; ``where`` starts each message (the console shows it in place)."""
    if object_type not in RECORD_MODELS:
        raise InvalidFilter("Unknown object type {object_type!r}", object_type=object_type)
    return _validate_filter(f, object_type, resolve_segment, where)


def _check_operand_keys(f, spec, where, base) -> None:
    key = _OPERAND_KEY[spec.shape]
    extra = sorted(set(f) - set(base) - {key})
    if extra:
        if key is None:
            raise InvalidFilter("{where}: operator {operator!r} takes no value", where=where, operator=spec.name)
        raise InvalidFilter("{where}: operator {operator!r} takes {key!r}, not {given!r}", where=where,
                            operator=spec.name, key=key, given=extra[0])
    if key is not None and key not in f:
        raise InvalidFilter("{where}: operator {operator!r} needs a {key!r}", where=where, operator=spec.name, key=key)


def _resolve(ref, object_type, resolve_segment, where) -> int:
    if isinstance(ref, str):
        ref = ref.strip()
    if isinstance(ref, bool) or not isinstance(ref, (int, str)) or ref == "":
        raise InvalidFilter("{where}: 'segment' must be a segment id or name", where=where)
    try:
        segment_id, segment_type = resolve_segment(ref)
    except SegmentNotFound as exc:
        raise InvalidFilter("{where}: {problem}", where=where, problem=exc.text) from None
    if segment_type != object_type:
        if object_type == "companies":
            raise InvalidFilter("{where}: segment {ref!r} is a contacts segment; companies filters can only use "
                                "companies segments", where=where, ref=ref)
        raise InvalidFilter("{where}: segment {ref!r} is a companies segment; contacts filters can only use "
                            "contacts segments", where=where, ref=ref)
    return segment_id


def _operand(raw, shape, prop, where):
    """``where`` is "Group g, filter i: property" so messages read naturally."""
    if shape in ("values", "range", "date_range"):
        if not isinstance(raw, list) or not raw:
            raise InvalidFilter("{where} needs a non-empty list of values, got {given!r}", where=where, given=raw)
        if shape == "values":
            if len(raw) > MAX_VALUES:
                raise InvalidFilter("{where} has {count} values: at most {limit}", where=where,
                                    count=i18n.number(len(raw)), limit=i18n.number(MAX_VALUES))
            values = [_text(v, prop, where) for v in raw]
            return list(dict.fromkeys(values))  # drop repeats, keep order
        if len(raw) != 2:
            raise InvalidFilter("{where} needs two values for 'between', got {count}", where=where, count=len(raw))
        one = _number if shape == "range" else _date
        low, high = one(raw[0], where), one(raw[1], where)
        if low > high:
            raise InvalidFilter("{where} is between {low} and {high}: the first value is greater than the second",
                                where=where, low=low, high=high)
        return [low, high]
    if shape == "value":
        return _number(raw, where) if prop.type == NUMBER else _text(raw, prop, where)
    if shape == "date":
        return _date(raw, where)
    if shape == "days":
        return _days(raw, where)
    raise AssertionError(shape)


def _text(raw, prop, where) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidFilter("{where} needs a non-empty text value, got {given!r}", where=where, given=raw)
    value = raw.strip()
    if "\x00" in value:
        raise InvalidFilter("{where} cannot contain a NUL character (\\x00), got {given!r}", where=where, given=raw)
    if prop.type in (ENUMERATION, MULTIPLE):
        wanted = value.casefold()
        match = next((o.value for o in prop.live_choices
                      if o.value.casefold() == wanted or o.label.casefold() == wanted), None)
        if match is None:
            raise InvalidFilter("{where} has no option {value!r} (options: {options})", where=where, value=value,
                                options=", ".join(prop.options))
        return match
    return value


def _number(raw, where):
    value = raw
    if isinstance(raw, str):  # typed into a form, as the language writes numbers ("1,5" in French)
        try:
            value = float(raw)
        except ValueError:
            try:
                value = _typed_number(raw)
            except ValueError:
                pass
        else:
            value = int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 1e308:
        raise InvalidFilter("{where} is too large a number ({digits} digits)", where=where, digits=len(str(abs(value))))
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidFilter("{where} needs a number, got {given!r}", where=where, given=raw)
    return value


def _typed_number(raw: str):
    """A number as the language writes it, when it is not Python's ("1,5" in French)."""
    if i18n.decimal(0.5)[1] != ",":
        raise ValueError(raw)
    value = i18n.parse_number(raw)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _date(raw, where) -> str:
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw.isoformat()
    if isinstance(raw, str) and _DATE_RE.fullmatch(raw.strip()):
        try:
            return pendulum.from_format(raw.strip(), "YYYY-MM-DD").date().isoformat()
        except ValueError:
            pass
    raise InvalidFilter("{where} needs a date as YYYY-MM-DD, got {given!r}", where=where, given=raw)


def _days(raw, where) -> int:
    if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
        raw = int(raw.strip())
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_DAYS:
        raise InvalidFilter("{where} needs a whole number of days from 0 to {limit}, got {given!r}", where=where,
                            limit=MAX_DAYS, given=raw)
    return raw


# ---------------------------------------------------------------- compilation

NOTHING = SQL("1 = 0")


def compile_tree(tree: dict, object_type: str, *, today: pendulum.Date, tz: str = "UTC", few: bool = False):
    """The filters as a WHERE condition. ``few``: for a query restricted to a few records (an
    edit followed, a record tested), association filters are probed per record instead of
    computed for the whole table."""
    groups = [
        reduce(operator.and_, [compile_filter(f, object_type, today=today, tz=tz, few=few) for f in g["filters"]])
        for g in tree.get("groups", [])
        if g.get("filters")
    ]
    return reduce(operator.or_, groups) if groups else NOTHING


def compile_filter(f: dict, object_type: str, *, today, tz: str = "UTC", few: bool = False):
    model = RECORD_MODELS[object_type]
    if "association" in f:
        return _compile_association(f, object_type, today=today, tz=tz, few=few)
    op = f["operator"]
    if "segment" in f:
        # correlated: a probe of the membership key per record, so that evaluating a few
        # records (a record change) never reads the whole of the other segment
        member = Membership.alias()
        found = fn.EXISTS(member.select(SQL("1")).where(
            (member.segment == f["segment"]) & (member.record_id == model.id)))
        return found if op == "in_segment" else ~found

    prop = registry.get(object_type, f["property"])
    if prop is None:
        raise InvalidFilter("The filters use the property {name!r}, which {records} no longer have",
                            name=f["property"], records=records_word(object_type))
    col = getattr(model, prop.column)
    value, values = f.get("value"), f.get("values")
    unknown = col.is_null()
    if prop.type in (TEXT, ENUMERATION, MULTIPLE):
        # HubSpot shows an empty text as no value at all
        unknown = unknown | (col == "")

    if op == "is_known":
        return ~unknown
    if op == "is_unknown":
        return unknown
    if op == "is_true":
        return col == True  # noqa: E712  (SQL, not Python)
    if op == "is_false":
        return col == False  # noqa: E712

    if prop.type == TEXT:
        lowered = fn.LOWER(col)
        if op in ("is_any_of", "is_none_of"):
            match = lowered.in_([fn.LOWER(Value(v)) for v in values])
        else:
            template = {
                "contains": "%{}%",
                "not_contains": "%{}%",
                "starts_with": "{}%",
                "ends_with": "%{}",
            }[op]
            match = _like(lowered, template.format(_escape_like(value)))
        return unknown | ~match if op in ("is_none_of", "not_contains") else match

    if prop.type == ENUMERATION:
        if op == "is_none_of":
            return unknown | col.not_in(values)
        return col.in_(values)

    if prop.type == MULTIPLE:
        has = [_like(col, f"%;{_escape_like(v)};%", lower=False) for v in values]
        if op == "contains_all":
            return reduce(operator.and_, has)
        anyof = reduce(operator.or_, has)
        return unknown | ~anyof if op == "contains_none" else anyof

    if prop.type == DATETIME:
        return _compile_moment(col, op, value, values, today, tz)

    if prop.type == NUMBER:
        if op == "neq":
            return unknown | (col != value)
        if op == "between":
            return col.between(*values)
        return {"eq": operator.eq, "lt": operator.lt, "lte": operator.le,
                "gt": operator.gt, "gte": operator.ge}[op](col, value)

    if prop.type == DATE:
        if op == "on":
            return col == value
        if op == "before":
            return col < value
        if op == "after":
            return col > value
        if op == "between":
            return col.between(*values)
        # as text: sqlite3 cannot bind pendulum.Date (a date subclass)
        span = dt.timedelta(days=value)
        past, now, future = ((today + d).isoformat() for d in (-span, dt.timedelta(0), span))
        return {
            "less_than_days_ago": (col > past) & (col <= now),
            "more_than_days_ago": col < past,
            "less_than_days_from_now": (col >= now) & (col < future),
            "more_than_days_from_now": col > future,
        }[op]

    raise AssertionError(f"no SQL for {prop.type} {op}")


def local_midnight(day, tz: str) -> dt.datetime:
    """The start of ``day`` (a date or YYYY-MM-DD) in ``tz``, as the naive UTC moment a
    date-time column stores."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    moment = pendulum.datetime(day.year, day.month, day.day, tz=tz).in_timezone("UTC")
    return dt.datetime(moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second,
                       tzinfo=dt.UTC).replace(tzinfo=None)


def _compile_moment(col, op, value, values, today, tz):
    """A date-time compared by its day in the account time zone: day boundaries become moments."""

    def start(day) -> dt.datetime:
        return local_midnight(day, tz)

    one = dt.timedelta(days=1)

    def next_day(day):
        return (dt.date.fromisoformat(day) if isinstance(day, str) else day) + one

    if op == "on":
        return (col >= start(value)) & (col < start(next_day(value)))
    if op == "before":
        return col < start(value)
    if op == "after":
        return col >= start(next_day(value))
    if op == "between":
        return (col >= start(values[0])) & (col < start(next_day(values[1])))
    span = dt.timedelta(days=value)
    today = dt.date(today.year, today.month, today.day)
    past, future = today - span, today + span
    return {
        "less_than_days_ago": (col >= start(past + one)) & (col < start(today + one)),
        "more_than_days_ago": col < start(past),
        "less_than_days_from_now": (col >= start(today)) & (col < start(future)),
        "more_than_days_from_now": col >= start(future + one),
    }[op]


def _compile_association(f, object_type, *, today, tz, few=False):
    """``id IN (SELECT <side> FROM association JOIN <other> WHERE <filters> [GROUP BY .. HAVING COUNT >= n])``.

    The set of matching ids is computed once (a semi-join), not per record; "has none" is
    NOT EXISTS, which both databases plan as an anti-join whatever the size. With ``few``
    (a query over a few records: an edit followed) each record's associations are probed
    through the association table's index instead, as ``EXISTS`` or a correlated count:
    the semi-join would read every association whatever the number of records asked about.
    """
    model = RECORD_MODELS[object_type]
    other = f["association"]
    other_model = RECORD_MODELS[other]
    mine = getattr(Association, ASSOCIATION_SIDE[object_type])
    theirs = getattr(Association, ASSOCIATION_SIDE[other])
    inner = [compile_filter(g, other, today=today, tz=tz) for g in f.get("filters", [])]
    if f.get("negate"):
        link = Association.alias("na")
        mine_n, theirs_n = getattr(link, ASSOCIATION_SIDE[object_type]), getattr(link, ASSOCIATION_SIDE[other])
        query = link.select(Value(1)).where(mine_n == model.id)
        if inner:
            query = link.select(Value(1)).join(other_model, on=(other_model.id == theirs_n)).where(
                (mine_n == model.id) & reduce(operator.and_, inner))
        return ~fn.EXISTS(query)
    at_least = f.get("at_least", 1)
    if few:
        link = Association.alias("fa")
        mine_f, theirs_f = getattr(link, ASSOCIATION_SIDE[object_type]), getattr(link, ASSOCIATION_SIDE[other])
        query = link.select(Value(1) if at_least == 1 else fn.COUNT(SQL("*")))
        if inner:
            query = query.join(other_model, on=(other_model.id == theirs_f))
        query = query.where(reduce(operator.and_, [mine_f == model.id, *inner]))
        return fn.EXISTS(query) if at_least == 1 else (query >= at_least)
    query = Association.select(mine)
    if inner:
        query = query.join(other_model, on=(other_model.id == theirs)).where(reduce(operator.and_, inner))
    if at_least > 1:
        query = query.group_by(mine).having(fn.COUNT(theirs) >= at_least)
    return model.id.in_(query)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(lhs, pattern: str, *, lower: bool = True):
    # A raw LIKE: Peewee's .like() is GLOB on SQLite and .ilike() is ILIKE on PostgreSQL.
    rhs = fn.LOWER(Value(pattern)) if lower else Value(pattern)
    return NodeList((lhs, SQL("LIKE"), rhs, SQL("ESCAPE"), Value("\\")), parens=True)


# ---------------------------------------------------------------- questions about a tree


def _filters(tree):
    for group in tree.get("groups", []):
        yield from group.get("filters", [])


def referenced_segments(tree) -> set[int]:
    return {f["segment"] for f in _filters(tree) if isinstance(f.get("segment"), int)}


def referenced_properties(tree) -> set[str]:
    """What the filters read: own property names, ``@companies`` for the associations themselves,
    ``@companies.industry`` for a property of the associated records (what a change to them affects)."""
    found = set()
    for f in _filters(tree):
        if "property" in f:
            found.add(f["property"])
        elif "association" in f:
            found.add(f"@{f['association']}")
            found.update(f"@{f['association']}.{g['property']}" for g in f.get("filters", []) if "property" in g)
    return found


def property_filters(tree, object_type: str, target: str):
    """The property filters of a tree that read ``target``'s properties (inside associations too)."""
    for f in _filters(tree):
        if "property" in f and object_type == target:
            yield f
        elif "association" in f and f["association"] == target:
            yield from (g for g in f.get("filters", []) if "property" in g)


def uses_relative_dates(tree) -> bool:
    def relative(f):
        if "association" in f:
            return any(relative(g) for g in f.get("filters", []))
        return f.get("operator") in RELATIVE_DATE_OPERATORS

    return any(relative(f) for f in _filters(tree))


def has_filters(tree) -> bool:
    return next(_filters(tree), None) is not None


def _shown_number(value) -> str:
    """A number in a description: 12 rather than 12.0, with the language's decimal point."""
    text = format_number(value)
    return text if i18n.language() == i18n.ENGLISH else text.replace(".", i18n.decimal(0.5)[1])


def _days_words(op: str, label: str, n: int) -> str:
    # the digits as typed in the filter (36500, not 36,500)
    if op == "less_than_days_ago":
        return ngettext("{property} is less than {n} day ago", "{property} is less than {n} days ago", n).format(
            property=label, n=n)
    if op == "more_than_days_ago":
        return ngettext("{property} is more than {n} day ago", "{property} is more than {n} days ago", n).format(
            property=label, n=n)
    if op == "less_than_days_from_now":
        return ngettext("{property} is less than {n} day from now", "{property} is less than {n} days from now",
                        n).format(property=label, n=n)
    return ngettext("{property} is more than {n} day from now", "{property} is more than {n} days from now",
                    n).format(property=label, n=n)


def describe_filter(f: dict, object_type: str, segment_names: dict[int, str]) -> str:
    """A filter in words, in the language: 'City is any of Paris, Lyon' / 'Ville est l'une des valeurs Paris, Lyon'."""
    if "association" in f:
        return describe_association(f, object_type)
    op = f["operator"]
    if "segment" in f:
        label = _spec(MEMBERSHIP, op).label
        name = segment_names.get(f["segment"]) or _("#{id} (deleted)").format(id=f["segment"])
        return _("{operator} {segment}").format(operator=f"{label[0].upper()}{label[1:]}", segment=name)

    prop = registry.all_properties(object_type).get(f["property"])
    if prop is None:  # a property that no longer exists: its name as stored, the operator in words
        spec = next((s for kind, specs in OPERATORS.items() if kind != MEMBERSHIP for s in specs if s.name == op), None)
        label = _("{property} (deleted property)").format(property=f["property"])
        return _filter_words(f, label, spec, op, show=str, value_label=str)
    shown = str if prop.type == TEXT else lambda v: registry.option_label_of(prop, v)
    return _filter_words(f, registry.label_of(prop), _spec(prop.type, op), op,
                         show=_shown_number if prop.type == NUMBER else str, value_label=shown)


def _filter_words(f: dict, label: str, spec: OperatorSpec | None, op: str, *, show, value_label) -> str:
    operator_words = spec.label if spec else op
    if spec is None or spec.shape == "none":
        return _("{property} {operator}").format(property=label, operator=operator_words)
    if spec.shape == "days":
        return _days_words(op, label, f["value"])
    if spec.shape in ("range", "date_range"):
        low, high = f["values"]
        return _("{property} {operator} {low} and {high}").format(property=label, operator=operator_words,
                                                                  low=show(low), high=show(high))
    if spec.shape == "values":
        return _("{property} {operator} {values}").format(property=label, operator=operator_words,
                                                          values=", ".join(value_label(v) for v in f["values"]))
    return _("{property} {operator} {value}").format(property=label, operator=operator_words,
                                                     value=show(f["value"]))


def _lowered(text: str) -> str:
    return text[0].lower() + text[1:] if text else text


def describe_association(f: dict, object_type: str) -> str:
    """``Associated company: Industry is any of Software``, ``Number of associated contacts with ... is at least 5``."""
    other = f["association"]
    inner = [describe_filter(g, other, {}) for g in f.get("filters", [])]
    what = ""
    for i, words in enumerate(inner):
        what = words if i == 0 else _("{filters} and {filter}").format(filters=what, filter=_lowered(words))
    companies = other == "companies"
    if f.get("negate"):
        if inner:
            return (_("No associated company with {filters}") if companies
                    else _("No associated contact with {filters}")).format(filters=_lowered(what))
        return _("No associated company") if companies else _("No associated contact")
    if f.get("at_least", 1) > 1:
        n = f["at_least"]
        if inner:
            return (_("Number of associated companies with {filters} is at least {n}") if companies
                    else _("Number of associated contacts with {filters} is at least {n}")).format(
                filters=_lowered(what), n=n)
        return (_("Number of associated companies is at least {n}") if companies
                else _("Number of associated contacts is at least {n}")).format(n=n)
    if inner:
        return (_("Associated company: {filters}") if companies else _("Associated contact: {filters}")).format(
            filters=what)
    return _("Has an associated company") if companies else _("Has an associated contact")


def describe_tree(tree, object_type, segment_names) -> list[list[str]]:
    return [
        [describe_filter(f, object_type, segment_names) for f in group["filters"]]
        for group in tree.get("groups", [])
    ]


def explain_record(tree, object_type, record_id: int, *, today, tz: str = "UTC") -> list[list[bool]]:
    model = RECORD_MODELS[object_type]
    if not model.select().where(model.id == record_id).exists():
        if object_type == "companies":
            raise RecordNotFound("No company with id {id}", id=record_id)
        raise RecordNotFound("No contact with id {id}", id=record_id)
    return [
        [
            model.select()
            .where((model.id == record_id) & compile_filter(f, object_type, today=today, tz=tz, few=True))
            .exists()
            for f in group["filters"]
        ]
        for group in tree.get("groups", [])
    ]
