#!/usr/bin/env python
"""Where an import's following goes on SQLite: pages written, CPU, and the statements' share.

Run by hand on a COPY of the file of ``bench_follow.py`` (it changes the contacts as the
benchmark does, and on a copy an index or the trigger can be dropped to see what it costs)::

    cp /tmp/follow.db /tmp/pages.db && cp /tmp/follow.db.ids.json /tmp/pages.db.ids.json
    python tests/perf/bench_import_pages.py --db /tmp/pages.db --runs 3
    sqlite3 /tmp/pages.db 'DROP INDEX membership_log_record_id'     # e.g. the log's record index
    python tests/perf/bench_import_pages.py --db /tmp/pages.db --runs 3

The import of ``bench_follow.measure_import`` (10,000 known contacts, first_name, last_name and
phone, read by 500 active segments), alone and following in turn, the benchmark's rounds. For
each import: wall and CPU time (``time.process_time``: steadier than wall time on a shared
machine), the pages its commit wrote (the WAL's frames, autocheckpoint off and the WAL emptied
after each import), the joins and leaves, and the time of the following's parts.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for folder in (str(ROOT), str(HERE)):
    if folder not in sys.path:
        sys.path.insert(0, folder)

import bench_follow as bf  # noqa: E402
from segtui.core import follow, records  # noqa: E402
from segtui.core import db as dbmod  # noqa: E402
from segtui.core.models import Contact, Segment, database_proxy  # noqa: E402


def _timed(call, name: str, spent: collections.Counter):
    def timed(*a, **k):
        t0 = time.process_time()
        try:
            return call(*a, **k)
        finally:
            spent[name] += time.process_time() - t0
    return timed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="a copy of bench_follow.py's SQLite file (with its .ids.json)")
    parser.add_argument("--runs", type=int, default=3, help="imports of each kind")
    args = parser.parse_args(argv)
    ids = json.loads(Path(args.db + ".ids.json").read_text())
    readers = ids["first"] + ids["last"] + ids["phone"]
    dbmod.open_database(args.db)
    database_proxy.execute_sql("PRAGMA wal_autocheckpoint = 0")
    database_proxy.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    page = database_proxy.execute_sql("PRAGMA page_size").fetchone()[0]
    spent: collections.Counter = collections.Counter()
    for name in ("_matching", "_members_among", "_apply"):  # the following's parts
        setattr(follow, name, _timed(getattr(follow, name), name, spent))
    ctx = bf.ctx_at(bf.T0.add(hours=2))
    wanted = list(range(100, 1_000_001, 100))
    chosen = list(Contact.select(Contact.id, Contact.email).where(Contact.id.in_(wanted)).tuples())
    for n in range(2 * args.runs):
        following = n % 2 == 1
        Segment.update(type="active" if following else "static").where(Segment.id.in_(readers)).execute()
        spent.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        report = records.import_csv(ctx, "contacts", bf.import_text(chosen, n))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        frames = (os.path.getsize(args.db + "-wal") - 32) // (page + 24)  # the WAL header, then a frame header per page
        database_proxy.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        moved = sum(map(len, report.followed.joined.values())) + sum(map(len, report.followed.left.values()))
        parts = " ".join(f"{k.strip('_')} {v:.3f}" for k, v in spent.most_common())
        print(f"{'following' if following else 'alone':9}  wall {wall:6.3f} s  cpu {cpu:6.3f} s  pages {frames:6,}"
              f"  joins+leaves {moved:6,}  {parts}", flush=True)
    Segment.update(type="active").where(Segment.id.in_(readers)).execute()
    return 0


if __name__ == "__main__":
    sys.exit(main())
