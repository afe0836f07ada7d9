"""A key named inside a sentence reads as the footer and the ? help name it (issue 16):
French text says Espace, Ctrl+s, Échap, Entrée, Suppr, as ``keys.key_name`` does, never
'espace' or 'ctrl+s'. Hints built from ``key_name`` cannot drift; the others are checked here
in every catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from segtui import i18n
from segtui.tui.keys import key_name

LOCALES = Path(i18n.__file__).with_name("locale")
# how an English text names a key (not inside a {field}), and the key
NAMED = [
    (re.compile(r"(?<![{\w])(?:Esc|esc|escape)(?![}\w])"), "escape"),
    (re.compile(r"(?<![{\w])Enter(?![}\w])"), "enter"),
    (re.compile(r"(?<![{\w])(?<!address )(?<!a )space(?![}\w])"), "space"),
    (re.compile(r"(?<![{\w])Tab(?![}\w])"), "tab"),
    (re.compile(r"(?<![{\w])del(?![}\w])"), "delete"),
    (re.compile(r"(?<![{\w])PgUp(?![}\w])"), "pageup"),
    (re.compile(r"(?<![{\w])PgDn(?![}\w])"), "pagedown"),
    (re.compile(r"(?<![{\w])shift\+tab(?![}\w])"), "shift+tab"),
    (re.compile(r"(?<![{\w])ctrl\+([a-z])(?![}\w])"), None),  # ctrl+s, ctrl+p...
]
# not key names: the words of argparse, and the key names themselves
NOT_TEXT = {"argparse.po", "keys.po"}


def keys_named(text: str) -> set[str]:
    found = set()
    for pattern, key in NAMED:
        for match in pattern.finditer(text):
            found.add(key or f"ctrl+{match[1]}")
    return found


def translations(code: str):
    for path in sorted((LOCALES / code).rglob("*.po")):
        if path.name in NOT_TEXT:
            continue
        with path.open("rb") as file:
            for message in read_po(file):
                if message.id and message.string:
                    english = message.id if isinstance(message.id, str) else message.id[0]
                    said = [message.string] if isinstance(message.string, str) else list(message.string)
                    yield path.relative_to(LOCALES), english, said


@pytest.fixture
def in_language(request):
    yield
    i18n.set_language("en")


@pytest.mark.parametrize("code", [code for code in i18n.LANGUAGES if code != i18n.ENGLISH])
def test_keys_in_translated_sentences_are_named_as_the_footer_names_them(code, in_language):
    i18n.set_language(code)
    wrong = []
    for path, english, said in translations(code):
        for key in sorted(keys_named(english)):
            name = key_name(key)
            wrong += [f"{path}: {english!r} -> {text!r}: should say {name!r}" for text in said if name not in text]
    assert wrong == []


def test_the_check_sees_the_keys_of_a_sentence():
    assert keys_named("Enter: apply · Esc: cancel") == {"enter", "escape"}
    assert keys_named("space marks · del deletes them; ctrl+s saves (Tab moves)") == {"space", "delete", "ctrl+s", "tab"}
    # fields filled by key_name, the Records tab, an address space: no key named
    assert keys_named("{space} marks on the Records tab; address space; {enter} opens; ends with a space") == set()


def test_hints_built_from_key_names_follow_the_language(in_language):
    from segtui.tui.screens.help import GUIDE, GUIDE_KEYS

    i18n.set_language("fr")
    named = {field: key_name(key) for field, key in GUIDE_KEYS.items()}
    guide = [i18n._(paragraph).format(**named) for paragraph in GUIDE]
    assert "Ctrl+p ouvre la palette de commandes" in guide[-1]
    assert "Espace marque des membres" in guide[2] and "Ctrl+s enregistre" in guide[2]
    assert i18n._("{space} marks · {delete} deletes the marked ones").format(
        space=key_name("space"), delete=key_name("delete")) == "Espace marque · Suppr supprime les marqués"
    i18n.set_language("en")
    guide = [i18n._(paragraph).format(**{field: key_name(key) for field, key in GUIDE_KEYS.items()})
             for paragraph in GUIDE]
    assert guide[-1] == "ctrl+p opens the command palette: every action is there by name."
    assert "Enter edits, d removes; ctrl+s saves" in guide[2] and "space marks members" in guide[2]
