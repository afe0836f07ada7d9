"""Shared fixtures: a fresh database per test, a fixed clock, a context.

The engine tests (tests/core) that use a database run twice, ``[sqlite]`` and
``[postgres]``. The PostgreSQL side starts one throwaway server per test session (per
xdist worker) and gives each test an empty migrated database (emptied by TRUNCATE ...
RESTART IDENTITY, faster than copying a template). Without
PostgreSQL's server binaries those tests are skipped with the reason, unless
SEGTUI_REQUIRE_POSTGRES=1 (CI), where that is a failure. ``@pytest.mark.sqlite_only``
keeps a test (or a module, via ``pytestmark``) on SQLite alone, ``postgres_only`` on
PostgreSQL alone.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pendulum
import pytest

from segtui.core import db as dbmod
from segtui.core.clock import FixedClock
from segtui.core.context import Context
from segtui.core.models import database_proxy

from .pgserver import REQUIRE_ENV, PgServer, Unavailable, required

# The suite speaks English whatever the machine's locale (a French LANG would turn every CLI
# run by a test French); the French tests ask for French (--lang, the ``french`` fixture, or
# an environment without this variable).
os.environ["SEGTUI_LANG"] = "en"

# A Thursday, in winter time in Paris.
T0 = pendulum.datetime(2026, 11, 26, 9, 30, tz="UTC")
CORE = Path(__file__).parent / "core"
SECURITY = Path(__file__).parent / "security"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


# The longest tests first (whole files): with -n 2 and --dist worksteal (pyproject.toml) the
# two workers then end together on short tests, instead of one core idling while the other
# finishes a long test it picked last. The walks of snapshots take 10 to 30 s each, the
# benchmark's smoke run 30 s and more, the SSH server's tests up to 15 s.
LONGEST_FIRST = (
    "tests/perf_smoke/",
    "tests/tui/test_snapshots.py",
    "tests/tui/test_snapshots_fr.py",
    "tests/tui/test_snapshots_fr_data.py",
    "tests/tui/test_analysis_screens.py",
    "tests/tui/test_actions.py",
    "tests/serve/",
    "tests/security/test_ssh_console.py",
)


# Then the other console tests (1 to 40 s each), then the engine tests (most well under a
# second): the last tests the two workers share are short ones. (Collected in path order, the
# console tests came last and the run ended on a worker finishing a 20-40 s one alone.)
CONSOLE_NEXT = ("tests/tui/",)


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        return 0 if item.nodeid.startswith(LONGEST_FIRST) else 1 if item.nodeid.startswith(CONSOLE_NEXT) else 2

    items.sort(key=rank)  # stable: each part in its order


def pytest_generate_tests(metafunc):
    """Engine tests that use a database run on both databases."""
    if "database_url" not in metafunc.fixturenames:
        return
    if not {CORE, SECURITY} & set(Path(str(metafunc.definition.path)).parents):
        return
    if metafunc.definition.get_closest_marker("sqlite_only"):
        return
    only_postgres = metafunc.definition.get_closest_marker("postgres_only")
    metafunc.parametrize("database_url", BACKENDS[1:] if only_postgres else BACKENDS, indirect=True)


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL server for the session, removed afterwards."""
    try:
        server = PgServer.start()
    except Unavailable as exc:
        if required():
            pytest.fail(f"PostgreSQL is required here ({REQUIRE_ENV}=1), but {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL tests skipped: {exc}")
    yield server
    server.stop()


@pytest.fixture
def backend(database_url) -> str:
    """Which database the test runs on, read from its URL: "sqlite" or "postgres"."""
    return "postgres" if str(database_url).startswith(("postgres://", "postgresql://")) else "sqlite"


@pytest.fixture
def database_url(request, tmp_path):
    """A database of its own for the test: a SQLite file, or a fresh PostgreSQL database."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield str(tmp_path / "test.db")
        return
    server = request.getfixturevalue("postgres_server")
    yield server.url(server.reset())
    if database_proxy.obj is not None:
        database_proxy.obj.close()


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory) -> Path:
    """An empty SQLite database with every migration applied, made once per session (per xdist
    worker): each test's ``database`` on SQLite starts from a copy of the file (migrating a new
    file cost about 0.1 s a test, 0.25 s under coverage). The migrations themselves are tested
    in tests/core/test_migrations.py, from an empty schema."""
    path = tmp_path_factory.mktemp("schema") / "empty.db"
    dbmod.open_database(str(path)).close()
    return path


def migrated_copy(request, database_url) -> None:
    """On SQLite, the test's file starts as a copy of the session's migrated empty database."""
    if not str(database_url).startswith(("postgres://", "postgresql://")):
        shutil.copyfile(request.getfixturevalue("sqlite_schema"), database_url)


@pytest.fixture
def database(request, database_url):
    """The test's database, migrated and bound to the models."""
    migrated_copy(request, database_url)
    db = dbmod.open_database(database_url)
    yield db
    db.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def ctx(database, clock) -> Context:
    return Context(clock=clock, actor="alice", tz="Europe/Paris")


@pytest.fixture
def french():
    """The process speaks French for one test (the language is process-wide: English again after)."""
    from segtui import i18n

    i18n.set_language("fr")
    yield
    i18n.set_language("en")


@pytest.fixture(autouse=True)
def _english_unless_asked():
    """A test that changed the language and failed before restoring it must not turn the
    next tests French."""
    yield
    from segtui import i18n

    if i18n.language() != "en":
        i18n.set_language("en")
