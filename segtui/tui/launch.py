"""Starting the console: refuse politely without a terminal, open the database, run."""

from __future__ import annotations

import sys

from ..core import db
from ..core.context import Context

NO_TTY = (
    "segtui: the console needs a terminal, and this session has none.\n"
    "  Over SSH, ask for one:   ssh -t HOST segtui\n"
    "  For scripts, use the subcommands instead (see: segtui --help)."
)


def has_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def launch(args, ctx: Context) -> int:
    if not has_terminal():
        print(NO_TTY, file=sys.stderr)
        return 2
    database = db.open_database(args.db)
    from .app import SegtuiApp

    app = SegtuiApp(ctx, worker_interval=args.worker_interval, db_label=db.describe(args.db or db.default_url()))
    try:
        app.run()
    finally:
        database.close()
    return app.return_code or 0
