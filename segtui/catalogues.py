"""The translation catalogues: extract the marked strings, update each language's files,
compile them, check them. A tool for the people who write segtui, run as

    python -m segtui.catalogues update [--lang fr] [FILE.py ...]   # new strings in, gone ones out
    python -m segtui.catalogues compile [--lang fr]                # the .po files -> segtui.mo
    python -m segtui.catalogues check [--lang fr]                  # what the test suite checks
    python -m segtui.catalogues todo --lang fr [FILE.py ...]       # what is left to translate, as JSON
    python -m segtui.catalogues fill --lang fr TRANSLATIONS.json   # set translations by English text

A catalogue per source module (``segtui/tui/screens/help.py`` ->
``segtui/locale/fr/tui/screens/help.po``), so that people changing different modules never
touch the same file; ``compile`` merges them into ``segtui/locale/<lang>/LC_MESSAGES/segtui.mo``,
committed (the console never compiles anything). ``argparse.po`` holds the words of Python's
argparse (usage, options...), which are not ours to extract.
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import string
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from .i18n import DOMAIN, LANGUAGES, LOCALE_DIR

PACKAGE = Path(__file__).parent
SKIPPED = ("migrations",)  # never shown to anybody
ERROR_BASE = "SegtuiError"
KEYWORDS: dict[str, object] = {
    "_": None, "N_": None, "Message": None, "N_n": (1, 2),
    "ngettext": (1, 2), "_n": (1, 2), "nmsg": (1, 2),
    "pgettext": ((1, "c"), 2),
}
FIXED_DATE = datetime(2026, 12, 1, tzinfo=UTC)  # catalogues carry no date that changes on each run
EXTERNAL = ("argparse",)  # catalogues of other people's words, kept by hand


@dataclass(frozen=True)
class Entry:
    id: str | tuple[str, str]
    context: str | None


def sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py")
                  if not any(part in SKIPPED for part in p.relative_to(PACKAGE).parts) and p.name != "catalogues.py")


def error_classes(paths: list[Path]) -> set[str]:
    """The names of every SegtuiError subclass: their first argument is a message template."""
    bases: dict[str, set[str]] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(
                    b.id if isinstance(b, ast.Name) else b.attr for b in node.bases if isinstance(b, ast.Name | ast.Attribute))
    found = {ERROR_BASE}
    while True:
        more = {name for name, parents in bases.items() if parents & found} - found
        if not more:
            return found
        found |= more


def keywords() -> dict[str, object]:
    return {**KEYWORDS, **dict.fromkeys(error_classes(sources()))}


def extract(path: Path, words: dict[str, object] | None = None) -> list[Entry]:
    """The marked strings of one module, in the order they appear, each once."""
    seen: dict[Entry, None] = {}
    for _line, message, _comments, context in extract_from_file("python", str(path), keywords=words or keywords(),
                                                                  comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
        seen.setdefault(Entry(message, context), None)
    return list(seen)


def po_path(lang: str, source: Path) -> Path:
    return LOCALE_DIR / lang / source.relative_to(PACKAGE).with_suffix(".po")


def _new_catalog(lang: str) -> Catalog:
    return Catalog(locale=lang, domain=DOMAIN, project="segtui", version="1", copyright_holder="segtui",
                   creation_date=FIXED_DATE, revision_date=FIXED_DATE, fuzzy=False)


def read(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


def write(path: Path, catalog: Catalog) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, no_location=True, omit_header=False, include_previous=False)
    text = buffer.getvalue().decode("utf-8")
    # the header's dates and Babel's version would change on every run: keep the file stable
    lines = [line for line in text.splitlines(keepends=True) if not line.startswith('"Generated-By:')]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(lines), encoding="utf-8")


def update(lang: str, paths: list[Path] | None = None) -> dict[Path, int]:
    """Bring each module's catalogue in line with its marked strings; returns the number of
    entries still untranslated per catalogue written (a module without strings has none)."""
    words = keywords()
    untranslated: dict[Path, int] = {}
    for source in paths or sources():
        entries = extract(source, words)
        target = po_path(lang, source)
        old = read(target) if target.exists() else None
        if not entries:
            if target.exists():
                target.unlink()
            continue
        catalog = _new_catalog(lang)
        for entry in entries:
            known = old.get(entry.id, context=entry.context) if old is not None else None
            if known is not None and isinstance(known.id, tuple) != isinstance(entry.id, tuple):
                known = None  # it became (or stopped being) a plural: translate it again
            if isinstance(entry.id, tuple):
                text = known.string if known is not None else ("", "")
            else:
                text = known.string if known is not None else ""
            catalog.add(entry.id, text, context=entry.context,
                        flags=known.flags if known is not None else ())
        write(target, catalog)
        untranslated[target] = sum(1 for m in catalog if m.id and not _translated(m))
    return untranslated


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings) and "fuzzy" not in message.flags


def catalogues(lang: str) -> list[Path]:
    return sorted((LOCALE_DIR / lang).rglob("*.po"))


def merged(lang: str) -> Catalog:
    catalog = _new_catalog(lang)
    for path in catalogues(lang):
        for message in read(path):
            if message.id:
                catalog.add(message.id, message.string, context=message.context, flags=message.flags)
    return catalog


def mo_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def compile_mo(lang: str) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, merged(lang), use_fuzzy=False)
    return buffer.getvalue()


def _fields(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return {"<not a valid template>"}


def built_messages(words: dict[str, object] | None = None) -> Iterator[str]:
    """Messages that cannot be translated as written: an f-string, a ``+`` or a ``%`` given to
    a translation function or an error class (the words would be built before translation)."""
    words = words or keywords()
    for source in sources():
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name in words and isinstance(node.args[0], ast.JoinedStr | ast.BinOp):
                yield (f"{_shown(source)}:{node.lineno}: {name}() is given a message built before "
                       "translation: give the template and its parameters")


# where a string is shown to somebody: the first argument of these calls, and these keywords
SHOWN_FIRST = {"notify", "Static", "Label", "Button", "Tab", "TabPane", "Checkbox", "RadioButton", "Option",
               "Text", "update", "print", "out", "say", "problem", "SystemCommand", "MenuEntry", "Confirm",
               "add_parser", "ArgumentParser", "UsageError", "append_text"}
SHOWN_KEYWORDS = {"title", "help", "description", "placeholder", "prompt", "label", "tooltip", "message", "subtitle"}
SHOWN_ATTRIBUTES = {"title", "sub_title", "border_title", "border_subtitle", "tooltip", "placeholder"}
_WORD = re.compile(r"[A-Za-z]{2,}")


def _shown(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent)) if path.is_relative_to(PACKAGE.parent) else str(path)


def _words(node: ast.AST) -> str | None:
    """The text of a literal string (or an f-string's literal parts) that has words in it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    else:
        return None
    return text if _WORD.search(text) else None


def unmarked(paths: list[Path] | None = None) -> Iterator[str]:
    """English written where somebody reads it without going through a translation function:
    a literal given to a widget, a notification, a print, an option's help..."""
    for source in paths or sources():
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            found: list[ast.AST] = []
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if name in SHOWN_FIRST and node.args:
                    found.append(node.args[0])
                if name == "Binding" and len(node.args) >= 3:
                    found.append(node.args[2])
                if name == "Action" and len(node.args) >= 2:
                    found.append(node.args[1])
                found += [k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS]
            elif isinstance(node, ast.Assign):
                found += [node.value for t in node.targets if isinstance(t, ast.Attribute) and t.attr in SHOWN_ATTRIBUTES]
            for value in found:
                text = _words(value)
                if text is not None:
                    yield f"{_shown(source)}:{value.lineno}: shown untranslated: {text[:60]!r}"


def problems(lang: str) -> Iterator[str]:
    """Everything wrong with a language's catalogues, a sentence each (naming its file)."""
    for problem in _problems(lang):
        yield problem.replace(f"{PACKAGE.parent}/", "")


def _problems(lang: str) -> Iterator[str]:
    import gettext

    words = keywords()
    yield from built_messages(words)
    yield from unmarked()
    expected: dict[Path, list[Entry]] = {}
    for source in sources():
        entries = extract(source, words)
        if entries:
            expected[po_path(lang, source)] = entries
    external = {LOCALE_DIR / lang / f"{name}.po" for name in EXTERNAL}
    for path in catalogues(lang):
        if path not in expected and path not in external:
            yield f"{path}: no module marks these strings any more (run update)"
    translations: dict[tuple, tuple[object, Path]] = {}
    for path, entries in expected.items():
        if not path.exists():
            yield f"{path}: missing: {len(entries)} strings not in any catalogue (run update)"
            continue
        catalog = read(path)
        have = {Entry(m.id, m.context) for m in catalog if m.id}
        for entry in entries:
            if entry not in have:
                yield f"{path}: not in the catalogue: {entry.id!r} (run update)"
        for entry in have - set(entries):
            yield f"{path}: no longer in the code: {entry.id!r} (run update)"
    for path in [*expected, *external]:
        if not path.exists():
            continue
        for message in read(path):
            if not message.id:
                continue
            yield from _message_problems(path, message)
            key = (message.id, message.context)
            earlier = translations.setdefault(key, (message.string, path))
            if earlier[0] != message.string:
                yield f"{path}: {message.id!r} is translated differently in {earlier[1]}"
    mo = mo_path(lang)
    if not mo.exists():
        yield f"{mo}: not compiled (run compile)"
    else:
        with mo.open("rb") as file:
            committed = gettext.GNUTranslations(file)._catalog
        fresh = gettext.GNUTranslations(io.BytesIO(compile_mo(lang)))._catalog
        committed.pop("", None), fresh.pop("", None)
        if committed != fresh:
            yield f"{mo}: older than the .po files (run compile)"


def _message_problems(path: Path, message) -> Iterator[str]:
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    if "fuzzy" in message.flags:
        yield f"{path}: fuzzy: {ids[0]!r}"
    if not all(strings):
        yield f"{path}: not translated: {ids[0]!r}"
        return
    wanted = set().union(*(_fields(i) for i in ids))
    for text in strings:
        if _fields(text) - wanted:
            yield f"{path}: {ids[0]!r}: the translation names fields the English does not: {sorted(_fields(text) - wanted)}"
    if len(strings) == 1 and _fields(strings[0]) != wanted:
        yield f"{path}: {ids[0]!r}: the translation does not keep the fields {sorted(wanted)}"


def todo(lang: str, paths: list[Path] | None = None) -> dict[str, dict[str, object]]:
    """The untranslated entries of the modules' catalogues: {po file: {English: "" or ["", ...]}}
    (a plural entry's key is its two English forms joined by a newline)."""
    left: dict[str, dict[str, object]] = {}
    for source in paths or sources():
        target = po_path(lang, source)
        if not target.exists():
            continue
        catalog = read(target)
        for message in catalog:
            if message.id and not _translated(message):
                key = _key(message)
                empty = [""] * catalog.num_plurals if isinstance(message.id, tuple) else ""
                left.setdefault(str(target.relative_to(PACKAGE.parent)), {})[key] = empty
    return left


def _key(message) -> str:
    """How ``todo`` and ``fill`` name an entry: its English (a plural's two forms joined by a
    newline), after its context and a U+0004 when it has one (gettext's own notation)."""
    text = "\n".join(message.id) if isinstance(message.id, tuple) else message.id
    return f"{message.context}\x04{text}" if message.context else text


def fill(lang: str, translations: dict[str, object]) -> int:
    """Set the translations given as {English: French} (a plural entry: its two English forms
    joined by a newline -> a list of the language's forms; an entry with a context: the context,
    U+0004, then the English) in every catalogue that has the entry; returns how many entries were set. A "po file: {...}" nesting, as ``todo`` prints,
    is read too."""
    flat: dict[str, object] = {}
    for key, value in translations.items():
        if isinstance(value, dict):
            flat.update(value)
        else:
            flat[key] = value
    count = 0
    for path in catalogues(lang):
        catalog = read(path)
        changed = False
        for message in catalog:
            if not message.id:
                continue
            key = _key(message)
            if key in flat and flat[key]:
                value = flat[key]
                message.string = tuple(value) if isinstance(message.id, tuple) else str(value)
                message.flags.discard("fuzzy")
                changed = True
                count += 1
        if changed:
            write(path, catalog)
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m segtui.catalogues")
    parser.add_argument("command", choices=["update", "compile", "check", "todo", "fill"])
    parser.add_argument("--lang", default=None, help="one language (default: every one segtui speaks)")
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_intermixed_args(argv)
    langs = [args.lang] if args.lang else [code for code in LANGUAGES if code != "en"]
    status = 0
    for lang in langs:
        if args.command == "update":
            files = [f.resolve() for f in args.files] or None
            for path, missing in update(lang, files).items():
                if missing:
                    print(f"{path.relative_to(PACKAGE.parent)}: {missing} to translate")
        elif args.command == "todo":
            import json

            print(json.dumps(todo(lang, [f.resolve() for f in args.files] or None), ensure_ascii=False, indent=1))
        elif args.command == "fill":
            import json

            for file in args.files:
                print(f"{file}: {fill(lang, json.loads(file.read_text(encoding='utf-8')))} entries set")
        elif args.command == "compile":
            target = mo_path(lang)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(compile_mo(lang))
            print(f"{target.relative_to(PACKAGE.parent)}: {len(merged(lang))} messages")
        else:
            found = list(problems(lang))
            for problem in found:
                print(problem)
            status = status or (1 if found else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
