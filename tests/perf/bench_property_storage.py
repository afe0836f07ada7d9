#!/usr/bin/env python
"""Where custom property values live: the measurement that chose the storage (issue 12).

Run by hand (not a pytest test)::

    python tests/perf/bench_property_storage.py              # 1,000,000 contacts, SQLite and PostgreSQL
    python tests/perf/bench_property_storage.py --rows 100000 --skip-postgres

Two contenders, on the same table of contacts (a built-in ``region`` text column and a
built-in ``events_attended`` number column, both filled):

- **column**: a custom property is a real nullable column, ``ALTER TABLE ... ADD COLUMN``
  (metadata only on SQLite and on PostgreSQL >= 11 for a column without a default);
- **json**: every custom value in one JSON column (``TEXT`` + ``json_extract`` on SQLite,
  ``JSONB`` + ``->>`` on PostgreSQL), with an expression index per property.

For each it prints the time to create the property on the full table (the DDL, then the
index where the contender has one), and the median time of a filter on the custom property
next to the same filter on the built-in column (the same values, the same distribution):
``LOWER(x) IN (...)`` as segtui compiles "is any of", and ``x >= N`` for numbers. The
ratio custom / built-in is what issue 12 bounds at 1.5.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

COLORS = ("Red", "Blue", "Green", "Yellow", "Black", "White", "Orange", "Purple", "Grey", "Pink",
          "Brown", "Cyan", "Gold", "Silver", "Navy", "Teal", "Olive", "Maroon", "Lime", "Coral")


def timed(run, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


class Sqlite:
    name = "SQLite"

    def __init__(self, rows: int):
        self.path = Path(tempfile.mkdtemp(prefix="segtui-storage-")) / "bench.db"
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=wal")
        self.conn.execute("PRAGMA cache_size=-65536")
        self.conn.execute("CREATE TABLE contact (id INTEGER PRIMARY KEY, email TEXT UNIQUE, region TEXT, "
                          "events_attended REAL, props TEXT)")
        colors = ",".join(f"('{c}')" for c in COLORS)
        self.conn.execute("BEGIN")
        self.conn.execute(f"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}),
            c(k, v) AS (SELECT row_number() OVER () - 1, column1 FROM (VALUES {colors}))
            INSERT INTO contact (id, email, region, events_attended, props)
            SELECT i, 'c' || i || '@example.org', (SELECT v FROM c WHERE k = i * 7 % 20), i % 50,
                   json_object('favorite_color', (SELECT v FROM c WHERE k = i * 7 % 20), 'yearly_gift', i % 50)
            FROM n""")
        self.conn.execute("COMMIT")

    def q(self, sql):
        return self.conn.execute(sql).fetchall()

    def json_text(self, name):
        return f"json_extract(props, '$.{name}')"

    def json_number(self, name):
        return f"json_extract(props, '$.{name}')"

    def add_column(self, name, kind):
        self.q(f"ALTER TABLE contact ADD COLUMN {name} {'REAL' if kind == 'number' else 'TEXT'}")

    def fill_column(self, name, source):
        self.q(f"UPDATE contact SET {name} = {source}")

    def close(self):
        self.conn.close()


class Postgres:
    name = "PostgreSQL"

    def __init__(self, rows: int):
        import psycopg2
        from tests.pgserver import PgServer

        self.server = PgServer.start()
        self.server.execute('CREATE DATABASE "storage"')
        self.conn = psycopg2.connect(dbname="storage", user="segtui", host=str(self.server.folder))
        self.conn.autocommit = True
        colors = "ARRAY[" + ",".join(f"'{c}'" for c in COLORS) + "]"
        self.q("CREATE TABLE contact (id bigint PRIMARY KEY, email text UNIQUE, region text, "
               "events_attended double precision, props jsonb)")
        self.q(f"""
            INSERT INTO contact (id, email, region, events_attended, props)
            SELECT i, 'c' || i || '@example.org', ({colors})[(i * 7 % 20) + 1], i % 50,
                   jsonb_build_object('favorite_color', ({colors})[(i * 7 % 20) + 1], 'yearly_gift', i % 50)
            FROM generate_series(1, {rows}) AS i""")
        self.q("VACUUM ANALYZE contact")

    def q(self, sql):
        with self.conn.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall() if cursor.description else []

    def json_text(self, name):
        return f"(props ->> '{name}')"

    def json_number(self, name):
        return f"((props ->> '{name}')::double precision)"

    def add_column(self, name, kind):
        self.q(f"ALTER TABLE contact ADD COLUMN {name} {'double precision' if kind == 'number' else 'text'}")

    def fill_column(self, name, source):
        self.q(f"UPDATE contact SET {name} = {source}")
        self.q("VACUUM ANALYZE contact")

    def close(self):
        self.conn.close()
        self.server.stop()


def measure(db, rows: int) -> dict:
    text_in = "IN (LOWER('Red'), LOWER('Blue'), LOWER('Green'))"
    out = {}
    # creation: what a console waits for when someone creates a property on a full table
    start = time.perf_counter()
    db.add_column("p_favorite_color", "text")
    db.add_column("p_yearly_gift", "number")
    out["column: create 2 properties (ALTER TABLE ADD COLUMN)"] = time.perf_counter() - start
    start = time.perf_counter()
    db.q(f"CREATE INDEX contact_json_color ON contact (({db.json_text('favorite_color')}))")
    db.q(f"CREATE INDEX contact_json_gift ON contact (({db.json_number('yearly_gift')}))")
    out["json: create 2 properties (expression indexes)"] = time.perf_counter() - start
    db.fill_column("p_favorite_color", "region")
    db.fill_column("p_yearly_gift", "events_attended")

    filters = {
        "text is any of": ("LOWER(region) " + text_in, "LOWER(p_favorite_color) " + text_in,
                           f"LOWER({db.json_text('favorite_color')}) " + text_in),
        "text is any of (exact case, indexable)": ("region IN ('Red')", "p_favorite_color IN ('Red')",
                                                   f"{db.json_text('favorite_color')} IN ('Red')"),
        "number >= 45": ("events_attended >= 45", "p_yearly_gift >= 45", f"{db.json_number('yearly_gift')} >= 45"),
    }
    for label, (builtin, column, json_) in filters.items():
        counts = {db.q(f"SELECT COUNT(*) FROM contact WHERE {w}")[0][0] for w in (builtin, column, json_)}
        assert len(counts) == 1, (label, counts)
        base = timed(lambda w=builtin: db.q(f"SELECT COUNT(*) FROM contact WHERE {w}"))
        col = timed(lambda w=column: db.q(f"SELECT COUNT(*) FROM contact WHERE {w}"))
        js = timed(lambda w=json_: db.q(f"SELECT COUNT(*) FROM contact WHERE {w}"))
        out[f"{label}: built-in"] = base
        out[f"{label}: column"] = col
        out[f"{label}: json"] = js
        out[f"{label}: ratio column / built-in"] = col / base
        out[f"{label}: ratio json / built-in"] = js / base
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    backends = [Sqlite] + ([] if args.skip_postgres else [Postgres])
    for backend in backends:
        start = time.perf_counter()
        db = backend(args.rows)
        print(f"\n{backend.name}: {args.rows:,} contacts built in {time.perf_counter() - start:.1f} s")
        try:
            for label, value in measure(db, args.rows).items():
                shown = f"{value:.2f}x" if "ratio" in label else f"{value * 1000:,.1f} ms"
                print(f"  {label:<62} {shown:>12}")
        finally:
            db.close()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
