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
        assert "modifié par alice le 26 nov. 2026 09:30 UTC depuis que vous l'avez ouvert («\u00a0Bretons\u00a0» renommé en «\u00a0Les Bretons\u00a0»)" in str(caught.value)
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


def test_an_automatic_conversion_set_is_said_in_words_in_either_language(ctx):
    """The audit stored the schedule as its JSON: the Activity tab and its entry say it in words."""
    from segtui.core import audit, describe
    from segtui.core.models import AuditEntry
    from segtui.core.schedule import AFTER_INACTIVITY, NEVER_SCHEDULE

    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    conversions.set_schedule(ctx, bretons.id, Schedule(ON_DAY, day=D(2027, 1, 3)))
    conversions.set_schedule(ctx, bretons.id, Schedule(AFTER_INACTIVITY, amount=30, unit="days"))
    conversions.set_schedule(ctx, bretons.id, NEVER_SCHEDULE)
    old = AuditEntry.create(at=pendulum.datetime(2026, 1, 1, tz="UTC"), actor="bob", action="set_schedule",
                            summary='Automatic conversion of \'Bretons\': {"mode": "on_day", "day": "2027-01-03"}')
    entries = list(AuditEntry.select().where(AuditEntry.action == "set_schedule").order_by(AuditEntry.id))
    assert entries[0].summary == 'Automatic conversion of \'Bretons\': {"mode": "on_day", "day": "2027-01-03"}'  # --json
    english = ["Automatic conversion of 'Bretons': on 3 Jan 2027",
               "Automatic conversion of 'Bretons': after 30 days of inactivity",
               "Automatic conversion of 'Bretons': never"]
    assert [audit.summary_of(e) for e in entries] == english + english[:1]
    detail = dict(describe.audit_detail(entries[0], ctx))
    assert detail["Schedule"] == "never -> on 3 Jan 2027"
    i18n.set_language("fr")
    try:
        said = [audit.summary_of(e) for e in entries]
        detail = dict(describe.audit_detail(entries[1], ctx))
    finally:
        i18n.set_language("en")
    french = ["Conversion automatique de «\u00a0Bretons\u00a0»\u00a0: le 3 janv. 2027",
              "Conversion automatique de «\u00a0Bretons\u00a0»\u00a0: après 30 jours d'inactivité",
              "Conversion automatique de «\u00a0Bretons\u00a0»\u00a0: jamais"]
    assert said == french + french[:1]
    assert old.template is None
    assert detail[next(k for k in detail if k.startswith("Conversion auto") or k == "Programmation")] == (
        "le 3 janv. 2027 -> après 30 jours d'inactivité")


def test_the_worker_of_a_console_is_named_in_the_language(ctx, clock):
    """The log names it in English ('worker (console of alice)'): shown in the reader's language."""
    from dataclasses import replace

    from segtui import worker
    from segtui.core import describe
    from segtui.core.display import shown_actor
    from segtui.core.models import AuditEntry

    regions("Bretagne")
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    conversions.set_schedule(ctx, bretons.id, Schedule(ON_DAY, day=D(2026, 12, 31)))
    clock.set(pendulum.datetime(2027, 1, 1, 9, 0, tz="UTC"))
    conversions.apply_due(replace(ctx, actor=worker.console_actor("alice")))
    entry = AuditEntry.select().where(AuditEntry.action == "auto_convert_to_static").get()
    assert entry.actor == "worker (console of alice)"  # stored as it always was
    assert dict(describe.audit_detail(entry, ctx))["Who"] == "worker (console of alice)"
    assert shown_actor("alice") == "alice" and shown_actor(None) == ""
    i18n.set_language("fr")
    try:
        assert dict(describe.audit_detail(entry, ctx))["Qui"] == "tâche de fond (console\u00a0: alice)"
        assert shown_actor("worker (console of bob)") == "tâche de fond (console\u00a0: bob)"
        assert shown_actor("worker") == "worker"  # a name someone chose
    finally:
        i18n.set_language("en")


def test_a_refused_value_names_a_built_in_property_in_the_language(french):
    from segtui.core import values

    with pytest.raises(ValueError) as caught:
        values.parse(registry.get("contacts", "last_activity_date"), "hier")
    assert str(caught.value).startswith("Date de dernière activité doit être une date")


def test_an_automatic_conversion_applied_says_its_moments_to_the_minute(ctx, clock):
    from segtui.core import audit
    from segtui.core.models import AuditEntry

    regions("Bretagne")
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    conversions.set_schedule(ctx, bretons.id, Schedule(ON_DAY, day=D(2026, 12, 31)))
    clock.set(pendulum.datetime(2027, 1, 1, 9, 0, 30, 123456, tz="UTC"))
    conversions.apply_due(ctx)
    entry = AuditEntry.select().where(AuditEntry.action == "auto_convert_to_static").get()
    assert entry.summary == ("Converted 'Bretons' to static automatically "
                             "(due 2026-12-30T23:00:00+00:00, applied 2027-01-01T09:00:30.123456+00:00)")  # --json
    assert audit.summary_of(entry) == ("Converted 'Bretons' to static automatically "
                                       "(due 2026-12-30 23:00 UTC, applied 2027-01-01 09:00 UTC)")
    i18n.set_language("fr")
    try:
        assert audit.summary_of(entry) == ("«\u00a0Bretons\u00a0» converti automatiquement en segment statique "
                                           "(échéance\u00a0: 30 déc. 2026 23:00 UTC, appliquée\u00a0: 1 janv. 2027 09:00 UTC)")
    finally:
        i18n.set_language("en")
