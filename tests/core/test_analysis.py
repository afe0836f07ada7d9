"""Overlap, usage and unused segments, upcoming conversions, folders and descriptions, and
why a record is in a segment."""

from __future__ import annotations

from dataclasses import replace

import pendulum
import pytest

from segtui.core import conversions, folders, membership, overlap, records, segments, upcoming, usage, why
from segtui.core.errors import InvalidInput, InvalidName, SegmentNotFound, StaleSegment
from segtui.core.schedule import AFTER_INACTIVITY, ON_DAY, Schedule

from core_helpers import dump, f, make, members, region_is, regions, reload, tree

D = pendulum.Date


def static_with(ctx, name, ids):
    segment = make(ctx, name, "static")
    membership.add_records(ctx, segment.id, ids)
    return segment


# ------------------------------------------------------------------ overlap


@pytest.fixture
def three(ctx):
    ids = regions(*["x"] * 10)
    a = static_with(ctx, "A", ids[0:6])  # 1-6
    b = static_with(ctx, "B", ids[3:9])  # 4-9
    c = static_with(ctx, "C", [ids[0], ids[4], ids[8], ids[9]])
    return ids, a, b, c


def brute(sets: list[set[int]]) -> dict[int, int]:
    everyone = set().union(*sets)
    out = {}
    for rid in everyone:
        mask = sum(1 << i for i, s in enumerate(sets) if rid in s)
        out[mask] = out.get(mask, 0) + 1
    return {m: out.get(m, 0) for m in range(1, 1 << len(sets))}


def test_overlap_of_two_and_three_segments(ctx, three):
    ids, a, b, c = three
    two = overlap.overlap([a.id, "B"])
    assert two.sizes == [6, 6] and two.regions == {1: 3, 2: 3, 3: 3} and two.union == 9
    assert two.label(1) == "only A" and two.label(3) == "in both"
    trio = overlap.overlap([a.id, b.id, c.id])
    assert trio.regions == brute([members(a), members(b), members(c)])
    assert trio.label(5) == "A and C, not B" and trio.label(7) == "in all"
    assert sum(trio.regions.values()) == trio.union == 10


def test_overlap_refuses_what_cannot_overlap(ctx, three):
    ids, a, b, c = three
    company = make(ctx, "Firms", "static", object_type="companies")
    with pytest.raises(InvalidInput, match="two or three"):
        overlap.overlap([a.id])
    with pytest.raises(InvalidInput, match="two or three"):
        overlap.overlap([a.id, b.id, c.id, a.id])
    with pytest.raises(InvalidInput, match="different segments"):
        overlap.overlap([a.id, a.id])
    with pytest.raises(InvalidInput, match="different objects"):
        overlap.overlap([a.id, company.id])
    with pytest.raises(SegmentNotFound):
        overlap.overlap([a.id, "nope"])


def test_a_static_segment_from_a_region(ctx, three):
    ids, a, b, c = three
    made, added = overlap.create_from_region(ctx, [a.id, b.id, c.id], 0b011, "A and B not C")
    assert made.type == "static" and added == 2 and members(made) == {ids[3], ids[5]}
    assert reload(made).size == 2
    before = dump()
    with pytest.raises(InvalidName):
        overlap.create_from_region(ctx, [a.id, b.id], 1, "A and B not C")  # name taken: nothing made
    assert dump() == before


# ------------------------------------------------------------------ usage


def in_seg(segment) -> dict:
    return tree([{"segment": segment.id, "operator": "in_segment"}])


def test_usage_follows_chains_both_ways(ctx):
    regions("Bretagne", "Normandie")
    base = make(ctx, "Base", "active", region_is("Bretagne"))
    mid = make(ctx, "Mid", "active", in_seg(base))
    top = make(ctx, "Top", "active", in_seg(mid))
    found = usage.usage(base.id)
    assert [(u.segment.name, u.chain) for u in found.used_by] == [("Mid", ["Base", "Mid"]),
                                                                  ("Top", ["Base", "Mid", "Top"])]
    assert found.uses == []
    assert [(u.segment.name, u.depth) for u in usage.usage(top.id).uses] == [("Mid", 1), ("Base", 2)]


def test_unused_segments_and_bulk_delete(ctx, clock):
    regions("Bretagne")
    base = make(ctx, "Base", "active", region_is("Bretagne"))
    make(ctx, "User", "active", in_seg(base))
    idle = make(ctx, "Idle", "static")
    clock.advance(days=40)
    fresh = make(ctx, "Fresh", "static")
    assert [s.name for s in usage.unused(ctx, 30)] == ["User", "Idle"]  # Base is used; Fresh is new
    assert usage.unused(ctx, 41) == []
    for bad in (0, -1, 10**6, "30", True):
        with pytest.raises(InvalidInput, match="whole number"):
            usage.unused(ctx, bad)
    stale = reload(idle)
    segments.rename(ctx, idle.id, "Idle (renamed)")  # changed meanwhile: refused, not deleted
    result = usage.delete_many(ctx, [(s.id, s.version) for s in usage.unused(ctx, 30)] + [(stale.id, stale.version)])
    assert [s.name for s in result.deleted] == ["User"]
    assert result.refused and "changed by alice" in result.refused[0][1]
    assert reload(fresh).deleted_at is None and {s.name for s in segments.deleted(ctx)} == {"User"}


# ------------------------------------------------------------------ upcoming conversions


def test_upcoming_calendar(ctx, clock):
    regions("Bretagne", "Normandie")
    on_day = make(ctx, "On day", "active", region_is("Bretagne"))
    idle = make(ctx, "Idle", "active", region_is("Normandie"))
    late = make(ctx, "Later", "active", region_is("Bretagne"))
    conversions.set_schedule(ctx, on_day.id, Schedule(ON_DAY, day=D(2026, 12, 1)))
    conversions.set_schedule(ctx, idle.id, Schedule(AFTER_INACTIVITY, amount=2, unit="days"))
    conversions.set_schedule(ctx, late.id, Schedule(ON_DAY, day=D(2027, 3, 1)))
    cal = upcoming.calendar(ctx, 30)
    assert [(u.name, u.day, u.projected, u.overdue) for u in cal.upcoming] == [
        ("Idle", D(2026, 11, 28), True, False), ("On day", D(2026, 12, 1), False, False)]
    assert cal.upcoming[0].condition() == "if nothing changes (2 days idle)"
    assert cal.counts()[D(2026, 12, 1)] == 1 and cal.on(D(2026, 11, 28))[0].name == "Idle"
    # the worker missed a conversion: it is overdue, shown on today; once applied it is listed with due vs applied
    clock.advance(days=3)
    cal = upcoming.calendar(ctx, 30)
    assert (cal.upcoming[0].name, cal.upcoming[0].overdue, cal.upcoming[0].day) == ("Idle", True, ctx.today())
    clock.advance(hours=5)
    conversions.apply_due(ctx)
    cal = upcoming.calendar(ctx, 30)
    assert [a.name for a in cal.applied] == ["Idle"] and cal.applied[0].late == pendulum.duration(hours=29)
    for bad in (0, 367, "x"):
        with pytest.raises(InvalidInput, match="whole number"):
            upcoming.calendar(ctx, bad)


# ------------------------------------------------------------------ folders and descriptions


def test_nested_folders_move_and_list(ctx):
    regions("Bretagne")
    a = make(ctx, "A", "static")
    b = make(ctx, "B", "static")
    marketing = folders.create(ctx, "Marketing")
    events = folders.create(ctx, "Events", "Marketing")
    assert folders.get("marketing/EVENTS").id == events.id == folders.get(str(events.id)).id
    moved = folders.move(ctx, [(a.id, a.version), (b.id, None)], "Marketing/Events")
    assert len(moved) == 2 and reload(a).folder_id == events.id
    assert [r.path for r in folders.tree()] == ["Marketing", "Marketing/Events"]
    assert [r.segments for r in folders.tree()] == [0, 2]
    assert {s.name for s in segments.list_page(folder=marketing.id).rows} == {"A", "B"}
    assert segments.list_page(folder=events.id).total == 2
    folders.rename(ctx, "Marketing", "Growth")
    assert folders.path_of(events.id) == "Growth/Events"
    with pytest.raises(InvalidInput, match="holds 2 segment"):
        folders.delete(ctx, "Growth/Events")
    with pytest.raises(InvalidInput, match="holds 1 folder"):
        folders.delete(ctx, "Growth")
    folders.move(ctx, [(a.id, None), (b.id, None)], "/")
    folders.delete(ctx, "Growth/Events")
    folders.delete(ctx, "Growth")
    assert folders.tree() == []


def test_folder_bad_input_changes_nothing(ctx):
    a = make(ctx, "A", "static")
    folders.create(ctx, "Marketing")
    before = dump()
    for name, parent, match in (("", None, "needs a name"), ("a/b", None, "cannot contain"),
                                ("MARKETING", None, "already exists"), ("x", "Nope", "No folder"),
                                ("x\x00", None, "NUL")):
        with pytest.raises(InvalidInput, match=match):
            folders.create(ctx, name, parent)
    with pytest.raises(InvalidInput, match="No folder"):
        folders.move(ctx, [(a.id, None)], "Sales")
    stale = a.version
    segments.rename(ctx, a.id, "A2")
    before = dump()
    with pytest.raises(StaleSegment):
        folders.move(ctx, [(a.id, stale)], "Marketing")
    assert dump() == before


def test_descriptions(ctx):
    a = make(ctx, "A", "static")
    folders.describe(ctx, a.id, "  Hand-picked at the 2026 fair  ")
    assert reload(a).description == "Hand-picked at the 2026 fair"
    with pytest.raises(InvalidInput, match="at most 2,000"):
        folders.describe(ctx, a.id, "x" * 2001)
    with pytest.raises(StaleSegment):
        folders.describe(ctx, a.id, "other", expected_version=a.version)
    folders.describe(ctx, a.id, "")
    assert reload(a).description is None


# ------------------------------------------------------------------ why is this record here


def test_why_a_record_joined_and_left(ctx, clock):
    ids = regions("Normandie", "Bretagne")
    bretons = make(ctx, "Bretons", "active", tree([f("region", "is_any_of", values=["Bretagne"])],
                                                   [f("city", "is_any_of", values=["Brest"])]))
    vips = static_with(ctx, "VIPs", [ids[0]])
    clock.advance(hours=1)
    records.set_property(replace(ctx, actor="bob"), "contacts", ids[0], "region", "Bretagne")
    clock.advance(minutes=1)
    membership.refresh(replace(ctx, actor="worker"), bretons.id)
    clock.advance(hours=1)
    membership.remove_records(ctx, vips.id, [ids[0]])
    stays = why.stays(ctx, "contacts", ids[0])
    assert [(s.segment.name, s.current) for s in stays] == [("Bretons", True), ("VIPs", False)]
    joined = stays[0]
    assert joined.join_reason == "filter" and joined.matching_groups == [1]
    assert joined.edit.actor == "bob" and (joined.edit.before, joined.edit.after) == ("Normandie", "Bretagne")
    assert "region changed from 'Normandie' to 'Bretagne' by bob" in joined.join_sentence("UTC")
    assert joined.match_sentence().startswith("matches group 1: ")
    left = stays[1]
    assert (left.join_reason, left.join_actor, left.leave_reason, left.leave_actor) == ("manual", "alice", "manual", "alice")
    assert left.leave_sentence("UTC") == f"left {clock.now().format('YYYY-MM-DD HH:mm')}: removed by hand by alice"
    # the other record: a member since creation, no edit behind it
    other = why.stays(ctx, "contacts", ids[1])
    assert [(s.segment.name, s.edit) for s in other] == [("Bretons", None)]


def test_why_a_record_left_after_an_edit(ctx, clock):
    ids = regions("Bretagne")
    bretons = make(ctx, "Bretons", "active", tree([f("region", "is_any_of", values=["Bretagne"])]))
    clock.advance(hours=1)
    records.set_property(replace(ctx, actor="carol"), "contacts", ids[0], "region", "Normandie")
    [gone] = why.stays(ctx, "contacts", ids[0])
    assert (gone.segment.id, gone.current) == (bretons.id, False)
    assert (gone.leave_reason, gone.leave_cause, gone.leave_actor) == ("filter", "region changed", "carol")
    assert gone.leave_sentence("UTC") == (
        f"left {clock.now().format('YYYY-MM-DD HH:mm')}: it stopped matching the filters after region changed (by carol)")
    clock.advance(hours=1)
    records.set_property(replace(ctx, actor="dave"), "contacts", ids[0], "region", "Bretagne")
    [back] = why.stays(ctx, "contacts", ids[0])
    assert (back.current, back.join_reason, back.join_cause, back.join_actor) == (True, "filter", "region changed", "dave")
    assert back.edit.actor == "dave" and (back.edit.before, back.edit.after) == ("Normandie", "Bretagne")
    assert why.stay_json(back, "UTC")["join_cause"] == "region changed"
