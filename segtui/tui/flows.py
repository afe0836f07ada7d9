"""Segment acts started from more than one screen (the list and a segment's page):
rename, clone and delete, each confirmed in a modal and refused with the reason.
"""

from __future__ import annotations

from collections.abc import Callable

from ..core import segments
from ..core.errors import SegtuiError
from .screens.confirm import ConfirmModal
from .screens.name_modal import NameModal
from .text import count, moment, printable
from .work import CoreWork



def _failed(screen: CoreWork, title: str):
    def show(exc: SegtuiError) -> None:
        screen.notify(str(exc), title=title, severity="error", timeout=10)
        reload = getattr(screen, "reload", None)
        if reload:
            reload()

    return show


def delete_segment(screen: CoreWork, segment, done: Callable[[], None]) -> None:
    """Confirm, then delete (restorable for 90 days); refused while another segment uses it."""
    users = screen.read_core(lambda: segments.dependants(segment.id))
    if users is None:
        return
    name = printable(segment.name, limit=60)
    if users:
        names = ", ".join(repr(printable(u.name, limit=40)) for u in users[:8])
        more = f" and {len(users) - 8} more" if len(users) > 8 else ""
        screen.notify(f"{name!r} cannot be deleted: it is used in the filters of {names}{more}. "
                      "Remove it from their filters first. Nothing was changed.",
                      title="Not deleted", severity="error", timeout=12)
        return
    ctx = screen.app.ctx
    until = moment(ctx.now().add(days=segments.RESTORE_DAYS), ctx.tz, "D MMM YYYY")
    body = (f"{count(segment.size, 'member')}, its filters and its history are kept: restore it from "
            f"Recently deleted (D on the segments list) until {until}.")
    version = segment.version

    def deleted(_) -> None:
        screen.notify(f"Deleted {name!r}. Restore it from Recently deleted until {until}.", title="Deleted")
        done()

    def confirmed(ok: bool | None) -> None:
        if ok:
            screen.run_core(lambda: segments.delete(ctx, segment.id, expected_version=version), done=deleted,
                            failed=_failed(screen, "Not deleted"), group="delete")

    screen.app.push_screen(ConfirmModal(f"Delete {name!r}?", body, "Delete"), confirmed)


def rename_segment(screen: CoreWork, segment, done: Callable[[], None]) -> None:
    version = segment.version

    def check(text: str) -> str:
        return segments.check_name(text, segment.object_type, except_id=segment.id)

    ctx = screen.app.ctx

    def chosen(name: str | None) -> None:
        def renamed(_) -> None:
            screen.notify(f"Renamed to {printable(name, limit=60)!r}.", title="Renamed")
            done()

        if name is not None:
            screen.run_core(lambda: segments.rename(ctx, segment.id, name, expected_version=version), done=renamed,
                            failed=_failed(screen, "Not renamed"), group="rename")

    screen.app.push_screen(
        NameModal(f"Rename {printable(segment.name, limit=50)!r}", segment.name, "Rename", check), chosen
    )


def clone_segment(screen: CoreWork, segment, done: Callable[[int], None]) -> None:
    """A copy with the same filters and type (not the automatic conversion)."""

    def check(text: str) -> str:
        return segments.check_name(text, segment.object_type)

    def finished(copy) -> None:
        screen.notify(f"Cloned as {printable(copy.name, limit=60)!r} ({copy.type}, {count(copy.size, 'member')}); "
                      "the automatic conversion is not copied.", title="Cloned")
        done(copy.id)

    ctx = screen.app.ctx

    def chosen(name: str | None) -> None:
        if name is not None:
            screen.notify(f"Cloning {printable(segment.name, limit=60)!r}…", timeout=3)
            screen.run_core(lambda: segments.clone(ctx, segment.id, name), done=finished,
                            failed=_failed(screen, "Not cloned"), group="clone")

    suggestion = screen.read_core(lambda: segments.suggest_copy_name(segment.id))
    if suggestion is None:
        return
    note = ("The copy has the same filters and type"
            + (" and the same members" if segment.type == "static" else "")
            + "; the automatic conversion is not copied.")
    screen.app.push_screen(
        NameModal(f"Clone {printable(segment.name, limit=50)!r}", suggestion, "Clone",
                  check, note), chosen
    )
