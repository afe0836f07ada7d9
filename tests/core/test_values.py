"""Typed values from text and back (issue 12): what an import, an edit and an export agree on."""

from __future__ import annotations

import pendulum
import pytest

from segtui.core import values
from segtui.core.properties import BOOLEAN, DATE, DATETIME, MULTIPLE, NUMBER, Option, Property

pytestmark = pytest.mark.sqlite_only

GIFT = Property("gift", "Gift", NUMBER)
SIGNED = Property("signed", "Signed up", DATETIME)
BORN = Property("born", "Born", DATE)
OPTED = Property("opted", "Opted in", BOOLEAN)
TOPICS = Property("topics", "Topics", MULTIPLE, ("ai", "data", "cloud"),
                  choices=(Option("ai", "AI", 0), Option("data", "Data", 1), Option("cloud", "Cloud", 2)))


@pytest.mark.parametrize("text, style, expected", [
    ("1234.5", values.DOT, 1234.5),
    ("1,234.5", values.DOT, 1234.5),  # thousands grouped by ','
    ("-1,234,567", values.DOT, -1234567.0),
    ("1 234,5", values.COMMA, 1234.5),
    ("1.234,5", values.COMMA, 1234.5),
    ("12,5", values.COMMA, 12.5),
])
def test_numbers_read_in_their_column_s_style(text, style, expected):
    assert values.parse(GIFT, text, style=style) == expected


@pytest.mark.parametrize("text, style", [
    ("abc", values.COMMA),
    ("1,2,3", values.COMMA),
    ("1,23.4", values.DOT),  # a ',' that groups nothing
    ("12,5", values.DOT),  # a decimal comma in a '.' column
    ("1.2.3", values.DOT),
])
def test_a_number_that_does_not_read_in_its_column_s_style_is_refused_in_words(text, style):
    with pytest.raises(ValueError) as refused:
        values.parse(GIFT, text, style=style)
    assert str(refused.value) == f"Gift must be a number, not {text!r}"


def test_a_number_too_large_to_store_is_refused():
    with pytest.raises(ValueError, match=r"^Gift: '1e999' is too large$"):
        values.parse(GIFT, "1e999")


def test_date_times_are_read_in_the_account_time_zone_unless_they_carry_an_offset():
    paris = "Europe/Paris"
    assert values.parse(SIGNED, "2026-11-26 10:00", tz=paris) == pendulum.datetime(2026, 11, 26, 9, 0)
    assert values.parse(SIGNED, "2026-11-26T10:00:00+02:00", tz=paris) == pendulum.datetime(2026, 11, 26, 8, 0)
    assert values.parse(SIGNED, "2026-11-26", tz=paris) == pendulum.datetime(2026, 11, 25, 23, 0)  # local midnight
    for text in ("tomorrow", "26/11/2026 10:00", "2026-11-26 25:00"):
        with pytest.raises(ValueError) as refused:
            values.parse(SIGNED, text, tz=paris)
        assert str(refused.value) == f"Signed up must be a date and time (YYYY-MM-DD HH:MM, or ISO 8601), not {text!r}"


def test_dates_take_the_local_day_of_a_date_time_and_refuse_what_is_not_a_day():
    assert values.parse(BORN, "2026-11-25T23:30:00Z", tz="Europe/Paris") == pendulum.date(2026, 11, 26)
    with pytest.raises(ValueError, match=r"^Born: 2026-02-30 is not a real day$"):
        values.parse(BORN, "2026-02-30")
    with pytest.raises(ValueError, match=r"^Born must be a date YYYY-MM-DD, not '26/11/2026'$"):
        values.parse(BORN, "26/11/2026")


def test_booleans_take_the_usual_words_only():
    assert [values.parse(OPTED, w) for w in ("Yes", "true", "1", "no", "FALSE", "0")] == [True] * 3 + [False] * 3
    with pytest.raises(ValueError, match=r"^Opted in must be true or false \(or yes/no, 1/0\), not 'oui'$"):
        values.parse(OPTED, "oui")


def test_multiple_checkboxes_are_stored_in_option_order_and_empty_lists_are_unknown():
    stored = values.parse(TOPICS, "cloud; ai ;Data;ai")  # by value or label, any order, repeated
    assert stored == ";ai;data;cloud;"
    assert values.unpack_multiple(stored) == ["ai", "data", "cloud"]
    assert values.parse(TOPICS, ";") is None and values.parse(TOPICS, " ; ;") is None
    assert values.unpack_multiple(None) == []
    with pytest.raises(ValueError, match=r"^Topics: 'Robots' is not one of its options \(AI, Data, Cloud\)$"):
        values.parse(TOPICS, "AI;Robots")


def test_an_exported_value_reads_back_as_the_same_value():
    moment = pendulum.datetime(2026, 11, 25, 23, 0)
    for prop, value in ((SIGNED, moment), (TOPICS, ";ai;cloud;"), (GIFT, 1234.5), (OPTED, False),
                        (BORN, pendulum.date(2026, 2, 28))):
        text = values.format(prop, value, tz="Europe/Paris")
        assert values.parse(prop, text, tz="Europe/Paris") == value, (prop.name, text)
