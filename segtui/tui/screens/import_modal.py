"""Import records from a CSV file (SPEC §8): all or nothing, with progress and a report."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Select, Static

from ...core import files, imports
from ...core.errors import ImportRefused, SegtuiError
from ...core.properties import OBJECT_TYPES
from ...i18n import N_, _, number, quoted
from ..text import printable
from ..work import CoreWork
from .data_words import new_property, object_label, per_object
from .import_mapping import ImportMappingScreen


class ImportModal(CoreWork, ModalScreen[bool]):
    """Dismissed with True when something was imported (the screen underneath reloads)."""

    CSS_PATH = "import_modal.tcss"
    BINDINGS = [Binding("escape", "close", N_("Close"), id="import.close")]

    def __init__(self, object_type: str = "contacts", segment=None, *, folder) -> None:
        super().__init__()
        self.folder = folder  # the console's files folder: the only place an import reads
        self.object_type = segment.object_type if segment is not None else object_type
        self.segment = segment
        self.running = False
        self.imported = False

    def compose(self) -> ComposeResult:
        with Vertical(id="import"):
            yield Label(_("Import records from a CSV file"), id="import-title")
            with Horizontal(classes="form-row"):
                yield Label(_("Object"), classes="form-label")
                yield Select([(object_label(o), o) for o in OBJECT_TYPES], allow_blank=False,
                             value=self.object_type, id="import-object", compact=True,
                             disabled=self.segment is not None)
            yield Label(_("Files folder: {folder}").format(folder=printable(str(self.folder), limit=300)),
                        id="import-folder", markup=False)
            with Horizontal(classes="form-row"):
                yield Label(_("Pick"), classes="form-label")
                names = files.list_csv(self.folder)
                yield Select([(printable(n, limit=60), n) for n in names], prompt=(
                    _("a CSV file of the folder") if names else _("no CSV file in the folder yet")),
                    id="import-pick", compact=True, disabled=not names)
            with Horizontal(classes="form-row"):
                yield Label(_("File"), classes="form-label")
                yield Input(placeholder=_("name.csv (in the files folder)"), id="import-path", compact=True)
            if self.segment is not None:
                yield Checkbox(_("Also add them to {name}").format(name=quoted(printable(self.segment.name, limit=50))),
                               True, id="import-into", compact=True)
            yield Static(self.help_text(), id="import-help", classes="muted")
            yield ProgressBar(total=None, show_eta=False, id="import-progress", classes="hidden")
            with VerticalScroll(id="import-report-box"):
                yield Static("", id="import-report")
            with Horizontal(id="import-buttons"):
                yield Button(_("Close"), id="close", compact=True)
                yield Button(_("Import"), id="start", variant="primary", compact=True)

    def help_text(self) -> str:
        return per_object(
            self.object_type,
            _("UTF-8 CSV with a header row (email is required), a HubSpot export as it comes. Next, each column is "
              "matched to a property, and you see a preview before anything is written. Known emails are updated, "
              "new ones created; an empty cell keeps the stored value. One bad line refuses the whole file."),
            _("UTF-8 CSV with a header row (domain is required), a HubSpot export as it comes. Next, each column is "
              "matched to a property, and you see a preview before anything is written. Known domains are updated, "
              "new ones created; an empty cell keeps the stored value. One bad line refuses the whole file."))

    def on_mount(self) -> None:
        self.query_one("#import-path", Input).focus()

    @on(Select.Changed, "#import-object")
    def object_changed(self, event: Select.Changed) -> None:
        self.object_type = event.value
        self.query_one("#import-help", Static).update(self.help_text())

    @on(Select.Changed, "#import-pick")
    def picked(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self.query_one("#import-path", Input).value = event.value

    @on(Input.Submitted, "#import-path")
    @on(Button.Pressed, "#start")
    def start(self) -> None:
        if self.running:
            return
        report = self.query_one("#import-report", Static)
        name = self.query_one("#import-path", Input).value
        try:
            files.check_name(name)
        except SegtuiError as exc:
            report.update(Text(f"⚠ {exc}", style="bold red"))
            return
        into = self.segment is not None and self.query_one("#import-into", Checkbox).value
        self.running = True
        self.query_one("#start", Button).disabled = True
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.remove_class("hidden")
        report.update(Text(_("Reading {name}…").format(name=printable(name)), style="dim"))
        self.run_import(name, self.object_type, self.segment.id if into else None)

    def run_import(self, name: str, object_type: str, segment_id: int | None) -> None:
        """Read the file (in the files folder only), then map its columns on the mapping screen."""
        folder = self.folder

        def job():
            text = files.read_in_folder(folder, name)
            imports.read_table(text)  # a file that is not CSV is refused here, where the user looks
            return text

        def read(text: str) -> None:
            self.query_one("#import-report", Static).update(Text(_("Mapping the columns…"), style="dim"))
            self.app.push_screen(ImportMappingScreen(object_type, name, text, segment_id=segment_id), self.mapped)

        self.run_core(job, done=read, failed=self.not_imported, group="import")

    def mapped(self, report) -> None:
        if report is None:
            self.refused(_("Nothing was imported."), [])
        else:
            self.done(report)

    def not_imported(self, exc: SegtuiError) -> None:
        if isinstance(exc, ImportRefused):
            self.refused(exc.message.splitlines()[0], exc.problems)
        else:
            self.refused(_("Nothing was imported: {why}").format(why=exc), [])

    def refused(self, headline: str, problems: list[tuple[int, str]]) -> None:
        """Every faulty line, each on its own row (the file is refused whole)."""
        self.running = False
        self.query_one("#start", Button).disabled = False
        self.query_one("#import-progress", ProgressBar).add_class("hidden")
        text = Text(printable(headline, limit=400), style="bold red")
        for line, message in problems[:200]:
            text.append("\n  " + _("line {line}: ").format(line=line) if line else "\n  ", style="bold")
            text.append(printable(message, limit=300))
        if len(problems) > 200:
            text.append("\n  " + _("… and {n} more").format(n=number(len(problems) - 200)))
        self.query_one("#import-report", Static).update(text)

    def done(self, report) -> None:
        self.running = False
        self.imported = True
        self.query_one("#start", Button).disabled = False
        bar = self.query_one("#import-progress", ProgressBar)
        bar.update(total=max(report.lines, 1), progress=max(report.lines, 1))
        text = Text.assemble((_("Imported.") + " ", "bold green"), f"{printable(report.sentence())}.\n")
        for proposal in report.created_properties:
            text.append(_("Created the property {property}.").format(
                property=printable(new_property(proposal), limit=200)) + "\n")
        text.append(_("Segments: {sentence}").format(sentence=printable(report.segments_sentence(), limit=300)))
        self.query_one("#import-report", Static).update(text)
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        if self.running:
            self.notify(_("The import is still running; it finishes on its own."), severity="warning", timeout=4)
            return
        self.dismiss(self.imported)
