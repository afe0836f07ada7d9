"""Settings from the environment, the defaults of every option, and the date formats.

Every ``SEGTUI_*`` variable is read here and nowhere else; the CLI, the server and the core
take their defaults from the constants below, so that a default is written once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

from . import i18n

APP_NAME = "segtui"

# -- environment variables -------------------------------------------------------------------
ENV_DB = "SEGTUI_DB"  # the database (a path or a URL)
ENV_TZ = "SEGTUI_TZ"  # the account time zone
ENV_NOW = "SEGTUI_NOW"  # run as if at this ISO 8601 moment (tests, demos)
ENV_ACTOR = "SEGTUI_ACTOR"  # who acts, when --actor is not given
ENV_SSH_USER = "SEGTUI_SSH_USER"  # who acts over SSH, before USER and LOGNAME


def env(name: str, environ: Mapping[str, str] = os.environ) -> str | None:
    """A variable's value, or None when it is unset or blank."""
    value = environ.get(name, "").strip()
    return value or None


# -- defaults ------------------------------------------------------------------------------------
WORKER_INTERVAL_SECONDS = 30.0
BUSY_TIMEOUT_SECONDS = 10.0  # SQLite waits this long for the write lock; PostgreSQL for a row lock
PG_CONNECT_TIMEOUT_SECONDS = 10
SERVE_HOST = "127.0.0.1"
SERVE_PORT = 2222
SERVE_MAX_SESSIONS = 20
SERVE_IDLE_TIMEOUT_SECONDS = 3600.0
SERVE_MAX_MEMORY_MB = 1024  # address space of each console process (RLIMIT_AS)


def default_database() -> str:
    return str(Path(user_data_dir(APP_NAME, appauthor=False)) / "segtui.db")


def database_url(given: str | None = None, environ: Mapping[str, str] = os.environ) -> str:
    """The database to use: the one given, else SEGTUI_DB, else the user data folder's."""
    return given or env(ENV_DB, environ) or default_database()


def default_files_dir() -> Path:
    """The console's files folder (its imports and exports), when --files-dir is not given."""
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "files"


def default_authorized_keys() -> Path:
    return Path(user_config_dir(APP_NAME, appauthor=False)) / "authorized_keys"


def default_host_key() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "ssh_host_ed25519_key"


# -- date formats ------------------------------------------------------------------------------------
# for machines (pendulum tokens): the CLI prints these whatever the language
DAY_INPUT = "YYYY-MM-DD"  # what the user types, and what the CLI prints for a day
MINUTE = "YYYY-MM-DD HH:mm"  # the CLI's moments
MINUTE_ZONE = "YYYY-MM-DD HH:mm zz"
SECOND = "YYYY-MM-DD HH:mm:ss"
# for people (Babel patterns, in the language: segtui.tui.text.moment, segtui.i18n.format_moment)
SHOWN_MOMENT = i18n.MOMENT  # the console's moments: 2 Jan 2027 09:30 / 2 janv. 2027 09:30
SHOWN_DAY = i18n.DAY
SHOWN_DAY_THIS_YEAR = i18n.DAY_THIS_YEAR
MONTH = i18n.MONTH
