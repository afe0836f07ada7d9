"""Properties (issue 12): per object, grouped, searchable; create, edit, archive and restore."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Header, Input, Label, Select, Static

from ...core import property_admin
from ...core.errors import SegtuiError
from ...core.properties import OBJECT_LABELS, OBJECT_TYPES, TYPE_LABELS, TYPES, WITH_OPTIONS, Property, internal_name
from ..widgets.footer import Footer
from ..actions import BACK, Action, ActionTable, HasActions
from ..text import literal, printable
from ..work import CoreWork


def _options(prop: Property) -> str:
    live = [o.label for o in prop.choices if not o.archived]
    archived = [o.label for o in prop.choices if o.archived]
    return ", ".join(live) + (f" (archived: {', '.join(archived)})" if archived else "")


class PropertiesScreen(HasActions, CoreWork, Screen):
    CSS_PATH = "properties_screen.tcss"
    ACTIONS = ActionTable(
        "properties",
        BACK,
        Action("search", "Search", "slash", key_display="/", title="Search properties",
               description="Filter the properties by label or internal name"),
        Action("switch_object", "Object", "o", title="Contact / company properties",
               description="Switch between contact and company properties"),
        Action("create", "Create", "n", mutates=True, title="Create property", description="A custom property"),
        Action("edit", "Edit", "e", mutates=True, title="Edit property",
               description="Label, description, group, options of the highlighted property"),
        Action("archive", "Archive/restore", "a", mutates=True, title="Archive or restore property",
               description="The highlighted property (refused while a segment's filters use it)"),
        Action("toggle_archived", "Archived", "h", title="Show archived properties",
               description="Show or hide the archived properties"),
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
            yield Input(placeholder="search by label or name", id="properties-search", compact=True)
        yield DataTable(id="properties", cursor_type="row", zebra_stripes=True)
        yield Static("", id="properties-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = "Properties"
        table = self.query_one(DataTable)
        for label, width in (("Label", 24), ("Internal name", 20), ("Type", 12), ("Kind", 9), ("Options", 40)):
            table.add_column(label, width=width)
        self.reload()
        table.focus()

    def reload(self, keep: str | None = None) -> None:
        table = self.query_one(DataTable)
        if keep is None and self.names and 0 <= table.cursor_row < len(self.names):
            keep = self.names[table.cursor_row]
        search = self.query_one("#properties-search", Input).value
        found = self.read_core(lambda: property_admin.list_properties(self.object_type, archived=self.show_archived,
                                                                       search=search))
        if found is None:
            return
        table.clear()
        self.names = []
        self.shown = {p.name: p for p in found}
        group = None
        for prop in found:
            if prop.group != group:  # a heading row per group
                group = prop.group
                table.add_row(Text(printable(group or "Other", limit=40), style="bold"), "", "", "", "")
                self.names.append(None)
            kind = "built-in" if prop.builtin else ("archived" if prop.archived else "custom")
            table.add_row(literal(prop.label, limit=60), prop.name, TYPE_LABELS[prop.type].split(" (")[0],
                          Text(kind, style="dim" if prop.archived else ""), literal(_options(prop), limit=200))
            self.names.append(prop.name)
        if keep is not None and keep in self.names:
            table.move_cursor(row=self.names.index(keep), animate=False)
        elif any(self.names) and not (0 <= table.cursor_row < len(self.names) and self.names[table.cursor_row]):
            # on a group's heading: the first property instead
            table.move_cursor(row=next(i for i, n in enumerate(self.names) if n), animate=False)
        shown = "with archived ones" if self.show_archived else "h shows archived ones"
        self.query_one("#properties-object", Label).update(
            Text.assemble((OBJECT_LABELS[self.object_type], "bold"), f" · {len(found)} properties · {shown}"))
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
        text = Text.assemble((printable(prop.label, limit=80), "bold"), f"  {prop.name} · {TYPE_LABELS[prop.type]}")
        if prop.description:
            text.append(f"\n{printable(prop.description, limit=300)}", style="italic")
        if prop.read_only:
            text.append("\nRead-only: it comes from imports.", style="dim")
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
            self.notify("Highlight a property first.", severity="warning", timeout=3)
            return
        self.app.push_screen(PropertyFormModal(self.object_type, prop), self.saved)

    def action_archive(self) -> None:
        prop = self.selected()
        if prop is None:
            self.notify("Highlight a property first.", severity="warning", timeout=3)
            return
        ctx, object_type = self.app.ctx, self.object_type
        change = property_admin.restore if prop.archived else property_admin.archive
        self.run_core(lambda: change(ctx, object_type, prop.name), done=self.archived_or_restored,
                      failed=self.not_changed, group="archive")

    def archived_or_restored(self, prop: Property) -> None:
        if prop.archived:
            self.notify(f"Archived {printable(prop.label, limit=60)!r}: its values are kept; h shows it, "
                        "a restores it.", title="Archived")
        else:
            self.notify(f"Restored {printable(prop.label, limit=60)!r}.", title="Restored")
        self.reload(keep=prop.name)

    def not_changed(self, exc: SegtuiError) -> None:
        self.notify(printable(exc.message, limit=400), title="Not changed", severity="error", timeout=10)

    def saved(self, name: str | None) -> None:
        if name:
            self.reload(keep=name)

    def action_back(self) -> None:
        self.app.pop_screen()


class PropertyFormModal(CoreWork, ModalScreen[str | None]):
    """Create a property, or edit one's label, description, group and options."""

    CSS_PATH = "properties_screen.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, object_type: str, prop: Property | None = None) -> None:
        super().__init__()
        self.object_type = object_type
        self.prop = prop

    def compose(self) -> ComposeResult:
        prop = self.prop
        with Vertical(id="property-form"):
            title = f"New {self.object_type[:-1] if self.object_type == 'contacts' else 'company'} property" \
                if prop is None else f"Edit {prop.label}"
            yield Label(title, id="property-form-title", markup=False)
            with Horizontal(classes="form-row"):
                yield Label("Label", classes="form-label")
                yield Input(prop.label if prop else "", id="form-label", compact=True)
            if prop is None:
                yield Static("", id="form-name", classes="muted")
                with Horizontal(classes="form-row"):
                    yield Label("Type", classes="form-label")
                    yield Select([(TYPE_LABELS[t], t) for t in TYPES], allow_blank=False, value="text",
                                 id="form-type", compact=True)
            with Horizontal(classes="form-row"):
                yield Label("Description", classes="form-label")
                yield Input(prop.description if prop else "", id="form-description", compact=True)
            with Horizontal(classes="form-row"):
                yield Label("Group", classes="form-label")
                yield Input(prop.group if prop else "Custom", id="form-group", compact=True)
            if prop is None or prop.type in WITH_OPTIONS:
                if prop is not None:
                    yield Static(Text(f"Options: {printable(_options(prop), limit=300)}"), classes="muted")
                with Horizontal(classes="form-row", id="form-options-row"):
                    yield Label("Options" if prop is None else "Add options", classes="form-label")
                    yield Input(placeholder="Gold, Silver, Bronze", id="form-options", compact=True)
                if prop is not None:
                    with Horizontal(classes="form-row"):
                        yield Label("Archive options", classes="form-label")
                        yield Input(placeholder="labels or values, comma-separated", id="form-archive-options",
                                    compact=True)
            yield Static("", id="form-error", classes="error-text")
            with Horizontal(id="form-buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Create" if prop is None else "Save", id="save", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#form-label", Input).focus()
        self.update_name()
        self.update_options()

    @on(Input.Changed, "#form-label")
    def update_name(self) -> None:
        if self.prop is None:
            name = internal_name(self.query_one("#form-label", Input).value)
            self.query_one("#form-name", Static).update(f"Internal name: {name or '(from the label)'}; fixed once created")

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
