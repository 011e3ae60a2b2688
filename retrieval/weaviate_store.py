"""Examples in Weaviate, through weaviate-client v4's async client (REST for the schema, gRPC for
batches and queries).

One client per process: the service builds the store at start-up, awaits `connect()` inside its
AsyncExitStack and `close()` at shutdown. The client is safe to share between concurrent requests;
only connecting (and the idempotent collection set-up that goes with it) is serialised by a lock.

Every failure surfaces as RetrievalError with a short message (never the API key), and every call
runs under a deadline: the client retries a gRPC UNAVAILABLE with backoff (1 s, 2 s, 4 s ... about a
minute in all), and a request must not wait that long for examples it can do without.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc
import httpx
from weaviate.classes.config import Configure
from weaviate.classes.data import DataObject
from weaviate.classes.query import MetadataQuery
from weaviate.collections import CollectionAsync
from weaviate.exceptions import UnexpectedStatusCodeError, WeaviateBaseError, WeaviateInvalidInputError

from retrieval import weaviate_pages
from retrieval.examples import Example, Hit, Page, RetrievalError
from retrieval.weaviate_schema import (
    PROPERTIES,
    RETURNED,
    SEARCH_PROPERTY,
    SIZE_PROPERTY,
    build_client,
    collection_names,
    from_properties,
    object_uuid,
    to_properties,
    where,
)

T = TypeVar("T")

# httpx is whatever weaviate-client was built on (httpx2 under `httpx2.alias_httpx()`); non-connect
# transport errors and undecodable responses (ValueError) escape the client unwrapped.
_FAILURES = (WeaviateBaseError, grpc.RpcError, httpx.HTTPError, OSError, ValueError)
_Collection = CollectionAsync[Any, Any]
_INSERT_CHUNK = 200  # objects per BatchObjects call: well under gRPC's message-size limit


class WeaviateStore:
    name = "weaviate"

    def __init__(
        self,
        url: str,
        *,
        grpc_port: int | None = None,
        grpc_host: str = "",
        api_key: str = "",
        timeout_s: float = 2.0,
        write_timeout_s: float = 30.0,
        prefix: str = "",
    ) -> None:
        self.timeout_s = timeout_s
        self.write_timeout_s = write_timeout_s
        self.collections = collection_names(prefix)
        self.kind_of = {name: kind for kind, name in self.collections.items()}
        self._api_key = api_key
        self.client = build_client(url, grpc_port, grpc_host, api_key, timeout_s, write_timeout_s)
        self._lock = asyncio.Lock()
        # Adds in this process one at a time: the size check and the insert it allows go together.
        # (Replicas sharing one Weaviate can each pass a check at once: the total may then exceed
        # the limit by what one call adds per replica.)
        self._add_lock = asyncio.Lock()
        self._ready = False

    async def connect(self, timeout_s: float | None = None) -> None:
        """Connects and creates the collections that are missing; idempotent, safe to race."""
        async with self._lock:
            if self._ready:
                return
            try:
                await self.call("connect", self._open(), timeout_s or self.write_timeout_s)
            except RetrievalError:
                # A half-open client (REST up, set-up failed) would leak its sockets on the next try.
                await self._quiet_close()
                raise
            self._ready = True

    async def close(self) -> None:
        async with self._lock:
            await self._quiet_close()

    async def add(self, examples: list[Example], *, max_bytes: int = 0) -> list[str]:
        if not examples:
            return []
        stamped = [e.with_id() for e in examples]
        by_kind: dict[str, dict[str, Example]] = {}
        for example in stamped:  # a dict per kind: the same example twice is one object
            by_kind.setdefault(example.kind, {})[example.id] = example
        await self._ensure_connected()
        async with self._add_lock:
            if max_bytes:
                await weaviate_pages.check_room(self, by_kind, max_bytes)
            for kind, unique in by_kind.items():
                objects = [
                    DataObject(properties=to_properties(e), uuid=object_uuid(e.id)) for e in unique.values()
                ]
                for start in range(0, len(objects), _INSERT_CHUNK):
                    await self._insert(self.collections[kind], objects[start : start + _INSERT_CHUNK])
        return [e.id for e in stamped]

    async def page(
        self, *, entity: str = "", tag: str = "", limit: int = 100, after: str = "", max_bytes: int = 0
    ) -> Page:
        await self._ensure_connected()
        return await weaviate_pages.page(self, entity, tag, limit, after, max_bytes)

    async def stored_bytes(self) -> int:
        await self._ensure_connected()
        return await weaviate_pages.total_bytes(self)

    async def search(
        self, query: str, *, domain: str = "", entity: str = "", kind: str = "", k: int = 5
    ) -> list[Hit]:
        names = self.names(kind)
        if not names or k <= 0:
            return []
        await self._ensure_connected()
        filters = where(domain, entity)

        async def one(collection: _Collection) -> list[Hit]:
            query_api = collection.query
            if query.strip():
                res = await query_api.bm25(
                    query=query,
                    query_properties=[SEARCH_PROPERTY],
                    filters=filters,
                    limit=k,
                    return_metadata=MetadataQuery(score=True),
                    return_properties=RETURNED,
                )
            else:  # nothing to rank by: any k matching examples, unscored
                res = await query_api.fetch_objects(filters=filters, limit=k, return_properties=RETURNED)
            kind_ = self.kind_of[collection.name]
            return [
                Hit(from_properties(kind_, dict(o.properties)), float(o.metadata.score or 0.0))
                for o in res.objects
            ]

        per_collection = await self.each("search", names, one)
        # BM25 scores of different collections are not strictly comparable (each has its own term
        # statistics), but they are on the same scale, which is all a top-k merge needs.
        hits = [h for hits in per_collection for h in hits]
        hits.sort(key=lambda h: (-h.score, h.example.id))
        return hits[:k]

    async def delete(self, ids: list[str], *, tag: str = "") -> int:
        if not ids and not tag:
            return 0
        await self._ensure_connected()
        return await weaviate_pages.delete(self, ids, tag)

    async def count(self, *, domain: str = "", entity: str = "", kind: str = "") -> int:
        names = self.names(kind)
        if not names:
            return 0
        await self._ensure_connected()
        filters = where(domain, entity)
        results = await self.each(
            "count", names, lambda c: c.aggregate.over_all(filters=filters, total_count=True)
        )
        return sum(r.total_count or 0 for r in results)

    async def ping(self) -> str:
        """`ok` when both protocols answer: REST (schema) and gRPC (a one-object fetch). Checking
        only REST would miss the classic misconfiguration, a wrong or blocked gRPC port."""
        probe = next(iter(self.collections.values()))
        try:
            await self._ensure_connected()
            if not await self.call("ping", self.client.collections.exists(probe)):
                self._ready = False  # deleted behind our back: the next call re-creates it
                return f"error: collection {probe} is missing"
            query_api = self.client.collections.use(probe).query
            await self.call("ping", query_api.fetch_objects(limit=1, return_properties=[]))
        except RetrievalError as exc:
            return f"error: {exc}"
        return "ok"

    # -- internals ---------------------------------------------------------------------------------

    async def _open(self) -> None:
        await self.client.connect()
        for name in self.collections.values():
            await self._ensure_collection(name)

    async def _ensure_collection(self, name: str) -> None:
        if await self.client.collections.exists(name):
            await self._ensure_size_property(name)
            return
        try:
            await self.client.collections.create(
                name,
                properties=PROPERTIES,
                # Examples are found by keyword (BM25); no vectorizer module, no vectors.
                vector_config=Configure.Vectors.self_provided(),
            )
        except UnexpectedStatusCodeError as exc:
            # Another replica created it between our check and our create (Weaviate answers 422).
            if exc.status_code != 422 or not await self.client.collections.exists(name):
                raise

    async def _ensure_size_property(self, name: str) -> None:
        """Collections made before examples were weighed get the property; their old objects weigh 0
        until re-added (the total under-counts them rather than reading the whole store at start)."""
        try:
            await self.client.collections.use(name).config.add_property(SIZE_PROPERTY)
        except WeaviateInvalidInputError:
            return  # already there: the usual case
        except UnexpectedStatusCodeError as exc:
            if exc.status_code != 422:  # 422: another replica added it first
                raise

    async def _insert(self, name: str, objects: list[DataObject[dict[str, Any], None]]) -> None:
        res = await self.call(
            "add", self.client.collections.use(name).data.insert_many(objects), self.write_timeout_s
        )
        if res.errors:
            first = next(iter(res.errors.values())).message
            what = f"add failed for {len(res.errors)} of {len(objects)}"
            raise RetrievalError(f"weaviate {what}", self._short(what, first))

    async def _ensure_connected(self) -> None:
        if not self._ready:  # Weaviate was down at start-up (or we closed): try again, briefly
            await self.connect(self.timeout_s)

    def names(self, kind: str) -> list[str]:
        # An unknown kind filters everything out, as any other filter with no match would.
        if not kind:
            return list(self.collections.values())
        return [self.collections[kind]] if kind in self.collections else []

    async def each(
        self,
        what: str,
        names: list[str],
        op: Callable[[_Collection], Awaitable[T]],
        timeout_s: float | None = None,
    ) -> list[T]:
        """`op` on each collection, concurrently, under one deadline."""
        ops = (op(self.client.collections.use(n)) for n in names)
        return await self.call(what, asyncio.gather(*ops), timeout_s)

    async def call(self, what: str, op: Awaitable[T], timeout_s: float | None = None) -> T:
        deadline = timeout_s or self.timeout_s
        try:
            return await asyncio.wait_for(op, deadline)
        except TimeoutError:
            raise RetrievalError(f"weaviate {what} timed out after {deadline:g}s") from None
        except _FAILURES as exc:
            detail = self._short(f"{what} failed", f"{type(exc).__name__}: {exc}")
            raise RetrievalError(f"weaviate {what} failed ({type(exc).__name__})", detail) from None

    def _short(self, what: str, detail: str) -> str:
        text = " ".join(f"weaviate {what}: {detail}".split())  # weaviate errors span many lines
        if self._api_key:
            text = text.replace(self._api_key, "***")
        return text[:240]

    async def _quiet_close(self) -> None:
        self._ready = False
        # Shutting down (or resetting): a socket that fails to close has nothing left to tell us.
        with contextlib.suppress(*_FAILURES):
            await self.client.close()
