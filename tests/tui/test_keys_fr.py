"""Keys named in the language (issue 16): the ? help and the footer say Échap, Espace, Suppr,
Entrée...; a footer too long for the width leaves its last keys out, whole, never cut."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from segtui.core import segments
from segtui.tui.keys import key_name
from segtui.tui.screens.edit_filters import EditFiltersScreen
from segtui.tui.screens.help import HelpScreen
from segtui.tui.screens.properties_screen import PropertiesScreen
from segtui.tui.widgets.footer import Footer

from .conftest import run, screen_lines, settle
from .test_flows import open_segment

ENGLISH = {"escape": ("escape", "esc"), "delete": ("del", "del"), "space": ("space", "space"),
           "ctrl+s": ("ctrl+s", "^s"), "pagedown": ("PgDn", "PgDn"), "question_mark": ("?", "?"),
           "enter": ("Enter", "⏎"), "shift+tab": ("shift+tab", "shift+tab"), "left_square_bracket": ("[", "[")}
FRENCH = {"escape": ("Échap", "Échap"), "delete": ("Suppr", "Suppr"), "space": ("Espace", "Espace"),
          "ctrl+q": ("Ctrl+q", "^q"), "pageup": ("PgPréc", "PgPréc"), "pagedown": ("PgSuiv", "PgSuiv"),
          "enter": ("Entrée", "⏎"), "shift+tab": ("Maj+Tab", "Maj+Tab"), "home": ("Début", "Début"),
          "end": ("Fin", "Fin"), "tab": ("Tab", "Tab"), "up": ("↑", "↑"), "slash": ("/", "/")}


def test_a_key_is_named_as_the_console_always_named_it_in_english():
    for key, (full, short) in ENGLISH.items():
        assert (key_name(key), key_name(key, short=True)) == (full, short), key


def test_a_key_is_named_as_a_french_keyboard_labels_it(french):
    for key, (full, short) in FRENCH.items():
        assert (key_name(key), key_name(key, short=True)) == (full, short), key


def help_rows(app) -> dict[str, str]:
    """The ? help's table: what -> its keys."""
    assert isinstance(app.screen, HelpScreen)
    keys, what = (list(column.cells) for column in app.screen.keys_table().columns)
    return {str(w): str(k) for k, w in zip(keys, what)}


def test_the_help_names_the_keys_in_french(french, make_app):
    seen = {}

    async def scenario(pilot):
        await pilot.press("question_mark")
        await settle(pilot)
        seen["list"] = help_rows(pilot.app)
        await pilot.press("escape")
        await open_segment(pilot, "Hand-picked VIPs")
        await pilot.press("question_mark")
        await settle(pilot)
        seen["segment"] = help_rows(pilot.app)

    run(make_app(), scenario, size=(80, 24))
    on_list = seen["list"]
    assert on_list["Supprimer"] == "Suppr" and on_list["Marquer"] == "Espace"
    assert on_list["Effacer la recherche"] == "Échap" and on_list["Quitter"] == "Ctrl+q"
    # the keys that move, found among the bindings underneath: the palette's, Tab, the table's
    assert on_list["Palette de commandes"] == "Ctrl+p"
    assert on_list["Passer d'un champ à l'autre"] == "Tab / Maj+Tab"
    assert on_list["Se déplacer dans les tableaux"] == "↑ ↓ PgPréc PgSuiv"
    assert on_list["Ouvrir / choisir"] == "Entrée"
    assert seen["segment"]["Retour"] == "Échap" and seen["segment"]["Retirer"] == "-"
    english = {"escape", "space", "delete", "del", "ctrl", "enter", "PgUp", "PgDn"}
    for rows in seen.values():
        assert not english & {word for keys in rows.values() for word in keys.replace("+", " ").split()}, rows


def footer_keys(screen) -> tuple[list[str], list[str]]:
    footer = screen.query_one(Footer)
    shown = [key for key in footer.query(FooterKey) if key.display and key.parent.display]
    for key in shown:  # each whole on the screen, none under the palette's key or past the edge
        assert key.region.right <= footer.region.right, key
    return [f"{key.key_display} {key.description}".strip() for key in shown], list(footer.left_out)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_footer_too_long_leaves_its_last_keys_out_whole_and_keeps_help(request, make_app, language):
    if language == "fr":
        request.getfixturevalue("french")
    seen = {}

    async def scenario(pilot):
        await pilot.press("P")
        await settle(pilot)
        assert isinstance(pilot.app.screen, PropertiesScreen)
        seen["80"] = footer_keys(pilot.app.screen)
        seen["80 text"] = screen_lines(pilot.app)[-1]
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        seen["120"] = footer_keys(pilot.app.screen)

    run(make_app(), scenario, size=(80, 24))
    keys, left_out = seen["80"]
    back, archive, archived, help_key = {
        "en": ("esc Back", "a Archive/restore", "h Archived", "? Help"),
        "fr": ("Échap Retour", "a Archiver", "h Archivé", "? Aide")}[language]
    # the first keys the screen declares, then the help's key; the last declared left out
    assert keys[0] == back and keys[-3:] == [archive, help_key, "^p palette"]
    assert help_key in keys and archived not in keys and left_out == ["toggle_archived"]
    assert seen["80 text"].rstrip().endswith("^p palette")
    keys, left_out = seen["120"]  # room for every key again
    assert archived in keys and left_out == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_footer_too_long_keeps_the_keys_that_leave_and_save(request, make_app, language):
    """The filter editor declares its own keys before Save and Cancel: at 80 columns in French
    they do not all fit, and the footer leaves out a lesser key rather than Échap Annuler."""
    if language == "fr":
        request.getfixturevalue("french")
    segment = next(s for s in segments.list_page(search="Newsletter", limit=5).rows)
    seen = {}

    async def scenario(pilot):
        await pilot.app.push_screen(EditFiltersScreen(segment))
        await settle(pilot)
        seen["80"] = footer_keys(pilot.app.screen)
        seen["80 text"] = screen_lines(pilot.app)[-1]

    run(make_app(), scenario, size=(80, 24))
    keys, left_out = seen["80"]
    cancel, save, help_key = {"en": ("esc Cancel", "^s Save", "? Help"),
                              "fr": ("Échap Annuler", "^s Enregistrer", "? Aide")}[language]
    assert cancel in keys and save in keys and help_key in keys, keys
    assert "cancel" not in left_out and "save" not in left_out
    assert keys.index(save) < keys.index(cancel)  # in the order the screen declares them
    if language == "fr":
        assert left_out, "the French footer is longer than 80 columns: a lesser key goes"
    assert seen["80 text"].rstrip().endswith("^p palette")
