"""The Peewee models. One database per process, bound through ``database_proxy``.

Moments are stored as naive UTC and read back as pendulum UTC datetimes.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from peewee import (
    AutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    CompositeKey,
    DatabaseProxy,
    DateField,
    DateTimeField,
    DoubleField,
    ForeignKeyField,
    IntegerField,
    Model,
    SQL,
    TextField,
)

database_proxy = DatabaseProxy()


class UTCDateTimeField(DateTimeField):
    """Aware datetimes in, naive UTC stored, pendulum UTC out."""

    def db_value(self, value):
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(dt.UTC)
            # a plain datetime: database drivers adapt by exact type, not subclass
            value = dt.datetime(*value.timetuple()[:6], value.microsecond)  # noqa: DTZ001 - stored naive UTC
        return super().db_value(value)

    def python_value(self, value):
        value = super().python_value(value)
        if isinstance(value, dt.datetime):
            return pendulum.instance(value.replace(tzinfo=dt.UTC)).in_timezone("UTC")
        return value


class DayField(DateField):
    """Calendar days: plain dates in, pendulum Dates out."""

    def db_value(self, value):
        if isinstance(value, dt.date):
            value = dt.date(value.year, value.month, value.day)
        return super().db_value(value)

    def python_value(self, value):
        value = super().python_value(value)
        if isinstance(value, dt.date):
            return pendulum.Date(value.year, value.month, value.day)
        return value


class BaseModel(Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


class Contact(BaseModel):
    id = AutoField()
    email = CharField(unique=True)
    first_name = TextField(null=True)
    last_name = TextField(null=True)
    phone = TextField(null=True)
    city = TextField(null=True)
    region = TextField(null=True)
    country = TextField(null=True)
    lifecycle_stage = TextField(null=True)
    lead_status = TextField(null=True)
    events_attended = DoubleField(null=True)
    subscribed = BooleanField(null=True)
    # indexed: the midnight rollover of relative-date filters reads date ranges
    last_activity_date = DayField(null=True, index=True)
    created_date = DayField(null=True, index=True)
    company_domain = TextField(null=True)
    hubspot_id = TextField(null=True, index=True)
    updated_at = UTCDateTimeField()


class Company(BaseModel):
    id = AutoField()
    domain = CharField(unique=True)
    name = TextField(null=True)
    industry = TextField(null=True)
    city = TextField(null=True)
    region = TextField(null=True)
    country = TextField(null=True)
    employees = DoubleField(null=True)
    annual_revenue = DoubleField(null=True)
    created_date = DayField(null=True, index=True)
    hubspot_id = TextField(null=True, index=True)
    updated_at = UTCDateTimeField()


RECORD_MODELS: dict[str, type[BaseModel]] = {"contacts": Contact, "companies": Company}


class Folder(BaseModel):
    """Segments sit in nested folders (None: at the top)."""

    id = AutoField()
    name = TextField()
    name_key = TextField()  # casefolded: one name per parent folder, ignoring case
    parent = ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    created_at = UTCDateTimeField()
    created_by = TextField()


class Segment(BaseModel):
    id = AutoField()
    name = TextField()
    # casefolded name: uniqueness per object type ignores case, among live segments
    name_key = TextField()
    object_type = CharField()  # contacts | companies
    type = CharField()  # active | static
    filters = TextField(default='{"groups": []}')
    # ",region,events_attended," so that a record edit marks only the segments it may affect
    filter_properties = TextField(default=",")
    has_relative_dates = BooleanField(default=False)
    # the day relative-date filters were last evaluated for (the next rollover starts there)
    dates_as_of = DayField(null=True)
    # a full refresh is owed: a segment its filters read changed as a whole
    stale = BooleanField(default=False, constraints=[SQL("DEFAULT FALSE")])
    size = IntegerField(default=0)
    last_activity_at = UTCDateTimeField()
    created_at = UTCDateTimeField()
    created_by = TextField()
    updated_at = UTCDateTimeField()
    updated_by = TextField()
    version = IntegerField(default=1)
    deleted_at = UTCDateTimeField(null=True)
    deleted_by = TextField(null=True)
    # automatic conversion to static
    schedule_mode = CharField(default="never")  # never | on_day | after_inactivity
    schedule_day = DayField(null=True)
    schedule_amount = IntegerField(null=True)
    schedule_unit = CharField(null=True)  # days | weeks | months
    schedule_tz = TextField(null=True)
    due_at = UTCDateTimeField(null=True)
    # refresh bookkeeping for the worker
    next_refresh_at = UTCDateTimeField(null=True)
    refreshed_at = UTCDateTimeField(null=True)
    refresh_error = TextField(null=True)
    refresh_failures = IntegerField(default=0)
    claimed_by = TextField(null=True)
    claim_expires_at = UTCDateTimeField(null=True)
    description = TextField(null=True)
    folder = ForeignKeyField(Folder, null=True, backref="segments", on_delete="SET NULL")

    class Meta:
        indexes = (
            (("deleted_at", "name_key"), False),
            # a worker tick asks "type = active AND deleted_at IS NULL AND due_at <= now, by due_at"
            # (and the same for next_refresh_at): all three columns in one index answer it from an
            # index range. A due_at index alone loses to (deleted_at, name_key) in SQLite's planner,
            # which then reads every live segment (6-8 ms a query at 10,000 segments).
            (("type", "deleted_at", "due_at"), False),
            (("type", "deleted_at", "next_refresh_at"), False),
        )


Segment.add_index(
    Segment.index(Segment.object_type, Segment.name_key, unique=True).where(
        Segment.deleted_at.is_null()
    )
)


class Membership(BaseModel):
    # the primary key (segment, record_id) serves "the members of a segment": no index of its own
    segment = ForeignKeyField(Segment, backref="memberships", on_delete="CASCADE", index=False)
    record_id = IntegerField()
    source = CharField()  # filter | manual | import | conversion
    joined_at = UTCDateTimeField()

    class Meta:
        primary_key = CompositeKey("segment", "record_id")
        indexes = (
            # members are shown newest first, a page at a time, ordered by (joined_at, record_id):
            # every member of one refresh or import shares its joined_at, so record_id breaks the
            # ties, and the index holds both so that no page sorts the segment's members
            (("segment", "joined_at", "record_id"), False),
            # a record's segments (a record change, the record page) from the index alone (0005)
            (("record_id", "segment"), False),
        )


class MembershipLog(BaseModel):
    """Append-only: every add and remove, when and why."""

    id = AutoField()
    segment = ForeignKeyField(Segment, on_delete="CASCADE", index=False)
    record_id = IntegerField()
    action = CharField()  # added | removed
    reason = CharField()  # filter | manual | import | conversion
    at = UTCDateTimeField()
    actor = TextField()

    class Meta:
        indexes = ((("segment", "id"), False), (("record_id", "segment", "id"), False))


class SegmentRead(BaseModel):
    """The property -> segments index: segment's filters read ``property`` of ``object_type``.

    Kept with the filters (written wherever they are saved); a record change looks up the
    segments to re-evaluate here. ``object_type`` is the object whose property is read, so
    that a filter across an association can name the associated object's properties.
    """

    segment_id = IntegerField(index=True)
    object_type = CharField()
    property = CharField()

    class Meta:
        primary_key = CompositeKey("object_type", "property", "segment_id")


class MembershipBucket(BaseModel):
    """The membership log summed per segment and 15-minute slot (``bucket``: its start, in
    seconds since the epoch, UTC). Written only by a database trigger on the log (see
    migration history_folders): every writer of the log keeps it, and ``history.rebuild_buckets``
    recomputes it from the log to check it."""

    segment = ForeignKeyField(Segment, on_delete="CASCADE", index=False)
    bucket = BigIntegerField()
    added = IntegerField()
    removed = IntegerField()
    first_id = BigIntegerField()  # the slot's lowest log id

    class Meta:
        primary_key = CompositeKey("segment", "bucket")


class SegmentDependency(BaseModel):
    """segment uses ``depends_on`` in a membership filter."""

    segment = ForeignKeyField(Segment, on_delete="CASCADE")
    depends_on = ForeignKeyField(Segment, on_delete="CASCADE", backref="dependants")

    class Meta:
        primary_key = CompositeKey("segment", "depends_on")


class ConversionRecord(BaseModel):
    id = AutoField()
    segment = ForeignKeyField(Segment, backref="conversions", on_delete="CASCADE")
    direction = CharField()  # to_static | to_active
    trigger = CharField()  # manual | on_day | after_inactivity
    requested = TextField()  # JSON: what was asked for
    due_at = UTCDateTimeField(null=True)
    converted_at = UTCDateTimeField()
    actor = TextField()
    size = IntegerField()


class AuditEntry(BaseModel):
    """Every administrative act: who, what, when, before/after."""

    id = AutoField()
    at = UTCDateTimeField(index=True)
    actor = TextField()
    action = CharField()
    segment_id = IntegerField(null=True)
    summary = TextField()
    before = TextField(null=True)
    after = TextField(null=True)
    # the record an edit was about (contacts | companies), for "why is this record here"
    record_type = TextField(null=True)
    record_id = IntegerField(null=True)
    # the summary's message: its English template and its parameters (JSON), read in the
    # reader's language (core/stored_messages.py); None before migration 0006
    template = TextField(null=True)
    params = TextField(null=True)

    class Meta:
        indexes = ((("segment_id", "id"), False), (("record_id", "id"), False))


class PropertyDefinition(BaseModel):
    """A property of contacts or companies: built-in or the account's own (SPEC §4)."""

    id = AutoField()
    object_type = CharField()
    name = CharField()  # internal name, fixed once created
    label = TextField()
    type = CharField()
    description = TextField(default="")
    group_name = TextField(default="")
    options = TextField(default="[]")  # JSON: [{"value", "label", "order", "archived"}]
    builtin = BooleanField(default=False)
    is_key = BooleanField(default=False)
    read_only = BooleanField(default=False)
    column_name = CharField()  # the record table's column holding the values
    created_at = UTCDateTimeField(null=True)
    created_by = TextField(null=True)
    updated_at = UTCDateTimeField(null=True)
    updated_by = TextField(null=True)
    archived_at = UTCDateTimeField(null=True)
    archived_by = TextField(null=True)
    version = IntegerField(default=1)

    class Meta:
        indexes = ((("object_type", "name"), True),)


class Association(BaseModel):
    """A contact works with a company: many-to-many, one primary company per contact."""

    contact = ForeignKeyField(Contact, on_delete="CASCADE", index=False)
    company = ForeignKeyField(Company, on_delete="CASCADE", index=False)
    is_primary = BooleanField(default=False)

    class Meta:
        primary_key = CompositeKey("contact", "company")
        indexes = ((("company", "contact"), False),)


class ImportMapping(BaseModel):
    """The mapping last used for a file with these headers, offered again next time."""

    id = AutoField()
    object_type = CharField()
    headers_key = TextField()
    mapping = TextField()  # JSON: {column: property name | "" (skip)}
    updated_at = UTCDateTimeField()
    updated_by = TextField()

    class Meta:
        indexes = ((("object_type", "headers_key"), True),)


ALL_MODELS = [
    Contact,
    Company,
    Folder,
    Segment,
    Membership,
    MembershipLog,
    SegmentRead,
    MembershipBucket,
    SegmentDependency,
    ConversionRecord,
    AuditEntry,
    PropertyDefinition,
    Association,
    ImportMapping,
]
