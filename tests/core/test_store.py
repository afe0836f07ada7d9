"""store.py, exactly: name keys, lookups and their refusals, stale messages, schedules.

Written from the mutants of store.py that survived the rest of the suite
(tests/mutation/run.py store): each test pins a boundary or a sentence they changed.
"""

from __future__ import annotations

from dataclasses import replace

import hashlib

import pytest

from segtui.core import segments, store
from segtui.core.db import write_transaction
from segtui.core.errors import SegmentNotFound, StaleSegment
from segtui.core.models import Segment
from segtui.core.schedule import AFTER_INACTIVITY, NEVER, Schedule

from core_helpers import make, reload


def test_a_name_key_is_the_casefolded_name_up_to_its_byte_limit():
    at_limit = "É" * (store.NAME_KEY_BYTES // 2)  # two bytes each: exactly the limit
    assert len(at_limit.casefold().encode()) == store.NAME_KEY_BYTES
    assert store.name_key(at_limit) == at_limit.casefold()
    over = "a" * (store.NAME_KEY_BYTES + 1)
    digest = hashlib.sha256(over.encode()).hexdigest()[:32]
    assert store.name_key(over) == "a" * (store.NAME_KEY_BYTES - 40) + " #" + digest
    assert len(store.name_key(over).encode()) == store.NAME_KEY_BYTES - 40 + 2 + 32
    # a character cut in two at the limit is dropped, not kept as half a character
    odd = "a" + "é" * store.NAME_KEY_BYTES
    assert store.name_key(odd).startswith("a" + "é" * ((store.NAME_KEY_BYTES - 41) // 2) + " #")


def test_lookups_by_id_by_digits_and_by_name(ctx):
    bretons = make(ctx, "Bretons", "static")
    year = make(ctx, "2024", "static")  # a name made of digits, with no segment of that id
    assert store.get(bretons.id).id == bretons.id
    assert store.get(str(bretons.id)).id == bretons.id
    assert store.get("2024").id == year.id
    with pytest.raises(SegmentNotFound) as missing:
        store.get(9999)
    assert str(missing.value) == "No segment with id 9999"
    with pytest.raises(SegmentNotFound) as missing:
        store.get("Nobody")
    assert str(missing.value) == "No segment named 'Nobody'"
    with pytest.raises(SegmentNotFound) as missing:
        store.get("bretons ")
    assert str(missing.value) == "No segment named 'bretons ' (did you mean 'Bretons'?)"
    with pytest.raises(SegmentNotFound) as missing:
        store.get("Bre\x00tons")
    assert str(missing.value) == "No segment named 'Bre\\x00tons'"
    with pytest.raises(SegmentNotFound) as missing:
        store.get(store.MAX_ID)  # the largest id a row can have: looked up
    assert str(missing.value) == f"No segment with id {store.MAX_ID}"
    for beyond in (0, store.MAX_ID + 1, str(store.MAX_ID + 1)):  # no row can have it: not even looked up
        with pytest.raises(SegmentNotFound) as missing:
            store.get(beyond)
        assert str(missing.value) == (f"No segment with id {int(beyond)}: ids are whole numbers from 1 to "
                                      f"{store.MAX_ID}")
    for odd in (1.0, None, True, [bretons.id]):  # neither an id nor a name
        with pytest.raises(SegmentNotFound) as missing:
            store.get(odd)
        assert str(missing.value) == f"A segment is named by its id or its exact name, not {odd!r}"


def test_a_name_used_by_a_contacts_and_a_companies_segment_needs_an_id(ctx):
    people = make(ctx, "Bretagne", "static")
    firms = make(ctx, "Bretagne", "static", object_type="companies")
    with pytest.raises(SegmentNotFound) as several:
        store.get("Bretagne")
    message = str(several.value)
    assert message.startswith("Several segments are named 'Bretagne': use an id: ")
    assert sorted(message.split(": use an id: ")[1].split(", ")) == sorted(
        [f"{people.id} (contacts)", f"{firms.id} (companies)"])


def test_lock_refuses_a_vanished_or_deleted_segment(ctx):
    gone = make(ctx, "Gone", "static")
    with write_transaction():
        with pytest.raises(SegmentNotFound) as missing:
            store.lock(gone.id + 100)
    assert str(missing.value) == f"Segment {gone.id + 100} no longer exists"
    segments.delete(replace(ctx, actor="bob"), gone.id)
    with write_transaction():
        with pytest.raises(SegmentNotFound) as deleted:
            store.lock(gone.id)
    assert str(deleted.value) == "'Gone' was deleted by bob meanwhile; nothing was changed"


def test_the_stale_message_without_a_time_or_a_known_change(ctx):
    segment = make(ctx, "Quiet", "static")
    Segment.update(updated_by="robot", version=Segment.version + 1).where(Segment.id == segment.id).execute()
    current = reload(segment)
    current.updated_at = None  # a row written before updated_at was kept (in memory only)
    with pytest.raises(StaleSegment) as stale:
        store.check_version(current, segment.version)
    assert str(stale.value) == ("'Quiet' was changed by robot at ? UTC since you opened it; "
                                "it has been reloaded: check it and try again")
    store.check_version(reload(segment), None)  # no expectation: nothing to check
    store.check_version(reload(segment), segment.version + 1)


def test_the_last_change_is_the_last_one_of_that_person_on_that_segment(ctx):
    mine, other = make(ctx, "Mine", "static"), make(ctx, "Other", "static")
    segments.rename(replace(ctx, actor="bob"), mine.id, "Mine, renamed")
    segments.rename(replace(ctx, actor="bob"), other.id, "Other, renamed")  # later, elsewhere
    segments.rename(replace(ctx, actor="carol"), mine.id, "Mine again")
    row = reload(mine)
    assert store.last_change(row) == "Renamed 'Mine, renamed' to 'Mine again'"
    Segment.update(updated_by="bob").where(Segment.id == mine.id).execute()
    assert store.last_change(reload(mine)) == "Renamed 'Mine' to 'Mine, renamed'"
    Segment.update(updated_by="dave").where(Segment.id == mine.id).execute()
    assert store.last_change(reload(mine)) is None


def test_a_conditional_write_on_a_row_gone_meanwhile(ctx):
    make(ctx, "First", "static")
    target = make(ctx, "Second", "static")
    Segment.delete().where(Segment.id == target.id).execute()  # gone for good, not soft-deleted
    with write_transaction():
        with pytest.raises(SegmentNotFound) as gone:
            store.conditional_update(ctx, target, name="Third")
    assert str(gone.value) == "'Second' was deleted meanwhile; nothing was changed"
    assert [s.name for s in Segment.select()] == ["First"]


def test_a_segments_schedule_reads_never_for_never_and_for_nothing(ctx):
    segment = make(ctx, "Planned", "active", {"groups": [{"filters": [
        {"property": "region", "operator": "is_known"}]}]})
    assert store.schedule_of(segment) == Schedule()
    segment.schedule_mode = None
    segment.schedule_amount, segment.schedule_unit = 3, "days"  # leftovers are not a schedule
    assert store.schedule_of(segment) == Schedule()
    segment.schedule_mode = AFTER_INACTIVITY
    assert store.schedule_of(segment) == Schedule(AFTER_INACTIVITY, amount=3, unit="days")
    assert store.schedule_columns(Schedule()) == {"schedule_mode": NEVER, "schedule_day": None,
                                                  "schedule_amount": None, "schedule_unit": None}
