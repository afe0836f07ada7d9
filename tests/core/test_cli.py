"""The command line, in-process: every README command on a demo database, and bad inputs."""

from __future__ import annotations

import csv
import json
import shutil
import signal
import sqlite3

import pytest

from segtui.cli import main
from segtui.core import db as dbmod
from segtui.core.models import Contact, Membership, Segment, database_proxy

from core_helpers import dump

NOW = "2026-11-26T10:30:00+01:00"
ENV = {"SEGTUI_NOW": NOW, "SEGTUI_TZ": "Europe/Paris", "SEGTUI_ACTOR": "tester"}
VIPS = "Hand-picked VIPs"  # static, no filters, used by 'Customers not in VIPs'
BRETAGNE = "Events 2025, Bretagne"  # active, converts on 28 Dec 2026
WEBINAR = "Webinar October 2026"  # active, converts today: already due
FUNDRAISING = "Fundraising event contacts"  # static with filters


def _close() -> None:
    if database_proxy.obj is not None:
        database_proxy.obj.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "demo.db"
    with pytest.MonkeyPatch.context() as mp:
        for key, value in ENV.items():
            mp.setenv(key, value)
        assert main(["--db", str(path), "demo", "--contacts", "300"]) == 0
    _close()
    return path


@pytest.fixture
def path(tmp_path, template):
    target = tmp_path / "cli.db"
    shutil.copy(template, target)
    return target


@pytest.fixture
def env(monkeypatch):
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("SEGTUI_DB", raising=False)
    return monkeypatch


@pytest.fixture
def cli(path, env, capsys):
    """cli(*args, code=0) -> (stdout, stderr), after checking the exit code."""

    def run(*args, code=0):
        capsys.readouterr()
        try:
            rc = main(["--db", str(path), *map(str, args)])
        finally:
            _close()
        out, err = capsys.readouterr()
        assert rc == code, (args, out, err)
        assert "Traceback" not in out + err
        return out, err

    return run


@pytest.fixture
def read(path):
    """read(fn) -> fn() run against the test's database file."""

    def run(fn):
        db = dbmod.open_database(str(path))
        try:
            return fn()
        finally:
            db.close()

    return run


def segment(read, name) -> Segment:
    return read(lambda: Segment.get((Segment.name == name) & Segment.deleted_at.is_null()))


def emails(read, n, *, member_of=None) -> list[str]:
    def query():
        q = Contact.select(Contact.email).order_by(Contact.id)
        if member_of is not None:
            sid = Segment.get(Segment.name == member_of).id
            inside = Membership.select(Membership.record_id).where(Membership.segment == sid)
            q = q.where(Contact.id.not_in(inside))
        return [c.email for c in q.limit(n)]

    return read(query)


def write(tmp_path, name, text) -> str:
    target = tmp_path / name
    target.write_text(text, encoding="utf-8")
    return str(target)


# ---------------------------------------------------------------- the README's command list


def test_demo_fills_once(tmp_path, env, capsys, read):
    fresh = tmp_path / "fresh.db"
    assert main(["--db", str(fresh), "demo", "--contacts", "300", "--seed", "3"]) == 0
    _close()
    out = capsys.readouterr().out
    assert out.startswith("Demo data: 300 contacts, 30 companies, 9 segments.\n")
    assert "Events 2025, Bretagne" in out and "-> static on 28 Dec 2026" in out
    assert main(["--db", str(fresh), "demo"]) == 0
    _close()
    assert capsys.readouterr().out == "The database already holds records: the demo data is not added twice.\n"


def test_segments_list(cli):
    out, _ = cli("segments", "list")
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "TYPE", "OBJECT", "SIZE", "LAST", "ACTIVITY", "AUTO-CONVERSION"]
    assert len(lines) == 10
    assert [line for line in lines if WEBINAR in line][0].endswith("-> static on 26 Nov 2026")
    out, _ = cli("segments", "list", "--type", "active")
    assert len(out.splitlines()) == 7 and "Static" not in out
    out, _ = cli("segments", "list", "--type", "static", "--search", "VIP")
    assert [line.split("  ")[1].strip() for line in out.splitlines()[1:]] == [VIPS]
    out, _ = cli("segments", "list", "--search", "vip", "--json")
    rows = json.loads(out)
    assert [r["name"] for r in rows] == ["Customers not in VIPs", VIPS]
    assert set(rows[0]) == {"id", "name", "type", "object_type", "size", "last_activity_at", "auto_conversion",
                            "due_at", "updated_at", "created_by", "refresh_error"}
    out, _ = cli("segments", "list", "--search", "nothing like this")
    assert out.startswith("No segments yet.")


def test_segments_show(cli):
    out, _ = cli("segments", "show", BRETAGNE)
    assert out.splitlines()[0].startswith("Events 2025, Bretagne  [Active]  contacts  #1")
    assert "Events attended is greater than or equal to 1 AND Region is any of Bretagne" in out
    assert "auto-conversion: Converts on Monday 28 December 2026 at 00:00 Europe/Paris." in out
    out, _ = cli("segments", "show", "4")
    assert "(read-only: used when converting to active)" in out


DOCUMENTED_KEYS = {
    "id", "name", "type", "object_type", "size", "last_activity_at", "auto_conversion", "due_at", "updated_at",
    "created_by", "refresh_error", "version", "created_at", "updated_by", "filters", "filters_readable",
    "schedule", "refreshed_at", "conversions",
}


def test_segments_show_json_has_the_documented_keys(cli, env):
    data = json.loads(cli("segments", "show", BRETAGNE, "--json")[0])
    assert set(data) == DOCUMENTED_KEYS
    assert (data["type"], data["object_type"], data["created_by"], data["refresh_error"]) == ("active", "contacts", "tester", None)
    assert set(data["schedule"]) == {"mode", "day", "due_at", "due_local", "explanation"}
    assert data["schedule"]["day"] == "2026-12-28" and data["schedule"]["due_at"] == "2026-12-27T23:00:00Z"
    assert data["schedule"]["due_local"] == "Monday 28 December 2026 at 00:00 Europe/Paris"
    for key in ("last_activity_at", "due_at", "updated_at", "created_at", "refreshed_at"):
        assert data[key].endswith("Z"), key
    assert data["filters_readable"] == [["Events attended is greater than or equal to 1", "Region is any of Bretagne"]]

    spring = json.loads(cli("segments", "show", "Spring campaign, engaged", "--json")[0])
    assert set(spring["schedule"]) == {"mode", "amount", "unit", "due_at", "due_local", "explanation"}
    assert (spring["schedule"]["amount"], spring["schedule"]["unit"]) == (30, "days")
    customers = json.loads(cli("segments", "show", "Customers not in VIPs", "--json")[0])
    membership_filter = customers["filters"]["groups"][0]["filters"][1]
    assert membership_filter == {"segment": 5, "segment_name": VIPS, "operator": "not_in_segment"}
    vips = json.loads(cli("segments", "show", VIPS, "--json")[0])
    assert vips["schedule"] == {"mode": "never", "due_at": None, "due_local": None,
                                "explanation": "This segment will not be converted automatically."}
    assert vips["auto_conversion"] is None and vips["filters"] == {"groups": []}

    cli("convert", BRETAGNE, "--to", "static", "--yes")
    env.setenv("SEGTUI_NOW", "2026-11-27T08:00:00Z")
    cli("convert", BRETAGNE, "--to", "active", "--yes")
    conversions = json.loads(cli("segments", "show", BRETAGNE, "--json")[0])["conversions"]
    assert [c["direction"] for c in conversions] == ["to_active", "to_static"]  # newest first
    assert set(conversions[0]) >= {"direction", "trigger", "requested", "due_at", "converted_at", "actor", "size"}
    assert conversions[0]["converted_at"] == "2026-11-27T08:00:00Z"
    assert (conversions[1]["trigger"], conversions[1]["requested"], conversions[1]["due_at"]) == ("manual", {"mode": "now"}, None)


def test_create_filters_rename_clone_delete_restore_refresh(cli, tmp_path, read):
    bretons = write(tmp_path, "bretons.json", json.dumps(
        {"groups": [{"filters": [{"property": "region", "operator": "is_any_of", "values": ["Bretagne"]}]}]}))
    normands = write(tmp_path, "normands.json", json.dumps(
        {"groups": [{"filters": [{"property": "region", "operator": "is_any_of", "values": ["Normandie"]}]},
                    {"filters": [{"segment": VIPS, "operator": "in_segment"}]}]}))
    out, _ = cli("segments", "create", "Bretons", "--object", "contacts", "--type", "active", "--filters", bretons)
    created = segment(read, "Bretons")
    assert out == f"Created active segment #{created.id} 'Bretons' with {created.size:,} members.\n"
    assert created.size > 0 and created.created_by == "tester"
    out, _ = cli("segments", "create", "Picked", "--object", "companies", "--type", "static")
    assert "Created static segment" in out and "with 0 members" in out

    out, _ = cli("segments", "filters", "Bretons", normands)
    assert out.startswith("Saved the filters of 'Bretons' (+")
    assert segment(read, "Bretons").filter_properties == ",region,"
    out, _ = cli("segments", "filters", FUNDRAISING, bretons)
    assert "(static: stored for a later conversion to active)" in out

    out, _ = cli("segments", "rename", "Bretons", "Normands and VIPs")
    assert out == f"Renamed segment #{created.id} to 'Normands and VIPs'.\n"
    out, _ = cli("segments", "clone", "Normands and VIPs", "--name", "Copy A")
    assert out.startswith("Created #") and "'Copy A' (active," in out
    out, _ = cli("segments", "clone", VIPS)
    assert "'Copy of Hand-picked VIPs' (static, 25 members)" in out

    out, _ = cli("segments", "delete", "Copy A")
    copy_id = read(lambda: Segment.get(Segment.name == "Copy A").id)
    assert out == f"Deleted 'Copy A'; restore it within 90 days with: segtui segments restore {copy_id}\n"
    out, _ = cli("segments", "deleted")
    assert out.splitlines()[0].split() == ["ID", "NAME", "OBJECT", "DELETED", "BY"]
    assert "Copy A" in out and "tester" in out
    deleted = json.loads(cli("segments", "deleted", "--json")[0])
    assert [(d["id"], d["deleted_by"], d["deleted_at"]) for d in deleted] == [(copy_id, "tester", "2026-11-26T09:30:00Z")]
    out, _ = cli("segments", "restore", copy_id)
    assert out == "Restored 'Copy A'.\n"
    assert cli("segments", "deleted")[0] == "No segment was deleted in the last 90 days.\n"

    out, _ = cli("segments", "refresh", "Copy A")
    assert out == "Refreshed 'Copy A': +0 added, -0 removed.\n"


def test_add_and_remove(cli, read):
    wanted = emails(read, 2, member_of=VIPS)
    out, _ = cli("segments", "add", VIPS, *[e.upper() for e in wanted])
    assert out == f"Added 2 record(s); '{VIPS}' now has 27 members.\n"
    out, _ = cli("segments", "add", VIPS, wanted[0])
    assert out.startswith("Added 0 record(s)")
    out, _ = cli("segments", "remove", VIPS, *wanted)
    assert out == f"Removed 2 record(s); '{VIPS}' now has 25 members.\n"
    assert segment(read, VIPS).size == 25


def test_import_and_export(cli, tmp_path, read):
    first = emails(read, 1)[0]
    contacts = write(tmp_path, "contacts.csv", f"email,region,events_attended\n{first},Bretagne,9\nnew.one@example.org,Bretagne,\n")
    out, _ = cli("import", "contacts", contacts)
    assert out == f"Imported {contacts}: 2 lines: 1 created, 1 updated.\n"
    more = write(tmp_path, "more.csv", "email,first_name\nnew.two@example.org,Zoé\nnew.one@example.org,\n")
    out, _ = cli("import", "contacts", more, "--segment", VIPS)
    assert out == f"Imported {more}: 2 lines: 1 created, 1 updated, 2 added to the segment.\n"
    assert segment(read, VIPS).size == 27
    companies = write(tmp_path, "companies.csv", "domain,name,employees\nnew-co.example,New Co,1000\n")
    out, _ = cli("import", "companies", companies)
    assert out == f"Imported {companies}: 1 lines: 1 created, 0 updated.\n"

    target = tmp_path / "vips.csv"
    out, _ = cli("export", VIPS, target)
    assert out == f"Exported 27 members to {target}.\n"
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:2] == ["email", "first_name"] and len(rows) == 28
    assert {"new.one@example.org", "new.two@example.org"} <= {r[0] for r in rows[1:]}

    # the import marked the active segments; the worker refreshes them
    out, _ = cli("worker", "--once")
    assert "segment(s) refreshed" in out
    assert segment(read, BRETAGNE).next_refresh_at is None


def test_convert_both_ways(cli, read):
    size = segment(read, BRETAGNE).size
    out, _ = cli("convert", BRETAGNE, "--to", "static", "--yes")
    assert out == (
        f"Convert '{BRETAGNE}' to static: {size} records will be kept and no longer updated automatically.\n"
        f"'{BRETAGNE}' is now static.\n"
    )
    row = segment(read, BRETAGNE)
    assert (row.type, row.schedule_mode, row.due_at) == ("static", "never", None)
    out, _ = cli("convert", FUNDRAISING, "--to", "active", "--yes")
    assert f"Convert '{FUNDRAISING}' to active: +0 added, -0 removed" in out
    assert f"'{FUNDRAISING}' is now active: +0 added, -0 removed.\n" in out
    assert segment(read, FUNDRAISING).type == "active"


def test_schedule(cli, read):
    out, _ = cli("schedule", "Newsletter, Normandie or Bretagne", "--on", "2026-12-31")
    assert out == "'Newsletter, Normandie or Bretagne': Converts on Thursday 31 December 2026 at 00:00 Europe/Paris.\n"
    out, _ = cli("schedule", "Newsletter, Normandie or Bretagne", "--after", "2", "weeks")
    assert out.startswith("'Newsletter, Normandie or Bretagne': Converts on Thursday 10 December 2026 at 10:30")
    assert segment(read, "Newsletter, Normandie or Bretagne").schedule_unit == "weeks"
    out, _ = cli("schedule", "Newsletter, Normandie or Bretagne", "--never")
    assert out == "'Newsletter, Normandie or Bretagne': This segment will not be converted automatically.\n"
    out, _ = cli("schedule", BRETAGNE, "--on", "2026-11-26")  # today: at the next run
    assert out.endswith("Already due: converts at the next worker run.\n")


def test_worker_once_applies_due_conversions(cli, env, read):
    handler = signal.getsignal(signal.SIGTERM)
    out, _ = cli("worker", "--once", "--interval", "5")
    assert signal.getsignal(signal.SIGTERM) is handler
    assert out.splitlines() == [
        "2026-11-26 10:30:00 converted 'Webinar October 2026' to static (due 2026-11-26 00:00)",
        "2026-11-26 10:30:00 1 conversion(s) applied, 0 segment(s) refreshed (0 changed), 0 failure(s)",
    ]
    assert segment(read, WEBINAR).type == "static"
    env.setenv("SEGTUI_NOW", "2026-12-28T00:00:00+01:00")
    out, _ = cli("worker", "--once")
    assert f"converted '{BRETAGNE}' to static (due 2026-12-28 00:00)" in out
    out, _ = cli("worker", "--once")
    assert "converted" not in out and "0 conversion(s) applied" in out


def test_global_options(cli, read):
    out, _ = cli("--tz", "America/New_York", "--actor", "carol", "segments", "rename", VIPS, "VIPs")
    row = segment(read, "VIPs")
    assert (row.updated_by, row.updated_at.isoformat()) == ("carol", "2026-11-26T09:30:00+00:00")
    out, _ = cli("--tz", "America/New_York", "segments", "show", "VIPs")
    assert "last activity:   2026-11-26 04:30" in out
    out, err = cli("--read-only", "segments", "rename", "VIPs", "Other", code=2)
    assert err == "segtui: This console is read-only: renaming a segment is not allowed.\n"
    out, _ = cli("--read-only", "segments", "list")
    assert "VIPs" in out


def test_help(cli, capsys):
    out, _ = cli("--help")
    assert "usage: segtui" in out and "SEGMENT is an id or an exact name" in out


def test_data_never_reaches_the_terminal_as_escape_sequences(cli, tmp_path):
    cli("segments", "create", "Evil \x1b[2J\x1b]0;pwned\x07", "--object", "contacts", "--type", "static")
    for args in (("segments", "list"), ("segments", "show", "10"), ("segments", "list", "--json"),
                 ("segments", "show", "10", "--json")):
        out, _ = cli(*args)
        assert "\x1b" not in out and "\x07" not in out, args
    cli("--actor", "mallory\x1b[31m", "segments", "delete", "10")
    out, _ = cli("segments", "deleted")
    assert "\x1b" not in out
    cli("--actor", "mallory\x1b[31m", "segments", "restore", "10")
    cli("segments", "rename", "10", "Plain")
    cli("segments", "filters", "Plain", write(tmp_path, "any.json", json.dumps(
        {"groups": [{"filters": [{"property": "email", "operator": "is_known"}]}]})))
    cli("--actor", "mallory\x1b[31m", "convert", "Plain", "--to", "active", "--yes")
    out, _ = cli("segments", "show", "Plain")
    assert "mallory" in out and "\x1b" not in out


# ---------------------------------------------------------------- bad inputs


@pytest.fixture
def files(tmp_path):
    return {
        "bad_json": write(tmp_path, "bad.json", "{groups: }"),
        "unknown_prop": write(tmp_path, "unknown.json", json.dumps(
            {"groups": [{"filters": [{"property": "colour", "operator": "is_known"}]}]})),
        "bad_csv": write(tmp_path, "bad.csv", "email,events_attended\na@example.org,1\nb@example.org,many\n"),
        "missing": str(tmp_path / "missing.file"),
        "folder": str(tmp_path),
        "unwritable": str(tmp_path / "no" / "such" / "dir" / "out.csv"),
    }


BAD = [
    (["segments", "create", "  ", "--object", "contacts", "--type", "static"], "A segment needs a name"),
    (["segments", "create", "hand-picked vips", "--object", "contacts", "--type", "static"],
     "A contacts segment named 'Hand-picked VIPs' already exists"),
    (["segments", "create", "X", "--object", "people", "--type", "static"], "argument --object: invalid choice: 'people'"),
    (["segments", "create", "X", "--object", "contacts", "--type", "active"], "An active segment needs at least one filter"),
    (["segments", "create", "X", "--object", "contacts", "--type", "active", "--filters", "{bad_json}"], "Filters are not valid JSON"),
    (["segments", "create", "X", "--object", "contacts", "--type", "active", "--filters", "{unknown_prop}"], "unknown property 'colour'"),
    (["segments", "create", "X", "--object", "contacts", "--type", "active", "--filters", "{missing}"], "No filters file at"),
    (["segments", "create", "X", "--object", "contacts"], "the following arguments are required: --type"),
    (["segments", "show", "No such segment"], "No segment named 'No such segment'"),
    (["segments", "show", "hand-picked vips"], "(did you mean 'Hand-picked VIPs'?)"),
    (["segments", "show", "999"], "No segment with id 999"),
    (["segments", "list", "--type", "dynamic"], "argument --type: invalid choice: 'dynamic'"),
    (["segments", "rename", VIPS, " "], "A segment needs a name"),
    (["segments", "rename", VIPS, "webinar october 2026"], "named 'Webinar October 2026' already exists"),
    (["segments", "delete", VIPS], "'Hand-picked VIPs' is used in the filters of 'Customers not in VIPs'"),
    (["segments", "restore", "999"], "No deleted segment with id 999"),
    (["segments", "restore", "abc"], "argument id: invalid int value: 'abc'"),
    (["segments", "add", VIPS, "nobody@example.org"], "No contact nobody@example.org: nothing was changed"),
    (["segments", "add", BRETAGNE, "{member}"], "is an active segment: its members follow its filters"),
    (["segments", "remove", BRETAGNE, "{member}"], "Convert it to static to remove records by hand"),
    (["segments", "add", VIPS], "the following arguments are required: EMAIL_OR_DOMAIN"),
    (["segments", "filters", BRETAGNE, "{unknown_prop}"], "unknown property 'colour'"),
    (["segments", "filters", BRETAGNE, "{bad_json}"], "Filters are not valid JSON"),
    (["segments", "filters", VIPS, "{missing}"], "No filters file at"),
    (["segments", "refresh", VIPS], "'Hand-picked VIPs' is static: only active segments follow their filters"),
    (["segments", "frobnicate"], "invalid choice: 'frobnicate'"),
    (["segments"], "the following arguments are required: action"),
    (["convert", VIPS, "--to", "active", "--yes"], "Add at least one filter to 'Hand-picked VIPs' before converting it to active"),
    (["convert", VIPS, "--to", "static", "--yes"], "'Hand-picked VIPs' is already static"),
    (["convert", BRETAGNE, "--to", "static"], "Not converting without confirmation: run again with --yes"),
    (["convert", BRETAGNE, "--to", "sideways", "--yes"], "argument --to: invalid choice: 'sideways'"),
    (["schedule", BRETAGNE, "--on", "2026-11-25"], "2026-11-25 is in the past (today is 2026-11-26): pick today or a later day"),
    (["schedule", BRETAGNE, "--on", "31/12/2026"], "'31/12/2026' is not a date: use YYYY-MM-DD"),
    (["schedule", BRETAGNE, "--on", "2026-02-30"], "2026-02-30 is not a real day of the calendar"),
    (["schedule", BRETAGNE, "--after", "0", "days"], "The period must be at least 1"),
    (["schedule", BRETAGNE, "--after", "-3", "weeks"], "The period must be at least 1"),
    (["schedule", BRETAGNE, "--after", "99999", "days"], "The period can be at most 3650 days (ten years)"),
    (["schedule", BRETAGNE, "--after", "1.5", "weeks"], "The period must be a whole number, not '1.5'"),
    (["schedule", BRETAGNE, "--after", "3", "years"], "The unit must be days, weeks or months, not 'years'"),
    (["schedule", BRETAGNE, "--after", "3"], "argument --after: expected 2 arguments"),
    (["schedule", BRETAGNE], "one of the arguments --never --on --after is required"),
    (["schedule", BRETAGNE, "--never", "--on", "2026-12-31"], "not allowed with argument"),
    (["schedule", VIPS, "--after", "3", "days"], "'Hand-picked VIPs' is static: automatic conversion to static applies to active segments only"),
    (["import", "contacts", "{bad_csv}"], "line 3: events_attended must be a number"),
    (["import", "contacts", "{missing}"], "No file at"),
    (["import", "contacts", "{folder}"], "is a folder, not a CSV file"),
    (["import", "people", "{bad_csv}"], "argument object_type: invalid choice: 'people'"),
    (["import", "contacts", "{bad_csv}", "--segment", "No such"], "No segment named 'No such'"),
    (["export", "No such", "{folder}/x.csv"], "No segment named 'No such'"),
    (["export", VIPS, "{unwritable}"], "Cannot write"),
    (["demo", "--contacts", "0"], "--contacts must be between 1 and 2,000,000"),
    (["demo", "--contacts", "many"], "argument --contacts: invalid int value: 'many'"),
    (["worker", "--interval", "0"], "--interval must be a positive number of seconds"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["--tz", "Mars/Olympus_Mons", "segments", "list"], "Unknown time zone 'Mars/Olympus_Mons'"),
    (["--read-only", "segments", "delete", BRETAGNE], "This console is read-only: deleting a segment is not allowed."),
    (["--read-only", "convert", BRETAGNE, "--to", "static", "--yes"], "This console is read-only"),
    (["--read-only", "segments", "refresh", BRETAGNE], "This console is read-only: refreshing a segment is not allowed."),
    (["--read-only", "import", "contacts", "{bad_csv}"], "This console is read-only: importing records is not allowed."),
]


@pytest.mark.parametrize("args, message", BAD, ids=[" ".join(a)[:60] for a, _ in BAD])
def test_bad_input_exits_2_with_a_message_and_changes_nothing(cli, read, files, args, message):
    member = read(lambda: Contact.select(Contact.email).join(Membership, on=(Membership.record_id == Contact.id))
                  .where(Membership.segment == 1).first().email)
    values = {**files, "member": member}
    args = [a.format(**values) for a in args]
    before = read(dump)
    out, err = cli(*args, code=2)
    assert err.startswith("segtui: ")
    assert message in err
    assert err.count("\n") >= 1 and "Traceback" not in err
    assert read(dump) == before


def test_bad_environment_exits_2(cli, env, read):
    before = read(dump)
    env.setenv("SEGTUI_NOW", "next tuesday")
    _, err = cli("segments", "list", code=2)
    assert err == "segtui: SEGTUI_NOW 'next tuesday' is not an ISO 8601 datetime (e.g. 2026-12-01T09:30:00+01:00)\n"
    for text in ("2026-12-01", "09:30", "P1D"):
        env.setenv("SEGTUI_NOW", text)
        _, err = cli("segments", "list", code=2)
        assert err == f"segtui: SEGTUI_NOW {text!r} must be a date and a time, e.g. 2026-12-01T09:30:00+01:00\n"
    env.setenv("SEGTUI_NOW", NOW)
    env.setenv("SEGTUI_TZ", "Nowhere/Special")
    _, err = cli("segments", "list", code=2)
    assert "Unknown time zone 'Nowhere/Special'" in err
    assert read(dump) == before


def test_a_database_from_a_newer_version_is_refused(cli, path):
    with sqlite3.connect(path) as raw:
        raw.execute("INSERT INTO schema_migration (name, applied) VALUES ('9999_future', '2030-01-01')")
    raw.close()
    data = path.read_bytes()
    _, err = cli("segments", "list", code=1)
    assert err.startswith("segtui: This database was written by a newer version of segtui (schema 9999_future)")
    assert path.read_bytes() == data
