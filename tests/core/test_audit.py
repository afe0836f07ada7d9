"""The audit log: what is recorded, and reading it back page by page."""

from __future__ import annotations

import json

from segtui.core import audit
from segtui.i18n import Message

from core_helpers import make


def test_an_entry_keeps_who_when_what_before_and_after(ctx, clock):
    entry = audit.record(ctx, "rename", Message("Renamed {old!r} to {new!r}", old="A", new="B"), segment_id=7, before={"name": "A", "n": 1},
                         after={"name": "B", "at": clock.now()})
    again = audit.for_segment(7)[0]
    assert (again.id, again.actor, again.action, again.summary) == (entry.id, "alice", "rename", "Renamed 'A' to 'B'")
    assert again.at == clock.now()
    assert json.loads(again.before) == {"n": 1, "name": "A"}
    assert json.loads(again.after) == {"at": str(clock.now()), "name": "B"}
    bare = audit.record(ctx, "note", Message("nothing attached"), at=clock.now().subtract(days=1))
    assert (bare.segment_id, bare.before, bare.after) == (None, None, None)
    assert audit.entries(action="note")[0].at == clock.now().subtract(days=1)


def test_a_segments_history_reads_newest_first_page_by_page(ctx):
    mine, other = make(ctx, "Mine", "static"), make(ctx, "Other", "static")
    ids = [audit.record(ctx, "note", Message("note {n}", n=n), segment_id=mine.id).id for n in range(5)]
    audit.record(ctx, "note", Message("elsewhere"), segment_id=other.id)
    first = audit.for_segment(mine.id, limit=2)
    assert [e.summary for e in first] == ["note 4", "note 3"]
    second = audit.for_segment(mine.id, limit=2, before_id=first[-1].id)
    assert [e.summary for e in second] == ["note 2", "note 1"]
    rest = audit.for_segment(mine.id, limit=2, before_id=second[-1].id)
    assert [(e.action, e.summary) for e in rest][0] == ("note", "note 0")
    assert [e.action for e in rest] == ["note", "create"]  # the segment's creation comes last
    everything = audit.for_segment(mine.id, limit=100)
    assert [e.id for e in everything if e.action == "note"] == ids[::-1]
    assert audit.for_segment(mine.id, before_id=min(e.id for e in everything)) == []


def test_the_whole_log_newest_first_filtered_by_action(ctx):
    make(ctx, "Mine", "static")
    audit.record(ctx, "note", Message("first"))
    audit.record(ctx, "note", Message("second"))
    assert [e.summary for e in audit.entries(action="note")] == ["second", "first"]
    assert [e.summary for e in audit.entries(limit=1)] == ["second"]
    assert len(audit.entries()) == len(audit.entries(action="note")) + len(audit.entries(action="create"))
