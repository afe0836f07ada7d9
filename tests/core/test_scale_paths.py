"""The query shapes that keep segtui fast at a million contacts (issue 6), checked for what they
return: members paged across ties on joined_at, the export read in chunks, the import's
reused INSERT, and (on SQLite) the indexes the worker's and the pages' queries must use."""

from __future__ import annotations

import csv

import pendulum
import pytest

from segtui import worker
from segtui.core import conversions, membership, records
from segtui.core.member_pages import MemberPages
from segtui.core.models import Contact, database_proxy
from segtui.core.schedule import Schedule

from core_helpers import add_contacts, make, members, reload


def test_members_pages_walk_ties_on_joined_at_by_record_id(ctx, clock, database):
    ids = add_contacts(*({"first_name": f"P{i}"} for i in range(23)))
    static = make(ctx, "Import", "static")
    membership.add_records(ctx, static.id, ids[:20])  # twenty members share one joined_at
    clock.advance(minutes=1)
    membership.add_records(ctx, static.id, ids[20:])
    pages = MemberPages("contacts", static.id, reload(static).size, page_size=4)
    pages.first()
    seen = [row.record_id for row in pages.rows]
    while pages.next():
        seen += [row.record_id for row in pages.rows]
    assert seen == sorted(ids[20:], reverse=True) + sorted(ids[:20], reverse=True)
    pages.first()
    row = pages.rows[3]  # the fourth member: the newest of the twenty that joined together
    assert (row.record_id, row.name, row.source) == (max(ids[:20]), "P19", "manual")
    assert row.joined_at == clock.now().subtract(minutes=1)


def test_export_in_chunks_writes_the_same_file(ctx, tmp_path, database):
    add_contacts(*({"region": "Bretagne", "events_attended": i / 2, "subscribed": bool(i % 2) if i % 3 else None,
                    "created_date": pendulum.date(2025, 1, 1 + i)} for i in range(11)))
    segment = make(ctx, "Bretons", "active", {"groups": [{"filters": [
        {"property": "region", "operator": "is_any_of", "values": ["Bretagne"]}]}]})
    whole, chunked = tmp_path / "whole.csv", tmp_path / "chunked.csv"
    assert records.export_members(segment.id, whole, headers="names") == 11
    assert records.export_members(segment.id, chunked, chunk=3, headers="names") == 11
    assert chunked.read_bytes() == whole.read_bytes()
    rows = list(csv.DictReader(whole.open(encoding="utf-8", newline="")))
    assert [r["events_attended"] for r in rows[:4]] == ["0", "0.5", "1", "1.5"]
    assert [r["subscribed"] for r in rows[:4]] == ["", "true", "false", ""]
    assert rows[2]["created_date"] == "2025-01-03" and rows[0]["phone"] == ""


def test_import_reuses_its_insert_for_batches_of_one_shape(ctx, database, monkeypatch):
    monkeypatch.setattr(records, "BATCH", 3)
    lines = "".join(f"p{i}@example.org,P{i},{i}\n" for i in range(8))  # batches of 3, 3 and 2
    report = records.import_csv(ctx, "contacts", "email,first_name,events_attended\n" + lines)
    assert (report.created, report.updated) == (8, 0)
    again = "".join(f"P{i}@EXAMPLE.org,,{i + 10}\n" for i in range(7)) + "new@example.org,New,1\n"
    report = records.import_csv(ctx, "contacts", "email,first_name,events_attended\n" + again)
    assert (report.created, report.updated) == (1, 7)
    got = {c.email: (c.first_name, c.events_attended) for c in Contact.select()}
    assert got == {**{f"p{i}@example.org": (f"P{i}", i + 10.0) for i in range(7)},
                   "p7@example.org": ("P7", 7.0), "new@example.org": ("New", 1.0)}


def _plan(sql: str, params) -> str:
    rows = database_proxy.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    return " | ".join(row[-1] for row in rows)


@pytest.mark.sqlite_only  # the plans read here are SQLite's; PostgreSQL plans by its statistics
def test_the_worker_and_the_pages_read_index_ranges(ctx, clock, database):
    ids = add_contacts(*({"region": "Bretagne"} for _ in range(3)))
    for i in range(30):  # live segments that a scan would read
        make(ctx, f"S{i}", "static")
    active = make(ctx, "A", "active", {"groups": [{"filters": [
        {"property": "region", "operator": "is_any_of", "values": ["Bretagne"]}]}]})
    conversions.set_schedule(ctx, active.id, Schedule("on_day", day=pendulum.date(2026, 12, 24)))
    captured = []
    original = database_proxy.obj.execute_sql

    def capture(sql, params=None, *args, **kwargs):
        captured.append((sql, params))
        return original(sql, params, *args, **kwargs)

    database_proxy.obj.execute_sql = capture
    try:
        worker.tick(ctx, me="w")
        pages = MemberPages("contacts", active.id, reload(active).size, page_size=2)
        pages.first()
        pages.next()  # from the edge of the first page
    finally:
        del database_proxy.obj.execute_sql
    selects = [(sql, params) for sql, params in captured if sql.startswith("SELECT")]

    def plan_of(marker: str) -> str:
        return next(_plan(sql, params) for sql, params in selects if marker in sql)

    due, stale, page = plan_of('"due_at" <='), plan_of('"next_refresh_at" <='), plan_of('AS "page"')
    assert "segment_type_deleted_at_due_at" in due and "TEMP B-TREE" not in due, due
    assert "segment_type_deleted_at_next_refresh_at" in stale and "TEMP B-TREE" not in stale, stale
    inner = page.split("SCAN page")[0]  # the page chosen from the index, in its order; then 50 rows sorted
    assert "INDEX membership_segment_id_joined_at_record_id" in inner and "TEMP B-TREE" not in inner, page
    assert members(active) == set(ids)
