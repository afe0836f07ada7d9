"""The command line, in-process: every README command on a demo database, and bad inputs."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import types

import pytest

from tests import driver_errors
from segtui import config
from segtui.cli import main
from segtui.core import db as dbmod
from segtui.core import records
from segtui.core.models import Contact, Membership, Segment, database_proxy

from core_helpers import BACKENDS, dump

NOW = "2026-11-26T10:30:00+01:00"
# a locale that does not say how days are written: day/month forms that read two ways are refused
ENV = {"SEGTUI_NOW": NOW, "SEGTUI_TZ": "Europe/Paris", "SEGTUI_ACTOR": "tester", "LC_ALL": "C.UTF-8"}
VIPS = "Hand-picked VIPs"  # static, no filters, used by 'Customers not in VIPs'
BRETAGNE = "Events 2025, Bretagne"  # active, converts on 28 Dec 2026
WEBINAR = "Webinar October 2026"  # active, converts today: already due
FUNDRAISING = "Fundraising event contacts"  # static with filters


def _close() -> None:
    if database_proxy.obj is not None:
        database_proxy.obj.close()


@pytest.fixture(scope="module", params=BACKENDS)
def template(request, tmp_path_factory):
    """The demo database every CLI test starts from: a SQLite file, or a PostgreSQL snapshot."""
    if request.param == "sqlite":
        url = tmp_path_factory.mktemp("cli") / "demo.db"
        server = None
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.url(server.reset())
    with pytest.MonkeyPatch.context() as mp:
        for key, value in ENV.items():
            mp.setenv(key, value)
        assert main(["--db", str(url), "demo", "--contacts", "300"]) == 0
    _close()
    if server is not None:
        server.snapshot("cli_demo")
    return request.param, url, server


@pytest.fixture
def backend(template) -> str:
    return template[0]


@pytest.fixture
def path(tmp_path, template):
    """The test's copy of the demo database: a file path, or a PostgreSQL URL."""
    backend, url, server = template
    if backend == "sqlite":
        target = tmp_path / "cli.db"
        shutil.copy(url, target)
        return target
    return server.url(server.restore("cli_demo"))


@pytest.fixture
def fresh(tmp_path, template):
    """An empty database on the test's backend."""
    backend, _, server = template
    return tmp_path / "fresh.db" if backend == "sqlite" else server.url(server.reset())


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


def test_demo_fills_once(fresh, env, capsys):
    assert main(["--db", str(fresh), "demo", "--contacts", "300", "--seed", "3"]) == 0
    _close()
    out = capsys.readouterr().out
    assert out.startswith("Demo data: 300 contacts, 30 companies, 13 segments.\n")
    assert "Events 2025, Bretagne" in out and "-> static on 28 Dec 2026" in out
    assert main(["--db", str(fresh), "demo"]) == 0
    _close()
    assert capsys.readouterr().out == "The database already holds records: the demo data is not added twice.\n"


def test_segments_list(cli):
    out, _ = cli("segments", "list")
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "TYPE", "OBJECT", "SIZE", "LAST", "ACTIVITY", "AUTO-CONVERSION"]
    assert len(lines) == 14
    assert [line for line in lines if WEBINAR in line][0].endswith("-> static on 26 Nov 2026")
    out, _ = cli("segments", "list", "--type", "active")
    assert len(out.splitlines()) == 11 and "Static" not in out
    out, _ = cli("segments", "list", "--type", "static", "--search", "VIP")
    assert [line.split("  ")[1].strip() for line in out.splitlines()[1:]] == [VIPS]
    out, _ = cli("segments", "list", "--search", "vip", "--json")
    rows = json.loads(out)
    assert [r["name"] for r in rows] == ["Customers not in VIPs", VIPS]
    assert set(rows[0]) == {"id", "name", "type", "object_type", "size", "last_activity_at", "auto_conversion",
                            "due_at", "updated_at", "created_by", "refresh_error", "description", "folder"}
    out, _ = cli("segments", "list", "--search", "nothing like this")
    assert out == "No segment matches 'nothing like this'.\n"


def test_segments_list_caps_a_long_name_and_json_keeps_it(cli):
    long_name = "Donors " + "very " * 60 + "long"
    cli("segments", "rename", VIPS, long_name)
    out, _ = cli("segments", "list")
    lines = out.splitlines()
    assert max(len(line) for line in lines) < 130
    shown = [line for line in lines if line.split()[1] == "Donors"][0]
    assert "Donors very very" in shown and "…" in shown and "long" not in shown
    rows = json.loads(cli("segments", "list", "--json")[0])
    assert long_name in [r["name"] for r in rows]


def test_usage_errors_name_the_subcommand_once(cli):
    _, err = cli("segments", "list", "--type", "dynamic", code=2)
    assert err.startswith("segtui: segments list: argument --type: invalid choice")
    assert "segtui segments" not in err
    _, err = cli("frobnicate", code=2)
    assert err.startswith("segtui: argument command: invalid choice")


@pytest.mark.parametrize("args", [["segments", "list"], ["segments", "show", "1"], ["segments", "deleted"],
                                  ["export", "1", "out.csv"]])
def test_a_reading_command_refuses_a_missing_database(env, capsys, tmp_path, args):
    target = tmp_path / "typo" / "x.db"
    assert main(["--db", str(target), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"segtui: There is no database at {target}; nothing was created.")
    assert f"segtui --db {target} demo" in err
    assert not target.parent.exists()


def test_a_reading_console_refuses_a_missing_database(env, capsys, tmp_path, monkeypatch):
    from segtui.tui import launch

    monkeypatch.setattr(launch, "has_terminal", lambda: True)
    target = tmp_path / "typo" / "x.db"
    assert main(["--db", str(target), "--read-only"]) == 2
    assert "There is no database at" in capsys.readouterr().err
    assert not target.parent.exists()


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
    "schedule", "refreshed_at", "conversions", "description", "folder",
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
    assert out == f"Added 2 records; '{VIPS}' now has 27 members.\n"
    out, _ = cli("segments", "add", VIPS, wanted[0])
    assert out.startswith("Added 0 records")
    out, _ = cli("segments", "remove", VIPS, *wanted)
    assert out == f"Removed 2 records; '{VIPS}' now has 25 members.\n"
    assert segment(read, VIPS).size == 25


def test_import_and_export(cli, tmp_path, read):
    first = emails(read, 1)[0]
    contacts = write(tmp_path, "contacts.csv", f"email,region,events_attended\n{first},Bretagne,9\nnew.one@example.org,Bretagne,\n")
    out, _ = cli("import", "contacts", contacts)
    assert out == f"Imported {contacts}: 2 lines: 1 created, 1 updated.\n"
    more = write(tmp_path, "more.csv", "email,first_name\nnew.two@example.org,Zoé\nnew.one@example.org,\n")
    out, _ = cli("import", "contacts", more, "--segment", VIPS)
    assert out == f"Imported {more}: 2 lines: 1 created, 0 updated, 1 unchanged, 2 added to the segment.\n"
    assert segment(read, VIPS).size == 27
    companies = write(tmp_path, "companies.csv", "domain,name,employees\nnew-co.example,New Co,1000\n")
    out, _ = cli("import", "companies", companies)
    assert out == f"Imported {companies}: 1 lines: 1 created, 0 updated.\n"

    target = tmp_path / "vips.csv"
    out, _ = cli("export", VIPS, target)
    assert out == f"Exported 27 members to {target}.\n"
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:2] == ["Email", "First name"] and len(rows) == 28
    assert {"new.one@example.org", "new.two@example.org"} <= {r[0] for r in rows[1:]}

    # the import moved the active segments at once: nothing is left for the worker
    out, _ = cli("worker", "--once")
    assert "0 segments refreshed" in out  # the dependant of the static segment followed too
    assert segment(read, BRETAGNE).next_refresh_at is None


def test_records_set_and_show(cli, read, env):
    email = emails(read, 1, member_of=BRETAGNE)[0]  # not a member of 'Events 2025, Bretagne'
    out, _ = cli("--actor", "bob", "records", "set", "contacts", email.upper(), "region=Bretagne",
                 "events_attended=3", "subscribed=yes", "city=")
    assert out.startswith("Saved region = Bretagne, events_attended = 3, subscribed = true, city = (unknown). Joined ")
    assert f"'{BRETAGNE}'" in out
    record_id = read(lambda: Contact.get(Contact.email == email).id)
    out, _ = cli("records", "show", "contacts", str(record_id))
    assert "  region:              Bretagne\n" in out and "  city:                (unknown)\n" in out
    line = next(x for x in out.splitlines() if BRETAGNE in x)
    assert line.endswith("joined 2026-11-26 10:30: events_attended, region changed by bob")
    out, _ = cli("records", "show", "contacts", email, "--json")
    data = json.loads(out)
    assert (data["id"], data["properties"]["region"], data["properties"]["events_attended"],
            data["properties"]["subscribed"], data["properties"]["city"]) == (record_id, "Bretagne", 3, True, None)
    (joined,) = [x for x in data["segments"] if x["name"] == BRETAGNE]
    assert joined == {"id": joined["id"], "name": BRETAGNE, "type": "active", "source": "filter",
                      "joined_at": "2026-11-26T09:30:00Z", "reason": "events_attended, region changed",
                      "actor": "bob"}
    assert segment(read, BRETAGNE).next_refresh_at is None
    out, _ = cli("check")
    assert out.endswith("segments: no drift.\n")


def test_records_delete_asks_then_leaves_every_segment(cli, read, monkeypatch):
    email = emails(read, 1)[0]
    record_id = read(lambda: Contact.get(Contact.email == email).id)
    held = read(lambda: sorted(s.name for s in records.segments_of("contacts", record_id)))
    assert held  # the demo puts every contact in a segment or more
    out, err = cli("records", "delete", "contacts", email, code=2)  # no terminal to ask on
    assert out.startswith(f"Delete contact {email} (#{record_id}) for good; it leaves ")
    assert err == "segtui: Not deleting without confirmation: run again with --yes\n"
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda _prompt: "n")
    out, _ = cli("records", "delete", "contacts", email, code=1)
    assert out.endswith("Nothing was changed.\n") and read(lambda: Contact.get_or_none(Contact.id == record_id))
    out, _ = cli("--actor", "bob", "records", "delete", "contacts", str(record_id), "--yes")
    assert f"Deleted contact {email}. Left " in out and all(repr(name) in out for name in held)
    assert read(lambda: (Contact.get_or_none(Contact.id == record_id), records.segments_of("contacts", record_id))) == (
        None, [])
    _, err = cli("records", "delete", "contacts", email, "--yes", code=2)
    assert f"No contact {email}" in err
    out, _ = cli("check")
    assert out.endswith("segments: no drift.\n")


def test_check_reports_drift_exit_1_and_repairs(cli, read, path):
    def corrupt():
        sid = Segment.get(Segment.name == BRETAGNE).id
        Membership.delete().where(Membership.record_id.in_(
            Membership.select(Membership.record_id).where(Membership.segment == sid).limit(2)) &
            (Membership.segment == sid)).execute()
        return sid

    sid = read(corrupt)
    out, _ = cli("check", code=1)
    assert f"#{sid} '{BRETAGNE}': 2 records its filters select are not members" in out
    assert out.endswith("1 segment drifted: run 'segtui check --repair'.\n")
    out, _ = cli("check", "--json", code=1)
    assert json.loads(out)["drift"][0]["missing"] == 2
    out, _ = cli("check", "--repair")
    assert out.endswith("1 segment repaired.\n")
    out, _ = cli("check")
    assert out.endswith("no drift.\n")


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


@pytest.mark.parametrize("amount, unit, stored, due", [
    ("1", "month", "months", "Saturday 26 December 2026"),
    ("1", "week", "weeks", "Thursday 3 December 2026"),
    ("1", "day", "days", "Friday 27 November 2026"),
    ("3", "Days", "days", "Sunday 29 November 2026"),
])
def test_schedule_after_accepts_singular_units(cli, read, amount, unit, stored, due):
    name = "Newsletter, Normandie or Bretagne"
    out, _ = cli("schedule", name, "--after", amount, unit)
    assert f"Converts on {due} at" in out
    assert segment(read, name).schedule_unit == stored


@pytest.mark.parametrize("locale, typed, day", [
    ("fr_FR.UTF-8", "31/12/2026", "2026-12-31"),
    ("en_GB.UTF-8", "03/01/2027", "2027-01-03"),
    ("en_US.UTF-8", "12/31/2026", "2026-12-31"),
    ("en_US.UTF-8", "01/03/2027", "2027-01-03"),
    ("C.UTF-8", "31.12.2026", "2026-12-31"),
    ("C.UTF-8", "tomorrow", "2026-11-27"),
    ("C.UTF-8", "in 2 weeks", "2026-12-10"),
    ("C.UTF-8", "next monday", "2026-11-30"),
])
def test_schedule_on_reads_the_locale_form_and_words_and_says_what_it_read(cli, read, env, locale, typed, day):
    env.setenv("LC_ALL", locale)
    name = "Newsletter, Normandie or Bretagne"
    out, _ = cli("schedule", name, "--on", typed)
    assert out.splitlines()[0].startswith(f"{typed!r} read as ")
    assert f"({day})" in out.splitlines()[0]
    assert segment(read, name).schedule_day.isoformat() == day


def test_schedule_on_refuses_the_other_order_under_a_locale(cli, env):
    env.setenv("LC_ALL", "fr_FR.UTF-8")
    _, err = cli("schedule", BRETAGNE, "--on", "12/31/2026", code=2)
    assert err == "segtui: 12/31/2026 is not a day in the form day/month/year (e.g. 31/12/2026)\n"


def test_worker_once_applies_due_conversions(cli, env, read):
    handler = signal.getsignal(signal.SIGTERM)
    out, _ = cli("worker", "--once", "--interval", "5")
    assert signal.getsignal(signal.SIGTERM) is handler
    assert out.splitlines() == [
        "2026-11-26 10:30:00 converted 'Webinar October 2026' to static (due 2026-11-26 00:00)",
        "2026-11-26 10:30:00 1 conversion applied, 0 segments refreshed (0 changed), 0 failures",
    ]
    assert segment(read, WEBINAR).type == "static"
    env.setenv("SEGTUI_NOW", "2026-12-28T00:00:00+01:00")
    out, _ = cli("worker", "--once")
    assert f"converted '{BRETAGNE}' to static (due 2026-12-28 00:00)" in out
    out, _ = cli("worker", "--once")
    assert "converted" not in out and "0 conversions applied" in out


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
    for args in (("segments", "list"), ("segments", "show", "14"), ("segments", "list", "--json"),
                 ("segments", "show", "14", "--json")):
        out, _ = cli(*args)
        assert "\x1b" not in out and "\x07" not in out, args
    cli("--actor", "mallory\x1b[31m", "segments", "delete", "14")
    out, _ = cli("segments", "deleted")
    assert "\x1b" not in out
    cli("--actor", "mallory\x1b[31m", "segments", "restore", "14")
    cli("segments", "rename", "14", "Plain")
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
        "wrong_type": _filters(tmp_path, "wrong_type", {"property": "events_attended", "operator": "gte", "value": "many"}),
        "wrong_op": _filters(tmp_path, "wrong_op", {"property": "subscribed", "operator": "contains", "value": "x"}),
        "bad_day": _filters(tmp_path, "bad_day", {"property": "created_date", "operator": "on", "value": "2026-13-01"}),
        "huge_int": write(tmp_path, "huge_int.json", '{"groups": [{"filters": [{"property": "events_attended", '
                          '"operator": "gte", "value": 1' + "0" * 400 + "}]}]}"),
        "infinite": write(tmp_path, "infinite.json", '{"groups": [{"filters": [{"property": "events_attended", '
                          '"operator": "gte", "value": 1e999}]}]}'),
        "nul_value": _filters(tmp_path, "nul_value", {"property": "region", "operator": "is_any_of", "values": ["Bre\x00"]}),
        "no_segment": _filters(tmp_path, "no_segment", {"segment": "No such", "operator": "in_segment"}),
        "companies_segment": _filters(tmp_path, "companies_segment", {"segment": "Large companies", "operator": "in_segment"}),
        "cycle": _filters(tmp_path, "cycle", {"segment": "Customers not in VIPs", "operator": "in_segment"}),
        "negative_days": _filters(tmp_path, "negative_days", {"property": "last_activity_date",
                                                              "operator": "less_than_days_ago", "value": -3}),
        "huge_days": _filters(tmp_path, "huge_days", {"property": "last_activity_date",
                                                      "operator": "more_than_days_from_now", "value": 10**11}),
        "reversed": _filters(tmp_path, "reversed", {"property": "events_attended", "operator": "between", "values": [5, 1]}),
        "not_object": write(tmp_path, "list.json", "[1, 2]"),
        "nul_csv": write(tmp_path, "nul.csv", "email,region\na@example.org,Bre\x00tagne\n"),
        "bad_day_csv": write(tmp_path, "bad_day.csv", "email,created_date\na@example.org,2026-02-30\n"),
        "unknown_column": write(tmp_path, "colour.csv", "email,colour\na@example.org,red\n"),
        "no_key": write(tmp_path, "no_key.csv", "region\nBretagne\n"),
        "twice": write(tmp_path, "twice.csv", "email,region\na@example.org,X\nA@example.org,Y\n"),
        "short_row": write(tmp_path, "short.csv", "email,region\na@example.org\n"),
        "empty_csv": write(tmp_path, "empty.csv", ""),
        "bad_bool": write(tmp_path, "bool.csv", "email,subscribed\na@example.org,maybe\n"),
        "bad_enum": write(tmp_path, "enum.csv", "email,lifecycle_stage\na@example.org,boss\n"),
        "huge_csv": write(tmp_path, "huge.csv", "email,events_attended\na@example.org,1e999\n"),
        "bad_email": write(tmp_path, "email.csv", "email\nnot-an-email\n"),
        "long_email": write(tmp_path, "long_email.csv", "email\n" + "x" * 290 + "@example.org\n"),
        "latin1": _binary(tmp_path, "latin1.csv", b"email,city\na@example.org,Qu\xe9bec\n"),
        "missing": str(tmp_path / "missing.file"),
        "folder": str(tmp_path),
        "unwritable": str(tmp_path / "no" / "such" / "dir" / "out.csv"),
    }


def _filters(tmp_path, name, one_filter) -> str:
    return write(tmp_path, f"{name}.json", json.dumps({"groups": [{"filters": [one_filter]}]}))


def _binary(tmp_path, name, data: bytes) -> str:
    target = tmp_path / name
    target.write_bytes(data)
    return str(target)


CREATE_X = ["segments", "create", "X", "--object", "contacts", "--type", "active", "--filters"]
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
    (["segments", "restore", "abc"], "argument id: 'abc' is not a segment id"),
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
    (["schedule", BRETAGNE, "--on", "03/04/2027"], "03/04/2027 reads two ways: Saturday 3 April 2027 (day/month) "
                                                  "or Thursday 4 March 2027 (month/day); type 2027-04-03 or 2027-03-04"),
    (["schedule", BRETAGNE, "--on", "someday"], "'someday' is not a day: type a day as 2026-12-31, or a word: today,"),
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
    (["import", "contacts", "{bad_csv}"], "line 3: Events attended must be a number"),
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
    # filters: every way a filter can be wrong names the filter and what is wrong with it
    ([*CREATE_X, "{wrong_type}"], "Group 1, filter 1: Events attended needs a number, got 'many'"),
    ([*CREATE_X, "{wrong_op}"], "operator 'contains' does not apply to Subscribed (a boolean property)"),
    ([*CREATE_X, "{bad_day}"], "Created date needs a date as YYYY-MM-DD, got '2026-13-01'"),
    ([*CREATE_X, "{huge_int}"], "Events attended is too large a number (401 digits)"),
    ([*CREATE_X, "{infinite}"], "Events attended needs a number, got inf"),
    ([*CREATE_X, "{nul_value}"], "Region cannot contain a NUL character (\\x00)"),
    ([*CREATE_X, "{no_segment}"], "Group 1, filter 1: No segment named 'No such'"),
    ([*CREATE_X, "{companies_segment}"], "segment 'Large companies' is a companies segment"),
    ([*CREATE_X, "{negative_days}"], "needs a whole number of days from 0 to 36500, got -3"),
    ([*CREATE_X, "{huge_days}"], "needs a whole number of days from 0 to 36500, got 100000000000"),
    ([*CREATE_X, "{reversed}"], "is between 5 and 1: the first value is greater than the second"),
    ([*CREATE_X, "{not_object}"], "Filters must be a JSON object with a 'groups' list"),
    (["segments", "filters", VIPS, "{cycle}"], "would make 'Hand-picked VIPs' depend on itself"),
    (["segments", "filters", VIPS, "{companies_segment}"], "is a companies segment"),
    # imports: all or nothing, with the lines at fault
    (["import", "contacts", "{nul_csv}"], "line 2: Region contains a NUL character (\\x00), which cannot be stored"),
    (["import", "contacts", "{bad_day_csv}"], "line 2: Created date: 2026-02-30 is not a real day"),
    (["import", "contacts", "{unknown_column}"], "line 1: unknown column 'colour' (did you mean 'Country'?)"),
    (["import", "contacts", "{no_key}"], "line 1: the header has no 'Email' column (email)"),
    (["import", "companies", "{no_key}"], "line 1: the header has no 'Domain' column (domain)"),
    (["import", "contacts", "{twice}"], "line 3: email a@example.org is also on line 2"),
    (["import", "contacts", "{short_row}"], "line 2: 1 cells where the header has 2"),
    (["import", "contacts", "{empty_csv}"], "The file is empty: it needs a header row"),
    (["import", "contacts", "{bad_bool}"], "line 2: Subscribed must be true or false"),
    (["import", "contacts", "{bad_enum}"], "line 2: Lifecycle stage: 'boss' is not one of its options (Subscriber"),
    (["import", "contacts", "{huge_csv}"], "line 2: Events attended: '1e999' is too large"),
    (["import", "contacts", "{bad_email}"], "line 2: 'not-an-email' is not an email address"),
    (["import", "contacts", "{latin1}"], "is not UTF-8 text"),
    (["import", "contacts", "{long_email}"], "line 2: Email is 302 characters long: at most 254"),
    # schedules, names, numbers, gone segments
    (["schedule", BRETAGNE, "--on", "31-31-2027"], "31-31-2027 is not a real day of the calendar"),
    (["schedule", BRETAGNE, "--after", "1", "fortnights"], "The unit must be days, weeks or months, not 'fortnights'"),
    (["schedule", BRETAGNE, "--after", "x", "days"], "The period must be a whole number, not 'x'"),
    (["segments", "clone", BRETAGNE, "--name", "webinar OCTOBER 2026"], "named 'Webinar October 2026' already exists"),
    (["segments", "clone", BRETAGNE, "--name", " "], "A segment needs a name"),
    (["segments", "rename", "999", "X"], "No segment with id 999"),
    (["segments", "add", "999", "a@example.org"], "No segment with id 999"),
    (["demo", "--contacts", "3000000"], "--contacts must be between 1 and 2,000,000"),
    (["worker", "--interval", "-1"], "--interval must be a positive number of seconds"),
    (["--read-only", "worker", "--once"], "This console is read-only: running the worker is not allowed."),
    (["records", "set", "contacts", "{member}", "region"], "'region' is not PROPERTY=VALUE"),
    (["records", "set", "contacts", "{member}", "region=a", "region=b"], "region is given twice"),
    (["records", "set", "contacts", "{member}", "colour=red"], "Unknown property 'colour' for contacts"),
    (["records", "set", "contacts", "{member}", "events_attended=lots"], "Events attended must be a number"),
    (["records", "set", "contacts", "{member}", "region=x", "email="], "Email cannot be empty"),
    (["records", "set", "contacts", "nobody@example.org", "region=x"], "No contact nobody@example.org"),
    (["records", "set", "people", "x", "region=x"], "argument object_type: invalid choice: 'people'"),
    (["records", "show", "companies", "99999"], "No company with id 99999"),
    (["--read-only", "records", "set", "contacts", "{member}", "region=x"], "editing a record is not allowed"),
    (["--read-only", "check", "--repair"], "repairing segments is not allowed"),
]


def _bad_id(args: list[str]) -> str:
    text = " ".join(args).replace(" ".join(CREATE_X), "create --filters")
    return text if len(text) <= 60 else text[:57] + "..."


@pytest.mark.parametrize("args, message", BAD, ids=[_bad_id(a) for a, _ in BAD])
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


def raw_dump(path) -> dict:
    """dump() without the schema check (that refuses a newer database)."""
    db = dbmod.connect(str(path))
    database_proxy.initialize(db)
    try:
        return dump()
    finally:
        db.close()


def test_a_database_from_a_newer_version_is_refused(cli, path, read):
    read(lambda: database_proxy.execute_sql(
        "INSERT INTO schema_migration (name, applied) VALUES ('9999_future', '2030-01-01')"))
    before = raw_dump(path)
    for args in (["segments", "list"], ["segments", "rename", VIPS, "Other"], ["worker", "--once"]):
        _, err = cli(*args, code=1)
        assert err.startswith("segtui: This database was written by a newer version of segtui (schema 9999_future)")
    assert raw_dump(path) == before


# ---------------------------------------------------------------- database trouble: a sentence, never a traceback


SQLITE_ONLY = pytest.mark.parametrize("template", ["sqlite"], indirect=True)


@SQLITE_ONLY
def test_a_read_only_file_is_opened_read_only(cli, path, monkeypatch):
    """Reads work; every write is refused naming the file and why; the file is untouched."""
    real = os.access
    monkeypatch.setattr(dbmod, "os", types.SimpleNamespace(
        environ=os.environ, R_OK=os.R_OK, W_OK=os.W_OK,
        access=lambda p, mode: False if mode == os.W_OK and str(p) == str(path) else real(p, mode)))
    data = path.read_bytes()
    assert VIPS in cli("segments", "list")[0]
    assert "size:" in cli("segments", "show", VIPS)[0]
    assert cli("segments", "deleted")[0].startswith("No segment was deleted")
    cli("export", VIPS, path.parent / "vips.csv")
    why = f"segtui: The database {path} is read-only (no permission to write the file): "
    assert cli("segments", "rename", VIPS, "Other", code=2)[1] == why + "renaming a segment is not possible.\n"
    assert cli("worker", "--once", code=2)[1] == why + "running the worker is not possible.\n"
    assert cli("convert", BRETAGNE, "--to", "static", "--yes", code=2)[1] == why + "converting a segment is not possible.\n"
    assert path.read_bytes() == data


def test_a_locked_database_is_reported_and_reads_still_work(cli, path, read, backend, monkeypatch):
    monkeypatch.setattr(config, "BUSY_TIMEOUT_SECONDS", 0.3)
    before = read(dump)
    holder = _hold_a_write_lock(path, backend)
    try:
        assert VIPS in cli("segments", "list")[0]
        _, err = cli("segments", "rename", VIPS, "Other", code=1)
        assert err == (f"segtui: The database {dbmod.describe(str(path))} is locked by another process "
                       "(waited 0.3 s); nothing was changed: try again in a moment.\n")
    finally:
        holder.rollback()
        holder.close()
    assert read(dump) == before
    cli("segments", "rename", VIPS, "Other")


def _hold_a_write_lock(path, backend):
    """Another process in the middle of a write: the file's write lock, or the segment's row."""
    if backend == "sqlite":
        import sqlite3

        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("UPDATE contact SET city = city")
        return holder
    import psycopg2

    params = dbmod.parseresult_to_dict(dbmod.urlparse(str(path)))
    holder = psycopg2.connect(dbname=params["database"], user=params["user"], host=params["host"])
    holder.cursor().execute("SELECT id FROM segment WHERE name = %s FOR UPDATE", (VIPS,))
    return holder


@pytest.mark.parametrize("url, where", [
    ("postgresql://segtui@127.0.0.1:1/segtui", "Cannot reach the PostgreSQL server at 127.0.0.1:1 "
                                                "(postgresql://segtui@127.0.0.1:1/segtui): connection to server"),
    ("postgresql://bob:secret@localhost:1/crm", "Cannot reach the PostgreSQL server at localhost:1 "
                                                 "(postgresql://bob:***@localhost:1/crm)"),
    ("postgresql:///crm?host=/nonexistent/folder", "Cannot reach the PostgreSQL server at the socket in "
                                                    "/nonexistent/folder"),
])
def test_an_unreachable_postgresql_server_is_named(env, capsys, url, where):
    pytest.importorskip("psycopg2")
    for args in (["segments", "list"], ["worker", "--once"], ["segments", "rename", "1", "X"]):
        assert main(["--db", url, *args]) == 1
        out, err = capsys.readouterr()
        assert err.startswith(f"segtui: {where}") and "Traceback" not in err
        assert "secret" not in err


@pytest.mark.postgres
def test_a_missing_postgresql_database_is_named(env, capsys, postgres_server):
    url = postgres_server.url("no_such_db")
    assert main(["--db", url, "segments", "list"]) == 1
    assert capsys.readouterr().err == (
        f"segtui: The PostgreSQL server at the socket in {postgres_server.folder} has no database 'no_such_db': "
        f"create it (createdb) or correct the URL {url}\n")


def test_a_missing_folder_is_created_by_a_writing_command_and_a_folder_is_no_database(env, capsys, tmp_path):
    target = tmp_path / "new" / "deeper" / "crm.db"
    assert main(["--db", str(target), "segments", "create", "X", "--object", "contacts", "--type", "static"]) == 0
    _close()
    assert target.is_file()
    capsys.readouterr()
    assert main(["--db", str(tmp_path), "segments", "list"]) == 1
    assert capsys.readouterr().err == f"segtui: {tmp_path} is a folder, not a database file: give a file name\n"


# ---------------------------------------------------------------- stale edits: the CLI carries the version it read

STALE_EDITS = {
    "rename": ["segments", "rename", WEBINAR, "Webinar"],
    "delete": ["segments", "delete", WEBINAR],
    "filters": ["segments", "filters", WEBINAR, "{any_filter}"],
    "schedule": ["schedule", WEBINAR, "--never"],
    "convert": ["convert", WEBINAR, "--to", "static", "--yes"],
    "add": ["segments", "add", VIPS, "{member}"],
    "remove": ["segments", "remove", VIPS, "{member}"],
}


@pytest.mark.parametrize("edit", STALE_EDITS)
def test_an_edit_made_on_a_stale_read_is_refused_naming_who_changed_what(cli, read, tmp_path, monkeypatch, edit):
    """Another admin renames the segment between the CLI's read and its write."""
    from segtui import cli as climod
    from segtui.core import segments as segments_service

    member = read(lambda: Contact.select(Contact.email).order_by(Contact.id).first().email)
    any_filter = write(tmp_path, "any.json", json.dumps(
        {"groups": [{"filters": [{"property": "email", "operator": "is_known"}]}]}))
    args = [a.format(member=member, any_filter=any_filter) for a in STALE_EDITS[edit]]
    real_get = segments_service.get

    def get_then_someone_renames(ref):
        found = real_get(ref)
        bob = climod.make_context(climod.build_parser().parse_args(["--actor", "bob", "segments", "list"]))
        segments_service.rename(bob, found.id, found.name + " (bob)")
        return found

    monkeypatch.setattr(climod.segments, "get", get_then_someone_renames)
    name = VIPS if edit in ("add", "remove") else WEBINAR
    original = segment(read, name)
    _, err = cli(*args, code=1)
    assert err == (f"segtui: '{name} (bob)' was changed by bob at 2026-11-26 09:30 UTC while this command ran "
                   f"(Renamed '{name}' to '{name} (bob)'); nothing was changed: look at it again and run the "
                   "command again if it still applies\n")  # not the console's "it has been reloaded" (issue 10)
    renamed = segment(read, f"{name} (bob)")  # bob's rename stands, and nothing else happened
    columns = ("type", "size", "filters", "schedule_mode", "due_at", "deleted_at", "last_activity_at")
    assert [getattr(renamed, c) for c in columns] == [getattr(original, c) for c in columns]
    assert (renamed.version, renamed.updated_by) == (original.version + 1, "bob")


# ---------------------------------------------------------------- the headless worker rides out database trouble


def test_the_worker_survives_transient_database_errors(cli, env, monkeypatch, capsys, path):

    from segtui import cli as climod
    from segtui import worker

    real_tick, calls, handlers = worker.tick, [], {}
    errors = [driver_errors.sqlite_locked(), driver_errors.connection_closed(), driver_errors.server_gone()]

    def tick(ctx, me=None):
        calls.append(me)
        if errors:
            raise errors.pop(0)
        handlers["term"]()  # SIGTERM after the first good tick
        return real_tick(ctx, me=me)

    monkeypatch.setattr(worker, "tick", tick)
    monkeypatch.setattr(climod.signal, "signal", lambda sig, handler: handlers.update(term=lambda: handler(sig, None)))
    monkeypatch.setattr(climod.time, "sleep", lambda seconds: None)
    out, err = cli("worker", "--interval", "0.01")
    assert len(calls) == 4 and len(set(calls)) == 1
    lines = err.splitlines()
    assert len(lines) == 3 and all(line.startswith("2026-11-26 10:30:00 ") for line in lines)
    assert "is locked by another process" in lines[0] and lines[0].endswith("Retrying in 0.01 s.")
    assert "connection already closed" in lines[1] and "server closed the connection" in lines[2]
    assert f"converted '{WEBINAR}' to static" in out


def test_export_to_a_relative_name_says_the_full_location(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out, _ = cli("export", VIPS, "vips.csv")
    assert out == f"Exported 25 members to {tmp_path / 'vips.csv'}.\n"


def test_properties_and_an_import_as_it_comes_from_the_command_line(cli, tmp_path):
    """issue 12: properties list/create/edit/archive/restore, and import with --dry-run, --map, --skip."""
    out, _ = cli("properties", "create", "contacts", "Loyalty Tier", "--type", "enumeration", "--options", "Gold,Silver",
                 "--description", "Tier", "--group", "Membership")
    assert out == "Created the contacts property 'Loyalty Tier' (loyalty_tier, enumeration: Gold, Silver).\n"
    cli("properties", "create", "contacts", "Spend", "--type", "text")
    out, _ = cli("properties", "edit", "contacts", "Loyalty Tier", "--add-option", "Platinum", "--label", "Loyalty")
    assert out == "'Loyalty' (loyalty_tier, enumeration). Options: Gold, Silver, Platinum.\n"
    out, _ = cli("properties", "edit", "contacts", "spend", "--type", "number")
    assert out == "'Spend' is now number: 0 values converted.\n"
    _, err = cli("properties", "edit", "contacts", "spend", "--options", "a,b", code=2)
    assert "--options goes with --type" in err
    out, _ = cli("properties", "list", "contacts")
    assert "loyalty_tier" in out and "Gold, Silver, Platinum" in out and "custom" in out
    listed = json.loads(cli("properties", "list", "contacts", "--json")[0])
    level = next(p for p in listed if p["name"] == "loyalty_tier")
    assert (level["label"], level["group"], [o["value"] for o in level["options"]]) == (
        "Loyalty", "Membership", ["gold", "silver", "platinum"])
    out, _ = cli("properties", "archive", "contacts", "spend")
    assert out.startswith("Archived 'Spend' (spend); its values are kept.")
    assert "spend" not in cli("properties", "list", "contacts")[0]
    assert "spend" in cli("properties", "list", "contacts", "--archived")[0]
    assert cli("properties", "restore", "contacts", "spend")[0] == "Restored 'Spend' (spend).\n"

    csv_file = tmp_path / "people.csv"
    csv_file.write_text("Email,Loyalty,Favourite,Notes\nnew.cli@example.org,gold,Red,x\n", encoding="utf-8")
    _, err = cli("import", "contacts", csv_file, code=2)
    assert "unknown column 'Favourite'" in err and "--create-properties" in err
    out, _ = cli("import", "contacts", csv_file, "--dry-run", "--create-properties", "--skip", "Notes")
    assert "  Loyalty -> Loyalty (loyalty_tier, enumeration) [label]" in out
    assert "  Notes -> not imported [--skip]" in out
    assert "Would create the property 'Favourite' (favourite, text)" in out
    assert "1 lines: 1 new, 0 updated, 0 unchanged, 0 refused lines. Nothing was written (dry run)." in out
    out, _ = cli("import", "contacts", csv_file, "--dry-run", "--map", "Favourite=", "--map", "Notes=spend", code=2)
    assert "  Notes -> Spend (spend, number) [--map]" in out and "  Favourite -> not imported [--map]" in out
    assert "The file was refused, it would not import (1 problem):\n  line 2: column 'Notes': Spend must be a " \
           "number, not 'x'\n" in out
    _, err = cli("import", "contacts", csv_file, "--map", "Favourite", code=2)
    assert 'write it as "Column=property"' in err
    out, _ = cli("import", "contacts", csv_file, "--map", "Favourite=", "--skip", "Notes")
    assert out.startswith(f"Imported {csv_file}: 1 lines: 1 created, 0 updated.")
