"""Stored history read in the reader's language (issue 16): an audit entry and a membership
log cause are written once, in English, and read in French by a French reader, in English,
unchanged, by an English one; --json keeps the English text."""

from __future__ import annotations

import json

import pendulum

from segtui import i18n
from segtui.core import associations, audit, describe, folders, property_admin, records, segments, stored_messages, why
from segtui.core.models import AuditEntry, MembershipLog

from core_helpers import add_companies, make, region_is, regions, tree

NBSP = "\u00a0"


def summaries(segment_id=None) -> list[str]:
    query = AuditEntry.select().order_by(AuditEntry.id)
    if segment_id is not None:
        query = query.where(AuditEntry.segment_id == segment_id)
    return [audit.summary_of(e) for e in query]


def test_an_audit_entry_written_in_english_reads_in_french(ctx):
    people = regions("Bretagne", "Normandie")
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    segments.rename(ctx, bretons.id, "Les Bretons")
    english = summaries(bretons.id)
    assert english == ["Created active contacts segment 'Bretons' with 1 member", "Renamed 'Bretons' to 'Les Bretons'"]
    assert [e.summary for e in AuditEntry.select().order_by(AuditEntry.id)] == english  # what --json shows
    records.set_properties(ctx, "contacts", people[1], {"region": "Bretagne", "city": "Brest"})
    edit = AuditEntry.select().where(AuditEntry.action == "edit_record").get()
    assert edit.summary == f"Set city, region of contact #{people[1]}. Joined 'Les Bretons'."
    i18n.set_language("fr")
    try:
        assert summaries(bretons.id) == ["Segment actif de contacts «\u00a0Bretons\u00a0» créé avec 1 membre",
                                         "«\u00a0Bretons\u00a0» renommé en «\u00a0Les Bretons\u00a0»"]
        # the properties by their French labels, the effect in French
        assert audit.summary_of(edit) == f"Modification de Ville, Région du contact #{people[1]}. Entré dans «\u00a0Les Bretons\u00a0»."
    finally:
        i18n.set_language("en")
    assert summaries(bretons.id) == english


def test_translatable_parameters_read_in_french_too(ctx, french):
    """A property's seeded label, a nested message (an import's counts, what an association
    did), a folder or the top."""
    prop = property_admin.create(ctx, "contacts", "Couleur préférée", "text")
    property_admin.archive(ctx, "contacts", prop.name)
    property_admin.edit(ctx, "contacts", "first_name", description="Le prénom")
    folder = folders.create(ctx, "Campagnes")
    static = make(ctx, "Main", "static")
    folders.move(ctx, [(static.id, None)], folder.id)
    folders.move(ctx, [(static.id, None)], None)
    company = add_companies({"name": "Acme"})[0]
    contact = regions("Bretagne")[0]
    associations.associate(ctx, contact, company, primary=True)
    records.import_csv(ctx, "contacts", "email,region\nnew@example.org,Bretagne\n")
    shown = summaries()
    assert "Propriété de contact «\u00a0Couleur préférée\u00a0» créée (couleur_preferee, text)" in shown
    assert "Propriété de contact «\u00a0Couleur préférée\u00a0» archivée (couleur_preferee)" + NBSP + "; ses valeurs sont conservées" in shown
    assert "Propriété de contact «\u00a0Prénom\u00a0» modifiée (first_name)" in shown  # the seeded label, in French
    assert "«\u00a0Main\u00a0» déplacé dans Campagnes" in shown and "«\u00a0Main\u00a0» déplacé à la racine" in shown
    assert ("Contact c1@example.org associé à l'entreprise co1.example (principale). "
            "Aucun segment n'a changé de membres.") in shown
    assert f"Importation de contacts{NBSP}: 1 ligne{NBSP}: 1 créée, 0 mise à jour" in shown
    i18n.set_language("en")
    english = summaries()
    assert "Created contacts property 'Couleur préférée' (couleur_preferee, text)" in english
    assert "Edited contacts property 'First name' (first_name)" in english
    assert "Moved 'Main' to Campagnes" in english and "Moved 'Main' to the top" in english
    assert "Imported contacts: 1 lines: 1 created, 0 updated" in english


def test_a_repair_reads_in_french(ctx, database, french):
    from segtui.core import check

    regions("Bretagne")
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    database.execute_sql("DELETE FROM membership WHERE segment_id = ?".replace("?", database.param), [bretons.id])
    check.check(ctx, repair=True)
    entry = AuditEntry.select().where(AuditEntry.action == "repair").get()
    assert entry.summary.startswith("Repaired #")  # English, whatever the writer's language
    assert audit.summary_of(entry).startswith(
        f"Réparé{NBSP}: #{bretons.id} «\u00a0Bretons\u00a0»{NBSP}: 1 fiche d'informations sélectionnée par ses filtres "
        "n'est pas membre\u00a0; taille 1 mais 0 lignes de membres")
    assert audit.summary_of(entry).endswith(" (réparé)")


def test_a_cause_written_in_english_reads_in_french(ctx):
    """The log keeps the compact English cause; the record page and the activity entry say it
    in the language, the property by its label."""
    people = regions("Normandie")
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    fans = make(ctx, "Fans", "active", tree([{"segment": bretons.id, "operator": "in_segment"}]))
    records.set_properties(ctx, "contacts", people[0], {"region": "Bretagne"})
    reasons = {row.segment_id: row.reason for row in MembershipLog.select().where(MembershipLog.action == "added")}
    assert reasons == {bretons.id: "region changed", fans.id: "region changed, via 'Bretons'"}
    stay = next(s for s in why.stays(ctx, "contacts", people[0]) if s.segment.id == fans.id)
    entry = MembershipLog.select().where(MembershipLog.segment == fans.id).get()
    english = stay.join_sentence("Europe/Paris")
    assert "after region changed, via 'Bretons' (by alice)" in english
    assert describe.membership_detail(entry, "c1@example.org", ctx, "contacts")[-1] == (
        "How", "region changed, via 'Bretons'")
    i18n.set_language("fr")
    try:
        assert "après modification de Région, via «\u00a0Bretons\u00a0» (par alice)" in stay.join_sentence("Europe/Paris")
        assert describe.membership_detail(entry, "c1@example.org", ctx, "contacts")[-1] == (
            "Origine", "modification de Région, via «\u00a0Bretons\u00a0»")
    finally:
        i18n.set_language("en")
    assert stay.join_sentence("Europe/Paris") == english


def test_a_row_written_before_the_template_shows_its_summary(ctx, french):
    entry = AuditEntry.create(at=pendulum.datetime(2026, 1, 1, tz="UTC"), actor="bob", action="rename",
                              summary="Renamed 'A' to 'B'")
    assert audit.summary_of(entry) == "«\u00a0A\u00a0» renommé en «\u00a0B\u00a0»"  # a known sentence, read back (test_old_summaries)
    unknown = AuditEntry.create(at=pendulum.datetime(2026, 1, 1, tz="UTC"), actor="bob", action="rename",
                                summary="Renamed A to B")
    assert audit.summary_of(unknown) == "Renamed A to B"
    # a template this version cannot fill is shown as the English it was stored with
    broken = AuditEntry.create(at=pendulum.datetime(2026, 1, 1, tz="UTC"), actor="bob", action="rename",
                               summary="Renamed 'A' to 'B'", template="Renamed {old!r} to {new!r}",
                               params=json.dumps({"params": {"old": "A"}}))
    assert audit.summary_of(broken) == "Renamed 'A' to 'B'"


def test_a_stored_message_round_trips_through_json():
    from segtui.core.stored_messages import Count, Joined, Label, Number, PropertyName, Sentence, decode, encode
    from segtui.i18n import Message, nmsg

    message = Message("{a} {b} {c} {d} {e} {f} {g} {h}", a=Count(1234), b=Number(1234),
                      c=PropertyName("contacts", "region"), d=Label("first_name", "First name"),
                      e=Joined([Message("x {n}", n=1), "y"], "; "), f=Sentence(Message("done")),
                      g=nmsg("{n} item", "{n} items", 2), h=None)
    said = stored_messages.english(message)
    assert said == "1234 1,234 region First name x 1; y Done. 2 items None"
    again = decode(json.loads(json.dumps(encode(message))))
    assert stored_messages.english(again) == said and str(again) == said
    assert decode("plain") == "plain" and decode({"unknown": 1}) == {"unknown": 1}
