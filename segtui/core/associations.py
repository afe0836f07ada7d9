"""Contacts and companies, associated many-to-many, with one primary company per contact.

A change to associations re-evaluates the two records against the segments whose filters read
associations, in the change's transaction (``follow.associations_changed``), as a change to a
record does.
"""

from __future__ import annotations

from peewee import fn

from ..i18n import N_, Message, N_n, _, _n, nmsg
from . import audit, causes, follow
from .context import Context
from .db import write_transaction
from .errors import InvalidInput, RecordNotFound
from .models import Association, Company, Contact

BATCH = 500
# the audit's sentence, whole for each object type: its form follows the new associations ({n}),
# the records associated are counted in their own words ({records})
ASSOCIATED_MANY = {"contacts": N_n("Associated contact #{id} with {records} ({n} new). {effect}",
                                   "Associated contact #{id} with {records} ({n} new). {effect}"),
                   "companies": N_n("Associated company #{id} with {records} ({n} new). {effect}",
                                    "Associated company #{id} with {records} ({n} new). {effect}")}
# the records a contact (a company) was associated with
OTHERS = {"contacts": N_n("{n} company", "{n} companies"), "companies": N_n("{n} contact", "{n} contacts")}


def link_many(pairs: list[tuple[int, int]]) -> int:
    """Associate (contact id, company id) pairs, ignoring the known ones; a contact without a
    primary company gets its first new one. Returns how many associations are new. Call inside a
    write transaction."""
    pairs = list(dict.fromkeys(pairs))
    if not pairs:
        return 0
    before = 0
    contacts = sorted({c for c, _ in pairs})
    for start in range(0, len(contacts), BATCH):
        before += Association.select().where(Association.contact.in_(contacts[start:start + BATCH])).count()
    for start in range(0, len(pairs), BATCH):
        Association.insert_many([{"contact": c, "company": co, "is_primary": False} for c, co in pairs[start:start + BATCH]],
                                ).on_conflict_ignore().execute()
    after = 0
    for start in range(0, len(contacts), BATCH):
        chunk = contacts[start:start + BATCH]
        after += Association.select().where(Association.contact.in_(chunk)).count()
        _elect_primaries(chunk, pairs)
    return after - before


def _elect_primaries(contacts: list[int], pairs: list[tuple[int, int]]) -> None:
    with_primary = {c for (c,) in Association.select(Association.contact).where(
        Association.contact.in_(contacts) & (Association.is_primary == True)).tuples()}  # noqa: E712
    first = {}
    for contact, company in pairs:
        first.setdefault(contact, company)
    for contact in contacts:
        if contact not in with_primary and contact in first:
            Association.update(is_primary=True).where(
                (Association.contact == contact) & (Association.company == first[contact])).execute()


def companies_of(contact_id: int) -> list[tuple[Company, bool]]:
    rows = (Company.select(Company, Association.is_primary)
            .join(Association, on=(Association.company == Company.id))
            .where(Association.contact == contact_id)
            .order_by(Association.is_primary.desc(), fn.LOWER(Company.name), Company.domain))
    return [(row, bool(row.association.is_primary)) for row in rows]


def contacts_of(company_id: int, *, limit: int = 100) -> tuple[list[Contact], int]:
    query = (Contact.select(Contact, Association.is_primary)
             .join(Association, on=(Association.contact == Contact.id))
             .where(Association.company == company_id))
    return list(query.order_by(Contact.email).limit(limit)), query.count()


def _check(contact_id: int, company_id: int) -> tuple[Contact, Company]:
    contact = Contact.get_or_none(Contact.id == contact_id)
    if contact is None:
        raise RecordNotFound("No contact with id {id} (deleted meanwhile?)", id=contact_id)
    company = Company.get_or_none(Company.id == company_id)
    if company is None:
        raise RecordNotFound("No company with id {id} (deleted meanwhile?)", id=company_id)
    return contact, company


def associate(ctx: Context, contact_id: int, company_id: int, *, primary: bool = False) -> bool:
    """Link a contact and a company; True when the link is new."""
    ctx.require_write(Message("associating records"))
    with write_transaction():
        contact, company = _check(contact_id, company_id)
        new = link_many([(contact_id, company_id)]) == 1
        if primary:
            _set_primary(contact_id, company_id)
        if new or primary:
            done = follow.associations_changed(ctx, [(contact_id, company_id)] if new else [],
                                               cause=causes.associated_with(company.domain))
            said = (N_("Associated contact {email} with company {domain} (primary). {effect}") if primary
                    else N_("Associated contact {email} with company {domain}. {effect}"))
            audit.record(ctx, "associate", Message(said, email=contact.email, domain=company.domain,
                                                   effect=done.message()),
                         after={"contact": contact.email, "company": company.domain, "primary": primary,
                                "segments": done.summary()})
    return new


def _set_primary(contact_id: int, company_id: int) -> None:
    Association.update(is_primary=False).where(
        (Association.contact == contact_id) & (Association.company != company_id)).execute()
    Association.update(is_primary=True).where(
        (Association.contact == contact_id) & (Association.company == company_id)).execute()


def dissociate(ctx: Context, contact_id: int, company_id: int) -> bool:
    """Unlink; a removed primary hands the role to the remaining company first by name. True when removed."""
    ctx.require_write(Message("removing an association"))
    with write_transaction():
        contact, company = _check(contact_id, company_id)
        gone = Association.delete().where(
            (Association.contact == contact_id) & (Association.company == company_id)).execute()
        if not gone:
            return False
        remaining = companies_of(contact_id)
        if remaining and not any(primary for _, primary in remaining):
            _set_primary(contact_id, remaining[0][0].id)
        done = follow.associations_changed(ctx, [(contact_id, company_id)], cause=causes.no_longer_with(company.domain))
        audit.record(ctx, "dissociate", Message("Removed the association of contact {email} with company {domain}. "
                                                "{effect}", email=contact.email, domain=company.domain,
                                                effect=done.message()), before={"contact": contact.email, "company": company.domain},
                     after={"segments": done.summary()})
    return True


def forget(object_type: str, record_id: int) -> list[int]:
    """Remove every association of a record about to be deleted (the foreign keys would
    cascade; removed here so that the other side is known and followed); a contact that
    loses its primary company gets the remaining one first by name. Returns the ids of the
    other object's records it was associated with. Call inside the delete's transaction."""
    mine = Association.contact if object_type == "contacts" else Association.company
    theirs = Association.company if object_type == "contacts" else Association.contact
    others = sorted(rid for (rid,) in Association.select(theirs).where(mine == record_id).tuples())
    if not others:
        return []
    orphans = [] if object_type == "contacts" else sorted(
        contact for (contact,) in Association.select(Association.contact).where(
            (Association.company == record_id) & (Association.is_primary == True)).tuples())  # noqa: E712
    Association.delete().where(mine == record_id).execute()
    for contact_id in orphans:
        remaining = companies_of(contact_id)
        if remaining:
            _set_primary(contact_id, remaining[0][0].id)
    return others


# ---------------------------------------------------------------- from either side (the record page)


def _pair(object_type: str, record_id: int, other_id: int) -> tuple[int, int]:
    """(contact id, company id) whichever side the page shows."""
    return (record_id, other_id) if object_type == "contacts" else (other_id, record_id)


def associated(object_type: str, record_id: int, *, limit: int = 100) -> tuple[list[tuple[object, bool]], int]:
    """The records associated with one record (a contact's companies, primary first, or a company's
    contacts), at most ``limit``, and how many there are."""
    if object_type == "contacts":
        found = companies_of(record_id)
        return found[:limit], len(found)
    contacts, total = contacts_of(record_id, limit=limit)
    return [(c, bool(c.association.is_primary)) for c in contacts], total


def associate_many(ctx: Context, object_type: str, record_id: int, other_ids: list[int]) -> str:
    """Associate one record with several of the other object, in one transaction; a sentence."""
    ctx.require_write(Message("associating records"))
    with write_transaction():
        pairs = [_pair(object_type, record_id, other) for other in sorted(set(other_ids))]
        for contact_id, company_id in pairs:
            _check(contact_id, company_id)
        new = link_many(pairs)
        done = follow.associations_changed(ctx, pairs, cause=causes.ASSOCIATED)
        audit.record(ctx, "associate", associated_many(object_type, record_id, len(pairs), new, done.message()),
                     after={"pairs": [list(p) for p in pairs], "segments": done.summary()})
    already = len(pairs) - new
    if object_type == "contacts":
        text = _n("{n} company associated", "{n} companies associated", new)
    else:
        text = _n("{n} contact associated", "{n} contacts associated", new)
    if already:
        text = _n("{associated} ({n} already were)", "{associated} ({n} already were)", already, associated=text)
    return _("{associated}. {segments}").format(associated=text, segments=done.sentence())


def associated_many(object_type: str, record_id: int, records: int, new: int, effect) -> Message:
    """The audit's sentence of a record associated with several of the other object."""
    return nmsg(*ASSOCIATED_MANY[object_type], new, id=record_id, records=nmsg(*OTHERS[object_type], records),
                effect=effect)


def dissociate_records(ctx: Context, object_type: str, record_id: int, other_id: int) -> str:
    contact_id, company_id = _pair(object_type, record_id, other_id)
    gone = dissociate(ctx, contact_id, company_id)
    if not gone:
        if object_type == "contacts":
            raise InvalidInput("That company was no longer associated (removed meanwhile?)")
        raise InvalidInput("That contact was no longer associated (removed meanwhile?)")
    return _("Association removed; segments with association filters followed.")


def make_primary(ctx: Context, contact_id: int, company_id: int) -> str:
    if not Association.select().where((Association.contact == contact_id)
                                      & (Association.company == company_id)).exists():
        raise InvalidInput("That company is not associated with the contact (removed meanwhile?)")
    associate(ctx, contact_id, company_id, primary=True)
    return _("Primary company changed.")
