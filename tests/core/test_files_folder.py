"""The files folder and safe file creation (core/files.py), on the paths the console and
CLI tests do not reach: a folder that cannot be made or read, a missing or non-UTF-8 file,
a target that appears while the file is written, a file system without hard links."""

from __future__ import annotations

import os

import pytest

from segtui.core import files
from segtui.core.errors import ImportRefused, InvalidInput

pytestmark = pytest.mark.sqlite_only  # files only: no database


def temporaries(folder) -> list[str]:
    return [name for name in os.listdir(folder) if name.endswith(".tmp")]


def test_the_files_folder_is_made_private_or_refused_in_a_sentence(tmp_path):
    made = files.prepare_folder(tmp_path / "deep" / "files")
    assert made == tmp_path / "deep" / "files" and made.is_dir()
    assert made.stat().st_mode & 0o777 == 0o700
    assert files.prepare_folder(made) == made  # there already: kept
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(InvalidInput) as caught:
        files.prepare_folder(blocker / "files")
    assert str(caught.value) == f"Cannot make the files folder {blocker / 'files'}: Not a directory"
    with pytest.raises(InvalidInput, match=f"Cannot make the files folder {blocker}: File exists"):
        files.prepare_folder(blocker)


def test_a_missing_folder_lists_no_file_and_a_missing_file_is_named(tmp_path):
    assert files.list_csv(tmp_path / "nowhere") == []
    with pytest.raises(InvalidInput) as caught:
        files.read_in_folder(tmp_path, "gone.csv")
    assert str(caught.value) == "There is no file 'gone.csv' in the files folder."


def test_a_file_that_is_not_utf8_is_refused_with_the_byte(tmp_path):
    (tmp_path / "latin1.csv").write_bytes("email\nzoé@example.org\n".encode("latin-1"))
    with pytest.raises(ImportRefused) as caught:
        files.read_in_folder(tmp_path, "latin1.csv")
    assert str(caught.value) == "latin1.csv is not UTF-8 text (byte 8); save it as UTF-8 CSV"  # 0-based: the é
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbfemail\n")
    assert files.read_in_folder(tmp_path, "bom.csv") == "email\n"  # Excel's BOM is dropped


def test_a_file_cannot_be_created_in_what_is_not_a_folder(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(InvalidInput) as caught:
        with files.create(blocker / "out.csv") as handle:
            handle.write("never")
    assert str(caught.value) == f"Cannot write {blocker / 'out.csv'}: Not a directory"


def test_a_target_made_while_the_file_was_written_is_kept_and_nothing_else_left(tmp_path):
    target = tmp_path / "out.csv"
    with pytest.raises(files.FileExists) as caught:
        with files.create(target) as handle:
            handle.write("ours")
            target.write_text("theirs")  # another process made it meanwhile
    assert str(caught.value) == f"{target} already exists: choose another name (nothing was written)."
    assert target.read_text() == "theirs" and temporaries(tmp_path) == []


def test_without_hard_links_the_file_is_renamed_into_place(tmp_path, monkeypatch):
    def no_hard_links(*args, **kwargs):  # what a FAT or SMB mount answers to link()
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(files.os, "link", no_hard_links)
    target = tmp_path / "out.csv"
    with files.create(target) as handle:
        handle.write("email\n")
    assert target.read_text() == "email\n" and temporaries(tmp_path) == []


@pytest.mark.parametrize("value, cell", [
    ("=1+1", "'=1+1"), ("+33 6 12", "'+33 6 12"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("Zoé", "Zoé"), ("a=b", "a=b"), ("", ""),
])
def test_a_cell_a_spreadsheet_would_run_is_made_inert(value, cell):
    assert files.neutralise(value) == cell
