"""The property registry: what records of each object type carry, and of which type."""

from __future__ import annotations

from dataclasses import dataclass, field

OBJECT_TYPES = ("contacts", "companies")

TEXT = "text"
NUMBER = "number"
DATE = "date"
ENUMERATION = "enumeration"
BOOLEAN = "boolean"


@dataclass(frozen=True)
class Property:
    name: str
    label: str
    type: str
    options: tuple[str, ...] = field(default=())
    is_key: bool = False


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

_CONTACTS = (
    Property("email", "Email", TEXT, is_key=True),
    Property("first_name", "First name", TEXT),
    Property("last_name", "Last name", TEXT),
    Property("phone", "Phone", TEXT),
    Property("city", "City", TEXT),
    Property("region", "Region", TEXT),
    Property("country", "Country", TEXT),
    Property("lifecycle_stage", "Lifecycle stage", ENUMERATION, LIFECYCLE_STAGES),
    Property("lead_status", "Lead status", ENUMERATION, LEAD_STATUSES),
    Property("events_attended", "Events attended", NUMBER),
    Property("subscribed", "Subscribed", BOOLEAN),
    Property("last_activity_date", "Last activity date", DATE),
    Property("created_date", "Created date", DATE),
    Property("company_domain", "Company domain", TEXT),
)

_COMPANIES = (
    Property("domain", "Domain", TEXT, is_key=True),
    Property("name", "Name", TEXT),
    Property("industry", "Industry", TEXT),
    Property("city", "City", TEXT),
    Property("region", "Region", TEXT),
    Property("country", "Country", TEXT),
    Property("employees", "Employees", NUMBER),
    Property("annual_revenue", "Annual revenue", NUMBER),
    Property("created_date", "Created date", DATE),
)

REGISTRY: dict[str, dict[str, Property]] = {
    "contacts": {p.name: p for p in _CONTACTS},
    "companies": {p.name: p for p in _COMPANIES},
}

OBJECT_LABELS = {"contacts": "Contacts", "companies": "Companies"}
SINGULAR = {"contacts": "contact", "companies": "company"}


def properties(object_type: str) -> dict[str, Property]:
    return REGISTRY[object_type]


def key_property(object_type: str) -> Property:
    return next(p for p in REGISTRY[object_type].values() if p.is_key)
