"""Files segtui writes and reads: the console's files folder, and safe creation anywhere.

A console (local or over SSH) touches files only in its files folder (``--files-dir``), by
a plain *name*: no path, no hidden file, nothing outside the folder. Whoever holds an SSH
key must not reach the rest of the server's disk through an export or an import.

Every file segtui writes (console or CLI) is written under a temporary name made with
``O_CREAT|O_EXCL|O_NOFOLLOW``, then put in place: linked (never overwriting, even a
dangling symlink) or, when the CLI is told ``--force``, renamed over the target (which
replaces a symlink itself, never the file it points to). A failed export leaves nothing.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from .. import config
from ..i18n import Message
from .display import printable
from .errors import InvalidInput

SUFFIX = ".csv"
MAX_NAME_BYTES = 200  # NAME_MAX is 255; the temporary name adds a few characters
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class FileExists(InvalidInput):
    """The target exists (or is a symlink, even a dangling one): nothing was written."""


def default_files_dir() -> Path:
    return config.default_files_dir()


def prepare_folder(folder: str | Path | None) -> Path:
    """The files folder, made (mode 0700) if missing, as an absolute path."""
    path = Path(folder).expanduser() if folder else default_files_dir()
    path = Path(os.path.abspath(path))
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise InvalidInput("Cannot make the files folder {path}: {reason}", path=printable(path),
                           reason=exc.strerror or exc) from None
    if not path.is_dir():
        raise InvalidInput("The files folder {path} is not a folder", path=printable(path))
    return path


def check_name(name: str) -> str:
    """A file name a console may use, or InvalidInput saying why not."""
    if not name or not name.strip():
        raise InvalidInput("Type a file name, e.g. members.csv.")
    if name != name.strip():
        raise InvalidInput("A file name cannot start or end with a space.")
    if any(not c.isprintable() for c in name):
        raise InvalidInput("The file name {name!r} contains control characters: use letters, digits and punctuation.",
                           name=printable(name))
    if "/" in name or "\\" in name:
        raise InvalidInput("Give a file name, not a path: files go in the files folder, so '/' is not allowed.")
    if name.startswith("~") or ".." in name:
        raise InvalidInput("A file name cannot start with '~' or contain '..': files stay in the files folder.")
    if name.startswith("."):
        raise InvalidInput("A file name cannot start with a dot (hidden files are not used).")
    if not name.lower().endswith(SUFFIX) or len(name) == len(SUFFIX):
        raise InvalidInput("The file name must end with {suffix}, e.g. members.csv.", suffix=SUFFIX)
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise InvalidInput("The file name is too long: at most {most} bytes.", most=MAX_NAME_BYTES)
    return name


def in_folder(folder: str | Path, name: str) -> Path:
    return Path(folder) / check_name(name)


def free_name(folder: str | Path, wanted: str, *, fallback: str = "members") -> str:
    """A name for a new export: ``wanted`` made a plain file name (letters, digits, dashes),
    then numbered (``-2``, ``-3``...) past the names already taken in the folder."""
    stem = "".join(c if c.isalnum() else "-" for c in wanted.casefold())
    stem = "-".join(part for part in stem.split("-") if part)[:40].strip("-") or fallback  # 40 x 4 bytes < 200
    name, number = f"{stem}{SUFFIX}", 1
    while os.path.lexists(Path(folder) / name):  # a dangling symlink takes its name too
        number += 1
        name = f"{stem}-{number}{SUFFIX}"
    return name


def list_csv(folder: str | Path) -> list[str]:
    """The CSV files a console may import: regular files (not symlinks) with a valid name."""
    found = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        try:
            check_name(entry.name)
            if entry.is_file(follow_symlinks=False):
                found.append(entry.name)
        except (InvalidInput, OSError):
            continue
    return sorted(found, key=str.casefold)


def read_in_folder(folder: str | Path, name: str) -> str:
    """A file of the files folder as text: never through a symlink, never a FIFO or a device."""
    path = in_folder(folder, name)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InvalidInput("There is no file {name!r} in the files folder.", name=printable(name)) from None
    except OSError as exc:
        raise InvalidInput("Cannot read {name!r}: it is not a plain file ({reason}).", name=printable(name),
                           reason=exc.strerror or exc) from None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise InvalidInput("Cannot read {name!r}: it is not a plain file.", name=printable(name))
        data = handle.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        from .errors import ImportRefused

        raise ImportRefused("{path} is not UTF-8 text (byte {byte}); save it as UTF-8 CSV",
                            [(0, Message("not UTF-8"))], path=printable(name), byte=exc.start) from None


@contextlib.contextmanager
def create(path: str | Path, *, overwrite: bool = False):
    """Write a new file at ``path`` as a whole: yields a text handle (UTF-8, no newline translation).

    The data goes to a temporary file in the same folder, created ``O_EXCL|O_NOFOLLOW``,
    which then takes the target's name only if everything was written. Without
    ``overwrite`` an existing target (a dangling symlink too) is refused: FileExists.
    """
    target = Path(path)
    shown = printable(target)
    if not overwrite and os.path.lexists(target):
        raise FileExists("{path} already exists: choose another name (nothing was written).", path=shown)
    folder = target.parent
    temporary = folder / f".{target.name[:100]}.{secrets.token_hex(6)}.tmp"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except FileNotFoundError:
        raise InvalidInput("Cannot write {path}: the folder {folder} does not exist.", path=shown,
                           folder=printable(folder)) from None
    except OSError as exc:
        raise InvalidInput("Cannot write {path}: {reason}", path=shown, reason=exc.strerror or exc) from None
    done = False
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            yield handle
        _put_in_place(temporary, target, overwrite=overwrite)
        done = True
    except OSError as exc:
        if isinstance(exc, FileExistsError):
            raise FileExists("{path} already exists: choose another name (nothing was written).", path=shown) from None
        raise InvalidInput("Cannot write {path}: {reason}", path=shown, reason=exc.strerror or exc) from None
    finally:
        if not done or not overwrite:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)


def _put_in_place(temporary: Path, target: Path, *, overwrite: bool) -> None:
    if overwrite:
        os.replace(temporary, target)  # replaces a symlink itself, never what it points to
        return
    try:
        os.link(temporary, target, follow_symlinks=False)  # EEXIST for anything there, dangling links too
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: check, then rename (a narrow race)
        if os.path.lexists(target):
            raise FileExistsError(target) from None
        os.rename(temporary, target)


def neutralise(value: str) -> str:
    """A text cell a spreadsheet would run as a formula, made inert with a leading quote."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
