"""`?`: every key of the screen underneath, and how the console works."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...i18n import N_, _
from ..actions import offered_keys
from ..keys import binding_key_name, key_name

# one paragraph per line: the screen wraps them to its width (never wrapped twice)
GUIDE = [
    N_("Active segments follow their filters; static segments change only by hand."),
    N_("On the list: n creates a segment (name, object, type, then filters), b browses records, i imports a CSV "
       "file, D shows recently deleted segments (r restores one)."),
    N_("Open a segment with {enter}; 1 2 3 4 5 show its Records, Filters, Settings, Activity and Analyze tabs; w "
       "shows its members as of a past day. e edits its "
       "filters (n adds a filter, o adds a group joined by OR, {enter} edits, d removes; {save} saves), t tests a "
       "record against them. On a static segment, + adds records, {space} marks members and - removes them, m adds "
       "the members of another segment. a opens the Actions menu (convert now, rename, clone, delete, export...) "
       "and g the Settings tab, where \"Automatic conversion to static\" converts it on a day or after a period "
       "without membership changes."),
    N_("A background worker in this console (and in segtui worker) applies due conversions and refreshes the "
       "segments that record edits affect; you are told when one converts."),
    N_("The Analyze tab (5) draws the segment's size over time: ← → move day by day, z / Z a longer / shorter "
       "range, {enter} lists the members at the end of that day, o compares it with other segments. C shows every "
       "upcoming conversion on a calendar; on the list, f shows folders and U the unused segments."),
    N_("{palette} opens the command palette: every action is there by name."),
]
VIEWER_GUIDE = [
    N_("This console is read-only: everything is shown, nothing can be changed."),
    N_("On the list: / searches, t filters by type, b browses records, D shows recently deleted segments. Open a "
       "segment with {enter}; 1 2 3 4 5 show its Records, Filters, Settings, Activity and Analyze tabs; w shows its "
       "members as of a past day; t tests a record against its filters; a opens the Actions menu. C shows every "
       "upcoming conversion on a calendar."),
    N_("{palette} opens the command palette: every action is there by name."),
]
# the keys the guide names, filled in as the language names them (keys.key_name)
GUIDE_KEYS = {"enter": "enter", "save": "ctrl+s", "space": "space", "palette": "ctrl+p"}

# the keys that move around rather than act, found among the bindings that work underneath
# (the palette's, the screen's Tab, the focused table's): (what they do, their actions, joined by)
MOVING = [
    (N_("Command palette"), ("command_palette",), " "),
    (N_("Move between fields"), ("app.focus_next", "app.focus_previous"), " / "),
    (N_("Move in tables"), ("cursor_up", "cursor_down", "page_up", "page_down", "cursor_page_up", "cursor_page_down"),
     " "),
    (N_("Open / choose"), ("select_cursor", "select"), " "),
]


def moving_keys(screen) -> list[tuple[str, str]]:
    """The help's last lines: the keys of ``MOVING`` bound on ``screen`` now, in the language."""
    found: dict[str, list[str]] = {}
    for key, (_node, binding, enabled, _tooltip) in screen.active_bindings.items():
        if enabled:
            found.setdefault(binding.action, []).append(binding_key_name(binding, key))
    lines = []
    for what, actions, joined in MOVING:
        keys = [name for action in actions for name in found.get(action, [])]
        if keys:
            lines.append((joined.join(keys), _(what)))
    return lines


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [Binding("escape,question_mark,q", "close", N_("Close"), id="help.close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Text(_("segtui: keys"), style="bold"))
            yield Static(self.keys_table())
            guide = VIEWER_GUIDE if self.app.ctx.read_only else GUIDE
            named = {field: key_name(key) for field, key in GUIDE_KEYS.items()}
            self.guide_text = "\n\n".join(_(paragraph).format(**named) for paragraph in guide)
            yield Static(Text(self.guide_text))

    def keys_table(self) -> Table:
        table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
        table.add_column(_("Key"))
        table.add_column(_("Action"))
        underneath = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else self.app.screen
        self.described: set[str] = set()  # the actions listed (tests read it)
        for keys, what in offered_keys(underneath):
            self.described.add(what)
            table.add_row(keys, what)
        for keys, what in moving_keys(underneath):
            table.add_row(keys, what)
        return table

    def action_close(self) -> None:
        self.dismiss(None)
