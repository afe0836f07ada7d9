"""The filter editor: groups joined by OR, filters in a group joined by AND, in words.

Keys (shown in the footer while the editor has focus): n adds a filter to the group under
the cursor, o adds a group (OR), Enter or e edits, d removes. Each filter is checked where it
stands; a live count of what the whole tree selects is kept under it.
"""

from __future__ import annotations

import copy

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...core import describe, filters, segments
from ...core.errors import SegtuiError
from ...i18n import N_, _, _n, number
from ..actions import Action, ActionTable, HasActions
from ..text import printable
from .live_count import LiveCount


def readable(f: dict, object_type: str, names: dict[int, str]) -> str:
    """A filter in words, even a draft that does not validate."""
    try:
        return filters.describe_filter(f, object_type, names)
    except Exception:  # a broken draft: show what it holds
        operand = f.get("values", f.get("value", f.get("segment", "")))
        what = f.get("property", "segment")
        return f"{what} {f.get('operator', '?')} {operand}".strip()


class FilterEditor(HasActions, Widget):
    """Edits a filter tree in memory; the screen that holds it saves it."""

    DEFAULT_CSS = """
    FilterEditor { height: 1fr; }
    FilterEditor #filter-rows { height: 1fr; border: round $primary-background; }
    FilterEditor #filter-rows:focus { border: round $primary; }
    FilterEditor #editor-count { height: auto; padding: 0 1; }
    """
    ACTIONS = ActionTable(
        "editor",
        Action("add_filter", N_("Add filter"), "n", description=N_("A filter in the group under the cursor (n)")),
        # Enter edits too: the footer keeps its room
        Action("edit", N_("Edit"), "e", title=N_("Edit filter"), show=False,
               description=N_("The filter under the cursor (e)")),
        Action("add_group", N_("OR group"), "o", title=N_("Add group"), description=N_("A new group, joined by OR (o)")),
        Action("remove", N_("Remove"), "d,delete", title=N_("Remove filter or group"),
               description=N_("What is under the cursor (d)")),
    )
    BINDINGS = ACTIONS.bindings()

    class Changed(Message):
        def __init__(self, editor: FilterEditor) -> None:
            super().__init__()
            self.editor = editor

    def __init__(self, object_type: str, tree: dict | None = None, *, form: type[ModalScreen],
                 segment_id: int | None = None, count_prefix: str | None = None, **kwargs) -> None:
        """``form``: the screen that edits one filter (a widget imports no screen); ``count_prefix``
        in the language shown (default: "Matches")."""
        super().__init__(**kwargs)
        self.form = form
        self.object_type = object_type
        self.segment_id = segment_id
        self.groups: list[list[dict]] = [list(g["filters"]) for g in (tree or filters.EMPTY_TREE)["groups"]]
        self.saved_groups = copy.deepcopy(self.groups)
        self.problems: list[list[str | None]] = []
        self.count_prefix = count_prefix if count_prefix is not None else _("Matches")

    def compose(self) -> ComposeResult:
        yield OptionList(id="filter-rows")
        yield LiveCount(self.object_type, segment_id=self.segment_id, prefix=self.count_prefix, id="editor-count")

    def on_mount(self) -> None:
        self.refresh_rows()

    # -- the tree ---------------------------------------------------------------------------
    def current_tree(self) -> dict:
        return {"groups": [{"filters": list(g)} for g in self.groups if g]}

    @property
    def changed(self) -> bool:
        return self.groups != self.saved_groups

    def error_count(self) -> int:
        return sum(1 for group in self.problems for p in group if p)

    def first_error(self) -> str | None:
        for g, group in enumerate(self.problems, 1):
            for i, problem in enumerate(group, 1):
                if problem:
                    return _("Group {g}, filter {i}: {problem}").format(g=number(g), i=number(i), problem=problem)
        return None

    def set_object_type(self, object_type: str) -> None:
        """Another object: its properties differ, so the filters start again."""
        self.object_type = object_type
        self.groups = []
        count = self.query_one(LiveCount)
        count.object_type = object_type
        self.refresh_rows()

    def check(self) -> None:
        try:
            self.problems = segments.filter_problems(self.current_tree(), self.object_type,
                                                     segment_id=self.segment_id)
        except SegtuiError as exc:
            self.problems = [[exc.message for _ in g] for g in self.groups]

    # -- drawing ----------------------------------------------------------------------------
    def refresh_rows(self, *, highlight: str | None = None) -> None:
        self.groups = [g for g in self.groups if g]
        self.check()
        rows = self.query_one("#filter-rows", OptionList)
        keep = highlight
        if keep is None and rows.highlighted is not None and rows.option_count:
            keep = rows.get_option_at_index(rows.highlighted).id
        ids = {f["segment"] for g in self.groups for f in g if isinstance(f.get("segment"), int)}
        names = describe.segment_names(ids)
        options: list[Option] = []
        for g, group in enumerate(self.groups):
            if g:
                options.append(Option(Text(_("OR"), style="bold"), id=f"or{g}", disabled=True))
            options.append(Option(Text(_("Group {n}").format(n=number(g + 1)), style="bold underline"), id=f"g{g}"))
            for i, f in enumerate(group):
                line = Text()
                line.append(_("  AND ") if i else "      ", style="bold")
                line.append(printable(readable(f, self.object_type, names), limit=300))
                problem = self.problems[g][i] if g < len(self.problems) and i < len(self.problems[g]) else None
                if problem:
                    # the sign in red marks it; the words stay readable under the cursor and without colour
                    line.append("\n      ⚠ ", style="bold red")
                    line.append(printable(problem, limit=300), style="italic")
                options.append(Option(line, id=f"f{g}.{i}"))
            options.append(Option(Text("      " + _("+ Add a filter to this group (n)"), style="dim"), id=f"add{g}"))
        if self.groups:
            options.append(Option(Text(_("OR"), style="bold"), id="or-last", disabled=True))
        first = _("+ Add a filter (n)") if not self.groups else _("+ Add a group of filters (o)")
        options.append(Option(Text(first, style="dim"), id="add-group"))
        rows.set_options(options)
        index = next((n for n, o in enumerate(options) if o.id == keep and not o.disabled), None)
        if index is None:
            index = next((n for n, o in enumerate(options) if not o.disabled), 0)
        rows.highlighted = index
        self.update_count()

    def update_count(self) -> None:
        count = self.query_one(LiveCount)
        if self.error_count():
            count.request(None, why_not=_n("Fix the marked filter to see how many match.",
                                           "Fix the {n} marked filters to see how many match.", self.error_count()))
        else:
            count.request(self.current_tree())

    # -- where the cursor is ------------------------------------------------------------------
    def cursor(self) -> tuple[str, int | None, int | None]:
        """('filter', g, i), ('group', g, None), ('add', g, None) or ('add-group', None, None)."""
        rows = self.query_one("#filter-rows", OptionList)
        if rows.highlighted is None or not rows.option_count:
            return "add-group", None, None
        oid = rows.get_option_at_index(rows.highlighted).id or ""
        if oid.startswith("f"):
            g, i = oid[1:].split(".")
            return "filter", int(g), int(i)
        if oid.startswith("g"):
            return "group", int(oid[1:]), None
        if oid.startswith("add") and oid != "add-group":
            return "add", int(oid[3:]), None
        return "add-group", None, None

    def focus_rows(self) -> None:
        self.query_one("#filter-rows", OptionList).focus()

    # -- actions ------------------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#filter-rows")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        kind, g, i = self.cursor()
        if kind == "filter":
            self.open_form(g, i)
        elif kind in ("group", "add"):
            self.open_form(g, None)
        else:
            self.open_form(None, None)

    def action_edit(self) -> None:
        kind, g, i = self.cursor()
        if kind == "filter":
            self.open_form(g, i)
        else:
            self.notify(_("Put the cursor on a filter to edit it (n adds one)."), severity="warning", timeout=4)

    def action_add_filter(self) -> None:
        _kind, g, _index = self.cursor()
        if g is None and self.groups:
            g = len(self.groups) - 1
        self.open_form(g, None)

    def action_add_group(self) -> None:
        self.open_form(None, None)

    def open_form(self, g: int | None, i: int | None) -> None:
        current = self.groups[g][i] if g is not None and i is not None else None
        where = (_("Edit filter {i} of group {g}").format(i=number(i + 1), g=number(g + 1)) if current is not None
                 else _("Add a filter to group {g}").format(g=number(g + 1)) if g is not None
                 else _("Add a filter") if not self.groups
                 else _("Add group {g} (OR)").format(g=number(len(self.groups) + 1)))

        def candidate(f: dict) -> dict:
            groups = copy.deepcopy(self.groups)
            if g is None:
                groups.append([f])
            elif i is None:
                groups[g].append(f)
            else:
                groups[g][i] = f
            return {"groups": [{"filters": x} for x in groups if x]}

        self.app.push_screen(
            self.form(self.object_type, where, current, candidate, segment_id=self.segment_id),
            lambda f: self.apply_form(g, i, f),
        )

    def apply_form(self, g: int | None, i: int | None, f: dict | None) -> None:
        if f is None:
            return
        if g is None:
            self.groups.append([f])
            g, i = len(self.groups) - 1, 0
        elif i is None:
            self.groups[g].append(f)
            i = len(self.groups[g]) - 1
        else:
            self.groups[g][i] = f
        self.refresh_rows(highlight=f"f{g}.{i}")
        self.focus_rows()
        self.post_message(self.Changed(self))

    def action_remove(self) -> None:
        kind, g, i = self.cursor()
        if kind == "filter":
            del self.groups[g][i]
            left = len(self.groups[g])
            highlight = f"f{g}.{min(i, left - 1)}" if left else f"g{max(g - 1, 0)}"
            if not left:
                self.notify(_("Group {g} had no filter left and was removed.").format(g=number(g + 1)), timeout=4)
        elif kind == "group":
            removed = len(self.groups[g])
            del self.groups[g]
            highlight = f"g{max(g - 1, 0)}"
            self.notify(_n("Removed group {g} ({n} filter).", "Removed group {g} ({n} filters).", removed,
                           g=number(g + 1)), timeout=4)
        else:
            self.notify(_("Put the cursor on a filter, or on a group's title to remove the whole group."),
                        severity="warning", timeout=4)
            return
        self.refresh_rows(highlight=highlight)
        self.post_message(self.Changed(self))
