"""Small builders shared by the engine tests (records, segments, reads of the tables)."""

from __future__ import annotations

import datetime as dt

import pytest

from segtui.core import segments
from segtui.core.models import (
    ALL_MODELS,
    AuditEntry,
    Company,
    Contact,
    ConversionRecord,
    Membership,
    MembershipLog,
    Segment,
)

# what a test with its own database set-up (files, processes) runs on; ids [sqlite]/[postgres]
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

# a stdlib datetime for rows written directly (the services take the clock instead)
T0_DT = dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC)


def f(prop: str, op: str, **operand) -> dict:
    return {"property": prop, "operator": op, **operand}


def tree(*groups: list[dict]) -> dict:
    return {"groups": [{"filters": list(g)} for g in groups]}


def region_is(*regions: str) -> dict:
    return tree([f("region", "is_any_of", values=list(regions))])


def add_contacts(*rows: dict) -> list[int]:
    """Contacts from dicts; ``email`` defaults to c<n>@example.org."""
    ids = []
    for n, row in enumerate(rows, start=Contact.select().count() + 1):
        data = {"email": f"c{n}@example.org", "updated_at": T0_DT, **row}
        ids.append(Contact.insert(data).execute())
    return ids


def add_companies(*rows: dict) -> list[int]:
    ids = []
    for n, row in enumerate(rows, start=Company.select().count() + 1):
        data = {"domain": f"co{n}.example", "updated_at": T0_DT, **row}
        ids.append(Company.insert(data).execute())
    return ids


def regions(*names: str | None) -> list[int]:
    return add_contacts(*({"region": r} for r in names))


def make(ctx, name: str, type_: str = "active", filters: dict | None = None, object_type: str = "contacts") -> Segment:
    segment, _ = segments.create(ctx, name, object_type, type_, filters)
    return segment


def reload(segment_or_id) -> Segment:
    return Segment.get_by_id(getattr(segment_or_id, "id", segment_or_id))


def members(segment_or_id) -> set[int]:
    sid = getattr(segment_or_id, "id", segment_or_id)
    return {m.record_id for m in Membership.select(Membership.record_id).where(Membership.segment == sid)}


def log_rows(segment_or_id) -> list[tuple[int, str, str]]:
    """(record_id, action, reason) in log order."""
    sid = getattr(segment_or_id, "id", segment_or_id)
    query = MembershipLog.select().where(MembershipLog.segment == sid).order_by(MembershipLog.id)
    return [(r.record_id, r.action, r.reason) for r in query]


def audit_actions(segment_or_id=None) -> list[str]:
    query = AuditEntry.select().order_by(AuditEntry.id)
    if segment_or_id is not None:
        query = query.where(AuditEntry.segment_id == getattr(segment_or_id, "id", segment_or_id))
    return [a.action for a in query]


def conversions_of(segment_or_id) -> list[ConversionRecord]:
    sid = getattr(segment_or_id, "id", segment_or_id)
    return list(ConversionRecord.select().where(ConversionRecord.segment == sid).order_by(ConversionRecord.id))


def dump() -> dict[str, list[tuple]]:
    """Every row of every table, to show that a refused act changed nothing."""
    return {model._meta.table_name: sorted(model.select().tuples(), key=repr) for model in ALL_MODELS}


# who the log says is a member: the records whose last log entry is an addition. Written
# unlike segtui/core/check.py's LOGGED_MEMBERS (the latest entry by MAX(id), not ROW_NUMBER())
# on purpose: this is the tests' independent oracle, and a slip in one is caught by the other
LOGGED_MEMBERS = """
    SELECT log.segment_id, log.record_id FROM membership_log AS log
    JOIN (SELECT MAX(id) AS id FROM membership_log GROUP BY segment_id, record_id) AS latest
      ON latest.id = log.id
    WHERE log.action = 'added'"""


def inconsistencies() -> list[str]:
    """What is wrong with membership, checked in SQL (fast at a million log rows): sizes
    that are not the row counts, logs that do not alternate added/removed, logs that do not
    replay to the members. Empty when the database is consistent."""
    checks = {
        "segments whose size is not their number of members": """
            SELECT COUNT(*) FROM segment s
            WHERE s.size <> (SELECT COUNT(*) FROM membership m WHERE m.segment_id = s.id)""",
        "log entries that repeat the previous action (or remove a non-member)": """
            SELECT COUNT(*) FROM (
                SELECT action, LAG(action) OVER (PARTITION BY segment_id, record_id ORDER BY id) AS previous
                FROM membership_log) AS t
            WHERE action = previous OR (previous IS NULL AND action = 'removed')""",
        "records the log says are members and are not": f"""
            SELECT COUNT(*) FROM ({LOGGED_MEMBERS} EXCEPT SELECT segment_id, record_id FROM membership) AS t""",
        "members the log does not account for": f"""
            SELECT COUNT(*) FROM (SELECT segment_id, record_id FROM membership EXCEPT {LOGGED_MEMBERS}) AS t""",
    }
    database = Segment._meta.database
    problems = []
    for what, sql in checks.items():
        (count,) = database.execute_sql(sql).fetchone()
        if count:
            problems.append(f"{count} {what}")
    return problems
