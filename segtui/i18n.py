"""The language people read: gettext catalogues, plural forms and the locale's formats (Babel).

Every string a person reads is written in English in the code and marked:

- ``_("Segments")``: translated now, in the console's or the command's language;
- ``N_("Back")``: only marked, for text written before the language is known (class-level
  tables such as the actions' labels); whoever shows it calls ``_()`` on it (``N_n`` marks a
  plural pair the same way);
- ``_n("{n} contact", "{n} contacts", n, ...)``: the plural form for ``n``, formatted (``{n}``
  is ``n`` in the locale's digits: ``1 234 contacts``);
- ``pgettext(context, message)``: one English word that reads two ways in another language;
- ``Message`` / ``nmsg``: a message kept as its English id and its parameters, translated each
  time it is shown (the domain errors are built on it, so an error reads in either language).

Templates use ``str.format`` fields (``{name}``); a test checks that each translation keeps
the same fields. A name or typed text is quoted with ``{name!r}`` (or ``quoted(name)`` where
it is built in code): Python's quotes in English, as segtui always showed them ('Bretons'), the
language's own marks otherwise (« Bretons » in French), control characters escaped either way. The catalogues are per source module (``segtui/locale/<lang>/<path>.po``,
compiled into one ``LC_MESSAGES/segtui.mo``: ``python -m segtui.catalogues``).

The language is the process's: a command has one, a console has one (its palette can switch
it). It comes from ``--lang`` / ``SEGTUI_LANG``, else ``LC_ALL`` / ``LC_MESSAGES`` / ``LANG``,
else English.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import string
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from babel import Locale
from babel import dates as babel_dates
from babel import lists as babel_lists
from babel import numbers as babel_numbers

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "segtui"
ENGLISH = "en"
# the languages segtui speaks, each named in itself (the palette's switch shows these)
LANGUAGES = {"en": "English", "fr": "Français"}
ENV_LANG = "SEGTUI_LANG"
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")

_LOCALE_NAME = re.compile(r"^([A-Za-z]{2,3})(?:[_-][A-Za-z0-9]{2,4})?(?:\.[A-Za-z0-9_-]{1,20})?(?:@[A-Za-z0-9]{1,20})?$")


class UnknownLanguage(ValueError):
    def __init__(self, given: str):
        super().__init__(given)
        self.given = given

    def __str__(self) -> str:
        return _("{given!r} is not a language segtui speaks: {known}").format(
            given=self.given, known=", ".join(f"{code} ({name})" for code, name in LANGUAGES.items()))


def language_of(name: str | None) -> str | None:
    """'fr_FR.UTF-8' -> 'fr', 'fr' -> 'fr', 'de_DE' -> 'de'; None for C, POSIX or nonsense."""
    if not name:
        return None
    match = _LOCALE_NAME.match(name.strip())
    if match is None or name.strip().upper() in ("C", "POSIX"):
        return None
    return match[1].lower()


def resolve(given: str | None = None, environ: Mapping[str, str] = os.environ) -> str:
    """The language to speak: ``given`` (``--lang``; UnknownLanguage if segtui does not speak
    it), else SEGTUI_LANG, else the first locale variable that is set (a language segtui does
    not speak falls back to English, as a program does under a locale it has no catalogue
    for), else English."""
    if given is not None and given.strip():
        code = language_of(given)
        if code not in LANGUAGES:
            raise UnknownLanguage(given.strip())
        return code
    chosen = environ.get(ENV_LANG, "").strip()
    if chosen:
        code = language_of(chosen)
        return code if code in LANGUAGES else ENGLISH
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable, "").strip()
        if value:  # the first one set decides, as in POSIX, even when it is C
            code = language_of(value)
            return code if code in LANGUAGES else ENGLISH
    return ENGLISH


@cache
def _translations(code: str) -> gettext.NullTranslations:
    if code == ENGLISH:
        return gettext.NullTranslations()
    with open(LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as file:
        return gettext.GNUTranslations(file)


class _State:
    code = ENGLISH
    translations: gettext.NullTranslations = gettext.NullTranslations()
    locale: Locale = Locale.parse("en_GB")  # day first, 24-hour clock: the English segtui shows


def set_language(code: str) -> None:
    if code not in LANGUAGES:
        raise UnknownLanguage(code)
    _State.code = code
    _State.translations = _translations(code)
    _State.locale = _locale(code)


@cache
def _locale(code: str) -> Locale:
    return Locale.parse("en_GB" if code == ENGLISH else code)


def language() -> str:
    return _State.code


@contextmanager
def in_english() -> Iterator[None]:
    """English for a while (what programs read: --json), then the language as it was."""
    spoken = _State.code
    set_language(ENGLISH)
    try:
        yield
    finally:
        set_language(spoken)


def locale() -> Locale:
    return _State.locale


# -- messages ------------------------------------------------------------------------------------
# the quotation marks of each language but English (which keeps Python's quotes, as it always had)
QUOTES = {"fr": ("\u00ab\u00a0", "\u00a0\u00bb")}
_KEPT = "\u00a0\u202f"  # spaces French typography puts in text: printable for a terminal


# the punctuation each language puts a no-break space before (French: "a ; b", "x : y")
SPACED_BEFORE = {"fr": ";:!?"}


def separator(sep: str) -> str:
    """A separator written in English ("; ") as the language spaces it: " ; " in French."""
    if sep.strip() and sep.strip()[0] in SPACED_BEFORE.get(_State.code, ""):
        return "\u00a0" + sep.lstrip()
    return sep


def quoted(value: object) -> str:
    """A name or typed text quoted as the language quotes it: 'Bretons' in English (Python's
    repr), « Bretons » in French; a character a terminal would act on is escaped as repr does."""
    marks = QUOTES.get(_State.code)
    text = value if isinstance(value, str) else _quoted_text(value)
    if marks is None or text is None:
        return repr(value)
    return marks[0] + "".join(c if c.isprintable() or c in _KEPT else repr(c)[1:-1] for c in text) + marks[1]


def _quoted_text(value: object) -> str | None:
    """The text of an object that quotes itself as a string does (a label), else None (a number)."""
    shown = repr(value)
    if len(shown) < 2 or shown[0] not in "'\"" or shown[-1] != shown[0]:
        return None
    try:
        text = ast.literal_eval(shown)
    except (ValueError, SyntaxError):
        return None
    return text if isinstance(text, str) else None


class _Quoting(string.Formatter):
    def convert_field(self, value, conversion):
        return quoted(value) if conversion == "r" else super().convert_field(value, conversion)


_QUOTING = _Quoting()


class Translated(str):
    """A translation: its ``format`` quotes ``{name!r}`` as the language does (``quoted``)."""

    __slots__ = ()

    def format(self, /, *args, **kwargs) -> str:
        return _QUOTING.vformat(self, args, kwargs)

    def format_map(self, mapping) -> str:
        return _QUOTING.vformat(self, (), mapping)


def _translated(text: str) -> str:
    return text if _State.code == ENGLISH else Translated(text)


def _(message: str) -> str:
    return _translated(_State.translations.gettext(message))


def N_(message: str) -> str:
    return message


def N_n(singular: str, plural: str) -> tuple[str, str]:
    """A plural pair only marked, as ``N_`` marks one message: ``nmsg(*PAIR, n)`` shows it."""
    return singular, plural


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translated(_State.translations.ngettext(singular, plural, n))


def pgettext(context: str, message: str) -> str:
    return _translated(_State.translations.pgettext(context, message))


def _n(singular: str, plural: str, n: int, **params: object) -> str:
    """The plural form for ``n``, its fields filled: ``{n}`` is ``n`` in the locale's digits."""
    return ngettext(singular, plural, n).format(n=number(n), **params)


class Message:
    """A message kept as its English template and parameters; ``str()`` translates it now.

    Parameters that are Messages themselves are translated too, when the template is filled.
    """

    __slots__ = ("template", "plural", "count", "params")

    def __init__(self, template: str, /, **params: object) -> None:
        self.template, self.plural, self.count, self.params = template, None, None, params

    def __str__(self) -> str:
        if self.plural is not None:
            return _n(self.template, self.plural, self.count, **self.params)
        return _(self.template).format(**self.params) if self.params else _(self.template)

    def __repr__(self) -> str:
        return f"Message({self.template!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


def nmsg(singular: str, plural: str, n: int, /, **params: object) -> Message:
    """A Message with a plural form for ``n`` (``{n}`` filled with ``n`` in the locale's digits)."""
    message = Message(singular, **params)
    message.plural, message.count = plural, n
    return message


# -- the locale's formats ---------------------------------------------------------------------------
# patterns in Babel's (CLDR) notation; the English ones are those segtui always showed
DAY = "d MMM y"  # 2 Jan 2027 / 2 janv. 2027
DAY_THIS_YEAR = "d MMM"
MOMENT = "d MMM y HH:mm"
FULL_DAY = "EEEE d MMMM y"  # Saturday 2 January 2027 / samedi 2 janvier 2027
MONTH = "LLLL y"  # January 2027 / janvier 2027
TIME = "HH:mm"


def number(value: int | float) -> str:
    """1,234 / 1 234 (a narrow no-break space in French, as CLDR says)."""
    return babel_numbers.format_decimal(value, locale=_State.locale)


def decimal(value: float, digits: int = 1) -> str:
    """A number with at most ``digits`` decimals: 1.5 / 1,5."""
    return babel_numbers.format_decimal(value, format=f"#,##0.{'#' * digits}" if digits else "#,##0",
                                        locale=_State.locale)


def percent(value: float, digits: int = 0) -> str:
    """``value`` as a share of 1: 0.5 -> 50% / 50 %."""
    return babel_numbers.format_percent(value, format=f"#,##0.{'0' * digits}%" if digits else "#,##0%",
                                        locale=_State.locale)


def format_moment(value, pattern: str = MOMENT) -> str:
    """A date or date-time (already in the zone it is shown in) in a Babel pattern."""
    if hasattr(value, "hour"):
        return babel_dates.format_datetime(value, pattern, locale=_State.locale)
    return babel_dates.format_date(value, pattern, locale=_State.locale)


def full_day(day) -> str:
    return format_moment(day, FULL_DAY)


def full_moment(value, zone: str) -> str:
    """'Monday 4 January 2027 at 00:00 (Europe/Paris)' / 'lundi 4 janvier 2027 à 00:00 (Europe/Paris)':
    ``value`` already in ``zone``."""
    return _("{day} at {time} ({zone})").format(day=full_day(value), time=format_moment(value, TIME), zone=zone)


def items(values: Iterable[str], style: str = "standard") -> str:
    """'a, b and c' / 'a, b et c' ('or' with style='or')."""
    return babel_lists.format_list(list(values), style=style, locale=_State.locale)


def weekday_names(width: str = "abbreviated") -> list[str]:
    """Monday first (Babel's 0), in the language."""
    names = babel_dates.get_day_names(width, context="stand-alone", locale=_State.locale)
    return [names[i] for i in range(7)]


def month_names(width: str = "wide") -> list[str]:
    names = babel_dates.get_month_names(width, context="stand-alone", locale=_State.locale)
    return [names[i] for i in range(1, 13)]


def parse_number(text: str) -> float:
    """A number as typed in the language: '1,5' or '1.5' in French, '1,234.5' in English;
    ValueError if it is not one. Spaces (and no-break spaces) between digit groups are ignored."""
    typed = re.sub(r"[\s\u00a0\u202f]", "", text)
    if babel_numbers.get_decimal_symbol(locale=_State.locale) == ",":
        if typed.count(",") > 1 or ("," in typed and "." in typed):
            raise ValueError(text)
        typed = typed.replace(",", ".")
    elif re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?", typed):
        typed = typed.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", typed):
        raise ValueError(text)
    return float(typed)
