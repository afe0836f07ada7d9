"""filters.validate_filter: one filter on its own, as the console's filter form checks it."""

from __future__ import annotations

import pytest

from segtui.core import filters
from segtui.core.errors import InvalidFilter, SegmentNotFound


def resolve(ref):
    if ref in (7, "VIP"):
        return 7, "contacts"
    raise SegmentNotFound(f"No segment named {ref!r}")


@pytest.mark.parametrize("raw, normal", [
    ({"property": "events_attended", "operator": "gte", "value": "2"}, {"property": "events_attended",
                                                                        "operator": "gte", "value": 2}),
    ({"property": "region", "operator": "is_any_of", "values": [" Bretagne ", "Bretagne"]},
     {"property": "region", "operator": "is_any_of", "values": ["Bretagne"]}),
    ({"property": "lifecycle_stage", "operator": "is_any_of", "values": ["CUSTOMER"]},
     {"property": "lifecycle_stage", "operator": "is_any_of", "values": ["customer"]}),
    ({"segment": "VIP", "operator": "not_in_segment"}, {"segment": 7, "operator": "not_in_segment"}),
])
def test_validate_filter_normalises(raw, normal):
    assert filters.validate_filter(raw, "contacts", resolve_segment=resolve) == normal


@pytest.mark.parametrize("raw, message", [
    ({"property": "events_attended", "operator": "gte", "value": "many"},
     "Value: Events attended needs a number, got 'many'"),
    ({"property": "region", "operator": "gte", "value": 1},
     "Value: operator 'gte' does not apply to Region (a text property)"),
    ({"segment": "Nope", "operator": "in_segment"}, "Value: No segment named 'Nope'"),
    ({"property": "created_date", "operator": "between", "values": ["2026-02-01", "2026-01-01"]},
     "the first value is greater than the second"),
])
def test_validate_filter_messages_start_with_where(raw, message):
    with pytest.raises(InvalidFilter) as caught:
        filters.validate_filter(raw, "contacts", resolve_segment=resolve, where="Value")
    assert message in str(caught.value)


def test_validate_filter_refuses_an_unknown_object():
    with pytest.raises(InvalidFilter, match="Unknown object type 'people'"):
        filters.validate_filter({"property": "x", "operator": "is_known"}, "people", resolve_segment=resolve)


def test_an_unknown_object_type_is_refused_and_a_vanished_property_still_described():
    with pytest.raises(InvalidFilter) as caught:
        filters.validate({"groups": []}, "deals", resolve_segment=None)
    assert str(caught.value) == "Unknown object type 'deals'"
    # a stored filter on a property this version no longer has: shown as stored, no error
    assert filters.describe_filter({"property": "shoe_size", "operator": "is_known"}, "contacts", {}) == (
        "shoe_size is_known")
    assert filters.describe_filter({"property": "shoe_size", "operator": "is_any_of", "values": ["42"]},
                                   "contacts", {}).startswith("shoe_size is_any_of ")
