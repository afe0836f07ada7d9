"""The closed vocabularies stored in the database, as StrEnums (equal to their stored text)."""

from __future__ import annotations

from enum import StrEnum

from ..i18n import Message


class SegmentType(StrEnum):
    ACTIVE = "active"  # members follow the filters
    STATIC = "static"  # members change only by hand


class ScheduleMode(StrEnum):
    """When an active segment converts itself to static."""

    NEVER = "never"
    ON_DAY = "on_day"
    AFTER_INACTIVITY = "after_inactivity"


# the records of each object type, in a sentence ("unknown property 'x' for contacts"):
# translated when shown
RECORDS = {"contacts": Message("contacts"), "companies": Message("companies")}


def records_word(object_type: str) -> Message | str:
    """'contacts' / 'entreprises': the object type's records in a sentence (its code if unknown)."""
    return RECORDS.get(object_type, object_type)
