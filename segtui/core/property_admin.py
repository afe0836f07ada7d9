"""Create, edit, archive, restore and retype property definitions (issue 12).

A custom property's values live in a column ``p_<name>`` of the record table, added by
``ALTER TABLE ... ADD COLUMN`` in the same transaction as its definition: the unique
(object type, name) index decides between two consoles creating the same property, and the
loser changes nothing. Archiving keeps the column and its values.
"""

from __future__ import annotations

import json

import peewee
from playhouse.migrate import SchemaMigrator

from ..i18n import Message, N_, N_n, nmsg
from ..i18n import number as _number
from . import audit, properties, values
from .context import Context
from .db import write_transaction
from .errors import InvalidInput, NotFound
from .models import RECORD_MODELS, PropertyDefinition, Segment, database_proxy
from .stored_messages import Joined, Label, quoted_names
from .properties import (
    CUSTOM_GROUP,
    FIELD_TYPES,
    MAX_NAME,
    MULTIPLE,
    NAME_RE,
    OBJECT_TYPES,
    OTHER,
    RESERVED,
    TEXT,
    TYPES,
    WITH_OPTIONS,
    Option,
    Property,
    group_of,
    internal_name,
    label_of,
    normalise,
)

MAX_LABEL = 100
MAX_OPTIONS = 1000


class PropertyNotFound(NotFound):
    pass


# the sentences that name the object type, whole for each (French nouns have a gender)
NO_PROPERTY = {"contacts": N_("No contacts property named {name!r}"),
               "companies": N_("No companies property named {name!r}")}
EXISTS = {"contacts": N_("A contacts property named {name!r} already exists: {label!r}; choose another label or --name"),
          "companies": N_("A companies property named {name!r} already exists: {label!r}; choose another label or --name")}
EXISTS_ARCHIVED = {
    "contacts": N_("A contacts property named {name!r} already exists (archived): {label!r}; choose another label "
                   "or --name"),
    "companies": N_("A companies property named {name!r} already exists (archived): {label!r}; choose another label "
                    "or --name"),
}
JUST_CREATED = {"contacts": N_("A contacts property named {name!r} was just created by someone else"),
                "companies": N_("A companies property named {name!r} was just created by someone else")}
# the audit's sentences, whole for each object type
AUDIT = {
    "create": {"contacts": N_("Created contacts property {label!r} ({name}, {type})"),
               "companies": N_("Created companies property {label!r} ({name}, {type})")},
    "edit": {"contacts": N_("Edited contacts property {label!r} ({name})"),
             "companies": N_("Edited companies property {label!r} ({name})")},
    "archive": {"contacts": N_("Archived contacts property {label!r} ({name}); its values are kept"),
                "companies": N_("Archived companies property {label!r} ({name}); its values are kept")},
    "restore": {"contacts": N_("Restored contacts property {label!r} ({name})"),
                "companies": N_("Restored companies property {label!r} ({name})")},
    "retype": {"contacts": N_n("Changed contacts property {label!r} from {old} to {new} ({n} value converted)",
                               "Changed contacts property {label!r} from {old} to {new} ({n} values converted)"),
               "companies": N_n("Changed companies property {label!r} from {old} to {new} ({n} value converted)",
                                "Changed companies property {label!r} from {old} to {new} ({n} values converted)")},
}
# what a label is checked as: "The label", "An option label", "The group"
THE_LABEL, AN_OPTION_LABEL, THE_GROUP = N_("The label"), N_("An option label"), N_("The group")
# "A dropdown property needs options": whole for each type
NEEDS_OPTIONS = {
    "enumeration": N_("A dropdown (one value) property needs options, e.g. --options \"Gold,Silver\""),
    "multiple_checkboxes": N_("A multiple checkboxes property needs options, e.g. --options \"Gold,Silver\""),
}


def _check_object_type(object_type: str) -> None:
    if object_type not in OBJECT_TYPES:
        raise InvalidInput("Unknown object type {object_type!r}: use contacts or companies", object_type=object_type)


def list_properties(object_type: str, *, archived: bool = False, search: str = "") -> list[Property]:
    """Grouped (group, then label), archived ones only with ``archived``; ``search`` matches name or label."""
    _check_object_type(object_type)
    properties.ensure_fresh()
    found = [p for p in properties.all_properties(object_type).values() if archived or not p.archived]
    needle = normalise(search)
    if needle:
        found = [p for p in found if needle in normalise(p.label) or needle in normalise(p.name)]
    return sorted(found, key=lambda p: (not p.builtin, p.group.casefold(), p.label.casefold()))


def get(object_type: str, name: str) -> Property:
    _check_object_type(object_type)
    properties.ensure_fresh()
    prop = properties.all_properties(object_type).get(name)
    if prop is None:
        wanted = normalise(name)  # its label as stored or as shown (a built-in one in the language)
        by_label = [p for p in properties.all_properties(object_type).values()
                    if wanted in (normalise(p.label), normalise(label_of(p)))]
        if len(by_label) == 1:
            return by_label[0]
        raise PropertyNotFound(NO_PROPERTY[object_type], name=name)
    return prop


def _clean_label(label, what: str = THE_LABEL) -> str:
    """``what``: THE_LABEL, AN_OPTION_LABEL or THE_GROUP (translated when the message is shown)."""
    said = Message(what)
    if not isinstance(label, str) or not label.strip():
        raise InvalidInput("{what} cannot be empty", what=said)
    label = " ".join(label.split())
    if any(ord(c) < 32 or ord(c) == 127 for c in label):
        raise InvalidInput("{what} cannot contain control characters", what=said)
    if len(label) > MAX_LABEL:
        raise InvalidInput(nmsg("{what} is {n} characters long: at most {most}",
                                "{what} is {n} characters long: at most {most}", len(label), what=said,
                                most=_number(MAX_LABEL)))
    return label


def check_name(object_type: str, name: str) -> str:
    """An internal name that may be created: the rule, and no clash (archived properties included)."""
    if not name:
        raise InvalidInput("The internal name would be empty: give a label with letters or digits, or --name")
    if not NAME_RE.fullmatch(name) and not (name[0].isdigit() and NAME_RE.fullmatch("x" + name)):
        raise InvalidInput("The internal name {name!r} may only hold lowercase letters a-z, digits and '_'", name=name)
    if len(name) > MAX_NAME:
        raise InvalidInput(nmsg("The internal name {name!r} is {n} characters long: at most {most}",
                                "The internal name {name!r} is {n} characters long: at most {most}", len(name),
                                name=name, most=_number(MAX_NAME)))
    existing = properties.all_properties(object_type).get(name)
    if existing is not None:
        template = EXISTS_ARCHIVED if existing.archived else EXISTS
        raise InvalidInput(template[object_type], name=name, label=label_of(existing))
    if name in RESERVED:
        raise InvalidInput("{name!r} is reserved by segtui: choose another label or --name", name=name)
    return name


def _check_label_free(object_type: str, label: str, *, except_name: str | None = None) -> None:
    key = normalise(label)
    for prop in properties.all_properties(object_type).values():
        if prop.name != except_name and (normalise(prop.label) == key or prop.name.replace("_", "") == key):
            raise InvalidInput("The label {label!r} reads like the property {other!r} ({name}): "
                               "imports could not tell them apart; choose another label",
                               label=label, other=label_of(prop), name=prop.name)


def parse_options(text_or_list) -> list[tuple[str, str]]:
    """``"Gold, Silver"`` or a list of labels -> [(value, label)], values by the internal-name rule."""
    labels = text_or_list.split(",") if isinstance(text_or_list, str) else list(text_or_list)
    out: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for raw in labels:
        if isinstance(raw, tuple):
            value, label = raw
        else:
            if not str(raw).strip():
                continue
            label = _clean_label(str(raw), AN_OPTION_LABEL)
            value = internal_name(label)
        if not value:
            raise InvalidInput("The option {label!r} has no letters or digits: it needs some", label=label)
        if value in seen:
            raise InvalidInput("The options {first!r} and {label!r} are the same option ({value})",
                               first=seen[value], label=label, value=value)
        seen[value] = label
        out.append((value, label))
    if len(out) > MAX_OPTIONS:
        raise InvalidInput(nmsg("{n} options: at most {most}", "{n} options: at most {most}", len(out),
                                most=_number(MAX_OPTIONS)))
    return out


def _options_json(choices) -> str:
    return json.dumps([{"value": o.value, "label": o.label, "order": o.order, "archived": o.archived}
                       for o in choices], ensure_ascii=False)


def create(ctx: Context, object_type: str, label: str, type_: str, *, name: str | None = None,
           options=None, description: str = "", group: str = CUSTOM_GROUP) -> Property:
    """A custom property; its column is added to the record table in the same transaction."""
    ctx.require_write(Message("creating a property"))
    _check_object_type(object_type)
    properties.ensure_fresh()
    label = _clean_label(label)
    if type_ not in TYPES:
        raise InvalidInput("Unknown property type {type!r}: use one of {types}", type=type_, types=", ".join(TYPES))
    name = check_name(object_type, name.strip() if name else internal_name(label))
    _check_label_free(object_type, label)
    parsed = parse_options(options or [])
    if type_ in WITH_OPTIONS and not parsed:
        raise InvalidInput(NEEDS_OPTIONS[type_])
    if type_ not in WITH_OPTIONS and parsed:
        raise InvalidInput("Only dropdown and multiple-checkbox properties have options, not {type}", type=type_)
    description = (description or "").strip()
    group = _clean_label(group or CUSTOM_GROUP, THE_GROUP)
    column = f"p_{name}"
    model = RECORD_MODELS[object_type]
    now = ctx.now()
    try:
        with write_transaction():
            PropertyDefinition.create(
                object_type=object_type, name=name, label=label, type=type_, description=description,
                group_name=group, options=_options_json(Option(v, lab, i) for i, (v, lab) in enumerate(parsed)),
                builtin=False, column_name=column, created_at=now, created_by=ctx.actor, updated_at=now,
                updated_by=ctx.actor,
            )
            _add_column(model, column, type_)
            audit.record(ctx, "create_property", Message(AUDIT["create"][object_type], label=label, name=name, type=type_),
                         after={"object_type": object_type, "name": name, "label": label, "type": type_,
                                "options": [lab for _, lab in parsed]})
    except peewee.IntegrityError:
        properties.reload()
        raise InvalidInput(JUST_CREATED[object_type], name=name) from None
    finally:
        properties.reload()
    return properties.all_properties(object_type)[name]


def _add_column(model, column: str, type_: str) -> None:
    field = FIELD_TYPES[type_]()
    migrator = SchemaMigrator.from_database(database_proxy.obj)
    migrator.migrate(migrator.add_column(model._meta.table_name, column, field))


def _drop_column(model, column: str) -> None:
    migrator = SchemaMigrator.from_database(database_proxy.obj)
    migrator.migrate(migrator.drop_column(model._meta.table_name, column, cascade=False))


def _locked_row(object_type: str, name: str) -> PropertyDefinition:
    row = PropertyDefinition.get_or_none((PropertyDefinition.object_type == object_type)
                                         & (PropertyDefinition.name == name))
    if row is None:
        raise PropertyNotFound(NO_PROPERTY[object_type], name=name)
    return row


def _bump(ctx: Context, row: PropertyDefinition, **changes) -> None:
    """A conditional write: only if nobody changed the definition since it was read."""
    done = (PropertyDefinition.update(**changes, version=row.version + 1, updated_at=ctx.now(), updated_by=ctx.actor)
            .where((PropertyDefinition.id == row.id) & (PropertyDefinition.version == row.version)).execute())
    if not done:
        raise InvalidInput("The property {label!r} was changed by someone else meanwhile: look again and retry",
                           label=label_of(properties.from_row(row)))


def edit(ctx: Context, object_type: str, name: str, *, label: str | None = None, description: str | None = None,
         group: str | None = None, add_options=None, archive_options=(), restore_options=(),
         relabel_options: dict | None = None) -> Property:
    ctx.require_write(Message("editing a property"))
    prop = get(object_type, name)
    changes: dict = {}
    before, after = {}, {}
    if label is not None:
        label = _clean_label(label)
        if label not in (prop.label, label_of(prop)):  # the label as shown, given back: unchanged
            _check_label_free(object_type, label, except_name=prop.name)
            changes["label"], before["label"], after["label"] = label, prop.label, label
    if description is not None and description.strip() != prop.description:
        changes["description"], before["description"], after["description"] = description.strip(), prop.description, description.strip()
    if group is not None:
        group = _clean_label(group, THE_GROUP)
        if group not in (prop.group, group_of(prop)):
            changes["group_name"], before["group"], after["group"] = group, prop.group, group
    choices = list(prop.choices)
    if add_options or archive_options or restore_options or relabel_options:
        if prop.type not in WITH_OPTIONS:
            raise InvalidInput("{label!r} is a {type} property: it has no options", label=label_of(prop),
                               type=prop.type)
        choices = _edited_options(ctx, object_type, prop, choices, add_options, archive_options, restore_options,
                                  relabel_options or {})
        if choices != list(prop.choices):
            changes["options"] = _options_json(choices)
            before["options"] = [o.label for o in prop.live_choices]
            after["options"] = [o.label for o in choices if not o.archived]
    if not changes:
        return prop
    try:
        with write_transaction():
            _bump(ctx, _locked_row(object_type, prop.name), **changes)
            audit.record(ctx, "edit_property", Message(AUDIT["edit"][object_type], label=Label(prop.name, prop.label),
                                                         name=prop.name),
                         before=before, after=after)
    finally:
        properties.reload()
    return properties.all_properties(object_type)[prop.name]


def _find_option(prop: Property, choices: list[Option], ref: str) -> int:
    wanted = ref.strip().casefold()
    for i, option in enumerate(choices):
        if option.value.casefold() == wanted or option.label.casefold() == wanted:
            return i
    raise InvalidInput("{label!r} has no option {option!r}", label=label_of(prop), option=ref.strip())


def _edited_options(ctx, object_type, prop, choices, add, archive, restore, relabel) -> list[Option]:
    for value, label in parse_options(add or []):
        clash = next((o for o in choices if o.value == value or o.label.casefold() == label.casefold()), None)
        if clash is not None:
            if clash.archived:
                raise InvalidInput("{label!r} already has the option {option!r} (archived: restore it)",
                                   label=label_of(prop), option=clash.label)
            raise InvalidInput("{label!r} already has the option {option!r}", label=label_of(prop), option=clash.label)
        choices.append(Option(value, label, max((o.order for o in choices), default=-1) + 1))
    for ref in archive:
        i = _find_option(prop, choices, ref)
        users = _segments_using_option(object_type, prop, choices[i].value)
        if users:
            raise InvalidInput("The option {option!r} is used by the filters of {segments}: edit those filters first",
                               option=choices[i].label, segments=_names(users))
        choices[i] = Option(choices[i].value, choices[i].label, choices[i].order, True)
    for ref in restore:
        i = _find_option(prop, choices, ref)
        choices[i] = Option(choices[i].value, choices[i].label, choices[i].order, False)
    for ref, label in relabel.items():
        i = _find_option(prop, choices, ref)
        label = _clean_label(label, AN_OPTION_LABEL)
        choices[i] = Option(choices[i].value, label, choices[i].order, choices[i].archived)
    if not any(not o.archived for o in choices):
        raise InvalidInput("{label!r} needs at least one option that is not archived", label=label_of(prop))
    return choices


def _names(segments: list[Segment]) -> Message | Joined:
    shown = quoted_names(s.name for s in segments[:5])
    if len(segments) > 5:
        return nmsg("{names} and {n} more", "{names} and {n} more", len(segments) - 5, names=shown)
    return shown


def segments_using(object_type: str, name: str) -> list[Segment]:
    """Live segments whose filters read the property: its own object's, and the other's through associations."""
    from .store import live

    clause = ((Segment.object_type == object_type) & Segment.filter_properties.contains(f",{name},")) | (
        (Segment.object_type == OTHER[object_type])
        & Segment.filter_properties.contains(f",@{object_type}.{name},")
    )
    return list(Segment.select().where(clause & live()).order_by(Segment.name_key))


def _segments_using_option(object_type: str, prop: Property, value: str) -> list[Segment]:
    from . import filters

    found = []
    for segment in segments_using(object_type, prop.name):
        for f in filters.property_filters(json.loads(segment.filters), segment.object_type, object_type):
            if f.get("property") == prop.name and value in (f.get("values") or [f.get("value")]):
                found.append(segment)
                break
    return found


def archive(ctx: Context, object_type: str, name: str) -> Property:
    ctx.require_write(Message("archiving a property"))
    prop = get(object_type, name)
    if prop.builtin:
        raise InvalidInput("{label!r} is a built-in property: it cannot be archived", label=label_of(prop))
    if prop.archived:
        return prop
    try:
        with write_transaction():
            users = segments_using(object_type, prop.name)
            if users:
                raise InvalidInput("{label!r} is used by the filters of {segments}: edit those filters before "
                                   "archiving it", label=label_of(prop), segments=_names(users))
            row = _locked_row(object_type, prop.name)
            _bump(ctx, row, archived_at=ctx.now(), archived_by=ctx.actor)
            audit.record(ctx, "archive_property", Message(AUDIT["archive"][object_type], label=Label(prop.name, prop.label),
                                                            name=prop.name), before={"archived": False}, after={"archived": True})
    finally:
        properties.reload()
    return properties.all_properties(object_type)[prop.name]


def restore(ctx: Context, object_type: str, name: str) -> Property:
    ctx.require_write(Message("restoring a property"))
    prop = get(object_type, name)
    if not prop.archived:
        return prop
    try:
        with write_transaction():
            row = _locked_row(object_type, prop.name)
            _bump(ctx, row, archived_at=None, archived_by=None)
            audit.record(ctx, "restore_property", Message(AUDIT["restore"][object_type], label=Label(prop.name, prop.label),
                                                            name=prop.name),
                         before={"archived": True}, after={"archived": False})
    finally:
        properties.reload()
    return properties.all_properties(object_type)[prop.name]


def change_type(ctx: Context, object_type: str, name: str, new_type: str, *, options=None,
                dry_run: bool = False) -> tuple[Property, int]:
    """Retype a custom property when every stored value converts; returns (property, values converted).

    The values are converted into a new column, which then replaces the old one: a value that
    would not convert refuses the change, saying how many.
    """
    ctx.require_write(Message("changing a property's type"))
    prop = get(object_type, name)
    if prop.builtin:
        raise InvalidInput("{label!r} is a built-in property: its type is fixed", label=label_of(prop))
    if new_type not in TYPES:
        raise InvalidInput("Unknown property type {type!r}: use one of {types}", type=new_type, types=", ".join(TYPES))
    if new_type == prop.type:
        return prop, 0
    users = segments_using(object_type, prop.name)
    if users:
        raise InvalidInput("{label!r} is used by the filters of {segments}: their operators depend on the type; "
                           "edit those filters first", label=label_of(prop), segments=_names(users))
    model = RECORD_MODELS[object_type]
    old = getattr(model, prop.column)
    stored = list(model.select(model.id, old).where(old.is_null(False)).tuples())
    texts = [(rid, values.format(prop, v, tz=ctx.tz)) for rid, v in stored]
    if new_type in WITH_OPTIONS:
        if options:
            parsed = parse_options(options)
        else:
            seen: dict[str, str] = {}
            for _rid, text in texts:
                for part in (text.split(";") if new_type == MULTIPLE else [text]):
                    if part.strip() and internal_name(part) and internal_name(part) not in seen:
                        seen[internal_name(part)] = part.strip()
            parsed = parse_options([(v, lab) for v, lab in sorted(seen.items(), key=lambda kv: kv[1].casefold())])
        choices = tuple(Option(v, lab, i) for i, (v, lab) in enumerate(parsed))
    else:
        choices = ()
    target = Property(prop.name, prop.label, new_type, tuple(o.value for o in choices), builtin=False,
                      choices=choices)
    converted, failed = [], []
    for rid, text in texts:
        try:
            value = values.parse(target, text, tz=ctx.tz) if new_type != TEXT else text
        except ValueError:
            failed.append(text)
            continue
        converted.append((rid, value))
    if failed:
        examples = quoted_names(list(dict.fromkeys(failed))[:3])
        raise InvalidInput(nmsg("{n} of {total} values of {label!r} would not convert to {type} (e.g. {examples}): "
                                "nothing was changed",
                                "{n} of {total} values of {label!r} would not convert to {type} (e.g. {examples}): "
                                "nothing was changed", len(failed), total=_number(len(texts)), label=label_of(prop),
                                type=new_type, examples=examples))
    if dry_run:
        return prop, len(converted)
    row = _locked_row(object_type, prop.name)
    column = f"p_{prop.name}_t{row.version + 1}"
    try:
        with write_transaction():
            _add_column(model, column, new_type)
            field = FIELD_TYPES[new_type]()
            table = model._meta.table_name
            database = database_proxy.obj
            param = database.param
            sql = f'UPDATE "{table}" SET "{column}" = {param} WHERE "id" = {param}'
            for start in range(0, len(converted), 1000):
                batch = converted[start:start + 1000]
                database.cursor().executemany(sql, [(field.db_value(v), rid) for rid, v in batch])
            _bump(ctx, row, type=new_type, column_name=column, options=_options_json(choices))
            _drop_column(model, prop.column)
            audit.record(ctx, "retype_property", nmsg(*AUDIT["retype"][object_type], len(converted),
                                                        label=Label(prop.name, prop.label), old=prop.type, new=new_type),
                         before={"type": prop.type}, after={"type": new_type})
    finally:
        properties.reload()
    return properties.all_properties(object_type)[prop.name], len(converted)
