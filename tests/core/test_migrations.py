"""The schema's migrations: a database of an older schema is brought up to date with what
it holds (0002 indexes the properties existing filters read; 0003 adds property definitions,
associations and remembered import mappings; 0004 the membership log's summary, folders and
descriptions; 0005 a record's memberships by one index; 0006 the audit's messages, read in the
reader's language), and every migration can be reverted and applied
again, on SQLite and PostgreSQL."""

from __future__ import annotations

from segtui.core import db as dbmod
from segtui.core.models import Segment, SegmentRead

from core_helpers import f, make, members, region_is, regions, tree

MIGRATIONS = ["0001_initial", "0002_follow_records", "0003_properties_associations", "0004_history_folders",
              "0005_membership_by_record", "0006_audit_messages"]


def reads() -> list[tuple]:
    return sorted(SegmentRead.select(SegmentRead.segment_id, SegmentRead.object_type, SegmentRead.property).tuples())


def test_0002_indexes_what_the_existing_filters_read(ctx, database):
    people = regions("Bretagne", "Normandie")
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    mixed = make(ctx, "Mixed", "active", tree([f("region", "is_any_of", values=["Normandie"]),
                                               f("lifecycle_stage", "is_known")]))
    hand = make(ctx, "Hand", "static")
    indexed = reads()
    assert indexed == [(bretons.id, "contacts", "region"), (mixed.id, "contacts", "lifecycle_stage"),
                       (mixed.id, "contacts", "region")]
    runner = dbmod._runner(database)
    # the database of a segtui before issue 13 (and the migrations that come after it)
    after = MIGRATIONS[2:]
    assert runner.down("0002_follow_records") == [*reversed(after), "0002_follow_records"]
    assert dbmod.schema_status(database) == (["0002_follow_records", *after], [])
    assert "segment_read" not in database.get_tables()
    assert "stale" not in {c.name for c in database.get_columns("segment")}

    assert dbmod.migrate(database) == ["0002_follow_records", *after]
    assert reads() == indexed  # filled from the stored filters: record changes reach them
    assert [(s.id, s.stale, s.dates_as_of) for s in Segment.select().order_by(Segment.id)] == [
        (bretons.id, False, None), (mixed.id, False, None), (hand.id, False, None)]
    assert members(bretons) == {people[0]}


def test_every_migration_reverts_and_applies_again(database):
    runner = dbmod._runner(database)
    assert runner.down(MIGRATIONS[0]) == MIGRATIONS[::-1]
    assert set(database.get_tables()) <= {runner.table_name}  # nothing of segtui's left
    assert dbmod.schema_status(database) == (MIGRATIONS, [])
    assert dbmod.migrate(database) == MIGRATIONS
    assert dbmod.schema_status(database) == ([], [])
    assert Segment.select().count() == 0 and reads() == []


def test_0005_reads_a_records_segments_from_one_index(ctx, database):
    people = regions("Bretagne", "Normandie")
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    everyone = make(ctx, "Everyone", "active", tree([f("region", "is_known")]))
    runner = dbmod._runner(database)
    assert runner.down("0005_membership_by_record") == ["0006_audit_messages", "0005_membership_by_record"]
    assert "membership_record_id" in {i.name for i in database.get_indexes("membership")}
    assert dbmod.migrate(database) == ["0005_membership_by_record", "0006_audit_messages"]
    indexes = {i.name: i.columns for i in database.get_indexes("membership")}
    assert indexes["membership_record_id_segment_id"] == ["record_id", "segment_id"]
    assert "membership_record_id" not in indexes and "membership_segment_id" not in indexes
    found = database.execute_sql("SELECT segment_id FROM membership WHERE record_id = %s ORDER BY 1"
                                 .replace("%s", database.param), [people[0]]).fetchall()
    assert found == [(bretons.id,), (everyone.id,)]
    if dbmod.is_sqlite(database):  # the segment ids come from the index, not the table's rows
        plan = database.execute_sql("EXPLAIN QUERY PLAN SELECT segment_id FROM membership WHERE record_id = ?",
                                    [people[0]]).fetchall()
        assert "COVERING INDEX membership_record_id_segment_id" in plan[0][-1]


def test_0006_keeps_the_old_rows_summaries_and_reads_new_ones_in_the_language(ctx, database):
    from segtui import i18n
    from segtui.core import audit, segments
    from segtui.core.models import AuditEntry

    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    runner = dbmod._runner(database)
    assert runner.down("0006_audit_messages") == ["0006_audit_messages"]
    assert not {"template", "params"} & {c.name for c in database.get_columns("audit_entry")}
    # a row as a segtui before issue 16's stored messages wrote it
    database.execute_sql("INSERT INTO audit_entry (at, actor, action, segment_id, summary) VALUES (?, ?, ?, ?, ?)"
                         .replace("?", database.param),
                         [AuditEntry.at.db_value(ctx.now()), "bob", "rename", bretons.id, "Renamed 'B' to 'Bretons'"])
    assert dbmod.migrate(database) == ["0006_audit_messages"]
    segments.rename(ctx, bretons.id, "Les Bretons")
    entries = audit.for_segment(bretons.id)
    # the creation's template went with the columns (down): it is an old row, as the one inserted
    assert [(e.summary, e.template is None) for e in entries] == [
        ("Renamed 'Bretons' to 'Les Bretons'", False), ("Renamed 'B' to 'Bretons'", True),
        ("Created active contacts segment 'Bretons' with 0 members", True)]
    i18n.set_language("fr")
    try:
        # the old rows are known sentences: read back from their summaries (core/old_summaries.py)
        assert [audit.summary_of(e) for e in entries] == [
            "«\u00a0Bretons\u00a0» renommé en «\u00a0Les Bretons\u00a0»", "«\u00a0B\u00a0» renommé en «\u00a0Bretons\u00a0»",
            "Segment actif de contacts «\u00a0Bretons\u00a0» créé avec 0 membre"]
    finally:
        i18n.set_language("en")
