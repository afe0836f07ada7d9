"""Properties (issue 12): per object, grouped, searchable; create, edit, archive and restore."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from ...core import property_admin
from ...core.errors import SegtuiError
from ...core.properties import CUSTOM_GROUP, MAX_NAME, OBJECT_TYPES, TYPES, WITH_OPTIONS, Property, internal_name
from ...i18n import N_, _, _n, quoted
from ..widgets.footer import Footer
from ..widgets.header import Header
from ..actions import BACK, Action, ActionTable, HasActions
from ..columns import Column, fit, need, widest
from ..text import literal, printable
from ..work import CoreWork
from .data_words import description, object_label, option_label, per_object, property_label, type_name


def _options(prop: Property) -> str:
    live = [option_label(prop, o.value) for o in prop.choices if not o.archived]
    archived = [option_label(prop, o.value) for o in prop.choices if o.archived]
    if not archived:
        return ", ".join(live)
    return _("{live} (archived: {archived})").format(live=", ".join(live), archived=", ".join(archived))


def _kind(prop: Property) -> str:
    return _("built-in") if prop.builtin else (_("archived") if prop.archived else _("custom"))


def _group(name: str) -> str:
    """A group's name: the built-in groups' in the language, the admins' own as written."""
    return _(name) if name in BUILTIN_GROUPS else name


# the groups of the built-in properties (core.properties), and the default group of a custom one
BUILTIN_GROUPS = {N_("Contact information"), N_("Company information"), N_("Custom"), N_("Other")}


class PropertiesScreen(HasActions, CoreWork, Screen):
    CSS_PATH = "properties_screen.tcss"
    ACTIONS = ActionTable(
        "properties",
        BACK,
        Action("search", N_("Search"), "slash", key_display="/", title=N_("Search properties"),
               description=N_("Filter the properties by label or internal name")),
        Action("switch_object", N_("Object"), "o", title=N_("Contact / company properties"),
               description=N_("Switch between contact and company properties")),
        Action("create", N_("Create"), "n", mutates=True, title=N_("Create property"),
               description=N_("A custom property")),
        Action("edit", N_("Edit"), "e", mutates=True, title=N_("Edit property"),
               description=N_("Label, description, group, options of the highlighted property")),
        Action("archive", N_("Archive/restore"), "a", mutates=True, title=N_("Archive or restore property"),
               description=N_("The highlighted property (refused while a segment's filters use it)")),
        Action("toggle_archived", N_("Archived"), "h", title=N_("Show archived properties"),
               description=N_("Show or hide the archived properties")),
    )
    BINDINGS = ACTIONS.bindings()
    PALETTE_HIDES = frozenset({"properties"})

    def __init__(self, object_type: str = "contacts") -> None:
        super().__init__()
        self.object_type = object_type
        self.show_archived = False
        self.names: list[str | None] = []
        self.shown: dict[str, Property] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="properties-bar"):
            yield Label("", id="properties-object")
            yield Input(placeholder=_("search by label or name"), id="properties-search", compact=True)
        yield DataTable(id="properties", cursor_type="row", zebra_stripes=True)
        yield Static("", id="properties-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = _("Properties")
        table = self.query_one(DataTable)
        table.fixed_columns = 1  # the label stays when the table scrolls sideways
        self.laid_out_width = 0
        self.reload()
        table.focus()

    def on_resize(self) -> None:
        if self.is_mounted and self.size.width != self.laid_out_width:
            self.reload()

    def lay_out(self, found: list[Property]) -> None:
        """The columns from the screen's width and what the properties shown need: the label,
        the type and the kind whole, then the internal name whole or scrolled to (it is in the
        line under the table too), then the options, ending with "…" when they are longer than
        the room left (the line under the table shows them whole)."""
        table = self.query_one(DataTable)
        label, name, type_, kind, options = _("Label"), _("Internal name"), _("Type"), _("Kind"), _("Options")
        names = need(name, [p.name for p in found], MAX_NAME)
        groups = [_group(g) for g in BUILTIN_GROUPS] + [_group(p.group or "Other") for p in found]
        wanted = [
            # as wide as the built-in groups' headings in the language too (one of them heads each group)
            Column("label", label, widest([label, *groups, *(property_label(p) for p in found)], most=30)),
            Column("type", type_, need(type_, [type_name(p.type) for p in found])),
            Column("kind", kind, need(kind, [_kind(p) for p in found])),
            Column("name", name, names, least=names),
            Column("options", options, need(options, [_options(p) for p in found], 200), least=12),
        ]
        table.clear(columns=True)
        for column, width in zip(wanted, fit(wanted, self.size.width, first_share=0.45, whole=True)):
            table.add_column(column.label, key=column.key, width=width)
        self.laid_out_width = self.size.width

    def reload(self, keep: str | None = None) -> None:
        table = self.query_one(DataTable)
        if keep is None and self.names and 0 <= table.cursor_row < len(self.names):
            keep = self.names[table.cursor_row]
        search = self.query_one("#properties-search", Input).value
        found = self.read_core(lambda: property_admin.list_properties(self.object_type, archived=self.show_archived,
                                                                       search=search))
        if found is None:
            return
        self.lay_out(found)
        self.names = []
        self.shown = {p.name: p for p in found}
        group = None
        for prop in found:
            if prop.group != group:  # a heading row per group
                group = prop.group
                table.add_row(Text(printable(_group(group or "Other"), limit=40), style="bold"), "", "", "", "")
                self.names.append(None)
            table.add_row(literal(property_label(prop), limit=60), type_name(prop.type),
                          Text(_kind(prop), style="dim" if prop.archived else ""), prop.name,
                          literal(_options(prop), limit=200))
            self.names.append(prop.name)
        if keep is not None and keep in self.names:
            table.move_cursor(row=self.names.index(keep), animate=False)
        elif any(self.names) and not (0 <= table.cursor_row < len(self.names) and self.names[table.cursor_row]):
            # on a group's heading: the first property instead
            table.move_cursor(row=next(i for i, n in enumerate(self.names) if n), animate=False)
        shown = _("with archived ones") if self.show_archived else _("h shows archived ones")
        self.query_one("#properties-object", Label).update(Text.assemble(
            (object_label(self.object_type), "bold"),
            " · " + _n("{n} property", "{n} properties", len(found)) + f" · {shown}"))
        self.show_detail()

    def selected(self) -> Property | None:
        table = self.query_one(DataTable)
        if not self.names or not 0 <= table.cursor_row < len(self.names) or self.names[table.cursor_row] is None:
            return None
        return self.shown.get(self.names[table.cursor_row])

    @on(DataTable.RowHighlighted, "#properties")
    def show_detail(self) -> None:
        prop = self.selected()
        detail = self.query_one("#properties-detail", Static)
        if prop is None:
            detail.update("")
            return
        text = Text.assemble((printable(property_label(prop), limit=80), "bold"),
                             f"  {prop.name} · {type_name(prop.type, short=False)}")
        if prop.choices:  # whole here, where the table's column may end them with "…"
            text.append("\n" + _("Options: {options}").format(options=printable(_options(prop), limit=300)))
        if prop.description:
            text.append(f"\n{printable(description(prop), limit=300)}", style="italic")
        if prop.read_only:
            text.append("\n" + _("Read-only: it comes from imports."), style="dim")
        detail.update(text)

    @on(Input.Changed, "#properties-search")
    def searched(self) -> None:
        self.reload()

    @on(Input.Submitted, "#properties-search")
    def search_done(self) -> None:
        self.query_one(DataTable).focus()

    def action_search(self) -> None:
        self.query_one("#properties-search", Input).focus()

    def action_switch_object(self) -> None:
        self.object_type = OBJECT_TYPES[(OBJECT_TYPES.index(self.object_type) + 1) % len(OBJECT_TYPES)]
        self.names = []
        self.reload()

    def action_toggle_archived(self) -> None:
        self.show_archived = not self.show_archived
        self.reload()

    def action_create(self) -> None:
        self.app.push_screen(PropertyFormModal(self.object_type), self.saved)

    @on(DataTable.RowSelected, "#properties")
    def row_chosen(self) -> None:
        self.action_edit()  # through the action table: a viewer's Enter is refused as the key is

    def action_edit(self) -> None:
        prop = self.selected()
        if prop is None:
            self.notify(_("Highlight a property first."), severity="warning", timeout=3)
            return
        self.app.push_screen(PropertyFormModal(self.object_type, prop), self.saved)

    def action_archive(self) -> None:
        prop = self.selected()
        if prop is None:
            self.notify(_("Highlight a property first."), severity="warning", timeout=3)
            return
        ctx, object_type = self.app.ctx, self.object_type
        change = property_admin.restore if prop.archived else property_admin.archive
        self.run_core(lambda: change(ctx, object_type, prop.name), done=self.archived_or_restored,
                      failed=self.not_changed, group="archive")

    def archived_or_restored(self, prop: Property) -> None:
        if prop.archived:
            self.notify(_("Archived {property}: its values are kept; h shows it, a restores it.").format(
                property=quoted(printable(property_label(prop), limit=60))), title=_("Archived"))
        else:
            self.notify(_("Restored {property}.").format(property=quoted(printable(property_label(prop), limit=60))),
                        title=_("Restored"))
        self.reload(keep=prop.name)

    def not_changed(self, exc: SegtuiError) -> None:
        self.notify(printable(exc.message, limit=400), title=_("Not changed"), severity="error", timeout=10)

    def saved(self, name: str | None) -> None:
        if name:
            self.reload(keep=name)

    def action_back(self) -> None:
        self.app.pop_screen()


class PropertyFormModal(CoreWork, ModalScreen[str | None]):
    """Create a property, or edit one's label, description, group and options."""

    CSS_PATH = "properties_screen.tcss"
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, object_type: str, prop: Property | None = None) -> None:
        super().__init__()
        self.object_type = object_type
        self.prop = prop

    def compose(self) -> ComposeResult:
        prop = self.prop
        with Vertical(id="property-form"):
            title = per_object(self.object_type, _("New contact property"), _("New company property")) \
                if prop is None else _("Edit {property}").format(property=property_label(prop))
            yield Label(title, id="property-form-title", markup=False)
            with Horizontal(classes="form-row"):
                yield Label(_("Label"), classes="form-label")
                yield Input(property_label(prop) if prop else "", id="form-label", compact=True)
            if prop is None:
                yield Static("", id="form-name", classes="muted")
                with Horizontal(classes="form-row"):
                    yield Label(_("Type"), classes="form-label")
                    yield Select([(type_name(t, short=False), t) for t in TYPES], allow_blank=False, value="text",
                                 id="form-type", compact=True)
            with Horizontal(classes="form-row"):
                yield Label(_("Description"), classes="form-label")
                yield Input(description(prop) if prop else "", id="form-description", compact=True)
            with Horizontal(classes="form-row"):
                yield Label(_("Group"), classes="form-label")
                yield Input(_group(prop.group) if prop else _("Custom"), id="form-group", compact=True)
            if prop is None or prop.type in WITH_OPTIONS:
                if prop is not None:
                    yield Static(Text(_("Options: {options}").format(options=printable(_options(prop), limit=300))),
                                 classes="muted")
                with Horizontal(classes="form-row", id="form-options-row"):
                    yield Label(_("Options") if prop is None else _("Add options"), classes="form-label")
                    yield Input(placeholder=_("Gold, Silver, Bronze"), id="form-options", compact=True)
                if prop is not None:
                    with Horizontal(classes="form-row"):
                        yield Label(_("Archive options"), classes="form-label")
                        yield Input(placeholder=_("labels or values, comma-separated"), id="form-archive-options",
                                    compact=True)
            yield Static("", id="form-error", classes="error-text")
            with Horizontal(id="form-buttons"):
                yield Button(_("Cancel"), id="cancel", compact=True)
                yield Button(_("Create") if prop is None else _("Save"), id="save", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#form-label", Input).focus()
        self.update_name()
        self.update_options()

    @on(Input.Changed, "#form-label")
    def update_name(self) -> None:
        if self.prop is None:
            name = internal_name(self.query_one("#form-label", Input).value)
            self.query_one("#form-name", Static).update(_("Internal name: {name}; fixed once created").format(
                name=name or _("(from the label)")))

    @on(Select.Changed, "#form-type")
    def update_options(self) -> None:
        if self.prop is None:
            self.query_one("#form-options-row").display = self.query_one("#form-type", Select).value in WITH_OPTIONS

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def save(self) -> None:
        ctx, object_type = self.app.ctx, self.object_type
        fields = {wid: self.query_one(f"#{wid}", Input).value for wid in
                  ("form-label", "form-description", "form-group", "form-options", "form-archive-options")
                  if self.query(f"#{wid}")}
        # the group as shown in the language, unchanged: the stored one (a built-in group keeps its name)
        original = self.prop.group if self.prop is not None else CUSTOM_GROUP
        if " ".join(fields["form-group"].split()) == _group(original):
            fields["form-group"] = original
        if self.prop is not None:  # so do a built-in label and description shown in the language
            for wid, shown, stored in (("form-label", property_label(self.prop), self.prop.label),
                                       ("form-description", description(self.prop), self.prop.description)):
                if fields[wid].strip() == shown.strip():
                    fields[wid] = stored
        if self.prop is None:
            type_ = self.query_one("#form-type", Select).value
            options = fields["form-options"] if type_ in WITH_OPTIONS else None

            def call():
                return property_admin.create(ctx, object_type, fields["form-label"], type_, options=options,
                                             description=fields["form-description"], group=fields["form-group"])
        else:
            name = self.prop.name
            extra = {}
            if self.prop.type in WITH_OPTIONS:
                split = lambda text: [p.strip() for p in text.split(",") if p.strip()]  # noqa: E731
                extra = {"add_options": split(fields["form-options"]),
                         "archive_options": split(fields["form-archive-options"])}

            def call():
                return property_admin.edit(ctx, object_type, name, label=fields["form-label"],
                                           description=fields["form-description"], group=fields["form-group"],
                                           **extra)
        self.run_core(call, done=lambda prop: self.dismiss(prop.name), failed=self.not_saved, group="save")

    def not_saved(self, exc: SegtuiError) -> None:
        self.query_one("#form-error", Static).update(Text(f"⚠ {printable(exc.message, limit=300)}"))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
