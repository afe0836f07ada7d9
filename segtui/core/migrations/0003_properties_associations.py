"""Issue 12: property definitions in the database, HubSpot Record IDs, associations, import mappings.

The built-in properties are written as definitions (labels editable there). Contacts whose
``company_domain`` names a known company become associated with it, as their primary company.
"""
import json

from peewee import *

from segtui.core.models import UTCDateTimeField

BUILTINS = {
    "contacts": [
        ("email", "Email", "text", "Contact information", True, False, "Identifies the contact", ()),
        ("first_name", "First name", "text", "Contact information", False, False, "", ()),
        ("last_name", "Last name", "text", "Contact information", False, False, "", ()),
        ("phone", "Phone", "text", "Contact information", False, False, "", ()),
        ("city", "City", "text", "Contact information", False, False, "", ()),
        ("region", "Region", "text", "Contact information", False, False, "", ()),
        ("country", "Country", "text", "Contact information", False, False, "", ()),
        ("lifecycle_stage", "Lifecycle stage", "enumeration", "Contact information", False, False, "",
         ("subscriber", "lead", "marketing_qualified_lead", "sales_qualified_lead", "opportunity", "customer",
          "evangelist", "other")),
        ("lead_status", "Lead status", "enumeration", "Contact information", False, False, "",
         ("new", "open", "in_progress", "unqualified", "connected", "bad_timing")),
        ("events_attended", "Events attended", "number", "Contact information", False, False, "", ()),
        ("subscribed", "Subscribed", "boolean", "Contact information", False, False, "", ()),
        ("last_activity_date", "Last activity date", "date", "Contact information", False, False, "", ()),
        ("created_date", "Created date", "date", "Contact information", False, False, "", ()),
        ("company_domain", "Company domain", "text", "Contact information", False, False,
         "Associates the contact with the company of this domain on import", ()),
        ("hubspot_id", "Record ID", "text", "Contact information", False, True,
         "HubSpot's Record ID, kept from imports so that exports link up", ()),
    ],
    "companies": [
        ("domain", "Domain", "text", "Company information", True, False, "Identifies the company", ()),
        ("name", "Name", "text", "Company information", False, False, "", ()),
        ("industry", "Industry", "text", "Company information", False, False, "", ()),
        ("city", "City", "text", "Company information", False, False, "", ()),
        ("region", "Region", "text", "Company information", False, False, "", ()),
        ("country", "Country", "text", "Company information", False, False, "", ()),
        ("employees", "Employees", "number", "Company information", False, False, "", ()),
        ("annual_revenue", "Annual revenue", "number", "Company information", False, False, "", ()),
        ("created_date", "Created date", "date", "Company information", False, False, "", ()),
        ("hubspot_id", "Record ID", "text", "Company information", False, True,
         "HubSpot's Record ID, kept from imports so that exports link up", ()),
    ],
}


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("contact", "hubspot_id", TextField(null=True)),
        migrator.add_column("company", "hubspot_id", TextField(null=True)),
        migrator.add_index("contact", ("hubspot_id",), False),
        migrator.add_index("company", ("hubspot_id",), False),
    )

    class PropertyDefinition(Model):
        object_type = CharField()
        name = CharField()
        label = TextField()
        type = CharField()
        description = TextField(default="")
        group_name = TextField(default="")
        options = TextField(default="[]")
        builtin = BooleanField(default=False)
        is_key = BooleanField(default=False)
        read_only = BooleanField(default=False)
        column_name = CharField()
        created_at = UTCDateTimeField(null=True)
        created_by = TextField(null=True)
        updated_at = UTCDateTimeField(null=True)
        updated_by = TextField(null=True)
        archived_at = UTCDateTimeField(null=True)
        archived_by = TextField(null=True)
        version = IntegerField(default=1)

        class Meta:
            database = db
            table_name = "property_definition"
            indexes = ((("object_type", "name"), True),)

    class Contact(Model):
        class Meta:
            database = db
            table_name = "contact"

    class Company(Model):
        class Meta:
            database = db
            table_name = "company"

    class Association(Model):
        contact = ForeignKeyField(Contact, on_delete="CASCADE", index=False)
        company = ForeignKeyField(Company, on_delete="CASCADE", index=False)
        is_primary = BooleanField(default=False)

        class Meta:
            database = db
            table_name = "association"
            primary_key = CompositeKey("contact", "company")
            indexes = ((("company", "contact"), False),)

    class ImportMapping(Model):
        object_type = CharField()
        headers_key = TextField()
        mapping = TextField()
        updated_at = UTCDateTimeField()
        updated_by = TextField()

        class Meta:
            database = db
            table_name = "import_mapping"
            indexes = ((("object_type", "headers_key"), True),)

    db.create_tables([PropertyDefinition, Association, ImportMapping])
    # one primary company per contact, whatever the process that writes it
    db.execute_sql('CREATE UNIQUE INDEX "association_primary" ON "association" ("contact_id") '
                   'WHERE ("is_primary" = %s)' % ("1" if isinstance(db, SqliteDatabase) else "true"))

    rows = []
    for object_type, props in BUILTINS.items():
        for name, label, type_, group, is_key, read_only, description, options in props:
            rows.append({
                "object_type": object_type, "name": name, "label": label, "type": type_,
                "description": description, "group_name": group, "builtin": True, "is_key": is_key,
                "read_only": read_only, "column_name": name, "created_by": "segtui",
                "options": json.dumps([
                    {"value": v, "label": v.replace("_", " ").capitalize(), "order": i, "archived": False}
                    for i, v in enumerate(options)
                ]),
            })
    PropertyDefinition.insert_many(rows).execute()

    db.execute_sql(
        'INSERT INTO "association" ("contact_id", "company_id", "is_primary") '
        'SELECT c."id", co."id", %s FROM "contact" c JOIN "company" co ON co."domain" = LOWER(c."company_domain")'
        % ("1" if isinstance(db, SqliteDatabase) else "true")
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_table("import_mapping"))
    migrator.migrate(migrator.drop_table("association"))
    migrator.migrate(migrator.drop_table("property_definition"))
    migrator.migrate(
        migrator.drop_index("company", "company_hubspot_id"),
        migrator.drop_index("contact", "contact_hubspot_id"),
        migrator.drop_column("company", "hubspot_id"),
        migrator.drop_column("contact", "hubspot_id"),
    )
