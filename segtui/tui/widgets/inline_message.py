"""A message under a field or a form, where the user is looking; it takes no room when empty."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class InlineMessage(Static):
    DEFAULT_CSS = """
    InlineMessage { height: auto; }
    """

    def __init__(self, content="", **kwargs) -> None:
        super().__init__(content, **kwargs)
        self.display = bool(self._shown(content))

    @staticmethod
    def _shown(content) -> str:
        return content.plain if isinstance(content, Text) else str(content or "")

    def update(self, content="", *, layout: bool = True) -> None:
        super().update(content, layout=layout)
        self.display = bool(self._shown(content))
