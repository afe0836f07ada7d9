"""The benchmark script still runs: ``tests/perf/bench.py --small`` end to end, no timing asserted.

tests/perf is never collected (its scripts build million-row databases); this runs the small
size of its main benchmark in a subprocess (~25 s on 2 busy cores) and checks that the JSON
it writes has every figure of issue 6, each either measured or skipped with a reason. Only
the figures that need tmux or a PostgreSQL server may be skipped, and only when those are
missing from the machine: where the PostgreSQL binaries are installed (or CI requires
PostgreSQL), a skipped PostgreSQL figure (a server that failed to start, say) is a failure.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.pgserver import find_bin, required

BENCH = Path(__file__).resolve().parents[1] / "perf" / "bench.py"
NEEDS_TMUX = {"console_list_tmux", "console_open_big_tmux", "console_key_members_tmux", "console_rss"}
NEEDS_POSTGRES = {"pg_refresh_segtui", "pg_refresh_handwritten", "pg_refresh_ratio", "pg_tick_nothing_due", "pg_tick_due"}


def may_skip(key: str) -> str | None:
    """Why ``key`` may be skipped on this machine, or None: it must be measured."""
    if key in NEEDS_TMUX and shutil.which("tmux") is None:
        return "tmux is not installed"
    if key in NEEDS_POSTGRES and find_bin() is None and not required():
        return "the PostgreSQL server binaries are not installed"
    return None


def figure_keys() -> list[str]:
    spec = importlib.util.spec_from_file_location("segtui_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # defines things only; main() is not called
    return module.FIGURE_KEYS


def test_bench_small_run_writes_every_figure(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(BENCH), "--small", "--json", str(out), "--db", str(tmp_path / "bench.db")],
        capture_output=True, text=True, timeout=240, cwd=BENCH.parents[2],
    )
    assert done.returncode == 0, f"bench.py --small failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    result = json.loads(out.read_text())
    figures = result["figures"]
    keys = figure_keys()
    assert keys and set(figures) == set(keys), sorted(set(keys) ^ set(figures))
    for key in keys:
        entry = figures[key]
        assert entry["label"] and entry["unit"], key
        if entry.get("skipped"):
            assert may_skip(key), f"{key} was skipped on a machine that can measure it: {entry['skipped']}"
        else:
            assert isinstance(entry["value"], (int, float)) and entry["value"] >= 0, (key, entry)
    assert result["build"]["counts"]["segment"] == 200
    assert result["build"]["counts"]["contact"] == 10_000
    assert not (tmp_path / "bench.db").exists()  # cleaned up without --keep
    assert "figure" in done.stdout and "measured" in done.stdout  # the table was printed
