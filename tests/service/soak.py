"""A bounded soak against a real server process: never-read streams, oversized and unauthenticated requests
and made-up methods, mixed with the calls a test suite makes. `run_soak` returns what it measured; the
test (test_soak.py) asserts on it and prints it (`pytest -s` shows the figures).

Loopback only, bounded in time and count: every attacker task runs for ATTACK_S, and every wait ends.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import statistics
import time
from dataclasses import dataclass, field

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bench.service_bench import peak_rss_mib
from protos.testdata.v1 import test_data_pb2 as pb
from protos.testdata.v1 import test_data_pb2_grpc as pb_grpc
from tests.service.test_shutdown import _start

NORMAL, ATTACKER = "normal-token", "attacker-token"
SERVER_ENV = {
    "API_TOKENS": f"{NORMAL},{ATTACKER}",
    "MAX_CONCURRENT_STREAMS": "16",
    "MAX_STREAMS_PER_CLIENT": "8",
    "STREAM_IDLE_TIMEOUT_S": "3",
}
ATTACK_S = 15.0


def rss_mib(pid: int) -> float:
    return peak_rss_mib(pid, "VmRSS")


@dataclass
class Figures:
    idle_mib: float = 0.0
    peak_mib: float = 0.0
    after_mib: float = 0.0
    quiet_ms: list[float] = field(default_factory=list)  # normal unary calls, no attack
    attacked_ms: list[float] = field(default_factory=list)  # the same calls during the attack
    normal_failures: list[str] = field(default_factory=list)
    refused: dict[str, int] = field(default_factory=dict)
    health_ms: list[float] = field(default_factory=list)

    @staticmethod
    def p99(values: list[float]) -> float:
        return statistics.quantiles(values, n=100)[98] if len(values) >= 2 else float("nan")

    def summary(self) -> str:
        return (
            f"server RSS idle {self.idle_mib:.0f} MiB, peak {self.peak_mib:.0f} MiB, "
            f"after {self.after_mib:.0f} MiB; "
            f"normal unary p99 {self.p99(self.quiet_ms):.1f} ms quiet vs {self.p99(self.attacked_ms):.1f} ms "
            f"under attack ({len(self.attacked_ms)} calls, {len(self.normal_failures)} failed); "
            f"health p99 {self.p99(self.health_ms):.1f} ms; refused {self.refused}"
        )


def _auth(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


async def _normal_round(stub: pb_grpc.TestDataServiceStub, times: list[float], failures: list[str]) -> None:
    """What a test suite does: a few small unary calls and one stream read to the end."""
    try:
        for seed in range(5):
            start = time.perf_counter()
            reply = await stub.GenerateData(
                pb.GenerateRequest(entity="cart", count=20, seed=seed), metadata=_auth(NORMAL), timeout=30
            )
            times.append((time.perf_counter() - start) * 1000)
            assert reply.record_count == 20
        rows = 0
        request = pb.GenerateRequest(entity="order", count=5000, chunk_size=1000, output_format=pb.JSONL)
        async for chunk in stub.GenerateDataStream(request, metadata=_auth(NORMAL), timeout=60):
            rows += chunk.data.count("\n")
        assert rows == 5000, rows
    except (grpc.aio.AioRpcError, AssertionError) as exc:
        failures.append(repr(exc)[:200])


async def _attack(channel: grpc.aio.Channel, until: float, refused: dict[str, int]) -> None:
    stub = pb_grpc.TestDataServiceStub(channel)
    held: list[grpc.aio.UnaryStreamCall] = []

    def count(err: grpc.aio.AioRpcError) -> None:
        refused[err.code().name] = refused.get(err.code().name, 0) + 1

    async def unread_streams() -> None:
        big = pb.GenerateRequest(entity="cart", count=1_000_000, chunk_size=50_000, output_format=pb.JSONL)
        while time.monotonic() < until:
            held[:] = [c for c in held if not c.done()]
            call = stub.GenerateDataStream(big, metadata=_auth(ATTACKER))
            try:
                await asyncio.wait_for(call.initial_metadata(), 10)
                held.append(call)
            except (grpc.aio.AioRpcError, TimeoutError):
                call.cancel()
            if call.done() and (code := await call.code()) != grpc.StatusCode.OK:
                refused[code.name] = refused.get(code.name, 0) + 1
            await asyncio.sleep(0.05)

    async def oversized() -> None:
        path = pb.Constraints(field_constraints={"x" * 8_000_000: pb.FieldConstraint(min=1)})
        bad = [
            pb.GenerateRequest(entity="cart", constraints=path),
            pb.GenerateRequest(entity="cart", context="y" * 15_000_000),
            pb.GenerateRequest(entity="cart", scenarios=[pb.Scenario(name="a", description="z" * 5_000_000)]),
        ]
        while time.monotonic() < until:
            for request in bad:
                try:
                    await stub.GenerateData(request, metadata=_auth(ATTACKER), timeout=10)
                except grpc.aio.AioRpcError as err:
                    count(err)

    async def unauthenticated() -> None:
        raw = channel.unary_unary(
            "/testdata.v1.TestDataService/GenerateData", request_serializer=lambda b: b,
            response_deserializer=lambda b: b,
        )  # fmt: skip
        body = b"\x3a" + b"\xff\xff\xff\x07" + b"c" * 15_000_000  # a 15 MB context, no token
        made_up = [channel.unary_unary(f"/testdata.v1.TestDataService/Nope{i}") for i in range(20)]
        while time.monotonic() < until:
            for call in (lambda: raw(body, timeout=10), *(lambda m=m: m(b"", timeout=10) for m in made_up)):
                try:
                    await call()
                except grpc.aio.AioRpcError as err:
                    count(err)

    await asyncio.gather(unread_streams(), oversized(), unauthenticated())
    for call in held:
        call.cancel()


def _attack_process(address: str, seconds: float) -> dict[str, int]:
    async def run() -> dict[str, int]:
        refused: dict[str, int] = {}
        options = [("grpc.max_send_message_length", 64 << 20)]
        async with grpc.aio.insecure_channel(address, options=options) as channel:
            await _attack(channel, time.monotonic() + seconds, refused)
        return refused

    return asyncio.run(run())


async def _soak(grpc_port: int, pid: int) -> Figures:
    figures = Figures()
    options = [("grpc.max_send_message_length", 64 << 20), ("grpc.max_receive_message_length", 64 << 20)]
    address = f"127.0.0.1:{grpc_port}"
    async with grpc.aio.insecure_channel(address, options=options) as normal_ch:
        stub = pb_grpc.TestDataServiceStub(normal_ch)
        health = health_pb2_grpc.HealthStub(normal_ch)
        for _ in range(6):  # warm-up, then the quiet figures
            await _normal_round(stub, figures.quiet_ms, figures.normal_failures)
        await asyncio.sleep(2)  # the server trims its heap a second after going idle
        figures.idle_mib = rss_mib(pid)

        until = time.monotonic() + ATTACK_S + 2  # the attackers start within a couple of seconds
        sampling = True

        async def sample() -> None:
            while sampling:
                figures.peak_mib = max(figures.peak_mib, rss_mib(pid))
                start = time.perf_counter()
                await health.Check(health_pb2.HealthCheckRequest(), timeout=1)
                figures.health_ms.append((time.perf_counter() - start) * 1000)
                await asyncio.sleep(0.1)

        async def normal_traffic() -> None:
            while time.monotonic() < until:
                await _normal_round(stub, figures.attacked_ms, figures.normal_failures)

        sampler = asyncio.ensure_future(sample())
        # Attackers are other clients: processes of their own, so the normal client's timings are the
        # server's, not this process's work of building 15 MB requests.
        with multiprocessing.get_context("spawn").Pool(2) as pool:
            attacks = pool.starmap_async(_attack_process, [(address, ATTACK_S)] * 2)
            await normal_traffic()
            for refused in await asyncio.to_thread(attacks.get, ATTACK_S + 60):
                for code, n in refused.items():
                    figures.refused[code] = figures.refused.get(code, 0) + n
        sampling = False
        await sampler

        # Back near idle: the attackers' connections are closed; wait (bounded) for the trim.
        end = time.monotonic() + 20
        while time.monotonic() < end:
            figures.after_mib = rss_mib(pid)
            if figures.after_mib - figures.idle_mib <= 50:
                break
            await asyncio.sleep(0.25)
    return figures


def run_soak() -> Figures:
    proc, grpc_port, _http_port = _start(**SERVER_ENV)
    try:
        return asyncio.run(_soak(grpc_port, proc.pid))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONPATH", ".")
    print(run_soak().summary())
