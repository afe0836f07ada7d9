"""Segments: create, rename, clone, delete and restore, list and search page by page."""

from __future__ import annotations

from dataclasses import dataclass

import peewee

from ..i18n import Message, N_n, _, nmsg
from . import audit, filters, membership, store
from .context import Context
from .db import write_transaction
from .kinds import SegmentType
from .errors import InvalidFilter, InvalidInput, InvalidName, SegmentNotFound, refuse_nul
from .models import RECORD_MODELS, Membership, Segment, SegmentDependency
from .properties import OBJECT_TYPES
from .stored_messages import Count

TYPES = tuple(SegmentType)
RESTORE_DAYS = 90
# the audit's sentence for each kind of new segment, whole (French agrees the adjective)
CREATED = {
    ("active", "contacts"): N_n("Created active contacts segment {name!r} with {n} member",
                                "Created active contacts segment {name!r} with {n} members"),
    ("active", "companies"): N_n("Created active companies segment {name!r} with {n} member",
                                 "Created active companies segment {name!r} with {n} members"),
    ("static", "contacts"): N_n("Created static contacts segment {name!r} with {n} member",
                                "Created static contacts segment {name!r} with {n} members"),
    ("static", "companies"): N_n("Created static companies segment {name!r} with {n} member",
                                 "Created static companies segment {name!r} with {n} members"),
}
SORT_COLUMNS = {
    "name": Segment.name_key,
    "type": Segment.type,
    "object": Segment.object_type,
    "size": Segment.size,
    "last_activity": Segment.last_activity_at,
    "conversion": Segment.due_at,
    "updated": Segment.updated_at,
    "created_by": Segment.created_by,
}


name_key = store.name_key


def clean_name(name) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidName("A segment needs a name")
    if "\x00" in name:
        raise InvalidName("A segment name cannot contain a NUL character (\\x00)")
    return name.strip()


def _name_taken(name: str, object_type: str) -> InvalidName:
    """The unique index refused the name: another admin took it between our check and our write."""
    return _taken(name, object_type)


def _taken(name: str, object_type: str) -> InvalidName:
    if object_type == "companies":
        return InvalidName("A companies segment named {name!r} already exists: choose another name", name=name)
    return InvalidName("A contacts segment named {name!r} already exists: choose another name", name=name)


def _check_name_free(name: str, object_type: str, *, except_id: int | None = None) -> None:
    query = Segment.select(Segment.id, Segment.name).where(
        (Segment.object_type == object_type) & (Segment.name_key == name_key(name)) & store.live()
    )
    if except_id is not None:
        query = query.where(Segment.id != except_id)
    clash = query.first()
    if clash is not None:
        raise _taken(clash.name, object_type)


def _check_object_type(object_type: str) -> None:
    if object_type not in OBJECT_TYPES:
        raise InvalidInput("Unknown object type {object_type!r}: use contacts or companies", object_type=object_type)


def resolve_segment_ref(ref) -> tuple[int, str]:
    """For filter validation: a live segment by id or exact name -> (id, object type)."""
    found = store.get(ref)
    return found.id, found.object_type


def validate_filters(tree, object_type: str, *, segment_id: int | None = None) -> dict:
    """Validate against the registry; refuse a membership filter that would make a cycle."""
    if isinstance(tree, str):
        tree = filters.parse_json(tree)
    normal = filters.validate(tree, object_type, resolve_segment=resolve_segment_ref)
    if segment_id is not None:
        _check_cycle(segment_id, filters.referenced_segments(normal))
    return normal


def _check_cycle(segment_id: int, uses: set[int]) -> None:
    """Refuse if any used segment (transitively) reads ``segment_id``'s membership."""
    seen: set[int] = set()
    frontier = set(uses)
    while frontier:
        if segment_id in frontier:
            name = Segment.get_by_id(segment_id).name
            raise InvalidFilter("These filters would make {name!r} depend on itself through segment membership filters",
                                name=name)
        seen |= frontier
        rows = SegmentDependency.select(SegmentDependency.depends_on).where(SegmentDependency.segment.in_(frontier))
        frontier = {r.depends_on_id for r in rows} - seen


def _save_dependencies(segment_id: int, tree: dict) -> None:
    """What is derived from the filters into tables: the segments and properties they read."""
    store.save_reads(segment_id, Segment.get_by_id(segment_id).object_type, tree)
    SegmentDependency.delete().where(SegmentDependency.segment == segment_id).execute()
    rows = [{"segment": segment_id, "depends_on": used} for used in sorted(filters.referenced_segments(tree))]
    if rows:
        SegmentDependency.insert_many(rows).execute()


def create(ctx: Context, name: str, object_type: str, type: str, tree=None) -> tuple[Segment, membership.Diff]:
    """Create a segment. Active: processed at once. Static with filters: filled once from them."""
    ctx.require_write("creating a segment")
    name = clean_name(name)
    _check_object_type(object_type)
    if type not in TYPES:
        raise InvalidInput("Unknown segment type {type!r}: use active or static", type=type)
    normal = validate_filters(tree if tree is not None else filters.EMPTY_TREE, object_type)
    if type == "active" and not filters.has_filters(normal):
        raise InvalidFilter("An active segment needs at least one filter: its members are what the filters select")
    now = ctx.now()
    with write_transaction():
        _check_name_free(name, object_type)
        try:
            segment = Segment.create(
                name=name, name_key=name_key(name), object_type=object_type, type=type,
                last_activity_at=now, created_at=now, created_by=ctx.actor,
                updated_at=now, updated_by=ctx.actor, **store.filter_columns(normal),
            )
        except peewee.IntegrityError:
            raise _taken(name, object_type) from None
        _save_dependencies(segment.id, normal)
        diff = membership.Diff(0, 0)
        if filters.has_filters(normal):
            if type == "active":
                diff = membership.apply_and_stamp(ctx, segment, normal, reason="filter")
            else:
                diff = membership.apply_filters(ctx, segment, normal, reason="filter")
        audit.record(
            ctx, "create", nmsg(*CREATED[type, object_type], diff.added, name=name),
            segment_id=segment.id, after={"name": name, "type": type, "object_type": object_type, "filters": normal},
        )
    return Segment.get_by_id(segment.id), diff


def rename(ctx: Context, segment_id: int, new_name: str, *, expected_version: int | None = None) -> Segment:
    new_name = clean_name(new_name)
    with store.editing(ctx, segment_id, expected_version, "renaming a segment") as segment:
        old = segment.name
        if new_name == old:
            return segment
        _check_name_free(new_name, segment.object_type, except_id=segment.id)
        try:
            store.conditional_update(ctx, segment, name=new_name, name_key=name_key(new_name))
        except peewee.IntegrityError:
            raise _name_taken(new_name, segment.object_type) from None
        audit.record(ctx, "rename", Message("Renamed {old!r} to {new!r}", old=old, new=new_name), segment_id=segment.id,
                     before={"name": old}, after={"name": new_name})
        return segment


def update_filters(ctx: Context, segment_id: int, tree, *, expected_version: int | None = None) -> tuple[Segment, membership.Diff]:
    """Replace the filters. Active: membership follows at once. Static: stored for a later conversion."""
    with store.editing(ctx, segment_id, expected_version, "editing filters") as segment:
        normal = validate_filters(tree, segment.object_type, segment_id=segment.id)
        if segment.type == "active" and not filters.has_filters(normal):
            raise InvalidFilter("An active segment needs at least one filter; convert it to static to keep it without")
        before = store.tree(segment)
        store.conditional_update(ctx, segment, **store.filter_columns(normal))
        _save_dependencies(segment.id, normal)
        diff = membership.Diff(0, 0)
        if segment.type == "active":
            diff = membership.apply_and_stamp(ctx, segment, normal, reason="filter")
        audit.record(ctx, "edit_filters", Message("Edited the filters of {name!r} (+{added}, -{removed})", name=segment.name,
                                                  added=Count(diff.added), removed=Count(diff.removed)),
                     segment_id=segment.id, before={"filters": before}, after={"filters": normal})
        return Segment.get_by_id(segment.id), diff


def preview_filters(ctx: Context, segment_id: int, tree) -> membership.Diff:
    """What saving ``tree`` on an active segment would change."""
    segment = store.get(segment_id)
    normal = validate_filters(tree, segment.object_type, segment_id=segment.id)
    return membership.preview(segment, normal, ctx)


def clone(ctx: Context, segment_id: int, new_name: str | None = None) -> Segment:
    """A copy with the same filters and type (not the schedule); a static copy keeps the members.

    One transaction: a failure half-way leaves no half-made copy behind.
    """
    ctx.require_write("cloning a segment")
    with write_transaction():
        source = store.get(segment_id)
        name = clean_name(new_name) if new_name is not None else _free_copy_name(source)
        active = source.type == SegmentType.ACTIVE
        copy, _diff = create(ctx, name, source.object_type, source.type, store.tree(source) if active else None)
        if not active:
            ids = [rid for (rid,) in Membership.select(Membership.record_id)
                   .where(Membership.segment == source.id).tuples()]
            if ids:
                membership.add_records(ctx, copy.id, ids, source="manual")
            store.conditional_update(ctx, store.lock(copy.id), **store.filter_columns(store.tree(source)))
            _save_dependencies(copy.id, store.tree(source))
        audit.record(ctx, "clone", Message("Cloned {source!r} as {name!r}", source=source.name, name=name), segment_id=copy.id,
                     before={"source_id": source.id})
    return Segment.get_by_id(copy.id)


def _free_copy_name(source: Segment) -> str:
    base = _("Copy of {name}").format(name=source.name)
    candidate, n = base, 2
    while Segment.select().where(
        (Segment.object_type == source.object_type) & (Segment.name_key == name_key(candidate)) & store.live()
    ).exists():
        candidate, n = f"{base} ({n})", n + 1
    return candidate


def dependants(segment_id: int) -> list[Segment]:
    """Live segments whose filters read this segment's membership."""
    return list(
        Segment.select()
        .join(SegmentDependency, on=(SegmentDependency.segment == Segment.id))
        .where((SegmentDependency.depends_on == segment_id) & store.live())
        .order_by(Segment.name_key)
    )


def delete(ctx: Context, segment_id: int, *, expected_version: int | None = None) -> Segment:
    """Soft delete (restorable for 90 days); refused while another segment's filter uses it."""
    with store.editing(ctx, segment_id, expected_version, "deleting a segment") as segment:
        users = dependants(segment.id)
        if users:
            names = ", ".join(repr(u.name) for u in users[:5])
            raise InvalidInput("{name!r} is used in the filters of {names}: remove it from their filters first",
                               name=segment.name, names=names)
        store.conditional_update(ctx, segment, deleted_at=ctx.now(), deleted_by=ctx.actor)
        audit.record(ctx, "delete", Message("Deleted {name!r}", name=segment.name), segment_id=segment.id,
                     before={"deleted": False}, after={"deleted": True})
        return segment


def deleted(ctx: Context, *, limit: int = 200) -> list[Segment]:
    """Segments deleted in the last 90 days, newest first."""
    cutoff = ctx.now().subtract(days=RESTORE_DAYS)
    return list(
        Segment.select().where(Segment.deleted_at.is_null(False) & (Segment.deleted_at >= cutoff))
        .order_by(Segment.deleted_at.desc()).limit(limit)
    )


def restore(ctx: Context, segment_id: int) -> Segment:
    ctx.require_write("restoring a segment")
    if isinstance(segment_id, bool) or not isinstance(segment_id, int) or not 1 <= segment_id <= store.MAX_ID:
        raise SegmentNotFound("No deleted segment with id {id!r}", id=segment_id)
    with write_transaction():
        segment = Segment.get_or_none(Segment.id == segment_id)
        if segment is None or segment.deleted_at is None:
            raise SegmentNotFound("No deleted segment with id {id}", id=segment_id)
        if segment.deleted_at < ctx.now().subtract(days=RESTORE_DAYS):
            raise InvalidInput("{name!r} was deleted more than {days} days ago and cannot be restored",
                               name=segment.name, days=RESTORE_DAYS)
        _check_name_free(segment.name, segment.object_type)
        membership.check_references(store.tree(segment))
        try:
            count = (
                Segment.update(
                    deleted_at=None, deleted_by=None, version=Segment.version + 1, updated_at=ctx.now(),
                    updated_by=ctx.actor, next_refresh_at=ctx.now() if segment.type == "active" else None,
                    stale=segment.type == "active",
                )
                .where((Segment.id == segment_id) & Segment.deleted_at.is_null(False))
                .execute()
            )
        except peewee.IntegrityError:
            raise _name_taken(segment.name, segment.object_type) from None
        if count != 1:
            raise SegmentNotFound("{name!r} was restored by someone else meanwhile", name=segment.name)
        audit.record(ctx, "restore", Message("Restored {name!r}", name=segment.name), segment_id=segment.id,
                     before={"deleted": True}, after={"deleted": False})
        return Segment.get_by_id(segment_id)


@dataclass(frozen=True)
class Page:
    rows: list[Segment]
    total: int
    offset: int


def list_page(
    *,
    search: str = "",
    type: str | None = None,
    object_type: str | None = None,
    sort: str = "name",
    descending: bool = False,
    offset: int = 0,
    limit: int = 100,
    folder: int | None = None,
) -> Page:
    """One page of live segments, filtered and sorted in SQL; ``folder``: that folder and
    the folders inside it."""
    query = Segment.select().where(store.live())
    if folder is not None:
        from .folders import subtree_ids

        query = query.where(Segment.folder.in_(subtree_ids(folder)))
    if type:
        if type not in TYPES:
            raise InvalidInput("Unknown segment type {type!r}: use active or static", type=type)
        query = query.where(Segment.type == type)
    if object_type:
        _check_object_type(object_type)
        query = query.where(Segment.object_type == object_type)
    if search.strip():
        refuse_nul(search, Message("The search text"))
        query = query.where(Segment.name_key.contains(search.strip().casefold()))
    column = SORT_COLUMNS.get(sort)
    if column is None:
        raise InvalidInput("Cannot sort by {sort!r}: use one of {columns}", sort=sort, columns=", ".join(SORT_COLUMNS))
    order = column.desc(nulls="LAST") if descending else column.asc(nulls="LAST")
    total = query.count()
    rows = list(query.order_by(order, Segment.id).offset(offset).limit(limit))
    return Page(rows=rows, total=total, offset=offset)


def get(ref) -> Segment:
    return store.get(ref)



# ---------------------------------------------------------------- for forms (the console)


def check_name(name, object_type: str, *, except_id: int | None = None) -> str:
    """The cleaned name if a live segment of ``object_type`` could take it; else InvalidName."""
    name = clean_name(name)
    _check_object_type(object_type)
    _check_name_free(name, object_type, except_id=except_id)
    return name


def filter_problems(tree: dict, object_type: str, *, segment_id: int | None = None) -> list[list[str | None]]:
    """For a draft tree, what is wrong with each filter (None: nothing), group by group.

    Each filter is checked on its own (property, operator, value, the segment it names),
    then membership filters are checked for cycles through ``segment_id``.
    """
    _check_object_type(object_type)
    out: list[list[str | None]] = []
    for group in tree.get("groups", []):
        problems: list[str | None] = []
        for f in group.get("filters", []):
            try:
                normal = filters.validate_filter(f, object_type, resolve_segment=resolve_segment_ref)
                if segment_id is not None and "segment" in normal:
                    _check_cycle(segment_id, {normal["segment"]})
            except InvalidFilter as exc:
                problems.append(exc.message)
            else:
                problems.append(None)
        out.append(problems)
    return out


def count_matching(ctx: Context, object_type: str, tree, *, segment_id: int | None = None) -> int:
    """How many records ``tree`` selects now (the editor's live count); validates first."""
    normal = validate_filters(tree, object_type, segment_id=segment_id)
    membership.check_references(normal)
    model = RECORD_MODELS[object_type]
    return model.select(model.id).where(filters.compile_tree(normal, object_type, today=ctx.today(), tz=ctx.tz)).count()


def suggest_copy_name(segment_id: int) -> str:
    """The name a clone gets when none is given: "Copy of X", then "Copy of X (2)"..."""
    return _free_copy_name(store.get(segment_id))
