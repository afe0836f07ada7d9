"""The closed vocabularies stored in the database, as StrEnums (equal to their stored text)."""

from __future__ import annotations

from enum import StrEnum


class SegmentType(StrEnum):
    ACTIVE = "active"  # members follow the filters
    STATIC = "static"  # members change only by hand


class ScheduleMode(StrEnum):
    """When an active segment converts itself to static."""

    NEVER = "never"
    ON_DAY = "on_day"
    AFTER_INACTIVITY = "after_inactivity"
