"""The ``segtui`` command. Textual is imported only when the console starts."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from contextlib import contextmanager

import peewee

from . import cli_analysis, cli_data, config, i18n
from .core import causes, check, conversions, dates, db, demo, describe, filters, membership, records, schedule, segments, store
from .core.clock import clock_from_env, resolve_timezone
from .core.context import Context, default_actor
from .core.display import format_value, printable, shown_actor
from .core.errors import DatabaseProblem, InvalidInput, SegtuiError, StaleSegment
from .cli_data import said, subcommand
from .core.properties import key_property, properties
from .i18n import N_, Message, _, _n, pgettext, quoted

# argparse says its own words ("usage:", "options", "the following arguments are required"...)
# through the gettext functions it imported as module globals, bound to Python's default
# domain where segtui's catalogue is not: point them at segtui's, so that --help and the
# parser's errors speak the command's language (translations: segtui/locale/<lang>/argparse.po).
argparse._ = i18n._
argparse.ngettext = i18n.ngettext

EPILOG = N_("""\
SEGMENT is an id or an exact name. Environment: SEGTUI_DB (database), SEGTUI_TZ (account
time zone), SEGTUI_NOW (run as if at this ISO 8601 moment), SEGTUI_LANG (language). Exit
codes: 0 success, 2 bad usage or bad input, 1 other failures.
""")
SERVE_DESCRIPTION = N_("Serve the console over SSH: public keys only, one console per session, each with\n"
                       "the actor and role (admin or viewer) of its key. The consoles use --db, --tz,\n"
                       "--read-only and --worker-interval given before 'serve'. Each console speaks the\n"
                       "language of the client's LANG (ssh -o SendEnv=LANG), else the server's.")
SERVE_EPILOG = N_("The authorized-keys file has one person per line: ROLE NAME PUBLIC-KEY, e.g.\n"
                  "  admin   alice  ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... alice@laptop\n"
                  "  viewer  bob    ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... bob@desk")
KEYS_CHANGE_HELP = {"add": N_("add records by hand (static segments)"),
                    "remove": N_("remove records by hand (static segments)")}


class UsageError(InvalidInput):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message):
        # main() prints "segtui: " in front of every error: name the subcommand only
        where = self.prog.removeprefix("segtui").strip()
        if where:
            raise UsageError(Message("{where}: {message}", where=where, message=message))
        raise UsageError(message)  # argparse's own words, already in the language


def segment_id(text: str) -> int:
    """An id argument: ASCII digits within 64 bits, else a sentence (exit 2)."""
    if not store.is_id_text(text) or not 1 <= int(text) <= store.MAX_ID:
        raise argparse.ArgumentTypeError(_("{text!r} is not a segment id (a whole number from 1 to {largest})")
                                         .format(text=printable(text), largest=store.MAX_ID))
    return int(text)


def build_parser() -> Parser:
    parser = Parser(prog="segtui", description=_("Manage CRM segments from the terminal."), epilog=_(EPILOG),
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help=_("SQLite path or database URL (sqlite:///..., postgresql://...)"))
    parser.add_argument("--lang", metavar="LANG",
                        help=_("the language to speak: en or fr (default: SEGTUI_LANG, else LC_ALL, LC_MESSAGES, "
                               "LANG, else English)"))
    parser.add_argument("--tz", help=_("account time zone, e.g. Europe/Paris (default: the system's)"))
    parser.add_argument("--actor", help=_("who acts (default: the SSH user, else the OS user)"))
    parser.add_argument("--read-only", action="store_true",
                        help=_("open the console without the right to change anything"))
    parser.add_argument("--worker-interval", type=float, default=config.WORKER_INTERVAL_SECONDS, metavar="SECONDS",
                        help=_("console: seconds between background worker ticks, 0 turns it off (default 30)"))
    parser.add_argument("--files-dir", metavar="FOLDER",
                        help=_("console: the only folder its imports and exports use (default: files/ in the "
                               "user data folder)"))
    sub = parser.add_subparsers(dest="command", parser_class=Parser)

    p = subcommand(sub, "demo", help=_("fill the database with demo records and segments"))
    p.add_argument("--contacts", type=int, default=2000)
    p.add_argument("--seed", type=int, default=7)

    cli_data.add_import_parser(sub)

    p = subcommand(sub, "export", help=_("export a segment's members to CSV (a new file)"))
    p.add_argument("segment")
    p.add_argument("file")
    p.add_argument("--force", action="store_true",
                   help=_("replace an existing file (a symlink is replaced, not followed)"))
    p.add_argument("--raw", action="store_true",
                   help=_("write cells as stored: no ' before a cell a spreadsheet would run as a formula"))
    cli_data.add_export_arguments(p)

    cli_data.add_properties_parser(sub, Parser)

    seg = subcommand(sub, "segments", help=_("list, show, create and change segments"))
    ssub = seg.add_subparsers(dest="action", required=True, parser_class=Parser)
    p = subcommand(ssub, "list")
    p.add_argument("--type", choices=["active", "static"])
    p.add_argument("--search", default="")
    p.add_argument("--json", action="store_true")
    p = subcommand(ssub, "show")
    p.add_argument("segment")
    p.add_argument("--json", action="store_true")
    p = subcommand(ssub, "create")
    p.add_argument("name")
    p.add_argument("--object", required=True, choices=["contacts", "companies"])
    p.add_argument("--type", required=True, choices=["active", "static"])
    p.add_argument("--filters", metavar="FILE.json")
    for verb in ("add", "remove"):
        p = subcommand(ssub, verb, help=_(KEYS_CHANGE_HELP[verb]))
        p.add_argument("segment")
        p.add_argument("keys", nargs="+", metavar="EMAIL_OR_DOMAIN")
    p = subcommand(ssub, "filters", help=_("replace a segment's filters"))
    p.add_argument("segment")
    p.add_argument("file", metavar="FILE.json")
    p = subcommand(ssub, "rename")
    p.add_argument("segment")
    p.add_argument("name")
    p = subcommand(ssub, "clone")
    p.add_argument("segment")
    p.add_argument("--name")
    p = subcommand(ssub, "delete")
    p.add_argument("segment")
    p = subcommand(ssub, "restore")
    p.add_argument("id", type=segment_id)
    p = subcommand(ssub, "deleted", help=_("segments deleted in the last 90 days"))
    p.add_argument("--json", action="store_true")
    p = subcommand(ssub, "refresh", help=_("re-evaluate an active segment now"))
    p.add_argument("segment")

    rec = subcommand(sub, "records", help=_("show and change contacts and companies"))
    rsub = rec.add_subparsers(dest="action", required=True, parser_class=Parser)
    key_help = _("email (contacts), domain (companies) or id")
    p = subcommand(rsub, "set", help=_("set properties of one record; the active segments reading them follow at once"))
    p.add_argument("object_type", choices=["contacts", "companies"])
    p.add_argument("key", metavar="KEY", help=key_help)
    p.add_argument("values", nargs="+", metavar="PROPERTY=VALUE", help=_("an empty VALUE makes it unknown"))
    p = subcommand(rsub, "delete", help=_("delete one record for good; it leaves every segment that held it"))
    p.add_argument("object_type", choices=["contacts", "companies"])
    p.add_argument("key", metavar="KEY", help=key_help)
    p.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))
    p = subcommand(rsub, "show", help=_("a record's properties and segments (when and why it joined each)"))
    p.add_argument("object_type", choices=["contacts", "companies"])
    p.add_argument("key", metavar="KEY", help=key_help)
    p.add_argument("--json", action="store_true")

    p = subcommand(sub, "check", help=_("recompute every active segment and compare with the stored membership"))
    p.add_argument("--repair", action="store_true", help=_("put any drift right (full refresh, size, log)"))
    p.add_argument("--json", action="store_true")

    p = subcommand(sub, "convert", help=_("convert a segment now (prints the preview first)"))
    p.add_argument("segment")
    p.add_argument("--to", required=True, choices=["static", "active"])
    p.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))

    p = subcommand(sub, "schedule", help=_("automatic conversion to static"))
    p.add_argument("segment")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--never", action="store_true")
    group.add_argument("--on", metavar="DAY",
                       help=_("2026-12-31, the locale's form (31/12/2026 or 12/31/2026), today, tomorrow, "
                              "'in 2 weeks', 'next monday'"))
    group.add_argument("--after", nargs=2, metavar=("N", "UNIT"), help=_("e.g. 30 days, 1 month, 2 weeks"))

    p = subcommand(sub, "worker", help=_("apply due conversions and refresh segments (headless)"))
    p.add_argument("--once", action="store_true")
    p.add_argument("--interval", type=float, default=config.WORKER_INTERVAL_SECONDS)

    p = subcommand(
        sub, "serve", help=_("an SSH server giving each person a console (needs the 'serve' extra)"),
        description=_(SERVE_DESCRIPTION), epilog=_(SERVE_EPILOG), formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default=config.SERVE_HOST,
                   help=_("address to listen on (default {host})").format(host=config.SERVE_HOST))
    p.add_argument("--port", type=int, default=config.SERVE_PORT,
                   help=_("port to listen on, 0 for any free one (default {port})").format(port=config.SERVE_PORT))
    p.add_argument("--authorized-keys", metavar="FILE",
                   help=_("who may log in (default: authorized_keys in the user config folder)"))
    p.add_argument("--host-key", metavar="FILE",
                   help=_("the server's private key, made on first run (default: in the user data folder)"))
    p.add_argument("--max-sessions", type=int, default=config.SERVE_MAX_SESSIONS, metavar="N",
                   help=_("consoles at once (default {count})").format(count=config.SERVE_MAX_SESSIONS))
    p.add_argument("--idle-timeout", type=float, default=config.SERVE_IDLE_TIMEOUT_SECONDS, metavar="SECONDS",
                   help=_("close a session after this long without a key press, 0 for never (default {seconds})")
                   .format(seconds=f"{config.SERVE_IDLE_TIMEOUT_SECONDS:g}"))
    p.add_argument("--max-memory", type=int, default=config.SERVE_MAX_MEMORY_MB, metavar="MB",
                   help=_("address space of each console process, 0 for no limit (default {megabytes})")
                   .format(megabytes=config.SERVE_MAX_MEMORY_MB))
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
        print(_("segtui: {message}").format(message=exc.for_command_line()), file=sys.stderr)
        return exc.exit_code
    except SegtuiError as exc:
        print(_("segtui: {message}").format(message=exc), file=sys.stderr)
        return exc.exit_code
    except peewee.PeeweeException as exc:  # one the command did not expect: still a sentence
        print(_("segtui: {message}").format(message=db.explain(exc)), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def run(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    choose_language(argv)
    for arg in argv:
        if any(0xDC80 <= ord(c) <= 0xDCFF for c in arg):
            raise UsageError(Message("an argument is not valid UTF-8 text: {argument!r}",
                                     argument=arg.encode("utf-8", "backslashreplace").decode()))
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
        if getattr(args, "json", False):
            with neutral():
                return handler(args, ctx) or 0
        return handler(args, ctx) or 0
    except peewee.PeeweeException as exc:
        raise DatabaseProblem(db.explain(exc, url)) from None


@contextmanager
def neutral():
    """--json is read by programs: its words (explanations, readable filters) are the English
    ones whatever the language, as are its keys and codes. An error raised meanwhile is a
    Message, translated when main() prints it, after the language is back."""
    with i18n.in_english():
        yield


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
        i18n.set_language(i18n.resolve())  # the refusal itself in the environment's language
        raise UsageError(Message("--lang: {problem}", problem=str(exc))) from None


READING_COMMANDS = {"export", ("segments", "list"), ("segments", "show"), ("segments", "deleted")}


def reads_only(args) -> bool:
    """A command that only reads: it must not create a database where none is (a typo in --db)."""
    return args.command in READING_COMMANDS or (args.command, getattr(args, "action", None)) in READING_COMMANDS


# -- words and formats for people (--json keeps the codes and ISO moments) -----------------------
TYPE_LABELS = {"active": N_("Active"), "static": N_("Static")}
OBJECT_LABELS = {"contacts": N_("contacts"), "companies": N_("companies")}


def type_label(code: str) -> str:
    return _(TYPE_LABELS[code]) if code in TYPE_LABELS else code


def object_label(code: str) -> str:
    return _(OBJECT_LABELS[code]) if code in OBJECT_LABELS else code


def trigger_label(code: str) -> str:
    """What started a conversion (a stored code), as segments show prints it."""
    words = {"manual": pgettext("conversion trigger", "manual"), "on_day": pgettext("conversion trigger", "on_day"),
             "after_inactivity": pgettext("conversion trigger", "after_inactivity")}
    return words.get(code, code)


def joined_label(code: str | None, object_type: str = "contacts") -> str:
    """How a record came into a segment (a stored reason or source code), as records show prints
    it: a cause (``core.causes``) in the language, its properties named by their labels."""
    words = {"filter": pgettext("joined because of", "filter"), "manual": pgettext("joined because of", "manual"),
             "import": pgettext("joined because of", "import"), "conversion": pgettext("joined because of", "conversion"),
             "repair": pgettext("joined because of", "repair"),
             "dates moved on": pgettext("joined because of", "dates moved on")}
    return words.get(code) or printable(causes.shown(code, object_type))


def count(n: int) -> str:
    """1,234 / 1 234."""
    return i18n.number(n)


def moment(ctx: Context, value, pattern: str = config.MINUTE) -> str:
    """A moment in the account's zone: as the CLI always printed it in English (ISO-like), in
    the language's words otherwise (26 nov. 2026 10:30)."""
    local = ctx.local(value)
    if i18n.language() == i18n.ENGLISH:
        return local.format(pattern)
    if pattern == config.MINUTE_ZONE:
        return i18n.full_moment(local, ctx.tz)
    return i18n.format_moment(local, i18n.MOMENT)


def cmd_demo(args, ctx: Context) -> int:
    if args.contacts < 1 or args.contacts > 2_000_000:
        raise InvalidInput("--contacts must be between 1 and {largest}", largest=count(2_000_000))
    if demo.has_data():
        out(_("The database already holds records: the demo data is not added twice."))
        return 0
    ctx.require_write(Message("adding the demo data"))
    n_contacts, n_companies, names = demo.build(ctx, contacts=args.contacts, seed=args.seed)
    out(_("Demo data: {contacts} contacts, {companies} companies, {segments} segments.").format(
        contacts=count(n_contacts), companies=count(n_companies), segments=count(len(names))))
    return cmd_segments_list(argparse.Namespace(type=None, search="", json=False), ctx)


def cmd_export(args, ctx: Context) -> int:
    exported = records.export_members(args.segment, args.file, overwrite=args.force, raw=args.raw,
                                      headers=args.headers, tz=ctx.tz)
    out(_("Exported {count} members to {file}.").format(count=count(exported),
                                                         file=printable(os.path.abspath(args.file))))
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
        out(_("No segment is unused and unchanged for {days} days.").format(days=args.unused))
        return 0
    if not rows and getattr(args, "folder", None):
        out(_("No segments in folder {folder!r}.").format(folder=printable(args.folder)))
        return 0
    if not rows and (args.search or args.type):
        if args.search:
            found = {None: _("No segment matches {search!r}."), "active": _("No active segment matches {search!r}."),
                     "static": _("No static segment matches {search!r}.")}[args.type]
        else:
            found = {"active": _("No active segments."), "static": _("No static segments.")}[args.type]
        out(found.format(search=printable(args.search)))
        return 0
    if not rows:
        out(_("No segments yet. Create one with: segtui segments create NAME --object contacts --type active "
              "--filters FILE.json"))
        return 0
    table = [
        [str(s.id), _cap(printable(s.name)), type_label(s.type), object_label(s.object_type), count(s.size),
         moment(ctx, s.last_activity_at), describe.schedule_summary(s, ctx) or "-",
         pgettext("refresh failed", "error") if s.refresh_error else ""]
        for s in rows
    ]
    out(_table(table, [_("ID"), _("NAME"), _("TYPE"), _("OBJECT"), _("SIZE"), _("LAST ACTIVITY"),
                       _("AUTO-CONVERSION"), ""]))
    return 0


def _labelled(labels: dict[str, str]):
    """Lines "  label:  value" whose values line up, however long the labels are in the language."""
    width = max(len(label) for label in labels.values()) + 1

    def line(key: str, value: str = "") -> str:
        return f"  {labels[key].ljust(width)}{value}".rstrip() if value else f"  {labels[key]}"
    return line


def cmd_segments_show(args, ctx: Context) -> int:
    segment = segments.get(args.segment)
    data = describe.segment_json(segment, ctx)
    if args.json:
        out(to_json(data))
        return 0
    line = _labelled({"description": _("description:"), "folder": _("folder:"), "size": _("size:"),
                      "activity": _("last activity:"), "created": _("created:"), "updated": _("updated:"),
                      "filters": _("filters:"), "schedule": _("auto-conversion:"), "error": _("refresh error:")})
    out(f"{printable(segment.name)}  [{type_label(segment.type)}]  {object_label(segment.object_type)}  #{segment.id}")
    if segment.description:
        out(line("description", printable(segment.description)))
    if data["folder"]:
        out(line("folder", printable(data["folder"])))
    out(line("size", count(segment.size)))
    out(line("activity", moment(ctx, segment.last_activity_at, config.MINUTE_ZONE)))
    by = _("{moment} by {actor}")
    out(line("created", by.format(moment=moment(ctx, segment.created_at), actor=printable(shown_actor(segment.created_by)))))
    out(line("updated", by.format(moment=moment(ctx, segment.updated_at), actor=printable(shown_actor(segment.updated_by)))))
    out(line("filters", "" if data["filters_readable"] else pgettext("no filters", "none")))
    and_, or_ = _("AND"), _("OR")
    for i, group in enumerate(data["filters_readable"]):
        prefix = "    " if i == 0 else f"    {or_} "
        out(prefix + f" {and_} ".join(printable(t) for t in group))
    if segment.type == "static" and data["filters_readable"]:
        out("    " + _("(read-only: used when converting to active)"))
    out(line("schedule", data["schedule"]["explanation"]))
    if segment.refresh_error:
        out(line("error", printable(segment.refresh_error)))
    english = i18n.language() == i18n.ENGLISH
    for c in conversions.history(segment.id):
        shown = {"converted_at": describe.iso(c.converted_at) if english else moment(ctx, c.converted_at),
                 "due": (describe.iso(c.due_at) if english else moment(ctx, c.due_at)) if c.due_at else None,
                 "trigger": trigger_label(c.trigger), "actor": printable(shown_actor(c.actor))}
        if c.direction == "to_static":
            text = (_("converted to static at {converted_at}, due {due} ({trigger}, by {actor})") if shown["due"]
                    else _("converted to static at {converted_at} ({trigger}, by {actor})"))
        else:
            text = (_("converted to active at {converted_at}, due {due} ({trigger}, by {actor})") if shown["due"]
                    else _("converted to active at {converted_at} ({trigger}, by {actor})"))
        out("  " + text.format(**shown))
    return 0


def _read_filters(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            return filters.parse_json(handle.read())
    except FileNotFoundError:
        raise InvalidInput("No filters file at {path}", path=printable(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput("Cannot read {path}: {reason}", path=printable(path),
                           reason=printable(getattr(exc, "strerror", None) or exc)) from None


def cmd_segments_create(args, ctx: Context) -> int:
    tree = _read_filters(args.filters) if args.filters else None
    segment, diff = segments.create(ctx, args.name, args.object, args.type, tree)
    if segment.type == "active":
        out(_n("Created active segment #{id} '{name}' with {n} member.", "Created active segment #{id} '{name}' with {n} "
               "members.", segment.size, id=segment.id, name=printable(segment.name)))
    else:
        out(_n("Created static segment #{id} '{name}' with {n} member.", "Created static segment #{id} '{name}' with {n} "
               "members.", segment.size, id=segment.id, name=printable(segment.name)))
    return 0


def _keys_change(args, ctx: Context, change) -> int:
    segment = segments.get(args.segment)
    ids = membership.resolve_keys(segment.object_type, args.keys)
    diff = change(ctx, segment.id, ids, expected_version=segment.version)
    changed = diff.added or diff.removed
    # TRANSLATORS: {members} is "12 members", said with its own count
    members = _n("{n} member", "{n} members", membership.segment_size(segment.id))
    if change is membership.add_records:
        out(_n("Added {n} record; {name!r} now has {members}.",
               "Added {n} records; {name!r} now has {members}.", changed, name=segment.name, members=members))
    else:
        out(_n("Removed {n} record; {name!r} now has {members}.",
               "Removed {n} records; {name!r} now has {members}.", changed, name=segment.name, members=members))
    return 0


def cmd_segments_add(args, ctx):
    return _keys_change(args, ctx, membership.add_records)


def cmd_segments_remove(args, ctx):
    return _keys_change(args, ctx, membership.remove_records)


def cmd_segments_filters(args, ctx):
    segment = segments.get(args.segment)
    updated, diff = segments.update_filters(ctx, segment.id, _read_filters(args.file),
                                            expected_version=segment.version)
    if updated.type == "active":
        out(_("Saved the filters of {name!r} (+{added} added, -{removed} removed).").format(
            name=updated.name, added=count(diff.added), removed=count(diff.removed)))
    else:
        out(_("Saved the filters of {name!r} (static: stored for a later conversion to active).").format(
            name=updated.name))
    return 0


def cmd_segments_rename(args, ctx):
    current = segments.get(args.segment)
    segment = segments.rename(ctx, current.id, args.name, expected_version=current.version)
    out(_("Renamed segment #{id} to {name!r}.").format(id=segment.id, name=segment.name))
    return 0


def cmd_segments_clone(args, ctx):
    copy = segments.clone(ctx, segments.get(args.segment).id, args.name)
    made = (_("Created #{id} {name!r} (active, {size} members).") if copy.type == "active" else
            _("Created #{id} {name!r} (static, {size} members)."))
    out(made.format(id=copy.id, name=copy.name, size=count(copy.size)))
    return 0


def cmd_segments_delete(args, ctx):
    current = segments.get(args.segment)
    segment = segments.delete(ctx, current.id, expected_version=current.version)
    out(_("Deleted {name!r}; restore it within 90 days with: segtui segments restore {id}").format(
        name=segment.name, id=segment.id))
    return 0


def cmd_segments_restore(args, ctx):
    segment = segments.restore(ctx, args.id)
    out(_("Restored {name!r}.").format(name=segment.name))
    return 0


def cmd_segments_deleted(args, ctx):
    rows = segments.deleted(ctx)
    if args.json:
        out(to_json([{**describe.list_row(s, ctx), "deleted_at": describe.iso(s.deleted_at),
                      "deleted_by": s.deleted_by} for s in rows]))
        return 0
    if not rows:
        out(_("No segment was deleted in the last 90 days."))
        return 0
    out(_table([[str(s.id), _cap(printable(s.name)), object_label(s.object_type), moment(ctx, s.deleted_at),
                 printable(s.deleted_by or "")] for s in rows],
               [_("ID"), _("NAME"), _("OBJECT"), _("DELETED"), _("BY")]))
    return 0


def cmd_segments_refresh(args, ctx):
    segment = segments.get(args.segment)
    if segment.type != "active":
        raise InvalidInput("{name!r} is static: only active segments follow their filters", name=segment.name)
    diff = membership.refresh(ctx, segment.id)
    out(_("Refreshed {name!r}: +{added} added, -{removed} removed.").format(
        name=segment.name, added=count(diff.added), removed=count(diff.removed)))
    return 0


def _property_values(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InvalidInput("{pair!r} is not PROPERTY=VALUE (an empty value makes the property unknown)", pair=pair)
        if name.strip() in values:
            raise InvalidInput("{name} is given twice", name=name.strip())
        values[name.strip()] = value
    return values


def cmd_records_set(args, ctx: Context) -> int:
    values = _property_values(args.values)
    record = records.find_record(args.object_type, args.key)
    updated, done = records.set_properties(ctx, args.object_type, record.id, values)
    registry = properties(args.object_type)
    unknown = _("(unknown)")
    shown = ", ".join(f"{n} = {printable(format_value(registry[n], getattr(updated, registry[n].column))) or unknown}"
                      for n in values)
    out(_("Saved {values}. {effect}").format(values=shown, effect=done.sentence(record.id)))
    return 0


def cmd_records_delete(args, ctx: Context) -> int:
    record = records.find_record(args.object_type, args.key)
    key = printable(getattr(record, key_property(args.object_type).name))
    held = records.memberships_of(args.object_type, record.id)
    contact = args.object_type == "contacts"
    if held:
        leaving = (_("Delete contact {key} (#{id}) for good; it leaves {segments}.") if contact else
                   _("Delete company {key} (#{id}) for good; it leaves {segments}."))
    else:
        leaving = (_("Delete contact {key} (#{id}) for good; it leaves no segment.") if contact else
                   _("Delete company {key} (#{id}) for good; it leaves no segment."))
    out(leaving.format(key=key, id=record.id, segments=", ".join(quoted(printable(b.segment.name)) for b in held)))
    if not args.yes and not _confirm(_("Delete?"), Message("Not deleting without confirmation: run again with --yes")):
        out(_("Nothing was changed."))
        return 1
    done = records.delete_record(ctx, args.object_type, record.id)
    deleted = _("Deleted contact {key}. {effect}") if contact else _("Deleted company {key}. {effect}")
    out(deleted.format(key=key, effect=done.sentence(record.id)))
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
    title = (_("contact #{id}  (updated {moment})") if args.object_type == "contacts" else
             _("company #{id}  (updated {moment})"))
    out(title.format(id=record.id, moment=moment(ctx, record.updated_at)))
    unknown = _("(unknown)")
    for name, prop in registry.items():
        value = format_value(prop, getattr(record, prop.column), tz=ctx.tz, labels=True)
        out(f"  {name + ':':<20} {printable(value) if value else unknown}")
    out(_("segments:") + ("" if data["segments"] else " " + pgettext("no segments", "none")))
    for b in records.memberships_of(args.object_type, record.id):
        how = joined_label(b.reason or b.source, args.object_type)
        why = _("{reason} by {actor}").format(reason=how, actor=printable(shown_actor(b.actor))) if b.actor else how
        out("  " + _("#{id} {name} [{type}]  joined {moment}: {why}").format(
            id=b.segment.id, name=printable(b.segment.name), type=type_label(b.segment.type),
            moment=moment(ctx, b.joined_at), why=why))
    return 0


def cmd_check(args, ctx: Context) -> int:
    report = check.check(ctx, repair=args.repair)
    if args.json:
        out(to_json(report.as_json()))
        return 0 if report.clean else 1
    for segment_id, name in report.pending:
        out(_("#{id} {name!r}: a full refresh is pending (the worker's next run)").format(id=segment_id,
                                                                                          name=printable(name)))
    for d in report.drifts:
        out(said(d.sentence()))
    drifted = len(report.drifts)
    verdict = (_("no drift") if not drifted else
               _n("{n} segment repaired", "{n} segments repaired", drifted) if report.clean else
               _n("{n} segment drifted: run 'segtui check --repair'",
                  "{n} segments drifted: run 'segtui check --repair'", drifted))
    checked = i18n.items([_n("{n} active segment", "{n} active segments", report.active),
                          _n("{n} static segment", "{n} static segments", report.static)])
    out(_("Checked {segments}: {verdict}.").format(segments=checked, verdict=verdict))
    return 0 if report.clean else 1


def _confirm(question: str, refusal: Message | None = None) -> bool:
    if not sys.stdin or not sys.stdin.isatty():
        raise InvalidInput(refusal or Message("Not converting without confirmation: run again with --yes"))
    answer = input(_("{question} [y/N] ").format(question=question)).strip().lower()
    # TRANSLATORS: the answers that mean yes, separated by |
    return answer in ("y", "yes") or answer in _("y|yes").split("|")


def cmd_convert(args, ctx: Context) -> int:
    segment = segments.get(args.segment)
    if args.to == "static":
        preview = conversions.preview_to_static(segment.id)
        out(_("Convert {name!r} to static: {preview}").format(name=segment.name, preview=preview.sentence()))
        if not args.yes and not _confirm(_("Convert?")):
            out(_("Nothing was changed."))
            return 1
        conversions.convert_to_static(ctx, segment.id, expected_version=segment.version)
        out(_("{name!r} is now static.").format(name=segment.name))
    else:
        preview = conversions.preview_to_active(ctx, segment.id)
        out(_("Convert {name!r} to active: {preview}").format(name=segment.name, preview=preview.sentence()))
        if not args.yes and not _confirm(_("Convert?")):
            out(_("Nothing was changed."))
            return 1
        _converted, diff = conversions.convert_to_active(ctx, segment.id, expected_version=segment.version)
        out(_("{name!r} is now active: +{added} added, -{removed} removed.").format(
            name=segment.name, added=count(diff.added), removed=count(diff.removed)))
    return 0


def cmd_schedule(args, ctx: Context) -> int:
    segment = segments.get(args.segment)
    if args.never:
        plan = schedule.NEVER_SCHEDULE
    elif args.on:
        day = dates.parse_day(args.on, today=ctx.today(), order=ctx.date_order)
        if args.on.strip() != day.isoformat():  # what was understood, before anything else
            out(_("{typed!r} read as {day} ({iso}).").format(typed=args.on.strip(), day=dates.full(day),
                                                             iso=day.isoformat()))
        plan = schedule.Schedule(schedule.ON_DAY, day=day)
    else:
        amount, unit = schedule.parse_amount(args.after[0], schedule.unit_from_text(args.after[1]))
        plan = schedule.Schedule(schedule.AFTER_INACTIVITY, amount=amount, unit=unit)
    updated = conversions.set_schedule(ctx, segment.id, plan, expected_version=segment.version)
    out(_("{name!r}: {explanation}").format(name=printable(updated.name),
                                            explanation=describe.schedule_json(updated, ctx)["explanation"]))
    return 0


def cmd_worker(args, ctx: Context) -> int:
    from . import worker

    if args.interval <= 0 and not args.once:
        raise InvalidInput("--interval must be a positive number of seconds")
    ctx.require_write(Message("running the worker"))
    me = worker.worker_id()
    stopping = []
    if not args.once:  # a single tick leaves the caller's signal handling alone
        signal.signal(signal.SIGTERM, lambda *_unused: stopping.append(True))
    while True:
        try:
            result = worker.tick(ctx, me=me)
        except (peewee.PeeweeException, DatabaseProblem) as exc:
            if args.once:
                raise
            # locked, server restarting, connection lost: say so and try again next time
            stamp = ctx.local(ctx.now()).format(config.SECOND)
            message = exc.message if isinstance(exc, DatabaseProblem) else db.explain(exc, args.db)
            print(_("{stamp} {message} Retrying in {seconds} s.").format(
                stamp=stamp, message=message, seconds=i18n.decimal(args.interval, 3)), file=sys.stderr, flush=True)
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
    # a log: its stamps stay sortable (ISO) in every language
    stamp = ctx.local(ctx.now()).format(config.SECOND)
    for applied in result.applied:
        out(_("{stamp} converted {name!r} to static (due {due})").format(
            stamp=stamp, name=applied.name, due=ctx.local(applied.due_at).format(config.MINUTE)))
    for segment_id, message in result.failed:
        print(_("{stamp} refresh of segment #{id} failed: {message}").format(stamp=stamp, id=segment_id,
                                                                             message=message),
              file=sys.stderr, flush=True)
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
