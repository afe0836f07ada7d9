"""Issue 16: the audit log's summaries read in the reader's language.

An entry keeps its English sentence (``summary``: what ``--json`` and older readers show, and
all an entry written before this migration has) and, beside it, the message it was made
from: its English template and its parameters as JSON (``segtui/core/stored_messages.py``),
translated each time it is shown. Rows already there keep no template: they show their
summary as it was written.
"""
from peewee import *


def up(migrator, db):
    db.execute_sql("ALTER TABLE audit_entry ADD COLUMN template TEXT")
    db.execute_sql("ALTER TABLE audit_entry ADD COLUMN params TEXT")


def down(migrator, db):
    migrator.migrate(migrator.drop_column("audit_entry", "params"), migrator.drop_column("audit_entry", "template"))
