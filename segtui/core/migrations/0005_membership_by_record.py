"""Issue 13: a record's memberships read from one index.

A record change reads the memberships of the changed records (which segments each is in)
through the index on ``membership (record_id)``: it held the row, not the segment, so each
membership found cost a read of the table's row as well (an import of 10,000 contacts read
236,000 rows to learn 236,000 segment ids). The index on ``(record_id, segment_id)`` answers
alone, for the same writes. The index on ``membership (segment_id)`` goes: the primary key
``(segment_id, record_id)`` starts with it, and every join or leave wrote both.
"""
from peewee import *


def up(migrator, db):
    db.execute_sql('CREATE INDEX "membership_record_id_segment_id" ON "membership" ("record_id", "segment_id")')
    db.execute_sql('DROP INDEX "membership_record_id"')
    db.execute_sql('DROP INDEX "membership_segment_id"')


def down(migrator, db):
    db.execute_sql('CREATE INDEX "membership_segment_id" ON "membership" ("segment_id")')
    db.execute_sql('CREATE INDEX "membership_record_id" ON "membership" ("record_id")')
    db.execute_sql('DROP INDEX "membership_record_id_segment_id"')
