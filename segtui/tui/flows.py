"""Segment acts started from more than one screen (the list and a segment's page):
rename, clone and delete, each confirmed in a modal and refused with the reason.
"""

from __future__ import annotations

from collections.abc import Callable

from ..core import segments
from ..core.errors import SegtuiError
from ..i18n import _, _n, language, pgettext, quoted
from .screens.confirm import ConfirmModal
from .screens.name_modal import NameModal
from .text import printable
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
        names = ", ".join(quoted(printable(u.name, limit=40)) for u in users[:8])
        if len(users) > 8:
            names = _n("{names} and {n} more", "{names} and {n} more", len(users) - 8, names=names)
        screen.notify(_("{name!r} cannot be deleted: it is used in the filters of {names}. Remove it from their "
                        "filters first. Nothing was changed.").format(name=name, names=names),
                      title=_("Not deleted"), severity="error", timeout=12)
        return
    ctx = screen.app.ctx
    until = ctx.now().add(days=segments.RESTORE_DAYS).in_timezone(ctx.tz).format("D MMM YYYY", locale=language())
    body = _n("{n} member, its filters and its history are kept: restore it from Recently deleted (D on the "
              "segments list) until {day}.",
              "{n} members, its filters and its history are kept: restore it from Recently deleted (D on the "
              "segments list) until {day}.", segment.size, day=until)
    version = segment.version

    def deleted(_result) -> None:
        screen.notify(_("Deleted {name!r}. Restore it from Recently deleted until {day}.").format(name=name, day=until),
                      title=pgettext("a segment was", "Deleted"))
        done()

    def confirmed(ok: bool | None) -> None:
        if ok:
            screen.run_core(lambda: segments.delete(ctx, segment.id, expected_version=version), done=deleted,
                            failed=_failed(screen, _("Not deleted")), group="delete")

    screen.app.push_screen(ConfirmModal(_("Delete {name!r}?").format(name=name), body, _("Delete")), confirmed)


def rename_segment(screen: CoreWork, segment, done: Callable[[], None]) -> None:
    version = segment.version

    def check(text: str) -> str:
        return segments.check_name(text, segment.object_type, except_id=segment.id)

    ctx = screen.app.ctx

    def chosen(name: str | None) -> None:
        def renamed(_result) -> None:
            screen.notify(_("Renamed to {name!r}.").format(name=printable(name, limit=60)), title=_("Renamed"))
            done()

        if name is not None:
            screen.run_core(lambda: segments.rename(ctx, segment.id, name, expected_version=version), done=renamed,
                            failed=_failed(screen, _("Not renamed")), group="rename")

    screen.app.push_screen(
        NameModal(_("Rename {name!r}").format(name=printable(segment.name, limit=50)), segment.name, _("Rename"),
                  check), chosen
    )


def clone_segment(screen: CoreWork, segment, done: Callable[[int], None]) -> None:
    """A copy with the same filters and type (not the automatic conversion)."""

    def check(text: str) -> str:
        return segments.check_name(text, segment.object_type)

    def finished(copy) -> None:
        said = (_n("Cloned as {name!r} (active, {n} member); the automatic conversion is not copied.",
                   "Cloned as {name!r} (active, {n} members); the automatic conversion is not copied.",
                   copy.size, name=printable(copy.name, limit=60)) if copy.type == "active" else
                _n("Cloned as {name!r} (static, {n} member); the automatic conversion is not copied.",
                   "Cloned as {name!r} (static, {n} members); the automatic conversion is not copied.",
                   copy.size, name=printable(copy.name, limit=60)))
        screen.notify(said, title=_("Cloned"))
        done(copy.id)

    ctx = screen.app.ctx

    def chosen(name: str | None) -> None:
        if name is not None:
            screen.notify(_("Cloning {name!r}…").format(name=printable(segment.name, limit=60)), timeout=3)
            screen.run_core(lambda: segments.clone(ctx, segment.id, name), done=finished,
                            failed=_failed(screen, _("Not cloned")), group="clone")

    suggestion = screen.read_core(lambda: segments.suggest_copy_name(segment.id))
    if suggestion is None:
        return
    note = (_("The copy has the same filters and type and the same members; the automatic conversion is not copied.")
            if segment.type == "static" else
            _("The copy has the same filters and type; the automatic conversion is not copied."))
    screen.app.push_screen(
        NameModal(_("Clone {name!r}").format(name=printable(segment.name, limit=50)), suggestion, _("Clone"),
                  check, note), chosen
    )
