#!/usr/bin/env python
"""Mutation testing of segtui/core with mutmut, one module at a time (run by hand, not in CI).

    .venv/bin/pip install mutmut==3.8.1
    .venv/bin/python tests/mutation/run.py store conversions membership schedule filters
    .venv/bin/python tests/mutation/run.py --all          # every module of segtui/core

For each module, the repository's files (as in the work tree) are copied into a scratch
folder, mutmut mutates that one module there, and each mutant runs only the fast engine
tests on SQLite that reach the mutated function (mutmut maps tests to functions first):
``tests/core`` without the PostgreSQL half, the multi-process trials and the checks that
drop privileges. One mutant at a time (``--max-children 1``): the machine is shared.

Prints, per module, the mutants killed, survived, timed out and not reached, the score
(killed + timeout) / (all - not reached), and the names of the survivors; writes the same
as JSON to tests/mutation/results.json (merged with earlier runs of other modules).
``mutmut show NAME`` inside the scratch folder (printed) shows a survivor's diff.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = Path(__file__).with_name("results.json")
CORE = ROOT / "segtui" / "core"
# the fast engine tests on SQLite (what every mutant may run)
TEST_SELECTION = [
    "tests/core", "-m", "not postgres", "-p", "no:cacheprovider", "-x", "-q",
    "--ignore=tests/core/test_processes.py",  # OS processes, minutes each
    "--ignore=tests/core/test_read_only_for_real.py",  # drops root: not inside mutmut's forks
    "--ignore=tests/core/test_layers.py",  # imports in a subprocess, mutates nothing it checks
]
STATUSES = ("killed", "survived", "timeout", "no tests", "suspicious", "skipped", "segfault",
            "caught by type check", "not checked", "check was interrupted by user")


def copy_tree(target: Path) -> None:
    """The tracked and new files of the work tree (what git would see), not .venv or caches."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not name.startswith(("screenshots/", "tests/perf/")):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def configure(target: Path, module: str, tests: list[str]) -> None:
    pyproject = target / "pyproject.toml"
    chosen = TEST_SELECTION if not tests else [*tests, *TEST_SELECTION[1:]]
    selection = ", ".join(json.dumps(arg) for arg in chosen)
    pyproject.write_text(pyproject.read_text() + f"""
[tool.mutmut]
source_paths = ["segtui"]
only_mutate = ["segtui/core/{module}.py"]
pytest_add_cli_args_test_selection = [{selection}]
use_git_change_detection = false
""")


def run_module(module: str, keep: bool, tests: list[str]) -> dict:
    scratch = Path(tempfile.mkdtemp(prefix=f"segtui-mutmut-{module}-"))
    copy_tree(scratch)
    configure(scratch, module, tests)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("SEGTUI_REQUIRE_POSTGRES", None)
    mutmut = [sys.executable, "-m", "mutmut"]
    print(f"== {module}: mutating segtui/core/{module}.py in {scratch}", flush=True)
    done = subprocess.run([*mutmut, "run", "--max-children", "1"], cwd=scratch, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
        raise SystemExit(f"mutmut run failed for {module} (exit {done.returncode})")
    listing = subprocess.run([*mutmut, "results", "--all", "true"], cwd=scratch, env=env, capture_output=True,
                             text=True, check=True).stdout
    outcome: dict[str, list[str]] = {}
    for line in listing.splitlines():
        match = re.match(r"\s*(\S+): (.+)$", line)
        if match and match.group(2) in STATUSES:
            outcome.setdefault(match.group(2), []).append(match.group(1))
    counts = {status: len(names) for status, names in outcome.items()}
    reached = sum(counts.values()) - counts.get("no tests", 0)
    score = (counts.get("killed", 0) + counts.get("timeout", 0)) / reached if reached else 1.0
    survivors = {name: _diff(mutmut, scratch, env, name) for name in outcome.get("survived", [])}
    if not keep:
        shutil.rmtree(scratch, ignore_errors=True)
    return {"module": f"segtui/core/{module}.py", "counts": counts, "score": round(score, 4),
            "survivors": survivors, "not_reached": outcome.get("no tests", []),
            "scratch": str(scratch) if keep else None}


def _diff(mutmut: list[str], scratch: Path, env: dict, name: str) -> str:
    shown = subprocess.run([*mutmut, "show", name], cwd=scratch, env=env, capture_output=True, text=True).stdout
    return "\n".join(line for line in shown.splitlines() if line.startswith(("+", "-")) and
                     not line.startswith(("+++", "---")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="modules of segtui/core, e.g. store filters")
    parser.add_argument("--all", action="store_true", help="every module of segtui/core")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folders (for mutmut show/browse)")
    parser.add_argument("--tests", nargs="+", default=[], metavar="PATH",
                        help="a narrower selection than tests/core (faster; the score is then that selection's)")
    args = parser.parse_args()
    modules = sorted(p.stem for p in CORE.glob("*.py") if p.stem != "__init__") if args.all else args.modules
    unknown = [m for m in modules if not (CORE / f"{m}.py").is_file()]
    if not modules or unknown:
        parser.error(f"name modules of segtui/core ({', '.join(unknown) or 'none given'})")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for module in modules:
        result = run_module(module, args.keep, args.tests)
        result["tests"] = args.tests or ["tests/core"]
        results[result["module"]] = result
        RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
        counts = result["counts"]
        print(f"{result['module']}: score {result['score']:.1%} "
              + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())), flush=True)
        for name, diff in result["survivors"].items():
            print(f"  survived {name}\n    " + diff.replace("\n", "\n    "))
    killed = sum(r["counts"].get("killed", 0) + r["counts"].get("timeout", 0) for r in results.values())
    reached = sum(sum(r["counts"].values()) - r["counts"].get("no tests", 0) for r in results.values())
    if reached:
        print(f"all modules measured so far ({len(results)}): {killed}/{reached} mutants killed, "
              f"score {killed / reached:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
