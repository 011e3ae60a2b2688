"""The service under load, each figure next to a baseline from the same run:
streaming throughput vs the engine in-process, server peak RSS at 100,000 vs 1,000,000 carts,
unary latency vs a HealthCheck round trip, and requests/s with 32 concurrent clients."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import grpc

from bench.baselines import plain_random_carts
from bench.engine_bench import engine_carts, rate
from protos.testdata.v1 import test_data_pb2 as pb
from protos.testdata.v1 import test_data_pb2_grpc as pb_grpc


@contextmanager
def server(workers: int = 0) -> Iterator[tuple[int, int]]:
    """A fresh server process with `workers` generation worker processes; yields (pid, grpc port)."""
    env = {**os.environ, "GRPC_PORT": "0", "HTTP_PORT": "0", "HOST": "127.0.0.1", "LOG_LEVEL": "WARNING"}
    env["GENERATION_WORKERS"] = str(workers)
    env["LOG_LEVEL"] = "INFO"  # the "serving" line carries the ports
    proc = subprocess.Popen(
        [sys.executable, "-m", "service", "serve"], env=env, stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr is not None
    port = 0
    for line in proc.stderr:
        event = json.loads(line)
        if event.get("event") == "serving":
            port = int(event["grpc_port"])
            break
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    try:
        yield proc.pid, port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def peak_rss_mib(pid: int, field: str = "VmHWM") -> float:
    """A process's peak RSS (or, with field="VmRSS", its RSS now) in MiB, from /proc."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def stream(port: int, count: int, chunk_size: int = 5000) -> float:
    """Carts/s received by a client streaming `count` carts."""
    with grpc.insecure_channel(f"127.0.0.1:{port}", options=[("grpc.max_receive_message_length", -1)]) as ch:
        stub = pb_grpc.TestDataServiceStub(ch)
        start = time.perf_counter()
        received = 0
        for chunk in stub.GenerateDataStream(
            pb.GenerateRequest(entity="cart", count=count, seed=1, chunk_size=chunk_size)
        ):
            received += len(chunk.data)
        return count / (time.perf_counter() - start)


def latency(port: int, n: int = 500) -> dict[str, float]:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        stub = pb_grpc.TestDataServiceStub(ch)
        request = pb.GenerateRequest(entity="cart", count=10, seed=1)
        for _ in range(50):
            stub.GenerateData(request)
            stub.HealthCheck(pb.HealthCheckRequest())
        gen, health = [], []
        for _ in range(n):
            t = time.perf_counter()
            stub.GenerateData(request)
            gen.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            stub.HealthCheck(pb.HealthCheckRequest())
            health.append((time.perf_counter() - t) * 1000)
    q = statistics.quantiles
    return {
        "p50": statistics.median(gen),
        "p99": q(gen, n=100)[98],
        "health_p50": statistics.median(health),
        "health_p99": q(health, n=100)[98],
    }


async def _concurrent(
    port: int, clients: int, per_client: int, request: pb.GenerateRequest, rpc: str
) -> float:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as ch:
        stub = pb_grpc.TestDataServiceStub(ch)
        call = getattr(stub, rpc)

        async def worker() -> None:
            for _ in range(per_client):
                await call(request)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        return clients * per_client / (time.perf_counter() - start)


def throughput(port: int, clients: int = 32, per_client: int = 40) -> dict[str, float]:
    gen = asyncio.run(
        _concurrent(port, clients, per_client, pb.GenerateRequest(entity="cart", count=10), "GenerateData")
    )
    health = asyncio.run(_concurrent(port, clients, per_client, pb.HealthCheckRequest(), "HealthCheck"))
    return {"generate": gen, "health": health}


def run(million: int = 1_000_000) -> dict[str, float]:
    engine = rate(engine_carts, 20_000, 3)
    out: dict[str, float] = {"engine": engine, "ceiling": rate(plain_random_carts, 20_000, 3)}
    workers = len(os.sched_getaffinity(0))
    with server(workers) as (pid, port):
        stream(port, 20_000)  # the workers are up and have compiled once
        out["stream_workers"] = stream(port, million)
        out["workers"] = workers
    with server() as (pid, port):
        out["rss_before"] = peak_rss_mib(pid)
        out["stream_100k"] = stream(port, 100_000)
        out["rss_100k"] = peak_rss_mib(pid)
    with server() as (pid, port):
        out["stream_1m"] = stream(port, million)
        out["rss_1m"] = peak_rss_mib(pid)
        out.update({f"lat_{k}": v for k, v in latency(port).items()})
        out.update({f"rps_{k}": v for k, v in throughput(port).items()})
    return out
