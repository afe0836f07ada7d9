"""The command line's last English for a French admin (issue 16): `records show` says its days
in French, `properties list` and the property commands name built-in properties, groups and
options in French; --json and English unchanged."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from babel.dates import format_date

from segtui import i18n
from segtui.cli import main
from segtui.core.models import database_proxy

pytestmark = pytest.mark.sqlite_only

NOW = "2026-11-26T10:30:00+01:00"


@pytest.fixture
def cli(tmp_path, capsys, monkeypatch):
    for name in ("SEGTUI_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for key, value in (("SEGTUI_NOW", NOW), ("SEGTUI_TZ", "Europe/Paris"), ("SEGTUI_ACTOR", "tester")):
        monkeypatch.setenv(key, value)
    path = str(tmp_path / "demo.db")

    def run(*args: str) -> str:
        code = main(["--db", path, *args])
        out = capsys.readouterr().out
        assert code == 0, out
        return out

    run("demo", "--contacts", "60")
    yield run
    i18n.set_language("en")
    if database_proxy.obj is not None:
        database_proxy.obj.close()


def test_records_show_says_its_days_in_french_and_json_keeps_iso(cli):
    english = cli("records", "show", "contacts", "1")
    french = cli("--lang", "fr", "records", "show", "contacts", "1")
    created = json.loads(cli("--lang", "fr", "records", "show", "contacts", "1", "--json"))["properties"]["created_date"]
    assert created[:4].isdigit() and created[4] == "-"  # ISO in --json, whatever the language
    assert f"  created_date:        {created}" in english
    assert f"  created_date:        {created}" not in french
    day = dt.date.fromisoformat(created)
    assert f"  created_date:        {format_date(day, 'd MMM y', locale='fr')}" in french


def test_properties_list_names_built_in_ones_in_french(cli):
    english = cli("properties", "list", "contacts")
    french = cli("--lang", "fr", "properties", "list", "contacts")
    assert "first_name          First name" in english and "Contact information" in english
    assert "first_name          Prénom" in french and "Informations sur le contact" in french
    assert "Lead qualifié marketing" in french and "Marketing qualified lead" not in french
    assert "Contact information" not in french
    listed = json.loads(cli("--lang", "fr", "properties", "list", "contacts", "--json"))
    assert next(p for p in listed if p["name"] == "first_name")["label"] == "First name"  # stored, neutral
    restored = cli("--lang", "fr", "properties", "edit", "contacts", "city", "--description", "Où il vit")
    assert restored.startswith("'Ville' (city, text)")
