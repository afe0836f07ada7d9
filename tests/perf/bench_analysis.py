#!/usr/bin/env python
"""Benchmark of the analysis views (issue 14), on the database of bench.py.

Run by hand (not a pytest test)::

    python tests/perf/bench_analysis.py              # 1,000,000 contacts, 10,000 segments, ~10 min
    python tests/perf/bench_analysis.py --small      # 10,000 contacts, < 1 min
    python tests/perf/bench_analysis.py --keep --db /tmp/a.db     # keep the file
    python tests/perf/bench_analysis.py --reuse --db /tmp/a.db    # measure it again
    python tests/perf/bench_analysis.py --only-upcoming   # 10,000 segments, 2,000 schedules, 20,000 contacts

1. Builds bench.py's database (1,000,000 contacts, 50,000 companies, 10,000 segments, about
   10,000,000 membership and log rows; two static segments of 500,000), then gives one more
   static segment (created by segtui) a year of life, written as segtui's manual adds and
   removes write it (log and membership rows; the summary kept by the trigger): 500,000
   contacts added a year ago, then every day 1,000 members removed and 1,000 others added
   (1.23 million log rows for it).
2. Measures, each the median of several runs:
   - a year of daily history of that segment (``history.size_history``), against the same
     figures computed from the raw log by one GROUP BY (what it would cost without the
     summary table);
   - its members today, every row read with its email and name (what ``segments members``
     prints), against its members at a moment half a year ago and eleven months ago
     (``--at``): the ratio is the figure;
   - the overlap of the two 500,000-member static segments;
   - the upcoming-conversions screen of the console with its ~2,000 schedules, from the key
     press to the screen painted (the real app, headless, ``App.run_test``);
   - and checks that the summary the trigger kept equals the one rebuilt from the raw log.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
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
from segtui.core import db as dbmod  # noqa: E402
from segtui.core import history, overlap, segments  # noqa: E402
from segtui.core.clock import FixedClock  # noqa: E402
from segtui.core.context import Context  # noqa: E402
from segtui.core.models import Contact, MembershipLog, Segment, database_proxy  # noqa: E402

TZ = bench.TZ
NOW = bench.T0  # 2026-11-26 09:30 UTC
YEAR_NAME = "A year of life"

TARGETS = {"history_year": 0.5, "members_at_ratio": 2.0, "overlap_two_big": 0.5, "upcoming_screen": 0.5}


def median_of(fn, runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def live_a_year(path: str, size: int, churn: int, seed: int) -> dict:
    """The year-long segment: created by segtui, then its year written as segtui writes it
    (log rows and membership rows, in the same statements' shape), set-based: the summary
    table is kept by the database trigger, as for every writer of the log."""
    database = dbmod.open_database(path)
    rng = random.Random(seed)
    started = time.perf_counter()
    first_moment = NOW.subtract(days=364).in_timezone(TZ).replace(hour=8, minute=0).in_timezone("UTC")
    ctx = Context(clock=FixedClock(first_moment), actor="bench", tz=TZ)
    existing = Segment.get_or_none((Segment.name == YEAR_NAME) & Segment.deleted_at.is_null())
    if existing is not None:  # an earlier run stopped half-way: start again
        Segment.delete().where(Segment.id == existing.id).execute()
    segment, _ = segments.create(ctx, YEAR_NAME, "contacts", "static")
    n_contacts = Contact.select().count()
    inside = set(rng.sample(range(1, n_contacts + 1), size))
    conn = database.connection()

    def write(moment, added: list[int], removed: list[int]) -> None:
        at = MembershipLog.at.db_value(moment)
        if removed:
            conn.executemany("INSERT INTO membership_log (segment_id, record_id, action, reason, at, actor) "
                             "VALUES (?, ?, 'removed', 'manual', ?, 'bench')", [(segment.id, r, at) for r in removed])
            conn.executemany("DELETE FROM membership WHERE segment_id = ? AND record_id = ?",
                             [(segment.id, r) for r in removed])
        if added:
            conn.executemany("INSERT INTO membership_log (segment_id, record_id, action, reason, at, actor) "
                             "VALUES (?, ?, 'added', 'manual', ?, 'bench')", [(segment.id, r, at) for r in added])
            conn.executemany("INSERT INTO membership (segment_id, record_id, source, joined_at) "
                             "VALUES (?, ?, 'manual', ?)", [(segment.id, r, at) for r in added])

    with database.atomic():
        write(first_moment, sorted(inside), [])
        for day in range(1, 365):
            moment = NOW.subtract(days=364 - day).in_timezone(TZ).replace(hour=10, minute=0).in_timezone("UTC")
            leaving = rng.sample(sorted(inside), churn)
            joining = []
            while len(joining) < churn:
                rid = rng.randint(1, n_contacts)
                if rid not in inside and rid not in joining:
                    joining.append(rid)
            write(moment, sorted(joining), sorted(leaving))
            inside.difference_update(leaving)
            inside.update(joining)
        Segment.update(size=len(inside), last_activity_at=moment).where(Segment.id == segment.id).execute()
    log_rows = MembershipLog.select().where(MembershipLog.segment == segment.id).count()
    database.close()
    return {"segment": segment.id, "seconds": round(time.perf_counter() - started, 1), "log_rows": log_rows,
            "size": len(inside)}


def history_from_raw_log(segment_id: int, first_start) -> list[tuple]:
    """The same per-day counts without the summary: one GROUP BY over the segment's log."""
    sql = ("SELECT date(at, '+1 hour'), SUM(action = 'added'), SUM(action = 'removed') FROM membership_log "
           "WHERE segment_id = ? AND at >= ? GROUP BY 1")  # Paris in winter: good enough for a cost figure
    return database_proxy.execute_sql(sql, (segment_id, first_start.format("YYYY-MM-DD HH:mm:ss"))).fetchall()


def read_all(segment, members) -> int:
    import segtui.cli_analysis as cli

    return sum(1 for _ in cli._member_rows(segment, members))


def measure_upcoming_screen(path: str, runs: int) -> list[float]:
    """Key press to the upcoming-conversions screen painted, headless, fresh app per run."""
    from segtui.tui.app import SegtuiApp  # noqa: F401  (the console must exist for this figure)
    from segtui.tui.screens.upcoming import UpcomingScreen

    times = []
    for _ in range(runs):
        database = dbmod.open_database(path)
        ctx = Context(clock=FixedClock(NOW), actor="bench", tz=TZ)
        app = bench_app(database, ctx)

        async def run(app=app):
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.pause()
                started = time.perf_counter()
                await pilot.press("C")
                for _ in range(400):
                    await pilot.pause()
                    screen = app.screen
                    if isinstance(screen, UpcomingScreen) and screen.painted:
                        break
                times.append(time.perf_counter() - started)

        asyncio.run(run())
        database.close()
    return times


def bench_app(database, ctx):
    from segtui.tui.app import SegtuiApp

    return SegtuiApp(ctx, worker_interval=0)


def only_upcoming(args) -> int:
    sizes = dict(bench.SIZES["full"], contacts=20_000, companies=1_000, big=5_000, membership_target=200_000,
                 import_rows=1_000)
    path = args.db or os.path.join(tempfile.mkdtemp(prefix="segtui-upcoming-"), "bench.db")
    if not args.reuse:
        print(f"building {path} ...", flush=True)
        info, _ = bench.build(path, sizes, seed=1, log_rows=True)
        print(f"  bench database in {info['seconds']} s", flush=True)
    database = dbmod.open_database(path)
    scheduled = Segment.select().where(Segment.schedule_mode != "never").count()
    segment_count = Segment.select().count()
    database.close()
    load = os.getloadavg()[0]
    times = measure_upcoming_screen(path, max(3, args.runs))
    median = statistics.median(times)
    print(f"\nload average at start: {load:.2f}; {segment_count:,} segments, {scheduled:,} scheduled")
    print(f"{'upcoming-conversions screen painted (headless)':70s} {median:8.3f} s  target <= "
          f"{TARGETS['upcoming_screen']}: {'yes' if median <= TARGETS['upcoming_screen'] else 'NO'}")
    print("runs: " + ", ".join(f"{t:.3f}" for t in times))
    if not (args.keep or args.reuse or args.db):
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--db")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", default=str(HERE / "bench_analysis.json"))
    parser.add_argument("--skip-console", action="store_true")
    parser.add_argument("--rebuild-year", action="store_true", help="with --reuse: write the year-long segment again")
    parser.add_argument("--only-upcoming", action="store_true",
                        help="the upcoming-conversions screen alone, on the full plan's 10,000 segments and 2,000 "
                             "schedules with 20,000 contacts (the screen reads segments, not members)")
    args = parser.parse_args(argv)
    if args.only_upcoming:
        return only_upcoming(args)
    sizes = bench.SIZES["small" if args.small else "full"]
    path = args.db or os.path.join(tempfile.mkdtemp(prefix="segtui-analysis-"), "bench.db")
    year_size = sizes["big"]
    churn = max(10, year_size // 500)
    figures: dict = {"load": os.getloadavg()[0]}
    if not args.reuse:
        print(f"building {path} ...", flush=True)
        info, plan = bench.build(path, sizes, seed=1, log_rows=True)
        figures["build"] = info
        print(f"  bench database in {info['seconds']} s", flush=True)
    if not args.reuse or args.rebuild_year:
        print("a year of life for one segment ...", flush=True)
        figures["year"] = live_a_year(path, year_size, churn, seed=2)
        print(f"  {figures['year']}", flush=True)
    database = dbmod.open_database(path)
    ctx = Context(clock=FixedClock(NOW), actor="bench", tz=TZ)
    year = segments.get(YEAR_NAME)
    today = ctx.today()
    runs = args.runs

    t, all_runs = median_of(lambda: history.size_history(ctx, year.id, first=today.subtract(days=364), last=today), runs)
    h = history.size_history(ctx, year.id, first=today.subtract(days=364), last=today)
    figures["history_year"] = {"median": t, "runs": all_runs, "periods": len(h.periods),
                               "last_size": h.periods[-1].size, "segment_size": year.size}
    first_start = history.day_start(today.subtract(days=364), TZ)
    t_raw, raw_runs = median_of(lambda: history_from_raw_log(year.id, first_start), 3)
    figures["history_year_raw_log"] = {"median": t_raw, "runs": raw_runs}

    current = history.MembersAt(year.id)
    t_today, today_runs = median_of(lambda: read_all(year, current), max(3, runs // 2))
    figures["members_today"] = {"median": t_today, "runs": today_runs, "rows": read_all(year, current)}
    worst = 0.0
    for label, days in (("half_year", 182), ("eleven_months", 335)):
        moment = history.end_of_day(today.subtract(days=days), TZ)
        members = history.member_ids_at(year.id, moment)
        t_at, at_runs = median_of(lambda members=members: read_all(year, members), max(3, runs // 2))
        expected = h.periods[364 - days].size
        got = read_all(year, members)
        figures[f"members_at_{label}"] = {"median": t_at, "runs": at_runs, "rows": got, "history_size": expected,
                                          "ratio": t_at / t_today}
        worst = max(worst, t_at / t_today)
    figures["members_at_ratio"] = {"median": worst}

    from bench import Plan  # the two 500,000-member static segments of the plan

    plan = Plan(sizes, 1)
    a, b = plan.big_static[:2]
    t, all_runs = median_of(lambda: overlap.overlap([a, b]), runs)
    result = overlap.overlap([a, b])
    figures["overlap_two_big"] = {"median": t, "runs": all_runs, "sizes": result.sizes,
                                  "regions": {str(k): v for k, v in result.regions.items()}}

    started = time.perf_counter()
    figures["summary_exact"] = history.stored_buckets(year.id) == history.rebuild_buckets(year.id)
    figures["summary_check_seconds"] = time.perf_counter() - started
    database.close()

    if not args.skip_console:
        times = measure_upcoming_screen(path, max(3, runs // 2))
        figures["upcoming_screen"] = {"median": statistics.median(times), "runs": times}

    print(f"\nload average at start: {figures['load']:.2f}")
    rows = [
        ("a year of daily history, 365 days (summary table)", "history_year", "s"),
        ("  the same counts from the raw log (one GROUP BY), for comparison", "history_year_raw_log", "s"),
        ("members today, every row with email and name", "members_today", "s"),
        ("members --at half a year ago", "members_at_half_year", "s"),
        ("members --at eleven months ago", "members_at_eleven_months", "s"),
        ("  worst ratio --at / today", "members_at_ratio", "x"),
        ("overlap of the two 500,000-member segments", "overlap_two_big", "s"),
        ("upcoming-conversions screen painted (headless)", "upcoming_screen", "s"),
    ]
    for label, key, unit in rows:
        if key not in figures:
            print(f"{label:70s} skipped")
            continue
        target = TARGETS.get(key)
        value = figures[key]["median"]
        verdict = "" if target is None else f"  target <= {target}: {'yes' if value <= target else 'NO'}"
        print(f"{label:70s} {value:8.3f} {unit}{verdict}")
    print(f"summary rebuilt from the raw log equals the stored one: {figures['summary_exact']}")
    Path(args.json).write_text(json.dumps(figures, indent=2, default=str))
    if not (args.keep or args.reuse or args.db):
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
