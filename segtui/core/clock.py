"""Time is part of the domain: logic takes a clock, never calls now() itself."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Protocol

import pendulum
from pendulum import DateTime

from .. import config
from .errors import InvalidInput


class Clock(Protocol):
    def now(self) -> DateTime:
        """The current moment, in UTC."""


class SystemClock:
    def now(self) -> DateTime:
        return pendulum.now("UTC")


@dataclass
class FixedClock:
    """A clock stopped at one moment; ``advance`` moves it (tests, simulations)."""

    moment: DateTime

    def __post_init__(self) -> None:
        self.moment = self.moment.in_timezone("UTC")

    def now(self) -> DateTime:
        return self.moment

    def advance(self, **delta) -> None:
        self.moment = self.moment.add(**delta)

    def set(self, moment: DateTime) -> None:
        self.moment = moment.in_timezone("UTC")


def parse_moment(text: str) -> DateTime:
    """An ISO 8601 datetime; naive ones are read as UTC."""
    try:
        # exact: a bare date or time stays one (and is refused) instead of borrowing today's
        parsed = pendulum.parse(text.strip(), tz="UTC", exact=True)
    except Exception:
        raise InvalidInput("SEGTUI_NOW {value!r} is not an ISO 8601 datetime (e.g. 2026-12-01T09:30:00+01:00)",
                           value=text) from None
    if not isinstance(parsed, DateTime):
        raise InvalidInput("SEGTUI_NOW {value!r} must be a date and a time, e.g. 2026-12-01T09:30:00+01:00",
                           value=text)
    return parsed.in_timezone("UTC")


def clock_from_env(environ=os.environ) -> Clock:
    """``SEGTUI_NOW`` runs everything as if at that moment; otherwise the system clock."""
    value = config.env(config.ENV_NOW, environ)
    if value:
        return FixedClock(parse_moment(value))
    return SystemClock()


def resolve_timezone(name: str | None) -> str:
    """A valid IANA zone name: the one given, else SEGTUI_TZ, else the system's."""
    candidate = name or config.env(config.ENV_TZ)
    if candidate is None:
        try:
            return pendulum.local_timezone().name
        except Exception:
            return "UTC"
    try:
        return pendulum.timezone(candidate).name
    except Exception:
        raise InvalidInput("Unknown time zone {zone!r}: use an IANA name such as Europe/Paris", zone=candidate) from None
