"""Issue 14: what the analysis views read.

- ``membership_bucket``: the membership log summed per segment and 15-minute slot (UTC),
  kept by a trigger on every insert into the log, whoever writes it; filled here from the
  log as it stands. Day boundaries of every time zone in use since 1972 fall on a slot
  edge, so a year of daily history reads a few hundred rows instead of the log.
  ``first_id`` (the slot's lowest log id) lets a query reach "the log rows after T"
  through the (segment, id) index.
- folders (nested) and a description for segments;
- the record an audit entry is about (record edits), for "why is this record here" (the
  log by record is indexed by migration 0002).
"""
from peewee import *


SQLITE_TRIGGER = """
CREATE TRIGGER membership_log_bucket AFTER INSERT ON membership_log BEGIN
  INSERT INTO membership_bucket (segment_id, bucket, added, removed, first_id)
  VALUES (NEW.segment_id, CAST(strftime('%s', NEW.at) AS INTEGER) / 900 * 900,
          NEW.action = 'added', NEW.action = 'removed', NEW.id)
  ON CONFLICT (segment_id, bucket) DO UPDATE SET
    added = added + excluded.added,
    removed = removed + excluded.removed,
    first_id = MIN(first_id, excluded.first_id);
END
"""

# one statement per INSERT into the log: the inserted rows are read as a table
POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION membership_log_bucket() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO membership_bucket (segment_id, bucket, added, removed, first_id)
  SELECT segment_id, (floor(extract(epoch FROM at) / 900) * 900)::bigint,
         count(*) FILTER (WHERE action = 'added'), count(*) FILTER (WHERE action = 'removed'), min(id)
  FROM new_rows GROUP BY 1, 2
  ON CONFLICT (segment_id, bucket) DO UPDATE SET
    added = membership_bucket.added + EXCLUDED.added,
    removed = membership_bucket.removed + EXCLUDED.removed,
    first_id = LEAST(membership_bucket.first_id, EXCLUDED.first_id);
  RETURN NULL;
END $$
"""
POSTGRES_TRIGGER = """
CREATE TRIGGER membership_log_bucket AFTER INSERT ON membership_log
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION membership_log_bucket()
"""


def bucket_sql(db) -> str:
    if isinstance(db, PostgresqlDatabase):
        return "(floor(extract(epoch FROM at) / 900) * 900)::bigint"
    return "CAST(strftime('%s', at) AS INTEGER) / 900 * 900"


def up(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    big = "BIGINT" if postgres else "INTEGER"
    db.execute_sql(
        f"CREATE TABLE membership_bucket ("
        f" segment_id INTEGER NOT NULL REFERENCES segment (id) ON DELETE CASCADE,"
        f" bucket {big} NOT NULL, added INTEGER NOT NULL, removed INTEGER NOT NULL,"
        f" first_id {big} NOT NULL, PRIMARY KEY (segment_id, bucket))"
    )
    db.execute_sql(
        f"INSERT INTO membership_bucket (segment_id, bucket, added, removed, first_id) "
        f"SELECT segment_id, {bucket_sql(db)}, "
        f"SUM(CASE WHEN action = 'added' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN action = 'removed' THEN 1 ELSE 0 END), MIN(id) "
        f"FROM membership_log GROUP BY 1, 2"
    )
    if postgres:
        db.execute_sql(POSTGRES_FUNCTION)
        db.execute_sql(POSTGRES_TRIGGER)
    else:
        db.execute_sql(SQLITE_TRIGGER)

    db.execute_sql(
        f"CREATE TABLE folder ("
        f" id {'SERIAL' if postgres else 'INTEGER'} PRIMARY KEY,"
        f" name TEXT NOT NULL, name_key TEXT NOT NULL,"
        f" parent_id INTEGER REFERENCES folder (id) ON DELETE RESTRICT,"
        f" created_at TIMESTAMP NOT NULL, created_by TEXT NOT NULL)"
    )
    # one name per parent folder, ignoring case (the root has no parent: 0 stands for it)
    db.execute_sql('CREATE UNIQUE INDEX folder_parent_name ON folder (COALESCE(parent_id, 0), name_key)')
    db.execute_sql("ALTER TABLE segment ADD COLUMN description TEXT")
    db.execute_sql("ALTER TABLE segment ADD COLUMN folder_id INTEGER REFERENCES folder (id) ON DELETE SET NULL")
    db.execute_sql("CREATE INDEX segment_folder_id ON segment (folder_id)")

    db.execute_sql("ALTER TABLE audit_entry ADD COLUMN record_type TEXT")
    db.execute_sql("ALTER TABLE audit_entry ADD COLUMN record_id INTEGER")
    db.execute_sql("CREATE INDEX audit_entry_record ON audit_entry (record_id, id)")


def down(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    db.execute_sql("DROP TRIGGER IF EXISTS membership_log_bucket" + (" ON membership_log" if postgres else ""))
    if postgres:
        db.execute_sql("DROP FUNCTION IF EXISTS membership_log_bucket()")
    db.execute_sql("DROP TABLE membership_bucket")
    db.execute_sql("DROP INDEX audit_entry_record")
    db.execute_sql("DROP INDEX segment_folder_id")  # SQLite drops no column an index names
    migrator.migrate(
        migrator.drop_column("audit_entry", "record_id"),
        migrator.drop_column("audit_entry", "record_type"),
        migrator.drop_column("segment", "folder_id"),
        migrator.drop_column("segment", "description"),
    )
    db.execute_sql("DROP TABLE folder")
