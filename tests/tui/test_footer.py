"""The footer makes its keys again only when what they show changes: Textual asks it to on
every change of focus and of the bindings, and each new set of keys is mounted, styled and
laid out with the whole screen."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from segtui.tui.widgets.footer import Footer

from .conftest import run, settle
from .test_flows import open_segment


def test_the_footer_keeps_its_keys_until_the_bindings_change(make_app):
    seen = {}

    async def scenario(pilot):
        await open_segment(pilot, "Events 2025, Bretagne")
        screen = pilot.app.screen
        footer = screen.query_one(Footer)
        keys = list(footer.query(FooterKey))
        screen.refresh_bindings()  # what a change of focus does
        await settle(pilot)
        seen["kept"] = list(footer.query(FooterKey)) == keys and all(k.is_attached for k in keys)
        seen["actions"] = [k.action for k in keys]
        await pilot.press("3")  # the Settings tab: its keys (Save) with the page's
        await settle(pilot)
        seen["settings"] = [k.action for k in footer.query(FooterKey)]
        seen["made_again"] = not any(k.is_attached for k in keys)

    run(make_app(), scenario, size=(120, 40))
    assert seen["kept"] and "save" not in seen["actions"]
    assert seen["made_again"] and "save" in seen["settings"]
