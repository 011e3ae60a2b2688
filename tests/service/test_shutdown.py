"""SIGTERM mid-stream, in a real subprocess: the stream ends with a clean status, the process exits 0."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading

import grpc

from protos.testdata.v1 import test_data_pb2 as pb
from protos.testdata.v1 import test_data_pb2_grpc as pb_grpc


def _start() -> tuple[subprocess.Popen[str], int]:
    env = {**os.environ, "GRPC_PORT": "0", "HTTP_PORT": "0", "HOST": "127.0.0.1", "SHUTDOWN_GRACE_S": "5"}
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
            return proc, int(event["grpc_port"])
    raise AssertionError(f"the server did not start (exit {proc.wait()})")


def test_sigterm_mid_stream_ends_the_stream_cleanly_and_exits_zero() -> None:
    proc, port = _start()
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
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
