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
    Fields,
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


def _line(index: int, params: dict, status: str, figures: dict) -> str:
    rec = {"index": index, "params": params, "status": status, "graph": "ab", "figures": figures,
           "metrics": {"m": [1, {"x": "}"}]} if status == "ok" else None, "error": None,
           "duplicate_of": None, "worker": "h:1", "timings": {"screen_s": 0.1}}
    return json.dumps(rec, separators=(",", ":")) + "\n"


def test_leading_fields_are_read_alone_and_equal_objects_once(tmp_path: Path) -> None:
    """A value with a brace in a string is still read whole; a line laid out otherwise is
    parsed whole; the brief form keeps an ok record whole."""
    path = tmp_path / RESULTS
    params = [{"w": 8, "s": "a}b"}, {"w": 16, "s": "a}b"}, {"w": 8, "s": "a}b"}]
    lines = [_line(i, p, "ok" if i == 0 else "duplicate", {"macs": p["w"]})
             for i, p in enumerate(params)]
    lines.append(json.dumps({"status": "error", "index": 3, "params": {}, "graph": None}) + "\n")
    lines.append(json.dumps({"index": 4, "params": {}, "status": "error"}) + "\n")  # spaced
    path.write_text("".join(lines))
    full = read_journal(path)
    fields = Fields("duplicate_of")
    recs = list(iter_journal(path, fields=fields))
    assert [r["figures"] for r in recs[:3]] == [{"macs": 8}, {"macs": 16}, {"macs": 8}]
    assert [r["params"] for r in recs[:3]] == params
    assert recs[0]["params"] is recs[2]["params"] and recs[0]["figures"] is recs[2]["figures"]
    assert "worker" not in recs[0] and recs[3:] == full[3:]  # foreign lines parsed whole
    brief = list(iter_journal(path, brief=True))
    assert brief[0] == full[0] and brief[1] == {k: full[1][k] for k in
                                                ("index", "params", "status", "graph")}
