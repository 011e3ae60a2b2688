"""Peak RSS of generating 1,000,000 carts to /dev/null, in a fresh child process."""

from __future__ import annotations

import resource
import subprocess
import sys

CHILD = """
import sys
from bench.engine_bench import engine_carts
from tools.formats.json_format import JsonWriter
from tools.registry import default_registry
n = int(sys.argv[1])
writer = JsonWriter(default_registry().get("cart"), [])
with open("/dev/null", "w") as sink:
    for piece in writer.document(engine_carts(n, 1)):
        sink.write(piece)
"""


def peak_rss_mib(n: int) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run([sys.executable, "-c", CHILD, str(n)], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far: run the big one after smaller ones only.
    return max(before, after) / 1024
