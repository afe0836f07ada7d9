"""Console fixtures: a demo database with a fixed clock, and an app that is deterministic."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input

from segtui.core import demo
from segtui.core.context import Context
from segtui.tui.app import SegtuiApp

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}


@pytest.fixture
def demo_ctx(database, clock) -> Context:
    ctx = Context(clock=clock, actor="alice", tz="Europe/Paris")
    demo.build(ctx, contacts=300, seed=7)
    return ctx


@pytest.fixture
def make_app(demo_ctx):
    def make(**options) -> SegtuiApp:
        options.setdefault("worker_interval", 0)
        return SegtuiApp(demo_ctx, animations=False, **options)

    return make


def run(app: SegtuiApp, scenario, size=(100, 30)) -> None:
    """Run an async Pilot scenario to its end in a fresh event loop."""

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await scenario(pilot)

    asyncio.run(main())


def steady(pilot) -> None:
    """No blinking cursor in screenshots."""
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False


async def settle(pilot) -> None:
    """Wait until the console's core work (thread workers) is done, then for the screen."""
    while any(w.is_running for w in pilot.app.workers):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    await pilot.pause()
