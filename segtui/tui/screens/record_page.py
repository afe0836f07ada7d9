"""One record: its properties (Enter edits one), the segments it belongs to, its associations.

An edit is saved at once, and the active segments whose filters read that property follow it
in the same transaction; the page says which segments the record joined or left. The
associated companies (of a contact) or contacts (of a company) are listed with the primary
company first; they can be added (a search), removed (confirmed) and opened, and the segments
with association filters follow at once as well.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from ...core import associations, records, why
from ...core.display import format_value
from ...core.errors import SegtuiError
from ...core.properties import DATE, OTHER, key_property, properties, value_of
from ...i18n import N_, _, _n, number, quoted
from ..widgets.footer import Footer
from ..widgets.header import Header, name_title
from ..actions import BACK, Action, ActionTable, HasActions
from ..columns import widest
from ..text import literal, moment, printable, type_badge, wrapping
from .data_words import per_object, property_label, shown_day
from ..work import CoreWork
from .confirm import ConfirmModal
from .edit_property import EditPropertyModal
from .record_picker import RecordPicker, record_name


# the properties' two columns in their 52-cell panel: each column's padding (2 x 2) and the room of
# the scrollbar that wrapped lines may bring (a column under it would be cut)
PROPERTIES_WIDTH = 52 - 4 - 2
LABEL_MOST = 21  # 'Phase du cycle de vie' whole; 'ID de fiche d'informations' on two lines


class RecordScreen(HasActions, CoreWork, Screen):
    CSS_PATH = "record_page.tcss"
    ACTIONS = ActionTable(
        "record",
        BACK,
        Action("edit", N_("Edit property"), "e", mutates=True,
               description=N_("The highlighted property of this record")),
        Action("associate", N_("Associate"), "a", mutates=True, title=N_("Associate records"),
               description=N_("Associate companies with this contact (or contacts with this company)")),
        # short footer labels: the record page's keys fit whole at 80 columns
        Action("dissociate", N_("Unlink"), "x", mutates=True, title=N_("Remove association"),
               description=N_("The highlighted associated record (confirmed first)")),
        Action("make_primary", N_("Primary"), "p", mutates=True, title=N_("Make primary company"),
               description=N_("The highlighted company becomes this contact's primary one")),
        # not in the footer (the record page's keys fit whole at 80 columns): ? help, the palette
        Action("delete", N_("Delete"), "delete", mutates=True, title=N_("Delete this record"),
               description=N_("For good: it leaves every segment that holds it (asks first)"), show=False),
        Action("reload", N_("Reload"), "r", show=False, palette=False),
    )
    BINDINGS = ACTIONS.bindings()

    def __init__(self, object_type: str, record_id: int) -> None:
        super().__init__()
        self.object_type = object_type
        self.record_id = record_id
        self.names = list(properties(object_type))
        self.edited = ""
        self.other = OTHER[object_type]
        self.linked: list[int] = []  # the associated records' ids, in the table's order

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="record-title")
        with Horizontal(id="record-body"):
            with Vertical(id="record-left"):
                yield DataTable(id="properties", cursor_type="row", zebra_stripes=True)
            with Vertical(id="record-right"):
                yield Label(_("Member of"), classes="section-title")
                yield DataTable(id="record-segments", cursor_type="row", show_cursor=False, show_header=False)
                yield Label("", id="associations-title", classes="section-title")
                yield DataTable(id="record-associations", cursor_type="row", show_header=False)
                with VerticalScroll(id="record-why-box"):
                    yield Static(id="record-why")
        yield Static("", id="edit-note")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        props = self.query_one("#properties", DataTable)
        # as wide as the built-in labels in the language, up to LABEL_MOST (a longer label wraps): the
        # value the rest; a longer label or value wraps, never cut (English: 18 and 28; French: 21 and 25)
        registry = properties(self.object_type)
        label_width = widest((property_label(p) for p in registry.values() if p.builtin), least=18, most=LABEL_MOST)
        props.add_column(_("Property"), width=label_width)
        props.add_column(_("Value"), width=PROPERTIES_WIDTH - label_width)
        self.reload()
        props.focus()

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "make_primary" and self.object_type != "contacts":
            return False  # a company has no primary contact
        return super().check_action(action, parameters)

    def palette_commands(self):
        return self.ACTIONS.commands(self, hidden=frozenset() if self.object_type == "contacts"
                                     else frozenset({"make_primary"}))

    def reload(self) -> None:
        self.read_core(self.show_record, failed=self.gone)

    def gone(self, exc: SegtuiError) -> None:
        self.notify(str(exc), severity="warning")
        if self.app.screen is self:
            self.app.pop_screen()

    def show_record(self) -> None:
        record = records.get_record(self.object_type, self.record_id)
        registry = properties(self.object_type)
        key = getattr(record, key_property(self.object_type).name)
        name = record_name(self.object_type, record)
        name_title(self, "{name}", key)
        title = Text.assemble((per_object(self.object_type, _("Contact"), _("Company")) + "  ", "bold"),
                              literal(key, "bold"))
        if name:
            title.append("  ")
            title.append(literal(name))
        title.append("\n" + _("Last updated {moment}").format(moment=moment(record.updated_at, self.app.ctx.tz)),
                     style="dim")
        self.query_one("#record-title", Static).update(title)

        props = self.query_one("#properties", DataTable)
        label_width = props.ordered_columns[0].width
        row = props.cursor_row
        props.clear()
        for prop_name in self.names:
            prop = registry[prop_name]
            value = format_value(prop, value_of(record, prop), tz=self.app.ctx.tz, labels=True)
            props.add_row(property_label(prop),
                          wrapping(value, PROPERTIES_WIDTH - label_width) if value
                          else Text(_("unknown"), style="dim italic"),
                          key=prop_name, height=None)
        props.move_cursor(row=min(row, len(self.names) - 1), animate=False)

        segs = self.query_one("#record-segments", DataTable)
        segs.clear(columns=True)
        # the column as wide as the panel: a long name wraps instead of leaving the screen or being cut
        width = max(20, self.size.width - 52 - 5)
        segs.add_column(_("Segment"), width=width)
        found = records.segments_of(self.object_type, self.record_id)
        for seg in found:
            badge = type_badge(seg.type)
            segs.add_row(Text.assemble(badge, " ", wrapping(seg.name, width - badge.cell_len - 1)), key=str(seg.id),
                         height=None)
        if not found:
            segs.add_row(Text(_("no segment"), style="dim italic"))
        self.show_associations()
        self.show_why()
        self.show_note()

    def show_associations(self) -> None:
        table = self.query_one("#record-associations", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        width = max(20, self.size.width - 52 - 5)  # as the segments' column
        table.add_column(_("Record"), width=width)
        found, total = associations.associated(self.object_type, self.record_id)
        self.linked = [record.id for record, _primary in found]
        for record, primary in found:
            key = getattr(record, key_property(self.other).name)
            name = record_name(self.other, record)
            text = Text((_("primary") + " ") if primary else "", style="bold green")
            text.append_text(wrapping(key, width, limit=50))  # whole: on the next line, or wrapped, where too long
            if name:
                text.append("  ")
                text.append_text(wrapping(name, width, "dim", limit=40))
            table.add_row(text, key=str(record.id), height=None)
        if not found:
            table.add_row(Text(per_object(self.other, _("no associated contact"), _("no associated company")),
                               style="dim italic"))
        elif total > len(found):
            table.add_row(Text(_("… and {n} more").format(n=number(total - len(found))), style="dim italic"))
        else:
            table.move_cursor(row=min(max(row, 0), len(found) - 1), animate=False)
        keys = (_("a add · x remove · p primary · Enter open") if self.object_type == "contacts"
                else _("a add · x remove · Enter open"))
        heading = per_object(self.other, _("Associated contacts ({n})"), _("Associated companies ({n})"))
        title = Text(heading.format(n=number(total)), style="bold")
        hint = "  " + (keys if not self.app.ctx.read_only else _("Enter open"))
        if title.cell_len + cell_len(hint) <= self.size.width - 52 - 2:  # else left out, never cut: the footer has them
            title.append(hint, style="dim")
        self.query_one("#associations-title", Label).update(title)

    def chosen_association(self) -> int | None:
        table = self.query_one("#record-associations", DataTable)
        if not 0 <= table.cursor_row < len(self.linked):
            return None
        return self.linked[table.cursor_row]

    @on(DataTable.RowSelected, "#record-associations")
    def open_associated(self) -> None:
        other_id = self.chosen_association()
        if other_id is not None:
            self.app.push_screen(RecordScreen(self.other, other_id))

    def action_associate(self) -> None:
        title = per_object(self.other, _("Associate contacts with this company"),
                           _("Associate companies with this contact"))
        self.app.push_screen(RecordPicker(self.other, title, several=True, confirm_label=_("Associate")),
                             self.associate_chosen)

    def associate_chosen(self, chosen: list[int] | None) -> None:
        if not chosen:
            return
        ctx, object_type, record_id = self.app.ctx, self.object_type, self.record_id
        self.run_core(lambda: associations.associate_many(ctx, object_type, record_id, chosen),
                      done=self.linked_changed, group="associate")

    def action_dissociate(self) -> None:
        other_id = self.chosen_association()
        if other_id is None:
            self.notify(per_object(self.other, _("Highlight an associated contact first (Tab moves to the list)."),
                                   _("Highlight an associated company first (Tab moves to the list).")),
                        severity="warning", timeout=4)
            return
        table = self.query_one("#record-associations", DataTable)
        shown = table.get_row_at(table.cursor_row)[0].plain
        body = per_object(
            self.object_type,
            _("{shown} will no longer be associated with this contact. Segments with association filters follow at "
              "once; a removed association can be added again."),
            _("{shown} will no longer be associated with this company. Segments with association filters follow at "
              "once; a removed association can be added again.")).format(shown=shown)
        self.app.push_screen(ConfirmModal(_("Remove the association?"), body, _("Remove")),
                             lambda yes: yes and self.dissociate(other_id))

    def dissociate(self, other_id: int) -> None:
        ctx, object_type, record_id = self.app.ctx, self.object_type, self.record_id
        self.run_core(lambda: associations.dissociate_records(ctx, object_type, record_id, other_id),
                      done=self.linked_changed, group="associate")

    def action_make_primary(self) -> None:
        if self.object_type != "contacts":
            self.notify(_("Only a contact has a primary company."), severity="warning", timeout=4)
            return
        other_id = self.chosen_association()
        if other_id is None:
            self.notify(_("Highlight an associated company first (Tab moves to the list)."), severity="warning",
                        timeout=4)
            return
        ctx, record_id = self.app.ctx, self.record_id
        self.run_core(lambda: associations.make_primary(ctx, record_id, other_id), done=self.linked_changed,
                      group="associate")

    def linked_changed(self, sentence: str) -> None:
        self.edited = printable(sentence, limit=400)
        self.notify(self.edited, title=_("Associations"))
        self.reload()

    def show_why(self) -> None:
        """For each segment, when and how the record joined; then the segments it left."""
        tz = self.app.ctx.tz
        stays = why.stays(self.app.ctx, self.object_type, self.record_id)
        text = Text()
        past_title = False
        for stay in stays:
            if not stay.current and not past_title:
                text.append(_("Past memberships") + "\n", style="bold")
                past_title = True
            elif stay.current and not text:
                text.append(_("Why it is here") + "\n", style="bold")
            text.append_text(type_badge(stay.segment.type))
            text.append(" ")
            text.append_text(literal(stay.segment.name, "bold", limit=60))
            for sentence in (stay.join_sentence(tz), stay.leave_sentence(tz), stay.match_sentence()):
                if sentence:
                    text.append("\n  " + printable(sentence, limit=400))
            text.append("\n")
        self.query_one("#record-why", Static).update(text)

    def show_note(self) -> None:
        self.query_one("#edit-note", Static).update(Text(self.edited))

    def action_edit(self) -> None:
        props = self.query_one("#properties", DataTable)
        if not 0 <= props.cursor_row < len(self.names):
            return
        prop = properties(self.object_type)[self.names[props.cursor_row]]
        record = self.read_core(lambda: records.get_record(self.object_type, self.record_id))
        if record is None:
            return
        value = value_of(record, prop)
        # a day as the language types it (31/12/2026 in French), as the dialog reads it back
        current = shown_day(value, self.app.ctx) if prop.type == DATE and value else \
            format_value(prop, value, tz=self.app.ctx.tz)
        self.app.push_screen(EditPropertyModal(self.object_type, self.record_id, prop, current), self.saved)

    @on(DataTable.RowSelected, "#properties")
    def row_chosen(self) -> None:
        self.action_edit()

    def saved(self, result) -> None:
        if not result:
            return
        prop, text, effect = result
        shown = printable(text, limit=60) if text else _("unknown")
        self.edited = _("Saved: {property} is now {value}. {effect}").format(
            property=property_label(prop), value=shown, effect=printable(effect, limit=300))
        self.notify(self.edited, title=_("Record saved"))
        self.reload()

    def action_reload(self) -> None:
        self.reload()

    def action_delete(self) -> None:
        """Confirm, naming the segments the record leaves, then delete it for good."""
        found = self.read_core(lambda: (records.get_record(self.object_type, self.record_id),
                                        records.memberships_of(self.object_type, self.record_id)),
                               failed=self.gone)
        if found is None:
            return
        record, held = found
        key = printable(getattr(record, key_property(self.object_type).name), limit=60)
        if held:
            names = ", ".join(quoted(printable(b.segment.name, limit=40)) for b in held[:8])
            if len(held) > 8:
                names = _n("{names} and {n} more", "{names} and {n} more", len(held) - 8, names=names)
            leaves = _n("It leaves {n} segment: {names}.", "It leaves {n} segments: {names}.", len(held), names=names)
        else:
            leaves = _("It belongs to no segment.")
        body = _("{leaves} Its properties are gone for good: this cannot be undone (the audit log keeps what "
                 "they were). The active segments that read those segments follow at once.").format(leaves=leaves)
        question = per_object(self.object_type, _("Delete contact {key} for good?"),
                              _("Delete company {key} for good?")).format(key=key)
        self.app.push_screen(ConfirmModal(question, body, _("Delete")),
                             lambda ok: self.delete_confirmed(key) if ok else None)

    def delete_confirmed(self, key: str) -> None:
        ctx = self.app.ctx

        def deleted(done) -> None:
            said = per_object(self.object_type, _("Deleted contact {key}. {effect}"), _("Deleted company {key}. {effect}"))
            self.notify(said.format(key=key, effect=printable(done.sentence(self.record_id), limit=300)),
                        title=_("Record deleted"))
            if self.app.screen is self:
                self.app.pop_screen()

        def not_deleted(exc: SegtuiError) -> None:
            self.notify(str(exc), title=_("Not deleted"), severity="error", timeout=10)
            self.reload()  # a record deleted meanwhile: the page goes back

        self.run_core(lambda: records.delete_record(ctx, self.object_type, self.record_id), done=deleted,
                      failed=not_deleted, group="delete")

    def action_back(self) -> None:
        self.app.pop_screen()
