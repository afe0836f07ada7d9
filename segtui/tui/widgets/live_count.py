"""'Matches 1,234 contacts': the count of a draft filter tree, debounced, counted in a thread.

Every request restarts a short timer; only when the user pauses is the count started, in
a thread worker, and only the newest request's answer is shown. Typing never waits.
"""

from __future__ import annotations

import peewee
from rich.text import Text
from textual import work
from textual.timer import Timer
from textual.widgets import Static

from ...core import filters, segments
from ...core.errors import SegtuiError
from ...core.models import database_proxy
from ...core.properties import SINGULAR
from ..text import printable

DEBOUNCE_SECONDS = 0.3


def plural(n: int, object_type: str) -> str:
    return object_type if n != 1 else SINGULAR[object_type]


class LiveCount(Static):
    DEFAULT_CSS = """
    LiveCount { height: auto; color: $text; }
    """

    def __init__(self, object_type: str, *, segment_id: int | None = None, prefix: str = "Matches",
                 **kwargs) -> None:
        super().__init__("", **kwargs)
        self.object_type = object_type
        self.segment_id = segment_id
        self.prefix = prefix
        self.generation = 0
        self.timer: Timer | None = None
        self.last_count: int | None = None

    def request(self, tree: dict | None, *, why_not: str = "") -> None:
        """Count ``tree`` once the user pauses; ``None`` shows ``why_not`` instead."""
        self.generation += 1
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        if tree is None or not filters.has_filters(tree):
            self.last_count = None
            self.update(Text(why_not if tree is None else f"No filters: matches no {self.object_type}.",
                             style="italic"))
            return
        self.update(Text("Counting…", style="dim"))
        generation, snapshot = self.generation, {"groups": [dict(g) for g in tree["groups"]]}
        self.timer = self.set_timer(DEBOUNCE_SECONDS, lambda: self.count(generation, snapshot))

    @work(thread=True, exclusive=True, group="live-count", exit_on_error=False)
    def count(self, generation: int, tree: dict) -> None:
        try:
            n = segments.count_matching(self.app.ctx, self.object_type, tree, segment_id=self.segment_id)
            answer = Text.assemble(f"{self.prefix} ", (f"{n:,}", "bold"), f" {plural(n, self.object_type)}")
        except SegtuiError as exc:
            n, answer = None, Text(f"Cannot count: {printable(exc, limit=300)}", style="bold red")
        except peewee.DatabaseError as exc:
            n, answer = None, Text(f"Cannot count now: {printable(exc, limit=200)}", style="bold red")
        finally:
            database_proxy.close()
        self.app.call_from_thread(self.show, generation, n, answer)

    def show(self, generation: int, n: int | None, answer: Text) -> None:
        if generation == self.generation and self.is_mounted:
            self.last_count = n
            self.update(answer)
