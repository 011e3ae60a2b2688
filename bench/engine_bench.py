"""Engine throughput against the plain-random ceiling and idiomatic Faker, measured in one run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

import orjson

from agent.deterministic import plan_request
from agent.executor import build_job, prepare
from agent.request import DataRequest
from bench.baselines import faker_carts, plain_random_carts
from tools.engine import generate
from tools.registry import default_registry

Batches = Callable[[int, int], Iterator[list[dict[str, Any]]]]


def engine_carts(n: int, seed: int) -> Iterator[list[dict[str, Any]]]:
    request = DataRequest(entity="cart", count=n, seed=seed)
    prepared = prepare(request, default_registry())
    job, _ = build_job(prepared, plan_request(request, prepared.schema))
    return generate(job)


def rate(make: Batches, n: int, repeats: int) -> float:
    """Median rows/s over repeats, each row JSON-encoded (as the service sends it)."""
    rates = []
    for r in range(repeats):
        start = time.perf_counter()
        size = 0
        for batch in make(n, r + 1):
            size += len(orjson.dumps(batch))
        rates.append(n / (time.perf_counter() - start))
    return statistics.median(rates)


def run(n: int = 20_000, repeats: int = 5) -> dict[str, float]:
    engine_carts(100, 0)  # warm the pools and the catalogue outside the timing
    ceiling = rate(plain_random_carts, n, repeats)
    engine = rate(engine_carts, n, repeats)
    faker = rate(faker_carts, max(2000, n // 10), repeats)
    return {"engine": engine, "plain_random": ceiling, "faker": faker}
