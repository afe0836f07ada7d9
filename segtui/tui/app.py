"""The segtui console: the segments list, a segment's detail, and a background worker."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from babel import Locale
from rich.align import Align
from rich.text import Text
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.screen import ModalScreen
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from .. import i18n, worker
from ..core import conversions, files
from ..core.context import Context
from ..core.display import shown_actor
from ..core.errors import SegtuiError
from ..i18n import N_, _
from .actions import Action, ActionTable, HasActions
from .keys import binding_key_name
from .screens.confirm import ConfirmModal
from .screens.help import HelpScreen
from .screens.segments_list import SegmentsListScreen
from .text import keep_no_break_spaces
from .work import CoreWork


ERROR_TIMEOUT = 24 * 3600.0


class Palette(CommandPalette):
    """Textual's command palette, its own words in the console's language (Textual is pinned:
    the "no matches" countdown below is Textual 8.2's, with the sentence translated)."""

    def __init__(self) -> None:
        super().__init__(id="--command-palette", placeholder=_("Search for commands…"))

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(_("No matches found"), style="not bold")), disabled=True,
                           id=self._NO_MATCHES))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


class SegtuiApp(HasActions, CoreWork, App):
    CSS_PATH = "app.tcss"
    TITLE = "segtui"
    ENABLE_COMMAND_PALETTE = True
    # reachable from every screen (a screen's PALETTE_HIDES leaves out those it is already on)
    ACTIONS = ActionTable(
        "app",
        Action("help", N_("Help"), "question_mark", key_display="?", title=N_("Show help"), description=N_("All keys of this screen")),
        # in ? help and the palette; the footer keeps its room for the screen's keys
        Action("quit", N_("Quit"), "ctrl+q", priority=True, show=False, description=N_("Leave segtui")),
        Action("create_segment", N_("Create segment"), mutates=True, description=N_("Name, object, type and filters")),
        Action("browse_records", N_("Browse records"), description=N_("Contacts and companies: search, open, edit")),
        Action("recently_deleted", N_("Recently deleted"), description=N_("Segments deleted in the last 90 days")),
        Action("properties", N_("Properties"), description=N_("Contact and company properties: create, edit, archive")),
        Action("import_records", N_("Import records"), mutates=True, description=N_("Contacts or companies from a CSV file")),
        Action("upcoming", N_("Upcoming conversions"), "C", key_display="C", show=False,
               description=N_("Every scheduled conversion on a calendar")),
        Action("unused", N_("Unused segments"),
               description=N_("Segments nothing uses and nobody changed for N days: delete them")),
    )
    BINDINGS = ACTIONS.bindings()

    def __init__(self, ctx: Context, *, worker_interval: float = 30.0, db_label: str = "",
                 animations: bool = True, db_url: str | None = None, files_dir=None) -> None:
        super().__init__()
        keep_no_break_spaces()
        self.db_url = db_url
        # the only folder this console's imports and exports touch (files.py); None: a viewer's
        self.files_dir = files_dir
        if not animations:
            self.animation_level = "none"
        self.ctx = ctx
        self.worker_interval = worker_interval
        self.db_label = db_label
        self.worker_id = worker.worker_id()
        self.last_conversion_id = 0
        self.own_conversions: set[int] = set()
        self.sub_title = self.who()

    def get_key_display(self, binding: Binding) -> str:
        """The footer's name of a key, in the language (Textual's own says esc, pgup...)."""
        return binding_key_name(binding, short=True)

    def who(self) -> str:
        """The header's subtitle: the role, who, and the account time zone."""
        ctx = self.ctx
        if ctx.read_only:
            return _("read-only · {actor} · {zone}").format(actor=ctx.actor, zone=ctx.tz)
        return f"{ctx.actor} · {ctx.tz}"

    def on_mount(self) -> None:
        self.last_conversion_id = self.read_core(conversions.latest_id) or 0
        self.push_screen(SegmentsListScreen())
        self.schedule_tick()

    # -- background worker -------------------------------------------------------------
    def schedule_tick(self) -> None:
        """One-shot timer re-armed after each tick: two ticks never overlap."""
        if self.worker_interval > 0:
            self.set_timer(self.worker_interval, self.start_tick)

    def start_tick(self) -> None:
        ctx, me, since = self.ctx, self.worker_id, self.last_conversion_id

        # what the background worker does is the worker's act, not this console user's
        worker_ctx = replace(ctx, actor=worker.console_actor(ctx.actor))

        def tick():
            failed = [] if ctx.read_only else worker.tick(worker_ctx, me=me).failed
            return failed, conversions.since(since)

        self.run_core(tick, done=self.after_tick, failed=self.tick_failed, group="tick")

    def after_tick(self, result) -> None:
        failed, news = result
        for segment_id, message in failed:
            self.notify(_("Refresh of segment #{id} failed: {problem}").format(id=segment_id, problem=message),
                        title=_("Background worker"), severity="warning")
        self.announce_conversions(news)
        self.schedule_tick()

    def tick_failed(self, exc: SegtuiError) -> None:
        """Shown, never fatal: the next tick tries again."""
        self.notify(str(exc), title=_("Background worker failed"), severity="error", timeout=10)
        self.schedule_tick()

    def announce_conversions(self, news=None) -> None:
        """Tell the user about conversions made by any process (``news``: read now when not
        given), and refresh what is shown."""
        if news is None:
            news = self.read_core(lambda: conversions.since(self.last_conversion_id)) or []
        for record, name in news:
            self.last_conversion_id = max(self.last_conversion_id, record.id)
            if record.id in self.own_conversions:
                continue
            self.notify(self.conversion_news(record, name), title=_("Segment converted"), timeout=8)
        self.reload_screen()

    @staticmethod
    def conversion_news(record, name: str) -> str:
        if record.direction == "to_static":
            said = (_("{name!r} was converted to static automatically.") if record.trigger != "manual"
                    else _("{name!r} was converted to static by {actor}."))
        else:
            said = (_("{name!r} was converted to active automatically.") if record.trigger != "manual"
                    else _("{name!r} was converted to active by {actor}."))
        return said.format(name=name, actor=shown_actor(record.actor))

    def reload_screen(self) -> None:
        reload = getattr(self.screen, "reload", None)
        if reload is not None:
            reload()

    def files_folder(self):
        """The folder of this console's imports and exports (made on first use)."""
        if self.files_dir is None:
            self.files_dir = files.prepare_folder(None)
        return self.files_dir

    def note_own_conversion(self, conversion_id: int) -> None:
        self.own_conversions.add(conversion_id)

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = False) -> None:
        """Notifications carry data (segment names, emails, file paths): never read as markup.

        An error stays until it is dismissed (a click, or "Dismiss notifications" in the palette):
        nobody should miss why something was not done."""
        if severity == "error":
            timeout = ERROR_TIMEOUT
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    # -- acts reachable from every screen ---------------------------------------------------
    def action_create_segment(self) -> None:
        from .screens.create_segment import CreateSegmentScreen

        if not isinstance(self.screen, CreateSegmentScreen):
            self.push_screen(CreateSegmentScreen())

    def search_segments(self) -> None:
        """Back to the segments list, in its search field."""
        while not isinstance(self.screen, SegmentsListScreen) and len(self.screen_stack) > 1:
            self.pop_screen()
        self.screen.action_search()

    def action_browse_records(self) -> None:
        from .screens.records_browser import RecordsBrowserScreen

        if not isinstance(self.screen, RecordsBrowserScreen):
            self.push_screen(RecordsBrowserScreen())

    def action_recently_deleted(self) -> None:
        from .screens.deleted_segments import DeletedSegmentsScreen

        if not isinstance(self.screen, DeletedSegmentsScreen):
            self.push_screen(DeletedSegmentsScreen())

    def action_properties(self) -> None:
        from .screens.properties_screen import PropertiesScreen

        if not isinstance(self.screen, PropertiesScreen):
            self.push_screen(PropertiesScreen())

    def action_unused(self) -> None:
        from .screens.unused import UnusedScreen

        if not isinstance(self.screen, UnusedScreen):
            self.push_screen(UnusedScreen())

    def action_upcoming(self) -> None:
        from .screens.upcoming import UpcomingScreen

        if not isinstance(self.screen, UpcomingScreen):
            self.push_screen(UpcomingScreen())

    def action_import_records(self) -> None:
        from .screens.import_modal import ImportModal

        self.push_screen(ImportModal(folder=self.files_folder()), lambda imported: self.reload_screen() if imported else None)

    # -- errors ------------------------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Core work reports its foreseeable errors itself (CoreWork); what reaches here is a
        bug in a background job: said, and the console stays open (exit_on_error=False)."""
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.notify(f"{type(error).__name__}: {error}", title=_("Unexpected error"), severity="error", timeout=15)
            if event.worker.group == "tick":
                self.schedule_tick()

    # -- commands ------------------------------------------------------------------------
    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(Palette())

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen):
        """The palette: the screen's own commands, then those reachable from everywhere."""
        if isinstance(screen, ModalScreen):  # a dialog is answered first
            return
        if isinstance(screen, HasActions):
            yield from screen.palette_commands()
        if self._notifications:  # offered only while there is something to dismiss
            yield SystemCommand(_("Dismiss notifications"), _("Clear the messages shown on the right"),
                                self.clear_notifications)
        yield from self.ACTIONS.commands(self, hidden=getattr(screen, "PALETTE_HIDES", frozenset()))
        # each language by its own name (whoever does not read this one finds theirs)
        for code, name in i18n.LANGUAGES.items():
            if code != i18n.language():
                yield SystemCommand(_("Language: {name}").format(name=name),
                                    _("Show the console in {language} (back to the segments list)").format(
                                        language=Locale.parse(code).get_display_name(i18n.locale())),
                                    partial(self.switch_language, code))

    # -- the language ---------------------------------------------------------------------
    def switch_language(self, code: str) -> None:
        """Speak ``code`` from now on. What is on screen was drawn in the other language: the
        console starts again from a fresh segments list (same database, same account), and
        says so in the new language. Screens open over the list close: asked first, since
        something typed there and not saved would be lost."""
        if code == i18n.language():
            return
        if len(self.screen_stack) <= 2:  # the default screen, then the segments list
            self.speak(code)
            return
        language = Locale.parse(code).get_display_name(i18n.locale())
        self.push_screen(
            ConfirmModal(_("Switch the console to {language}?").format(language=language),
                         _("The screens open over the segments list close: anything typed on them and not saved is "
                           "lost. The console starts again from the segments list, in {language}.").format(
                             language=language), _("Switch")),
            lambda ok: self.speak(code) if ok else None)

    def speak(self, code: str) -> None:
        i18n.set_language(code)
        self.sub_title = self.who()
        self.clear_notifications()
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(SegmentsListScreen())
        self.notify(_("The console is now in {language}.").format(
            language=Locale.parse(code).get_display_name(i18n.locale())), title=_("Language"))
