"""``segtui properties ...`` and ``segtui import`` with its mapping options (issue 12)."""

from __future__ import annotations

import argparse

from .core import imports, property_admin, records, segments
from .core.context import Context
from .core.display import printable
from .core.errors import ImportRefused, InvalidInput
from .core.properties import TYPE_LABELS, TYPES

OBJECTS = ["contacts", "companies"]


def add_import_parser(sub) -> None:
    p = sub.add_parser(
        "import", help="import records from CSV (all or nothing), HubSpot exports as they come",
        description="Columns are matched to properties by internal name or label (HubSpot's export headers\n"
                    "too), ignoring case, accents, spaces and punctuation. An unknown column refuses the file\n"
                    "unless it is created (--create-properties), skipped or mapped.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("object_type", choices=OBJECTS)
    p.add_argument("file")
    p.add_argument("--segment", help="also add the imported records to this static segment")
    p.add_argument("--create-properties", action="store_true",
                   help="create a property for each unknown column, its type inferred from the values")
    p.add_argument("--skip", action="append", default=[], metavar="COLUMN", help="do not import this column (repeatable)")
    p.add_argument("--skip-unknown", action="store_true", help="do not import the columns that match no property")
    p.add_argument("--map", action="append", default=[], metavar="COLUMN=PROPERTY",
                   help="import COLUMN into PROPERTY (internal name or label; empty: skip it) (repeatable)")
    p.add_argument("--dry-run", action="store_true",
                   help="print the mapping, the properties it would create and the counts; write nothing")


def add_export_arguments(p) -> None:
    p.add_argument("--headers", choices=["labels", "names"], default="labels",
                   help="header row: property labels (default, re-imports unchanged) or internal names")


def add_properties_parser(sub, parser_class) -> None:
    prop = sub.add_parser("properties", help="list, create, edit, archive and restore property definitions")
    psub = prop.add_subparsers(dest="action", required=True, parser_class=parser_class)
    p = psub.add_parser("list")
    p.add_argument("object_type", choices=OBJECTS)
    p.add_argument("--json", action="store_true")
    p.add_argument("--archived", action="store_true", help="include archived properties")
    p = psub.add_parser("create", description="Types: " + ", ".join(f"{t} ({TYPE_LABELS[t]})" for t in TYPES))
    p.add_argument("object_type", choices=OBJECTS)
    p.add_argument("label")
    p.add_argument("--type", required=True, choices=TYPES)
    p.add_argument("--name", help="internal name (default: from the label, e.g. favorite_color)")
    p.add_argument("--options", help='options of a dropdown or multiple checkboxes: "Gold,Silver,Bronze"')
    p.add_argument("--description", default="")
    p.add_argument("--group", default="Custom")
    p = psub.add_parser("edit")
    p.add_argument("object_type", choices=OBJECTS)
    p.add_argument("name", help="internal name or label")
    p.add_argument("--label")
    p.add_argument("--description")
    p.add_argument("--group")
    p.add_argument("--add-option", action="append", default=[], metavar="LABEL")
    p.add_argument("--archive-option", action="append", default=[], metavar="OPTION")
    p.add_argument("--restore-option", action="append", default=[], metavar="OPTION")
    p.add_argument("--type", choices=TYPES, help="change the type (only when every stored value converts)")
    p.add_argument("--options", help="options for the new type when it is a dropdown or multiple checkboxes")
    for verb in ("archive", "restore"):
        p = psub.add_parser(verb)
        p.add_argument("object_type", choices=OBJECTS)
        p.add_argument("name", help="internal name or label")


def _out(text: str = "") -> None:
    print(text, flush=True)


def import_options(args) -> imports.ImportOptions:
    mapping = {}
    for item in args.map:
        if "=" not in item:
            raise InvalidInput(f"--map {item!r}: write it as \"Column=property\" (an empty property skips the column)")
        column, target = item.rsplit("=", 1)
        mapping[column.strip()] = target.strip()
    return imports.ImportOptions(create_properties=args.create_properties, skip=tuple(args.skip),
                                 skip_unknown=args.skip_unknown, mapping=mapping)


HINT = ("Unknown columns: create them (--create-properties), skip them (--skip COLUMN, --skip-unknown) "
        "or map them (--map \"Column=property\").")


def cmd_import(args, ctx: Context) -> int:
    text = records.read_file(args.file)
    options = import_options(args)
    target = segments.get(args.segment).id if args.segment else None
    if args.dry_run:
        table = imports.read_table(text)
        checked, report = imports.check(ctx, args.object_type, table, options)
        for line in imports.report_lines(report, checked.columns):
            _out(printable(line))
        for proposal in report.created_properties:
            _out(printable(f"Would create the property {proposal.describe()}"))
        _out(f"{report.lines:,} lines: " + imports.new_and_updated_sentence(report) + ". Nothing was written (dry run).")
        for line, message in report.warnings:
            _out(printable(f"  line {line}: {message}"))
        if report.problems:
            refusal = imports._refusal(report.problems).replace("nothing was imported", "it would not import")
            for line in refusal.splitlines():  # each line printable on its own: a newline is not escaped
                _out(printable(line))
            if any("unknown column" in m for _, m in report.problems):
                _out(HINT)
            return 2
        return 0
    try:
        report = records.import_csv(ctx, args.object_type, text, segment_id=target, options=options)
    except ImportRefused as exc:
        if any("unknown column" in m for _, m in exc.problems):
            raise ImportRefused(f"{exc.message}\n{HINT}", exc.problems) from None
        raise
    for proposal in report.created_properties:
        _out(printable(f"Created the property {proposal.describe()}"))
    _out(printable(f"Imported {args.file}: {report.sentence()}."))
    for line, message in report.warnings:
        _out(printable(f"  line {line}: {message}"))
    return 0


def _options_text(prop) -> str:
    return ", ".join(o.label + (" (archived)" if o.archived else "") for o in prop.choices)


def cmd_properties_list(args, ctx: Context) -> int:
    from .cli import _table, to_json

    found = property_admin.list_properties(args.object_type, archived=args.archived)
    if args.json:
        _out(to_json([{
            "name": p.name, "label": p.label, "type": p.type, "group": p.group, "description": p.description,
            "builtin": p.builtin, "read_only": p.read_only, "archived": p.archived,
            "options": [{"value": o.value, "label": o.label, "order": o.order, "archived": o.archived}
                        for o in p.choices],
        } for p in found]))
        return 0
    rows = [[p.name, printable(p.label), p.type, printable(p.group),
             "built-in" if p.builtin else ("archived" if p.archived else "custom"),
             printable(_options_text(p))[:60]] for p in found]
    _out(_table(rows, ["NAME", "LABEL", "TYPE", "GROUP", "KIND", "OPTIONS"]))
    return 0


def cmd_properties_create(args, ctx: Context) -> int:
    prop = property_admin.create(ctx, args.object_type, args.label, args.type, name=args.name,
                                 options=args.options, description=args.description, group=args.group)
    extra = f": {_options_text(prop)}" if prop.choices else ""
    _out(printable(f"Created the {args.object_type} property {prop.label!r} ({prop.name}, {prop.type}{extra})."))
    return 0


def cmd_properties_edit(args, ctx: Context) -> int:
    prop = property_admin.get(args.object_type, args.name)
    if args.type:
        prop, converted = property_admin.change_type(ctx, args.object_type, prop.name, args.type, options=args.options)
        _out(printable(f"{prop.label!r} is now {prop.type}: {converted:,} values converted."))
    elif args.options:
        raise InvalidInput("--options goes with --type; to add options use --add-option LABEL")
    changed = property_admin.edit(ctx, args.object_type, prop.name, label=args.label, description=args.description,
                                  group=args.group, add_options=args.add_option, archive_options=args.archive_option,
                                  restore_options=args.restore_option)
    if changed.version != prop.version or not args.type:
        extra = f" Options: {_options_text(changed)}." if changed.choices else ""
        _out(printable(f"{changed.label!r} ({changed.name}, {changed.type}).{extra}"))
    return 0


def cmd_properties_archive(args, ctx: Context) -> int:
    prop = property_admin.archive(ctx, args.object_type, args.name)
    _out(printable(f"Archived {prop.label!r} ({prop.name}); its values are kept. Restore it with: "
                   f"segtui properties restore {args.object_type} {prop.name}"))
    return 0


def cmd_properties_restore(args, ctx: Context) -> int:
    prop = property_admin.restore(ctx, args.object_type, args.name)
    _out(printable(f"Restored {prop.label!r} ({prop.name})."))
    return 0


PROPERTY_ACTIONS = {
    "list": cmd_properties_list,
    "create": cmd_properties_create,
    "edit": cmd_properties_edit,
    "archive": cmd_properties_archive,
    "restore": cmd_properties_restore,
}
