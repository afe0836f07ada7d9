#!/usr/bin/env python
"""Benchmark: a million contacts and ten thousand segments, measured against the SQL floor.

Run by hand (not a pytest test; tests/perf/conftest.py keeps pytest out of this folder)::

    python tests/perf/bench.py                    # the full run: 1,000,000 contacts, ~6 min on 2 idle cores
    python tests/perf/bench.py --small            # 10,000 contacts, 200 segments, < 60 s (CI smoke run)
    python tests/perf/bench.py --skip-postgres    # without the PostgreSQL figures

What it does:

1. Builds a SQLite file, set-based: the schema from ``segtui.core.db.open_database`` (the
   real migrations and indexes); 1,000,000 contacts by the recursive-CTE generator of
   ``bench_refresh.py``; 50,000 companies the same way; 10,000 segments (a quarter active,
   about 20 % with an automatic conversion, a few with 500,000 members) and about
   10,000,000 membership rows, one ``membership_log`` row per membership and one audit
   entry per segment. A small plan (one row per segment: name, filters, schedule, size) is
   computed in Python into a TEMP table; every real row is written by ``INSERT ... SELECT``.
   Members of active segments are exactly what their filters select (joins over indexed
   TEMP copies of the records), so a refresh finds only what changed since.
2. Measures each figure of issue 6 as the median of several runs (the full pass, minutes
   long, runs once per contender) and prints a table plus a JSON file:
   refresh of one active segment vs hand-written SQL; worker tick with nothing due and with
   100 conversions due; the full pass vs the hand-written SQL floor; the console (the real
   ``SegtuiApp``) headless through ``App.run_test`` in a fresh process per run, and as a real
   process in tmux: start to the segments list painted, open the 500,000-member segment to
   its first page painted, key press to frame, peak RSS (VmHWM); CSV import of 100,000
   contacts; CSV export of the 500,000-member segment; the same refresh and tick figures on
   PostgreSQL (a throwaway server from tests/pgserver.py, loaded with COPY from the SQLite file).

Figures that cannot be taken here (no tmux, no PostgreSQL) are written as skipped, with why.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import io
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for folder in (str(ROOT), str(HERE)):
    if folder not in sys.path:  # run from a checkout without installing
        sys.path.insert(0, folder)

import pendulum  # noqa: E402

import bench_refresh as br  # noqa: E402  (the contacts generator, the refresh contenders, the machine)
from segtui.core import db as dbmod  # noqa: E402
from segtui.core import filters as filtersmod  # noqa: E402
from segtui.core import membership, records, segments, store  # noqa: E402
from segtui.core.clock import FixedClock  # noqa: E402
from segtui.core.context import Context  # noqa: E402
from segtui.core.models import MembershipLog, Segment  # noqa: E402
from segtui.core.schedule import Schedule, due_moment  # noqa: E402

T0 = br.T0  # 2026-11-26 09:30 UTC, a Thursday; the data's "today" is 2026-11-26
TZ = "Europe/Paris"
BUILT_AT = T0.subtract(days=1)  # when the active segments were last refreshed
P = br.P

SIZES = {
    "full": dict(contacts=1_000_000, companies=50_000, segments=10_000, big=500_000,
                 active_contacts=400, active_companies=2_100, scheduled=2_000,
                 membership_target=10_000_000, import_rows=100_000, due=100,
                 runs=7, tick_runs=21, io_runs=3, console_runs=5, presses=15),
    "small": dict(contacts=10_000, companies=500, segments=200, big=5_000,
                  active_contacts=20, active_companies=40, scheduled=40,
                  membership_target=100_000, import_rows=1_000, due=20,
                  runs=5, tick_runs=7, io_runs=3, console_runs=2, presses=6),
}

# (figure key, label, unit, target or None for "report"), in the order of the printed table
FIGURES = [
    ("refresh_segtui", "refresh of one active segment over all contacts: segtui", "s", None),
    ("refresh_handwritten", "  the same diff in hand-written SQL, same file, same run", "s", None),
    ("refresh_ratio", "  ratio segtui / hand-written", "x", 2.0),
    ("tick_nothing_due", "worker tick, nothing due", "ms", 20.0),
    ("tick_due", "worker tick, conversions due", "s", 1.0),
    ("full_pass_segtui", "full pass: refresh every active segment (worker ticks)", "s", None),
    ("full_pass_floor", "  the same work in hand-written SQL (the floor)", "s", None),
    ("full_pass_ratio", "  ratio segtui / floor", "x", None),
    ("console_list_headless", "console: start to segments list painted (run_test)", "s", 1.5),
    ("console_list_tmux", "console: start to segments list painted (real process, tmux)", "s", 1.5),
    ("console_open_big", "console: open the big segment to its first page painted", "s", 0.5),
    ("console_open_big_tmux", "  the same, real process in tmux (Enter to page text)", "s", 0.5),
    ("console_key_list", "console: key press to frame, segments list (down/pagedown)", "ms", 50.0),
    ("console_key_members", "console: key press to frame, members ([ and ])", "ms", 50.0),
    ("console_key_members_deep", "  members ] at the last pages (deep offset)", "ms", 50.0),
    ("console_key_members_tmux", "  members ], real process in tmux", "ms", 50.0),
    ("console_rss", "console: peak RSS (VmHWM), real process", "MB", 200.0),
    ("console_rss_headless", "  the same, headless run_test process", "MB", 200.0),
    ("import_csv", "CSV import of new contacts", "s", 10.0),
    ("export_csv", "CSV export of the big segment", "s", 5.0),
    ("pg_refresh_segtui", "PostgreSQL: refresh of one active segment: segtui", "s", None),
    ("pg_refresh_handwritten", "  the same diff in hand-written SQL", "s", None),
    ("pg_refresh_ratio", "  ratio segtui / hand-written", "x", None),
    ("pg_tick_nothing_due", "PostgreSQL: worker tick, nothing due", "ms", None),
    ("pg_tick_due", "PostgreSQL: worker tick, conversions due", "s", None),
]
FIGURE_KEYS = [key for key, *_ in FIGURES]

# ------------------------------------------------------------------ reference data

INDUSTRIES = ["Agroalimentaire", "Banque", "BTP", "Chimie", "Commerce", "Conseil", "Éducation",
              "Énergie", "Industrie", "Informatique", "Santé", "Transport"]
CREATORS = ["marie", "yann", "sophie", "ops-bot", "julien", "gwenaelle"]
EVENT_NAMES = ["Salon", "Webinaire", "Atelier", "Conférence", "Gala", "Portes ouvertes"]


def regions_cities():
    return [(name, cities) for name, _, cities in br.REGIONS]


# ------------------------------------------------------------------ build


def companies_insert_sql(n: int, seed: int) -> str:
    h = {k: f"s.h{k}" for k in range(1, 6)}
    seeds = ", ".join(f"{br._h('n', 30 + k, seed)} AS h{k}" for k in range(1, 6))
    return f"""
INSERT INTO company (domain, name, industry, city, region, country, employees, annual_revenue,
                     created_date, updated_at)
WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < {int(n) - 1}),
s AS MATERIALIZED (SELECT n, {seeds} FROM seq)
SELECT 'entreprise-' || s.n || '.fr', 'Entreprise ' || s.n,
  (SELECT name FROM temp.b_industry WHERE i = {h[1]} % {len(INDUSTRIES)}),
  CASE WHEN r.ri IS NOT NULL THEN (SELECT name FROM temp.b_city WHERE k = r.ri * 4 + {h[3]} % 4) END,
  r.name, 'France',
  CASE WHEN {h[4]} % 100 < 50 THEN 1 + {h[4]} / 100 % 10
       WHEN {h[4]} % 100 < 80 THEN 10 + {h[4]} / 100 % 40
       WHEN {h[4]} % 100 < 95 THEN 50 + {h[4]} / 100 % 200
       ELSE 250 + {h[4]} / 100 % 5000 END,
  CASE WHEN {h[5]} % 10 = 0 THEN NULL ELSE ({h[5]} / 10 % 500) * 10000.0 END,
  date('{br.TODAY}', '-' || ({h[2]} % 3650 + 1) || ' days'),
  '2026-11-26 09:00:00'
FROM s JOIN temp.b_region AS r ON r.b = {h[2]} / 7 % 1000
ORDER BY s.n
"""


def f(prop, op, **kw):
    return {"property": prop, "operator": op, **kw}


def tree_of(*filters):
    return {"groups": [{"filters": list(filters)}]}


class Plan:
    """One row per segment, computed in Python (small), loaded into TEMP tables.

    ``rows`` feed ``temp.b_plan``; ``keys`` feed ``temp.b_key`` (the (segment, value) pairs the
    active-membership joins use); ``floors`` hold the hand-written predicate of each active
    segment for the SQL floor (written here by hand, not by segtui's filter compiler).
    """

    def __init__(self, sizes: dict, seed: int):
        self.sizes = sizes
        self.rng = random.Random(seed)
        self.rows: list[dict] = []
        self.keys: list[tuple] = []
        self.floors: dict[int, tuple[str, str]] = {}
        self.big_static: list[int] = []
        self.big_active: list[int] = []
        self.make()

    def add(self, **row) -> dict:
        sid = len(self.rows) + 1
        row.setdefault("size", 0)
        row.setdefault("a", 0)
        row.setdefault("joined_spread_h", 0)
        row.setdefault("tree", filtersmod.EMPTY_TREE)
        row.setdefault("schedule", Schedule())
        row.update(sid=sid)
        self.rows.append(row)
        return row

    def make(self) -> None:
        s, rng = self.sizes, self.rng
        regions = regions_cities()
        n_seg = s["segments"]
        big = s["big"]
        # the big ones first; the two static ones sort first by name ("Ab", "An" < "At", "Au")
        r = self.add(name="Abonnés newsletter (import 2025)", obj="contacts", type="static", tpl="static",
                     size=big, a=17, source="import",
                     tree=tree_of(f("subscribed", "is_true")))
        self.big_static.append(r["sid"])
        r = self.add(name="Anciens participants (gel 2024)", obj="contacts", type="static", tpl="static",
                     size=big, a=424_242, source="manual", joined_spread_h=24 * 400)
        self.big_static.append(r["sid"])
        big_regions = ["Île-de-France", "Bretagne", "Normandie", "Auvergne-Rhône-Alpes"]
        r = self.add(name="Audience grandes régions", obj="contacts", type="active", tpl="big_region",
                     tree=tree_of(f("region", "is_any_of", values=big_regions)))
        self.floors[r["sid"]] = ("contact", "lower(c.region) IN (" + ", ".join(
            f"lower({_q(x)})" for x in big_regions) + ")")
        self.big_active.append(r["sid"])
        stages = ["subscriber", "customer", "evangelist", "other"]
        r = self.add(name="Audience cycle de vie", obj="contacts", type="active", tpl="big_stage",
                     tree=tree_of(f("lifecycle_stage", "is_any_of", values=stages)))
        self.floors[r["sid"]] = ("contact", "c.lifecycle_stage IN (" + ", ".join(map(_q, stages)) + ")")
        self.big_active.append(r["sid"])

        rest = n_seg - len(self.rows)
        kinds = (["ac"] * (s["active_contacts"] - 2) + ["aco"] * s["active_companies"])
        n_static_companies = max(1, rest // 20)
        kinds += ["sco"] * n_static_companies
        kinds += ["sc"] * (rest - len(kinds))
        rng.shuffle(kinds)
        active_ids = []
        stage_names = ["lead", "subscriber", "customer", "marketing_qualified_lead", "opportunity"]
        statuses = ["new", "open", "in_progress", "connected"]
        for kind in kinds:
            sid = len(self.rows) + 1
            if kind == "ac":
                tpl = rng.choice(["city_stage", "city_stage", "region_status_events", "account", "recent"])
                ri = rng.randrange(len(regions))
                region, cities = regions[ri]
                if tpl == "city_stage":
                    city, stage = rng.choice(cities), rng.choice(stage_names)
                    tree = tree_of(f("city", "is_any_of", values=[city]),
                                   f("lifecycle_stage", "is_any_of", values=[stage]))
                    name = f"Ville {city} · {stage.replace('_', ' ')} · {sid:05d}"
                    self.keys.append((sid, city, stage, None))
                    pred = f"lower(c.city) = lower({_q(city)}) AND c.lifecycle_stage = {_q(stage)}"
                elif tpl == "region_status_events":
                    status, k = rng.choice(statuses), rng.choice([1, 2, 3])
                    tree = tree_of(f("region", "is_any_of", values=[region]),
                                   f("lead_status", "is_any_of", values=[status]),
                                   f("events_attended", "gte", value=k))
                    name = f"Région {region} · {status} · {k}+ événements · {sid:05d}"
                    self.keys.append((sid, region, status, k))
                    pred = (f"lower(c.region) = lower({_q(region)}) AND c.lead_status = {_q(status)} "
                            f"AND c.events_attended >= {k}")
                elif tpl == "account":
                    doms = sorted({f"entreprise-{rng.randrange(5000)}.fr" for _ in range(3)})
                    tree = tree_of(f("company_domain", "is_any_of", values=doms))
                    name = f"Comptes clés {doms[0]} +{len(doms) - 1} · {sid:05d}"
                    for d in doms:
                        self.keys.append((sid, d, None, None))
                    pred = "lower(c.company_domain) IN (" + ", ".join(f"lower({_q(d)})" for d in doms) + ")"
                else:  # relative dates: re-evaluated every night
                    days = rng.choice([7, 14, 30, 60, 90])
                    tree = tree_of(f("region", "is_any_of", values=[region]),
                                   f("last_activity_date", "less_than_days_ago", value=days))
                    name = f"Récents {region} {days} j · {sid:05d}"
                    self.keys.append((sid, region, None, days))
                    since = pendulum.Date.fromisoformat(br.TODAY).subtract(days=days).isoformat()
                    pred = (f"lower(c.region) = lower({_q(region)}) AND c.last_activity_date > {_q(since)} "
                            f"AND c.last_activity_date <= {_q(br.TODAY)}")
                self.add(name=name, obj="contacts", type="active", tpl=tpl, tree=tree)
                self.floors[sid] = ("contact", pred)
                active_ids.append(sid)
            elif kind == "aco":
                tpl = rng.choice(["industry_region", "industry_employees"])
                industry = rng.choice(INDUSTRIES)
                if tpl == "industry_region":
                    region = rng.choice(regions)[0]
                    tree = tree_of(f("industry", "is_any_of", values=[industry]),
                                   f("region", "is_any_of", values=[region]))
                    name = f"Entreprises {industry} · {region} · {sid:05d}"
                    self.keys.append((sid, industry, region, None))
                    pred = f"lower(c.industry) = lower({_q(industry)}) AND lower(c.region) = lower({_q(region)})"
                else:
                    e = rng.choice([10, 50, 250, 1000])
                    tree = tree_of(f("industry", "is_any_of", values=[industry]),
                                   f("employees", "gte", value=e))
                    name = f"Entreprises {industry} · {e}+ salariés · {sid:05d}"
                    self.keys.append((sid, industry, None, e))
                    pred = f"lower(c.industry) = lower({_q(industry)}) AND c.employees >= {e}"
                self.add(name=name, obj="companies", type="active", tpl=tpl, tree=tree)
                self.floors[sid] = ("company", pred)
                active_ids.append(sid)
            elif kind == "sco":
                size = int(min(s["companies"] // 2, 20 + rng.paretovariate(1.6) * 60))
                self.add(name=f"Partenaires {rng.choice(INDUSTRIES)} {2020 + sid % 7} · {sid:05d}",
                         obj="companies", type="static", tpl="static", size=size,
                         a=rng.randrange(s["companies"]), source="manual")
            else:
                event = rng.choice(EVENT_NAMES)
                region, cities = rng.choice(regions)
                size = int(min(s["contacts"] // 5, 30 + rng.paretovariate(1.3) * 250))
                tree = (tree_of(f("city", "is_any_of", values=[rng.choice(cities)]),
                                f("events_attended", "gte", value=1)) if rng.random() < 0.4 else filtersmod.EMPTY_TREE)
                self.add(name=f"{event} {rng.choice(cities)} {2019 + sid % 8} · {sid:05d}", obj="contacts",
                         type="static", tpl="static", size=size, a=rng.randrange(s["contacts"]),
                         source=rng.choice(["import", "manual"]), tree=tree,
                         joined_spread_h=rng.choice([0, 0, 24, 24 * 30]))
        # scale the static sizes towards the membership target (actives are what they are)
        self._scale_static()
        # schedules: ~20 % of all segments, all of them active (the setting exists only there)
        scheduled = rng.sample(active_ids, min(s["scheduled"], len(active_ids)))
        for sid in scheduled:
            row = self.rows[sid - 1]
            if rng.random() < 0.5:
                row["schedule"] = Schedule("on_day", day=pendulum.Date(2026, 12, 1).add(days=rng.randrange(400)))
            else:
                unit = rng.choice(["days", "weeks", "months"])
                amount = {"days": rng.randrange(30, 180), "weeks": rng.randrange(5, 30),
                          "months": rng.randrange(2, 13)}[unit]
                row["schedule"] = Schedule("after_inactivity", amount=amount, unit=unit)
        self.scheduled = sorted(scheduled)
        for row in self.rows:
            self._finish(row)

    def _scale_static(self):
        s = self.sizes
        expected_active = int(0.98 * s["contacts"]) + int(0.0028 * s["contacts"]) * (s["active_contacts"] - 2) \
            + int(0.0055 * s["companies"]) * s["active_companies"]
        want = max(s["membership_target"] - expected_active - 2 * s["big"], 0)
        small = [r for r in self.rows if r["type"] == "static" and r["sid"] not in self.big_static]
        have = sum(r["size"] for r in small) or 1
        factor = want / have
        for r in small:
            limit = (s["contacts"] if r["obj"] == "contacts" else s["companies"]) // 2
            r["size"] = max(5, min(limit, int(r["size"] * factor)))

    def _finish(self, row):
        rng = self.rng
        created = T0.subtract(days=rng.randrange(2, 900), minutes=rng.randrange(1440))
        row["created_at"] = created
        row["created_by"] = rng.choice(CREATORS)
        row["updated_at"] = created.add(days=rng.randrange(0, 1 + (T0 - created).days))
        if row["updated_at"] > BUILT_AT:
            row["updated_at"] = BUILT_AT
        row["updated_by"] = rng.choice(CREATORS)
        normal = filtersmod.validate(row["tree"], row["obj"], resolve_segment=_no_segment)
        row.update(store.filter_columns(normal))
        if row["type"] == "active":
            # last membership change: within the last 28 days (so that inactivity rules are not due)
            row["last_activity_at"] = pendulum.datetime(2026, 11, rng.randrange(1, 26), 10, tz="UTC")
            row["refreshed_at"] = BUILT_AT
            row["next_refresh_at"] = (membership.next_day_start(_ctx(FixedClock(T0)))
                                      if row["has_relative_dates"] else None)
            row["joined"] = BUILT_AT
        else:
            row["last_activity_at"] = row["updated_at"]
            row["refreshed_at"] = None
            row["next_refresh_at"] = None
            row["joined"] = created
        sch = row["schedule"]
        row["due_at"] = due_moment(sch, tz=TZ, last_activity_at=row["last_activity_at"])
        row["schedule_tz"] = TZ if sch.mode != "never" else None


def _no_segment(ref):
    raise AssertionError("no membership filters in the bench plan")


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ctx(clock) -> Context:
    return Context(clock=clock, actor="bench", tz=TZ)


def _ts(moment) -> str | None:
    return MembershipLog.at.db_value(moment) if moment is not None else None


def create_bench_tables(conn: sqlite3.Connection) -> None:
    br.create_lookup_tables(conn)
    cur = conn.cursor()
    cur.execute("CREATE TEMP TABLE IF NOT EXISTS b_industry (i INTEGER PRIMARY KEY, name TEXT)")
    cur.execute("DELETE FROM temp.b_industry")
    cur.executemany("INSERT INTO temp.b_industry VALUES (?, ?)", enumerate(INDUSTRIES))


def load_plan(conn: sqlite3.Connection, plan: Plan) -> None:
    cur = conn.cursor()
    cur.execute("""CREATE TEMP TABLE b_plan (sid INTEGER PRIMARY KEY, name TEXT, name_key TEXT, obj TEXT,
        type TEXT, tpl TEXT, filters TEXT, filter_properties TEXT, has_relative_dates INTEGER, size INTEGER,
        a INTEGER, source TEXT, joined TEXT, spread_h INTEGER, last_activity_at TEXT, created_at TEXT,
        created_by TEXT, updated_at TEXT, updated_by TEXT, schedule_mode TEXT, schedule_day TEXT,
        schedule_amount INTEGER, schedule_unit TEXT, schedule_tz TEXT, due_at TEXT, next_refresh_at TEXT,
        refreshed_at TEXT)""")
    cur.executemany(
        "INSERT INTO temp.b_plan VALUES (" + ", ".join("?" * 27) + ")",
        [(r["sid"], r["name"], r["name"].casefold(), r["obj"], r["type"], r["tpl"], r["filters"],
          r["filter_properties"], int(r["has_relative_dates"]), r["size"], r["a"], r.get("source", "filter"),
          _ts(r["joined"]), r["joined_spread_h"], _ts(r["last_activity_at"]), _ts(r["created_at"]),
          r["created_by"], _ts(r["updated_at"]), r["updated_by"], r["schedule"].mode,
          r["schedule"].day.isoformat() if r["schedule"].day else None, r["schedule"].amount,
          r["schedule"].unit, r["schedule_tz"], _ts(r["due_at"]), _ts(r["next_refresh_at"]),
          _ts(r["refreshed_at"])) for r in plan.rows])
    cur.execute("CREATE TEMP TABLE b_key (sid INTEGER, k1 TEXT, k2 TEXT, n REAL)")
    cur.executemany("INSERT INTO temp.b_key VALUES (?, ?, ?, ?)", plan.keys)
    cur.execute("CREATE INDEX temp.b_key_sid ON b_key (sid)")


# static segments: ``size`` distinct records, an arithmetic progression modulo the table size
# (the step is a prime that does not divide it), joined at one moment or spread over hours
STATIC_MEMBERS_SQL = """
INSERT INTO temp.b_mem (sid, rid, source, joined)
SELECT p.sid, ((p.a + q.n * {step}) % {n_records}) + 1, p.source,
       CASE WHEN p.spread_h = 0 THEN p.joined
            ELSE datetime(p.joined, '+' || (q.n * 7919 % p.spread_h) || ' hours') END
FROM temp.b_plan AS p CROSS JOIN temp.b_seq AS q  -- CROSS: the plan outside, a range of b_seq inside
WHERE q.n < p.size AND p.type = 'static' AND p.obj = '{obj}'"""


def build(path: str, sizes: dict, seed: int, log_rows: bool) -> tuple[dict, Plan]:
    """A fresh file: schema through open_database, then everything with INSERT ... SELECT."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path + suffix)
    steps: dict[str, float] = {}
    t_all = time.perf_counter()

    def step(name, started):
        steps[name] = round(time.perf_counter() - started, 2)

    t = time.perf_counter()
    db = dbmod.open_database(path)  # the real migrations, the real indexes
    step("schema", t)
    conn = db.connection()
    cur = conn.cursor()
    for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -2097152",
                   "temp_store = MEMORY"):
        cur.execute(f"PRAGMA {pragma}").fetchall()
    create_bench_tables(conn)

    # secondary indexes are cheaper to build once, sorted, than to fill in random key order
    indexes = cur.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('contact', 'company', 'membership', 'membership_log')").fetchall()
    cur.execute("BEGIN")
    for name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"')

    t = time.perf_counter()
    cur.execute(br.contacts_insert_sql(sizes["contacts"], seed))
    step("contacts", t)
    t = time.perf_counter()
    cur.execute(companies_insert_sql(sizes["companies"], seed))
    step("companies", t)

    t = time.perf_counter()
    plan = Plan(sizes, seed)
    load_plan(conn, plan)
    step("plan", t)

    t = time.perf_counter()
    cur.execute("""
INSERT INTO segment (id, name, name_key, object_type, type, filters, filter_properties, has_relative_dates,
    size, last_activity_at, created_at, created_by, updated_at, updated_by, version, schedule_mode,
    schedule_day, schedule_amount, schedule_unit, schedule_tz, due_at, next_refresh_at, refreshed_at,
    refresh_failures)
SELECT sid, name, name_key, obj, type, filters, filter_properties, has_relative_dates, 0, last_activity_at,
    created_at, created_by, updated_at, updated_by, 1 + sid % 4, schedule_mode, schedule_day,
    schedule_amount, schedule_unit, schedule_tz, due_at, next_refresh_at, refreshed_at, 0
FROM temp.b_plan ORDER BY sid""")
    # what segtui derives from the filters into tables: the property -> segments index, and the
    # day the relative dates were evaluated for (the members below are computed for TODAY)
    cur.executemany("INSERT INTO segment_read (segment_id, object_type, property) VALUES (?, ?, ?)",
                    [(r["sid"], r["obj"], name) for r in plan.rows
                     for name in sorted(filtersmod.referenced_properties(r["tree"]))])
    cur.execute(f"UPDATE segment SET dates_as_of = '{br.TODAY}' WHERE has_relative_dates AND type = 'active'")
    step("segments", t)

    # ---- memberships, into a TEMP table first, then into membership in key order
    t = time.perf_counter()
    cur.execute("CREATE TEMP TABLE b_mem (sid INTEGER, rid INTEGER, source TEXT, joined TEXT)")
    max_size = max(r["size"] for r in plan.rows)
    cur.execute("CREATE TEMP TABLE b_seq (n INTEGER PRIMARY KEY)")
    cur.execute(f"INSERT INTO temp.b_seq WITH RECURSIVE q(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM q "
                f"WHERE n < {max_size}) SELECT n FROM q")
    for obj, n_records, step_prime in (("contacts", sizes["contacts"], 7919), ("companies", sizes["companies"], 7907)):
        cur.execute(STATIC_MEMBERS_SQL.format(step=step_prime, n_records=n_records, obj=obj))
    step("static_members", t)

    t = time.perf_counter()
    # indexed TEMP copies of what the active filters read, lower()ed by SQLite as segtui compares
    # text (SQLite's lower() folds ASCII only: 'Île' stays 'Île' on both sides)
    cur.execute("""CREATE TEMP TABLE tc AS SELECT id, lower(city) AS city, lifecycle_stage AS stage,
        lower(region) AS region, lead_status AS status, events_attended AS events,
        lower(company_domain) AS dom, last_activity_date AS lad FROM contact""")
    cur.execute("CREATE INDEX temp.tc_city ON tc (city, stage)")
    cur.execute("CREATE INDEX temp.tc_region ON tc (region, status, events)")
    cur.execute("CREATE INDEX temp.tc_dom ON tc (dom)")
    cur.execute("CREATE INDEX temp.tc_lad ON tc (region, lad)")
    cur.execute("""CREATE TEMP TABLE tco AS SELECT id, lower(industry) AS industry, lower(region) AS region,
        employees FROM company""")
    cur.execute("CREATE INDEX temp.tco_ir ON tco (industry, region)")
    cur.execute("CREATE INDEX temp.tco_ie ON tco (industry, employees)")
    today = br.TODAY
    joins = {
        "city_stage": "JOIN temp.tc AS t ON t.city = lower(k.k1) AND t.stage = k.k2",
        "region_status_events": "JOIN temp.tc AS t ON t.region = lower(k.k1) AND t.status = k.k2 AND t.events >= k.n",
        "account": "JOIN temp.tc AS t ON t.dom = lower(k.k1)",
        "recent": f"JOIN temp.tc AS t ON t.region = lower(k.k1) AND t.lad > date('{today}', '-' || "
                  f"CAST(k.n AS INTEGER) || ' days') AND t.lad <= '{today}'",
        "industry_region": "JOIN temp.tco AS t ON t.industry = lower(k.k1) AND t.region = lower(k.k2)",
        "industry_employees": "JOIN temp.tco AS t ON t.industry = lower(k.k1) AND t.employees >= k.n",
    }
    for tpl, join in joins.items():
        cur.execute(f"""INSERT INTO temp.b_mem (sid, rid, source, joined)
            SELECT DISTINCT p.sid, t.id, 'filter', p.joined FROM temp.b_plan AS p
            JOIN temp.b_key AS k ON k.sid = p.sid {join} WHERE p.tpl = '{tpl}'""")
    for sid in plan.big_active:
        table, pred = plan.floors[sid]
        cur.execute(f"INSERT INTO temp.b_mem (sid, rid, source, joined) SELECT {sid}, c.id, 'filter', "
                    f"(SELECT joined FROM temp.b_plan WHERE sid = {sid}) FROM {table} AS c WHERE {pred}")
    step("active_members", t)

    t = time.perf_counter()
    cur.execute("INSERT INTO membership (segment_id, record_id, source, joined_at) "
                "SELECT sid, rid, source, joined FROM temp.b_mem ORDER BY sid, rid")
    step("membership_rows", t)
    if log_rows:
        t = time.perf_counter()
        cur.execute("INSERT INTO membership_log (segment_id, record_id, action, reason, at, actor) "
                    "SELECT m.segment_id, m.record_id, 'added', m.source, m.joined_at, p.created_by "
                    "FROM membership AS m JOIN temp.b_plan AS p ON p.sid = m.segment_id")
        step("log_rows", t)
    t = time.perf_counter()
    cur.execute("UPDATE segment SET size = s.n FROM (SELECT segment_id, count(*) AS n FROM membership "
                "GROUP BY segment_id) AS s WHERE s.segment_id = segment.id")
    cur.execute("""INSERT INTO audit_entry (at, actor, action, segment_id, summary, before, after)
        SELECT created_at, created_by, 'create', sid,
               'Created ' || type || ' ' || obj || ' segment ''' || name || '''', NULL, NULL
        FROM temp.b_plan ORDER BY created_at""")
    for table in ("b_mem", "tc", "tco", "b_seq"):
        cur.execute(f"DROP TABLE temp.{table}")
    step("sizes_audit", t)

    t = time.perf_counter()
    for _name, sql in indexes:
        cur.execute(sql)
    cur.execute("COMMIT")
    step("indexes", t)
    cur.execute("PRAGMA journal_mode = WAL").fetchall()
    counts = {table: cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
              for table in ("contact", "company", "segment", "membership", "membership_log", "audit_entry")}
    counts["active"] = cur.execute("SELECT count(*) FROM segment WHERE type = 'active'").fetchone()[0]
    counts["scheduled"] = cur.execute("SELECT count(*) FROM segment WHERE schedule_mode != 'never'").fetchone()[0]
    counts["relative_dates"] = cur.execute("SELECT count(*) FROM segment WHERE has_relative_dates").fetchone()[0]
    counts["big_sizes"] = [cur.execute("SELECT size FROM segment WHERE id = ?", (sid,)).fetchone()[0]
                           for sid in plan.big_static + plan.big_active]
    db.close()
    info = {"seconds": round(time.perf_counter() - t_all, 1), "steps": steps, "counts": counts,
            "file_mb": round(os.path.getsize(path) / 1e6, 1)}
    return info, plan


# ------------------------------------------------------------------ measuring helpers


def summarize(values: list[float], scale: float = 1.0) -> dict:
    vals = [v * scale for v in values]
    return {"median": round(statistics.median(vals), 4), "min": round(min(vals), 4),
            "max": round(max(vals), 4), "runs": [round(v, 4) for v in vals], "n": len(vals)}


class Results:
    def __init__(self):
        self.figures: dict[str, dict] = {}

    def put(self, key: str, value: float | None = None, *, runs=None, note: str = "", skipped: str = "",
            extra: dict | None = None):
        label, unit, target = next((lab, u, tg) for k, lab, u, tg in FIGURES if k == key)
        entry = {"label": label.strip(), "unit": unit, "target": target}
        if skipped:
            entry.update(value=None, skipped=skipped, met=None)
        else:
            entry["value"] = round(value, 4)
            entry["met"] = None if target is None else value <= target
            if runs is not None:
                entry.update(runs)
        if note:
            entry["note"] = note
        if extra:
            entry.update(extra)
        self.figures[key] = entry

    def skip_all(self, keys, why):
        for key in keys:
            self.put(key, skipped=why)


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


# ------------------------------------------------------------------ SQLite engine figures


def reset_due(conn, ids: list[int], moment: str) -> None:
    """Make ``ids`` active segments with an on_day conversion due at ``moment``."""
    marks = ",".join("?" * len(ids))
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(f"UPDATE segment SET type = 'active', schedule_mode = 'on_day', schedule_day = '2026-11-26', "
                 f"schedule_amount = NULL, schedule_unit = NULL, schedule_tz = ?, due_at = ? WHERE id IN ({marks})",
                 [TZ, moment, *ids])
    conn.execute("COMMIT")


def measure_ticks(db, conn, plan: Plan, sizes: dict, res: Results, prefix: str = "") -> None:
    from segtui import worker

    clock = FixedClock(T0)
    ctx = _ctx(clock)
    runs = []
    for i in range(sizes["tick_runs"] + 1):
        t, result = timed(worker.tick, ctx, me="bench")
        assert not result.applied and not result.refreshed, result.summary()
        if i:
            runs.append(t)
    s = summarize(runs, 1000)
    n_live = Segment.select().where(store.live()).count()
    res.put(prefix + "tick_nothing_due", s["median"], runs=s, note=f"{n_live:,} live segments, median of {len(runs)}")
    print(f"  tick, nothing due: {s['median']:.2f} ms (min {s['min']:.2f}, max {s['max']:.2f})", flush=True)

    due_ids = plan.scheduled[-sizes["due"]:]
    moment = _ts(T0.subtract(hours=1))
    runs, applied = [], []
    for i in range(sizes["io_runs"] + 3):
        reset_due(conn, due_ids, moment)
        t, result = timed(worker.tick, ctx, me="bench")
        assert len(result.applied) == len(due_ids), result.summary()
        applied.append(len(result.applied))
        if i:
            runs.append(t)
    reset_due(conn, due_ids, _ts(T0.add(days=400)))  # back to not due
    s = summarize(runs)
    res.put(prefix + "tick_due", s["median"], runs=s,
            note=f"{len(due_ids)} conversions due (each: conditional UPDATE, conversion record, audit)")
    print(f"  tick, {len(due_ids)} due: {s['median']:.3f} s (min {s['min']:.3f}, max {s['max']:.3f})", flush=True)


def refresh_segments() -> dict:
    """The two identical active segments of the refresh contest (bench_refresh's TREE)."""
    ctx = _ctx(FixedClock(T0))
    ids = {}
    for name in ("segtui", "handwritten"):
        found = Segment.get_or_none((Segment.name == f"Bench refresh {name}") & store.live())
        ids[name] = found.id if found else segments.create(ctx, f"Bench refresh {name}", "contacts", "active",
                                                            br.TREE)[0].id
    return ids


def measure_refresh(db, conn, ids: dict, sizes: dict, res: Results) -> None:
    """bench_refresh's contest on this database: segtui vs hand-written SQL, alternating."""
    clock = FixedClock(T0.add(hours=3))
    ctx = _ctx(clock)
    times = {"segtui": [], "handwritten": []}
    diffs_seen = []
    for round_no in range(sizes["runs"] + 1):
        clock.set(T0.add(hours=3, minutes=round_no + 1))
        at = MembershipLog.at.db_value(ctx.now())
        br.perturb(conn, round_no, 1, ids["segtui"], 15, 3, at)
        order = ["segtui", "handwritten"] if round_no % 2 == 0 else ["handwritten", "segtui"]
        diffs, secs = {}, {}
        for name in order:
            br.checkpoint(conn)
            if name == "segtui":
                secs[name], diffs[name] = br.run_segtui(db, ctx, ids[name])
            else:
                secs[name], diffs[name] = br.run_handwritten(conn, ctx, ids[name], "temp")
        br.verify(conn, ids, diffs, round_no)
        diffs_seen.append(diffs["segtui"])
        if round_no:
            for name in times:
                times[name].append(secs[name])
    clock.set(T0)
    seg_s, hand_s = summarize(times["segtui"]), summarize(times["handwritten"])
    ratio = seg_s["median"] / hand_s["median"]
    members = Segment.get_by_id(ids["segtui"]).size
    note = (f"{members:,} members, +{statistics.median(d[0] for d in diffs_seen):.0f} "
            f"-{statistics.median(d[1] for d in diffs_seen):.0f} per run, median of {len(times['segtui'])}")
    res.put("refresh_segtui", seg_s["median"], runs=seg_s, note=note)
    res.put("refresh_handwritten", hand_s["median"], runs=hand_s, note="bench_refresh 'temp' variant")
    res.put("refresh_ratio", ratio, note=f"min/min {seg_s['min'] / hand_s['min']:.2f}")
    print(f"  refresh one segment: segtui {seg_s['median']:.3f} s, hand-written {hand_s['median']:.3f} s, "
          f"ratio {ratio:.2f} ({note})", flush=True)


FLOOR_SQL = [
    ("fill", "INSERT INTO temp.bench_target SELECT c.id FROM {table} AS c WHERE {pred}"),
    ("log removed",
     "INSERT INTO membership_log (segment_id, record_id, action, reason, at, actor) "
     "SELECT m.segment_id, m.record_id, 'removed', 'filter', :at, :actor FROM membership AS m "
     "WHERE m.segment_id = :s AND NOT EXISTS (SELECT 1 FROM temp.bench_target AS t WHERE t.id = m.record_id)"),
    ("delete removed",
     "DELETE FROM membership WHERE segment_id = :s AND record_id IN (SELECT record_id FROM membership_log "
     "WHERE segment_id = :s AND id > :start AND action = 'removed')"),
    ("log added",
     "INSERT INTO membership_log (segment_id, record_id, action, reason, at, actor) "
     "SELECT :s, t.id, 'added', 'filter', :at, :actor FROM temp.bench_target AS t "
     "WHERE NOT EXISTS (SELECT 1 FROM membership AS m WHERE m.segment_id = :s AND m.record_id = t.id)"),
    ("insert added",
     "INSERT INTO membership (segment_id, record_id, source, joined_at) SELECT segment_id, record_id, 'filter', :at "
     "FROM membership_log WHERE segment_id = :s AND id > :start AND action = 'added'"),
]


def floor_refresh(conn, sid: int, table: str, pred: str, at: str) -> tuple[int, int]:
    """One segment's diff in hand-written SQL (bench_refresh's 'temp' variant), one transaction."""
    cur = conn.cursor()
    params = {"s": sid, "at": at, "actor": "bench"}
    cur.execute("BEGIN IMMEDIATE")
    try:
        params["start"] = cur.execute("SELECT COALESCE(MAX(id), 0) FROM membership_log WHERE segment_id = :s",
                                      params).fetchone()[0]
        cur.execute("DELETE FROM temp.bench_target")
        added = removed = 0
        for label, sql in FLOOR_SQL:
            if label == "delete removed" and not removed or label == "insert added" and not added:
                continue
            cur.execute(sql.format(table=table, pred=pred), params)
            if label == "log removed":
                removed = cur.rowcount
            elif label == "log added":
                added = cur.rowcount
        cur.execute(br.SEGMENT_UPDATE, dict(params, delta=added - removed, changed=int(bool(added or removed))))
        cur.execute("COMMIT")
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    return added, removed


def measure_full_pass(db, conn, plan: Plan, refresh_ids: dict, res: Results) -> None:
    """Every active segment refreshed once by segtui (worker ticks) and once by the hand-written floor.

    The two contenders must see the same change and the same machine: the active segments are
    split in two alternating halves; the records are perturbed; segtui refreshes half A and
    the floor half B, 50 segments at a time, alternately (so that both meet the same load
    from the rest of the machine); the records are perturbed again and the halves swap. Each
    contender so refreshes every active segment once, each absorbing one round of changes.
    """
    from segtui import worker

    clock = FixedClock(T0.add(hours=1))
    ctx = _ctx(clock)
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS bench_target (id INTEGER PRIMARY KEY)")
    active = [sid for (sid,) in conn.execute(
        "SELECT id FROM segment WHERE type = 'active' AND deleted_at IS NULL ORDER BY id")]
    floors = dict(plan.floors)
    for sid in refresh_ids.values():
        floors[sid] = ("contact", br.PRED)
    missing = [sid for sid in active if sid not in floors]
    assert not missing, f"no hand-written predicate for {missing[:5]}"
    halves = [active[0::2], active[1::2]]
    totals = {"segtui": 0.0, "floor": 0.0}
    diffs = {"segtui": [0, 0], "floor": [0, 0]}
    ticks = failed = refreshed = 0
    for round_no in range(2):
        clock.set(T0.add(hours=1 + round_no))
        at = MembershipLog.at.db_value(ctx.now())
        br.perturb(conn, 50 + round_no, 1, refresh_ids["segtui"], 15, 3, at)
        br.checkpoint(conn)
        mine, floor_half = halves[round_no], halves[1 - round_no]
        for i in range(0, max(len(mine), len(floor_half)), 50):
            order = ("segtui", "floor") if (i // 50) % 2 == 0 else ("floor", "segtui")
            for who in order:
                if who == "segtui":
                    chunk = mine[i:i + 50]
                    conn.execute("BEGIN IMMEDIATE")
                    conn.execute(f"UPDATE segment SET next_refresh_at = ? WHERE id IN ({','.join('?' * len(chunk))})",
                                 (at, *chunk))
                    conn.execute("COMMIT")
                    t0 = time.perf_counter()
                    while True:  # as an import of new records makes it: every segment stale, ticks of 50
                        result = worker.tick(ctx, me="bench", max_refreshes=50)
                        ticks += 1
                        failed += len(result.failed)
                        if not result.refreshed and not result.failed:
                            break
                        refreshed += len(result.refreshed)
                        diffs[who][0] += sum(d.added for _, d in result.refreshed)
                        diffs[who][1] += sum(d.removed for _, d in result.refreshed)
                    totals[who] += time.perf_counter() - t0
                else:
                    t0 = time.perf_counter()
                    for sid in floor_half[i:i + 50]:
                        table, pred = floors[sid]
                        added, removed = floor_refresh(conn, sid, table, pred, at)
                        diffs[who][0] += added
                        diffs[who][1] += removed
                    totals[who] += time.perf_counter() - t0
    assert refreshed == len(active) and not failed, (refreshed, len(active), failed)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE segment SET next_refresh_at = CASE WHEN has_relative_dates THEN ? END WHERE type = 'active'",
                 (_ts(membership.next_day_start(ctx)),))
    conn.execute("COMMIT")
    seg_s, floor_s = totals["segtui"], totals["floor"]
    (sa, sr), (fa, fr) = diffs["segtui"], diffs["floor"]
    res.put("full_pass_segtui", seg_s, note=f"{len(active):,} active segments ({ticks} worker ticks), "
            f"+{sa:,} -{sr:,}; one pass, run as two interleaved halves")
    res.put("full_pass_floor", floor_s, note=f"+{fa:,} -{fr:,}; bench_refresh's 'temp' variant per segment")
    res.put("full_pass_ratio", seg_s / floor_s)
    print(f"  full pass, {len(active):,} active segments: segtui {seg_s:.1f} s (+{sa:,} -{sr:,}), "
          f"floor {floor_s:.1f} s (+{fa:,} -{fr:,}), ratio {seg_s / floor_s:.2f}", flush=True)


def import_csv_text(n: int, seed: int) -> str:
    rng = random.Random(seed)
    regions = regions_cities()
    out = io.StringIO()
    out.write("email,first_name,last_name,phone,city,region,country,lifecycle_stage,lead_status,"
              "events_attended,subscribed,last_activity_date,created_date,company_domain\n")
    stages = ["subscriber", "lead", "customer", "opportunity"]
    for i in range(n):
        first, last = rng.choice(br.FIRST), rng.choice(br.LAST)
        region, cities = rng.choice(regions)
        out.write(f"{br._slug(first)}.{br._slug(last)}.imp{seed}x{i}@exemple.fr,{first},{last},"
                  f"+33 6 {rng.randrange(10**8):08d},{rng.choice(cities)},{region},France,"
                  f"{rng.choice(stages)},{rng.choice(['new', 'open', ''])},{rng.randrange(5)},"
                  f"{rng.choice(['true', 'false'])},2026-{rng.randrange(1, 12):02d}-{rng.randrange(1, 28):02d},"
                  f"2025-{rng.randrange(1, 12):02d}-{rng.randrange(1, 28):02d},"
                  f"{f'entreprise-{rng.randrange(5000)}.fr' if rng.random() < 0.4 else ''}\n")
    return out.getvalue()


def measure_import(db, conn, sizes: dict, res: Results, tmp: Path) -> None:
    ctx = _ctx(FixedClock(T0))
    n = sizes["import_rows"]
    path = tmp / "bench_import.csv"
    path.write_text(import_csv_text(n, 3), encoding="utf-8")
    before = conn.execute("SELECT max(id) FROM contact").fetchone()[0]
    runs = []
    for _ in range(sizes["io_runs"]):
        br.checkpoint(conn)
        t0 = time.perf_counter()
        report = records.import_csv(ctx, "contacts", records.read_file(path))
        runs.append(time.perf_counter() - t0)
        assert report.created == n, report.sentence()
        # back as it was: the new contacts go, the refresh marks are cleared
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM contact WHERE id > ?", (before,))
        conn.execute("UPDATE segment SET next_refresh_at = CASE WHEN has_relative_dates THEN ? END "
                     "WHERE type = 'active'", (_ts(membership.next_day_start(ctx)),))
        conn.execute("COMMIT")
    s = summarize(runs)
    res.put("import_csv", s["median"], runs=s,
            note=f"{n:,} new contacts, 14 columns, into {sizes['contacts']:,}; median of {len(runs)}")
    print(f"  import {n:,} contacts: {s['median']:.2f} s (runs {s['runs']})", flush=True)


def measure_export(db, conn, plan: Plan, sizes: dict, res: Results, tmp: Path) -> None:
    sid = plan.big_static[0]
    path = tmp / "bench_export.csv"
    runs = []
    for _ in range(sizes["io_runs"]):
        t0 = time.perf_counter()
        count = records.export_members(sid, path, overwrite=True)
        runs.append(time.perf_counter() - t0)
    assert count == sizes["big"], count
    s = summarize(runs)
    res.put("export_csv", s["median"], runs=s, note=f"{count:,} members, {path.stat().st_size / 1e6:.0f} MB; "
            f"median of {len(runs)}")
    print(f"  export {count:,} members: {s['median']:.2f} s (runs {s['runs']})", flush=True)
    path.unlink()


# ------------------------------------------------------------------ the console


def vm_hwm_mb(pid: int | str = "self") -> float | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


async def _probe(db_path: str, big_id: int, presses: int) -> dict:
    """Runs in a fresh process: the real SegtuiApp headless, timed from construction."""
    t_import = time.perf_counter()
    from textual.widgets import DataTable

    from segtui.tui.app import SegtuiApp
    from segtui.tui.screens.segment_detail import SegmentDetailScreen
    from segtui.tui.screens.segments_list import SegmentsListScreen

    out: dict = {"imports_s": time.perf_counter() - t_import}
    displays: list[float] = []
    marks: dict[str, float] = {}

    t0 = time.perf_counter()
    database = dbmod.open_database(db_path)  # as segtui.tui.launch does, before the app
    app = SegtuiApp(_ctx(FixedClock(T0)), worker_interval=0, db_label=db_path)
    original = app._display

    def display(screen, renderable):
        original(screen, renderable)
        now = time.perf_counter()
        displays.append(now)
        if "list" not in marks and isinstance(screen, SegmentsListScreen):
            if screen.query_one(DataTable).row_count > 0:
                marks["list"] = now
        if "big" not in marks and isinstance(screen, SegmentDetailScreen):
            if screen.query_one("#members").row_count > 0:
                marks["big"] = now

    app._display = display

    async def until(cond, timeout=60.0):
        end = time.perf_counter() + timeout
        while not cond():
            if time.perf_counter() > end:
                raise TimeoutError("the console did not get there in time")
            await asyncio.sleep(0.001)

    async def key_to_frame(pilot, key: str) -> tuple[float, float]:
        """(press to the last frame its handling caused, press + pilot.pause())."""
        await pilot.pause()
        n_before = len(displays)
        t = time.perf_counter()
        await pilot.press(key)
        pressed = time.perf_counter()
        screen = app.screen

        def settled():
            dirty = screen._layout_required or screen._repaint_required or screen._dirty_widgets
            return not dirty and (len(displays) > n_before or time.perf_counter() - pressed > 0.25)

        await until(settled, 5)
        frame = (displays[-1] if len(displays) > n_before else pressed) - t
        await pilot.pause()
        return frame, time.perf_counter() - t

    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: "list" in marks)
        out["list_painted_s"] = marks["list"] - t0
        out["painted_wall"] = time.time() - (time.perf_counter() - marks["list"])
        await pilot.pause()
        list_screen = app.screen
        table = list_screen.query_one(DataTable)
        keys = []
        for i in range(presses):
            keys.append(await key_to_frame(pilot, "pagedown" if i % 3 == 2 else "down"))
        out["key_list_ms"] = [k[0] * 1000 for k in keys]
        out["key_list_pause_ms"] = [k[1] * 1000 for k in keys]
        out["list_loaded_rows"] = table.row_count
        # open the big segment from the list: cursor on its row, Enter
        table.move_cursor(row=list_screen.ids.index(big_id), animate=False)
        await pilot.pause()
        t = time.perf_counter()
        await pilot.press("enter")
        await until(lambda: "big" in marks)
        out["open_big_s"] = marks["big"] - t
        await pilot.pause()
        keys = []
        for i in range(presses):
            keys.append(await key_to_frame(pilot, "right_square_bracket" if i % 4 != 3 else "left_square_bracket"))
        out["key_members_ms"] = [k[0] * 1000 for k in keys]
        out["key_members_pause_ms"] = [k[1] * 1000 for k in keys]
        detail = app.screen
        # the last page (} : the oldest members, read from the other end of the index), five back, four on
        out["key_members_last_ms"] = (await key_to_frame(pilot, "right_curly_bracket"))[0] * 1000
        for _ in range(5):
            await key_to_frame(pilot, "left_square_bracket")
        keys = []
        for _ in range(4):
            keys.append(await key_to_frame(pilot, "right_square_bracket"))
        out["key_members_deep_ms"] = [k[0] * 1000 for k in keys]
        out["members_status"] = str(detail.query_one("#members-status").render())
        out["rss_mb"] = vm_hwm_mb()
        await pilot.press("ctrl+q")
    database.close()
    return out


def run_probes(db_path: str, big_id: int, sizes: dict) -> list[dict]:
    outs = []
    env = dict(os.environ, TEXTUAL_ANIMATIONS="none", SEGTUI_NOW=T0.isoformat())
    for _ in range(sizes["console_runs"]):
        started = time.time()
        done = subprocess.run([sys.executable, __file__, "--probe", db_path, "--probe-big", str(big_id),
                               "--probe-presses", str(sizes["presses"])],
                              capture_output=True, text=True, env=env, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"console probe failed: {done.stderr[-3000:]}")
        out = json.loads(done.stdout.strip().splitlines()[-1])
        out["process_to_list_s"] = out.pop("painted_wall") - started
        outs.append(out)
    return outs


def measure_console_headless(db_path: str, plan: Plan, sizes: dict, res: Results) -> None:
    outs = run_probes(db_path, plan.big_static[0], sizes)
    med = lambda key: statistics.median(o[key] for o in outs)  # noqa: E731
    s = summarize([o["list_painted_s"] for o in outs])
    res.put("console_list_headless", s["median"], runs=s,
            note=f"construction (incl. open_database) to the first frame with rows; process start to it "
                 f"{med('process_to_list_s'):.2f} s (imports {med('imports_s'):.2f} s); {len(outs)} fresh processes")
    s = summarize([o["open_big_s"] for o in outs])
    res.put("console_open_big", s["median"], runs=s, note=f"Enter on its row to the first frame with members; "
            f"{sizes['big']:,} members")
    for key, src, what in (("console_key_list", "key_list", "down, down, pagedown... (loads 200 more near the end)"),
                           ("console_key_members", "key_members", "] ] ] [ ... from page 1"),
                           ("console_key_members_deep", "key_members_deep", "] at the last pages")):
        frames = [v for o in outs for v in o[f"{src}_ms"]]
        s = summarize(frames)
        extra = {"p90": round(sorted(frames)[int(0.9 * (len(frames) - 1))], 2)}
        note = f"{what}; press to last frame, median of {len(frames)}, max {s['max']:.1f}"
        if f"{src}_pause_ms" in outs[0]:
            pauses = [v for o in outs for v in o[f"{src}_pause_ms"]]
            extra["press_plus_pause_median_ms"] = round(statistics.median(pauses), 1)
            note += f"; press + pilot.pause() {statistics.median(pauses):.1f} (pause idles >= 20 ms)"
        res.put(key, s["median"], runs=s, note=note, extra=extra)
    s = summarize([o["rss_mb"] for o in outs])
    res.put("console_rss_headless", s["max"], runs=s, note="VmHWM of the run_test process after the session (max)")
    print(f"  console headless: list {res.figures['console_list_headless']['value']:.2f} s, "
          f"open big {res.figures['console_open_big']['value']:.3f} s, keys list "
          f"{res.figures['console_key_list']['value']:.1f} ms, "
          f"members {res.figures['console_key_members']['value']:.1f} ms "
          f"(deep {res.figures['console_key_members_deep']['value']:.1f} ms), RSS {s['max']:.0f} MB", flush=True)


class Tmux:
    """A private tmux server (its own socket), used for one console at a time."""

    SOCKET = f"segtui-bench-{os.getpid()}"

    def __init__(self):
        self.exe = shutil.which("tmux")

    def run(self, *args, check=True) -> str:
        done = subprocess.run([self.exe, "-L", self.SOCKET, *args], capture_output=True, text=True)
        if check and done.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def capture(self, name: str) -> str:
        return self.run("capture-pane", "-p", "-t", name, check=False)

    def wait_for(self, name: str, text: str, timeout: float = 30.0) -> float:
        end = time.time() + timeout
        while True:
            screen = self.capture(name)
            now = time.time()
            if text in screen:
                return now
            if now > end:
                raise TimeoutError(f"{text!r} not on the screen after {timeout} s:\n{screen}")
            time.sleep(0.003)

    def stop(self) -> None:
        self.run("kill-server", check=False)


def measure_console_tmux(db_path: str, plan: Plan, sizes: dict, res: Results) -> None:
    tmux = Tmux()
    keys = ["console_list_tmux", "console_open_big_tmux", "console_key_members_tmux", "console_rss"]
    if tmux.exe is None:
        res.skip_all(keys, "tmux not installed")
        print("  console in tmux: skipped (no tmux)")
        return
    n_seg = Segment.select().where(store.live()).count()
    big = sizes["big"]
    starts, opens, pages, rss = [], [], [], []
    python = sys.executable
    errlog = Path(tempfile.gettempdir()) / f"segtui-bench-console-{os.getpid()}.err"
    try:
        for run_no in range(sizes["console_runs"]):
            name = f"c{run_no}"
            cmd = (f"cd {ROOT} && exec env TERM=xterm-256color TEXTUAL_ANIMATIONS=none SEGTUI_NOW={T0.isoformat()} "
                   f"SEGTUI_TZ={TZ} {python} -m segtui.cli --db {db_path} --worker-interval 0")
            started = time.time()
            tmux.run("new-session", "-d", "-s", name, "-x", "120", "-y", "40", cmd)
            try:
                painted = tmux.wait_for(name, f"{n_seg:,} segments · showing")
            except TimeoutError:
                print(tmux.run("list-panes", "-a", "-F", "#{pane_pid} #{pane_dead} #{pane_current_command}",
                               check=False))
                raise
            starts.append(painted - started)
            pid = int(tmux.run("list-panes", "-t", name, "-F", "#{pane_pid}").split()[0])
            # the first row is the big static segment (names starting with A sort first)
            time.sleep(0.3)
            t = time.time()
            tmux.run("send-keys", "-t", name, "Enter")
            opened = tmux.wait_for(name, f"Members 1–50 of {big:,}")
            opens.append(opened - t)
            time.sleep(0.3)
            for page in range(2, 2 + sizes["presses"] // 2):
                t = time.time()
                tmux.run("send-keys", "-t", name, "]")
                shown = tmux.wait_for(name, f"Members {(page - 1) * 50 + 1:,}–{page * 50:,} of")
                pages.append((shown - t) * 1000)
            # back to the list, page through it (loads more rows), then read the peak RSS
            tmux.run("send-keys", "-t", name, "Escape")
            tmux.wait_for(name, f"{n_seg:,} segments · showing")
            for _ in range(12):
                tmux.run("send-keys", "-t", name, "PageDown")
                time.sleep(0.05)
            time.sleep(0.3)
            rss.append(vm_hwm_mb(pid))
            tmux.run("send-keys", "-t", name, "C-q")
            end = time.time() + 10
            while Path(f"/proc/{pid}").exists() and time.time() < end:
                time.sleep(0.05)
            tmux.run("kill-session", "-t", name, check=False)
    finally:
        tmux.stop()
        with contextlib.suppress(FileNotFoundError):
            errlog.unlink()
    s = summarize(starts)
    res.put("console_list_tmux", s["median"], runs=s,
            note="tmux new-session to the list's status line on screen (python -m segtui.cli, "
                 "interpreter start and imports included; capture-pane polled every ~5 ms)")
    s = summarize(opens)
    res.put("console_open_big_tmux", s["median"], runs=s, note="send-keys Enter to 'Members 1–50 of ...' on screen")
    s = summarize(pages)
    res.put("console_key_members_tmux", s["median"], runs=s,
            note=f"send-keys ] to the new page number on screen (tmux round trips included), max {s['max']:.0f}")
    s = summarize(rss)
    res.put("console_rss", s["max"], runs=s,
            note="VmHWM after: start, open the big segment, page its members, back, 12 PageDown on the list")
    print(f"  console in tmux: list {res.figures['console_list_tmux']['value']:.2f} s, open big "
          f"{res.figures['console_open_big_tmux']['value']:.3f} s, "
          f"] {res.figures['console_key_members_tmux']['value']:.0f} ms, "
          f"peak RSS {s['max']:.0f} MB", flush=True)


# ------------------------------------------------------------------ PostgreSQL


def _copy_line_sql(table: str, src: sqlite3.Connection) -> str:
    """A SELECT that has SQLite write each row as one line of COPY text (tab-separated,
    \\N for NULL, backslash/tab/newline escaped): Python then only moves strings."""
    parts = []
    for _, name, decl, *_ in src.execute(f"PRAGMA table_info({table})"):
        col = f'"{name}"'
        if any(t in decl.upper() for t in ("CHAR", "TEXT", "CLOB", "DATE", "TIME")):
            value = (f"replace(replace(replace(replace({col}, char(92), char(92) || char(92)), char(9), '\\t'), "
                     f"char(10), '\\n'), char(13), '\\r')")
        else:
            value = f"CAST({col} AS TEXT)"
        parts.append(f"COALESCE({value}, '\\N')")
    return "SELECT " + " || char(9) || ".join(parts) + " || char(10) FROM " + table


class _CopySource(io.RawIOBase):
    """A file-like object COPY reads from: the lines of a SQLite query, streamed."""

    def __init__(self, rows):
        self.rows = rows
        self.buf = b""

    def readable(self):
        return True

    def readinto(self, target):
        while len(self.buf) < len(target):
            chunk = self.rows.fetchmany(50000)
            if not chunk:
                break
            self.buf += "".join([line for (line,) in chunk]).encode()
        n = min(len(target), len(self.buf))
        target[:n] = self.buf[:n]
        self.buf = self.buf[n:]
        return n


def load_postgres(url: str, sqlite_path: str, log_rows: bool) -> dict:
    """The schema through open_database, then the tables copied from the SQLite file.

    Without ``log_rows`` the membership log is not copied (10 million rows, about a minute
    here; a refresh reads only MAX(id) of its segment's log rows, through an index).
    """
    import psycopg2

    t_all = time.perf_counter()
    db = dbmod.open_database(url)
    db.close()
    src = sqlite3.connect(sqlite_path)
    pg = psycopg2.connect(url.replace("postgresql://", "postgresql://", 1))
    pg.autocommit = False
    cur = pg.cursor()
    tables = ["contact", "company", "segment", "segment_read", "membership",
              *(["membership_log"] if log_rows else []), "audit_entry", "conversion_record"]
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(%s) "
                "AND indexname NOT LIKE '%%pkey'", (tables,))
    indexes = cur.fetchall()
    for name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    cur.execute("SET session_replication_role = replica")  # no FK checks while loading
    steps = {}
    for table in tables:
        t = time.perf_counter()
        cols = [row[1] for row in src.execute(f"PRAGMA table_info({table})")]
        rows = src.execute(_copy_line_sql(table, src))
        cur.copy_expert(f"COPY {table} ({', '.join(cols)}) FROM STDIN",
                        io.BufferedReader(_CopySource(rows), 1 << 20), size=1 << 20)
        steps[table] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    cur.execute("SET session_replication_role = DEFAULT")
    cur.execute("SET maintenance_work_mem = '1GB'")
    for _, sql in indexes:
        cur.execute(sql)
    for table in tables:
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1)) FROM {table}"
                    if table not in ("membership", "segment_read") else "SELECT 1")
    pg.commit()
    steps["indexes"] = round(time.perf_counter() - t, 1)
    pg.autocommit = True
    t = time.perf_counter()
    cur.execute("VACUUM ANALYZE")
    steps["vacuum_analyze"] = round(time.perf_counter() - t, 1)
    pg.close()
    src.close()
    return {"seconds": round(time.perf_counter() - t_all, 1), "steps": steps}


PG_HAND = [
    ("log removed",
     "INSERT INTO membership_log (segment_id, record_id, action, reason, at, actor) "
     "SELECT m.segment_id, m.record_id, 'removed', 'filter', %(at)s, %(actor)s FROM membership AS m "
     "WHERE m.segment_id = %(s)s AND NOT EXISTS (SELECT 1 FROM bench_target AS t WHERE t.id = m.record_id)"),
    ("delete removed",
     "DELETE FROM membership WHERE segment_id = %(s)s AND record_id IN (SELECT record_id FROM membership_log "
     "WHERE segment_id = %(s)s AND id > %(start)s AND action = 'removed')"),
    ("log added",
     "INSERT INTO membership_log (segment_id, record_id, action, reason, at, actor) "
     "SELECT %(s)s, t.id, 'added', 'filter', %(at)s, %(actor)s FROM bench_target AS t "
     "WHERE NOT EXISTS (SELECT 1 FROM membership AS m WHERE m.segment_id = %(s)s AND m.record_id = t.id)"),
    ("insert added",
     "INSERT INTO membership (segment_id, record_id, source, joined_at) SELECT segment_id, record_id, 'filter', "
     "%(at)s FROM membership_log WHERE segment_id = %(s)s AND id > %(start)s AND action = 'added'"),
]
PG_PRED = "lower(c.region) IN ('bretagne', 'normandie') AND c.events_attended >= 2"


PG_HAND_EXISTS = {
    "log removed":
        "INSERT INTO membership_log (segment_id, record_id, action, reason, at, actor) "
        "SELECT m.segment_id, m.record_id, 'removed', 'filter', %(at)s, %(actor)s FROM membership AS m "
        "WHERE m.segment_id = %(s)s AND NOT EXISTS "
        f"(SELECT 1 FROM contact AS c WHERE c.id = m.record_id AND {PG_PRED})",
    "log added":
        "INSERT INTO membership_log (segment_id, record_id, action, reason, at, actor) "
        f"SELECT %(s)s, c.id, 'added', 'filter', %(at)s, %(actor)s FROM contact AS c WHERE {PG_PRED} "
        "AND NOT EXISTS (SELECT 1 FROM membership AS m WHERE m.segment_id = %(s)s AND m.record_id = c.id)",
}


def pg_handwritten(conn, sid: int, at: str, variant: str = "temp") -> tuple[float, tuple[int, int]]:
    """The diff by hand on PostgreSQL: ``temp`` (the filters once into a temp table, then two
    anti-joins, as bench_refresh on SQLite) or ``exists`` (NOT EXISTS probes per side)."""
    cur = conn.cursor()
    params = {"s": sid, "at": at, "actor": "bench"}
    t0 = time.perf_counter()
    cur.execute("SELECT COALESCE(MAX(id), 0) FROM membership_log WHERE segment_id = %(s)s", params)
    params["start"] = cur.fetchone()[0]
    if variant == "temp":
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS bench_target (id integer PRIMARY KEY) ON COMMIT DELETE ROWS")
        cur.execute(f"INSERT INTO bench_target SELECT c.id FROM contact AS c WHERE {PG_PRED}")
    added = removed = 0
    for label, sql in PG_HAND:
        if variant == "exists":
            sql = PG_HAND_EXISTS.get(label, sql)
        if label == "delete removed" and not removed or label == "insert added" and not added:
            continue
        cur.execute(sql, params)
        if label == "log removed":
            removed = cur.rowcount
        elif label == "log added":
            added = cur.rowcount
    cur.execute("UPDATE segment SET size = size + %(d)s, last_activity_at = CASE WHEN %(c)s THEN %(at)s "
                "ELSE last_activity_at END, refreshed_at = %(at)s, next_refresh_at = NULL, refresh_error = NULL, "
                "refresh_failures = 0, claimed_by = NULL, claim_expires_at = NULL WHERE id = %(s)s",
                dict(params, d=added - removed, c=bool(added or removed)))
    conn.commit()
    return time.perf_counter() - t0, (added, removed)


def pg_perturb(conn, round_no: int, segtui_id: int) -> None:
    cur = conn.cursor()
    r = 1009 * (round_no + 3)
    cur.execute("UPDATE contact SET events_attended = ((id * 31 + %s) %% 7) WHERE (id * 2654435761 + %s) %% 1000 < 15",
                (r, r))
    cur.execute("UPDATE contact SET region = (ARRAY['Bretagne','Normandie','Occitanie','Grand Est'])"
                "[1 + ((id + %s) %% 4)] WHERE (id::bigint * 40503 + %s) %% 1000 < 3", (r, r))
    cur.execute("UPDATE contact SET events_attended = 3 WHERE id = (SELECT c.id FROM contact AS c WHERE "
                "lower(c.region) IN ('bretagne', 'normandie') AND c.events_attended < 2 AND NOT EXISTS (SELECT 1 "
                "FROM membership m WHERE m.segment_id = %s AND m.record_id = c.id) ORDER BY c.id LIMIT 1 OFFSET %s)",
                (segtui_id, round_no))
    cur.execute("UPDATE contact SET events_attended = 0 WHERE id = (SELECT record_id FROM membership WHERE "
                "segment_id = %s ORDER BY (record_id * %s) %% 1009, record_id LIMIT 1)", (segtui_id, 7 + round_no))
    conn.commit()


def measure_postgres(sqlite_path: str, plan: Plan, sizes: dict, res: Results, skip: str | None,
                     log_rows: bool = False) -> dict:
    keys = [k for k in FIGURE_KEYS if k.startswith("pg_")]
    if skip:
        res.skip_all(keys, skip)
        print(f"  PostgreSQL: skipped ({skip})")
        return {}
    try:
        from tests.pgserver import PgServer, Unavailable
    except ImportError as exc:
        res.skip_all(keys, f"tests/pgserver.py not importable: {exc}")
        return {}
    try:
        server = PgServer.start()
    except Unavailable as exc:
        res.skip_all(keys, f"no PostgreSQL server here: {str(exc).splitlines()[0]}")
        print(f"  PostgreSQL: skipped ({exc})")
        return {}
    import psycopg2

    from segtui import worker

    try:
        name = "segtui_bench"
        server.execute(f'CREATE DATABASE "{name}"')
        url = server.url(name)
        loaded = load_postgres(url, sqlite_path, log_rows)
        print(f"  PostgreSQL loaded by COPY in {loaded['seconds']:.0f} s {loaded['steps']}", flush=True)
        db = dbmod.open_database(url)
        raw = psycopg2.connect(dbname=name, user="segtui", host=str(server.folder))
        version = raw.server_version
        clock = FixedClock(T0)
        ctx = _ctx(clock)
        # ticks
        runs = []
        for i in range(sizes["tick_runs"] + 1):
            t, result = timed(worker.tick, ctx, me="bench")
            assert not result.applied and not result.refreshed, result.summary()
            if i:
                runs.append(t)
        s = summarize(runs, 1000)
        res.put("pg_tick_nothing_due", s["median"], runs=s, note=f"median of {len(runs)}, one open connection")
        due_ids = plan.scheduled[-sizes["due"]:]
        runs = []
        for i in range(sizes["io_runs"] + 3):
            cur = raw.cursor()
            cur.execute("UPDATE segment SET type = 'active', schedule_mode = 'on_day', schedule_day = '2026-11-26', "
                        "schedule_amount = NULL, schedule_unit = NULL, schedule_tz = %s, due_at = %s "
                        "WHERE id = ANY(%s)", (TZ, _ts(T0.subtract(hours=1)), due_ids))
            raw.commit()
            t, result = timed(worker.tick, ctx, me="bench")
            assert len(result.applied) == len(due_ids), result.summary()
            if i:
                runs.append(t)
        s = summarize(runs)
        res.put("pg_tick_due", s["median"], runs=s, note=f"{len(due_ids)} conversions due")
        # refresh of one segment vs hand-written
        contenders = ("segtui", "temp", "exists")
        ids = {}
        for who in contenders:
            seg, _ = segments.create(ctx, f"Bench refresh on PostgreSQL {who}", "contacts", "active", br.TREE)
            ids[who] = seg.id
        times = {who: [] for who in contenders}
        for round_no in range(sizes["runs"] + 1):
            clock.set(T0.add(minutes=round_no + 1))
            pg_perturb(raw, round_no, ids["segtui"])
            order = contenders[round_no % 3:] + contenders[:round_no % 3]
            diffs = {}
            secs = {}
            for who in order:
                if who == "segtui":
                    t, d = timed(membership.refresh, ctx, ids[who])
                    secs[who], diffs[who] = t, (d.added, d.removed)
                else:
                    secs[who], diffs[who] = pg_handwritten(raw, ids[who], _ts(ctx.now()), who)
            assert len(set(diffs.values())) == 1, diffs
            cur = raw.cursor()
            cur.execute("SELECT segment_id, count(*) FROM membership WHERE segment_id = ANY(%s) GROUP BY 1",
                        (list(ids.values()),))
            counts = dict(cur.fetchall())
            cur.execute(f"SELECT count(*) FROM contact c WHERE {PG_PRED}")
            truth = cur.fetchone()[0]
            raw.commit()
            assert {counts[i] for i in ids.values()} == {truth}, (counts, truth)
            if round_no:
                for who in times:
                    times[who].append(secs[who])
        seg_s = summarize(times["segtui"])
        variants = {who: summarize(times[who]) for who in ("temp", "exists")}
        best = min(variants, key=lambda who: variants[who]["median"])
        hand_s = variants[best]
        res.put("pg_refresh_segtui", seg_s["median"], runs=seg_s, note=f"{truth:,} members")
        res.put("pg_refresh_handwritten", hand_s["median"], runs=hand_s,
                note=f"the faster of two hand-written variants: {best} ("
                     + ", ".join(f"{who} {v['median']:.3f} s" for who, v in variants.items()) + ")")
        res.put("pg_refresh_ratio", seg_s["median"] / hand_s["median"])
        raw.close()
        db.close()
        print(f"  PostgreSQL {version}: tick nothing due {res.figures['pg_tick_nothing_due']['value']:.2f} ms, "
              f"{len(due_ids)} due {res.figures['pg_tick_due']['value']:.3f} s, refresh segtui "
              f"{seg_s['median']:.3f} s vs hand {hand_s['median']:.3f} s", flush=True)
        return {"server_version": version, "load": loaded, "membership_log_copied": log_rows,
                "server": "throwaway (tests/pgserver.py): fsync off, shared_buffers 64MB, Unix socket"}
    finally:
        server.stop()


# ------------------------------------------------------------------ report


def fmt(entry: dict) -> str:
    if entry.get("skipped"):
        return "skipped"
    v, unit = entry["value"], entry["unit"]
    if unit == "x":
        return f"{v:.2f}"
    if unit == "ms":
        return f"{v:.1f} ms"
    if unit == "MB":
        return f"{v:.0f} MB"
    return f"{v:.3f} s" if v < 10 else f"{v:.1f} s"


def target_text(entry: dict) -> str:
    t = entry["target"]
    if t is None:
        return "report"
    return {"x": f"<= {t:g}", "ms": f"<= {t:g} ms", "MB": f"<= {t:g} MB"}.get(entry["unit"], f"<= {t:g} s")


def print_table(res: Results) -> str:
    lines = [f"{'figure':<64} {'measured':>11} {'target':>10}  met?", "-" * 94]
    for key in FIGURE_KEYS:
        e = res.figures.get(key)
        if e is None:
            continue
        met = "" if e.get("met") is None else ("yes" if e["met"] else "NO")
        label = FIGURES[FIGURE_KEYS.index(key)][1]  # sub-figures keep their indent
        lines.append(f"{label:<64} {fmt(e):>11} {target_text(e):>10}  {met}")
    text = "\n".join(lines)
    print(text)
    return text


# ------------------------------------------------------------------ main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true",
                        help="10,000 contacts, 200 segments: proves the script works (CI), under a minute")
    parser.add_argument("--db", help="SQLite file to build (default: in the temp folder)")
    parser.add_argument("--reuse", action="store_true",
                        help="measure an existing --db built by an earlier run with --keep (skips the build; "
                             "figures that change data leave it changed)")
    parser.add_argument("--keep", action="store_true", help="keep the database file afterwards")
    parser.add_argument("--json", default=None, help="where to write the figures (default tests/perf/bench.json)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-log-rows", action="store_true", help="build without one log row per membership")
    parser.add_argument("--skip-postgres", action="store_true", help="do not measure on PostgreSQL")
    parser.add_argument("--pg-log-rows", action="store_true",
                        help="also copy the membership log to PostgreSQL (+1 min at full size)")
    parser.add_argument("--skip-console", action="store_true", help="do not measure the console")
    parser.add_argument("--skip-full-pass", action="store_true", help="do not run the full pass")
    parser.add_argument("--only", help="comma-separated groups: ticks,refresh,full,console,tmux,io,pg")
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    parser.add_argument("--probe-big", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--probe-presses", type=int, default=15, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.probe:  # a console probe, in its own process
        out = asyncio.run(_probe(args.probe, args.probe_big, args.probe_presses))
        print(json.dumps(out))
        return 0
    scale = "small" if args.small else "full"
    sizes = SIZES[scale]
    groups = set((args.only or "ticks,refresh,full,console,tmux,io,pg").split(","))
    if args.skip_postgres:
        groups.discard("pg")
    if args.skip_console:
        groups -= {"console", "tmux"}
    if args.skip_full_pass:
        groups.discard("full")
    path = args.db or str(Path(tempfile.gettempdir()) / f"segtui_bench_{scale}.db")
    json_path = Path(args.json) if args.json else HERE / "bench.json"
    tmp = Path(tempfile.mkdtemp(prefix="segtui-bench-"))
    atexit.register(shutil.rmtree, tmp, True)  # the CSV files, even when a measurement fails
    t_start = time.perf_counter()
    info = br.machine()
    load = os.getloadavg()
    print(f"machine: {info.get('cpu', '?')}, {info['cores']} cores ({info['cores_usable']} usable), "
          f"{info.get('memtotal_gb', '?')} GB RAM; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"         {info['platform']}, Python {info['python']}, SQLite {info['sqlite']}, Peewee {info['peewee']}")
    res = Results()
    if args.reuse:
        built = {"reused": path}
        plan = Plan(sizes, args.seed)
        print(f"\nreusing {path} (no build)")
    else:
        print(f"\nbuilding ({scale}): {sizes['contacts']:,} contacts, {sizes['companies']:,} companies, "
              f"{sizes['segments']:,} segments in {path} ...", flush=True)
        built, plan = build(path, sizes, args.seed, not args.no_log_rows)
        c = built["counts"]
        print(f"build: {built['seconds']:.1f} s {built['steps']}\n       {c['membership']:,} memberships, "
              f"{c['membership_log']:,} log rows, {c['active']:,} active segments ({c['relative_dates']} with "
              f"relative dates), {c['scheduled']:,} scheduled, big ones {c['big_sizes']}; file {built['file_mb']} MB",
              flush=True)
    db = dbmod.open_database(path)  # segtui's own pragmas from here on
    conn = db.connection()
    create_bench_tables(conn)
    print("\nmeasuring ...", flush=True)
    refresh_ids = refresh_segments()
    if "ticks" in groups:
        measure_ticks(db, conn, plan, sizes, res)
    if "full" in groups:  # first: each contender then absorbs one round of changes to the records
        measure_full_pass(db, conn, plan, refresh_ids, res)
    if "refresh" in groups:
        measure_refresh(db, conn, refresh_ids, sizes, res)
    if "io" in groups:
        measure_export(db, conn, plan, sizes, res, tmp)
    db.close()
    if "console" in groups:
        measure_console_headless(path, plan, sizes, res)
    if "tmux" in groups:
        dbmod.open_database(path)
        measure_console_tmux(path, plan, sizes, res)
        dbmod.database_proxy.obj.close()
    if "io" in groups:
        db = dbmod.open_database(path)
        conn = db.connection()
        measure_import(db, conn, sizes, res, tmp)
        db.close()
    pg_info = measure_postgres(path, plan, sizes, res, None if "pg" in groups else "--skip-postgres",
                               args.pg_log_rows)
    for key in dict.fromkeys(k for k, *_ in FIGURES):
        if key not in res.figures:
            res.put(key, skipped="not asked for")
    total = time.perf_counter() - t_start
    print(f"\n{scale} run, {total:.0f} s in all (build {built.get('seconds', 0):.0f} s)\n")
    table = print_table(res)
    if args.small:
        print("(--small: the targets are for the full size; at this size the figures prove the script works)")
    result = {"scale": scale, "sizes": sizes, "machine": info, "load_average_at_start": load, "build": built,
              "total_seconds": round(total, 1), "postgres": pg_info, "figures": res.figures, "table": table,
              "command": " ".join([Path(sys.executable).name, *sys.argv])}
    json_path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"\nfigures written to {json_path}")
    shutil.rmtree(tmp, ignore_errors=True)
    if not args.keep and not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(path + suffix)
    return 0


if __name__ == "__main__":
    sys.exit(main())
