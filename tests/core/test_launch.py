"""Starting the console on a database in trouble: say so, retry what may pass, refuse the rest."""

from __future__ import annotations

import pytest

from segtui.core import db as dbmod
from segtui.core.errors import DatabaseProblem
from segtui.tui import launch

pytestmark = pytest.mark.sqlite_only


def test_an_unreachable_server_is_retried_then_reported(monkeypatch, capsys):
    pytest.importorskip("psycopg2")
    waits = []
    with pytest.raises(DatabaseProblem, match="Cannot reach the PostgreSQL server at 127.0.0.1:1") as caught:
        launch.open_with_retries("postgresql://segtui@127.0.0.1:1/crm", attempts=3, wait=5, sleep=waits.append)
    assert caught.value.retryable and waits == [5, 5]
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("segtui: Cannot reach the PostgreSQL server at 127.0.0.1:1")
    assert lines[1] == "  Trying again in 5 s (attempt 2 of 3); Ctrl+C gives up."


def test_a_server_that_comes_back_is_used(monkeypatch, tmp_path):
    calls = []

    def flaky(url):
        calls.append(url)
        if len(calls) < 3:
            raise DatabaseProblem("The database is locked by another process", retryable=True)
        return "database"

    monkeypatch.setattr(dbmod, "open_database", flaky)
    assert launch.open_with_retries("x.db", attempts=5, wait=0, sleep=lambda s: None) == "database"
    assert len(calls) == 3


def test_what_cannot_pass_is_reported_at_once(tmp_path):
    with pytest.raises(DatabaseProblem, match="is a folder, not a database file"):
        launch.open_with_retries(str(tmp_path), sleep=pytest.fail)


def test_a_read_only_file_opens_the_console_read_only(monkeypatch, tmp_path):
    """launch gives the app a read-only context with the reason, and a label saying so."""
    from segtui.core.clock import SystemClock
    from segtui.core.context import Context

    path = tmp_path / "crm.db"
    dbmod.open_database(str(path)).close()
    monkeypatch.setattr(dbmod, "_why_read_only", lambda file, folder: "no permission to write the file")
    seen = {}

    class FakeApp:
        return_code = 0

        def __init__(self, ctx, *, worker_interval, db_label, db_url=None, files_dir=None):
            seen.update(ctx=ctx, label=db_label, files_dir=files_dir)

        def run(self):
            pass

    import segtui.tui.app as app_module

    monkeypatch.setattr(app_module, "SegtuiApp", FakeApp)
    monkeypatch.setattr(launch, "has_terminal", lambda: True)
    args = type("Args", (), {"db": str(path), "worker_interval": 0, "files_dir": str(tmp_path / "files")})()
    assert launch.launch(args, Context(SystemClock(), "alice")) == 0
    assert seen["ctx"].read_only and seen["label"] == f"{path} (read-only)"
    assert seen["files_dir"] is None  # a read-only console reads and writes no file
    assert seen["ctx"].read_only_reason == f"The database {path} is read-only (no permission to write the file)"
