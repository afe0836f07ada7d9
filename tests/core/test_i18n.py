"""The language people read: how it is chosen, its formats, plural forms and messages."""

from __future__ import annotations

import pendulum
import pytest

from segtui import i18n
from segtui.core.errors import InvalidInput
from segtui.i18n import Message, _n, nmsg

pytestmark = pytest.mark.sqlite_only


@pytest.mark.parametrize(("given", "environ", "expected"), [
    (None, {}, "en"),
    ("fr", {"LANG": "en_US.UTF-8"}, "fr"),
    ("fr_FR.UTF-8", {}, "fr"),
    (None, {"SEGTUI_LANG": "fr", "LANG": "en_GB.UTF-8"}, "fr"),
    (None, {"LANG": "fr_FR.UTF-8"}, "fr"),
    (None, {"LC_ALL": "fr_CA.UTF-8", "LANG": "en_US.UTF-8"}, "fr"),
    (None, {"LC_MESSAGES": "fr_BE", "LANG": "en_US.UTF-8"}, "fr"),
    (None, {"LC_ALL": "C.UTF-8", "LANG": "fr_FR.UTF-8"}, "en"),  # LC_ALL wins, even as C
    (None, {"LANG": "de_DE.UTF-8"}, "en"),  # no catalogue: English
    (None, {"LANG": "$(reboot)"}, "en"),
])
def test_the_language_comes_from_the_option_then_the_environment(given, environ, expected):
    assert i18n.resolve(given, environ) == expected


def test_a_language_segtui_does_not_speak_is_refused_by_name():
    with pytest.raises(i18n.UnknownLanguage) as refused:
        i18n.resolve("de", {})
    assert str(refused.value) == "'de' is not a language segtui speaks: en (English), fr (Français)"


def test_french_formats(french):
    moment = pendulum.datetime(2027, 1, 4, 0, 0, tz="Europe/Paris")
    assert i18n.format_moment(pendulum.date(2027, 1, 2), i18n.DAY) == "2 janv. 2027"
    assert i18n.full_moment(moment, "Europe/Paris") == "lundi 4 janvier 2027 à 00:00 (Europe/Paris)"
    assert i18n.number(1234) == "1\u202f234"
    assert i18n.decimal(1.5) == "1,5"
    assert i18n.items(["a", "b", "c"]) == "a, b et c"
    assert i18n.weekday_names()[0].startswith("lun")
    assert i18n.parse_number("1,5") == 1.5
    assert i18n.parse_number("1 234,5") == 1234.5
    with pytest.raises(ValueError):
        i18n.parse_number("1,234.5")


def test_english_formats_are_the_ones_segtui_always_showed():
    moment = pendulum.datetime(2027, 1, 4, 0, 0, tz="Europe/Paris")
    assert i18n.format_moment(moment) == "4 Jan 2027 00:00"
    assert i18n.full_moment(moment, "Europe/Paris") == "Monday 4 January 2027 at 00:00 (Europe/Paris)"
    assert i18n.number(1234) == "1,234"
    assert i18n.parse_number("1,234.5") == 1234.5
    with pytest.raises(ValueError):
        i18n.parse_number("1,5")


def test_plural_forms_follow_the_language(french, monkeypatch):
    import gettext
    import io

    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    forms = ("{n} contact", "{n} contacts")
    catalog = Catalog(locale="fr")  # CLDR's French: one (0, 1), many (millions), other
    catalog.add(forms, ("{n} contact", "{n} de contacts", "{n} contacts"))
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    monkeypatch.setattr(i18n._State, "translations", gettext.GNUTranslations(compiled))
    assert [_n(*forms, n) for n in (0, 1, 2, 1_000_000)] == [
        "0 contact", "1 contact", "2 contacts", "1\u202f000\u202f000 de contacts"]
    i18n.set_language("en")
    assert [_n(*forms, n) for n in (0, 1, 2, 1000)] == ["0 contacts", "1 contact", "2 contacts", "1,000 contacts"]


def test_an_error_reads_in_the_language_it_is_shown_in():
    error = InvalidInput("{what} cannot contain a NUL character (\\x00)", what="A name")
    assert str(error) == "A name cannot contain a NUL character (\\x00)"
    i18n.set_language("fr")
    try:
        assert str(error) == "A name ne peut pas contenir de caractère NUL (\\x00)"
    finally:
        i18n.set_language("en")
    assert error.text.template == "{what} cannot contain a NUL character (\\x00)"
    assert error.text.params == {"what": "A name"}


def test_messages_inside_messages_are_translated_when_shown(french):
    inner = Message("Not available")
    assert str(Message("{action}: {why}.", action="X", why=inner)) == "X\u00a0: Indisponible."
    assert str(nmsg("{n} row", "{n} rows", 3)) == "3 rows"


def test_names_are_quoted_as_the_language_quotes_them():
    """Python's quotes in English, as segtui always showed them; « » with no-break spaces in
    French, a control character escaped either way (a name can never drive the terminal)."""
    from segtui.core.stored_messages import Label, Quoted, decode, encode, english, quoted_names

    name = "L'Été \"x\"\x1b[31m"
    template = "Renamed {old!r} to {new!r}"
    assert i18n._(template).format(old="A", new=name) == f"Renamed 'A' to {name!r}"
    assert i18n.quoted(name) == repr(name) and i18n.quoted(5) == "5"
    assert str(quoted_names(["A", "B"])) == "'A', 'B'"
    i18n.set_language("fr")
    try:
        assert i18n.quoted(name) == "«\u00a0L'Été \"x\"\\x1b[31m\u00a0»"
        assert i18n.quoted(5) == "5" and i18n.quoted(Label("first_name", "First name")) == "«\u00a0Prénom\u00a0»"

        class Odd:  # quotes itself, but not as a string does: shown as it says itself
            def __repr__(self) -> str:
                return "'a'b'"

        assert i18n.quoted(Odd()) == "'a'b'"
        assert i18n._(template).format(old="A", new="B") == "«\u00a0A\u00a0» renommé en «\u00a0B\u00a0»"
        assert i18n._(template).format_map({"old": "A", "new": "B"}) == "«\u00a0A\u00a0» renommé en «\u00a0B\u00a0»"
        assert str(Message(template, old="A", new="B")) == "«\u00a0A\u00a0» renommé en «\u00a0B\u00a0»"
        names = decode(encode(quoted_names(["A", "B"])))
        assert str(names) == "«\u00a0A\u00a0», «\u00a0B\u00a0»" and english(names) == "'A', 'B'"
        assert str(decode(encode(Quoted("x")))) == "«\u00a0x\u00a0»"
    finally:
        i18n.set_language("en")


def test_separators_are_spaced_as_the_language_spaces_them(french):
    from segtui.core.stored_messages import Joined

    assert i18n.separator("; ") == "\u00a0; " and i18n.separator(", ") == ", " and i18n.separator("") == ""
    assert str(Joined(["a", "b"], "; ")) == "a\u00a0; b"
    i18n.set_language("en")
    assert i18n.separator("; ") == "; " and str(Joined(["a", "b"], "; ")) == "a; b"
