"""Days and moments a French reader meets are said in French (issue 16): a record's date and
date-time values on screens, the record's "why", the Analyze tab's events, a refusal naming
when someone else changed a segment. English keeps the ISO it always showed; files and
--json keep ISO (and English) in every language."""

from __future__ import annotations

import pendulum
import pytest

from segtui import i18n
from segtui.core import conversions, history, records, segments, why
from segtui.core import properties as registry
from segtui.core.display import format_value
from segtui.core.errors import StaleSegment
from segtui.core.schedule import ON_DAY, Schedule

from core_helpers import make, region_is, regions

D = pendulum.Date


def test_date_values_on_a_screen_are_french_and_files_keep_iso(french):
    day = registry.get("contacts", "last_activity_date")
    assert day.type == registry.DATE
    assert format_value(day, D(2026, 9, 1), labels=True) == "1 sept. 2026"
    assert format_value(day, D(2026, 9, 1)) == "2026-09-01"  # a file reads it back
    moment = registry.Property("last_donation", "Last donation", registry.DATETIME, column="p_last_donation")
    at = pendulum.datetime(2026, 3, 25, 9, 5, 36, tz="UTC")
    assert format_value(moment, at, tz="Europe/Paris", labels=True) == "25 mars 2026 10:05:36 +01:00"
    assert format_value(moment, at, tz="Europe/Paris") == "2026-03-25 10:05:36+01:00"


def test_date_values_on_an_english_screen_are_iso_as_always():
    day = registry.get("contacts", "last_activity_date")
    assert format_value(day, D(2026, 9, 1), labels=True) == "2026-09-01"
    moment = registry.Property("last_donation", "Last donation", registry.DATETIME, column="p_last_donation")
    at = pendulum.datetime(2026, 3, 25, 9, 5, 36, tz="UTC")
    assert format_value(moment, at, tz="Europe/Paris", labels=True) == "2026-03-25 10:05:36+01:00"


def test_why_a_record_joined_says_when_in_french_and_its_json_in_english(ctx):
    people = regions("Bretagne")
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    stay = next(s for s in why.stays(ctx, "contacts", people[0]) if s.segment.id == bretons.id)
    english = stay.join_sentence("Europe/Paris")
    assert english == "joined 2026-11-26 10:30 through its filters"
    english_json = why.stay_json(stay, "Europe/Paris")
    assert english_json["explanation"].startswith("joined 2026-11-26 10:30 through its filters; matches group 1: ")
    i18n.set_language("fr")
    try:
        assert stay.join_sentence("Europe/Paris") == "entré le 26 nov. 2026 10:30 (ses filtres)"
        assert "groupe 1" in stay.match_sentence()  # the filters said in French on the page
        # a program reads the same JSON whatever the console's language
        assert why.stay_json(stay, "Europe/Paris") == english_json
        assert i18n.language() == "fr"
    finally:
        i18n.set_language("en")


def test_the_analyze_tab_events_say_their_days_in_french(ctx, clock):
    regions("Bretagne")
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    conversions.set_schedule(ctx, bretons.id, Schedule(ON_DAY, day=D(2026, 12, 31)))
    clock.set(pendulum.datetime(2027, 1, 1, 9, 0, tz="UTC"))
    conversions.apply_due(ctx)

    def texts() -> list[str]:
        data = history.size_history(ctx, bretons.id, first=D(2026, 11, 26), last=D(2027, 1, 1))
        return [m.text for m in data.markers]

    assert texts() == ["Created", "Automatic conversion set: on 2026-12-31",
                       "Converted to static on its day, due 2026-12-31 00:00"]
    i18n.set_language("fr")
    try:
        assert texts() == ["Créé", "Conversion automatique définie\u00a0: le 31 déc. 2026",
                           "Converti en statique le jour prévu, échéance 31 déc. 2026 00:00"]
    finally:
        i18n.set_language("en")


def test_a_segment_changed_meanwhile_says_when_in_the_language(ctx):
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    seen = bretons.version
    segments.rename(ctx, bretons.id, "Les Bretons")
    with pytest.raises(StaleSegment) as caught:
        segments.rename(ctx, bretons.id, "Bretagne", expected_version=seen)
    assert "'Les Bretons' was changed by alice at 2026-11-26 09:30 UTC" in str(caught.value)
    i18n.set_language("fr")
    try:
        assert "modifié par alice le 26 nov. 2026 09:30 UTC depuis que vous l'avez ouvert ('Bretons' renommé en 'Les Bretons')" in str(caught.value)
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_records_show_dates_match_the_value_column(ctx, language):
    """The record page and `records show` read values through format_value(labels=True)."""
    people = regions("Bretagne")
    records.set_properties(ctx, "contacts", people[0], {"last_activity_date": "2026-09-01"})
    record = records.get_record("contacts", people[0])
    i18n.set_language(language)
    try:
        shown = format_value(registry.get("contacts", "last_activity_date"), record.last_activity_date, labels=True)
    finally:
        i18n.set_language("en")
    assert shown == {"en": "2026-09-01", "fr": "1 sept. 2026"}[language]
