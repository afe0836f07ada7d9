"""The command line of the analysis views: history, members at a moment, overlap, usage,
upcoming conversions, descriptions and folders (issue 14). Registered by ``segtui.cli``."""

from __future__ import annotations

import heapq

from .core import folders, history, overlap, segments, upcoming, usage
from .core.context import Context
from .core.describe import iso, list_row
from .core.display import printable, shown_actor
from .core.errors import InvalidInput
from .core.models import RECORD_MODELS, Membership, database_proxy
from .cli_data import said, subcommand
from .core.properties import key_property
from .i18n import ENGLISH, _, _n, format_moment, language, number, pgettext
from .i18n import DAY as DAY_PATTERN
from .i18n import MOMENT as MOMENT_PATTERN


def register(sub, ssub, parser_class) -> tuple[dict, dict]:
    """Add the subcommands; returns (top-level handlers, ``segments`` handlers)."""
    p = subcommand(ssub, "history", help=_("members added, removed and size per day, week or month"))
    p.add_argument("segment")
    p.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help=_("first day (default: 29 days before --to)"))
    p.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help=_("last day (default: today)"))
    p.add_argument("--by", choices=history.GRAINS, default="day")
    p.add_argument("--json", action="store_true")

    p = subcommand(ssub, "members", help=_("who is a member now, or was at a moment (--at)"))
    p.add_argument("segment")
    p.add_argument("--at", metavar="YYYY-MM-DD[THH:MM]",
                   help=_("a moment in the account time zone; a day alone is its end, as in the history"))
    p.add_argument("--json", action="store_true")

    p = subcommand(ssub, "overlap", help=_("records in each region of two or three segments"))
    p.add_argument("segments", nargs="+", metavar="SEGMENT")
    p.add_argument("--save", metavar="REGION", help=_("make a static segment of one region: A, AB, B, ABC..."))
    p.add_argument("--name", help=_("the new segment's name (with --save)"))
    p.add_argument("--json", action="store_true")

    p = subcommand(ssub, "usage", help=_("what uses a segment and what it uses"))
    p.add_argument("segment")
    p.add_argument("--json", action="store_true")

    p = subcommand(ssub, "describe", help=_("set a segment's description ('' clears it)"))
    p.add_argument("segment")
    p.add_argument("text")

    p = subcommand(ssub, "move", help=_("move segments into a folder ('/' for the top)"))
    p.add_argument("segments", nargs="+", metavar="SEGMENT")
    p.add_argument("--to", required=True, metavar="FOLDER")

    listing = ssub.choices["list"]
    listing.add_argument("--unused", type=int, metavar="DAYS",
                         help=_("only segments nothing uses and unchanged for DAYS days"))
    listing.add_argument("--folder", metavar="FOLDER", help=_("only segments in this folder (and its folders)"))

    fold = subcommand(sub, "folders", help=_("list, create, rename and delete segment folders"))
    fsub = fold.add_subparsers(dest="action", required=True, parser_class=parser_class)
    p = subcommand(fsub, "list")
    p.add_argument("--json", action="store_true")
    p = subcommand(fsub, "create")
    p.add_argument("name")
    p.add_argument("--in", dest="parent", metavar="FOLDER", help=_("inside this folder (default: at the top)"))
    p = subcommand(fsub, "rename")
    p.add_argument("folder")
    p.add_argument("name")
    p = subcommand(fsub, "delete", help=_("delete an empty folder"))
    p.add_argument("folder")

    conv = subcommand(sub, "conversions", help=_("scheduled conversions"))
    csub = conv.add_subparsers(dest="action", required=True, parser_class=parser_class)
    p = subcommand(csub, "upcoming", help=_("every scheduled conversion in the next days, by day"))
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--json", action="store_true")

    top = {
        "folders": lambda args, ctx: FOLDER_ACTIONS[args.action](args, ctx),
        "conversions": lambda args, ctx: cmd_conversions_upcoming(args, ctx),
    }
    seg = {"history": cmd_history, "members": cmd_members, "overlap": cmd_overlap, "usage": cmd_usage,
           "describe": cmd_describe, "move": cmd_move}
    return top, seg


def _out(text: str = "") -> None:
    print(text, flush=True)


def _json(data) -> None:
    from .cli import to_json

    _out(to_json(data))


def _table(rows, headers) -> None:
    from .cli import _table as table

    _out(table(rows, headers))


# ------------------------------------------------------------------ history


def cmd_history(args, ctx: Context) -> int:
    first = history.parse_day(args.first, "--from") if args.first else None
    last = history.parse_day(args.last, "--to") if args.last else None
    h = history.size_history(ctx, args.segment, first=first, last=last, grain=args.by)
    if args.json:
        _json({
            "segment": h.segment_id, "name": h.name, "time_zone": h.tz, "by": h.grain,
            "periods": [{"first_day": p.first_day.isoformat(), "last_day": p.last_day.isoformat(),
                         "added": p.added, "removed": p.removed, "size": p.size,
                         "events": [m.kind for m in h.markers_in(p)]} for p in h.periods],
            "events": [{"at": iso(m.at), "day": m.day.isoformat(), "kind": m.kind, "text": m.text, "actor": m.actor}
                       for m in h.markers],
        })
        return 0
    title = {"day": _("{name}: size by day ({zone})"), "week": _("{name}: size by week ({zone})"),
             "month": _("{name}: size by month ({zone})")}[h.grain]
    _out(title.format(name=printable(h.name), zone=h.tz))
    rows = []
    for p in h.periods:
        label = _day(p.first_day) if p.first_day == p.last_day else f"{_day(p.first_day)} .. {_day(p.last_day)}"
        events = "; ".join(said(m.text) for m in h.markers_in(p))
        rows.append([label, f"+{number(p.added)}", f"-{number(p.removed)}", number(p.size), events])
    _table(rows, [_("PERIOD"), _("ADDED"), _("REMOVED"), _("SIZE"), _("EVENTS")])
    return 0


# ------------------------------------------------------------------ members


def _member_rows(segment, members: history.MembersAt):
    """(id, key, name) of the members, by id, streamed: today's members (less those that
    were not members then) from the membership index, merged with the others."""
    model = RECORD_MODELS[segment.object_type]
    key = getattr(model, key_property(segment.object_type).name)
    names = [model.first_name, model.last_name] if segment.object_type == "contacts" else [model.name]
    columns = [model.id, key, *names]
    kept = (model.select(*columns).join(Membership, on=(Membership.record_id == model.id))
            .where(Membership.segment == segment.id))
    if members.exclude is not None:
        kept = kept.where(Membership.record_id.not_in(members.exclude))
    streams = [_stream(members.inside(kept.order_by(Membership.record_id)))]
    if members.extra is not None:
        streams.append(_stream(members.inside(model.select(*columns).where(model.id.in_(members.extra))
                                              .order_by(model.id))))
    for row in heapq.merge(*streams):
        yield row[0], row[1], " ".join(v for v in row[2:] if v)


def _stream(query):
    cursor = database_proxy.execute(query)
    while True:
        rows = cursor.fetchmany(5000)
        if not rows:
            return
        yield from rows


def cmd_members(args, ctx: Context) -> int:
    segment = segments.get(args.segment)
    if args.at:
        moment = history.parse_at(args.at, ctx.tz)
        if args.at.strip() == ctx.today().isoformat():  # today, so far
            moment = ctx.now()
        if moment > ctx.now():
            raise InvalidInput("--at {moment} is in the future: segtui knows who is a member up to now", moment=args.at)
        ids = history.member_ids_at(segment.id, moment)
    else:
        ids = history.MembersAt(segment.id)
    rows = _member_rows(segment, ids)
    if args.json:
        _json([{"id": rid, "key": key, "name": name} for rid, key, name in rows])
        return 0
    write = __import__("sys").stdout.write
    write("\t".join([_("ID"), _("KEY"), _("NAME")]) + "\n")
    for rid, key, name in rows:
        write(f"{rid}\t{printable(key)}\t{printable(name)}\n")
    return 0


# ------------------------------------------------------------------ overlap


def _region_mask(code: str, n: int) -> int:
    letters = "ABC"[:n]
    code = code.strip().upper()
    if not code or any(c not in letters for c in code) or len(set(code)) != len(code):
        raise InvalidInput("--save {code!r} is not a region: use letters of {letters}, e.g. A, AB, {letters}",
                           code=code, letters=letters)
    return sum(1 << letters.index(c) for c in code)


def cmd_overlap(args, ctx: Context) -> int:
    result = overlap.overlap(args.segments)
    n = len(result.segments)
    if args.save:
        mask = _region_mask(args.save, n)
        if not args.name:
            raise InvalidInput("--save needs --name NAME for the new static segment")
        made, added = overlap.create_from_region(ctx, args.segments, mask, args.name)
        _out(_("Created static segment #{id} {name!r} with {count} members ({region}).").format(
            id=made.id, name=printable(made.name), count=number(added), region=said(result.label(mask))))
        return 0
    regions = [(mask, count) for mask, count in sorted(result.regions.items(), key=lambda kv: (-bin(kv[0]).count("1"), kv[0]))]
    if args.json:
        _json({
            "segments": [{"letter": "ABC"[i], "id": s.id, "name": s.name, "size": result.sizes[i]}
                         for i, s in enumerate(result.segments)],
            "union": result.union,
            "regions": [{"region": overlap.Region(m).code(n), "in": [result.segments[i].id for i in overlap.Region(m).inside(n)],
                         "label": result.label(m), "count": c} for m, c in regions],
        })
        return 0
    for i, s in enumerate(result.segments):
        _out(_("{letter}  {name}  ({count} members)").format(letter="ABC"[i], name=printable(s.name),
                                                              count=number(result.sizes[i])))
    _out()
    _table([[overlap.Region(m).code(n), said(result.label(m)), number(c)] for m, c in regions],
           [_("REGION"), "", _("RECORDS")])
    _out("\n" + _("{count} records in at least one.").format(count=number(result.union)))
    return 0


# ------------------------------------------------------------------ usage


def cmd_usage(args, ctx: Context) -> int:
    found = usage.usage(args.segment)
    if args.json:
        _json({
            "segment": found.segment.id, "name": found.segment.name,
            "used_by": [{"id": u.segment.id, "name": u.segment.name, "chain": u.chain} for u in found.used_by],
            "uses": [{"id": u.segment.id, "name": u.segment.name, "chain": u.chain} for u in found.uses],
        })
        return 0
    name = printable(found.segment.name)
    for title, uses, empty in (
        (_("Used by (segments whose filters read {name}):").format(name=name), found.used_by,
         "  " + _("nothing uses it")),
        (_("Uses (segments {name}'s filters read):").format(name=name), found.uses,
         "  " + pgettext("uses no segment", "none")),
    ):
        _out(title)
        if not uses:
            _out(empty)
        for u in uses:
            _out("  " + " <- ".join(printable(c) for c in reversed(u.chain)) if uses is found.used_by
                 else "  " + " -> ".join(printable(c) for c in u.chain))
    return 0


# ------------------------------------------------------------------ descriptions, folders


def cmd_describe(args, ctx: Context) -> int:
    segment = segments.get(args.segment)
    updated = folders.describe(ctx, segment.id, args.text, expected_version=segment.version)
    done = _("{name!r}: description saved.") if updated.description else _("{name!r}: no description.")
    _out(done.format(name=printable(updated.name)))
    return 0


def cmd_move(args, ctx: Context) -> int:
    chosen = [segments.get(ref) for ref in args.segments]
    moved = folders.move(ctx, [(s.id, s.version) for s in chosen], args.to)
    where = folders.path_of(folders.get(args.to).id) if args.to.strip() not in ("", "/") else _("the top")
    if len(moved) < len(chosen):
        # TRANSLATORS: {already} is "2 already there", said with its own count
        _out(_n("Moved {n} segment to {folder} ({already}).", "Moved {n} segments to {folder} ({already}).",
                len(moved), folder=printable(where),
                already=_n("{n} already there", "{n} already there", len(chosen) - len(moved))))
    else:
        _out(_n("Moved {n} segment to {folder}.", "Moved {n} segments to {folder}.", len(moved),
                folder=printable(where)))
    return 0


def cmd_folders_list(args, ctx: Context) -> int:
    rows = folders.tree()
    if args.json:
        _json([{"id": r.folder.id, "name": r.folder.name, "path": r.path, "parent": r.folder.parent_id,
                "segments": r.segments} for r in rows])
        return 0
    if not rows:
        _out(_("No folders yet. Create one with: segtui folders create NAME [--in FOLDER]"))
        return 0
    _table([[str(r.folder.id), "  " * r.depth + printable(r.folder.name), number(r.segments)] for r in rows],
           [_("ID"), _("FOLDER"), _("SEGMENTS")])
    return 0


def cmd_folders_create(args, ctx: Context) -> int:
    folder = folders.create(ctx, args.name, args.parent)
    _out(_("Created folder #{id} {path!r}.").format(id=folder.id, path=printable(folders.path_of(folder.id))))
    return 0


def cmd_folders_rename(args, ctx: Context) -> int:
    folder = folders.rename(ctx, args.folder, args.name)
    _out(_("Renamed the folder to {path!r}.").format(path=printable(folders.path_of(folder.id))))
    return 0


def cmd_folders_delete(args, ctx: Context) -> int:
    path = folders.path_of(folders.get(args.folder).id)
    folders.delete(ctx, args.folder)
    _out(_("Deleted folder {path!r}.").format(path=printable(path)))
    return 0


FOLDER_ACTIONS = {"list": cmd_folders_list, "create": cmd_folders_create, "rename": cmd_folders_rename,
                  "delete": cmd_folders_delete}


# ------------------------------------------------------------------ list --unused / --folder


def list_rows(args, ctx: Context):
    """The rows of ``segments list`` when --unused or --folder is given (else None)."""
    unused = getattr(args, "unused", None)
    folder = getattr(args, "folder", None)
    if unused is None and folder is None:
        return None
    folder_id = folders.get(folder).id if folder else None
    if unused is not None:
        rows = usage.unused(ctx, unused)
        if folder_id is not None:
            inside = set(folders.subtree_ids(folder_id))
            rows = [s for s in rows if s.folder_id in inside]
    else:
        rows, offset = [], 0
        while True:
            page = segments.list_page(type=args.type, search=args.search, folder=folder_id, offset=offset, limit=1000)
            rows.extend(page.rows)
            offset += len(page.rows)
            if not page.rows or offset >= page.total:
                break
    if unused is not None:
        if args.type:
            rows = [s for s in rows if s.type == args.type]
        if args.search.strip():
            rows = [s for s in rows if args.search.strip().casefold() in s.name_key]
    return rows


def list_json(rows, ctx: Context) -> list[dict]:
    known = folders.all_by_id()
    return [list_row(s, ctx, known) for s in rows]


# ------------------------------------------------------------------ upcoming conversions


def cmd_conversions_upcoming(args, ctx: Context) -> int:
    cal = upcoming.calendar(ctx, upcoming.check_days(args.days))
    if args.json:
        _json({"from": cal.first_day.isoformat(), "to": cal.last_day.isoformat(), "time_zone": ctx.tz,
               "days": {d.isoformat(): n for d, n in sorted(cal.counts().items())},
               "upcoming": [upcoming.upcoming_json(u) for u in cal.upcoming],
               "recently_applied": [upcoming.applied_json(a) for a in cal.applied]})
        return 0
    _out(_("Scheduled conversions from {first} to {last} ({zone}): {count}").format(
        first=_day(cal.first_day), last=_day(cal.last_day), zone=ctx.tz, count=number(len(cal.upcoming))))
    if cal.upcoming:
        _table([[_day(u.day), ctx.local(u.due_at).format("HH:mm"), printable(u.name), number(u.size),
                 u.condition()] for u in cal.upcoming], [_("DAY"), _("AT"), _("SEGMENT"), _("SIZE"), _("WHEN")])
    if cal.applied:
        _out("\n" + _("Recently applied:"))
        _table([[_moment(ctx, a.converted_at), _moment(ctx, a.due_at) if a.due_at else "-", printable(a.name),
                 _trigger(a.trigger), printable(shown_actor(a.actor))] for a in cal.applied],
               [_("APPLIED"), _("DUE"), _("SEGMENT"), _("TRIGGER"), _("BY")])
    return 0


def _day(day) -> str:
    """A day in a table for people: ISO in English, as always; the language's words otherwise."""
    return day.isoformat() if language() == ENGLISH else format_moment(day, DAY_PATTERN)


def _moment(ctx: Context, value) -> str:
    local = ctx.local(value)
    return local.format("YYYY-MM-DD HH:mm") if language() == ENGLISH else format_moment(local, MOMENT_PATTERN)


def _trigger(code: str) -> str:
    """What started a conversion (a stored code), as the upcoming conversions print it."""
    words = {"manual": pgettext("conversion trigger", "manual"), "on_day": pgettext("conversion trigger", "on day"),
             "after_inactivity": pgettext("conversion trigger", "after inactivity")}
    return words.get(code, code.replace("_", " "))
