"""Active segments follow their records at the cost of the change, not of the table.

When records change (an edit, an import, a record created), only the changed records are
evaluated, and only against the live active segments whose filters read a changed property
(the ``segment_read`` index, kept with the filters). Joins and leaves are applied in the
transaction of the change, logged with the reason ("region changed", by the actor) and
counted in size, last activity and the inactivity clock. Segments that read those
segments' membership (``in_segment`` / ``not_in_segment``) are carried along in the same
transaction, in dependency order, for the same records.

Filters are evaluated by their compiled SQL, restricted to the changed record ids: whatever
a filter can say (custom properties, associations) is evaluated the same way here as in a
full refresh. Many segments are evaluated by one query: each segment's filter tree becomes
one bit of an integer column (62 segments to a column), so that a query returns, per
record, which segments it matches, and the comparison with the stored membership is a set
difference.

The relative-date rollover is the same machinery: at the account's midnight a segment's
relative-date filters move by a day, and only the records whose date lies between a
boundary's old and new position (an index range) can change sides.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import operator
from dataclasses import dataclass, field
from functools import reduce

import pendulum
from peewee import SQL, Value, fn

from .. import i18n  # i18n._: this module's loops use _ as a throwaway
from . import causes as reasons  # (``causes`` is a parameter here: segment id -> its cause)
from . import filters, membership, store
from .context import Context
from .db import is_sqlite, write_transaction
from .errors import InvalidFilter
from .properties import DATETIME, OTHER, properties, registry_stamp
from .stored_messages import Joined, Sentence, quoted_names
from .models import (
    RECORD_MODELS,
    Association,
    MembershipLog,
    Segment,
    SegmentRead,
    database_proxy,
)

BITS = 62  # segments per integer column: a positive 64-bit sum on every database
SEGMENTS_PER_QUERY = BITS * 4
IDS_PER_QUERY = 1000
SEGMENTS_FILTERED = 5000  # segment ids in one statement, with 1,000 record ids: well under SQLite's 32,766
# records changed by hand in a static segment that its dependants follow one by one (or
# records associated with changed ones); more, and one full refresh of each segment reads
# less than evaluating them in pages of 1,000
FOLLOW_AT_MOST = 20_000
REASON_LENGTH = reasons.REASON_LENGTH
# An edit locks the rows of the segments it evaluates (PostgreSQL): a full refresh holds the
# same lock, so an edit never evaluates against membership that refresh is about to rewrite
# (tests/core/test_processes.py shows the drift an edit without it leaves).
ROW_LOCK = " FOR UPDATE"


@dataclass
class Followed:
    """What a change did to segment membership: per segment id, who joined and who left."""

    joined: dict[int, list[int]] = field(default_factory=dict)
    left: dict[int, list[int]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    evaluated: int = 0  # segments evaluated
    # what the change did to the associated records of the other object (a record edit)
    across: Followed | None = None

    @property
    def changed(self) -> bool:
        return bool(self.joined or self.left)

    def merge(self, other: Followed) -> Followed:
        for mine, theirs in ((self.joined, other.joined), (self.left, other.left)):
            for sid, ids in theirs.items():
                mine[sid] = sorted(set(mine.get(sid, [])) | set(ids))
        self.names.update(other.names)
        self.evaluated += other.evaluated
        return self

    def summary(self) -> dict:
        """For the audit log and JSON: segment names joined and left, with counts."""
        def side(part):
            return [{"segment": sid, "name": self.names.get(sid, f"#{sid}"), "records": len(ids)}
                    for sid, ids in sorted(part.items())]
        return {"joined": side(self.joined), "left": side(self.left)}

    def sentence(self, record_id: int | None = None) -> str:
        """"Joined 'A', 'B'; left 'C'." for one record (or counts for many)."""
        return str(self.message(record_id))

    def message(self, record_id: int | None = None):
        """The sentence as a message (the audit log stores it, to be read in any language)."""
        parts = Joined(self._parts(record_id), "; ")
        text = parts
        if self.across is not None and self.across.changed:
            counts = Joined(self.across._parts(None), "; ")  # "2 left 1 segment": counts, no names
            text = (i18n.Message("{changes}; associated records: {counts}", changes=parts, counts=counts) if parts
                    else i18n.Message("associated records: {counts}", counts=counts))
        elif not parts:
            return i18n.Message("No segment membership changed.")
        return Sentence(text)

    def _parts(self, record_id: int | None) -> list:
        parts = []
        for joined, part in ((True, self.joined), (False, self.left)):
            if record_id is not None:
                names = [self.names.get(sid, f"#{sid}") for sid, ids in sorted(part.items()) if record_id in ids]
                if names:
                    shown = quoted_names(names)
                    parts.append(i18n.Message("joined {names}", names=shown) if joined else
                                 i18n.Message("left {names}", names=shown))
            elif part:
                count, segments = sum(len(ids) for ids in part.values()), i18n.nmsg(*SEGMENTS, len(part))
                parts.append(i18n.nmsg(*(JOINED if joined else LEFT), count, segments=segments))
        return parts


# counts of records that joined or left segments: "2 joined 3 segments" (each count its own plural)
JOINED = i18n.N_n("{n} joined {segments}", "{n} joined {segments}")
LEFT = i18n.N_n("{n} left {segments}", "{n} left {segments}")
SEGMENTS = i18n.N_n("{n} segment", "{n} segments")

# the log's causes are built by core/causes.py (which reads them back in the language)
reason_text = reasons.cut
changed_cause = reasons.changed


def segments_reading(object_type: str, names: set[str] | None):
    """Live active segments of ``object_type`` whose filters read any of ``names`` (the
    index), or every one of them when ``names`` is None (a new record may match anything)."""
    query = Segment.select().where(
        (Segment.object_type == object_type) & (Segment.type == "active") & store.live()
    )
    if names is not None:
        if not names:
            return query.where(Value(False))
        readers = SegmentRead.select(SegmentRead.segment_id).where(
            (SegmentRead.object_type == object_type) & SegmentRead.property.in_(sorted(names))
        )
        query = query.where(Segment.id.in_(readers))
    return query


def _sql(text: str, params: list) -> list[tuple]:
    """Raw SQL for the hot path of one edit: Peewee builds IN lists of hundreds of ids
    node by node, which cost more than the queries themselves."""
    cursor = database_proxy.execute_sql(text.replace("?", database_proxy.obj.param), params)
    return cursor.fetchall() if cursor.description is not None else []


def _marks(values) -> str:
    return ", ".join("?" * len(values))


def _readers(object_type: str, changed: set[str] | None) -> list[int]:
    """Ids of the live active segments of ``object_type`` reading any of ``changed`` (None: all)."""
    live = "s.object_type = ? AND s.type = 'active' AND s.deleted_at IS NULL"
    if changed is None:
        return [sid for (sid,) in _sql(f"SELECT s.id FROM segment AS s WHERE {live} ORDER BY s.id", [object_type])]
    names = sorted(changed)
    rows = _sql(f"SELECT DISTINCT s.id FROM segment_read AS r JOIN segment AS s ON s.id = r.segment_id "
                f"WHERE r.object_type = ? AND r.property IN ({_marks(names)}) AND {live} ORDER BY s.id",
                [object_type, *names, object_type])
    return [sid for (sid,) in rows]


def records_changed(ctx: Context, object_type: str, record_ids, changed: set[str] | None, *,
                    cause: str) -> Followed:
    """Records of ``object_type`` changed ``changed`` properties (None: created, anything may
    match): re-evaluate them against the segments that read those properties, and against
    the segments that read those segments' membership. Call inside the change's transaction.
    """
    ids = sorted(set(record_ids))
    if not ids or changed == set():
        return Followed()
    direct = _readers(object_type, changed)
    causes = {}
    said = changed_cause(changed) if changed is not None else ""
    if changed is not None and cause.endswith(said) and len(changed) > 1:
        # each segment's log names the changed properties it reads
        reads: dict[int, set[str]] = {}
        for segment_id, name in SegmentRead.select(SegmentRead.segment_id, SegmentRead.property).where(
                SegmentRead.segment_id.in_(direct) & (SegmentRead.object_type == object_type)).tuples():
            reads.setdefault(segment_id, set()).add(name)
        prefix = cause[: len(cause) - len(said)]  # "import: "
        causes = {sid: prefix + changed_cause(reads[sid] & changed) for sid in direct if reads.get(sid, set()) & changed}
    return follow(ctx, object_type, ids, direct, cause=cause, causes=causes)


def members_changed(ctx: Context, segment: Segment, ids, *, cause: str) -> Followed:
    """``ids`` joined or left ``segment`` (by hand in a static segment: added, removed,
    imported into; by the relative-date rollover of an active one): the active segments
    reading its membership follow for those records, in the same transaction, and their own
    dependants after them. Beyond FOLLOW_AT_MOST records they are
    owed a full refresh instead (the worker's next tick), which then costs less."""
    ids = sorted(set(ids))
    if not ids:
        return Followed()
    if len(ids) > FOLLOW_AT_MOST:
        membership.mark_dependants_stale(ctx, segment.id)
        return Followed()
    users = [sid for (sid,) in _sql(
        "SELECT d.segment_id FROM segment_dependency AS d JOIN segment AS s ON s.id = d.segment_id "
        "WHERE d.depends_on_id = ? AND s.type = 'active' AND s.deleted_at IS NULL ORDER BY 1", [segment.id])]
    return follow(ctx, segment.object_type, ids, users, cause=reason_text(cause))


def record_deleted(ctx: Context, object_type: str, record_id: int) -> Followed:
    """The record ``record_id`` was just deleted (in this transaction): it leaves every
    segment that held it, active or static, live or deleted (a segment restored later must
    not hold a record that is gone), logged "record deleted", sizes and clocks moved; the
    active ones by the same evaluation as an edit (a record that is gone matches nothing),
    so that their dependants follow in dependency order."""
    # a contact and a company can have the same id: only the segments of its own object
    holders = [sid for (sid,) in _sql(
        "SELECT m.segment_id FROM membership AS m JOIN segment AS s ON s.id = m.segment_id "
        "WHERE m.record_id = ? AND s.object_type = ? ORDER BY 1", [record_id, object_type])]
    if not holders:
        return Followed()
    upstream = _dependency_closure(set(holders))
    everything = sorted(set(holders) | set(upstream))
    lock = "" if is_sqlite(database_proxy) else ROW_LOCK
    rows = _sql(f"SELECT id, name, filters, dates_as_of, type, deleted_at FROM segment "
                f"WHERE id IN ({_marks(everything)}) ORDER BY id{lock}", everything)
    active = [sid for sid, _, _, _, type_, gone in rows if type_ == "active" and gone is None]
    done = follow(ctx, object_type, [record_id], [sid for sid in active if sid in holders], cause=reasons.RECORD_DELETED)
    held = set(holders) - set(active)
    others = [(_Seg(sid, name, text, None), [], [record_id], reasons.RECORD_DELETED)
              for sid, name, text, _, _, _ in rows if sid in held]
    if others:
        _apply(ctx, others)
        for segment, _, left, _ in others:
            done.left[segment.id] = left
            done.names[segment.id] = segment.name
    return done


# ---------------------------------------------------------------- across associations

_SIDE = {"contacts": "contact_id", "companies": "company_id"}


def _associated(object_type: str, record_ids: list[int]) -> list[int]:
    """Ids of the other object's records associated with ``record_ids`` (through the index
    of either side of the association table)."""
    mine, theirs = _SIDE[object_type], _SIDE[OTHER[object_type]]
    found: set[int] = set()
    for i in range(0, len(record_ids), IDS_PER_QUERY):
        part = record_ids[i : i + IDS_PER_QUERY]
        found.update(rid for (rid,) in _sql(
            f"SELECT {theirs} FROM association WHERE {mine} IN ({_marks(part)})", part))
    return sorted(found)


def through_associations(ctx: Context, object_type: str, record_ids, changed: set[str] | None, *,
                         cause: str) -> Followed:
    """Records of ``object_type`` changed ``changed`` properties (None: created): the records
    associated with them are re-evaluated against the other object's segments that read those
    properties through an association filter (``@companies.industry``). Call inside the
    change's transaction."""
    ids = sorted(set(record_ids))
    if not ids or changed == set():
        return Followed()
    if changed is None:  # a new record: any association filter on it may now count
        reads = {f"@{object_type}"}
    else:
        reads = {f"@{object_type}.{name}" for name in changed}
    direct = _readers(OTHER[object_type], reads)
    if not direct:
        return Followed()
    others = _associated(object_type, ids)
    if len(others) > FOLLOW_AT_MOST:  # one full refresh of each reads less (the worker's next tick)
        membership.owe_full_refresh(ctx, direct)
        return Followed()
    return follow(ctx, OTHER[object_type], others, direct, cause=reasons.across(object_type, cause))


def associations_changed(ctx: Context, pairs, *, cause: str) -> Followed:
    """(contact id, company id) associations were added or removed: both sides' records are
    re-evaluated against the segments with an association filter (each reads ``@companies``
    or ``@contacts``). Beyond FOLLOW_AT_MOST records on one side (an import linking a large
    file), those segments are owed a full refresh instead, as a company edit's are. Call
    inside the change's transaction."""
    pairs = list(pairs)
    done = Followed()
    for object_type, index in (("contacts", 0), ("companies", 1)):
        ids = sorted({pair[index] for pair in pairs})
        direct = _readers(object_type, {f"@{OTHER[object_type]}"}) if ids else []
        if direct and len(ids) > FOLLOW_AT_MOST:
            membership.owe_full_refresh(ctx, direct)
        elif direct:
            done.merge(follow(ctx, object_type, ids, direct, cause=cause))
    return done


def association_gone(ctx: Context, object_type: str, record_ids, *, cause: str) -> Followed:
    """Records of ``object_type`` lost an association because the record on the other side
    was deleted: they are re-evaluated against their segments with an association filter.
    Call inside the delete's transaction."""
    ids = sorted(set(record_ids))
    direct = _readers(object_type, {f"@{OTHER[object_type]}"}) if ids else []
    return follow(ctx, object_type, ids, direct, cause=cause) if direct else Followed()


def follow(ctx: Context, object_type: str, ids: list[int], direct: list[int], *, cause: str,
           causes: dict[int, str] | None = None, today: dict[int, pendulum.Date] | None = None,
           among: dict[int, set[int]] | None = None) -> Followed:
    """Evaluate ``ids`` against the ``direct`` segments, then their dependants, in order.

    ``today`` overrides, per segment, the day its relative dates are read for (the rollover
    evaluates for the new day); otherwise a segment is evaluated for the day it was last
    evaluated for, so that an edit and the rollover never disagree about "today".
    ``among`` narrows, per direct segment, the records of ``ids`` that can change for it
    (the rollover: those whose date crossed one of its own boundaries); the others are
    evaluated for all of ``ids``.
    """
    result = Followed()
    if not ids or not direct:
        return result
    upstream = _dependency_closure(set(direct))
    segments = _lock(set(upstream) | set(direct))
    order = _dependency_order(segments, upstream)
    touched: dict[int, set[int]] = {}  # per segment: records whose membership changed
    due = set(direct)
    level: list[_Seg] = []
    in_level: set[int] = set()

    def run():
        _run_level(ctx, object_type, ids, level, cause, causes or {}, today, touched, result, due, upstream,
                   among or {})
        level.clear()
        in_level.clear()

    for segment in order:
        reads = upstream.get(segment.id, set())
        if reads & in_level:
            run()  # what it reads must be up to date first
        if segment.id in due or any(touched.get(u) for u in reads):
            level.append(segment)
            in_level.add(segment.id)
    run()
    return result


def _dependency_closure(start: set[int]) -> dict[int, set[int]]:
    """Every segment reading (transitively) one of ``start``'s membership -> what it reads."""
    upstream: dict[int, set[int]] = {}
    frontier = set(start)
    seen = set(start)
    while frontier:
        used = sorted(frontier)
        rows = _sql(f"SELECT segment_id, depends_on_id FROM segment_dependency WHERE depends_on_id IN ({_marks(used)})",
                    used)
        frontier = set()
        for user, used in rows:
            upstream.setdefault(user, set()).add(used)
            if user not in seen:
                seen.add(user)
                frontier.add(user)
    return upstream


@dataclass(frozen=True)
class _Seg:
    """What evaluating a segment needs (a light read: no model instances, no moment parsing)."""

    id: int
    name: str
    filters: str
    dates_as_of: pendulum.Date | None


def _lock(segment_ids: set[int]) -> dict[int, _Seg]:
    """The live active ones among ``segment_ids``, their rows locked (by id: one order for
    every process), read after the lock so that a full refresh that just committed is seen."""
    wanted = sorted(segment_ids)
    lock = "" if is_sqlite(database_proxy) else ROW_LOCK
    out = {}
    for sid, name, text, day in _sql(
            f"SELECT id, name, filters, dates_as_of FROM segment WHERE id IN ({_marks(wanted)}) "
            f"AND type = 'active' AND deleted_at IS NULL ORDER BY id{lock}", wanted):
        out[sid] = _Seg(sid, name, text, Segment.dates_as_of.python_value(day) if day else None)
    return out


def _dependency_order(segments: dict[int, _Seg], upstream: dict[int, set[int]]) -> list[_Seg]:
    """Segments before the segments that read their membership (ties by id)."""
    order, placed = [], set()
    pending = sorted(segments)
    while pending:
        unplaced = set(pending)
        ready = [sid for sid in pending if not (upstream.get(sid, set()) & unplaced)]
        if not ready:  # a cycle cannot be saved; should one exist, evaluate the rest anyway
            ready = pending
        order.extend(segments[sid] for sid in ready)
        placed.update(ready)
        pending = [sid for sid in pending if sid not in placed]
    return order


def _run_level(ctx, object_type, ids, level, cause, causes, today, touched, result, direct, upstream,
               among) -> None:
    """Segments none of which reads another's membership: evaluated together, then applied."""
    if not level:
        return
    now_day = ctx.today()
    days = {s.id: (today or {}).get(s.id) or s.dates_as_of or now_day for s in level}
    scopes = {s.id: among[s.id] for s in level if s.id in among}
    matching = _matching(object_type, level, ids, days, ctx.tz, scopes)
    current = _members_among([s.id for s in level], ids)
    result.evaluated += len(level)
    changes = []
    for segment in level:  # by id within the level: one lock order for every process
        now_in = matching[segment.id]
        was_in = current.get(segment.id, set())
        if segment.id in scopes:  # the records read for others say nothing of this one
            now_in, was_in = now_in & scopes[segment.id], was_in & scopes[segment.id]
        joined, left = sorted(now_in - was_in), sorted(was_in - now_in)
        if not joined and not left:
            continue
        why = causes.get(segment.id, cause)
        via = sorted(u for u in upstream.get(segment.id, ()) if touched.get(u))
        if via and segment.id not in direct:
            why = reasons.via(cause, [result.names.get(u, f"#{u}") for u in via])
        changes.append((segment, joined, left, reason_text(why)))
        touched[segment.id] = set(joined) | set(left)
        result.names[segment.id] = segment.name
        if joined:
            result.joined[segment.id] = joined
        if left:
            result.left[segment.id] = left
    if changes:
        _apply(ctx, changes)


_PREDICATES: dict[tuple, tuple[str, list]] = {}


def _predicate(object_type: str, segment: _Seg, day: pendulum.Date, tz: str) -> tuple[str, list]:
    """A segment's compiled filters as SQL text over the record table aliased "t1", with its
    parameters; cached by the filters' text (a change of filters is a new key) and the
    property definitions (a custom property's column is renamed when its type changes)."""
    key = (type(database_proxy.obj).__name__, object_type, segment.filters, day, tz, registry_stamp())
    found = _PREDICATES.get(key)
    if found is None:
        model = RECORD_MODELS[object_type]
        head, _ = model.select(SQL("1")).sql()
        tree = filters.compile_tree(json.loads(segment.filters), object_type, today=day, tz=tz, few=True)
        text, params = model.select(SQL("1")).where(tree).sql()
        if not text.startswith(head + " WHERE "):
            raise AssertionError(f"unexpected SQL for a filter: {text[:200]}")
        if len(_PREDICATES) > 20_000:
            _PREDICATES.clear()
        found = _PREDICATES[key] = (text[len(head) + 7:], list(params))
    return found


def _matching(object_type: str, segments: list[_Seg], ids: list[int], days: dict[int, pendulum.Date], tz: str,
              scopes: dict[int, set[int]]) -> dict[int, set[int]]:
    """Which of ``ids`` each segment's filters select (at least among its ``scopes`` records,
    when it has some). Segments of one family (the same filters but for their values,
    "first_name is any of X and lifecycle stage is any of Y") are evaluated by one join with
    a table of their values; the others by one query per 248 segments and 1,000 records,
    each segment one bit of an integer column."""
    out: dict[int, set[int]] = {s.id: set() for s in segments}
    families: dict[tuple, list[tuple[_Seg, tuple]]] = {}
    for segment in segments:
        found = _family(object_type, segment.filters, days[segment.id], tz)
        if found is not None:
            families.setdefault(found[0], []).append((segment, found[1]))
    grouped = set()
    for key, members in families.items():
        if len(members) >= FAMILY_AT_LEAST:
            for start in range(0, len(members), FAMILY_PER_QUERY):  # a bounded number of parameters
                chunk = members[start : start + FAMILY_PER_QUERY]
                _match_family(object_type, key, chunk, _records_for([s for s, _ in chunk], ids, scopes), out)
            grouped.update(segment.id for segment, _ in members)
    _match_bits(object_type, [s for s in segments if s.id not in grouped], ids, days, tz, out, scopes)
    return out


def _records_for(segments: list[_Seg], ids: list[int], scopes: dict[int, set[int]]) -> list[int]:
    """The records one query evaluates for ``segments``: the union of their scopes, or every
    one of ``ids`` when one of them has none."""
    if not all(s.id in scopes for s in segments):
        return ids
    return sorted(set().union(*(scopes[s.id] for s in segments)))


FAMILY_AT_LEAST = 8  # below, a family's join costs more than its segments' bits
FAMILY_PER_QUERY = 1000
# filters whose one value can be a column of the family's table of values: the same SQL as
# filters.compile_filter gives them (x IN (v) is x = v), as an equality a join can index
_KEYED = {("text", "is_any_of"), ("enumeration", "is_any_of"), ("number", "eq"), ("date", "on"),
          ("text", "starts_with")}  # a prefix of one length: substr(lower(x), 1, n) = lower(prefix)
_FAMILIES: dict[tuple, tuple | None] = {}


def _family(object_type: str, text: str, day: pendulum.Date, tz: str) -> tuple | None:
    """(family key, the segment's values) for a filter tree of one group with keyed filters
    (see _KEYED), or None. The key holds the tree without those values, the day and the
    time zone (date-time filters compare local days)."""
    key = (object_type, text, day, tz, registry_stamp())
    if key in _FAMILIES:
        return _FAMILIES[key]
    found = None
    tree = json.loads(text)
    groups = [g for g in tree.get("groups", []) if g.get("filters")]
    if len(groups) == 1:
        registry = properties(object_type)
        shape, values = [], []
        for f in groups[0]["filters"]:
            prop = registry.get(f.get("property"))
            one = f.get("values") if f.get("operator") in ("is_any_of",) else [f.get("value")]
            if prop is not None and (prop.type, f["operator"]) in _KEYED and len(one or []) == 1:
                length = len(one[0]) if f["operator"] == "starts_with" else None
                shape.append(("keyed", prop.column, prop.type, f["operator"], length))
                values.append(one[0])
            else:
                shape.append(("as is", json.dumps(f, sort_keys=True)))
        if values:
            found = ((object_type, day, tz, tuple(shape)), tuple(values))
    if len(_FAMILIES) > 20_000:
        _FAMILIES.clear()
    _FAMILIES[key] = found
    return found


def _family_sql(object_type: str, shape: tuple, day: pendulum.Date, tz: str) -> tuple[str, list, list[str]]:
    """The join condition of a family over "t1" (its record) and "k" (its table of values:
    sid, v0, v1, ...), its parameters, and how each value goes into the table."""
    key = (type(database_proxy.obj).__name__, object_type, shape, day, tz)
    if key not in _FAMILY_SQL:
        if len(_FAMILY_SQL) > 2_000:
            _FAMILY_SQL.clear()
        _FAMILY_SQL[key] = _compile_family(object_type, shape, day, tz)
    text, params, columns = _FAMILY_SQL[key]
    return text, list(params), columns


_FAMILY_SQL: dict[tuple, tuple] = {}


def _compile_family(object_type: str, shape: tuple, day: pendulum.Date, tz: str) -> tuple[str, list, list[str]]:
    model = RECORD_MODELS[object_type]
    terms, columns = [], []
    for part in shape:
        if part[0] == "keyed":
            _, name, type_, op, length = part  # name: the property's column
            value = SQL(f'"k"."v{len(columns)}"')
            if op == "starts_with":  # LIKE 'prefix%' of the lowered text, without the wildcards
                terms.append(fn.SUBSTR(fn.LOWER(getattr(model, name)), 1, length) == value)
                columns.append("LOWER(?)")
            elif type_ == "text":  # LOWER on both sides, as filters.compile_filter compares text
                terms.append(fn.LOWER(getattr(model, name)) == value)
                columns.append("LOWER(?)")
            else:
                terms.append(getattr(model, name) == value)
                # PostgreSQL types a VALUES column of quoted days as text, not date
                columns.append("CAST(? AS DATE)" if type_ == "date" and not is_sqlite(database_proxy) else "?")
        else:
            terms.append(filters.compile_filter(json.loads(part[1]), object_type, today=day, tz=tz, few=True))
    head, _ = model.select(SQL("1")).sql()
    text, params = model.select(SQL("1")).where(reduce(operator.and_, terms)).sql()
    if not text.startswith(head + " WHERE "):
        raise AssertionError(f"unexpected SQL for a filter: {text[:200]}")
    return text[len(head) + 7:], list(params), columns


def _match_family(object_type: str, key: tuple, members: list[tuple[_Seg, tuple]], ids: list[int],
                  out: dict[int, set[int]]) -> None:
    """One family: the records joined with the table of the members' values, on which the
    database builds an index on the fly (SQLite) or hashes (PostgreSQL)."""
    condition, params, columns = _family_sql(object_type, key[3], key[1], key[2])
    param = database_proxy.obj.param
    table = RECORD_MODELS[object_type]._meta.table_name
    row = "(" + ", ".join([param] + [c.replace("?", param) for c in columns]) + ")"
    names = ", ".join(["sid"] + [f"v{n}" for n in range(len(columns))])
    values = [v for segment, found in members for v in (segment.id, *found)]
    join = "CROSS JOIN" if is_sqlite(database_proxy) else "JOIN"  # SQLite: the records first, then the index
    head = (f"WITH k({names}) AS MATERIALIZED (VALUES {', '.join([row] * len(members))}) "
            f'SELECT "t1"."id", "k"."sid" FROM "{table}" AS "t1" {join} "k" ON {condition} WHERE "t1"."id" IN ')
    for i in range(0, len(ids), IDS_PER_QUERY):
        part = ids[i : i + IDS_PER_QUERY]
        sql = head + "(" + ", ".join([param] * len(part)) + ")"
        for record_id, segment_id in database_proxy.execute_sql(sql, values + params + part).fetchall():
            out[segment_id].add(record_id)


def _match_bits(object_type: str, segments: list[_Seg], ids: list[int], days: dict[int, pendulum.Date], tz: str,
                out: dict[int, set[int]], scopes: dict[int, set[int]]) -> None:
    model = RECORD_MODELS[object_type]
    head, _ = model.select(model.id).sql()  # SELECT "t1"."id" FROM "contact" AS "t1"
    param = database_proxy.obj.param
    for start in range(0, len(segments), SEGMENTS_PER_QUERY):
        chunk = segments[start : start + SEGMENTS_PER_QUERY]
        columns, params = [], []
        for g in range(0, len(chunk), BITS):
            terms = []
            for bit, segment in enumerate(chunk[g : g + BITS]):
                text, values = _predicate(object_type, segment, days[segment.id], tz)
                terms.append(f"CASE WHEN {text} THEN {1 << bit} ELSE 0 END")
                params.extend(values)
            columns.append("(" + " + ".join(terms) + ")")
        select = head.replace(' FROM ', ", " + ", ".join(columns) + " FROM ", 1)
        read = _records_for(chunk, ids, scopes)
        for i in range(0, len(read), IDS_PER_QUERY):
            part = read[i : i + IDS_PER_QUERY]
            sql = f'{select} WHERE "t1"."id" IN ({", ".join([param] * len(part))})'
            for row in database_proxy.execute_sql(sql, params + part).fetchall():  # "?" may be in the text
                record_id = row[0]
                for g, mask in enumerate(row[1:]):
                    mask = int(mask or 0)
                    while mask:
                        low = mask & -mask
                        out[chunk[g * BITS + low.bit_length() - 1].id].add(record_id)
                        mask ^= low


def _members_among(segment_ids: list[int], ids: list[int]) -> dict[int, set[int]]:
    """Which of ``ids`` are members of each segment (read through the record index)."""
    wanted = set(segment_ids)
    out: dict[int, set[int]] = {}
    for i in range(0, len(ids), IDS_PER_QUERY):
        part = ids[i : i + IDS_PER_QUERY]
        if len(segment_ids) > 8:  # the memberships of the records, from the (record, segment) index alone
            query, params = f"SELECT segment_id, record_id FROM membership WHERE record_id IN ({_marks(part)})", part
            if len(segment_ids) <= SEGMENTS_FILTERED:
                # "+": the segment ids filter the index entries read; as an index term SQLite would
                # probe every (record, segment) pair instead (10 times slower at 500 segments)
                query += f" AND +segment_id IN ({_marks(segment_ids)})"
                params = [*part, *segment_ids]
        else:  # a few segments: by the key, a probe per pair
            query = (f"SELECT segment_id, record_id FROM membership WHERE record_id IN ({_marks(part)}) "
                     f"AND segment_id IN ({_marks(segment_ids)})")
            params = [*part, *segment_ids]
        for segment_id, record_id in _sql(query, params):
            if segment_id in wanted:
                out.setdefault(segment_id, set()).add(record_id)
    return out


ROWS_PER_STATEMENT = 400


def _values(rows: list[tuple], width: int):
    """Chunks of rows as ("(?, ?), (?, ?)", flat params) for multi-row statements."""
    one = "(" + ", ".join("?" * width) + ")"
    for i in range(0, len(rows), ROWS_PER_STATEMENT):
        part = rows[i : i + ROWS_PER_STATEMENT]
        yield ", ".join([one] * len(part)), [v for row in part for v in row]


def _insert(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Rows into ``table``: by COPY on PostgreSQL, where multi-row statements cost half again as
    much (a few hundred rows' text to parse and plan per statement); by multi-row statements on
    SQLite."""
    if not rows:
        return
    if is_sqlite(database_proxy):
        for marks, params in _values(rows, len(columns)):
            _sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES {marks}", params)
        return
    known: dict = {}  # a change's rows repeat their reason, moment and actor: each written once

    def field(value) -> str:
        if value.__class__ is int:
            return str(value)
        text = known.get(value)
        if text is None:
            text = known[value] = _copy_field(value)
        return text

    text = "".join("\t".join(map(field, row)) + "\n" for row in rows)
    database_proxy.cursor().copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO(text))


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    return value.translate(_COPY_ESCAPES) if isinstance(value, str) else str(value)


def _delete_members(leaves: list[tuple[int, list[int]]]) -> None:
    """(segment id, record ids) pairs out of ``membership``: on PostgreSQL by one statement
    joining a table of the pairs (a probe of the record index each); on SQLite segment by
    segment, where a row-value IN would scan the table."""
    if not leaves:
        return
    if not is_sqlite(database_proxy):
        pairs = [(sid, rid) for sid, ids in leaves for rid in ids]
        _sql("DELETE FROM membership AS m USING unnest(?::int[], ?::int[]) AS d(s, r) "
             "WHERE m.segment_id = d.s AND m.record_id = d.r", [[p[0] for p in pairs], [p[1] for p in pairs]])
        return
    for sid, left in leaves:
        for i in range(0, len(left), IDS_PER_QUERY):
            part = left[i : i + IDS_PER_QUERY]
            _sql(f"DELETE FROM membership WHERE segment_id = ? AND record_id IN ({_marks(part)})", [sid, *part])


def _apply(ctx: Context, changes: list[tuple[_Seg, list[int], list[int], str]]) -> None:
    """Joins and leaves of a level's segments in a few statements: the log (leaves then joins,
    by record id, segment by segment), the members, then each segment's size, last activity
    and inactivity due moment."""
    now = MembershipLog.at.db_value(ctx.now())
    log, new = [], []
    for segment, joined, left, reason in changes:
        log += [(segment.id, rid, "removed", reason, now, ctx.actor) for rid in left]
        log += [(segment.id, rid, "added", reason, now, ctx.actor) for rid in joined]
        new += [(segment.id, rid, "filter", now) for rid in joined]
    _insert("membership_log", ("segment_id", "record_id", "action", "reason", "at", "actor"), log)
    _delete_members([(segment.id, left) for segment, _, left, _ in changes if left])
    _insert("membership", ("segment_id", "record_id", "source", "joined_at"), new)
    membership.record_activities(ctx, {segment.id: len(joined) - len(left) for segment, joined, left, _ in changes})


# ---------------------------------------------------------------- relative dates


def crossing(tree: dict, object_type: str, old: pendulum.Date, new: pendulum.Date, *, tz: str = "UTC"):
    """Records whose date lies between a relative-date boundary's position on ``old`` and on
    ``new``: the only ones whose match can change between those days (index ranges). A
    date-time counts by its day in the account time zone ``tz``; a relative-date filter on
    the associated records (``@companies.x``) selects the records associated with one that
    crossed."""
    model = RECORD_MODELS[object_type]
    ranges = []
    for group in tree.get("groups", []):
        for f in group.get("filters", []):
            if "association" in f:
                other = f["association"]
                inner = _crossed(f.get("filters", []), other, old, new, tz)
                if inner:
                    other_model = RECORD_MODELS[other]
                    crossed = other_model.select(other_model.id).where(reduce(operator.or_, inner))
                    mine, theirs = (getattr(Association, filters.ASSOCIATION_SIDE[t]) for t in (object_type, other))
                    ranges.append(model.id.in_(Association.select(mine).where(theirs.in_(crossed))))
            else:
                ranges.extend(_crossed([f], object_type, old, new, tz))
    if not ranges:
        return None
    return model.select(model.id).where(reduce(operator.or_, ranges))


# Each relative-date operator as the boundaries its compiled filter compares the value with
# (filters.compile_filter): per boundary, its offset in days from "today" and whether the
# value is compared strictly above it (``col > B`` or ``col <= B``: a value leaves or
# enters the match when it is in (B_old, B_new]) or not (``col >= B`` or ``col < B``:
# [B_old, B_new)). A date-time compares moments with the starts of local days, always as
# ``col >= start`` or ``col < start``.
_DATE_BOUNDARIES = {
    "less_than_days_ago": lambda n: ((-n, True), (0, True)),  # col > T-n AND col <= T
    "more_than_days_ago": lambda n: ((-n, False),),  # col < T-n
    "less_than_days_from_now": lambda n: ((0, False), (n, False)),  # col >= T AND col < T+n
    "more_than_days_from_now": lambda n: ((n, True),),  # col > T+n
}
_MOMENT_BOUNDARIES = {
    "less_than_days_ago": lambda n: (1 - n, 1),  # col >= start(T-n+1) AND col < start(T+1)
    "more_than_days_ago": lambda n: (-n,),  # col < start(T-n)
    "less_than_days_from_now": lambda n: (0, n),  # col >= start(T) AND col < start(T+n)
    "more_than_days_from_now": lambda n: (n + 1,),  # col >= start(T+n+1)
}


def _crossed(filters_: list[dict], object_type: str, old: pendulum.Date, new: pendulum.Date, tz: str) -> list:
    """The index ranges of ``filters_``' relative-date boundaries between their positions on
    ``old`` and on ``new``: exactly the values whose side of a boundary differs between the
    two days (a day further and every record dated on it would be read for nothing)."""
    low_day, high_day = sorted((old, new))
    ranges = []
    if low_day == high_day:
        return ranges
    for f in filters_:
        if f.get("operator") not in filters.RELATIVE_DATE_OPERATORS:
            continue
        prop = properties(object_type).get(f["property"])
        if prop is None:  # the full refresh says why it cannot be evaluated
            continue
        column = getattr(RECORD_MODELS[object_type], prop.column)
        n = f["value"]
        if prop.type == DATETIME:  # [start(low + k), start(high + k)): moments of local days
            for k in _MOMENT_BOUNDARIES[f["operator"]](n):
                span = dt.timedelta(days=k)
                ranges.append((column >= filters.local_midnight(low_day + span, tz))
                              & (column < filters.local_midnight(high_day + span, tz)))
            continue
        for k, strictly_above in _DATE_BOUNDARIES[f["operator"]](n):
            span = dt.timedelta(days=k)
            low, high = (low_day + span).isoformat(), (high_day + span).isoformat()
            ranges.append((column > low) & (column <= high) if strictly_above else (column >= low) & (column < high))
    return ranges


def rollover(ctx: Context, segment: Segment) -> membership.Diff:
    """Move a relative-date segment from the day it was evaluated for to today: the diff of
    a full refresh restricted to the records that crossed a boundary (one statement), then
    the segments reading its membership follow for the records that joined or left. Inside
    the refresh's transaction, locked."""
    today = ctx.today()
    old = segment.dates_as_of
    diff = membership.Diff(0, 0)
    if old != today:
        query = crossing(store.tree(segment), segment.object_type, old, today, tz=ctx.tz)
        if query is not None:
            start = membership.last_log_id(segment.id)
            diff = membership.apply_filters(ctx, segment, store.tree(segment), reason=reasons.DATES_MOVED_ON,
                                            among=query, mark_dependants=False)
            if diff.changed:
                moved = [rid for (rid,) in membership.logged_since(segment.id, start).tuples()]
                members_changed(ctx, segment, moved, cause=reasons.via(reasons.DATES_MOVED_ON, [segment.name]))
    Segment.update(
        refreshed_at=ctx.now(), dates_as_of=today, next_refresh_at=membership.next_day_start(ctx), stale=False,
    ).where(Segment.id == segment.id).execute()
    return diff


# A worker's midnight: the records that crossed a boundary of any of the segments it rolls
# over, evaluated once against all of them. Beyond this many records (days without a worker),
# each segment's rollover is one statement of its own instead (membership.refresh).
ROLL_AT_MOST = 100_000


def roll_over(ctx: Context, segment_ids) -> dict[int, membership.Diff]:
    """The midnight rollover of the relative-date segments among ``segment_ids`` that owe
    nothing else (active, live, not owed a full refresh, evaluated for an earlier day), in
    one transaction: the records whose date crossed a boundary of any of them since the day
    it was evaluated for (index ranges, read once) are evaluated against all of them at once,
    as a record change is (families of segments by one join, the others by bits), for the
    new day; the segments reading their membership follow for the records that moved, in
    dependency order. Returns each rolled-over segment's diff; the others (a segment whose
    filters cannot be evaluated, one owed a full refresh) are left to a refresh of their own.
    """
    ctx.require_write("refreshing a segment")
    with write_transaction():
        return _roll_over(ctx, segment_ids)


def _roll_over(ctx: Context, segment_ids) -> dict[int, membership.Diff]:
    wanted = sorted(set(segment_ids))
    if not wanted:
        return {}
    today = ctx.today()
    lock = "" if is_sqlite(database_proxy) else ROW_LOCK
    rows = _sql(f"SELECT id, object_type, filters, dates_as_of FROM segment WHERE id IN ({_marks(wanted)}) "
                f"AND type = 'active' AND deleted_at IS NULL AND has_relative_dates AND NOT stale "
                f"AND dates_as_of IS NOT NULL ORDER BY id{lock}", wanted)
    rolled: dict[int, membership.Diff] = {}
    groups: dict[tuple[str, pendulum.Date], dict[int, set[tuple]]] = {}
    for sid, object_type, text, day in rows:
        tree = json.loads(text)
        try:
            membership.check_references(tree)
        except InvalidFilter:  # its own refresh says why, and counts the failure
            continue
        old = Segment.dates_as_of.python_value(day)
        query = crossing(tree, object_type, old, today, tz=ctx.tz) if old != today else None
        rolled[sid] = membership.Diff(0, 0)
        if query is not None:
            sql, params = query.sql()
            groups.setdefault((object_type, old), {}).setdefault(sid, set()).add((sql, tuple(params)))
    for (object_type, _), crossings in groups.items():
        ids: set[int] = set()
        crossed: dict[tuple, set[int]] = {}
        for query in set().union(*crossings.values()):  # segments alike share their ranges
            sql, params = query
            crossed[query] = {rid for (rid,) in database_proxy.execute_sql(sql, list(params)).fetchall()}
            ids |= crossed[query]
            if len(ids) > ROLL_AT_MOST:
                break
        if len(ids) > ROLL_AT_MOST:
            for sid in crossings:
                del rolled[sid]
            continue
        direct = sorted(crossings)
        # each segment evaluated for the records that crossed its own boundaries only
        among = {sid: set().union(*(crossed[q] for q in queries)) for sid, queries in crossings.items()}
        done = follow(ctx, object_type, sorted(ids), direct, cause=reasons.DATES_MOVED_ON,
                      today=dict.fromkeys(direct, today), among=among)
        for sid in direct:
            rolled[sid] = membership.Diff(len(done.joined.get(sid, ())), len(done.left.get(sid, ())))
    if rolled:
        Segment.update(
            refreshed_at=ctx.now(), dates_as_of=today, next_refresh_at=membership.next_day_start(ctx), stale=False,
            refresh_error=None, refresh_failures=0, claimed_by=None, claim_expires_at=None,
        ).where(Segment.id.in_(sorted(rolled))).execute()
    return rolled
