"""Contacts and companies: typed values, CSV import (all or nothing) and export, edits.

A change to records re-evaluates the changed records against the active segments that read
the changed properties, in the same transaction (``follow``).
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pendulum
from peewee import EXCLUDED, chunked, fn

from . import audit, files, follow, membership, store
from .context import Context
from .db import is_sqlite, write_transaction
from .display import format_value, printable
from .errors import ImportRefused, InvalidInput, RecordNotFound, refuse_nul
from .models import RECORD_MODELS, Membership, MembershipLog, Segment, database_proxy
from .properties import (BOOLEAN, DATE, ENUMERATION, NUMBER, OBJECT_TYPES, SINGULAR, TEXT, Property, key_property,
                         properties)

TRUE_WORDS = {"true", "yes", "1"}
FALSE_WORDS = {"false", "no", "0"}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SPACE = re.compile(r"\s")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
BATCH = 500
KEY_LENGTHS = {"email": 254, "domain": 253}


def parse_value(prop: Property, text: str):
    """A typed value from text; '' means unknown. Raises ValueError with a plain message."""
    if text.strip() == "":
        return None
    # a leading tab or CR is kept in text: it is what makes a formula-like cell inert (files.neutralise)
    text = text.strip(" \n") if prop.type == TEXT and not prop.is_key else text.strip()
    if "\x00" in text:
        raise ValueError(f"{prop.label} contains a NUL character (\\x00), which cannot be stored")
    if prop.is_key:
        return _parse_key(prop, text)
    if prop.type == NUMBER:
        if not _NUMBER.match(text):
            raise ValueError(f"{prop.label} must be a number with a '.' decimal point, not {text!r}")
        value = float(text)
        if math.isinf(value):
            raise ValueError(f"{prop.label}: {text!r} is too large")
        return value
    if prop.type == DATE:
        if not _DAY.match(text):
            raise ValueError(f"{prop.label} must be a date YYYY-MM-DD, not {text!r}")
        try:
            return pendulum.Date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{prop.label}: {text} is not a real day") from None
    if prop.type == BOOLEAN:
        lowered = text.lower()
        if lowered in TRUE_WORDS:
            return True
        if lowered in FALSE_WORDS:
            return False
        raise ValueError(f"{prop.label} must be true or false (or yes/no, 1/0), not {text!r}")
    if prop.type == ENUMERATION:
        lowered = text.lower()
        if lowered not in prop.options:
            raise ValueError(f"{prop.label} must be one of {', '.join(prop.options)}, not {text!r}")
        return lowered
    return text


def _parse_key(prop: Property, text: str) -> str:
    value = text.lower()
    if _SPACE.search(value):  # \s is str.isspace (Py_UNICODE_ISSPACE), without a loop in Python
        raise ValueError(f"{prop.label} {text!r} contains spaces")
    if prop.name == "email" and not re.fullmatch(r"[^@]+@[^@]+", value):
        raise ValueError(f"{text!r} is not an email address")
    if prop.name == "domain" and "." not in value:
        raise ValueError(f"{text!r} is not a domain name")
    longest = KEY_LENGTHS[prop.name]
    if len(value) > longest:  # the limits of email and DNS (and of the key column on PostgreSQL)
        raise ValueError(f"{prop.label} is {len(value)} characters long: at most {longest}")
    return value


@dataclass
class ImportReport:
    object_type: str
    created: int = 0
    updated: int = 0
    lines: int = 0
    added_to_segment: int = 0
    columns: list[str] = field(default_factory=list)
    followed: follow.Followed = field(default_factory=follow.Followed)

    def sentence(self) -> str:
        text = f"{self.lines:,} lines: {self.created:,} created, {self.updated:,} updated"
        if self.added_to_segment:
            text += f", {self.added_to_segment:,} added to the segment"
        return text

    def segments_sentence(self) -> str:
        return self.followed.sentence()


def _check_object_type(object_type: str) -> None:
    if object_type not in OBJECT_TYPES:
        raise InvalidInput(f"Unknown object type {object_type!r}: use contacts or companies")


def read_csv(object_type: str, text: str) -> tuple[list[str], list[dict]]:
    """Parse and check a whole file; any problem refuses it with every faulty line."""
    _check_object_type(object_type)
    registry = properties(object_type)
    key = key_property(object_type).name
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRefused("The file is empty: it needs a header row of property names", [(1, "empty file")]) from None
    except csv.Error as exc:
        raise ImportRefused(f"Line 1: {exc}", [(1, str(exc))]) from None
    columns = [h.strip().lower() for h in header]
    unknown = [c for c in columns if c not in registry]
    problems: list[tuple[int, str]] = []
    if unknown:
        problems.append((1, f"unknown column(s) {', '.join(repr(c) for c in unknown)} for {object_type}"))
    if key not in columns:
        problems.append((1, f"the header has no {key!r} column, which identifies {object_type}"))
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    if duplicates:
        problems.append((1, f"column(s) {', '.join(duplicates)} appear twice"))
    if problems:
        raise ImportRefused(_refusal(problems), problems)
    rows: list[dict] = []
    seen: dict[str, int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(columns):
                problems.append((line, f"{len(cells)} cells where the header has {len(columns)}"))
                continue
            row = {}
            for column, cell in zip(columns, cells):
                try:
                    row[column] = parse_value(registry[column], cell)
                except ValueError as exc:
                    problems.append((line, str(exc)))
            if row.get(key) is None:
                if key in row:
                    problems.append((line, f"missing {key}"))
                continue
            if row[key] in seen:
                problems.append((line, f"{key} {row[key]} is also on line {seen[row[key]]}"))
                continue
            seen[row[key]] = line
            rows.append(row)
    except csv.Error as exc:
        problems.append((reader.line_num, str(exc)))
    if problems:
        raise ImportRefused(_refusal(problems), problems)
    return columns, rows


def _refusal(problems: list[tuple[int, str]]) -> str:
    shown = "\n".join(f"  line {line}: {message}" for line, message in problems[:20])
    more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
    return f"The file was refused, nothing was imported ({len(problems)} problem(s)):\n{shown}{more}"


def read_file(path: str | Path) -> str:
    shown = printable(path)
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput(f"No file at {shown}") from None
    except IsADirectoryError:
        raise InvalidInput(f"{shown} is a folder, not a CSV file") from None
    except UnicodeDecodeError as exc:
        raise ImportRefused(f"{shown} is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV", [(0, "not UTF-8")]) from None
    except OSError as exc:
        raise InvalidInput(f"Cannot read {shown}: {exc.strerror}") from None


def import_csv(ctx: Context, object_type: str, text: str, *, segment_id: int | None = None,
               progress=None) -> ImportReport:
    """Upsert records by key, all or nothing; optionally add them to a static segment."""
    ctx.require_write("importing records")
    columns, rows = read_csv(object_type, text)
    model = RECORD_MODELS[object_type]
    key_name = key_property(object_type).name
    key = getattr(model, key_name)
    report = ImportReport(object_type, lines=len(rows), columns=columns)
    now = ctx.now()
    target = store.get(segment_id) if segment_id is not None else None
    if target is not None and target.type != "static":
        raise InvalidInput(f"{target.name!r} is active: records can be imported into static segments only")
    if target is not None and target.object_type != object_type:
        raise InvalidInput(f"{target.name!r} holds {target.object_type}, not {object_type}")
    fields = [getattr(model, c) for c in columns] + [model.updated_at]
    update = {getattr(model, c): fn.COALESCE(getattr(EXCLUDED, c), getattr(model, c)) for c in columns if c != key_name}
    update[model.updated_at] = EXCLUDED.updated_at
    created: set[str] = set()
    changes: dict[int, set[str]] = {}  # per known record: the properties this import changes
    others = [c for c in columns if c != key_name]
    with write_transaction():
        done = 0
        for batch in chunked(rows, BATCH):
            before = _known(model, key, others, [r[key_name] for r in batch])
            known = {k: found[0] for k, found in before.items()}
            report.updated += len(known)
            report.created += len(batch) - len(known)
            created.update(r[key_name] for r in batch if r[key_name] not in known)
            for r in batch:
                if r[key_name] in before:
                    record_id, *old = before[r[key_name]]
                    # an empty cell keeps the value (COALESCE below): it changes nothing
                    changed = {c for c, was in zip(others, old) if r[c] is not None and r[c] != was}
                    if changed:
                        changes[record_id] = changed
            _upsert(model, key, fields, update, [[r[c] for c in columns] + [now] for r in batch],
                    [known.get(r[key_name]) for r in batch])
            done += len(batch)
            if progress:
                progress(done, len(rows))
        if target is not None and rows:
            all_keys = [r[key_name] for r in rows]
            ids = membership.resolve_keys(object_type, all_keys)
            report.added_to_segment = membership.add_records(ctx, target.id, ids, source="import").added
        report.followed = _follow_import(ctx, object_type, key, changes, sorted(created))
        audit.record(ctx, "import", f"Imported {object_type}: {report.sentence()}",
                     segment_id=target.id if target else None,
                     after={"columns": columns, "lines": len(rows), "segments": report.followed.summary()})
    return report


def _known(model, key, columns: list[str], keys: list[str]) -> dict[str, tuple]:
    """The known records among ``keys``: key -> (id, value of each column), their rows
    locked on PostgreSQL until the import commits, so that what it compares against is
    what it overwrites."""
    query = model.select(key, model.id, *(getattr(model, c) for c in columns)).where(key.in_(keys))
    if not is_sqlite(database_proxy):
        query = query.for_update()
    return {row[0]: row[1:] for row in query.tuples()}


def _follow_import(ctx: Context, object_type: str, key, changes: dict[int, set[str]],
                   created: list[str]) -> follow.Followed:
    """Each imported record evaluated against the segments that read a property the import
    changed for it (a record whose values stayed the same against none; records sharing the
    same changed properties together), the new ones against every active segment of their
    object: anything may match them."""
    model = RECORD_MODELS[object_type]
    done = follow.Followed()
    alike: dict[frozenset, list[int]] = {}
    for record_id, changed in changes.items():
        alike.setdefault(frozenset(changed), []).append(record_id)
    for changed, ids in sorted(alike.items(), key=lambda item: sorted(item[0])):
        done.merge(follow.records_changed(ctx, object_type, ids, set(changed),
                                          cause=f"import: {follow.changed_cause(changed)}"))
    created_ids = []
    for keys in chunked(created, BATCH):
        created_ids += [record_id for (record_id,) in model.select(model.id).where(key.in_(keys)).tuples()]
    return done.merge(follow.records_changed(ctx, object_type, created_ids, None, cause="import: new record"))


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
                   raw: bool = False) -> int:
    """Write a segment's members to CSV (property names as header); returns the row count.

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
    segment = store.get(segment_ref)
    model = RECORD_MODELS[segment.object_type]
    props = list(properties(segment.object_type).values())
    columns = [getattr(model, p.name) for p in props]
    # csv writes None as "" and str(date) as YYYY-MM-DD: only numbers and booleans need a word
    special = [(i, partial(format_value, p)) for i, p in enumerate(props) if p.type in (NUMBER, BOOLEAN)]
    starts = files.FORMULA_STARTS
    count = 0
    target = Path(path)
    try:
        with files.create(target, overwrite=overwrite) as out, database_proxy.atomic():
            if not is_sqlite(database_proxy):
                database_proxy.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            writer = csv.writer(out)
            writer.writerow([p.name for p in props])
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
                        values = list(row[1:])
                    else:  # only text comes back as str here (a date is a str on SQLite, but starts with a digit)
                        values = [f"'{v}" if v.__class__ is str and v.startswith(starts) else v for v in row[1:]]
                    for i, conv in special:
                        values[i] = conv(values[i])
                    writer.writerow(values)
                count += len(rows)
    except OSError as exc:
        raise InvalidInput(f"Cannot write {printable(target)}: {exc.strerror}") from None
    return count


def get_record(object_type: str, record_id: int):
    _check_object_type(object_type)
    found = RECORD_MODELS[object_type].get_or_none(RECORD_MODELS[object_type].id == record_id)
    if found is None:
        raise RecordNotFound(f"No {SINGULAR[object_type]} with id {record_id} (deleted meanwhile?)")
    return found


def search(object_type: str, text: str = "", *, offset: int = 0, limit: int = 50) -> tuple[list, int]:
    """Records whose key or name contains ``text`` (case-insensitive), one page and the total."""
    _check_object_type(object_type)
    model = RECORD_MODELS[object_type]
    query = model.select()
    needle = text.strip().lower()
    if needle:
        refuse_nul(needle, "The search text")
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
    ctx.require_write("editing a record")
    _check_object_type(object_type)
    registry = properties(object_type)
    if not values:
        raise InvalidInput("Name at least one property=value to set")
    parsed = {}
    for name, text in values.items():
        if name not in registry:
            raise InvalidInput(f"Unknown property {name!r} for {object_type}")
        prop = registry[name]
        try:
            parsed[name] = parse_value(prop, text)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        if prop.is_key and parsed[name] is None:
            raise InvalidInput(f"{prop.label} cannot be empty: it identifies the {SINGULAR[object_type]}")
    model = RECORD_MODELS[object_type]
    with write_transaction():
        record = get_record(object_type, record_id)
        before = {name: getattr(record, name) for name in parsed}
        for name, value in parsed.items():
            if registry[name].is_key and model.select().where(
                    (getattr(model, name) == value) & (model.id != record_id)).exists():
                raise InvalidInput(f"Another {SINGULAR[object_type]} already has this {registry[name].label.lower()}: {value}")
        changes = {getattr(model, name): value for name, value in parsed.items()}
        model.update({**changes, model.updated_at: ctx.now()}).where(model.id == record_id).execute()
        changed = {name for name in parsed if before[name] != parsed[name]}
        done = follow.records_changed(ctx, object_type, [record_id], changed, cause=follow.changed_cause(changed))
        names = ", ".join(sorted(parsed))
        audit.record(ctx, "edit_record", f"Set {names} of {SINGULAR[object_type]} #{record_id}. {done.sentence(record_id)}",
                     before={n: format_value(registry[n], v) for n, v in before.items()},
                     after={**{n: format_value(registry[n], v) for n, v in parsed.items()},
                            "segments": done.summary()})
    return get_record(object_type, record_id), done


def delete_record(ctx: Context, object_type: str, record_id: int) -> follow.Followed:
    """Delete one record for good. It leaves every segment that held it in the same
    transaction (logged "record deleted"), and the segments reading those segments'
    membership follow; returns what it did to segment membership."""
    ctx.require_write("deleting a record")
    _check_object_type(object_type)
    registry = properties(object_type)
    model = RECORD_MODELS[object_type]
    with write_transaction():
        record = get_record(object_type, record_id)
        if model.delete().where(model.id == record_id).execute() != 1:  # another process won
            raise RecordNotFound(f"No {SINGULAR[object_type]} with id {record_id} (deleted meanwhile?)")
        done = follow.record_deleted(ctx, object_type, record_id)
        key = getattr(record, key_property(object_type).name)
        audit.record(ctx, "delete_record",
                     f"Deleted {SINGULAR[object_type]} {key} (#{record_id}). {done.sentence(record_id)}",
                     before={n: format_value(p, getattr(record, n)) for n, p in registry.items()},
                     after={"segments": done.summary()})
    return done


def find_record(object_type: str, ref: str):
    """A record by key (email or domain, any case) or by id."""
    _check_object_type(object_type)
    model = RECORD_MODELS[object_type]
    text = ref.strip()
    if text.isascii() and text.isdigit():
        return get_record(object_type, int(text))
    refuse_nul(text, f"The {key_property(object_type).name}")
    found = model.get_or_none(getattr(model, key_property(object_type).name) == text.lower())
    if found is None:
        raise RecordNotFound(f"No {SINGULAR[object_type]} {text}")
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
