"""The arrows point down: the engine, the worker and the CLI commands never import Textual."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import segtui

PROBE = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys
    import segtui.core
    names = sorted(m.name for m in pkgutil.walk_packages(segtui.core.__path__, "segtui.core."))
    for name in names:
        importlib.import_module(name)
    import segtui.worker, segtui.cli
    after_import = "textual" in sys.modules
    from segtui.cli import main
    codes = [main(["--db", sys.argv[1], *args]) for args in
             (["demo", "--contacts", "20"], ["segments", "list"], ["worker", "--once"])]
    print(json.dumps({"modules": names, "after_import": after_import, "codes": codes,
                      "textual": sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))}))
    """
)


def test_core_worker_and_cli_leave_textual_out(tmp_path):
    env = {"SEGTUI_NOW": "2026-11-26T10:30:00+01:00", "SEGTUI_TZ": "Europe/Paris", "SEGTUI_ACTOR": "probe",
           "PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(segtui.__file__).parents[1])}
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "layers.db")], capture_output=True,
                          text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert {"segtui.core.filters", "segtui.core.conversions", "segtui.core.db", "segtui.core.records"} <= set(report["modules"])
    assert report["codes"] == [0, 0, 0]
    assert report["after_import"] is False
    assert report["textual"] == []
