"""History written before its messages were stored (issue 16, rows older than migration 0006)
and the demo's: an old English summary that is exactly a known sentence reads in the reader's
language; any other is shown as written. The demo writes through the same messages, so a
French demo reads French on the Activity tab and on the record page."""

from __future__ import annotations

import json

import pendulum
import pytest

from segtui import i18n
from segtui.core import audit, demo, old_summaries, stored_messages, why
from segtui.core.models import AuditEntry, Contact, MembershipLog
from segtui.i18n import Message

pytestmark = pytest.mark.sqlite_only

SAMPLES = {"name": "L'Été \"quoted\"", "old": "Bretons", "new": "Les Bretons", "source": "Bretons", "n": 1234,
           "added": 5, "removed": 0, "path": "Campagnes / 2026", "folder": "Campagnes / 2026",
           "schedule": '{"mode": "never"}', "due": "2026-12-31T00:00:00+00:00",
           "applied": "2026-12-31T00:00:30+00:00", "label": "First name", "type": "text"}


def sample(template: str) -> Message:
    import string

    fields = {name for _lit, name, _spec, _conv in string.Formatter().parse(template) if name}
    params = {name: (stored_messages.Count(SAMPLES[name]) if name in ("n", "added", "removed") else SAMPLES[name])
              for name in fields}
    if "label" in params:  # a property's internal name beside its label (retyped: custom ones only)
        params["label"] = "Favourite colour"
        if "name" in params:
            params["name"] = "first_name"
            params["label"] = stored_messages.Label("first_name", "First name")
        params.update({key: value for key, value in (("old", "text"), ("new", "number")) if key in params})
    return Message(template, **params)


def all_templates():
    return [(action, template) for action, templates in old_summaries._templates().items() for template in templates]


@pytest.mark.parametrize("action, template", all_templates())
def test_every_known_sentence_is_read_back_into_its_message(action, template):
    message = sample(template)
    english = stored_messages.english(message)
    parsed = old_summaries.parse(action, english)
    assert parsed is not None and stored_messages.english(parsed) == english
    read = old_summaries.read(action, english)
    i18n.set_language("fr")
    try:  # the French of the message written today (a count in its plural form: no "(s)")
        assert str(read) == str(stored_messages.current(message)) != english
        assert "(s)" not in str(read)
    finally:
        i18n.set_language("en")


def test_an_old_row_reads_in_french_if_it_is_a_known_sentence(database, french):
    def old(action: str, summary: str) -> AuditEntry:
        return AuditEntry.create(at=pendulum.datetime(2026, 1, 1, tz="UTC"), actor="bob", action=action,
                                 summary=summary)

    assert audit.summary_of(old("rename", "Renamed 'A' to 'B'")) == "«\u00a0A\u00a0» renommé en «\u00a0B\u00a0»"
    assert audit.summary_of(old("create", "Created active contacts segment 'Bretons' with 1234 members")) == (
        "Segment actif de contacts «\u00a0Bretons\u00a0» créé avec 1\u202f234 membres")
    assert audit.summary_of(old("add_records", "Added 1 record(s) by hand")) == "1 fiche ajoutée à la main"
    assert audit.summary_of(old("add_records", "Added 0 record(s) by hand")) == "0 fiche ajoutée à la main"
    assert audit.summary_of(old("edit_property", "Edited contacts property 'First name' (first_name)")) == (
        "Propriété de contact «\u00a0Prénom\u00a0» modifiée (first_name)")  # the seeded label in French
    assert audit.summary_of(old("move", "Moved 'A' to the top")) == "«\u00a0A\u00a0» déplacé à la racine"
    # not a known sentence of its action, or one with a sentence inside: as written
    assert audit.summary_of(old("rename", "Renamed 'A' to 'B' (by hand)")) == "Renamed 'A' to 'B' (by hand)"
    assert audit.summary_of(old("delete", "Renamed 'A' to 'B'")) == "Renamed 'A' to 'B'"
    imported = "Imported contacts: 1 lines: 1 created, 0 updated"
    assert audit.summary_of(old("import", imported)) == imported
    i18n.set_language("en")
    assert audit.summary_of(old("rename", "Renamed 'A' to 'B'")) == "Renamed 'A' to 'B'"


def test_a_french_demo_reads_french_on_the_activity_tab_and_the_record_page(ctx):
    demo.build(ctx, contacts=120, seed=7)
    entries = list(AuditEntry.select())
    assert entries and all(e.template for e in entries)  # written through the messages
    contacts = [c.id for c in Contact.select(Contact.id).order_by(Contact.id).limit(40)]
    stays = [s for cid in contacts for s in why.stays(ctx, "contacts", cid)]
    assert stays and {r.reason for r in MembershipLog.select(MembershipLog.reason)} <= {"filter", "manual"}
    english = [audit.summary_of(e) for e in entries], [s.join_sentence(ctx.tz) for s in stays]
    i18n.set_language("fr")
    try:
        french = [audit.summary_of(e) for e in entries], [s.join_sentence(ctx.tz) for s in stays]
    finally:
        i18n.set_language("en")
    for said, in_french in zip(english[0] + english[1], french[0] + french[1], strict=True):
        assert said != in_french
    assert all(sentence.startswith("entré le ") for sentence in french[1])


def test_a_row_stored_before_its_count_had_a_plural_reads_with_its_plural(database, french):
    """Templates stored with their parameters (since 0006) but written with "(s)" or a count in
    a fixed form read as the plural message each became; a row whose parameters do not fit the
    new message reads as it was stored."""
    def stored(action: str, summary: str, template: str, params: dict) -> AuditEntry:
        return AuditEntry.create(at=pendulum.datetime(2026, 11, 1, tz="UTC"), actor="bob", action=action,
                                 summary=summary, template=template, params=json.dumps({"params": params}))

    added = stored("add_records", "Added 2 record(s) by hand", "Added {n} record(s) by hand", {"n": {"count": 2}})
    assert audit.summary_of(added) == "2 fiches ajoutées à la main"
    frozen = stored("convert_to_static", "Converted 'A' to static (1 members frozen)",
                    "Converted {name!r} to static ({n} members frozen)", {"name": "A", "n": {"count": 1}})
    assert audit.summary_of(frozen) == "«\u00a0A\u00a0» converti en segment statique (1 membre figé)"
    associated = stored("associate", "Associated contact #4 with 1 companies (1 new). Nothing changed.",
                        "Associated contact #{id} with {n} companies ({new} new). {effect}",
                        {"id": 4, "n": {"count": 1}, "new": {"count": 1}, "effect": "…"})
    assert audit.summary_of(associated) == "Contact #4 associé à 1 entreprise (1 nouvelle). …"
    odd = stored("add_records", "Added some record(s) by hand", "Added {n} record(s) by hand", {"n": "some"})
    assert audit.summary_of(odd) == "Added some record(s) by hand"  # not a count: as stored, untranslated
    i18n.set_language("en")
    assert audit.summary_of(added) == "Added 2 record(s) by hand"  # English shows the summary as written


def test_nested_counts_stored_before_their_plurals_read_with_them(french):
    """A drift's two counts in one sentence and the records that joined segments (a plural
    message with the segments' count inside), as stored before: each count said in its form."""
    drift = stored_messages.decode({"template": "{missing} record(s) its filters select are not members, {extra} "
                                                "member(s) they do not select",
                                    "params": {"missing": {"number": 1}, "extra": {"number": 3}}})
    assert str(drift) == ("1 fiche d'informations sélectionnée par ses filtres n'est pas membre, "
                          "3 membres qu'ils ne sélectionnent pas")
    replay = stored_messages.decode({"template": "the log replays to {log_only} member(s) not stored and misses "
                                                 "{unlogged}", "params": {"log_only": {"number": 2}, "unlogged": 1}})
    assert str(replay) == "le journal rejoué donne 2 membres non enregistrés, le journal rejoué omet 1 membre enregistré"
    joined = stored_messages.decode({"template": "{n} joined {segments} segment(s)", "plural": "{n} joined {segments} "
                                     "segment(s)", "n": 1, "params": {"segments": {"number": 2}}})
    assert str(joined) == "1 fiche entrée dans 2 segments"
    left = stored_messages.decode({"template": "{n} left {segments} segment(s)", "plural": "{n} left {segments} "
                                   "segment(s)", "n": 3, "params": {"segments": {"number": 1}}})
    assert str(left) == "3 fiches sorties de 1 segment"
