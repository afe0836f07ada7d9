"""A write waiting on a database another process holds leaves the console responsive."""

from __future__ import annotations

import sqlite3

from textual.worker import WorkerState

from segtui.core import segments
from segtui.tui.screens.help import HelpScreen
from segtui.tui.screens.segment_detail import SegmentDetailScreen

from .conftest import run, settle
from .test_flows import choose_action, open_segment


def test_keys_work_while_a_write_waits_for_the_lock(make_app, database_url):
    app = make_app()
    target = segments.get("Events 2025, Bretagne")
    before = target.refreshed_at
    other = sqlite3.connect(database_url, isolation_level=None)  # another process's connection

    async def scenario(pilot):
        screen = await open_segment(pilot, target.name)
        other.execute("BEGIN IMMEDIATE")  # the write lock, held
        try:
            await choose_action(pilot, "Refresh members now")
            refresh = [w for w in pilot.app.workers if w.group == "refresh"]
            assert refresh and refresh[0].is_running  # waiting for the lock, in its thread
            await pilot.press("question_mark")  # the console answers meanwhile
            assert isinstance(pilot.app.screen, HelpScreen)
            await pilot.press("escape", "g")
            assert pilot.app.screen is screen
            assert screen.query_one("TabbedContent").active == "tab-settings"
            await pilot.press("right_square_bracket")
            assert refresh[0].is_running
            assert segments.get(target.id).refreshed_at == before  # nothing written yet
        finally:
            other.execute("ROLLBACK")
        await settle(pilot)
        assert refresh[0].state == WorkerState.SUCCESS  # it went through once the lock was released
        assert isinstance(pilot.app.screen, SegmentDetailScreen)
        assert any(n.message.startswith("Refreshed:") for n in pilot.app._notifications)

    run(app, scenario)
    other.close()
