"""Linked datasets: rows/s and peak RSS streaming 10,000 vs 100,000 customers (with every descendant)
as SQL to /dev/null, each in a fresh child process."""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = """
import json, sys, time
from agent.datasets import DatasetRequest, DatasetRun, keyword_run
from tools.registry import default_registry
n = int(sys.argv[1])
run = keyword_run(DatasetRequest({"customer": n}, seed=1, output_format="sql"), default_registry(), 10**9)
start = time.perf_counter()
with open("/dev/null", "w") as sink:
    for chunk in run.chunks():
        sink.write(chunk.data)
seconds = time.perf_counter() - start
hwm = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"rows": sum(run.counts.values()), "seconds": seconds, "peak_mib": int(hwm) / 1024}))
"""


def _child(n: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(n)], check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout))  # the child reports its own VmHWM (see memory_bench)


def run(big: int = 100_000) -> dict[str, dict[str, float]]:
    return {"small": _child(big // 10), "big": _child(big)}
