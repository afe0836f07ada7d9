"""Command palette entries: every action of the screen on display, by its name."""

from __future__ import annotations

from textual.app import SystemCommand


def for_screen(app, screen):
    from .screens.segment_detail import SegmentDetailScreen
    from .screens.segments_list import SegmentsListScreen

    if isinstance(screen, SegmentsListScreen):
        yield SystemCommand("Search segments", "Filter the list by name", screen.action_search)
        yield SystemCommand("Filter by type", "All / Active / Static", screen.action_cycle_type)
        yield SystemCommand("Sort segments", "Cycle the sort column", screen.action_cycle_sort)
        yield SystemCommand("Reload segments", "Read the list again", screen.action_reload)
    if isinstance(screen, SegmentDetailScreen) and screen.segment is not None:
        for entry in screen.menu_entries():
            help_text = f"Not available: {entry.blocked}" if entry.blocked else f"Actions menu: {entry.label}"
            yield SystemCommand(entry.label, help_text, _runner(screen, entry))
        yield SystemCommand("Open the Actions menu", "The segment's actions", screen.action_actions)
        yield SystemCommand("Search segments", "Back to the list, in its search field", _search_from(app))


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
            screen.notify(f"{entry.label}: {entry.blocked}.", title="Not available", severity="warning", timeout=8)
        else:
            screen.run_action_by_name(entry.action)

    return run
