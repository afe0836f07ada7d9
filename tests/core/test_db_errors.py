"""Database errors: classified by SQLite's error name and PostgreSQL's SQLSTATE, passwords masked."""

from __future__ import annotations

import sqlite3

import peewee
import psycopg2
import pytest

from segtui.core import db_errors
from segtui.core.db_errors import Trouble
from tests import driver_errors

pytestmark = pytest.mark.sqlite_only


def sqlite_error(name: str, message: str = "boom") -> peewee.OperationalError:
    orig = sqlite3.OperationalError(message)
    orig.sqlite_errorname = name
    return peewee.OperationalError(orig, message)


class FakePgError(psycopg2.OperationalError):
    """psycopg2 sets pgcode from the server's answer; the class lets a test choose it."""

    pgcode = None


def pg_error(code: str | None, message: str = "boom") -> peewee.OperationalError:
    orig = FakePgError(message)
    orig.pgcode = code
    return peewee.OperationalError(orig, message)


@pytest.mark.parametrize("name, kind", [
    ("SQLITE_BUSY", Trouble.LOCKED), ("SQLITE_BUSY_SNAPSHOT", Trouble.LOCKED), ("SQLITE_LOCKED", Trouble.LOCKED),
    ("SQLITE_READONLY", Trouble.READ_ONLY), ("SQLITE_READONLY_DBMOVED", Trouble.READ_ONLY),
    ("SQLITE_CANTOPEN", Trouble.CANNOT_OPEN), ("SQLITE_NOTADB", Trouble.NOT_A_DATABASE),
    ("SQLITE_CORRUPT", Trouble.NOT_A_DATABASE), ("SQLITE_ERROR", Trouble.OTHER),
])
def test_sqlite_errors_are_told_apart_by_their_name_not_their_words(name, kind):
    assert db_errors.classify(sqlite_error(name, "the words do not matter: locked busy")) is kind


@pytest.mark.parametrize("code, kind", [
    ("55P03", Trouble.LOCKED), ("40P01", Trouble.CONFLICT), ("40001", Trouble.CONFLICT),
    ("25006", Trouble.READ_ONLY), ("3D000", Trouble.NO_DATABASE), ("28P01", Trouble.REFUSED),
    ("08006", Trouble.UNREACHABLE), ("57P01", Trouble.UNREACHABLE), ("42P01", Trouble.OTHER),
])
def test_postgres_errors_are_told_apart_by_their_sqlstate(code, kind):
    assert db_errors.classify(pg_error(code, "lock timeout, or so it says")) is kind


def test_a_connection_that_reached_no_server_is_told_apart_by_libpq_words():
    assert db_errors.classify(pg_error(None, 'FATAL: database "nope" does not exist')) is Trouble.NO_DATABASE
    assert db_errors.classify(pg_error(None, "password authentication failed")) is Trouble.REFUSED
    assert db_errors.classify(driver_errors.server_gone()) is Trouble.UNREACHABLE
    assert db_errors.classify(driver_errors.connection_closed()) is Trouble.UNREACHABLE


def test_transient_errors_are_those_that_may_pass():
    assert db_errors.is_transient(driver_errors.sqlite_locked())
    assert db_errors.is_transient(pg_error("40P01"))
    assert not db_errors.is_transient(pg_error("3D000"))
    assert not db_errors.is_transient(sqlite_error("SQLITE_READONLY"))
    assert not db_errors.is_transient(ValueError("not a database error"))


def test_the_sentences_name_the_database_with_its_password_masked():
    url = "postgresql://ann:s3cr%40t@db.example.org:5433/crm"
    locked = db_errors.explain(pg_error("55P03"), url)
    assert locked.startswith("The database postgresql://ann:***@db.example.org:5433/crm is locked")
    missing = db_errors.explain(pg_error("3D000"), url)
    assert "server at db.example.org:5433 has no database 'crm'" in missing and "s3cr" not in missing


@pytest.mark.parametrize("url, shown", [
    ("postgresql://ann:p%3Aw@host/db", "postgresql://ann:***@host/db"),
    ("postgresql://ann:p@ss@host:5432/db?sslmode=require", "postgresql://ann:***@host:5432/db?sslmode=require"),
    ("postgresql://ann@host/db", "postgresql://ann@host/db"),
    ("postgresql:///db?host=/run/pg&password=hunter2", "postgresql:///db?host=/run/pg&password=***"),
    ("/var/lib/segtui/segtui.db", "/var/lib/segtui/segtui.db"),
])
def test_urls_are_shown_without_their_password(url, shown):
    assert db_errors.describe(url) == shown


def test_a_local_socket_server_and_an_unknown_driver_error_are_told_plainly():
    assert db_errors.pg_server("postgresql:///crm") == "the local server (default socket, port 5432)"
    assert db_errors.pg_server("postgresql://ann@db.example.org:6432/crm") == "db.example.org:6432"
    assert db_errors.explain(sqlite_error("SQLITE_CANTOPEN"), "/srv/crm.db") == (
        "Cannot open the database /srv/crm.db: check the path and its permissions.")
    odd = peewee.OperationalError(ValueError("a driver segtui does not know"), "odd")
    assert db_errors.classify(odd) is Trouble.OTHER
