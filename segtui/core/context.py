"""Who acts, when, and in which time zone: passed to every service."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, replace

import pendulum
from pendulum import DateTime

from .. import config
from .clock import Clock
from .errors import ReadOnly


@dataclass(frozen=True)
class Context:
    clock: Clock
    actor: str
    tz: str = "UTC"
    read_only: bool = False
    # why, when it is the database that cannot be written (a read-only file)
    read_only_reason: str | None = None
    # the account locale's numeric day order (dates.DAY_FIRST / MONTH_FIRST), None if it does not say
    date_order: str | None = None

    def now(self) -> DateTime:
        return self.clock.now()

    def today(self) -> pendulum.Date:
        """Today's date in the account time zone."""
        return self.clock.now().in_timezone(self.tz).date()

    def local(self, moment: DateTime) -> DateTime:
        return moment.in_timezone(self.tz)

    def require_write(self, what: str) -> None:
        if self.read_only:
            if self.read_only_reason:
                raise ReadOnly(f"{self.read_only_reason}: {what} is not possible.")
            raise ReadOnly(f"This console is read-only: {what} is not allowed.")

    def for_database(self, reason: str | None) -> Context:
        """This context on a database that cannot be written (``reason`` says why), or as is."""
        return self if reason is None else replace(self, read_only=True, read_only_reason=reason)


def default_actor(environ=os.environ) -> str:
    """The SSH user when run over SSH, else the OS user."""
    if environ.get("SSH_CONNECTION") or environ.get("SSH_CLIENT"):
        for name in (config.ENV_SSH_USER, "USER", "LOGNAME"):
            if environ.get(name):
                return environ[name]
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"
