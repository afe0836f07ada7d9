"""Database errors as the drivers raise them (with SQLite's error name or a libpq failure),
wrapped by Peewee as it wraps them: for tests that make the database fail on purpose."""

from __future__ import annotations

import sqlite3

import peewee
import psycopg2


def sqlite_locked() -> peewee.OperationalError:
    orig = sqlite3.OperationalError("database is locked")
    orig.sqlite_errorcode, orig.sqlite_errorname = 5, "SQLITE_BUSY"
    return peewee.OperationalError(orig, *orig.args)


def connection_closed() -> peewee.InterfaceError:
    orig = psycopg2.InterfaceError("connection already closed")
    return peewee.InterfaceError(orig, *orig.args)


def server_gone() -> peewee.OperationalError:
    """libpq lost the server: no SQLSTATE, as psycopg2 reports it."""
    orig = psycopg2.OperationalError("server closed the connection unexpectedly")
    return peewee.OperationalError(orig, *orig.args)
