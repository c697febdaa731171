"""The sweep folder: checked before work, refused when it holds another sweep, a torn last
line dropped and cut, whole lines appended."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from resgraph.errors import UsageError
from resgraph.sweep.journal import (
    DEFINITION,
    RESULTS,
    Journal,
    check_folder,
    open_folder,
    read_journal,
)


def test_a_new_folder_gets_its_definition_and_an_empty_journal(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    assert open_folder(folder, {"a": (1, 2)}, "local") == []
    data = json.loads((folder / DEFINITION).read_text())
    assert data["definition"] == {"a": [1, 2]} and data["format"] == 1
    assert data["versions"]["resgraph"] and data["machine"]["cpus"]
    assert open_folder(folder, {"a": [1, 2]}, "ray") == []  # the same sweep: a resume
    with pytest.raises(UsageError, match="holds a different sweep"):
        open_folder(folder, {"a": [1, 3]}, "local")


def test_appended_records_read_back_and_a_torn_line_is_cut(tmp_path: Path) -> None:
    path = tmp_path / RESULTS
    journal = Journal(path)
    journal.append([{"index": 0}, {"index": 1, "text": "é\n"}])
    journal.append([])
    journal.close()
    with path.open("ab") as f:
        f.write(b'{"index": 2, "sta')
    assert [r["index"] for r in read_journal(path)] == [0, 1]
    assert path.read_bytes().endswith(b"sta")  # reading alone changes nothing
    assert [r["index"] for r in read_journal(path, repair=True)] == [0, 1]
    assert path.read_bytes().endswith(b"}\n")


def test_a_line_changed_by_hand_is_named(tmp_path: Path) -> None:
    path = tmp_path / RESULTS
    path.write_text('{"index": 0}\nnot json\n')
    with pytest.raises(UsageError, match=f"{RESULTS}:2: not a JSON record"):
        read_journal(path)


def test_the_folder_is_checked_before_anything_is_made(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="is a file"):
        check_folder(tmp_path / "file")
    with pytest.raises(UsageError, match="does not exist"):
        check_folder(tmp_path / "no" / "s")
    assert check_folder(tmp_path / "new") == tmp_path / "new"
    assert not (tmp_path / "new").exists()
