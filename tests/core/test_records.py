"""Records: CSV import (upsert, all or nothing), marking segments for refresh, export, edits."""

from __future__ import annotations

import csv
import json
from dataclasses import replace

import pendulum
import pytest

from segtui import worker
from segtui.core import membership, records
from segtui.core.errors import ImportRefused, InvalidInput
from segtui.core.models import AuditEntry, Company, Contact, Membership, MembershipLog
from segtui.core.properties import properties

from core_helpers import add_companies, add_contacts, dump, f, log_rows, make, members, region_is, reload, tree

T0 = pendulum.datetime(2026, 11, 26, 9, 30, tz="UTC")


@pytest.fixture
def stored(database):
    """Two known contacts with most properties set."""
    add_contacts(
        {"email": "anne@example.org", "first_name": "Anne", "region": "Bretagne", "events_attended": 2,
         "subscribed": True, "created_date": pendulum.date(2025, 1, 2), "lifecycle_stage": "lead"},
        {"email": "yann@example.org", "first_name": "Yann", "region": "Normandie", "events_attended": 0,
         "subscribed": False},
    )


def contact(email: str) -> Contact:
    return Contact.get(Contact.email == email)


def test_import_upserts_by_key_case_insensitively(ctx, clock, stored):
    clock.advance(hours=1)
    text = (
        "Email,First_Name,region,events_attended,subscribed,created_date,lifecycle_stage\n"
        "ANNE@Example.org,,Normandie,3.5,no,,customer\n"
        "new@example.org,Léa,Bretagne,1,YES,2026-11-01,Subscriber\n"
        "\n"
        "  other@example.org ,,,,1,,\n"
    )
    report = records.import_csv(ctx, "contacts", text)
    assert (report.lines, report.created, report.updated) == (3, 2, 1)
    assert report.sentence() == "3 lines: 2 created, 1 updated"
    assert report.columns == ["email", "first_name", "region", "events_attended", "subscribed", "created_date", "lifecycle_stage"]
    assert Contact.select().count() == 4
    anne = contact("anne@example.org")
    # empty cells keep the stored values
    assert (anne.first_name, anne.region, anne.events_attended, anne.subscribed, anne.created_date, anne.lifecycle_stage) == (
        "Anne", "Normandie", 3.5, False, pendulum.date(2025, 1, 2), "customer")
    assert anne.updated_at == clock.now()
    new = contact("new@example.org")
    assert (new.first_name, new.subscribed, new.created_date, new.lifecycle_stage, new.phone) == (
        "Léa", True, pendulum.date(2026, 11, 1), "subscriber", None)
    assert contact("other@example.org").subscribed is True
    assert contact("yann@example.org").updated_at == T0  # not in the file: untouched
    (entry,) = AuditEntry.select().where(AuditEntry.action == "import")
    assert entry.summary == "Imported contacts: 3 lines: 2 created, 1 updated" and entry.actor == "alice"


@pytest.mark.parametrize("word, value", [("true", True), ("TRUE", True), ("yes", True), ("1", True),
                                         ("false", False), ("No", False), ("0", False)])
def test_boolean_words(ctx, stored, word, value):
    records.import_csv(ctx, "contacts", f"email,subscribed\nyann@example.org,{word}\n")
    assert contact("yann@example.org").subscribed is value


@pytest.mark.parametrize(
    "text, problems",
    [
        ("email,colour,size\na@x.org,red,1\n", [(1, "unknown column 'colour' (did you mean 'Country'?)"),
                                                 (1, "unknown column 'size'")]),
        ("first_name,region\nAnne,Bretagne\n", [(1, "the header has no 'Email' column (email), which identifies contacts")]),
        ("email,region,Region\na@x.org,B,B\n", [(1, "columns 'region', 'Region' all fill 'Region'")]),
        (
            "email,events_attended,created_date,subscribed,lifecycle_stage\n"
            "a@x.org,1,2026-01-01,true,lead\n"
            "b@x.org,1,5,2026-01-01,true,lead\n"
            "c@x.org,two,2026-02-30,maybe,boss\n"
            ",1,2026-01-01,true,lead\n"
            "A@X.org,1,2026-01-01,true,lead\n"
            "d@x.org,1e999,26/11/2026,true,lead\n"
            "not an email,1,,,\n",
            [
                (3, "6 cells where the header has 5"),
                (4, "Events attended must be a number, not 'two'"),
                (4, "Created date: 2026-02-30 is not a real day"),
                (4, "Subscribed must be true or false (or yes/no, 1/0), not 'maybe'"),
                (4, "Lifecycle stage: 'boss' is not one of its options (Subscriber, Lead, Marketing qualified lead, "
                    "Sales qualified lead, Opportunity, Customer, Evangelist, Other)"),
                (5, "missing email"),
                (6, "email a@x.org is also on line 2"),
                (7, "Events attended: '1e999' is too large"),
                (7, "Created date must be a date YYYY-MM-DD, not '26/11/2026'"),
                (8, "Email 'not an email' contains spaces"),
            ],
        ),
        ("email,events_attended\na@x.org,\"1,234\"\n", [(1, "column 'events_attended': '1,234' could be read with ',' or '.' "
                                                      "as the decimal point: write it without a thousands separator "
                                                      "(1234 or 1234.5)")]),
        ("email\nnobody\n", [(2, "'nobody' is not an email address")]),
    ],
)
def test_bad_files_are_refused_whole_with_line_numbers(ctx, stored, text, problems):
    before = dump()
    with pytest.raises(ImportRefused) as caught:
        records.import_csv(ctx, "contacts", text)
    assert caught.value.problems == problems
    assert str(caught.value).startswith("The file was refused, nothing was imported")
    for line, message in problems:
        assert f"line {line}: {message}" in str(caught.value)
    assert caught.value.exit_code == 2
    assert dump() == before


def test_an_empty_file_is_refused_and_a_header_alone_imports_nothing(ctx, stored):
    with pytest.raises(ImportRefused) as caught:
        records.import_csv(ctx, "contacts", "")
    assert (str(caught.value), caught.value.problems) == (
        "The file is empty: it needs a header row of property names", [(1, "empty file")])
    report = records.import_csv(ctx, "contacts", "email,region\n")
    assert (report.lines, report.created, report.updated) == (0, 0, 0)
    assert Contact.select().count() == 2


def test_a_bad_line_at_the_end_refuses_the_good_ones_too(ctx, stored):
    good = "".join(f"p{i}@example.org,Bretagne\n" for i in range(1200))  # more than two batches
    with pytest.raises(ImportRefused) as caught:
        records.import_csv(ctx, "contacts", "email,events_attended\n" + good.replace("Bretagne", "1") + "last@example.org,x\n")
    assert caught.value.problems == [(1202, "Events attended must be a number, not 'x'")]
    assert Contact.select().count() == 2


def test_companies_import_by_domain(ctx, database):
    add_companies({"domain": "acme.fr", "name": "Acme", "employees": 10})
    report = records.import_csv(ctx, "companies", "domain,employees,annual_revenue\nACME.fr,12,\nbeta.io,300,1.5e6\n")
    assert (report.created, report.updated) == (1, 1)
    assert [(c.domain, c.name, c.employees, c.annual_revenue) for c in Company.select().order_by(Company.id)] == [
        ("acme.fr", "Acme", 12, None), ("beta.io", None, 300, 1_500_000)]
    with pytest.raises(ImportRefused, match="'acme' is not a domain name"):
        records.import_csv(ctx, "companies", "domain\nacme\n")
    with pytest.raises(InvalidInput, match="Unknown object type 'people'"):
        records.import_csv(ctx, "people", "email\na@x.org\n")


def test_import_moves_the_affected_active_segments_in_its_transaction(ctx, clock, stored):
    by_region = make(ctx, "Bretons", "active", region_is("Bretagne"))
    by_events = make(ctx, "Regulars", "active", tree([f("events_attended", "gte", value=2)]))
    frozen = make(ctx, "Frozen Bretons", "static", region_is("Bretagne"))
    big = make(ctx, "Big", "active", tree([f("employees", "gt", value=1)]), "companies")
    assert members(by_region) == {1}
    clock.advance(minutes=10)
    # an update of regions only: the segments reading region follow at once, no other is touched
    report = records.import_csv(ctx, "contacts", "email,region\nyann@example.org,bretagne\n")
    assert members(by_region) == {1, 2} and reload(by_region).size == 2
    assert report.followed.joined == {by_region.id: [2]} and report.followed.evaluated == 1
    assert report.segments_sentence() == "1 joined 1 segment."
    assert log_rows(by_region)[-1] == (2, "added", "import: region changed")
    assert reload(by_region).last_activity_at == clock.now()
    assert {reload(s).next_refresh_at for s in (by_region, by_events, frozen, big)} == {None}
    assert members(frozen) == {1} and reload(by_events).last_activity_at != clock.now()
    assert worker.tick(ctx, me="w1").refreshed == []  # nothing left for the worker
    (entry,) = AuditEntry.select().where(AuditEntry.action == "import")
    assert json.loads(entry.after)["segments"]["joined"] == [{"segment": by_region.id, "name": "Bretons", "records": 1}]
    # a new record may match anything: every active segment of that object evaluates it
    clock.advance(minutes=10)
    report = records.import_csv(ctx, "contacts", "email,events_attended,region\nnew@example.org,5,Alsace\n")
    assert members(by_events) == {1, 3} and members(by_region) == {1, 2}
    assert report.followed.evaluated == 2
    assert log_rows(by_events)[-1] == (3, "added", "import: new record")


def test_import_into_a_static_segment(ctx, clock, stored):
    target = make(ctx, "Met at the fair", "static")
    membership.add_records(ctx, target.id, [1])
    clock.advance(minutes=1)
    report = records.import_csv(replace(ctx, actor="bob"), "contacts",
                                "email,city\nanne@example.org,Rennes\nfair@example.org,Brest\n", segment_id=target.id)
    assert (report.created, report.updated, report.added_to_segment) == (1, 1, 1)
    assert report.sentence() == "2 lines: 1 created, 1 updated, 1 added to the segment"
    new_id = contact("fair@example.org").id
    assert members(target) == {1, new_id}
    sources = {m.record_id: m.source for m in Membership.select().where(Membership.segment == target.id)}
    assert sources == {1: "manual", new_id: "import"}
    assert log_rows(target)[-1] == (new_id, "added", "import")
    row = reload(target)
    assert (row.size, row.last_activity_at) == (2, clock.now())
    actions = [(e.action, e.actor) for e in AuditEntry.select().where(AuditEntry.segment_id == target.id).order_by(AuditEntry.id)]
    assert actions[-2:] == [("add_records", "bob"), ("import", "bob")]


@pytest.mark.parametrize(
    "kind, message",
    [
        ("active", "'Target' is active: records can be imported into static segments only"),
        ("companies", "'Target' holds companies, not contacts"),
    ],
)
def test_import_into_a_wrong_segment_imports_nothing(ctx, stored, kind, message):
    if kind == "active":
        target = make(ctx, "Target", "active", region_is("Bretagne"))
    else:
        target = make(ctx, "Target", "static", object_type="companies")
    before = dump()
    with pytest.raises(InvalidInput) as caught:
        records.import_csv(ctx, "contacts", "email\nnew@example.org\n", segment_id=target.id)
    assert str(caught.value) == message
    assert dump() == before


def test_export_members(ctx, stored, tmp_path):
    add_contacts({"email": "pierre@example.org", "region": "Bretagne", "first_name": 'Pierre "Pierrot", Jr\nII',
                  "last_activity_date": pendulum.date(2026, 11, 20)})
    segment = make(ctx, "Bretons", "active", region_is("Bretagne"))
    path = tmp_path / "out.csv"
    assert records.export_members("Bretons", path, headers="names") == 2
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(properties("contacts"))
    assert rows[0][:3] == ["email", "first_name", "last_name"]
    assert len(rows) == 3
    by_key = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert set(by_key) == {"anne@example.org", "pierre@example.org"}
    anne = by_key["anne@example.org"]
    assert (anne["events_attended"], anne["subscribed"], anne["created_date"], anne["phone"], anne["lifecycle_stage"]) == (
        "2", "true", "2025-01-02", "", "lead")
    assert by_key["pierre@example.org"]["first_name"] == 'Pierre "Pierrot", Jr\nII'
    assert by_key["pierre@example.org"]["last_activity_date"] == "2026-11-20"
    # what is exported imports back as it was
    before = dump()
    report = records.import_csv(ctx, "contacts", path.read_text(encoding="utf-8"))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    after = dump()
    assert after["contact"] == before["contact"] and members(segment) == {1, 3}
    empty = make(ctx, "Empty", "static")
    assert records.export_members(empty.id, tmp_path / "empty.csv", headers="names") == 0
    assert (tmp_path / "empty.csv").read_text(encoding="utf-8").splitlines() == [",".join(properties("contacts"))]
    with pytest.raises(InvalidInput, match="Cannot write"):
        records.export_members(empty.id, tmp_path / "no" / "such" / "folder.csv")


def test_read_file(tmp_path):
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeffemail\na@x.org\n".encode("utf-8"))
    assert records.read_file(bom) == "email\na@x.org\n"
    latin = tmp_path / "latin.csv"
    latin.write_bytes("email,city\na@x.org,Qu\xe9bec\n".encode("latin-1"))
    with pytest.raises(ImportRefused, match="is not UTF-8 text"):
        records.read_file(latin)
    with pytest.raises(InvalidInput, match="No file at"):
        records.read_file(tmp_path / "missing.csv")
    with pytest.raises(InvalidInput, match="is a folder"):
        records.read_file(tmp_path)


def test_set_property_moves_only_the_segments_reading_it(ctx, clock, stored):
    by_region = make(ctx, "Bretons", "active", region_is("Bretagne"))
    make(ctx, "Regulars", "active", tree([f("events_attended", "gte", value=2)]))  # reads another property
    clock.advance(minutes=1)
    record, done = records.set_property(replace(ctx, actor="bob"), "contacts", 2, "region", "Bretagne")
    assert (record.region, done.joined, done.left, done.evaluated) == ("Bretagne", {by_region.id: [2]}, {}, 1)
    assert done.sentence(2) == "Joined 'Bretons'."
    assert members(by_region) == {1, 2} and reload(by_region).next_refresh_at is None
    last = MembershipLog.select().order_by(MembershipLog.id.desc()).first()
    assert (last.record_id, last.action, last.reason, last.actor, last.at) == (2, "added", "region changed", "bob", clock.now())
    (entry,) = AuditEntry.select().where(AuditEntry.action == "edit_record")
    assert entry.summary == "Set region of contact #2. Joined 'Bretons'."
    assert json.loads(entry.before) == {"region": "Normandie"}
    before = dump()
    for name, text, message in [
        ("events_attended", "lots", "Events attended must be a number"),
        ("colour", "red", "Unknown property 'colour' for contacts"),
        ("email", "", "Email cannot be empty"),
        ("email", "ANNE@example.org", "Another contact already has this email: anne@example.org"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            records.set_property(ctx, "contacts", 2, name, text)
    assert dump() == before
