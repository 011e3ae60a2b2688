"""SIGTERM in a real subprocess: health turns first, in-flight work drains, streams end cleanly, exit 0."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from protos.testdata.v1 import test_data_pb2 as pb
from protos.testdata.v1 import test_data_pb2_grpc as pb_grpc

BOUND_S = 30  # every wait below ends by then: a hung shutdown fails the test instead of hanging it


def _start(**env: str) -> tuple[subprocess.Popen[str], int, int]:
    env = {
        **os.environ,
        "GRPC_PORT": "0",
        "HTTP_PORT": "0",
        "HOST": "127.0.0.1",
        "SHUTDOWN_GRACE_S": "5",
        "SHUTDOWN_DELAY_S": "0",
        "EXAMPLES_DIR": tempfile.mkdtemp(prefix="examples-"),
        **env,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "service", "serve"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        cwd=os.getcwd(),
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        event = json.loads(line)
        if event.get("event") == "serving":
            # Keep reading its log so a full pipe never blocks the server.
            threading.Thread(target=proc.stderr.read, daemon=True).start()
            return proc, int(event["grpc_port"]), int(event["http_port"])
    raise AssertionError(f"the server did not start (exit {proc.wait()})")


def test_sigterm_mid_stream_ends_the_stream_cleanly_and_exits_zero() -> None:
    proc, port, _ = _start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = pb_grpc.TestDataServiceStub(channel)
            call = stub.GenerateDataStream(pb.GenerateRequest(entity="cart", count=2_000_000, chunk_size=500))
            first = next(call)
            assert first.chunk_index == 0
            proc.send_signal(signal.SIGTERM)
            try:
                for _chunk in call:
                    pass
                raise AssertionError("the stream should not complete 2,000,000 rows after SIGTERM")
            except grpc.RpcError as exc:
                assert exc.code() == grpc.StatusCode.UNAVAILABLE, exc
                assert "shutting down" in (exc.details() or "")
        assert proc.wait(timeout=BOUND_S) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@contextmanager
def _held_model() -> Iterator[tuple[str, threading.Event, threading.Event]]:
    """A stand-in for the model API that holds each request until released: a unary call that asks
    the model stays in flight exactly as long as the test wants. It then answers 401, which the
    service turns into a deterministic plan and an OK response."""
    arrived, release = threading.Event(), threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            arrived.set()
            release.wait(BOUND_S)
            body = json.dumps({"type": "error", "error": {"type": "authentication_error", "message": "no"}})
            self.send_response(401)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", arrived, release
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def _ready_status(http_port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/health/ready", timeout=1) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _every(interval_s: float, times: int) -> Iterator[int]:
    for i in range(times):
        yield i
        threading.Event().wait(interval_s)  # the spacing of polls, not a synchronisation


def _poll_ready(http_port: int) -> int:
    """/health/ready until it stops saying 200, bounded."""
    for _ in _every(0.01, BOUND_S * 100):
        status = _ready_status(http_port)
        if status != 200:
            return status
    return 200


def test_sigterm_turns_health_first_then_drains_the_call_in_flight_then_exits_zero() -> None:
    with _held_model() as (model_url, arrived, release):
        proc, port, http_port = _start(
            ANTHROPIC_API_KEY="sk-ant-test",
            ANTHROPIC_BASE_URL=model_url,
            MODEL_MAX_RETRIES="0",
            MODEL_TIMEOUT_S="60",
            SHUTDOWN_GRACE_S=str(BOUND_S),
        )
        try:
            with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
                watch = health_pb2_grpc.HealthStub(channel).Watch(
                    health_pb2.HealthCheckRequest(), timeout=BOUND_S
                )
                assert next(watch).status == health_pb2.HealthCheckResponse.SERVING
                assert _ready_status(http_port) == 200
                request = pb.GenerateRequest(entity="cart", count=5, seed=1, context="runners and yoga fans")
                in_flight = pb_grpc.TestDataServiceStub(channel).GenerateData.future(request, timeout=BOUND_S)
                assert arrived.wait(BOUND_S), "the call never reached the model"

                proc.send_signal(signal.SIGTERM)
                # The call is still held at the model: everything below happens while it drains.
                assert next(watch).status == health_pb2.HealthCheckResponse.NOT_SERVING
                watch.cancel()
                assert _poll_ready(http_port) == 503
                # HTTP stays up for as long as the call drains (uvicorn's own SIGTERM handler closed
                # it within its 0.1 s tick): every probe over at least half a second says 503.
                assert [_ready_status(http_port) for _ in _every(0.02, 25)] == [503] * 25
                assert not in_flight.done() and proc.poll() is None

                release.set()
                response = in_flight.result(timeout=BOUND_S)
            assert response.success and len(json.loads(response.data)) == 5
            assert "authentication" in response.metadata.fallback_reason
            assert proc.wait(timeout=BOUND_S) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_during_the_pause_health_says_not_serving_and_calls_are_still_served() -> None:
    """SHUTDOWN_DELAY_S: balancers see NOT_SERVING while requests they still route here succeed;
    a second SIGTERM ends the pause (this pause is 60 s: the exit well within 30 s is the proof)."""
    proc, port, http_port = _start(SHUTDOWN_DELAY_S="60")
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)
            proc.send_signal(signal.SIGTERM)
            for _ in _every(0.01, BOUND_S * 100):
                status = health.Check(health_pb2.HealthCheckRequest(), timeout=BOUND_S).status
                if status != health_pb2.HealthCheckResponse.SERVING:
                    break
            assert status == health_pb2.HealthCheckResponse.NOT_SERVING
            assert _ready_status(http_port) == 503
            request = pb.GenerateRequest(entity="order", count=3, seed=2)
            served = pb_grpc.TestDataServiceStub(channel).GenerateData(request, timeout=BOUND_S)
            assert served.success and len(json.loads(served.data)) == 3
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=BOUND_S) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
