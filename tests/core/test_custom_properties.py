"""Property definitions (issue 12): the name rule, types, options, archive/restore, type changes."""

from __future__ import annotations

import pendulum
import pytest

from segtui import worker
from segtui.core import check, filters, property_admin, records
from segtui.core import db as dbmod
from segtui.core import properties as registry
from segtui.core.errors import InvalidFilter, InvalidInput
from segtui.core.models import AuditEntry, Contact, PropertyDefinition, database_proxy

from core_helpers import add_contacts, f, log_rows, make, members, reload, tree


DAY = pendulum.date(2026, 11, 26)


def matching(object_type: str, flt: dict, today=DAY, tz="Europe/Paris") -> set[int]:
    normal = filters.validate(tree([flt]), object_type, resolve_segment=lambda ref: (_ for _ in ()).throw(AssertionError))
    model = Contact
    return {r.id for r in model.select(model.id).where(filters.compile_tree(normal, object_type, today=today, tz=tz))}


@pytest.mark.parametrize("label, name", [
    ("Favorite Color", "favorite_color"),
    ("  Année de naissance ", "annee_de_naissance"),
    ("Newsletter Opt-In", "newsletter_opt_in"),
    ("% of budget (2024)", "of_budget_2024"),
    ("Über--Größe!!", "uber_gro_e"),  # ß has no accent to remove: another character
])
def test_internal_name_rule(label, name):
    assert registry.internal_name(label) == name


def test_built_in_properties_are_definitions_in_the_database(ctx):
    rows = {(r.object_type, r.name): r for r in PropertyDefinition.select()}
    assert rows[("contacts", "lifecycle_stage")].builtin and rows[("companies", "domain")].is_key
    assert rows[("contacts", "hubspot_id")].read_only and rows[("contacts", "hubspot_id")].label == "Record ID"
    stage = registry.get("contacts", "lifecycle_stage")
    assert stage.option_label("marketing_qualified_lead") == "Marketing qualified lead"
    # a built-in keeps its type and cannot be archived, but its label can change
    with pytest.raises(InvalidInput, match="built-in property: it cannot be archived"):
        property_admin.archive(ctx, "contacts", "region")
    with pytest.raises(InvalidInput, match="built-in property: its type is fixed"):
        property_admin.change_type(ctx, "contacts", "region", "number")
    assert property_admin.edit(ctx, "contacts", "region", label="State/Region").label == "State/Region"
    property_admin.edit(ctx, "contacts", "region", label="Region")  # the registry outlives this database
    with pytest.raises(InvalidInput, match="Record ID is read-only"):
        records.set_property(ctx, "contacts", add_contacts({})[0], "hubspot_id", "123")


def test_create_adds_a_column_and_records_who_and_when(ctx, clock):
    prop = property_admin.create(ctx, "contacts", "Favorite Color", "enumeration", options="Red, Blue,Green")
    assert (prop.name, prop.column, prop.type, prop.group, prop.builtin) == (
        "favorite_color", "p_favorite_color", "enumeration", "Custom", False)
    assert [(o.value, o.label) for o in prop.choices] == [("red", "Red"), ("blue", "Blue"), ("green", "Green")]
    row = PropertyDefinition.get(PropertyDefinition.name == "favorite_color")
    assert (row.created_at, row.created_by) == (clock.now(), "alice")
    (cid,) = add_contacts({})
    records.set_property(ctx, "contacts", cid, "favorite_color", "BLUE")
    assert Contact.get_by_id(cid).p_favorite_color == "blue"
    assert AuditEntry.select().where(AuditEntry.action == "create_property").count() == 1


@pytest.mark.parametrize("label, kwargs, message", [
    ("Region", {}, "A contacts property named 'region' already exists"),
    ("!!!", {}, "The internal name would be empty"),
    ("Colour", {"name": "Bad Name"}, "may only hold lowercase letters"),
    ("Colour", {"name": "id"}, "'id' is reserved"),
    ("x" * 101, {}, "at most 100"),
    ("Level", {"options": None, "type_": "enumeration"}, "needs options"),
    ("Level", {"options": "Gold,gold", "type_": "enumeration"}, "are the same option"),
    ("Level", {"options": "Gold", "type_": "number"}, "Only dropdown and multiple-checkbox"),
    ("Level", {"type_": "money"}, "Unknown property type 'money'"),
    ("Event's attended", {"name": "events_count"}, "reads like the property 'Events attended'"),
])
def test_create_refusals_change_nothing(ctx, label, kwargs, message):
    before = PropertyDefinition.select().count()
    kwargs = dict(kwargs)
    type_ = kwargs.pop("type_", "text")
    with pytest.raises(InvalidInput, match=message):
        property_admin.create(ctx, "contacts", label, type_, **kwargs)
    assert PropertyDefinition.select().count() == before
    assert not [n for n in Contact._meta.fields if n.startswith("p_")]


def test_a_name_clash_with_an_archived_property_is_refused(ctx):
    property_admin.create(ctx, "contacts", "Colour", "text")
    property_admin.archive(ctx, "contacts", "colour")
    with pytest.raises(InvalidInput, match="named 'colour' already exists \\(archived\\)"):
        property_admin.create(ctx, "contacts", "Colour", "text")


def test_multiple_checkboxes_operators(ctx):
    property_admin.create(ctx, "contacts", "Interests", "multiple_checkboxes", options="Events,Podcasts,Web_inars")
    ids = add_contacts({}, {}, {}, {})
    for cid, text in zip(ids, ["Events;Podcasts", "podcasts", "web_inars", ""]):
        records.set_property(ctx, "contacts", cid, "interests", text)
    assert Contact.get_by_id(ids[0]).p_interests == ";events;podcasts;"
    one, two, three, four = ids
    assert matching("contacts", f("interests", "contains_any", values=["Events", "web_inars"])) == {one, three}
    assert matching("contacts", f("interests", "contains_all", values=["events", "Podcasts"])) == {one}
    assert matching("contacts", f("interests", "contains_none", values=["Podcasts"])) == {three, four}
    assert matching("contacts", f("interests", "is_known")) == {one, two, three}
    assert matching("contacts", f("interests", "is_unknown")) == {four}
    # "_" is a LIKE wildcard: escaped, "webXinars" would not match
    with pytest.raises(InvalidFilter, match="has no option 'Webinars'"):
        matching("contacts", f("interests", "contains_any", values=["Webinars"]))
    with pytest.raises(InvalidFilter, match="operator 'is_any_of' does not apply to Interests \\(a multiple_checkboxes property\\)"):
        matching("contacts", f("interests", "is_any_of", values=["Events"]))
    assert filters.describe_filter(f("interests", "contains_all", values=["events", "podcasts"]), "contacts", {}) == \
        "Interests contains all of Events, Podcasts"


def test_datetime_filters_compare_days_in_the_account_time_zone(ctx):
    property_admin.create(ctx, "contacts", "Signed up", "datetime")
    ids = add_contacts({}, {}, {})
    # 23:30 in Paris on 25 Nov is 22:30 UTC: the 25th in Paris
    for cid, text in zip(ids, ["2026-11-25 23:30", "2026-11-26T00:10:00+01:00", "2026-11-20T12:00:00Z"]):
        records.set_property(ctx, "contacts", cid, "signed_up", text)
    a, b, c = ids
    assert Contact.get_by_id(a).p_signed_up == pendulum.datetime(2026, 11, 25, 22, 30)
    assert matching("contacts", f("signed_up", "on", value="2026-11-25")) == {a}
    assert matching("contacts", f("signed_up", "after", value="2026-11-25")) == {b}
    assert matching("contacts", f("signed_up", "before", value="2026-11-25")) == {c}
    assert matching("contacts", f("signed_up", "between", values=["2026-11-20", "2026-11-25"])) == {a, c}
    assert matching("contacts", f("signed_up", "less_than_days_ago", value=2)) == {a, b}
    assert matching("contacts", f("signed_up", "more_than_days_ago", value=3)) == {c}


def test_custom_enumeration_filters_take_values_or_labels(ctx):
    property_admin.create(ctx, "contacts", "Member Level", "enumeration", options="Gold,Silver")
    ids = add_contacts({}, {})
    records.set_property(ctx, "contacts", ids[0], "member_level", "Gold")
    assert matching("contacts", f("member_level", "is_any_of", values=["GOLD"])) == {ids[0]}
    assert matching("contacts", f("member_level", "is_none_of", values=["gold"])) == {ids[1]}


def test_archive_refused_while_used_then_restored_with_its_values(ctx):
    property_admin.create(ctx, "contacts", "Yearly Gift", "number")
    (cid,) = add_contacts({})
    records.set_property(ctx, "contacts", cid, "yearly_gift", "120.5")
    make(ctx, "Givers", "active", tree([f("yearly_gift", "gte", value=100)]))
    make(ctx, "Companies of givers", "active", tree([{"association": "contacts", "filters": [
        f("yearly_gift", "gt", value=1000)]}]), "companies")
    with pytest.raises(InvalidInput, match="used by the filters of 'Companies of givers', 'Givers'"):
        property_admin.archive(ctx, "contacts", "yearly_gift")
    property_admin.create(ctx, "contacts", "Hobby", "text")
    archived = property_admin.archive(ctx, "contacts", "Hobby")  # by label
    assert archived.archived and "hobby" not in registry.properties("contacts")
    assert [p.name for p in property_admin.list_properties("contacts", archived=True) if p.archived] == ["hobby"]
    with pytest.raises(InvalidFilter, match="'Hobby' \\(hobby\\) is archived"):
        matching("contacts", f("hobby", "is_known"))
    with pytest.raises(InvalidInput, match="Unknown property 'hobby'"):
        records.set_property(ctx, "contacts", cid, "hobby", "chess")
    assert property_admin.restore(ctx, "contacts", "hobby").archived is False
    records.set_property(ctx, "contacts", cid, "hobby", "chess")
    assert Contact.get_by_id(cid).p_hobby == "chess"


def test_options_add_archive_restore(ctx):
    property_admin.create(ctx, "contacts", "Member Level", "enumeration", options="Gold,Silver")
    prop = property_admin.edit(ctx, "contacts", "member_level", add_options=["Platinum"], archive_options=["silver"])
    assert prop.options == ("gold", "platinum") and [o.archived for o in prop.choices] == [False, True, False]
    with pytest.raises(InvalidInput, match="already has the option 'Silver' \\(archived: restore it\\)"):
        property_admin.edit(ctx, "contacts", "member_level", add_options=["Silver"])
    make(ctx, "Gold members", "active", tree([f("member_level", "is_any_of", values=["Gold"])]))
    with pytest.raises(InvalidInput, match="The option 'Gold' is used by the filters of 'Gold members'"):
        property_admin.edit(ctx, "contacts", "member_level", archive_options=["Gold"])
    assert property_admin.edit(ctx, "contacts", "member_level", restore_options=["Silver"]).options == (
        "gold", "silver", "platinum")


def test_type_change_only_when_every_value_converts(ctx):
    property_admin.create(ctx, "contacts", "Budget", "text")
    ids = add_contacts({}, {}, {})
    for cid, text in zip(ids, ["12", "4.5", "lots"]):
        records.set_property(ctx, "contacts", cid, "budget", text)
    with pytest.raises(InvalidInput, match="1 of 3 values of 'Budget' would not convert to number \\(e.g. 'lots'\\)"):
        property_admin.change_type(ctx, "contacts", "budget", "number")
    assert registry.get("contacts", "budget").type == "text"
    records.set_property(ctx, "contacts", ids[2], "budget", "7")
    prop, converted = property_admin.change_type(ctx, "contacts", "budget", "number")
    assert (prop.type, converted, prop.column) == ("number", 3, "p_budget_t2")
    assert [registry.value_of(Contact.get_by_id(i), prop) for i in ids] == [12.0, 4.5, 7.0]
    assert matching("contacts", f("budget", "gt", value=5)) == {ids[0], ids[2]}
    # text -> dropdown: the options come from the values
    prop, _ = property_admin.change_type(ctx, "contacts", "budget", "enumeration")
    assert (prop.type, prop.options) == ("enumeration", ("12", "4_5", "7"))
    assert [registry.value_of(Contact.get_by_id(i), prop) for i in ids] == ["12", "4_5", "7"]


def test_another_process_sees_a_new_property_without_restarting(ctx, database):
    property_admin.create(ctx, "contacts", "Colour", "text")
    # another process created one: the definitions table moved on, the cache is stale
    PropertyDefinition.insert(object_type="contacts", name="size", label="Size", type="text", column_name="p_size").execute()
    database.execute_sql('ALTER TABLE "contact" ADD COLUMN "p_size" TEXT')
    assert "size" not in registry.properties("contacts")
    assert filters.validate(tree([f("size", "is_known")]), "contacts", resolve_segment=None)
    assert "size" in registry.properties("contacts") and "p_size" in Contact._meta.fields


@pytest.mark.parametrize("call, message", [
    (lambda c: property_admin.list_properties("deals"), "Unknown object type 'deals'"),
    (lambda c: property_admin.get("contacts", "nope"), "No contacts property named 'nope'"),
    (lambda c: property_admin.create(c, "contacts", "   ", "text"), "The label cannot be empty"),
    (lambda c: property_admin.create(c, "contacts", "Bell\x07", "text"), "cannot contain control characters"),
    (lambda c: property_admin.create(c, "contacts", "Long", "text", name="x" * 101), "characters long: at most"),
    (lambda c: property_admin.create(c, "contacts", "Rank", "enumeration", options="Gold,!!"),
     "The option '!!' has no letters or digits"),
    (lambda c: property_admin.create(c, "contacts", "Rank", "enumeration",
                                     options=",".join(f"o{i}" for i in range(1001))), "1,001 options: at most|1001 options: at most"),
    (lambda c: property_admin.edit(c, "contacts", "tier", add_options=["Gold"]), "is a text property: it has no options"),
    (lambda c: property_admin.edit(c, "contacts", "level", archive_options=["Bronze"]), "has no option 'Bronze'"),
    (lambda c: property_admin.edit(c, "contacts", "size", archive_options=["Small"]),
     "needs at least one option that is not archived"),
    (lambda c: property_admin.edit(c, "contacts", "level", group="\x1b[31m"), "The group cannot contain control"),
    (lambda c: property_admin.archive(c, "contacts", "region"), "built-in property: it cannot be archived"),
    (lambda c: property_admin.change_type(c, "contacts", "region", "number"), "built-in property: its type is fixed"),
    (lambda c: property_admin.change_type(c, "contacts", "tier", "money"), "Unknown property type 'money'"),
    (lambda c: property_admin.change_type(c, "contacts", "level", "text"), "is used by the filters of 'Gold'"),
])
def test_every_refusal_of_the_property_admin_says_why_and_changes_nothing(ctx, call, message):
    property_admin.create(ctx, "contacts", "Tier", "text")
    property_admin.create(ctx, "contacts", "Level", "enumeration", options="Gold,Silver")
    property_admin.create(ctx, "contacts", "Size", "enumeration", options="Small")
    make(ctx, "Gold", "active", tree([f("level", "is_any_of", values=["Gold"])]))
    before = sorted(PropertyDefinition.select(PropertyDefinition.name, PropertyDefinition.version,
                                              PropertyDefinition.options).tuples())
    with pytest.raises(InvalidInput, match=message):
        call(ctx)
    assert sorted(PropertyDefinition.select(PropertyDefinition.name, PropertyDefinition.version,
                                            PropertyDefinition.options).tuples()) == before


def test_edits_that_change_nothing_write_nothing_and_the_others_are_audited(ctx):
    property_admin.create(ctx, "contacts", "Level", "enumeration", options="Gold,Silver")
    audits = AuditEntry.select().count()
    prop = registry.get("contacts", "level")
    assert property_admin.edit(ctx, "contacts", "level", label="Level", description="", group="Custom") == prop
    assert property_admin.restore(ctx, "contacts", "level") == prop  # not archived: nothing to do
    assert property_admin.change_type(ctx, "contacts", "level", "enumeration") == (prop, 0)
    assert AuditEntry.select().count() == audits
    edited = property_admin.edit(ctx, "contacts", "level", description="Membership tier", group="Membership",
                                 relabel_options={"gold": "Gold star"})
    assert (edited.description, edited.group, edited.choices[0].label) == ("Membership tier", "Membership", "Gold star")
    property_admin.archive(ctx, "contacts", "level")
    assert property_admin.archive(ctx, "contacts", "level").archived  # archived already: unchanged
    assert [p.name for p in property_admin.list_properties("contacts", archived=True, search="memb")] == []
    assert [p.name for p in property_admin.list_properties("contacts", archived=True, search="LEV")] == ["level"]
    assert AuditEntry.select().count() == audits + 2


def test_a_type_change_to_a_dropdown_takes_given_options_and_a_dry_run_writes_nothing(ctx):
    property_admin.create(ctx, "contacts", "Tier", "text")
    ids = add_contacts({}, {})
    records.set_property(ctx, "contacts", ids[0], "tier", "gold")
    records.set_property(ctx, "contacts", ids[1], "tier", "Silver")
    assert property_admin.change_type(ctx, "contacts", "tier", "enumeration", options="Gold,Silver,Bronze",
                                      dry_run=True)[1] == 2
    assert registry.get("contacts", "tier").type == "text"
    prop, converted = property_admin.change_type(ctx, "contacts", "tier", "enumeration", options="Gold,Silver,Bronze")
    assert (prop.type, prop.options, converted) == ("enumeration", ("gold", "silver", "bronze"), 2)
    assert [registry.value_of(Contact.get_by_id(i), prop) for i in ids] == ["gold", "silver"]


def test_an_edit_of_a_custom_property_is_followed_at_once_by_the_segments_reading_it(ctx, clock):
    """Only the segments reading the property evaluate the edited record, in the edit's
    transaction; a date-time by its day in the account time zone (as a full refresh reads it),
    and eight segments of one family (is any of one value) through their custom column."""
    property_admin.create(ctx, "contacts", "Last seen", "datetime")
    property_admin.create(ctx, "contacts", "Team", "text")
    a, b = add_contacts({}, {})
    on_the_26th = make(ctx, "Seen on the 26th", "active", tree([f("last_seen", "on", value="2026-11-26")]))
    teams = [make(ctx, f"Team {n}", "active", tree([f("team", "is_any_of", values=[f"T{n}"])])) for n in range(8)]
    regional = make(ctx, "Bretons", "active", tree([f("region", "is_any_of", values=["Bretagne"])]))
    # 00:30 in Paris on the 26th is 23:30 UTC on the 25th
    _, done = records.set_properties(ctx, "contacts", a, {"last_seen": "2026-11-26 00:30", "team": "t3"})
    assert done.joined == {on_the_26th.id: [a], teams[3].id: [a]}
    assert done.evaluated == 9  # the date-time's segment and the family of eight, not the Bretons
    assert log_rows(teams[3])[-1] == (a, "added", "team changed")
    records.set_properties(ctx, "contacts", a, {"team": "t5"})
    assert members(teams[3]) == set() and members(teams[5]) == {a}
    records.set_properties(ctx, "contacts", b, {"last_seen": "2026-11-25 23:59"})
    assert members(on_the_26th) == {a}
    assert reload(regional).size == 0 and all(reload(s).next_refresh_at is None for s in teams)
    report = check.check(ctx)
    assert report.drifts == [] and report.pending == []


def test_a_custom_date_time_rolls_over_at_the_account_midnight(ctx, clock):
    property_admin.create(ctx, "contacts", "Last seen", "datetime")
    a, b = add_contacts({}, {})
    records.set_properties(ctx, "contacts", a, {"last_seen": "2026-11-26 08:00"})  # today in Paris
    records.set_properties(ctx, "contacts", b, {"last_seen": "2026-11-25 23:30"})  # yesterday in Paris
    today = make(ctx, "Seen today", "active", tree([f("last_seen", "less_than_days_ago", value=1)]))
    assert members(today) == {a}
    clock.advance(hours=13, minutes=45)  # 23:15 UTC: already the 27th in Paris
    worker.tick(ctx, me="w")
    assert members(today) == set()
    assert log_rows(today)[-1] == (a, "removed", "dates moved on")
    report = check.check(ctx)
    assert report.drifts == [] and report.pending == []


def test_the_definitions_are_those_of_the_database_the_process_is_bound_to(ctx, database, tmp_path):
    property_admin.create(ctx, "contacts", "Colour", "text")
    other = dbmod.open_database(str(tmp_path / "other.db"))
    try:
        assert "colour" not in registry.properties("contacts") and "p_colour" not in Contact._meta.fields
        database_proxy.initialize(database)  # bound back without opening it again
        assert registry.get("contacts", "colour").column == "p_colour" and "p_colour" in Contact._meta.fields
        database_proxy.initialize(other)
        assert [p.name for p in property_admin.list_properties("contacts") if not p.builtin] == []
        assert "p_colour" not in Contact._meta.fields
    finally:
        other.close()
        database_proxy.initialize(database)
        registry.reload()


def test_a_database_opened_without_its_schema_has_the_built_in_properties_only(tmp_path):
    bare = dbmod.open_database(str(tmp_path / "bare.db"), migrate_schema=False)
    try:
        assert list(registry.properties("contacts")) == [p.name for p in registry.BUILTINS["contacts"]]
        registry.ensure_fresh()  # no definitions table to compare with: nothing to read
        assert registry.get("contacts", "colour") is None
    finally:
        bare.close()
