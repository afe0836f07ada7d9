"""A key's name in the console's language: the one name the footer, the ``?`` help and the
palette give a key.

Keys are Textual's names (``escape``, ``ctrl+s``, ``pagedown``, ``question_mark``). English
names them as the console always has: in full in the help (``escape``, ``ctrl+s``), short in
the footer as Textual does (``esc``, ``^s``). Other languages name them as their keyboards
label them (French: Échap, Entrée, Espace, Suppr, PgPréc, Début...).
"""

from __future__ import annotations

from textual.binding import Binding
from textual.keys import format_key

from ..i18n import pgettext


def _words(short: bool) -> dict[str, str]:
    """The keys whose name is a word, in the language (built at each call: the language may
    have changed since the last one)."""
    return {
        "escape": pgettext("key, short", "esc") if short else pgettext("key", "escape"),
        "enter": "⏎" if short else pgettext("key", "Enter"),
        "space": pgettext("key", "space"),
        "delete": pgettext("key", "del"),
        "backspace": "⌫" if short else pgettext("key", "backspace"),
        "insert": pgettext("key", "insert"),
        "tab": pgettext("key", "tab"),
        "home": pgettext("key", "home"),
        "end": pgettext("key", "end"),
        "pageup": pgettext("key", "PgUp"),
        "pagedown": pgettext("key", "PgDn"),
        "shift": pgettext("key", "shift"),
        "ctrl": pgettext("key", "ctrl"),
        "alt": pgettext("key", "alt"),
    }


def key_name(key: str, *, short: bool = False) -> str:
    """``key`` (one Textual key) as the language names it; ``short``: the footer's form."""
    *modifiers, base = key.split("+")
    words = _words(short)
    name = words.get(base) or format_key(base)
    if short and "ctrl" in modifiers:
        modifiers.remove("ctrl")
        name = f"^{name}"
    return "+".join([*(words.get(m, m) for m in modifiers), name])


def binding_key_name(binding: Binding, key: str | None = None, *, short: bool = False) -> str:
    """The key a binding is reached by (``key``: the one pressed, after the keymap; default:
    the binding's own). A binding's ``key_display`` is a character that reads the same in every
    language (``/``, ``[``); a key named by a word is named by ``key_name``."""
    return binding.key_display or key_name(key or binding.key, short=short)
