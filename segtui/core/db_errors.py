"""Database errors as sentences, classified by what the engine says, not by its wording.

SQLite names each error (``sqlite_errorname``: SQLITE_BUSY, SQLITE_READONLY...) and a
PostgreSQL server answers with a SQLSTATE (``pgcode``: 55P03 lock not available...). Only
a connection that never reached a server has no SQLSTATE (libpq reports it in words): those
few cases are told apart by the words.
"""

from __future__ import annotations

import enum
from urllib.parse import parse_qsl, urlencode, urlsplit

import peewee

from .. import config
from ..i18n import Message


class Trouble(enum.Enum):
    LOCKED = "locked"
    CONFLICT = "conflict"
    READ_ONLY = "read_only"
    CANNOT_OPEN = "cannot_open"
    NOT_A_DATABASE = "not_a_database"
    NO_DATABASE = "no_database"
    REFUSED = "refused"
    UNREACHABLE = "unreachable"
    OTHER = "other"


# worth trying again in a moment: nothing is wrong with the data or the request
TRANSIENT = {Trouble.LOCKED, Trouble.CONFLICT, Trouble.UNREACHABLE}

SQLITE_NAMES = [  # primary result codes; extended ones (SQLITE_BUSY_SNAPSHOT...) start with them
    ("SQLITE_BUSY", Trouble.LOCKED),
    ("SQLITE_LOCKED", Trouble.LOCKED),
    ("SQLITE_READONLY", Trouble.READ_ONLY),
    ("SQLITE_CANTOPEN", Trouble.CANNOT_OPEN),
    ("SQLITE_NOTADB", Trouble.NOT_A_DATABASE),
    ("SQLITE_CORRUPT", Trouble.NOT_A_DATABASE),
]
PG_CODES = {
    "55P03": Trouble.LOCKED,  # lock_not_available (lock_timeout)
    "40P01": Trouble.CONFLICT,  # deadlock_detected
    "40001": Trouble.CONFLICT,  # serialization_failure
    "25006": Trouble.READ_ONLY,  # read_only_sql_transaction
    "3D000": Trouble.NO_DATABASE,  # invalid_catalog_name
    "28000": Trouble.REFUSED,  # invalid_authorization_specification
    "28P01": Trouble.REFUSED,  # invalid_password
    "53300": Trouble.UNREACHABLE,  # too_many_connections
    "57P01": Trouble.UNREACHABLE,  # admin_shutdown
    "57P02": Trouble.UNREACHABLE,  # crash_shutdown
    "57P03": Trouble.UNREACHABLE,  # cannot_connect_now
}
PG_CONNECTION_CLASS = "08"  # connection_exception and its subclasses


def driver_error(exc: BaseException) -> BaseException:
    """The driver's own exception behind a Peewee one."""
    return getattr(exc, "orig", None) or exc.__context__ or exc


def classify(exc: BaseException) -> Trouble:
    if isinstance(exc, peewee.InterfaceError):  # the connection is closed or unusable
        return Trouble.UNREACHABLE
    orig = driver_error(exc)
    name = getattr(orig, "sqlite_errorname", None)
    if name:
        return next((kind for prefix, kind in SQLITE_NAMES if name.startswith(prefix)), Trouble.OTHER)
    code = getattr(orig, "pgcode", None)
    if code:
        return PG_CODES.get(code) or (Trouble.UNREACHABLE if code.startswith(PG_CONNECTION_CLASS) else Trouble.OTHER)
    if _is_postgres_driver(orig) and isinstance(exc, peewee.OperationalError):
        return _connection_failure(str(orig).lower())
    return Trouble.OTHER


def _is_postgres_driver(orig: BaseException) -> bool:
    return any(cls.__module__.split(".")[0] in ("psycopg2", "psycopg") for cls in type(orig).__mro__)


def _connection_failure(lowered: str) -> Trouble:
    """libpq failed before any server answered (no SQLSTATE): which of the three."""
    if "does not exist" in lowered and "database" in lowered:
        return Trouble.NO_DATABASE
    if any(w in lowered for w in ("authentication", "password", "pg_hba.conf", 'role "')):
        return Trouble.REFUSED
    return Trouble.UNREACHABLE


def is_transient(exc: BaseException) -> bool:
    """An error that says nothing about the data: locked, connection lost, deadlock. Retry later."""
    return isinstance(exc, peewee.PeeweeException) and classify(exc) in TRANSIENT


def describe(url: str) -> str:
    """The URL as safe to show: a password (in the authority or the query) masked."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        userinfo, _, host = netloc.rpartition("@")
        netloc = f"{userinfo.split(':', 1)[0]}:***@{host}"
    query = parts.query
    pairs = parse_qsl(query, keep_blank_values=True)
    if any(key == "password" for key, _ in pairs):
        query = urlencode([(k, "***" if k == "password" else v) for k, v in pairs], safe="*/")
    # urlunsplit would drop an empty authority ("postgresql:///db"): join the parts as they came
    shown = f"{parts.scheme}://{netloc}{parts.path}"
    return shown + (f"?{query}" if query else "") + (f"#{parts.fragment}" if parts.fragment else "")


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def pg_server(url: str) -> str:
    """Which PostgreSQL server a URL reaches, as ``host:port`` or ``socket folder``, in the language."""
    return str(_server(url))


def _server(url: str) -> Message | str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    host = query.get("host") or parts.hostname
    port = query.get("port") or parts.port or 5432
    if not host:
        return Message("the local server (default socket, port {port})", port=port)
    if host.startswith("/"):
        return Message("the socket in {folder}", folder=host)
    return f"{host}:{port}"


def explain(exc: BaseException, url: str) -> str:
    """A database error as a sentence naming the database; the driver's words at the end (in the
    language now: ``explanation`` keeps it a Message)."""
    return str(explanation(exc, url))


def explanation(exc: BaseException, url: str) -> Message:
    """``explain`` as a Message, translated where it is shown (a DatabaseProblem's message)."""
    where = describe(url)
    text = " ".join(str(exc).split()) or type(exc).__name__
    trouble = classify(exc)
    if trouble is Trouble.LOCKED:
        return Message("The database {where} is locked by another process (waited {seconds} s); nothing was changed: "
                       "try again in a moment.", where=where, seconds=format(config.BUSY_TIMEOUT_SECONDS, "g"))
    if trouble is Trouble.CONFLICT:
        return Message("The database {where} was busy with a conflicting change; nothing was changed: try again.",
                       where=where)
    if trouble is Trouble.READ_ONLY:
        return Message("The database {where} is read-only: nothing can be changed.", where=where)
    if trouble is Trouble.CANNOT_OPEN:
        return Message("Cannot open the database {where}: check the path and its permissions.", where=where)
    if trouble is Trouble.NOT_A_DATABASE:
        return Message("{where} is not a segtui database (or it is damaged): {error}", where=where, error=text)
    if trouble is Trouble.NO_DATABASE and is_postgres_url(url):
        return Message("The PostgreSQL server at {server} has no database {name!r}: create it (createdb) or correct "
                       "the URL {where}", server=_server(url), name=urlsplit(url).path[1:], where=where)
    if trouble is Trouble.REFUSED:
        return Message("The PostgreSQL server at {server} refused the connection ({where}): {error}",
                       server=_server(url), where=where, error=text)
    if trouble is Trouble.UNREACHABLE and is_postgres_url(url):
        return Message("Cannot reach the PostgreSQL server at {server} ({where}): {error}", server=_server(url),
                       where=where, error=text)
    return Message("Database error on {where}: {error}", where=where, error=text)
