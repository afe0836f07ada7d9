#!/usr/bin/env python
"""Several workers on one database, full size: the race, the kill trials, the lease.

Run by hand (not a pytest test; tests/perf/conftest.py keeps pytest out of here)::

    python tests/perf/bench_workers.py                       # both databases, full size
    python tests/perf/bench_workers.py --backend sqlite      # one of them
    python tests/perf/bench_workers.py --trials 3 --contacts 20000   # CI size, a minute

1. Race: ``--workers`` worker processes (8) started together (a barrier) on one database
   holding ``--due`` (1,000) due conversions; each ticks until nothing is left. Counts the
   conversion records, audit rows, duplicates, and how the work was shared.
2. Kill: ``--trials`` (20) trials on ``--contacts`` (200,000) contacts: ~30% of them move
   region, so the refresh of the active segment has a large diff; a worker starts it and is
   SIGKILLed at a random moment of a window 1.3x the measured refresh time. Each trial
   checks the database (SQLite: PRAGMA integrity_check; both: size = membership rows, the
   log replays to the membership, membership is the old set or the new one), then lets the
   lease expire and checks that another worker completes the refresh.
3. Lease: a worker killed right after claiming; another takes over once the lease expired.

PostgreSQL: a throwaway server is started from the machine's binaries (tests/pgserver.py),
or ``--pg-url`` names an existing empty database. Prints a table and writes
tests/perf/bench_workers.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

import peewee  # noqa: E402

from segtui import worker  # noqa: E402
from segtui.core import db as dbmod  # noqa: E402
from segtui.core.models import database_proxy  # noqa: E402
from tests import workload  # noqa: E402
from tests.core.core_helpers import inconsistencies  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--contacts", type=int, default=200_000)
    parser.add_argument("--pg-url", help="an empty PostgreSQL database to use instead of a throwaway server")
    parser.add_argument("--out", default=str(HERE / "bench_workers.json"))
    args = parser.parse_args()

    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    figures = {"machine": machine(), "workers": args.workers, "due": args.due, "trials": args.trials,
               "contacts": args.contacts, "results": {}}
    server = None
    try:
        for backend in backends:
            if backend == "postgres" and not args.pg_url:
                from tests.pgserver import PgServer

                server = PgServer.start()
                figures["machine"]["postgresql"] = server_version(server)
            fresh = database_factory(backend, args.pg_url, server)
            figures["results"][backend] = run_all(backend, fresh, args)
    finally:
        if server is not None:
            server.stop()
    print_table(figures)
    Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\nfigures written to {args.out}")
    failed = any(r["race"]["problems"] or r["kill"]["inconsistencies"] or r["lease"]["problems"]
                 for r in figures["results"].values())
    return 1 if failed else 0


def database_factory(backend: str, pg_url: str | None, server):
    """A function returning the URL of a new empty database."""
    if backend == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="segtui-bench-"))
        counter = iter(range(1_000_000))
        return lambda: str(folder / f"bench{next(counter)}.db")
    if pg_url:
        def empty() -> str:
            db = dbmod.connect(pg_url)
            db.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            db.close()
            return pg_url
        return empty
    return lambda: server.url(server.reset())


def run_all(backend: str, fresh, args) -> dict:
    print(f"\n== {backend}")
    return {"race": run_race(fresh(), args), "kill": run_kills(backend, fresh(), args),
            "lease": run_lease(fresh())}


def run_race(url: str, args) -> dict:
    workload.seed_due_conversions(url, args.due)
    outcomes, wall = workload.race(url, processes=args.workers)
    problems = workload.race_problems(url, outcomes, args.due)
    db = dbmod.open_database(url)
    try:
        from segtui.core.models import AuditEntry, ConversionRecord

        records = ConversionRecord.select().count()
        audits = AuditEntry.select().where(AuditEntry.action == "auto_convert_to_static").count()
    finally:
        db.close()
    shares = sorted((len(won) for _, won, _, _ in outcomes), reverse=True)
    result = {"seconds": round(wall, 2), "conversions": records, "audit_rows": audits,
              "duplicates": records - args.due if records > args.due else 0, "per_worker": shares,
              "problems": problems}
    print(f"race: {records} conversions, {audits} audit rows in {wall:.2f} s; per worker {shares}; "
          f"problems: {problems or 'none'}")
    return result


def run_kills(backend: str, url: str, args) -> dict:
    started = time.perf_counter()
    segment_id = workload.build_refresh_world(url, args.contacts)
    build = time.perf_counter() - started
    workload.shuffle_regions(url, segment_id, 0.3, seed=99)
    db = dbmod.open_database(url)
    try:
        started = time.perf_counter()
        result = worker.tick(workload.context("calibration"), me="calibration")
        refresh = time.perf_counter() - started
        diff = result.refreshed[0][1]
    finally:
        db.close()
    print(f"kill: {args.contacts:,} contacts built in {build:.1f} s; one refresh (+{diff.added:,} "
          f"-{diff.removed:,}) takes {refresh:.2f} s")
    def check():
        return inconsistencies() + integrity(backend)

    trials = []
    for seed in range(args.trials):
        workload.shuffle_regions(url, segment_id, 0.3, seed=100 + seed)
        trial = workload.kill_trial(url, segment_id, seed=seed, window=refresh * 1.3, check=check)
        trials.append(trial)
        print(f"  trial {seed + 1:2}: killed {'yes' if trial['killed'] else 'no (done)'} after "
              f"{trial['delay']:.2f} s, membership after the kill: {trial['state_after_kill']}, "
              f"transaction torn after its first batch: {'yes' if trial['torn'] else 'no'}, "
              f"problems: {trial['problems'] or 'none'}")
    bad = sum(1 for t in trials if t["problems"])
    return {"refresh_seconds": round(refresh, 3), "diff": [diff.added, diff.removed],
            "build_seconds": round(build, 1), "trials": len(trials),
            "killed_mid_refresh": sum(1 for t in trials if t["killed"] and t["state_after_kill"] == "old"),
            "torn_transactions": sum(1 for t in trials if t["torn"]),
            "killed_after_commit": sum(1 for t in trials if t["killed"] and t["state_after_kill"] == "new"),
            "finished_before_kill": sum(1 for t in trials if not t["killed"]),
            "inconsistencies": bad, "problems": [t["problems"] for t in trials if t["problems"]]}


def integrity(backend: str) -> list[str]:
    if backend != "sqlite":
        return []
    rows = [r[0] for r in database_proxy.execute_sql("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else [f"integrity_check: {rows[:3]}"]


def run_lease(url: str) -> dict:
    import multiprocessing as mp
    import signal

    segment_id = workload.build_refresh_world(url, 1000)
    workload.shuffle_regions(url, segment_id, 0.5, seed=1)
    spawn = mp.get_context("spawn")
    claimed = spawn.Queue()
    victim = spawn.Process(target=workload.claim_and_hang, args=(url, claimed))
    victim.start()
    held = claimed.get(timeout=60)
    os.kill(victim.pid, signal.SIGKILL)
    victim.join(timeout=30)
    workload.wait_for_orphans(url)
    db = dbmod.open_database(url)
    problems = []
    try:
        ctx = workload.context("rescuer")
        if worker.tick(ctx, me="rescuer").refreshed:
            problems.append("a claim held by a (dead) worker was taken before it expired")
        ctx.clock.advance(seconds=worker.LEASE_SECONDS + 1)
        taken = [sid for sid, _ in worker.tick(ctx, me="rescuer").refreshed]
        members, wanted = workload.snapshot(segment_id)
        if taken != held or members != wanted:
            problems.append("the expired claim was not taken over and completed")
        problems += inconsistencies()
    except peewee.PeeweeException as exc:
        problems.append(str(exc))
    finally:
        db.close()
    print(f"lease: claim of segment {held} held by a killed worker; taken over after "
          f"{worker.LEASE_SECONDS + 1} s: {'yes' if not problems else 'NO'}; problems: {problems or 'none'}")
    return {"lease_seconds": worker.LEASE_SECONDS, "taken_over": not problems, "problems": problems}


def print_table(figures: dict) -> None:
    print("\n| figure | " + " | ".join(figures["results"]) + " |")
    print("|---|" + "---|" * len(figures["results"]))
    rows = [
        (f"race: {figures['workers']} workers, {figures['due']:,} due conversions: conversions / audit rows / "
         "duplicates", lambda r: f"{r['race']['conversions']:,} / {r['race']['audit_rows']:,} / "
                                 f"{r['race']['duplicates']}"),
        ("race: wall time", lambda r: f"{r['race']['seconds']} s"),
        (f"kill: refresh of {figures['contacts']:,} contacts (diff +/-)",
         lambda r: f"{r['kill']['refresh_seconds']} s (+{r['kill']['diff'][0]:,} -{r['kill']['diff'][1]:,})"),
        (f"kill: {figures['trials']} trials, SIGKILL mid-refresh / after commit / too late",
         lambda r: f"{r['kill']['killed_mid_refresh']} / {r['kill']['killed_after_commit']} / "
                   f"{r['kill']['finished_before_kill']}"),
        ("kill: inconsistencies", lambda r: str(r["kill"]["inconsistencies"])),
        ("lease: dead worker's claim taken over after expiry", lambda r: "yes" if r["lease"]["taken_over"] else "NO"),
    ]
    for label, cell in rows:
        print(f"| {label} | " + " | ".join(cell(r) for r in figures["results"].values()) + " |")


def machine() -> dict:
    import sqlite3

    return {"cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "peewee": peewee.__version__}


def server_version(server) -> str:
    with server.admin().cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


if __name__ == "__main__":
    sys.exit(main())
