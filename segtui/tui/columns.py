"""Table columns laid out from the width the table has.

The first columns are the ones a person reads a row by (a segment's name, a record's email):
they get what their content needs, within reason; the next ones follow in order of
importance while there is room, each at the width its content needs; the last of those
that fits is shrunk (its cells end with an ellipsis) rather than pushed off the screen;
what does not fit stays reachable by scrolling sideways, with the first column kept in place.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len

CELL_PADDING = 2  # DataTable's cell_padding=1 on both sides
SCROLLBAR = 2


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    need: int  # what the content needs (longest value, at least the label)
    least: int = 0  # narrower than this the column says nothing: push it off instead

    @property
    def smallest(self) -> int:
        """Narrower than this, the column goes off rather than shrinks; never narrower than
        its heading (a heading is cut without an ellipsis)."""
        label = min(cell_len(self.label), self.need)
        return max(self.least, label) if self.least else min(self.need, max(label, 6))


def fit(columns: list[Column], available: int, *, first_share: float = 0.5, whole: bool = False) -> list[int]:
    """The width of each column (in order) for a table ``available`` cells wide.

    The first column takes what it needs up to ``first_share`` of the width (at least its
    smallest); then the others in order. ``whole``: no column shows in part at the right edge
    (a label cut there); the room a column pushed off would have started in goes to the last
    column shown.
    """
    if not columns:
        return []
    room = max(available - SCROLLBAR, 10)
    first = columns[0]
    widths = [max(first.smallest, min(first.need, int(room * first_share)))]
    left = room - widths[0] - CELL_PADDING
    overflowed = False
    shown = 1
    for column in columns[1:]:
        if overflowed:
            widths.append(column.need)
            continue
        if column.need + CELL_PADDING <= left:
            widths.append(column.need)
            left -= column.need + CELL_PADDING
            shown += 1
        elif column.smallest + CELL_PADDING <= left:
            widths.append(left - CELL_PADDING)  # shrunk, its cells end with "…"
            left = 0
            overflowed = True
            shown += 1
        else:
            widths.append(column.need)
            overflowed = True
    if left > 0 and first.need > widths[0]:  # room to spare: the first column takes it back
        taken = min(first.need - widths[0], left)
        widths[0] += taken
        left -= taken
    if whole and overflowed and left > 0:
        widths[shown - 1] += left
    return widths


def widest(texts, *, least: int = 0, most: int | None = None) -> int:
    """The cells the longest of ``texts`` takes, at least ``least``, at most ``most``: a column as
    wide as the language writes what it holds (a label, a group's name)."""
    longest = max((cell_len(t) for t in texts), default=0)
    return max(least, longest if most is None else min(most, longest))


def need(label: str, values, cap: int = 60) -> int:
    """The width a column's values need: the longest, at least the label, at most ``cap``; in
    terminal cells (a translated label or a name may hold wide or combining characters)."""
    longest = max((cell_len(v) for v in values), default=0)
    return max(cell_len(label), min(cap, longest))
