#!/usr/bin/env python
"""Benchmark: one moment written for a table cell (``segtui.tui.text.moment``), per language.

Run by hand (not a pytest test)::

    python tests/perf/bench_moment.py

Prints the time of one call, as the best of five runs of 50,000, against two baselines
measured in the same run: pendulum's ``format`` (what ``moment()`` did before issue 16, English
only) and Babel's ``format_datetime`` per call (what the locale-aware formats would cost
without compiling the pattern once per language).
"""

from __future__ import annotations

import timeit

import pendulum

from segtui import i18n
from segtui.tui.text import _zone, moment

CALLS = 50_000
VALUE = pendulum.datetime(2027, 1, 2, 9, 5)
ZONE = "Europe/Paris"


def best(call) -> float:
    """Microseconds a call, best of five runs."""
    return min(timeit.repeat(call, number=CALLS, repeat=5)) / CALLS * 1e6


def main() -> None:
    pendulum_format = best(lambda: VALUE.in_timezone(_zone(ZONE)).format("D MMM YYYY HH:mm"))
    babel = best(lambda: i18n.format_moment(VALUE.in_timezone(_zone(ZONE)), i18n.MOMENT))
    rows = [("pendulum format (before, English)", pendulum_format), ("Babel format_datetime a call", babel)]
    for code in ("en", "fr"):
        i18n.set_language(code)
        rows.append((f"moment() in {code} ({moment(VALUE, ZONE)})", best(lambda: moment(VALUE, ZONE))))
    i18n.set_language("en")
    for name, micro in rows:
        print(f"{name:<48} {micro:6.2f} µs  x{micro / pendulum_format:.2f}")


if __name__ == "__main__":
    main()
