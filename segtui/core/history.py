"""How a segment lived: its size over time, the events on its time line, and who was a
member at any moment, all rebuilt from the membership log and the audit.

The log is append-only and every change of membership writes it (refreshes, conversions to
active, manual adds and removes, imports, incremental joins and leaves): replayed, it gives
the membership of any moment. Deleting a segment keeps its members, and a restored active
segment is refreshed through the log, so the replay stays exact across both.

Sizes are read from ``membership_bucket``, the log summed per 15-minute slot by a trigger
(migration history_folders): a year of days reads a few hundred rows whatever the segment's size. A day
boundary that falls inside a slot (a time zone off the quarter hour) is cut from the log
itself, so the figures stay exact in any zone.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass

import pendulum
from peewee import SQL, Case, Select, fn

from .. import i18n
from ..i18n import N_, _, pgettext
from . import store
from .context import Context
from .display import shown_day, shown_minute
from .errors import InvalidInput
from .models import AuditEntry, ConversionRecord, Membership, MembershipBucket, MembershipLog, Segment

BUCKET = 900
GRAINS = ("day", "week", "month")
MAX_PERIODS = 5000
RANGES = {"30d": 30, "90d": 90, "1y": 365}


@dataclass(frozen=True)
class Period:
    first_day: pendulum.Date
    last_day: pendulum.Date
    added: int
    removed: int
    size: int  # at the end of the period (now, for the period still running)

    @property
    def net(self) -> int:
        return self.added - self.removed


@dataclass(frozen=True)
class Marker:
    at: pendulum.DateTime
    day: pendulum.Date  # in the account time zone
    kind: str  # created | converted | schedule | filters | deleted | restored
    text: str
    actor: str


@dataclass(frozen=True)
class History:
    segment_id: int
    name: str
    tz: str
    grain: str
    periods: list[Period]
    markers: list[Marker]

    def markers_in(self, period: Period) -> list[Marker]:
        return [m for m in self.markers if period.first_day <= m.day <= period.last_day]


def parse_day(text: str, what: str) -> pendulum.Date:
    try:
        return pendulum.Date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise InvalidInput("{what} {value!r} is not a day: use YYYY-MM-DD", what=what, value=text) from None


def _seconds(moment: pendulum.DateTime) -> int:
    return int(moment.timestamp())


def _periods(first: pendulum.Date, last: pendulum.Date, grain: str) -> list[tuple[pendulum.Date, pendulum.Date]]:
    """Calendar days, weeks (Monday first) or months, cut to [first, last]."""
    out = []
    day = first
    while day <= last:
        if grain == "day":
            end = day
        elif grain == "week":
            end = day.add(days=6 - day.weekday())
        else:
            end = day.end_of("month")
        end = min(end, last)
        out.append((day, end))
        day = end.add(days=1)
        if len(out) > MAX_PERIODS:
            if grain == "day":
                raise InvalidInput("That is more than {limit} days: choose a shorter range or group by week or month",
                                   limit=i18n.number(MAX_PERIODS))
            if grain == "week":
                raise InvalidInput("That is more than {limit} weeks: choose a shorter range or group by week or "
                                   "month", limit=i18n.number(MAX_PERIODS))
            raise InvalidInput("That is more than {limit} months: choose a shorter range or group by week or month",
                               limit=i18n.number(MAX_PERIODS))
    return out


def day_start(day: pendulum.Date, tz) -> pendulum.DateTime:
    """00:00 of ``day`` in ``tz`` (a name, or a zone from ``pendulum.timezone``: loading a
    zone reads its file, so a loop takes it once)."""
    return pendulum.datetime(day.year, day.month, day.day, tz=tz).in_timezone("UTC")


def end_of_day(day: pendulum.Date, tz: str) -> pendulum.DateTime:
    """The last moment of a day (what a bare date means for ``members_at``)."""
    return day_start(day.add(days=1), tz).subtract(microseconds=1)


def size_history(ctx: Context, segment_ref, *, first: pendulum.Date | None = None,
                 last: pendulum.Date | None = None, grain: str = "day") -> History:
    """Members added and removed per day (week, month) and the size at the end of each, in
    the account time zone, with the segment's conversions, schedule and filter changes,
    deletions and restores marked. Default range: the last 30 days."""
    if grain not in GRAINS:
        raise InvalidInput("Unknown grouping {grain!r}: use day, week or month", grain=grain)
    segment = store.get(segment_ref, include_deleted=True)
    tz = ctx.tz
    today = ctx.today()
    last = last or today
    first = first or last.subtract(days=29)
    if last > today:
        raise InvalidInput("The history ends today ({today}): choose a last day up to it", today=today.isoformat())
    if first > last:
        raise InvalidInput("The first day ({first}) is after the last one ({last})", first=first.isoformat(),
                           last=last.isoformat())
    spans = _periods(first, last, grain)
    zone = pendulum.timezone(tz)
    starts = [_seconds(day_start(a, zone)) for a, _ in spans]
    end = _seconds(day_start(last.add(days=1), zone))
    counts = _bucket_counts(segment.id, starts + [end])
    periods, size = [], counts.before
    for i, (a, b) in enumerate(spans):
        added, removed = counts.per_period[i]
        size += added - removed
        periods.append(Period(a, b, added, removed, size))
    return History(segment.id, segment.name, tz, grain, periods,
                   markers(segment, day_start(first, tz), day_start(last.add(days=1), tz), tz))


@dataclass
class _Counts:
    before: int
    per_period: list[tuple[int, int]]


def _bucket_counts(segment_id: int, edges: list[int]) -> _Counts:
    """Net change before ``edges[0]`` and (added, removed) between consecutive edges."""
    lo, hi = edges[0] - edges[0] % BUCKET, edges[-1]
    B = MembershipBucket
    before = (
        B.select(fn.COALESCE(fn.SUM(B.added - B.removed), 0))
        .where((B.segment == segment_id) & (B.bucket < lo)).scalar()
    ) or 0
    per = [[0, 0] for _ in edges[:-1]]
    rows = (
        B.select(B.bucket, B.added, B.removed, B.first_id)
        .where((B.segment == segment_id) & (B.bucket >= lo) & (B.bucket < hi))
        .order_by(B.bucket).tuples()
    )
    for bucket, added, removed, first_id in rows:
        inner = edges[bisect.bisect_right(edges, bucket):bisect.bisect_left(edges, bucket + BUCKET)]
        pieces = [(bucket, added, removed)] if not inner else _split(segment_id, bucket, first_id, inner)
        for moment, a, r in pieces:
            if moment < edges[0]:
                before += a - r
                continue
            i = bisect.bisect_right(edges, moment) - 1
            if i < len(per):
                per[i][0] += a
                per[i][1] += r
    return _Counts(int(before), [(a, r) for a, r in per])


def _utc(seconds: int) -> pendulum.DateTime:
    return pendulum.from_timestamp(seconds, tz="UTC")


def _split(segment_id: int, bucket: int, first_id: int, cuts: list[int]) -> list[tuple[int, int, int]]:
    """A slot that a period boundary cuts (a zone off the quarter hour): counted from the log."""
    L = MembershipLog
    at = L.at
    piece = Case(None, [(at < _utc(c), i) for i, c in enumerate(cuts)], len(cuts))
    starts = [bucket, *cuts]
    rows = (
        L.select(piece.alias("piece"), L.action, fn.COUNT(L.id))
        .where((L.segment == segment_id) & (L.id >= first_id) & (at >= _utc(bucket)) & (at < _utc(bucket + BUCKET)))
        .group_by(SQL("1"), L.action).tuples()
    )
    out = {i: [starts[i], 0, 0] for i in range(len(starts))}
    for i, action, count in rows:
        out[int(i)][1 if action == "added" else 2] += count
    return [tuple(v) for v in out.values()]


def markers(segment: Segment, start: pendulum.DateTime, end: pendulum.DateTime, tz: str) -> list[Marker]:
    """Events on the segment's time line between two moments: creation, conversions,
    automatic-conversion settings, filter edits, deletion and restore."""
    found: list[Marker] = []

    def add(at, kind, text, actor):
        if start <= at < end:
            found.append(Marker(at, at.in_timezone(tz).date(), kind, text, actor))

    add(segment.created_at, "created", pgettext("segment", "Created"), segment.created_by)
    for c in ConversionRecord.select().where(
        (ConversionRecord.segment == segment.id) & (ConversionRecord.converted_at >= start)
        & (ConversionRecord.converted_at < end)
    ):
        add(c.converted_at, "converted", _conversion_text(c, tz), c.actor)
    kinds = {"set_schedule": "schedule", "edit_filters": "filters", "delete": "deleted", "restore": "restored"}
    for entry in AuditEntry.select().where(
        (AuditEntry.segment_id == segment.id) & AuditEntry.action.in_(list(kinds))
        & (AuditEntry.at >= start) & (AuditEntry.at < end)
    ):
        add(entry.at, kinds[entry.action], _marker_text(entry), entry.actor)
    # several acts in one moment (restored, then converted): in the order they can happen
    order = ["created", "restored", "filters", "schedule", "converted", "deleted"]
    found.sort(key=lambda m: (m.at, order.index(m.kind)))
    return found


TRIGGERS = {"manual": N_("by hand"), "on_day": N_("on its day"), "after_inactivity": N_("after inactivity")}


def _conversion_text(c: ConversionRecord, tz: str) -> str:
    how = _(TRIGGERS[c.trigger]) if c.trigger in TRIGGERS else c.trigger
    due = shown_minute(c.due_at.in_timezone(tz)) if c.due_at else None
    if c.direction == "to_static":
        if due:
            return _("Converted to static {how}, due {due}").format(how=how, due=due)
        return _("Converted to static {how}").format(how=how)
    if due:
        return _("Converted to active {how}, due {due}").format(how=how, due=due)
    return _("Converted to active {how}").format(how=how)


def _plan_day(text) -> str:
    try:
        return shown_day(pendulum.Date.fromisoformat(text))
    except (TypeError, ValueError):
        return str(text)


def _marker_text(entry: AuditEntry) -> str:
    from .schedule import format_period

    if entry.action == "set_schedule":
        plan = (json.loads(entry.after or "{}").get("schedule") or {})
        mode = plan.get("mode")
        if mode == "on_day":
            return _("Automatic conversion set: on {day}").format(day=_plan_day(plan.get("day")))
        if mode == "after_inactivity":
            return _("Automatic conversion set: after {period} of inactivity").format(
                period=format_period(plan.get("amount"), plan.get("unit")))
        return _("Automatic conversion turned off")
    if entry.action == "edit_filters":
        counts = entry.summary[entry.summary.rfind(" (") + 1:] if entry.summary.endswith(")") else ""
        return _("Filters edited {counts}").format(counts=counts).strip()
    return pgettext("segment", "Deleted") if entry.action == "delete" else pgettext("segment", "Restored")


# ------------------------------------------------------------------ who was a member


def parse_at(text: str, tz: str) -> pendulum.DateTime:
    """YYYY-MM-DD (the end of that day, as the history's sizes) or YYYY-MM-DDTHH:MM, in the
    account time zone."""
    raw = text.strip()
    try:
        if len(raw) == 10:
            return end_of_day(pendulum.Date.fromisoformat(raw), tz)
        parsed = pendulum.parse(raw, tz=tz, exact=True)
    except Exception:
        parsed = None
    if not isinstance(parsed, pendulum.DateTime):
        raise InvalidInput("--at {value!r} is not a moment: use YYYY-MM-DD or YYYY-MM-DDTHH:MM", value=text)
    return parsed.in_timezone("UTC")


def _first_log_id_after(segment_id: int, moment: pendulum.DateTime) -> int | None:
    """A log id at or below that of every row written after ``moment`` (None: no such row)."""
    B = MembershipBucket
    edge = _seconds(moment)
    return (
        B.select(fn.MIN(B.first_id)).where((B.segment == segment_id) & (B.bucket >= edge - edge % BUCKET)).scalar()
    )


@dataclass(frozen=True)
class MembersAt:
    """Who was a member at a moment: today's members of ``segment_id`` less ``exclude``,
    plus ``extra`` (both selects of record ids, None for none; they read ``ctes``). Kept in
    two parts so that a listing reads today's members in key order from the membership
    index and merges the few others in, instead of sorting a union."""

    segment_id: int
    exclude: object = None
    extra: object = None
    ctes: tuple = ()

    def kept(self):
        query = Membership.select(Membership.record_id).where(Membership.segment == self.segment_id)
        if self.exclude is not None:
            query = query.where(Membership.record_id.not_in(self.exclude))
        return query

    def ids(self):
        """Every record id, as one query without its CTEs (for ``inside``)."""
        return self.kept() if self.extra is None else self.kept() + self.extra

    def query(self):
        """Every record id, as one query."""
        return self.ids().with_cte(*self.ctes) if self.ctes else self.ids()

    def inside(self, outer):
        """``outer`` (which uses ``exclude`` or ``extra``) with the CTEs they read."""
        return outer.with_cte(*self.ctes) if self.ctes else outer


def member_ids_at(segment_id: int, moment: pendulum.DateTime) -> MembersAt:
    """Who was a member at ``moment`` (inclusive).

    Read backwards from today's membership: a record with no log row after the moment had
    then the membership it has now; one with rows after it was a member exactly when its
    first later row is a removal. Only the rows after the moment are read.
    """
    lo = _first_log_id_after(segment_id, moment)
    if lo is None:
        return MembersAt(segment_id)
    L = MembershipLog
    later = (
        L.select(L.id, L.record_id, L.action)
        .where((L.segment == segment_id) & (L.id >= lo) & (L.at > moment))
        .cte("later", materialized=True)
    )
    firsts = Select([later], [fn.MIN(later.c.id)]).group_by(later.c.record_id)
    left_later = Select([later], [later.c.record_id]).where(later.c.id.in_(firsts) & (later.c.action == "removed"))
    return MembersAt(segment_id, Select([later], [later.c.record_id]), left_later, (later,))


def replay_ids_at(segment_id: int, moment: pendulum.DateTime) -> set[int]:
    """The same set, replayed forward from the first log row (slow; for checks and tests)."""
    state: dict[int, str] = {}
    for rid, action in (
        MembershipLog.select(MembershipLog.record_id, MembershipLog.action)
        .where((MembershipLog.segment == segment_id) & (MembershipLog.at <= moment))
        .order_by(MembershipLog.id).tuples()
    ):
        state[rid] = action
    return {rid for rid, action in state.items() if action == "added"}


def count_at(segment_id: int, moment: pendulum.DateTime) -> int:
    from .models import database_proxy

    sql, params = member_ids_at(segment_id, moment).query().sql()
    return database_proxy.execute_sql(f"SELECT COUNT(*) FROM ({sql}) AS m", params).fetchone()[0]


# ------------------------------------------------------------------ the summary, checked


def rebuild_buckets(segment_id: int | None = None) -> list[tuple[int, int, int, int, int]]:
    """The summary as computed from the raw log (segment, bucket, added, removed, first id),
    sorted: what ``membership_bucket`` must hold."""
    from .models import database_proxy

    L = MembershipLog
    sqlite = "sqlite" in type(getattr(database_proxy, "obj", database_proxy)).__name__.lower()
    bucket = (SQL("CAST(strftime('%s', at) AS INTEGER) / 900 * 900") if sqlite
              else SQL("(floor(extract(epoch FROM at) / 900) * 900)::bigint"))
    query = L.select(
        L.segment, bucket.alias("bucket"),
        fn.SUM(Case(None, [(L.action == "added", 1)], 0)), fn.SUM(Case(None, [(L.action == "removed", 1)], 0)),
        fn.MIN(L.id),
    )
    if segment_id is not None:
        query = query.where(L.segment == segment_id)
    rows = query.group_by(L.segment, SQL("2")).tuples()
    return sorted(tuple(int(v) for v in row) for row in rows)


def stored_buckets(segment_id: int | None = None) -> list[tuple[int, int, int, int, int]]:
    B = MembershipBucket
    query = B.select(B.segment, B.bucket, B.added, B.removed, B.first_id)
    if segment_id is not None:
        query = query.where(B.segment == segment_id)
    return sorted(tuple(int(v) for v in row) for row in query.tuples())
