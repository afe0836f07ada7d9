"""tests/perf holds benchmark scripts run by hand (python tests/perf/bench_refresh.py).

They are not tests: pytest must never import them (building a million-row database at
import time would be a nasty surprise), whatever their file or function names.
"""

collect_ignore_glob = ["*.py"]
