#!/usr/bin/env python
"""Benchmark of issue 13: segments that follow their records, against today's path.

Run by hand (not a pytest test)::

    python tests/perf/bench_follow.py                      # 1,000,000 contacts, SQLite then PostgreSQL
    python tests/perf/bench_follow.py --small              # 10,000 contacts, a quick run
    python tests/perf/bench_follow.py --pg10m              # the 10,000,000-contact PostgreSQL figures only
    python tests/perf/bench_follow.py --db F --build-only  # build F, then measure copies of it:
    python tests/perf/bench_follow.py --db F --reuse --skip-postgres   # SQLite (changes F)
    python tests/perf/bench_follow.py --db G --reuse --skip-sqlite     # PostgreSQL, loaded from G, a copy of F

On the database of ``bench.py`` (1,000,000 contacts, 50,000 companies, 10,000 segments of
which 2,500 active), plus 500 active segments that read ``first_name`` (200), ``last_name``
(150) and ``phone`` (150) - properties no other segment reads, so that the counts are exact:

- one edit: ``first_name`` of one contact, which 200 active segments read, committed with
  every one of them up to date; against today's path (the edit marks the 200 segments, the
  worker refreshes each in full), measured once in the same run;
- an import of 10,000 known contacts changing first_name, last_name and phone (read by the
  500), against the same import when nothing reads those columns (the import alone);
- the midnight rollover of 66 relative-date segments ("less than N days ago"), against
  their full refresh the next midnight.

``--pg10m`` builds 10,000,000 contacts in PostgreSQL set-based (generate_series, INSERT ...
SELECT; no row goes through Python) and measures a full refresh against the same diff in
hand-written SQL, the one-edit figure, and the console (segments list painted, the first
page of a 5,000,000-member segment).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for folder in (str(ROOT), str(HERE)):
    if folder not in sys.path:
        sys.path.insert(0, folder)

import bench  # noqa: E402
import bench_refresh as br  # noqa: E402
import pendulum  # noqa: E402

from segtui.core import check, follow, history, membership, records, store  # noqa: E402
from segtui.core import db as dbmod  # noqa: E402
from segtui.core.clock import FixedClock  # noqa: E402
from segtui.core.models import Contact, MembershipLog, Segment, SegmentRead, database_proxy  # noqa: E402
from segtui.core.past_member_pages import PastMemberPages  # noqa: E402

T0 = bench.T0
STAGES = ["subscriber", "lead", "marketing_qualified_lead", "customer"]
STATUSES = ["new", "open", "in_progress", "connected", "unqualified"]
FIGURES: dict[str, dict] = {}
BASELINE_SAMPLE = 20


def put(key: str, value: float, unit: str, target: float | None = None, note: str = "", **extra) -> None:
    FIGURES[key] = {"value": round(value, 4), "unit": unit, "target": target,
                    "met": None if target is None else value <= target, "note": note, **extra}
    shown = f"{value:.4g} {unit}" + (f" (target <= {target:g}: {'yes' if value <= target else 'NO'})" if target else "")
    print(f"  {key}: {shown} {note}", flush=True)


def ctx_at(moment):
    return bench._ctx(FixedClock(moment))


# ------------------------------------------------------------------ the 500 segments


def follow_plan(names_first: list[str], names_last: list[str]) -> list[dict]:
    """200 first_name x lifecycle stage, 150 last_name x lead status, 150 phone prefixes."""
    rows = []
    pairs = [(f, s) for s in STAGES for f in names_first][:200]
    for first, stage in pairs:
        rows.append({"tpl": "first", "v": first, "k": stage, "tree": bench.tree_of(
            bench.f("first_name", "is_any_of", values=[first]), bench.f("lifecycle_stage", "is_any_of", values=[stage]))})
    pairs = [(last, st) for st in STATUSES for last in names_last][:150]
    for last, status in pairs:
        rows.append({"tpl": "last", "v": last, "k": status, "tree": bench.tree_of(
            bench.f("last_name", "is_any_of", values=[last]), bench.f("lead_status", "is_any_of", values=[status]))})
    for n in range(150):
        prefix = f"+33 {6 + n // 100} {n % 100:02d}"
        rows.append({"tpl": "phone", "v": prefix, "k": None,
                     "tree": bench.tree_of(bench.f("phone", "starts_with", value=prefix))})
    return rows


def add_follow_segments(db, rows: list[dict], *, sqlite: bool) -> dict[str, list[int]]:
    """The segments, their index rows, and their members set-based (the predicate written
    by hand the way segtui compares: lower() on both sides of a text comparison)."""
    now = T0.subtract(days=1)
    ids: dict[str, list[int]] = {"first": [], "last": [], "phone": []}
    with dbmod.write_transaction():
        for n, row in enumerate(rows):
            name = f"Suivi {row['tpl']} {row['v']} {row['k'] or ''} · {n:04d}".replace("  ", " ")
            seg = Segment.create(name=name, name_key=store.name_key(name), object_type="contacts", type="active",
                                 last_activity_at=now, created_at=now, created_by="bench", updated_at=now,
                                 updated_by="bench", refreshed_at=now, **store.filter_columns(row["tree"]))
            store.save_reads(seg.id, "contacts", row["tree"])
            row["sid"] = seg.id
            ids[row["tpl"]].append(seg.id)
    conn = database_proxy.connection()
    cur = conn.cursor()
    p = "?" if sqlite else "%s"
    at = bench._ts(now)
    for tpl, pred in (("first", "lower(c.first_name) = lower(k.v) AND c.lifecycle_stage = k.k"),
                      ("last", "lower(c.last_name) = lower(k.v) AND c.lead_status = k.k"),
                      ("phone", "lower(c.phone) LIKE lower(k.v || '%%') ESCAPE '\\'")):
        values = [(r["sid"], r["v"], r["k"]) for r in rows if r["tpl"] == tpl]
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS follow_keys (sid INTEGER, v TEXT, k TEXT)")
        cur.execute("DELETE FROM follow_keys")
        cur.executemany(f"INSERT INTO follow_keys VALUES ({p}, {p}, {p})", values)
        sql = (f"INSERT INTO membership (segment_id, record_id, source, joined_at) SELECT k.sid, c.id, 'filter', {p} "
               f"FROM contact AS c {'CROSS ' if sqlite else ''}JOIN follow_keys AS k ON {pred}")
        cur.execute(sql.replace("%%", "%") if sqlite else sql, (at,))
    for r in rows:
        cur.execute(f"INSERT INTO membership_log (segment_id, record_id, action, reason, at, actor) "
                    f"SELECT segment_id, record_id, 'added', 'filter', joined_at, 'bench' FROM membership "
                    f"WHERE segment_id = {p}", (r["sid"],))
    cur.execute("UPDATE segment SET size = (SELECT COUNT(*) FROM membership m WHERE m.segment_id = segment.id) "
                f"WHERE id >= {p}", (rows[0]["sid"],))
    conn.commit()
    return ids


def verify(ctx, segment_ids: list[int]) -> None:
    """The members of these segments are what a full evaluation selects (or the bench is void)."""
    for sid in segment_ids:
        missing, extra = check._filter_drift(ctx, Segment.get_by_id(sid))
        assert (missing, extra) == (0, 0), (sid, missing, extra)


# ------------------------------------------------------------------ the figures


def measure_edit(ctx, prefix: str, first_ids: list[int], runs: int, *, baseline: bool = True,
                 target: float = 0.050) -> None:
    """One property of one contact, read by 200 active segments."""
    first, stage = [f["values"][0] for f in json.loads(Segment.get_by_id(first_ids[0]).filters)["groups"][0]["filters"]]
    member = (Contact.select(Contact.id, Contact.first_name)
              .where((Contact.first_name == first) & (Contact.lifecycle_stage == stage)).order_by(Contact.id).first())
    other = json.loads(Segment.get_by_id(first_ids[1]).filters)["groups"][0]["filters"][0]["values"][0]
    for sid in first_ids[:2]:  # a run killed in the middle leaves records behind: not timed
        membership.refresh(ctx, sid, full=True)
    with dbmod.write_transaction():
        follow.records_changed(ctx, "contacts", [member.id], {"first_name"}, cause="bench")
        Segment.update(stale=False, next_refresh_at=None).where(Segment.id.in_(first_ids)).execute()
    readers = SegmentRead.select().where((SegmentRead.property == "first_name")
                                         & (SegmentRead.object_type == "contacts")).count()
    names = [other, member.first_name]
    times, moved = [], []
    for n in range(runs + 1):
        t0 = time.perf_counter()
        _, done = records.set_properties(ctx, "contacts", member.id, {"first_name": names[n % 2]})
        t = time.perf_counter() - t0
        moved.append((len(done.joined), len(done.left), done.evaluated))
        if n:
            times.append(t)
    verify(ctx, first_ids[:2])
    med = statistics.median(times)
    put(f"{prefix}edit_follow", med, "s", target,
        f"first_name of one contact, {readers} active segments read it; joined/left/evaluated per edit "
        f"{moved[-1]}; median of {runs}", runs=[round(x, 4) for x in times])
    if not baseline:
        return
    # today's path: the edit marks the readers, then the worker refreshes each in full; the
    # refreshes of a sample of them are timed and scaled to all (each reads the whole table)
    sample = first_ids[:: max(len(first_ids) // BASELINE_SAMPLE, 1)][:BASELINE_SAMPLE]
    t0 = time.perf_counter()
    with dbmod.write_transaction():
        Contact.update(first_name=names[0]).where(Contact.id == member.id).execute()
        Segment.update(next_refresh_at=ctx.now(), stale=True).where(Segment.id.in_(
            SegmentRead.select(SegmentRead.segment_id).where(SegmentRead.property == "first_name"))).execute()
    mark = time.perf_counter() - t0
    t0 = time.perf_counter()
    for sid in sample:
        membership.refresh(ctx, sid, full=True)
    per = (time.perf_counter() - t0) / len(sample)
    # the others follow the record again (untimed), so that the database is as it should be
    records.set_properties(ctx, "contacts", member.id, {"first_name": names[1]})
    Segment.update(stale=False, next_refresh_at=None).where(Segment.id.in_(first_ids)).execute()
    old = mark + per * len(first_ids)
    put(f"{prefix}edit_today", old, "s", None, f"the edit and marking ({mark * 1000:.0f} ms), then "
        f"{len(first_ids)} full refreshes at {per:.3f} s each (timed on {len(sample)} of them)")
    put(f"{prefix}edit_ratio", med / old, "x", None, "incremental / today's path")


def import_text(ids_emails: list[tuple[int, str]], round_no: int) -> str:
    lines = ["email,first_name,last_name,phone"]
    for n, (rid, email) in enumerate(ids_emails):
        first = br.FIRST[(rid * 7 + round_no * 13 + n) % len(br.FIRST)]
        last = br.LAST[(rid * 11 + round_no * 17) % len(br.LAST)]
        phone = f"+33 {6 + (rid + round_no) % 2} {(rid * 3 + round_no) % 100:02d} 00 00 {round_no % 100:02d}"
        lines.append(f"{email},{first},{last},{phone}")
    return "\n".join(lines) + "\n"


def measure_import(ctx, prefix: str, follow_ids: list[int], contacts: int, rows: int, runs: int) -> None:
    step = max(contacts // rows, 1)
    wanted = list(range(step, contacts + 1, step))[:rows]
    chosen = list(Contact.select(Contact.id, Contact.email).where(Contact.id.in_(wanted)).tuples())
    with_follow, alone, evaluated = [], [], 0
    for n in range(2 * runs):
        follow_on = n % 2 == 1
        Segment.update(type="active" if follow_on else "static").where(Segment.id.in_(follow_ids)).execute()
        text = import_text(chosen, n)
        t0 = time.perf_counter()
        report = records.import_csv(ctx, "contacts", text)
        t = time.perf_counter() - t0
        assert report.updated == len(chosen), report.sentence()
        (with_follow if follow_on else alone).append(t)
        if follow_on:
            evaluated = report.followed.evaluated
            assert evaluated >= len(follow_ids), evaluated
    Segment.update(type="active").where(Segment.id.in_(follow_ids)).execute()
    verify(ctx, follow_ids[::50])
    a, b = statistics.median(with_follow), statistics.median(alone)
    put(f"{prefix}import_follow", a, "s", None, f"{len(chosen):,} known contacts, 3 columns, {evaluated} active "
        f"segments evaluated; median of {runs}", runs=[round(x, 3) for x in with_follow])
    put(f"{prefix}import_alone", b, "s", None, "the same import with nothing reading those columns",
        runs=[round(x, 3) for x in alone])
    put(f"{prefix}import_ratio", a / b, "x", 2.0, "import with the segments following / import alone")


def measure_rollover(prefix: str, count: int = 66, day: int = 1) -> None:
    """The worker's midnight (follow.roll_over: the crossing records read once for all the
    segments it claimed), then the next midnight each segment rolled over by a statement of
    its own (membership.refresh, as the console's "Refresh members now" does), then their
    full refresh the midnight after."""
    ids = [s.id for s in Segment.select(Segment.id).where(
        Segment.has_relative_dates & (Segment.type == "active") & store.live()).order_by(Segment.id).limit(count)]
    day1, day2, day3 = (ctx_at(T0.add(days=day + k).set(hour=0, minute=30)) for k in range(3))  # 01:30 in Paris
    t0 = time.perf_counter()
    rolled = follow.roll_over(day1, ids)
    roll = time.perf_counter() - t0
    assert sorted(rolled) == ids, "every segment rolled over together"
    verify(day1, ids[::11])  # what a full evaluation selects (untimed)
    t0 = time.perf_counter()
    each = [membership.refresh(day2, sid) for sid in ids]
    one_by_one = time.perf_counter() - t0
    verify(day2, ids[5::11])
    t0 = time.perf_counter()
    full = [membership.refresh(day3, sid, full=True) for sid in ids]
    whole = time.perf_counter() - t0
    verify(day3, ids[::11])
    moved = sum(d.added + d.removed for d in rolled.values())
    put(f"{prefix}rollover", roll, "s", None, f"{len(ids)} relative-date segments rolled over together "
        f"(the worker's midnight), {moved:,} joins and leaves")
    put(f"{prefix}rollover_each", one_by_one, "s", None, "the next midnight, each by a statement of its own "
        f"({sum(d.added + d.removed for d in each):,} joins and leaves)")
    put(f"{prefix}rollover_full", whole, "s", None, f"their full refresh the midnight after "
        f"({sum(d.added + d.removed for d in full):,} joins and leaves)")
    put(f"{prefix}rollover_ratio", roll / whole, "x", 0.10, "rollover / full refresh")
    put(f"{prefix}rollover_each_ratio", one_by_one / whole, "x", None, "one by one / full refresh")


def _offset_page(segment, moment, offset: int) -> tuple[list[int], int]:
    """The past members' page as it was read before keyset pages: by OFFSET, counted at every turn."""
    members = history.member_ids_at(segment.id, moment)
    page = members.inside(Contact.select(Contact.id, Contact.email, Contact.first_name, Contact.last_name)
                          .where(Contact.id.in_(members.ids())).order_by(Contact.id).offset(offset).limit(50))
    return [row[0] for row in page.tuples()], history.count_at(segment.id, moment)


def measure_as_of(prefix: str, runs: int = 9) -> None:
    """The members of the biggest segment at the end of its last log day, a page at a time:
    by keyset (past_member_pages) against the OFFSET and count of every turn it replaced."""
    segment = Segment.select().where(Segment.object_type == "contacts").order_by(Segment.size.desc()).first()
    last = (MembershipLog.select().where(MembershipLog.segment == segment.id)
            .order_by(MembershipLog.id.desc()).first())
    if segment.size < 1000 or last is None:
        return
    moment = history.end_of_day(pendulum.instance(last.at).in_timezone("UTC").date(), "UTC")
    t0 = time.perf_counter()
    pages = PastMemberPages.at(segment.id, moment)
    opened = time.perf_counter() - t0
    t0 = time.perf_counter()
    pages.last()
    to_last = time.perf_counter() - t0
    turns = []
    for _n in range(runs):
        t0 = time.perf_counter()
        assert pages.previous()
        turns.append(time.perf_counter() - t0)
    deep = pages.first_index
    old_first, old_deep = [], []
    for _n in range(3):
        t0 = time.perf_counter()
        _offset_page(segment, moment, 0)
        old_first.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        ids, total = _offset_page(segment, moment, deep)
        old_deep.append(time.perf_counter() - t0)
    assert ids == pages.ids and total == pages.total, "keyset and OFFSET read the same page"
    note = f"{pages.total:,} members of {segment.name!r} at {moment}"
    put(f"{prefix}as_of_open", opened, "s", None, f"counted and first page, by keyset; {note}")
    put(f"{prefix}as_of_last", to_last, "s", None, "} the last page, by keyset")
    put(f"{prefix}as_of_turn", statistics.median(turns), "s", None,
        f"[ from the last pages, by keyset; median of {runs}", runs=[round(x, 4) for x in turns])
    put(f"{prefix}as_of_offset_first", statistics.median(old_first), "s", None,
        "the first page by OFFSET and the count, as every turn read it before; median of 3")
    put(f"{prefix}as_of_offset_deep", statistics.median(old_deep), "s", None,
        f"the same page as the last keyset turn (offset {deep:,}) by OFFSET and the count; median of 3")


def measure_database(label: str, prefix: str, ids: dict, sizes: dict, *, baseline: bool) -> None:
    ctx = ctx_at(T0.add(hours=2))
    print(f"{label}:", flush=True)
    measure_edit(ctx, prefix, ids["first"], 9 if sizes["contacts"] >= 1_000_000 else 5, baseline=baseline)
    measure_import(ctx, prefix, ids["first"] + ids["last"] + ids["phone"], sizes["contacts"],
                   min(10_000, sizes["contacts"] // 10), 3)
    measure_rollover(prefix)
    measure_as_of(prefix)


# ------------------------------------------------------------------ PostgreSQL, 10,000,000 contacts


def _pg_array(values) -> str:
    return "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def build_pg10m(url: str, n: int) -> dict:
    """Everything set-based in PostgreSQL: contacts by generate_series, members by INSERT ... SELECT."""
    import psycopg2

    steps = {}
    t_all = time.perf_counter()
    db = dbmod.open_database(url)  # the real migrations and indexes
    db.close()
    pg = psycopg2.connect(url)
    cur = pg.cursor()
    cur.execute("SET maintenance_work_mem = '1GB'")
    cur.execute("SET work_mem = '256MB'")
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND "
                "tablename IN ('contact', 'membership', 'membership_log') AND indexname NOT LIKE '%%pkey'")
    indexes = cur.fetchall()
    for name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    regions = [r[0] for r in br.REGIONS]
    cities = [c for r in br.REGIONS for c in r[2]]
    t = time.perf_counter()
    h = "((g::bigint * {m} + {a}) % 1000003)"
    cur.execute(f"""
INSERT INTO contact (email, first_name, last_name, phone, city, region, country, lifecycle_stage, lead_status,
                     events_attended, subscribed, last_activity_date, created_date, company_domain, updated_at)
SELECT 'c' || g || '@example.org',
  ({_pg_array(br.FIRST)})[1 + {h.format(m=7919, a=1)} % {len(br.FIRST)}],
  ({_pg_array(br.LAST)})[1 + {h.format(m=104729, a=7)} % {len(br.LAST)}],
  '+33 ' || (6 + {h.format(m=15485863, a=3)} % 2) || ' ' || lpad(({h.format(m=32452843, a=5)} % 100)::text, 2, '0')
      || ' ' || lpad((g % 100)::text, 2, '0') || ' 00 00',
  ({_pg_array(cities)})[1 + {h.format(m=49979687, a=11)} % {len(cities)}],
  ({_pg_array(regions)})[1 + {h.format(m=86028121, a=13)} % {len(regions)}],
  'France',
  ({_pg_array([s for s, _ in br.LIFECYCLE])})[1 + {h.format(m=122949823, a=17)} % {len(br.LIFECYCLE)}],
  ({_pg_array([s for s, _ in br.LEAD_STATUS if s])})[1 + {h.format(m=160481183, a=19)} % 6],
  {h.format(m=198491317, a=23)} % 7,
  g % 2 = 0,
  DATE '{br.TODAY}' - ({h.format(m=236887691, a=29)} % 400)::int,
  DATE '{br.TODAY}' - ({h.format(m=275604541, a=31)} % 2000)::int,
  NULL,
  TIMESTAMP '2026-11-26 09:00:00'
FROM generate_series(1, {n}) AS g""")
    steps["contacts"] = round(time.perf_counter() - t, 1)
    pg.commit()
    db = dbmod.open_database(url)
    ctx = ctx_at(T0.subtract(days=1))
    at = bench._ts(T0.subtract(days=1))
    made = {}
    with dbmod.write_transaction():
        def segment(name, type_, tree):
            seg = Segment.create(name=name, name_key=store.name_key(name), object_type="contacts", type=type_,
                                 last_activity_at=ctx.now(), created_at=ctx.now(), created_by="bench",
                                 updated_at=ctx.now(), updated_by="bench",
                                 refreshed_at=ctx.now() if type_ == "active" else None, **store.filter_columns(tree))
            store.save_reads(seg.id, "contacts", tree)
            return seg.id
        made["refresh"] = [segment(f"Bench refresh {who}", "active", br.TREE) for who in ("segtui", "temp", "exists")]
        made["big"] = segment("Abonnés, toute la base (5M)", "static", bench.tree_of(bench.f("subscribed", "is_true")))
        plan = follow_plan(br.FIRST, br.LAST)[:200]
        made["first"] = []
        for k, row in enumerate(plan):
            row["sid"] = segment(f"Suivi prénom {row['v']} {row['k']} · {k:04d}", "active", row["tree"])
            made["first"].append(row["sid"])
        for k in range(2000):
            segment(f"Événement {k:04d}", "static", bench.tree_of())
    db.close()
    t = time.perf_counter()
    for sid in made["refresh"]:
        cur.execute(f"INSERT INTO membership (segment_id, record_id, source, joined_at) SELECT %s, c.id, 'filter', %s "
                    f"FROM contact AS c WHERE {bench.PG_PRED}", (sid, at))
    cur.execute("INSERT INTO membership (segment_id, record_id, source, joined_at) SELECT %s, id, 'import', %s "
                "FROM contact WHERE subscribed", (made["big"], at))
    cur.execute("CREATE TEMP TABLE follow_keys (sid INTEGER, v TEXT, k TEXT)")
    cur.executemany("INSERT INTO follow_keys VALUES (%s, %s, %s)", [(r["sid"], r["v"], r["k"]) for r in plan])
    cur.execute("INSERT INTO membership (segment_id, record_id, source, joined_at) SELECT k.sid, c.id, 'filter', %s "
                "FROM contact AS c JOIN follow_keys AS k ON lower(c.first_name) = lower(k.v) "
                "AND c.lifecycle_stage = k.k", (at,))
    steps["membership"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    for _name, sql in indexes:
        cur.execute(sql)
    cur.execute("UPDATE segment SET size = s.n FROM (SELECT segment_id, count(*) AS n FROM membership "
                "GROUP BY segment_id) AS s WHERE s.segment_id = segment.id")
    pg.commit()
    steps["indexes"] = round(time.perf_counter() - t, 1)
    pg.autocommit = True
    t = time.perf_counter()
    cur.execute("VACUUM ANALYZE")
    steps["vacuum_analyze"] = round(time.perf_counter() - t, 1)
    cur.execute("SELECT pg_database_size(current_database())")
    size = cur.fetchone()[0]
    cur.execute("SELECT count(*) FROM membership")
    rows = cur.fetchone()[0]
    pg.close()
    return {"seconds": round(time.perf_counter() - t_all, 1), "steps": steps, "made": made,
            "gb": round(size / 1e9, 2), "membership_rows": rows}


def measure_pg10m(n: int) -> dict:
    import psycopg2

    from tests.pgserver import PgServer

    server = PgServer.start()
    try:
        name = "segtui_10m"
        server.execute(f'CREATE DATABASE "{name}"')
        url = server.url(name)
        built = build_pg10m(url, n)
        print(f"PostgreSQL {n:,} contacts built in {built['seconds']:.0f} s {built['steps']}, "
              f"{built['gb']} GB, {built['membership_rows']:,} membership rows", flush=True)
        made = built["made"]
        db = dbmod.open_database(url)
        raw = psycopg2.connect(dbname=name, user="segtui", host=str(server.folder))
        clock = FixedClock(T0)
        ctx = bench._ctx(clock)
        times: dict[str, list] = {"segtui": [], "temp": [], "exists": []}
        for round_no in range(6):
            clock.set(T0.add(minutes=round_no + 1))
            bench.pg_perturb(raw, round_no, made["refresh"][0])
            diffs = {}
            for who in ("segtui", "temp", "exists")[round_no % 3:] + ("segtui", "temp", "exists")[:round_no % 3]:
                sid = made["refresh"][("segtui", "temp", "exists").index(who)]
                if who == "segtui":
                    t0 = time.perf_counter()
                    d = membership.refresh(ctx, sid, full=True)
                    secs, diffs[who] = time.perf_counter() - t0, (d.added, d.removed)
                else:
                    secs, diffs[who] = bench.pg_handwritten(raw, sid, bench._ts(ctx.now()), who)
                if round_no:
                    times[who].append(secs)
            assert len(set(diffs.values())) == 1, diffs
        seg = statistics.median(times["segtui"])
        hand = min(statistics.median(times["temp"]), statistics.median(times["exists"]))
        size = Segment.get_by_id(made["refresh"][0]).size
        put("pg10m_refresh_segtui", seg, "s", None, f"{size:,} members; median of 5",
            runs=[round(x, 3) for x in times["segtui"]])
        put("pg10m_refresh_handwritten", hand, "s", None, "the faster of two hand-written variants")
        put("pg10m_refresh_ratio", seg / hand, "x", 2.0, "segtui / hand-written")
        measure_edit(bench._ctx(FixedClock(T0.add(hours=1))), "pg10m_", made["first"], 9, baseline=False,
                     target=0.100)
        raw.close()
        db.close()
        outs = bench.run_probes(url, made["big"], {"console_runs": 3, "presses": 4})
        listed = statistics.median(o["list_painted_s"] for o in outs)
        opened = statistics.median(o["open_big_s"] for o in outs)
        put("pg10m_console_list", listed, "s", 1.0, "segments list painted (run_test, incl. open_database); 3 processes")
        put("pg10m_console_open_big", opened, "s", 1.0, "Enter on the 5,000,000-member segment to its first page")
        put("pg10m_console_key_members", statistics.median(x for o in outs for x in o["key_members_ms"]), "ms",
            None, "members ] [ near the first pages")
        put("pg10m_console_key_members_deep", statistics.median(x for o in outs for x in o["key_members_deep_ms"]),
            "ms", None, "members ] at the last pages (offset ~5,000,000)")
        return {"build": built}
    finally:
        server.stop()


# ------------------------------------------------------------------ main


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="10,000 contacts, 200 segments")
    parser.add_argument("--db", help="SQLite file to build (default: in the temp folder)")
    parser.add_argument("--reuse", action="store_true", help="measure an existing --db built by this script")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true", help="measure PostgreSQL only (loaded from --db)")
    parser.add_argument("--build-only", action="store_true", help="build --db (and its .ids.json), measure nothing")
    parser.add_argument("--skip-baseline", action="store_true", help="do not measure today's path (slow)")
    parser.add_argument("--pg10m", action="store_true", help="only the 10,000,000-contact PostgreSQL figures")
    parser.add_argument("--pg10m-contacts", type=int, default=10_000_000)
    parser.add_argument("--json", default=str(HERE / "bench_follow.json"))
    parser.add_argument("--only-rollover-day", type=int, help="with --reuse: only the rollover, at T0 + N days")
    parser.add_argument("--only-as-of", action="store_true", help="with --reuse: only the members as of a past day")
    args = parser.parse_args(argv)
    info: dict = {"machine": br.machine() if hasattr(br, "machine") else {}}
    if args.pg10m:
        info["pg10m"] = measure_pg10m(args.pg10m_contacts)
    else:
        sizes = bench.SIZES["small" if args.small else "full"]
        path = args.db or str(Path(tempfile.gettempdir()) / f"segtui-follow-{'small' if args.small else 'full'}.db")
        if not args.reuse:
            built, _ = bench.build(path, sizes, 1, log_rows=True)
            print(f"SQLite built in {built['seconds']:.0f} s", flush=True)
            db = dbmod.open_database(path)
            ids = add_follow_segments(db, follow_plan(br.FIRST, br.LAST), sqlite=True)
            Path(path + ".ids.json").write_text(json.dumps(ids))
            db.close()
        if args.build_only:
            return 0
        ids = json.loads(Path(path + ".ids.json").read_text())
        db = dbmod.open_database(path)
        verify(ctx_at(T0), ids["last"][:1] + ids["phone"][:1])
        db.close()
        if args.only_as_of:
            db = dbmod.open_database(path)
            measure_as_of("")
            db.close()
            Path(args.json).write_text(json.dumps({"figures": FIGURES, "info": info}, indent=2, default=str))
            return 0
        if args.only_rollover_day:
            db = dbmod.open_database(path)
            measure_rollover("", day=args.only_rollover_day)
            db.close()
            Path(args.json).write_text(json.dumps({"figures": FIGURES, "info": info}, indent=2, default=str))
            return 0
        if not args.skip_postgres:  # loaded before the SQLite figures change the file
            info["postgres"] = measure_pg(path, ids, sizes, baseline=not args.skip_baseline)
        if not args.skip_sqlite:
            db = dbmod.open_database(path)
            measure_database("SQLite", "", ids, sizes, baseline=not args.skip_baseline)
            db.close()
    Path(args.json).write_text(json.dumps({"figures": FIGURES, "info": info}, indent=2, default=str))
    print(f"figures written to {args.json}")
    return 0


def measure_pg(path: str, ids: dict, sizes: dict, *, baseline: bool) -> dict:
    from tests.pgserver import PgServer

    server = PgServer.start()
    try:
        name = "segtui_follow"
        server.execute(f'CREATE DATABASE "{name}"')
        url = server.url(name)
        loaded = bench.load_postgres(url, path, True)
        print(f"PostgreSQL loaded by COPY in {loaded['seconds']:.0f} s", flush=True)
        db = dbmod.open_database(url)
        measure_database("PostgreSQL", "pg_", ids, sizes, baseline=baseline)
        db.close()
        return {"load": loaded}
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
