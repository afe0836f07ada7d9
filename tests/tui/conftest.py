"""Console fixtures: a demo database with a fixed clock, and an app that is deterministic."""

from __future__ import annotations

import asyncio

import pytest
from textual.timer import Timer
from textual.widgets import Input

from segtui.core import demo
from segtui.core.context import Context
from segtui.tui.app import SegtuiApp

from ..conftest import BACKENDS

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
# a console flow run on SQLite and on PostgreSQL: [sqlite] and [postgres]
on_both_databases = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)


@pytest.fixture
def demo_ctx(database, clock) -> Context:
    ctx = Context(clock=clock, actor="alice", tz="Europe/Paris")
    demo.build(ctx, contacts=300, seed=7, custom_data=False)  # the data the screens below were drawn with
    return ctx


@pytest.fixture
def files_dir(tmp_path):
    """The console's files folder in the tests (imports and exports go there only)."""
    folder = tmp_path / "files"
    folder.mkdir()
    return folder


@pytest.fixture
def make_app(demo_ctx, files_dir):
    def make(**options) -> SegtuiApp:
        options.setdefault("worker_interval", 0)
        options.setdefault("files_dir", files_dir)
        app = SegtuiApp(demo_ctx, animations=False, **options)
        # a notification stays for the whole scenario, however slowly a loaded machine runs it
        app.NOTIFICATION_TIMEOUT = 600
        return app

    return make


def run(app: SegtuiApp, scenario, size=(100, 30)) -> None:
    """Run an async Pilot scenario to its end in a fresh event loop."""

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await scenario(pilot)

    asyncio.run(main())


async def search_and_open(pilot, name: str) -> None:
    """From the segments list, find a segment by its name and open it. The name is set as one
    edit of the search field rather than a key press per character (a key costs ~0.1 s of
    rendering; typing itself is covered by the search tests)."""
    await pilot.press("slash")
    pilot.app.screen.query_one("#search").value = name
    await pilot.pause()
    await pilot.press("enter", "enter")
    await pilot.pause()


def still_toasts(app: SegtuiApp) -> SegtuiApp:
    """Toasts stay until the snapshot is taken, instead of racing their real-time expiry."""
    notify = app.notify

    def lasting(*args, **kwargs):
        kwargs["timeout"] = 24 * 3600
        return notify(*args, **kwargs)

    app.notify = lasting
    return app


def pending_timers(app) -> list[asyncio.Task]:
    """The debounce timers (live counts, searches) that have not fired yet, on every screen."""
    tasks = []
    for screen in app.screen_stack:
        for node in [screen, *screen.walk_children()]:
            # a widget's own debounce timer, and those of tui/work.py's run_core(delay=...)
            timers = [getattr(node, "timer", None), *node.__dict__.get("_core_timers", {}).values()]
            for timer in timers:
                task = getattr(timer, "_task", None) if isinstance(timer, Timer) else None
                if task is not None and not task.done():
                    tasks.append(task)
    return tasks


async def settle(pilot, rounds: int = 20) -> None:
    """Every debounce timer fired and every thread worker done: waits for those events
    themselves, never for a guessed number of seconds."""
    for _ in range(rounds):
        timers = pending_timers(pilot.app)
        if timers:
            await asyncio.wait(timers)
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not pending_timers(pilot.app) and not any(w.is_running for w in pilot.app.workers):
            return
    raise AssertionError("the console never settled: timers or workers kept restarting")


def screen_lines(app) -> list[str]:
    """What the terminal shows, line by line (the text, without styles)."""
    return ["".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()]


def steady(pilot) -> None:
    """No blinking cursor in screenshots."""
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
