"""Segments: create, names, rename, clone, delete/restore, list pages, cycles, read-only."""

from __future__ import annotations

import json
from dataclasses import replace

import pendulum
import pytest

from segtui import worker
from segtui.core import conversions, membership, records, segments
from segtui.core.errors import (
    InvalidFilter,
    InvalidInput,
    InvalidName,
    ReadOnly,
    SegmentNotFound,
    StaleSegment,
)
from segtui.core.models import AuditEntry, Contact, Segment, SegmentDependency
from segtui.core.schedule import AFTER_INACTIVITY, Schedule

from core_helpers import audit_actions, dump, f, log_rows, make, members, region_is, regions, reload, tree


@pytest.fixture
def people(database):
    """c1-c3 in Bretagne, c4-c5 in Normandie, c6 nowhere."""
    return regions("Bretagne", "Bretagne", "Bretagne", "Normandie", "Normandie", None)


def test_create_active_is_processed_at_once(ctx, people):
    segment, diff = segments.create(ctx, "  Bretons  ", "contacts", "active", region_is("bretagne"))
    assert (diff.added, diff.removed) == (3, 0)
    assert segment.name == "Bretons"  # trimmed
    assert segment.name_key == "bretons"
    assert (segment.type, segment.object_type, segment.size, segment.version) == ("active", "contacts", 3, 1)
    assert members(segment) == set(people[:3])
    assert log_rows(segment) == [(i, "added", "filter") for i in people[:3]]
    assert segment.last_activity_at == ctx.now()
    assert segment.refreshed_at == ctx.now()
    assert segment.next_refresh_at is None  # nothing relative: only record changes re-evaluate it
    assert (segment.created_by, segment.updated_by) == ("alice", "alice")
    entry = AuditEntry.get(AuditEntry.segment_id == segment.id)
    assert (entry.action, entry.actor) == ("create", "alice")
    assert "3 members" in entry.summary
    assert json.loads(entry.after)["filters"] == region_is("bretagne")


def test_create_active_with_relative_dates_is_rechecked_at_local_midnight(ctx, people):
    segment = make(ctx, "Recent", "active", tree([f("last_activity_date", "less_than_days_ago", value=30)]))
    assert segment.has_relative_dates
    # 26 Nov 10:30 in Paris -> 27 Nov 00:00 in Paris
    assert segment.next_refresh_at == pendulum.datetime(2026, 11, 26, 23, tz="UTC")


@pytest.mark.parametrize("filters", [None, {"groups": []}])
def test_create_active_needs_filters(ctx, people, filters):
    before = dump()
    with pytest.raises(InvalidFilter, match="An active segment needs at least one filter"):
        segments.create(ctx, "Nothing", "contacts", "active", filters)
    assert dump() == before


def test_create_static_with_filters_is_filled_once_then_frozen(ctx, people, clock):
    segment, diff = segments.create(ctx, "Met in Bretagne", "contacts", "static", region_is("Bretagne"))
    assert diff.added == 3 and segment.size == 3 and members(segment) == set(people[:3])
    assert segment.type == "static"
    assert json.loads(segments.get(segment.id).filters) == region_is("Bretagne")
    clock.advance(hours=1)
    # a new Breton, and a member who moves away: the static segment does not follow
    new = regions("Bretagne")[0]
    records.set_property(ctx, "contacts", people[0], "region", "Occitanie")
    records.import_csv(ctx, "contacts", "email,region\nc2@example.org,Normandie\n")
    assert reload(segment).next_refresh_at is None
    assert membership.refresh(ctx, segment.id).changed is False
    worker.tick(ctx, me="w1")
    assert members(segment) == set(people[:3])
    assert new not in members(segment)
    assert reload(segment).size == 3
    assert reload(segment).last_activity_at == pendulum.datetime(2026, 11, 26, 9, 30, tz="UTC")


def test_create_static_without_filters_is_empty(ctx, people):
    segment, diff = segments.create(ctx, "Hand-picked", "contacts", "static")
    assert (diff.added, segment.size, members(segment), log_rows(segment)) == (0, 0, set(), [])
    assert json.loads(segment.filters) == {"groups": []}
    assert audit_actions(segment) == ["create"]


@pytest.mark.parametrize(
    "object_type, type_, error, message",
    [
        ("people", "static", InvalidInput, "Unknown object type 'people': use contacts or companies"),
        ("contacts", "dynamic", InvalidInput, "Unknown segment type 'dynamic': use active or static"),
    ],
)
def test_create_refuses_unknown_kinds(ctx, people, object_type, type_, error, message):
    with pytest.raises(error) as caught:
        segments.create(ctx, "X", object_type, type_)
    assert str(caught.value) == message
    assert Segment.select().count() == 0


@pytest.mark.parametrize("name", ["", "   ", "\t\n", None, 42])
def test_names_must_not_be_empty(ctx, people, name):
    with pytest.raises(InvalidName, match="A segment needs a name"):
        segments.create(ctx, name, "contacts", "static")
    assert Segment.select().count() == 0


@pytest.mark.parametrize("clash", ["VIP donors", "vip donors", "  VIP DONORS ", "Vip Donors"])
def test_duplicate_names_refused_case_insensitively(ctx, people, clash):
    make(ctx, "VIP donors", "static")
    before = dump()
    with pytest.raises(InvalidName) as caught:
        segments.create(ctx, clash, "contacts", "static")
    assert str(caught.value) == "A contacts segment named 'VIP donors' already exists: choose another name"
    assert dump() == before


def test_same_name_allowed_on_the_other_object_type_and_after_delete(ctx, people):
    first = make(ctx, "Big ones", "static")
    other = make(ctx, "Big ones", "static", object_type="companies")
    assert other.object_type == "companies"
    segments.delete(ctx, first.id)
    again = make(ctx, "BIG ONES", "static")
    assert again.id not in (first.id, other.id)
    assert Segment.select().where(Segment.name_key == "big ones").count() == 3


def test_rename(ctx, people, clock):
    a = make(ctx, "Alpha", "static")
    make(ctx, "Beta", "static")
    clock.advance(minutes=5)
    renamed = segments.rename(replace(ctx, actor="bob"), a.id, "  Gamma ")
    assert (renamed.name, renamed.name_key, renamed.version, renamed.updated_by) == ("Gamma", "gamma", 2, "bob")
    assert reload(a).updated_at == clock.now()
    entry = AuditEntry.select().where(AuditEntry.action == "rename").get()
    assert (json.loads(entry.before), json.loads(entry.after), entry.actor) == ({"name": "Alpha"}, {"name": "Gamma"}, "bob")
    # a change of case only is allowed (the segment does not clash with itself)
    assert segments.rename(ctx, a.id, "GAMMA").name == "GAMMA"
    # the same name again changes nothing
    assert segments.rename(ctx, a.id, "GAMMA").version == 3
    before = dump()
    with pytest.raises(InvalidName, match="named 'Beta' already exists"):
        segments.rename(ctx, a.id, "beta")
    with pytest.raises(InvalidName, match="A segment needs a name"):
        segments.rename(ctx, a.id, "  ")
    with pytest.raises(StaleSegment, match="'GAMMA' was changed by alice"):
        segments.rename(ctx, a.id, "Delta", expected_version=1)
    assert dump() == before


def test_clone_active_keeps_filters_and_type_not_the_schedule(ctx, people):
    source = make(ctx, "Bretons", "active", region_is("Bretagne"))
    conversions.set_schedule(ctx, source.id, Schedule(AFTER_INACTIVITY, amount=2, unit="weeks"))
    copy = segments.clone(ctx, source.id)
    assert copy.name == "Copy of Bretons"
    assert (copy.type, copy.object_type, copy.filters) == ("active", "contacts", reload(source).filters)
    assert (copy.schedule_mode, copy.due_at) == ("never", None)
    assert members(copy) == members(source) == set(people[:3])
    assert copy.size == 3
    second = segments.clone(ctx, source.id)
    assert second.name == "Copy of Bretons (2)"
    named = segments.clone(ctx, source.id, "Bretons again")
    assert named.name == "Bretons again"
    assert audit_actions(named) == ["create", "clone"]
    with pytest.raises(InvalidName, match="already exists"):
        segments.clone(ctx, source.id, "bretons")


def test_clone_static_keeps_members_and_filters(ctx, people):
    source = make(ctx, "Met", "static", region_is("Normandie"))
    membership.add_records(ctx, source.id, [people[0]])  # a hand-added member outside the filters
    used = make(ctx, "Used", "static")
    segments.update_filters(ctx, source.id, tree([f("region", "is_known")], [{"segment": used.id, "operator": "in_segment"}]))
    copy = segments.clone(ctx, source.id, "Met (copy)")
    assert copy.type == "static"
    assert members(copy) == members(source) == {people[0], people[3], people[4]}
    assert copy.size == 3
    assert json.loads(copy.filters) == json.loads(reload(source).filters)
    assert [d.id for d in segments.dependants(used.id)] == sorted([source.id, copy.id])
    assert {reason for _, _, reason in log_rows(copy)} == {"manual"}


@pytest.mark.parametrize("kind", ["active", "static"])
def test_a_clone_that_fails_half_way_leaves_nothing(ctx, people, monkeypatch, kind):
    """One transaction: the copy, its members, its filters and the audit entry, or none of them."""
    source = make(ctx, "Bretons", kind, region_is("Bretagne"))
    before = dump()
    real_record = segments.audit.record

    def record(ctx, action, *args, **kwargs):
        if action == "clone":  # the copy is made (and filled): the last step fails
            raise RuntimeError("disk full")
        return real_record(ctx, action, *args, **kwargs)

    monkeypatch.setattr(segments.audit, "record", record)
    with pytest.raises(RuntimeError):
        segments.clone(ctx, source.id, "Copy")
    assert dump() == before
    monkeypatch.setattr(segments.audit, "record", real_record)
    assert segments.clone(ctx, source.id, "Copy").size == 3  # the name was never taken


def test_delete_is_soft_and_restorable(ctx, people, clock):
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    clock.advance(hours=1)
    deleted = segments.delete(replace(ctx, actor="bob"), segment.id)
    row = reload(segment)
    assert (row.deleted_at, row.deleted_by, row.version) == (clock.now(), "bob", 2)
    assert members(segment) == set(people[:3])  # kept for a restore
    with pytest.raises(SegmentNotFound):
        segments.get(segment.id)
    with pytest.raises(SegmentNotFound):
        segments.get("Bretons")
    assert segments.list_page().total == 0
    assert [s.id for s in segments.deleted(ctx)] == [deleted.id]
    with pytest.raises(SegmentNotFound, match="was deleted by bob"):
        segments.rename(ctx, segment.id, "Other")

    restored = segments.restore(ctx, segment.id)
    assert restored.deleted_at is None and restored.deleted_by is None
    assert restored.next_refresh_at == clock.now()  # re-evaluated at the next tick
    assert segments.get("Bretons").id == segment.id
    assert audit_actions(segment)[-2:] == ["delete", "restore"]
    with pytest.raises(SegmentNotFound, match="No deleted segment with id"):
        segments.restore(ctx, segment.id)


def test_delete_refused_while_used_names_the_dependants(ctx, people):
    vip = make(ctx, "VIP", "static")
    make(ctx, "Customers not VIP", "active", tree([f("region", "is_known"), {"segment": vip.id, "operator": "not_in_segment"}]))
    make(ctx, "All VIP", "static", tree([{"segment": "VIP", "operator": "in_segment"}]))
    before = dump()
    with pytest.raises(InvalidInput) as caught:
        segments.delete(ctx, vip.id)
    assert str(caught.value) == (
        "'VIP' is used in the filters of 'All VIP', 'Customers not VIP': remove it from their filters first"
    )
    assert dump() == before


def test_deleted_dependant_no_longer_blocks(ctx, people):
    vip = make(ctx, "VIP", "static")
    user = make(ctx, "Uses VIP", "static", tree([{"segment": vip.id, "operator": "in_segment"}]))
    segments.delete(ctx, user.id)
    assert segments.delete(ctx, vip.id).id == vip.id


def test_restore_refused_on_name_clash_and_after_90_days(ctx, people, clock):
    a = make(ctx, "Alpha", "static")
    segments.delete(ctx, a.id)
    taken = make(ctx, "ALPHA", "static")
    with pytest.raises(InvalidName, match="named 'ALPHA' already exists"):
        segments.restore(ctx, a.id)
    assert reload(a).deleted_at is not None
    segments.rename(ctx, taken.id, "Taken")

    clock.advance(days=90)
    assert [s.id for s in segments.deleted(ctx)] == [a.id]
    clock.advance(minutes=1)
    assert segments.deleted(ctx) == []
    before = dump()
    with pytest.raises(InvalidInput, match="'Alpha' was deleted more than 90 days ago and cannot be restored"):
        segments.restore(ctx, a.id)
    assert dump() == before


def test_restore_refused_when_its_filters_use_a_deleted_segment(ctx, people):
    used = make(ctx, "Used", "static")
    user = make(ctx, "User", "static", tree([{"segment": used.id, "operator": "in_segment"}]))
    segments.delete(ctx, user.id)
    segments.delete(ctx, used.id)
    with pytest.raises(InvalidFilter, match="uses? segment 'Used', which was deleted"):
        segments.restore(ctx, user.id)
    assert segments.restore(ctx, used.id).deleted_at is None
    assert segments.restore(ctx, user.id).deleted_at is None


@pytest.fixture
def many(ctx, people, clock):
    """Eight segments of both types and objects, sizes 0-3, created a minute apart."""
    rows = [
        ("Alpha", "static", None, "contacts"),
        ("beta_1", "active", region_is("Bretagne"), "contacts"),
        ("Beta 2", "active", region_is("Normandie"), "contacts"),
        ("betax1", "static", None, "contacts"),
        ("Gamma", "active", tree([f("region", "is_known")]), "contacts"),
        ("Delta", "static", None, "companies"),
        ("Epsilon", "active", tree([f("employees", "gt", value=1)]), "companies"),
        ("Zeta", "static", None, "contacts"),
    ]
    out = {}
    for name, type_, filters, obj in rows:
        out[name] = make(ctx, name, type_, filters, obj)
        clock.advance(minutes=1)
    return out


@pytest.mark.parametrize(
    "kwargs, names, total",
    [
        ({}, ["Alpha", "Beta 2", "beta_1", "betax1", "Delta", "Epsilon", "Gamma", "Zeta"], 8),
        ({"search": "BETA"}, ["Beta 2", "beta_1", "betax1"], 3),
        ({"search": "  beta "}, ["Beta 2", "beta_1", "betax1"], 3),
        ({"search": "a_1"}, ["beta_1"], 1),  # '_' is a character, not a wildcard
        ({"search": "%"}, [], 0),
        ({"search": "zzz"}, [], 0),
        ({"type": "active"}, ["Beta 2", "beta_1", "Epsilon", "Gamma"], 4),
        ({"type": "static", "object_type": "contacts"}, ["Alpha", "betax1", "Zeta"], 3),
        ({"type": "static", "search": "a"}, ["Alpha", "betax1", "Delta", "Zeta"], 4),
        ({"sort": "name", "descending": True}, ["Zeta", "Gamma", "Epsilon", "Delta", "betax1", "beta_1", "Beta 2", "Alpha"], 8),
        ({"sort": "size", "descending": True, "object_type": "contacts"}, ["Gamma", "beta_1", "Beta 2", "Alpha", "betax1", "Zeta"], 6),
        ({"sort": "updated", "limit": 3}, ["Alpha", "beta_1", "Beta 2"], 8),
        ({"sort": "updated", "offset": 3, "limit": 3}, ["betax1", "Gamma", "Delta"], 8),
        ({"sort": "updated", "offset": 6, "limit": 3}, ["Epsilon", "Zeta"], 8),
        ({"offset": 8}, [], 8),
        ({"sort": "type", "object_type": "companies"}, ["Epsilon", "Delta"], 2),
    ],
)
def test_list_page(many, kwargs, names, total):
    page = segments.list_page(**kwargs)
    assert [s.name for s in page.rows] == names
    assert page.total == total
    assert page.offset == kwargs.get("offset", 0)


def test_list_page_excludes_deleted_and_refuses_bad_arguments(ctx, many):
    segments.delete(ctx, many["Alpha"].id)
    assert "Alpha" not in [s.name for s in segments.list_page().rows]
    assert segments.list_page().total == 7
    with pytest.raises(InvalidInput, match="Cannot sort by 'colour'"):
        segments.list_page(sort="colour")
    with pytest.raises(InvalidInput, match="Unknown segment type 'dynamic'"):
        segments.list_page(type="dynamic")
    with pytest.raises(InvalidInput, match="Unknown object type 'people'"):
        segments.list_page(object_type="people")


def test_membership_cycle_refused(ctx, people):
    a = make(ctx, "A", "active", region_is("Bretagne"))
    b = make(ctx, "B", "active", tree([{"segment": "A", "operator": "in_segment"}]))
    c = make(ctx, "C", "static", tree([{"segment": b.id, "operator": "not_in_segment"}]))
    assert members(b) == set(people[:3])
    before = dump()
    for target, ref in [(a, "C"), (a, "B"), (a, "A"), (c, c.id)]:
        with pytest.raises(InvalidFilter, match=f"would make '{target.name}' depend on itself"):
            segments.update_filters(ctx, target.id, tree([{"segment": ref, "operator": "in_segment"}]))
    with pytest.raises(InvalidFilter, match="depend on itself"):
        segments.preview_filters(ctx, a.id, tree([{"segment": c.id, "operator": "in_segment"}]))
    assert dump() == before
    # no cycle: C may use A directly as well
    segments.update_filters(ctx, c.id, tree([{"segment": a.id, "operator": "in_segment"}, {"segment": b.id, "operator": "in_segment"}]))
    assert {d.depends_on_id for d in SegmentDependency.select().where(SegmentDependency.segment == c.id)} == {a.id, b.id}


def test_update_filters_refusals_change_nothing(ctx, people):
    a = make(ctx, "A", "active", region_is("Bretagne"))
    before = dump()
    with pytest.raises(InvalidFilter, match="An active segment needs at least one filter"):
        segments.update_filters(ctx, a.id, {"groups": []})
    with pytest.raises(InvalidFilter, match="unknown property 'colour'"):
        segments.update_filters(ctx, a.id, tree([f("colour", "is_known")]))
    with pytest.raises(StaleSegment):
        segments.update_filters(ctx, a.id, region_is("Normandie"), expected_version=7)
    assert dump() == before
    updated, diff = segments.update_filters(ctx, a.id, region_is("Normandie"), expected_version=1)
    assert (diff.added, diff.removed, updated.size, updated.version) == (2, 3, 2, 2)
    assert members(a) == set(people[3:5])


def test_read_only_refuses_every_mutation(ctx, people, clock, tmp_path):
    active = make(ctx, "Active", "active", region_is("Bretagne"))
    static = make(ctx, "Static", "static", region_is("Normandie"))
    gone = make(ctx, "Gone", "static")
    segments.delete(ctx, gone.id)
    conversions.set_schedule(ctx, active.id, Schedule(AFTER_INACTIVITY, amount=1, unit="days"))
    Segment.update(next_refresh_at=pendulum.datetime(2026, 11, 1, tz="UTC")).where(Segment.id == active.id).execute()
    clock.advance(days=3)  # the conversion is due and the refresh stale
    ro = replace(ctx, read_only=True)
    acts = {
        "create": lambda: segments.create(ro, "New", "contacts", "static"),
        "rename": lambda: segments.rename(ro, active.id, "Renamed"),
        "update_filters": lambda: segments.update_filters(ro, active.id, region_is("Normandie")),
        "clone": lambda: segments.clone(ro, active.id),
        "delete": lambda: segments.delete(ro, static.id),
        "restore": lambda: segments.restore(ro, gone.id),
        "add_records": lambda: membership.add_records(ro, static.id, [people[0]]),
        "remove_records": lambda: membership.remove_records(ro, static.id, [people[3]]),
        "refresh": lambda: membership.refresh(ro, active.id),
        "convert_to_static": lambda: conversions.convert_to_static(ro, active.id),
        "convert_to_active": lambda: conversions.convert_to_active(ro, static.id),
        "set_schedule": lambda: conversions.set_schedule(ro, active.id, Schedule()),
        "apply_due": lambda: conversions.apply_due(ro),
        "import_csv": lambda: records.import_csv(ro, "contacts", "email,region\nnew@example.org,Bretagne\n"),
        "set_property": lambda: records.set_property(ro, "contacts", people[0], "region", "Occitanie"),
    }
    before = dump()
    for what, act in acts.items():
        with pytest.raises(ReadOnly, match="This console is read-only") as caught:
            act()
        assert caught.value.exit_code == 2, what
        assert dump() == before, what
    # the worker in a read-only console leaves the database alone
    result = worker.tick(ro, me="reader")
    assert (result.applied, result.refreshed, result.failed) == ([], [], [])
    assert dump() == before
    assert Contact.select().count() == len(people)
