"""A segment's members a page at a time, newest first, read by keyset.

A page is found from the edge of the page next to it, never by counting the members before
it: "the 50 members that joined just before this one" is
``WHERE (joined_at, record_id) < (edge) ORDER BY joined_at DESC, record_id DESC LIMIT 50``,
an index range on ``membership (segment, joined_at, record_id)`` that reads 50 entries
wherever the page is. OFFSET walked every member before the page: 3.2 s at offset 5,000,000
on PostgreSQL, where this reads the same 50 entries as the first page does. The last page is
the oldest members read in the other direction; any page after it is found from it.

The order is newest first, ties on ``joined_at`` (every member of one refresh or import
shares it) broken by the highest record id first, so that every member has one place.
The edges are kept as the database returned them (text on SQLite, a naive UTC timestamp on
PostgreSQL) and given back unconverted, so that a comparison never depends on how a moment
is formatted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pendulum
from peewee import Tuple, Value, fn

from .models import RECORD_MODELS, Membership
from .properties import key_property


@dataclass(frozen=True)
class MemberRow:
    record_id: int
    key: str
    name: str
    region: str | None
    source: str
    joined_at: pendulum.DateTime


@dataclass(frozen=True)
class Edge:
    """Where a member sits in the order: its joined_at as stored, and its record id."""

    joined_at: Any
    record_id: int


def _newer(edge: Edge):
    return Tuple(Membership.joined_at, Membership.record_id) > Tuple(Value(edge.joined_at, converter=False),
                                                                     edge.record_id)


def _older(edge: Edge, *, inclusive: bool = False):
    mine = Tuple(Membership.joined_at, Membership.record_id)
    theirs = Tuple(Value(edge.joined_at, converter=False), edge.record_id)
    return mine <= theirs if inclusive else mine < theirs


def read(object_type: str, segment_id: int, *, where=None, oldest_first: bool = False,
         limit: int = 50) -> tuple[list[MemberRow], list[Edge]]:
    """Up to ``limit`` members from one end of a range of the order, newest first in the answer.

    ``where`` bounds the range (an edge comparison); ``oldest_first`` reads from its old end
    (the previous page, the last page). The members are chosen from the index alone; only the
    chosen ones are joined to their records.
    """
    model = RECORD_MODELS[object_type]
    key = getattr(model, key_property(object_type).name)
    if object_type == "contacts":
        name = fn.TRIM(fn.COALESCE(model.first_name, "").concat(" ").concat(fn.COALESCE(model.last_name, "")))
    else:
        name = fn.COALESCE(model.name, "")
    chosen = Membership.select(Membership.record_id, Membership.joined_at, Membership.source).where(
        Membership.segment == segment_id)
    if where is not None:
        chosen = chosen.where(where)
    order = ((Membership.joined_at.asc(), Membership.record_id.asc()) if oldest_first
             else (Membership.joined_at.desc(), Membership.record_id.desc()))
    page = chosen.order_by(*order).limit(limit).alias("page")
    query = (
        model.select(page.c.record_id, key, name, model.region, page.c.source, page.c.joined_at)
        .from_(page)
        .join(model, on=(model.id == page.c.record_id))
        .order_by(page.c.joined_at.desc(), page.c.record_id.desc())
    )
    rows, edges = [], []
    for rid, k, n, region, source, joined in query.tuples():
        rows.append(MemberRow(rid, k, n or "", region, source, Membership.joined_at.python_value(joined)))
        edges.append(Edge(joined, rid))
    return rows, edges


class PageNumbers:
    """The page arithmetic of a reader that knows its list's size but reads by keyset: how
    many pages, where the page shown starts, how many members the last page holds."""

    total: int
    page_size: int
    number: int  # 0 for the first page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def first_index(self) -> int:
        """The position of the page's first member in the order, counted from 0."""
        return self.number * self.page_size

    def last_page(self) -> tuple[int, int]:
        """The last page's number, and how many members it holds when the pages are counted
        from the first (0 when the list is empty)."""
        number = self.pages - 1
        return number, max(0, self.total - number * self.page_size)


@dataclass
class MemberPages(PageNumbers):
    """Where a reader of a segment's members is: the page shown, its number, its edges.

    ``total`` is the segment's size as last read (it numbers the pages and places the last
    one); the members themselves may change between two page turns (a refresh, another
    console): a page turn then shows what is there now, from the edge of the page shown.
    """

    object_type: str
    segment_id: int
    total: int
    page_size: int = 50
    number: int = 0  # 0 for the first page (the newest members)
    rows: list[MemberRow] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def _read(self, **kwargs) -> tuple[list[MemberRow], list[Edge]]:
        return read(self.object_type, self.segment_id, limit=self.page_size, **kwargs)

    def _show(self, number: int, found: tuple[list[MemberRow], list[Edge]]) -> None:
        self.number, (self.rows, self.edges) = number, found

    def first(self) -> None:
        self._show(0, self._read())

    def last(self) -> None:
        """The oldest members: as many as the last page holds when the pages are counted from the first."""
        number, held = self.last_page()
        found = read(self.object_type, self.segment_id, oldest_first=True, limit=held) if held > 0 else ([], [])
        if not found[0]:
            self.first()
            return
        self._show(number, found)

    def next(self) -> bool:
        """The page after this one (older members); False, nothing read, when this is the last."""
        if not self.edges or len(self.rows) < self.page_size:
            return False
        found = self._read(where=_older(self.edges[-1]))
        if not found[0]:
            return False
        self._show(self.number + 1, found)
        return True

    def previous(self) -> bool:
        """The page before this one (newer members); False, nothing read, on the first page."""
        if self.number == 0:
            return False
        if not self.edges:
            self.first()
            return True
        found = self._read(where=_newer(self.edges[0]), oldest_first=True)
        if len(found[0]) < self.page_size or self.number == 1:
            self.first()  # members left meanwhile, or this is the first page: the first page as it is now
        else:
            self._show(self.number - 1, found)
        return True

    def again(self, total: int) -> None:
        """The page shown, read again (after a change): from its first member on, or the first page.

        The first page takes the members that joined meanwhile; a page further on starts where
        it started; a page whose members all left gives way to the last page.
        """
        self.total = total
        if self.number == 0 or not self.edges:
            self.first()
            return
        found = self._read(where=_older(self.edges[0], inclusive=True))
        if not found[0]:
            self.last()
            return
        self._show(min(self.number, self.pages - 1), found)
