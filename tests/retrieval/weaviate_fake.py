"""A protocol-level fake Weaviate, the way weaviate-client tests itself: a real HTTP server for the REST
paths the client calls and a real `grpc.server` for the `weaviate.v1.Weaviate` service, both on random
localhost ports, sharing one in-memory store and recording every call so tests can assert on them.

    with FakeWeaviate() as fake:
        store = WeaviateStore(fake.url, grpc_port=fake.grpc_port)
"""

from __future__ import annotations

import contextlib
import copy
import json
import socket
import threading
from concurrent import futures
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from weaviate.proto.v1 import weaviate_pb2_grpc

from tests.retrieval.weaviate_fake_grpc import FakeWeaviateServicer

VERSION = "1.32.0"  # >= 1.27 (the client's minimum) and >= 1.29 (aggregations over gRPC)


@dataclass
class FakeWeaviate:
    api_key: str = ""  # when set, REST calls without `Authorization: Bearer <key>` get 401
    collections: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> server definition
    objects: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # name -> uuid -> props
    rest_calls: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    schema_posts: list[dict[str, Any]] = field(default_factory=list)  # bodies of POST /v1/schema
    auth_headers: list[str] = field(default_factory=list)  # REST Authorization headers
    grpc_auth: list[str] = field(default_factory=list)  # gRPC `authorization` metadata
    searches: list[Any] = field(default_factory=list)  # SearchRequest messages
    batches: list[Any] = field(default_factory=list)  # BatchObjectsRequest messages
    deletes: list[Any] = field(default_factory=list)  # BatchDeleteRequest messages
    aggregates: list[Any] = field(default_factory=list)  # AggregateRequest messages
    fail_grpc: dict[str, grpc.StatusCode] = field(default_factory=dict)  # method -> abort code
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> FakeWeaviate:
        self._stopped = False
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._http.daemon_threads = True
        self._http.open_connections = set()  # type: ignore[attr-defined]
        # A short poll interval keeps shutdown() (once per test) from waiting half a second.
        threading.Thread(target=self._http.serve_forever, args=(0.01,), daemon=True).start()
        self._grpc = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        weaviate_pb2_grpc.add_WeaviateServicer_to_server(FakeWeaviateServicer(self), self._grpc)
        # The client's start-up probe (skipped with skip_init_checks) calls the standard health service.
        checker = health.HealthServicer()
        checker.set("", health_pb2.HealthCheckResponse.SERVING)
        health_pb2_grpc.add_HealthServicer_to_server(checker, self._grpc)
        self.grpc_port = self._grpc.add_insecure_port("127.0.0.1:0")
        self._grpc.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stops both servers: afterwards nothing listens on either port. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        self._grpc.stop(grace=None)
        self._http.shutdown()
        self._http.server_close()
        # Keep-alive connections outlive the listening socket; a stopped Weaviate answers nothing.
        for sock in list(self._http.open_connections):  # type: ignore[attr-defined]
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}"

    def posted_names(self) -> list[str]:
        return [body["class"] for body in self.schema_posts]


def server_definition(body: dict[str, Any]) -> dict[str, Any]:
    """What Weaviate answers for GET /v1/schema/{Name}: the posted class with every default filled in.
    Echoing the posted body back is not enough; collection.config.get() needs these keys."""
    cls = copy.deepcopy(body)
    cls.setdefault("description", None)
    cls.setdefault(
        "invertedIndexConfig",
        {
            "bm25": {"b": 0.75, "k1": 1.2},
            "cleanupIntervalSeconds": 60,
            "indexNullState": False,
            "indexPropertyLength": False,
            "indexTimestamps": False,
            "stopwords": {"preset": "en", "additions": None, "removals": None},
            "usingBlockMaxWAND": True,
        },
    )
    cls.setdefault(
        "multiTenancyConfig", {"enabled": False, "autoTenantCreation": False, "autoTenantActivation": False}
    )
    cls.setdefault(
        "replicationConfig", {"factor": 1, "asyncEnabled": False, "deletionStrategy": "NoAutomatedResolution"}
    )
    cls.setdefault(
        "shardingConfig",
        {
            "virtualPerPhysical": 128,
            "desiredCount": 1,
            "actualCount": 1,
            "desiredVirtualCount": 128,
            "actualVirtualCount": 128,
            "key": "_id",
            "strategy": "hash",
            "function": "murmur3",
        },
    )
    for prop in cls.get("properties", []):
        text = prop["dataType"][0] in ("text", "text[]")
        prop.setdefault("indexFilterable", True)
        prop.setdefault("indexSearchable", text)
        prop.setdefault("indexRangeFilters", False)
        if text:
            prop.setdefault("tokenization", "word")
    for vector in cls.get("vectorConfig", {}).values():
        vector.setdefault("vectorIndexType", "hnsw")
        vector["vectorIndexConfig"] = {**_HNSW, **(vector.get("vectorIndexConfig") or {})}
    return cls


_HNSW: dict[str, Any] = {
    "skip": False,
    "cleanupIntervalSeconds": 300,
    "maxConnections": 32,
    "efConstruction": 128,
    "ef": -1,
    "dynamicEfMin": 100,
    "dynamicEfMax": 500,
    "dynamicEfFactor": 8,
    "vectorCacheMaxObjects": 1000000000000,
    "flatSearchCutoff": 40000,
    "distance": "cosine",
    "filterStrategy": "sweeping",
    "pq": {"enabled": False},
    "bq": {"enabled": False},
    "sq": {"enabled": False},
    "rq": {"enabled": False},
}


def _handler(fake: FakeWeaviate) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the client's connection pool expects
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def setup(self) -> None:
            super().setup()
            self.server.open_connections.add(self.connection)  # type: ignore[attr-defined]

        def finish(self) -> None:
            self.server.open_connections.discard(self.connection)  # type: ignore[attr-defined]
            super().finish()

        def _reply(self, status: int, body: Any = None) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _route(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            path = self.path.split("?", 1)[0]
            with fake.lock:
                fake.rest_calls.append((method, path))
                fake.auth_headers.append(self.headers.get("Authorization", ""))
                if fake.api_key and self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                    return self._reply(401, {"code": 401, "message": "anonymous access not enabled"})
                status, answer = _answer(fake, method, path, body)
            self._reply(status, answer)

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

        def do_DELETE(self) -> None:
            self._route("DELETE")

    return Handler


def _answer(fake: FakeWeaviate, method: str, path: str, body: Any) -> tuple[int, Any]:
    """REST routes; called with fake.lock held."""
    if (method, path) == ("GET", "/v1/meta"):
        return 200, {
            "hostname": "http://[::]:8080",
            "version": VERSION,
            "modules": {},
            "grpcMaxMessageSize": 104858000,
        }
    if (method, path) in (("GET", "/v1/.well-known/ready"), ("GET", "/v1/.well-known/live")):
        return 200, None
    if (method, path) == ("GET", "/v1/schema"):
        return 200, {"classes": list(fake.collections.values())}
    if (method, path) == ("POST", "/v1/schema"):
        fake.schema_posts.append(body)
        name = body["class"]
        if name in fake.collections:
            return 422, {"error": [{"message": f"class name {name!r} already exists"}]}
        fake.collections[name] = server_definition(body)
        fake.objects.setdefault(name, {})
        return 200, fake.collections[name]
    if method == "POST" and path.startswith("/v1/schema/") and path.endswith("/properties"):
        found = fake.collections.get(path.split("/")[3])
        if found is None:
            return 404, None
        if any(p["name"] == body["name"] for p in found["properties"]):
            return 422, {"error": [{"message": f"property {body['name']!r} already exists"}]}
        found["properties"].append(server_definition({"properties": [body]})["properties"][0])
        return 200, body
    if path.startswith("/v1/schema/"):
        name = path.removeprefix("/v1/schema/")
        if method == "GET":
            found = fake.collections.get(name)
            return (200, found) if found else (404, None)
        if method == "DELETE":
            fake.collections.pop(name, None)
            fake.objects.pop(name, None)
            return 200, None
    if (method, path) == ("GET", "/v1/nodes"):
        return 200, {"nodes": [{"name": "fake", "status": "HEALTHY", "version": VERSION, "shards": None}]}
    # Includes /v1/.well-known/openid-configuration: 404 means "no OIDC", which the client expects.
    return 404, None
