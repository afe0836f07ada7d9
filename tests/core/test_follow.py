"""Segments follow their records: a change re-evaluates the changed records against the
active segments that read a changed property, and their dependants, in its transaction."""

from __future__ import annotations

import json
import random
from dataclasses import replace

import pendulum
import pytest

from segtui import worker
from segtui.core import check, filters, follow, membership, property_admin, records, segments
from segtui.core.errors import InvalidInput, RecordNotFound
from segtui.core.models import Contact, Membership, MembershipLog, SegmentRead, database_proxy
from segtui.core.schedule import AFTER_INACTIVITY, Schedule
from segtui.core import conversions

from core_helpers import add_contacts, audit_actions, dump, f, inconsistencies, log_rows, make, members, region_is, reload, tree


@pytest.fixture
def people(database):
    return add_contacts(
        {"region": "Bretagne", "events_attended": 3},
        {"region": "Bretagne", "events_attended": 0},
        {"region": "Normandie", "events_attended": 5},
        {"region": "Alsace"},
    )


def test_dependants_follow_in_dependency_order_in_the_same_transaction(ctx, clock, people):
    vip = make(ctx, "VIP", "static")
    membership.add_records(ctx, vip.id, [people[0]])
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    keen = make(ctx, "Keen Bretons", "active", tree([{"segment": bretons.id, "operator": "in_segment"},
                                                     f("events_attended", "gte", value=1)]))
    not_keen = make(ctx, "Not keen", "active", tree([{"segment": keen.id, "operator": "not_in_segment"}]))
    not_vip = make(ctx, "Keen not VIP", "active", tree([{"segment": keen.id, "operator": "in_segment"},
                                                        {"segment": vip.id, "operator": "not_in_segment"}]))
    assert members(keen) == {people[0]} and members(not_vip) == set()
    assert members(not_keen) == {people[1], people[2], people[3]}
    clock.advance(minutes=3)
    _, done = records.set_properties(replace(ctx, actor="bob"), "contacts", people[2], {"region": "bretagne"})
    assert members(bretons) == {people[0], people[1], people[2]}
    assert members(keen) == {people[0], people[2]}
    assert members(not_keen) == {people[1], people[3]}
    assert members(not_vip) == {people[2]}
    assert done.joined == {bretons.id: [people[2]], keen.id: [people[2]], not_vip.id: [people[2]]}
    assert done.left == {not_keen.id: [people[2]]}
    assert done.sentence(people[2]) == "Joined 'Bretons', 'Keen Bretons', 'Keen not VIP'; left 'Not keen'."
    assert log_rows(bretons)[-1] == (people[2], "added", "region changed")
    assert log_rows(keen)[-1] == (people[2], "added", "region changed, via 'Bretons'")
    assert log_rows(not_keen)[-1] == (people[2], "removed", "region changed, via 'Keen Bretons'")
    # no full refresh owed, nothing for the worker
    assert {(reload(s).stale, reload(s).next_refresh_at) for s in (bretons, keen, not_keen, not_vip)} == {(False, None)}
    assert worker.tick(ctx, me="w").refreshed == []
    assert [reload(s).size for s in (bretons, keen, not_keen, not_vip)] == [3, 2, 2, 1]
    assert inconsistencies() == []


def test_only_segments_reading_a_changed_property_are_evaluated(ctx, clock, people):
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    keen = make(ctx, "Keen", "active", tree([f("events_attended", "gte", value=1)]))
    frozen = make(ctx, "Frozen", "static", region_is("Bretagne"))
    gone = make(ctx, "Gone", "active", region_is("Alsace"))
    segments.delete(ctx, gone.id)
    _, done = records.set_properties(ctx, "contacts", people[3], {"region": "Bretagne"})
    assert done.evaluated == 1 and done.joined == {bretons.id: [people[3]]}
    assert members(frozen) == {people[0], people[1]} and members(gone) == {people[3]}
    # the same value again: nothing changed, nothing evaluated
    _, done = records.set_properties(ctx, "contacts", people[3], {"region": "Bretagne"})
    assert (done.evaluated, done.changed, done.sentence(people[3])) == (0, False, "No segment membership changed.")
    # the index follows filter edits
    segments.update_filters(ctx, keen.id, tree([f("city", "is_known")]))
    assert {(r.property, r.segment_id) for r in SegmentRead.select()} >= {("city", keen.id), ("region", bretons.id)}
    assert ("events_attended", keen.id) not in {(r.property, r.segment_id) for r in SegmentRead.select()}
    _, done = records.set_properties(ctx, "contacts", people[3], {"events_attended": "9", "city": "Brest"})
    assert done.evaluated == 1 and done.joined == {keen.id: [people[3]]}
    assert log_rows(keen)[-1] == (people[3], "added", "city changed")  # what it reads, not all that changed


def test_several_properties_at_once_or_nothing(ctx, people):
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    before = dump()
    with pytest.raises(InvalidInput, match="Events attended must be a number"):
        records.set_properties(ctx, "contacts", people[3], {"region": "Bretagne", "events_attended": "many"})
    with pytest.raises(InvalidInput, match="Name at least one property"):
        records.set_properties(ctx, "contacts", people[3], {})
    assert dump() == before
    record, _ = records.set_properties(ctx, "contacts", people[3], {"region": "Bretagne", "events_attended": "2"})
    assert (record.region, record.events_attended) == ("Bretagne", 2) and people[3] in members(bretons)


def test_the_inactivity_clock_moves_with_incremental_changes_only_when_membership_changes(ctx, clock, people):
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    conversions.set_schedule(ctx, bretons.id, Schedule(AFTER_INACTIVITY, amount=2, unit="days"))
    first_due = reload(bretons).due_at
    clock.advance(hours=5)
    records.set_properties(ctx, "contacts", people[2], {"events_attended": "1"})  # not read: nothing moves
    assert reload(bretons).due_at == first_due
    records.set_properties(ctx, "contacts", people[2], {"region": "Bretagne"})
    row = reload(bretons)
    assert row.last_activity_at == clock.now() and row.due_at == clock.now().add(days=2)


def test_one_change_moves_every_inactivity_clock_by_its_own_period_and_time_zone(ctx, clock, people):
    weekly = make(ctx, "Bretons weekly", "active", region_is("Bretagne"))
    monthly = make(ctx, "Bretons monthly", "active", region_is("Bretagne"))
    unclocked = make(ctx, "Bretons", "active", region_is("Bretagne"))
    conversions.set_schedule(ctx, weekly.id, Schedule(AFTER_INACTIVITY, amount=3, unit="weeks"))
    conversions.set_schedule(replace(ctx, tz="Pacific/Auckland"), monthly.id,
                             Schedule(AFTER_INACTIVITY, amount=1, unit="months"))
    # 30 March 2027, 13:00 in Paris, is midnight of 31 March in Auckland: a month later there
    # is midnight of 30 April, after its summer time ended (29 April, 12:00 UTC)
    clock.set(pendulum.datetime(2027, 3, 30, 11, tz="UTC"))
    _, done = records.set_properties(ctx, "contacts", people[3], {"region": "Bretagne"})
    assert set(done.joined) == {weekly.id, monthly.id, unclocked.id}
    now = clock.now()
    assert reload(weekly).due_at == now.add(weeks=3)
    # a month later in Auckland's calendar, whatever the account's time zone
    assert reload(monthly).due_at == pendulum.datetime(2027, 4, 29, 12, tz="UTC")
    assert reload(unclocked).due_at is None
    assert {(reload(s).size, reload(s).last_activity_at) for s in (weekly, monthly, unclocked)} == {(3, now)}


def test_reasons_and_actors_are_logged_as_written_whatever_their_characters(ctx, people):
    # PostgreSQL receives the log by COPY, whose text format gives a backslash, a tab and "\\N"
    # (its null) a meaning of their own
    vip = make(ctx, "R&D \\ EMEA \\N", "static")
    vip_keen = make(ctx, "VIP keen", "active", tree([{"segment": vip.id, "operator": "in_segment"}]))
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    start = MembershipLog.select(MembershipLog.id).order_by(MembershipLog.id.desc()).scalar()
    membership.add_records(replace(ctx, actor="\\N"), vip.id, [people[2]])
    records.set_properties(replace(ctx, actor="CORP\\bob\t(night)\r\n"), "contacts", people[3], {"region": "Bretagne"})
    joined = MembershipLog.select().where(MembershipLog.segment.in_([vip_keen.id, bretons.id])
                                          & (MembershipLog.id > start)).order_by(MembershipLog.id)
    assert [(r.segment_id, r.record_id, r.actor, r.reason) for r in joined] == [
        (vip_keen.id, people[2], "\\N", f"added to {vip.name!r}"),
        (bretons.id, people[3], "CORP\\bob\t(night)\r\n", "region changed"),
    ]
    assert members(vip_keen) == {people[2]} and people[3] in members(bretons)


def test_a_value_in_copy_text_format():
    assert [follow._copy_field(v) for v in (None, 7, "a\\b\tc\nd\re", "\\N")] == ["\\N", "7", "a\\\\b\\tc\\nd\\re", "\\\\N"]


def test_records_added_to_or_removed_from_a_static_segment_by_hand_carry_its_dependants_along(ctx, clock, people):
    vip = make(ctx, "VIP", "static")
    vip_bretons = make(ctx, "VIP Bretons", "active", tree([{"segment": vip.id, "operator": "in_segment"},
                                                           f("region", "is_any_of", values=["Bretagne"])]))
    not_those = make(ctx, "Not VIP Bretons", "active", tree([{"segment": vip_bretons.id, "operator": "not_in_segment"}]))
    membership.add_records(replace(ctx, actor="bob"), vip.id, [people[0], people[3]])
    # in the same transaction, no full refresh owed, nothing for the worker
    assert members(vip_bretons) == {people[0]} and members(not_those) == {people[1], people[2], people[3]}
    assert (reload(vip_bretons).stale, reload(vip_bretons).next_refresh_at) == (False, None)
    assert log_rows(vip_bretons)[-1] == (people[0], "added", "added to 'VIP'")
    assert log_rows(not_those)[-1] == (people[0], "removed", "added to 'VIP', via 'VIP Bretons'")
    records.set_properties(ctx, "contacts", people[3], {"region": "Bretagne"})
    assert members(vip_bretons) == {people[0], people[3]}
    membership.remove_records(ctx, vip.id, [people[0], people[1]])
    assert members(vip_bretons) == {people[3]} and log_rows(vip_bretons)[-1] == (people[0], "removed", "removed from 'VIP'")
    assert members(not_those) == {people[0], people[1], people[2]}
    # an import into the static segment too
    records.import_csv(ctx, "contacts", "email,region\nc1@example.org,Bretagne\n", segment_id=vip.id)
    assert log_rows(vip_bretons)[-1] == (people[0], "added", "imported into 'VIP'")
    assert worker.tick(ctx, me="w").refreshed == []
    assert inconsistencies() == []


def test_beyond_so_many_records_by_hand_the_dependants_are_owed_a_full_refresh(ctx, people, monkeypatch):
    vip = make(ctx, "VIP", "static")
    vip_bretons = make(ctx, "VIP Bretons", "active", tree([{"segment": vip.id, "operator": "in_segment"},
                                                           f("region", "is_any_of", values=["Bretagne"])]))
    monkeypatch.setattr(follow, "FOLLOW_AT_MOST", 1)
    membership.add_records(ctx, vip.id, [people[0], people[2]])
    assert members(vip_bretons) == set() and reload(vip_bretons).stale is True
    records.set_properties(ctx, "contacts", people[2], {"region": "Bretagne"})  # still follows the record
    assert members(vip_bretons) == {people[2]}
    worker.tick(ctx, me="w")
    assert members(vip_bretons) == {people[0], people[2]} and reload(vip_bretons).stale is False
    assert inconsistencies() == []


def test_relative_dates_roll_over_at_midnight_evaluating_only_the_crossing_records(ctx, clock, database):
    today = pendulum.date(2026, 11, 26)
    days_ago = [0, 5, 29, 30, 31, 45, 200, None]
    ids = add_contacts(*({"last_activity_date": today.subtract(days=n) if n is not None else None}
                         for n in days_ago))
    recent = make(ctx, "Recent", "active", tree([f("last_activity_date", "less_than_days_ago", value=30)]))
    assert members(recent) == set(ids[:3])  # 0, 5 and 29 days ago (30 is not "less than")
    row = reload(recent)
    assert row.dates_as_of == today and row.next_refresh_at == pendulum.datetime(2026, 11, 26, 23, tz="UTC")
    # at the account's midnight (Paris) the 29-days-ago record leaves
    clock.advance(hours=14)
    # the records a boundary passed over (29 days ago), not the table
    assert [i for (i,) in follow.crossing(membership.store.tree(row), "contacts", today,
                                          today.add(days=1)).tuples()] == [ids[2]]
    result = worker.tick(ctx, me="w")
    assert [(sid, d) for sid, d in result.refreshed] == [(recent.id, membership.Diff(0, 1))]
    assert members(recent) == set(ids[:2])
    assert log_rows(recent)[-1] == (ids[2], "removed", "dates moved on")
    row = reload(recent)
    assert row.dates_as_of == today.add(days=1) and row.next_refresh_at == pendulum.datetime(2026, 11, 27, 23, tz="UTC")
    # a week without a worker, and a record edited meanwhile (evaluated for the segment's day)
    clock.advance(days=7)
    records.set_properties(ctx, "contacts", ids[7], {"last_activity_date": "2026-11-26"})
    assert ids[7] in members(recent)
    worker.tick(ctx, me="w")
    full = set(Contact.select(Contact.id).where(
        Contact.last_activity_date > "2026-11-03").tuples().execute())  # 30 days before Dec 3
    assert members(recent) == {i for (i,) in full} == {ids[0], ids[1], ids[7]}
    assert membership.refresh(ctx, recent.id, full=True) == membership.Diff(0, 0)
    assert inconsistencies() == []


@pytest.mark.parametrize("kind", ["date", "datetime"])
def test_the_crossing_records_are_exactly_those_whose_match_changes_between_two_days(ctx, database, kind):
    """For every relative-date operator, forward by one or more days and backward: the rollover
    reads the records whose match differs between the two days, and no other."""
    today = pendulum.date(2026, 11, 26)
    if kind == "date":
        name = "last_activity_date"
        ids = add_contacts(*({"last_activity_date": today.add(days=d)} for d in range(-12, 13)), {})
    else:  # moments around the account's local midnights (Paris: 23:00 UTC), every 5 hours
        property_admin.create(ctx, "contacts", "Last seen", "datetime")
        name = "last_seen"
        ids = add_contacts(*({} for _ in range(24 * 25 // 5 + 1)))
        start = pendulum.datetime(2026, 11, 14, tz="Europe/Paris")
        for n, rid in enumerate(ids[:-1]):
            records.set_properties(ctx, "contacts", rid, {name: start.add(hours=5 * n).format("YYYY-MM-DD HH:mm")})

    def matching(t, day) -> set[int]:
        where = filters.compile_tree(t, "contacts", today=day, tz=ctx.tz)
        return {i for (i,) in Contact.select(Contact.id).where(where).tuples()}

    checked = 0
    for operator in sorted(filters.RELATIVE_DATE_OPERATORS):
        for n in (1, 3, 7):
            t = tree([f(name, operator, value=n)])
            for old, new in ((today, today.add(days=1)), (today, today.add(days=3)), (today.add(days=2), today)):
                low, high = sorted((old, new))
                days = [low.add(days=d) for d in range((high - low).days + 1)]
                # the records whose match changes on some day between the two: over several
                # days one may enter and leave again, and must be read all the same
                moved = set().union(*(matching(t, a) ^ matching(t, b) for a, b in zip(days, days[1:])))
                crossed = {i for (i,) in follow.crossing(t, "contacts", old, new, tz=ctx.tz).tuples()}
                assert crossed == moved, (operator, n, old, new)
                assert matching(t, old) ^ matching(t, new) <= crossed
                checked += bool(moved)
    assert checked == 4 * 3 * 3  # every case moved some record


def test_the_worker_rolls_its_relative_date_segments_over_together_reading_the_crossing_records_once(
        ctx, clock, database, monkeypatch):
    today = pendulum.date(2026, 11, 26)
    ids = add_contacts(*({"last_activity_date": today.subtract(days=n), "region": region}
                         for n in (0, 6, 7, 13, 14, 29, 30, 45) for region in ("Bretagne", "Alsace")))
    recent = {(region, n): make(ctx, f"Recent {region} {n}", "active", tree([
        f("region", "is_any_of", values=[region]), f("last_activity_date", "less_than_days_ago", value=n)]))
        for region in ("Bretagne", "Alsace") for n in (7, 14, 30)}
    lapsed = make(ctx, "Lapsed Bretons", "active", tree([
        {"segment": recent["Bretagne", 7].id, "operator": "not_in_segment"}, f("region", "is_any_of", values=["Bretagne"])]))
    owed = recent["Alsace", 30]
    membership.owe_full_refresh(ctx, [owed.id])  # owed a full refresh: refreshed on its own
    before = {key: members(s) for key, s in recent.items()}
    captured = []
    original = database_proxy.obj.execute_sql

    def capture(sql, params=None, *args, **kwargs):
        captured.append(sql)
        return original(sql, params, *args, **kwargs)

    monkeypatch.setattr(database_proxy.obj, "execute_sql", capture)
    clock.advance(hours=14)  # the account's midnight
    result = worker.tick(ctx, me="w")
    monkeypatch.undo()
    assert sorted(sid for sid, _ in result.refreshed) == sorted(s.id for s in recent.values())
    # one range read per distinct boundary set (7, 14 and 30 days), shared by the two regions
    ranges = [sql for sql in captured if sql.startswith("SELECT") and "last_activity_date" in sql and "lower" not in sql.lower()]
    assert len(ranges) == 3, ranges
    changed = {}
    for key, segment in recent.items():
        expected = {i for (i,) in Contact.select(Contact.id).where(filters.compile_tree(
            json.loads(reload(segment).filters), "contacts", today=today.add(days=1), tz=ctx.tz)).tuples()}
        assert members(segment) == expected, key
        row = reload(segment)
        assert (row.dates_as_of, row.stale, row.claimed_by) == (today.add(days=1), False, None)
        if segment.id != owed.id:
            changed[key] = dict(result.refreshed)[segment.id]
            assert changed[key] == membership.Diff(len(expected - before[key]), len(before[key] - expected))
    # the 6, 13 and 29 days old left their segment, nobody joined: the day moved on, no record did
    assert changed[("Bretagne", 7)] == membership.Diff(0, 1) and log_rows(recent["Bretagne", 7])[-1] == (
        ids[2], "removed", "dates moved on")
    # and the dependant followed in the same transaction, with the reason it has always had
    assert ids[2] in members(lapsed)
    assert log_rows(lapsed)[-1] == (ids[2], "added", "dates moved on, via 'Recent Bretagne 7'")
    report = check.check(ctx)
    assert report.pending == [] and report.drifts == []
    assert inconsistencies() == []


def test_the_log_reason_reads_as_the_record_page_shows_it(ctx, people):
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    records.set_properties(replace(ctx, actor="bob"), "contacts", people[2], {"region": "Bretagne"})
    (belonging,) = records.memberships_of("contacts", people[2])
    assert (belonging.segment.id, belonging.source, belonging.reason, belonging.actor) == (
        bretons.id, "filter", "region changed", "bob")
    assert MembershipLog.select().where(MembershipLog.record_id == people[2]).count() == 1


def test_an_import_evaluates_each_record_only_against_the_segments_reading_what_it_changed(ctx, people, monkeypatch):
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    keen = make(ctx, "Keen", "active", tree([f("events_attended", "gte", value=1)]))
    both = make(ctx, "Keen Bretons", "active", tree([f("events_attended", "gte", value=1), f("region", "is_known")]))
    evaluated = []
    real = follow._matching

    def spy(object_type, segments, ids, days, tz, scopes):
        evaluated.append(({s.name for s in segments}, sorted(ids)))
        return real(object_type, segments, ids, days, tz, scopes)

    monkeypatch.setattr(follow, "_matching", spy)
    text = ("email,region,events_attended\n"
            "c1@example.org,Bretagne,3\n"  # both as they were: evaluated against nothing
            "c2@example.org,,4\n"  # an empty cell keeps the region: events_attended changed
            "c3@example.org,Bretagne,5\n"  # region changed only
            "c9@example.org,Bretagne,1\n")  # new: against every active segment
    report = records.import_csv(replace(ctx, actor="bob"), "contacts", text)
    new = records.find_record("contacts", "c9@example.org").id
    assert evaluated == [({"Keen", "Keen Bretons"}, [people[1]]), ({"Bretons", "Keen Bretons"}, [people[2]]),
                         ({"Bretons", "Keen", "Keen Bretons"}, [new])]
    assert report.followed.joined == {bretons.id: [people[2], new], keen.id: [people[1], new],
                                      both.id: [people[1], new]}
    assert log_rows(keen)[-2:] == [(people[1], "added", "import: events_attended changed"),
                                   (new, "added", "import: new record")]
    assert inconsistencies() == []


def test_a_deleted_record_leaves_every_segment_that_held_it_and_the_dependants_follow(ctx, clock, people):
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    vip = make(ctx, "VIP", "static")
    membership.add_records(ctx, vip.id, [people[0], people[2]])
    vip_or_bretons = make(ctx, "Not VIP Bretons", "active", tree([{"segment": bretons.id, "operator": "in_segment"},
                                                                  {"segment": vip.id, "operator": "not_in_segment"}]))
    old = make(ctx, "Old Bretons", "active", region_is("Bretagne"))
    segments.delete(ctx, old.id)  # deleted, and restorable: it must not hold a record that is gone
    clock.advance(minutes=2)
    done = records.delete_record(replace(ctx, actor="bob"), "contacts", people[0])
    assert done.left == {bretons.id: [people[0]], vip.id: [people[0]], old.id: [people[0]]}
    assert done.sentence(people[0]) == "Left 'Bretons', 'VIP', 'Old Bretons'."
    assert members(bretons) == {people[1]} and members(vip) == {people[2]} and members(old) == {people[1]}
    assert [reload(s).size for s in (bretons, vip, old)] == [1, 1, 1]
    assert log_rows(vip)[-1] == (people[0], "removed", "record deleted")
    assert reload(vip).last_activity_at == clock.now()
    assert Contact.get_or_none(Contact.id == people[0]) is None
    # a dependant that held it through another segment: it goes too, through the evaluation
    done = records.delete_record(ctx, "contacts", people[1])
    assert done.left == {bretons.id: [people[1]], vip_or_bretons.id: [people[1]], old.id: [people[1]]}
    assert members(vip_or_bretons) == set()
    segments.restore(ctx, old.id)
    assert members(old) == set() and reload(old).size == 0
    assert worker.tick(ctx, me="w").refreshed == [(old.id, membership.Diff(0, 0))]  # the restore's refresh
    assert inconsistencies() == []
    with pytest.raises(RecordNotFound, match="No contact with id 2"):
        records.delete_record(ctx, "contacts", people[1])
    assert audit_actions().count("delete_record") == 2


@pytest.mark.parametrize("seed", [4, 5])
def test_a_family_of_segments_differing_only_by_their_values_is_evaluated_by_one_join(ctx, clock, database, seed,
                                                                                      monkeypatch):
    """Segments "region is any of X and lifecycle stage is any of Y and ..." (one group, one
    value each) are evaluated together by a join with their values; the result is what each
    segment's own filters select (text compared without case, as a full refresh does)."""
    rng = random.Random(seed)
    regions = ["Bretagne", "BRETAGNE", "normandie", "Île-de-France", ""]
    stages = ["lead", "customer", None]
    day = ctx.today()

    def row():
        return {"region": rng.choice(regions) or None, "lifecycle_stage": rng.choice(stages),
                "events_attended": rng.choice([1, 2, None]),
                "city": rng.choice(["Brest", "brive", "Rennes", "Caen", "B%rk", None]),
                "created_date": rng.choice([day, day.subtract(days=1), None])}

    ids = add_contacts(*(row() for _ in range(40)))
    for n in range(10):
        make(ctx, f"F{n}", "active", tree([
            f("region", "is_any_of", values=[rng.choice(regions[:4])]),
            f("lifecycle_stage", "is_any_of", values=[rng.choice(stages[:2])]),
            f("events_attended", "eq", value=rng.choice([1, 2])),
            f("created_date", "on", value=rng.choice([day, day.subtract(days=1)]).isoformat()),
            f("city", "is_known")]))
    for n in range(8):
        make(ctx, f"P{n}", "active", tree([f("city", "starts_with", value=rng.choice(["br", "BR", "re", "b%"])),
                                           f("region", "is_known")]))
    calls, found = [], {}
    real = follow._match_family

    def spy(object_type, key, members, ids, out):
        calls.append(len(members))
        real(object_type, key, members, ids, out)
        for segment, _ in members:
            found[segment.name[0]] = found.get(segment.name[0], 0) + len(out[segment.id])

    monkeypatch.setattr(follow, "_match_family", spy)
    monkeypatch.setattr(follow, "FAMILY_PER_QUERY", 6)  # the family of 10 in two queries
    for _ in range(30):
        record = rng.choice(ids)
        values = {k: ("" if v is None else str(v)) for k, v in row().items()}
        records.set_properties(ctx, "contacts", record, dict(rng.sample(sorted(values.items()), 2)))
    lines = ["email,region,events_attended"] + [f"c{i}@example.org,{rng.choice(regions[:4])},{rng.randint(1, 2)}"
                                                for i in rng.sample(ids, 15)]
    records.import_csv(ctx, "contacts", "\n".join(lines) + "\n")
    assert set(calls) == {6, 4, 2}  # 10 = 6 + 4 members, 8 = 6 + 2
    report = check.check(ctx)
    assert (report.pending, report.drifts) == ([], [])
    assert found["F"] > 0 and found["P"] > 0  # records matched through both joins
    assert inconsistencies() == []


def test_the_rollover_is_a_diff_among_the_crossing_records_and_carries_the_dependants(ctx, clock, database,
                                                                                     monkeypatch):
    today = pendulum.date(2026, 11, 26)
    ids = add_contacts(*({"last_activity_date": today.subtract(days=n), "region": region}
                         for n, region in [(0, "Bretagne"), (29, "Bretagne"), (29, "Alsace"), (60, "Bretagne")]))
    recent = make(ctx, "Recent", "active", tree([f("last_activity_date", "less_than_days_ago", value=30)]))
    lapsed = make(ctx, "Lapsed Bretons", "active", tree([{"segment": recent.id, "operator": "not_in_segment"},
                                                         f("region", "is_any_of", values=["Bretagne"])]))
    assert members(lapsed) == {ids[3]}
    # drift behind the engine's back on a record far from any boundary: a rollover does not
    # read it (a full refresh would), which shows that only the crossing records are diffed
    Contact.update(last_activity_date=today.subtract(days=100)).where(Contact.id == ids[0]).execute()
    clock.advance(hours=14)  # the account's midnight
    worker.tick(ctx, me="w")
    assert members(recent) == {ids[0]}  # ids[1] and ids[2] crossed; ids[0] was not looked at
    assert members(lapsed) == {ids[1], ids[3]}  # followed at once, no full refresh owed
    assert reload(lapsed).stale is False and log_rows(lapsed)[-1] == (ids[1], "added", "dates moved on, via 'Recent'")
    assert log_rows(recent)[-2:] == [(ids[1], "removed", "dates moved on"), (ids[2], "removed", "dates moved on")]


def test_segments_rolled_over_together_are_each_evaluated_for_the_records_crossing_their_own_boundaries(
        ctx, clock, database):
    today = pendulum.date(2026, 11, 26)
    ids = add_contacts(*({"last_activity_date": today.subtract(days=n)} for n in (0, 6, 29, 60)))
    month = make(ctx, "This month", "active", tree([f("last_activity_date", "less_than_days_ago", value=30)]))
    week = make(ctx, "This week", "active", tree([f("last_activity_date", "less_than_days_ago", value=7)]))
    assert (members(month), members(week)) == ({ids[0], ids[1], ids[2]}, {ids[0], ids[1]})
    # drift behind the engine's back: the 29-day-old record in "This week". Its date crosses a
    # boundary of "This month" tonight, none of "This week": read for the one, not the other
    Membership.insert(segment=week.id, record_id=ids[2], source="filter", joined_at=clock.now()).execute()
    clock.advance(hours=14)  # the account's midnight
    result = worker.tick(ctx, me="w")
    assert sorted(sid for sid, _ in result.refreshed) == sorted([month.id, week.id])
    assert members(month) == {ids[0], ids[1]}  # 29 days became 30
    assert members(week) == {ids[0], ids[2]}  # 6 days became 7; the drift was not looked at
    assert log_rows(week)[-1] == (ids[1], "removed", "dates moved on")
    assert membership.refresh(ctx, week.id, full=True) == membership.Diff(0, 1)  # as a repair finds it


@pytest.mark.postgres_only
def test_two_edits_of_one_record_at_once_leave_it_where_its_last_values_say(ctx, monkeypatch):
    """A moves the record out of Bretagne and is paused before committing; B moves it back.
    B must compare against A's committed value: read without a lock, B saw "Bretagne" before
    A's commit, took its edit for no change, and the record stayed out of the segment."""
    import threading

    from segtui.core.models import database_proxy

    (record,) = add_contacts({"region": "Bretagne"})
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    assert members(bretons) == {record}
    paused, release = threading.Event(), threading.Event()
    following = follow.records_changed

    def records_changed_pausing_a(*args, **kwargs):
        done = following(*args, **kwargs)
        if threading.current_thread().name == "A":  # written, followed, not committed
            paused.set()
            release.wait(30)
        return done

    monkeypatch.setattr(follow, "records_changed", records_changed_pausing_a)
    errors = []

    def edit(region: str) -> None:
        try:
            records.set_properties(ctx, "contacts", record, {"region": region})
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            database_proxy.close()

    a = threading.Thread(target=edit, args=("Normandie",), name="A", daemon=True)
    a.start()
    assert paused.wait(30)
    b = threading.Thread(target=edit, args=("Bretagne",), name="B", daemon=True)
    b.start()
    waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
    for _ in range(300):  # B reached the record's row lock (either its read or its write)
        if database_proxy.execute_sql(waiting).fetchone()[0]:
            break
        b.join(0.05)
    release.set()
    a.join(30)
    b.join(30)
    assert errors == []
    assert Contact.get_by_id(record).region == "Bretagne"
    assert members(bretons) == {record}
    assert check.check(ctx).drifts == []
