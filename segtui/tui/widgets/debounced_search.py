"""Search-as-you-type for the record screens: results load in a thread after a pause."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Label

from ...i18n import _
from ..work import CoreWork

DEBOUNCE_SECONDS = 0.25


class DebouncedSearch(CoreWork):
    """Mixed into a screen that has ``load(delay)``, ``search_text`` and ``start``; ``load``
    runs through ``run_core``, so only the newest search's results are shown. Enter in the
    search field moves to the results table."""

    SEARCH_ID = ""
    STATUS_SELECTOR = ""

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == self.SEARCH_ID:
            self.restart_search(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == self.SEARCH_ID:
            self.query_one(DataTable).focus()

    def restart_search(self, text: str) -> None:
        self.search_text = text
        self.start = 0
        self.query_one(self.STATUS_SELECTOR, Label).update(_("Searching…"))
        self.load(delay=DEBOUNCE_SECONDS)
