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
    # a stored filter on a property this version no longer has: a sentence naming it as stored, no error
    assert filters.describe_filter({"property": "shoe_size", "operator": "is_known"}, "contacts", {}) == (
        "shoe_size (deleted property) is known")


# -- what mutation testing found unasserted (issue 17): limits at their boundary ----------------
def one(**f) -> dict:
    return {"groups": [{"filters": [f]}]}


def check(tree):
    return filters.validate(tree, "contacts", resolve_segment=lambda ref: 1)


def refused(tree) -> str:
    with pytest.raises(InvalidFilter) as caught:
        check(tree)
    return str(caught.value)


def test_nesting_is_counted_outside_strings_and_refused_past_its_limit():
    deepest = '{"groups":' + "[" * (filters.MAX_NESTING - 1) + "]" * (filters.MAX_NESTING - 1) + "}"
    assert filters.parse_json(deepest)["groups"]  # exactly MAX_NESTING levels: read
    with pytest.raises(InvalidFilter) as caught:
        filters.parse_json('{"groups":' + "[" * filters.MAX_NESTING + "]" * filters.MAX_NESTING + "}")
    assert str(caught.value) == ("Filters are nested too deep: a filter definition has at most 8 levels "
                                 "of [ ] and { }")
    brackets_in_text = '{"groups": [], "note": "' + "[{" * 20 + '"}'
    assert filters.parse_json(brackets_in_text)["note"] == "[{" * 20
    siblings = '{"groups": [' + ", ".join(['{"filters": [[], []]}'] * 12) + "]}"  # wide, not deep
    assert len(filters.parse_json(siblings)["groups"]) == 12


def test_groups_filters_and_values_are_limited_exactly():
    known = {"property": "region", "operator": "is_known"}
    assert len(check({"groups": [{"filters": [known]}] * filters.MAX_GROUPS})["groups"]) == filters.MAX_GROUPS
    assert refused({"groups": [{"filters": [known]}] * (filters.MAX_GROUPS + 1)}) == (
        "Filters have 21 groups: at most 20 groups joined by OR")
    assert len(check({"groups": [{"filters": [known] * filters.MAX_FILTERS}]})["groups"][0]["filters"]) == 20
    assert refused({"groups": [{"filters": [known]}, {"filters": [known] * (filters.MAX_FILTERS + 1)}]}) == (
        "Group 2 has 21 filters: at most 20 filters joined by AND in a group")
    values = [f"r{i}" for i in range(filters.MAX_VALUES)]
    assert len(check(one(property="region", operator="is_any_of", values=values))["groups"][0]["filters"][0][
        "values"]) == filters.MAX_VALUES
    assert refused(one(property="region", operator="is_any_of", values=[*values, "one more"])) == (
        "Group 1, filter 1: Region has 1,001 values: at most 1,000")
    assert check(one(property="last_activity_date", operator="less_than_days_ago", value=filters.MAX_DAYS))
    assert refused(one(property="last_activity_date", operator="less_than_days_ago", value=filters.MAX_DAYS + 1)) == (
        "Group 1, filter 1: Last activity date needs a whole number of days from 0 to 36500, got 36501")


@pytest.mark.parametrize("typed, stored", [
    ("3.0", 3), ("9007199254740991", 9007199254740991), ("9007199254740992", 9007199254740992.0), ("2.5", 2.5),
])
def test_a_typed_number_is_whole_only_where_a_float_is_exact(typed, stored):
    value = check(one(property="events_attended", operator="eq", value=typed))["groups"][0]["filters"][0]["value"]
    assert (value, type(value)) == (stored, type(stored))


def test_numbers_too_large_nul_text_and_blank_segment_references_are_refused():
    assert refused(one(property="events_attended", operator="eq", value=10**309)) == (
        "Group 1, filter 1: Events attended is too large a number (310 digits)")
    assert check(one(property="events_attended", operator="eq", value=10**300))  # large, but a float holds it
    assert refused(one(property="region", operator="is_any_of", values=["a\x00"])) == (
        "Group 1, filter 1: Region cannot contain a NUL character (\\x00), got 'a\\x00'")
    assert refused({"groups": [{"filters": [{"segment": "", "operator": "in_segment"}]}]}) == (
        "Group 1, filter 1: 'segment' must be a segment id or name")


def test_trees_without_groups_or_filters_read_as_empty():
    assert filters.dumps({"name": "Région"}) == '{"name":"Région"}'  # stored as UTF-8 text, not \\u escapes
    assert filters.describe_tree({}, "contacts", {}) == []
    assert not filters.has_filters({}) and not filters.has_filters({"groups": [{}]})
    assert filters.describe_filter({"property": "shoe_size", "operator": "gt", "value": 42}, "contacts", {}) == (
        "shoe_size (deleted property) is greater than 42")


def test_a_deep_branch_after_a_closed_sibling_is_still_counted():
    sibling_then_deep = '{"groups": [[], ' + "[" * 7 + "]" * 7 + "]}"  # 9 levels, the deepest last
    with pytest.raises(InvalidFilter, match="nested too deep"):
        filters.parse_json(sibling_then_deep)
    assert filters.parse_json('{"groups": [[], ' + "[" * 6 + "]" * 6 + "]}")  # 8 levels


def test_blank_operators_and_properties_and_stray_keys_are_named_where_they_are():
    assert refused(one(property="region", operator="")) == "Group 1, filter 1: missing 'operator'"
    assert refused(one(property="", operator="is_known")) == "Group 1, filter 1: needs a 'property' or a 'segment'"
    assert refused(one(segment=1, operator="in_segment", value=3)) == (
        "Group 1, filter 1: operator 'in_segment' takes 'segment', not 'value'")
    assert refused(one(property="events_attended", operator="between", values=["x", 5])) == (
        "Group 1, filter 1: Events attended needs a number, got 'x'")
    assert refused(one(property="events_attended", operator="between", values=[1, "y"])) == (
        "Group 1, filter 1: Events attended needs a number, got 'y'")
    with pytest.raises(InvalidFilter) as caught:  # one filter on its own (the filter form)
        filters.validate_filter({"property": "region", "operator": ""}, "contacts", resolve_segment=lambda ref: 1)
    assert str(caught.value) == "This filter: missing 'operator'"
    # a stored operator this version does not have: described as stored
    assert filters.describe_filter({"property": "region", "operator": "sounds_like", "value": "x"}, "contacts",
                                   {}) == "Region sounds_like"
