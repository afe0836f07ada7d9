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
        return self.least or min(self.need, max(cell_len(self.label), 6))


def fit(columns: list[Column], available: int, *, first_share: float = 0.5) -> list[int]:
    """The width of each column (in order) for a table ``available`` cells wide.

    The first column takes what it needs up to ``first_share`` of the width (at least its
    smallest); then the others in order.
    """
    if not columns:
        return []
    room = max(available - SCROLLBAR, 10)
    first = columns[0]
    widths = [max(first.smallest, min(first.need, int(room * first_share)))]
    left = room - widths[0] - CELL_PADDING
    overflowed = False
    for column in columns[1:]:
        if overflowed:
            widths.append(column.need)
            continue
        if column.need + CELL_PADDING <= left:
            widths.append(column.need)
            left -= column.need + CELL_PADDING
        elif column.smallest + CELL_PADDING <= left:
            widths.append(left - CELL_PADDING)  # shrunk, its cells end with "…"
            left = 0
            overflowed = True
        else:
            widths.append(column.need)
            overflowed = True
    if left > 0 and first.need > widths[0]:  # room to spare: the first column takes it back
        widths[0] = min(first.need, widths[0] + left)
    return widths


def need(label: str, values, cap: int = 60) -> int:
    """The width a column's values need: the longest, at least the label, at most ``cap``; in
    terminal cells (a translated label or a name may hold wide or combining characters)."""
    longest = max((cell_len(v) for v in values), default=0)
    return max(cell_len(label), min(cap, longest))
