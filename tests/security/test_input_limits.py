"""Finding 7 of issue 10: ids and filter definitions that reached SQL or the JSON reader.

``segments show 99999999999999999999`` (and rename, convert, restore) overflowed on SQLite,
``segments show ²`` raised ValueError, a filter file nested 100,000 deep or with hundreds
of groups or filters ended in RecursionError or "parser stack overflow" on SQLite while
PostgreSQL ran it. Now every case is a sentence and exit status 2, the same on both
databases, and the largest definition allowed runs on both.
"""

from __future__ import annotations

import json

import pytest

from segtui.cli import main
from segtui.core import filters, segments
from segtui.core.errors import InvalidFilter, SegmentNotFound
from segtui.core.models import Segment

from .helpers import close_database, hostile_segment

HUGE = "99999999999999999999"


def run_cli(url, *args: str) -> int:
    try:
        return main(["--db", str(url), *args])
    finally:
        close_database()


@pytest.mark.parametrize("argv", [
    ["segments", "show", HUGE], ["segments", "show", "²"], ["segments", "show", "١٢"],
    ["segments", "rename", HUGE, "x"], ["convert", HUGE, "--to", "static", "--yes"],
    ["segments", "restore", HUGE], ["segments", "restore", "²"], ["segments", "restore", "-1"],
    ["segments", "delete", str(2**63)], ["export", HUGE, "/dev/null"],
    ["schedule", HUGE, "--never"], ["segments", "refresh", "9223372036854775808"],
])
def test_ids_out_of_range_or_not_ascii_are_a_sentence(ctx, database_url, argv, capsys):
    hostile_segment(ctx)
    versions = [(s.id, s.version, s.name) for s in Segment.select()]
    assert run_cli(database_url, *argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("segtui: ") and "Traceback" not in err and len(err.splitlines()) == 1, err
    reopened = __import__("segtui.core.db", fromlist=["open_database"]).open_database(str(database_url))
    try:
        assert [(s.id, s.version, s.name) for s in Segment.select()] == versions
    finally:
        reopened.close()


def test_core_lookups_range_check_ids(ctx):
    for ref in (2**63, 10**23, 0, -5, HUGE, "²"):
        with pytest.raises(SegmentNotFound):
            segments.get(ref)
    with pytest.raises(SegmentNotFound):
        segments.restore(ctx, 2**64)


def filter_file(tmp_path, tree_or_text) -> str:
    path = tmp_path / "filters.json"
    path.write_text(tree_or_text if isinstance(tree_or_text, str) else json.dumps(tree_or_text), encoding="utf-8")
    return str(path)


def group(n: int) -> dict:
    return {"filters": [{"property": "first_name", "operator": "not_contains", "value": f"x{i}"} for i in range(n)]}


def test_hostile_filter_files_are_refused_before_any_sql(ctx, database_url, tmp_path, capsys):
    target = hostile_segment(ctx, "Base")
    cases = {
        "deep": "[" * 100_000 + "]" * 100_000,
        "deep-in-a-value": json.dumps({"groups": [{"filters": [{"property": "city", "operator": "is_any_of",
                                                                "values": [[[[[[[[["x"]]]]]]]]]}]}]}),
        "groups": {"groups": [group(1) for _ in range(300)]},
        "filters": {"groups": [group(5000)]},
        "sqlite-breaking groups": {"groups": [group(1) for _ in range(80)]},
        "sqlite-breaking filters": {"groups": [group(100)]},
        "values": {"groups": [{"filters": [{"property": "city", "operator": "is_any_of",
                                            "values": [f"c{i}" for i in range(50_000)]}]}]},
        "huge segment id": {"groups": [{"filters": [{"segment": 10**23, "operator": "in_segment"}]}]},
        "float segment id": json.dumps({"groups": [{"filters": [{"segment": 0, "operator": "in_segment"}]}]})
        .replace("0", "1e23"),
    }
    messages = {}
    for name, content in cases.items():
        for argv in (["segments", "create", f"Probe {name}", "--object", "contacts", "--type", "active",
                      "--filters", filter_file(tmp_path, content)],
                     ["segments", "filters", str(target), filter_file(tmp_path, content)]):
            assert run_cli(database_url, *argv) == 2, name
            err = capsys.readouterr().err
            assert "Traceback" not in err and "stack" not in err and "Recursion" not in err, (name, err)
            messages[name] = err
    assert "at most 8 levels" in messages["deep"] and "at most 8 levels" in messages["deep-in-a-value"]
    assert f"at most {filters.MAX_GROUPS} groups" in messages["groups"]
    assert f"at most {filters.MAX_GROUPS} groups" in messages["sqlite-breaking groups"]
    assert f"at most {filters.MAX_FILTERS} filters" in messages["filters"]
    assert f"at most {filters.MAX_FILTERS} filters" in messages["sqlite-breaking filters"]
    assert "at most 1,000" in messages["values"]
    assert "No segment with id" in messages["huge segment id"]
    assert "segment id or name" in messages["float segment id"]


def test_the_largest_definition_allowed_runs_on_both_databases(ctx):
    base = hostile_segment(ctx, "Base")
    kinds = [lambda i: {"property": "first_name", "operator": "not_contains", "value": f"x{i}"},
             lambda i: {"property": "events_attended", "operator": "neq", "value": i},
             lambda i: {"segment": base, "operator": "not_in_segment"},
             lambda i: {"property": "last_activity_date", "operator": "more_than_days_ago", "value": 5 + i},
             lambda i: {"property": "city", "operator": "is_none_of", "values": [f"v{v}" for v in range(50)]}]
    tree = {"groups": [{"filters": [kinds[(g + i) % len(kinds)](i) for i in range(filters.MAX_FILTERS)]}
                       for g in range(filters.MAX_GROUPS)]}
    segment, _ = segments.create(ctx, "Largest allowed", "contacts", "active", tree)
    assert segment.type == "active" and segment.size == 0
    static, _ = segments.create(ctx, "Largest allowed, static", "contacts", "static", tree)
    assert static.size == 0
    with pytest.raises(InvalidFilter):
        tree["groups"].append(tree["groups"][0])
        segments.create(ctx, "One group too many", "contacts", "active", tree)
