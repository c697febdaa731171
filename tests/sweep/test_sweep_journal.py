"""The sweep folder: checked before work, refused when it holds another sweep, a torn last
line dropped and cut, whole lines appended, some records at a time, and read a line at a
time."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from resgraph.errors import UsageError
from resgraph.sweep.journal import (
    DEFINITION,
    RESULTS,
    Journal,
    check_folder,
    iter_journal,
    open_folder,
    read_journal,
)


def test_a_new_folder_gets_its_definition_and_an_empty_journal(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    assert open_folder(folder, {"a": (1, 2)}, "local") == folder / RESULTS
    assert read_journal(folder / RESULTS) == []
    data = json.loads((folder / DEFINITION).read_text())
    assert data["definition"] == {"a": [1, 2]} and data["format"] == 1
    assert data["versions"]["resgraph"] and data["machine"]["cpus"]
    (folder / RESULTS).write_bytes(b'{"index": 0}\n{"ind')
    assert open_folder(folder, {"a": [1, 2]}, "ray") == folder / RESULTS  # a resume
    assert (folder / RESULTS).read_bytes() == b'{"index": 0}\n'  # the torn line cut
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


def test_records_wait_to_be_written_until_their_time_and_close_writes_them(
        tmp_path: Path) -> None:
    path = tmp_path / RESULTS
    journal = Journal(path, every=60)
    journal.append([{"index": 0}])  # nothing written for a minute: this is the first write
    assert path.read_bytes() == b'{"index":0}\n' and journal.due() is None
    journal.append([{"index": 1}])
    journal.append([{"index": 2}])
    assert path.read_bytes() == b'{"index":0}\n' and 59 < (journal.due() or 0) <= 60
    journal.close()
    assert [r["index"] for r in read_journal(path)] == [0, 1, 2]


def test_a_record_waits_at_most_the_flush_interval(tmp_path: Path) -> None:
    journal = Journal(tmp_path / RESULTS, every=0.05)
    journal.append([{"index": 0}])
    journal.append([{"index": 1}])
    time.sleep(0.06)
    assert journal.due() == 0
    journal.append([{"index": 2}])  # the interval is over: all three go out together
    assert [r["index"] for r in read_journal(tmp_path / RESULTS)] == [0, 1, 2]
    journal.close()


def test_the_journal_is_read_a_line_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / RESULTS
    path.write_bytes(b"".join(b'{"index": %d}\n' % i for i in range(3)) + b'{"index"')
    records = iter_journal(path)
    assert next(records) == {"index": 0}  # a generator: the file is not read whole first
    assert [r["index"] for r in records] == [1, 2]
    assert list(iter_journal(tmp_path / "none.jsonl")) == []
