"""Under NO_COLOR the console renders in monochrome and stays readable (type shown in words)."""

from __future__ import annotations

from .conftest import still_toasts
from .test_snapshots import SCREENS


def test_settings_without_colour(snap_compare, make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = still_toasts(make_app())
    assert app.no_color
    assert snap_compare(app, terminal_size=(80, 24), run_before=SCREENS["settings_active"])
