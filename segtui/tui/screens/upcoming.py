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
from textual.widgets import DataTable, Header, Label, Static

from ...core import upcoming
from ...core.errors import SegtuiError
from ..widgets.footer import Footer
from ..actions import BACK, Action, ActionTable, HasActions
from ..columns import Column, fit, need
from ..text import literal
from ..widgets.row_list import RowList

WEEKDAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
DAYS = 60


class UpcomingScreen(HasActions, Screen):
    CSS_PATH = "upcoming.tcss"
    ACTIONS = ActionTable(
        "upcoming",
        BACK,
        # months, wherever the focus is (the tables would scroll a page instead)
        Action("previous_month", "Prev month", "pageup", key_display="PgUp", priority=True, palette=False),
        Action("next_month", "Next month", "pagedown", key_display="PgDn", priority=True, palette=False),
        Action("open", "Open", "enter", show=False, title="Open the segment",
               description="The segment of the highlighted conversion"),
    )
    BINDINGS = ACTIONS.bindings()

    def __init__(self, days: int = DAYS) -> None:
        super().__init__()
        self.days = days
        self.cal: upcoming.Calendar | None = None
        self.selected: Date | None = None
        self.painted = False
        self.row_days: list[Date | None] = []

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
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Upcoming conversions"
        grid = self.query_one("#upcoming-grid", DataTable)
        for name in WEEKDAYS:
            grid.add_column(name, width=4)
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
        title.append(f"{len(cal.upcoming):,} scheduled conversion{'s' if len(cal.upcoming) != 1 else ''}", style="bold")
        title.append(f" from {cal.first_day.format('D MMM')} to {cal.last_day.format('D MMM YYYY')} ({ctx.tz})")
        if overdue:
            title.append(f" · {overdue} overdue", style="bold")
        self.query_one("#upcoming-title", Static).update(title)
        self.fill_list()
        self.draw_month()

    def fill_list(self) -> None:
        cal, tz = self.cal, pendulum.timezone(self.app.ctx.tz)
        listing = self.query_one("#upcoming-list", RowList)
        self.row_days = []
        rows = []
        for u in cal.upcoming:
            when = u.condition()
            rows.append(("today, overdue" if u.overdue else u.local.format("ddd D MMM HH:mm"), literal(u.name, "bold" if u.overdue else "", limit=80),
                         f"{u.size:,}", when))
            self.row_days.append(u.day)
        keys = [str(u.segment_id) for u in cal.upcoming]
        for a in cal.applied:
            due = a.due_at.in_timezone(tz).format("D MMM HH:mm") if a.due_at else "-"
            rows.append((a.converted_at.in_timezone(tz).format("ddd D MMM HH:mm"), literal(a.name, "dim", limit=80), "",
                         Text(f"applied, due {due} ({a.trigger.replace('_', ' ')})", style="dim")))
            self.row_days.append(None)
            keys.append(f"applied-{a.segment_id}-{len(keys)}")
        # issue 15's column fitting: the segment's name as wide as the names need, then the rest
        plain = [[c.plain if isinstance(c, Text) else c for c in row] for row in rows]
        widths = fit([Column("when", "When", 16), Column("segment", "Segment", need("Segment", [r[1] for r in plain], 40), 12),
                      Column("size", "Size", need("Size", [r[2] for r in plain]), 4),
                      Column("note", "", need("", [r[3] for r in plain]), 12)], self.app.size.width, first_share=0.3)
        listing.set_rows(list(zip(("When", "Segment", "Size", ""), widths)), rows, keys)

    def draw_month(self) -> None:
        cal = self.cal
        counts = cal.counts()
        month = self.selected.replace(day=1)
        self.query_one("#upcoming-month", Label).update(month.format("MMMM YYYY"))
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
        text.append(day.format("dddd D MMMM"), style="bold")
        if not items:
            text.append("\nno conversion")
        for u in items[:6]:
            text.append("\n• ")
            text.append(u.due_at.in_timezone(self.app.ctx.tz).format("HH:mm") + " ")
            text.append(literal(u.name, limit=40))
            if u.projected:
                text.append(" (if nothing changes)", style="dim")
        if len(items) > 6:
            text.append(f"\n… and {len(items) - 6} more")
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
