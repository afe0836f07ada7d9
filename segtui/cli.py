"""The ``segtui`` command. Textual is imported only when the console starts."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time

import peewee

from . import cli_analysis, cli_data, config, i18n
from .core import check, conversions, dates, db, demo, describe, filters, membership, records, schedule, segments, store
from .core.clock import clock_from_env, resolve_timezone
from .core.context import Context, default_actor
from .core.display import format_value, printable
from .core.errors import DatabaseProblem, InvalidInput, SegtuiError, StaleSegment
from .core.properties import SINGULAR, key_property, properties

EPILOG = """\
SEGMENT is an id or an exact name. Environment: SEGTUI_DB (database), SEGTUI_TZ (account
time zone), SEGTUI_NOW (run as if at this ISO 8601 moment). Exit codes: 0 success, 2 bad
usage or bad input, 1 other failures.
"""


class UsageError(InvalidInput):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message):
        # main() prints "segtui: " in front of every error: name the subcommand only
        where = self.prog.removeprefix("segtui").strip()
        raise UsageError(f"{where}: {message}" if where else message)


def segment_id(text: str) -> int:
    """An id argument: ASCII digits within 64 bits, else a sentence (exit 2)."""
    if not store.is_id_text(text) or not 1 <= int(text) <= store.MAX_ID:
        raise argparse.ArgumentTypeError(f"{printable(text)!r} is not a segment id (a whole number from 1 to "
                                         f"{store.MAX_ID})")
    return int(text)


def build_parser() -> Parser:
    parser = Parser(prog="segtui", description="Manage CRM segments from the terminal.", epilog=EPILOG,
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="SQLite path or database URL (sqlite:///..., postgresql://...)")
    parser.add_argument("--lang", metavar="LANG",
                        help="the language to speak: en or fr (default: SEGTUI_LANG, else LC_ALL, LC_MESSAGES, "
                             "LANG, else English)")
    parser.add_argument("--tz", help="account time zone, e.g. Europe/Paris (default: the system's)")
    parser.add_argument("--actor", help="who acts (default: the SSH user, else the OS user)")
    parser.add_argument("--read-only", action="store_true", help="open the console without the right to change anything")
    parser.add_argument("--worker-interval", type=float, default=config.WORKER_INTERVAL_SECONDS, metavar="SECONDS",
                        help="console: seconds between background worker ticks, 0 turns it off (default 30)")
    parser.add_argument("--files-dir", metavar="FOLDER",
                        help="console: the only folder its imports and exports use (default: files/ in the "
                             "user data folder)")
    sub = parser.add_subparsers(dest="command", parser_class=Parser)

    p = sub.add_parser("demo", help="fill the database with demo records and segments")
    p.add_argument("--contacts", type=int, default=2000)
    p.add_argument("--seed", type=int, default=7)

    cli_data.add_import_parser(sub)

    p = sub.add_parser("export", help="export a segment's members to CSV (a new file)")
    p.add_argument("segment")
    p.add_argument("file")
    p.add_argument("--force", action="store_true", help="replace an existing file (a symlink is replaced, not followed)")
    p.add_argument("--raw", action="store_true",
                   help="write cells as stored: no ' before a cell a spreadsheet would run as a formula")
    cli_data.add_export_arguments(p)

    cli_data.add_properties_parser(sub, Parser)

    seg = sub.add_parser("segments", help="list, show, create and change segments")
    ssub = seg.add_subparsers(dest="action", required=True, parser_class=Parser)
    p = ssub.add_parser("list")
    p.add_argument("--type", choices=["active", "static"])
    p.add_argument("--search", default="")
    p.add_argument("--json", action="store_true")
    p = ssub.add_parser("show")
    p.add_argument("segment")
    p.add_argument("--json", action="store_true")
    p = ssub.add_parser("create")
    p.add_argument("name")
    p.add_argument("--object", required=True, choices=["contacts", "companies"])
    p.add_argument("--type", required=True, choices=["active", "static"])
    p.add_argument("--filters", metavar="FILE.json")
    for verb in ("add", "remove"):
        p = ssub.add_parser(verb, help=f"{verb} records by hand (static segments)")
        p.add_argument("segment")
        p.add_argument("keys", nargs="+", metavar="EMAIL_OR_DOMAIN")
    p = ssub.add_parser("filters", help="replace a segment's filters")
    p.add_argument("segment")
    p.add_argument("file", metavar="FILE.json")
    p = ssub.add_parser("rename")
    p.add_argument("segment")
    p.add_argument("name")
    p = ssub.add_parser("clone")
    p.add_argument("segment")
    p.add_argument("--name")
    p = ssub.add_parser("delete")
    p.add_argument("segment")
    p = ssub.add_parser("restore")
    p.add_argument("id", type=segment_id)
    p = ssub.add_parser("deleted", help="segments deleted in the last 90 days")
    p.add_argument("--json", action="store_true")
    p = ssub.add_parser("refresh", help="re-evaluate an active segment now")
    p.add_argument("segment")

    rec = sub.add_parser("records", help="show and change contacts and companies")
    rsub = rec.add_subparsers(dest="action", required=True, parser_class=Parser)
    p = rsub.add_parser("set", help="set properties of one record; the active segments reading them follow at once")
    p.add_argument("object_type", choices=["contacts", "companies"])
    p.add_argument("key", metavar="KEY", help="email (contacts), domain (companies) or id")
    p.add_argument("values", nargs="+", metavar="PROPERTY=VALUE", help="an empty VALUE makes it unknown")
    p = rsub.add_parser("delete", help="delete one record for good; it leaves every segment that held it")
    p.add_argument("object_type", choices=["contacts", "companies"])
    p.add_argument("key", metavar="KEY", help="email (contacts), domain (companies) or id")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p = rsub.add_parser("show", help="a record's properties and segments (when and why it joined each)")
    p.add_argument("object_type", choices=["contacts", "companies"])
    p.add_argument("key", metavar="KEY", help="email (contacts), domain (companies) or id")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("check", help="recompute every active segment and compare with the stored membership")
    p.add_argument("--repair", action="store_true", help="put any drift right (full refresh, size, log)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("convert", help="convert a segment now (prints the preview first)")
    p.add_argument("segment")
    p.add_argument("--to", required=True, choices=["static", "active"])
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    p = sub.add_parser("schedule", help="automatic conversion to static")
    p.add_argument("segment")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--never", action="store_true")
    group.add_argument("--on", metavar="DAY",
                       help="2026-12-31, the locale's form (31/12/2026 or 12/31/2026), today, tomorrow, "
                            "'in 2 weeks', 'next monday'")
    group.add_argument("--after", nargs=2, metavar=("N", "UNIT"), help="e.g. 30 days, 1 month, 2 weeks")

    p = sub.add_parser("worker", help="apply due conversions and refresh segments (headless)")
    p.add_argument("--once", action="store_true")
    p.add_argument("--interval", type=float, default=config.WORKER_INTERVAL_SECONDS)

    p = sub.add_parser(
        "serve", help="an SSH server giving each person a console (needs the 'serve' extra)",
        description="Serve the console over SSH: public keys only, one console per session, each with\n"
                    "the actor and role (admin or viewer) of its key. The consoles use --db, --tz,\n"
                    "--read-only and --worker-interval given before 'serve'.",
        epilog="The authorized-keys file has one person per line: ROLE NAME PUBLIC-KEY, e.g.\n"
               "  admin   alice  ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... alice@laptop\n"
               "  viewer  bob    ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... bob@desk",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default=config.SERVE_HOST, help=f"address to listen on (default {config.SERVE_HOST})")
    p.add_argument("--port", type=int, default=config.SERVE_PORT,
                   help=f"port to listen on, 0 for any free one (default {config.SERVE_PORT})")
    p.add_argument("--authorized-keys", metavar="FILE",
                   help="who may log in (default: authorized_keys in the user config folder)")
    p.add_argument("--host-key", metavar="FILE",
                   help="the server's private key, made on first run (default: in the user data folder)")
    p.add_argument("--max-sessions", type=int, default=config.SERVE_MAX_SESSIONS, metavar="N",
                   help=f"consoles at once (default {config.SERVE_MAX_SESSIONS})")
    p.add_argument("--idle-timeout", type=float, default=config.SERVE_IDLE_TIMEOUT_SECONDS, metavar="SECONDS",
                   help="close a session after this long without a key press, 0 for never "
                        f"(default {config.SERVE_IDLE_TIMEOUT_SECONDS:g})")
    p.add_argument("--max-memory", type=int, default=config.SERVE_MAX_MEMORY_MB, metavar="MB",
                   help=f"address space of each console process, 0 for no limit (default {config.SERVE_MAX_MEMORY_MB})")
    top, seg = cli_analysis.register(sub, ssub, Parser)
    COMMANDS.update(top)
    SEGMENT_ACTIONS.update(seg)
    return parser


def make_context(args) -> Context:
    actor = args.actor or config.env(config.ENV_ACTOR) or default_actor()
    return Context(clock=clock_from_env(), actor=actor, tz=resolve_timezone(args.tz), read_only=args.read_only,
                   date_order=dates.date_order())


def out(text: str = "") -> None:
    print(text, flush=True)


def main(argv: list[str] | None = None) -> int:
    try:
        return run(argv)
    except StaleSegment as exc:  # the console reloads what it shows; a command does not
        print(f"segtui: {exc.for_command_line()}", file=sys.stderr)
        return exc.exit_code
    except SegtuiError as exc:
        print(f"segtui: {exc}", file=sys.stderr)
        return exc.exit_code
    except peewee.PeeweeException as exc:  # one the command did not expect: still a sentence
        print(f"segtui: {db.explain(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def run(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    for arg in argv:
        if any(0xDC80 <= ord(c) <= 0xDCFF for c in arg):
            raise UsageError(f"an argument is not valid UTF-8 text: {arg.encode('utf-8', 'backslashreplace').decode()!r}")
    choose_language(argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    ctx = make_context(args)
    if args.command is None:
        from .tui.launch import launch  # the only place the CLI reaches for Textual

        return launch(args, ctx)
    url = db.resolve_url(args.db)
    if reads_only(args):
        db.require_existing(url)
    database = db.open_database(url)
    ctx = ctx.for_database(db.read_only_reason(database))
    handler = COMMANDS[args.command]
    try:
        return handler(args, ctx) or 0
    except peewee.PeeweeException as exc:
        raise DatabaseProblem(db.explain(exc, url)) from None


def choose_language(argv: list[str]) -> None:
    """Speak the language asked for before anything is said (the parser's help included)."""
    given = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            given = argv[i + 1]
        elif arg.startswith("--lang="):
            given = arg.removeprefix("--lang=")
    try:
        i18n.set_language(i18n.resolve(given))
    except i18n.UnknownLanguage as exc:
        raise UsageError("--lang: {problem}", problem=str(exc)) from None


READING_COMMANDS = {"export", ("segments", "list"), ("segments", "show"), ("segments", "deleted")}


def reads_only(args) -> bool:
    """A command that only reads: it must not create a database where none is (a typo in --db)."""
    return args.command in READING_COMMANDS or (args.command, getattr(args, "action", None)) in READING_COMMANDS


def cmd_demo(args, ctx: Context) -> int:
    if args.contacts < 1 or args.contacts > 2_000_000:
        raise InvalidInput("--contacts must be between 1 and 2,000,000")
    if demo.has_data():
        out("The database already holds records: the demo data is not added twice.")
        return 0
    ctx.require_write("adding the demo data")
    n_contacts, n_companies, names = demo.build(ctx, contacts=args.contacts, seed=args.seed)
    out(f"Demo data: {n_contacts:,} contacts, {n_companies:,} companies, {len(names)} segments.")
    return cmd_segments_list(argparse.Namespace(type=None, search="", json=False), ctx)


def cmd_export(args, ctx: Context) -> int:
    count = records.export_members(args.segment, args.file, overwrite=args.force, raw=args.raw, headers=args.headers,
                                   tz=ctx.tz)
    out(f"Exported {count:,} members to {printable(os.path.abspath(args.file))}.")
    return 0


NAME_WIDTH = 40


def _cap(text: str, width: int = NAME_WIDTH) -> str:
    """One long name must not widen every row: cut it with an ellipsis (--json keeps it whole)."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines)


def to_json(data) -> str:
    """Readable UTF-8 JSON in which no control character reaches the terminal raw."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return printable(text, keep="\n")


def cmd_segments_list(args, ctx: Context) -> int:
    rows = cli_analysis.list_rows(args, ctx)  # --unused DAYS, --folder FOLDER
    if rows is None:
        rows, offset = [], 0
        while True:
            page = segments.list_page(type=args.type, search=args.search, offset=offset, limit=1000)
            rows.extend(page.rows)
            offset += len(page.rows)
            if not page.rows or offset >= page.total:
                break
    if args.json:
        out(to_json(cli_analysis.list_json(rows, ctx)))
        return 0
    if not rows and getattr(args, "unused", None) is not None:
        out(f"No segment is unused and unchanged for {args.unused} days.")
        return 0
    if not rows and getattr(args, "folder", None):
        out(f"No segments in folder {printable(args.folder)!r}.")
        return 0
    if not rows and (args.search or args.type):
        what = f"{args.type} segment" if args.type else "segment"
        out(f"No {what} matches {printable(args.search)!r}." if args.search else f"No {what}s.")
        return 0
    if not rows:
        out("No segments yet. Create one with: segtui segments create NAME --object contacts --type active --filters FILE.json")
        return 0
    table = [
        [str(s.id), _cap(printable(s.name)), s.type.capitalize(), s.object_type, f"{s.size:,}",
         ctx.local(s.last_activity_at).format(config.MINUTE), describe.schedule_summary(s, ctx) or "-",
         "error" if s.refresh_error else ""]
        for s in rows
    ]
    out(_table(table, ["ID", "NAME", "TYPE", "OBJECT", "SIZE", "LAST ACTIVITY", "AUTO-CONVERSION", ""]))
    return 0


def cmd_segments_show(args, ctx: Context) -> int:
    segment = segments.get(args.segment)
    data = describe.segment_json(segment, ctx)
    if args.json:
        out(to_json(data))
        return 0
    out(f"{printable(segment.name)}  [{segment.type.capitalize()}]  {segment.object_type}  #{segment.id}")
    if segment.description:
        out(f"  description:     {printable(segment.description)}")
    if data["folder"]:
        out(f"  folder:          {printable(data['folder'])}")
    out(f"  size:            {segment.size:,}")
    out(f"  last activity:   {ctx.local(segment.last_activity_at).format(config.MINUTE_ZONE)}")
    out(f"  created:         {ctx.local(segment.created_at).format(config.MINUTE)} by {printable(segment.created_by)}")
    out(f"  updated:         {ctx.local(segment.updated_at).format(config.MINUTE)} by {printable(segment.updated_by)}")
    out("  filters:" + ("" if data["filters_readable"] else "         none"))
    for i, group in enumerate(data["filters_readable"]):
        prefix = "    " if i == 0 else "    OR "
        out(prefix + " AND ".join(printable(t) for t in group))
    if segment.type == "static" and data["filters_readable"]:
        out("    (read-only: used when converting to active)")
    out(f"  auto-conversion: {data['schedule']['explanation']}")
    if segment.refresh_error:
        out(f"  refresh error:   {printable(segment.refresh_error)}")
    for c in data["conversions"]:
        due = f", due {c['due_at']}" if c["due_at"] else ""
        out(f"  converted {c['direction'].replace('_', ' ')} at {c['converted_at']}{due} ({c['trigger']}, by {printable(c['actor'])})")
    return 0


def _read_filters(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            return filters.parse_json(handle.read())
    except FileNotFoundError:
        raise InvalidInput(f"No filters file at {printable(path)}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"Cannot read {printable(path)}: {printable(getattr(exc, 'strerror', None) or exc)}") from None


def cmd_segments_create(args, ctx: Context) -> int:
    tree = _read_filters(args.filters) if args.filters else None
    segment, diff = segments.create(ctx, args.name, args.object, args.type, tree)
    out(f"Created {segment.type} segment #{segment.id} '{printable(segment.name)}' with {segment.size:,} members.")
    return 0


def _keys_change(args, ctx: Context, change) -> int:
    segment = segments.get(args.segment)
    ids = membership.resolve_keys(segment.object_type, args.keys)
    diff = change(ctx, segment.id, ids, expected_version=segment.version)
    verb = "Added" if change is membership.add_records else "Removed"
    count = diff.added or diff.removed
    out(f"{verb} {count} record(s); {segment.name!r} now has {membership.segment_size(segment.id):,} members.")
    return 0


def cmd_segments_add(args, ctx):
    return _keys_change(args, ctx, membership.add_records)


def cmd_segments_remove(args, ctx):
    return _keys_change(args, ctx, membership.remove_records)


def cmd_segments_filters(args, ctx):
    segment = segments.get(args.segment)
    updated, diff = segments.update_filters(ctx, segment.id, _read_filters(args.file),
                                            expected_version=segment.version)
    effect = f" (+{diff.added:,} added, -{diff.removed:,} removed)" if updated.type == "active" else \
        " (static: stored for a later conversion to active)"
    out(f"Saved the filters of {updated.name!r}{effect}.")
    return 0


def cmd_segments_rename(args, ctx):
    current = segments.get(args.segment)
    segment = segments.rename(ctx, current.id, args.name, expected_version=current.version)
    out(f"Renamed segment #{segment.id} to {segment.name!r}.")
    return 0


def cmd_segments_clone(args, ctx):
    copy = segments.clone(ctx, segments.get(args.segment).id, args.name)
    out(f"Created #{copy.id} {copy.name!r} ({copy.type}, {copy.size:,} members).")
    return 0


def cmd_segments_delete(args, ctx):
    current = segments.get(args.segment)
    segment = segments.delete(ctx, current.id, expected_version=current.version)
    out(f"Deleted {segment.name!r}; restore it within 90 days with: segtui segments restore {segment.id}")
    return 0


def cmd_segments_restore(args, ctx):
    segment = segments.restore(ctx, args.id)
    out(f"Restored {segment.name!r}.")
    return 0


def cmd_segments_deleted(args, ctx):
    rows = segments.deleted(ctx)
    if args.json:
        out(to_json([{**describe.list_row(s, ctx), "deleted_at": describe.iso(s.deleted_at),
                      "deleted_by": s.deleted_by} for s in rows]))
        return 0
    if not rows:
        out("No segment was deleted in the last 90 days.")
        return 0
    out(_table([[str(s.id), _cap(printable(s.name)), s.object_type, ctx.local(s.deleted_at).format(config.MINUTE),
                 printable(s.deleted_by or "")] for s in rows], ["ID", "NAME", "OBJECT", "DELETED", "BY"]))
    return 0


def cmd_segments_refresh(args, ctx):
    segment = segments.get(args.segment)
    if segment.type != "active":
        raise InvalidInput(f"{segment.name!r} is static: only active segments follow their filters")
    diff = membership.refresh(ctx, segment.id)
    out(f"Refreshed {segment.name!r}: +{diff.added:,} added, -{diff.removed:,} removed.")
    return 0


def _property_values(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InvalidInput(f"{pair!r} is not PROPERTY=VALUE (an empty value makes the property unknown)")
        if name.strip() in values:
            raise InvalidInput(f"{name.strip()} is given twice")
        values[name.strip()] = value
    return values


def cmd_records_set(args, ctx: Context) -> int:
    values = _property_values(args.values)
    record = records.find_record(args.object_type, args.key)
    updated, done = records.set_properties(ctx, args.object_type, record.id, values)
    registry = properties(args.object_type)
    shown = ", ".join(f"{n} = {printable(format_value(registry[n], getattr(updated, n))) or '(unknown)'}"
                      for n in values)
    out(f"Saved {shown}. {done.sentence(record.id)}")
    return 0


def cmd_records_delete(args, ctx: Context) -> int:
    record = records.find_record(args.object_type, args.key)
    key = printable(getattr(record, key_property(args.object_type).name))
    held = records.memberships_of(args.object_type, record.id)
    out(f"Delete {SINGULAR[args.object_type]} {key} (#{record.id}) for good; it leaves "
        + (", ".join(repr(printable(b.segment.name)) for b in held) if held else "no segment") + ".")
    if not args.yes and not _confirm("Delete?", "deleting"):
        out("Nothing was changed.")
        return 1
    done = records.delete_record(ctx, args.object_type, record.id)
    out(f"Deleted {SINGULAR[args.object_type]} {key}. {done.sentence(record.id)}")
    return 0


def _record_json(object_type: str, record) -> dict:
    registry = properties(object_type)
    belongs = records.memberships_of(object_type, record.id)
    return {
        "id": record.id,
        "object_type": object_type,
        "properties": {n: _json_value(p, getattr(record, p.column)) for n, p in registry.items()},
        "updated_at": describe.iso(record.updated_at),
        "segments": [{"id": b.segment.id, "name": b.segment.name, "type": b.segment.type, "source": b.source,
                      "joined_at": describe.iso(b.joined_at), "reason": b.reason, "actor": b.actor}
                     for b in belongs],
    }


def _json_value(prop, value):
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    return format_value(prop, value)


def cmd_records_show(args, ctx: Context) -> int:
    record = records.find_record(args.object_type, args.key)
    data = _record_json(args.object_type, record)
    if args.json:
        out(to_json(data))
        return 0
    registry = properties(args.object_type)
    out(f"{SINGULAR[args.object_type]} #{record.id}  (updated {ctx.local(record.updated_at).format('YYYY-MM-DD HH:mm')})")
    for name, prop in registry.items():
        value = format_value(prop, getattr(record, prop.column), tz=ctx.tz, labels=True)
        out(f"  {name + ':':<20} {printable(value) if value else '(unknown)'}")
    out("segments:" + ("" if data["segments"] else " none"))
    for b in records.memberships_of(args.object_type, record.id):
        why = printable(b.reason or b.source) + (f" by {printable(b.actor)}" if b.actor else "")
        out(f"  #{b.segment.id} {printable(b.segment.name)} [{b.segment.type.capitalize()}]  "
            f"joined {ctx.local(b.joined_at).format('YYYY-MM-DD HH:mm')}: {why}")
    return 0


def cmd_check(args, ctx: Context) -> int:
    report = check.check(ctx, repair=args.repair)
    if args.json:
        out(to_json(report.as_json()))
        return 0 if report.clean else 1
    for segment_id, name in report.pending:
        out(f"#{segment_id} {printable(name)!r}: a full refresh is pending (the worker's next run)")
    for d in report.drifts:
        out(printable(d.sentence()))
    verdict = ("no drift" if not report.drifts else
               f"{len(report.drifts)} segment(s) repaired" if report.clean else
               f"{len(report.drifts)} segment(s) drifted: run 'segtui check --repair'")
    out(f"Checked {report.active:,} active and {report.static:,} static segment(s): {verdict}.")
    return 0 if report.clean else 1


def _confirm(question: str, doing: str = "converting") -> bool:
    if not sys.stdin or not sys.stdin.isatty():
        raise InvalidInput(f"Not {doing} without confirmation: run again with --yes")
    answer = input(f"{question} [y/N] ").strip().lower()
    return answer in ("y", "yes")


def cmd_convert(args, ctx: Context) -> int:
    segment = segments.get(args.segment)
    if args.to == "static":
        preview = conversions.preview_to_static(segment.id)
        out(f"Convert {segment.name!r} to static: {preview.sentence()}")
        if not args.yes and not _confirm("Convert?"):
            out("Nothing was changed.")
            return 1
        conversions.convert_to_static(ctx, segment.id, expected_version=segment.version)
        out(f"{segment.name!r} is now static.")
    else:
        preview = conversions.preview_to_active(ctx, segment.id)
        out(f"Convert {segment.name!r} to active: {preview.sentence()}")
        if not args.yes and not _confirm("Convert?"):
            out("Nothing was changed.")
            return 1
        _, diff = conversions.convert_to_active(ctx, segment.id, expected_version=segment.version)
        out(f"{segment.name!r} is now active: +{diff.added:,} added, -{diff.removed:,} removed.")
    return 0


def cmd_schedule(args, ctx: Context) -> int:
    segment = segments.get(args.segment)
    if args.never:
        plan = schedule.NEVER_SCHEDULE
    elif args.on:
        day = dates.parse_day(args.on, today=ctx.today(), order=ctx.date_order)
        if args.on.strip() != day.isoformat():  # what was understood, before anything else
            out(f"{args.on.strip()!r} read as {dates.full(day)} ({day.isoformat()}).")
        plan = schedule.Schedule(schedule.ON_DAY, day=day)
    else:
        amount, unit = schedule.parse_amount(args.after[0], schedule.unit_from_text(args.after[1]))
        plan = schedule.Schedule(schedule.AFTER_INACTIVITY, amount=amount, unit=unit)
    updated = conversions.set_schedule(ctx, segment.id, plan, expected_version=segment.version)
    out(f"{printable(updated.name)!r}: {describe.schedule_json(updated, ctx)['explanation']}")
    return 0


def cmd_worker(args, ctx: Context) -> int:
    from . import worker

    if args.interval <= 0 and not args.once:
        raise InvalidInput("--interval must be a positive number of seconds")
    ctx.require_write("running the worker")
    me = worker.worker_id()
    stopping = []
    if not args.once:  # a single tick leaves the caller's signal handling alone
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    while True:
        try:
            result = worker.tick(ctx, me=me)
        except (peewee.PeeweeException, DatabaseProblem) as exc:
            if args.once:
                raise
            # locked, server restarting, connection lost: say so and try again next time
            stamp = ctx.local(ctx.now()).format(config.SECOND)
            message = exc.message if isinstance(exc, DatabaseProblem) else db.explain(exc, args.db)
            print(f"{stamp} {message} Retrying in {args.interval:g} s.", file=sys.stderr, flush=True)
            db.reset_connection()
        else:
            _report_tick(ctx, result, once=args.once)
            if args.once:
                return 0
        deadline = time.monotonic() + args.interval
        while time.monotonic() < deadline and not stopping:
            time.sleep(min(0.5, args.interval))
        if stopping:
            return 0


def _report_tick(ctx: Context, result, *, once: bool) -> None:
    stamp = ctx.local(ctx.now()).format(config.SECOND)
    for applied in result.applied:
        out(f"{stamp} converted {applied.name!r} to static (due {ctx.local(applied.due_at).format(config.MINUTE)})")
    for segment_id, message in result.failed:
        print(f"{stamp} refresh of segment #{segment_id} failed: {message}", file=sys.stderr, flush=True)
    if once:
        out(f"{stamp} {result.summary()}")


def cmd_serve(args, ctx: Context) -> int:
    from . import serve  # asyncssh is an optional extra: imported only here
    from .core.models import database_proxy

    database_proxy.close()  # run() has checked and migrated it; each console opens its own
    return serve.run_server(args, ctx)


COMMANDS = {
    "demo": cmd_demo,
    "import": cli_data.cmd_import,
    "properties": lambda args, ctx: cli_data.PROPERTY_ACTIONS[args.action](args, ctx),
    "export": cmd_export,
    "segments": lambda args, ctx: SEGMENT_ACTIONS[args.action](args, ctx),
    "records": lambda args, ctx: RECORD_ACTIONS[args.action](args, ctx),
    "check": cmd_check,
    "convert": cmd_convert,
    "schedule": cmd_schedule,
    "worker": cmd_worker,
    "serve": cmd_serve,
}
RECORD_ACTIONS = {"set": cmd_records_set, "show": cmd_records_show, "delete": cmd_records_delete}
SEGMENT_ACTIONS = {
    "list": cmd_segments_list,
    "show": cmd_segments_show,
    "create": cmd_segments_create,
    "add": cmd_segments_add,
    "remove": cmd_segments_remove,
    "filters": cmd_segments_filters,
    "rename": cmd_segments_rename,
    "clone": cmd_segments_clone,
    "delete": cmd_segments_delete,
    "restore": cmd_segments_restore,
    "deleted": cmd_segments_deleted,
    "refresh": cmd_segments_refresh,
}


if __name__ == "__main__":
    sys.exit(main())
