"""Every action of the console, declared once per screen: the table a screen derives from.

An ``Action`` names the screen's ``action_<name>`` method, its key, its words, whether it
changes something (a read-only console never offers it) and which segment types it applies
to. From a screen's ``ActionTable`` come its ``BINDINGS`` (each with an id, ``scope.name``,
that ``App.set_keymap`` can rebind), its ``check_action``, the Actions menu and its command
palette entries; the footer and the ``?`` help (``offered_keys``) both read the bindings that
result. Adding an action is adding one ``Action``.

Its words are English marked with ``N_`` (the table is built before the language is known)
and translated where they are shown: the footer (``widgets.footer``), the help, the menu and
the palette.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import wraps
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding

from ..core.kinds import SegmentType
from ..i18n import N_, _
from .keys import binding_key_name, key_name

EVERY_TYPE = frozenset(SegmentType)
Why = Callable[[Any], str]  # the screen -> why the action cannot run now ("" : it can)


@dataclass(frozen=True)
class MenuEntry:
    action: str
    label: str
    blocked: str = ""  # why the action cannot run now, in a few words; shown instead of opening it
    reason: str = ""  # the whole explanation, when the few words need one

    @property
    def refusal(self) -> str:
        return _("{action}: {why}.").format(action=self.label, why=self.reason or self.blocked)


@dataclass(frozen=True)
class Action:
    name: str  # the screen's action_<name>; with the table's scope, the binding's id
    label: str  # in the footer and the ? help
    key: str = ""  # "" : reached from the menu or the palette only
    title: str = ""  # in the Actions menu and the palette (default: label)
    description: str = ""  # the palette's second line (default: the title)
    mutates: bool = False  # a read-only console does not offer it
    types: frozenset[str] = EVERY_TYPE  # the segment types it applies to
    # where it does not apply, the menu still lists it, refused with (few words, explanation)
    elsewhere: tuple[str, str] | None = None
    blocked: Why | None = None  # applies, but not now (no filters, no members...)
    menu: int = 0  # its place in the Actions menu; 0: not in the menu
    palette: bool = True
    show: bool = True  # in the footer
    key_display: str | None = None
    group: Binding.Group | None = None
    priority: bool = False

    @property
    def heading(self) -> str:
        """In the language shown now."""
        return _(self.title or self.label)

    def described(self) -> str:
        """The palette's second line in the language shown now; ``{key}`` in it names the
        action's key as the language does (``keys.key_name``: ctrl+s / Ctrl+s)."""
        key = self.key.split(",")[0]
        return _(self.description).format(key=key_name(key) if key else "")


# the same in every full screen that goes back where it came from
BACK = Action("back", N_("Back"), "escape", palette=False)


class ActionTable:
    def __init__(self, scope: str, *actions: Action) -> None:
        self.scope = scope  # "segment", "list"...: the first part of the binding ids
        self.actions = actions
        self.by_name = {a.name: a for a in actions}

    def bindings(self) -> list[Binding]:
        return [
            Binding(a.key, a.name, a.label, show=a.show, key_display=a.key_display, priority=a.priority,
                    group=a.group, id=f"{self.scope}.{a.name}")
            for a in self.actions if a.key
        ]

    # -- what applies where ------------------------------------------------------------------
    def applies(self, action: Action, node) -> bool:
        """Offered at all on this screen now: the role, and the segment's type if it has one."""
        if action.mutates and node.app.ctx.read_only:
            return False
        segment = getattr(node, "segment", None)
        return segment is None or segment.type in action.types

    def check(self, node, name: str) -> bool | None:
        """For ``check_action``: an action that does not apply is neither bound nor shown."""
        action = self.by_name.get(name)
        return True if action is None else self.applies(action, node)

    def menu_entries(self, node) -> list[MenuEntry]:
        entries = []
        for action in sorted((a for a in self.actions if a.menu), key=lambda a: a.menu):
            if self.applies(action, node):
                why = action.blocked(node) if action.blocked else ""
                entries.append(MenuEntry(action.name, action.heading, blocked=why))
            elif action.elsewhere and not (action.mutates and node.app.ctx.read_only):
                entries.append(MenuEntry(action.name, action.heading, *map(_, action.elsewhere)))
        return entries

    def commands(self, node, *, hidden: frozenset[str] = frozenset()) -> Iterator[SystemCommand]:
        """The palette: every action offered here (but ``hidden``), by its name, run on ``node``."""
        if any(a.menu for a in self.actions):
            for entry in self.menu_entries(node):
                help_text = (_("Not available: {why}").format(why=entry.reason or entry.blocked) if entry.blocked
                             else _("Actions menu: {action}").format(action=entry.label))
                yield SystemCommand(entry.label, help_text, _runner(node, entry))
        for action in self.actions:
            if action.palette and not action.menu and action.name not in hidden and self.applies(action, node):
                yield SystemCommand(action.heading, action.described() if action.description else action.heading,
                                    getattr(node, f"action_{action.name}"))


def offered_keys(screen) -> list[tuple[str, str]]:
    """The ``?`` help's lines: the keys that work on ``screen`` now, found as its footer finds
    them (``Screen.active_bindings``: after the keymap, without the actions ``check_action``
    refuses or the keys a focused field takes), each action once with all its keys, named in
    the language (``keys.key_name``). A screen without an action table offers its own described
    bindings."""
    keys: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    places: dict[str, tuple[int, int]] = {}  # shown node by node, each in its table's order
    nodes: list = []
    for key, (node, binding, enabled, _tooltip) in screen.active_bindings.items():
        if isinstance(node, HasActions):
            ours = binding.id is not None and binding.id.startswith(f"{node.ACTIONS.scope}.")
        else:
            ours = node is screen and bool(binding.description)
        if ours and enabled:
            name = binding.id or binding.action
            keys.setdefault(name, []).append(binding_key_name(binding, key))
            labels[name] = _(binding.description)
            if node not in nodes:
                nodes.append(node)
            order = [a.name for a in node.ACTIONS.actions] if isinstance(node, HasActions) else []
            places[name] = (nodes.index(node), order.index(binding.action) if binding.action in order else 0)
    return [(",".join(keys[name]), labels[name]) for name in sorted(keys, key=places.__getitem__)]


def _guarded(table: ActionTable, action: Action, method: Callable) -> Callable:
    @wraps(method)
    def run(node, *args, **kwargs):
        if table.applies(action, node):
            return method(node, *args, **kwargs)
        if action.mutates and node.app.ctx.read_only:
            node.notify(_("This console is read-only: {action} is not offered.").format(action=action.heading.lower()),
                        severity="warning")
        elif action.elsewhere:
            node.notify(_("{action}: {why}.").format(action=action.heading, why=_(action.elsewhere[1])),
                        title=_("Not available"), severity="warning", timeout=10)
        return None

    return run


def _runner(node, entry: MenuEntry) -> Callable[[], None]:
    def run() -> None:
        if entry.blocked:
            node.notify(entry.refusal, title=_("Not available"), severity="warning", timeout=8)
        else:
            node.run_entry(entry.action)

    return run


class HasActions:
    """Mixed into a screen (or widget) with an ``ACTIONS`` table; its class body also says
    ``BINDINGS = ACTIONS.bindings()``.

    Each ``action_<name>`` of the table is guarded by it however it is reached (a key, the
    menu, the palette, a call): where it does not apply, it does nothing but say why.
    """

    ACTIONS: ActionTable

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        table = cls.__dict__.get("ACTIONS")
        for action in table.actions if table is not None else ():
            method = cls.__dict__.get(f"action_{action.name}")
            if method is not None:
                setattr(cls, f"action_{action.name}", _guarded(table, action, method))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.ACTIONS.check(self, action)

    def palette_commands(self) -> Iterable[SystemCommand]:
        return self.ACTIONS.commands(self)

    def run_entry(self, name: str) -> None:
        """Run an action chosen in the menu or the palette, as its key would."""
        getattr(self, f"action_{name}")()
