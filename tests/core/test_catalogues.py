"""The catalogues hold every string a person reads, each translated (issue 16).

``NOT_YET_TRANSLATED`` lists the modules whose strings are still being marked: the checks
skip them. It only shrinks, and is gone when every module is done.
"""

from __future__ import annotations

import pytest

from segtui import catalogues
from segtui.i18n import LANGUAGES

pytestmark = pytest.mark.sqlite_only

NOT_YET_TRANSLATED: set[str] = set()  # every module is translated


def _pending(problem: str) -> bool:
    return any(f"segtui/{m}:" in problem or f"/fr/{m.removesuffix('.py')}.po" in problem for m in NOT_YET_TRANSLATED)


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != "en"])
def test_every_catalogue_is_complete_and_compiled(lang):
    """Extracted from the code and compared: nothing missing, nothing stale, nothing empty or
    fuzzy, the same fields in each translation, and the committed .mo compiled from the .po files."""
    found = [p for p in catalogues.problems(lang) if not _pending(p)]
    assert found == []


def test_the_pending_list_only_names_modules_that_exist():
    modules = {str(p.relative_to(catalogues.PACKAGE)) for p in catalogues.sources()}
    assert NOT_YET_TRANSLATED <= modules


def test_a_message_built_before_translation_is_caught(tmp_path):
    source = tmp_path / "bad.py"
    source.write_text('name = "x"\nraise InvalidInput(f"{name} is wrong")\nnotify("Saved.")\n')
    words = catalogues.keywords()
    assert catalogues.extract(source, words) == []
    assert [p.split(": ", 1)[1] for p in catalogues.unmarked([source])] == ["shown untranslated: 'Saved.'"]


def test_an_untranslated_or_fuzzy_entry_is_a_problem(tmp_path):
    from babel.messages.catalog import Catalog

    catalog = Catalog(locale="fr")
    catalog.add("Save", "")
    catalog.add("Cancel", "Annuler", flags=["fuzzy"])
    catalog.add("{n} rows", "{count} lignes")
    found = [p for m in catalog if m.id for p in catalogues._message_problems(tmp_path / "x.po", m)]
    assert any("not translated: 'Save'" in p for p in found)
    assert any("fuzzy: 'Cancel'" in p for p in found)
    assert any("names fields the English does not" in p for p in found)


def test_fill_sets_an_entry_by_its_context_and_update_survives_a_new_plural(tmp_path, monkeypatch):
    """``fill`` never overwrites an entry of another context; ``update`` re-asks for an entry
    that became a plural instead of failing on the old singular translation."""
    monkeypatch.setattr(catalogues, "PACKAGE", tmp_path)
    monkeypatch.setattr(catalogues, "LOCALE_DIR", tmp_path / "locale")
    source = tmp_path / "screen.py"
    source.write_text('_("Records")\npgettext("title", "Records")\n_("{n} row")\n', encoding="utf-8")
    catalogues.update("fr", [source])
    assert catalogues.fill("fr", {"Records": "Fiches", "title\x04Records": "Fiches d'informations",
                                  "{n} row": "{n} ligne"}) == 3
    catalog = catalogues.read(catalogues.po_path("fr", source))
    assert catalog.get("Records").string == "Fiches"
    assert catalog.get("Records", context="title").string == "Fiches d'informations"
    source.write_text('_("Records")\npgettext("title", "Records")\n_n("{n} row", "{n} rows", 2)\n', encoding="utf-8")
    assert catalogues.update("fr", [source]) == {catalogues.po_path("fr", source): 1}
    assert list(catalogues.todo("fr", [source]).values()) == [{"{n} row\n{n} rows": ["", "", ""]}]
