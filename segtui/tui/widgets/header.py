"""The header: the screen's title and, after a dash, who is working and the account's time zone;
a long name in the title stays recognisable whatever the width and the language.

A title that names something (a segment, a record) is set with ``name_title``, which keeps the
name apart. When the whole line does not fit, ``fit`` gives up, in this order: who and the
zone (a read-only console keeps saying "read-only"), then the middle of the name (its start
and its end stay: segment names often differ at the end, "..., engaged"), down to
``SHORTEST_NAME`` cells; then the title's other words, the name alone taking the line. Every
screen's header goes through it.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content
from textual.widgets import Header as TextualHeader
from textual.widgets._header import HeaderTitle

from ...i18n import _
from ..text import printable

SIDES = 8 + 10  # Textual's header icon on the left and its clock's room on the right
SHORTEST_NAME = 24  # shorter than this, the title's other words go first
DASH = " — "


def name_title(screen, template: str, name: str) -> None:
    """Set ``screen``'s title from ``template`` (with a ``{name}`` field) naming ``name``."""
    screen.header_name = printable(name)
    screen.title = template.format(name=screen.header_name)


def middle(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells: its start and its end, "…" between."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    keep = width - 1
    head, tail = "", ""
    chars = list(text)
    # the start gets the odd cell: it is what a person reads first
    while chars and cell_len(head) + cell_len(chars[0]) <= keep - keep // 2:
        head += chars.pop(0)
    while chars and cell_len(tail) + cell_len(chars[-1]) <= keep - cell_len(head):
        tail = chars.pop() + tail
    return f"{head.rstrip()}…{tail.lstrip()}"


def fit(title: str, sub_title: str, width: int, *, name: str | None = None, short_sub: str = "") -> Content:
    """The header's line in ``width`` cells: ``title — sub_title`` when it fits, else given up
    as the module says. ``name``: the part of ``title`` that must stay recognisable."""
    for sub in dict.fromkeys((sub_title, short_sub)):
        if cell_len(title) + (cell_len(DASH) + cell_len(sub) if sub else 0) <= width:
            return line(title, sub)
    room = width - (cell_len(DASH) + cell_len(short_sub) if short_sub else 0)
    if name and name in title:
        before, after = title.split(name, 1)
        words = cell_len(before) + cell_len(after)
        if room - words >= SHORTEST_NAME:
            return line(before + middle(name, room - words) + after, short_sub)
        return line(middle(name, room), short_sub)
    return line(middle(title, room), short_sub)


def line(title: str, sub: str) -> Content:
    """As Textual's ``App.format_title`` draws it (the same line when nothing is given up)."""
    if not sub:
        return Content(title)
    return Content.assemble(Content(title), (DASH, "dim"), Content(sub).stylize("dim"))


class Header(TextualHeader):
    def format_title(self) -> Content:
        width = (self.size.width or self.app.size.width) - SIDES
        short_sub = _("read-only") if getattr(self.app, "ctx", None) is not None and self.app.ctx.read_only else ""
        return fit(self.screen_title, self.screen_sub_title, width, name=getattr(self.screen, "header_name", None),
                   short_sub=short_sub)

    def on_resize(self) -> None:
        self.query_one(HeaderTitle).update(self.format_title())
