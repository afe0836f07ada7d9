"""How a segment overlaps one or two others of the same object: a drawing of the regions
with their counts, the table of regions, and a static segment made from one of them."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from ...core import overlap, segments
from ...core.errors import SegtuiError
from ...i18n import N_, _, number, pgettext, quoted
from ..widgets.footer import Footer
from ..widgets.header import Header, name_title
from ..actions import BACK, Action, ActionTable, HasActions
from ..columns import CELL_PADDING, SCROLLBAR, widest
from ..text import printable, wrapping
from .name_modal import NameModal
from .segment_picker import SegmentPicker

LETTERS = "ABC"


def drawing(result: overlap.Overlap) -> Text:
    """Two or three overlapping boxes in box-drawing characters, each region's count inside."""
    r = result.regions
    n = len(result.segments)
    w = 13

    def cell(mask):
        return number(r.get(mask, 0)).center(w)[:w]

    def name(words: str) -> str:  # a region's name in its box, cut to the box
        return (" " + words).ljust(w)[:w]

    text = Text()
    if n == 2:
        top = "┌" + "─" * w + "┬" + "─" * w + "┬" + "─" * w + "┐"
        mid = "│" + cell(1) + "│" + cell(3) + "│" + cell(2) + "│"
        lab = "│" + name(_("only A")) + "│" + name(_("A and B")) + "│" + name(_("only B")) + "│"
        bot = "└" + "─" * w + "┴" + "─" * w + "┴" + "─" * w + "┘"
        bar = " " + "◀──── A ────".center(2 * w + 1) + " " * (w + 1)
        bar2 = " " + " " * (w + 1) + "──── B ────▶".center(2 * w + 1)
        for line in (bar, top, lab, mid, bot, bar2):
            text.append(line + "\n")
        return text
    # three: A and B side by side over C, the seven regions as a grid
    top = "┌" + "─" * w + "┬" + "─" * w + "┬" + "─" * w + "┐"
    row1l = "│" + name(_("only A")) + "│" + name(_("A B, not C")) + "│" + name(_("only B")) + "│"
    row1 = "│" + cell(1) + "│" + cell(3) + "│" + cell(2) + "│"
    sep = "├" + "─" * w + "┼" + "─" * w + "┼" + "─" * w + "┤"
    row2l = "│" + name(_("A C, not B")) + "│" + name(_("in all")) + "│" + name(_("B C, not A")) + "│"
    row2 = "│" + cell(5) + "│" + cell(7) + "│" + cell(6) + "│"
    sep2 = "└" + "─" * w + "┼" + "─" * w + "┼" + "─" * w + "┘"
    row3l = " " * (w + 1) + "│" + name(_("only C")) + "│"
    row3 = " " * (w + 1) + "│" + cell(4) + "│"
    bot = " " * (w + 1) + "└" + "─" * w + "┘"
    for line in (top, row1l, row1, sep, row2l, row2, sep2, row3l, row3, bot):
        text.append(line + "\n")
    text.append(_("top row: in A and/or B, not C · middle: also in C · bottom: C alone"), style="dim")
    return text


class OverlapScreen(HasActions, Screen):
    CSS_PATH = "overlap.tcss"
    ACTIONS = ActionTable(
        "overlap",
        BACK,
        Action("add_segment", N_("Add a segment"), "plus", key_display="+", title=N_("Overlap with a third segment")),
        Action("save_region", N_("Segment from region"), "s", mutates=True, title=N_("Static segment from this region"),
               description=N_("A static segment of the records in the highlighted region")),
    )
    BINDINGS = ACTIONS.bindings()

    def __init__(self, segment) -> None:
        super().__init__()
        self.first = segment
        self.others: list[int] = []
        self.result: overlap.Overlap | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="overlap-legend")
        yield Static(id="overlap-drawing")
        yield DataTable(id="overlap-regions", cursor_type="row", zebra_stripes=True)
        yield Label("", id="overlap-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        name_title(self, _("Overlap of {name}"), self.first.name)
        self.lay_out_columns()
        if not self.others:
            self.action_add_segment()

    def lay_out_columns(self, labels: list[str] = ()) -> int:
        """The table's columns, the regions' words (``labels``) as wide as they need and the screen lets
        them be (a longer one wraps); returns that width."""
        table = self.query_one(DataTable)
        table.clear(columns=True)
        room = max(30, self.app.size.width - 7 - 10 - 3 * CELL_PADDING - SCROLLBAR)
        who = min(room, widest([_("Who"), *labels], least=46))
        # a region of the drawing (not a place), and a column's short word for records
        for label, width in ((pgettext("overlap", "Region"), 7), (_("Who"), who), (pgettext("column", "Records"), 10)):
            table.add_column(label, width=width)
        return who

    def show(self, result: overlap.Overlap | None) -> None:
        self.result = result
        if result is None:
            return
        legend = Text()
        for i, s in enumerate(result.segments):
            legend.append(f"{LETTERS[i]} ", style="bold reverse")
            legend.append(f" {printable(s.name, limit=40)} ")
            legend.append(f"{number(result.sizes[i])}   ", style="dim")
        self.query_one("#overlap-legend", Static).update(legend)
        self.query_one("#overlap-drawing", Static).update(drawing(result))
        table = self.query_one(DataTable)
        who = self.lay_out_columns([result.label(mask) for mask in result.regions])
        n = len(result.segments)
        for mask in sorted(result.regions, key=lambda m: (-bin(m).count("1"), m)):
            # the three names of a region wrap rather than being cut
            table.add_row(overlap.Region(mask).code(n), wrapping(result.label(mask), who, limit=200),
                          number(result.regions[mask]), key=str(mask), height=None)
        status = _("{n} records in at least one · s makes the highlighted region a static segment").format(
            n=number(result.union))
        if n < 3:
            status += " · " + _("+ adds a third segment")
        self.query_one("#overlap-status", Label).update(status)
        table.focus()

    def compute(self) -> None:
        try:
            self.show(overlap.overlap([self.first.id, *self.others]))
        except SegtuiError as exc:
            self.query_one("#overlap-status", Label).update(exc.message)

    def action_add_segment(self) -> None:
        if len(self.others) >= 2:
            self.notify(_("At most three segments are compared at once."), severity="warning")
            return
        self.app.push_screen(
            SegmentPicker(_("Compare {name} with").format(name=quoted(printable(self.first.name, limit=40))),
                          self.first.object_type,
                          exclude=self.first.id),
            self.picked,
        )

    def picked(self, segment_id: int | None) -> None:
        if segment_id is None:
            if not self.others:
                self.app.pop_screen()
            return
        if segment_id not in self.others:
            self.others.append(segment_id)
        self.compute()

    def action_save_region(self) -> None:
        if self.result is None:
            return
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return
        mask = int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        label = self.result.label(mask)
        self.app.push_screen(
            NameModal(_("Create a static segment from this region"), printable(label, limit=80)[:80].capitalize(),
                      _("Create"), lambda name: segments.check_name(name, self.first.object_type),
                      note=_("{n} records: {region}").format(n=number(self.result.regions[mask]),
                                                            region=printable(label, limit=100))),
            lambda name: self.save(mask, name) if name else None,
        )

    def save(self, mask: int, name: str) -> None:
        try:
            made, added = overlap.create_from_region(self.app.ctx, [self.first.id, *self.others], mask, name)
        except SegtuiError as exc:
            self.notify(exc.message, title=_("Not created"), severity="error")
            return
        self.notify(_("Created {name} with {n} records.").format(name=quoted(made.name), n=number(added)),
                    title=_("Static segment created"))
        from .segment_detail import SegmentDetailScreen

        self.app.push_screen(SegmentDetailScreen(made.id))

    def action_back(self) -> None:
        self.app.pop_screen()
