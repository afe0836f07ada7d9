"""The shared fixtures say the truth about the database a test runs on."""

from __future__ import annotations

import peewee


def test_the_backend_fixture_names_the_database_the_test_runs_on(backend, database):
    assert backend == ("sqlite" if isinstance(database, peewee.SqliteDatabase) else "postgres")
    assert isinstance(database, peewee.PostgresqlDatabase) == (backend == "postgres")
