"""Day fields in French show a filled day as French types it (31/12/2026), name that form in
their hints and placeholders, and read it back, ISO too; English fields keep ISO (issue 16)."""

from __future__ import annotations

from textual.widgets import Input, Label, Static

from segtui.core import segments
from segtui.core.models import Contact
from segtui.core.properties import properties, value_of
from segtui.tui.screens.edit_property import EditPropertyModal
from segtui.tui.screens.filter_form import FilterForm
from segtui.tui.screens.members_as_of import MembersAsOfScreen
from segtui.tui.screens.record_page import RecordScreen
from segtui.tui.screens.segment_detail import SegmentDetailScreen
from segtui.tui.widgets.settings_panel import SettingsPanel

from .conftest import run, screen_lines, settle, wait_until
from .test_flows import open_segment

BRETAGNE = "Events 2025, Bretagne"  # on a specific day: 32 days after the demo's today


def french_day(day) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def test_the_specific_day_reads_in_french_and_a_french_day_is_saved(french, make_app):
    target = segments.get(BRETAGNE)
    saved_day = target.schedule_day
    seen = {}

    async def scenario(pilot):
        await open_segment(pilot, target.name)
        await pilot.press("3")
        await settle(pilot)
        panel = pilot.app.screen.query_one(SettingsPanel)
        day = panel.query_one("#day", Input)
        seen["value"], seen["placeholder"] = day.value, day.placeholder
        seen["hint"] = str(panel.query_one("#day-hint", Static).render())
        seen["explanation"] = str(panel.query_one("#explanation", Static).render())
        seen["dirty"] = panel.is_dirty()
        day.value = saved_day.isoformat()  # the same day in ISO: nothing to save
        await settle(pilot)
        seen["iso_dirty"] = panel.is_dirty()
        day.value = "1/2/2027"  # 1 February, as a French admin types it
        await settle(pilot)
        seen["typed"] = str(panel.query_one("#explanation", Static).render())
        day.value = "01/02/2027"  # as the field shows it: the sentence says the day in full anyway
        await settle(pilot)
        seen["shown"] = str(panel.query_one("#explanation", Static).render())
        day.focus()
        await pilot.press("enter")
        await settle(pilot)
        await wait_until(pilot, lambda: segments.get(target.id).version != target.version, "the day saved")
        seen["after_save"] = panel.query_one("#day", Input).value

    run(make_app(), scenario, size=(80, 24))
    assert seen["value"] == french_day(saved_day)
    assert seen["placeholder"] == "31/12/2026, demain…"
    assert seen["hint"].startswith("Tapez un jour sous la forme 31/12/2026 ou 2026-12-31")
    assert not seen["dirty"]
    # the filled day needs no reading back: the projected moment says it in full
    assert " est " not in seen["explanation"].split(".")[0] and "décembre 2026" in seen["explanation"]
    assert not seen["iso_dirty"]
    assert seen["typed"].startswith("1/2/2027\u00a0: lundi 1 février 2027. Conversion le lundi 1 février 2027")
    assert seen["shown"].startswith("Conversion le lundi 1 février 2027 à 00:00")
    assert segments.get(target.id).schedule_day.isoformat() == "2027-02-01"
    assert seen["after_save"] == "01/02/2027"


def test_the_specific_day_stays_iso_in_english(make_app):
    target = segments.get(BRETAGNE)
    seen = {}

    async def scenario(pilot):
        await open_segment(pilot, target.name)
        await pilot.press("3")
        await settle(pilot)
        day = pilot.app.screen.query_one(SettingsPanel).query_one("#day", Input)
        seen["value"], seen["placeholder"] = day.value, day.placeholder

    run(make_app(), scenario, size=(80, 24))
    assert seen == {"value": target.schedule_day.isoformat(), "placeholder": "2026-12-31, tomorrow…"}


def test_as_of_takes_a_french_day_and_names_the_form(french, make_app, demo_ctx):
    target = segments.get(BRETAGNE)
    past = demo_ctx.today().subtract(days=3)
    seen = {}

    async def scenario(pilot):
        await open_segment(pilot, target.name)
        screen = pilot.app.screen
        assert isinstance(screen, SegmentDetailScreen)
        hint = screen.query_one("#as-of-hint", Label)
        seen["hint"] = str(hint.render())
        await pilot.press("w")
        await pilot.press(*"31/12/2030", "enter")
        await wait_until(pilot, lambda: "futur" in str(hint.render()), "the future day refused")
        seen["future"] = str(hint.render())
        screen.query_one("#records-as-of", Input).value = ""
        await pilot.press(*french_day(past), "enter")
        await settle(pilot)
        seen["as_of"] = screen.as_of
        seen["lines"] = "\n".join(screen_lines(pilot.app))

    run(make_app(), scenario, size=(80, 24))
    assert seen["hint"] == "w\u00a0: les membres d'un jour passé (JJ/MM/AAAA)"
    assert seen["future"] == "Le 31/12/2030 est dans le futur\u00a0: choisissez une date jusqu'à aujourd'hui"
    assert seen["as_of"] == past
    assert "à la fin du" in seen["lines"] or "Aucun membre à la fin du" in seen["lines"]


def test_the_members_as_of_screen_fills_its_day_in_french(french, make_app, demo_ctx):
    target = segments.get(BRETAGNE)
    day, other = demo_ctx.today().subtract(days=1), demo_ctx.today().subtract(days=10)
    seen = {}

    async def scenario(pilot):
        await open_segment(pilot, target.name)
        pilot.app.push_screen(MembersAsOfScreen(target, day))
        await settle(pilot)
        screen = pilot.app.screen
        field = screen.query_one("#as-of-day", Input)
        seen["value"], seen["placeholder"] = field.value, field.placeholder
        field.value = french_day(other)
        field.focus()
        await pilot.press("enter")
        await settle(pilot)
        seen["day"] = screen.day

    run(make_app(), scenario, size=(80, 24))
    assert (seen["value"], seen["placeholder"]) == (french_day(day), "JJ/MM/AAAA")
    assert seen["day"] == other


def test_a_date_filter_opens_with_its_days_in_french(french, make_app):
    seen = {}

    async def scenario(pilot):
        pilot.app.push_screen(FilterForm("contacts", "Modifier", {"property": "created_date", "operator": "before",
                                                                  "value": "2026-03-05"}, lambda f: f),
                              seen.setdefault("applied", []).append)
        await settle(pilot)
        form = pilot.app.screen
        seen["date"] = form.query_one("#date", Input).value
        seen["placeholder"] = form.query_one("#date", Input).placeholder
        seen["readings"] = form.readings()
        form.action_apply()
        await settle(pilot)
        pilot.app.push_screen(FilterForm("contacts", "Modifier", {"property": "created_date", "operator": "between",
                                                                  "values": ["2026-03-05", "2026-04-01"]},
                                         lambda f: f), seen["applied"].append)
        await settle(pilot)
        form = pilot.app.screen
        seen["range"] = (form.query_one("#low", Input).value, form.query_one("#high", Input).value,
                         form.query_one("#low", Input).placeholder)
        form.action_apply()
        await settle(pilot)

    run(make_app(), scenario, size=(100, 30))
    assert (seen["date"], seen["placeholder"], seen["readings"]) == ("05/03/2026", "31/12/2026…", "05/03/2026\u00a0: jeudi 5 mars 2026.")
    assert seen["range"] == ("05/03/2026", "01/04/2026", "JJ/MM/AAAA")
    assert seen["applied"] == [{"property": "created_date", "operator": "before", "value": "2026-03-05"},
                               {"property": "created_date", "operator": "between",
                                "values": ["2026-03-05", "2026-04-01"]}]


def test_a_record_day_is_edited_from_its_french_form(french, make_app):
    person = Contact.select().where(Contact.created_date.is_null(False)).order_by(Contact.id).first()
    stored = person.created_date
    seen = {}

    async def scenario(pilot):
        await pilot.app.push_screen(RecordScreen("contacts", person.id))
        await settle(pilot)
        page = pilot.app.screen
        page.query_one("#properties").move_cursor(row=page.names.index("created_date"))
        await pilot.press("e")
        await settle(pilot)
        modal = pilot.app.screen
        assert isinstance(modal, EditPropertyModal)
        seen["value"] = modal.query_one("#property-value", Input).value
        seen["labels"] = [str(label.render()) for label in modal.query(Label)]
        await pilot.press("enter")  # saved as shown
        await settle(pilot)

    run(make_app(), scenario, size=(100, 30))
    assert seen["value"] == french_day(stored)
    assert any("(jour\u00a0: JJ/MM/AAAA" in label for label in seen["labels"]), seen["labels"]
    assert value_of(Contact.get_by_id(person.id), properties("contacts")["created_date"]) == stored
