"""Where every random draw comes from, so that any block of rows can be made alone.

A job's rows are cut into blocks of SEEK_BLOCK rows per scenario. Block k of scenario i draws from a
generator seeded by (seed, entity, scenario, k), a linked dataset's family by (seed, entity, root),
and each unique-value counter (ids, the catalogue walk) is a seeded permutation read at the row's
slot: its position in the job. Nothing runs through a whole request, so block k comes out the same
made alone, on another process or machine, or after blocks 0..k-1; and the first N rows of a
scenario are the same whatever its count.

ENGINE_VERSION names the bytes: the same request, seed and version give the same output. Any change
to what rows a seed makes bumps it (README, "Reproducible").
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass

ENGINE_VERSION = "2026.12-9"
SEEK_BLOCK = 1024  # rows per seekable block: also the column maker's largest block


def key_of(*parts: object) -> int:
    """A 128-bit seed from the parts' text: stable across processes and Python versions (unlike hash)."""
    text = "/".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:16], "big")


def keyed_rng(*parts: object) -> random.Random:
    return random.Random(key_of(*parts))


@dataclass(frozen=True)
class BlockRef:
    """One seekable block: rows [first, first + rows) of scenario `scenario`, block `k` of it.

    `index` is the job-wide number of its first row (`_index`); `slot` is where its unique values
    start: every block holds SEEK_BLOCK slots, a short last one too, so a block whose rows were
    dropped and drawn again (tools/columns/runner.py) never reads a slot of the next scenario's."""

    scenario: int
    k: int
    first: int
    rows: int
    index: int
    slot: int


def job_blocks(counts: list[int]) -> list[BlockRef]:
    """Every block of a job whose scenarios have these counts, in output order."""
    return list(iter_blocks(counts))


def iter_blocks(counts: list[int]) -> Iterator[BlockRef]:
    """`job_blocks` one at a time: a billion rows are a million blocks, never a list of them."""
    index, slot = 0, 0
    for i, count in enumerate(counts):
        for k, first in enumerate(range(0, count, SEEK_BLOCK)):
            rows = min(SEEK_BLOCK, count - first)
            yield BlockRef(i, k, first, rows, index, slot)
            index += rows
            slot += SEEK_BLOCK


def block_count(counts: list[int]) -> int:
    return sum(-(-count // SEEK_BLOCK) for count in counts)
