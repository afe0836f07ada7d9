"""Filter trees: validation messages, SQL semantics per operator, descriptions."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt

import pendulum
import pytest
from peewee import PostgresqlDatabase

from segtui.core import filters
from segtui.core.errors import InvalidFilter, RecordNotFound, SegmentNotFound
from segtui.core.models import Company, Contact, Membership, Segment
from segtui.core.properties import BOOLEAN, DATE, ENUMERATION, NUMBER, TEXT

T0 = pendulum.datetime(2026, 11, 26, 9, 30, tz="UTC")
TODAY = pendulum.date(2026, 11, 26)

# id: region, city, lifecycle_stage, events_attended, subscribed, last_activity_date
CONTACTS = {
    1: ("Bretagne", "Paris", "customer", 0, True, "2026-11-26"),  # today
    2: ("BRETAGNE", "50% off", "lead", 1, False, "2026-10-27"),  # today - 30
    3: ("Normandie", "500 ville", "customer", 2.5, None, "2026-10-26"),  # today - 31
    4: (None, None, None, None, None, None),
    5: ("", "a_b\\c", "", 10, None, "2026-12-26"),  # today + 30
    6: ("Île-de-France", "axb", "subscriber", -1, None, "2026-12-27"),  # today + 31
}
ALL = set(CONTACTS)


@pytest.fixture
def rows(database):
    Contact.insert_many(
        [
            dict(
                id=i, email=f"c{i}@example.com", region=r, city=c, lifecycle_stage=s,
                events_attended=n, subscribed=b, last_activity_date=d, updated_at=T0,
            )
            for i, (r, c, s, n, b, d) in CONTACTS.items()
        ]
    ).execute()
    Company.insert_many(
        [
            dict(id=1, domain="acme.com", employees=10, updated_at=T0),
            dict(id=2, domain="beta.io", employees=None, updated_at=T0),
        ]
    ).execute()
    vip = _segment("VIP donors", "contacts")
    big = _segment("Big", "companies")
    Membership.insert_many(
        [dict(segment=vip, record_id=r, source="manual", joined_at=T0) for r in (1, 3)]
        + [dict(segment=big, record_id=2, source="manual", joined_at=T0)]
    ).execute()
    return {"vip": vip, "big": big}


def _segment(name, object_type):
    return Segment.create(
        name=name, name_key=name.casefold(), object_type=object_type, type="static",
        last_activity_at=T0, created_at=T0, created_by="alice", updated_at=T0, updated_by="alice",
    ).id


def db_resolver(ref):
    query = Segment.select().where((Segment.id == ref) if isinstance(ref, int) else (Segment.name == ref))
    segment = query.first()
    if segment is None:
        raise SegmentNotFound(f"No segment {ref!r}")
    return segment.id, segment.object_type


def select(tree, object_type="contacts"):
    tree = filters.validate(tree, object_type, resolve_segment=db_resolver)
    model = Contact if object_type == "contacts" else Company
    query = model.select(model.id).where(filters.compile_tree(tree, object_type, today=TODAY))
    return {row.id for row in query}


def one(property, operator, **operand):
    return {"groups": [{"filters": [{"property": property, "operator": operator, **operand}]}]}


@pytest.mark.parametrize(
    "prop, op, operand, expected",
    [
        # text: case-insensitive, negatives include unknown (NULL or empty)
        ("region", "is_any_of", {"values": ["bretagne"]}, {1, 2}),
        ("region", "is_any_of", {"values": [" Normandie ", "BRETAGNE"]}, {1, 2, 3}),
        ("region", "is_none_of", {"values": ["bretagne"]}, {3, 4, 5, 6}),
        ("region", "contains", {"value": "TAG"}, {1, 2}),
        ("region", "not_contains", {"value": "tag"}, {3, 4, 5, 6}),
        ("region", "starts_with", {"value": "bre"}, {1, 2}),
        ("region", "ends_with", {"value": "DIE"}, {3}),
        ("region", "is_known", {}, {1, 2, 3, 6}),
        ("region", "is_unknown", {}, {4, 5}),
        # LIKE wildcards and the escape character in user values are literal
        ("city", "contains", {"value": "50%"}, {2}),
        ("city", "starts_with", {"value": "50%"}, {2}),
        ("city", "contains", {"value": "%"}, {2}),
        ("city", "contains", {"value": "a_b"}, {5}),
        ("city", "contains", {"value": "\\"}, {5}),
        ("city", "ends_with", {"value": "_B\\C"}, {5}),
        ("city", "not_contains", {"value": "50%"}, {1, 3, 4, 5, 6}),
        # enumeration
        ("lifecycle_stage", "is_any_of", {"values": ["customer"]}, {1, 3}),
        ("lifecycle_stage", "is_any_of", {"values": ["Lead", "subscriber"]}, {2, 6}),
        ("lifecycle_stage", "is_none_of", {"values": ["customer"]}, {2, 4, 5, 6}),
        ("lifecycle_stage", "is_unknown", {}, {4, 5}),
        # number
        ("events_attended", "eq", {"value": 1}, {2}),
        ("events_attended", "neq", {"value": 1}, {1, 3, 4, 5, 6}),
        ("events_attended", "lt", {"value": 1}, {1, 6}),
        ("events_attended", "lte", {"value": 1}, {1, 2, 6}),
        ("events_attended", "gt", {"value": 2.5}, {5}),
        ("events_attended", "gte", {"value": 2.5}, {3, 5}),
        ("events_attended", "between", {"values": [0, 2.5]}, {1, 2, 3}),
        ("events_attended", "between", {"values": [1, 1]}, {2}),
        ("events_attended", "is_known", {}, ALL - {4}),
        ("events_attended", "is_unknown", {}, {4}),
        # boolean: is_false does not include unknown
        ("subscribed", "is_true", {}, {1}),
        ("subscribed", "is_false", {}, {2}),
        ("subscribed", "is_unknown", {}, {3, 4, 5, 6}),
        # absolute dates
        ("last_activity_date", "on", {"value": "2026-10-27"}, {2}),
        ("last_activity_date", "before", {"value": "2026-10-27"}, {3}),
        ("last_activity_date", "after", {"value": "2026-11-26"}, {5, 6}),
        ("last_activity_date", "between", {"values": ["2026-10-27", "2026-11-26"]}, {1, 2}),
        ("last_activity_date", "is_unknown", {}, {4}),
        # relative dates, today = 2026-11-26; the boundary days fall outside
        ("last_activity_date", "less_than_days_ago", {"value": 30}, {1}),
        ("last_activity_date", "less_than_days_ago", {"value": 31}, {1, 2}),
        ("last_activity_date", "more_than_days_ago", {"value": 30}, {3}),
        ("last_activity_date", "less_than_days_from_now", {"value": 30}, {1}),
        ("last_activity_date", "less_than_days_from_now", {"value": 31}, {1, 5}),
        ("last_activity_date", "more_than_days_from_now", {"value": 30}, {6}),
        ("last_activity_date", "less_than_days_ago", {"value": 0}, set()),
    ],
)
def test_operator_selects(rows, prop, op, operand, expected):
    assert select(one(prop, op, **operand)) == expected


@pytest.mark.parametrize(
    "op, operand, expected",
    [
        ("gte", {"value": 5}, {1}),
        ("neq", {"value": 10}, {2}),
        ("is_unknown", {}, {2}),
    ],
)
def test_company_filters(rows, op, operand, expected):
    assert select(one("employees", op, **operand), "companies") == expected


def test_groups_are_ored_and_filters_anded(rows):
    tree = {
        "groups": [
            {
                "filters": [
                    {"property": "region", "operator": "is_any_of", "values": ["bretagne"]},
                    {"property": "events_attended", "operator": "gte", "value": 1},
                ]
            },
            {"filters": [{"property": "region", "operator": "is_any_of", "values": ["normandie"]}]},
        ]
    }
    assert select(tree) == {2, 3}


def test_empty_tree_matches_nothing(rows):
    assert select(filters.EMPTY_TREE) == set()
    assert Contact.select().where(filters.compile_tree({"groups": []}, "contacts", today=TODAY)).count() == 0


@pytest.mark.parametrize(
    "op, ref, expected",
    [
        ("in_segment", "VIP donors", {1, 3}),
        ("not_in_segment", "VIP donors", {2, 4, 5, 6}),
    ],
)
def test_membership_filters(rows, op, ref, expected):
    tree = {"groups": [{"filters": [{"segment": ref, "operator": op}]}]}
    assert select(tree) == expected
    assert select({"groups": [{"filters": [{"segment": rows["vip"], "operator": op}]}]}) == expected


def test_membership_for_companies(rows):
    assert select({"groups": [{"filters": [{"segment": "Big", "operator": "in_segment"}]}]}, "companies") == {2}


def test_compile_filter_and_explain_record(rows):
    tree = filters.validate(
        {
            "groups": [
                {
                    "filters": [
                        {"property": "region", "operator": "contains", "value": "bre"},
                        {"segment": "VIP donors", "operator": "in_segment"},
                    ]
                },
                {"filters": [{"property": "events_attended", "operator": "gte", "value": 1}]},
            ]
        },
        "contacts",
        resolve_segment=db_resolver,
    )
    assert filters.explain_record(tree, "contacts", 1, today=TODAY) == [[True, True], [False]]
    assert filters.explain_record(tree, "contacts", 2, today=TODAY) == [[True, False], [True]]
    assert filters.explain_record(tree, "contacts", 4, today=TODAY) == [[False, False], [False]]
    expr = filters.compile_filter(tree["groups"][1]["filters"][0], "contacts", today=TODAY)
    assert {c.id for c in Contact.select().where(expr)} == {2, 3, 5}
    with pytest.raises(RecordNotFound, match="No contact with id 99"):
        filters.explain_record(tree, "contacts", 99, today=TODAY)


def test_sql_is_portable_to_postgresql():
    tree = {
        "groups": [
            {"filters": [{"property": "city", "operator": "not_contains", "value": "50%"}]},
            {"filters": [{"property": "region", "operator": "starts_with", "value": "b"}]},
        ]
    }
    query = Contact.select(Contact.id).where(filters.compile_tree(tree, "contacts", today=TODAY))
    sql, params = PostgresqlDatabase("x").get_sql_context().sql(query).query()
    assert "ILIKE" not in sql and "GLOB" not in sql
    assert sql.count('LOWER("t1"') == 2 and sql.count("LIKE LOWER(%s) ESCAPE %s") == 2
    assert params == ["", "%50\\%%", "\\", "b%", "\\"]


# ---------------------------------------------------------------- validation

SEGMENTS = {"VIP": (7, "companies"), "VIP donors": (3, "contacts"), 3: (3, "contacts")}


def stub_resolver(ref):
    if ref not in SEGMENTS:
        raise SegmentNotFound(f"No segment {ref!r}")
    return SEGMENTS[ref]


def check(tree, object_type="contacts"):
    return filters.validate(tree, object_type, resolve_segment=stub_resolver)


def test_validate_normalises_without_touching_input():
    raw = {
        "groups": [
            {
                "filters": [
                    {"property": "region", "operator": "is_any_of", "values": [" Bretagne ", "Bretagne", "Normandie"]},
                    {"property": "city", "operator": "contains", "value": "  Pa "},
                    {"property": "lifecycle_stage", "operator": "is_none_of", "values": ["Customer"]},
                    {"property": "events_attended", "operator": "between", "values": ["1", 2.5]},
                    {"property": "last_activity_date", "operator": "on", "value": " 2026-01-05 "},
                    {"property": "last_activity_date", "operator": "less_than_days_ago", "value": "30"},
                    {"property": "subscribed", "operator": "is_true"},
                ]
            },
            {"filters": [{"segment": " VIP donors ", "operator": "not_in_segment"}]},
        ]
    }
    before = copy.deepcopy(raw)
    assert check(raw) == {
        "groups": [
            {
                "filters": [
                    {"property": "region", "operator": "is_any_of", "values": ["Bretagne", "Normandie"]},
                    {"property": "city", "operator": "contains", "value": "Pa"},
                    {"property": "lifecycle_stage", "operator": "is_none_of", "values": ["customer"]},
                    {"property": "events_attended", "operator": "between", "values": [1, 2.5]},
                    {"property": "last_activity_date", "operator": "on", "value": "2026-01-05"},
                    {"property": "last_activity_date", "operator": "less_than_days_ago", "value": 30},
                    {"property": "subscribed", "operator": "is_true"},
                ]
            },
            {"filters": [{"segment": 3, "operator": "not_in_segment"}]},
        ]
    }
    assert raw == before


def test_validate_accepts_empty_groups_and_dates():
    assert check({"groups": []}) == filters.EMPTY_TREE
    tree = check(one("created_date", "on", value=dt.date(2026, 2, 28)))
    assert tree["groups"][0]["filters"][0]["value"] == "2026-02-28"


def f(prop, op, **operand):
    return {"property": prop, "operator": op, **operand}


OK = f("region", "is_known")


@pytest.mark.parametrize(
    "tree, message",
    [
        ({"groups": [{"filters": [OK, f("regoin", "is_known")]}]},
         "Group 1, filter 2: unknown property 'regoin' for contacts"),
        ({"groups": [{"filters": [OK]}, {"filters": [f("events_attended", "contains", value="1")]}]},
         "Group 2, filter 1: operator 'contains' does not apply to Events attended (a number property)"),
        (one("events_attended", "gte", value="abc"), "Group 1, filter 1: Events attended needs a number, got 'abc'"),
        (one("events_attended", "gte", value=True), "Group 1, filter 1: Events attended needs a number, got True"),
        (one("events_attended", "eq", value=float("nan")), "Group 1, filter 1: Events attended needs a number, got nan"),
        (one("events_attended", "eq", value="  "), "Group 1, filter 1: Events attended needs a number, got '  '"),
        (one("events_attended", "eq", value="inf"), "Group 1, filter 1: Events attended needs a number, got 'inf'"),
        ({"groups": [{"filters": [OK, OK, {"segment": "VIP", "operator": "in_segment"}]}]},
         "Group 1, filter 3: segment 'VIP' is a companies segment; contacts filters can only use contacts segments"),
        ({"groups": [{"filters": [{"segment": "Nope", "operator": "in_segment"}]}]},
         "Group 1, filter 1: No segment 'Nope'"),
        ({"groups": [{"filters": [{"segment": 3, "operator": "is_any_of"}]}]},
         "Group 1, filter 1: operator 'is_any_of' does not apply to segment membership"),
        ({"groups": [{"filters": [{"segment": True, "operator": "in_segment"}]}]},
         "Group 1, filter 1: 'segment' must be a segment id or name"),
        ({"groups": [{"filters": [{"segment": 3, "property": "region", "operator": "in_segment"}]}]},
         "Group 1, filter 1: give either 'property' or 'segment', not both"),
        ({"groups": [{"filters": [OK]}, {"filters": []}]}, "Group 2 has no filters"),
        ({"groups": {}}, "'groups' must be a list"),
        ({}, "'groups' must be a list"),
        ([], "Filters must be a JSON object with a 'groups' list"),
        ({"groups": [], "extra": 1}, "Filters: unknown key 'extra'"),
        ({"groups": [[]]}, "Group 1 must be an object with a 'filters' list"),
        ({"groups": [{"filters": [OK], "name": "x"}]}, "Group 1: unknown key 'name'"),
        ({"groups": [{"filters": ["region"]}]}, "Group 1, filter 1 must be an object"),
        (one("region", "is_any_of", vaules=["x"]), "Group 1, filter 1: unknown key 'vaules'"),
        ({"groups": [{"filters": [{"property": "region"}]}]}, "Group 1, filter 1: missing 'operator'"),
        ({"groups": [{"filters": [{"operator": "is_known"}]}]}, "Group 1, filter 1: needs a 'property' or a 'segment'"),
        (one("events_attended", "gte"), "Group 1, filter 1: operator 'gte' needs a 'value'"),
        (one("region", "is_any_of"), "Group 1, filter 1: operator 'is_any_of' needs a 'values'"),
        (one("region", "is_any_of", value="x"), "Group 1, filter 1: operator 'is_any_of' takes 'values', not 'value'"),
        (one("region", "is_known", value="x"), "Group 1, filter 1: operator 'is_known' takes no value"),
        (one("region", "contains", value="   "), "Group 1, filter 1: Region needs a non-empty text value, got '   '"),
        (one("region", "contains", value=3), "Group 1, filter 1: Region needs a non-empty text value, got 3"),
        (one("region", "is_any_of", values=[]), "Group 1, filter 1: Region needs a non-empty list of values, got []"),
        (one("lifecycle_stage", "is_any_of", values=["vip"]),
         "Group 1, filter 1: Lifecycle stage has no option 'vip' (options: subscriber, lead, "
         "marketing_qualified_lead, sales_qualified_lead, opportunity, customer, evangelist, other)"),
        (one("created_date", "on", value="2026-02-30"),
         "Group 1, filter 1: Created date needs a date as YYYY-MM-DD, got '2026-02-30'"),
        (one("created_date", "before", value="2026-1-5"),
         "Group 1, filter 1: Created date needs a date as YYYY-MM-DD, got '2026-1-5'"),
        (one("created_date", "less_than_days_ago", value=-1),
         "Group 1, filter 1: Created date needs a whole number of days from 0 to 36500, got -1"),
        (one("created_date", "more_than_days_ago", value=36501),
         "Group 1, filter 1: Created date needs a whole number of days from 0 to 36500, got 36501"),
        (one("created_date", "more_than_days_from_now", value=1.5),
         "Group 1, filter 1: Created date needs a whole number of days from 0 to 36500, got 1.5"),
        (one("events_attended", "between", values=[5, 1]),
         "Group 1, filter 1: Events attended is between 5 and 1: the first value is greater than the second"),
        (one("created_date", "between", values=["2026-02-01", "2026-01-01"]),
         "Group 1, filter 1: Created date is between 2026-02-01 and 2026-01-01: "
         "the first value is greater than the second"),
        (one("events_attended", "between", values=[1]),
         "Group 1, filter 1: Events attended needs two values for 'between', got 1"),
    ],
)
def test_validation_errors_name_the_bad_part(tree, message):
    with pytest.raises(InvalidFilter) as exc:
        check(tree)
    assert str(exc.value) == message


def test_validate_checks_companies_properties():
    with pytest.raises(InvalidFilter, match="unknown property 'email' for companies"):
        check(one("email", "is_known"), "companies")


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"groups": [\n  {"filters": [}]}', "Filters are not valid JSON: line 2 column 16: Expecting value"),
        ("", "Filters are not valid JSON: line 1 column 1: Expecting value"),
        ("[1]", "Filters must be a JSON object with a 'groups' list"),
    ],
)
def test_parse_json_errors(text, message):
    with pytest.raises(InvalidFilter) as exc:
        filters.parse_json(text)
    assert str(exc.value) == message


def test_dumps_is_canonical_and_round_trips():
    tree = {"groups": [{"filters": [{"property": "city", "operator": "contains", "value": "Québec"}]}]}
    text = filters.dumps(tree)
    assert text == '{"groups":[{"filters":[{"operator":"contains","property":"city","value":"Québec"}]}]}'
    assert filters.parse_json(text) == tree


# ---------------------------------------------------------------- operators and descriptions


@pytest.mark.parametrize(
    "ptype, names",
    [
        (TEXT, ["is_any_of", "is_none_of", "contains", "not_contains", "starts_with", "ends_with"]),
        (NUMBER, ["eq", "neq", "lt", "lte", "gt", "gte", "between"]),
        (DATE, ["on", "before", "after", "between", "less_than_days_ago", "more_than_days_ago",
                "less_than_days_from_now", "more_than_days_from_now"]),
        (ENUMERATION, ["is_any_of", "is_none_of"]),
        (BOOLEAN, ["is_true", "is_false"]),
    ],
)
def test_operators_for_each_type(ptype, names):
    assert [s.name for s in filters.operators_for(ptype)] == names + ["is_known", "is_unknown"]


def test_operator_specs():
    number = {s.name: s for s in filters.operators_for(NUMBER)}
    assert (number["lte"].label, number["lte"].shape) == ("is less than or equal to", "value")
    assert number["between"].shape == "range"
    date = {s.name: s for s in filters.operators_for(DATE)}
    assert (date["between"].shape, date["on"].shape, date["more_than_days_ago"].shape) == ("date_range", "date", "days")
    assert [s.label for s in filters.OPERATORS[filters.MEMBERSHIP]] == ["is member of segment", "is not member of segment"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        number["lte"].label = "x"


NAMES = {3: "VIP donors"}


@pytest.mark.parametrize(
    "flt, text",
    [
        (f("region", "is_any_of", values=["Bretagne", "Normandie"]), "Region is any of Bretagne, Normandie"),
        (f("region", "not_contains", value="nord"), "Region does not contain nord"),
        (f("events_attended", "gte", value=1), "Events attended is greater than or equal to 1"),
        (f("events_attended", "eq", value=2.0), "Events attended is equal to 2"),
        (f("events_attended", "between", values=[1, 2.5]), "Events attended is between 1 and 2.5"),
        (f("last_activity_date", "less_than_days_ago", value=30), "Last activity date is less than 30 days ago"),
        (f("last_activity_date", "more_than_days_from_now", value=1), "Last activity date is more than 1 day from now"),
        (f("created_date", "between", values=["2026-01-01", "2026-02-01"]),
         "Created date is between 2026-01-01 and 2026-02-01"),
        (f("created_date", "on", value="2026-01-01"), "Created date is on 2026-01-01"),
        (f("subscribed", "is_false"), "Subscribed is false"),
        (f("phone", "is_unknown"), "Phone is unknown"),
        ({"segment": 3, "operator": "in_segment"}, "Is member of segment VIP donors"),
        ({"segment": 12, "operator": "not_in_segment"}, "Is not member of segment #12 (deleted)"),
    ],
)
def test_describe_filter(flt, text):
    assert filters.describe_filter(flt, "contacts", NAMES) == text


def test_describe_tree_and_tree_questions():
    tree = check(
        {
            "groups": [
                {"filters": [f("region", "is_known"), {"segment": "VIP donors", "operator": "in_segment"}]},
                {"filters": [f("last_activity_date", "more_than_days_ago", value=7)]},
            ]
        }
    )
    assert filters.describe_tree(tree, "contacts", NAMES) == [
        ["Region is known", "Is member of segment VIP donors"],
        ["Last activity date is more than 7 days ago"],
    ]
    assert filters.referenced_segments(tree) == {3}
    assert filters.referenced_properties(tree) == {"region", "last_activity_date"}
    assert filters.uses_relative_dates(tree) is True
    assert filters.has_filters(tree) is True
    assert filters.uses_relative_dates(one("created_date", "on", value="2026-01-01")) is False
    assert filters.has_filters(filters.EMPTY_TREE) is False
    assert filters.referenced_segments(filters.EMPTY_TREE) == set()
