"""Same request, same seed: the same bytes, in this process and in two fresh ones."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

from agent.request import DataRequest, ScenarioRequest
from tests.helpers import document_for

SCRIPT = """
import hashlib, sys
from agent.request import DataRequest, ScenarioRequest
from tests.helpers import document_for
request = DataRequest(entity="cart", count=500, seed=77, output_format=sys.argv[1], defect_triggering=True,
    scenarios=[ScenarioRequest("a", 300), ScenarioRequest("b", 0, {"currency": "GBP"})])
print(hashlib.sha256(document_for(request).encode()).hexdigest())
"""


def _digest(fmt: str) -> str:
    request = DataRequest(
        entity="cart",
        count=500,
        seed=77,
        output_format=fmt,
        defect_triggering=True,
        scenarios=[ScenarioRequest("a", 300), ScenarioRequest("b", 0, {"currency": "GBP"})],
    )
    return hashlib.sha256(document_for(request).encode()).hexdigest()


def _in_fresh_process(fmt: str, hash_seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, fmt], capture_output=True, text=True, env=env, check=True
    )
    return out.stdout.strip()


def test_two_fresh_processes_and_this_one_agree() -> None:
    for fmt in ("json", "sql"):
        here = _digest(fmt)
        assert _in_fresh_process(fmt, "1") == here
        assert _in_fresh_process(fmt, "2") == here


def test_another_seed_gives_other_rows() -> None:
    a = document_for(DataRequest(entity="review", count=50, seed=1))
    b = document_for(DataRequest(entity="review", count=50, seed=2))
    assert a != b
