"""The embedded example store at 10,000 examples: ingest rate and query latency p50/p99, next to the
same query over the shipped seed corpus alone (about 270 examples) as the baseline."""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

import bm25s
import numpy as np

from retrieval.embedded_store import EmbeddedStore
from retrieval.examples import Example

WORDS = [
    "cart",
    "order",
    "payment",
    "refund",
    "shipment",
    "review",
    "leap",
    "day",
    "rounding",
    "unicode",
    "holiday",
    "fitness",
    "kitchen",
    "gamer",
    "discount",
    "coupon",
    "gift",
    "card",
    "subscription",
    "tracking",
    "carrier",
    "delayed",
    "split",
    "partial",
    "capture",
    "decline",
    "fraud",
]
QUERIES = ["float rounding total", "leap day order", "holiday rush split shipments", "unicode review body",
           "partial refund capture", "fitness cart yoga"]  # fmt: skip


def _examples(n: int, rng: random.Random) -> list[Example]:
    entities = ["cart", "order", "payment", "review", "refund", "shipment"]
    kinds = ["pattern", "defect", "production_sample"]
    return [
        Example(
            domain="ecommerce",
            entity=rng.choice(entities),
            kind=rng.choice(kinds),  # type: ignore[arg-type]
            scenario=rng.choice(WORDS),
            description=" ".join(rng.choices(WORDS, k=12)),
            data=[{"note": " ".join(rng.choices(WORDS, k=6)), "n": i}],
            tags=rng.choices(WORDS, k=3),
        )
        for i in range(n)
    ]


async def _latencies(store: EmbeddedStore, rounds: int = 100) -> list[float]:
    await store.search("warm up the index")
    out = []
    for i in range(rounds):
        q = QUERIES[i % len(QUERIES)]
        start = time.perf_counter()
        await store.search(q, entity="order" if i % 2 else "", kind="defect" if i % 3 == 0 else "", k=5)
        out.append((time.perf_counter() - start) * 1000)
    return out


async def _run(n: int) -> dict[str, float]:
    seed_only = EmbeddedStore(None)
    base = await _latencies(seed_only)
    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedStore(Path(tmp), seed_dir=None)
        batch = _examples(n, random.Random(1))
        start = time.perf_counter()
        await store.add(batch)
        await store.search("build the index")  # the index is rebuilt lazily on the first search
        ingest = n / (time.perf_counter() - start)
        big = await _latencies(store)
    q = statistics.quantiles
    return {
        "ingest_per_s": ingest,
        "p50_ms": statistics.median(big),
        "p99_ms": q(big, n=100)[98],
        "seed_p50_ms": statistics.median(base),
        "seed_p99_ms": q(base, n=100)[98],
    }


def run(n: int = 10_000) -> dict[str, float]:
    out = asyncio.run(_run(n))
    out.update(asyncio.run(_search_after_add(n)))
    return out


def _full_rebuild_then_search(examples: list[Example], query: str) -> None:
    """What the store did before its index had tiers: any add dropped the index, so the next search
    rebuilt it whole (bm25s, every example) under the store's lock, then scored the query."""
    texts = [ex.search_text() for ex in examples]
    np.array([ex.entity for ex in examples], dtype=object)  # the filter columns it rebuilt too
    index = bm25s.BM25()
    index.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
    index.get_scores(bm25s.tokenize([query], stopwords="en", return_ids=False, show_progress=False)[0])


async def _search_after_add(n: int, rounds: int = 5) -> dict[str, float]:
    """Latency of the first search after adding one example to n: a full rebuild (before) against the
    fresh tier (now), same examples, same process; medians of `rounds`."""
    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedStore(Path(tmp), seed_dir=None)
        batch = _examples(n, random.Random(2))
        await store.add(batch)
        await store.search("build the main tier")
        before, now = [], []
        for i in range(rounds):
            one = _examples(1, random.Random(100 + i))[0].model_copy(update={"scenario": f"fresh{i}"})
            start = time.perf_counter()
            _full_rebuild_then_search([*batch, one], f"fresh{i} rounding")
            before.append((time.perf_counter() - start) * 1000)
            await store.add([one])
            start = time.perf_counter()
            hits = await store.search(f"fresh{i} rounding", k=5)
            now.append((time.perf_counter() - start) * 1000)
            assert hits and hits[0].example.scenario == f"fresh{i}", "the new example is found at once"
        await store.close()
    return {
        "add_then_search_before_ms": statistics.median(before),
        "add_then_search_ms": statistics.median(now),
    }
