"""Contacts and companies: typed values, CSV import (all or nothing) and export, edits.

A change to records re-evaluates the changed records against the active segments that read
the changed properties, in the same transaction (``follow``).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pendulum
from peewee import fn

from ..i18n import Message, N_
from . import associations, audit, causes, files, follow, store, values
from . import properties as registry
from .context import Context
from .db import is_sqlite, locked, write_transaction
from .display import format_value, printable
from .errors import ImportRefused, InvalidInput, RecordNotFound, refuse_nul
from .models import RECORD_MODELS, Membership, MembershipLog, Segment, database_proxy
from .stored_messages import Joined, PropertyName
from .properties import (BOOLEAN, DATE, ENUMERATION, NUMBER, OBJECT_TYPES, OTHER, TEXT, Property,
                         key_property, label_of, properties)

TRUE_WORDS = {"true", "yes", "1"}
FALSE_WORDS = {"false", "no", "0"}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SPACE = re.compile(r"\s")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
BATCH = 500
KEY_LENGTHS = {"email": 254, "domain": 253}
# the sentences that name the object type, whole for each (French nouns have a gender)
NO_RECORD_WITH_ID = {"contacts": N_("No contact with id {id} (deleted meanwhile?)"),
                     "companies": N_("No company with id {id} (deleted meanwhile?)")}
NO_RECORD = {"contacts": N_("No contact {ref}"), "companies": N_("No company {ref}")}
# the audit's sentences, whole for each object type
EDITED = {"contacts": N_("Set {names} of contact #{id}. {effect}"),
          "companies": N_("Set {names} of company #{id}. {effect}")}
DELETED = {"contacts": N_("Deleted contact {key} (#{id}). {effect}"),
           "companies": N_("Deleted company {key} (#{id}). {effect}")}
THE_KEY = {"contacts": N_("The email"), "companies": N_("The domain")}
KEY_EMPTY = {"contacts": N_("{label} cannot be empty: it identifies the contact"),
             "companies": N_("{label} cannot be empty: it identifies the company")}
KEY_TAKEN = {"contacts": N_("Another contact already has this {what}: {value}"),
             "companies": N_("Another company already has this {what}: {value}")}
UNKNOWN_PROPERTY = {"contacts": N_("Unknown property {name!r} for contacts"),
                    "companies": N_("Unknown property {name!r} for companies")}


def message_of(exc: Exception) -> Message | str:
    """A ValueError's message as raised: a Message (translated when shown) or its text."""
    first = exc.args[0] if exc.args else None
    return first if isinstance(first, Message) else str(exc)


def record_not_found(object_type: str, record_id: int) -> RecordNotFound:
    return RecordNotFound(NO_RECORD_WITH_ID[object_type], id=record_id)


def parse_value(prop: Property, text: str, *, tz: str = "UTC"):
    """A typed value from text; '' means unknown. Raises ValueError with a plain message."""
    if prop.is_key:
        text = text.strip()
        if text == "":
            return None
        if "\x00" in text:
            raise ValueError(Message("{label} contains a NUL character (\\x00), which cannot be stored",
                                     label=label_of(prop)))
        return _parse_key(prop, text)
    return values.parse(prop, text, tz=tz)


def _parse_key(prop: Property, text: str) -> str:
    value = text.lower()
    if _SPACE.search(value):  # \s is str.isspace (Py_UNICODE_ISSPACE), without a loop in Python
        raise ValueError(Message("{label} {text!r} contains spaces", label=label_of(prop), text=text))
    if prop.name == "email" and not re.fullmatch(r"[^@]+@[^@]+", value):
        raise ValueError(Message("{text!r} is not an email address", text=text))
    if prop.name == "domain" and "." not in value:
        raise ValueError(Message("{text!r} is not a domain name", text=text))
    longest = KEY_LENGTHS[prop.name]
    if len(value) > longest:  # the limits of email and DNS (and of the key column on PostgreSQL)
        raise ValueError(Message("{label} is {length} characters long: at most {most}", label=label_of(prop),
                                 length=len(value), most=longest))
    return value


def _check_object_type(object_type: str) -> None:
    if object_type not in OBJECT_TYPES:
        raise InvalidInput("Unknown object type {object_type!r}: use contacts or companies", object_type=object_type)


def read_file(path: str | Path) -> str:
    shown = printable(path)
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput("No file at {path}", path=shown) from None
    except IsADirectoryError:
        raise InvalidInput("{path} is a folder, not a CSV file", path=shown) from None
    except UnicodeDecodeError as exc:
        raise ImportRefused("{path} is not UTF-8 text (byte {byte}); save it as UTF-8 CSV",
                            [(0, Message("not UTF-8"))], path=shown, byte=exc.start) from None
    except OSError as exc:
        raise InvalidInput("Cannot read {path}: {reason}", path=shown, reason=exc.strerror) from None


def import_csv(ctx: Context, object_type: str, text: str, *, segment_id: int | None = None,
               progress=None, options=None):
    """Upsert records by key, all or nothing; optionally add them to a static segment (see ``imports``)."""
    from . import imports

    return imports.run(ctx, object_type, text, options, segment_id=segment_id, progress=progress)


def _follow_import(ctx: Context, object_type: str, key, changes: dict[int, set[str]],
                   created: list[str]) -> follow.Followed:
    """Each imported record evaluated against the segments that read a property the import
    changed for it (a record whose values stayed the same against none; records sharing the
    same changed properties together), and its associated records against the other
    object's segments reading those properties through an association filter; the new
    records against every active segment of their object: anything may match them (their
    associations are followed where the import writes them)."""
    model = RECORD_MODELS[object_type]
    done = follow.Followed()
    alike: dict[frozenset, list[int]] = {}
    for record_id, changed in changes.items():
        alike.setdefault(frozenset(changed), []).append(record_id)
    for changed, ids in sorted(alike.items(), key=lambda item: sorted(item[0])):
        cause = causes.imported(causes.changed(changed))
        done.merge(follow.records_changed(ctx, object_type, ids, set(changed), cause=cause))
        done.merge(follow.through_associations(ctx, object_type, ids, set(changed), cause=cause))
    created_ids = []
    for start in range(0, len(created), BATCH):
        keys = created[start : start + BATCH]
        created_ids += [record_id for (record_id,) in model.select(model.id).where(key.in_(keys)).tuples()]
    return done.merge(follow.records_changed(ctx, object_type, created_ids, None, cause=causes.imported(causes.NEW_RECORD)))


def _upsert(model, key, fields, update, values: list[list], ids: list[int | None]) -> None:
    """Insert the new records and update the known ones (matched by key).

    Known records are written with their id: PostgreSQL then draws no sequence number for
    them (an upsert without the id burns one per row, and re-importing a large file often
    would run the ids out). The ON CONFLICT stays for a record created meanwhile.
    """
    new = [row for row, found in zip(values, ids) if found is None]
    known = [[found, *row] for row, found in zip(values, ids) if found is not None]
    if new:
        _insert_rows(model.insert_many(new, fields=fields).on_conflict(conflict_target=[key], update=update),
                     fields, new, shape=("upsert", key.name, *(f.name for f in update)))
    if known:
        with_id = [model.id, *fields]
        _insert_rows(model.insert_many(known, fields=with_id).on_conflict(conflict_target=[key], update=update),
                     with_id, known, shape=("upsert", key.name, *(f.name for f in update)))


_INSERT_SQL: dict[tuple, str] = {}


def _insert_rows(query, fields, rows: list[list], *, shape: tuple) -> None:
    """Execute a multi-row INSERT, reusing the SQL text Peewee wrote for a batch of this shape.

    Peewee builds an INSERT of 500 rows x 15 columns node by node, which was most of an
    import (100,000 contacts: 6.6 s, now 2.6 s); every full batch has the same SQL, so it
    is built once, and each batch only converts its values (the fields' db_value) and
    binds them. The SQL is reused only when its parameters are exactly the row values in
    order, as checked the first time; otherwise the query runs as Peewee built it. ``shape``
    names what else the SQL depends on (the ON CONFLICT clause).
    """
    database = database_proxy.obj
    converters = [f.db_value for f in fields]
    params = [conv(v) for row in rows for conv, v in zip(converters, row)]
    shape = (type(database).__name__, fields[0].model._meta.table_name, tuple(f.name for f in fields),
             len(rows), *shape)
    sql = _INSERT_SQL.get(shape)
    if sql is None:
        sql, built = query.sql()
        if list(built) != params:
            query.execute()
            return
        _INSERT_SQL[shape] = sql
    database.execute_sql(sql, params)


def export_members(segment_ref, path: str | Path, *, chunk: int = 5000, overwrite: bool = False,
                   raw: bool = False, headers: str = "labels", tz: str = "UTC") -> int:
    """Write a segment's members to CSV; returns the row count.

    Every property that is not archived, headers by label (``headers="names"``: internal
    names), values as an import reads them back: the file re-imports unchanged.

    The file is new (``overwrite`` for the CLI's --force) and written whole or not at all
    (``files.create``). Text cells a spreadsheet would run as formulas get a leading ``'``
    unless ``raw``.

    Read ``chunk`` members at a time by record id (an index range of the membership key),
    inside one read transaction so that the file is one consistent snapshot; the values
    are read as the driver returns them and written by the column's exporter, without
    building a Peewee row per member. Memory stays at one chunk whatever the size (a
    single query would hold a PostgreSQL result whole), and 500,000 members take ~2.0 s
    instead of ~4.2 s.
    """
    if headers not in ("labels", "names"):
        raise InvalidInput("Headers are 'labels' or 'names'")
    registry.ensure_fresh()
    segment = store.get(segment_ref)
    model = RECORD_MODELS[segment.object_type]
    props = list(properties(segment.object_type).values())
    columns = [getattr(model, p.column) for p in props]
    # csv writes None as "" and str(date) as YYYY-MM-DD: the other types need their word
    special = [(i, _exporter(p, columns[i], tz)) for i, p in enumerate(props) if p.type not in (TEXT, DATE, ENUMERATION)]
    starts = files.FORMULA_STARTS
    count = 0
    target = Path(path)
    try:
        with files.create(target, overwrite=overwrite) as out, database_proxy.atomic():
            if not is_sqlite(database_proxy):
                database_proxy.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            writer = csv.writer(out)
            writer.writerow([p.label if headers == "labels" else p.name for p in props])
            last = None
            while True:
                where = Membership.segment == segment.id
                if last is not None:
                    where &= Membership.record_id > last
                query = (
                    Membership.select(Membership.record_id, *columns)
                    .join(model, on=(model.id == Membership.record_id))
                    .where(where)
                    .order_by(Membership.record_id)
                    .limit(chunk)
                )
                rows = database_proxy.execute(query).fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                for row in rows:
                    if raw:
                        values_ = list(row[1:])
                    else:  # only text comes back as str here (a date is a str on SQLite, but starts with a digit)
                        values_ = [f"'{v}" if v.__class__ is str and v.startswith(starts) else v for v in row[1:]]
                    for i, conv in special:
                        values_[i] = conv(values_[i])
                    writer.writerow(values_)
                count += len(rows)
    except OSError as exc:
        raise InvalidInput("Cannot write {path}: {reason}", path=printable(target), reason=exc.strerror) from None
    return count


def _exporter(prop: Property, column, tz: str):
    if prop.type == NUMBER:
        return lambda v: "" if v is None else (str(int(v)) if float(v).is_integer() else repr(float(v)))
    if prop.type == BOOLEAN:
        return lambda v: "" if v is None else ("true" if v else "false")
    # date-times and multiple checkboxes: through the field (the driver's raw value) to the stored form
    return lambda v: "" if v is None else values.format(prop, column.python_value(v), tz=tz)


def get_record(object_type: str, record_id: int):
    _check_object_type(object_type)
    found = RECORD_MODELS[object_type].get_or_none(RECORD_MODELS[object_type].id == record_id)
    if found is None:
        raise record_not_found(object_type, record_id)
    return found


def lock_record(object_type: str, record_id: int):
    """Re-read a record inside a write transaction, its row locked on PostgreSQL until the
    transaction ends: what an edit compares against is then what it overwrites (read without
    the lock, a concurrent edit committed meanwhile made a changed value look unchanged, and
    the segments did not follow it)."""
    model = RECORD_MODELS[object_type]
    found = locked(model.select().where(model.id == record_id)).first()
    if found is None:
        raise record_not_found(object_type, record_id)
    return found


def search(object_type: str, text: str = "", *, offset: int = 0, limit: int = 50) -> tuple[list, int]:
    """Records whose key or name contains ``text`` (case-insensitive), one page and the total."""
    _check_object_type(object_type)
    model = RECORD_MODELS[object_type]
    query = model.select()
    needle = text.strip().lower()
    if needle:
        refuse_nul(needle, Message("The search text"))
        key = getattr(model, key_property(object_type).name)
        names = [model.first_name, model.last_name] if object_type == "contacts" else [model.name]
        clause = key.contains(needle)
        for column in names:
            clause = clause | fn.LOWER(column).contains(needle)
        query = query.where(clause)
    return list(query.order_by(model.id).offset(offset).limit(limit)), query.count()


def segments_of(object_type: str, record_id: int) -> list[Segment]:
    return list(
        Segment.select()
        .join(Membership, on=(Membership.segment == Segment.id))
        .where((Membership.record_id == record_id) & (Segment.object_type == object_type) & store.live())
        .order_by(Segment.name_key)
    )


def set_property(ctx: Context, object_type: str, record_id: int, name: str, text: str):
    """Edit one property; returns the record and what it did to segment membership."""
    return set_properties(ctx, object_type, record_id, {name: text})


def set_properties(ctx: Context, object_type: str, record_id: int, values: dict[str, str]):
    """Edit properties of one record, all or nothing. The active segments that read them
    follow in the same transaction; returns the record and a ``follow.Followed``."""
    ctx.require_write(Message("editing a record"))
    _check_object_type(object_type)
    if not values:
        raise InvalidInput("Name at least one property=value to set")
    props = {}
    parsed = {}
    for name, text in values.items():
        prop = registry.get(object_type, name)
        if prop is None or prop.archived:
            raise InvalidInput(UNKNOWN_PROPERTY[object_type], name=name)
        if prop.read_only:
            raise InvalidInput("{label} is read-only: it comes from imports", label=label_of(prop))
        props[name] = prop
        try:
            parsed[name] = parse_value(prop, text, tz=ctx.tz)
        except ValueError as exc:
            raise InvalidInput(message_of(exc)) from None
        if prop.is_key and parsed[name] is None:
            raise InvalidInput(KEY_EMPTY[object_type], label=label_of(prop))
    model = RECORD_MODELS[object_type]
    with write_transaction():
        record = lock_record(object_type, record_id)
        before = {name: getattr(record, props[name].column) for name in parsed}
        for name, value in parsed.items():
            if props[name].is_key and model.select().where(
                    (getattr(model, props[name].column) == value) & (model.id != record_id)).exists():
                raise InvalidInput(KEY_TAKEN[object_type], what=label_of(props[name]).lower(), value=value)
        changes = {getattr(model, props[name].column): value for name, value in parsed.items()}
        model.update({**changes, model.updated_at: ctx.now()}).where(model.id == record_id).execute()
        changed = {name for name in parsed if before[name] != parsed[name]}
        done = follow.records_changed(ctx, object_type, [record_id], changed, cause=causes.changed(changed))
        # its associated records, in the other object's segments that read these properties
        across = follow.through_associations(ctx, object_type, [record_id], changed,
                                             cause=causes.changed(changed))
        done.across = across
        names = Joined([PropertyName(object_type, name) for name in sorted(parsed)], ", ")
        audit.record(ctx, "edit_record", Message(EDITED[object_type], names=names, id=record_id,
                                                 effect=done.message(record_id)),
                     before={n: format_value(props[n], v, tz=ctx.tz) for n, v in before.items()},
                     after={**{n: format_value(props[n], v, tz=ctx.tz) for n, v in parsed.items()},
                            "segments": done.summary(), "associated_segments": across.summary()},
                     record=(object_type, record_id))
    return get_record(object_type, record_id), done


def delete_record(ctx: Context, object_type: str, record_id: int) -> follow.Followed:
    """Delete one record for good. It leaves every segment that held it in the same
    transaction (logged "record deleted"), and the segments reading those segments'
    membership follow; returns what it did to segment membership."""
    ctx.require_write(Message("deleting a record"))
    _check_object_type(object_type)
    props = properties(object_type)
    model = RECORD_MODELS[object_type]
    with write_transaction():
        record = get_record(object_type, record_id)
        others = associations.forget(object_type, record_id)
        if model.delete().where(model.id == record_id).execute() != 1:  # another process won
            raise record_not_found(object_type, record_id)
        done = follow.record_deleted(ctx, object_type, record_id)
        # the records it was associated with, in the other object's segments with association filters
        done.across = follow.association_gone(ctx, OTHER[object_type], others, cause=causes.deleted(object_type))
        key = getattr(record, key_property(object_type).name)
        audit.record(ctx, "delete_record",
                     Message(DELETED[object_type], key=key, id=record_id, effect=done.message(record_id)),
                     before={n: format_value(p, getattr(record, p.column), tz=ctx.tz) for n, p in props.items()},
                     after={"segments": done.summary(), "associated_segments": done.across.summary()})
    return done


def find_record(object_type: str, ref: str):
    """A record by key (email or domain, any case) or by id."""
    _check_object_type(object_type)
    model = RECORD_MODELS[object_type]
    text = ref.strip()
    if text.isascii() and text.isdigit():
        return get_record(object_type, int(text))
    refuse_nul(text, Message(THE_KEY[object_type]))
    found = model.get_or_none(getattr(model, key_property(object_type).name) == text.lower())
    if found is None:
        raise RecordNotFound(NO_RECORD[object_type], ref=text)
    return found


@dataclass(frozen=True)
class Belonging:
    """A record's membership of one segment: since when, how, and why (the log's reason)."""

    segment: Segment
    source: str
    joined_at: pendulum.DateTime
    reason: str | None
    actor: str | None


def memberships_of(object_type: str, record_id: int) -> list[Belonging]:
    """The live segments a record belongs to, with the moment and reason it joined each."""
    rows = list(
        Segment.select(Segment, Membership.source, Membership.joined_at)
        .join(Membership, on=(Membership.segment == Segment.id))
        .where((Membership.record_id == record_id) & (Segment.object_type == object_type) & store.live())
        .order_by(Segment.name_key)
    )
    last: dict[int, tuple[str, str]] = {}
    query = (MembershipLog.select(MembershipLog.segment, MembershipLog.reason, MembershipLog.actor)
             .where((MembershipLog.record_id == record_id) & (MembershipLog.action == "added")
                    & MembershipLog.segment.in_([s.id for s in rows]))
             .order_by(MembershipLog.id))
    for segment_id, reason, actor in query.tuples():
        last[segment_id] = (reason, actor)
    return [Belonging(s, s.membership.source, s.membership.joined_at, *last.get(s.id, (None, None)))
            for s in rows]


def segments_reading(object_type: str, names: set[str]) -> list[Segment]:
    """Live active segments whose filters read any of ``names``: what an edit to them affects."""
    return list(follow.segments_reading(object_type, set(names)).order_by(Segment.name_key))
