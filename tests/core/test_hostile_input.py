"""Hostile text and lost races, on SQLite and PostgreSQL alike.

Text from the data is stored exactly as given (markup, escape sequences, right-to-left
text, very long names); the one character PostgreSQL cannot store, NUL, is refused on both
databases with a message naming the field. A name taken by another admin between our
check and our write (the unique index decides) is refused like any taken name.
"""

from __future__ import annotations

import pytest

from segtui.core import conversions, membership, records, segments
from segtui.core.errors import ImportRefused, InvalidFilter, InvalidInput, InvalidName, SegmentNotFound
from segtui.core.models import Contact, Segment

from core_helpers import dump, f, make, region_is, regions, reload, tree

HOSTILE = [
    "[bold red]VIP[/] [link=https://evil.example]click[/link]",
    "\x1b[2J\x1b[31mred\x1b[0m \x1b]0;pwned\x07 \x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "\u202eCRM \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 \u202c",
    "".join(chr(0x41 + (i * 7919) % 26 + (i % 3 == 0) * 0x20) + "éß☃"[i % 3] for i in range(5_000)),  # 10,000
    "Ünïcödé ☃ 🎉 \u200b\u00a0tab\there",
]


@pytest.fixture
def people(database):
    return regions("Bretagne", "Bretagne", "Normandie")


@pytest.mark.parametrize("text", HOSTILE, ids=["markup", "escapes", "rtl", "10k", "unicode"])
def test_hostile_text_is_stored_as_given(ctx, people, text):
    segment = make(ctx, text, "static")
    assert reload(segment).name == text.strip()
    segments.rename(ctx, segment.id, text + "!")
    assert segments.get(text.strip() + "!").id == segment.id
    assert [s.id for s in segments.list_page(search=text[:50]).rows] == [segment.id]
    records.import_csv(ctx, "contacts", 'email,first_name,city\nx@example.org,"' + text.replace('"', '""') + '",ok\n')
    assert Contact.get(Contact.email == "x@example.org").first_name == text.strip()
    active = make(ctx, "Named", "active", tree([f("first_name", "is_any_of", values=[text])]))
    assert reload(active).size == 1


NUL_ACTS = {
    "create": (lambda ctx, s: segments.create(ctx, "Bad\x00name", "contacts", "static"),
               InvalidName, "A segment name cannot contain a NUL character"),
    "rename": (lambda ctx, s: segments.rename(ctx, s.id, "Bad\x00name"),
               InvalidName, "A segment name cannot contain a NUL character"),
    "clone": (lambda ctx, s: segments.clone(ctx, s.id, "Bad\x00name"),
              InvalidName, "A segment name cannot contain a NUL character"),
    "filter value": (lambda ctx, s: segments.update_filters(ctx, s.id, region_is("Bre\x00tagne")),
                     InvalidFilter, "Group 1, filter 1: Region cannot contain a NUL character"),
    "new segment filter": (lambda ctx, s: segments.create(ctx, "New", "contacts", "active", region_is("\x00")),
                           InvalidFilter, "Region cannot contain a NUL character"),
    "import cell": (lambda ctx, s: records.import_csv(ctx, "contacts", "email,city\na@example.org,Re\x00nnes\n"),
                    ImportRefused, "line 2: City contains a NUL character"),
    "import key": (lambda ctx, s: records.import_csv(ctx, "contacts", "email\na\x00@example.org\n"),
                   ImportRefused, "line 2: Email contains a NUL character"),
    "edit property": (lambda ctx, s: records.set_property(ctx, "contacts", 1, "city", "Re\x00nnes"),
                      InvalidInput, "City contains a NUL character"),
    "search segments": (lambda ctx, s: segments.list_page(search="a\x00"),
                        InvalidInput, "The search text cannot contain a NUL character"),
    "search records": (lambda ctx, s: records.search("contacts", "a\x00"),
                       InvalidInput, "The search text cannot contain a NUL character"),
    "segment by name": (lambda ctx, s: segments.get("Bretons\x00"),
                        SegmentNotFound, "No segment named 'Bretons\\\\x00'"),
    "record keys": (lambda ctx, s: membership.resolve_keys("contacts", ["c1@example.org\x00"]),
                    InvalidInput, "No contact c1@example.org\x00"),
}


@pytest.mark.parametrize("act", NUL_ACTS)
def test_a_nul_character_is_refused_naming_the_field_and_nothing_changes(ctx, people, act):
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    run, error, message = NUL_ACTS[act]
    before = dump()
    with pytest.raises(error, match=message):
        run(ctx, segment)
    assert dump() == before


# ---------------------------------------------------------------- races the unique index decides


@pytest.fixture
def check_passes(monkeypatch):
    """Our check saw the name free; another admin took it before our write."""
    monkeypatch.setattr(segments, "_check_name_free", lambda *args, **kwargs: None)


def test_very_long_names_stay_unique_case_insensitively(ctx, people):
    long = HOSTILE[3]
    make(ctx, long, "static")
    with pytest.raises(InvalidName, match="already exists"):
        make(ctx, long.upper(), "static")
    other = make(ctx, long[:-1] + "x", "static")  # differs only at the very end
    assert segments.get(long[:-1] + "x").id == other.id
    assert segments.list_page(sort="name").total == 2


def test_a_rename_to_a_name_taken_meanwhile_is_refused(ctx, people, check_passes):
    mine = make(ctx, "Mine", "static")
    make(ctx, "Theirs", "static")
    before = dump()
    with pytest.raises(InvalidName, match="A contacts segment named 'THEIRS' already exists: choose another name"):
        segments.rename(ctx, mine.id, "THEIRS")
    assert dump() == before
    assert segments.rename(ctx, mine.id, "Free").name == "Free"  # the connection is usable


def test_a_create_with_a_name_taken_meanwhile_is_refused(ctx, people, check_passes):
    make(ctx, "Theirs", "static")
    before = dump()
    with pytest.raises(InvalidName, match="named 'theirs' already exists"):
        segments.create(ctx, "theirs", "contacts", "static")
    assert dump() == before


def test_a_restore_under_a_name_taken_meanwhile_is_refused(ctx, people, check_passes):
    old = make(ctx, "Bretons", "active", region_is("Bretagne"))
    segments.delete(ctx, old.id)
    make(ctx, "bretons", "static")
    before = dump()
    with pytest.raises(InvalidName, match="named 'Bretons' already exists"):
        segments.restore(ctx, old.id)
    assert dump() == before
    assert reload(old).deleted_at is not None


def test_a_conversion_is_atomic_when_it_fails_halfway(ctx, people, monkeypatch):
    """A failure after the type changed (the audit write) leaves the segment as it was."""
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))

    def broken(*args, **kwargs):
        raise InvalidInput("the audit log is full")

    monkeypatch.setattr(conversions.audit, "record", broken)
    before = dump()
    with pytest.raises(InvalidInput, match="the audit log is full"):
        conversions.convert_to_static(ctx, segment.id)
    with pytest.raises(InvalidInput, match="the audit log is full"):
        segments.update_filters(ctx, segment.id, region_is("Normandie"))
    assert dump() == before
    assert reload(segment).type == "active" and Segment.select().count() == 1


# -- files the csv module itself refuses, and paths the system refuses -------------------------
@pytest.mark.sqlite_only
def test_a_field_past_the_csv_limit_is_refused_with_its_line(ctx, people):
    huge = "x" * 200_000
    before = dump()
    with pytest.raises(ImportRefused) as caught:
        records.import_csv(ctx, "contacts", f"{huge}\n")
    assert str(caught.value) == "Line 1: field larger than field limit (131072)"
    assert caught.value.problems == [(1, "field larger than field limit (131072)")]
    with pytest.raises(ImportRefused) as caught:
        records.import_csv(ctx, "contacts", f"email,region\nok@example.org,Alsace\n{huge}@example.org,Alsace\n")
    assert str(caught.value) == ("The file was refused, nothing was imported (1 problem):\n"
                                 "  line 3: field larger than field limit (131072)")
    assert dump() == before


@pytest.mark.sqlite_only
def test_a_path_the_system_refuses_is_told_in_a_sentence(tmp_path):
    path = tmp_path / ("x" * 300 + ".csv")  # longer than a file name may be
    with pytest.raises(InvalidInput) as caught:
        records.read_file(path)
    assert str(caught.value) == f"Cannot read {path}: File name too long"
