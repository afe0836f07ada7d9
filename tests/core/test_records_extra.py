"""Records services used by the console: which active segments an edit affects."""

from __future__ import annotations

from segtui.core import records, segments

from core_helpers import f, make, region_is, regions, tree


def test_segments_reading_names_the_live_active_segments_that_use_a_property(ctx, database):
    regions("Bretagne")
    bretons = make(ctx, "Bretons", "active", region_is("Bretagne"))
    both = make(ctx, "Both", "active", tree([f("region", "is_known"), f("events_attended", "gte", value=1)]))
    make(ctx, "Static bretons", "static", region_is("Bretagne"))
    make(ctx, "Firms", "active", region_is("Bretagne"), object_type="companies")
    gone = make(ctx, "Gone", "active", region_is("Normandie"))
    segments.delete(ctx, gone.id)
    assert [s.name for s in records.segments_reading("contacts", {"region"})] == ["Both", "Bretons"]
    assert [s.id for s in records.segments_reading("contacts", {"events_attended"})] == [both.id]
    assert records.segments_reading("contacts", {"city"}) == []
    assert records.segments_reading("contacts", set()) == []
    # a name that is a part of another is not confused with it
    assert bretons.id not in {s.id for s in records.segments_reading("contacts", {"egion"})}
