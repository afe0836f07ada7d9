#!/usr/bin/env python
"""The coverage floors of pyproject.toml ([tool.segtui.coverage-floors]), checked against the
coverage data the test run left (``pytest -n 2 --cov``, the README's test command).

    .venv/bin/python tests/coverage_floors.py

Each floor is a share of statements and branches (branch coverage) of a part of the code;
prints every part's figure, exits 1 naming each part below its floor. Floors only rise:
raise one when the suite has moved well past it, never lower one to let a change in.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def floors() -> dict[str, float]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return data["tool"]["segtui"]["coverage-floors"]


def measured(part: str) -> float:
    """The total coverage of ``part`` ("overall", or a folder such as "segtui/core")."""
    include = [] if part == "overall" else [f"--include={part}/*"]
    done = subprocess.run([sys.executable, "-m", "coverage", "report", "--format=total", "--precision=2", *include],
                          cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"coverage report failed for {part}: {done.stderr.strip() or done.stdout.strip()}\n"
                         "Run the tests with coverage first: .venv/bin/python -m pytest -n 2 --cov")
    return float(done.stdout.strip())


def main() -> int:
    below = []
    for part, floor in floors().items():
        figure = measured(part)
        print(f"coverage {part}: {figure:.2f}% (floor {floor}%)")
        if figure < floor:
            below.append(f"{part} is at {figure:.2f}%, under its floor of {floor}%")
    if below:
        print("Coverage below the floors of pyproject.toml: " + "; ".join(below)
              + ". Add the tests that cover the new code.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
