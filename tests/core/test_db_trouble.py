"""Database trouble, caused for real and told as a sentence: a damaged file, a refused role,
a deadlock, a connection cut by the server, a write to a read-only connection."""

from __future__ import annotations

import sqlite3
import sys
import threading
import time

import peewee
import pytest

from segtui.core import db as dbmod
from segtui.core import db_errors
from segtui.core.errors import DatabaseProblem
from segtui.core.models import Segment, database_proxy

from core_helpers import make

TIMEOUT = 60  # deadlines against a hang, never a measure


@pytest.mark.sqlite_only
def test_a_damaged_file_is_named_and_not_touched(tmp_path):
    path = tmp_path / "crm.db"
    junk = b"this was a spreadsheet, once " * 200
    path.write_bytes(junk)
    with pytest.raises(DatabaseProblem) as caught:
        dbmod.open_database(str(path))
    assert str(caught.value).startswith(f"{path} is not a segtui database (or it is damaged): ")
    assert not caught.value.retryable
    assert path.read_bytes() == junk


@pytest.mark.sqlite_only
def test_a_write_on_a_read_only_connection_is_told_so(tmp_path, database):
    reader = peewee.SqliteDatabase(f"file:{database.database}?mode=ro", uri=True)
    try:
        with pytest.raises(peewee.OperationalError) as caught:
            reader.execute_sql("UPDATE segment SET name = 'x'")
        assert dbmod.explain(caught.value, database.database) == (
            f"The database {database.database} is read-only: nothing can be changed.")
        assert not dbmod.is_transient(caught.value)
    finally:
        reader.close()


@pytest.mark.postgres_only
def test_an_unknown_role_is_refused_by_the_server_and_said_so(database_url):
    url = database_url.replace("postgresql://segtui@", "postgresql://mallory@", 1)
    with pytest.raises(DatabaseProblem) as caught:
        dbmod.open_database(url)
    server = db_errors.pg_server(url)
    assert str(caught.value).startswith(f"The PostgreSQL server at {server} refused the connection ({url}): ")
    assert 'role "mallory" does not exist' in str(caught.value)
    assert not caught.value.retryable


@pytest.mark.postgres_only
def test_a_deadlock_is_told_as_a_conflict_to_try_again(database_url, ctx):
    """Two transactions lock One and Two in opposite orders: the server fails one of them."""
    one, two = make(ctx, "One", "static").id, make(ctx, "Two", "static").id
    mine, theirs, watcher = (dbmod.connect(database_url) for _ in range(3))
    lock = "SELECT id FROM segment WHERE id = %s FOR UPDATE"
    failures: list[Exception] = []
    holding, go = threading.Event(), threading.Event()

    def they() -> None:
        try:
            with theirs.atomic():
                theirs.execute_sql(lock, (two,))
                holding.set()
                assert go.wait(TIMEOUT)
                theirs.execute_sql(lock, (one,))  # waits for us
        except peewee.DatabaseError as exc:
            failures.append(exc)

    other = threading.Thread(target=they, daemon=True)
    other.start()
    try:
        assert holding.wait(TIMEOUT)
        try:
            with mine.atomic():
                mine.execute_sql(lock, (one,))
                go.set()
                deadline = time.monotonic() + TIMEOUT
                while not watcher.execute_sql("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()[0]:
                    assert time.monotonic() < deadline, "the other transaction never waited for our lock"
                    time.sleep(0.01)
                mine.execute_sql(lock, (two,))  # and we wait for them: a cycle
        except peewee.DatabaseError as exc:
            failures.append(exc)
        other.join(TIMEOUT)
        assert not other.is_alive()
    finally:
        go.set()
        for db in (mine, theirs, watcher):
            db.close()
    assert len(failures) == 1 and "deadlock" in str(failures[0]), failures
    assert dbmod.explain(failures[0], database_url) == (
        f"The database {database_url} was busy with a conflicting change; nothing was changed: try again.")
    assert dbmod.is_transient(failures[0])


@pytest.mark.postgres_only
def test_a_connection_cut_by_the_server(database_url, postgres_server, ctx):
    """Outside a transaction the next query reconnects; inside one, it fails as a whole, is
    told as the server being unreachable (worth a retry), and the connection is renewed."""
    segment = make(ctx, "Bretons", "static")

    def ours() -> int:
        return database_proxy.execute_sql("SELECT pg_backend_pid()").fetchone()[0]

    def cut(pid: int) -> None:  # the server ends our connection (an administrator, a restart)
        with postgres_server.admin().cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
            assert cursor.fetchone()[0] is True

    first = ours()
    cut(first)
    assert Segment.get_by_id(segment.id).name == "Bretons"  # reconnected, quietly
    assert ours() != first

    with pytest.raises((peewee.DatabaseError, peewee.InterfaceError)) as caught:  # the rollback fails too
        with dbmod.write_transaction():
            Segment.update(name="Half").where(Segment.id == segment.id).execute()
            cut(ours())
            Segment.update(name="Done").where(Segment.id == segment.id).execute()
    message = dbmod.explain(caught.value, database_url)
    assert message.startswith(f"Cannot reach the PostgreSQL server at {db_errors.pg_server(database_url)} "
                              f"({database_url}): "), message
    assert dbmod.is_transient(caught.value)
    dbmod.reset_connection()
    assert Segment.get_by_id(segment.id).name == "Bretons"  # nothing of the cut transaction
    dbmod.reset_connection()  # twice: nothing to close is fine


@pytest.mark.sqlite_only
def test_resetting_drops_a_transaction_cut_short_with_its_connection(ctx, database):
    """The connection a failed transaction left open is closed, the transaction with it."""
    cut_short = database.atomic()
    cut_short.__enter__()
    make(ctx, "Half-written", "static")
    assert database.in_transaction()
    dbmod.reset_connection(database)  # close() alone refuses: a transaction is open
    assert database.is_closed() and not database.in_transaction()
    assert Segment.select().count() == 0  # a new connection: nothing of the cut transaction


@pytest.mark.sqlite_only
def test_resetting_without_a_database_or_with_a_broken_connection(database):
    class Broken:
        def close(self):
            raise peewee.OperationalError("server closed the connection unexpectedly")

    real = database.connection()
    database.atomic().__enter__()  # open: close() refuses, then the connection's own close fails
    database._state.conn = Broken()
    try:
        dbmod.reset_connection(database)  # dropped with its connection, no error
        assert database._state.conn is None and database.is_closed() and not database.in_transaction()
    finally:
        real.close()
    dbmod.reset_connection(peewee.DatabaseProxy())  # not bound yet: nothing to do
    assert database_proxy.obj is database
    assert Segment.select().count() == 0  # the next query opens a new connection


@pytest.mark.sqlite_only
def test_sqlite_urls_and_memory_open_like_a_path(tmp_path):
    path = tmp_path / "crm.db"
    opened = dbmod.open_database(f"sqlite:///{path}")
    try:
        assert path.is_file() and opened.database == str(path)
        assert dbmod.foreign_tables(opened) == []  # segtui's own tables are not foreign
        assert dbmod.bound_url() == f"sqlite:///{path}"
    finally:
        opened.close()
    memory = dbmod.open_database(":memory:")
    try:
        assert Segment.select().count() == 0 and dbmod.schema_status(memory) == ([], [])
    finally:
        memory.close()


# -- a database that cannot even be named right ------------------------------------------------
@pytest.mark.sqlite_only
@pytest.mark.parametrize("url, message", [
    ("foo://bar", 'Cannot use database URL foo://bar: Unrecognized or unsupported scheme: "foo".'),
    ("postgresql://segtui:secret@127.0.0.1:5/",
     "The URL postgresql://segtui:***@127.0.0.1:5/ names no database: postgresql://user@host/DATABASE"),
])
def test_a_url_segtui_cannot_use_is_refused_in_a_sentence(url, message):
    with pytest.raises(DatabaseProblem) as caught:
        dbmod.open_database(url)
    assert str(caught.value) == message
    assert not caught.value.retryable


@pytest.mark.sqlite_only
def test_postgresql_without_its_driver_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg2", None)  # what `import psycopg2` meets when it is not installed
    with pytest.raises(DatabaseProblem) as caught:
        dbmod.open_database("postgresql://segtui@127.0.0.1/crm")
    assert str(caught.value) == "PostgreSQL needs its driver: pip install 'segtui[postgres]'"


@pytest.mark.sqlite_only
def test_a_foreign_file_with_many_tables_names_five_and_counts_the_rest(tmp_path):
    path = tmp_path / "accounts.db"
    with sqlite3.connect(path) as conn:
        for name in ("a", "b", "c", "d", "e", "f", "g"):
            conn.execute(f"CREATE TABLE {name} (x)")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseProblem) as caught:
        dbmod.open_database(str(path))
    assert str(caught.value) == (
        f"{path} is not a segtui database: it already holds other tables (a, b, c, d, e and 2 more). "
        "segtui sets up only an empty database; nothing was changed. Give another --db.")
    assert path.read_bytes() == before
