"""Shared fixtures: a fresh database per test, a fixed clock, a context."""

from __future__ import annotations

import pendulum
import pytest

from segtui.core import db as dbmod
from segtui.core.clock import FixedClock
from segtui.core.context import Context

# A Thursday, in winter time in Paris.
T0 = pendulum.datetime(2026, 11, 26, 9, 30, tz="UTC")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def database(tmp_path):
    """A migrated SQLite file of its own for each test."""
    db = dbmod.open_database(str(tmp_path / "test.db"))
    yield db
    db.close()


@pytest.fixture
def ctx(database, clock) -> Context:
    return Context(clock=clock, actor="alice", tz="Europe/Paris")
