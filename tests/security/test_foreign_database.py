"""Finding 8 of issue 10: ``--db`` on another program's database added segtui's tables to
it (and, with a table named ``segment`` there, recorded the migration anyway, after which
every command failed). A non-empty database that is not segtui's is refused, unchanged."""

from __future__ import annotations

import sqlite3
import uuid

import pytest

from segtui.cli import main
from segtui.core import db as dbmod
from segtui.core.errors import DatabaseProblem

from ..pgserver import ROLE
from .helpers import close_database


def tables_and_rows_sqlite(path) -> dict:
    with sqlite3.connect(path) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {n: conn.execute(f'SELECT * FROM "{n}"').fetchall() for n in names}


@pytest.mark.sqlite_only
@pytest.mark.parametrize("schema", [
    "CREATE TABLE invoice (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoice VALUES (1, 9.5)",
    "CREATE TABLE segment (id INTEGER PRIMARY KEY, label TEXT); INSERT INTO segment VALUES (1, 'theirs')",
    "CREATE TABLE empty_but_theirs (x)",
])
def test_another_programs_sqlite_file_is_refused_unchanged(tmp_path, schema, capsys):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(schema)
    before = tables_and_rows_sqlite(path)
    raw_before = path.read_bytes()
    for argv in (["segments", "list"], ["demo", "--contacts", "10"], ["worker", "--once"]):
        try:
            code = main(["--db", str(path), *argv])
        finally:
            close_database()
        err = capsys.readouterr().err
        assert code == 1 and "is not a segtui database" in err and "nothing was changed" in err, err
    assert tables_and_rows_sqlite(path) == before
    assert path.read_bytes() == raw_before
    with pytest.raises(DatabaseProblem, match="not a segtui database"):
        dbmod.open_database(str(path))


@pytest.mark.postgres
def test_a_postgresql_database_with_another_programs_table_is_refused_unchanged(postgres_server):
    name = f"foreign_{uuid.uuid4().hex[:8]}"
    postgres_server.execute(f'CREATE DATABASE "{name}"')  # from template1: empty
    try:
        import psycopg2

        dsn = dict(dbname=name, user=ROLE, host=str(postgres_server.folder))
        with psycopg2.connect(**dsn) as conn, conn.cursor() as cursor:
            cursor.execute("CREATE TABLE segment (id INTEGER PRIMARY KEY, label TEXT)")
            cursor.execute("INSERT INTO segment VALUES (1, 'theirs')")
        url = postgres_server.url(name)
        with pytest.raises(DatabaseProblem, match=r"not a segtui database: it already holds other tables \(segment\)"):
            dbmod.open_database(url)
        try:
            assert main(["--db", url, "segments", "list"]) == 1
        finally:
            close_database()
        conn = psycopg2.connect(**dsn)
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
                assert cursor.fetchall() == [("segment",)]
                cursor.execute("SELECT id, label FROM segment")
                assert cursor.fetchall() == [(1, "theirs")]
        finally:
            conn.close()
    finally:
        postgres_server.drop_database(name)


def test_an_empty_database_is_still_set_up(tmp_path):
    database = dbmod.open_database(str(tmp_path / "new.db"))
    try:
        assert database.table_exists("segment") and database.table_exists("schema_migration")
    finally:
        database.close()
