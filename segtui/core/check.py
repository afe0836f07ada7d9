"""The consistency check: is the stored membership what the filters and the log say?

For every live active segment its filters are evaluated from scratch (for the day its
relative dates were last evaluated for) and compared with the stored members; for every
segment the stored size is compared with the member rows, and the membership log is
replayed (the last entry of each record says whether it is a member). ``repair`` puts
things right: a full refresh of a drifted segment, the size recounted, and the log
completed with "repair" entries where it does not replay to the members.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from peewee import fn

from ..i18n import Message, N_n, nmsg
from . import audit, causes, filters, membership, store
from .context import Context
from .db import write_transaction
from .errors import SegtuiError
from .models import RECORD_MODELS, Membership, MembershipLog, Segment
from .stored_messages import Joined, Number

LOGGED_MEMBERS = """
    SELECT segment_id, record_id FROM (
        SELECT segment_id, record_id, action,
               ROW_NUMBER() OVER (PARTITION BY segment_id, record_id ORDER BY id DESC) AS n
        FROM membership_log) AS last
    WHERE n = 1 AND action = 'added'"""

# a drift's problems, each said with its own count (a zero one is not said)
MISSING = N_n("{n} record its filters select is not a member", "{n} records its filters select are not members")
EXTRA = N_n("{n} member they do not select", "{n} members they do not select")
NOT_STORED = N_n("the log replays to {n} member not stored", "the log replays to {n} members not stored")
UNLOGGED = N_n("the log's replay misses {n} stored member", "the log's replay misses {n} stored members")


@dataclass
class Drift:
    segment_id: int
    name: str
    missing: int = 0  # selected by the filters, not stored as members
    extra: int = 0  # stored as members, not selected by the filters
    size: tuple[int, int] | None = None  # (stored size, member rows) when they differ
    log_only: int = 0  # members by the log's replay, not stored
    unlogged: int = 0  # stored, not members by the log's replay
    error: str | None = None  # the filters cannot be evaluated
    repaired: bool = False

    def sentence(self) -> str:
        """In the language of the moment."""
        return str(self.message())

    def message(self) -> Message:
        """As a message (the audit log stores it, to be read in any language)."""
        parts = []
        if self.error:
            parts.append(Message("cannot be evaluated: {problem}", problem=self.error))
        parts += [nmsg(*pair, n) for pair, n in ((MISSING, self.missing), (EXTRA, self.extra)) if n]
        if self.size:
            parts.append(Message("size {size} but {rows} member rows", size=Number(self.size[0]),
                                 rows=Number(self.size[1])))
        parts += [nmsg(*pair, n) for pair, n in ((NOT_STORED, self.log_only), (UNLOGGED, self.unlogged)) if n]
        text = Message("#{id} {name!r}: {problems}", id=self.segment_id, name=self.name, problems=Joined(parts, "; "))
        return Message("{drift} (repaired)", drift=text) if self.repaired else text


@dataclass
class Report:
    active: int = 0
    static: int = 0
    pending: list[tuple[int, str]] = field(default_factory=list)  # refresh owed, not drift
    drifts: list[Drift] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return all(d.repaired for d in self.drifts)

    def as_json(self) -> dict:
        return {
            "active_checked": self.active, "static_checked": self.static,
            "pending": [{"segment": sid, "name": name} for sid, name in self.pending],
            "drift": [{"segment": d.segment_id, "name": d.name, "missing": d.missing, "extra": d.extra,
                       "size": list(d.size) if d.size else None, "log_only": d.log_only,
                       "unlogged": d.unlogged, "error": d.error, "repaired": d.repaired} for d in self.drifts],
        }


def check(ctx: Context, *, repair: bool = False) -> Report:
    if repair:
        ctx.require_write("repairing segments")
    report = Report()
    drifts: dict[int, Drift] = {}
    live = list(Segment.select().where(store.live()).order_by(Segment.id))
    names = {s.id: s.name for s in live}

    def drift(segment_id: int) -> Drift:
        return drifts.setdefault(segment_id, Drift(segment_id, names.get(segment_id, f"#{segment_id}")))

    for segment in live:
        if segment.type != "active":
            report.static += 1
            continue
        report.active += 1
        if segment.stale:
            report.pending.append((segment.id, segment.name))
            continue
        try:
            missing, extra = _filter_drift(ctx, segment)
        except SegtuiError as exc:
            drift(segment.id).error = exc.message
            continue
        if missing or extra:
            d = drift(segment.id)
            d.missing, d.extra = missing, extra
    counted = dict(Membership.select(Membership.segment, fn.COUNT(Membership.record_id))
                   .group_by(Membership.segment).tuples())
    for segment in live:
        rows = counted.get(segment.id, 0)
        if segment.size != rows:
            drift(segment.id).size = (segment.size, rows)
    database = Segment._meta.database
    for column, sql in (("log_only", f"{LOGGED_MEMBERS} EXCEPT SELECT segment_id, record_id FROM membership"),
                        ("unlogged", f"SELECT segment_id, record_id FROM membership EXCEPT {LOGGED_MEMBERS}")):
        for segment_id, count in database.execute_sql(
                f"SELECT segment_id, COUNT(*) FROM ({sql}) AS t GROUP BY segment_id").fetchall():
            if segment_id in names:
                setattr(drift(segment_id), column, count)
    report.drifts = [drifts[k] for k in sorted(drifts)]
    if repair:
        for d in report.drifts:
            if not d.error:
                _repair(ctx, d)
    return report


def _filter_drift(ctx: Context, segment: Segment) -> tuple[int, int]:
    """(selected but not members, members but not selected), for the segment's own day."""
    tree = store.tree(segment)
    membership.check_references(tree)
    model = RECORD_MODELS[segment.object_type]
    day = segment.dates_as_of or ctx.today()
    target = model.select(model.id).where(filters.compile_tree(tree, segment.object_type, today=day, tz=ctx.tz))
    members = Membership.select(Membership.record_id).where(Membership.segment == segment.id)
    missing = target.where(~fn.EXISTS(
        Membership.select(Membership.record_id).where(
            (Membership.segment == segment.id) & (Membership.record_id == model.id)))).count()
    selected = model.select(model.id).where(
        (model.id == Membership.record_id) & filters.compile_tree(tree, segment.object_type, today=day, tz=ctx.tz))
    extra = members.where(~fn.EXISTS(selected)).count()
    return missing, extra


def _repair(ctx: Context, d: Drift) -> None:
    """The size and the log first (a refresh counts and logs from them), then the members."""
    segment = Segment.get_by_id(d.segment_id)
    with write_transaction():
        rows = Membership.select().where(Membership.segment == segment.id).count()
        Segment.update(size=rows).where(Segment.id == segment.id).execute()
        # the log completed so that it replays to the members
        database = Segment._meta.database
        for action, sql in (
            ("removed", f"SELECT segment_id, record_id FROM ({LOGGED_MEMBERS}) AS l WHERE segment_id = %s "
                        "EXCEPT SELECT segment_id, record_id FROM membership WHERE segment_id = %s"),
            ("added", "SELECT segment_id, record_id FROM membership WHERE segment_id = %s "
                      f"EXCEPT SELECT segment_id, record_id FROM ({LOGGED_MEMBERS}) AS l WHERE segment_id = %s"),
        ):
            param = database.param
            ids = [rid for _, rid in database.execute_sql(sql.replace("%s", param), (segment.id, segment.id))]
            rows = [(segment.id, rid, action, causes.REPAIR, ctx.now(), ctx.actor) for rid in sorted(ids)]
            for i in range(0, len(rows), 500):
                MembershipLog.insert_many(rows[i : i + 500], fields=[
                    MembershipLog.segment, MembershipLog.record_id, MembershipLog.action, MembershipLog.reason,
                    MembershipLog.at, MembershipLog.actor]).execute()
    if (d.missing or d.extra) and segment.type == "active":
        membership.refresh(ctx, segment.id, reason=causes.REPAIR, full=True)
    with write_transaction():
        d.repaired = True
        audit.record(ctx, "repair", Message("Repaired {drift}", drift=d.message()), segment_id=segment.id)
