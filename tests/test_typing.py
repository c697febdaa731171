"""The core and the backends type-check: ``mypy resgraph backends`` with the project's
configuration (``[tool.mypy]`` in pyproject.toml) finds no error. The TensorRT layer's stricter
check against the stubs is :mod:`tests.backends.trt.test_trt_mypy`."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_finds_no_error_in_the_core_and_the_backends(tmp_path):
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install 'resgraph[dev]')")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path), "resgraph", "backends"],
        cwd=ROOT, check=False, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
