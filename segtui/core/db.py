"""Database set-up: a URL or a path becomes a Peewee Database, migrated and bound.

SQLite (default) runs in WAL mode with a busy timeout and foreign keys on; a file this
process may not write is opened read-only. PostgreSQL is reached through
``postgresql://`` URLs (the ``postgres`` extra installs the driver), with a connect
timeout, a lock timeout as long as SQLite's busy timeout, and a reconnection when the
server dropped an idle connection. Every foreseeable trouble becomes a DatabaseProblem
whose message names the database (and for PostgreSQL, the server).
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlparse

import peewee
from playhouse.db_url import connect as connect_url
from playhouse.db_url import parseresult_to_dict
from playhouse.migrations import Runner
from playhouse.shortcuts import ReconnectMixin

from .. import config
from ..i18n import Message, nmsg
from . import db_errors
from .db_errors import describe, is_transient
from .errors import DatabaseProblem, InvalidInput
from .models import database_proxy

MIGRATIONS_DIR = str(Path(__file__).with_name("migrations"))


def sqlite_pragmas(read_only: bool = False) -> dict:
    pragmas = {
        "foreign_keys": 1,
        "busy_timeout": int(config.BUSY_TIMEOUT_SECONDS * 1000),
        "cache_size": -64 * 1024,
    }
    if read_only:
        return {**pragmas, "query_only": 1}
    return {"journal_mode": "wal", **pragmas, "synchronous": "normal"}


class ReadOnlySqliteDatabase(peewee.SqliteDatabase):
    """A SQLite file opened read-only; ``reason`` says why, for the person at the keyboard."""

    def __init__(self, path: str, reason: str | Message, **kwargs):
        self.path = path
        self.reason = reason
        super().__init__(f"file:{quote(path)}?mode=ro", uri=True, **kwargs)

    def _connect(self):
        conn = None
        try:
            conn = super()._connect()
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError:
            if conn is not None:
                conn.close()
        # a WAL database needs its -shm file beside it; where that cannot be created, read
        # the file as it stands (nobody can be writing it: the folder is read-only)
        self.database = f"file:{quote(self.path)}?mode=ro&immutable=1"
        return super()._connect()


class PostgresDatabase(ReconnectMixin, peewee.PostgresqlDatabase):
    """PostgreSQL that reconnects when the server dropped an idle connection (a restart).

    Only outside a transaction: a transaction cut short fails as a whole (nothing of it
    was written) and its caller says so or retries.
    """

    reconnect_errors = (
        (peewee.OperationalError, "server closed the connection"),
        (peewee.OperationalError, "terminating connection"),
        (peewee.OperationalError, "connection already closed"),
        (peewee.InterfaceError, "connection already closed"),
        (peewee.InterfaceError, "cursor already closed"),
    )


def _sqlite_path(url: str) -> str | None:
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///"):]
    if "://" not in url:
        return url
    return None


def is_sqlite(db) -> bool:
    return isinstance(getattr(db, "obj", db), peewee.SqliteDatabase)


def locked(query):
    """``query`` with the rows it reads locked on PostgreSQL until the transaction ends, so that
    what a write compares against is what it overwrites. SQLite needs nothing: a write
    transaction there (``write_transaction``) holds the whole database."""
    return query if is_sqlite(database_proxy) else query.for_update()


def resolve_url(url: str | None = None) -> str:
    return config.database_url(url)


def bound_url() -> str:
    """The URL the models are bound to (see open_database), else the one configured."""
    return getattr(database_proxy.obj, "segtui_url", None) or resolve_url()


def require_existing(url: str) -> None:
    """For what only reads: a SQLite file that is not there is a typo, not a database to create.

    (A PostgreSQL database is never created by segtui: the server refuses a missing one.)
    """
    path = _sqlite_path(url)
    if path is None or path == ":memory:":
        return
    file = Path(path).expanduser()
    if not file.exists():
        shown = str(file.absolute())
        raise InvalidInput(
            "There is no database at {path}; nothing was created. Check --db (or SEGTUI_DB). "
            "To create one: segtui --db {path} demo (with demo data), or open the console on it: "
            "segtui --db {path}", path=shown,
        )


def connect(url: str | None = None) -> peewee.Database:
    """A Database for ``url`` (a path or a URL), not yet migrated."""
    url = resolve_url(url)
    path = _sqlite_path(url)
    if path is not None:
        return _connect_sqlite(path)
    if url.startswith(("postgres://", "postgresql://")):
        return _connect_postgres(url)
    try:
        return connect_url(url)
    except Exception as exc:
        raise DatabaseProblem("Cannot use database URL {url}: {error}", url=describe(url), error=str(exc)) from None


def _connect_sqlite(path: str) -> peewee.SqliteDatabase:
    if path == ":memory:":
        return peewee.SqliteDatabase(path, pragmas=sqlite_pragmas(), timeout=config.BUSY_TIMEOUT_SECONDS)
    file = Path(path).expanduser()
    folder = file.resolve().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseProblem("Cannot create the folder {folder} for the database: {reason}", folder=folder,
                              reason=exc.strerror) from None
    if file.is_dir():
        raise DatabaseProblem("{path} is a folder, not a database file: give a file name", path=file)
    reason = _why_read_only(file, folder)
    if reason is not None:
        if not file.exists():
            raise DatabaseProblem("Cannot create the database {path}: {reason}", path=file, reason=reason)
        return ReadOnlySqliteDatabase(
            str(file), Message("The database {path} is read-only ({reason})", path=file, reason=reason),
            pragmas=sqlite_pragmas(read_only=True), timeout=config.BUSY_TIMEOUT_SECONDS,
        )
    return peewee.SqliteDatabase(
        str(file), pragmas=sqlite_pragmas(), timeout=config.BUSY_TIMEOUT_SECONDS, autoconnect=True
    )


def _why_read_only(file: Path, folder: Path) -> Message | None:
    """Why this process cannot write the file (None: it can).

    WAL mode writes two files beside the database, so the folder must be writable too.
    """
    if file.exists() and not os.access(file, os.R_OK):
        raise DatabaseProblem("Cannot open the database {path}: no permission to read it", path=file)
    if file.exists() and not os.access(file, os.W_OK):
        return Message("no permission to write the file")
    if not os.access(folder, os.W_OK):
        return Message("no permission to write in the folder {folder}", folder=folder)
    return None


def _connect_postgres(url: str) -> peewee.PostgresqlDatabase:
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        raise DatabaseProblem(
            "PostgreSQL needs its driver: pip install 'segtui[postgres]'"
        ) from None
    params = parseresult_to_dict(urlparse(url), unquote_password=True, unquote_user=True)
    if not params.get("database"):
        raise DatabaseProblem("The URL {url} names no database: postgresql://user@host/DATABASE", url=describe(url))
    params.setdefault("connect_timeout", config.PG_CONNECT_TIMEOUT_SECONDS)
    # wait for a row lock as long as SQLite waits for its file lock, then say so
    params.setdefault("options", f"-c lock_timeout={int(config.BUSY_TIMEOUT_SECONDS * 1000)}")
    return PostgresDatabase(params.pop("database"), **params)


def read_only_reason(db) -> Message | str | None:
    """Why the database was opened read-only (a Message: in the language where it is shown),
    or None when it can be written."""
    return getattr(getattr(db, "obj", db), "reason", None)


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


def migrate(db, url: str | None = None) -> list[str]:
    """Apply pending migrations; refuse a database written by a newer segtui."""
    pending, unknown = schema_status(db)
    if unknown:
        raise DatabaseProblem(
            "This database was written by a newer version of segtui (schema {migrations}); upgrade segtui to "
            "open it. Nothing was changed.", migrations=", ".join(sorted(unknown)),
        )
    if not pending:  # the usual case: no write lock to wait for
        return []
    with write_transaction(db):
        if isinstance(db, peewee.PostgresqlDatabase):
            # two processes starting on a new database must not migrate it twice
            db.execute_sql("SELECT pg_advisory_xact_lock(727274)")
        refuse_foreign(db, url)
        return _runner(db).up()


def foreign_tables(db) -> list[str]:
    """The tables and views of a database segtui never set up (none recorded in its
    migration history): another program's, which segtui must not touch."""
    runner = _runner(db)
    if runner.applied():
        return []
    if isinstance(db, peewee.PostgresqlDatabase):
        rows = db.execute_sql("SELECT table_name FROM information_schema.tables "
                              "WHERE table_schema = current_schema() ORDER BY table_name").fetchall()
    else:
        rows = db.execute_sql("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                              "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name").fetchall()
    return [name for (name,) in rows if name != runner.table_name]


def _refuse_foreign_sqlite_file(url: str) -> None:
    """Look at an existing SQLite file read-only before segtui connects: its connection
    settings (WAL mode) would already change another program's file."""
    path = _sqlite_path(url)
    if path is None or path == ":memory:":
        return
    file = Path(path).expanduser()
    try:
        if not file.is_file() or file.stat().st_size == 0:
            return
        conn = sqlite3.connect(file.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            names = [n for (n,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name")]
        finally:
            conn.close()
    except (OSError, sqlite3.Error):
        return  # not readable this way: the check inside the migration's transaction still applies
    if "schema_migration" in names:
        return
    found = [n for n in names if not n.startswith("sqlite_")]
    if found:
        _foreign(found, url)


def _foreign(found: list[str], url: str | None) -> None:
    shown: Message | str = ", ".join(found[:5])
    if len(found) > 5:
        shown = nmsg("{names} and {n} more", "{names} and {n} more", len(found) - 5, names=shown)
    if url:
        raise DatabaseProblem("{url} is not a segtui database: it already holds other tables ({tables}). segtui sets "
                              "up only an empty database; nothing was changed. Give another --db.",
                              url=describe(url), tables=shown)
    raise DatabaseProblem("This database is not a segtui database: it already holds other tables ({tables}). segtui "
                          "sets up only an empty database; nothing was changed. Give another --db.", tables=shown)


def refuse_foreign(db, url: str | None = None) -> None:
    found = foreign_tables(db)
    if found:
        _foreign(found, url)


def open_database(url: str | None = None, *, migrate_schema: bool = True) -> peewee.Database:
    """Connect, migrate and bind the models. Raises DatabaseProblem with a plain message."""
    url = resolve_url(url)
    db = connect(url)
    if migrate_schema:
        _refuse_foreign_sqlite_file(url)
    try:
        db.connect(reuse_if_open=True)
        if migrate_schema:
            _migrate_or_check(db, url)
    except DatabaseProblem:
        db.close()
        raise
    except peewee.PeeweeException as exc:
        db.close()
        raise DatabaseProblem(explanation(exc, url), retryable=is_transient(exc)) from None
    db.segtui_url = url
    database_proxy.initialize(db)
    _load_properties(db, url)
    return db


def _load_properties(db, url: str) -> None:
    """The models gain this database's custom property columns (and lose another's)."""
    from . import properties

    try:
        properties.reload()
    except peewee.PeeweeException as exc:
        db.close()
        raise DatabaseProblem(explanation(exc, url), retryable=is_transient(exc)) from None


def _migrate_or_check(db, url: str) -> None:
    reason = read_only_reason(db)
    if reason is None:
        migrate(db, url)
        return
    pending, unknown = schema_status(db)
    if unknown:
        migrate(db)  # refuses with the newer-version message
    if pending:
        refuse_foreign(db, url)
        raise DatabaseProblem("{reason}, and its schema needs an upgrade ({migrations}): open it once with write "
                              "permission", reason=reason, migrations=", ".join(pending))


def explain(exc: Exception, url: str | None = None) -> str:
    """A database error as a sentence naming the database (the bound one when no URL is given),
    in the language now."""
    return db_errors.explain(exc, url or bound_url())


def explanation(exc: Exception, url: str | None = None) -> Message:
    """``explain`` as a Message: in the language where it is shown."""
    return db_errors.explanation(exc, url or bound_url())


def as_problem(exc: Exception, url: str | None = None) -> DatabaseProblem:
    """A Peewee error as the core's own exception; a transient one forgets the connection."""
    transient = db_errors.is_transient(exc)
    if transient:
        reset_connection()
    return DatabaseProblem(explanation(exc, url), retryable=transient)


@contextmanager
def session(*, close: bool = True):
    """One piece of core work on the current thread (a console's worker thread, a CLI command).

    Database errors leave it as DatabaseProblem (a SegtuiError with a sentence for the
    person at the keyboard). ``close``: the thread's connection is closed at the end, so that
    a worker thread that ends leaves no connection behind.
    """
    try:
        yield
    except peewee.PeeweeException as exc:
        raise as_problem(exc) from exc
    finally:
        if close and database_proxy.obj is not None and not database_proxy.in_transaction():
            database_proxy.close()


def reset_connection(db=database_proxy) -> None:
    """Forget the connection after trouble (server restarted, file locked): the next query
    opens a new one. Whatever was not committed is already lost and rolled back."""
    target = getattr(db, "obj", db)
    if target is None:
        return
    try:
        target.close()
    except Exception:  # a transaction cut short: drop it with the connection
        try:
            if target._state.conn is not None:
                target._state.conn.close()
        except Exception:
            pass
        target._state.reset()
