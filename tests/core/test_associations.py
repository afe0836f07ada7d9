"""Associations (issue 12): many-to-many with a primary company, association filters, re-evaluation."""

from __future__ import annotations

import pytest

from segtui import worker
from segtui.core import associations, check, filters, follow, property_admin, records, segments
from segtui.core.errors import InvalidFilter, InvalidInput, RecordNotFound
from segtui.core.models import Association, Company, Contact

from core_helpers import add_companies, add_contacts, f, inconsistencies, log_rows, make, members, reload, tree


def assoc(*filters_, **extra) -> dict:
    return {"association": "companies", "filters": list(filters_), **extra}


@pytest.fixture
def world(ctx):
    """Three companies, five contacts: c1 -> soft, c2 -> soft + shop, c3 -> shop, c4 -> farm, c5 -> none."""
    soft, shop, farm = add_companies({"industry": "Software", "employees": 500}, {"industry": "Retail", "employees": 20},
                                     {"industry": "Agriculture", "employees": 3})
    c = add_contacts(*({"lifecycle_stage": stage} for stage in ("customer", "customer", "lead", "customer", "lead")))
    for contact, company in [(c[0], soft), (c[1], soft), (c[1], shop), (c[2], shop), (c[3], farm)]:
        associations.associate(ctx, contact, company)
    return {"contacts": c, "soft": soft, "shop": shop, "farm": farm}


def ids(object_type: str, *filters_) -> set[int]:
    from segtui.core.models import RECORD_MODELS
    import pendulum

    normal = filters.validate(tree(list(filters_)), object_type, resolve_segment=segments.resolve_segment_ref)
    model = RECORD_MODELS[object_type]
    found = []
    for few in (False, True):  # the whole table's semi-join, and the per-record probe of an edit followed
        where = filters.compile_tree(normal, object_type, today=pendulum.date(2026, 11, 26), few=few)
        found.append({r.id for r in model.select(model.id).where(where)})
    assert found[0] == found[1]
    return found[0]


def test_association_filters(world):
    c1, c2, c3, c4, c5 = world["contacts"]
    assert ids("contacts", assoc(f("industry", "is_any_of", values=["software"]))) == {c1, c2}
    assert ids("contacts", assoc()) == {c1, c2, c3, c4}
    assert ids("contacts", assoc(negate=True)) == {c5}
    assert ids("contacts", assoc(f("industry", "is_any_of", values=["Retail"]), negate=True)) == {c1, c4, c5}
    # every F on the same company: software with fewer than 100 employees is nobody
    assert ids("contacts", assoc(f("industry", "is_any_of", values=["Software"]), f("employees", "lt", value=100))) == set()
    assert ids("contacts", assoc(f("employees", "gte", value=10), at_least=2)) == {c2}
    stage = f("lifecycle_stage", "is_any_of", values=["Customer"])
    assert ids("companies", {"association": "contacts", "filters": [stage], "at_least": 2}) == {world["soft"]}
    assert ids("companies", {"association": "contacts", "filters": [stage]}) == {world["soft"], world["shop"], world["farm"]}
    # inside a group with other filters, and OR'ed between groups
    assert ids("contacts", assoc(f("industry", "is_any_of", values=["Retail"])),
               f("lifecycle_stage", "is_any_of", values=["lead"])) == {c3}


def test_association_filters_on_custom_properties(ctx, world):
    property_admin.create(ctx, "companies", "Tier", "enumeration", options="Gold,Silver")
    records.set_property(ctx, "companies", world["farm"], "tier", "Gold")
    assert ids("contacts", assoc(f("tier", "is_any_of", values=["gold"]))) == {world["contacts"][3]}


@pytest.mark.parametrize("flt, message", [
    ({"association": "contacts", "filters": []}, "contacts are associated with companies, not 'contacts'"),
    (assoc(f("email", "is_known")), "unknown property 'email' for companies"),
    (assoc(negate=True, at_least=2), "give either 'negate' or 'at_least', not both"),
    (assoc(at_least=0), "'at_least' needs a whole number from 1"),
    (assoc(negate="yes"), "'negate' must be true or false"),
    (assoc(assoc()), "an association filter cannot hold another association filter"),
    (assoc({"segment": 1, "operator": "in_segment"}), "inside an association filter only property filters apply"),
    ({"association": "companies", "filters": [], "extra": 1}, "unknown key 'extra' in an association filter"),
])
def test_association_filter_validation(world, flt, message):
    with pytest.raises(InvalidFilter, match=message):
        ids("contacts", flt)


def test_descriptions():
    d = filters.describe_filter
    assert d(assoc(f("industry", "is_any_of", values=["Software"])), "contacts", {}) == \
        "Associated company: Industry is any of Software"
    assert d({"association": "contacts", "filters": [f("lifecycle_stage", "is_any_of", values=["customer"])],
              "at_least": 5}, "companies", {}) == \
        "Number of associated contacts with lifecycle stage is any of Customer is at least 5"
    assert d(assoc(negate=True), "contacts", {}) == "No associated company"
    assert d(assoc(), "contacts", {}) == "Has an associated company"


def test_a_company_change_re_evaluates_contact_segments_at_once(ctx, clock, world):
    c1, c2, c3, c4, c5 = world["contacts"]
    software = make(ctx, "Software people", "active", tree([assoc(f("industry", "is_any_of", values=["Software"]))]))
    regional = make(ctx, "Bretons", "active", tree([f("region", "is_any_of", values=["Bretagne"])]))
    assert members(software) == {c1, c2}
    assert software.filter_properties == ",@companies,@companies.industry,"
    clock.advance(minutes=1)
    _, done = records.set_property(ctx, "companies", world["farm"], "industry", "software")
    assert done.sentence(world["farm"]) == "Associated records: 1 joined 1 segment."
    # in the edit's transaction, only its associated contact, logged with the reason; no refresh left to the worker
    assert members(software) == {c1, c2, c4}
    assert log_rows(software)[-1] == (c4, "added", "company: industry changed")
    assert reload(software).next_refresh_at is None and reload(regional).next_refresh_at is None
    assert reload(software).size == 3 and not inconsistencies()
    # a company property no contact segment reads evaluates nothing
    before = log_rows(software)
    records.set_property(ctx, "companies", world["farm"], "city", "Brest")
    assert log_rows(software) == before
    # associations themselves: removing and adding
    associations.dissociate(ctx, c1, world["soft"])
    assert members(software) == {c2, c4}
    assert log_rows(software)[-1] == (c1, "removed", f"no longer with {Company.get_by_id(world['soft']).domain}")
    associations.associate(ctx, c5, world["soft"])
    assert members(software) == {c2, c4, c5}
    worker.tick(ctx)  # the worker's full refresh agrees
    assert members(software) == {c2, c4, c5} and not inconsistencies()


def test_a_contact_change_re_evaluates_company_segments_through_their_contacts(ctx, world):
    c1, c2, c3, c4, c5 = world["contacts"]
    stage = f("lifecycle_stage", "is_any_of", values=["customer"])
    busy = make(ctx, "Two customers", "active", tree([{"association": "contacts", "filters": [stage], "at_least": 2}]),
                object_type="companies")
    assert members(busy) == {world["soft"]}
    records.set_property(ctx, "contacts", c3, "lifecycle_stage", "customer")  # shop: c2 and now c3
    assert members(busy) == {world["soft"], world["shop"]}
    associations.dissociate(ctx, c2, world["soft"])  # soft keeps only c1
    assert members(busy) == {world["shop"]}
    assert not inconsistencies()


def test_an_import_follows_associations_and_company_changes(ctx, world):
    c1, *_ = world["contacts"]
    software = make(ctx, "Software people", "active", tree([assoc(f("industry", "is_any_of", values=["Software"]))]))
    farm = Company.get_by_id(world["farm"])
    records.import_csv(ctx, "companies", f"domain,industry\n{farm.domain},Software\n")
    assert world["contacts"][3] in members(software)
    email = Contact.get_by_id(world["contacts"][4]).email
    records.import_csv(ctx, "contacts", f"email,company_domain\n{email},{farm.domain}\n")
    assert world["contacts"][4] in members(software) and not inconsistencies()


def test_primary_company(ctx, world):
    c1, c2, *_ = world["contacts"]
    assert [(co.id, p) for co, p in associations.companies_of(c2)] == [(world["soft"], True), (world["shop"], False)]
    associations.associate(ctx, c2, world["shop"], primary=True)
    assert [(co.id, p) for co, p in associations.companies_of(c2)] == [(world["shop"], True), (world["soft"], False)]
    associations.dissociate(ctx, c2, world["shop"])
    assert [(co.id, p) for co, p in associations.companies_of(c2)] == [(world["soft"], True)]
    assert Association.select().where(Association.is_primary == True).count() == 4  # noqa: E712
    assert associations.associate(ctx, c1, world["soft"]) is False  # already there
    assert Contact.select().count() == 5


def test_from_either_side_of_the_record_page(ctx, world):
    c1, c2, c3, c4, c5 = world["contacts"]
    soft, shop, farm = world["soft"], world["shop"], world["farm"]
    assert associations.associate_many(ctx, "companies", farm, [c5, c4]).startswith("1 contact associated (1 already were).")
    found, total = associations.associated("companies", farm)
    assert total == 2 and {c.id for c, _ in found} == {c4, c5}
    assert [(co.id, primary) for co, primary in associations.associated("contacts", c5)[0]] == [(farm, True)]
    assert associations.associate_many(ctx, "contacts", c5, [soft, shop]).startswith("2 companies associated.")
    assert associations.make_primary(ctx, c5, shop) == "Primary company changed."
    assert associations.associated("contacts", c5)[0][0][0].id == shop
    associations.dissociate_records(ctx, "companies", shop, c5)
    with pytest.raises(InvalidInput, match="no longer associated"):
        associations.dissociate_records(ctx, "companies", shop, c5)
    with pytest.raises(InvalidInput, match="not associated with the contact"):
        associations.make_primary(ctx, c5, shop)
    with pytest.raises(RecordNotFound, match="No contact with id 999999"):
        associations.associate(ctx, 999999, soft)
    with pytest.raises(RecordNotFound, match="No company with id 999999"):
        associations.associate_many(ctx, "contacts", c1, [999999])
    assert [co.id for co, _ in associations.companies_of(c1)] == [soft]  # the refused link wrote nothing


def test_a_deleted_record_leaves_its_associated_records_segments_and_no_one_else_s(ctx, world):
    """Deleting a company re-evaluates its contacts' association filters (and a contact its
    companies'), hands a contact's primary role to its other company, and leaves alone the
    records of the other object that happen to have the same id."""
    c1, c2, c3, c4, c5 = world["contacts"]
    soft, shop, farm = world["soft"], world["shop"], world["farm"]
    assert (c1, c2) == (soft, shop)  # ids clash across the two tables
    software = make(ctx, "Software people", "active", tree([assoc(f("industry", "is_any_of", values=["Software"]))]))
    customers = make(ctx, "Customers", "active", tree([f("lifecycle_stage", "is_any_of", values=["customer"])]))
    stage = f("lifecycle_stage", "is_any_of", values=["customer"])
    served = make(ctx, "With a customer", "active", tree([{"association": "contacts", "filters": [stage]}]),
                  object_type="companies")
    linked = make(ctx, "With contacts", "active", tree([{"association": "contacts", "filters": []}]),
                  object_type="companies")
    assert members(served) == {soft, shop, farm} and members(customers) == {c1, c2, c4}
    done = records.delete_record(ctx, "companies", soft)
    assert members(software) == set() and log_rows(software)[-1] == (c2, "removed", "company deleted")
    assert done.sentence(soft) == "Left 'With a customer', 'With contacts'; associated records: 2 left 1 segment."
    assert members(customers) == {c1, c2, c4}  # contact #1 is not company #1
    assert [(co.id, primary) for co, primary in associations.companies_of(c2)] == [(shop, True)]
    records.delete_record(ctx, "contacts", c2)
    assert members(served) == {farm}  # the shop's other contact is a lead
    assert members(linked) == {shop, farm}  # company #2 is not contact #2
    assert Association.select().where(Association.contact == c2).count() == 0
    assert check.check(ctx).drifts == [] and not inconsistencies()


def test_a_company_edit_with_too_many_associated_contacts_owes_full_refreshes(ctx, world, monkeypatch):
    monkeypatch.setattr(follow, "FOLLOW_AT_MOST", 1)
    software = make(ctx, "Software people", "active", tree([assoc(f("industry", "is_any_of", values=["Software"]))]))
    records.set_property(ctx, "companies", world["farm"], "industry", "Software")  # one contact: followed
    assert members(software) == set(world["contacts"][:2]) | {world["contacts"][3]}
    records.set_property(ctx, "companies", world["soft"], "industry", "Retail")  # two: owed a full refresh
    report = check.check(ctx)
    assert report.pending == [(software.id, "Software people")] and report.drifts == []
    worker.tick(ctx, me="w")
    assert members(software) == {world["contacts"][3]}
    assert check.check(ctx).pending == [] and not inconsistencies()


def test_linking_too_many_records_at_once_owes_full_refreshes_on_that_side_only(ctx, world, monkeypatch):
    monkeypatch.setattr(follow, "FOLLOW_AT_MOST", 1)
    c1, c2, c3, c4, c5 = world["contacts"]
    retail = make(ctx, "Retail people", "active", tree([assoc(f("industry", "is_any_of", values=["Retail"]))]))
    stage = f("lifecycle_stage", "is_any_of", values=["lead"])
    with_lead = make(ctx, "With a lead", "active", tree([{"association": "contacts", "filters": [stage]}]),
                     object_type="companies")
    assert members(retail) == {c2, c3} and members(with_lead) == {world["shop"]}
    associations.associate_many(ctx, "companies", world["farm"], [c5])  # one contact: followed at once
    assert members(with_lead) == {world["shop"], world["farm"]} and check.check(ctx).pending == []
    associations.associate_many(ctx, "companies", world["shop"], [c4, c5])  # two contacts: owed
    report = check.check(ctx)
    assert report.pending == [(retail.id, "Retail people")] and report.drifts == []
    assert members(retail) == {c2, c3}  # not followed one by one
    worker.tick(ctx, me="w")
    assert members(retail) == {c2, c3, c4, c5}
    assert check.check(ctx).pending == [] and not inconsistencies()


def test_a_relative_date_on_the_associated_records_rolls_over(ctx, clock, world):
    c4 = world["contacts"][3]
    records.set_property(ctx, "companies", world["farm"], "created_date", "2026-11-25")
    new_companies = make(ctx, "Staff of new companies", "active",
                         tree([assoc(f("created_date", "less_than_days_ago", value=2))]))
    assert members(new_companies) == {c4}
    clock.advance(hours=12)  # 21:30 in Paris: still the 26th
    worker.tick(ctx, me="w")
    assert members(new_companies) == {c4}
    clock.advance(hours=3)  # the 27th in Paris: the 25th is two days ago
    worker.tick(ctx, me="w")
    assert members(new_companies) == set() and log_rows(new_companies)[-1] == (c4, "removed", "dates moved on")
    assert check.check(ctx).drifts == [] and not inconsistencies()
