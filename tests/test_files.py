"""resgraph.files: bounded reads, output checks before work, whole-or-nothing writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from resgraph.errors import UsageError
from resgraph.files import MAX_SPEC_BYTES, atomic_path, check_output, read_spec_text, write_atomic


def test_read_refuses_what_is_not_spec_text(tmp_path: Path) -> None:
    (tmp_path / "bin.rg").write_bytes(b"resgraph 1\n\0\1\2")
    (tmp_path / "latin1.rg").write_bytes("# caf\xe9\n".encode("latin-1"))
    (tmp_path / "big.rg").write_bytes(b"#" * (MAX_SPEC_BYTES + 1))
    for name, message in [("bin.rg", "binary file"), ("latin1.rg", "not UTF-8 text"),
                          ("big.rg", "larger than 1 MiB"), ("missing.rg", "no such file"),
                          (".", "is a directory")]:
        with pytest.raises(UsageError, match=message):
            read_spec_text(tmp_path / name)


def test_check_output(tmp_path: Path) -> None:
    spec = tmp_path / "net.rg"
    spec.write_text("resgraph 1\n")
    with pytest.raises(UsageError, match="is an input of this command"):
        check_output(tmp_path / "." / "net.rg", inputs=[spec])
    with pytest.raises(UsageError, match="does not exist"):
        check_output(tmp_path / "missing" / "x.pt2")
    with pytest.raises(UsageError, match="is a directory"):
        check_output(tmp_path)
    assert check_output(tmp_path / "new.pt2", inputs=[spec]) == tmp_path / "new.pt2"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files anyway")
def test_check_output_read_only(tmp_path: Path) -> None:
    (tmp_path / "ro.svg").write_text("")
    (tmp_path / "ro.svg").chmod(0o444)
    with pytest.raises(UsageError, match="read-only"):
        check_output(tmp_path / "ro.svg")


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "model.pt2"
    write_atomic(target, "good")
    target.chmod(0o640)
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        tmp.write_text("half writ")
        raise KeyboardInterrupt
    assert target.read_text() == "good" and os.listdir(tmp_path) == ["model.pt2"]
    write_atomic(target, b"better")
    assert target.read_bytes() == b"better" and target.stat().st_mode & 0o777 == 0o640


def test_a_named_pipe_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "spec.rg"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="not a regular file"):
        read_spec_text(fifo)


def test_the_temporary_file_has_the_output_s_suffix(tmp_path: Path) -> None:
    """Writers that read the format from the name (torch.export.save) see the real one."""
    with atomic_path(tmp_path / "resnet50.pt2") as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".resnet50.pt2.")
        assert tmp.suffix == ".pt2"
        tmp.write_bytes(b"x")
    assert os.listdir(tmp_path) == ["resnet50.pt2"]
