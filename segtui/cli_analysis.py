"""The command line of the analysis views: history, members at a moment, overlap, usage,
upcoming conversions, descriptions and folders (issue 14). Registered by ``segtui.cli``."""

from __future__ import annotations

import heapq

from .core import folders, history, overlap, segments, upcoming, usage
from .core.context import Context
from .core.describe import iso, list_row
from .core.display import printable
from .core.errors import InvalidInput
from .core.models import RECORD_MODELS, Membership, database_proxy
from .core.properties import key_property


def register(sub, ssub, parser_class) -> tuple[dict, dict]:
    """Add the subcommands; returns (top-level handlers, ``segments`` handlers)."""
    p = ssub.add_parser("history", help="members added, removed and size per day, week or month")
    p.add_argument("segment")
    p.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help="first day (default: 29 days before --to)")
    p.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help="last day (default: today)")
    p.add_argument("--by", choices=history.GRAINS, default="day")
    p.add_argument("--json", action="store_true")

    p = ssub.add_parser("members", help="who is a member now, or was at a moment (--at)")
    p.add_argument("segment")
    p.add_argument("--at", metavar="YYYY-MM-DD[THH:MM]",
                   help="a moment in the account time zone; a day alone is its end, as in the history")
    p.add_argument("--json", action="store_true")

    p = ssub.add_parser("overlap", help="records in each region of two or three segments")
    p.add_argument("segments", nargs="+", metavar="SEGMENT")
    p.add_argument("--save", metavar="REGION", help="make a static segment of one region: A, AB, B, ABC...")
    p.add_argument("--name", help="the new segment's name (with --save)")
    p.add_argument("--json", action="store_true")

    p = ssub.add_parser("usage", help="what uses a segment and what it uses")
    p.add_argument("segment")
    p.add_argument("--json", action="store_true")

    p = ssub.add_parser("describe", help="set a segment's description ('' clears it)")
    p.add_argument("segment")
    p.add_argument("text")

    p = ssub.add_parser("move", help="move segments into a folder ('/' for the top)")
    p.add_argument("segments", nargs="+", metavar="SEGMENT")
    p.add_argument("--to", required=True, metavar="FOLDER")

    listing = ssub.choices["list"]
    listing.add_argument("--unused", type=int, metavar="DAYS",
                         help="only segments nothing uses and unchanged for DAYS days")
    listing.add_argument("--folder", metavar="FOLDER", help="only segments in this folder (and its folders)")

    fold = sub.add_parser("folders", help="list, create, rename and delete segment folders")
    fsub = fold.add_subparsers(dest="action", required=True, parser_class=parser_class)
    p = fsub.add_parser("list")
    p.add_argument("--json", action="store_true")
    p = fsub.add_parser("create")
    p.add_argument("name")
    p.add_argument("--in", dest="parent", metavar="FOLDER", help="inside this folder (default: at the top)")
    p = fsub.add_parser("rename")
    p.add_argument("folder")
    p.add_argument("name")
    p = fsub.add_parser("delete", help="delete an empty folder")
    p.add_argument("folder")

    conv = sub.add_parser("conversions", help="scheduled conversions")
    csub = conv.add_subparsers(dest="action", required=True, parser_class=parser_class)
    p = csub.add_parser("upcoming", help="every scheduled conversion in the next days, by day")
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
    _out(f"{printable(h.name)}: size by {h.grain} ({h.tz})")
    rows = []
    for p in h.periods:
        label = p.first_day.isoformat() if p.first_day == p.last_day else f"{p.first_day} .. {p.last_day}"
        events = "; ".join(printable(m.text) for m in h.markers_in(p))
        rows.append([label, f"+{p.added:,}", f"-{p.removed:,}", f"{p.size:,}", events])
    _table(rows, ["PERIOD", "ADDED", "REMOVED", "SIZE", "EVENTS"])
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
            raise InvalidInput(f"--at {args.at} is in the future: segtui knows who is a member up to now")
        ids = history.member_ids_at(segment.id, moment)
    else:
        ids = history.MembersAt(segment.id)
    rows = _member_rows(segment, ids)
    if args.json:
        _json([{"id": rid, "key": key, "name": name} for rid, key, name in rows])
        return 0
    write = __import__("sys").stdout.write
    write("ID\tKEY\tNAME\n")
    for rid, key, name in rows:
        write(f"{rid}\t{printable(key)}\t{printable(name)}\n")
    return 0


# ------------------------------------------------------------------ overlap


def _region_mask(code: str, n: int) -> int:
    letters = "ABC"[:n]
    code = code.strip().upper()
    if not code or any(c not in letters for c in code) or len(set(code)) != len(code):
        raise InvalidInput(f"--save {code!r} is not a region: use letters of {letters}, e.g. A, AB, {letters}")
    return sum(1 << letters.index(c) for c in code)


def cmd_overlap(args, ctx: Context) -> int:
    result = overlap.overlap(args.segments)
    n = len(result.segments)
    if args.save:
        mask = _region_mask(args.save, n)
        if not args.name:
            raise InvalidInput("--save needs --name NAME for the new static segment")
        made, added = overlap.create_from_region(ctx, args.segments, mask, args.name)
        _out(f"Created static segment #{made.id} {printable(made.name)!r} with {added:,} members "
             f"({printable(result.label(mask))}).")
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
        _out(f"{'ABC'[i]}  {printable(s.name)}  ({result.sizes[i]:,} members)")
    _out()
    _table([[overlap.Region(m).code(n), printable(result.label(m)), f"{c:,}"] for m, c in regions],
           ["REGION", "", "RECORDS"])
    _out(f"\n{result.union:,} records in at least one.")
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
        (f"Used by (segments whose filters read {name}):", found.used_by, "  nothing uses it"),
        (f"Uses (segments {name}'s filters read):", found.uses, "  none"),
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
    _out(f"{printable(updated.name)!r}: " + ("description saved." if updated.description else "no description."))
    return 0


def cmd_move(args, ctx: Context) -> int:
    chosen = [segments.get(ref) for ref in args.segments]
    moved = folders.move(ctx, [(s.id, s.version) for s in chosen], args.to)
    where = folders.path_of(folders.get(args.to).id) if args.to.strip() not in ("", "/") else "the top"
    _out(f"Moved {len(moved)} segment(s) to {printable(where)}" + (
        f" ({len(chosen) - len(moved)} already there)." if len(moved) < len(chosen) else "."))
    return 0


def cmd_folders_list(args, ctx: Context) -> int:
    rows = folders.tree()
    if args.json:
        _json([{"id": r.folder.id, "name": r.folder.name, "path": r.path, "parent": r.folder.parent_id,
                "segments": r.segments} for r in rows])
        return 0
    if not rows:
        _out("No folders yet. Create one with: segtui folders create NAME [--in FOLDER]")
        return 0
    _table([[str(r.folder.id), "  " * r.depth + printable(r.folder.name), f"{r.segments:,}"] for r in rows],
           ["ID", "FOLDER", "SEGMENTS"])
    return 0


def cmd_folders_create(args, ctx: Context) -> int:
    folder = folders.create(ctx, args.name, args.parent)
    _out(f"Created folder #{folder.id} {printable(folders.path_of(folder.id))!r}.")
    return 0


def cmd_folders_rename(args, ctx: Context) -> int:
    folder = folders.rename(ctx, args.folder, args.name)
    _out(f"Renamed the folder to {printable(folders.path_of(folder.id))!r}.")
    return 0


def cmd_folders_delete(args, ctx: Context) -> int:
    path = folders.path_of(folders.get(args.folder).id)
    folders.delete(ctx, args.folder)
    _out(f"Deleted folder {printable(path)!r}.")
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
    _out(f"Scheduled conversions from {cal.first_day} to {cal.last_day} ({ctx.tz}): {len(cal.upcoming):,}")
    if cal.upcoming:
        _table([[u.day.isoformat(), ctx.local(u.due_at).format("HH:mm"), printable(u.name), f"{u.size:,}",
                 u.condition()] for u in cal.upcoming], ["DAY", "AT", "SEGMENT", "SIZE", "WHEN"])
    if cal.applied:
        _out("\nRecently applied:")
        _table([[ctx.local(a.converted_at).format("YYYY-MM-DD HH:mm"),
                 ctx.local(a.due_at).format("YYYY-MM-DD HH:mm") if a.due_at else "-", printable(a.name),
                 a.trigger.replace("_", " "), printable(a.actor)] for a in cal.applied],
               ["APPLIED", "DUE", "SEGMENT", "TRIGGER", "BY"])
    return 0
