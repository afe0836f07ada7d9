"""'Matches 1,234 contacts': the count of a draft filter tree, debounced, counted in a thread.

Every request restarts a short timer; only when the user pauses is the count started, in
a thread worker, and only the newest request's answer is shown. Typing never waits.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...core import filters, segments
from ...core.errors import SegtuiError
from ...i18n import N_, _, _n, number
from ..text import printable
from ..work import CoreWork

DEBOUNCE_SECONDS = 0.3


def counted(n: int, object_type: str) -> str:
    """'1,234 contacts' / '1 234 contacts', '1 company' / '1 entreprise'."""
    if object_type == "companies":
        return _n("{n} company", "{n} companies", n)
    return _n("{n} contact", "{n} contacts", n)


NO_FILTERS = {"contacts": N_("No filters: matches no contacts."), "companies": N_("No filters: matches no companies.")}


class LiveCount(CoreWork, Static):
    DEFAULT_CSS = """
    LiveCount { height: auto; color: $text; }
    """

    def __init__(self, object_type: str, *, segment_id: int | None = None, prefix: str = "", **kwargs) -> None:
        """``prefix``: said before the count instead of "Matches" (in the language shown)."""
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
            self.update(Text(why_not if tree is None else _(NO_FILTERS[self.object_type]), style="italic"))
            return
        self.update(Text(_("Counting…"), style="dim"))
        ctx, object_type, segment_id = self.app.ctx, self.object_type, self.segment_id
        snapshot = {"groups": [dict(g) for g in tree["groups"]]}
        self.run_core(lambda: segments.count_matching(ctx, object_type, snapshot, segment_id=segment_id),
                      done=self.show, failed=self.cannot_count, group="live-count", delay=DEBOUNCE_SECONDS)

    def show(self, n: int) -> None:
        self.last_count = n
        phrase = counted(n, self.object_type)
        sentence = f"{self.prefix} {phrase}" if self.prefix else _("Matches {count}").format(count=phrase)
        # the number in bold, wherever the language puts it
        at = sentence.rindex(phrase) + phrase.index(number(n))
        self.update(Text.assemble(sentence[:at], (number(n), "bold"), sentence[at + len(number(n)):]))

    def cannot_count(self, exc: SegtuiError) -> None:
        self.last_count = None
        self.update(Text(_("Cannot count: {problem}").format(problem=printable(exc, limit=300)), style="bold red"))
