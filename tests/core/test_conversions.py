"""Conversions: now (both ways, with previews), schedules, and the application of due ones."""

from __future__ import annotations

from dataclasses import replace

import json
import sqlite3
import threading

import pendulum
import pytest

from segtui import worker
from segtui.core import conversions, membership, records, segments
from segtui.core.db import write_transaction
from segtui.core.errors import ConversionNotAllowed, InvalidSchedule, MembershipNotAllowed, ReadOnly, StaleSegment
from segtui.core.membership import Diff
from segtui.core.models import AuditEntry, Contact, ConversionRecord, Membership, Segment, database_proxy
from segtui.core.schedule import AFTER_INACTIVITY, ON_DAY, Schedule

from core_helpers import conversions_of, dump, f, log_rows, make, members, region_is, regions, reload, tree

T0 = pendulum.datetime(2026, 11, 26, 9, 30, tz="UTC")
D = pendulum.date
TIMEOUT = 60  # a deadline against a hang, never a measure


@pytest.fixture
def people(database):
    """c1-c3 in Bretagne, c4-c5 in Normandie, c6 nowhere."""
    return regions("Bretagne", "Bretagne", "Bretagne", "Normandie", "Normandie", None)


def audit_of(action: str) -> list[AuditEntry]:
    return list(AuditEntry.select().where(AuditEntry.action == action).order_by(AuditEntry.id))


def test_convert_to_static_freezes_members_and_clears_the_schedule(ctx, clock, people):
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    conversions.set_schedule(ctx, segment.id, Schedule(AFTER_INACTIVITY, amount=30, unit="days"))
    assert conversions.preview_to_static(segment.id).sentence() == (
        "3 records will be kept and no longer updated automatically."
    )
    clock.advance(hours=1)
    bob = replace(ctx, actor="bob")
    record = conversions.convert_to_static(bob, segment.id, expected_version=reload(segment).version)
    assert (record.direction, record.trigger, json.loads(record.requested)) == ("to_static", "manual", {"mode": "now"})
    assert (record.due_at, record.converted_at, record.actor, record.size) == (None, clock.now(), "bob", 3)
    row = reload(segment)
    assert (row.type, row.schedule_mode, row.schedule_amount, row.schedule_unit, row.due_at) == ("static", "never", None, None, None)
    assert json.loads(row.filters) == region_is("Bretagne")  # kept, read-only, for a later conversion back
    (entry,) = audit_of("convert_to_static")
    assert (entry.actor, entry.segment_id, entry.at) == ("bob", segment.id, clock.now())
    assert json.loads(entry.before)["schedule"] == {"mode": "after_inactivity", "amount": 30, "unit": "days"}
    assert json.loads(entry.before)["type"] == "active"
    assert json.loads(entry.after) == {"type": "static", "size": 3, "schedule": {"mode": "never"}, "due_at": None}

    # from now on, record changes do nothing to it
    records.set_properties(ctx, "contacts", people[0], {"region": "Normandie"})
    records.set_properties(ctx, "contacts", people[5], {"region": "Bretagne"})
    records.import_csv(ctx, "contacts", "email,region\nc2@example.org,Occitanie\nnew@example.org,Bretagne\n")
    assert membership.refresh(ctx, segment.id) == Diff(0, 0)
    worker.tick(ctx, me="w1")
    assert members(segment) == set(people[:3])
    assert reload(segment).size == 3
    assert conversions.apply_due(ctx) == []
    # only manual changes now
    assert membership.add_records(ctx, segment.id, [people[5]]) == Diff(1, 0)


def test_convert_to_static_refused_when_already_static(ctx, people):
    segment = make(ctx, "S", "static")
    before = dump()
    with pytest.raises(ConversionNotAllowed, match="'S' is already static"):
        conversions.convert_to_static(ctx, segment.id)
    with pytest.raises(ConversionNotAllowed, match="'S' is already static"):
        conversions.preview_to_static(segment.id)
    assert dump() == before


@pytest.mark.parametrize("filters", [None, {"groups": []}])
def test_convert_to_active_refused_without_filters(ctx, people, filters):
    segment = make(ctx, "Hand-picked", "static", filters)
    membership.add_records(ctx, segment.id, people[:2])
    before = dump()
    message = (
        "Add at least one filter to 'Hand-picked' before converting it to active: "
        "an active segment's members are the records its filters select"
    )
    with pytest.raises(ConversionNotAllowed) as caught:
        conversions.preview_to_active(ctx, segment.id)
    assert str(caught.value) == message
    with pytest.raises(ConversionNotAllowed) as caught:
        conversions.convert_to_active(ctx, segment.id)
    assert str(caught.value) == message
    assert dump() == before


def test_convert_to_active_follows_the_filters_as_previewed(ctx, clock, people):
    # the article's example: contacts met at events, converted and given a Region filter
    segment = make(ctx, "Fundraising events", "static")
    membership.add_records(ctx, segment.id, [people[0], people[3], people[5]])
    segments.update_filters(ctx, segment.id, region_is("Bretagne"))
    assert members(segment) == {people[0], people[3], people[5]}  # static: filters only stored
    preview = conversions.preview_to_active(ctx, segment.id)
    assert (preview.added, preview.removed, preview.size_after) == (2, 2, 3)
    assert preview.sentence() == "+2 added, -2 removed (3 members after)."
    clock.advance(hours=1)
    record, diff = conversions.convert_to_active(ctx, segment.id)
    assert (diff.added, diff.removed) == (preview.added, preview.removed)
    assert members(segment) == set(people[:3])
    row = reload(segment)
    assert (row.type, row.size, row.last_activity_at, row.refreshed_at) == ("active", 3, clock.now(), clock.now())
    assert (record.direction, record.trigger, record.size, record.converted_at) == ("to_active", "manual", 3, clock.now())
    assert log_rows(segment)[3:] == [(people[3], "removed", "conversion"), (people[5], "removed", "conversion"),
                                     (people[1], "added", "conversion"), (people[2], "added", "conversion")]
    (entry,) = audit_of("convert_to_active")
    assert "+2 added, -2 removed" in entry.summary
    assert (json.loads(entry.before)["type"], json.loads(entry.after)["type"]) == ("static", "active")
    with pytest.raises(MembershipNotAllowed):
        membership.add_records(ctx, segment.id, [people[4]])
    with pytest.raises(ConversionNotAllowed, match="is already active"):
        conversions.convert_to_active(ctx, segment.id)
    # and it follows record changes from now on
    records.set_property(ctx, "contacts", people[4], "region", "Bretagne")
    worker.tick(ctx, me="w1")
    assert people[4] in members(segment)


def test_round_trip_keeps_history_newest_first(ctx, clock, people):
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    conversions.convert_to_static(ctx, segment.id)
    clock.advance(days=1)
    conversions.convert_to_active(ctx, segment.id)
    history = conversions.history(segment.id)
    assert [c.direction for c in history] == ["to_active", "to_static"]
    assert conversions.latest_id() == history[0].id
    assert [(c.id, name) for c, name in conversions.since(history[1].id)] == [(history[0].id, "Bretons")]


def test_set_schedule(ctx, clock, people):
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    updated = conversions.set_schedule(ctx, segment.id, Schedule(ON_DAY, day=D(2026, 12, 31)))
    assert (updated.schedule_mode, updated.schedule_day, updated.schedule_tz) == ("on_day", D(2026, 12, 31), "Europe/Paris")
    assert reload(segment).due_at == pendulum.datetime(2026, 12, 30, 23, tz="UTC")
    (entry,) = audit_of("set_schedule")
    assert json.loads(entry.after)["schedule"] == {"mode": "on_day", "day": "2026-12-31"}
    due, text = conversions.projected(ctx, reload(segment), Schedule(AFTER_INACTIVITY, amount=1, unit="weeks"))
    assert due == T0.add(weeks=1)
    assert text == "Converts on Thursday 3 December 2026 at 10:30 Europe/Paris unless a record is added or removed before then."
    # today is accepted and already due; the past is refused
    conversions.set_schedule(ctx, segment.id, Schedule(ON_DAY, day=D(2026, 11, 26)))
    assert reload(segment).due_at == pendulum.datetime(2026, 11, 25, 23, tz="UTC")
    before = dump()
    with pytest.raises(InvalidSchedule, match="2026-11-25 is in the past"):
        conversions.set_schedule(ctx, segment.id, Schedule(ON_DAY, day=D(2026, 11, 25)))
    assert dump() == before
    conversions.set_schedule(ctx, segment.id, Schedule())
    assert (reload(segment).schedule_mode, reload(segment).due_at) == ("never", None)


def test_set_schedule_refused_on_static(ctx, people):
    segment = make(ctx, "S", "static", region_is("Bretagne"))
    before = dump()
    with pytest.raises(ConversionNotAllowed) as caught:
        conversions.set_schedule(ctx, segment.id, Schedule(AFTER_INACTIVITY, amount=3, unit="days"))
    assert str(caught.value) == "'S' is static: automatic conversion to static applies to active segments only"
    assert dump() == before


def test_stale_version_refused_naming_who_changed_it(ctx, clock, people):
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    seen = reload(segment).version
    clock.advance(minutes=7)
    segments.rename(replace(ctx, actor="bob"), segment.id, "Bretons 2026")
    before = dump()
    acts = [
        lambda: conversions.convert_to_static(ctx, segment.id, expected_version=seen),
        lambda: conversions.set_schedule(ctx, segment.id, Schedule(), expected_version=seen),
    ]
    for act in acts:
        with pytest.raises(StaleSegment) as caught:
            act()
        assert str(caught.value) == (
            "'Bretons 2026' was changed by bob at 2026-11-26 09:37 UTC since you opened it "
            "(Renamed 'Bretons' to 'Bretons 2026'); it has been reloaded: check it and try again"
        )
        assert caught.value.exit_code == 1
    assert dump() == before
    conversions.convert_to_static(ctx, segment.id)
    with pytest.raises(StaleSegment, match="was changed by alice"):
        conversions.convert_to_active(ctx, segment.id, expected_version=seen + 1)


def test_apply_due_applies_late_conversions_once(ctx, clock, people):
    late = make(ctx, "Late", "active", region_is("Bretagne"))
    idle = make(ctx, "Idle", "active", region_is("Normandie"))
    later = make(ctx, "Later", "active", region_is("Bretagne"))
    conversions.set_schedule(ctx, late.id, Schedule(ON_DAY, day=D(2026, 12, 1)))
    conversions.set_schedule(ctx, idle.id, Schedule(AFTER_INACTIVITY, amount=1, unit="weeks"))
    conversions.set_schedule(ctx, later.id, Schedule(ON_DAY, day=D(2026, 12, 24)))
    due_late = pendulum.datetime(2026, 11, 30, 23, tz="UTC")
    due_idle = T0.add(weeks=1)
    # nothing ran on the due days: the worker starts again on 5 December
    clock.set(pendulum.datetime(2026, 12, 5, 8, tz="UTC"))
    applied = conversions.apply_due(replace(ctx, actor="worker"))
    assert [(a.segment_id, a.name, a.due_at, a.converted_at) for a in applied] == [
        (late.id, "Late", due_late, clock.now()),
        (idle.id, "Idle", due_idle, clock.now()),
    ]
    (c_late,) = conversions_of(late)
    assert (c_late.trigger, json.loads(c_late.requested), c_late.due_at, c_late.converted_at) == (
        "on_day", {"mode": "on_day", "day": "2026-12-01"}, due_late, clock.now())
    assert (c_late.direction, c_late.actor, c_late.size, c_late.id) == ("to_static", "worker", 3, applied[0].conversion_id)
    (c_idle,) = conversions_of(idle)
    assert (c_idle.trigger, json.loads(c_idle.requested)) == ("after_inactivity", {"mode": "after_inactivity", "amount": 1, "unit": "weeks"})
    entries = audit_of("auto_convert_to_static")
    assert [(e.segment_id, e.actor, e.at) for e in entries] == [(late.id, "worker", clock.now()), (idle.id, "worker", clock.now())]
    assert "due 2026-11-30T23:00:00+00:00, applied 2026-12-05T08:00:00+00:00" in entries[0].summary
    assert json.loads(entries[0].before)["due_at"] == "2026-11-30T23:00:00+00:00"
    for segment in (late, idle):
        row = reload(segment)
        assert (row.type, row.schedule_mode, row.due_at, row.version) == ("static", "never", None, 3)
    assert reload(later).type == "active" and reload(later).due_at == pendulum.datetime(2026, 12, 23, 23, tz="UTC")

    # a second run, in this or another process, converts nothing again
    assert conversions.apply_due(ctx) == []
    assert ConversionRecord.select().count() == 2 and len(audit_of("auto_convert_to_static")) == 2
    clock.set(pendulum.datetime(2026, 12, 23, 23, tz="UTC"))  # exactly due
    assert [a.segment_id for a in conversions.apply_due(ctx)] == [later.id]


def test_a_deleted_segment_never_converts(ctx, clock, people):
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    conversions.set_schedule(ctx, segment.id, Schedule(ON_DAY, day=D(2026, 11, 30)))
    segments.delete(ctx, segment.id)
    clock.advance(days=10)
    assert conversions.apply_due(ctx) == []
    assert worker.tick(ctx, me="w1").applied == []
    assert reload(segment).type == "active"
    assert conversions_of(segment) == [] and audit_of("auto_convert_to_static") == []


def test_a_conversion_waits_when_activity_moved_the_due_moment(ctx, clock, people):
    """The due moment passed, then a membership change pushed it back: nothing is applied."""
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    conversions.set_schedule(ctx, segment.id, Schedule(AFTER_INACTIVITY, amount=1, unit="days"))
    clock.advance(days=2)
    Contact.update(region="Bretagne").where(Contact.id == people[5]).execute()
    membership.refresh(ctx, segment.id)  # activity now: due tomorrow
    assert reload(segment).due_at > clock.now()
    assert conversions.apply_due(ctx) == []
    assert reload(segment).type == "active" and conversions_of(segment) == []


def test_a_conversion_is_due_only_for_active_segments_with_a_due_moment(ctx, clock, people):
    make(ctx, "Plain", "active", region_is("Bretagne"))
    make(ctx, "Static", "static")
    clock.advance(days=4000)
    assert conversions.apply_due(ctx) == []
    assert Membership.select().count() == 3


# -- what mutation testing found unasserted (issue 17) ----------------------------------------
@pytest.mark.sqlite_only
@pytest.mark.parametrize("size, sentence", [
    (0, "0 records will be kept and no longer updated automatically."),
    (1, "1 record will be kept and no longer updated automatically."),
    (2, "2 records will be kept and no longer updated automatically."),
    (12345, "12,345 records will be kept and no longer updated automatically."),
])
def test_the_to_static_preview_counts_in_words(size, sentence):
    assert conversions.ToStaticPreview(size).sentence() == sentence


def test_a_read_only_console_converts_and_schedules_nothing(ctx, clock, people):
    active = make(ctx, "Bretons", "active", region_is("Bretagne"))
    static = make(ctx, "Picked", "static", region_is("Bretagne"))
    conversions.set_schedule(ctx, active.id, Schedule(ON_DAY, day=D(2026, 11, 30)))
    clock.advance(days=10)  # the schedule is due: only the read-only refusal keeps it
    ro = replace(ctx, read_only=True)
    before = dump()
    acts = [
        (lambda: conversions.convert_to_static(ro, active.id), "converting a segment"),
        (lambda: conversions.convert_to_active(ro, static.id), "converting a segment"),
        (lambda: conversions.set_schedule(ro, active.id, Schedule()), "changing the automatic conversion"),
        (lambda: conversions.apply_due(ro), "applying due conversions"),
    ]
    for act, what in acts:
        with pytest.raises(ReadOnly) as caught:
            act()
        assert str(caught.value) == f"This console is read-only: {what} is not allowed."
    assert dump() == before


def test_previews_refuse_a_segment_already_of_the_target_type(ctx, people):
    active = make(ctx, "Bretons", "active", region_is("Bretagne"))
    static = make(ctx, "Picked", "static", region_is("Bretagne"))
    with pytest.raises(ConversionNotAllowed) as caught:
        conversions.preview_to_active(ctx, active.id)
    assert str(caught.value) == "'Bretons' is already active"
    with pytest.raises(ConversionNotAllowed) as caught:
        conversions.preview_to_static(static.id)
    assert str(caught.value) == "'Picked' is already static"


def test_manual_conversions_record_what_was_asked_and_leave_no_refresh_pending(ctx, clock, people):
    recent = tree([f("last_activity_date", "less_than_days_ago", value=10)])  # relative: refreshed nightly
    segment = make(ctx, "Recent", "active", recent)
    assert reload(segment).next_refresh_at == pendulum.datetime(2026, 11, 26, 23, tz="UTC")
    conversions.convert_to_static(ctx, segment.id)
    assert reload(segment).next_refresh_at is None  # static: no refresh will ever come
    clock.advance(hours=2)
    record, _ = conversions.convert_to_active(replace(ctx, actor="bob"), segment.id)
    assert (json.loads(record.requested), record.due_at, record.actor) == ({"mode": "now"}, None, "bob")
    (entry,) = audit_of("convert_to_active")
    assert (entry.segment_id, entry.actor, entry.at) == (segment.id, "bob", clock.now())
    assert json.loads(entry.after) == {"type": "active", "size": 0, "schedule": {"mode": "never"}, "due_at": None}


def test_set_schedule_audits_the_segment_before_and_after(ctx, clock, people):
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    conversions.set_schedule(ctx, segment.id, Schedule(AFTER_INACTIVITY, amount=2, unit="weeks"))
    conversions.set_schedule(ctx, segment.id, Schedule(ON_DAY, day=D(2026, 12, 31)))
    first, second = audit_of("set_schedule")
    assert first.summary == ("Automatic conversion of 'Bretons': "
                             '{"mode": "after_inactivity", "amount": 2, "unit": "weeks"}')
    assert second.summary == 'Automatic conversion of \'Bretons\': {"mode": "on_day", "day": "2026-12-31"}'
    assert (second.segment_id, json.loads(second.before), json.loads(second.after)) == (
        segment.id,
        {"type": "active", "size": 3, "schedule": {"mode": "after_inactivity", "amount": 2, "unit": "weeks"},
         "due_at": "2026-12-10T09:30:00+00:00"},
        {"type": "active", "size": 3, "schedule": {"mode": "on_day", "day": "2026-12-31"},
         "due_at": "2026-12-30T23:00:00+00:00"},
    )


def test_a_projected_day_is_midnight_in_the_account_time_zone(ctx, people):
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    due, text = conversions.projected(ctx, segment, Schedule(ON_DAY, day=D(2026, 12, 31)))
    assert due == pendulum.datetime(2026, 12, 31, tz="Europe/Paris")
    assert text.startswith("Converts on Thursday 31 December 2026 at 00:00 Europe/Paris")


def test_due_conversions_go_earliest_due_first_then_by_id_and_stop_at_the_limit(ctx, clock, people):
    later = make(ctx, "Due later", "active", region_is("Bretagne"))  # made first: the lower id
    first = make(ctx, "Due first", "active", region_is("Normandie"))
    twin = make(ctx, "Due with the first", "active", region_is("Normandie"))
    conversions.set_schedule(ctx, later.id, Schedule(ON_DAY, day=D(2026, 12, 3)))
    conversions.set_schedule(ctx, first.id, Schedule(ON_DAY, day=D(2026, 12, 1)))
    conversions.set_schedule(ctx, twin.id, Schedule(ON_DAY, day=D(2026, 12, 1)))
    clock.set(pendulum.datetime(2026, 12, 5, 8, tz="UTC"))
    worker_ctx = replace(ctx, actor="worker")
    assert [a.segment_id for a in conversions.apply_due(worker_ctx, limit=1)] == [first.id]
    # the conditional write converted that one only, not the other one due at the same moment
    assert (reload(twin).type, reload(later).type) == ("active", "active")
    assert [a.segment_id for a in conversions.apply_due(worker_ctx, limit=2)] == [twin.id, later.id]
    for segment in (first, twin, later):
        row = reload(segment)
        assert (row.type, row.updated_by, row.updated_at) == ("static", "worker", clock.now())
    (entry,) = [e for e in audit_of("auto_convert_to_static") if e.segment_id == twin.id]
    assert json.loads(entry.after) == {"type": "static", "size": 2, "schedule": {"mode": "never"}, "due_at": None}


def test_a_due_conversion_read_before_another_worker_applied_it_is_not_applied_twice(ctx, clock, people):
    """``_convert_due``'s conditional write, reached with a row read before the other worker
    committed (what the SKIP LOCKED read prevents on PostgreSQL and the write lock on SQLite)."""
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    conversions.set_schedule(ctx, segment.id, Schedule(ON_DAY, day=D(2026, 12, 1)))
    clock.set(pendulum.datetime(2026, 12, 5, 8, tz="UTC"))
    stale_read = reload(segment)
    assert [a.segment_id for a in conversions.apply_due(replace(ctx, actor="w1"))] == [segment.id]
    before = dump()
    with write_transaction():
        assert conversions._convert_due(replace(ctx, actor="w2"), stale_read) is None
    assert dump() == before
    assert [c.actor for c in conversions_of(segment)] == ["w1"]


@pytest.mark.postgres_only
def test_a_due_segment_another_worker_holds_is_skipped_not_waited_for(ctx, clock, people):
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    conversions.set_schedule(ctx, segment.id, Schedule(ON_DAY, day=D(2026, 12, 1)))
    clock.set(pendulum.datetime(2026, 12, 5, 8, tz="UTC"))
    holding, release = threading.Event(), threading.Event()

    def other_worker() -> None:  # its own connection: holds the row's lock until released
        try:
            with database_proxy.atomic():
                Segment.select().where(Segment.id == segment.id).for_update().get()
                holding.set()
                release.wait(TIMEOUT)
        finally:
            holding.set()
            database_proxy.close()

    thread = threading.Thread(target=other_worker, daemon=True)
    thread.start()
    try:
        assert holding.wait(TIMEOUT)
        assert conversions.apply_due(ctx) == []  # returned while the lock is held: it did not wait
        assert reload(segment).type == "active"
    finally:
        release.set()
        thread.join(TIMEOUT)
    assert [a.segment_id for a in conversions.apply_due(ctx)] == [segment.id]


def test_history_and_latest_id_are_per_segment_and_start_at_zero(ctx, clock, people):
    assert conversions.latest_id() == 0 and conversions.since(0) == []
    one = make(ctx, "One", "active", region_is("Bretagne"))
    two = make(ctx, "Two", "active", region_is("Normandie"))
    conversions.convert_to_static(ctx, one.id)
    conversions.convert_to_static(ctx, two.id)
    assert [c.segment_id for c in conversions.history(one.id)] == [one.id]
    assert [name for _, name in conversions.since(0)] == ["One", "Two"]
    assert conversions.latest_id() == conversions.history(two.id)[0].id


@pytest.mark.sqlite_only
def test_with_nothing_due_apply_due_takes_no_write_lock(ctx, clock, people, database):
    """A console's worker ticks every 30 s: with nothing due it must not queue behind another
    writer. This connection may wait 1 ms for the lock: had it asked for the write lock
    held by the other connection, apply_due would fail at once with "database is locked"."""
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    conversions.set_schedule(ctx, segment.id, Schedule(ON_DAY, day=D(2026, 12, 24)))  # not due yet
    database.execute_sql("PRAGMA busy_timeout = 1")
    other = sqlite3.connect(database.database, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # the write lock, held by another process
        assert conversions.apply_due(ctx) == []
        other.execute("ROLLBACK")
    finally:
        other.close()
    clock.set(pendulum.datetime(2026, 12, 24, tz="UTC"))
    assert [a.segment_id for a in conversions.apply_due(ctx)] == [segment.id]
