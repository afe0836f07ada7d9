"""Database set-up: a URL or a path becomes a Peewee Database, migrated and bound.

SQLite (default) runs in WAL mode with a busy timeout and foreign keys on; PostgreSQL is
reached through ``postgresql://`` URLs (the ``postgres`` extra installs the driver).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import peewee
from platformdirs import user_data_dir
from playhouse.db_url import connect as connect_url
from playhouse.migrations import Runner

from .errors import DatabaseProblem
from .models import ALL_MODELS, database_proxy

MIGRATIONS_DIR = str(Path(__file__).with_name("migrations"))
BUSY_TIMEOUT_SECONDS = 10.0
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": int(BUSY_TIMEOUT_SECONDS * 1000),
    "cache_size": -64 * 1024,
}


def default_url() -> str:
    return str(Path(user_data_dir("segtui", appauthor=False)) / "segtui.db")


def describe(url: str) -> str:
    """The URL as safe to show: the password masked."""
    if "://" in url and "@" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in creds else url
    return url


def _sqlite_path(url: str) -> str | None:
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///"):]
    if "://" not in url:
        return url
    return None


def is_sqlite(db) -> bool:
    return isinstance(getattr(db, "obj", db), peewee.SqliteDatabase)


def connect(url: str | None = None) -> peewee.Database:
    """A Database for ``url`` (a path or a URL), not yet migrated."""
    url = url or os.environ.get("SEGTUI_DB") or default_url()
    path = _sqlite_path(url)
    if path is not None:
        if path != ":memory:":
            folder = Path(path).expanduser().resolve().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseProblem(
                    f"Cannot create the folder {folder} for the database: {exc.strerror}"
                ) from None
            path = str(Path(path).expanduser())
        return peewee.SqliteDatabase(
            path, pragmas=SQLITE_PRAGMAS, timeout=BUSY_TIMEOUT_SECONDS, autoconnect=True
        )
    if url.startswith(("postgres://", "postgresql://")):
        try:
            import psycopg2  # noqa: F401
        except ImportError:
            raise DatabaseProblem(
                "PostgreSQL needs its driver: pip install 'segtui[postgres]'"
            ) from None
    try:
        return connect_url(url)
    except Exception as exc:
        raise DatabaseProblem(f"Cannot use database URL {describe(url)}: {exc}") from None


@contextmanager
def write_transaction(db=database_proxy):
    """A transaction that takes the write lock up front on SQLite.

    A deferred SQLite transaction that reads then writes fails with SQLITE_BUSY when
    another process wrote in between; BEGIN IMMEDIATE waits for the lock instead.
    """
    target = getattr(db, "obj", db)
    if isinstance(target, peewee.SqliteDatabase) and target.transaction_depth() == 0:
        with target.atomic(lock_type="IMMEDIATE") as tx:
            yield tx
    else:
        with db.atomic() as tx:
            yield tx


def _runner(db) -> Runner:
    return Runner(db, MIGRATIONS_DIR)


def schema_status(db) -> tuple[list[str], list[str]]:
    """(pending, unknown): migrations not applied yet, and applied ones this version lacks."""
    status = _runner(db).status()
    pending = [m.name for m in status if m.applied is None]
    unknown = [m.name for m in status if m.path is None]
    return pending, unknown


def migrate(db) -> list[str]:
    """Apply pending migrations; refuse a database written by a newer segtui."""
    _, unknown = schema_status(db)
    if unknown:
        raise DatabaseProblem(
            "This database was written by a newer version of segtui "
            f"(schema {', '.join(sorted(unknown))}); upgrade segtui to open it. "
            "Nothing was changed."
        )
    with write_transaction(db):
        if isinstance(db, peewee.PostgresqlDatabase):
            # two processes starting on a new database must not migrate it twice
            db.execute_sql("SELECT pg_advisory_xact_lock(727274)")
        return _runner(db).up()


def open_database(url: str | None = None, *, migrate_schema: bool = True) -> peewee.Database:
    """Connect, migrate and bind the models. Raises DatabaseProblem with a plain message."""
    db = connect(url)
    try:
        db.connect(reuse_if_open=True)
        if migrate_schema:
            migrate(db)
    except DatabaseProblem:
        db.close()
        raise
    except peewee.OperationalError as exc:
        db.close()
        raise DatabaseProblem(explain_operational_error(exc, url)) from None
    database_proxy.initialize(db)
    return db


def explain_operational_error(exc: Exception, url: str | None = None) -> str:
    text = str(exc)
    where = describe(url or os.environ.get("SEGTUI_DB") or default_url())
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return f"The database {where} is locked by another process; try again in a moment."
    if "readonly" in lowered or "read-only" in lowered:
        return f"The database {where} is read-only: nothing can be changed."
    if "unable to open" in lowered:
        return f"Cannot open the database {where}: check the path and its permissions."
    if "could not connect" in lowered or "connection refused" in lowered:
        return f"Cannot reach the PostgreSQL server for {where}: {text.strip()}"
    return f"Database error on {where}: {text.strip()}"


def create_tables_for_tests(db) -> None:
    """Bind and create every table directly (fast path for unit tests)."""
    database_proxy.initialize(db)
    db.create_tables(ALL_MODELS)
