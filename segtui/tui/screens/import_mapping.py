"""The import mapping screen (issue 12): each column of the file, what it imports into, a preview.

Every column shows three sample values, the type its values suggest and its fate: a property,
a property to create (type and options editable), an association, or not imported. The first
lines are shown as they would be stored, with the dry run's counts and every problem; nothing
is written until Import, and a refused file writes nothing. The mapping is remembered for the
next file with the same headers.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from ...core import imports, property_admin
from ...core.errors import InvalidInput, SegtuiError
from ...core.properties import TYPES, WITH_OPTIONS, internal_name, properties
from ...i18n import N_, _, _n, number, quoted
from ..widgets.footer import Footer
from ..widgets.header import Header
from ..actions import BACK, Action, ActionTable, HasActions
from ..keys import key_name
from ..columns import SCROLLBAR, Column, fit, need
from ..text import literal, printable
from ..work import CoreWork
from .data_words import new_property, per_object, property_label, type_name

SKIP, CREATE = "__skip__", "__create__"
ASSOCIATIONS = {imports.ASSOCIATE_IDS: N_("Associated companies (HubSpot Record IDs, ;-separated)"),
                imports.ASSOCIATE_NAME: N_("Associated company (by name, when unique)")}
# how a column was matched to its property (the core's words)
MATCHED = {"name": N_("name"), "label": N_("label"), "HubSpot header": N_("HubSpot header"),
           "association": N_("association"), "new property": N_("new property")}
ASSOCIATION_HEADERS = {imports.ASSOCIATE_IDS: "Associated Company IDs", imports.ASSOCIATE_NAME: "Associated Company"}


def fate(column: imports.Column, object_type: str, detected: str | None = None) -> Text:
    """What a column imports into, in words (a new property's type when it is not the
    ``detected`` one, shown beside; its options are in the summary under the preview)."""
    if column.action == imports.PROPERTY:
        prop = properties(object_type).get(column.property)
        label = property_label(prop) if prop else column.property
        return Text.assemble(literal(label, limit=40), (f"  {_(MATCHED.get(column.how, column.how))}", "dim"))
    if column.action == imports.CREATE:
        proposal = column.proposal
        text = Text.assemble((_("new") + " ", "bold green"), literal(proposal.label, limit=30))
        if proposal.type != detected:
            text.append(f" ({type_name(proposal.type)})", style="dim")
        return text
    if column.action == imports.SKIP:
        return Text(_("not imported"), style="dim italic")
    if column.action in ASSOCIATIONS:
        return Text(_(ASSOCIATIONS[column.action]).split(" (")[0], style="italic")
    if column.suggestion:
        return Text("⚠ " + _("unknown (did you mean {name}?)").format(name=printable(quoted(column.suggestion), limit=50)),
                    style="bold red")
    return Text("⚠ " + _("unknown"), style="bold red")


class ImportMappingScreen(HasActions, CoreWork, Screen[object]):
    """Dismissed with the ImportReport of a done import, or None (nothing written)."""

    CSS_PATH = "import_mapping.tcss"
    ACTIONS = ActionTable(
        "mapping",
        BACK,
        Action("change", N_("Change"), "e", title=N_("Change the column's mapping"),
               description=N_("What the highlighted column imports into (Enter on it too)")),
        Action("add_options", N_("Add missing options"), "o", title=N_("Add the missing options"),
               description=N_("The file's values that are not options of a dropdown become options")),
        Action("run_import", N_("Import"), "ctrl+s", mutates=True, priority=True, title=N_("Import the file"),
               description=N_("Write it, all or nothing (refused while a problem remains)")),
    )
    BINDINGS = ACTIONS.bindings()
    PALETTE_HIDES = frozenset({"import_records"})

    def __init__(self, object_type: str, file_name: str, text: str, *, segment_id: int | None = None) -> None:
        super().__init__()
        self.object_type = object_type
        self.file_name = file_name
        self.text = text
        self.segment_id = segment_id
        self.table: imports.Table | None = None
        self.options: imports.ImportOptions | None = None
        self.shown: imports.Preview | None = None
        self.running = False
        self.laid_out_width = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="mapping-title")
        yield DataTable(id="mapping-columns", cursor_type="row", zebra_stripes=True)
        yield Label(_("Preview (the first lines, as they would be stored)"), classes="section-title")
        yield DataTable(id="mapping-preview", cursor_type="none", show_cursor=False)
        with VerticalScroll(id="mapping-summary-box"):
            yield Static(Text(_("Reading the file…"), style="dim"), id="mapping-summary")
        with Horizontal(id="mapping-buttons"):
            yield Button(_("Back"), id="mapping-back", compact=True)
            yield Button(_("Import"), id="mapping-import", variant="primary", compact=True, disabled=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = per_object(self.object_type, _("Import contacts"), _("Import companies"))
        table = self.query_one("#mapping-columns", DataTable)
        table.fixed_columns = 1
        self.lay_out_columns([], [])
        table.focus()
        ctx, object_type, text = self.app.ctx, self.object_type, self.text

        def first():
            table = imports.read_table(text)
            options = imports.first_options(ctx, object_type, table)
            return table, options, imports.preview(ctx, object_type, table, options)

        self.run_core(first, done=self.loaded, failed=self.unreadable, group="preview")

    def loaded(self, found) -> None:
        self.table, self.options, preview = found
        self.show(preview)

    def unreadable(self, exc: SegtuiError) -> None:
        self.query_one("#mapping-summary", Static).update(
            Text(f"⚠ {printable(exc.message, limit=600)}\n" + _("Nothing was imported."), style="bold red"))

    def refresh_preview(self, keep: int | None = None) -> None:
        ctx, object_type, table, options = self.app.ctx, self.object_type, self.table, self.options
        self.query_one("#mapping-import", Button).disabled = True
        self.run_core(lambda: imports.preview(ctx, object_type, table, options), done=self.show,
                      failed=self.unreadable, group="preview")

    # -- showing -------------------------------------------------------------------------------
    def show(self, preview: imports.Preview) -> None:
        self.shown = preview
        report = preview.report
        # the verb and the object two spans, as they always were drawn
        verb, what = per_object(self.object_type, _("Import contacts"), _("Import companies")).split(" ", 1)
        title = Text.assemble((verb + " ", "bold"), (what, "bold"))
        title.append(" " + _("from") + " ")
        title.append_text(literal(self.file_name, "bold", limit=60))
        title.append(" · " + _n("{n} line", "{n} lines", report.lines) + " · "
                     + _n("{n} column", "{n} columns", len(preview.columns)))
        self.query_one("#mapping-title", Static).update(title)
        columns = self.query_one("#mapping-columns", DataTable)
        row = columns.cursor_row
        rows = []
        for column in preview.columns:
            detected = preview.detected[column.index].type
            rows.append((literal(column.header or _("(no header)"), limit=40),
                         fate(column, self.object_type, detected), Text(type_name(detected)),
                         literal(" | ".join(column.samples), "dim", limit=60) if column.samples
                         else Text(_("empty"), style="dim italic")))
        self.lay_out_columns(rows, preview.columns)
        for column, cells in zip(preview.columns, rows):
            columns.add_row(*cells, key=str(column.index))
        if preview.columns:
            columns.move_cursor(row=min(max(row, 0), len(preview.columns) - 1), animate=False)
        self.show_lines(preview)
        self.show_summary(preview)

    def on_resize(self) -> None:
        if self.is_mounted and self.shown is not None and self.size.width != self.laid_out_width:
            self.show(self.shown)

    def lay_out_columns(self, rows: list[tuple[Text, ...]], found: list) -> None:
        """The columns of the file's columns: the header, what it imports into and the type its
        values suggest whole (the last one scrolled to when they do not fit), then the samples,
        ending with "…" in the room left (the column's dialog, e, shows them)."""
        table = self.query_one("#mapping-columns", DataTable)
        labels = (_("Column"), _("Imports into"), _("Detected"), _("Samples"))
        needs = [need(label, [r[i].plain for r in rows], 60) for i, label in enumerate(labels)]
        wanted = [Column("header", labels[0], min(needs[0], 30), 12), Column("fate", labels[1], needs[1], needs[1]),
                  Column("detected", labels[2], needs[2], needs[2]), Column("samples", labels[3], needs[3], 12)]
        table.clear(columns=True)
        for column, width in zip(wanted, fit(wanted, self.size.width, first_share=0.3, whole=True)):
            table.add_column(column.label, key=column.key, width=width)
        self.laid_out_width = self.size.width

    def show_lines(self, preview: imports.Preview) -> None:
        lines = self.query_one("#mapping-preview", DataTable)
        lines.clear(columns=True)
        # whole headings, values up to 30 cells; the columns that do not fit whole are scrolled to
        wanted = [Column("line", _("Line"), 5, 5)]
        for index, heading in enumerate(preview.headings):
            shown = printable(heading, limit=40)
            values = [printable(cells[index]) for _line, cells, why in preview.lines if not why and index < len(cells)]
            width = max(6, need(shown, values, 30))
            wanted.append(Column(str(index), shown, width, width))
        # a few lines (imports.preview's 5): no vertical scrollbar takes its room
        for column, width in zip(wanted, fit(wanted, self.size.width + SCROLLBAR, first_share=0.1, whole=True)):
            lines.add_column(column.label, width=width)
        for line, cells, why in preview.lines:
            if why:
                lines.add_row(str(line), Text(f"⚠ {printable(why, limit=120)}", style="red"),
                              *[""] * (len(preview.headings) - 1) if preview.headings else [])
            else:
                lines.add_row(str(line), *[literal(c, limit=40) if c else Text("-", style="dim") for c in cells])

    def show_summary(self, preview: imports.Preview) -> None:
        report = preview.report
        text = Text()
        text.append(_n("{n} line: {sentence}.", "{n} lines: {sentence}.", report.lines,
                       sentence=imports.new_and_updated_sentence(report)), style="bold")
        if report.created_properties:
            text.append("\n" + _("Creates {properties}").format(
                properties=", ".join(printable(new_property(p), limit=80) for p in report.created_properties)))
        if report.problems:
            text.append("\n⚠ " + _n("Import is refused as it stands ({n} problem); nothing will be written until "
                                    "it is fixed:", "Import is refused as it stands ({n} problems); nothing will be "
                                    "written until they are fixed:", len(report.problems)), style="bold red")
            for line, message in report.problems[:30]:
                text.append("\n  " + (_("line {line}: ").format(line=line) if line > 1 else _("header: ")),
                            style="bold")
                text.append(printable(message, limit=200))
            if len(report.problems) > 30:
                text.append("\n  " + _("… and {n} more").format(n=number(len(report.problems) - 30)))
        for name, missing in report.unknown_options.items():
            prop = properties(self.object_type).get(name)
            label = property_label(prop) if prop else name
            text.append("\n" + _n("{n} value of the file is not an option of {property}: {values} — press o to "
                                  "add it as an option.", "{n} values of the file are not options of {property}: "
                                  "{values} — press o to add them as options.", len(missing),
                                  property=printable(label, limit=40), values=printable(", ".join(missing), limit=200)),
                        style="yellow")
        for line, message in report.warnings[:10]:
            text.append("\n  " + _("line {line}: ").format(line=line) + printable(message, limit=200),
                        style="dim")
        if not report.problems:
            run_import = key_name(self.ACTIONS.by_name["run_import"].key)
            text.append("\n" + _("Nothing is written until Import ({key}).").format(key=run_import), style="dim")
        self.query_one("#mapping-summary", Static).update(text)
        self.query_one("#mapping-import", Button).disabled = (bool(report.problems) or self.running
                                                              or self.app.ctx.read_only)

    # -- changing ------------------------------------------------------------------------------
    def selected(self) -> imports.Column | None:
        table = self.query_one("#mapping-columns", DataTable)
        if self.shown is None or not 0 <= table.cursor_row < len(self.shown.columns):
            return None
        return self.shown.columns[table.cursor_row]

    @on(DataTable.RowSelected, "#mapping-columns")
    def row_chosen(self) -> None:
        self.action_change()

    def action_change(self) -> None:
        column = self.selected()
        if column is None or self.running:
            return
        detected = self.shown.detected[column.index]
        self.app.push_screen(ColumnMappingModal(self.object_type, column, detected), self.changed)

    def changed(self, choice) -> None:
        if not choice or self.options is None:
            return
        header, kind, value = choice
        options = self.options
        options.mapping.pop(header, None)
        options.proposals.pop(header, None)
        if kind == "create":
            options.proposals[header] = value
        else:  # a property name, an association column's header, or "" (not imported)
            options.mapping[header] = value
        self.refresh_preview()

    def action_add_options(self) -> None:
        if self.shown is None or not self.shown.report.unknown_options:
            self.notify(_("Every value of the file's dropdown columns is already an option."), timeout=4)
            return
        for name, missing in self.shown.report.unknown_options.items():
            extra = self.options.add_options.setdefault(name, [])
            extra.extend(m for m in missing if m not in extra)
        self.refresh_preview()

    # -- importing -----------------------------------------------------------------------------
    @on(Button.Pressed, "#mapping-import")
    def action_run_import(self) -> None:
        if self.running or self.shown is None:
            return
        if self.app.ctx.read_only:
            self.notify(_("This console is read-only: nothing can be imported."), severity="warning")
            return
        if self.shown.report.problems:
            self.notify(_("The file is refused as it stands: see the problems under the preview."), severity="warning")
            return
        self.running = True
        self.query_one("#mapping-import", Button).disabled = True
        self.query_one("#mapping-summary", Static).update(Text(_("Importing…"), style="dim"))
        ctx, object_type, text, options, target = self.app.ctx, self.object_type, self.text, self.options, \
            self.segment_id
        self.run_core(lambda: imports.run(ctx, object_type, text, options, segment_id=target),
                      done=self.imported, failed=self.refused, group="import")

    def imported(self, report) -> None:
        self.running = False
        self.dismiss(report)

    def refused(self, exc: SegtuiError) -> None:
        self.running = False
        self.query_one("#mapping-import", Button).disabled = False
        self.query_one("#mapping-summary", Static).update(
            Text(f"⚠ {printable(exc.message, limit=1200)}", style="bold red"))

    @on(Button.Pressed, "#mapping-back")
    def action_back(self) -> None:
        if self.running:
            self.notify(_("The import is running; it finishes on its own."), severity="warning", timeout=4)
            return
        self.dismiss(None)


class ColumnMappingModal(CoreWork, ModalScreen[tuple | None]):
    """Change what one column imports into: a property, a new property, or nothing.

    Dismissed with (header, "property"|"create", target) or None (unchanged)."""

    CSS_PATH = "import_mapping.tcss"
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, object_type: str, column: imports.Column, detected: imports.Proposal) -> None:
        super().__init__()
        self.object_type = object_type
        self.column = column
        # a new property starts from the column's current proposal, else from what its values suggest
        self.proposal = column.proposal or detected

    def targets(self) -> list[tuple[str, str]]:
        out = [(_("Don't import"), SKIP), (_("Create a new property…"), CREATE)]
        for name, label in ASSOCIATIONS.items():
            if self.object_type == "contacts":
                out.append((_(label), name))
        for prop in properties(self.object_type).values():
            if not prop.read_only or prop.name == "hubspot_id":
                out.append((f"{printable(property_label(prop), limit=40)} ({prop.name})", prop.name))
        return out

    def current(self) -> str:
        column = self.column
        if column.action == imports.PROPERTY:
            return column.property
        if column.action == imports.CREATE:
            return CREATE
        if column.action in ASSOCIATIONS:
            return column.action
        return SKIP if column.action == imports.SKIP else CREATE

    def compose(self) -> ComposeResult:
        column = self.column
        with Vertical(id="column-form"):
            yield Label(_("Column {header}").format(header=quoted(printable(column.header, limit=60))),
                        id="column-form-title", markup=False)
            yield Static(Text.assemble((_("Samples: "), "dim"),
                                       literal(" | ".join(column.samples) or _("empty"), limit=120)))
            with Horizontal(classes="form-row"):
                yield Label(_("Imports into"), classes="form-label")
                yield Select(self.targets(), allow_blank=False, value=self.current(), id="column-target",
                             compact=True)
            with Vertical(id="column-create"):
                with Horizontal(classes="form-row"):
                    yield Label(_("Label"), classes="form-label")
                    yield Input(self.proposal.label, id="column-label", compact=True)
                yield Static("", id="column-name", classes="muted")
                with Horizontal(classes="form-row"):
                    yield Label(_("Type"), classes="form-label")
                    yield Select([(type_name(t, short=False), t) for t in TYPES], allow_blank=False,
                                 value=self.proposal.type,
                                 id="column-type", compact=True)
                with Horizontal(classes="form-row", id="column-options-row"):
                    yield Label(_("Options"), classes="form-label")
                    yield Input(", ".join(self.proposal.options), placeholder=_("Gold, Silver, Bronze"),
                                id="column-options", compact=True)
            yield Static("", id="column-error", classes="error-text")
            with Horizontal(id="column-buttons"):
                yield Button(_("Cancel"), id="column-cancel", compact=True)
                yield Button(_("Apply"), id="column-apply", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#column-target", Select).focus()
        self.update_form()

    @on(Select.Changed)
    @on(Input.Changed, "#column-label")
    def update_form(self) -> None:
        creating = self.query_one("#column-target", Select).value == CREATE
        self.query_one("#column-create").display = creating
        self.query_one("#column-options-row").display = self.query_one("#column-type", Select).value in WITH_OPTIONS
        name = internal_name(self.query_one("#column-label", Input).value)
        self.query_one("#column-name", Static).update(
            _("Internal name: {name}; fixed once created").format(
                name=name or _("(type a label with letters or digits)")))

    @on(Input.Submitted)
    @on(Button.Pressed, "#column-apply")
    def apply(self) -> None:
        target = self.query_one("#column-target", Select).value
        header = self.column.header
        if target == SKIP:
            self.dismiss((header, "property", ""))
            return
        if target in ASSOCIATIONS:
            self.dismiss((header, "property", ASSOCIATION_HEADERS[target]))
            return
        if target != CREATE:
            self.dismiss((header, "property", target))
            return
        label = " ".join(self.query_one("#column-label", Input).value.split())
        type_ = self.query_one("#column-type", Select).value
        options = [o.strip() for o in self.query_one("#column-options", Input).value.split(",") if o.strip()] \
            if type_ in WITH_OPTIONS else []
        error = self.query_one("#column-error", Static)
        name = internal_name(label)
        try:
            if not name:
                raise InvalidInput("Type a label with at least one letter or digit: the internal name comes from it.")
            property_admin.check_name(self.object_type, name)  # from the properties in memory: no query
            if type_ in WITH_OPTIONS and not options:
                raise InvalidInput("A {type} needs options: type them separated by commas.",
                                   type=type_name(type_, short=False).lower())
        except InvalidInput as exc:
            # the command line's option means nothing here
            message = exc.message.replace(" or --name", "").replace(_(" or --name"), "")
            error.update(Text(f"⚠ {printable(message, limit=300)}"))
            return
        self.dismiss((header, "create", imports.Proposal(label, name, type_, options)))

    @on(Button.Pressed, "#column-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
