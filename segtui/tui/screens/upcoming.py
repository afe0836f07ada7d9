"""Every scheduled conversion of the coming days on one calendar: a month grid with the
number of conversions per day, and the list under it (on-day ones at their moment,
inactivity ones at their projected moment "if nothing changes", overdue ones, and those
applied recently with due vs applied). Enter opens the segment."""

from __future__ import annotations

import pendulum
from pendulum import Date
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from ...core import upcoming
from ...core.errors import SegtuiError
from ...i18n import ENGLISH, N_, _, _n, format_moment, language, number, weekday_names
from ..widgets.footer import Footer
from ..widgets.header import Header
from ..actions import BACK, Action, ActionTable, HasActions
from ..columns import CELL_PADDING, SCROLLBAR, Column, fit, need
from ..text import literal
from ..widgets.row_list import RowList

DAYS = 60
# how a conversion was due (the stored trigger), in the list's "applied" rows
TRIGGER_WORDS = {"on_day": N_("on day"), "after_inactivity": N_("after inactivity"), "manual": N_("manual")}


def shown(moment, english: str, pattern: str) -> str:
    """A date in English as this screen always wrote it (pendulum's ``english``), else in the
    language's words (Babel's ``pattern``)."""
    return moment.format(english) if language() == ENGLISH else format_moment(moment, pattern)


def heading(text: str) -> str:
    return text[:1].upper() + text[1:]


def short_condition(u: upcoming.Upcoming) -> str:
    """The list's few words on how a conversion is due (the line under the list says it whole)."""
    if u.overdue:
        return _("at the next worker run")
    if u.projected:
        return _("if idle for {period}").format(period=u.period)
    return u.condition()


def plain_rows(rows: list[tuple]) -> list[list[str]]:
    return [[c.plain if isinstance(c, Text) else c for c in row] for row in rows]


def detail(name: str, sentence: str) -> Text:
    return Text.assemble(literal(name, "bold", limit=200), " · ", sentence)


def widths(labels: tuple[str, ...], rows: list[list[str]], available: int) -> list[int]:
    """The list's columns: the moment, the size and the note whole, the segment's name the rest
    (a name longer than that ends with '…': the line under the list names it whole). Too narrow
    for that, issue 15's fitting, the name first."""
    when, name, size, note = (need(label, [r[i] for r in rows], 80) for i, label in enumerate(labels))
    room = available - SCROLLBAR - 4 * CELL_PADDING - when - size - note
    if room >= min(name, 12):
        return [when, min(name, room), size, note]
    return fit([Column("when", labels[0], when), Column("segment", labels[1], min(name, 40), 12),
                Column("size", labels[2], size, 4), Column("note", "", note, 12)], available, first_share=0.3)


class UpcomingScreen(HasActions, Screen):
    CSS_PATH = "upcoming.tcss"
    ACTIONS = ActionTable(
        "upcoming",
        BACK,
        # months, wherever the focus is (the tables would scroll a page instead)
        Action("previous_month", N_("Prev month"), "pageup", priority=True, palette=False),
        Action("next_month", N_("Next month"), "pagedown", priority=True, palette=False),
        Action("open", N_("Open"), "enter", show=False, title=N_("Open the segment"),
               description=N_("The segment of the highlighted conversion")),
    )
    BINDINGS = ACTIONS.bindings()

    def __init__(self, days: int = DAYS) -> None:
        super().__init__()
        self.days = days
        self.cal: upcoming.Calendar | None = None
        self.selected: Date | None = None
        self.painted = False
        self.row_days: list[Date | None] = []
        self.row_details: list[Text] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="upcoming-title")
        with Horizontal(id="upcoming-top"):
            with Vertical(id="upcoming-month-box"):
                yield Label("", id="upcoming-month")
                yield DataTable(id="upcoming-grid", cursor_type="cell", show_cursor=True)
            yield Static(id="upcoming-day")
        # hundreds of rows with 2,000 schedules: drawn line by line, not laid out as a table
        yield RowList(id="upcoming-list")
        yield Static(id="upcoming-detail")  # the highlighted row in whole sentences
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = _("Upcoming conversions")
        grid = self.query_one("#upcoming-grid", DataTable)
        for name in weekday_names("short"):  # Monday first
            grid.add_column(heading(name), width=4)
        self.reload()
        grid.focus()
        self.call_after_refresh(self._painted)

    def _painted(self) -> None:
        self.painted = True

    def reload(self) -> None:
        ctx = self.app.ctx
        try:
            self.cal = upcoming.calendar(ctx, self.days)
        except SegtuiError as exc:
            self.query_one("#upcoming-title", Static).update(Text(exc.message, style="bold red"))
            return
        cal = self.cal
        if self.selected is None:
            self.selected = cal.upcoming[0].day if cal.upcoming else cal.first_day
        title = Text()
        overdue = sum(1 for u in cal.upcoming if u.overdue)
        title.append(_n("{n} scheduled conversion", "{n} scheduled conversions", len(cal.upcoming)), style="bold")
        title.append(" " + _("from {first} to {last} ({zone})").format(
            first=shown(cal.first_day, "D MMM", "d MMM"), last=shown(cal.last_day, "D MMM YYYY", "d MMM y"),
            zone=ctx.tz))
        if overdue:
            title.append(" · " + _n("{n} overdue", "{n} overdue", overdue), style="bold")
        self.query_one("#upcoming-title", Static).update(title)
        self.fill_list()
        self.draw_month()

    def fill_list(self) -> None:
        cal, tz = self.cal, pendulum.timezone(self.app.ctx.tz)
        listing = self.query_one("#upcoming-list", RowList)
        self.row_days = []
        self.row_details = []
        rows, notes, names = [], [], []  # notes: (few words, whole sentence, style)
        for u in cal.upcoming:
            rows.append((_("today, overdue") if u.overdue else shown(u.local, "ddd D MMM HH:mm", "EEE d/MM HH:mm"),
                         literal(u.name, "bold" if u.overdue else "", limit=80), number(u.size)))
            notes.append((short_condition(u), u.condition(), ""))
            names.append(u.name)
            self.row_days.append(u.day)
        keys = [str(u.segment_id) for u in cal.upcoming]
        for a in cal.applied:
            due = shown(a.due_at.in_timezone(tz), "D MMM HH:mm", "d MMM HH:mm") if a.due_at else "-"
            trigger = _(TRIGGER_WORDS[a.trigger]) if a.trigger in TRIGGER_WORDS else a.trigger.replace("_", " ")
            rows.append((shown(a.converted_at.in_timezone(tz), "ddd D MMM HH:mm", "EEE d/MM HH:mm"),
                         literal(a.name, "dim", limit=80), ""))
            notes.append((_("applied"), _("applied, due {due} ({trigger})").format(due=due, trigger=trigger), "dim"))
            names.append(a.name)
            self.row_days.append(None)
            keys.append(f"applied-{a.segment_id}-{len(keys)}")
        self.row_details = [detail(name, sentence) for name, (_few, sentence, _style) in zip(names, notes)]
        labels = (_("When"), _("Segment"), _("Size"), "")
        # the whole sentences where the names still fit whole beside them (a wide terminal), else the few words
        whole = [(*row, Text(sentence, style=style)) for row, (_few, sentence, style) in zip(rows, notes)]
        columns = widths(labels, plain_rows(whole), self.app.size.width)
        if columns == [need(label, column, 80) for label, column in zip(labels, zip(*plain_rows(whole)))]:
            listing.set_rows(list(zip(labels, columns)), whole, keys)
            return
        few = [(*row, Text(words, style=style)) for row, (words, _sentence, style) in zip(rows, notes)]
        listing.set_rows(list(zip(labels, widths(labels, plain_rows(few), self.app.size.width))), few, keys)

    @on(RowList.Highlighted, "#upcoming-list")
    def row_highlighted(self, event: RowList.Highlighted) -> None:
        details = self.row_details
        self.query_one("#upcoming-detail", Static).update(details[event.index] if event.index < len(details) else "")

    def draw_month(self) -> None:
        cal = self.cal
        counts = cal.counts()
        month = self.selected.replace(day=1)
        self.query_one("#upcoming-month", Label).update(heading(shown(month, "MMMM YYYY", "LLLL y")))
        grid = self.query_one("#upcoming-grid", DataTable)
        grid.clear()
        days: list[Date | None] = [None] * (month.isoweekday() - 1)
        days += [month.add(days=i) for i in range(month.days_in_month)]
        days += [None] * (-len(days) % 7)
        cursor = (0, 0)
        for r in range(0, len(days), 7):
            cells = []
            for c, day in enumerate(days[r:r + 7]):
                if day is None:
                    cells.append(Text(""))
                    continue
                n = counts.get(day, 0)
                outside = day < cal.first_day or day > cal.last_day
                style = "dim" if outside else ("bold" if n else "")
                cells.append(Text(f"{day.day:>2}" + (f"·{n}" if n < 10 else "·9+") if n else f"{day.day:>2}",
                                  style=style))
                if day == self.selected:
                    cursor = (r // 7, c)
            grid.add_row(*cells)
        grid.move_cursor(row=cursor[0], column=cursor[1], animate=False)
        self.show_day()

    def show_day(self) -> None:
        day = self.selected
        items = self.cal.on(day)
        text = Text()
        text.append(heading(shown(day, "dddd D MMMM", "EEEE d MMMM")), style="bold")
        if not items:
            text.append("\n" + _("no conversion"))
        for u in items[:6]:
            text.append("\n• ")
            text.append(u.due_at.in_timezone(self.app.ctx.tz).format("HH:mm") + " ")
            text.append(literal(u.name, limit=40))
            if u.projected:
                text.append(" " + _("(if nothing changes)"), style="dim")
        if len(items) > 6:
            text.append("\n" + _("… and {n} more").format(n=number(len(items) - 6)))
        self.query_one("#upcoming-day", Static).update(text)

    @on(DataTable.CellHighlighted, "#upcoming-grid")
    def day_highlighted(self, event: DataTable.CellHighlighted) -> None:
        month = self.selected.replace(day=1)
        index = event.coordinate.row * 7 + event.coordinate.column - (month.isoweekday() - 1)
        if 0 <= index < month.days_in_month and month.add(days=index) != self.selected:
            self.selected = month.add(days=index)
            self.show_day()
            self.follow_day()

    def follow_day(self) -> None:
        """The list's cursor on the first conversion of the chosen day (or the next one)."""
        for i, day in enumerate(self.row_days):
            if day is not None and day >= self.selected:
                self.query_one("#upcoming-list", RowList).move_cursor(i)
                return

    def action_previous_month(self) -> None:
        self.month(-1)

    def action_next_month(self) -> None:
        self.month(1)

    def month(self, step: int) -> None:
        month = self.selected.replace(day=1).add(months=step)
        self.selected = month
        self.draw_month()
        self.follow_day()

    @on(DataTable.CellSelected, "#upcoming-grid")
    def day_chosen(self) -> None:
        self.follow_day()
        self.query_one("#upcoming-list", RowList).focus()

    @on(RowList.Chosen, "#upcoming-list")
    def row_chosen(self, event: RowList.Chosen) -> None:
        self.open_key(event.key)

    def action_open(self) -> None:
        listing = self.query_one("#upcoming-list", RowList)
        key = listing.key_at(listing.cursor_row)
        if key is not None:
            self.open_key(key)

    def open_key(self, key: str) -> None:
        from .segment_detail import SegmentDetailScreen

        segment_id = int(key.split("-")[1]) if key.startswith("applied-") else int(key)
        self.app.push_screen(SegmentDetailScreen(segment_id))

    def action_back(self) -> None:
        self.app.pop_screen()
