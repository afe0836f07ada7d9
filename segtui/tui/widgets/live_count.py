"""'Matches 1,234 contacts': the count of a draft filter tree, debounced, counted in a thread.

Every request restarts a short timer; only when the user pauses is the count started, in
a thread worker, and only the newest request's answer is shown. Typing never waits.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...core import filters, segments
from ...core.errors import SegtuiError
from ...core.properties import SINGULAR
from ..text import printable
from ..work import CoreWork

DEBOUNCE_SECONDS = 0.3


def plural(n: int, object_type: str) -> str:
    return object_type if n != 1 else SINGULAR[object_type]


class LiveCount(CoreWork, Static):
    DEFAULT_CSS = """
    LiveCount { height: auto; color: $text; }
    """

    def __init__(self, object_type: str, *, segment_id: int | None = None, prefix: str = "Matches",
                 **kwargs) -> None:
        super().__init__("", **kwargs)
        self.object_type = object_type
        self.segment_id = segment_id
        self.prefix = prefix
        self.last_count: int | None = None

    def request(self, tree: dict | None, *, why_not: str = "") -> None:
        """Count ``tree`` once the user pauses; ``None`` shows ``why_not`` instead."""
        if tree is None or not filters.has_filters(tree):
            self.cancel_core("live-count")
            self.last_count = None
            self.update(Text(why_not if tree is None else f"No filters: matches no {self.object_type}.",
                             style="italic"))
            return
        self.update(Text("Counting…", style="dim"))
        ctx, object_type, segment_id = self.app.ctx, self.object_type, self.segment_id
        snapshot = {"groups": [dict(g) for g in tree["groups"]]}
        self.run_core(lambda: segments.count_matching(ctx, object_type, snapshot, segment_id=segment_id),
                      done=self.show, failed=self.cannot_count, group="live-count", delay=DEBOUNCE_SECONDS)

    def show(self, n: int) -> None:
        self.last_count = n
        self.update(Text.assemble(f"{self.prefix} ", (f"{n:,}", "bold"), f" {plural(n, self.object_type)}"))

    def cannot_count(self, exc: SegtuiError) -> None:
        self.last_count = None
        self.update(Text(f"Cannot count: {printable(exc, limit=300)}", style="bold red"))
