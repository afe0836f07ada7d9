"""Command palette entries: every action of the screen on display, by its name."""

from __future__ import annotations

from textual.app import SystemCommand


def for_screen(app, screen):
    from .screens.create_segment import CreateSegmentScreen
    from .screens.deleted_segments import DeletedSegmentsScreen
    from .screens.edit_filters import EditFiltersScreen
    from .screens.record_page import RecordScreen
    from .screens.records_browser import RecordsBrowserScreen
    from .screens.segment_detail import SegmentDetailScreen
    from .screens.segments_list import SegmentsListScreen
    from .screens.record_test import RecordTestScreen
    from .widgets.filter_editor import FilterEditor

    from textual.screen import ModalScreen

    if isinstance(screen, ModalScreen):  # a dialog is answered first
        return
    writable = not app.ctx.read_only
    if isinstance(screen, SegmentsListScreen):
        yield SystemCommand("Search segments", "Filter the list by name", screen.action_search)
        yield SystemCommand("Filter by type", "All / Active / Static", screen.action_cycle_type)
        yield SystemCommand("Sort segments", "Cycle the sort column", screen.action_cycle_sort)
        yield SystemCommand("Reload segments", "Read the list again", screen.action_reload)
        if writable:
            yield SystemCommand("Delete", "Delete the highlighted segment (restorable for 90 days)",
                                screen.action_delete)
    if isinstance(screen, SegmentDetailScreen) and screen.segment is not None:
        for entry in screen.menu_entries():
            help_text = (f"Not available: {entry.reason or entry.blocked}" if entry.blocked
                         else f"Actions menu: {entry.label}")
            yield SystemCommand(entry.label, help_text, _runner(screen, entry))
        yield SystemCommand("Open the Actions menu", "The segment's actions", screen.action_actions)
        yield SystemCommand("Search segments", "Back to the list, in its search field", _search_from(app))
    if isinstance(screen, (CreateSegmentScreen, EditFiltersScreen)):
        editor = screen.query_one(FilterEditor)
        yield SystemCommand("Save", "Save the segment and its filters (ctrl+s)", screen.action_save)
        yield SystemCommand("Add filter", "A filter in the group under the cursor (n)", editor.action_add_filter)
        yield SystemCommand("Add group", "A new group, joined by OR (o)", editor.action_add_group)
        yield SystemCommand("Edit filter", "The filter under the cursor (e)", editor.action_edit)
        yield SystemCommand("Remove filter or group", "What is under the cursor (d)", editor.action_remove)
    if isinstance(screen, RecordTestScreen):
        yield SystemCommand("Test another record", "Pick another record (t)", screen.action_another)
    if isinstance(screen, DeletedSegmentsScreen) and writable:
        yield SystemCommand("Restore", "Bring the highlighted segment back", screen.action_restore)
    if isinstance(screen, RecordsBrowserScreen):
        yield SystemCommand("Search records", "By email, domain or name", screen.action_search)
        yield SystemCommand("Switch contacts / companies", "Browse the other object", screen.action_switch_object)
    if isinstance(screen, RecordScreen) and writable:
        yield SystemCommand("Edit property", "The highlighted property of this record", screen.action_edit)
    # reachable from every screen
    if writable and not isinstance(screen, CreateSegmentScreen):
        yield SystemCommand("Create segment", "Name, object, type and filters", app.action_create_segment)
    if not isinstance(screen, RecordsBrowserScreen):
        yield SystemCommand("Browse records", "Contacts and companies: search, open, edit", app.action_browse_records)
    from .screens.properties_screen import PropertiesScreen

    if not isinstance(screen, PropertiesScreen):
        yield SystemCommand("Properties", "Contact and company properties: create, edit, archive",
                            app.action_properties)
    if isinstance(screen, PropertiesScreen) and writable:
        yield SystemCommand("Create property", "A custom property (n)", screen.action_create)
        yield SystemCommand("Archive or restore property", "The highlighted one (a)", screen.action_archive)
    if not isinstance(screen, DeletedSegmentsScreen):
        yield SystemCommand("Recently deleted", "Segments deleted in the last 90 days", app.action_recently_deleted)
    if writable and not isinstance(screen, SegmentDetailScreen):
        yield SystemCommand("Import records", "Contacts or companies from a CSV file", app.action_import_records)


def _search_from(app):
    def run() -> None:
        from .screens.segments_list import SegmentsListScreen

        while not isinstance(app.screen, SegmentsListScreen) and len(app.screen_stack) > 1:
            app.pop_screen()
        app.screen.action_search()

    return run


def _runner(screen, entry):
    def run() -> None:
        if entry.blocked:
            screen.notify(entry.refusal, title="Not available", severity="warning", timeout=8)
        else:
            screen.run_action_by_name(entry.action)

    return run
