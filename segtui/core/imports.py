"""CSV imports as they come (issue 12): columns matched to properties, values read, all or nothing.

A file goes through three steps that the CLI and the console share:

1. ``plan``: every column gets a fate: a property (matched by internal name, label or one of
   HubSpot's export headers, ignoring case, accents, spaces and punctuation), a property to
   create (``--create-properties``: its type inferred from the values), an association column
   (``Associated Company IDs``, ``Associated Company``), or skipped. Unknown columns carry the
   closest property ("did you mean").
2. ``check``: every line read with the plan; the counts (new, updated, unchanged, refused) and
   every problem with its line. Nothing is written: this is ``--dry-run`` and the mapping
   screen's summary.
3. ``run``: the same, then in one transaction: create the properties, upsert the records by
   key, link the associations, mark the segments the change affects. Any problem refuses the
   whole file before anything is written.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
from collections import Counter
from dataclasses import dataclass, field

from peewee import EXCLUDED, fn

from ..i18n import Message, N_, _, _n, nmsg
from ..i18n import number as _number
from . import audit, causes, follow, membership, property_admin, store, values
from . import properties as registry
from .context import Context
from .db import locked, write_transaction
from .display import format_value
from .errors import ImportRefused, InvalidInput
from .models import RECORD_MODELS, Company, Contact, ImportMapping
from .stored_messages import Joined, quoted_names
from .properties import (
    BOOLEAN,
    CUSTOM_GROUP,
    DATE,
    DATETIME,
    ENUMERATION,
    MULTIPLE,
    NUMBER,
    OBJECT_TYPES,
    TEXT,
    WITH_OPTIONS,
    Option,
    Property,
    headers_of,
    internal_name,
    key_property,
    label_of,
    normalise,
    option_words,
)

PROPERTY, CREATE, SKIP, UNKNOWN = "property", "create", "skip", "unknown"
ASSOCIATE_IDS, ASSOCIATE_NAME = "associate_ids", "associate_name"
# association columns of a contacts export, by their normalised HubSpot header (English and French)
ASSOCIATION_COLUMNS = {"contacts": {
    "associatedcompanyids": ASSOCIATE_IDS, "associatedcompanyid": ASSOCIATE_IDS,
    "idsdesentreprisesassociees": ASSOCIATE_IDS, "iddesentreprisesassociees": ASSOCIATE_IDS,
    "identrepriseassociee": ASSOCIATE_IDS, "idsentreprisesassociees": ASSOCIATE_IDS,
    "associatedcompany": ASSOCIATE_NAME, "entrepriseassociee": ASSOCIATE_NAME,
}}
# how a column was matched (Column.how): a code, said by how_of(); the flags are shown as typed
HOW = {"name": N_("name"), "label": N_("label"), "HubSpot header": N_("HubSpot header"),
       "remembered": N_("remembered"), "new property": N_("new property"), "association": N_("association")}
ENUMERATION_MAX_OPTIONS = 20
SAMPLES = 3
BATCH = 500


@dataclass
class Proposal:
    """A property an import would create."""

    label: str
    name: str
    type: str
    options: list[str] = field(default_factory=list)  # labels

    def as_property(self, object_type: str) -> Property:
        choices = tuple(Option(internal_name(lab), lab, i) for i, lab in enumerate(self.options))
        return Property(self.name, self.label, self.type, tuple(o.value for o in choices), builtin=False,
                        column=f"p_{self.name}", group=CUSTOM_GROUP, choices=choices)

    def describe(self) -> str:
        """'Favorite color' (favorite_color, enumeration: Red, Blue): the type's code, as the CLI's --type."""
        if self.options:
            return _("{label!r} ({name}, {type}: {options})").format(
                label=self.label, name=self.name, type=self.type, options=", ".join(self.options))
        return _("{label!r} ({name}, {type})").format(label=self.label, name=self.name, type=self.type)


@dataclass
class Column:
    index: int
    header: str
    action: str
    property: str | None = None  # the internal name it fills
    proposal: Proposal | None = None
    samples: list[str] = field(default_factory=list)
    suggestion: str | None = None  # did you mean (a label)
    how: str = ""  # how it was matched: a code of HOW, or the flag (--map, --skip...): how_of() says it


class Problem(str):
    """A problem with a file, as read in the language of the check; ``kind`` says which in
    any language (UNKNOWN: a column matches no property)."""

    kind: str

    def __new__(cls, message, kind: str = "") -> Problem:
        made = super().__new__(cls, str(message))
        made.kind = kind
        return made


def how_of(column: Column) -> str:
    """How a column was matched, in the language ("label", "--map"...)."""
    return _(HOW[column.how]) if column.how in HOW else column.how


def has_unknown_columns(problems) -> bool:
    """Whether some column of the file matches no property (the CLI then hints at --skip-unknown)."""
    return any(getattr(message, "kind", "") == UNKNOWN for _line, message in problems)


@dataclass
class ImportOptions:
    create_properties: bool = False
    skip: tuple[str, ...] = ()
    skip_unknown: bool = False
    mapping: dict[str, str] = field(default_factory=dict)  # header -> property name/label, "" to skip
    proposals: dict[str, Proposal] = field(default_factory=dict)  # header -> property to create (console edits)
    add_options: dict[str, list[str]] = field(default_factory=dict)  # property -> option labels to add first


@dataclass
class ImportReport:
    object_type: str
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    added_to_segment: int = 0
    associations: int = 0
    companies_created: int = 0
    columns: list[str] = field(default_factory=list)
    created_properties: list[Proposal] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    # per existing dropdown or multiple-checkbox property: the file's values that are not options
    unknown_options: dict[str, list[str]] = field(default_factory=dict)
    dry_run: bool = False
    followed: object = None  # follow.Followed: what the import did to segment membership

    def segments_sentence(self) -> str:
        return self.followed.sentence() if self.followed is not None else ""

    def sentence(self) -> str:
        return str(self.message())

    def message(self) -> Message:
        """The counts as a message (the audit log stores it, to be read in any language)."""
        parts = [nmsg("{n} created", "{n} created", self.created), nmsg("{n} updated", "{n} updated", self.updated)]
        if self.unchanged:
            parts.append(nmsg("{n} unchanged", "{n} unchanged", self.unchanged))
        if self.refused:
            parts.append(nmsg("{n} refused", "{n} refused", self.refused))
        if self.associations:
            parts.append(nmsg("{n} associations", "{n} associations", self.associations))
        if self.added_to_segment:
            parts.append(nmsg("{n} added to the segment", "{n} added to the segment", self.added_to_segment))
        return nmsg("{n} lines: {counts}", "{n} lines: {counts}", self.lines, counts=Joined(parts, ", "))


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number, cells)


# ---------------------------------------------------------------- reading


def read_table(text: str) -> Table:
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRefused("The file is empty: it needs a header row of property names",
                            [(1, Problem(_("empty file")))]) from None
    except csv.Error as exc:
        raise ImportRefused("Line 1: {error}", [(1, Problem(exc))], error=str(exc)) from None
    rows = []
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((reader.line_num, cells))
    except csv.Error as exc:
        problems = [(reader.line_num, Problem(exc))]
        raise ImportRefused(refusal(problems), problems) from None
    return Table([h.strip() for h in header], rows)


def headers_key(header: list[str]) -> str:
    return "\x1f".join(normalise(h) for h in header)


# ---------------------------------------------------------------- matching columns


def _index(object_type: str) -> tuple[dict[str, str], dict[str, str]]:
    """normalised name/label/alias -> property name, for live properties and archived ones."""
    live, archived = {}, {}
    props = registry.all_properties(object_type).values()
    # labels and HubSpot headers first, internal names last: a name wins a clash
    for attr in ("aliases", "label", "name"):
        for prop in props:
            keys = headers_of(prop) if attr == "aliases" else (getattr(prop, attr),)
            for key in keys:
                (archived if prop.archived else live)[normalise(key)] = prop.name
    return live, archived


def resolve_property(object_type: str, ref: str) -> Property | None:
    """A property by internal name or label (as a person would type it)."""
    props = registry.all_properties(object_type)
    if ref in props:
        return props[ref]
    live, archived = _index(object_type)
    name = live.get(normalise(ref)) or archived.get(normalise(ref))
    return props.get(name) if name else None


def did_you_mean(object_type: str, header: str) -> str | None:
    props = list(registry.properties(object_type).values())
    keys = {}
    for prop in props:
        for key in (prop.label, label_of(prop), prop.name, *headers_of(prop)):
            keys.setdefault(normalise(key), label_of(prop))
    close = difflib.get_close_matches(normalise(header), list(keys), n=1, cutoff=0.6)
    return keys[close[0]] if close else None


def plan(object_type: str, table: Table, options: ImportOptions | None = None,
         *, tz: str = "UTC") -> list[Column]:
    """The fate of every column (no problem raised here: ``problems_of_plan`` lists them)."""
    check_object_type(object_type)
    options = options or ImportOptions()
    registry.ensure_fresh()
    live, archived = _index(object_type)
    mapping = {normalise(k): v for k, v in options.mapping.items()}
    skips = {normalise(s) for s in options.skip}
    proposals = {normalise(k): v for k, v in options.proposals.items()}
    specials = ASSOCIATION_COLUMNS.get(object_type, {})
    columns = []
    for i, header in enumerate(table.header):
        key = normalise(header)
        cells = [cells[i] for _, cells in table.rows if i < len(cells)]
        samples = list(dict.fromkeys(c.strip() for c in cells if c.strip()))[:SAMPLES]
        column = Column(i, header, UNKNOWN, samples=samples)
        if key in mapping:
            target = mapping[key]
            if target in ("", "-"):
                column.action, column.how = SKIP, "--map"
            else:
                found = resolve_property(object_type, target)
                column.how = "--map"
                if found is not None:
                    column.action, column.property = PROPERTY, found.name
                elif normalise(target) in specials:
                    column.action = specials[normalise(target)]
                else:
                    column.suggestion = target  # problems_of_plan says the target is unknown
        elif key in skips:
            column.action, column.how = SKIP, "--skip"
        elif key in proposals:
            column.action, column.proposal, column.how = CREATE, proposals[key], "new property"
        elif key in live or key in archived:
            column.action, column.property = PROPERTY, live.get(key) or archived.get(key)
            prop = registry.all_properties(object_type)[column.property]
            column.how = "name" if key == normalise(prop.name) else "label" if key == normalise(prop.label) else "HubSpot header"
        elif key in specials:
            column.action, column.how = specials[key], "association"
        elif options.create_properties and key:
            column.action, column.how = CREATE, "new property"
            column.proposal = infer(header, cells, tz=tz)
        elif options.skip_unknown:
            column.action, column.how = SKIP, "--skip-unknown"
        else:
            column.suggestion = did_you_mean(object_type, header)
        columns.append(column)
    return columns


def problems_of_plan(object_type: str, table: Table, columns: list[Column], options: ImportOptions) -> list[tuple[int, str]]:
    problems: list[tuple[int, str]] = []
    props = registry.all_properties(object_type)
    headers = {normalise(h) for h in table.header}
    for ref in list(options.mapping) + list(options.skip):
        if normalise(ref) not in headers:
            problems.append((1, Problem(Message("there is no column {ref!r} to map or skip (columns: {columns})",
                                                ref=ref, columns=", ".join(table.header)))))
    for column in columns:
        if column.action == UNKNOWN and column.how == "--map":
            problems.append((1, Problem(Message(NO_SUCH_PROPERTY[object_type], header=column.header,
                                                target=column.suggestion))))
        elif column.action == UNKNOWN:
            if column.suggestion:
                said = Message("unknown column {header!r} (did you mean {suggestion!r}?)", header=column.header,
                               suggestion=column.suggestion)
            else:
                said = Message("unknown column {header!r}", header=column.header)
            problems.append((1, Problem(said, UNKNOWN)))
        elif column.action == PROPERTY and props[column.property].archived:
            problems.append((1, Problem(Message("column {header!r}: the property {label!r} is archived: restore it "
                                                "to import into it", header=column.header,
                                                label=label_of(props[column.property])))))
        elif column.action == CREATE:
            try:
                property_admin.check_name(object_type, column.proposal.name)
            except InvalidInput as exc:
                problems.append((1, Problem(Message("column {header!r}: {problem}", header=column.header,
                                                    problem=exc.message))))
    filled = Counter(c.property for c in columns if c.action == PROPERTY)
    for name, count in sorted(filled.items()):
        if count > 1:
            shown = quoted_names(c.header for c in columns if c.property == name)
            problems.append((1, Problem(Message("columns {headers} all fill {label!r}", headers=shown,
                                                label=label_of(props[name])))))
    created = Counter(c.proposal.name for c in columns if c.action == CREATE)
    for name, count in sorted(created.items()):
        if count > 1:
            problems.append((1, Problem(nmsg("{n} columns would create the same property {name!r}",
                                             "{n} columns would create the same property {name!r}", count,
                                             name=name))))
    key = key_property(object_type)
    if not any(c.action == PROPERTY and c.property == key.name for c in columns):
        problems.append((1, Problem(Message(NO_KEY_COLUMN[object_type], label=label_of(key), name=key.name))))
    if sum(1 for c in columns if c.action == ASSOCIATE_IDS) > 1 or sum(1 for c in columns if c.action == ASSOCIATE_NAME) > 1:
        problems.append((1, Problem(_("the associated companies are given by more than one column of the same kind"))))
    return problems


# the sentences that name the object type, whole for each (French nouns have a gender)
NO_SUCH_PROPERTY = {
    "contacts": N_("--map {header}={target}: contacts have no property {target!r}"),
    "companies": N_("--map {header}={target}: companies have no property {target!r}"),
}
IMPORTED = {"contacts": N_("Imported contacts: {counts}"), "companies": N_("Imported companies: {counts}")}
NO_KEY_COLUMN = {
    "contacts": N_("the header has no {label!r} column ({name}), which identifies contacts"),
    "companies": N_("the header has no {label!r} column ({name}), which identifies companies"),
}


# ---------------------------------------------------------------- type inference


def infer(header: str, cells: list[str], *, tz: str = "UTC") -> Proposal:
    """boolean, number, date, datetime, multiple checkboxes, enumeration (few distinct values that repeat), else text."""
    label = " ".join(header.split()) or _("Column")
    name = internal_name(label)
    filled = [c.strip() for c in cells if c.strip()]
    if not filled:
        return Proposal(label, name, TEXT)
    lowered = {c.lower() for c in filled}
    if lowered <= values.TRUE_WORDS | values.FALSE_WORDS and lowered - {"0", "1"}:
        return Proposal(label, name, BOOLEAN)
    try:
        style = values.number_style(filled)
        for cell in filled:
            values.parse_number(cell, style)
        return Proposal(label, name, NUMBER)
    except (ValueError, OverflowError):
        pass
    if all(values._DAY.match(c) for c in filled) and _all_parse(filled, lambda c: values.parse_day(c, tz)):
        return Proposal(label, name, DATE)
    if _all_parse(filled, lambda c: values.parse_moment(c, tz)):
        return Proposal(label, name, DATETIME)
    if any(";" in c for c in filled):
        parts = [p.strip() for c in filled for p in c.split(";") if p.strip()]
        distinct = _distinct_labels(parts)
        if len(distinct) <= ENUMERATION_MAX_OPTIONS and len(distinct) < len(parts):
            return Proposal(label, name, MULTIPLE, distinct)
    distinct = _distinct_labels(filled)
    if len(distinct) <= ENUMERATION_MAX_OPTIONS and len(distinct) * 2 <= len(filled):
        return Proposal(label, name, ENUMERATION, distinct)
    return Proposal(label, name, TEXT)


def _all_parse(cells, parse) -> bool:
    try:
        for cell in cells:
            parse(cell)
    except ValueError:
        return False
    return True


def _distinct_labels(cells: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for cell in cells:
        value = internal_name(cell)
        if value:
            seen.setdefault(value, cell)
    return sorted(seen.values(), key=str.casefold)


# ---------------------------------------------------------------- checking the lines


@dataclass
class _Checked:
    columns: list[Column]
    targets: list[tuple[Column, Property]]  # the columns that fill a property, and the property
    rows: list[dict]  # property name -> value, plus "_line", "_company_ids", "_company_name"
    problems: list[tuple[int, str]]
    warnings: list[tuple[int, str]]
    refused_lines: set[int]
    links: dict[int, list[int]]  # line -> company ids to associate
    new_domains: set[str]


def check(ctx: Context, object_type: str, table: Table, options: ImportOptions | None = None) -> tuple[_Checked, ImportReport]:
    """Everything an import would do, without writing: the report of a dry run."""
    options = options or ImportOptions()
    columns = plan(object_type, table, options, tz=ctx.tz)
    report = ImportReport(object_type, dry_run=True)
    header_problems = problems_of_plan(object_type, table, columns, options)
    report.columns = [c.property or (c.proposal.name if c.proposal else c.action) for c in columns
                      if c.action in (PROPERTY, CREATE)]
    report.created_properties = [c.proposal for c in columns if c.action == CREATE]
    if header_problems:
        report.problems = header_problems
        report.lines = len(table.rows)
        checked = _Checked(columns, [], [], header_problems, [], set(), {}, set())
        return checked, report
    props = registry.all_properties(object_type)
    targets = []
    for c in columns:
        if c.action == PROPERTY:
            prop = props[c.property]
            extra = options.add_options.get(prop.name)
            if extra and prop.type in WITH_OPTIONS:  # options the mapping screen will add first
                added = tuple(Option(internal_name(lab), lab, 10_000 + i) for i, lab in enumerate(extra))
                prop = Property(**{**prop.__dict__, "choices": prop.choices + added,
                                   "options": prop.options + tuple(o.value for o in added)})
            targets.append((c, prop))
        elif c.action == CREATE:
            targets.append((c, c.proposal.as_property(object_type)))
    problems: list[tuple[int, str]] = []
    styles = {}
    for c, prop in targets:
        if prop.type == NUMBER:
            try:
                styles[c.index] = values.number_style([cells[c.index] for _, cells in table.rows if c.index < len(cells)])
            except ValueError as exc:
                problems.append((1, Problem(Message("column {header!r}: {problem}", header=c.header, problem=str(exc)))))
                styles[c.index] = None  # its cells are not read one by one: the column is the problem
    # a French export writes the built-in dropdowns' options by their French labels
    words = {c.index: option_words(prop) for c, prop in targets if prop.type == ENUMERATION}
    key = key_property(object_type).name
    rows, seen, refused = [], {}, set()
    width = len(table.header)
    from .records import parse_value

    for line, cells in table.rows:
        if len(cells) != width:
            problems.append((line, Problem(nmsg("{n} cells where the header has {width}",
                                                "{n} cells where the header has {width}", len(cells),
                                                width=_number(width)))))
            refused.add(line)
            continue
        row: dict = {"_line": line}
        bad = False
        for c, prop in targets:
            if styles.get(c.index, values.DOT) is None:
                bad = True
                continue
            cell = cells[c.index]
            if words.get(c.index):
                cell = words[c.index].get(normalise(cell), cell)
            try:
                value = parse_value(prop, cell, tz=ctx.tz) if prop.is_key else \
                    values.parse(prop, cell, tz=ctx.tz, style=styles.get(c.index, values.DOT))
            except ValueError as exc:
                problems.append((line, Problem(exc if prop.is_key else _with_column(str(exc), c, prop))))
                if c.action == PROPERTY and prop.type in WITH_OPTIONS:
                    _note_unknown_options(report, prop, cells[c.index])
                bad = True
                continue
            row[prop.name] = value
        for c in columns:
            if c.action == ASSOCIATE_IDS:
                row["_company_ids"] = [p.strip() for p in cells[c.index].split(";") if p.strip()]
            elif c.action == ASSOCIATE_NAME and cells[c.index].strip():
                row["_company_name"] = cells[c.index].strip()
        if row.get(key) is None:
            if not bad:
                problems.append((line, Problem(Message("missing {key}", key=key))))
            refused.add(line)
            continue
        if row[key] in seen:
            problems.append((line, Problem(Message("{key} {value} is also on line {line}", key=key, value=row[key],
                                                   line=seen[row[key]]))))
            refused.add(line)
            continue
        seen[row[key]] = line
        if bad:
            refused.add(line)
            continue
        rows.append(row)
    links, new_domains, warnings = {}, set(), []
    if object_type == "contacts":
        links, new_domains, link_problems, warnings = _resolve_links(rows)
        problems += link_problems
        refused |= {line for line, _ in link_problems}
    problems.sort(key=lambda p: p[0])
    checked = _Checked(columns, targets, rows, problems, warnings, refused, links, new_domains)
    report.lines = len(table.rows)
    report.refused = len(refused)
    report.problems, report.warnings = problems, warnings
    good = [r for r in rows if r["_line"] not in refused]
    _count(object_type, good, targets, report)
    report.associations = _count_new_links(good, links)
    report.companies_created = len(new_domains)
    return checked, report


def _note_unknown_options(report: ImportReport, prop: Property, cell: str) -> None:
    """The values of a cell that are not options of ``prop`` (what "add as options" would add)."""
    parts = cell.split(";") if prop.type == MULTIPLE else [cell]
    found = report.unknown_options.setdefault(prop.name, [])
    for part in parts:
        if not part.strip():
            continue
        try:
            values.option_value(prop, part)
        except ValueError:
            if not any(known.casefold() == part.strip().casefold() for known in found):
                found.append(part.strip())


def _with_column(message: str, column: Column, prop: Property) -> str:
    if normalise(column.header) in (normalise(prop.label), normalise(label_of(prop))):
        return message
    return str(Message("column {header!r}: {problem}", header=column.header, problem=message))


def _resolve_links(rows: list[dict]):
    """Company ids for each line: by Record ID (must exist), by name (when unique), by domain (created if new)."""
    problems, warnings = [], []
    wanted_ids = {i for r in rows for i in r.get("_company_ids", [])}
    by_hubspot = {}
    for chunk in _chunks(sorted(wanted_ids), 500):
        by_hubspot.update(Company.select(Company.hubspot_id, Company.id).where(Company.hubspot_id.in_(chunk)).tuples())
    wanted_names = {r["_company_name"].casefold() for r in rows if "_company_name" in r}
    by_name: dict[str, list[int]] = {}
    for chunk in _chunks(sorted(wanted_names), 500):
        query = Company.select(fn.LOWER(Company.name), Company.id).where(fn.LOWER(Company.name).in_(chunk))
        for name, cid in query.tuples():
            by_name.setdefault(name, []).append(cid)
    wanted_domains = {r["company_domain"].lower() for r in rows if r.get("company_domain")}
    by_domain = {}
    for chunk in _chunks(sorted(wanted_domains), 500):
        by_domain.update(Company.select(Company.domain, Company.id).where(Company.domain.in_(chunk)).tuples())
    links: dict[int, list[int]] = {}
    new_domains = set()
    for row in rows:
        line, ids = row["_line"], []
        for ref in row.get("_company_ids", []):
            if ref in by_hubspot:
                ids.append(by_hubspot[ref])
            else:
                problems.append((line, Problem(Message("Associated Company IDs: no company has the Record ID {ref} "
                                                       "(import the companies first)", ref=ref))))
        name = row.get("_company_name")
        if name:
            found = by_name.get(name.casefold(), [])
            if len(found) == 1:
                ids.append(found[0])
            else:
                if found:
                    said = nmsg("Associated Company {name!r} not linked: {n} companies have that name",
                                "Associated Company {name!r} not linked: {n} companies have that name",
                                len(found), name=name)
                else:
                    said = Message("Associated Company {name!r} not linked: no company has that name", name=name)
                warnings.append((line, Problem(said)))
        domain = (row.get("company_domain") or "").lower()
        if domain:
            if domain in by_domain:
                ids.append(by_domain[domain])
            else:
                new_domains.add(domain)
        links[line] = list(dict.fromkeys(ids))
    return links, new_domains, problems, warnings


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _count(object_type: str, rows: list[dict], targets, report: ImportReport) -> None:
    """new / updated / unchanged, against the stored values (an empty cell keeps the stored value)."""
    model = RECORD_MODELS[object_type]
    key_name = key_property(object_type).name
    key = getattr(model, key_name)
    stored_props = [prop for _, prop in targets if prop.name != key_name and prop.column in model._meta.fields]
    fields = [getattr(model, p.column) for p in stored_props]
    new_props = [p for _, p in targets if p.name not in registry.all_properties(object_type)]
    for chunk in _chunks(rows, BATCH):
        known = {r[0]: r[1:] for r in model.select(key, *fields).where(key.in_([r[key_name] for r in chunk])).tuples()}
        for row in chunk:
            stored = known.get(row[key_name])
            if stored is None:
                report.created += 1
                continue
            changed = any(row.get(p.name) is not None for p in new_props) or any(
                row.get(p.name) is not None and _differs(p, row[p.name], old)
                for p, old in zip(stored_props, stored, strict=True)
            )
            if changed:
                report.updated += 1
            else:
                report.unchanged += 1


def _differs(prop: Property, new, old) -> bool:
    if prop.type == NUMBER and old is not None:
        return float(old) != float(new)
    if prop.type == DATETIME and old is not None:
        return values.format(prop, old) != values.format(prop, new)
    if prop.type == DATE and old is not None:
        return str(old) != str(new)
    return old != new


def _count_new_links(rows: list[dict], links: dict[int, list[int]]) -> int:
    return sum(len(links.get(r["_line"], [])) for r in rows)


SHOWN_PROBLEMS = 20


class Refusal(Message):
    """Why a file was refused: a sentence, then its first problems a line each, in the
    language of whoever shows it (the problems as they were read)."""

    __slots__ = ("problems", "dry_run")

    def __init__(self, problems: list[tuple[int, str]], *, dry_run: bool = False) -> None:
        super().__init__("The file was refused, nothing was imported")
        self.problems, self.dry_run = problems, dry_run

    def __str__(self) -> str:
        n = len(self.problems)
        if self.dry_run:
            head = _n("The file was refused, it would not import ({n} problem):",
                      "The file was refused, it would not import ({n} problems):", n)
        else:
            head = _n("The file was refused, nothing was imported ({n} problem):",
                      "The file was refused, nothing was imported ({n} problems):", n)
        lines = [head] + [_("  line {line}: {problem}").format(line=line, problem=message)
                          for line, message in self.problems[:SHOWN_PROBLEMS]]
        if n > SHOWN_PROBLEMS:
            lines.append(_n("  ... and {n} more", "  ... and {n} more", n - SHOWN_PROBLEMS))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Refusal({self.problems!r})"


def refusal(problems: list[tuple[int, str]], *, dry_run: bool = False) -> Refusal:
    """The message of a refused file ("The file was refused, nothing was imported (2 problems):
    line 3: ..."); ``dry_run``: "it would not import" (what --dry-run says)."""
    return Refusal(problems, dry_run=dry_run)


def check_object_type(object_type: str) -> None:
    if object_type not in OBJECT_TYPES:
        raise InvalidInput("Unknown object type {object_type!r}: use contacts or companies", object_type=object_type)


# ---------------------------------------------------------------- the mapping screen's preview


@dataclass
class Preview:
    """What the console's mapping screen shows: each column's fate and detected type, the first
    lines as they would be stored, and the dry run's counts and problems."""

    columns: list[Column]
    detected: dict[int, Proposal]  # column index -> the type its values suggest
    report: ImportReport
    headings: list[str]  # the imported columns, by the property's label
    lines: list[tuple[int, list[str], str]]  # (line, the values as stored, why it is refused or "")


def first_options(ctx: Context, object_type: str, table: Table) -> ImportOptions:
    """The mapping a console starts from: the one remembered for these headers, unknown columns
    proposed as new properties (the admin sees and changes each before anything is written)."""
    options = ImportOptions(create_properties=True, mapping=remembered_mapping(object_type, table.header) or {})
    for column in plan(object_type, table, options, tz=ctx.tz):
        if column.action == CREATE:
            options.proposals[column.header] = column.proposal
    options.create_properties = False
    return options


def preview(ctx: Context, object_type: str, table: Table, options: ImportOptions, *, lines: int = 5) -> Preview:
    checked, report = check(ctx, object_type, table, options)
    detected = {i: infer(header, [cells[i] for _, cells in table.rows if i < len(cells)], tz=ctx.tz)
                for i, header in enumerate(table.header)}
    targets = checked.targets
    by_line = {row["_line"]: row for row in checked.rows}
    why: dict[int, str] = {}
    for line, message in checked.problems:
        why.setdefault(line, message)
    shown = []
    for line, _cells in table.rows[:lines]:
        row = by_line.get(line)
        cells = [] if row is None else [
            format_value(prop, row.get(prop.name), tz=ctx.tz, labels=True) for _, prop in targets]
        shown.append((line, cells, why.get(line, "")))
    headings = [label_of(prop) for _unused, prop in targets]
    return Preview(checked.columns, detected, report, headings, shown)


# ---------------------------------------------------------------- running


def run(ctx: Context, object_type: str, text: str, options: ImportOptions | None = None, *,
        segment_id: int | None = None, progress=None, remember: bool = True) -> ImportReport:
    """Import all or nothing; raises ImportRefused naming every faulty line."""
    check_object_type(object_type)
    ctx.require_write(Message("importing records"))
    options = options or ImportOptions()
    table = read_table(text)
    target = store.get(segment_id) if segment_id is not None else None
    if target is not None and target.type != "static":
        raise InvalidInput("{name!r} is active: records can be imported into static segments only", name=target.name)
    if target is not None and target.object_type != object_type:
        raise InvalidInput(HOLDS_OTHER[target.object_type], name=target.name)
    checked, report = check(ctx, object_type, table, options)
    if checked.problems:
        raise ImportRefused(refusal(checked.problems), checked.problems)
    report.dry_run = False
    try:
        with write_transaction():
            _write(ctx, object_type, checked, report, options, target, progress)
            if remember:
                save_mapping(ctx, object_type, table.header, checked.columns)
    finally:
        registry.reload()  # the properties it created, or not (rolled back)
    return report


HOLDS_OTHER = {"contacts": N_("{name!r} holds contacts, not companies"),
               "companies": N_("{name!r} holds companies, not contacts")}


def _write(ctx, object_type, checked: _Checked, report: ImportReport, options, target, progress) -> None:
    for name, labels in options.add_options.items():
        prop = registry.get(object_type, name)
        fresh = [lab for lab in labels if not any(o.label.casefold() == lab.casefold() or o.value == internal_name(lab)
                                                   for o in prop.choices)]
        if fresh:
            property_admin.edit(ctx, object_type, name, add_options=fresh)
    for proposal in report.created_properties:
        property_admin.create(ctx, object_type, proposal.label, proposal.type, name=proposal.name,
                              options=proposal.options or None)
    model = RECORD_MODELS[object_type]
    key_name = key_property(object_type).name
    key = getattr(model, key_name)
    props = [registry.get(object_type, prop.name) for _, prop in checked.targets]
    fields = [getattr(model, p.column) for p in props] + [model.updated_at]
    update = {getattr(model, p.column): fn.COALESCE(getattr(EXCLUDED, p.column), getattr(model, p.column))
              for p in props if p.name != key_name}
    update[model.updated_at] = EXCLUDED.updated_at
    now = ctx.now()
    rows = checked.rows
    from .records import _follow_import, _upsert

    stored = [p for p in props if p.name != key_name]
    changes: dict[int, set[str]] = {}  # per known record: the properties this import changes for it
    created_keys: list[str] = []
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
        before = _known(model, key, stored, [r[key_name] for r in batch])
        written, ids = [], []
        for row in batch:
            found = before.get(row[key_name])
            if found is None:
                created_keys.append(row[key_name])
                written.append(row)
                ids.append(None)
                continue
            record_id, *old = found
            # an empty cell keeps the stored value (COALESCE): it changes nothing
            changed = {p.name for p, was in zip(stored, old, strict=True)
                       if row.get(p.name) is not None and _differs(p, row[p.name], was)}
            if changed:  # an unchanged line is not written: its updated_at and its segments stay as they are
                changes[record_id] = changed
                written.append(row)
                ids.append(record_id)
        if written:
            _upsert(model, key, fields, update, [[r.get(p.name) for p in props] + [now] for r in written], ids)
        if progress:
            progress(min(start + BATCH, len(rows)), len(rows))
    pairs: list[tuple[int, int]] = []
    if object_type == "contacts" and (checked.links or checked.new_domains):
        pairs = _write_links(ctx, checked, report, now)
    if target is not None and rows:
        ids = membership.resolve_keys(object_type, [r[key_name] for r in rows])
        report.added_to_segment = membership.add_records(ctx, target.id, ids, source="import").added
    report.followed = _follow_import(ctx, object_type, key, changes, created_keys)
    if pairs:
        report.followed.merge(follow.associations_changed(ctx, pairs, cause=causes.imported(causes.ASSOCIATED)))
    audit.record(ctx, "import", Message(IMPORTED[object_type], counts=report.message()),
                 segment_id=target.id if target else None,
                 after={"columns": report.columns, "lines": report.lines, "segments": report.followed.summary(),
                        "created_properties": [p.name for p in report.created_properties]})


def _known(model, key, props: list[Property], keys: list[str]) -> dict[str, tuple]:
    """The known records among ``keys``: key -> (id, stored value of each of ``props``), their
    rows locked on PostgreSQL until the import commits, so that what it compares against is
    what it overwrites."""
    query = model.select(key, model.id, *(getattr(model, p.column) for p in props)).where(key.in_(keys))
    return {row[0]: row[1:] for row in locked(query).tuples()}


def _write_links(ctx, checked: _Checked, report: ImportReport, now) -> list[tuple[int, int]]:
    """Create the unknown companies and associate the lines' contacts; returns the (contact,
    company) pairs of the file, known ones included."""
    if checked.new_domains:
        Company.insert_many([{"domain": d, "updated_at": now} for d in sorted(checked.new_domains)]).on_conflict_ignore().execute()
        created = dict(Company.select(Company.domain, Company.id).where(Company.domain.in_(sorted(checked.new_domains))).tuples())
        for row in checked.rows:
            domain = (row.get("company_domain") or "").lower()
            if domain in created:
                checked.links.setdefault(row["_line"], []).append(created[domain])
        report.companies_created = len(checked.new_domains)
    emails = [r["email"] for r in checked.rows if checked.links.get(r["_line"])]
    ids = {}
    for chunk in _chunks(emails, 500):
        ids.update(Contact.select(Contact.email, Contact.id).where(Contact.email.in_(chunk)).tuples())
    pairs = [(ids[r["email"]], company) for r in checked.rows for company in checked.links.get(r["_line"], [])
             if r["email"] in ids]
    from .associations import link_many

    report.associations = link_many(pairs)
    return pairs


# ---------------------------------------------------------------- remembered mappings


def save_mapping(ctx: Context, object_type: str, header: list[str], columns: list[Column]) -> None:
    mapping = {}
    for c in columns:
        if c.action == PROPERTY:
            mapping[c.header] = c.property
        elif c.action == CREATE:
            mapping[c.header] = c.proposal.name
        elif c.action == SKIP:
            mapping[c.header] = ""
    data = {"object_type": object_type, "headers_key": headers_key(header), "mapping": json.dumps(mapping),
            "updated_at": ctx.now(), "updated_by": ctx.actor}
    ImportMapping.insert(data).on_conflict(
        conflict_target=[ImportMapping.object_type, ImportMapping.headers_key],
        update={ImportMapping.mapping: data["mapping"], ImportMapping.updated_at: data["updated_at"],
                ImportMapping.updated_by: data["updated_by"]},
    ).execute()


def remembered_mapping(object_type: str, header: list[str]) -> dict[str, str] | None:
    row = ImportMapping.get_or_none((ImportMapping.object_type == object_type)
                                    & (ImportMapping.headers_key == headers_key(header)))
    if row is None:
        return None
    props = registry.properties(object_type)
    # a property archived or gone since: that column is matched afresh
    return {h: name for h, name in json.loads(row.mapping).items() if name == "" or name in props}


def report_lines(report: ImportReport, columns: list[Column]) -> list[str]:
    """The mapping and the counts as the CLI prints them (``--dry-run`` and after an import)."""
    out = [_("Columns:")]
    props = registry.all_properties(report.object_type)
    for c in columns:
        if c.action == PROPERTY:
            prop = props.get(c.property)
            if prop:
                out.append(_("  {header} -> {label} ({name}, {type}) [{how}]").format(
                    header=c.header, label=label_of(prop), name=prop.name, type=prop.type, how=how_of(c)))
            else:
                out.append(_("  {header} -> {name} [{how}]").format(header=c.header, name=c.property, how=how_of(c)))
        elif c.action == CREATE:
            out.append(_("  {header} -> new property {proposal}").format(header=c.header,
                                                                          proposal=c.proposal.describe()))
        elif c.action == SKIP:
            out.append(_("  {header} -> not imported [{how}]").format(header=c.header, how=how_of(c)))
        elif c.action == ASSOCIATE_IDS:
            out.append(_("  {header} -> associated companies, by Record ID").format(header=c.header))
        elif c.action == ASSOCIATE_NAME:
            out.append(_("  {header} -> associated company, by name when unique").format(header=c.header))
        elif c.suggestion:
            out.append(_("  {header} -> unknown (did you mean {suggestion!r}?)").format(header=c.header,
                                                                                         suggestion=c.suggestion))
        else:
            out.append(_("  {header} -> unknown").format(header=c.header))
    return out


def new_and_updated_sentence(report: ImportReport) -> str:
    parts = [_n("{n} new", "{n} new", report.created), _n("{n} updated", "{n} updated", report.updated),
             _n("{n} unchanged", "{n} unchanged", report.unchanged),
             _n("{n} refused lines", "{n} refused lines", report.refused)]
    if report.associations:
        parts.append(_n("{n} associations", "{n} associations", report.associations))
    if report.companies_created:
        parts.append(_n("{n} companies created", "{n} companies created", report.companies_created))
    return ", ".join(parts)

