"""Issue 13: segments follow their records at once.

- ``segment_read``: which properties each segment's filters read (the property -> segments
  index a record change looks up), filled here from the stored filters;
- ``segment.stale``: a full refresh is owed (a segment it reads changed as a whole);
  ``segment.dates_as_of``: the day its relative-date filters were last evaluated for, so
  that the midnight rollover evaluates only the records whose date crossed a boundary;
- indexes on the date columns (that rollover reads index ranges) and on the membership
  log by record (a record's history: when and why it joined each segment).
"""
import json

from peewee import *



def _reads(tree: dict) -> set[str]:
    return {f["property"] for g in tree.get("groups", []) for f in g.get("filters", []) if "property" in f}


def up(migrator, db):
    class SegmentRead(Model):
        segment_id = IntegerField()
        object_type = CharField()
        property = CharField()

        class Meta:
            database = db
            table_name = "segment_read"
            primary_key = CompositeKey("object_type", "property", "segment_id")

    db.create_tables([SegmentRead])
    db.execute_sql('CREATE INDEX "segment_read_segment_id" ON "segment_read" ("segment_id")')
    # a database default too: rows written by plain SQL (bulk loads) need no value for it
    db.execute_sql('ALTER TABLE "segment" ADD COLUMN "stale" BOOLEAN NOT NULL DEFAULT FALSE')
    db.execute_sql('ALTER TABLE "segment" ADD COLUMN "dates_as_of" DATE')
    rows = []
    for segment_id, object_type, text in db.execute_sql("SELECT id, object_type, filters FROM segment"):
        for name in sorted(_reads(json.loads(text))):
            rows.append({"segment_id": segment_id, "object_type": object_type, "property": name})
    for i in range(0, len(rows), 500):
        SegmentRead.insert_many(rows[i : i + 500]).execute()
    for table, column in (("contact", "last_activity_date"), ("contact", "created_date"),
                          ("company", "created_date")):
        db.execute_sql(f'CREATE INDEX "{table}_{column}" ON "{table}" ("{column}")')
    db.execute_sql('CREATE INDEX "membership_log_record_id" ON "membership_log" ("record_id", "segment_id", "id")')


def down(migrator, db):
    db.execute_sql('DROP INDEX "membership_log_record_id"')
    for table, column in (("contact", "last_activity_date"), ("contact", "created_date"),
                          ("company", "created_date")):
        db.execute_sql(f'DROP INDEX "{table}_{column}"')
    migrator.migrate(migrator.drop_column("segment", "dates_as_of"), migrator.drop_column("segment", "stale"))
    db.execute_sql('DROP TABLE "segment_read"')
