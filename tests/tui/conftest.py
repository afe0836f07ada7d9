"""Console fixtures: a demo database with a fixed clock, and an app that is deterministic; the
helpers of the snapshot tests (one console walks several screens: ``Shots``, ``walk``)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from pytest_textual_snapshot import SVGImageExtension
from textual.app import App
from textual.css.stylesheet import Stylesheet
from textual.timer import Timer
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from segtui.core import db as dbmod
from segtui.core import demo
from segtui.core.clock import FixedClock
from segtui.core.context import Context
from segtui.tui.app import SegtuiApp
from segtui.tui.screens.segments_list import SegmentsListScreen

from ..conftest import BACKENDS, T0, migrated_copy

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
# a console flow run on SQLite and on PostgreSQL: [sqlite] and [postgres]
on_both_databases = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)


@pytest.fixture(scope="session", autouse=True)
def stylesheets_parsed_once():
    """Each console a test starts parses Textual's and segtui's stylesheets again, and again for
    each kind of screen it opens (Stylesheet.reparse starts from an empty cache): about a fifth
    of a console test. In the tests, the rules parsed from the same text, place and variables
    (the theme) are kept for the whole session. Textual keeps them so within one stylesheet
    already (Stylesheet._parse_cache, same key but the variables, which it clears when they
    change): a rule set is not changed once parsed, so sharing it draws the same screens."""
    parsed: dict = {}
    parse_rules = Stylesheet._parse_rules

    def parse_rules_once(self, css, read_from, is_default_rules=False, tie_breaker=0, scope=""):
        key = (css, read_from, is_default_rules, tie_breaker, scope, tuple(sorted(self._variables.items())))
        if key not in parsed:
            parsed[key] = parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
        return parsed[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Stylesheet, "_parse_rules", parse_rules_once)
        yield


async def handled_so_far(nodes, timeout: float) -> bool:
    """Every one of ``nodes`` has handled what was posted to it before this call (False after
    ``timeout``): a callback queued behind those messages on each node, counted back."""
    handled = asyncio.Event()
    pending = 0

    def one_handled() -> None:
        nonlocal pending
        pending -= 1
        if pending == 0:
            handled.set()

    for node in nodes:
        if node.call_later(one_handled):
            pending += 1
    if not pending:
        return True
    try:
        await asyncio.wait_for(handled.wait(), timeout)
    except TimeoutError:
        return False
    return True


async def screen_settled(app, timeout: float = 2.0) -> None:
    """The console and every widget of its screen have handled what was posted to them so far,
    again on the new screen when that made another one current (a key that opens a screen,
    then its mount and focus). Bounded: a handler that waits (a modal awaited in a worker)
    only delays the next key by ``timeout``, as a person would wait."""
    for _round in range(5):
        try:
            screen = app.screen
        except Exception:  # no screen any more: the console is closing
            return
        if not await handled_so_far((app, *screen.walk_children(with_self=True)), timeout):
            return
        if app.screen is screen:
            return


@pytest.fixture(scope="session", autouse=True)
def keys_wait_for_their_screen():
    """``pilot.press("U", "space")`` sends the second key once the first is handled, the screen
    it opened included. Textual waits only for the process to look idle between two keys; on a
    loaded machine the space then reached the screen underneath and a snapshot showed nothing
    marked. A person at a terminal never types into a screen that is not there yet."""
    press_keys = App._press_keys

    async def press_keys_in_turn(self, keys) -> None:
        for key in keys:
            await press_keys(self, [key])
            if not key.startswith("wait:"):
                await screen_settled(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(App, "_press_keys", press_keys_in_turn)
        yield


def build_demo(ctx: Context) -> None:
    demo.build(ctx, contacts=300, seed=7, custom_data=False)  # the data the screens below were drawn with


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The console tests' demo database on SQLite, built once per session (per xdist worker):
    each test gets a copy of the file (building it again cost about a second a test)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    db = dbmod.open_database(str(path))
    try:
        build_demo(Context(clock=FixedClock(T0), actor="alice", tz="Europe/Paris"))
    finally:
        db.close()
    return path


@pytest.fixture(scope="session")
def postgres_demo(postgres_server) -> str:
    """The same on PostgreSQL: built once in the session's reusable database and kept as a
    snapshot (tests/pgserver.py) that each test restores, ids and sequences included."""
    db = dbmod.open_database(postgres_server.url(postgres_server.reset()))
    try:
        build_demo(Context(clock=FixedClock(T0), actor="alice", tz="Europe/Paris"))
    finally:
        db.close()
    postgres_server.snapshot("tui_demo")
    return "tui_demo"


@pytest.fixture
def database(request, database_url, backend):
    """The test's database, migrated and bound to the models; a test that uses the demo
    (``demo_ctx``) starts from a copy of it (the session's, built at T0 as demo_ctx built it)."""
    if "demo_ctx" in request.fixturenames:
        if backend == "sqlite":
            shutil.copyfile(request.getfixturevalue("demo_template"), database_url)
        else:
            request.getfixturevalue("postgres_server").restore(request.getfixturevalue("postgres_demo"))
    else:
        migrated_copy(request, database_url)
    db = dbmod.open_database(database_url)
    yield db
    db.close()


@pytest.fixture
def demo_ctx(database, clock) -> Context:
    """The demo's data (300 contacts, seed 7), as of the fixed clock's T0."""
    assert clock.now() == T0 and demo.has_data(), "the copy of the demo is the data as of T0"
    return Context(clock=clock, actor="alice", tz="Europe/Paris")


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


def run(app: SegtuiApp, scenario, size=(100, 30), *, as_snap_compare: bool = False) -> None:
    """Run an async Pilot scenario to its end in a fresh event loop. ``as_snap_compare``: with
    toasts and tooltips, as pytest-textual-snapshot's ``snap_compare`` runs an app (``run_test``
    leaves them out by default)."""

    async def main() -> None:
        async with app.run_test(size=size, tooltips=as_snap_compare, notifications=as_snap_compare) as pilot:
            await pilot.pause()
            await scenario(pilot)

    asyncio.run(main())


async def search_and_open(pilot, name: str) -> None:
    """From the segments list, find a segment by its name and open it. The name is set as one
    edit of the search field rather than a key press per character (a key costs ~0.1 s of
    rendering; typing itself is covered by the search tests)."""
    await pilot.press("slash")
    listing = pilot.app.screen
    listing.query_one("#search").value = name
    # each Enter once the step before it shows (the list read for the name, then its table
    # focused): on a loaded machine a key can otherwise overtake the step it depends on
    await wait_until(pilot, lambda: listing.search_text == name, f"the list searched for {name!r}")
    await pilot.press("enter")
    table = listing.query_one("#segments")
    await wait_until(pilot, lambda: table.has_focus or pilot.app.screen is not listing, "the list's table focused")
    await pilot.press("enter")
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


async def wait_until(pilot, condition, what: str, timeout: float = 30) -> None:
    """Pause until ``condition()`` holds: waits for what a test expects on screen instead of a
    guessed number of seconds (the deadline is only against a hang)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the console never showed {what}")
        await pilot.pause()


def screen_lines(app) -> list[str]:
    """What the terminal shows, line by line (the text, without styles)."""
    return ["".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()]


def steady(pilot) -> None:
    """No blinking cursor in screenshots."""
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False


# -- snapshots: one console walks several screens -----------------------------------------------
# A snapshot is 5 to 10 seconds when each starts its own console (the app, its CSS, the demo
# database); one console that walks several screens and takes each screenshot on the way
# (``App.export_screenshot``, as ``snap_compare`` takes it) costs about a second a screen. Each
# screenshot is compared with its own SVG through syrupy with pytest-textual-snapshot's SVG
# extension: real snapshot assertions, updated with ``--snapshot-update`` (then LOOK at them:
# ``convert x.svg x.png``).


def scenario(*steps, settled: bool = False):
    """A snapshot's steps, one after the other, then a pause (every timer and worker done when
    ``settled``) and no blinking cursor."""

    async def run_before(pilot) -> None:
        for step in steps:
            await step(pilot)
        if settled:
            await settle(pilot)
        else:
            await pilot.pause()
        steady(pilot)

    return run_before


def keys(*pressed):
    """A step of a scenario: these keys pressed, then a pause."""

    async def step(pilot):
        await pilot.press(*pressed)
        await pilot.pause()

    return step


class Shots:
    """The screenshots taken on one walk through the console, by name, in order."""

    def __init__(self) -> None:
        self.taken: dict[str, str] = {}
        self.cut: dict[str, list[str]] = {}  # the footer keys that do not fit, by screenshot

    async def take(self, pilot, name: str) -> None:
        """Once every timer and worker is done (the French walks)."""
        assert name not in self.taken, name
        await settle(pilot)
        steady(pilot)
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        self.taken[name] = pilot.app.export_screenshot(title=pilot.app.title)
        self.cut[name] = footer_cut(pilot.app.screen)

    async def take_as_snap_compare(self, pilot, name: str) -> None:
        """With the pauses and the simplified drawing of ``snap_compare`` after its ``run_before``
        (textual._doc.take_svg_screenshot): the English snapshots were first taken so, one
        console each, and the same screen gives the same SVG."""
        assert name not in self.taken, name
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        self.taken[name] = pilot.app.export_screenshot(title=pilot.app.title, simplify=True)


def footer_cut(screen) -> list[str]:
    """The footer's keys that run into the palette's key or off the screen (French runs longer)."""
    keys = list(screen.query(FooterKey))
    palette = next((k.region.x for k in keys if k.has_class("-command-palette")), screen.size.width)
    return [k.description for k in keys if not k.has_class("-command-palette") and k.region.right > palette]


def compare(snapshot, shots: Shots) -> list[str]:
    """The names whose screenshot differs from its snapshot (every one compared, so that
    ``--snapshot-update`` writes them all)."""
    svg = snapshot.use_extension(SVGImageExtension)
    return [name for name, shot in shots.taken.items() if not svg(name=name) == shot]


async def fresh_list(pilot) -> None:
    """Every screen closed, toasts dismissed, and a new segments list, as a console starts."""
    app = pilot.app
    while len(app.screen_stack) > 1:
        app.pop_screen()
    app.clear_notifications()
    await app.push_screen(SegmentsListScreen())
    await pilot.pause()


def walk(app: SegtuiApp, scenarios: dict, size: tuple[int, int]) -> Shots:
    """One console runs each scenario from a fresh segments list (the first one from the list it
    starts on) and takes its screenshot as ``snap_compare`` would have: the same picture as one
    console per scenario, as long as no scenario changes the data a later one shows (put those
    last)."""
    shots = Shots()

    async def scenarios_in_turn(pilot) -> None:
        for index, (name, run_before) in enumerate(scenarios.items()):
            if index:
                await fresh_list(pilot)
            await run_before(pilot)
            await shots.take_as_snap_compare(pilot, name)

    run(app, scenarios_in_turn, size=size, as_snap_compare=True)
    return shots
