"""An Input that steers the list under it: type to filter, up/down to move the highlight."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input, OptionList


class TypeAhead(Input):
    """An Input whose up/down keys move the highlight of the list under it."""

    BINDINGS = [
        Binding("down", "move(1)", show=False, id="type_ahead.down"),
        Binding("up", "move(-1)", show=False, id="type_ahead.up"),
    ]

    def __init__(self, list_id: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.list_id = list_id

    def action_move(self, step: int) -> None:
        options = self.screen.query_one(f"#{self.list_id}", OptionList)
        options.display = True
        if not options.option_count:
            return
        current = options.highlighted if options.highlighted is not None else -step
        options.highlighted = max(0, min(options.option_count - 1, current + step))
