"""A month calendar to pick a day from: arrows move, PgUp/PgDn change month, Enter picks."""

from __future__ import annotations

from pendulum import Date
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from ...i18n import N_, _, language, month_names, weekday_names


def _day(day: Date) -> str:
    """'31 December 2026' / '31 décembre 2026'."""
    return day.format("D MMMM YYYY", locale=language())


class CalendarModal(ModalScreen[Date | None]):
    CSS_PATH = "calendar.tcss"
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="calendar.cancel"),
        Binding("pageup", "month(-1)", N_("Previous month"), priority=True, id="calendar.previous_month"),
        Binding("pagedown", "month(1)", N_("Next month"), priority=True, id="calendar.next_month"),
        # arrows move by days and weeks across month ends, not within the grid
        Binding("left", "move(-1)", show=False, priority=True, id="calendar.left"),
        Binding("right", "move(1)", show=False, priority=True, id="calendar.right"),
        Binding("up", "move(-7)", show=False, priority=True, id="calendar.up"),
        Binding("down", "move(7)", show=False, priority=True, id="calendar.down"),
        Binding("enter", "pick_selected", N_("Pick"), priority=True, id="calendar.pick_selected"),
    ]

    def __init__(self, selected: Date, earliest: Date, latest: Date) -> None:
        super().__init__()
        self.earliest = earliest
        self.latest = latest
        self.selected = min(max(selected, earliest), latest)
        self.month_start = self.selected.replace(day=1)

    def compose(self) -> ComposeResult:
        with Vertical(id="calendar"):
            yield Label("", id="calendar-month")
            yield DataTable(id="calendar-grid", cursor_type="cell", show_cursor=True)
            yield Label(_("Arrows: day · PgUp/PgDn: month\nEnter: pick · Esc: cancel"), id="calendar-hint")
            yield Label(_("From {first} to {last}").format(first=self.earliest.format("D MMM YYYY", locale=language()),
                                                           last=self.latest.format("D MMM YYYY", locale=language())),
                        id="calendar-range", classes="muted")
            yield Label("", id="calendar-error", classes="error-text")

    def on_mount(self) -> None:
        # 36 wide in English; as wide as the hint's longest line where the language runs longer
        hint = str(self.query_one("#calendar-hint", Label).render())
        self.query_one("#calendar").styles.width = max(36, max(len(line) for line in hint.splitlines()) + 4)
        grid = self.query_one(DataTable)
        # Monday first, in English as in French ("Mo Tu We…" / "lu ma me…")
        for name in weekday_names("short"):
            grid.add_column(name, width=2)
        self.draw()
        grid.focus()

    def weeks(self) -> list[list[Date | None]]:
        first = self.month_start
        days = [None] * (first.isoweekday() - 1)
        days += [first.add(days=i) for i in range(first.days_in_month)]
        days += [None] * (-len(days) % 7)
        return [days[i : i + 7] for i in range(0, len(days), 7)]

    def draw(self) -> None:
        # the month's stand-alone name, capitalised as a title: "January 2027" / "Janvier 2027"
        name = month_names()[self.month_start.month - 1]
        self.query_one("#calendar-month", Label).update(f"{name[:1].upper()}{name[1:]} {self.month_start.year}")
        grid = self.query_one(DataTable)
        grid.clear()
        cursor = (0, 0)
        for row, week in enumerate(self.weeks()):
            cells = []
            for col, day in enumerate(week):
                if day is None:
                    cells.append(Text(""))
                    continue
                style = "dim strike" if not self.earliest <= day <= self.latest else ""
                cells.append(Text(f"{day.day:>2}", style=style))
                if day == self.selected:
                    cursor = (row, col)
            grid.add_row(*cells)
        grid.move_cursor(row=cursor[0], column=cursor[1], animate=False)

    def day_at(self, row: int, column: int) -> Date | None:
        weeks = self.weeks()
        return weeks[row][column] if row < len(weeks) else None

    def go_to(self, day: Date | None, *, beyond: int = 0) -> None:
        """Move the cursor to ``day``; ``beyond`` -1/+1 means before the first / after the last day
        of the stated range, where the cursor stops (date arithmetic there could leave the calendar)."""
        error = self.query_one("#calendar-error", Label)
        if beyond < 0 or (day is not None and day < self.earliest):
            day = self.earliest
            error.update(_("The first day here is {day}.").format(day=_day(self.earliest)))
        elif beyond > 0 or (day is not None and day > self.latest):
            day = self.latest
            error.update(_("The last day here is {day}.").format(day=_day(self.latest)))
        else:
            error.update("")
        self.selected = day
        self.month_start = day.replace(day=1)
        self.draw()

    def action_move(self, days: int) -> None:
        room = (self.latest - self.selected).days if days > 0 else (self.selected - self.earliest).days
        if abs(days) > room:
            self.go_to(None, beyond=days)
            return
        self.go_to(self.selected.add(days=days))

    def action_pick_selected(self) -> None:
        self.choose(self.selected)

    def action_month(self, step: int) -> None:
        month = self.month_start
        if (step > 0 and month >= self.latest.replace(day=1)) or (step < 0 and month <= self.earliest.replace(day=1)):
            self.go_to(None, beyond=step)
            return
        month = month.add(months=step)
        self.go_to(month.replace(day=min(self.selected.day, month.days_in_month)))

    @on(DataTable.CellSelected)
    def pick(self, event: DataTable.CellSelected) -> None:
        day = self.day_at(event.coordinate.row, event.coordinate.column)
        if day is not None:
            self.choose(day)

    def choose(self, day: Date) -> None:
        if day < self.earliest:
            self.query_one("#calendar-error", Label).update(
                _("{day} is before {first}.").format(day=_day(day), first=_day(self.earliest)))
            return
        if day > self.latest:
            self.query_one("#calendar-error", Label).update(
                _("{day} is after {last}.").format(day=_day(day), last=_day(self.latest)))
            return
        self.dismiss(day)

    def action_cancel(self) -> None:
        self.dismiss(None)

