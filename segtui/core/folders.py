"""Nested folders for segments, descriptions, and moving segments between folders."""

from __future__ import annotations

from dataclasses import dataclass

import peewee

from ..i18n import Message, nmsg
from ..i18n import number as _number
from . import audit, store
from .context import Context
from .db import write_transaction
from .errors import InvalidInput, InvalidName, NotFound, refuse_nul
from .models import Folder, Segment

MAX_DEPTH = 10
MAX_DESCRIPTION = 2000
SEPARATOR = "/"


class FolderNotFound(NotFound):
    pass


@dataclass(frozen=True)
class FolderRow:
    folder: Folder
    path: str  # "Marketing/Events"
    depth: int
    segments: int  # live segments directly in it


def _clean(name) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidName("A folder needs a name")
    refuse_nul(name, Message("A folder name"))
    name = name.strip()
    if SEPARATOR in name:
        raise InvalidName("A folder name cannot contain {separator!r}: it separates folders in a path",
                          separator=SEPARATOR)
    if len(name) > 200:
        raise InvalidName("A folder name has at most 200 characters")
    return name


def all_by_id() -> dict[int, Folder]:
    return {f.id: f for f in Folder.select()}


def path_of(folder_id: int | None, folders: dict[int, Folder] | None = None) -> str:
    if folder_id is None:
        return ""
    folders = folders if folders is not None else all_by_id()
    parts, seen = [], set()
    while folder_id is not None and folder_id in folders and folder_id not in seen:
        seen.add(folder_id)
        parts.append(folders[folder_id].name)
        folder_id = folders[folder_id].parent_id
    return SEPARATOR.join(reversed(parts))


def tree() -> list[FolderRow]:
    """Every folder, parents before children, siblings by name, with its live segments."""
    folders = all_by_id()
    counts = dict(
        Segment.select(Segment.folder, peewee.fn.COUNT(Segment.id))
        .where(store.live() & Segment.folder.is_null(False)).group_by(Segment.folder).tuples()
    )
    children: dict[int | None, list[Folder]] = {}
    for f in folders.values():
        children.setdefault(f.parent_id, []).append(f)
    out: list[FolderRow] = []

    def walk(parent, depth, prefix):
        for f in sorted(children.get(parent, []), key=lambda x: (x.name_key, x.id)):
            path = f"{prefix}{SEPARATOR}{f.name}" if prefix else f.name
            out.append(FolderRow(f, path, depth, counts.get(f.id, 0)))
            walk(f.id, depth + 1, path)

    walk(None, 0, "")
    return out


def get(ref) -> Folder:
    """A folder by id or by path ("Marketing/Events", matched ignoring case)."""
    if isinstance(ref, Folder):
        return ref
    text = str(ref).strip()
    refuse_nul(text, "A folder")
    if text.isdigit():
        found = Folder.get_or_none(Folder.id == int(text))
        if found is not None:
            return found
    parent = None
    found = None
    for part in [p.strip() for p in text.strip(SEPARATOR).split(SEPARATOR)]:
        found = Folder.get_or_none((Folder.name_key == part.casefold()) & (
            Folder.parent.is_null() if parent is None else Folder.parent == parent))
        if found is None:
            raise FolderNotFound("No folder {name!r}: see segtui folders list", name=text)
        parent = found.id
    if found is None:
        raise FolderNotFound("No folder {name!r}: see segtui folders list", name=text)
    return found


def _depth(folder_id: int | None) -> int:
    return 0 if folder_id is None else path_of(folder_id).count(SEPARATOR) + 1


def _name_free(name: str, parent_id: int | None, except_id: int | None = None) -> None:
    query = Folder.select().where((Folder.name_key == name.casefold()) & (
        Folder.parent.is_null() if parent_id is None else Folder.parent == parent_id))
    if except_id is not None:
        query = query.where(Folder.id != except_id)
    clash = query.first()
    if clash is not None:
        if parent_id:
            raise InvalidName("A folder named {name!r} already exists in {parent!r}: choose another name",
                              name=clash.name, parent=path_of(parent_id))
        raise InvalidName("A folder named {name!r} already exists at the top: choose another name", name=clash.name)


def check_name(name: str, parent_id: int | None, *, except_id: int | None = None) -> str:
    """The name, cleaned, if a folder may take it there; else InvalidName saying why (as typed)."""
    name = _clean(name)
    _name_free(name, parent_id, except_id)
    return name


def why_not_deleted(folder_id: int) -> str:
    """Why the folder cannot be deleted now, in the language ("" : it can)."""
    refusal = _refusal(folder_id)
    return "" if refusal is None else str(refusal)


def _refusal(folder_id: int) -> Message | None:
    path = path_of(folder_id)
    held = Segment.select().where((Segment.folder == folder_id) & store.live()).count()
    if held:
        return nmsg("Folder {path!r} holds {n} segment: move it out first",
                    "Folder {path!r} holds {n} segments: move them out first", held, path=path)
    inner = Folder.select().where(Folder.parent == folder_id).count()
    if inner:
        return nmsg("Folder {path!r} holds {n} folder: delete or empty it first",
                    "Folder {path!r} holds {n} folders: delete or empty them first", inner, path=path)
    return None


def create(ctx: Context, name: str, parent=None) -> Folder:
    ctx.require_write(Message("creating a folder"))
    name = _clean(name)
    with write_transaction():
        parent_id = get(parent).id if parent not in (None, "", SEPARATOR) else None
        if _depth(parent_id) >= MAX_DEPTH:
            raise InvalidInput("Folders nest at most {most} deep", most=MAX_DEPTH)
        _name_free(name, parent_id)
        try:
            folder = Folder.create(name=name, name_key=name.casefold(), parent=parent_id, created_at=ctx.now(),
                                   created_by=ctx.actor)
        except peewee.IntegrityError:
            raise InvalidName("A folder named {name!r} already exists there: choose another name", name=name) from None
        audit.record(ctx, "create_folder", Message("Created folder {path!r}", path=path_of(folder.id)), after={"folder": folder.id})
    return folder


def rename(ctx: Context, ref, new_name: str) -> Folder:
    ctx.require_write(Message("renaming a folder"))
    new_name = _clean(new_name)
    with write_transaction():
        folder = get(ref)
        old = path_of(folder.id)
        _name_free(new_name, folder.parent_id, except_id=folder.id)
        try:
            Folder.update(name=new_name, name_key=new_name.casefold()).where(Folder.id == folder.id).execute()
        except peewee.IntegrityError:
            raise InvalidName("A folder named {name!r} already exists there: choose another name",
                              name=new_name) from None
        audit.record(ctx, "rename_folder", Message("Renamed folder {old!r} to {new!r}", old=old, new=new_name),
                     before={"name": folder.name}, after={"name": new_name})
    return Folder.get_by_id(folder.id)


def delete(ctx: Context, ref) -> None:
    """An empty folder only: no live segment and no folder inside. Deleted segments that sat
    in it go back to the top when restored."""
    ctx.require_write(Message("deleting a folder"))
    with write_transaction():
        folder = get(ref)
        path = path_of(folder.id)
        refusal = _refusal(folder.id)
        if refusal is not None:
            raise InvalidInput(refusal)
        Segment.update(folder=None).where(Segment.folder == folder.id).execute()
        Folder.delete().where(Folder.id == folder.id).execute()
        audit.record(ctx, "delete_folder", Message("Deleted folder {path!r}", path=path), before={"folder": folder.id, "path": path})


def subtree_ids(folder_id: int) -> list[int]:
    folders = all_by_id()
    ids, frontier = [folder_id], [folder_id]
    while frontier:
        frontier = [f.id for f in folders.values() if f.parent_id in frontier]
        ids.extend(frontier)
    return ids


def move(ctx: Context, chosen: list[tuple[int, int | None]], target) -> list[Segment]:
    """Move segments ((id, expected version or None) each) into a folder (None: the top),
    all or none: a segment changed meanwhile refuses the whole move."""
    ctx.require_write(Message("moving segments"))
    if not chosen:
        raise InvalidInput("Choose at least one segment to move")
    with write_transaction():
        folder_id = get(target).id if target not in (None, "", SEPARATOR) else None
        where = path_of(folder_id)
        moved = []
        for segment_id, version in chosen:
            segment = store.lock(segment_id)
            store.check_version(segment, version)
            if segment.folder_id == folder_id:
                continue
            before = path_of(segment.folder_id) or None
            store.conditional_update(ctx, segment, folder=folder_id)
            moved_to = (Message("Moved {name!r} to {folder}", name=segment.name, folder=where) if where
                        else Message("Moved {name!r} to the top", name=segment.name))
            audit.record(ctx, "move", moved_to, segment_id=segment.id,
                         before={"folder": before}, after={"folder": path_of(folder_id) or None})
            moved.append(segment)
    return moved


def describe(ctx: Context, segment_id: int, text: str, *, expected_version: int | None = None) -> Segment:
    """Set (or, with blank text, clear) a segment's description."""
    if not isinstance(text, str):
        raise InvalidInput("A description is text")
    refuse_nul(text, Message("The description"))
    text = text.strip()
    if len(text) > MAX_DESCRIPTION:
        raise InvalidInput(nmsg("A description has at most {most} characters (this one has {n})",
                                "A description has at most {most} characters (this one has {n})", len(text),
                                most=_number(MAX_DESCRIPTION)))
    with store.editing(ctx, segment_id, expected_version, Message("describing a segment")) as segment:
        before = segment.description
        if (before or "") == text:
            return segment
        store.conditional_update(ctx, segment, description=text or None)
        audit.record(ctx, "describe", Message("Described {name!r}", name=segment.name) if text
                     else Message("Cleared the description of {name!r}", name=segment.name),
                     segment_id=segment.id, before={"description": before}, after={"description": text or None})
        return segment
