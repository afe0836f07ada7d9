"""Who was a member of a segment at a past moment, a page at a time by record id, read by keyset.

A past membership is today's members less the records with log rows after the moment, plus
those of them whose first later row is a removal (``history.member_ids_at``). A page is
found from the edge of the page next to it: "the 50 members after record 81,200" is today's
members read from the primary key ``membership (segment, record_id)`` from that id on (an
index range that stops after 50 kept ones), merged with the few that were members then and
are not now, read the same way. OFFSET made the database build and walk every member before
the page, so a page deep in a large segment cost as much as the whole list.

The number of members then is counted once, when the moment is chosen (it numbers the pages
and places the last one), not at every page turn.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import pendulum
from peewee import Select

from . import history, store
from .member_pages import PageNumbers
from .models import RECORD_MODELS, Membership
from .properties import key_property


@dataclass(frozen=True)
class MemberAt:
    record_id: int
    key: str
    name: str


def read(segment_id: int, object_type: str, moment: pendulum.DateTime, *, after: int | None = None,
         before: int | None = None, from_end: bool = False, limit: int = 50) -> tuple[list[MemberAt], list[int]]:
    """Up to ``limit`` of the members at ``moment``, by record id (lowest first in the answer):
    the first ones, or those after record id ``after``; with ``from_end``, the last ones, or
    the last of those before record id ``before``. With them, the ids read, which are the
    page's edges: a record deleted since was a member then but has no row to show."""
    members = history.member_ids_at(segment_id, moment)
    kept = Membership.select(Membership.record_id).where(Membership.segment == segment_id)
    if members.exclude is not None:
        kept = kept.where(Membership.record_id.not_in(members.exclude))
    parts = [(kept, Membership.record_id)]
    if members.extra is not None:
        extra = members.extra.alias("extra")
        parts.append((Select([extra], [extra.c.record_id]).bind(Membership._meta.database), extra.c.record_id))
    chosen = []
    for part, column in parts:
        if after is not None:
            part = part.where(column > after)
        if before is not None:
            part = part.where(column < before)
        part = members.inside(part.order_by(column.desc() if from_end else column.asc()).limit(limit))
        chosen.append([rid for (rid,) in part.tuples()])
    # each part is in order: merge them, keep ``limit`` from the end read
    ids = sorted(list(heapq.merge(*chosen, reverse=from_end))[:limit])
    return _records(object_type, ids), ids


def _records(object_type: str, ids: list[int]) -> list[MemberAt]:
    if not ids:
        return []
    model = RECORD_MODELS[object_type]
    key = getattr(model, key_property(object_type).name)
    names = [model.first_name, model.last_name] if object_type == "contacts" else [model.name]
    found = {r[0]: r for r in model.select(model.id, key, *names).where(model.id.in_(ids)).tuples()}
    # a record deleted since has no row: it is gone from every segment's members then too
    return [MemberAt(rid, found[rid][1], " ".join(v for v in found[rid][2:] if v)) for rid in ids if rid in found]


@dataclass
class PastMemberPages(PageNumbers):
    """Where a reader of the members at ``moment`` is: the page shown and its number."""

    segment_id: int
    object_type: str
    moment: pendulum.DateTime
    total: int
    page_size: int = 50
    number: int = 0  # 0 for the first page (the lowest record ids)
    rows: list[MemberAt] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)  # the record ids of the page, deleted records included

    @classmethod
    def at(cls, segment_ref, moment: pendulum.DateTime, *, page_size: int = 50) -> PastMemberPages:
        """The first page of the members of ``segment_ref`` at ``moment``, counted."""
        segment = store.get(segment_ref, include_deleted=True)
        pages = cls(segment.id, segment.object_type, moment, history.count_at(segment.id, moment), page_size)
        pages.first()
        return pages

    def _read(self, **kwargs) -> tuple[list[MemberAt], list[int]]:
        kwargs.setdefault("limit", self.page_size)
        return read(self.segment_id, self.object_type, self.moment, **kwargs)

    def first(self) -> None:
        self.number, (self.rows, self.ids) = 0, self._read()

    def again(self) -> None:
        """Counted and read again (after a change): the page shown from its first member on."""
        self.total = history.count_at(self.segment_id, self.moment)
        if self.number == 0 or not self.ids:
            self.first()
            return
        found = self._read(after=self.ids[0] - 1)
        if not found[1]:
            self.last()
            return
        self.number, (self.rows, self.ids) = min(self.number, self.pages - 1), found

    def last(self) -> None:
        """The highest record ids: as many as the last page holds when the pages are counted from the first."""
        number, held = self.last_page()
        found = self._read(from_end=True, limit=held) if held > 0 else ([], [])
        if not found[1]:
            self.first()
            return
        self.number, (self.rows, self.ids) = number, found

    def next(self) -> bool:
        """The page after this one; False, nothing read, when this is the last."""
        if len(self.ids) < self.page_size:
            return False
        found = self._read(after=self.ids[-1])
        if not found[1]:
            return False
        self.number, (self.rows, self.ids) = self.number + 1, found
        return True

    def previous(self) -> bool:
        """The page before this one; False, nothing read, on the first page."""
        if self.number == 0:
            return False
        found = self._read(before=self.ids[0], from_end=True) if self.ids else ([], [])
        if len(found[1]) < self.page_size or self.number == 1:
            self.first()
        else:
            self.number, (self.rows, self.ids) = self.number - 1, found
        return True
