"""Starting the console: refuse politely without a terminal, open the database, run."""

from __future__ import annotations

import sys
import time

from ..core import db, files
from ..core.context import Context
from ..core.errors import DatabaseProblem
from ..i18n import N_, _, decimal

NO_TTY = N_(
    "segtui: the console needs a terminal, and this session has none.\n"
    "  Over SSH, ask for one:   ssh -t HOST segtui\n"
    "  For scripts, use the subcommands instead (see: segtui --help)."
)
# a database that is locked or a server that is restarting: try for a minute
OPEN_ATTEMPTS = 12
OPEN_RETRY_SECONDS = 5.0


def has_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def open_with_retries(url: str, *, attempts: int = OPEN_ATTEMPTS, wait: float = OPEN_RETRY_SECONDS,
                      sleep=time.sleep):
    """Open the database; while the trouble may pass (locked, server unreachable), say so and retry.

    Anything else (newer schema, no such database, bad URL) is raised at once.
    """
    for attempt in range(1, attempts + 1):
        try:
            return db.open_database(url)
        except DatabaseProblem as exc:
            if not exc.retryable or attempt == attempts:
                raise
            print(_("segtui: {message}\n  Trying again in {seconds} s (attempt {attempt} of {attempts}); "
                    "Ctrl+C gives up.").format(message=exc.message, seconds=decimal(wait, 3), attempt=attempt + 1,
                                                attempts=attempts), file=sys.stderr, flush=True)
            sleep(wait)
    raise AssertionError("unreachable")


def launch(args, ctx: Context) -> int:
    if not has_terminal():
        print(_(NO_TTY), file=sys.stderr)
        return 2
    url = db.resolve_url(args.db)
    if ctx.read_only:  # a viewer's console cannot fill a new database: the --db is a typo
        db.require_existing(url)
    database = open_with_retries(url)
    reason = db.read_only_reason(database)
    ctx = ctx.for_database(reason)  # a read-only file: the console shows, changes nothing
    from .app import SegtuiApp

    label = _("{database} (read-only)").format(database=db.describe(url)) if reason else db.describe(url)
    files_dir = None if ctx.read_only else files.prepare_folder(args.files_dir)
    app = SegtuiApp(ctx, worker_interval=args.worker_interval, db_label=label, db_url=url, files_dir=files_dir)
    try:
        app.run()
    finally:
        database.close()
    return app.return_code or 0
