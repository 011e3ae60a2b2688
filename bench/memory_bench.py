"""Peak RSS of generating 1,000,000 carts to /dev/null, in a fresh child process."""

from __future__ import annotations

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
print(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")))
"""


def peak_rss_mib(n: int) -> float:
    # The child reports its own VmHWM: the parent's ru_maxrss for children also counts the pages a
    # forked child shares with a large parent before exec, which is not the child's own memory.
    out = subprocess.run([sys.executable, "-c", CHILD, str(n)], check=True, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024
