"""Read-only detection against real permissions, no mock: the checks of ``db.py`` run as an
unprivileged user on files and folders that user may not write.

The suite runs as root in CI, and root may write anything; so there the process drops to
the unprivileged user ``nobody`` (or SEGTUI_PG_OS_USER, as tests/pgserver.py does) for the
duration of each check, real and effective ids both (``os.access`` asks with the real id),
and takes root back afterwards. Run as an ordinary user, the test is that user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import sqlite3
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from segtui.cli import main
from segtui.core import db as dbmod
from segtui.core import segments
from segtui.core.clock import FixedClock
from segtui.core.context import Context
from segtui.core.errors import DatabaseProblem
from segtui.core.models import database_proxy

from tests.conftest import T0

pytestmark = pytest.mark.sqlite_only

NAME = "Hand-picked VIPs"


@contextmanager
def unprivileged():
    """Run the block as an unprivileged user (when we are root), then become root again.

    Python may live where that user cannot read (a root-only pyenv): what the block imports
    lazily is imported before, as root (see ``warm``).
    """
    if os.geteuid() != 0:
        yield
        return
    user = pwd.getpwnam(os.environ.get("SEGTUI_PG_OS_USER", "nobody"))
    groups = os.getgroups()
    os.setgroups([])
    os.setresgid(user.pw_gid, user.pw_gid, 0)
    os.setresuid(user.pw_uid, user.pw_uid, 0)  # the saved id stays root's: we can come back
    try:
        assert not os.access("/root", os.W_OK)
        yield
    finally:
        os.setresuid(0, 0, 0)
        os.setresgid(0, 0, 0)
        os.setgroups(groups)


@pytest.fixture
def place():
    """A folder everybody may enter (pytest's tmp_path is private to root), removed after."""
    folder = Path(tempfile.mkdtemp(prefix="segtui-ro-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def make_database(path: Path, file_mode: int, folder_mode: int, *, give_away: bool = False) -> bytes:
    """A closed segtui database with one static segment; returns its bytes."""
    path.parent.mkdir(exist_ok=True)
    db = dbmod.open_database(str(path))
    ctx = Context(clock=FixedClock(T0), actor="alice", tz="Europe/Paris")
    segments.create(ctx, NAME, "contacts", "static")
    db.close()
    database_proxy.close()
    assert not Path(f"{path}-wal").exists()  # the last close folded the WAL back
    if give_away and os.geteuid() == 0:
        user = pwd.getpwnam(os.environ.get("SEGTUI_PG_OS_USER", "nobody"))
        os.chown(path, user.pw_uid, user.pw_gid)
    path.chmod(file_mode)
    path.parent.chmod(folder_mode)
    return path.read_bytes()


@contextmanager
def opened_read_only(path: Path):
    """The database as the unprivileged user opens it: connected, read-only, closed after."""
    with unprivileged():
        db = dbmod.connect(str(path))
        try:
            assert isinstance(db, dbmod.ReadOnlySqliteDatabase)
            db.connect()
            assert db.execute_sql("SELECT name FROM segment").fetchall() == [(NAME,)]
            yield db
        finally:
            db.close()


def cli(path: Path, *args: str, capsys) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = main(["--db", str(path), *args])
    finally:
        database_proxy.close()
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture(autouse=True)
def warm(monkeypatch, place, capsys):
    """The same commands once as root on a writable copy: every module they need is loaded."""
    monkeypatch.setenv("SEGTUI_NOW", "2026-11-26T10:30:00+01:00")
    monkeypatch.setenv("SEGTUI_TZ", "Europe/Paris")
    scratch = place / "scratch" / "crm.db"
    make_database(scratch, 0o644, 0o755)
    for args in (["segments", "list"], ["segments", "rename", NAME, "Other"], ["worker", "--once"]):
        cli(scratch, *args, capsys=capsys)
    shutil.rmtree(scratch.parent)


def test_a_file_the_user_may_not_write_opens_read_only_and_refuses_writes(place, capsys):
    path = place / "shared" / "crm.db"
    data = make_database(path, 0o644, 0o755)
    with unprivileged():
        assert not os.access(path, os.W_OK) and os.access(path, os.R_OK)
        code, out, _ = cli(path, "segments", "list", capsys=capsys)
        assert code == 0 and NAME in out
        code, _, err = cli(path, "segments", "rename", NAME, "Other", capsys=capsys)
        assert (code, err) == (2, f"segtui: The database {path} is read-only (no permission to write the file): "
                                  "renaming a segment is not possible.\n")
        code, _, err = cli(path, "worker", "--once", capsys=capsys)
        assert code == 2 and "read-only (no permission to write the file)" in err
    assert path.read_bytes() == data
    assert sorted(p.name for p in path.parent.iterdir()) == ["crm.db"]  # nothing written beside it


def test_a_wal_database_in_a_folder_nobody_may_write_is_read_as_it_stands(place):
    """No -shm file can be created beside it: the immutable fallback reads it."""
    path = place / "shared" / "crm.db"
    make_database(path, 0o644, 0o755)
    with opened_read_only(path) as db:
        assert db.reason == f"The database {path} is read-only (no permission to write the file)"
        assert "immutable=1" in db.database  # the first, plain read-only open failed


def test_a_read_only_file_in_a_writable_folder_is_read_without_the_fallback(place):
    path = place / "open" / "crm.db"
    make_database(path, 0o644, 0o777)
    with opened_read_only(path) as db:
        assert "immutable" not in db.database and "mode=ro" in db.database
        with pytest.raises(dbmod.peewee.OperationalError, match="readonly|read-only"):
            db.execute_sql("UPDATE segment SET name = 'x'")


def test_a_writable_file_in_a_folder_the_user_may_not_write_is_read_only(place, capsys):
    """WAL mode writes two files beside the database: the folder must be writable too."""
    path = place / "shared" / "crm.db"
    data = make_database(path, 0o644, 0o755, give_away=True)
    with unprivileged():
        assert os.access(path, os.W_OK)
        code, _, err = cli(path, "segments", "rename", NAME, "Other", capsys=capsys)
        assert (code, err) == (2, f"segtui: The database {path} is read-only (no permission to write in the "
                                  f"folder {path.parent}): renaming a segment is not possible.\n")
    assert path.read_bytes() == data


def test_a_file_the_user_may_not_read_is_refused_with_the_reason(place, capsys):
    path = place / "private" / "crm.db"
    make_database(path, 0o600, 0o755)
    with unprivileged():
        with pytest.raises(DatabaseProblem) as refused:
            dbmod.connect(str(path))
        assert str(refused.value) == f"Cannot open the database {path}: no permission to read it"
        code, _, err = cli(path, "segments", "list", capsys=capsys)
        assert code == 1 and f"Cannot open the database {path}: no permission to read it" in err


def test_a_new_database_cannot_be_created_where_the_user_may_not_write(place, capsys):
    folder = place / "locked"
    folder.mkdir()
    folder.chmod(0o755)
    with unprivileged():
        with pytest.raises(DatabaseProblem) as refused:
            dbmod.connect(str(folder / "new.db"))
        assert str(refused.value) == (f"Cannot create the database {folder / 'new.db'}: "
                                      f"no permission to write in the folder {folder}")
        with pytest.raises(DatabaseProblem, match=r"Cannot create the folder .*/deeper for the database"):
            dbmod.connect(str(folder / "deeper" / "new.db"))
    assert list(folder.iterdir()) == []
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755


def schema_rows(path: Path, sql: str) -> None:
    """Change the migration history behind segtui's back (an older or a newer segtui's file)."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(sql)
    conn.close()


def test_a_read_only_file_that_needs_a_schema_upgrade_is_refused_unchanged(place, capsys):
    path = place / "old" / "crm.db"
    make_database(path, 0o644, 0o777)
    schema_rows(path, "DELETE FROM schema_migration WHERE name = '0002_follow_records'")  # as if made before it
    path.chmod(0o444)
    data = path.read_bytes()
    with unprivileged():
        with pytest.raises(DatabaseProblem) as refused:
            dbmod.open_database(str(path))
        assert str(refused.value) == (f"The database {path} is read-only (no permission to write the file), "
                                      "and its schema needs an upgrade (0002_follow_records): "
                                      "open it once with write permission")
    assert path.read_bytes() == data


def test_a_read_only_file_of_a_newer_segtui_is_refused_unchanged(place, capsys):
    path = place / "new" / "crm.db"
    make_database(path, 0o644, 0o777)
    schema_rows(path, "INSERT INTO schema_migration (name, applied) VALUES ('0099_from_the_future', '2027-01-01')")
    path.chmod(0o444)
    data = path.read_bytes()
    with unprivileged():
        code, _, err = cli(path, "segments", "list", capsys=capsys)
        assert code == 1 and ("This database was written by a newer version of segtui (schema 0099_from_the_future); "
                              "upgrade segtui to open it. Nothing was changed.") in err
    assert path.read_bytes() == data
