"""The engine's data side in French (issue 16): refusals read in the language of whoever shows
them, built-in labels said in the language, French HubSpot exports imported."""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace

import peewee
import pytest

from segtui import i18n, worker
from segtui.core import db_errors, folders, imports, property_admin, records
from segtui.core import properties as registry
from segtui.core.db import as_problem
from segtui.core.errors import DatabaseProblem, ImportRefused, InvalidInput
from segtui.core.models import Company, Contact

from segtui.core.associations import companies_of

from core_helpers import dump

NBSP = "\u00a0"

# a French HubSpot export: the headers are the French labels of the properties
FRENCH_CONTACTS = (
    "\ufeffID de fiche d'informations,Prénom,Nom,E-mail,Numéro de téléphone,Phase du cycle de vie,"
    "Statut du lead,État/Région,Pays/Région,Date de création\n"
    "11,Erwan,Le Bihan,erwan@mail.example,06 12 34 56 78,Lead qualifié marketing,En cours,Bretagne,France,"
    "2024-02-20 18:17\n"
    "12,Léa,Durand,lea@mail.example,,Client,NEW,,Belgique,2024-07-11 00:30\n"
)
FRENCH_COMPANIES = (
    "ID de fiche d'informations,Nom de l'entreprise,Nom de domaine de l'entreprise,Secteur d'activité,"
    "Nombre d'employés,Chiffre d'affaires annuel\n"
    "21,Atelier Morvan,atelier.example,Logiciels,1200,120000\n"
)


def sqlite_error(name: str) -> peewee.OperationalError:
    orig = sqlite3.OperationalError("boom")
    orig.sqlite_errorname = name
    return peewee.OperationalError(orig, "boom")


def test_an_import_refused_in_french_names_its_lines_and_reads_in_english_too(ctx, french):
    text = "Email,Events attended\nann@example.org,2\nnot-an-email,1\nbob@example.org,many\nann@example.org,3\n"
    before = dump()
    with pytest.raises(ImportRefused) as caught:
        imports.run(ctx, "contacts", text)
    assert dump() == before
    assert [line for line, _problem in caught.value.problems] == [3, 4, 5]
    said = caught.value.message
    assert said.startswith(f"Le fichier est refusé, rien n'a été importé (3 problèmes){NBSP}:\n")
    assert f"\n  ligne 3{NBSP}: «\u00a0not-an-email\u00a0» n'est pas une adresse e-mail" in said
    assert f"\n  ligne 5{NBSP}: email ann@example.org figure aussi à la ligne 2" in said
    i18n.set_language("en")  # the same refusal, shown in English (its problems as they were read)
    assert caught.value.message.startswith("The file was refused, nothing was imported (3 problems):\n  line 3: ")


def test_one_problem_is_singular_in_french_and_an_unknown_column_is_known_in_any_language(ctx, french):
    table = imports.read_table("E-mail,Geburtstag\nann@example.org,1990\n")
    checked, report = imports.check(ctx, "contacts", table)
    assert report.problems == [(1, "colonne inconnue «\u00a0Geburtstag\u00a0»")]
    assert imports.has_unknown_columns(report.problems)
    assert str(imports.refusal(report.problems, dry_run=True)) == (
        f"Le fichier est refusé, il ne serait pas importé (1 problème){NBSP}:\n"
        f"  ligne 1{NBSP}: colonne inconnue «\u00a0Geburtstag\u00a0»")


def test_a_french_hubspot_export_imports_by_its_french_headers_and_options(ctx):
    """In any language: the file is French, not the command."""
    imports.run(ctx, "companies", FRENCH_COMPANIES)
    company = Company.get(Company.domain == "atelier.example")
    assert (company.hubspot_id, company.name, company.industry, company.employees) == (
        "21", "Atelier Morvan", "Logiciels", 1200)
    table = imports.read_table(FRENCH_CONTACTS)
    columns = imports.plan("contacts", table)
    assert [(c.property, c.how) for c in columns] == [
        ("hubspot_id", "HubSpot header"), ("first_name", "HubSpot header"), ("last_name", "HubSpot header"),
        ("email", "name"), ("phone", "HubSpot header"), ("lifecycle_stage", "HubSpot header"),
        ("lead_status", "HubSpot header"), ("region", "HubSpot header"), ("country", "HubSpot header"),
        ("created_date", "HubSpot header")]
    report = imports.run(ctx, "contacts", FRENCH_CONTACTS)
    assert (report.created, report.refused) == (2, 0)
    erwan = Contact.get(Contact.email == "erwan@mail.example")
    assert (erwan.first_name, erwan.last_name, erwan.lifecycle_stage, erwan.lead_status, erwan.region) == (
        "Erwan", "Le Bihan", "marketing_qualified_lead", "in_progress", "Bretagne")
    assert Contact.get(Contact.email == "lea@mail.example").lifecycle_stage == "customer"


def test_french_association_headers_link_the_companies(ctx):
    imports.run(ctx, "companies", FRENCH_COMPANIES)
    imports.run(ctx, "contacts", "E-mail,ID des entreprises associées\nann@example.org,21\n")
    ann = Contact.get(Contact.email == "ann@example.org")
    assert [company.domain for company, _primary in companies_of(ann.id)] == ["atelier.example"]


def test_the_mapping_lines_and_the_counts_in_french(ctx, french):
    table = imports.read_table(FRENCH_CONTACTS)
    checked, report = imports.check(ctx, "contacts", table)
    lines = imports.report_lines(report, checked.columns)
    assert lines[0] == f"Colonnes{NBSP}:"
    assert lines[2] == "  Prénom -> Prénom (first_name, text) [en-tête HubSpot]"
    assert imports.new_and_updated_sentence(report) == (
        "2 nouvelles, 0 mise à jour, 0 inchangée, 0 ligne refusée")


def test_built_in_labels_are_said_in_the_language_and_typed_ones_as_typed(ctx, french):
    first_name = registry.get("contacts", "first_name")
    assert registry.label_of(first_name) == "Prénom"
    assert registry.label_of(registry.get("contacts", "hubspot_id")) == "ID de fiche d'informations"
    assert registry.label_of(registry.get("companies", "name")) == "Nom"
    assert registry.option_label_of(registry.get("contacts", "lifecycle_stage"), "marketing_qualified_lead") == (
        "Lead qualifié marketing")
    assert registry.group_of(first_name) == "Informations sur le contact"
    assert registry.type_label("enumeration") == "Liste déroulante (une valeur)"
    assert (registry.object_label("companies"), registry.singular("companies")) == ("Entreprises", "entreprise")
    # the shown label given back by an edit form is no change (stored as seeded, in English)
    assert property_admin.edit(ctx, "contacts", "first_name", label="Prénom").label == "First name"
    renamed = property_admin.edit(ctx, "contacts", "first_name", label="Given name")
    assert registry.label_of(renamed) == "Given name"
    custom = property_admin.create(ctx, "contacts", "Couleur préférée", "text")
    assert registry.label_of(custom) == "Couleur préférée"
    i18n.set_language("en")
    assert registry.label_of(registry.get("contacts", "last_name")) == "Last name"


def test_a_property_refusal_in_french(ctx, french):
    with pytest.raises(InvalidInput) as caught:
        property_admin.create(ctx, "contacts", "Region", "text")
    assert caught.value.message == (
        f"Une propriété de contact nommée «\u00a0region\u00a0» existe déjà{NBSP}: «\u00a0Région\u00a0»{NBSP}; choisissez un autre "
        "libellé ou --name")
    with pytest.raises(InvalidInput) as caught:
        property_admin.create(ctx, "contacts", "  ", "text")
    assert caught.value.message == "Le libellé ne peut pas être vide"
    with pytest.raises(InvalidInput) as caught:
        property_admin.archive(ctx, "contacts", "city")
    assert caught.value.message == f"«\u00a0Ville\u00a0» est une propriété intégrée{NBSP}: elle ne peut pas être archivée"


def test_record_and_folder_refusals_in_french(ctx, french):
    with pytest.raises(InvalidInput) as caught:
        records.find_record("companies", "nowhere.example")
    assert caught.value.message == "Aucune entreprise nowhere.example"
    folder = folders.create(ctx, "Marketing")
    folders.create(ctx, "Events", parent="Marketing")
    with pytest.raises(InvalidInput) as caught:
        folders.delete(ctx, folder.id)
    assert caught.value.message == (
        f"Le dossier «\u00a0Marketing\u00a0» contient 1 dossier{NBSP}: supprimez-le ou videz-le d'abord")


@pytest.mark.sqlite_only
def test_a_database_problem_in_french_reads_in_english_too(french):
    assert db_errors.explain(sqlite_error("SQLITE_CANTOPEN"), "/srv/crm.db") == (
        f"Impossible d'ouvrir la base de données /srv/crm.db{NBSP}: vérifiez le chemin et ses permissions.")
    assert db_errors.pg_server("postgresql:///crm") == "le serveur local (socket par défaut, port 5432)"
    problem = as_problem(sqlite_error("SQLITE_READONLY"), "/srv/crm.db")
    assert isinstance(problem, DatabaseProblem)
    assert problem.message == (
        f"La base de données /srv/crm.db est en lecture seule{NBSP}: rien ne peut être modifié.")
    i18n.set_language("en")
    assert problem.message == "The database /srv/crm.db is read-only: nothing can be changed."


def test_the_worker_summary_in_french():
    refreshed = [(1, SimpleNamespace(changed=True)), (2, SimpleNamespace(changed=False))]
    result = worker.TickResult(applied=[object()], refreshed=refreshed, failed=[])
    i18n.set_language("fr")
    try:
        assert result.summary() == "1 conversion appliquée, 2 segments actualisés (1 modifié), 0 échec"
    finally:
        i18n.set_language("en")
    assert result.summary() == "1 conversion applied, 2 segments refreshed (1 changed), 0 failures"


def test_a_property_is_found_by_its_label_as_shown(ctx, french):
    assert property_admin.get("contacts", "Prénom").name == "first_name"
    assert property_admin.get("contacts", "First name").name == "first_name"
    with pytest.raises(InvalidInput) as caught:
        property_admin.get("companies", "Prénom")
    assert caught.value.message == "Aucune propriété d'entreprise nommée «\u00a0Prénom\u00a0»"
