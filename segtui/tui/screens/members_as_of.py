"""Who was in a segment at the end of a chosen day (time travel), page by page, rebuilt
from the membership log; another day can be typed."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static

from ...core import history
from ...core.past_member_pages import PastMemberPages
from ...core.errors import SegtuiError
from ...i18n import N_, _, _n, language, number
from ..widgets.footer import Footer
from ..widgets.header import Header, name_title
from ..actions import BACK, Action, ActionTable, HasActions
from ..text import literal, printable
from .data_words import day_form, read_past_day, shown_day

PAGE = 50


class MembersAsOfScreen(HasActions, Screen):
    CSS_PATH = "members_as_of.tcss"
    ACTIONS = ActionTable(
        "as_of",
        BACK,
        Action("previous_page", N_("Prev page"), "left_square_bracket", key_display="[", palette=False),
        Action("next_page", N_("Next page"), "right_square_bracket", key_display="]", palette=False),
    )
    BINDINGS = ACTIONS.bindings()

    def __init__(self, segment, day) -> None:
        super().__init__()
        self.segment = segment
        self.day = day
        self.pages: PastMemberPages | None = None  # the page shown, read by keyset

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="as-of-title")
        with Horizontal(id="as-of-bar"):
            yield Label(_("As of the end of"), id="as-of-end-label")
            yield Input(shown_day(self.day, self.app.ctx), id="as-of-day", placeholder=day_form(self.app.ctx),
                        compact=True)
            yield Label("", id="as-of-error", classes="error-text")
        yield DataTable(id="as-of-members", cursor_type="row", zebra_stripes=True)
        yield Label("", id="as-of-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in ((N_("Record"), 38), (N_("Name"), 30)):
            table.add_column(_(label), width=width)
        name_title(self, "{name}", self.segment.name)
        self.load()
        table.focus()

    def load(self) -> None:
        ctx = self.app.ctx
        moment = history.end_of_day(self.day, ctx.tz)
        if self.day >= ctx.today():
            moment = ctx.now()
        self.pages = PastMemberPages.at(self.segment.id, moment, page_size=PAGE)
        title = Text()
        title.append(printable(self.segment.name, limit=60), style="bold")
        title.append("  " + _n("{n} member at the end of {day} ({zone})", "{n} members at the end of {day} ({zone})",
                               self.total, day=self.day.format("dddd D MMMM YYYY", locale=language()), zone=ctx.tz),
                     style="dim")
        self.query_one("#as-of-title", Static).update(title)
        self.show_page()

    @property
    def total(self) -> int:
        return self.pages.total if self.pages is not None else 0

    def show_page(self) -> None:
        rows, pages = self.pages.rows, self.pages
        table = self.query_one(DataTable)
        table.clear()
        for row in rows:
            table.add_row(literal(row.key, limit=60), literal(row.name, limit=40), key=str(row.record_id))
        first = pages.first_index + 1 if rows else 0
        self.query_one("#as-of-status", Label).update(
            _("Members {first}–{last} of {total} · page {page}/{pages} · [ ] turn pages · rebuilt from the "
              "membership log").format(first=number(first), last=number(first + len(rows) - 1 if rows else 0),
                                       total=number(pages.total), page=number(pages.number + 1),
                                       pages=number(pages.pages)))

    @on(Input.Submitted, "#as-of-day")
    def day_typed(self, event: Input.Submitted) -> None:
        error = self.query_one("#as-of-error", Label)
        try:
            day = read_past_day(event.value, self.app.ctx)
            if day > self.app.ctx.today():
                raise SegtuiError("{day} is in the future: choose a day up to today", day=shown_day(day, self.app.ctx))
        except SegtuiError as exc:
            error.update(exc.message)
            return
        error.update("")
        self.day = day
        self.load()
        self.query_one(DataTable).focus()

    def action_previous_page(self) -> None:
        if self.pages is not None and self.pages.previous():
            self.show_page()

    def action_next_page(self) -> None:
        if self.pages is not None and self.pages.next():
            self.show_page()

    def action_back(self) -> None:
        self.app.pop_screen()
