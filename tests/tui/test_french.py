"""The console in French (issue 16): the help-centre article's three flows, each step on screen in
the article's words, checked through the core; and the palette's language switch."""

from __future__ import annotations

import pendulum
from textual.widgets import Input, Select

from segtui import i18n
from segtui.core import conversions, segments
from segtui.core.models import ConversionRecord
from segtui.tui.screens.actions_menu import ActionsMenu
from segtui.tui.screens.calendar import CalendarModal
from segtui.tui.screens.confirm import ConfirmModal
from segtui.tui.screens.segment_detail import SegmentDetailScreen
from segtui.tui.screens.segments_list import SegmentsListScreen
from segtui.tui.widgets.settings_panel import SettingsPanel

from .conftest import run, screen_lines, settle
from .test_flows import open_segment

NBSP = "\u00a0"


def shown(pilot) -> str:
    return "\n".join(screen_lines(pilot.app))


def notes(pilot) -> list[str]:
    return [f"{n.title}: {n.message}" for n in pilot.app._notifications]


async def choose_in_actions(pilot, label: str) -> None:
    """Actions (a), then the entry of that label, as the article says: 'cliquez sur Actions,
    puis sélectionnez ...'."""
    await pilot.press("a")
    await pilot.pause()
    menu = pilot.app.screen
    assert isinstance(menu, ActionsMenu)
    assert "Actions" in shown(pilot)
    labels = [entry.label for entry in menu.entries]
    assert label in labels and label in shown(pilot), labels
    await pilot.press(*(["down"] * labels.index(label)), "enter")
    await settle(pilot)


def test_convert_to_static_from_actions_with_convertir(french, make_app):
    """Actions > Convertir en statique, then Convertir in the dialog (the article's first flow)."""
    target = segments.get("Events 2025, Bretagne")
    seen = {}

    async def scenario(pilot):
        await open_segment(pilot, target.name)
        await choose_in_actions(pilot, "Convertir en statique")
        dialog = pilot.app.screen
        assert isinstance(dialog, ConfirmModal)
        seen["dialog"], seen["body"] = shown(pilot), dialog.body
        assert str(dialog.query_one("#confirm").label) == "Convertir"
        assert str(dialog.query_one("#cancel").label) == "Annuler"
        await pilot.click("#confirm")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SegmentDetailScreen)
        seen["after"] = shown(pilot)
        seen["notes"] = notes(pilot)

    run(make_app(), scenario)
    assert f"Convertir «{NBSP}Events 2025, Bretagne{NBSP}» en statique{NBSP}?" in seen["dialog"]
    assert "les fiches d'informations ne sont ajoutées ou retirées qu'à la main" in seen["body"]
    assert "Convertir" in seen["dialog"] and "Annuler" in seen["dialog"]
    assert f"Converti: «{NBSP}Events 2025, Bretagne{NBSP}» est désormais statique{NBSP}: {target.size} membres figés." \
        in seen["notes"]
    assert "Fiches" in seen["after"] and "Paramètres" in seen["after"]
    after = segments.get(target.id)
    assert after.type == "static" and after.size == target.size
    assert ConversionRecord.select().where(ConversionRecord.segment == target.id).count() == 1


async def open_dropdown_and_choose(pilot, select_id: str, label: str) -> list[str]:
    """Open a dropdown from the keyboard, choose ``label``; returns the lines it showed open."""
    select = pilot.app.screen.query_one(select_id, Select)
    select.focus()
    await pilot.press("enter")
    await pilot.pause()
    lines = screen_lines(pilot.app)
    options = [str(prompt) for prompt, _value in select._options]
    label_of = {value: str(prompt) for prompt, value in select._options}
    current = options.index(label_of[select.value])
    step = options.index(label) - current
    await pilot.press(*(["down" if step > 0 else "up"] * abs(step)), "enter")
    await settle(pilot)
    assert label_of[select.value] == label
    return lines


def test_paramètres_un_jour_spécifique_then_après_l_inactivité_enregistrer(french, make_app):
    """Paramètres > Conversion automatique en statique > Convertir ce segment en segment statique:
    Un jour spécifique (a day picked in the date picker), Enregistrer; then Après l'inactivité
    (2 semaines), Enregistrer (the article's second flow)."""
    target = segments.get("Newsletter, Normandie or Bretagne")
    assert target.type == "active" and target.schedule_mode == "never"
    seen = {}

    async def scenario(pilot):
        await open_segment(pilot, target.name)
        await pilot.press("3")  # the Paramètres tab
        await settle(pilot)
        seen["tab"] = shown(pilot)
        panel = pilot.app.screen.query_one(SettingsPanel)
        seen["dropdown"] = "\n".join(await open_dropdown_and_choose(pilot, "#mode", "Un jour spécifique"))
        panel.query_one("#pick-day").press()  # the date picker
        await pilot.pause()
        assert isinstance(pilot.app.screen, CalendarModal)
        seen["calendar"] = shown(pilot)
        await pilot.press("pagedown", "down", "enter")  # 26 Nov -> 26 Dec -> 2 Jan
        await settle(pilot)
        assert panel.query_one("#day", Input).value == "02/01/2027"  # as French types it
        await pilot.click("#save")
        await settle(pilot)
        seen["day_saved"] = segments.get(target.id)
        seen["notes_day"] = notes(pilot)
        await open_dropdown_and_choose(pilot, "#mode", "Après l'inactivité")
        panel.query_one("#amount", Input).focus()
        await pilot.press("2")
        await open_dropdown_and_choose(pilot, "#unit", "semaines")
        seen["inactivity"] = shown(pilot)
        await pilot.click("#save")
        await settle(pilot)

    run(make_app(), scenario)
    for words in ("Paramètres", "Conversion automatique", "Conversion automatique en statique",
                  "Convertir ce segment en segment statique", "Jamais", "Enregistrer"):
        assert words in seen["tab"], words
    for words in ("Jamais", "Un jour spécifique", "Après l'inactivité"):
        assert words in seen["dropdown"], words
    assert "Janvier" not in seen["calendar"] and "Novembre 2026" in seen["calendar"]
    assert "lu  ma  me  je  ve  sa  di" in seen["calendar"]  # the week starts on Monday
    assert "Du 26 nov. 2026 au 26 nov. 2036" in seen["calendar"]
    on_day = seen["day_saved"]
    assert (on_day.schedule_mode, on_day.schedule_day) == ("on_day", pendulum.date(2027, 1, 2))
    assert any(n.startswith("Conversion automatique enregistrée: ") for n in seen["notes_day"])
    assert "semaines" in seen["inactivity"] and "par exemple 7 jours, 2 semaines, 1 mois, 6 mois" in seen["inactivity"]
    after = segments.get(target.id)
    assert (after.schedule_mode, after.schedule_amount, after.schedule_unit) == ("after_inactivity", 2, "weeks")
    assert after.due_at is not None


def test_convert_to_active_from_actions_with_convertir(french, make_app, demo_ctx):
    """Actions > Convertir en actif, then Convertir (the article's third flow)."""
    target = segments.get("Fundraising event contacts")
    expected = conversions.preview_to_active(demo_ctx, target.id)
    seen = {}

    async def scenario(pilot):
        await open_segment(pilot, target.name)
        await choose_in_actions(pilot, "Convertir en actif")
        dialog = pilot.app.screen
        assert isinstance(dialog, ConfirmModal)
        seen["dialog"], seen["body"] = shown(pilot), dialog.body
        assert str(dialog.query_one("#confirm").label) == "Convertir"
        await pilot.press("enter")
        await settle(pilot)
        seen["notes"] = notes(pilot)

    run(make_app(), scenario)
    assert f"Convertir «{NBSP}Fundraising event contacts{NBSP}» en actif{NBSP}?" in seen["dialog"]
    assert "ne peuvent plus être ajoutées ou retirées à la main" in seen["body"]
    assert f"Converti: Désormais actif{NBSP}: membres +{expected.added}, -{expected.removed}." in seen["notes"]
    after = segments.get(target.id)
    assert after.type == "active" and after.size == expected.size_after


def test_a_static_segment_without_filters_says_why_in_french(french, make_app):
    target = segments.get("Hand-picked VIPs")
    seen = {}

    async def scenario(pilot):
        await open_segment(pilot, target.name)
        await pilot.press("a")
        await pilot.pause()
        seen["menu"] = shown(pilot)
        entry = next(e for e in pilot.app.screen.entries if e.action == "convert_active")
        await pilot.press(*(["down"] * pilot.app.screen.entries.index(entry)), "enter")
        await pilot.pause()
        seen["notes"] = notes(pilot)

    run(make_app(), scenario)
    assert "Convertir en actif  (ajoutez d'abord au moins un filtre)" in seen["menu"]
    assert f"Indisponible: Convertir en actif{NBSP}: ajoutez d'abord au moins un filtre." in seen["notes"]
    assert segments.get(target.id).type == "static"


def test_the_palette_switches_the_language_and_back(make_app):
    """From a segment's page in English, "Language: Français" in the palette: asked first (the
    page closes), then a fresh segments list in French, said in French; then "Langue : English"
    from the list, back at once (same database)."""
    seen = {}

    async def run_command(pilot, title: str) -> None:
        commands = {c.title: c for c in pilot.app.get_system_commands(pilot.app.screen)}
        seen.setdefault("offered", []).append(sorted(t for t in commands if t.startswith(("Language", "Langue"))))
        commands[title].callback()
        await settle(pilot)

    async def scenario(pilot):
        await open_segment(pilot, "Events 2025, Bretagne")
        await pilot.press("3")
        await run_command(pilot, "Language: Français")
        seen["asked"] = (pilot.app.screen.title_text, str(pilot.app.screen.query_one("#confirm").label))
        await pilot.press("enter")
        await settle(pilot)
        seen["fr_screen"] = type(pilot.app.screen)
        seen["fr_depth"] = len(pilot.app.screen_stack)
        seen["fr"] = shown(pilot)
        seen["fr_notes"] = notes(pilot)
        seen["fr_language"] = i18n.language()
        await pilot.press("enter")  # the list works: the first segment opens, in French
        await settle(pilot)
        seen["fr_detail"] = shown(pilot)
        await pilot.press("escape")  # on the list: nothing to lose, switched at once
        await settle(pilot)
        await run_command(pilot, f"Langue{NBSP}: English")
        seen["en"] = shown(pilot)
        seen["en_notes"] = notes(pilot)
        seen["en_language"] = i18n.language()

    run(make_app(), scenario)
    assert seen["offered"] == [["Language: Français"], [f"Langue{NBSP}: English"]]
    assert seen["asked"] == ("Switch the console to French?", "Switch")  # the segment's page closes
    assert seen["fr_screen"] is SegmentsListScreen and seen["fr_depth"] == 2
    assert seen["fr_language"] == "fr" and seen["en_language"] == "en"
    assert "Rechercher des segments par nom" in seen["fr"] and "9 segments · 9 affichés" in seen["fr"]
    assert "n Créer / Chercher t Type s Tri b Fiches i Importer D Effacés ? Aide" in seen["fr"]  # the footer
    assert seen["fr_notes"] == ["Langue: La console est désormais en français."]
    assert "Fiches  Filtres  Paramètres  Activité  Analyse" in seen["fr_detail"]
    assert "Search segments by name" in seen["en"] and "9 segments · showing 9" in seen["en"]
    assert seen["en_notes"] == ["Language: The console is now in English."]


def test_stored_history_reads_in_french_on_the_activity_tab_and_the_record_page(french, make_app, demo_ctx):
    """What was written in English (the audit's summaries, the log's causes) reads in French at
    80x24: a rename and an edit that made a contact join, on the segment's Activity tab, its
    entry, and the record page's "why it is here"."""
    from segtui.core import records
    from segtui.core.models import Contact
    from segtui.tui.screens.activity_entry import ActivityEntryModal
    from segtui.tui.screens.record_page import RecordScreen

    i18n.set_language("en")  # written by an English console
    target = segments.create(demo_ctx, "Zanzibarais", "contacts", "active",
                             {"groups": [{"filters": [{"property": "region", "operator": "is_any_of",
                                                       "values": ["Zanzibar"]}]}]})[0]
    person = Contact.select().order_by(Contact.id).first()
    records.set_properties(demo_ctx, "contacts", person.id, {"region": "Zanzibar"})
    segments.rename(demo_ctx, target.id, "Les Zanzibarais")
    i18n.set_language("fr")  # read by a French one
    seen = {}

    async def scenario(pilot):
        await open_segment(pilot, "Les Zanzibarais")
        await pilot.press("4")
        await settle(pilot)
        seen["activity"] = shown(pilot)
        seen["activity_items"] = [item[1] for item in pilot.app.screen.activity_items]
        await pilot.press("enter")  # the newest row: the rename
        await settle(pilot)
        assert isinstance(pilot.app.screen, ActivityEntryModal)
        seen["entry"] = shown(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.app.push_screen(RecordScreen("contacts", person.id))
        await settle(pilot)
        seen["record"] = str(pilot.app.screen.query_one("#record-why").render())

    run(make_app(), scenario, size=(80, 24))
    assert "«\u00a0Zanzibarais\u00a0» renommé en «\u00a0Les Zanzibarais\u00a0»" in seen["activity"]
    assert f"Ajout de {person.email} (modification de Région)" in seen["activity_items"]
    # whole at 80 columns, on two lines (Entrée shows the entry)
    assert f"Ajout de {person.email}" in seen["activity"] and "(modification de Région)" in seen["activity"]
    assert "Renamed" not in seen["activity"] and not any("changed" in item for item in seen["activity_items"])
    assert "Quoi  " in seen["entry"] and "«\u00a0Zanzibarais\u00a0» renommé en «\u00a0Les Zanzibarais\u00a0»" in seen["entry"]
    assert "après modification de Région (par alice)" in seen["record"]
