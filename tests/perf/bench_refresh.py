#!/usr/bin/env python
"""Benchmark: ``segtui.core.membership.refresh`` against the same diff written by hand in SQL.

Run by hand (it is not a pytest test; tests/perf/conftest.py keeps pytest out of here)::

    python tests/perf/bench_refresh.py                      # 1,000,000 contacts, 7 runs
    python tests/perf/bench_refresh.py --contacts 10000     # smoke run (CI), a few seconds

What it does:

1. Builds a SQLite file with N contacts. The schema comes from
   ``segtui.core.db.open_database`` (the real migrations and indexes); the rows are
   generated inside SQLite by one ``INSERT ... SELECT`` over a recursive CTE, with a
   deterministic integer hash per row (no Python per row). Distributions: 16 French
   regions (Bretagne and Normandie ~12% each, a few NULL/empty and odd-cased ones),
   events_attended 0..6 skewed towards 0 (some unknown), unique emails, names, cities that
   belong to their region, phone, lifecycle stage, lead status, subscription, dates,
   company domain.
2. Creates two identical active segments through ``segtui.core.segments.create``:
   "region is any of Bretagne, Normandie AND events_attended >= 2". One is refreshed by
   segtui, the other by the hand-written SQL, which does the same work in one
   transaction: log the removed rows, delete them, log the added rows, insert them, update
   the segment (size, last activity, refresh bookkeeping). Its default form (``temp``, the
   fastest found) evaluates the filters once into a TEMP table and runs two anti-joins;
   ``--handwritten exists`` probes with NOT EXISTS per side instead.
3. Each round perturbs the contacts (a different ~1.5% of rows get a new events_attended,
   ~0.3% a new region, plus one sure leaver and one sure joiner), then runs both contenders
   in alternating order on the same file, each on its own segment, and checks that both
   produced the same diff and the same membership set, equal to what the filters select.
   A first round (not counted) warms the caches and records every SQL statement each
   contender executes, with its time and its EXPLAIN QUERY PLAN.
4. Prints the machine, the build time, a table (median, min, max per contender and the
   ratio segtui / hand-written, target <= 2), the statements and their plans; writes the
   figures to tests/perf/bench_refresh.json.

"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

import peewee  # noqa: E402
import pendulum  # noqa: E402

from segtui.core import db as dbmod  # noqa: E402
from segtui.core import membership, segments  # noqa: E402
from segtui.core.clock import FixedClock  # noqa: E402
from segtui.core.context import Context  # noqa: E402
from segtui.core.models import MembershipLog  # noqa: E402

T0 = pendulum.datetime(2026, 11, 26, 9, 30, tz="UTC")
TODAY = "2026-11-26"
P = 2147483647  # 2**31 - 1: a prime; x * x stays below 2**63

TREE = {
    "groups": [
        {
            "filters": [
                {"property": "region", "operator": "is_any_of", "values": ["Bretagne", "Normandie"]},
                {"property": "events_attended", "operator": "gte", "value": 2},
            ]
        }
    ]
}
# The same predicate, written by hand (text comparisons are case-insensitive, SPEC §8).
PRED = "lower(c.region) IN ('bretagne', 'normandie') AND c.events_attended >= 2"

# ------------------------------------------------------------------ reference data

# (name, per-mille weight, cities). 16 regions; the rest of the 1000 buckets is below.
REGIONS = [
    ("Île-de-France", 150, ["Paris", "Boulogne-Billancourt", "Saint-Denis", "Versailles"]),
    ("Bretagne", 115, ["Rennes", "Brest", "Quimper", "Lorient"]),
    ("Normandie", 120, ["Rouen", "Caen", "Le Havre", "Cherbourg-en-Cotentin"]),
    ("Auvergne-Rhône-Alpes", 100, ["Lyon", "Grenoble", "Saint-Étienne", "Clermont-Ferrand"]),
    ("Nouvelle-Aquitaine", 80, ["Bordeaux", "Limoges", "Poitiers", "Pau"]),
    ("Occitanie", 75, ["Toulouse", "Montpellier", "Nîmes", "Perpignan"]),
    ("Hauts-de-France", 70, ["Lille", "Amiens", "Roubaix", "Dunkerque"]),
    ("Grand Est", 60, ["Strasbourg", "Reims", "Metz", "Nancy"]),
    ("Provence-Alpes-Côte d'Azur", 60, ["Marseille", "Nice", "Toulon", "Aix-en-Provence"]),
    ("Pays de la Loire", 55, ["Nantes", "Angers", "Le Mans", "Saint-Nazaire"]),
    ("Bourgogne-Franche-Comté", 30, ["Dijon", "Besançon", "Auxerre", "Belfort"]),
    ("Centre-Val de Loire", 30, ["Tours", "Orléans", "Bourges", "Blois"]),
    ("La Réunion", 10, ["Saint-Denis", "Saint-Paul", "Saint-Pierre", "Le Tampon"]),
    ("Corse", 5, ["Ajaccio", "Bastia", "Porto-Vecchio", "Corte"]),
    ("Guadeloupe", 5, ["Pointe-à-Pitre", "Les Abymes", "Baie-Mahault", "Le Gosier"]),
    ("Martinique", 5, ["Fort-de-France", "Le Lamentin", "Le Robert", "Schœlcher"]),
]
# Data as it comes from imports: odd case for a few Bretons, unknown regions for some.
REGION_EXTRA = [("bretagne", 3, 1), ("BRETAGNE", 2, 1), (None, 15, None), ("", 10, None)]
EVENTS = [(None, 30), (0, 420), (1, 220), (2, 130), (3, 90), (4, 60), (5, 30), (6, 20)]
LIFECYCLE = [("subscriber", 35), ("lead", 25), ("marketing_qualified_lead", 12),
             ("sales_qualified_lead", 8), ("opportunity", 6), ("customer", 10),
             ("evangelist", 2), ("other", 2)]
LEAD_STATUS = [(None, 30), ("new", 20), ("open", 15), ("in_progress", 10),
               ("unqualified", 10), ("connected", 10), ("bad_timing", 5)]
MAIL_DOMAINS = [("gmail.com", 30), ("orange.fr", 15), ("free.fr", 10), ("hotmail.fr", 8),
                ("wanadoo.fr", 6), ("laposte.net", 6), ("yahoo.fr", 6), ("outlook.fr", 5),
                ("sfr.fr", 4), (None, 10)]  # None: the contact's company domain
FIRST = ("Marie Jean Pierre Anne Michel Nathalie Philippe Isabelle Alain Sylvie Nicolas Catherine "
         "Christophe Sandrine Stéphane Valérie Laurent Céline David Sophie Julien Aurélie Thomas "
         "Camille Antoine Julie Maxime Manon Hugo Léa Lucas Chloé Yann Gwenaëlle Erwan Maëlle "
         "Loïc Solène Ronan Hélène Mathieu Émilie François Margaux Benoît Inès Gaël Océane Noël "
         "Zoé").split()
LAST = ("Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel "
        "Lefèvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine "
        "Rousseau Vincent Muller Lefebvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier "
        "François Legrand Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu "
        "Gautier Masson Le Gall Le Goff Le Roux Guillou Tanguy Kerbrat Le Bihan Quéméner "
        "Jacquet Lemoine").replace("Le ", "Le_").split()
LAST = [n.replace("Le_", "Le ") for n in LAST]


def _slug(text: str) -> str:
    import unicodedata

    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_.lower() if ch.isalnum())


def _buckets(weighted, total):
    out = []
    for value, weight in weighted:
        out.extend([value] * weight)
    if len(out) != total:
        raise ValueError(f"weights add up to {len(out)}, not {total}")
    return out


def create_lookup_tables(conn: sqlite3.Connection) -> None:
    """Small TEMP tables the generator and the perturbations read by integer key."""
    cur = conn.cursor()
    for ddl in (
        "CREATE TEMP TABLE IF NOT EXISTS b_first (i INTEGER PRIMARY KEY, name TEXT, slug TEXT)",
        "CREATE TEMP TABLE IF NOT EXISTS b_last (i INTEGER PRIMARY KEY, name TEXT, slug TEXT)",
        "CREATE TEMP TABLE IF NOT EXISTS b_region (b INTEGER PRIMARY KEY, ri INTEGER, name TEXT)",
        "CREATE TEMP TABLE IF NOT EXISTS b_city (k INTEGER PRIMARY KEY, name TEXT)",
        "CREATE TEMP TABLE IF NOT EXISTS b_events (b INTEGER PRIMARY KEY, v REAL)",
        "CREATE TEMP TABLE IF NOT EXISTS b_life (b INTEGER PRIMARY KEY, v TEXT)",
        "CREATE TEMP TABLE IF NOT EXISTS b_lead (b INTEGER PRIMARY KEY, v TEXT)",
        "CREATE TEMP TABLE IF NOT EXISTS b_mail (b INTEGER PRIMARY KEY, v TEXT)",
    ):
        cur.execute(ddl)
    for table in ("b_first", "b_last", "b_region", "b_city", "b_events", "b_life", "b_lead", "b_mail"):
        cur.execute(f"DELETE FROM temp.{table}")
    cur.executemany("INSERT INTO temp.b_first VALUES (?, ?, ?)",
                    [(i, n, _slug(n)) for i, n in enumerate(FIRST)])
    cur.executemany("INSERT INTO temp.b_last VALUES (?, ?, ?)",
                    [(i, n, _slug(n)) for i, n in enumerate(LAST)])
    regions = [((name, w, ri)) for ri, (name, w, _) in enumerate(REGIONS)]
    regions += [(name, w, ri) for name, w, ri in REGION_EXTRA]
    picks = _buckets([((name, ri), w) for name, w, ri in regions], 1000)
    cur.executemany("INSERT INTO temp.b_region VALUES (?, ?, ?)",
                    [(b, ri, name) for b, (name, ri) in enumerate(picks)])
    cur.executemany("INSERT INTO temp.b_city VALUES (?, ?)",
                    [(ri * 4 + j, city) for ri, (_, _, cities) in enumerate(REGIONS)
                     for j, city in enumerate(cities)])
    cur.executemany("INSERT INTO temp.b_events VALUES (?, ?)", enumerate(_buckets(EVENTS, 1000)))
    cur.executemany("INSERT INTO temp.b_life VALUES (?, ?)", enumerate(_buckets(LIFECYCLE, 100)))
    cur.executemany("INSERT INTO temp.b_lead VALUES (?, ?)", enumerate(_buckets(LEAD_STATUS, 100)))
    cur.executemany("INSERT INTO temp.b_mail VALUES (?, ?)", enumerate(_buckets(MAIL_DOMAINS, 100)))


def _h(var: str, k: int, seed: int) -> str:
    """A pseudo-random integer in [0, P) from integer ``var``: two squaring rounds mod P."""
    c = [48271, 69621, 16807, 39373, 40692, 40014, 53668, 12211, 31847, 62089][k % 10]
    d = 1_000_003 * (k + 1) + seed * 7919
    e = 2_000_029 * (k + 3) + seed * 104_729
    x0 = f"(({var} * {c}) % {P})"
    x1 = f"(({x0} * {x0} + {d}) % {P})"
    return f"(({x1} * {x1} + {e}) % {P})"


def contacts_insert_sql(n: int, seed: int) -> str:
    h = {k: f"s.h{k}" for k in range(1, 10)}
    lo = {k: f"({h[k]} % 1000)" for k in h}
    hi = {k: f"(({h[k]} / 1000) % 1000)" for k in h}
    company = f"CASE WHEN {lo[8]} % 100 < 40 THEN 'entreprise-' || ({h[9]} % 5000) || '.fr' END"
    created_ago = f"({h[5]} % 2190 + 1)"
    seeds = ", ".join(f"{_h('n', k, seed)} AS h{k}" for k in range(1, 10))
    return f"""
INSERT INTO contact (email, first_name, last_name, phone, city, region, country,
                     lifecycle_stage, lead_status, events_attended, subscribed,
                     last_activity_date, created_date, company_domain, updated_at)
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {int(n)}),
s AS MATERIALIZED (SELECT n, {seeds} FROM seq)
SELECT
  f.slug || '.' || l.slug || '.' || s.n || '@' ||
      COALESCE(m.v, {company}, 'gmail.com'),
  f.name, l.name,
  CASE WHEN (({h[9]} / 5000) % 100) < 10 THEN NULL
       ELSE printf('+33 %d %02d %02d %02d %02d', 6 + {h[7]} % 2, ({h[7]} / 2) % 100,
                   ({h[7]} / 200) % 100, ({h[7]} / 20000) % 100, ({h[7]} / 2000000) % 100) END,
  CASE WHEN r.ri IS NOT NULL THEN (SELECT name FROM temp.b_city WHERE k = r.ri * 4 + {hi[2]} % 4) END,
  r.name,
  CASE WHEN r.ri IS NOT NULL THEN 'France'
       ELSE CASE {hi[2]} % 4 WHEN 0 THEN 'Belgique' WHEN 1 THEN 'Suisse' WHEN 2 THEN 'France' END END,
  (SELECT v FROM temp.b_life WHERE b = {hi[3]} % 100),
  (SELECT v FROM temp.b_lead WHERE b = {lo[4]} % 100),
  e.v,
  CASE WHEN {hi[4]} % 100 < 3 THEN NULL WHEN {hi[4]} % 100 < 75 THEN 1 ELSE 0 END,
  CASE WHEN (({h[6]} / 1000) % 100) < 8 THEN NULL
       ELSE date('{TODAY}', '-' || ({h[6]} % {created_ago}) || ' days') END,
  date('{TODAY}', '-' || {created_ago} || ' days'),
  {company},
  '2026-11-26 09:00:00'
FROM s
JOIN temp.b_first AS f ON f.i = {lo[1]} % {len(FIRST)}
JOIN temp.b_last AS l ON l.i = {hi[1]} % {len(LAST)}
JOIN temp.b_region AS r ON r.b = {lo[2]}
JOIN temp.b_events AS e ON e.b = {lo[3]}
JOIN temp.b_mail AS m ON m.b = {hi[8]} % 100
ORDER BY s.n
"""


def build(path: str, n: int, seed: int, analyze: bool) -> dict:
    """A fresh file: schema through open_database, then the contacts in one statement."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path + suffix)
    t0 = time.perf_counter()
    db = dbmod.open_database(path)  # real migrations, real indexes
    t_schema = time.perf_counter() - t0
    conn = db.connection()
    cur = conn.cursor()
    # Bulk-load settings for this connection only; reopened with segtui's own afterwards.
    for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -1048576",
                   "temp_store = MEMORY"):
        cur.execute(f"PRAGMA {pragma}").fetchall()
    create_lookup_tables(conn)
    # The unique email index is the real one; filling it in random key order costs more
    # than rebuilding it once by sorting, so drop it and recreate it from its own DDL.
    (index_sql,) = cur.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contact' AND sql LIKE '%email%'"
    ).fetchone()
    index_name = cur.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contact' AND sql LIKE '%email%'"
    ).fetchone()[0]
    t1 = time.perf_counter()
    cur.execute("BEGIN")
    cur.execute(f'DROP INDEX "{index_name}"')
    cur.execute(contacts_insert_sql(n, seed))
    t_rows = time.perf_counter() - t1
    t2 = time.perf_counter()
    cur.execute(index_sql)
    cur.execute("COMMIT")
    t_index = time.perf_counter() - t2
    t_analyze = 0.0
    if analyze:
        t3 = time.perf_counter()
        cur.execute("ANALYZE")
        t_analyze = time.perf_counter() - t3
    cur.execute("PRAGMA journal_mode = WAL").fetchall()
    db.close()
    total = time.perf_counter() - t0
    return {
        "seconds": round(total, 3),
        "schema_seconds": round(t_schema, 3),
        "rows_seconds": round(t_rows, 3),
        "email_index_seconds": round(t_index, 3),
        "analyze_seconds": round(t_analyze, 3),
        "file_mb": round(os.path.getsize(path) / 1e6, 1),
    }


def distribution(conn: sqlite3.Connection) -> dict:
    cur = conn.cursor()
    total = cur.execute("SELECT count(*) FROM contact").fetchone()[0]
    regions = cur.execute(
        "SELECT region, count(*) FROM contact GROUP BY region ORDER BY count(*) DESC"
    ).fetchall()
    events = cur.execute(
        "SELECT events_attended, count(*) FROM contact GROUP BY 1 ORDER BY 1"
    ).fetchall()
    matching = cur.execute(f"SELECT count(*) FROM contact AS c WHERE {PRED}").fetchone()[0]
    return {
        "contacts": total,
        "region_pct": {str(r): round(100 * c / total, 2) for r, c in regions},
        "events_attended_pct": {str(e): round(100 * c / total, 2) for e, c in events},
        "matching": matching,
    }


# ------------------------------------------------------------------ perturbation


def perturb(conn: sqlite3.Connection, round_no: int, seed: int, segment_id: int,
            permille: int, region_permille: int, at: str) -> dict:
    """Change some contacts, differently each round, the same for both contenders."""
    cur = conn.cursor()
    h = _h("id", 20 + round_no, seed + round_no)
    t0 = time.perf_counter()
    cur.execute("BEGIN IMMEDIATE")
    events = cur.execute(
        f"UPDATE contact SET events_attended = (SELECT v FROM temp.b_events WHERE b = ({h} / 1000) % 1000), "
        f"updated_at = ? WHERE {h} % 1000 < ?",
        (at, permille),
    ).rowcount
    regions = cur.execute(
        f"UPDATE contact SET region = (SELECT name FROM temp.b_region WHERE b = ({h} / 1000) % 1000), "
        f"updated_at = ? WHERE {h} % 1000 >= 500 AND {h} % 1000 < 500 + ?",
        (at, region_permille),
    ).rowcount
    # One sure leaver and one sure joiner, so that no round has an empty side.
    joiner = cur.execute(
        "SELECT c.id FROM contact AS c WHERE lower(c.region) IN ('bretagne', 'normandie') "
        "AND c.events_attended < 2 AND c.id NOT IN "
        "(SELECT record_id FROM membership WHERE segment_id = ?) LIMIT 1 OFFSET ?",
        (segment_id, round_no),
    ).fetchone()
    leaver = cur.execute(
        "SELECT record_id FROM membership WHERE segment_id = ? ORDER BY (record_id * ?) % 1009, record_id LIMIT 1",
        (segment_id, 7 + round_no),
    ).fetchone()
    if joiner:
        cur.execute("UPDATE contact SET events_attended = 3, updated_at = ? WHERE id = ?", (at, joiner[0]))
    if leaver:
        cur.execute("UPDATE contact SET events_attended = 0, updated_at = ? WHERE id = ?", (at, leaver[0]))
    cur.execute("COMMIT")
    return {"events_rows": events, "region_rows": regions, "seconds": round(time.perf_counter() - t0, 3)}


def checkpoint(conn: sqlite3.Connection) -> None:
    """Every contender starts with an empty WAL: nobody pays for the other's checkpoint."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


# ------------------------------------------------------------------ statement capture


class StatementRecorder:
    """Times every statement Peewee sends (a db.execute_sql hook), with its parameters."""

    def __init__(self, db: peewee.Database):
        self.db = db
        self.rows: list[dict] = []

    def __enter__(self):
        original = type(self.db).execute_sql.__get__(self.db)

        def execute_sql(sql, params=None):
            t0 = time.perf_counter()
            cursor = original(sql, params)
            self.rows.append({"sql": sql, "params": list(params or ()),
                              "seconds": time.perf_counter() - t0})
            return cursor

        self.db.execute_sql = execute_sql
        return self

    def __exit__(self, *exc):
        del self.db.execute_sql
        return False


def explain(conn: sqlite3.Connection, sql: str, params) -> list[str]:
    """EXPLAIN QUERY PLAN as an indented tree."""
    rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params if isinstance(params, dict) else list(params)).fetchall()
    depth = {0: -1}
    out = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        out.append("  " * depth[node] + detail)
    return out


def _plain(value):
    if isinstance(value, (int, float, str)) or value is None:
        return value
    return str(value)


# ------------------------------------------------------------------ contenders


def run_segtui(db, ctx: Context, segment_id: int, recorder: StatementRecorder | None = None):
    cm = recorder if recorder is not None else contextlib.nullcontext()
    t0 = time.perf_counter()
    with cm:
        diff = membership.refresh(ctx, segment_id)
    return time.perf_counter() - t0, (diff.added, diff.removed)


def handwritten_statements(variant: str) -> list[tuple[str, str]]:
    """(label, sql) in execution order; named parameters :s :start :at :actor :reason."""
    log_cols = "membership_log (segment_id, record_id, action, reason, at, actor)"
    if variant == "exists":
        removed = (
            f"INSERT INTO {log_cols}\n"
            "SELECT m.segment_id, m.record_id, 'removed', :reason, :at, :actor\n"
            "FROM membership AS m\n"
            "WHERE m.segment_id = :s\n"
            f"  AND NOT EXISTS (SELECT 1 FROM contact AS c WHERE c.id = m.record_id AND {PRED})"
        )
        added = (
            f"INSERT INTO {log_cols}\n"
            "SELECT :s, c.id, 'added', :reason, :at, :actor\n"
            "FROM contact AS c\n"
            f"WHERE {PRED}\n"
            "  AND NOT EXISTS (SELECT 1 FROM membership AS m WHERE m.segment_id = :s AND m.record_id = c.id)"
        )
        return [
            ("last log id", "SELECT COALESCE(MAX(id), 0) FROM membership_log WHERE segment_id = :s"),
            ("log removed", removed),
            ("delete removed",
             "DELETE FROM membership WHERE segment_id = :s AND record_id IN\n"
             "  (SELECT record_id FROM membership_log WHERE segment_id = :s AND id > :start AND action = 'removed')"),
            ("log added", added),
            ("insert added",
             "INSERT INTO membership (segment_id, record_id, source, joined_at)\n"
             "SELECT segment_id, record_id, :reason, :at FROM membership_log\n"
             "WHERE segment_id = :s AND id > :start AND action = 'added'"),
        ]
    if variant == "temp":  # evaluate the filters once into a temp table, then two anti-joins
        return [
            ("last log id", "SELECT COALESCE(MAX(id), 0) FROM membership_log WHERE segment_id = :s"),
            ("target", "CREATE TEMP TABLE IF NOT EXISTS bench_target (id INTEGER PRIMARY KEY)"),
            ("clear target", "DELETE FROM temp.bench_target"),
            ("fill target", f"INSERT INTO temp.bench_target SELECT c.id FROM contact AS c WHERE {PRED}"),
            ("log removed",
             f"INSERT INTO {log_cols}\n"
             "SELECT m.segment_id, m.record_id, 'removed', :reason, :at, :actor FROM membership AS m\n"
             "WHERE m.segment_id = :s AND NOT EXISTS (SELECT 1 FROM temp.bench_target AS t WHERE t.id = m.record_id)"),
            ("delete removed",
             "DELETE FROM membership WHERE segment_id = :s AND record_id IN\n"
             "  (SELECT record_id FROM membership_log WHERE segment_id = :s AND id > :start AND action = 'removed')"),
            ("log added",
             f"INSERT INTO {log_cols}\n"
             "SELECT :s, t.id, 'added', :reason, :at, :actor FROM temp.bench_target AS t\n"
             "WHERE NOT EXISTS (SELECT 1 FROM membership AS m WHERE m.segment_id = :s AND m.record_id = t.id)"),
            ("insert added",
             "INSERT INTO membership (segment_id, record_id, source, joined_at)\n"
             "SELECT segment_id, record_id, :reason, :at FROM membership_log\n"
             "WHERE segment_id = :s AND id > :start AND action = 'added'"),
        ]
    raise ValueError(variant)


SEGMENT_UPDATE = (
    "UPDATE segment SET size = size + :delta,\n"
    "  last_activity_at = CASE WHEN :changed THEN :at ELSE last_activity_at END,\n"
    "  refreshed_at = :at, next_refresh_at = NULL, refresh_error = NULL, refresh_failures = 0,\n"
    "  claimed_by = NULL, claim_expires_at = NULL\n"
    "WHERE id = :s"
)


def run_handwritten(conn: sqlite3.Connection, ctx: Context, segment_id: int, variant: str,
                    trace: list | None = None):
    """The same diff in plain SQL, one transaction: log removed, delete them, log added,
    insert them, update the segment's size and last activity (only when something changed)."""
    at = MembershipLog.at.db_value(ctx.now())
    params = {"s": segment_id, "at": at, "actor": ctx.actor, "reason": "filter", "start": 0}
    cur = conn.cursor()
    t0 = time.perf_counter()
    cur.execute("BEGIN IMMEDIATE")
    try:
        added = removed = 0
        for label, sql in handwritten_statements(variant):
            if label == "delete removed" and not removed:
                continue
            if label == "insert added" and not added:
                continue
            t1 = time.perf_counter()
            cur.execute(sql, params)
            if label == "last log id":
                params["start"] = cur.fetchone()[0]
            elif label == "log removed":
                removed = cur.rowcount
            elif label == "log added":
                added = cur.rowcount
            if trace is not None:
                trace.append({"label": label, "sql": sql, "params": dict(params),
                              "seconds": time.perf_counter() - t1})
        update = dict(params, delta=added - removed, changed=int(bool(added or removed)))
        t1 = time.perf_counter()
        cur.execute(SEGMENT_UPDATE, update)
        if trace is not None:
            trace.append({"label": "update segment", "sql": SEGMENT_UPDATE, "params": update,
                          "seconds": time.perf_counter() - t1})
        cur.execute("COMMIT")
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    return time.perf_counter() - t0, (added, removed)


# ------------------------------------------------------------------ checks


def check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def verify(conn: sqlite3.Connection, ids: dict[str, int], diffs: dict[str, tuple[int, int]], round_no: int):
    """Every contender made the same diff and holds exactly what the filters select."""
    cur = conn.cursor()
    names = list(ids)
    first = names[0]
    for name in names[1:]:
        check(diffs[name] == diffs[first],
              f"round {round_no}: {name} diff (added, removed) {diffs[name]} != {first} {diffs[first]}")
    added, removed = diffs[first]
    check(added > 0 and removed > 0, f"round {round_no}: expected adds and removes, got {diffs[first]}")
    truth = cur.execute(f"SELECT count(*) FROM contact AS c WHERE {PRED}").fetchone()[0]
    for name, sid in ids.items():
        count = cur.execute("SELECT count(*) FROM membership WHERE segment_id = ?", (sid,)).fetchone()[0]
        size = cur.execute("SELECT size FROM segment WHERE id = ?", (sid,)).fetchone()[0]
        extra = cur.execute(
            f"SELECT count(*) FROM (SELECT record_id FROM membership WHERE segment_id = ? "
            f"EXCEPT SELECT c.id FROM contact AS c WHERE {PRED})", (sid,)).fetchone()[0]
        check(count == truth and extra == 0,
              f"round {round_no}: {name} holds {count} members ({extra} not matching), filters select {truth}")
        check(size == count, f"round {round_no}: {name} size {size} != {count} memberships")
        logged = cur.execute(
            "SELECT action, count(*) FROM membership_log WHERE segment_id = ? AND at = "
            "(SELECT last_activity_at FROM segment WHERE id = ?) GROUP BY action", (sid, sid)).fetchall()
        check(dict(logged) == {"added": added, "removed": removed},
              f"round {round_no}: {name} logged {dict(logged)}, diff was {diffs[name]}")
    for name in names[1:]:
        for x, y in ((first, name), (name, first)):
            differ = cur.execute(
                "SELECT count(*) FROM (SELECT record_id FROM membership WHERE segment_id = ? "
                "EXCEPT SELECT record_id FROM membership WHERE segment_id = ?)", (ids[x], ids[y])).fetchone()[0]
            check(differ == 0, f"round {round_no}: {differ} members of {x} are not members of {y}")
    return truth


# ------------------------------------------------------------------ machine


def machine() -> dict:
    info = {
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "peewee": peewee.__version__,
    }
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("MemTotal", "MemAvailable"):
                info[f"{key.lower()}_gb"] = round(int(value.split()[0]) / 1024 / 1024, 1)
    return info


# ------------------------------------------------------------------ main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=1_000_000, help="number of contacts (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=7, help="measured runs per contender (>= 5, default 7)")
    parser.add_argument("--db", help="SQLite file to build (default: in the temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the database file afterwards")
    parser.add_argument("--json", default=str(HERE / "bench_refresh.json"), help="where to write the figures")
    parser.add_argument("--seed", type=int, default=1, help="data generator seed")
    parser.add_argument("--perturb-permille", type=int, default=15,
                        help="contacts per 1000 given a new events_attended each round (default 15)")
    parser.add_argument("--region-permille", type=int, default=3,
                        help="contacts per 1000 given a new region each round (default 3)")
    parser.add_argument("--handwritten", choices=("temp", "exists"), default="temp",
                        help="hand-written variant: the filters evaluated once into a temp table then two "
                             "anti-joins (default, the fastest found), or NOT EXISTS probes per side")
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE after the build (segtui never does)")
    parser.add_argument("--max-ratio", type=float, default=2.0, help="target for segtui / hand-written")
    parser.add_argument("--enforce", action="store_true",
                        help="exit with status 1 when the ratio is over --max-ratio (off by default: timings "
                             "on shared CI machines are noisy, and small sizes measure fixed costs)")
    parser.add_argument("--quiet", action="store_true", help="do not print the SQL and plans")
    args = parser.parse_args(argv)
    if args.runs < 5:
        parser.error("--runs must be at least 5 (medians of fewer runs are noise)")
    if args.contacts < 1000:
        parser.error("--contacts must be at least 1000")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    path = args.db or str(Path(tempfile.gettempdir()) / f"segtui_bench_{args.contacts}.db")
    info = machine()
    print(f"machine: {info.get('cpu', '?')}, {info['cores']} cores ({info['cores_usable']} usable), "
          f"{info.get('memtotal_gb', '?')} GB RAM ({info.get('memavailable_gb', '?')} GB available)")
    print(f"         {info['platform']}, Python {info['python']}, SQLite {info['sqlite']}, Peewee {info['peewee']}")

    print(f"\nbuilding {args.contacts:,} contacts in {path} ...", flush=True)
    built = build(path, args.contacts, args.seed, args.analyze)
    print(f"build: {built['seconds']:.1f} s (schema {built['schema_seconds']:.2f} s, rows "
          f"{built['rows_seconds']:.1f} s, unique email index {built['email_index_seconds']:.1f} s"
          + (f", ANALYZE {built['analyze_seconds']:.1f} s" if args.analyze else "")
          + f"), file {built['file_mb']} MB")

    db = dbmod.open_database(path)  # segtui's own pragmas from here on
    conn = db.connection()
    create_lookup_tables(conn)
    dist = distribution(conn)
    show = ", ".join(f"{k} {v}%" for k, v in list(dist["region_pct"].items())[:6])
    print(f"regions: {show}, ... ({len(dist['region_pct'])} distinct values incl. NULL/empty/odd case)")
    print("events_attended: " + ", ".join(f"{k}: {v}%" for k, v in dist["events_attended_pct"].items()))

    clock = FixedClock(T0)
    ctx = Context(clock=clock, actor="bench", tz="Europe/Paris")
    contenders = ["segtui", "handwritten"]
    ids, created = {}, {}
    for name in contenders:
        t0 = time.perf_counter()
        segment, diff = segments.create(ctx, f"Bench {name}", "contacts", "active", TREE)
        created[name] = round(time.perf_counter() - t0, 3)
        ids[name] = segment.id
        check(diff.added == dist["matching"], f"{name}: created with {diff.added}, filters select {dist['matching']}")
    print(f"segments created through segments.create: {dist['matching']:,} members each "
          f"({', '.join(f'{k} {v:.2f} s' for k, v in created.items())})")

    def run(name: str, round_no: int, profile: dict | None):
        checkpoint(conn)
        if name == "handwritten":
            trace = [] if profile is not None else None
            seconds, diff = run_handwritten(conn, ctx, ids[name], args.handwritten, trace)
            if profile is not None:
                profile[name] = trace
            return seconds, diff
        recorder = StatementRecorder(db) if profile is not None else None
        seconds, diff = run_segtui(db, ctx, ids[name], recorder)
        if profile is not None:
            profile[name] = [{"label": "", **row} for row in recorder.rows]
        return seconds, diff

    times = {name: [] for name in contenders}
    rounds = []
    profile: dict = {}
    total_rounds = args.runs + 1  # round 0: warm-up and statement capture, not counted
    print(f"\n{args.runs} measured rounds (+1 warm-up), contenders alternate; each round perturbs the data first")
    for round_no in range(total_rounds):
        clock.set(T0.add(hours=round_no + 1))
        at = MembershipLog.at.db_value(ctx.now())
        pert = perturb(conn, round_no, args.seed, ids["segtui"], args.perturb_permille, args.region_permille, at)
        order = contenders[round_no % len(contenders):] + contenders[: round_no % len(contenders)]
        diffs, secs = {}, {}
        for name in order:
            secs[name], diffs[name] = run(name, round_no, profile if round_no == 0 else None)
        truth = verify(conn, ids, diffs, round_no)
        added, removed = diffs["segtui"]
        rounds.append({"round": round_no, "warmup": round_no == 0, "order": order, "perturbed": pert,
                       "added": added, "removed": removed, "members": truth,
                       "seconds": {k: round(v, 4) for k, v in secs.items()}})
        if round_no:
            for name in contenders:
                times[name].append(secs[name])
        label = "warm-up" if round_no == 0 else f"run {round_no}"
        print(f"  {label:8} +{added:<6} -{removed:<6} members {truth:>8,}  "
              + "  ".join(f"{k} {secs[k]:.3f} s" for k in order) + "  [same membership: ok]", flush=True)

    summary = {
        name: {
            "median": statistics.median(values),
            "min": min(values),
            "max": max(values),
            "runs": [round(v, 4) for v in values],
        }
        for name, values in times.items()
    }
    ratio = summary["segtui"]["median"] / summary["handwritten"]["median"]
    ratio_min = summary["segtui"]["min"] / summary["handwritten"]["min"]

    print(f"\nrefresh of one active segment, {args.contacts:,} contacts, ~{dist['matching']:,} members, "
          f"median of {args.runs} runs")
    print(f"  {'contender':<34} {'median s':>9} {'min s':>9} {'max s':>9} {'vs hand':>8}")
    labels = {
        "segtui": "segtui membership.refresh",
        "handwritten": f"hand-written SQL ({args.handwritten})",
    }
    for name in contenders:
        s = summary[name]
        vs = s["median"] / summary["handwritten"]["median"]
        print(f"  {labels[name]:<34} {s['median']:9.3f} {s['min']:9.3f} {s['max']:9.3f} {vs:7.2f}x")
    verdict = "OK" if ratio <= args.max_ratio else "OVER TARGET"
    print(f"  ratio segtui / hand-written: {ratio:.2f} (median), {ratio_min:.2f} (min); "
          f"target <= {args.max_ratio:g}: {verdict}")
    if args.contacts < 100_000:
        print("  (at this size the ratio mostly measures segtui's fixed cost per call - Peewee building\n"
              "   9 statements and reading the segment row - not the set-based diff; judge it at 1,000,000)")

    # Statements and plans, from the warm-up round.
    plans: dict = {}
    for name in contenders:
        plans[name] = []
        for row in profile[name]:
            sql = row["sql"]
            entry = {"label": row["label"], "sql": sql, "params": [_plain(p) for p in row["params"]]
                     if isinstance(row["params"], list) else {k: _plain(v) for k, v in row["params"].items()},
                     "seconds": round(row["seconds"], 4)}
            head = sql.lstrip().split(None, 1)[0].upper()
            if head in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH"):
                entry["plan"] = explain(conn, sql, row["params"] if isinstance(row["params"], list)
                                        else row["params"])
            plans[name].append(entry)
    if not args.quiet:
        for name in contenders:
            total = sum(e["seconds"] for e in plans[name])
            print(f"\n--- {labels[name]}: statements of the warm-up round ({total:.3f} s in statements)")
            for i, e in enumerate(plans[name], 1):
                print(f"[{i}] {e['seconds']:.4f} s {e['label']}")
                print("    " + e["sql"].replace("\n", "\n    "))
                if e["params"]:
                    print(f"    params: {e['params']}")
                for line in e.get("plan", []):
                    print(f"    | {line}")

    result = {
        "machine": info,
        "contacts": args.contacts,
        "runs": args.runs,
        "seed": args.seed,
        "handwritten_variant": args.handwritten,
        "analyze": args.analyze,
        "build": built,
        "distribution": dist,
        "segment_create_seconds": created,
        "summary": {k: {kk: (round(vv, 4) if isinstance(vv, float) else vv) for kk, vv in v.items()}
                    for k, v in summary.items()},
        "ratio_segtui_over_handwritten": round(ratio, 3),
        "ratio_min": round(ratio_min, 3),
        "target_ratio": args.max_ratio,
        "within_target": ratio <= args.max_ratio,
        "rounds": rounds,
        "statements": plans,
    }
    Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"\nfigures written to {args.json}")
    db.close()
    if not args.keep:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(path + suffix)
    return 1 if args.enforce and ratio > args.max_ratio else 0


if __name__ == "__main__":
    sys.exit(main())
