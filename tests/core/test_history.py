"""Size over time and time travel, rebuilt from the membership log; the 15-minute summary
the trigger keeps, rebuilt from the raw log and compared."""

from __future__ import annotations

import pendulum
import pytest

from segtui.core import conversions, history, membership, records, segments
from segtui.core.context import Context
from segtui.core.errors import InvalidInput
from segtui.core.models import Contact, MembershipLog
from segtui.core.past_member_pages import PastMemberPages
from segtui.core.schedule import ON_DAY, Schedule

from core_helpers import add_contacts, inconsistencies, make, members, region_is, regions

D = pendulum.Date


def move(record_id: int, region: str | None) -> None:
    Contact.update(region=region).where(Contact.id == record_id).execute()


@pytest.fixture
def lived(ctx, clock):
    """A segment with a week of life: created on the 20th, changed on three days,
    converted both ways, its schedule set, deleted and restored. Returns (segment, ids, moments)."""
    clock.set(pendulum.datetime(2026, 11, 20, 8, 0, tz="Europe/Paris"))
    ids = regions("Bretagne", "Bretagne", "Normandie", None, None)
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))  # +2 on the 20th
    moments = {"created": clock.now()}
    clock.set(pendulum.datetime(2026, 11, 21, 23, 50, tz="Europe/Paris"))  # late evening: still the 21st
    move(ids[2], "Bretagne")
    move(ids[0], None)
    membership.refresh(ctx, segment.id)  # +1 -1 on the 21st
    moments["21st"] = clock.now()
    clock.set(pendulum.datetime(2026, 11, 22, 10, 0, tz="Europe/Paris"))
    conversions.set_schedule(ctx, segment.id, Schedule(ON_DAY, day=D(2026, 12, 31)))
    conversions.convert_to_static(ctx, segment.id)
    membership.add_records(ctx, segment.id, [ids[3], ids[4]])  # +2 by hand
    membership.remove_records(ctx, segment.id, [ids[1]])  # -1 by hand
    moments["22nd"] = clock.now()
    clock.set(pendulum.datetime(2026, 11, 24, 9, 0, tz="Europe/Paris"))
    segments.delete(ctx, segment.id)
    clock.set(pendulum.datetime(2026, 11, 25, 9, 0, tz="Europe/Paris"))
    segments.restore(ctx, segment.id)
    conversions.convert_to_active(ctx, segment.id)  # back to the filters: +ids[1], -the two hand-added
    moments["25th"] = clock.now()
    clock.set(pendulum.datetime(2026, 11, 26, 12, 0, tz="Europe/Paris"))
    return segment, ids, moments


def test_daily_sizes_and_markers(ctx, lived):
    segment, ids, _ = lived
    h = history.size_history(ctx, segment.id, first=D(2026, 11, 19), last=D(2026, 11, 26))
    rows = [(p.first_day.day, p.added, p.removed, p.size) for p in h.periods]
    assert rows == [(19, 0, 0, 0), (20, 2, 0, 2), (21, 1, 1, 2), (22, 2, 1, 3), (23, 0, 0, 3), (24, 0, 0, 3),
                    (25, 1, 2, 2), (26, 0, 0, 2)]
    assert h.periods[-1].size == len(members(segment)) == 2
    kinds = [(m.day.day, m.kind) for m in h.markers]
    assert kinds == [(20, "created"), (22, "schedule"), (22, "converted"), (24, "deleted"), (25, "restored"),
                     (25, "converted")]
    assert h.markers[1].text == "Automatic conversion set: on 2026-12-31"
    assert h.markers[2].text == "Converted to static by hand"
    assert [m.kind for m in h.markers_in(h.periods[6])] == ["restored", "converted"]


def test_days_follow_the_account_time_zone(ctx, lived):
    """23:50 in Paris on the 21st is the 21st there and the 21st 22:50 in UTC; in Tokyo
    (+9) it is already the 22nd."""
    segment, *_ = lived
    tokyo = Context(clock=ctx.clock, actor="alice", tz="Asia/Tokyo")
    h = history.size_history(tokyo, segment.id, first=D(2026, 11, 20), last=D(2026, 11, 22))
    assert [(p.added, p.removed) for p in h.periods] == [(2, 0), (0, 0), (3, 2)]


def test_zone_off_the_quarter_hour_is_cut_from_the_log(ctx, clock, database):
    """Kathmandu is UTC+05:45 and Chatham +13:45: their midnights are slot edges; a made-up
    boundary inside a slot is counted from the raw log and gives the same figures."""
    clock.set(pendulum.datetime(2026, 11, 20, 18, 10, tz="UTC"))  # 23:55 in Kathmandu
    ids = regions("Bretagne")
    segment = make(ctx, "B", "active", region_is("Bretagne"))
    clock.set(pendulum.datetime(2026, 11, 20, 18, 20, tz="UTC"))  # 00:05 on the 21st there
    move(ids[0], None)
    membership.refresh(ctx, segment.id)
    nepal = Context(clock=clock, actor="a", tz="Asia/Kathmandu")
    h = history.size_history(nepal, segment.id, first=D(2026, 11, 20), last=D(2026, 11, 21))
    assert [(p.added, p.removed, p.size) for p in h.periods] == [(1, 0, 1), (0, 1, 0)]
    # a boundary at 18:12 UTC cuts the 18:00 slot
    edges = [int(pendulum.datetime(2026, 11, 20, 0, tz="UTC").timestamp()),
             int(pendulum.datetime(2026, 11, 20, 18, 12, tz="UTC").timestamp()),
             int(pendulum.datetime(2026, 11, 21, 0, tz="UTC").timestamp())]
    counts = history._bucket_counts(segment.id, edges)
    assert (counts.before, counts.per_period) == (0, [(1, 0), (0, 1)])


def test_weeks_and_months_group_calendar_periods(ctx, lived):
    segment, *_ = lived
    weeks = history.size_history(ctx, segment.id, first=D(2026, 11, 15), last=D(2026, 11, 26), grain="week")
    assert [(p.first_day.day, p.last_day.day, p.added, p.removed, p.size) for p in weeks.periods] == [
        (15, 15, 0, 0, 0), (16, 22, 5, 2, 3), (23, 26, 1, 2, 2)]
    months = history.size_history(ctx, segment.id, first=D(2026, 10, 1), last=D(2026, 11, 26), grain="month")
    assert [(p.first_day.month, p.added, p.removed, p.size) for p in months.periods] == [(10, 0, 0, 0), (11, 6, 4, 2)]


def test_bad_ranges_are_refused(ctx, lived):
    segment, *_ = lived
    with pytest.raises(InvalidInput, match="ends today"):
        history.size_history(ctx, segment.id, first=D(2026, 11, 20), last=D(2026, 11, 27))
    with pytest.raises(InvalidInput, match="after the last one"):
        history.size_history(ctx, segment.id, first=D(2026, 11, 25), last=D(2026, 11, 20))
    with pytest.raises(InvalidInput, match="Unknown grouping"):
        history.size_history(ctx, segment.id, grain="hour")
    with pytest.raises(InvalidInput, match="more than 5,000 days"):
        history.size_history(ctx, segment.id, first=D(2000, 1, 1), last=D(2026, 11, 26))
    with pytest.raises(InvalidInput, match="not a day"):
        history.parse_day("2026-02-30", "--from")


def test_members_at_any_moment_matches_the_forward_replay(ctx, lived):
    segment, ids, moments = lived
    checks = {
        moments["created"].subtract(seconds=1): set(),
        moments["created"]: {ids[0], ids[1]},
        moments["21st"]: {ids[1], ids[2]},
        moments["22nd"]: {ids[2], ids[3], ids[4]},
        moments["25th"]: {ids[1], ids[2]},
        ctx.now(): {ids[1], ids[2]},
    }
    for moment, expected in checks.items():
        got = {rid for (rid,) in history.member_ids_at(segment.id, moment).query().tuples()}
        assert got == expected == history.replay_ids_at(segment.id, moment), moment
        assert history.count_at(segment.id, moment) == len(expected)
    # a bare day is its end, as the day's size in the history
    at = history.parse_at("2026-11-21", "Europe/Paris")
    assert {r for (r,) in history.member_ids_at(segment.id, at).query().tuples()} == {ids[1], ids[2]}
    assert history.size_history(ctx, segment.id, first=D(2026, 11, 21), last=D(2026, 11, 21)).periods[0].size == 2


def test_parse_at(ctx):
    assert history.parse_at("2026-11-21T09:30", "Europe/Paris") == pendulum.datetime(2026, 11, 21, 8, 30, tz="UTC")
    for bad in ("yesterday", "2026-13-01", "2026-11-21T25:00", ""):
        with pytest.raises(InvalidInput, match="not a moment"):
            history.parse_at(bad, "UTC")


def test_summary_rebuilt_from_the_raw_log_is_what_the_trigger_kept(ctx, clock, lived):
    segment, ids, _ = lived
    other = make(ctx, "Nobody", "static")
    for minutes in (0, 7, 16, 50):  # some in the same slot, some not
        clock.advance(minutes=minutes)
        membership.add_records(ctx, other.id, ids[:3])
        membership.remove_records(ctx, other.id, ids[1:2])
    assert history.stored_buckets() == history.rebuild_buckets()
    assert history.stored_buckets(segment.id) == history.rebuild_buckets(segment.id)
    assert len(history.stored_buckets(other.id)) == 3  # 0 and 7 share a slot
    assert inconsistencies() == []


def test_rows_written_straight_into_the_log_are_counted(ctx, clock, lived):
    """Any writer of the log (issue 13's incremental joins among them) feeds the summary."""
    segment, ids, _ = lived
    MembershipLog.insert_many([
        {"segment": segment.id, "record_id": ids[4], "action": "added", "reason": "filter", "at": clock.now(),
         "actor": "bob"},
    ]).execute()
    h = history.size_history(ctx, segment.id, first=D(2026, 11, 26), last=D(2026, 11, 26))
    assert (h.periods[0].added, h.periods[0].size) == (1, 3)
    assert history.stored_buckets() == history.rebuild_buckets()


def test_members_at_page_for_the_console(ctx, lived):
    segment, ids, moments = lived
    pages = PastMemberPages.at(segment.id, moments["22nd"], page_size=2)
    assert pages.total == 3 and [r.record_id for r in pages.rows] == [ids[2], ids[3]]
    assert pages.next() and [r.record_id for r in pages.rows] == [ids[4]] and pages.rows[0].key == "c5@example.org"
    assert not pages.next() and pages.number == 1
    assert pages.previous() and [r.record_id for r in pages.rows] == [ids[2], ids[3]] and not pages.previous()


def test_past_members_are_paged_by_keyset_deep_in_the_list(ctx, clock):
    """A past day's members, a page at a time from the edges of the page shown (no OFFSET): a
    page deep in the list, the last page and the pages before it are the replayed membership's
    slices, with members that left since (one of them deleted) and ones that joined since."""
    clock.set(pendulum.datetime(2026, 11, 20, 8, 0, tz="Europe/Paris"))
    ids = add_contacts(*({"region": "Bretagne" if n % 3 else "Normandie"} for n in range(900)))
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    then = clock.now()
    clock.set(pendulum.datetime(2026, 11, 22, 8, 0, tz="Europe/Paris"))
    for rid in ids[400:460]:  # left since, from the middle of the list
        move(rid, None)
    for rid in ids[600:900:3]:  # joined since (they were Normandie)
        move(rid, "Bretagne")
    membership.refresh(ctx, segment.id)
    gone = ids[401]
    records.delete_record(ctx, "contacts", gone)  # a member then: counted, but no row to show
    expected = sorted(history.replay_ids_at(segment.id, then))
    assert len(expected) == 600 and gone in expected and set(expected) != members(segment)
    shown = [rid for rid in expected if rid != gone]
    pages = PastMemberPages.at(segment.id, then, page_size=50)
    assert pages.total == 600 and pages.pages == 12
    seen = [r.record_id for r in pages.rows]
    while pages.next():
        assert pages.ids == expected[pages.first_index : pages.first_index + 50]
        seen += [r.record_id for r in pages.rows]
    assert seen == shown and pages.number == 11
    assert pages.ids[:1] == [expected[550]] and not pages.next()
    # from the end back: the same pages, down to one deep in the list read from its neighbour's edge
    pages.first()
    pages.last()
    assert pages.number == 11 and pages.ids == expected[550:]
    deep = expected.index(gone) // 50
    while pages.number > deep:
        assert pages.previous()
        assert pages.ids == expected[pages.first_index : pages.first_index + 50]
    assert deep == 5 and gone in pages.ids and gone not in [r.record_id for r in pages.rows]
    assert len(pages.rows) == 49 and len([rid for rid in pages.ids if rid not in members(segment)]) > 10
    pages.again()
    assert pages.number == deep and pages.ids == expected[250:300]
