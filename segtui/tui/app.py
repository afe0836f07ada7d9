"""The segtui console: the segments list, a segment's detail, and a background worker."""

from __future__ import annotations

import peewee
from textual.app import App, SystemCommand
from textual.binding import Binding

from .. import worker
from ..core import conversions, db
from ..core.errors import SegtuiError
from ..core.context import Context
from ..core.models import database_proxy
from . import commands
from .screens.help import HelpScreen
from .screens.segments_list import SegmentsListScreen


class SegtuiApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "segtui"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, ctx: Context, *, worker_interval: float = 30.0, db_label: str = "",
                 animations: bool = True, db_url: str | None = None) -> None:
        super().__init__()
        self.db_url = db_url
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
        self.last_conversion_id = conversions.latest_id()
        self.push_screen(SegmentsListScreen())
        self.schedule_tick()

    # -- background worker -------------------------------------------------------------
    def schedule_tick(self) -> None:
        """One-shot timer re-armed after each tick: two ticks never overlap."""
        if self.worker_interval > 0:
            self.set_timer(self.worker_interval, self.start_tick)

    def start_tick(self) -> None:
        self.run_worker(self.run_tick, thread=True, group="tick", exit_on_error=False)

    def run_tick(self) -> None:
        try:
            if not self.ctx.read_only:
                result = worker.tick(self.ctx, me=self.worker_id)
                for segment_id, message in result.failed:
                    self.call_from_thread(
                        self.notify, f"Refresh of segment #{segment_id} failed: {message}",
                        title="Background worker", severity="warning",
                    )
        except Exception as exc:  # shown, never fatal: the next tick tries again
            self.call_from_thread(
                self.notify, self.explain(exc), title="Background worker failed", severity="error", timeout=10
            )
        finally:
            database_proxy.close()
            self.call_from_thread(self.after_tick)

    def after_tick(self) -> None:
        self.announce_conversions()
        self.schedule_tick()

    def announce_conversions(self) -> None:
        """Tell the user about conversions made by any process, and refresh what is shown."""
        news = conversions.since(self.last_conversion_id)
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

    def note_own_conversion(self, conversion_id: int) -> None:
        self.own_conversions.add(conversion_id)

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = False) -> None:
        """Notifications carry data (segment names, emails, file paths): never read as markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    # -- acts reachable from every screen ---------------------------------------------------
    def action_create_segment(self) -> None:
        from .screens.create_segment import CreateSegmentScreen

        if self.ctx.read_only:
            self.notify("This console is read-only: segments cannot be created.", severity="warning")
        elif not isinstance(self.screen, CreateSegmentScreen):
            self.push_screen(CreateSegmentScreen())

    def action_browse_records(self) -> None:
        from .screens.records_browser import RecordsBrowserScreen

        if not isinstance(self.screen, RecordsBrowserScreen):
            self.push_screen(RecordsBrowserScreen())

    def action_recently_deleted(self) -> None:
        from .screens.deleted_segments import DeletedSegmentsScreen

        if not isinstance(self.screen, DeletedSegmentsScreen):
            self.push_screen(DeletedSegmentsScreen())

    def action_import_records(self) -> None:
        from .screens.import_modal import ImportModal

        if self.ctx.read_only:
            self.notify("This console is read-only: records cannot be imported.", severity="warning")
            return
        self.push_screen(ImportModal(), lambda imported: self.reload_screen() if imported else None)

    # -- errors ------------------------------------------------------------------------------
    def explain(self, exc: Exception) -> str:
        if isinstance(exc, peewee.PeeweeException):
            return db.explain(exc, self.db_url)
        return str(exc)

    def _handle_exception(self, error: Exception) -> None:
        """The last safety net: a foreseeable error escaping a screen's handler (the database
        locked or gone, another admin's change) is shown, and the console stays open.
        Anything else is a bug and ends the app as Textual does."""
        if isinstance(error, (SegtuiError, peewee.PeeweeException)):
            if isinstance(error, peewee.PeeweeException) and db.is_transient(error):
                db.reset_connection()
            self.notify(self.explain(error), title="Not done", severity="error", timeout=10)
            return
        super()._handle_exception(error)

    # -- commands ------------------------------------------------------------------------
    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen):
        yield from commands.for_screen(self, screen)
        yield SystemCommand("Show help", "All keys of this screen", self.action_help)
        yield SystemCommand("Quit", "Leave segtui", self.action_quit)
