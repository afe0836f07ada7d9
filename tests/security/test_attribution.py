"""Finding 10 of issue 10 (the smaller points not covered elsewhere): a conversion applied by
a console's background worker was recorded as done by that console's user, and the CLI's
stale-segment error used the console's words ("it has been reloaded"). The other small
points are in test_ssh_console.py (refused forwarding logged, a sentence for exec) and
test_files.py (escape sequences in file names)."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from segtui import worker
from segtui.cli import main
from segtui.core import conversions, schedule, segments
from segtui.core.models import AuditEntry, ConversionRecord
from segtui.tui.app import SegtuiApp

from .helpers import close_database


@pytest.mark.sqlite_only
def test_a_conversion_applied_by_a_consoles_worker_is_the_workers(ctx, clock, files_dir_for_app):
    segment, _ = segments.create(ctx, "Due today", "contacts", "active",
                                 {"groups": [{"filters": [{"property": "email", "operator": "is_known"}]}]})
    conversions.set_schedule(ctx, segment.id, schedule.Schedule(schedule.ON_DAY, day=ctx.today()),
                             expected_version=segments.get(segment.id).version)
    app = SegtuiApp(ctx, animations=False, worker_interval=0, files_dir=files_dir_for_app)

    async def scenario() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            app.start_tick()
            await app.workers.wait_for_complete()
            await pilot.pause()

    asyncio.run(scenario())
    record = ConversionRecord.get(ConversionRecord.segment == segment.id)
    assert record.actor == "worker (console of alice)" == worker.console_actor("alice")
    entry = AuditEntry.select().where(AuditEntry.segment_id == segment.id).order_by(AuditEntry.id.desc()).first()
    assert entry.actor == "worker (console of alice)"
    assert segments.get(segment.id).updated_by == "worker (console of alice)"


@pytest.fixture
def files_dir_for_app(tmp_path):
    return tmp_path / "files"


def test_the_cli_stale_error_does_not_say_it_reloaded_anything(ctx, database_url, monkeypatch, capsys):
    segment, _ = segments.create(ctx, "Webinar", "contacts", "static")
    real_get = segments.get

    def read_then_bob_renames(ref):
        found = real_get(ref)
        segments.rename(dataclasses.replace(ctx, actor="bob"), found.id, "Webinar (bob)")
        return found

    import segtui.cli as climod

    monkeypatch.setattr(climod.segments, "get", read_then_bob_renames)
    try:
        code = main(["--db", str(database_url), "segments", "rename", str(segment.id), "Webinar 2026"])
    finally:
        close_database()
    err = capsys.readouterr().err
    assert code == 1 and "reloaded" not in err
    assert "'Webinar (bob)' was changed by bob" in err and "while this command ran" in err
    assert "nothing was changed" in err
