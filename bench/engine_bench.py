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
from tools.engine import Job, Scenario, generate
from tools.registry import default_registry

Batches = Callable[[int, int], Iterator[list[dict[str, Any]]]]


def engine_carts(n: int, seed: int, columns: bool = True) -> Iterator[list[dict[str, Any]]]:
    request = DataRequest(entity="cart", count=n, seed=seed)
    prepared = prepare(request, default_registry())
    job, _ = build_job(prepared, plan_request(request, prepared.schema))
    if not columns:
        job.columns = False
    return generate(job)


def row_maker_carts(n: int, seed: int) -> Iterator[list[dict[str, Any]]]:
    """The engine with every row made one at a time (tools/runner.py): the column maker's baseline."""
    return engine_carts(n, seed, columns=False)


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
    rows = rate(row_maker_carts, n, repeats)
    faker = rate(faker_carts, max(2000, n // 10), repeats)
    return {"engine": engine, "row_maker": rows, "plain_random": ceiling, "faker": faker}


def registry_speedups(n: int = 3000) -> dict[str, float]:
    """Every registry entity: rows/s made as columns over rows/s made one at a time, same run."""
    registry = default_registry()
    out = {}
    for name in registry.names():
        schema = registry.get(name)
        timed = []
        for columns in (True, False, True, False):
            job = Job(schema, [Scenario("default", n)], 1, columns=columns)
            start = time.perf_counter()
            for _ in generate(job):
                pass
            timed.append(time.perf_counter() - start)
        out[name] = min(timed[1], timed[3]) / min(timed[0], timed[2])  # the first run warms the pools
    return out
