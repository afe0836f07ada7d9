"""The footer, in the console's language, and never cut.

Bindings are declared on classes, before the language is known, with English descriptions
marked by ``N_``; Textual's footer shows a binding's description as it is, so this one
translates each key's words (and its tooltip) as it lays the keys out (the keys' own names
come from ``App.get_key_display``: ``keys.key_name``).

When the keys do not fit the width (a narrow terminal, a longer language), the footer keeps
the ``?`` help key, which lists them all, and the keys that leave or save (Escape: back, cancel,
close; Ctrl+s: save, apply, import), then the first other keys its screen declares, as many as
fit whole; the others are left out rather than cut at the edge. The keys kept stay in the
order they are declared.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup

from ... import i18n
from ...i18n import _

HELP_ACTION = "help"  # the app's ? key: kept whatever the width
# the keys a person cannot do without (leave the screen, save what they did): kept before the others
ESSENTIAL_KEYS = ("escape", "ctrl+s")


class Footer(TextualFooter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.widths: dict[Widget, int] = {}  # each key's cells as laid out (a hidden one keeps its own)
        self.left_out: list[str] = []  # the actions of the keys left out now (tests read it)
        self.composed: tuple | None = None  # what the keys laid out now were made from

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.description = _(widget.description) if widget.description else widget.description
                if widget.tooltip and isinstance(widget.tooltip, str):
                    widget.tooltip = _(widget.tooltip)
            elif isinstance(widget, FooterLabel):
                widget.update(_(str(widget.render())))
            yield widget

    def keys_to_show(self) -> tuple:
        """Everything the keys are made from: the screen's bindings as they apply now (enabled or
        not, their tooltips), the language and the footer's own options."""
        bindings = tuple((binding, enabled, tooltip) for (_node, binding, enabled, tooltip)
                         in self.screen.active_bindings.values())
        return bindings, i18n.language(), self.compact, self.show_command_palette

    async def recompose(self) -> None:
        # Textual recomposes on every change of focus or of the bindings: the keys are made
        # again only when what they show changed (each new set of keys is mounted, styled and
        # laid out, the whole screen with it)
        shown = self.keys_to_show() if self._bindings_ready and self.is_attached else None
        if shown is not None and shown == self.composed:
            return
        self.composed = shown
        await super().recompose()
        self.widths = {}
        self.call_after_refresh(self.fit_keys)

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit_keys)

    def units(self) -> tuple[list[list[Widget]], Widget | None]:
        """The footer's keys as they go or stay together (a key group with its label), and the
        palette's key, docked on the right."""
        units: list[list[Widget]] = []
        palette = None
        for child in self.children:
            if child.has_class("-command-palette"):
                palette = child
            elif isinstance(child, FooterLabel) and units and isinstance(units[-1][-1], KeyGroup):
                units[-1].append(child)
            else:
                units.append([child])
        return units, palette

    def width_of(self, widget: Widget) -> int:
        if widget.display:
            margin = widget.styles.margin
            self.widths[widget] = widget.outer_size.width + margin.left + margin.right
        return self.widths.get(widget, 0)

    @staticmethod
    def essential(units: list[list[Widget]]) -> list[int]:
        """The units holding an essential key, in the order of ``ESSENTIAL_KEYS``."""
        found = []
        for key in ESSENTIAL_KEYS:
            found += [i for i, unit in enumerate(units)
                      if i not in found and isinstance(unit[0], FooterKey) and unit[0].key == key]
        return found

    def fit_keys(self, tries: int = 5) -> None:
        units, palette = self.units()
        if not units or not self.size.width:
            return
        if not any(w.outer_size.width for unit in units for w in unit if w.display):
            if tries:  # not laid out yet
                self.call_after_refresh(self.fit_keys, tries - 1)
            return
        widths = [[self.width_of(w) for w in unit] for unit in units]
        room = self.size.width - ((self.width_of(palette) or 0) if palette is not None else 0)
        helps = [i for i, unit in enumerate(units) if isinstance(unit[0], FooterKey) and unit[0].action == HELP_ACTION]
        room -= sum(sum(widths[i]) for i in helps)
        if helps:  # the last key's margin may touch the palette's border
            room += units[helps[-1]][-1].styles.margin.right
        shown, full = set(helps), False
        for i in self.essential(units):
            if i not in shown and sum(widths[i]) <= room:
                shown.add(i)
                room -= sum(widths[i])
        for i, unit_widths in enumerate(widths):
            if i in shown:
                continue
            if not full and sum(unit_widths) <= room:
                shown.add(i)
                room -= sum(unit_widths)
            else:
                full = True  # the first keys declared, none after one left out
        self.left_out = []
        for i, unit in enumerate(units):
            for widget in unit:
                widget.display = i in shown
            if i not in shown:
                self.left_out.extend(k.action for w in unit for k in ([w] if isinstance(w, FooterKey) else
                                                                      w.query(FooterKey)))
