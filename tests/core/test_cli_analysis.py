"""The analysis commands on the demo database: history, members --at, overlap, usage,
list --unused, conversions upcoming, describe, move and folders; bad input exits 2."""

from __future__ import annotations

import json

from segtui.core.models import Folder, Segment

import test_cli
from core_helpers import dump
from test_cli import BRETAGNE, ENV, FUNDRAISING, VIPS, WEBINAR, emails, segment  # noqa: F401

# test_cli's fixtures, used here by name
backend, cli, env, path, read, template = (test_cli.backend, test_cli.cli, test_cli.env, test_cli.path,
                                           test_cli.read, test_cli.template)

LATER = "2026-11-27T15:00:00+01:00"


def test_history_and_members_at(cli, env, read):
    picked = emails(read, 3, member_of=VIPS)
    env.setenv("SEGTUI_NOW", LATER)
    cli("segments", "add", VIPS, *picked)
    out, _ = cli("segments", "history", VIPS, "--from", "2026-11-25", "--json")
    data = json.loads(out)
    assert data["time_zone"] == "Europe/Paris" and data["by"] == "day"
    rows = [(p["first_day"], p["added"], p["removed"], p["size"]) for p in data["periods"]]
    assert rows == [("2026-11-25", 0, 0, 0), ("2026-11-26", 25, 0, 25), ("2026-11-27", 3, 0, 28)]
    assert data["periods"][1]["events"] == ["created"]
    text, _ = cli("segments", "history", VIPS, "--by", "week", "--from", "2026-11-01")
    assert "2026-11-23 .. 2026-11-27" in text and "+28" in text

    now_out, _ = cli("segments", "members", VIPS)
    then_out, _ = cli("segments", "members", VIPS, "--at", "2026-11-26")
    assert len(now_out.splitlines()) == 1 + 28 and len(then_out.splitlines()) == 1 + 25
    assert not any(e in then_out for e in picked) and all(e in now_out for e in picked)
    at_json = json.loads(cli("segments", "members", VIPS, "--at", "2026-11-27T14:59", "--json")[0])
    assert len(at_json) == 25 and set(at_json[0]) == {"id", "key", "name"}


def test_history_and_members_bad_input(cli, path):
    before = dump_of(path)
    for args, words in (
        (("segments", "history", VIPS, "--from", "2026-02-30"), "not a day"),
        (("segments", "history", VIPS, "--to", "2027-01-01"), "ends today"),
        (("segments", "history", VIPS, "--from", "2026-11-26", "--to", "2026-11-01"), "after the last one"),
        (("segments", "members", VIPS, "--at", "tomorrow"), "not a moment"),
        (("segments", "members", VIPS, "--at", "2027-01-01"), "in the future"),
        (("segments", "history", "nope"), "No segment named"),
    ):
        _, err = cli(*args, code=2)
        assert words in err, (args, err)
    assert dump_of(path) == before


def dump_of(path):
    from segtui.core import db as dbmod

    database = dbmod.open_database(str(path))
    try:
        return dump()
    finally:
        database.close()


def test_overlap_and_save_a_region(cli, read):
    data = json.loads(cli("segments", "overlap", BRETAGNE, FUNDRAISING, "--json")[0])
    counts = {r["region"]: r["count"] for r in data["regions"]}
    sizes = [s["size"] for s in data["segments"]]
    assert counts["A"] + counts["AB"] == sizes[0] and counts["B"] + counts["AB"] == sizes[1]
    assert data["union"] == sum(counts.values())
    out, _ = cli("segments", "overlap", BRETAGNE, FUNDRAISING, "--save", "ab", "--name", "Both")
    assert f"with {counts['AB']:,} members" in out
    made = segment(read, "Both")
    assert (made.type, made.size) == ("static", counts["AB"])
    _, err = cli("segments", "overlap", BRETAGNE, FUNDRAISING, "--save", "AC", "--name", "X", code=2)
    assert "not a region" in err
    _, err = cli("segments", "overlap", BRETAGNE, FUNDRAISING, "--save", "A", code=2)
    assert "--name" in err
    _, err = cli("segments", "overlap", BRETAGNE, "Large companies", code=2)
    assert "different objects" in err


def test_usage_and_unused(cli, env, read):
    data = json.loads(cli("segments", "usage", VIPS, "--json")[0])
    assert [u["name"] for u in data["used_by"]] == ["Customers not in VIPs"]
    assert data["used_by"][0]["chain"] == [VIPS, "Customers not in VIPs"]
    text, _ = cli("segments", "usage", "Customers not in VIPs")
    assert f"Customers not in VIPs -> {VIPS}" in text
    env.setenv("SEGTUI_NOW", "2027-06-01T10:00:00+02:00")
    unused = json.loads(cli("segments", "list", "--unused", "90", "--json")[0])
    names = {row["name"] for row in unused}
    assert VIPS not in names and "Customers not in VIPs" in names  # VIPs is used
    _, err = cli("segments", "list", "--unused", "0", code=2)
    assert "whole number" in err


def test_folders_describe_and_move(cli, read):
    cli("folders", "create", "Marketing")
    cli("folders", "create", "Events", "--in", "Marketing")
    out, _ = cli("segments", "move", BRETAGNE, FUNDRAISING, "--to", "Marketing/Events")
    assert "Moved 2 segments to Marketing/Events." in out
    cli("segments", "describe", BRETAGNE, "Met at the 2025 events in Brittany")
    show = json.loads(cli("segments", "show", BRETAGNE, "--json")[0])
    assert (show["folder"], show["description"]) == ("Marketing/Events", "Met at the 2025 events in Brittany")
    listing = json.loads(cli("segments", "list", "--folder", "Marketing", "--json")[0])
    assert {r["name"] for r in listing} == {BRETAGNE, FUNDRAISING}
    folders = json.loads(cli("folders", "list", "--json")[0])
    assert [(f["path"], f["segments"]) for f in folders] == [("Marketing", 0), ("Marketing/Events", 2)]
    _, err = cli("folders", "delete", "Marketing/Events", code=2)
    assert "holds 2 segments" in err
    cli("folders", "rename", "Marketing", "Growth")
    cli("segments", "move", BRETAGNE, FUNDRAISING, "--to", "/")
    out, _ = cli("folders", "delete", "Growth/Events")
    assert "Deleted folder 'Growth/Events'" in out
    _, err = cli("folders", "create", "growth", code=2)
    assert "already exists" in err
    assert read(lambda: [f.name for f in Folder.select()]) == ["Growth"]


def test_conversions_upcoming(cli):
    data = json.loads(cli("conversions", "upcoming", "--days", "60", "--json")[0])
    names = [u["name"] for u in data["upcoming"]]
    assert names[0] == WEBINAR and data["upcoming"][0]["overdue"] is True  # due today, not applied yet
    assert BRETAGNE in names and data["days"]["2026-12-28"] >= 1
    spring = next(u for u in data["upcoming"] if u["mode"] == "after_inactivity")
    assert spring["projected"] is True and "if nothing changes" in spring["condition"]
    cli("worker", "--once")
    data = json.loads(cli("conversions", "upcoming", "--json")[0])
    assert [a["name"] for a in data["recently_applied"]] == [WEBINAR]
    text, _ = cli("conversions", "upcoming")
    assert "Recently applied:" in text
    _, err = cli("conversions", "upcoming", "--days", "0", code=2)
    assert "whole number" in err


def test_segment_rows_untouched_by_reads(cli, read):
    before = read(lambda: sorted(Segment.select().tuples(), key=repr))
    for args in (("segments", "history", VIPS), ("segments", "members", VIPS, "--at", "2026-11-26"),
                 ("segments", "overlap", VIPS, FUNDRAISING), ("segments", "usage", VIPS),
                 ("conversions", "upcoming"), ("folders", "list")):
        cli(*args)
    assert read(lambda: sorted(Segment.select().tuples(), key=repr)) == before
    assert ENV["SEGTUI_TZ"] == "Europe/Paris"
