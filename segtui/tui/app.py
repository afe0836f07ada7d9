"""The segtui console: the segments list, a segment's detail, and a background worker."""

from __future__ import annotations

from dataclasses import replace

from textual.app import App, SystemCommand
from textual.screen import ModalScreen
from textual.worker import Worker, WorkerState

from .. import worker
from ..core import conversions, files
from ..core.context import Context
from ..core.errors import SegtuiError
from .actions import Action, ActionTable, HasActions
from .screens.help import HelpScreen
from .screens.segments_list import SegmentsListScreen
from .work import CoreWork


ERROR_TIMEOUT = 24 * 3600.0


class SegtuiApp(HasActions, CoreWork, App):
    CSS_PATH = "app.tcss"
    TITLE = "segtui"
    ENABLE_COMMAND_PALETTE = True
    # reachable from every screen (a screen's PALETTE_HIDES leaves out those it is already on)
    ACTIONS = ActionTable(
        "app",
        Action("help", "Help", "question_mark", key_display="?", title="Show help", description="All keys of this screen"),
        # in ? help and the palette; the footer keeps its room for the screen's keys
        Action("quit", "Quit", "ctrl+q", priority=True, show=False, description="Leave segtui"),
        Action("create_segment", "Create segment", mutates=True, description="Name, object, type and filters"),
        Action("browse_records", "Browse records", description="Contacts and companies: search, open, edit"),
        Action("recently_deleted", "Recently deleted", description="Segments deleted in the last 90 days"),
        Action("properties", "Properties", description="Contact and company properties: create, edit, archive"),
        Action("import_records", "Import records", mutates=True, description="Contacts or companies from a CSV file"),
        Action("upcoming", "Upcoming conversions", "C", key_display="C", show=False,
               description="Every scheduled conversion on a calendar"),
        Action("unused", "Unused segments",
               description="Segments nothing uses and nobody changed for N days: delete them"),
    )
    BINDINGS = ACTIONS.bindings()

    def __init__(self, ctx: Context, *, worker_interval: float = 30.0, db_label: str = "",
                 animations: bool = True, db_url: str | None = None, files_dir=None) -> None:
        super().__init__()
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
        self.sub_title = ("read-only · " if ctx.read_only else "") + f"{ctx.actor} · {ctx.tz}"

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
            self.notify(f"Refresh of segment #{segment_id} failed: {message}", title="Background worker",
                        severity="warning")
        self.announce_conversions(news)
        self.schedule_tick()

    def tick_failed(self, exc: SegtuiError) -> None:
        """Shown, never fatal: the next tick tries again."""
        self.notify(str(exc), title="Background worker failed", severity="error", timeout=10)
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
            target = "static" if record.direction == "to_static" else "active"
            how = "automatically" if record.trigger != "manual" else f"by {record.actor}"
            self.notify(f"{name!r} was converted to {target} {how}.", title="Segment converted", timeout=8)
        self.reload_screen()

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
            self.notify(f"{type(error).__name__}: {error}", title="Unexpected error", severity="error", timeout=15)
            if event.worker.group == "tick":
                self.schedule_tick()

    # -- commands ------------------------------------------------------------------------
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
            yield SystemCommand("Dismiss notifications", "Clear the messages shown on the right",
                                self.clear_notifications)
        yield from self.ACTIONS.commands(self, hidden=getattr(screen, "PALETTE_HIDES", frozenset()))
