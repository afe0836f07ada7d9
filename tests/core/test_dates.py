"""Days as people type them: ISO, the locale's form, words; ambiguous forms refused."""

from __future__ import annotations

import pytest
from pendulum import Date

from segtui.core import dates
from segtui.core.errors import InvalidInput

TODAY = Date(2026, 11, 26)  # a Thursday


@pytest.mark.parametrize("environ, order", [
    ({"LANG": "fr_FR.UTF-8"}, dates.DAY_FIRST),
    ({"LANG": "en_GB.UTF-8"}, dates.DAY_FIRST),
    ({"LANG": "en_US.UTF-8"}, dates.MONTH_FIRST),
    ({"LANG": "fr_FR.UTF-8", "LC_TIME": "en_US.UTF-8"}, dates.MONTH_FIRST),
    ({"LANG": "en_US.UTF-8", "LC_ALL": "de_DE.UTF-8"}, dates.DAY_FIRST),
    ({"LANG": "C.UTF-8"}, None),
    ({"LANG": "POSIX"}, None),
    ({"LANG": "en_CA.UTF-8"}, None),
    ({"LANG": "fr.UTF-8"}, None),  # a language without a territory says no order
    ({}, None),
])
def test_the_locale_says_the_order(environ, order):
    assert dates.date_order(environ) == order


@pytest.mark.parametrize("typed, order, day", [
    ("2026-12-31", None, Date(2026, 12, 31)),
    (" 2027-1-5 ", None, Date(2027, 1, 5)),
    ("31/12/2026", dates.DAY_FIRST, Date(2026, 12, 31)),
    ("31/12/2026", None, Date(2026, 12, 31)),
    ("12/31/2026", None, Date(2026, 12, 31)),
    ("12/31/2026", dates.MONTH_FIRST, Date(2026, 12, 31)),
    ("3/4/2027", dates.DAY_FIRST, Date(2027, 4, 3)),
    ("3/4/2027", dates.MONTH_FIRST, Date(2027, 3, 4)),
    ("5.5.2027", None, Date(2027, 5, 5)),  # both readings are the same day
    ("Today", None, TODAY),
    ("tomorrow", None, Date(2026, 11, 27)),
    ("in 2 weeks", None, Date(2026, 12, 10)),
    ("in 1 month", None, Date(2026, 12, 26)),
    ("in  3   days", None, Date(2026, 11, 29)),
    ("next monday", None, Date(2026, 11, 30)),
    ("next thursday", None, Date(2026, 12, 3)),  # a week ahead, not today
    ("friday", None, Date(2026, 11, 27)),
])
def test_days_are_read(typed, order, day):
    assert dates.parse_day(typed, today=TODAY, order=order) == day


@pytest.mark.parametrize("typed, order, message", [
    ("3/4/2027", None, "3/4/2027 reads two ways: Saturday 3 April 2027 (day/month) or Thursday 4 March 2027 "
                       "(month/day); type 2027-04-03 or 2027-03-04"),
    ("12/31/2026", dates.DAY_FIRST, "12/31/2026 is not a day in the form day/month/year (e.g. 31/12/2026)"),
    ("31/12/2026", dates.MONTH_FIRST, "31/12/2026 is not a day in the form month/day/year (e.g. 12/31/2026)"),
    ("2026-02-30", None, "2026-02-30 is not a real day of the calendar"),
    ("31/31/2026", None, "31/31/2026 is not a real day of the calendar"),
    ("31/12-2026", None, "'31/12-2026' is not a day"),
    ("", dates.DAY_FIRST, "No day given: type a day as 2026-12-31, 31/12/2026, or a word"),
    ("next blursday", None, "'next blursday' is not a day"),
    ("in 9999 years", None, "beyond the last day of the calendar"),
])
def test_bad_days_are_refused_with_the_reason(typed, order, message):
    with pytest.raises(InvalidInput) as info:
        dates.parse_day(typed, today=TODAY, order=order)
    assert message in str(info.value)


def test_full_form_names_the_weekday():
    assert dates.full(Date(2026, 12, 31)) == "Thursday 31 December 2026"


@pytest.mark.parametrize("order", [None, dates.DAY_FIRST, dates.MONTH_FIRST])
def test_english_fields_show_and_name_iso_whatever_the_locale(order):
    day = Date(2027, 1, 2)
    assert dates.typed_form(day, order) == "2027-01-02"
    assert dates.form(order) == "YYYY-MM-DD"
    assert dates.reads_as_shown(" 2027-01-02 ", day, order)
    assert not dates.reads_as_shown("02/01/2027", day, order)


@pytest.mark.parametrize("order, shown, form", [
    (None, "02/01/2027", "JJ/MM/AAAA"),  # French reads day first when the locale does not say
    (dates.DAY_FIRST, "02/01/2027", "JJ/MM/AAAA"),
    (dates.MONTH_FIRST, "01/02/2027", "MM/JJ/AAAA"),  # a French console on a US locale
])
def test_french_fields_show_the_form_they_read_back(french, order, shown, form):
    day = Date(2027, 1, 2)
    assert dates.typed_form(day, order) == shown
    assert dates.form(order) == form
    assert dates.parse_day(shown, today=TODAY, order=order) == day  # what a field shows reads back the same day
    assert dates.reads_as_shown(shown, day, order) and dates.reads_as_shown("2027-01-02", day, order)
    assert not dates.reads_as_shown("demain", day, order)


def test_the_french_hint_gives_the_french_form_first(french):
    assert dates.hint(dates.DAY_FIRST).startswith("tapez un jour sous la forme 31/12/2026 ou 2026-12-31, ou un mot")
