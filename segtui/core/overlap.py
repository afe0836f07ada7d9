"""How two or three segments of one object overlap: the records in each region of their
diagram (only A, A and B, ...), counted in SQL, and a static segment made from a region."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from peewee import fn

from ..i18n import N_n, _, nmsg
from . import audit, membership, segments, store
from .context import Context
from .db import write_transaction
from .errors import InvalidInput
from .kinds import records_word
from .models import Membership, Segment
from .stored_messages import quoted_names

LETTERS = "ABC"
# the audit's sentence of a segment made from a region
MADE = N_n("Made {name!r} from {region} of {segments} ({n} record)", "Made {name!r} from {region} of {segments} ({n} records)")


@dataclass(frozen=True)
class Region:
    mask: int  # bit i: in segment i

    def inside(self, n: int) -> list[int]:
        return [i for i in range(n) if self.mask >> i & 1]

    def code(self, n: int) -> str:
        """"A", "AB", "B"... (in A and B only)."""
        return "".join(LETTERS[i] for i in self.inside(n))


@dataclass(frozen=True)
class Overlap:
    segments: list[Segment]
    sizes: list[int]
    regions: dict[int, int]  # mask -> records in exactly those segments

    @property
    def union(self) -> int:
        return sum(self.regions.values())

    def label(self, mask: int) -> str:
        n = len(self.segments)
        ins = [self.segments[i].name for i in range(n) if mask >> i & 1]
        outs = [self.segments[i].name for i in range(n) if not mask >> i & 1]
        if len(ins) == n:
            return _("in all") if n > 2 else _("in both")
        if len(ins) == 1:
            return _("only {segment}").format(segment=ins[0])
        # three segments, two of them
        return _("{first} and {second}, not {other}").format(first=ins[0], second=ins[1], other=outs[0])


class _Holdings:
    """"'A' holds contacts, 'B' holds companies", in the language of whoever reads it."""

    def __init__(self, pairs: list[tuple[str, str]]):
        self.pairs = pairs

    def __str__(self) -> str:
        return ", ".join(_("{name!r} holds {records}").format(name=name, records=records_word(kind))
                         for name, kind in self.pairs)


def resolve(refs: list) -> list[Segment]:
    if not 2 <= len(refs) <= 3:
        raise InvalidInput("Choose two or three segments to compare")
    chosen = [store.get(r) for r in refs]
    if len({s.id for s in chosen}) != len(chosen):
        raise InvalidInput("Choose different segments: a segment overlaps itself entirely")
    kinds = {s.object_type for s in chosen}
    if len(kinds) > 1:
        raise InvalidInput("Segments of different objects do not overlap: {segments}",
                           segments=_Holdings([(s.name, s.object_type) for s in chosen]))
    return chosen


def _size(segment_id: int) -> int:
    return Membership.select().where(Membership.segment == segment_id).count()


def _common(ids: tuple[int, ...]) -> int:
    """Records in every one of ``ids``: one index probe per member of the first."""
    first = Membership.alias("m0")
    query = first.select(fn.COUNT(first.record_id)).where(first.segment == ids[0])
    for n, other_id in enumerate(ids[1:], start=1):
        other = Membership.alias(f"m{n}")
        query = query.join(other, on=((other.segment == other_id) & (other.record_id == first.record_id)))
    return query.scalar() or 0


def overlap(refs: list) -> Overlap:
    """Counts per region, from the sizes and the intersections (inclusion-exclusion)."""
    chosen = resolve(refs)
    n = len(chosen)
    ids = [s.id for s in chosen]
    sizes = [_size(i) for i in ids]
    # smallest first: the join probes the others once per member of the first
    common: dict[int, int] = {1 << i: sizes[i] for i in range(n)}
    for k in range(2, n + 1):
        for combo in combinations(range(n), k):
            ordered = sorted(combo, key=lambda i: sizes[i])
            common[sum(1 << i for i in combo)] = _common(tuple(ids[i] for i in ordered))
    regions = {}
    full = (1 << n) - 1
    for mask in range(1, full + 1):
        # exactly ``mask`` = sum over supersets S of mask of (-1)^(|S|-|mask|) * common[S]
        total = 0
        for sup in range(mask, full + 1):
            if sup & mask == mask:
                total += (-1) ** (bin(sup).count("1") - bin(mask).count("1")) * common[sup]
        regions[mask] = total
    return Overlap(chosen, sizes, regions)


def region_ids(segment_ids: list[int], mask: int):
    """A query of the record ids in exactly the segments of ``mask``."""
    inside = [segment_ids[i] for i in range(len(segment_ids)) if mask >> i & 1]
    outside = [segment_ids[i] for i in range(len(segment_ids)) if not mask >> i & 1]
    if not inside:
        raise InvalidInput("A region is inside at least one of the segments")
    base = Membership.alias("base")
    query = base.select(base.record_id).where(base.segment == inside[0])
    for sid in inside[1:]:
        other = Membership.alias()
        query = query.where(fn.EXISTS(other.select(other.record_id).where(
            (other.segment == sid) & (other.record_id == base.record_id))))
    for sid in outside:
        other = Membership.alias()
        query = query.where(~fn.EXISTS(other.select(other.record_id).where(
            (other.segment == sid) & (other.record_id == base.record_id))))
    return query


def create_from_region(ctx: Context, refs: list, mask: int, name: str) -> tuple[Segment, int]:
    """A static segment holding the records of one region, added by hand, in one transaction."""
    ctx.require_write("creating a segment")
    chosen = resolve(refs)
    if not 1 <= mask < (1 << len(chosen)):
        raise InvalidInput("No region {mask} for {count} segments", mask=mask, count=len(chosen))
    with write_transaction():
        ids = [rid for (rid,) in region_ids([s.id for s in chosen], mask).order_by(1).tuples()]
        segment, _diff = segments.create(ctx, name, chosen[0].object_type, "static")
        added = membership.add_records(ctx, segment.id, ids, source="manual").added if ids else 0
        audit.record(ctx, "create_from_overlap",
                     nmsg(*MADE, added, name=name, region=Region(mask).code(len(chosen)),
                          segments=quoted_names(s.name for s in chosen)),
                     segment_id=segment.id, after={"segments": [s.id for s in chosen], "mask": mask})
    return Segment.get_by_id(segment.id), added
