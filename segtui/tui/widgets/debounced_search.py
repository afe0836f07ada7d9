"""Search-as-you-type for the record screens: results load in a thread after a pause."""

from __future__ import annotations

from textual.widgets import Label

DEBOUNCE_SECONDS = 0.25


class DebouncedSearch:
    """Mixed into a screen that has ``load(generation)``, ``search_text``, ``start``,
    ``generation`` and ``timer``; only the newest search's results are shown."""

    STATUS_SELECTOR = ""

    def restart_search(self, text: str) -> None:
        self.search_text = text
        self.start = 0
        self.generation += 1
        if self.timer is not None:
            self.timer.stop()
        generation = self.generation
        self.query_one(self.STATUS_SELECTOR, Label).update("Searching…")
        self.timer = self.set_timer(DEBOUNCE_SECONDS, lambda: self.load(generation))
