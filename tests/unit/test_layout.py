"""Rules of the layout that a test can hold: generated code is fresh, imports follow design.md."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROTO = "protos/testdata/v1/test_data.proto"
GENERATED = ["test_data_pb2.py", "test_data_pb2.pyi", "test_data_pb2_grpc.py"]

# package -> packages it may import (design.md, "Layout")
ALLOWED = {
    "tools": set(),
    "retrieval": {"tools"},
    "agent": {"tools", "retrieval"},
    "evals": {"agent", "tools"},
    "service": {"tools", "retrieval", "agent", "protos"},
}
PROJECT = {"tools", "retrieval", "agent", "service", "evals", "protos", "bench", "tests"}


def test_generated_proto_code_is_fresh(tmp_path: Path) -> None:
    (tmp_path / "protos/testdata/v1").mkdir(parents=True)
    shutil.copy(ROOT / PROTO, tmp_path / PROTO)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            "-I.",
            "--python_out=.",
            "--pyi_out=.",
            "--grpc_python_out=.",
            PROTO,
        ],
        cwd=tmp_path,
        check=True,
    )
    for name in GENERATED:
        fresh = (tmp_path / "protos/testdata/v1" / name).read_text()
        committed = (ROOT / "protos/testdata/v1" / name).read_text()
        assert fresh == committed, f"{name} is stale: run `make proto` and commit the result"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & PROJECT


def test_packages_import_only_what_design_md_allows() -> None:
    problems = []
    for package, allowed in ALLOWED.items():
        for path in (ROOT / package).rglob("*.py"):
            bad = _imports(path) - allowed - {package}
            if bad:
                problems.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert problems == []
