"""One way for a screen (or a widget) to run core work.

``run_core`` runs a core call in a thread worker, so that a write waiting on a locked
database never freezes the console:

- one worker per ``group``, exclusive: a new request cancels the previous one, whose answer
  is then dropped (a stale search, count or page never overwrites a newer one);
- ``delay`` debounces: the call starts once the requests pause that long;
- a ``SegtuiError`` (the core turns database errors into ``DatabaseProblem``) goes to
  ``failed``, by default ``show_core_error``, which a screen overrides to show it inline;
- the thread's connection is closed when the call ends (``db.session``).

``read_core`` is the same guard for the quick reads a screen makes on the UI thread while
it draws itself (a page of rows): their errors are shown, never raised into Textual.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from textual.worker import Worker, get_current_worker

from ..core import db
from ..core.errors import SegtuiError
from ..i18n import _

T = TypeVar("T")


class CoreWork:
    """Mixed into a Screen or a Widget (anything with ``run_worker``, ``set_timer``, ``app``)."""

    def run_core(self, call: Callable[[], T], *, done: Callable[[T], Any] | None = None,
                 failed: Callable[[SegtuiError], Any] | None = None, group: str = "core",
                 delay: float = 0.0) -> None:
        self.cancel_core(group)
        start = partial(self._start_core, call, done, failed, group)
        if delay > 0:
            self.__dict__.setdefault("_core_timers", {})[group] = self.set_timer(delay, start)
        else:
            start()

    def cancel_core(self, group: str) -> None:
        """Forget the group's pending request and drop the answer of the one running."""
        pending = self.__dict__.setdefault("_core_timers", {}).pop(group, None)
        if pending is not None:
            pending.stop()
        self.app.workers.cancel_group(self, group)

    def _start_core(self, call, done, failed, group: str) -> Worker:
        return self.run_worker(partial(self._core_job, call, done, failed), name=f"core:{group}", group=group,
                               thread=True, exclusive=True, exit_on_error=False)

    def _core_job(self, call, done, failed) -> None:  # in the worker's thread
        worker = get_current_worker()
        try:
            with db.session():
                result = call()
        except SegtuiError as exc:
            self._answer(worker, failed or self.show_core_error, exc)
        else:
            self._answer(worker, done, result)

    def _answer(self, worker: Worker, callback, value) -> None:
        if callback is None or worker.is_cancelled:
            return

        def deliver() -> None:  # on the UI thread, where cancelling happens: no race
            if not worker.is_cancelled and (self is self.app or self.is_attached):
                callback(value)

        try:
            self.app.call_from_thread(deliver)
        except RuntimeError:  # the console ended meanwhile
            pass

    def read_core(self, call: Callable[[], T], *, failed: Callable[[SegtuiError], Any] | None = None) -> T | None:
        """A quick read on the UI thread; None (after ``failed``) when the core refused or failed."""
        try:
            with db.session(close=False):
                return call()
        except SegtuiError as exc:
            (failed or self.show_core_error)(exc)
            return None

    def show_core_error(self, exc: SegtuiError) -> None:
        self.notify(str(exc), title=_("Not done"), severity="error", timeout=10)
