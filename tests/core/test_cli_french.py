"""The command line in French (issue 16): chosen by LANG or --lang, its help, argparse's own
words, its results and errors in French, and --json the same in every language."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import segtui
from segtui import i18n
from segtui.cli import main
from segtui.core import describe
from segtui.core.models import database_proxy

pytestmark = pytest.mark.sqlite_only

NOW = "2026-11-26T10:30:00+01:00"
SOURCE_ROOT = str(Path(segtui.__file__).resolve().parents[1])
NBSP = "\u00a0"


def french_env() -> dict[str, str]:
    """A French machine: LANG says French, nothing else does (the suite's SEGTUI_LANG=en removed)."""
    env = {k: v for k, v in os.environ.items() if k not in ("SEGTUI_LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    env.update(LANG="fr_FR.UTF-8", SEGTUI_NOW=NOW, SEGTUI_TZ="Europe/Paris", SEGTUI_ACTOR="tester",
               PYTHONPATH=SOURCE_ROOT)
    return env


def segtui_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "segtui.cli", *args], capture_output=True, text=True,
                          env=french_env(), timeout=120)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli_fr") / "demo.db"
    done = segtui_cli("--db", str(path), "demo", "--contacts", "200")
    assert done.returncode == 0, done.stderr
    assert "Données de démonstration" in done.stdout
    return path


@pytest.fixture
def lang_fr(monkeypatch):
    """LANG=fr_FR.UTF-8 and no SEGTUI_LANG, for main() run in this process."""
    for name in ("SEGTUI_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    for key, value in (("SEGTUI_NOW", NOW), ("SEGTUI_TZ", "Europe/Paris"), ("SEGTUI_ACTOR", "tester")):
        monkeypatch.setenv(key, value)
    yield
    if database_proxy.obj is not None:
        database_proxy.obj.close()


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_help_in_french_from_lang_through_the_real_command():
    done = segtui_cli("--help")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert text.startswith(f"utilisation{NBSP}: segtui ")  # argparse's own words, through our catalogue
    assert f"options{NBSP}:" in text and f"arguments positionnels{NBSP}:" in text
    assert "afficher ce message d'aide et quitter" in text
    assert "Gérez vos segments CRM depuis le terminal." in text
    assert "conversion automatique en statique" in text  # the schedule command, in the article's words
    assert f"Codes de sortie{NBSP}:" in text
    for english in ("usage:", "show this help message", "positional arguments", "Manage CRM segments"):
        assert english not in text


def test_a_subcommands_help_in_french(lang_fr, capsys):
    code, out, _err = run(capsys, "convert", "--help")
    assert code == 0
    assert out.startswith(f"utilisation{NBSP}: segtui convert [-h] --to {{static,active}} [--yes] segment")
    assert "ne pas demander de confirmation" in out and "do not ask" not in out
    code, out, _err = run(capsys, "--lang", "fr", "serve", "--help")
    assert code == 0 and "Chaque console parle la langue" in out and "(20 par défaut)" in out


def test_results_and_tables_in_french(demo, lang_fr, capsys):
    code, out, _err = run(capsys, "--db", str(demo), "segments", "list")
    assert code == 0
    heading = out.splitlines()[0].split()
    assert heading[:4] == ["ID", "NOM", "TYPE", "OBJET"] and "TAILLE" in heading
    assert "Actif" in out and "Statique" in out and "entreprises" in out
    assert "26 nov. 2026" in out  # the account's moments in French words
    code, out, _err = run(capsys, "--db", str(demo), "segments", "show", "Hand-picked VIPs")
    assert code == 0 and f"  taille{NBSP}:" in out and "[Statique]" in out
    code, out, _err = run(capsys, "--db", str(demo), "check")
    assert code == 0 and out.endswith(f"statiques vérifiés{NBSP}: aucun écart.\n")
    code, out, _err = run(capsys, "--db", str(demo), "folders", "list")
    assert code == 0 and out.startswith("Aucun dossier pour l'instant.")


def test_errors_in_french_exit_2(demo, lang_fr, capsys):
    code, _out, err = run(capsys, "--db", str(demo), "convert", "Hand-picked VIPs", "--to", "dynamic")
    assert code == 2
    assert err == (f"segtui{NBSP}: convert{NBSP}: argument --to{NBSP}: choix non valide{NBSP}: 'dynamic' "
                   "(choisissez parmi 'static', 'active')\n")
    code, _out, err = run(capsys, "--db", str(demo), "convert")
    assert code == 2 and f"les arguments suivants sont obligatoires{NBSP}: segment, --to" in err
    code, _out, err = run(capsys, "--db", str(demo), "demo", "--contacts", "0")
    assert code == 2 and err == f"segtui{NBSP}: --contacts doit être compris entre 1 et 2\u202f000\u202f000\n"
    code, _out, err = run(capsys, "--db", str(demo), "segments", "add", "Hand-picked VIPs")
    assert code == 2 and "EMAIL_OR_DOMAIN" in err and "obligatoires" in err


def test_lang_de_is_refused_with_a_clear_sentence(lang_fr, monkeypatch, capsys):
    code, out, err = run(capsys, "--lang", "de", "segments", "list")
    assert (code, out) == (2, "")
    assert err == (f"segtui{NBSP}: --lang{NBSP}: «\u00a0de\u00a0» n'est pas une langue que parle segtui{NBSP}: "
                   "en (English), fr (Français)\n")
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    code, out, err = run(capsys, "--lang=de", "--help")
    assert (code, out) == (2, "")
    assert err == "segtui: --lang: 'de' is not a language segtui speaks: en (English), fr (Français)\n"


def test_lang_option_beats_the_environment(demo, monkeypatch, capsys):
    monkeypatch.setenv("SEGTUI_LANG", "en")
    code, out, _err = run(capsys, "--lang", "fr", "--db", str(demo), "segments", "deleted")
    assert code == 0 and out == "Aucun segment n'a été supprimé ces 90 derniers jours.\n"
    code, out, _err = run(capsys, "--db", str(demo), "segments", "deleted")
    assert code == 0 and out == "No segment was deleted in the last 90 days.\n"


JSON_COMMANDS = [
    ["segments", "list", "--json"],
    ["segments", "show", "Events 2025, Bretagne", "--json"],
    ["segments", "deleted", "--json"],
    ["records", "show", "contacts", "1", "--json"],
    ["check", "--json"],
    ["conversions", "upcoming", "--json"],
    ["folders", "list", "--json"],
    ["segments", "history", "Events 2025, Bretagne", "--json"],
    ["segments", "usage", "Customers not in VIPs", "--json"],
]


@pytest.mark.parametrize("command", JSON_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_json_is_the_same_in_both_languages(demo, lang_fr, monkeypatch, capsys, command):
    # words the core builds for people (here an explanation that names the language it is built
    # in) are built in English for --json, whatever the command's language
    monkeypatch.setattr(describe, "explain", lambda *args, **kwargs: f"built in {i18n.language()}")
    printed = {}
    for lang in ("en", "fr"):
        code, out, err = run(capsys, "--lang", lang, "--db", str(demo), *command)
        assert code == 0, err
        printed[lang] = out
    assert printed["fr"] == printed["en"]
    data = json.loads(printed["fr"])
    if command[:2] == ["segments", "show"]:
        assert data["schedule"]["explanation"] == "built in en" and data["type"] == "active"
    assert i18n.language() == "fr"  # main() put the command's language back after the JSON


def test_the_same_command_without_json_does_speak_french(demo, lang_fr, monkeypatch, capsys):
    monkeypatch.setattr(describe, "explain", lambda *args, **kwargs: f"built in {i18n.language()}")
    code, out, _err = run(capsys, "--db", str(demo), "segments", "show", "Events 2025, Bretagne")
    assert code == 0 and f"conversion auto{NBSP}:" in out and "built in fr" in out


def test_confirmation_accepts_the_languages_yes(french, monkeypatch):
    import types

    import segtui.cli as cli

    monkeypatch.setattr(cli.sys, "stdin", types.SimpleNamespace(isatty=lambda: True))
    asked = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "oui")
    assert cli._confirm(i18n._("Convert?")) is True
    assert asked == [f"Convertir{NBSP}? [o/N] "]


def test_a_sentence_keeps_the_french_spaces_and_a_custom_property_is_shown(demo, lang_fr, capsys):
    code, out, err = run(capsys, "--db", str(demo), "records", "set", "contacts", "1", "favorite_color=Blue",
                         "city=")
    assert code == 0, err
    assert out.startswith(f"Enregistré{NBSP}: favorite_color = blue, city = (inconnu). ")
    code, out, err = run(capsys, "--db", str(demo), "properties", "create", "contacts", "Pointure", "--type", "text")
    assert code == 0, err
    code, out, err = run(capsys, "--db", str(demo), "properties", "edit", "contacts", "Pointure", "--type", "number")
    assert code == 0, err
    assert out == f"«\u00a0Pointure\u00a0» est maintenant de type number{NBSP}: 0 valeur convertie.\n"  # no \\u00a0 escape


@pytest.mark.parametrize("dry_run", [True, False])
def test_an_unknown_column_in_french_names_the_three_ways_out(demo, tmp_path, dry_run):
    """The hint at --create-properties / --skip / --map follows the problem's kind, not its
    English words: in French it is there too, the dry run saying it would not import."""
    csv = tmp_path / "contacts.csv"
    csv.write_text("email,Geburtstag\nneu@example.org,1990\n", encoding="utf-8")
    db_copy = tmp_path / "demo.db"
    db_copy.write_bytes(demo.read_bytes())
    done = segtui_cli("--db", str(db_copy), "import", "contacts", str(csv), *(["--dry-run"] if dry_run else []))
    said = done.stdout + done.stderr
    assert done.returncode == 2, said
    assert "Geburtstag" in said
    assert "--create-properties" in said and "--skip-unknown" in said and "--map" in said
    assert "Colonnes inconnues\u00a0: créez-les (--create-properties)" in said, said
    assert ("il ne serait pas importé" in said) == dry_run, said
    assert ("rien n'a été importé" in said) != dry_run, said


def test_records_show_says_why_a_record_joined_in_french(tmp_path, lang_fr, capsys):
    """The membership log's cause, stored in English ("region changed"), is printed in French
    with the property's label; --json keeps the stored text."""
    db = str(tmp_path / "why.db")
    code, _out, err = run(capsys, "--db", db, "demo", "--contacts", "20")
    assert code == 0, err
    rule = tmp_path / "rule.json"
    rule.write_text(json.dumps({"groups": [{"filters": [{"property": "region", "operator": "is_any_of",
                                                           "values": ["Zanzibar"]}]}]}))
    code, _out, err = run(capsys, "--db", db, "segments", "create", "Zanzibarais", "--object", "contacts",
                          "--type", "active", "--filters", str(rule))
    assert code == 0, err
    code, _out, err = run(capsys, "--db", db, "records", "set", "contacts", "1", "region=Zanzibar")
    assert code == 0, err
    code, out, err = run(capsys, "--db", db, "records", "show", "contacts", "1")
    assert code == 0, err
    line = next(t for t in out.splitlines() if "Zanzibarais" in t)
    assert line.endswith(f"{NBSP}: modification de Région, par tester"), line
    code, out, err = run(capsys, "--db", db, "records", "show", "contacts", "1", "--json")
    assert code == 0, err
    joined = next(s for s in json.loads(out)["segments"] if s["name"] == "Zanzibarais")
    assert (joined["reason"], joined["actor"]) == ("region changed", "tester")
