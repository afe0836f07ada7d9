"""Imports as they come (issue 12): column matching, type inference, mapping errors, HubSpot exports."""

from __future__ import annotations

import csv
from pathlib import Path

import pendulum
import pytest

from segtui.core import imports, property_admin, records
from segtui.core import properties as registry
from segtui.core.errors import ImportRefused
from segtui.core.imports import ImportOptions
from segtui.core.models import Association, Company, Contact, ImportMapping, PropertyDefinition

from core_helpers import add_companies, dump, f, make, members, tree

SAMPLE = Path("/work/shared/data/hubspot-export")
HUBSPOT_CONTACTS = (
    "\ufeffRecord ID,First Name,Last Name,Email,Phone Number,Lifecycle Stage,Lead Status,State/Region,Create Date,"
    "Favorite Color,Yearly Gift,Member Level,Interests,Newsletter Opt-In,Associated Company IDs\n"
    "11,Erwan,Le Bihan,erwan@mail.example,06 12,Marketing Qualified Lead,IN_PROGRESS,Bretagne,2024-02-20 18:17,"
    "Red,120.50,Silver,Newsletters;Podcasts,true,\n"
    "12,Léa,Durand,lea@mail.example,,Customer,NEW,,2024-07-11 00:30,Blue,15,Gold,Webinars,false,21;22\n"
    "13,Anaïs,Gall,anais@mail.example,,Lead,,Occitanie,2024-09-11 10:35,Red,1500,Gold,Events;Podcasts,,22\n"
    "14,Jade,Gall,jade@mail.example,,Lead,OPEN,,2024-03-06 15:01,Green,15,Silver,,true,\n"
)
HUBSPOT_COMPANIES = (
    "Record ID,Company name,Company Domain Name,Industry,Number of Employees,Annual Revenue,Create Date\n"
    "21,Atelier Morvan,atelier.example,Computer Software,1200,120000,2025-09-14 19:36\n"
    "22,Studio Faure,studio.example,Hospitality,12,,2021-10-08 19:08\n"
)


def company_ids(email: str) -> list[str]:
    contact = Contact.get(Contact.email == email)
    rows = (Company.select(Company.domain, Association.is_primary).join(Association, on=(Association.company == Company.id))
            .where(Association.contact == contact.id).order_by(Association.is_primary.desc(), Company.domain))
    return [d + ("*" if p else "") for d, p in rows.tuples()]


@pytest.mark.parametrize("cells, expected", [
    (["true", "false", "", "yes"], ("boolean", [])),
    (["1", "0", "1"], ("number", [])),
    (["120.50", "15", "1500"], ("number", [])),
    (["1 234,5", "12,5"], ("number", [])),
    (["2024-01-02", "2024-12-31"], ("date", [])),
    (["2024-01-02 10:00", "2024-12-31"], ("datetime", [])),
    (["Red", "Blue", "red", "Blue", "Green", "Red"], ("enumeration", ["Blue", "Green", "Red"])),
    (["Events;Podcasts", "Podcasts", "Events;Webinars"], ("multiple_checkboxes", ["Events", "Podcasts", "Webinars"])),
    (["Paris", "Lyon", "Brest"], ("text", [])),
    (["", ""], ("text", [])),
])
def test_type_inference(cells, expected):
    proposal = imports.infer("Some Column", cells, tz="Europe/Paris")
    assert (proposal.type, proposal.options) == expected
    assert (proposal.label, proposal.name) == ("Some Column", "some_column")


def test_columns_match_names_labels_and_hubspot_headers(ctx):
    property_admin.create(ctx, "contacts", "Favorite Color", "text")
    table = imports.read_table("EMAIL,Geburtstag,first name,State / Région,Phone Number,FAVORITE-COLOR,favorite_color\n")
    columns = imports.plan("contacts", table)
    assert [(c.action, c.property, c.how) for c in columns] == [
        ("property", "email", "name"), ("unknown", None, ""), ("property", "first_name", "name"),
        ("property", "region", "HubSpot header"), ("property", "phone", "HubSpot header"),
        ("property", "favorite_color", "name"), ("property", "favorite_color", "name")]
    problems = imports.problems_of_plan("contacts", table, columns, ImportOptions())
    assert problems == [(1, "unknown column 'Geburtstag'"),
                        (1, "columns 'FAVORITE-COLOR', 'favorite_color' all fill 'Favorite Color'")]


def test_every_mapping_error_is_named_and_nothing_is_written(ctx):
    property_admin.create(ctx, "contacts", "Old", "text")
    property_admin.archive(ctx, "contacts", "old")
    before = dump()
    text = "Emial,Regoin,Old,Colour,Size\nx@example.org,B,1,red,2\n"
    options = ImportOptions(mapping={"Colour": "no_such", "Nothing": "region"}, skip=("Absent",))
    with pytest.raises(ImportRefused) as caught:
        records.import_csv(ctx, "contacts", text, options=options)
    assert caught.value.problems == [
        (1, "there is no column 'Nothing' to map or skip (columns: Emial, Regoin, Old, Colour, Size)"),
        (1, "there is no column 'Absent' to map or skip (columns: Emial, Regoin, Old, Colour, Size)"),
        (1, "unknown column 'Emial' (did you mean 'Email'?)"),
        (1, "unknown column 'Regoin' (did you mean 'Region'?)"),
        (1, "column 'Old': the property 'Old' is archived: restore it to import into it"),
        (1, "--map Colour=no_such: contacts have no property 'no_such'"),
        (1, "unknown column 'Size'"),
        (1, "the header has no 'Email' column (email), which identifies contacts"),
    ]
    assert dump() == before
    # a property to create whose name is taken by an archived one ("Old" reads as "old" too: renamed)
    with pytest.raises(ImportRefused) as caught:
        records.import_csv(ctx, "contacts", "email,Colour\nx@example.org,1\n", options=ImportOptions(
            proposals={"Colour": imports.Proposal("Old one", "old", "text")}))
    assert caught.value.problems == [
        (1, "column 'Colour': A contacts property named 'old' already exists (archived): 'Old'; "
            "choose another label or --name")]
    assert dump() == before


def test_map_skip_and_skip_unknown(ctx):
    text = "E-mail address,Colour,Size,Region\nx@example.org,red,2,Bretagne\n"
    report = records.import_csv(ctx, "contacts", text, options=ImportOptions(
        mapping={"E-mail address": "Email", "Size": ""}, skip=("Colour",)))
    assert (report.created, report.columns) == (1, ["email", "region"])
    report = records.import_csv(ctx, "contacts", "email,Colour,Size\ny@example.org,red,2\n",
                                options=ImportOptions(skip_unknown=True))
    assert (report.created, report.columns) == (1, ["email"])


def test_a_hubspot_export_imports_in_one_command(ctx, clock):
    companies = records.import_csv(ctx, "companies", HUBSPOT_COMPANIES)
    assert (companies.created, Company.get(Company.domain == "atelier.example").hubspot_id) == (2, "21")
    assert Company.get(Company.domain == "atelier.example").created_date == pendulum.date(2025, 9, 14)
    report = records.import_csv(ctx, "contacts", HUBSPOT_CONTACTS, options=ImportOptions(create_properties=True))
    assert [p.describe() for p in report.created_properties] == [
        "'Favorite Color' (favorite_color, text)",  # three colours in four lines: not repeated enough
        "'Yearly Gift' (yearly_gift, number)",
        "'Member Level' (member_level, enumeration: Gold, Silver)",
        "'Interests' (interests, multiple_checkboxes: Events, Newsletters, Podcasts, Webinars)",
        "'Newsletter Opt-In' (newsletter_opt_in, boolean)",
    ]
    assert (report.created, report.associations) == (4, 3)
    erwan = Contact.get(Contact.email == "erwan@mail.example")
    assert (erwan.hubspot_id, erwan.first_name, erwan.lifecycle_stage, erwan.lead_status, erwan.region) == (
        "11", "Erwan", "marketing_qualified_lead", "in_progress", "Bretagne")
    assert (erwan.p_favorite_color, erwan.p_yearly_gift, erwan.p_interests, erwan.p_newsletter_opt_in) == (
        "Red", 120.5, ";newsletters;podcasts;", True)
    # 00:30 in Paris on 11 July is still 10 July in UTC: the day is the account's
    assert Contact.get(Contact.email == "lea@mail.example").created_date == pendulum.date(2024, 7, 11)
    assert company_ids("lea@mail.example") == ["atelier.example*", "studio.example"]
    assert company_ids("anais@mail.example") == ["studio.example*"]
    # the same file again changes nothing
    again = records.import_csv(ctx, "contacts", HUBSPOT_CONTACTS)
    assert (again.created, again.updated, again.unchanged, again.associations) == (0, 0, 4, 0)
    assert (ImportMapping.select().count(), PropertyDefinition.select().where(~PropertyDefinition.builtin).count()) == (2, 5)


@pytest.mark.skipif(not SAMPLE.exists(), reason="the shared sample export is not on this machine")
def test_the_sample_export(ctx):
    records.import_csv(ctx, "companies", (SAMPLE / "companies.csv").read_text(encoding="utf-8-sig"))
    report = records.import_csv(ctx, "contacts", (SAMPLE / "contacts.csv").read_text(encoding="utf-8-sig"),
                                options=ImportOptions(create_properties=True))
    assert report.created == 60 and not report.problems
    assert {p.name for p in report.created_properties} == {
        "contact_owner", "favorite_color", "yearly_gift", "member_level", "interests", "newsletter_opt_in"}


def test_unknown_company_ids_and_names_are_reported_by_line(ctx):
    records.import_csv(ctx, "companies", HUBSPOT_COMPANIES)
    add_companies({"domain": "twin1.example", "name": "Twin"}, {"domain": "twin2.example", "name": "Twin"})
    before = dump()
    with pytest.raises(ImportRefused) as caught:
        records.import_csv(ctx, "contacts", "email,Associated Company IDs\na@x.org,21;99\nb@x.org,\n")
    assert caught.value.problems == [(2, "Associated Company IDs: no company has the Record ID 99 (import the companies first)")]
    assert dump() == before
    report = records.import_csv(ctx, "contacts", "email,Associated Company\na@x.org,studio faure\nb@x.org,Twin\nc@x.org,Nobody\n")
    assert report.warnings == [(3, "Associated Company 'Twin' not linked: 2 companies have that name"),
                               (4, "Associated Company 'Nobody' not linked: no company has that name")]
    assert company_ids("a@x.org") == ["studio.example*"] and company_ids("b@x.org") == []


def test_a_company_domain_column_associates_and_creates_the_company(ctx):
    records.import_csv(ctx, "companies", HUBSPOT_COMPANIES)
    report = records.import_csv(ctx, "contacts", "email,Company Domain Name\na@x.org,STUDIO.example\nb@x.org,new.example\n")
    assert (report.associations, report.companies_created) == (2, 1)
    assert company_ids("a@x.org") == ["studio.example*"] and company_ids("b@x.org") == ["new.example*"]


def test_enumeration_values_by_value_or_label_and_new_options(ctx):
    property_admin.create(ctx, "contacts", "Member Level", "enumeration", options="Gold,Silver")
    before = dump()
    text = "email,Member Level,Lead Status\na@x.org,GOLD,in progress\nb@x.org,Platinum,Bad timing\n"
    with pytest.raises(ImportRefused) as caught:
        records.import_csv(ctx, "contacts", text)
    # "in progress" is the label of lead status in_progress: accepted
    assert caught.value.problems == [(3, "Member Level: 'Platinum' is not one of its options (Gold, Silver)")]
    assert dump() == before
    # the mapping screen offers to add the value as an option first
    report = records.import_csv(ctx, "contacts", text, options=ImportOptions(add_options={"member_level": ["Platinum"]}))
    assert report.created == 2
    assert Contact.get(Contact.email == "b@x.org").p_member_level == "platinum"
    assert registry.get("contacts", "member_level").options == ("gold", "silver", "platinum")


def test_number_and_date_rules_per_column(ctx):
    property_admin.create(ctx, "contacts", "Gift", "number")
    property_admin.create(ctx, "contacts", "Seen", "datetime")
    text = ('email,Gift,Seen\na@x.org,"1 234,5",2026-03-29 02:30\nb@x.org,"12,5",2026-11-26T10:00:00Z\n'
            'c@x.org,7,2026-11-26\n')
    records.import_csv(ctx, "contacts", text)
    assert [c.p_gift for c in Contact.select().order_by(Contact.email)] == [1234.5, 12.5, 7.0]
    seen = [c.p_seen for c in Contact.select().order_by(Contact.email)]
    assert seen[1] == pendulum.datetime(2026, 11, 26, 10) and seen[2] == pendulum.datetime(2026, 11, 25, 23)
    with pytest.raises(ImportRefused) as caught:
        records.import_csv(ctx, "contacts", 'email,Gift\nd@x.org,"1,5"\ne@x.org,1.5\n')
    assert caught.value.problems == [(1, "column 'Gift': mixes '1.5' ('.' as the decimal point) and '1,5' "
                                         "(',' as the decimal point)")]


def test_dry_run_counts_and_writes_nothing(ctx):
    records.import_csv(ctx, "contacts", "email,region\na@x.org,Bretagne\nb@x.org,Normandie\n")
    before = dump()
    table = imports.read_table("email,region,Colour\na@x.org,Bretagne,\nb@x.org,Occitanie,blue\nc@x.org,,red\nd@x.org,,nope;\n"
                               "e@x.org\n")
    checked, report = imports.check(ctx, "contacts", table, ImportOptions(create_properties=True))
    assert (report.created, report.updated, report.unchanged, report.refused) == (2, 1, 1, 1)
    assert report.problems == [(6, "1 cells where the header has 3")]
    assert [p.describe() for p in report.created_properties] == ["'Colour' (colour, text)"]
    assert dump() == before and "p_colour" not in Contact._meta.fields


def test_export_reimports_unchanged_with_custom_properties(ctx, tmp_path):
    records.import_csv(ctx, "companies", HUBSPOT_COMPANIES)
    records.import_csv(ctx, "contacts", HUBSPOT_CONTACTS, options=ImportOptions(create_properties=True))
    segment = make(ctx, "Everyone", "active", tree([f("email", "is_known")]))
    path = tmp_path / "everyone.csv"
    assert records.export_members(segment.id, path, tz="Europe/Paris") == 4
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    assert list(rows[0])[:3] == ["Email", "First name", "Last name"]
    assert {"Favorite Color", "Interests", "Record ID"} <= set(rows[0])
    erwan = next(r for r in rows if r["Email"] == "erwan@mail.example")
    assert (erwan["Interests"], erwan["Yearly Gift"], erwan["Newsletter Opt-In"], erwan["Record ID"]) == (
        "newsletters;podcasts", "120.5", "true", "11")
    before = dump()
    report = records.import_csv(ctx, "contacts", path.read_text(encoding="utf-8"))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    assert dump()["contact"] == before["contact"]
    assert members(segment) == {c.id for c in Contact.select()}


def test_remembered_mapping_for_the_same_headers(ctx):
    records.import_csv(ctx, "contacts", "Courriel,Colour\na@x.org,red\n",
                       options=ImportOptions(mapping={"Courriel": "email"}, skip=("Colour",)))
    assert imports.remembered_mapping("contacts", ["COURRIEL", "colour"]) == {"Courriel": "email", "Colour": ""}
    assert imports.remembered_mapping("contacts", ["Courriel"]) is None


def test_the_mapping_screen_preview_reads_nothing_into_the_database(ctx):
    """What the console's mapping screen is built on: the first mapping (remembered, else unknown
    columns proposed as new properties), the preview of the first lines, values that are not options."""
    text = ("Email,Lifecycle Stage,Favorite Color,Yearly Gift\n"
            "a@example.org,Lead,Blue,\"1 234,5\"\n"
            "b@example.org,Starship captain,Red,12\n"
            "c@example.org,starship CAPTAIN,Blue,7\n"
            "d@example.org,Lead,Red,3\n")
    table = imports.read_table(text)
    before = dump()
    options = imports.first_options(ctx, "contacts", table)
    assert sorted(options.proposals) == ["Favorite Color", "Yearly Gift"] and not options.create_properties
    shown = imports.preview(ctx, "contacts", table, options)
    assert shown.detected[2].type == "enumeration" and shown.detected[3].type == "number"
    assert shown.headings == ["Email", "Lifecycle stage", "Favorite Color", "Yearly Gift"]
    assert shown.lines[0] == (2, ["a@example.org", "Lead", "Blue", "1234.5"], "")
    assert shown.lines[1][0] == 3 and shown.lines[1][1] == [] and "'Starship captain' is not one of" in shown.lines[1][2]
    # one value to add, whatever its case; adding it (o on the screen) clears the problem
    assert shown.report.unknown_options == {"lifecycle_stage": ["Starship captain"]}
    options.add_options["lifecycle_stage"] = ["Starship captain"]
    assert imports.preview(ctx, "contacts", table, options).report.problems == []
    assert dump() == before
    # importing remembers the mapping: the next file with these headers starts from it
    imports.run(ctx, "contacts", text, options)
    assert registry.get("contacts", "lifecycle_stage").options[-1] == "starship_captain"
    again = imports.first_options(ctx, "contacts", table)
    assert again.mapping["Favorite Color"] == "favorite_color" and not again.proposals


@pytest.mark.parametrize("header, options, message", [
    ("Email,Colour,colour!", ImportOptions(create_properties=True), "2 columns would create the same property 'colour'"),
    ("Email,Associated Company IDs,Company IDs", ImportOptions(mapping={"Company IDs": "Associated Company IDs"}),
     "the associated companies are given by more than one column of the same kind"),
    ("Email,Firm", ImportOptions(mapping={"Firm": "nothing_like_it"}), "--map Firm=nothing_like_it: contacts have no"),
])
def test_mapping_errors_in_the_header_refuse_the_file(ctx, header, options, message):
    before = dump()
    with pytest.raises(ImportRefused, match=message):
        records.import_csv(ctx, "contacts", f"{header}\n" + "a@example.org" + ",x" * header.count(",") + "\n",
                           options=options)
    assert dump() == before
