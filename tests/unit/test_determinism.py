"""Same request, same seed: the same bytes, in this process and in two fresh ones."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

from agent.request import DataRequest, ScenarioRequest
from tests.helpers import document_for

SCRIPT = """
import sys
from tests.unit.test_determinism import digest
print(digest(sys.argv[1]))
"""


def digest(fmt: str) -> str:
    """One hash over requests that take every path: edge cases and overrides (rows made one at a time),
    and plain rows over several blocks (made as columns), with row-made fields and present_if gates."""
    requests = [
        DataRequest(
            entity="cart",
            count=500,
            seed=77,
            output_format=fmt,
            defect_triggering=True,
            scenarios=[ScenarioRequest("a", 300), ScenarioRequest("b", 0, {"currency": "GBP"})],
        ),
        DataRequest(entity="cart", count=2100, seed=77, output_format=fmt),
        DataRequest(entity="order", count=1500, seed=77, output_format=fmt),
    ]
    h = hashlib.sha256()
    for request in requests:
        h.update(document_for(request).encode())
    return h.hexdigest()


def _in_fresh_process(fmt: str, hash_seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, fmt], capture_output=True, text=True, env=env, check=True
    )
    return out.stdout.strip()


def test_two_fresh_processes_and_this_one_agree() -> None:
    for fmt in ("json", "sql"):
        here = digest(fmt)
        assert _in_fresh_process(fmt, "1") == here
        assert _in_fresh_process(fmt, "2") == here


def test_another_seed_gives_other_rows() -> None:
    a = document_for(DataRequest(entity="review", count=50, seed=1))
    b = document_for(DataRequest(entity="review", count=50, seed=2))
    assert a != b
