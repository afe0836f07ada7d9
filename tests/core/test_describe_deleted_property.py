"""A filter on a property that was deleted since reads as a sentence, in either language."""

from segtui.core import filters

NBSP = "\u00a0"
GONE = [
    ({"property": "tier", "operator": "is_any_of", "values": ["Gold", "Silver"]},
     "tier (deleted property) is any of Gold, Silver", "tier (propriété supprimée) est l'un de Gold, Silver"),
    ({"property": "score", "operator": "between", "values": [1, 5]},
     "score (deleted property) is between 1 and 5", None),
    ({"property": "renewal", "operator": "less_than_days_ago", "value": 30},
     "renewal (deleted property) is less than 30 days ago", None),
    ({"property": "tier", "operator": "no_such_operator"}, "tier (deleted property) no_such_operator", None),
]


def test_a_filter_on_a_deleted_property_reads_as_a_sentence():
    for stored, english, _french in GONE:
        described = filters.describe_filter(stored, "contacts", {})
        assert described == english
        assert "[" not in described and "'" not in described


def test_and_in_french(french):
    stored, _english, french_words = GONE[0]
    assert filters.describe_filter(stored, "contacts", {}) == french_words
    described = filters.describe_filter(GONE[2][0], "contacts", {})
    assert described.startswith("renewal (propriété supprimée) ") and "30" in described
