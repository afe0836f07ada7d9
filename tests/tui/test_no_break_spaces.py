"""French typography's no-break spaces (before ':' and inside « ») are never where a line wraps,
in Rich's wrapping (tables, Text) and Textual's (Static, Label): « Bretagne » stays whole."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text
from textual._wrap import compute_wrap_offsets

from segtui.tui.text import keep_no_break_spaces

NBSP = "\u00a0"
SENTENCE = f"Exporter 99 membres de «{NBSP}Newsletter, Normandie or Bretagne{NBSP}»{NBSP}: ok"


def test_a_line_wraps_at_the_spaces_that_break_only():
    keep_no_break_spaces()
    lines = [line.plain for line in Text(SENTENCE).wrap(Console(width=30), 30)]
    assert lines == ["Exporter 99 membres de ", f"«{NBSP}Newsletter, Normandie or ", f"Bretagne{NBSP}»{NBSP}: ok"]
    offsets = compute_wrap_offsets(SENTENCE, 36, 8)
    assert [SENTENCE[start:end] for start, end in zip([0, *offsets], [*offsets, len(SENTENCE)])] == [
        "Exporter 99 membres de ", f"«{NBSP}Newsletter, Normandie or ", f"Bretagne{NBSP}»{NBSP}: ok"]
