"""A throwaway PostgreSQL server for the tests and the perf scripts.

``PgServer.start()`` runs initdb and pg_ctl from the machine's PostgreSQL into a private
temporary folder: no TCP port (a Unix socket in that folder only), trust authentication,
fsync off (the data is thrown away). ``stop()`` stops it and removes the folder.

PostgreSQL refuses to run as root; when the tests run as root (containers, CI), the
server runs as an unprivileged OS user: ``SEGTUI_PG_OS_USER`` if set, else ``nobody``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

ROLE = "segtui"
TEMPLATE = "segtui_template"
REQUIRE_ENV = "SEGTUI_REQUIRE_POSTGRES"


class Unavailable(Exception):
    """No PostgreSQL server can be started here; the message says why."""


def find_bin() -> Path | None:
    """The folder holding initdb and pg_ctl: $SEGTUI_PG_BIN, Debian's layout, or PATH."""
    wanted = os.environ.get("SEGTUI_PG_BIN")
    if wanted:
        candidates = [wanted]
    else:
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version, reverse=True)
        candidates += sorted(glob.glob("/usr/pgsql-*/bin"), key=_version, reverse=True)
        on_path = shutil.which("initdb")
        if on_path:
            candidates.append(str(Path(on_path).parent))
    for folder in candidates:
        if folder and all((Path(folder) / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    return None


def _version(path: str) -> float:
    digits = "".join(c if c.isdigit() or c == "." else " " for c in path).split()
    try:
        return float(digits[0]) if digits else 0.0
    except ValueError:
        return 0.0


def _os_user() -> pwd.struct_passwd | None:
    """Whom the server runs as: None means ourselves (we are not root)."""
    if os.geteuid() != 0:
        return None
    name = os.environ.get("SEGTUI_PG_OS_USER", "nobody")
    try:
        return pwd.getpwnam(name)
    except KeyError:
        raise Unavailable(
            f"running as root and the OS user {name!r} for the PostgreSQL server does not exist "
            "(set SEGTUI_PG_OS_USER to an unprivileged user)"
        ) from None


class PgServer:
    def __init__(self, bin_dir: Path, folder: Path, user: pwd.struct_passwd | None):
        self.bin_dir = bin_dir
        self.folder = folder
        self.user = user
        self.data = folder / "data"
        self.log = folder / "server.log"
        self._admin = None
        self._reusable: dict[str, tuple] = {}

    # ------------------------------------------------------------------ life cycle

    @classmethod
    def start(cls) -> PgServer:
        bin_dir = find_bin()
        if bin_dir is None:
            raise Unavailable(
                "PostgreSQL server binaries (initdb, pg_ctl) not found: install PostgreSQL "
                "(Debian: apt-get install postgresql) or set SEGTUI_PG_BIN"
            )
        try:
            import psycopg2  # noqa: F401
        except ImportError:
            raise Unavailable("the psycopg2 driver is not installed: pip install -e '.[test]'") from None
        user = _os_user()
        # short: a Unix socket path must fit in 107 bytes
        folder = Path(tempfile.mkdtemp(prefix="segtui-pg-", dir="/tmp"))
        if user is not None:
            os.chown(folder, user.pw_uid, user.pw_gid)
        server = cls(bin_dir, folder, user)
        try:
            server._run("initdb", "-D", str(server.data), "-U", ROLE, "--auth=trust", "-E", "UTF8",
                        "--no-locale", "--no-sync", "--no-instructions")
            options = " ".join([
                "-c listen_addresses=''",
                f"-c unix_socket_directories={folder}",
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                "-c max_connections=200 -c shared_buffers=64MB",
                "-c max_locks_per_transaction=256",
            ])
            server._run("pg_ctl", "-D", str(server.data), "-l", str(server.log), "-w", "-t", "60",
                        "-o", options, "start")
            server._create_template()
        except BaseException:
            server.stop()
            raise
        return server

    def stop(self) -> None:
        for conn, _, _ in self._reusable.values():
            conn.close()
        self._reusable.clear()
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, tool: str, *args: str, check: bool = True) -> None:
        kwargs = {}
        if self.user is not None:
            kwargs = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        done = subprocess.run([str(self.bin_dir / tool), *args], cwd=self.folder, capture_output=True,
                              text=True, env={**os.environ, "LC_ALL": "C"}, **kwargs)
        if check and done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise Unavailable(f"{tool} failed ({done.returncode}): {done.stderr.strip()}\n{log}")

    # ------------------------------------------------------------------ databases

    def url(self, name: str) -> str:
        return f"postgresql://{ROLE}@/{name}?host={self.folder}"

    def admin(self):
        """An autocommit connection to the maintenance database (CREATE/DROP DATABASE)."""
        if self._admin is None or self._admin.closed:
            import psycopg2

            self._admin = psycopg2.connect(dbname="postgres", user=ROLE, host=str(self.folder))
            self._admin.autocommit = True
        return self._admin

    def _create_template(self) -> None:
        from segtui.core import db as dbmod

        self.execute(f'CREATE DATABASE "{TEMPLATE}"')
        database = dbmod.connect(self.url(TEMPLATE))  # the real migrations, not bound to the models
        try:
            dbmod.migrate(database)
        finally:
            database.close()

    def create_database(self, template: str = TEMPLATE) -> str:
        """A fresh database copied from ``template``; returns its name."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    def reset(self, name: str = "segtui_work") -> str:
        """An empty migrated database, reused test after test (TRUNCATE is faster than a copy).

        The first call copies the template; later ones end any connection left behind,
        drop the columns a test added (custom properties), empty every table, restart the id
        sequences, put back the rows the migrations wrote (the built-in property definitions)
        and forget migrations a test added.
        """
        import psycopg2

        if name not in self._reusable:
            self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
            conn = psycopg2.connect(dbname=name, user=ROLE, host=str(self.folder))
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                               "AND tablename <> 'schema_migration' ORDER BY tablename")
                tables = [row[0] for row in cursor.fetchall()]
                cursor.execute("SELECT name FROM schema_migration")
                migrations = [row[0] for row in cursor.fetchall()]
                cursor.execute("SELECT table_name, column_name FROM information_schema.columns "
                               "WHERE table_schema = 'public'")
                self._columns = {(t, c) for t, c in cursor.fetchall()}
                seeded = [t for t in tables if self._rows(cursor, t)]
                cursor.execute("DROP SCHEMA IF EXISTS seeded CASCADE; CREATE SCHEMA seeded")
                for table in seeded:
                    cursor.execute(f"CREATE TABLE seeded.{table} AS TABLE public.{table}")
                self._seeded = seeded
            self._reusable[name] = (conn, tables, migrations)
            return name
        conn, tables, migrations = self._reusable[name]
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            cursor.execute("SELECT table_name, column_name FROM information_schema.columns "
                           "WHERE table_schema = 'public' AND table_name = ANY(%s)", (tables,))
            for table, column in sorted(set(cursor.fetchall()) - self._columns):
                cursor.execute(f'ALTER TABLE {table} DROP COLUMN "{column}"')
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
            for table in self._seeded:
                cursor.execute(f"INSERT INTO public.{table} SELECT * FROM seeded.{table}")
                if self._has_id(cursor, table):
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT MAX(id) FROM public.{table}))")
            cursor.execute("DELETE FROM schema_migration WHERE NOT (name = ANY(%s))", (migrations,))
        return name

    @staticmethod
    def _rows(cursor, table: str) -> bool:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM public.{table})")
        return cursor.fetchone()[0]

    def snapshot(self, label: str, name: str = "segtui_work") -> None:
        """Keep a copy of the reusable database's rows (schema ``snap_<label>``) for ``restore``."""
        conn, tables, _ = self._reusable[name]
        schema = f"snap_{label}"
        with conn.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
            # columns added since the template (custom properties), re-added by restore
            cursor.execute("SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                           "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                           "WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped AND c.relname = ANY(%s) "
                           "ORDER BY c.relname, a.attnum", (tables,))
            added = [row for row in cursor.fetchall() if (row[0], row[1]) not in self._columns]
            cursor.execute(f"CREATE TABLE {schema}.added_columns (tbl text, col text, typ text)")
            for row in added:
                cursor.execute(f"INSERT INTO {schema}.added_columns VALUES (%s, %s, %s)", row)
            for table in tables:
                cursor.execute(f"CREATE TABLE {schema}.{table} AS TABLE public.{table}")
            cursor.execute(f"CREATE TABLE {schema}.sequences (name text, value bigint, called boolean)")
            for table in tables:
                if not self._has_id(cursor, table):
                    continue
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table,))
                sequence = cursor.fetchone()[0]
                if sequence:
                    cursor.execute(f"INSERT INTO {schema}.sequences SELECT %s, last_value, is_called FROM {sequence}",
                                   (sequence,))

    def restore(self, label: str, name: str = "segtui_work") -> str:
        """The reusable database with exactly the rows of ``snapshot(label)`` (ids included)."""
        self.reset(name)
        conn, tables, _ = self._reusable[name]
        schema = f"snap_{label}"
        with conn.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")  # no FK checks while copying
            for table in self._seeded:  # the snapshot has its own copy of these
                cursor.execute(f"DELETE FROM public.{table}")
            cursor.execute(f"SELECT tbl, col, typ FROM {schema}.added_columns")
            for table, column, kind in cursor.fetchall():
                cursor.execute(f'ALTER TABLE {table} ADD COLUMN "{column}" {kind}')
            for table in tables:
                cursor.execute(f"INSERT INTO public.{table} SELECT * FROM {schema}.{table}")
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute(f"SELECT setval(name, value, called) FROM {schema}.sequences")
        return name

    @staticmethod
    def _has_id(cursor, table: str) -> bool:
        cursor.execute("SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' "
                       "AND table_name = %s AND column_name = 'id'", (table,))
        return cursor.fetchone() is not None

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def execute(self, sql: str) -> None:
        with self.admin().cursor() as cursor:
            cursor.execute(sql)


def required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") == "1"
