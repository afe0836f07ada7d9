"""The property registry: what records of each object type carry, and of which type.

Definitions live in the ``property_definition`` table, the built-in ones included (their
labels can be edited there). Each property's values live in a real nullable column of the
record table: built-in ones in the columns of the first schema, custom ones in a column
``p_<name>`` added by ``ALTER TABLE ... ADD COLUMN`` when the property is created (metadata
only on SQLite and PostgreSQL; ``tests/perf/bench_property_storage.py`` measured it against a
JSON column). The models gain a Peewee field per custom column when the registry is loaded,
so that every query of the engine reads custom properties like built-in ones.

This module keeps a per-process cache of the definitions: ``reload()`` reads them again
(after opening a database, after a change), ``ensure_fresh()`` does so only when another
process changed them (one small query), and the code-defined built-ins answer when no
database is bound.
"""

from __future__ import annotations

import gettext
import json
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cache

from peewee import BooleanField, DoubleField, TextField, fn

from ..i18n import DOMAIN, LANGUAGES, LOCALE_DIR, N_, _
from ..i18n import pgettext as _in_context
from .models import RECORD_MODELS, DayField, PropertyDefinition, UTCDateTimeField, database_proxy


def pgettext(context: str, message: str) -> str:
    """Only marks ``message`` with its context for the catalogue, as ``N_`` does: the built-in
    definitions are written before the language is known, and stored in English;
    ``option_label_of`` and its kin translate them where they are shown. (Options and groups
    have a context: "Open", "Other", "New", "Custom" read otherwise elsewhere.)"""
    return message


OBJECT_TYPES = ("contacts", "companies")

TEXT = "text"
NUMBER = "number"
DATE = "date"
DATETIME = "datetime"
ENUMERATION = "enumeration"
BOOLEAN = "boolean"
MULTIPLE = "multiple_checkboxes"
TYPES = (TEXT, NUMBER, DATE, DATETIME, BOOLEAN, ENUMERATION, MULTIPLE)
TYPE_LABELS = {  # in English: type_label() says them in the language
    TEXT: N_("Text"), NUMBER: N_("Number"), DATE: N_("Date"), DATETIME: N_("Date and time"), BOOLEAN: N_("Yes/no"),
    ENUMERATION: N_("Dropdown (one value)"), MULTIPLE: N_("Multiple checkboxes"),
}
WITH_OPTIONS = (ENUMERATION, MULTIPLE)
CUSTOM_GROUP = pgettext("property group", "Custom")
MAX_NAME = 48  # "p_" + name + a type-change suffix stays under PostgreSQL's 63-byte identifiers
# columns every record table has besides its properties, and names kept for later built-ins
RESERVED = {"id", "updated_at", "hubspot_id", "record_id", "associations", "companies", "contacts"}


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    order: int = 0
    archived: bool = False


@dataclass(frozen=True)
class Property:
    name: str
    label: str
    type: str
    # the values of the live options, in order (what filters and imports accept)
    options: tuple[str, ...] = field(default=())
    is_key: bool = False
    builtin: bool = True
    read_only: bool = False
    column: str = ""
    description: str = ""
    group: str = ""
    choices: tuple[Option, ...] = field(default=())  # every option, archived ones included
    archived: bool = False
    aliases: tuple[str, ...] = field(default=())  # other headers it answers to (HubSpot's)
    id: int | None = None
    version: int = 0

    def option_label(self, value) -> str:
        found = next((o for o in self.choices if o.value == value), None)
        return found.label if found else str(value)

    @property
    def live_choices(self) -> tuple[Option, ...]:
        return tuple(o for o in self.choices if not o.archived)


# the labels of the built-in options, as seeded (English); option_label_of() says them in the language
OPTION_LABELS = {
    "subscriber": pgettext("option", "Subscriber"), "lead": pgettext("option", "Lead"),
    "marketing_qualified_lead": pgettext("option", "Marketing qualified lead"),
    "sales_qualified_lead": pgettext("option", "Sales qualified lead"),
    "opportunity": pgettext("option", "Opportunity"), "customer": pgettext("option", "Customer"),
    "evangelist": pgettext("option", "Evangelist"), "other": pgettext("option", "Other"),
    "new": pgettext("option", "New"), "open": pgettext("option", "Open"),
    "in_progress": pgettext("option", "In progress"), "unqualified": pgettext("option", "Unqualified"),
    "connected": pgettext("option", "Connected"), "bad_timing": pgettext("option", "Bad timing"),
}


def _options(*values: str) -> tuple[Option, ...]:
    return tuple(Option(v, OPTION_LABELS[v], i) for i, v in enumerate(values))


LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "marketing_qualified_lead",
    "sales_qualified_lead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)
LEAD_STATUSES = ("new", "open", "in_progress", "unqualified", "connected", "bad_timing")
CONTACT_INFO = pgettext("property group", "Contact information")
COMPANY_INFO = pgettext("property group", "Company information")


def _builtin(name, label, type_, group, *, options=(), is_key=False, read_only=False, aliases=(),
             description=""):
    choices = _options(*options)
    return Property(name, label, type_, tuple(o.value for o in choices), is_key=is_key, builtin=True,
                    read_only=read_only, column=name, group=group, choices=choices, aliases=tuple(aliases),
                    description=description)


# Labels, HubSpot's headers and descriptions in English, as stored: label_of() and its kin say
# them in the language, and an import also reads the headers of a French export (aliases()).
BUILTINS: dict[str, tuple[Property, ...]] = {
    "contacts": (
        _builtin("email", N_("Email"), TEXT, CONTACT_INFO, is_key=True,
                 description=N_("Identifies the contact")),
        _builtin("first_name", N_("First name"), TEXT, CONTACT_INFO),
        _builtin("last_name", N_("Last name"), TEXT, CONTACT_INFO),
        _builtin("phone", N_("Phone"), TEXT, CONTACT_INFO,
                 aliases=(pgettext("HubSpot header", "Phone Number"),)),
        _builtin("city", N_("City"), TEXT, CONTACT_INFO),
        _builtin("region", N_("Region"), TEXT, CONTACT_INFO,
                 aliases=(pgettext("HubSpot header", "State/Region"), pgettext("HubSpot header", "State"))),
        _builtin("country", N_("Country"), TEXT, CONTACT_INFO,
                 aliases=(pgettext("HubSpot header", "Country/Region"),)),
        _builtin("lifecycle_stage", N_("Lifecycle stage"), ENUMERATION, CONTACT_INFO,
                 options=LIFECYCLE_STAGES),
        _builtin("lead_status", N_("Lead status"), ENUMERATION, CONTACT_INFO, options=LEAD_STATUSES),
        _builtin("events_attended", N_("Events attended"), NUMBER, CONTACT_INFO),
        _builtin("subscribed", N_("Subscribed"), BOOLEAN, CONTACT_INFO),
        _builtin("last_activity_date", N_("Last activity date"), DATE, CONTACT_INFO),
        _builtin("created_date", N_("Created date"), DATE, CONTACT_INFO,
                 aliases=(pgettext("HubSpot header", "Create Date"),)),
        _builtin("company_domain", N_("Company domain"), TEXT, CONTACT_INFO,
                 aliases=(pgettext("HubSpot header", "Company Domain Name"),),
                 description=N_("Associates the contact with the company of this domain on import")),
        _builtin("hubspot_id", N_("Record ID"), TEXT, CONTACT_INFO, read_only=True,
                 description=N_("HubSpot's Record ID, kept from imports so that exports link up")),
    ),
    "companies": (
        _builtin("domain", N_("Domain"), TEXT, COMPANY_INFO, is_key=True,
                 aliases=(pgettext("HubSpot header", "Company Domain Name"),),
                 description=N_("Identifies the company")),
        _builtin("name", N_("Name"), TEXT, COMPANY_INFO,
                 aliases=(pgettext("HubSpot header", "Company name"),)),
        _builtin("industry", N_("Industry"), TEXT, COMPANY_INFO),
        _builtin("city", N_("City"), TEXT, COMPANY_INFO),
        _builtin("region", N_("Region"), TEXT, COMPANY_INFO,
                 aliases=(pgettext("HubSpot header", "State/Region"), pgettext("HubSpot header", "State"))),
        _builtin("country", N_("Country"), TEXT, COMPANY_INFO,
                 aliases=(pgettext("HubSpot header", "Country/Region"),)),
        _builtin("employees", N_("Employees"), NUMBER, COMPANY_INFO,
                 aliases=(pgettext("HubSpot header", "Number of Employees"),)),
        _builtin("annual_revenue", N_("Annual revenue"), NUMBER, COMPANY_INFO),
        _builtin("created_date", N_("Created date"), DATE, COMPANY_INFO,
                 aliases=(pgettext("HubSpot header", "Create Date"),)),
        _builtin("hubspot_id", N_("Record ID"), TEXT, COMPANY_INFO, read_only=True,
                 description=N_("HubSpot's Record ID, kept from imports so that exports link up")),
    ),
}

# in English: object_label() and singular() say them in the language
OBJECT_LABELS = {"contacts": N_("Contacts"), "companies": N_("Companies")}
SINGULAR = {"contacts": N_("contact"), "companies": N_("company")}
OTHER = {"contacts": "companies", "companies": "contacts"}


# ---------------------------------------------------------------- in the language
# What segtui seeded is said in the language; what an admin typed (a label, an option, a
# group they renamed) is their data and is shown as typed.
_SEEDED_LABELS = {p.name: p.label for props in BUILTINS.values() for p in props}
_SEEDED_DESCRIPTIONS = {p.description for props in BUILTINS.values() for p in props if p.description}
_SEEDED_GROUPS = (CONTACT_INFO, COMPANY_INFO, CUSTOM_GROUP)


def label_of(prop: Property) -> str:
    """A property's label as shown: a built-in one still labelled as seeded in the language
    ("First name" -> "Prénom"), any other as stored."""
    if prop.builtin and _SEEDED_LABELS.get(prop.name) == prop.label:
        return _(prop.label)
    return prop.label


def seeded_label(name: str, label: str) -> str:
    """A label as written at some moment (the audit log's): in the language when it is the
    label segtui seeded for the built-in property ``name``, else as it was."""
    return _(label) if _SEEDED_LABELS.get(name) == label else label


def option_label_of(prop: Property, value) -> str:
    """An option's label as shown (``Property.option_label`` in the language for a built-in
    option still labelled as seeded)."""
    label = prop.option_label(value)
    if prop.builtin and OPTION_LABELS.get(value) == label:
        return _in_context("option", label)
    return label


def group_of(prop: Property) -> str:
    return _in_context("property group", prop.group) if prop.group in _SEEDED_GROUPS else prop.group


def description_of(prop: Property) -> str:
    return _(prop.description) if prop.builtin and prop.description in _SEEDED_DESCRIPTIONS else prop.description


def type_label(type_: str) -> str:
    """"Number", "Dropdown (one value)"... in the language (the type's code if unknown)."""
    return _(TYPE_LABELS[type_]) if type_ in TYPE_LABELS else type_


def object_label(object_type: str) -> str:
    """"Contacts" / "Companies" in the language (a heading, a tab)."""
    return _(OBJECT_LABELS[object_type])


def singular(object_type: str) -> str:
    """"contact" / "company" in the language. A word only: a sentence about a record is
    better written whole for each object type (French nouns have a gender)."""
    return _(SINGULAR[object_type])


@cache
def _catalogues() -> tuple[gettext.NullTranslations, ...]:
    found = []
    for code in LANGUAGES:
        try:
            found.append(gettext.translation(DOMAIN, LOCALE_DIR, languages=[code]))
        except OSError:  # English, or a language without its catalogue
            continue
    return tuple(found)


def headers_of(prop: Property) -> tuple[str, ...]:
    """Every header an import matches to a built-in property besides its name and label: its
    English HubSpot headers, and its label and headers in every language segtui speaks (a
    French HubSpot export says "Prénom", "Numéro de téléphone", "ID de fiche d'informations"),
    whatever the language of the command."""
    if not prop.builtin:
        return prop.aliases
    seeded = _SEEDED_LABELS.get(prop.name)
    found = list(prop.aliases)
    for catalogue in _catalogues():
        if seeded is not None:
            found.append(catalogue.gettext(seeded))
        found += [catalogue.pgettext("HubSpot header", alias) for alias in prop.aliases]
    return tuple(dict.fromkeys(found))


def option_words(prop: Property) -> dict[str, str]:
    """A built-in dropdown's seeded option labels in every language segtui speaks (normalised)
    -> the option's value: a French export says "Lead qualifié marketing"."""
    if not prop.builtin:
        return {}
    found = {}
    for option in prop.live_choices:
        if OPTION_LABELS.get(option.value) != option.label:
            continue
        for catalogue in _catalogues():
            found.setdefault(normalise(catalogue.pgettext("option", option.label)), option.value)
    return found

# ---------------------------------------------------------------- names


def normalise(text: str) -> str:
    """What a header is matched by: lowercase, no accents, only letters and digits."""
    return re.sub(r"[^a-z0-9]", "", strip_accents(text).lower())


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def internal_name(label: str) -> str:
    """``Favorite Color`` -> ``favorite_color``: lowercased, accents removed, every run of other
    characters one ``_``, trimmed. May be empty (a label of punctuation only)."""
    return re.sub(r"[^a-z0-9]+", "_", strip_accents(label).lower()).strip("_")


NAME_RE = re.compile(r"[a-z][a-z0-9_]*")


# ---------------------------------------------------------------- the cache


@dataclass
class _Cache:
    database: object = None
    stamp: tuple | None = None
    by_type: dict[str, dict[str, Property]] = field(default_factory=dict)


_cache = _Cache()


def _defaults() -> dict[str, dict[str, Property]]:
    return {t: {p.name: p for p in BUILTINS[t]} for t in OBJECT_TYPES}


def _bound():
    return database_proxy.obj


def _stamp():
    row = PropertyDefinition.select(
        fn.COUNT(PropertyDefinition.id), fn.SUM(PropertyDefinition.version), fn.MAX(PropertyDefinition.id)
    ).tuples().get()
    return tuple(row)


def _registry() -> dict[str, dict[str, Property]]:
    if _cache.database is not _bound() or not _cache.by_type:
        reload()
    return _cache.by_type


def reload() -> None:
    """Read the definitions again and give the models a field per custom column."""
    database = _bound()
    by_type = _defaults()
    stamp = None
    if database is not None:
        rows = []
        if database.table_exists(PropertyDefinition._meta.table_name):  # tests may build tables directly
            rows = list(PropertyDefinition.select().order_by(PropertyDefinition.id))
            stamp = _stamp()
        for row in rows:
            prop = from_row(row)
            if row.object_type in by_type:
                by_type[row.object_type][prop.name] = prop
    _sync_fields(by_type)
    _cache.database, _cache.stamp, _cache.by_type = database, stamp, by_type


def registry_stamp() -> tuple:
    """Changes whenever the definitions this process knows change (a compiled filter may name
    a column that a type change renamed)."""
    return (id(_cache.database), _cache.stamp)


def ensure_fresh() -> None:
    """Reload when another process (or this one) changed the definitions since the last read."""
    database = _bound()
    if database is None:
        return
    if _cache.database is not database or not _cache.by_type:
        reload()
        return
    if _cache.stamp is None:
        return
    if _stamp() != _cache.stamp:
        reload()


def from_row(row) -> Property:
    builtin = {p.name: p for p in BUILTINS.get(row.object_type, ())}.get(row.name)
    choices = tuple(
        Option(o["value"], o.get("label") or o["value"], int(o.get("order", i)), bool(o.get("archived")))
        for i, o in enumerate(json.loads(row.options or "[]"))
    )
    choices = tuple(sorted(choices, key=lambda o: o.order))
    prop = Property(
        name=row.name, label=row.label, type=row.type,
        options=tuple(o.value for o in choices if not o.archived),
        is_key=bool(row.is_key), builtin=bool(row.builtin), read_only=bool(row.read_only),
        column=row.column_name, description=row.description or "", group=row.group_name or "",
        choices=choices, archived=row.archived_at is not None, id=row.id, version=row.version,
    )
    if builtin is not None:
        prop = replace(prop, aliases=builtin.aliases)
    return prop


FIELD_TYPES = {
    TEXT: lambda: TextField(null=True),
    ENUMERATION: lambda: TextField(null=True),
    MULTIPLE: lambda: TextField(null=True),
    NUMBER: lambda: DoubleField(null=True),
    BOOLEAN: lambda: BooleanField(null=True),
    DATE: lambda: DayField(null=True),
    DATETIME: lambda: UTCDateTimeField(null=True),
}


def _sync_fields(by_type: dict[str, dict[str, Property]]) -> None:
    for object_type, props in by_type.items():
        model = RECORD_MODELS[object_type]
        wanted = {p.column: p for p in props.values() if not p.builtin}
        for name in [n for n in model._meta.fields if n.startswith("p_") and n not in wanted]:
            model._meta.remove_field(name)
        for column, prop in wanted.items():  # a type change makes a new column (p_<name>_t<version>)
            if column not in model._meta.fields:
                model._meta.add_field(column, FIELD_TYPES[prop.type]())


# ---------------------------------------------------------------- questions


def properties(object_type: str) -> dict[str, Property]:
    """The live (not archived) properties of an object type, by internal name, in order."""
    return {n: p for n, p in _registry()[object_type].items() if not p.archived}


def all_properties(object_type: str) -> dict[str, Property]:
    """Every property, archived ones included."""
    return dict(_registry()[object_type])


def get(object_type: str, name: str) -> Property | None:
    prop = _registry()[object_type].get(name)
    if prop is None:
        ensure_fresh()
        prop = _registry()[object_type].get(name)
    return prop


def value_of(record, prop: Property):
    return getattr(record, prop.column or prop.name, None)


def key_property(object_type: str) -> Property:
    return next(p for p in BUILTINS[object_type] if p.is_key)

