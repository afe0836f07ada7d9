"""The membership log's causes (core/causes.py): every builder's text parses back to a message
that says it again word for word in English, and reads in French with the properties' labels;
a text that does not follow the grammar (a cut one, another version's) is shown as stored."""

from __future__ import annotations

import pytest

from segtui import i18n
from segtui.core import causes
from segtui.core.stored_messages import english

NBSP = "\u00a0"
ODD_NAMES = ["Bretons", "L'Oréal fans", 'Say "hi"', "A, via 'B'", "back\\slash", "x" * 80, "Événements 2025, Bretagne"]


def built() -> list[tuple[str, str]]:
    """(cause, the segment's object type) for every builder, alone and composed as follow.py
    and its callers compose them."""
    changes = [causes.changed(["region"]), causes.changed(["region", "city"]),
               causes.changed(["a", "b", "c", "d", "e", "f_2"]), causes.changed(["a", "b", "c", "d"])]
    simple = [*changes, causes.imported(changes[1]), causes.imported(causes.NEW_RECORD),
              causes.imported(causes.ASSOCIATED), causes.ASSOCIATED, causes.RECORD_DELETED,
              causes.deleted("contacts"), causes.deleted("companies"), causes.associated_with("acme.com"),
              causes.no_longer_with("acme.com"), causes.REPAIR, causes.DATES_MOVED_ON,
              *(f(name) for f in (causes.added_to, causes.imported_into, causes.removed_from) for name in ODD_NAMES)]
    out = [(cause, "contacts") for cause in simple]
    out += [(causes.across("contacts", cause), "companies") for cause in (*changes, causes.imported(changes[0]))]
    out += [(causes.across("companies", causes.changed(["industry"])), "contacts")]
    for cause, object_type in list(out):
        out.append((causes.via(cause, ODD_NAMES[:2]), object_type))
        out.append((causes.via(causes.via(cause, [ODD_NAMES[3]]), [ODD_NAMES[2]]), object_type))
    return out


@pytest.mark.parametrize(("cause", "object_type"), built())
def test_every_cause_built_parses_back_and_says_itself_again(cause, object_type):
    assert len(cause) <= causes.REASON_LENGTH
    message = causes.describe(cause, object_type)
    assert message is not None, cause
    assert english(message) == cause
    assert causes.shown(cause, object_type) == cause  # English reads the stored text


def test_a_cut_cause_and_foreign_text_are_shown_as_stored(ctx, french):
    long = causes.via(causes.changed(["region"]), ["x" * 60] * 5)
    cut = causes.cut(long)
    assert len(cut) == causes.REASON_LENGTH and cut.endswith("…")
    assert causes.describe(cut, "contacts") is None
    assert causes.shown(cut, "contacts") == cut
    for text in ("something else", "Region changed", "import: nonsense", "contact: ", "added to Bretons"):
        assert causes.describe(text, "contacts") is None
        assert causes.shown(text, "contacts") == text
    assert causes.shown(None, "contacts") == "" and causes.shown("", "contacts") == ""


def test_causes_read_in_french_with_the_properties_labels(ctx, french):
    said = {
        causes.changed(["region"]): "modification de Région",
        causes.changed(["region", "city"]): "modification de Ville, Région",
        causes.changed(["city", "country", "email", "phone", "region"]):
            "modification de Ville, Pays, E-mail, Téléphone et 1 autre",
        causes.imported(causes.changed(["region"])): f"importation{NBSP}: modification de Région",
        causes.imported(causes.NEW_RECORD): f"importation{NBSP}: nouvelle fiche",
        causes.imported(causes.ASSOCIATED): f"importation{NBSP}: nouvelle association",
        causes.RECORD_DELETED: "fiche supprimée",
        causes.deleted("companies"): "entreprise supprimée",
        causes.associated_with("acme.com"): "association avec acme.com",
        causes.no_longer_with("acme.com"): "fin de l'association avec acme.com",
        causes.added_to("Bretons"): "ajout à «\u00a0Bretons\u00a0»",
        causes.imported_into("Bretons"): "importation dans «\u00a0Bretons\u00a0»",
        causes.removed_from("L'Oréal"): "retrait de «\u00a0L'Oréal\u00a0»",
        causes.via(causes.DATES_MOVED_ON, ["Bretons"]): "les dates ont avancé, via «\u00a0Bretons\u00a0»",
        causes.via(causes.changed(["region"]), ["A", "B"]): "modification de Région, via «\u00a0A\u00a0», «\u00a0B\u00a0»",
        causes.REPAIR: "réparation",
    }
    for cause, french_text in said.items():
        assert causes.shown(cause, "contacts") == french_text
    # an associated record's change names the other object's properties
    assert causes.shown(causes.across("companies", causes.changed(["industry"])), "contacts") == (
        f"entreprise{NBSP}: modification de Secteur d'activité")
    assert causes.shown(causes.across("contacts", causes.changed(["region"])), "companies") == (
        f"contact{NBSP}: modification de Région")
    # a property the registry does not know (gone since) keeps its name
    assert causes.shown(causes.changed(["favourite_colour"]), "contacts") == "modification de favourite_colour"


def test_english_is_the_stored_text_whatever_was_read_before():
    assert i18n.language() == "en"
    cause = causes.via(causes.imported(causes.changed(["region", "city"])), ["Bretons"])
    assert cause == "import: city, region changed, via 'Bretons'"
    assert causes.shown(cause, "contacts") == cause
