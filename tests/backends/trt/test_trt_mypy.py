"""``mypy --strict`` checks the modules that call TensorRT (``runtime``, ``backend``,
``engine``) against ``tensorrt-stubs``, the plain modules beside them, the bench harness that
runs the backend, and the backends' public entries with their options and tolerance rule.

Two things stand between mypy and the stubs, and this test works around both in a scratch
folder: ``backends/`` becomes ``resgraph.backends`` only through the editable install's
import hook, which mypy does not run, so the folder mirrors the package with links; and
tensorrt-stubs 10.13.0.35.1 does not parse (four parameters named ``in``, a keyword, and
one parameter without a default after defaults), so a copy is patched there. Errors inside
the stubs and inside the rest of resgraph are not this test's business; torch is not
followed (it would cost minutes and is not what is being checked)."""

import ast
import importlib.metadata
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CHECKED = ["resgraph.backends.trt.runtime", "resgraph.backends.trt.backend",
           "resgraph.backends.trt.plan", "resgraph.backends.trt.quantize",
           "resgraph.backends.trt.sidecar", "resgraph.backends.trt.scopes",
           "resgraph.backends.trt.timing", "resgraph.backends.harness",
           "resgraph.backends.options", "resgraph.backends.tolerance", "resgraph.backends.api",
           "resgraph.backends.registry", "resgraph.backends.trt.engine"]
CONFIG = """[mypy]
python_version = 3.11
strict = True
[mypy-torch.*]
follow_imports = skip
[mypy-onnxruntime.*]
ignore_missing_imports = True
[mypy-tensorrt.*,tensorrt_bindings.*,tensorrt_libs.*,resgraph.*]
ignore_errors = True
""" + "".join(f"[mypy-{m}]\nignore_errors = False\n" for m in CHECKED)


def _stubs() -> Path:
    try:
        dist = importlib.metadata.distribution("tensorrt-stubs")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("tensorrt-stubs is not installed "
                    "(python3 -m pip install --no-deps tensorrt-stubs)")
    return Path(str(dist.locate_file("")))


def _patch(pyi: Path) -> None:
    text = re.sub(r"([(,] ?)in: ", r"\1in_: ", pyi.read_text())
    text = text.replace("channel_axis: int)", "channel_axis: int = ...)")
    ast.parse(text, str(pyi))  # a new stubs release with other breakage fails here, plainly
    pyi.write_text(text)


def _mirror(root: Path, site: Path) -> None:
    pkg = root / "resgraph"
    pkg.mkdir()
    for child in (ROOT / "resgraph").iterdir():
        (pkg / child.name).symlink_to(child)
    (pkg / "backends").symlink_to(ROOT / "backends")
    for name in ("tensorrt", "tensorrt_bindings"):
        shutil.copytree(site / name, root / name)
    (root / "tensorrt_libs.pyi").write_text("")
    for pyi in root.glob("tensorrt*/*.pyi"):
        _patch(pyi)


def test_runtime_is_mypy_strict_clean_against_the_stubs(tmp_path):
    site = _stubs()
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install 'resgraph[dev]')")
    root = tmp_path / "types"
    root.mkdir()
    _mirror(root, site)
    (tmp_path / "mypy.ini").write_text(CONFIG)
    args = [sys.executable, "-m", "mypy", "--config-file", str(tmp_path / "mypy.ini"),
            "--cache-dir", str(tmp_path / "cache")]
    for module in CHECKED:
        args += ["-m", module]
    result = subprocess.run(args, cwd=tmp_path, env={"MYPYPATH": str(root), "PATH": ""},
                            check=False, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
