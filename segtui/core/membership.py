"""Who is in a segment: set-based refresh of active segments, manual changes to static ones.

A refresh is one diff computed in SQL: the new members are inserted, the gone ones
deleted, both appended to the membership log; size, last activity and the inactivity due
moment move only when the diff is not empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pendulum
from peewee import SQL, Case, Select, Value, chunked, fn

from .. import i18n
from ..i18n import Message, N_n, nmsg
from . import causes, filters, store
from .context import Context
from .errors import InvalidFilter, MembershipNotAllowed, RecordNotFound
from .models import RECORD_MODELS, Membership, MembershipLog, Segment, SegmentDependency
from .kinds import records_word
from .properties import key_property
from .schedule import AFTER_INACTIVITY, due_moment

CHUNK = 500  # ids per IN (...) list: well under every database's parameter limit
ADDED_BY_HAND = N_n("Added {n} record by hand", "Added {n} records by hand")
REMOVED_BY_HAND = N_n("Removed {n} record by hand", "Removed {n} records by hand")


# A test hook (tests/workload.py): called inside the refresh's transaction once its first
# batch (the log rows of the diff) is written, with their number; the kill trials use it to
# kill a worker that is certainly in the middle of a transaction.
after_first_batch: Callable[[int], None] | None = None


@dataclass(frozen=True)
class Diff:
    added: int
    removed: int

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def matching_query(segment: Segment, tree: dict, ctx: Context):
    """SELECT id FROM <records> WHERE <filters>, after checking the segments it uses."""
    check_references(tree)
    model = RECORD_MODELS[segment.object_type]
    return model.select(model.id).where(filters.compile_tree(tree, segment.object_type, today=ctx.today(), tz=ctx.tz))


def check_references(tree: dict) -> None:
    """A membership filter on a deleted segment cannot be evaluated."""
    wanted = filters.referenced_segments(tree)
    if not wanted:
        return
    alive = {s.id for s in Segment.select(Segment.id).where(Segment.id.in_(wanted) & store.live())}
    missing = sorted(wanted - alive)
    if missing:
        names = {
            s.id: s.name for s in Segment.select(Segment.id, Segment.name).where(Segment.id.in_(missing))
        }
        what = ", ".join(repr(names.get(i, f"#{i}")) for i in missing)
        raise InvalidFilter("The filters use segment {names}, which was deleted: edit the filters", names=what)


def preview(segment: Segment, tree: dict, ctx: Context) -> Diff:
    """What applying ``tree`` would change, without changing anything."""
    matching = matching_query(segment, tree, ctx)
    current = Membership.select(Membership.record_id).where(Membership.segment == segment.id)
    added = matching.where(RECORD_MODELS[segment.object_type].id.not_in(current)).count()
    model = RECORD_MODELS[segment.object_type]
    kept = (
        Membership.select()
        .where((Membership.segment == segment.id) & Membership.record_id.in_(matching.select(model.id)))
        .count()
    )
    return Diff(added=added, removed=segment_size(segment.id) - kept)


def segment_size(segment_id: int) -> int:
    return Membership.select().where(Membership.segment == segment_id).count()


def apply_filters(ctx: Context, segment: Segment, tree: dict, *, reason: str, among: Select | None = None,
                  mark_dependants: bool = True) -> Diff:
    """Make membership exactly what ``tree`` selects. Call inside a write transaction.

    ``among`` (a query of record ids) restricts the diff to those records: the relative-date
    rollover passes the records whose date crossed a boundary.

    The filters are evaluated once, into a materialized CTE; one INSERT logs both sides of
    the diff, then the delete and the insert read this refresh's log rows (an index range):

        INSERT INTO membership_log (...)
        WITH target(id) AS MATERIALIZED (SELECT id FROM <records> WHERE <filters>)
        SELECT ... 'removed' FROM membership m WHERE m.segment_id = :s AND NOT EXISTS (target row)
        UNION ALL
        SELECT ... 'added' FROM target WHERE NOT EXISTS (membership row)

    NOT EXISTS rather than NOT IN: PostgreSQL plans it as an anti-join whatever the size.
    """
    now = ctx.now()
    start = last_log_id(segment.id)
    matching = matching_query(segment, tree, ctx)
    if among is not None:
        matching = matching.where(RECORD_MODELS[segment.object_type].id.in_(among))
    target = matching.cte("target", columns=("id",), materialized=True)
    member = Membership.alias("m")
    still_matching = Select([target], [Value(1)]).where(target.c.id == member.record_id)
    gone = member.select(
        member.segment, member.record_id, Value("removed"), Value(reason), _moment(now), Value(ctx.actor)
    ).where((member.segment == segment.id) & ~fn.EXISTS(still_matching))
    if among is not None:
        gone = gone.where(member.record_id.in_(among))
    already = Membership.select(Value(1)).where(
        (Membership.segment == segment.id) & (Membership.record_id == target.c.id)
    )
    new = Select([target], [
        Value(segment.id), target.c.id, Value("added"), Value(reason), _moment(now), Value(ctx.actor)
    ]).where(~fn.EXISTS(already))
    counts = {}
    # removed then added, by record id: the log reads the same on every database
    logged = _log((gone + new).order_by(SQL("3 DESC"), SQL("2")).with_cte(target))
    if after_first_batch is not None:
        after_first_batch(logged)
    if logged:
        counts = dict(
            MembershipLog.select(MembershipLog.action, fn.COUNT(MembershipLog.id))
            .where((MembershipLog.segment == segment.id) & (MembershipLog.id > start))
            .group_by(MembershipLog.action)
            .tuples()
        )
    diff = Diff(added=counts.get("added", 0), removed=counts.get("removed", 0))
    if diff.removed:
        Membership.delete().where(
            (Membership.segment == segment.id) & Membership.record_id.in_(logged_since(segment.id, start, "removed"))
        ).execute()
    if diff.added:
        Membership.insert_from(
            MembershipLog.select(MembershipLog.segment, MembershipLog.record_id, Value(reason), _moment(now)).where(
                (MembershipLog.segment == segment.id)
                & (MembershipLog.id > start)
                & (MembershipLog.action == "added")
            ),
            fields=[Membership.segment, Membership.record_id, Membership.source, Membership.joined_at],
        ).execute()
    if diff.changed:
        record_activity(ctx, segment, diff, mark_dependants=mark_dependants)
    return diff


def _moment(moment: pendulum.DateTime) -> Value:
    """A moment as a SQL literal in the stored form (drivers do not adapt pendulum types)."""
    return Value(MembershipLog.at.db_value(moment))


def last_log_id(segment_id: int) -> int:
    last = (
        MembershipLog.select(fn.MAX(MembershipLog.id)).where(MembershipLog.segment == segment_id).scalar()
    )
    return last or 0


def logged_since(segment_id: int, after_id: int, action: str | None = None):
    query = MembershipLog.select(MembershipLog.record_id).where(
        (MembershipLog.segment == segment_id) & (MembershipLog.id > after_id))
    return query.where(MembershipLog.action == action) if action else query


_LOG_FIELDS = [
    MembershipLog.segment,
    MembershipLog.record_id,
    MembershipLog.action,
    MembershipLog.reason,
    MembershipLog.at,
    MembershipLog.actor,
]


def _log(select) -> int:
    return MembershipLog.insert_from(select, fields=_LOG_FIELDS).as_rowcount().execute()


def record_activity(ctx: Context, segment: Segment, diff: Diff, *, mark_dependants: bool = True) -> None:
    """Membership changed: size, last activity, the inactivity due moment, dependants.

    ``mark_dependants=False`` when the caller carries the dependants along itself (a record
    change re-evaluates them for the changed records, in the same transaction).
    """
    now = ctx.now()
    changes = {
        Segment.size: Segment.size + diff.added - diff.removed,
        Segment.last_activity_at: now,
    }
    segment.size += diff.added - diff.removed
    segment.last_activity_at = now
    if segment.type == "active" and segment.schedule_mode == AFTER_INACTIVITY:
        due = _due_after_activity(ctx, segment, now)
        changes[Segment.due_at] = due
        segment.due_at = due
    Segment.update(changes).where(Segment.id == segment.id).execute()
    if mark_dependants:
        mark_dependants_stale(ctx, segment.id)


def record_activities(ctx: Context, net: dict[int, int]) -> None:
    """Membership of many segments changed (``net``: segment id -> joined minus left): sizes,
    last activity and the inactivity clocks, as ``record_activity`` moves them, by one read
    and one statement whatever their number (the dependants are the caller's)."""
    if not net:
        return
    now = ctx.now()
    ids = sorted(net)
    clocked = Segment.select(Segment.id, Segment.schedule_mode, Segment.schedule_amount, Segment.schedule_unit,
                             Segment.schedule_tz).where(
        Segment.id.in_(ids) & (Segment.type == "active") & (Segment.schedule_mode == AFTER_INACTIVITY))
    due = {row.id: _due_after_activity(ctx, row, now) for row in clocked}
    changes = {Segment.size: Segment.size + Case(Segment.id, [(sid, net[sid]) for sid in ids]),
               Segment.last_activity_at: now}
    if due:
        changes[Segment.due_at] = Case(Segment.id, [(sid, _moment(moment)) for sid, moment in sorted(due.items())],
                                       Segment.due_at)
    Segment.update(changes).where(Segment.id.in_(ids)).execute()


def _due_after_activity(ctx: Context, segment: Segment, now: pendulum.DateTime) -> pendulum.DateTime:
    """When a segment converting after inactivity is due, its activity being ``now``: a period
    later, counted in its own time zone."""
    return due_moment(store.schedule_of(segment), tz=segment.schedule_tz or ctx.tz, last_activity_at=now)


def mark_dependants_stale(ctx: Context, segment_id: int) -> int:
    """Active segments whose filters read this one's membership need a full refresh."""
    users = SegmentDependency.select(SegmentDependency.segment).where(SegmentDependency.depends_on == segment_id)
    return owe_full_refresh(ctx, users)


def owe_full_refresh(ctx: Context, segment_ids) -> int:
    """These active segments (ids, or a query of ids) need a full refresh: the worker's next
    tick does it (``check`` counts them as pending, not drift)."""
    now = ctx.now()
    return (
        Segment.update(
            # already due (a rollover at midnight, a retry): keep its place in the queue
            next_refresh_at=Case(None, [(Segment.next_refresh_at.is_null() | (Segment.next_refresh_at > now),
                                         _moment(now))], Segment.next_refresh_at),
            stale=True,
        )
        .where(
            Segment.id.in_(segment_ids)
            & (Segment.type == "active")
            & store.live()
            & (Segment.next_refresh_at.is_null() | (Segment.next_refresh_at > now) | ~Segment.stale)
        )
        .execute()
    )


def apply_and_stamp(ctx: Context, segment: Segment, tree: dict, *, reason: str, **columns) -> Diff:
    """Apply the filters, then stamp the refresh: when it ran, and when relative dates next
    change their meaning (local midnight). ``columns`` are written with the stamp. Call
    inside a write transaction."""
    diff = apply_filters(ctx, segment, tree, reason=reason)
    relative = segment.has_relative_dates
    Segment.update(
        refreshed_at=ctx.now(),
        next_refresh_at=next_day_start(ctx) if relative else None,
        # the day relative dates were evaluated for: the next rollover starts there
        dates_as_of=ctx.today() if relative else None,
        stale=False,
        **columns,
    ).where(Segment.id == segment.id).execute()
    return diff


def next_day_start(ctx: Context) -> pendulum.DateTime:
    """When relative-date filters next change their meaning: local midnight."""
    local = ctx.now().in_timezone(ctx.tz)
    return local.add(days=1).start_of("day").in_timezone("UTC")


def refresh(ctx: Context, segment_id: int, *, reason: str = "filter", full: bool = False) -> Diff:
    """Bring an active segment up to date, atomically.

    A full refresh (the filters evaluated over every record) when asked, when one is owed
    (``stale``: a segment its filters read changed as a whole) or when its relative dates
    were never evaluated; otherwise only the relative-date rollover: the records whose date
    crossed a boundary since the day they were last evaluated for.
    """
    from . import follow  # follow builds on this module

    with store.editing(ctx, segment_id, None, "refreshing a segment") as segment:
        if segment.type != "active":
            Segment.update(next_refresh_at=None, stale=False).where(Segment.id == segment_id).execute()
            return Diff(0, 0)
        done = dict(refresh_error=None, refresh_failures=0, claimed_by=None, claim_expires_at=None)
        if full or segment.stale or not segment.has_relative_dates or segment.dates_as_of is None:
            return apply_and_stamp(ctx, segment, store.tree(segment), reason=reason, **done)
        diff = follow.rollover(ctx, segment)
        Segment.update(**done).where(Segment.id == segment_id).execute()
        return diff


def _require_static(segment: Segment, verb: str) -> None:
    if segment.type != "static":
        if verb == "add":
            raise MembershipNotAllowed("{name!r} is an active segment: its members follow its filters. Convert it to "
                                       "static to add records by hand.", name=segment.name)
        raise MembershipNotAllowed("{name!r} is an active segment: its members follow its filters. Convert it to "
                                   "static to remove records by hand.", name=segment.name)


def resolve_keys(object_type: str, keys: list[str]) -> list[int]:
    """Record ids for emails (contacts) or domains (companies); unknown keys are refused."""
    model = RECORD_MODELS[object_type]
    key = getattr(model, key_property(object_type).name)
    wanted = {k.strip().lower() for k in keys if k.strip()}
    if not wanted:
        if object_type == "companies":
            raise RecordNotFound("Name at least one company")
        raise RecordNotFound("Name at least one contact")
    found: dict[str, int] = {}
    chunk = sorted(k for k in wanted if "\x00" not in k)  # no key holds one: unknown
    for part in chunked(chunk, CHUNK):
        for row in model.select(model.id, key).where(key.in_(part)).tuples():
            found[row[1]] = row[0]
    unknown = sorted(wanted - set(found))
    if unknown:
        shown = ", ".join(unknown[:5])
        if len(unknown) > 5:
            shown = Message("{keys} and {count} more", keys=shown, count=i18n.number(len(unknown) - 5))
        if object_type == "companies":
            raise RecordNotFound("No company {keys}: nothing was changed", keys=shown)
        raise RecordNotFound("No contact {keys}: nothing was changed", keys=shown)
    return sorted(found.values())


def add_records(ctx: Context, segment_id: int, record_ids: list[int], *, source: str = "manual",
                expected_version: int | None = None) -> Diff:
    """Add records by hand to a static segment (already-members are left as they are)."""
    from . import follow  # follow builds on this module

    ids = sorted(set(record_ids))
    with store.editing(ctx, segment_id, expected_version, "adding records") as segment:
        _require_static(segment, "add")
        model = RECORD_MODELS[segment.object_type]
        start = last_log_id(segment.id)
        added = 0
        for chunk in chunked(ids, CHUNK):
            current = Membership.select(Membership.record_id).where(Membership.segment == segment.id)
            new = model.select(
                Value(segment.id), model.id, Value("added"), Value(source), _moment(ctx.now()), Value(ctx.actor)
            ).where(model.id.in_(chunk) & model.id.not_in(current))
            added += _log(new)
        if added:
            Membership.insert_from(
                MembershipLog.select(
                    MembershipLog.segment, MembershipLog.record_id, Value(source), _moment(ctx.now())
                ).where((MembershipLog.segment == segment.id) & (MembershipLog.id > start)),
                fields=[Membership.segment, Membership.record_id, Membership.source, Membership.joined_at],
            ).execute()
            diff = Diff(added, 0)
            record_activity(ctx, segment, diff, mark_dependants=False)
            joined = [rid for (rid,) in logged_since(segment.id, start, "added").tuples()]
            how = causes.imported_into if source == "import" else causes.added_to
            follow.members_changed(ctx, segment, joined, cause=how(segment.name))
            _audit_manual(ctx, segment, "add_records", nmsg(*ADDED_BY_HAND, added), ids)
        return Diff(added, 0)


def remove_records(ctx: Context, segment_id: int, record_ids: list[int],
                   expected_version: int | None = None) -> Diff:
    """Remove records by hand from a static segment (non-members are ignored)."""
    from . import follow  # follow builds on this module

    ids = sorted(set(record_ids))
    with store.editing(ctx, segment_id, expected_version, "removing records") as segment:
        _require_static(segment, "remove")
        removed = 0
        start = last_log_id(segment.id)
        for chunk in chunked(ids, CHUNK):
            gone = Membership.select(
                Membership.segment, Membership.record_id, Value("removed"), Value("manual"),
                _moment(ctx.now()), Value(ctx.actor),
            ).where((Membership.segment == segment.id) & Membership.record_id.in_(chunk))
            removed += _log(gone)
            Membership.delete().where(
                (Membership.segment == segment.id) & Membership.record_id.in_(chunk)
            ).execute()
        if removed:
            diff = Diff(0, removed)
            record_activity(ctx, segment, diff, mark_dependants=False)
            left = [rid for (rid,) in logged_since(segment.id, start, "removed").tuples()]
            follow.members_changed(ctx, segment, left, cause=causes.removed_from(segment.name))
            _audit_manual(ctx, segment, "remove_records", nmsg(*REMOVED_BY_HAND, removed), ids)
        return Diff(0, removed)


def _audit_manual(ctx: Context, segment: Segment, action: str, summary: Message, ids: list[int]) -> None:
    from . import audit

    audit.record(ctx, action, summary, segment_id=segment.id, after={"record_ids": ids[:100], "count": len(ids)})


def record_keys(object_type: str, ids: list[int]) -> dict[int, str]:
    """Email or domain of each record id (for showing log entries)."""
    if not ids:
        return {}
    model = RECORD_MODELS[object_type]
    key = getattr(model, key_property(object_type).name)
    return dict(model.select(model.id, key).where(model.id.in_(sorted(set(ids)))).tuples())


def log_page(segment_id: int, *, limit: int = 100, before_id: int | None = None) -> list[MembershipLog]:
    query = MembershipLog.select().where(MembershipLog.segment == segment_id)
    if before_id is not None:
        query = query.where(MembershipLog.id < before_id)
    return list(query.order_by(MembershipLog.id.desc()).limit(limit))


def add_members_of(ctx: Context, segment_id: int, other_id: int, *,
                   expected_version: int | None = None) -> Diff:
    """Add every member of another segment of the same object to a static segment, by hand."""
    target, other = store.get(segment_id), store.get(other_id)
    if other.id == target.id:
        raise MembershipNotAllowed("Choose another segment: a segment's members are already its members")
    if other.object_type != target.object_type:
        raise MembershipNotAllowed("{other!r} holds {other_records}; {target!r} holds {target_records}",
                                   other=other.name, other_records=records_word(other.object_type),
                                   target=target.name, target_records=records_word(target.object_type))
    ids = [rid for (rid,) in Membership.select(Membership.record_id).where(Membership.segment == other.id).tuples()]
    return add_records(ctx, segment_id, ids, source="manual", expected_version=expected_version)


def members_among(segment_id: int, record_ids: list[int]) -> set[int]:
    """Which of ``record_ids`` (a page of them) are members of the segment."""
    ids = sorted(set(record_ids))
    found: set[int] = set()
    for chunk in chunked(ids, CHUNK):
        found.update(
            rid for (rid,) in Membership.select(Membership.record_id)
            .where((Membership.segment == segment_id) & Membership.record_id.in_(chunk)).tuples()
        )
    return found


def source_counts(segment_id: int) -> dict[str, int]:
    """How the current members joined: {'filter': n, 'manual': m, ...} (the Filters tab says it)."""
    query = (Membership.select(Membership.source, fn.COUNT(Membership.record_id).alias("n"))
             .where(Membership.segment == segment_id).group_by(Membership.source))
    return {row.source: row.n for row in query}
