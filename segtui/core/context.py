"""Who acts, when, and in which time zone: passed to every service."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, replace

import pendulum
from pendulum import DateTime

from .. import config
from ..i18n import N_, Message, _
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

    def require_write(self, what: str | Message) -> None:
        """``what`` names the act ("renaming a segment"): one of ``ACTS``, or a Message."""
        if self.read_only:
            if self.read_only_reason:
                raise ReadOnly("{reason}: {what} is not possible.", reason=self.read_only_reason, what=_Act(what))
            raise ReadOnly("This console is read-only: {what} is not allowed.", what=_Act(what))

    def for_database(self, reason: str | None) -> Context:
        """This context on a database that cannot be written (``reason`` says why), or as is."""
        return self if reason is None else replace(self, read_only=True, read_only_reason=reason)


# the acts a read-only console refuses, named by the services that refuse them: marked here so
# that the refusal reads in the language whoever wrote the act's name
ACTS = (
    N_("adding records"), N_("adding the demo data"), N_("applying due conversions"), N_("archiving a property"),
    N_("associating records"), N_("changing a property's type"), N_("changing the automatic conversion"),
    N_("cloning a segment"), N_("converting a segment"), N_("creating a folder"), N_("creating a property"),
    N_("creating a segment"), N_("deleting a folder"), N_("deleting a record"), N_("deleting a segment"),
    N_("deleting segments"), N_("describing a segment"), N_("editing a property"), N_("editing a record"),
    N_("editing filters"), N_("importing records"), N_("moving segments"), N_("refreshing a segment"),
    N_("removing an association"), N_("removing records"), N_("renaming a folder"), N_("renaming a segment"),
    N_("repairing segments"), N_("restoring a property"), N_("restoring a segment"), N_("running the worker"),
)


class _Act:
    """An act's name, translated when the refusal is shown."""

    def __init__(self, what: str | Message):
        self.what = what

    def __str__(self) -> str:
        return str(self.what) if isinstance(self.what, Message) else _(self.what)


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
