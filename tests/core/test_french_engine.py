"""The engine's words in French (issue 16): typed days and numbers, filter descriptions,
schedule texts, explanations and refusals with their parameters; English unchanged."""

from __future__ import annotations

import types

import pendulum
import pytest
from pendulum import Date

from segtui import i18n
from segtui.core import check, conversions, dates, describe, filters, overlap, schedule, stored_messages, values, why
from segtui.core import properties as registry
from segtui.core.context import Context
from segtui.core.clock import FixedClock, resolve_timezone
from segtui.core.display import format_local, format_value
from segtui.core.errors import InvalidFilter, InvalidInput, InvalidSchedule, ReadOnly, SegmentNotFound
from segtui.core.properties import BOOLEAN, NUMBER, Property
from segtui.tui.text import count, moment, type_badge

pytestmark = pytest.mark.sqlite_only

TODAY = Date(2026, 11, 26)  # a Thursday
NOW = pendulum.datetime(2026, 11, 26, 9, 30, tz="UTC")
NBSP = "\u00a0"


def label(name: str) -> str:
    """A built-in property's label as the language shows it."""
    prop = registry.all_properties("contacts").get(name)
    return registry.label_of(prop) if prop else name


# -- typed days --------------------------------------------------------------------------------------
@pytest.mark.parametrize("typed, day", [
    ("31/12/2026", Date(2026, 12, 31)),  # day first, though no locale variable says so
    ("3/4/2027", Date(2027, 4, 3)),
    ("aujourd'hui", TODAY),
    ("Aujourd’hui", TODAY),  # the typographic apostrophe
    ("aujourdhui", TODAY),
    ("demain", Date(2026, 11, 27)),
    ("dans 2 semaines", Date(2026, 12, 10)),
    ("dans 1 semaine", Date(2026, 12, 3)),
    ("dans 3 jours", Date(2026, 11, 29)),
    ("dans  1   jour", Date(2026, 11, 27)),
    ("dans 1 mois", Date(2026, 12, 26)),
    ("dans 2 ans", Date(2028, 11, 26)),
    ("dans 1 année", Date(2027, 11, 26)),
    ("dans 1 annee", Date(2027, 11, 26)),
    ("lundi prochain", Date(2026, 11, 30)),
    ("prochain lundi", Date(2026, 11, 30)),
    ("jeudi", Date(2026, 12, 3)),  # a week ahead, not today
    ("Vendredi", Date(2026, 11, 27)),
    ("le dimanche", Date(2026, 11, 29)),
    ("tomorrow", Date(2026, 11, 27)),  # the English words still work
    ("next monday", Date(2026, 11, 30)),
    ("2026-12-31", Date(2026, 12, 31)),
])
def test_french_days_are_read(french, typed, day):
    assert dates.parse_day(typed, today=TODAY, order=None) == day


def test_the_locale_still_decides_over_the_language(french):
    assert dates.parse_day("12/31/2026", today=TODAY, order=dates.MONTH_FIRST) == Date(2026, 12, 31)
    assert dates.parse_day("3/4/2027", today=TODAY, order=dates.MONTH_FIRST) == Date(2027, 3, 4)


def test_english_has_no_order_of_its_own_and_no_french_words():
    with pytest.raises(InvalidInput, match="reads two ways"):
        dates.parse_day("3/4/2027", today=TODAY, order=None)
    with pytest.raises(InvalidInput, match="'demain' is not a day"):
        dates.parse_day("demain", today=TODAY)


def test_french_days_are_shown_in_full_in_french(french):
    assert dates.full(Date(2027, 1, 4)) == "lundi 4 janvier 2027"
    assert dates.full(Date(2026, 12, 31)) == "jeudi 31 décembre 2026"


def test_the_hint_is_french_with_french_examples(french):
    assert dates.hint(None) == (f"tapez un jour sous la forme 31/12/2026 ou 2026-12-31, ou un mot{NBSP}: "
                                "aujourd'hui, demain, dans 2 semaines, lundi prochain")


@pytest.mark.parametrize("typed, order, message", [
    ("", None, f"Aucun jour indiqué{NBSP}: tapez un jour sous la forme 31/12/2026 ou 2026-12-31"),
    ("mardi gras", None, f"«\u00a0mardi gras\u00a0» n'est pas un jour{NBSP}: tapez un jour"),
    ("31/31/2026", None, "31/31/2026 n'est pas un jour sous la forme jour/mois/année (par exemple 31/12/2026)"),
    ("2026-02-30", None, "2026-02-30 n'est pas un jour du calendrier"),
    ("31/12/2026", dates.MONTH_FIRST, "31/12/2026 n'est pas un jour sous la forme mois/jour/année"),
    ("dans 9999 ans", None, "«\u00a0dans 9999 ans\u00a0» est au-delà du dernier jour du calendrier"),
])
def test_french_refusals_name_what_was_typed(french, typed, order, message):
    with pytest.raises(InvalidInput) as info:
        dates.parse_day(typed, today=TODAY, order=order)
    assert message in str(info.value)


def test_an_error_raised_in_english_reads_in_french_when_shown_in_french():
    with pytest.raises(InvalidInput) as info:
        dates.parse_day("3/4/2027", today=TODAY, order=None)
    assert str(info.value).startswith("3/4/2027 reads two ways: Saturday 3 April 2027 (day/month)")
    i18n.set_language("fr")
    try:
        assert str(info.value) == (f"3/4/2027 se lit de deux façons{NBSP}: samedi 3 avril 2027 (jour/mois) ou jeudi "
                                   f"4 mars 2027 (mois/jour){NBSP}; tapez 2027-04-03 ou 2027-03-04")
    finally:
        i18n.set_language("en")


# -- typed numbers and values ---------------------------------------------------------------------
AMOUNT = Property(name="amount", label="Amount", type=NUMBER, column="amount")


@pytest.mark.parametrize("typed, number", [("1,5", 1.5), ("1.5", 1.5), ("1 234,5", 1234.5), ("-2,25", -2.25),
                                           ("12", 12.0)])
def test_a_decimal_comma_is_read_in_french(french, typed, number):
    assert values.parse(AMOUNT, typed) == number


def test_a_decimal_comma_is_refused_in_english_as_before():
    with pytest.raises(ValueError, match=r"Amount must be a number, not '1,5'"):
        values.parse(AMOUNT, "1,5")
    assert values.parse(AMOUNT, "1,234.5") == 1234.5


def test_an_import_column_keeps_its_own_style_in_french(french):
    assert values.parse(AMOUNT, "1,234.5", style=values.DOT) == 1234.5


def test_number_refusals_are_french(french):
    with pytest.raises(ValueError) as info:
        values.parse(AMOUNT, "1,2,3")
    assert str(info.value) == "Amount doit être un nombre, pas «\u00a01,2,3\u00a0»"
    with pytest.raises(ValueError) as info:
        values.number_style(["1,234"])
    assert "peut se lire avec ',' ou '.' comme séparateur décimal" in str(info.value)


def test_french_yes_and_no_on_a_screen(french):
    subscribed = Property(name="subscribed", label="Subscribed", type=BOOLEAN, column="subscribed")
    assert values.parse(subscribed, "oui") is True and values.parse(subscribed, "Faux") is False
    assert format_value(subscribed, True, labels=True) == "vrai"
    assert format_value(subscribed, True) == "true"  # files keep the language-neutral words
    with pytest.raises(ValueError, match="doit être vrai ou faux"):
        values.parse(subscribed, "peut-être")


def test_a_decimal_comma_in_a_filter_value_in_french(french):
    prop = registry.get("contacts", "events_attended")
    assert filters._operand("2,5", "value", prop, "x") == 2.5
    assert filters._operand("3,0", "value", prop, "x") == 3


# -- filters ----------------------------------------------------------------------------------------
def f(prop: str, op: str, **operand) -> dict:
    return {"property": prop, "operator": op, **operand}


def test_filters_are_described_in_french(french):
    region, events, last = label("region"), label("events_attended"), label("last_activity_date")
    assert region == "Région"  # the built-in labels as seeded, in the language
    names = {3: "Donateurs VIP"}
    assert filters.describe_filter(f("region", "is_any_of", values=["Bretagne", "Normandie"]), "contacts", names) == (
        f"{region} est l'un de Bretagne, Normandie")
    assert filters.describe_filter(f("events_attended", "between", values=[1, 2.5]), "contacts", names) == (
        f"{events} est compris entre 1 et 2,5")
    assert filters.describe_filter(f("last_activity_date", "less_than_days_ago", value=30), "contacts", names) == (
        f"{last} remonte à moins de 30 jours")
    assert filters.describe_filter(f("last_activity_date", "more_than_days_from_now", value=1), "contacts",
                                   names) == f"{last} est dans plus de 1 jour"
    assert filters.describe_filter({"segment": 3, "operator": "in_segment"}, "contacts", names) == (
        "Est membre du segment Donateurs VIP")
    assert filters.describe_filter({"segment": 12, "operator": "not_in_segment"}, "contacts", names) == (
        "N'est pas membre du segment #12 (supprimé)")


def test_association_filters_are_described_in_french(french):
    inner = [f("industry", "is_any_of", values=["Software"])]
    industry = registry.label_of(registry.all_properties("companies")["industry"])
    described = filters.describe_association({"association": "companies", "filters": inner}, "contacts")
    assert described == f"Entreprise associée{NBSP}: {industry} est l'un de Software"
    assert filters.describe_association({"association": "companies", "filters": [], "negate": True},
                                         "contacts") == "Aucune entreprise associée"
    assert filters.describe_association({"association": "contacts", "filters": [], "at_least": 5},
                                        "companies") == f"Nombre de contacts associés{NBSP}: au moins 5"


def test_the_operators_read_in_the_language_shown(french):
    assert [s.label for s in filters.operators_for(registry.get("contacts", "region").type)][:2] == [
        "est l'un de", "n'est aucun de"]


def test_filter_refusals_are_french_with_their_parameters(french):
    with pytest.raises(InvalidFilter) as info:
        filters.validate({"groups": [{"filters": [f("shoe_size", "is_known")]}]}, "contacts",
                         resolve_segment=lambda ref: (1, "contacts"))
    assert str(info.value) == f"Groupe 1, filtre 1{NBSP}: propriété inconnue «\u00a0shoe_size\u00a0» pour les contacts"
    with pytest.raises(InvalidFilter) as info:
        filters.validate_filter(f("events_attended", "gt", value="beaucoup"), "contacts",
                                resolve_segment=lambda ref: (1, "contacts"))
    assert str(info.value) == f"Ce filtre{NBSP}: {label('events_attended')}{NBSP}: il faut un nombre, reçu «\u00a0beaucoup\u00a0»"


# -- schedule texts -----------------------------------------------------------------------------------
ON_DAY = schedule.Schedule(schedule.ON_DAY, day=Date(2026, 12, 31))
IDLE = schedule.Schedule(schedule.AFTER_INACTIVITY, amount=30, unit="days")


def test_schedule_summaries_are_french(french):
    assert schedule.summary(ON_DAY, None, tz="Europe/Paris", now=NOW) == "-> statique le 31 déc. 2026"
    due = pendulum.datetime(2027, 1, 14, 9, tz="UTC")
    assert schedule.summary(IDLE, due, tz="Europe/Paris", now=NOW) == (
        "-> statique après 30 jours d'inactivité, le 14 janv. 2027")
    assert schedule.summary(IDLE, pendulum.datetime(2026, 12, 14, tz="UTC"), tz="Europe/Paris", now=NOW) == (
        "-> statique après 30 jours d'inactivité, le 14 déc.")
    one = schedule.Schedule(schedule.AFTER_INACTIVITY, amount=1, unit="months")
    assert schedule.summary(one, None, tz="Europe/Paris") == "-> statique après 1 mois d'inactivité"


def test_schedule_explanations_are_french(french):
    due = schedule.due_moment(ON_DAY, tz="Europe/Paris", last_activity_at=NOW)
    assert schedule.explain(ON_DAY, due, tz="Europe/Paris", now=NOW) == (
        "Conversion le jeudi 31 décembre 2026 à 00:00 (Europe/Paris).")
    assert schedule.explain(schedule.NEVER_SCHEDULE, None, tz="Europe/Paris", now=NOW) == (
        "Ce segment ne sera pas converti automatiquement.")
    assert schedule.format_moment(pendulum.datetime(2027, 1, 3, 23, tz="UTC"), "Europe/Paris") == (
        "lundi 4 janvier 2027 à 00:00 (Europe/Paris)")


def test_schedule_refusals_are_french(french):
    with pytest.raises(InvalidSchedule) as info:
        schedule.check_for_saving(schedule.Schedule(schedule.ON_DAY, day=Date(2026, 11, 1)), today=TODAY)
    assert str(info.value) == (f"2026-11-01 est passé (nous sommes le 2026-11-26){NBSP}: choisissez aujourd'hui ou "
                               "un jour ultérieur")
    with pytest.raises(InvalidSchedule) as info:
        schedule.parse_amount(5000, "days")
    assert str(info.value) == "La période peut être d'au plus 3650 jours (dix ans)"
    assert schedule.unit_from_text("semaines") == "weeks"


def test_a_conversion_preview_is_french(french):
    assert conversions.ToStaticPreview(1).sentence() == (
        "1 fiche d'informations sera conservée et ne sera plus mise à jour automatiquement.")
    assert conversions.ToStaticPreview(1234).sentence().startswith("1\u202f234 fiches d'informations seront")
    assert conversions.ToActivePreview(2, 1, 1500).sentence() == "+2 ajoutés, -1 retirés (1\u202f500 membres après)."


# -- explanations, reports, labels -------------------------------------------------------------------
def test_a_membership_entry_is_detailed_in_french(french):
    ctx = Context(FixedClock(NOW), "alice", tz="Europe/Paris")
    entry = types.SimpleNamespace(at=NOW, actor="alice", action="added", reason="manual")
    assert describe.membership_detail(entry, "ada@example.com", ctx) == [
        ("Quand", "jeudi 26 novembre 2026, 10:30:00 (Europe/Paris)"), ("Qui", "alice"),
        ("Quoi", f"Ajouté au segment{NBSP}: ada@example.com"), ("Origine", "à la main")]


def test_an_edit_is_explained_in_french(french):
    edit = why.Edit(NOW, "bob", "region", "Nord", "", "contacts")
    assert edit.sentence() == "modification de Région de «\u00a0Nord\u00a0» en «\u00a0inconnu\u00a0» par bob"


def test_a_drift_reads_in_french_and_its_audit_in_english(french):
    drift = check.Drift(4, "Bretons", missing=1234, extra=2, repaired=True)
    assert drift.sentence() == (f"#4 «\u00a0Bretons\u00a0»{NBSP}: 1\u202f234 fiches d'informations sélectionnées par ses "
                                "filtres ne sont pas membres\u00a0; 2 membres qu'ils ne sélectionnent pas (réparé)")
    assert stored_messages.english(drift.message()) == ("#4 'Bretons': 1,234 records its filters select are not members; "
                                                        "2 members they do not select (repaired)")
    one = check.Drift(4, "Bretons", missing=1, log_only=1, unlogged=2)
    assert one.sentence() == (f"#4 «\u00a0Bretons\u00a0»{NBSP}: 1 fiche d'informations sélectionnée par ses filtres n'est pas "
                              "membre\u00a0; le journal rejoué donne 1 membre non enregistré\u00a0; le journal rejoué omet "
                              "2 membres enregistrés")


def test_overlap_regions_are_named_in_french(french):
    seg = [types.SimpleNamespace(name=n) for n in ("A", "B", "C")]
    shown = overlap.Overlap(seg, [1, 1, 1], {})
    assert [shown.label(m) for m in (1, 3, 7)] == ["seulement A", "A et B, pas C", "dans tous"]


def test_a_read_only_console_refuses_in_french(french):
    ctx = Context(FixedClock(NOW), "alice", read_only=True)
    with pytest.raises(ReadOnly) as info:
        ctx.require_write("renaming a segment")
    assert str(info.value) == f"Cette console est en lecture seule{NBSP}: renommer un segment n'est pas autorisé."


def test_an_unknown_time_zone_is_refused_in_french(french):
    with pytest.raises(InvalidInput) as info:
        resolve_timezone("Europe/Lutece")
    assert str(info.value) == f"Fuseau horaire inconnu «\u00a0Europe/Lutece\u00a0»{NBSP}: utilisez un nom IANA comme Europe/Paris"


def test_a_missing_segment_is_refused_in_french(french, database):
    from segtui.core import store

    with pytest.raises(SegmentNotFound) as info:
        store.get("Nulle part")
    assert str(info.value) == "Aucun segment nommé «\u00a0Nulle part\u00a0»"


# -- the console's formats -----------------------------------------------------------------------------
def test_moments_and_counts_in_french(french):
    assert moment(pendulum.datetime(2027, 1, 2, 8, 5, tz="UTC"), "Europe/Paris") == "2 janv. 2027 09:05"
    assert moment(pendulum.datetime(2027, 1, 2, 8, 5, tz="UTC"), "Europe/Paris", "D MMM YYYY") == "2 janv. 2027"
    assert moment(None, "UTC") == "-"
    assert count(1234, "contact") == "1\u202f234 contacts"
    assert [count(n, "member") for n in (0, 1, 2)] == ["0 membre", "1 membre", "2 membres"]
    assert count(1_000_000, "record") == "1\u202f000\u202f000 de fiches"
    assert str(type_badge("active")).strip() == "Actif" and str(type_badge("static")).strip() == "Statique"


@pytest.mark.parametrize("month", range(1, 13))
def test_english_moments_are_what_pendulum_always_wrote(month):
    """The compiled patterns give the very text of the pendulum formats they replace."""
    value = pendulum.datetime(2027, month, 9, 7, 5, 3, tz="UTC")
    for old in ("D MMM YYYY HH:mm", "D MMM YYYY", "D MMM", "dddd D MMMM YYYY", "MMMM YYYY", "HH:mm"):
        assert moment(value, "UTC", old) == value.format(old)
    assert format_local(value, "HH:mm:ss") == value.format("HH:mm:ss")
    assert count(1234, "member") == "1,234 members" and count(1, "segment") == "1 segment"


def test_french_spaces_are_shown_as_spaces():
    from segtui.core.display import printable

    assert printable("Customer\u00a0: 1\u202f234") == "Customer\u00a0: 1\u202f234"
    assert printable("a\u00a0b", unsafe=" ", replacement="?") == "a?b"  # a log token stays one token
    assert printable("\u202eevil\u200b") == "\\u202eevil\\u200b"  # bidi and zero-width still visible escapes
