"""``segtui properties ...`` and ``segtui import`` with its mapping options (issue 12)."""

from __future__ import annotations

import argparse

from .core import imports, property_admin, records, segments
from .core.context import Context
from .core.display import printable
from .core.errors import ImportRefused, InvalidInput
from .core.properties import TYPE_LABELS, TYPES, group_of, label_of, option_label_of
from .i18n import N_, Message, _, _n, pgettext

OBJECTS = ["contacts", "companies"]


# the spaces French typography puts before ':' and between digit groups: not control
# characters, so kept as they are where a whole sentence is made printable
LANGUAGE_SPACES = "\u00a0\u202f"


def said(text: str) -> str:
    """A sentence for the terminal: ``printable`` (its data may hold anything), the language's spaces kept."""
    return printable(text, keep=LANGUAGE_SPACES)


def subcommand(subparsers, name: str, **options):
    """``subparsers.add_parser``: a command's name is a word typed, the same in every language
    (its help and description are translated by the caller)."""
    return subparsers.add_parser(name, **options)


def add_import_parser(sub) -> None:
    p = subcommand(
        sub, "import", help=_("import records from CSV (all or nothing), HubSpot exports as they come"),
        description=_("Columns are matched to properties by internal name or label (HubSpot's export headers\n"
                      "too), ignoring case, accents, spaces and punctuation. An unknown column refuses the file\n"
                      "unless it is created (--create-properties), skipped or mapped."),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("object_type", choices=OBJECTS)
    p.add_argument("file")
    p.add_argument("--segment", help=_("also add the imported records to this static segment"))
    p.add_argument("--create-properties", action="store_true",
                   help=_("create a property for each unknown column, its type inferred from the values"))
    p.add_argument("--skip", action="append", default=[], metavar="COLUMN", help=_("do not import this column (repeatable)"))
    p.add_argument("--skip-unknown", action="store_true", help=_("do not import the columns that match no property"))
    p.add_argument("--map", action="append", default=[], metavar="COLUMN=PROPERTY",
                   help=_("import COLUMN into PROPERTY (internal name or label; empty: skip it) (repeatable)"))
    p.add_argument("--dry-run", action="store_true",
                   help=_("print the mapping, the properties it would create and the counts; write nothing"))


def add_export_arguments(p) -> None:
    p.add_argument("--headers", choices=["labels", "names"], default="labels",
                   help=_("header row: property labels (default, re-imports unchanged) or internal names"))


def add_properties_parser(sub, parser_class) -> None:
    prop = subcommand(sub, "properties", help=_("list, create, edit, archive and restore property definitions"))
    psub = prop.add_subparsers(dest="action", required=True, parser_class=parser_class)
    p = subcommand(psub, "list")
    p.add_argument("object_type", choices=OBJECTS)
    p.add_argument("--json", action="store_true")
    p.add_argument("--archived", action="store_true", help=_("include archived properties"))
    p = subcommand(psub, "create", description=_("Types: {types}").format(
        types=", ".join(f"{t} ({_(TYPE_LABELS[t])})" for t in TYPES)))
    p.add_argument("object_type", choices=OBJECTS)
    p.add_argument("label")
    p.add_argument("--type", required=True, choices=TYPES)
    p.add_argument("--name", help=_("internal name (default: from the label, e.g. favorite_color)"))
    p.add_argument("--options", help=_('options of a dropdown or multiple checkboxes: "Gold,Silver,Bronze"'))
    p.add_argument("--description", default="")
    p.add_argument("--group", default="Custom")
    p = subcommand(psub, "edit")
    p.add_argument("object_type", choices=OBJECTS)
    p.add_argument("name", help=_("internal name or label"))
    p.add_argument("--label")
    p.add_argument("--description")
    p.add_argument("--group")
    p.add_argument("--add-option", action="append", default=[], metavar="LABEL")
    p.add_argument("--archive-option", action="append", default=[], metavar="OPTION")
    p.add_argument("--restore-option", action="append", default=[], metavar="OPTION")
    p.add_argument("--type", choices=TYPES, help=_("change the type (only when every stored value converts)"))
    p.add_argument("--options", help=_("options for the new type when it is a dropdown or multiple checkboxes"))
    for verb in ("archive", "restore"):
        p = subcommand(psub, verb)
        p.add_argument("object_type", choices=OBJECTS)
        p.add_argument("name", help=_("internal name or label"))


def _out(text: str = "") -> None:
    print(text, flush=True)


def import_options(args) -> imports.ImportOptions:
    mapping = {}
    for item in args.map:
        if "=" not in item:
            raise InvalidInput("--map {item!r}: write it as \"Column=property\" (an empty property skips the column)",
                               item=item)
        column, target = item.rsplit("=", 1)
        mapping[column.strip()] = target.strip()
    return imports.ImportOptions(create_properties=args.create_properties, skip=tuple(args.skip),
                                 skip_unknown=args.skip_unknown, mapping=mapping)


HINT = N_("Unknown columns: create them (--create-properties), skip them (--skip COLUMN, --skip-unknown) "
          "or map them (--map \"Column=property\").")


def cmd_import(args, ctx: Context) -> int:
    text = records.read_file(args.file)
    options = import_options(args)
    target = segments.get(args.segment).id if args.segment else None
    if args.dry_run:
        table = imports.read_table(text)
        checked, report = imports.check(ctx, args.object_type, table, options)
        for line in imports.report_lines(report, checked.columns):
            _out(said(line))
        for proposal in report.created_properties:
            _out(said(_("Would create the property {property}").format(property=proposal.describe())))
        # TRANSLATORS: the English says "lines" whatever the count (as the import's report does)
        _out(_n("{n} lines: {outcome}. Nothing was written (dry run).", "{n} lines: {outcome}. Nothing was written (dry run).",
                report.lines, outcome=imports.new_and_updated_sentence(report)))
        for line, message in report.warnings:
            _out(said("  " + _("line {line}: {message}").format(line=line, message=message)))
        if report.problems:
            refusal = str(imports.refusal(report.problems, dry_run=True))
            for line in refusal.splitlines():  # each line printable on its own: a newline is not escaped
                _out(said(line))
            if imports.has_unknown_columns(report.problems):
                _out(_(HINT))
            return 2
        return 0
    try:
        report = records.import_csv(ctx, args.object_type, text, segment_id=target, options=options)
    except ImportRefused as exc:
        if imports.has_unknown_columns(exc.problems):
            raise ImportRefused(Message("{refusal}\n{hint}", refusal=exc.text, hint=Message(HINT)), exc.problems) from None
        raise
    for proposal in report.created_properties:
        _out(said(_("Created the property {property}").format(property=proposal.describe())))
    _out(said(_("Imported {file}: {outcome}.").format(file=args.file, outcome=report.sentence())))
    for line, message in report.warnings:
        _out(said("  " + _("line {line}: {message}").format(line=line, message=message)))
    return 0


def _options_text(prop) -> str:
    archived = _("{option} (archived)")
    labels = [(option_label_of(prop, o.value), o.archived) for o in prop.choices]  # built-in ones in the language
    return ", ".join(archived.format(option=label) if gone else label for label, gone in labels)


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
    kinds = {"built-in": pgettext("property kind", "built-in"), "archived": pgettext("property kind", "archived"),
             "custom": pgettext("property kind", "custom")}
    rows = [[p.name, printable(label_of(p)), p.type, printable(group_of(p)),
             kinds["built-in" if p.builtin else ("archived" if p.archived else "custom")],
             printable(_options_text(p))[:60]] for p in found]
    _out(_table(rows, [_("NAME"), _("LABEL"), _("TYPE"), _("GROUP"), _("KIND"), _("OPTIONS")]))
    return 0


def cmd_properties_create(args, ctx: Context) -> int:
    prop = property_admin.create(ctx, args.object_type, args.label, args.type, name=args.name,
                                 options=args.options, description=args.description, group=args.group)
    made = (_("Created the contacts property {label!r} ({name}, {type}{options}).") if args.object_type == "contacts"
            else _("Created the companies property {label!r} ({name}, {type}{options})."))
    _out(said(made.format(label=prop.label, name=prop.name, type=prop.type,
                               options=f": {_options_text(prop)}" if prop.choices else "")))
    return 0


def cmd_properties_edit(args, ctx: Context) -> int:
    prop = property_admin.get(args.object_type, args.name)
    if args.type:
        prop, converted = property_admin.change_type(ctx, args.object_type, prop.name, args.type, options=args.options)
        _out(said(_n("{label!r} is now {type}: {n} value converted.", "{label!r} is now {type}: {n} values converted.",
                          converted, label=label_of(prop), type=prop.type)))
    elif args.options:
        raise InvalidInput("--options goes with --type; to add options use --add-option LABEL")
    changed = property_admin.edit(ctx, args.object_type, prop.name, label=args.label, description=args.description,
                                  group=args.group, add_options=args.add_option, archive_options=args.archive_option,
                                  restore_options=args.restore_option)
    if changed.version != prop.version or not args.type:
        extra = " " + _("Options: {options}.").format(options=_options_text(changed)) if changed.choices else ""
        _out(said(f"{label_of(changed)!r} ({changed.name}, {changed.type}).{extra}"))
    return 0


def cmd_properties_archive(args, ctx: Context) -> int:
    prop = property_admin.archive(ctx, args.object_type, args.name)
    _out(said(_("Archived {label!r} ({name}); its values are kept. Restore it with: "
                     "segtui properties restore {object_type} {name}").format(
        label=label_of(prop), name=prop.name, object_type=args.object_type)))
    return 0


def cmd_properties_restore(args, ctx: Context) -> int:
    prop = property_admin.restore(ctx, args.object_type, args.name)
    _out(said(_("Restored {label!r} ({name}).").format(label=label_of(prop), name=prop.name)))
    return 0


PROPERTY_ACTIONS = {
    "list": cmd_properties_list,
    "create": cmd_properties_create,
    "edit": cmd_properties_edit,
    "archive": cmd_properties_archive,
    "restore": cmd_properties_restore,
}
