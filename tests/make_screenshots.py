"""Regenerate screenshots/*.svg from demo data with a fixed clock.

    .venv/bin/python tests/make_screenshots.py        # every screenshot
    .venv/bin/python tests/make_screenshots.py fr     # only the French ones (screenshots/fr/)

Uses the same scenarios as the snapshot tests (tests/tui/test_snapshots.py), at 100x30; the
French ones are the help-centre article's flow, the console speaking French.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual._doc import take_svg_screenshot  # noqa: E402

from segtui import i18n  # noqa: E402
from segtui.core import db, demo  # noqa: E402
from segtui.core.clock import FixedClock  # noqa: E402
from segtui.core.context import Context  # noqa: E402
from segtui.tui.app import SegtuiApp  # noqa: E402
from tests.conftest import T0  # noqa: E402
from tests.tui.lived import give_history  # noqa: E402
from tests.tui.test_analysis_screens import SCREENS as ANALYSIS_SCREENS  # noqa: E402
from tests.tui.test_data_snapshots import SCREENS as DATA_SCREENS  # noqa: E402
from tests.tui.test_import_mapping_flows import HUBSPOT  # noqa: E402
from tests.tui.test_snapshots import SCREENS, keys, opened, scenario, settle  # noqa: E402

# issue 12: the demo's custom properties and association segments
SCREENS = {
    **SCREENS,
    "properties": scenario(keys("P")),
    "association_filter": scenario(opened("Companies with 3+ customers"), keys("e"), settle, keys("down", "e"), settle),
    "association_editor": scenario(opened("Contacts at software companies"), keys("e"), settle),
    "import_mapping": DATA_SCREENS["import_mapping"],
    "record_associations": DATA_SCREENS["record_associations"],
}

SHOTS = {
    "segments-list": "list",
    "segment-detail": "detail_records",
    "actions-menu": "actions_menu",
    "confirm-convert": "confirm_to_static",
    "settings-auto-conversion": "settings_active",
    "calendar": "calendar",
    "filter-editor": "editor_groups",
    "filter-form": "filter_form",
    "test-record": "test_record",
    "records-browser": "records_browser",
    "properties": "properties",
    "association-filter": "association_filter",
    "association-editor": "association_editor",
    "import-mapping": "import_mapping",
    "record-associations": "record_associations",
}
# the article's flow in French: the list, a segment, Actions, Convertir, Paramètres, the date picker
FRENCH_SHOTS = {
    "segments-list": "list",
    "segment-detail": "detail_records",
    "actions-menu": "actions_menu",
    "confirm-convert": "confirm_to_static",
    "settings-auto-conversion": "settings_active",
    "calendar": "calendar",
}
# on the demo data with one segment that has lived 120 days (tests/tui/lived.py)
ANALYSIS_SHOTS = {
    "size-chart": "analyze_year",
    "upcoming-conversions": "upcoming",
    "overlap": "overlap_three",
}


def main(only_french: bool = False) -> None:
    out = ROOT / "screenshots"
    out.mkdir(exist_ok=True)
    (out / "fr").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        database = db.open_database(str(Path(folder) / "demo.db"))
        ctx = Context(clock=FixedClock(T0), actor="alice", tz="Europe/Paris")
        demo.build(ctx, contacts=2000, seed=7)
        files = Path(folder) / "files"
        files.mkdir()
        (files / "hubspot.csv").write_text(HUBSPOT, encoding="utf-8")  # what the mapping screen shows
        for name, scenario in ({} if only_french else SHOTS).items():
            app = SegtuiApp(ctx, worker_interval=0, animations=False, files_dir=files)
            svg = take_svg_screenshot(app=app, terminal_size=(100, 30), run_before=SCREENS[scenario], title="segtui")
            (out / f"{name}.svg").write_text(svg, encoding="utf-8")
            print(f"wrote screenshots/{name}.svg")
        i18n.set_language("fr")
        try:
            for name, scenario in FRENCH_SHOTS.items():
                app = SegtuiApp(ctx, worker_interval=0, animations=False, files_dir=files)
                svg = take_svg_screenshot(app=app, terminal_size=(100, 30), run_before=SCREENS[scenario],
                                          title="segtui")
                (out / "fr" / f"{name}.svg").write_text(svg, encoding="utf-8")
                print(f"wrote screenshots/fr/{name}.svg")
        finally:
            i18n.set_language("en")
        database.close()
    if only_french:
        return
    with tempfile.TemporaryDirectory() as folder:
        database = db.open_database(str(Path(folder) / "lived.db"))
        clock = FixedClock(T0)
        ctx = Context(clock=clock, actor="alice", tz="Europe/Paris")
        demo.build(ctx, contacts=2000, seed=7)
        give_history(ctx, clock)
        for name, scenario in ANALYSIS_SHOTS.items():
            app = SegtuiApp(ctx, worker_interval=0, animations=False)
            svg = take_svg_screenshot(app=app, terminal_size=(100, 30), run_before=ANALYSIS_SCREENS[scenario],
                                      title="segtui")
            (out / f"{name}.svg").write_text(svg, encoding="utf-8")
            print(f"wrote screenshots/{name}.svg")
        database.close()


if __name__ == "__main__":
    main(only_french=sys.argv[1:] == ["fr"])
