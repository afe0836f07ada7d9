"""The conversion schedule: JSON parsing, saving rules, due moments (DST, month ends), texts."""

from __future__ import annotations

import pendulum
import pytest

from segtui.core import schedule
from segtui.core.errors import InvalidSchedule
from segtui.core.schedule import AFTER_INACTIVITY, NEVER, ON_DAY, Schedule

pytestmark = pytest.mark.sqlite_only  # calendar logic: the database plays no part

D = pendulum.date


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"mode": "never"}, Schedule()),
        ({"mode": "on_day", "day": "2026-12-31"}, Schedule(ON_DAY, day=D(2026, 12, 31))),
        ({"mode": "on_day", "day": " 2028-02-29 "}, Schedule(ON_DAY, day=D(2028, 2, 29))),
        ({"mode": "after_inactivity", "amount": 30, "unit": "days"}, Schedule(AFTER_INACTIVITY, amount=30, unit="days")),
        ({"mode": "after_inactivity", "amount": 2, "unit": "weeks"}, Schedule(AFTER_INACTIVITY, amount=2, unit="weeks")),
        ({"mode": "after_inactivity", "amount": "6", "unit": "months"}, Schedule(AFTER_INACTIVITY, amount=6, unit="months")),
        ({"mode": "after_inactivity", "amount": 1, "unit": "days"}, Schedule(AFTER_INACTIVITY, amount=1, unit="days")),
        ({"mode": "after_inactivity", "amount": 3650, "unit": "days"}, Schedule(AFTER_INACTIVITY, amount=3650, unit="days")),
        ({"mode": "after_inactivity", "amount": 520, "unit": "weeks"}, Schedule(AFTER_INACTIVITY, amount=520, unit="weeks")),
        ({"mode": "after_inactivity", "amount": 120, "unit": "months"}, Schedule(AFTER_INACTIVITY, amount=120, unit="months")),
    ],
)
def test_parse_valid(data, expected):
    parsed = schedule.parse(data)
    assert parsed == expected
    assert schedule.parse(parsed.to_json()) == parsed  # the JSON form round-trips


@pytest.mark.parametrize(
    "data, message",
    [
        (None, 'A schedule is an object with a "mode"'),
        ([], 'A schedule is an object with a "mode"'),
        ("never", 'A schedule is an object with a "mode"'),
        ({}, 'A schedule is an object with a "mode"'),
        ({"mode": "sometimes"}, "Unknown schedule mode 'sometimes'"),
        ({"mode": "NEVER"}, "Unknown schedule mode 'NEVER'"),
        ({"mode": "never", "day": "2026-12-31"}, "Unexpected field in the schedule: day"),
        ({"mode": "on_day"}, 'An on_day schedule needs a "day" (YYYY-MM-DD)'),
        ({"mode": "on_day", "day": "2026-12-31", "amount": 1}, "Unexpected field in the schedule: amount"),
        ({"mode": "on_day", "day": "31/12/2026"}, "'31/12/2026' is not a date: use YYYY-MM-DD"),
        ({"mode": "on_day", "day": "2026-12-31T00:00"}, "is not a date: use YYYY-MM-DD"),
        ({"mode": "on_day", "day": 20261231}, "20261231 is not a date: use YYYY-MM-DD"),
        ({"mode": "on_day", "day": None}, "None is not a date"),
        ({"mode": "on_day", "day": "2026-02-30"}, "2026-02-30 is not a real day of the calendar"),
        ({"mode": "on_day", "day": "2026-13-01"}, "2026-13-01 is not a real day of the calendar"),
        ({"mode": "on_day", "day": "\uff12\uff10\uff12\uff16-\uff11\uff12-\uff13\uff11"}, "is not a date: use YYYY-MM-DD"),
        ({"mode": "after_inactivity", "amount": 3}, 'needs an "amount" and a "unit"'),
        ({"mode": "after_inactivity", "unit": "days"}, 'needs an "amount" and a "unit"'),
        ({"mode": "after_inactivity", "amount": 3, "unit": "days", "day": "2026-12-31"}, "Unexpected field in the schedule: day"),
        ({"mode": "after_inactivity", "amount": 3, "unit": "years"}, "The unit must be days, weeks or months, not 'years'"),
        ({"mode": "after_inactivity", "amount": 3, "unit": "Days"}, "not 'Days'"),
        ({"mode": "after_inactivity", "amount": 0, "unit": "days"}, "The period must be at least 1"),
        ({"mode": "after_inactivity", "amount": -5, "unit": "weeks"}, "The period must be at least 1"),
        ({"mode": "after_inactivity", "amount": "-5", "unit": "weeks"}, "The period must be at least 1"),
        ({"mode": "after_inactivity", "amount": 3651, "unit": "days"}, "at most 3650 days (ten years)"),
        ({"mode": "after_inactivity", "amount": 521, "unit": "weeks"}, "at most 520 weeks"),
        ({"mode": "after_inactivity", "amount": 121, "unit": "months"}, "at most 120 months"),
        ({"mode": "after_inactivity", "amount": 10**30, "unit": "days"}, "at most 3650 days"),
        ({"mode": "after_inactivity", "amount": 1.5, "unit": "days"}, "must be a whole number, not 1.5"),
        ({"mode": "after_inactivity", "amount": 2.0, "unit": "days"}, "must be a whole number, not 2.0"),
        ({"mode": "after_inactivity", "amount": "1.5", "unit": "days"}, "must be a whole number, not '1.5'"),
        ({"mode": "after_inactivity", "amount": "", "unit": "days"}, "must be a whole number, not ''"),
        ({"mode": "after_inactivity", "amount": "ten", "unit": "days"}, "must be a whole number, not 'ten'"),
        ({"mode": "after_inactivity", "amount": "\uff13", "unit": "days"}, "must be a whole number"),
        ({"mode": "after_inactivity", "amount": True, "unit": "days"}, "must be a whole number, not True"),
        ({"mode": "after_inactivity", "amount": None, "unit": "days"}, "must be a whole number, not None"),
        ({"mode": "after_inactivity", "amount": [3], "unit": "days"}, "must be a whole number"),
    ],
)
def test_parse_invalid(data, message):
    with pytest.raises(InvalidSchedule) as caught:
        schedule.parse(data)
    assert message in str(caught.value)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    "plan, ok",
    [
        (Schedule(ON_DAY, day=D(2026, 11, 25)), False),
        (Schedule(ON_DAY, day=D(2025, 11, 26)), False),
        (Schedule(ON_DAY, day=D(2026, 11, 26)), True),
        (Schedule(ON_DAY, day=D(2026, 11, 27)), True),
        (Schedule(), True),
        (Schedule(AFTER_INACTIVITY, amount=1, unit="days"), True),
    ],
)
def test_check_for_saving(plan, ok):
    today = D(2026, 11, 26)
    if ok:
        assert schedule.check_for_saving(plan, today=today) is None
    else:
        with pytest.raises(InvalidSchedule) as caught:
            schedule.check_for_saving(plan, today=today)
        assert str(caught.value) == (
            f"{plan.day.isoformat()} is in the past (today is 2026-11-26): pick today or a later day"
        )


def test_today_is_the_account_zones_today(ctx, clock):
    """At 23:30 UTC on the 26th it is already the 27th in Paris: the 26th is past there."""
    clock.set(pendulum.datetime(2026, 11, 26, 23, 30, tz="UTC"))
    assert ctx.today() == D(2026, 11, 27)
    with pytest.raises(InvalidSchedule, match="is in the past"):
        schedule.check_for_saving(Schedule(ON_DAY, day=D(2026, 11, 26)), today=ctx.today())


ANY = pendulum.datetime(2026, 1, 1, tz="UTC")


@pytest.mark.parametrize(
    "tz, day, utc",
    [
        ("Europe/Paris", D(2026, 12, 31), pendulum.datetime(2026, 12, 30, 23, tz="UTC")),
        ("Europe/Paris", D(2026, 7, 14), pendulum.datetime(2026, 7, 13, 22, tz="UTC")),
        # the DST change days: midnight is still on the old offset
        ("Europe/Paris", D(2026, 3, 29), pendulum.datetime(2026, 3, 28, 23, tz="UTC")),
        ("Europe/Paris", D(2026, 10, 25), pendulum.datetime(2026, 10, 24, 22, tz="UTC")),
        ("America/New_York", D(2026, 3, 8), pendulum.datetime(2026, 3, 8, 5, tz="UTC")),
        ("America/New_York", D(2026, 11, 1), pendulum.datetime(2026, 11, 1, 4, tz="UTC")),
        # the day after the change: the new offset
        ("Europe/Paris", D(2026, 3, 30), pendulum.datetime(2026, 3, 29, 22, tz="UTC")),
        ("America/New_York", D(2026, 11, 2), pendulum.datetime(2026, 11, 2, 5, tz="UTC")),
        ("UTC", D(2026, 12, 31), pendulum.datetime(2026, 12, 31, tz="UTC")),
        ("Asia/Tokyo", D(2026, 1, 1), pendulum.datetime(2025, 12, 31, 15, tz="UTC")),
    ],
)
def test_on_day_is_local_midnight_in_utc(tz, day, utc):
    due = schedule.due_moment(Schedule(ON_DAY, day=day), tz=tz, last_activity_at=ANY)
    assert due == utc
    assert due.timezone_name == "UTC"
    local = due.in_timezone(tz)
    assert (local.date(), local.hour, local.minute) == (day, 0, 0)


@pytest.mark.parametrize(
    "tz, day, utc, local_time",
    [
        # DST starts at midnight: the day begins at 01:00
        ("America/Santiago", D(2026, 9, 6), pendulum.datetime(2026, 9, 6, 4, tz="UTC"), (1, 0)),
        ("America/Havana", D(2026, 3, 8), pendulum.datetime(2026, 3, 8, 5, tz="UTC"), (1, 0)),
        # DST ends at 01:00: midnight happens twice, the day begins at the first
        ("America/Havana", D(2026, 11, 1), pendulum.datetime(2026, 11, 1, 4, tz="UTC"), (0, 0)),
    ],
)
def test_on_day_is_the_first_moment_of_the_day_where_midnight_is_odd(tz, day, utc, local_time):
    due = schedule.due_moment(Schedule(ON_DAY, day=day), tz=tz, last_activity_at=ANY)
    assert due == utc
    local = due.in_timezone(tz)
    assert (local.date(), (local.hour, local.minute)) == (day, local_time)
    assert due.subtract(seconds=1).in_timezone(tz).date() < day  # one second earlier is the day before


def _local(y, m, d, h, mi, tz):
    return pendulum.datetime(y, m, d, h, mi, tz=tz).in_timezone("UTC")


@pytest.mark.parametrize(
    "tz, last, amount, unit, local_due, utc_due",
    [
        # +1 day across a DST change keeps the local wall time (23 or 25 hours later)
        ("Europe/Paris", (2026, 3, 28, 10, 0), 1, "days", (2026, 3, 29, 10, 0), pendulum.datetime(2026, 3, 29, 8, tz="UTC")),
        ("Europe/Paris", (2026, 10, 24, 10, 0), 1, "days", (2026, 10, 25, 10, 0), pendulum.datetime(2026, 10, 25, 9, tz="UTC")),
        ("America/New_York", (2026, 3, 7, 10, 0), 1, "days", (2026, 3, 8, 10, 0), pendulum.datetime(2026, 3, 8, 14, tz="UTC")),
        ("America/New_York", (2026, 10, 31, 10, 0), 1, "days", (2026, 11, 1, 10, 0), pendulum.datetime(2026, 11, 1, 15, tz="UTC")),
        ("Europe/Paris", (2026, 3, 22, 9, 15), 1, "weeks", (2026, 3, 29, 9, 15), pendulum.datetime(2026, 3, 29, 7, 15, tz="UTC")),
        ("Europe/Paris", (2026, 9, 25, 0, 0), 1, "months", (2026, 10, 25, 0, 0), pendulum.datetime(2026, 10, 24, 22, tz="UTC")),
        # calendar months: the end of a month clamps to the end of the shorter month
        ("Europe/Paris", (2026, 1, 31, 10, 0), 1, "months", (2026, 2, 28, 10, 0), pendulum.datetime(2026, 2, 28, 9, tz="UTC")),
        ("Europe/Paris", (2028, 1, 31, 10, 0), 1, "months", (2028, 2, 29, 10, 0), pendulum.datetime(2028, 2, 29, 9, tz="UTC")),
        ("Europe/Paris", (2026, 3, 31, 12, 0), 1, "months", (2026, 4, 30, 12, 0), pendulum.datetime(2026, 4, 30, 10, tz="UTC")),
        ("UTC", (2026, 8, 31, 0, 0), 6, "months", (2027, 2, 28, 0, 0), pendulum.datetime(2027, 2, 28, tz="UTC")),
        ("UTC", (2026, 1, 1, 0, 0), 30, "days", (2026, 1, 31, 0, 0), pendulum.datetime(2026, 1, 31, tz="UTC")),
    ],
)
def test_inactivity_due_in_calendar_terms(tz, last, amount, unit, local_due, utc_due):
    last_at = _local(*last, tz)
    due = schedule.due_moment(Schedule(AFTER_INACTIVITY, amount=amount, unit=unit), tz=tz, last_activity_at=last_at)
    assert due == utc_due
    local = due.in_timezone(tz)
    assert (local.year, local.month, local.day, local.hour, local.minute) == local_due


def test_inactivity_one_day_is_23_or_25_hours_across_a_change():
    spring = _local(2026, 3, 28, 10, 0, "Europe/Paris")
    autumn = _local(2026, 10, 24, 10, 0, "Europe/Paris")
    one_day = Schedule(AFTER_INACTIVITY, amount=1, unit="days")
    assert (schedule.due_moment(one_day, tz="Europe/Paris", last_activity_at=spring) - spring).in_hours() == 23
    assert (schedule.due_moment(one_day, tz="Europe/Paris", last_activity_at=autumn) - autumn).in_hours() == 25


def test_never_has_no_due_moment():
    assert schedule.due_moment(Schedule(), tz="Europe/Paris", last_activity_at=ANY) is None


NOW = pendulum.datetime(2026, 11, 26, 9, 30, tz="UTC")


@pytest.mark.parametrize(
    "plan, due, text",
    [
        (Schedule(), None, ""),
        (Schedule(ON_DAY, day=D(2026, 12, 31)), pendulum.datetime(2026, 12, 30, 23, tz="UTC"), "-> static on 31 Dec 2026"),
        (Schedule(AFTER_INACTIVITY, amount=1, unit="weeks"), pendulum.datetime(2026, 12, 3, 9, 30, tz="UTC"),
         "-> static after 1 week idle, due 3 Dec"),  # this year: no year shown
        (Schedule(AFTER_INACTIVITY, amount=30, unit="days"), None, "-> static after 30 days idle"),
        (Schedule(AFTER_INACTIVITY, amount=1, unit="months"), pendulum.datetime(2026, 12, 31, 23, 30, tz="UTC"),
         "-> static after 1 month idle, due 1 Jan 2027"),  # the due day as seen in Paris
    ],
)
def test_summary(plan, due, text):
    assert schedule.summary(plan, due, tz="Europe/Paris", now=NOW) == text


def test_summary_without_a_clock_always_shows_the_year():
    due = pendulum.datetime(2026, 12, 3, 9, 30, tz="UTC")
    plan = Schedule(AFTER_INACTIVITY, amount=1, unit="weeks")
    assert schedule.summary(plan, due, tz="Europe/Paris") == "-> static after 1 week idle, due 3 Dec 2026"


@pytest.mark.parametrize(
    "plan, due, text",
    [
        (Schedule(), None, "This segment will not be converted automatically."),
        (Schedule(ON_DAY, day=D(2026, 12, 31)), pendulum.datetime(2026, 12, 30, 23, tz="UTC"),
         "Converts on Thursday 31 December 2026 at 00:00 Europe/Paris."),
        (Schedule(AFTER_INACTIVITY, amount=2, unit="weeks"), pendulum.datetime(2026, 12, 10, 9, 30, tz="UTC"),
         "Converts on Thursday 10 December 2026 at 10:30 Europe/Paris unless a record is added or removed before then."),
        (Schedule(ON_DAY, day=D(2026, 11, 26)), pendulum.datetime(2026, 11, 25, 23, tz="UTC"),
         "Already due: converts at the next worker run."),
        (Schedule(AFTER_INACTIVITY, amount=1, unit="days"), NOW, "Already due: converts at the next worker run."),
    ],
)
def test_explain(plan, due, text):
    assert schedule.explain(plan, due, tz="Europe/Paris", now=NOW) == text


@pytest.mark.parametrize("amount, unit, text", [(1, "days", "1 day"), (2, "days", "2 days"), (1, "months", "1 month"), (12, "weeks", "12 weeks")])
def test_format_period(amount, unit, text):
    assert schedule.format_period(amount, unit) == text


def test_modes_and_units_are_the_documented_ones():
    assert schedule.MODES == (NEVER, ON_DAY, AFTER_INACTIVITY) == ("never", "on_day", "after_inactivity")
    assert schedule.UNITS == ("days", "weeks", "months")


@pytest.mark.parametrize("data, message", [
    ("never", 'A schedule is an object with a "mode": never, on_day or after_inactivity'),
    ({"mode": "on_day"}, 'An on_day schedule needs a "day" (YYYY-MM-DD)'),
    ({"mode": "after_inactivity", "amount": 3}, 'An after_inactivity schedule needs an "amount" and a "unit"'),
    ({"mode": "never", "day": "2026-12-01", "zz": 1}, "Unexpected fields in the schedule: day, zz"),
    ({"mode": "after_inactivity", "amount": 0, "unit": "days"}, "The period must be at least 1"),
])
def test_a_malformed_schedule_is_refused_in_its_own_words(data, message):
    """Each refusal exactly (mutation testing found only their existence asserted)."""
    with pytest.raises(InvalidSchedule) as caught:
        schedule.parse(data)
    assert str(caught.value) == message
