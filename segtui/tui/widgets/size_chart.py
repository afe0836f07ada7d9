"""The Analyze tab: a segment's size over time as a line, members added and removed as bars
(added above the axis, removed below: readable without colour), a cursor moved day by day
that shows the day's figures and events, the range (30 days, 90 days, a year, all), and
what uses the segment."""

from __future__ import annotations

import pendulum
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static
from textual_plotext import PlotextPlot

from ...core import history, usage
from ...core.display import shown_actor
from ...core.errors import SegtuiError
from ...i18n import N_, _, _n, decimal, language, number
from ..actions import Action, ActionTable, HasActions
from ..text import printable

RANGES = [("30d", N_("30 days"), 30), ("90d", N_("90 days"), 90), ("1y", N_("1 year"), 365), ("all", N_("all"), None)]
MARKS = {"created": "●", "converted": "◆", "schedule": "◷", "filters": "✎", "deleted": "✖", "restored": "↺"}
# the legend's words for the events' kinds (stored codes)
KINDS = {"created": N_("created"), "converted": N_("converted"), "schedule": N_("schedule"), "filters": N_("filters"),
         "deleted": N_("deleted"), "restored": N_("restored")}
GRAINS = {"day": N_("by day"), "week": N_("by week"), "month": N_("by month")}


class SizeChart(HasActions, Vertical, can_focus=True):
    """Focus it (tab, or 5 on the segment page) and use ← → to move the cursor, z / Z for a
    longer / shorter range, Enter for the members as of the cursor's day, o to compare with
    other segments. (Not the digits for the ranges: they show the segment page's tabs.)"""

    ACTIONS = ActionTable(
        "chart",
        Action("day_before", N_("Day before"), "left", show=False, palette=False),
        Action("day_after", N_("Day after"), "right", show=False, palette=False),
        Action("first_day", N_("First day"), "home", show=False, palette=False),
        Action("last_day", N_("Last day"), "end", show=False, palette=False),
        Action("longer_range", N_("Longer range"), "z", show=False, palette=False),
        Action("shorter_range", N_("Shorter range"), "Z", key_display="Z", show=False, palette=False),
        # not in the footer: with the page's keys it must fit 80 columns (issue 15); the day's
        # line under the chart names Enter, the usage line o
        Action("members_then", N_("Members then"), "enter", show=False, palette=False),
        Action("overlap", N_("Overlap"), "o", show=False, palette=False),
    )
    BINDINGS = ACTIONS.bindings()

    class MembersAsOf(Message):
        def __init__(self, day: pendulum.Date) -> None:
            super().__init__()
            self.day = day

    class CompareAsked(Message):
        pass

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.segment = None
        self.range_key = "30d"
        self.data: history.History | None = None
        self.cursor = 0

    def compose(self) -> ComposeResult:
        yield Static(id="chart-head")
        yield PlotextPlot(id="size-plot")
        yield PlotextPlot(id="flow-plot")
        yield Static(id="chart-day")
        yield Static(id="chart-usage")

    # -- data ---------------------------------------------------------------------------
    def show(self, segment) -> None:
        self.segment = segment
        self.load(keep_cursor=True)

    def load(self, *, keep_cursor: bool = False) -> None:
        if self.segment is None:
            return
        ctx = self.app.ctx
        today = ctx.today()
        days = {k: n for k, _label, n in RANGES}[self.range_key]
        created = self.segment.created_at.in_timezone(ctx.tz).date()
        first = today.subtract(days=days - 1) if days else min(created, today)
        span = (today - first).days + 1
        grain = "day" if span <= 400 else ("week" if span <= 3 * 366 else "month")
        previous_day = self.data.periods[self.cursor].first_day if (keep_cursor and self.data) else None
        try:
            self.data = history.size_history(ctx, self.segment.id, first=first, last=today, grain=grain)
            found = usage.usage(self.segment.id)
        except SegtuiError as exc:
            self.query_one("#chart-day", Static).update(Text(exc.message, style="bold red"))
            return
        periods = self.data.periods
        self.cursor = len(periods) - 1
        if previous_day is not None:
            for i, p in enumerate(periods):
                if p.first_day <= previous_day <= p.last_day:
                    self.cursor = i
        self.show_usage(found)
        self.draw()

    def show_usage(self, found: usage.Usage) -> None:
        def names(uses):
            if not uses:
                return _("nothing")
            shown = ", ".join(printable(u.segment.name, limit=30)
                              + (" " + _("(via {n})").format(n=u.depth - 1) if u.depth > 1 else "") for u in uses[:4])
            return _n("{shown} and {n} more", "{shown} and {n} more", len(uses) - 4, shown=shown) if len(uses) > 4 \
                else shown

        text = Text()
        text.append("o", style="bold")
        text.append(" " + _("overlap") + " · ")
        text.append(_("Used by") + " ", style="bold")
        text.append(names(found.used_by))
        text.append(" · " + _("Uses") + " ", style="bold")
        text.append(names(found.uses))
        self.query_one("#chart-usage", Static).update(text)

    # -- drawing ------------------------------------------------------------------------
    def draw(self) -> None:
        data = self.data
        if data is None:
            return
        periods = data.periods
        xs = list(range(len(periods)))
        head = Text()
        head.append("z/Z ", style="bold")
        for key, label, _days in RANGES:
            head.append(f" {_(label)} ", style="reverse bold" if key == self.range_key else "dim")
        head.append(f"  {_(GRAINS[data.grain]) if data.grain in GRAINS else data.grain} · {data.tz}", style="dim")
        seen = [k for k in MARKS if any(m.kind == k for m in data.markers)]
        if seen:
            head.append("  " + " ".join(f"{MARKS[k]} {_(KINDS[k])}" for k in seen), style="dim")
        self.query_one("#chart-head", Static).update(head)

        size_plot = self.query_one("#size-plot", PlotextPlot)
        plt = size_plot.plt
        plt.clear_figure()
        # half blocks: the terminal fonts (and the SVG screenshots') all have them, not all braille
        plt.plot(xs, [p.size for p in periods], marker="hd", color="blue+")
        plt.vline(self.cursor, "orange")
        ticks = self._ticks(periods)
        plt.xticks([i for i, _label in ticks], [label for _i, label in ticks])
        top = max([p.size for p in periods] + [1])
        # the segment's events, as their sign above the line on their day
        for i, p in enumerate(periods):
            kinds = [m.kind for m in data.markers_in(p)]
            if kinds:
                plt.text(MARKS.get(kinds[-1], "•"), i, top * 1.12, color="orange", alignment="center")
        plt.ylim(0, top * 1.18)
        plt.yticks(*self._yticks(top))
        plt.frame(False)
        size_plot.refresh()

        flow_plot = self.query_one("#flow-plot", PlotextPlot)
        plt = flow_plot.plt
        plt.clear_figure()
        # bars drawn as filled outlines on the chart's own x scale (plotext's bar() spaces bars
        # evenly, as labels): added above the axis, removed below, readable without colour
        plt.plot([0, max(xs[-1], 1)], [0, 0], marker="hd", color="gray")
        for values, color in (([p.added for p in periods], "green"), ([-p.removed for p in periods], "red")):
            bx, by = _bars(values)
            if bx:
                plt.plot(bx, by, marker="hd", fillx=True, color=color)
        plt.vline(self.cursor, "orange")
        plt.xticks([])
        peak = max([p.added for p in periods] + [p.removed for p in periods] + [1])
        plt.ylim(-peak, peak)
        plt.yticks([-peak, 0, peak], [f"-{_short(peak)}", "0", f"+{_short(peak)}"])
        plt.frame(False)
        flow_plot.refresh()
        self.show_day()

    @staticmethod
    def _ticks(periods) -> list[tuple[int, str]]:
        n = len(periods)
        if n == 0:
            return []
        steps = max(1, n // 4)
        picks = list(range(0, n, steps))
        if n - 1 - picks[-1] > steps // 2:
            picks.append(n - 1)
        else:
            picks[-1] = n - 1
        return [(i, periods[i].first_day.format("D MMM", locale=language())) for i in picks]

    @staticmethod
    def _yticks(top: int):
        values = [0, top // 2, top] if top >= 2 else [0, top]
        return values, [_short(v) for v in values]

    def show_day(self) -> None:
        data = self.data
        if not data or not data.periods:
            return
        p = data.periods[self.cursor]
        text = Text()
        when = p.first_day.format("ddd D MMM YYYY", locale=language())
        if p.last_day != p.first_day:
            when += f" – {p.last_day.format('ddd D MMM YYYY', locale=language())}"
        text.append(f"◂ {when} ▸", style="bold")
        text.append("  " + _("+{added} added  −{removed} removed  size {size}").format(
            added=number(p.added), removed=number(p.removed), size=number(p.size)) + "  ")
        text.append("⏎", style="bold")
        text.append(" " + _("members then"))
        for m in data.markers_in(p):
            text.append(f"\n{MARKS.get(m.kind, '•')} {m.at.in_timezone(data.tz).format('HH:mm')} ")
            text.append(printable(m.text, limit=80))
            text.append(f" ({printable(shown_actor(m.actor), limit=20)})", style="dim")
        self.query_one("#chart-day", Static).update(text)

    # -- keys ---------------------------------------------------------------------------
    def action_day_before(self) -> None:
        self.step_cursor(-1)

    def action_day_after(self) -> None:
        self.step_cursor(1)

    def action_first_day(self) -> None:
        self.cursor_to(0)

    def action_last_day(self) -> None:
        self.cursor_to(-1)

    def action_longer_range(self) -> None:
        self.step_range(1)

    def action_shorter_range(self) -> None:
        self.step_range(-1)

    def step_range(self, step: int) -> None:
        """The next range in RANGES (all comes back to 30 days, and the other way round)."""
        keys = [key for key, _label, _days in RANGES]
        self.choose_range(keys[(keys.index(self.range_key) + step) % len(keys)])

    def step_cursor(self, step: int) -> None:
        if self.data and self.data.periods:
            self.cursor = max(0, min(len(self.data.periods) - 1, self.cursor + step))
            self.draw()

    def cursor_to(self, index: int) -> None:
        if self.data and self.data.periods:
            self.cursor = index % len(self.data.periods)
            self.draw()

    def choose_range(self, key: str) -> None:
        if key != self.range_key:
            self.range_key = key
            self.load(keep_cursor=True)

    def action_members_then(self) -> None:
        if self.data and self.data.periods:
            self.post_message(self.MembersAsOf(self.data.periods[self.cursor].last_day))

    def action_overlap(self) -> None:
        self.post_message(self.CompareAsked())


def _bars(values: list[int]) -> tuple[list[float], list[int]]:
    """The outline of one bar per non-zero value, 0.8 wide, centred on its index."""
    xs: list[float] = []
    ys: list[int] = []
    for i, v in enumerate(values):
        if v:
            xs += [i - 0.4, i - 0.4, i + 0.4, i + 0.4]
            ys += [0, v, v, 0]
    return xs, ys


def _short(n: int) -> str:
    if n >= 1_000_000:
        return f"{decimal(float(f'{n / 1_000_000:.1f}'), 1)}M"  # rounded as before, in the language's digits
    if n >= 10_000:
        return f"{n // 1000}k"
    return number(n)
