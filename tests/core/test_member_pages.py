"""Members read a page at a time by keyset (issue 13): the order sorted in Python,
page by page in both directions, the last page found from the oldest members, a page read
again after a change, and (on SQLite) an index range without a sort, wherever the page is."""

from __future__ import annotations

import pytest

from segtui.core import member_pages, membership
from segtui.core.member_pages import MemberPages
from segtui.core.models import Company, Membership, database_proxy

from core_helpers import add_companies, add_contacts, make, reload


def _static_with_ties(ctx, clock, count: int = 23):
    """``count`` members: the first twenty share one joined_at, then one a minute, one with a fraction of a second."""
    ids = add_contacts(*({"first_name": f"P{i}", "last_name": "Doe", "region": "Bretagne"} for i in range(count)))
    static = make(ctx, "Import", "static")
    membership.add_records(ctx, static.id, ids[:20])
    for rid in ids[20:]:
        clock.advance(minutes=1, microseconds=250_000 if rid == ids[-1] else 0)
        membership.add_records(ctx, static.id, [rid])
    return reload(static), ids


def _order(segment) -> list[int]:
    """The members newest first, ties on joined_at by the highest record id first: sorted here."""
    rows = Membership.select(Membership.record_id, Membership.joined_at).where(Membership.segment == segment.id)
    return [rid for rid, _ in sorted(((r.record_id, r.joined_at) for r in rows), key=lambda r: (r[1], r[0]),
                                     reverse=True)]


def _by_offset(segment, size: int) -> list[list[int]]:
    order = _order(segment)
    return [order[o : o + size] for o in range(0, len(order), size)]


def test_pages_forward_and_back_are_the_offset_pages(ctx, clock, database):
    static, ids = _static_with_ties(ctx, clock)
    expected = _by_offset(static, 4)
    assert len(expected) == 6 and len(expected[-1]) == 3
    pages = MemberPages("contacts", static.id, static.size, page_size=4)
    pages.first()
    seen = [[r.record_id for r in pages.rows]]
    numbers = [pages.number]
    while pages.next():
        seen.append([r.record_id for r in pages.rows])
        numbers.append(pages.number)
    assert seen == expected and numbers == list(range(6))
    assert pages.next() is False and pages.number == 5  # past the last page: it stays
    back = [[r.record_id for r in pages.rows]]
    while pages.previous():
        back.append([r.record_id for r in pages.rows])
    assert back == expected[::-1] and pages.number == 0
    assert pages.previous() is False
    first = pages.rows[0]
    assert (first.record_id, first.name, first.region, first.source) == (ids[-1], "P22 Doe", "Bretagne", "manual")
    assert first.joined_at == clock.now()


def test_the_last_page_is_read_from_the_oldest_members(ctx, clock, database):
    static, _ = _static_with_ties(ctx, clock)
    expected = _by_offset(static, 4)
    pages = MemberPages("contacts", static.id, static.size, page_size=4)
    pages.last()
    assert (pages.number, pages.pages, pages.first_index) == (5, 6, 20)
    assert [r.record_id for r in pages.rows] == expected[-1]
    assert pages.next() is False
    assert pages.previous() and [r.record_id for r in pages.rows] == expected[-2] and pages.number == 4
    # a size that fills the last page exactly
    whole = MemberPages("contacts", static.id, 20, page_size=4)
    whole.last()
    assert whole.number == 4 and len(whole.rows) == 4


def test_an_empty_segment_has_one_empty_page(ctx, clock, database):
    empty = make(ctx, "Nobody", "static")
    pages = MemberPages("contacts", empty.id, 0)
    for move in (pages.first, pages.last):
        move()
        assert (pages.rows, pages.number, pages.pages) == ([], 0, 1)
    assert pages.next() is False and pages.previous() is False
    pages.again(0)
    assert pages.rows == []


def test_a_page_read_again_after_members_changed(ctx, clock, database):
    static, ids = _static_with_ties(ctx, clock)
    pages = MemberPages("contacts", static.id, static.size, page_size=4)
    pages.first()
    pages.next()
    pages.next()  # the third page
    shown = [r.record_id for r in pages.rows]
    membership.remove_records(ctx, static.id, shown[:1])
    pages.again(reload(static).size)
    assert pages.number == 2 and [r.record_id for r in pages.rows] == shown[1:] + [_by_offset(reload(static), 4)[2][-1]]
    # every member from this page on leaves: the last page as it is now
    gone = _order(reload(static))[8:]
    membership.remove_records(ctx, static.id, gone)
    pages.again(reload(static).size)
    assert pages.number == 1 and [r.record_id for r in pages.rows] == _by_offset(reload(static), 4)[-1]
    # the first page read again takes the newcomers
    newcomer = add_contacts({"first_name": "New"})[0]
    clock.advance(minutes=5)
    membership.add_records(ctx, static.id, [newcomer])
    pages.first()
    pages.again(reload(static).size)
    assert pages.rows[0].record_id == newcomer
    # a previous page whose members left meanwhile: the first page as it is now
    pages.next()
    membership.remove_records(ctx, static.id, _order(reload(static))[:2])
    assert pages.previous() and pages.number == 0
    assert [r.record_id for r in pages.rows] == _by_offset(reload(static), 4)[0]


def test_company_members_are_named_by_the_company(ctx, clock, database):
    ids = add_companies({"name": "Acme", "region": "Normandie"}, {"name": None})
    static = make(ctx, "Firms", "static", object_type="companies")
    membership.add_records(ctx, static.id, ids)
    pages = MemberPages("companies", static.id, 2)
    pages.first()
    assert [(r.key, r.name, r.region) for r in pages.rows] == [
        (Company.get_by_id(ids[1]).domain, "", None), (Company.get_by_id(ids[0]).domain, "Acme", "Normandie")]


@pytest.mark.sqlite_only  # the plans read here are SQLite's; PostgreSQL plans by its statistics
def test_a_page_is_an_index_range_without_a_sort(ctx, clock, database):
    static, _ = _static_with_ties(ctx, clock)
    pages = MemberPages("contacts", static.id, static.size, page_size=4)
    pages.first()
    pages.next()
    captured = []
    original = database_proxy.obj.execute_sql

    def capture(sql, params=None, *args, **kwargs):
        captured.append((sql, params))
        return original(sql, params, *args, **kwargs)

    database_proxy.obj.execute_sql = capture
    try:
        pages.next()
        pages.previous()
        pages.last()
    finally:
        del database_proxy.obj.execute_sql
    plans = [" | ".join(row[-1] for row in database_proxy.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
             for sql, params in captured]
    assert len(plans) == 3
    # the page's members from the index alone, from their edge on (only the page's rows are sorted after)
    for plan, bound in zip(plans, ("(joined_at,record_id)<(?,?)", "(joined_at,record_id)>(?,?)", "(segment_id=?)")):
        inner = plan.split("SCAN page")[0]
        assert "INDEX membership_segment_id_joined_at_record_id" in inner and bound in inner, plan
        assert "TEMP B-TREE" not in inner, plan


def test_edges_compare_as_stored(ctx, clock, database):
    static, ids = _static_with_ties(ctx, clock, count=22)
    _, edges = member_pages.read("contacts", static.id, limit=50)
    assert [e.record_id for e in edges] == [ids[21], ids[20], *sorted(ids[:20], reverse=True)]
    rows, _ = member_pages.read("contacts", static.id, where=member_pages._older(edges[0]), limit=1)
    assert [r.record_id for r in rows] == [ids[20]]
    rows, _ = member_pages.read("contacts", static.id, where=member_pages._older(edges[0], inclusive=True), limit=1)
    assert [r.record_id for r in rows] == [ids[21]]


@pytest.mark.parametrize(("total", "size", "expected"), [
    (0, 50, (1, 0, 0)), (1, 50, (1, 0, 1)), (50, 50, (1, 0, 50)), (51, 50, (2, 1, 1)), (123, 4, (31, 30, 3)),
])
def test_page_numbers_count_the_pages_and_what_the_last_one_holds(total, size, expected):
    pages = MemberPages("contacts", 1, total, page_size=size)
    assert (pages.pages, *pages.last_page()) == expected
    pages.number = 2
    assert pages.first_index == 2 * size
