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

from . import audit, properties, values
from .context import Context
from .db import write_transaction
from .errors import InvalidInput, NotFound
from .models import RECORD_MODELS, PropertyDefinition, Segment, database_proxy
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
    TYPE_LABELS,
    TYPES,
    WITH_OPTIONS,
    Option,
    Property,
    internal_name,
    normalise,
)

MAX_LABEL = 100
MAX_OPTIONS = 1000


class PropertyNotFound(NotFound):
    pass


def _check_object_type(object_type: str) -> None:
    if object_type not in OBJECT_TYPES:
        raise InvalidInput(f"Unknown object type {object_type!r}: use contacts or companies")


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
        by_label = [p for p in properties.all_properties(object_type).values() if normalise(p.label) == normalise(name)]
        if len(by_label) == 1:
            return by_label[0]
        raise PropertyNotFound(f"No {object_type} property named {name!r}")
    return prop


def _clean_label(label, what: str = "The label") -> str:
    if not isinstance(label, str) or not label.strip():
        raise InvalidInput(f"{what} cannot be empty")
    label = " ".join(label.split())
    if any(ord(c) < 32 or ord(c) == 127 for c in label):
        raise InvalidInput(f"{what} cannot contain control characters")
    if len(label) > MAX_LABEL:
        raise InvalidInput(f"{what} is {len(label)} characters long: at most {MAX_LABEL}")
    return label


def check_name(object_type: str, name: str) -> str:
    """An internal name that may be created: the rule, and no clash (archived properties included)."""
    if not name:
        raise InvalidInput("The internal name would be empty: give a label with letters or digits, or --name")
    if not NAME_RE.fullmatch(name) and not (name[0].isdigit() and NAME_RE.fullmatch("x" + name)):
        raise InvalidInput(f"The internal name {name!r} may only hold lowercase letters a-z, digits and '_'")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"The internal name {name!r} is {len(name)} characters long: at most {MAX_NAME}")
    existing = properties.all_properties(object_type).get(name)
    if existing is not None:
        state = " (archived)" if existing.archived else ""
        raise InvalidInput(f"A {object_type} property named {name!r} already exists{state}: "
                           f"{existing.label!r}; choose another label or --name")
    if name in RESERVED:
        raise InvalidInput(f"{name!r} is reserved by segtui: choose another label or --name")
    return name


def _check_label_free(object_type: str, label: str, *, except_name: str | None = None) -> None:
    key = normalise(label)
    for prop in properties.all_properties(object_type).values():
        if prop.name != except_name and (normalise(prop.label) == key or prop.name.replace("_", "") == key):
            raise InvalidInput(f"The label {label!r} reads like the property {prop.label!r} ({prop.name}): "
                               "imports could not tell them apart; choose another label")


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
            label = _clean_label(str(raw), "An option label")
            value = internal_name(label)
        if not value:
            raise InvalidInput(f"The option {label!r} has no letters or digits: it needs some")
        if value in seen:
            raise InvalidInput(f"The options {seen[value]!r} and {label!r} are the same option ({value})")
        seen[value] = label
        out.append((value, label))
    if len(out) > MAX_OPTIONS:
        raise InvalidInput(f"{len(out)} options: at most {MAX_OPTIONS}")
    return out


def _options_json(choices) -> str:
    return json.dumps([{"value": o.value, "label": o.label, "order": o.order, "archived": o.archived}
                       for o in choices], ensure_ascii=False)


def create(ctx: Context, object_type: str, label: str, type_: str, *, name: str | None = None,
           options=None, description: str = "", group: str = CUSTOM_GROUP) -> Property:
    """A custom property; its column is added to the record table in the same transaction."""
    ctx.require_write("creating a property")
    _check_object_type(object_type)
    properties.ensure_fresh()
    label = _clean_label(label)
    if type_ not in TYPES:
        raise InvalidInput(f"Unknown property type {type_!r}: use one of {', '.join(TYPES)}")
    name = check_name(object_type, name.strip() if name else internal_name(label))
    _check_label_free(object_type, label)
    parsed = parse_options(options or [])
    if type_ in WITH_OPTIONS and not parsed:
        raise InvalidInput(f"A {TYPE_LABELS[type_].lower()} property needs options, e.g. --options \"Gold,Silver\"")
    if type_ not in WITH_OPTIONS and parsed:
        raise InvalidInput(f"Only dropdown and multiple-checkbox properties have options, not {type_}")
    description = (description or "").strip()
    group = _clean_label(group or CUSTOM_GROUP, "The group")
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
            audit.record(ctx, "create_property", f"Created {object_type} property {label!r} ({name}, {type_})",
                         after={"object_type": object_type, "name": name, "label": label, "type": type_,
                                "options": [lab for _, lab in parsed]})
    except peewee.IntegrityError:
        properties.reload()
        raise InvalidInput(f"A {object_type} property named {name!r} was just created by someone else") from None
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
        raise PropertyNotFound(f"No {object_type} property named {name!r}")
    return row


def _bump(ctx: Context, row: PropertyDefinition, **changes) -> None:
    """A conditional write: only if nobody changed the definition since it was read."""
    done = (PropertyDefinition.update(**changes, version=row.version + 1, updated_at=ctx.now(), updated_by=ctx.actor)
            .where((PropertyDefinition.id == row.id) & (PropertyDefinition.version == row.version)).execute())
    if not done:
        raise InvalidInput(f"The property {row.label!r} was changed by someone else meanwhile: look again and retry")


def edit(ctx: Context, object_type: str, name: str, *, label: str | None = None, description: str | None = None,
         group: str | None = None, add_options=None, archive_options=(), restore_options=(),
         relabel_options: dict | None = None) -> Property:
    ctx.require_write("editing a property")
    prop = get(object_type, name)
    changes: dict = {}
    before, after = {}, {}
    if label is not None:
        label = _clean_label(label)
        if label != prop.label:
            _check_label_free(object_type, label, except_name=prop.name)
            changes["label"], before["label"], after["label"] = label, prop.label, label
    if description is not None and description.strip() != prop.description:
        changes["description"], before["description"], after["description"] = description.strip(), prop.description, description.strip()
    if group is not None:
        group = _clean_label(group, "The group")
        if group != prop.group:
            changes["group_name"], before["group"], after["group"] = group, prop.group, group
    choices = list(prop.choices)
    if add_options or archive_options or restore_options or relabel_options:
        if prop.type not in WITH_OPTIONS:
            raise InvalidInput(f"{prop.label!r} is a {prop.type} property: it has no options")
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
            audit.record(ctx, "edit_property", f"Edited {object_type} property {prop.label!r} ({prop.name})",
                         before=before, after=after)
    finally:
        properties.reload()
    return properties.all_properties(object_type)[prop.name]


def _find_option(prop: Property, choices: list[Option], ref: str) -> int:
    wanted = ref.strip().casefold()
    for i, option in enumerate(choices):
        if option.value.casefold() == wanted or option.label.casefold() == wanted:
            return i
    raise InvalidInput(f"{prop.label!r} has no option {ref.strip()!r}")


def _edited_options(ctx, object_type, prop, choices, add, archive, restore, relabel) -> list[Option]:
    for value, label in parse_options(add or []):
        clash = next((o for o in choices if o.value == value or o.label.casefold() == label.casefold()), None)
        if clash is not None:
            raise InvalidInput(f"{prop.label!r} already has the option {clash.label!r}"
                               + (" (archived: restore it)" if clash.archived else ""))
        choices.append(Option(value, label, max((o.order for o in choices), default=-1) + 1))
    for ref in archive:
        i = _find_option(prop, choices, ref)
        users = _segments_using_option(object_type, prop, choices[i].value)
        if users:
            raise InvalidInput(f"The option {choices[i].label!r} is used by the filters of {_names(users)}: "
                               "edit those filters first")
        choices[i] = Option(choices[i].value, choices[i].label, choices[i].order, True)
    for ref in restore:
        i = _find_option(prop, choices, ref)
        choices[i] = Option(choices[i].value, choices[i].label, choices[i].order, False)
    for ref, label in relabel.items():
        i = _find_option(prop, choices, ref)
        label = _clean_label(label, "An option label")
        choices[i] = Option(choices[i].value, label, choices[i].order, choices[i].archived)
    if not any(not o.archived for o in choices):
        raise InvalidInput(f"{prop.label!r} needs at least one option that is not archived")
    return choices


def _names(segments: list[Segment]) -> str:
    shown = ", ".join(repr(s.name) for s in segments[:5])
    return shown + (f" and {len(segments) - 5} more" if len(segments) > 5 else "")


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
    ctx.require_write("archiving a property")
    prop = get(object_type, name)
    if prop.builtin:
        raise InvalidInput(f"{prop.label!r} is a built-in property: it cannot be archived")
    if prop.archived:
        return prop
    try:
        with write_transaction():
            users = segments_using(object_type, prop.name)
            if users:
                raise InvalidInput(f"{prop.label!r} is used by the filters of {_names(users)}: "
                                   "edit those filters before archiving it")
            row = _locked_row(object_type, prop.name)
            _bump(ctx, row, archived_at=ctx.now(), archived_by=ctx.actor)
            audit.record(ctx, "archive_property", f"Archived {object_type} property {prop.label!r} ({prop.name}); "
                         "its values are kept", before={"archived": False}, after={"archived": True})
    finally:
        properties.reload()
    return properties.all_properties(object_type)[prop.name]


def restore(ctx: Context, object_type: str, name: str) -> Property:
    ctx.require_write("restoring a property")
    prop = get(object_type, name)
    if not prop.archived:
        return prop
    try:
        with write_transaction():
            row = _locked_row(object_type, prop.name)
            _bump(ctx, row, archived_at=None, archived_by=None)
            audit.record(ctx, "restore_property", f"Restored {object_type} property {prop.label!r} ({prop.name})",
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
    ctx.require_write("changing a property's type")
    prop = get(object_type, name)
    if prop.builtin:
        raise InvalidInput(f"{prop.label!r} is a built-in property: its type is fixed")
    if new_type not in TYPES:
        raise InvalidInput(f"Unknown property type {new_type!r}: use one of {', '.join(TYPES)}")
    if new_type == prop.type:
        return prop, 0
    users = segments_using(object_type, prop.name)
    if users:
        raise InvalidInput(f"{prop.label!r} is used by the filters of {_names(users)}: "
                           "their operators depend on the type; edit those filters first")
    model = RECORD_MODELS[object_type]
    old = getattr(model, prop.column)
    stored = list(model.select(model.id, old).where(old.is_null(False)).tuples())
    texts = [(rid, values.format(prop, v, tz=ctx.tz)) for rid, v in stored]
    if new_type in WITH_OPTIONS:
        if options:
            parsed = parse_options(options)
        else:
            seen: dict[str, str] = {}
            for _, text in texts:
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
        examples = ", ".join(repr(t) for t in list(dict.fromkeys(failed))[:3])
        raise InvalidInput(f"{len(failed):,} of {len(texts):,} values of {prop.label!r} would not convert to "
                           f"{new_type} (e.g. {examples}): nothing was changed")
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
            audit.record(ctx, "retype_property", f"Changed {object_type} property {prop.label!r} from {prop.type} "
                         f"to {new_type} ({len(converted):,} values converted)",
                         before={"type": prop.type}, after={"type": new_type})
    finally:
        properties.reload()
    return properties.all_properties(object_type)[prop.name], len(converted)
