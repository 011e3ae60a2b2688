"""Linked datasets: rows/s and peak RSS streaming 10,000 vs 100,000 customers (with every descendant)
as SQL to /dev/null, each in a fresh child process."""

from __future__ import annotations

import json
import resource
import subprocess
import sys

CHILD = """
import json, sys, time
from agent.datasets import DatasetRequest, DatasetRun
from tools.registry import default_registry
n = int(sys.argv[1])
run = DatasetRun(DatasetRequest({"customer": n}, seed=1, output_format="sql"), default_registry(), 10**9)
start = time.perf_counter()
with open("/dev/null", "w") as sink:
    for chunk in run.chunks():
        sink.write(chunk.data)
seconds = time.perf_counter() - start
print(json.dumps({"rows": sum(run.counts.values()), "seconds": seconds}))
"""


def _child(n: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(n)], check=True, capture_output=True, text=True)
    result = json.loads(out.stdout)
    result["peak_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return result


def run(big: int = 100_000) -> dict[str, dict[str, float]]:
    # ru_maxrss of children is the largest so far: measure the small run first.
    return {"small": _child(big // 10), "big": _child(big)}
