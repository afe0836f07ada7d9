"""Findings 1, 5 and 6 of issue 10: what a console or the CLI may write and read.

An admin over SSH could export to any path the server's user can write (an
``authorized_keys2`` line hidden in a CSV cell gave a shell), export through a dangling
symlink, read the first line of any file through an import's error; the CLI overwrote
files in place and followed symlinks; formula cells went out raw. Each attack is tried
here and shown refused, with nothing written.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
from pathlib import Path

import pytest
from textual.widgets import Input, Select

from segtui.cli import main
from segtui.core import files, records
from segtui.core.context import Context
from segtui.core.errors import InvalidInput
from segtui.core.models import Contact
from segtui.core.properties import properties
from segtui.tui.app import SegtuiApp
from segtui.tui.screens.export_modal import ExportModal
from segtui.tui.screens.import_modal import ImportModal
from segtui.tui.screens.segment_detail import SegmentDetailScreen

from .helpers import AUTHORIZED_KEY_LINE, HOSTILE_FIRST_NAME, close_database, hostile_segment

HOSTILE_NAMES = [
    "/etc/cron.d/segtui.csv", "../outside.csv", "~/.ssh/authorized_keys2", "~evil.csv", ".hidden.csv",
    "sub/dir.csv", "a\\b.csv", "..csv", "json.py", "authorized_keys2", "", "   ", " x.csv",
    "bell\x07.csv", "clear\x1b[2J.csv", "rtl\u202e.csv", "nul\x00.csv", "x" * 300 + ".csv",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_console_file_name_is_a_plain_csv_name(name):
    with pytest.raises(InvalidInput) as refused:
        files.check_name(name)
    assert refused.value.message.endswith((".", ")")) and "\x1b" not in refused.value.message
    assert files.check_name("members 2026-11 (VIPs).csv") == "members 2026-11 (VIPs).csv"


# -- the console ----------------------------------------------------------------------------
def run_console(ctx: Context, folder: Path, segment_id: int | None, scenario) -> None:
    app = SegtuiApp(ctx, animations=False, worker_interval=0, files_dir=folder)

    async def main_() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            if segment_id is not None:
                app.push_screen(SegmentDetailScreen(segment_id))
                await pilot.pause()
            await scenario(pilot)

    asyncio.run(main_())


@pytest.fixture
def place(tmp_path, monkeypatch):
    """The console's files folder, and a HOME of its own (so that a '~' export, if it got
    through, would land in the test's folder and not in the tester's own)."""
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    folder = tmp_path / "files"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)  # where a relative path would have gone
    return {"root": tmp_path, "home": home, "files": folder}


def everything_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.sqlite_only
def test_the_console_exports_only_a_new_name_in_the_files_folder(ctx, place):
    segment_id = hostile_segment(ctx)
    outside = place["root"] / "outside"
    outside.mkdir()
    (place["files"] / "link.csv").symlink_to(outside / "created-through-the-link.csv")  # dangling
    before = everything_under(place["root"])
    attempts = ["~/.ssh/authorized_keys2", str(outside / "abs.csv"), "../escape.csv", "json.py", "link.csv",
                "sub/x.csv", "\x1b]0;owned\x07.csv"]
    errors = {}

    async def scenario(pilot):
        for attempt in attempts:
            await pilot.press("x")
            await pilot.pause()
            modal = pilot.app.screen
            assert isinstance(modal, ExportModal)
            assert str(place["files"]) in str(modal.query_one("#export-folder").render())
            modal.query_one("#export-path", Input).value = attempt
            await pilot.press("enter")
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            assert pilot.app.screen is modal, f"{attempt!r} was accepted"
            errors[attempt] = str(modal.query_one("#export-error").render())
            await pilot.press("escape")
            await pilot.pause()

    run_console(ctx, place["files"], segment_id, scenario)
    assert everything_under(place["root"]) == before  # nothing written anywhere
    assert not (place["home"] / ".ssh" / "authorized_keys2").exists()
    assert "already exists" in errors["link.csv"]
    assert "not a path" in errors[str(outside / "abs.csv")] and "not a path" in errors["~/.ssh/authorized_keys2"]
    assert all(message and "\x1b" not in message and "\x07" not in message for message in errors.values())


@pytest.mark.sqlite_only
def test_a_console_export_is_written_in_the_folder_with_formulas_made_inert(ctx, place):
    segment_id = hostile_segment(ctx)

    async def scenario(pilot):
        await pilot.press("x")
        await pilot.pause()
        pilot.app.screen.query_one("#export-path", Input).value = "targets.csv"
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    run_console(ctx, place["files"], segment_id, scenario)
    written = place["files"] / "targets.csv"
    assert sorted(os.listdir(place["files"])) == ["targets.csv"]  # and no temporary file left
    rows = by_email(written)
    assert rows["formula@example.org"]["first_name"] == "'" + HOSTILE_FIRST_NAME
    assert rows["formula@example.org"]["region"] == "'@SUM(1+1)"
    assert rows["keys@example.org"]["last_name"] == "'\tTab" and rows["keys@example.org"]["city"] == "'\rCR"
    assert rows["plain@example.org"]["events_attended"] == "-3"  # a number is not a formula


@pytest.mark.sqlite_only
def test_the_console_imports_only_plain_files_of_the_folder_and_shows_no_other_file(ctx, place):
    secret = place["root"] / "secret.txt"
    secret.write_text("root:$6$hashhashhash:19000:0:99999:7:::\n", encoding="utf-8")
    (place["files"] / "shadow.csv").symlink_to(secret)
    (place["files"] / "b.csv").write_text("email\nb@example.org\n", encoding="utf-8")
    (place["files"] / "a.csv").write_text("email\na@example.org\n", encoding="utf-8")
    (place["files"] / ".hidden.csv").write_text("email\n", encoding="utf-8")
    (place["files"] / "notes.txt").write_text("hello", encoding="utf-8")
    os.mkfifo(place["files"] / "fifo.csv")
    reports, options = {}, []

    async def scenario(pilot):
        await pilot.press("i")
        await pilot.pause()
        modal = pilot.app.screen
        assert isinstance(modal, ImportModal)
        options.extend(value for _, value in modal.query_one("#import-pick", Select)._options if value != Select.NULL)
        for attempt in (str(secret), "../secret.txt", "shadow.csv", "fifo.csv", "~/x.csv"):
            modal.query_one("#import-path", Input).value = attempt
            await pilot.press("enter")
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            reports[attempt] = str(modal.query_one("#import-report").render())

    contacts = Contact.select().count()
    run_console(ctx, place["files"], None, scenario)
    assert options == ["a.csv", "b.csv"]  # no symlink, no FIFO, no hidden file, no other kind
    for attempt, report in reports.items():
        assert "root:" not in report and "hash" not in report, (attempt, report)
        assert "⚠" in report or "Nothing was imported" in report, (attempt, report)
    assert "not a plain file" in reports["shadow.csv"] and "not a plain file" in reports["fifo.csv"]
    assert Contact.select().count() == contacts


def by_email(path: Path) -> dict[str, dict]:
    """An export's rows by email, cells by internal name (exports head their columns by label)."""
    names = {p.label: p.name for p in properties("contacts").values()}
    rows = csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8")))
    return {r["Email"]: {names[label]: cell for label, cell in r.items()} for r in rows}


# -- the core and the CLI (both databases) --------------------------------------------------
def export(url, *args: str) -> int:
    try:
        return main(["--db", str(url), "export", *args])
    finally:
        close_database()


def test_the_cli_export_never_overwrites_nor_follows_a_symlink_unless_forced(ctx, database_url, tmp_path, capsys):
    segment_id = hostile_segment(ctx)
    existing = tmp_path / "precious.csv"
    existing.write_text("precious", encoding="utf-8")
    victim = tmp_path / "victim.txt"
    victim.write_text("the file a symlink points to", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(victim)
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "would-be-created.csv")

    for target in (existing, link, dangling):
        assert export(database_url, str(segment_id), str(target)) == 2
        assert "already exists" in capsys.readouterr().err
    assert existing.read_text(encoding="utf-8") == "precious"
    assert victim.read_text(encoding="utf-8") == "the file a symlink points to"
    assert not (tmp_path / "would-be-created.csv").exists() and dangling.is_symlink()

    assert export(database_url, str(segment_id), str(link), "--force") == 0
    assert not link.is_symlink() and "formula@example.org" in link.read_text(encoding="utf-8")
    assert victim.read_text(encoding="utf-8") == "the file a symlink points to"  # replaced, not followed
    assert export(database_url, str(segment_id), str(existing), "--force") == 0
    assert "formula@example.org" in existing.read_text(encoding="utf-8")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_failed_export_leaves_the_old_file_whole_and_no_temporary_file(ctx, tmp_path, monkeypatch):
    segment_id = hostile_segment(ctx)
    target = tmp_path / "report.csv"
    target.write_text("yesterday's report", encoding="utf-8")

    real_writer = csv.writer

    class FullDisk:  # the header and one row get written, then the disk is full
        def __init__(self, out):
            self.writer, self.rows = real_writer(out), 0

        def writerow(self, row):
            self.rows += 1
            if self.rows > 2:
                raise OSError(28, "No space left on device")
            self.writer.writerow(row)

    monkeypatch.setattr(csv, "writer", FullDisk)
    with pytest.raises(InvalidInput, match="No space left"):
        records.export_members(segment_id, target, overwrite=True)
    assert target.read_text(encoding="utf-8") == "yesterday's report"
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]


def test_the_cli_export_neutralises_formulas_unless_raw(ctx, database_url, tmp_path):
    segment_id = hostile_segment(ctx)
    safe, raw = tmp_path / "safe.csv", tmp_path / "raw.csv"
    assert export(database_url, str(segment_id), str(safe)) == 0
    assert export(database_url, str(segment_id), str(raw), "--raw") == 0
    read = {p: by_email(p) for p in (safe, raw)}
    assert read[safe]["formula@example.org"]["first_name"] == "'" + HOSTILE_FIRST_NAME
    assert read[safe]["formula@example.org"]["last_name"] == "'+cmd|' /C calc'!A0"
    assert read[safe]["formula@example.org"]["city"] == "'-2+3"
    assert read[raw]["formula@example.org"]["first_name"] == HOSTILE_FIRST_NAME
    # the key line stays inside its quoted cell: no line of the file is the key by itself
    assert AUTHORIZED_KEY_LINE not in safe.read_text(encoding="utf-8").splitlines()[0]


def test_import_keeps_a_leading_tab_or_cr_as_data(ctx, database_url):
    text = 'email,first_name,last_name\nt@example.org,"\t=1+1","\r=2+2"\n'
    records.import_csv(ctx, "contacts", text)
    contact = Contact.get(Contact.email == "t@example.org")
    assert (contact.first_name, contact.last_name) == ("\t=1+1", "\r=2+2")


def test_file_names_with_escape_sequences_are_printed_safely(ctx, database_url, tmp_path, capsys):
    segment_id = hostile_segment(ctx)
    name = str(tmp_path / "\x1b]0;owned\x07\x1b[2Jreport.csv")
    assert export(database_url, str(segment_id), name) == 0
    printed = capsys.readouterr()
    assert "\x1b" not in printed.out and "\x07" not in printed.out and "\\u001b" in printed.out
    try:
        code = main(["--db", str(database_url), "import", "contacts", name + ".missing\x1b[31m"])
    finally:
        close_database()
    printed = capsys.readouterr()
    assert code == 2 and "\x1b" not in printed.err and "\\u001b" in printed.err
