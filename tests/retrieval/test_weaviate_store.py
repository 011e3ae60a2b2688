"""WeaviateStore through the real weaviate-client (REST + gRPC on localhost).

By default the other side is the protocol-level fake (tests/retrieval/weaviate_fake.py). With WEAVIATE_URL
set (plus WEAVIATE_GRPC_PORT / WEAVIATE_API_KEY if needed) the same tests run against that Weaviate,
minus the assertions on recorded calls and the fault-injection tests; each test then works in
collections of its own prefix and drops them afterwards.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import grpc
import pytest
import weaviate
from weaviate.classes.config import DataType, Tokenization
from weaviate.proto.v1 import base_pb2

from retrieval.examples import Example, RetrievalError
from retrieval.weaviate_schema import RETURNED, build_client, object_uuid
from retrieval.weaviate_store import WeaviateStore
from tests.redis_server import free_port
from tests.retrieval.weaviate_fake import FakeWeaviate

REAL_URL = os.environ.get("WEAVIATE_URL", "")
API_KEY = "fake-api-key-0123456789"  # the fake requires it, so every REST call must carry it
NAMES = ["ExamplePattern", "ExampleDefect", "ExampleProductionSample"]
EQ, AND = base_pb2.Filters.OPERATOR_EQUAL, base_pb2.Filters.OPERATOR_AND


@dataclass
class Target:
    url: str
    grpc_port: int | None
    api_key: str
    prefix: str
    fake: FakeWeaviate | None

    def store(self, **kw: float) -> WeaviateStore:
        return WeaviateStore(
            self.url, grpc_port=self.grpc_port, api_key=self.api_key, prefix=self.prefix, **kw
        )

    def needs_fake(self) -> FakeWeaviate:
        if self.fake is None:
            pytest.skip("needs the fake's call recording or fault injection")
        return self.fake


@pytest.fixture
async def target() -> AsyncIterator[Target]:
    if REAL_URL:
        port = os.environ.get("WEAVIATE_GRPC_PORT")
        key = os.environ.get("WEAVIATE_API_KEY", "")
        real = Target(REAL_URL, int(port) if port else None, key, f"T{uuid.uuid4().hex[:10]}", None)
        yield real
        async with raw_client(real) as client:
            await client.collections.delete([real.prefix + n for n in NAMES])
    else:
        with FakeWeaviate(api_key=API_KEY) as fake:
            yield Target(fake.url, fake.grpc_port, API_KEY, "", fake)


@pytest.fixture
async def store(target: Target) -> AsyncIterator[WeaviateStore]:
    s = target.store()
    await s.connect()
    yield s
    await s.close()


@asynccontextmanager
async def raw_client(t: Target) -> AsyncIterator[weaviate.WeaviateAsyncClient]:
    """A plain client, to look at what the store built (and to clean up a real Weaviate)."""
    client = build_client(t.url, t.grpc_port, api_key=t.api_key)
    await client.connect()
    try:
        yield client
    finally:
        await client.close()


def ex(kind: str, domain: str, entity: str, scenario: str, data: dict[str, object], **kw: object) -> Example:
    return Example.model_validate(
        {"kind": kind, "domain": domain, "entity": entity, "scenario": scenario, "data": data, **kw}
    )


CART = ex("pattern", "shop", "cart", "two items in the cart", {"sku": "A-1", "qty": 2}, tags=["basic"])
NEG = ex("defect", "shop", "cart", "negative quantity", {"sku": "B-2", "qty": -1}, quality_score=0.9)
ORDER = ex("production_sample", "shop", "order", "order shipped with cart items", {"status": "shipped"})
ACCOUNT = ex("pattern", "bank", "account", "overdrawn account", {"balance": -5}, description="cart-free")
ALL = [CART, NEG, ORDER, ACCOUNT]


async def test_connect_creates_the_three_collections_once_with_explicit_properties(target: Target) -> None:
    first, second = target.store(), target.store()  # two replicas sharing one Weaviate
    await first.connect()
    await first.connect()
    await second.connect()
    try:
        if fake := target.fake:
            assert fake.posted_names() == NAMES  # once each, despite three connects
            for body in fake.schema_posts:
                props = {p["name"]: p for p in body["properties"]}
                assert list(props) == [*RETURNED, "text"]
                assert props["tags"]["dataType"] == ["text[]"]
                assert props["quality_score"]["dataType"] == ["number"]
                assert all(props[n]["tokenization"] == "field" for n in ("example_id", "domain", "entity"))
                assert props["data"]["indexSearchable"] is False and props["data"]["indexFilterable"] is False
                assert body["vectorConfig"]["default"]["vectorizer"] == {"none": {}}
                assert "moduleConfig" not in body and "vectorizer" not in body
            assert {"Bearer " + API_KEY} == set(fake.auth_headers)
        async with raw_client(target) as client:  # the server's view parses (config.get)
            config = await client.collections.use(target.prefix + "ExampleDefect").config.get()
        types = {p.name: (p.data_type, p.tokenization) for p in config.properties}
        assert types["domain"] == (DataType.TEXT, Tokenization.FIELD)
        assert types["tags"][0] == DataType.TEXT_ARRAY and types["quality_score"][0] == DataType.NUMBER
        assert types["text"] == (DataType.TEXT, Tokenization.WORD)
    finally:
        await first.close()
        await second.close()


async def test_add_then_search_returns_the_examples_with_scores(store: WeaviateStore, target: Target) -> None:
    ids = await store.add(ALL)
    assert ids == [e.with_id().id for e in ALL]
    hits = await store.search("cart quantity", domain="shop", k=5)
    assert {h.example.id for h in hits} == {e.with_id().id for e in (CART, NEG, ORDER)}
    assert hits[0].example == NEG.with_id()  # the one with both words, and a full round trip
    assert all(h.score > 0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    if fake := target.fake:
        assert set(fake.grpc_auth) == {"Bearer " + API_KEY}  # the key rides on gRPC calls too
        searches = fake.searches[-3:]
        assert sorted(s.collection for s in searches) == sorted(NAMES)
        for s in searches:
            assert (s.bm25_search.query, list(s.bm25_search.properties)) == ("cart quantity", ["text"])
            f = s.filters
            assert (f.operator, f.target.property, f.value_text) == (EQ, "domain", "shop")
            assert s.limit == 5 and s.metadata.score and set(s.properties.non_ref_properties) == set(RETURNED)


async def test_search_honours_domain_entity_and_kind(store: WeaviateStore, target: Target) -> None:
    await store.add(ALL)
    seen = len(target.fake.searches) if target.fake else 0
    hits = await store.search("cart", domain="shop", entity="cart", kind="defect")
    assert [h.example.id for h in hits] == [NEG.with_id().id]
    if fake := target.fake:
        [only] = fake.searches[seen:]  # one kind -> one collection, not three
        assert only.collection == "ExampleDefect" and only.filters.operator == AND
        pairs = {(f.operator, f.target.property, f.value_text) for f in only.filters.filters}
        assert pairs == {(EQ, "domain", "shop"), (EQ, "entity", "cart")}
    assert [h.example.id for h in await store.search("cart", domain="bank")] == [ACCOUNT.with_id().id]
    assert await store.search("cart", domain="nowhere") == []
    assert await store.search("cart", kind="no-such-kind") == []
    unranked = await store.search("", entity="order")  # no words: any matching examples, unscored
    assert [(h.example.id, h.score) for h in unranked] == [(ORDER.with_id().id, 0.0)]


async def test_readding_is_idempotent(store: WeaviateStore, target: Target) -> None:
    first = await store.add(ALL)
    again = await store.add([*ALL, CART])
    assert first == again[:4] and again[4] == first[0]
    assert await store.count() == 4
    assert len(await store.search("cart", domain="shop", entity="cart", kind="pattern")) == 1
    if fake := target.fake:
        sent = [o.uuid for b in fake.batches for o in b.objects]
        assert sent.count(object_uuid(CART.with_id().id)) == 2  # the same UUID both times
        assert object_uuid(CART.with_id().id) == object_uuid(first[0])


async def test_delete_and_count(store: WeaviateStore, target: Target) -> None:
    ids = await store.add(ALL)
    assert await store.count() == 4
    assert await store.count(domain="shop") == 3
    assert await store.count(domain="shop", entity="cart") == 2
    assert await store.count(kind="pattern") == 2
    assert await store.count(domain="shop", kind="production_sample") == 1
    assert await store.delete([ids[0], ids[1], "pat-no-such-example"]) == 2
    assert await store.delete([ids[0]]) == 0
    assert await store.delete([]) == 0
    assert await store.count() == 2
    assert await store.search("cart", domain="shop", entity="cart") == []
    if fake := target.fake:
        assert {d.collection for d in fake.deletes} == set(NAMES)
        assert {a.collection for a in fake.aggregates} == set(NAMES)


async def test_ping_ok(store: WeaviateStore, target: Target) -> None:
    assert await store.ping() == "ok"
    if fake := target.fake:
        assert ("GET", "/v1/schema/ExamplePattern") in fake.rest_calls[-1:]
        assert fake.searches[-1].collection == "ExamplePattern" and fake.searches[-1].limit == 1


async def test_concurrent_first_use_connects_once(target: Target) -> None:
    s = target.store()  # not connected: the first requests race to do it
    try:
        assert await asyncio.gather(*(s.count() for _ in range(10))) == [0] * 10
        if fake := target.fake:
            assert fake.posted_names() == NAMES
            assert fake.rest_calls.count(("GET", "/v1/meta")) == 1
        await s.add(ALL)
        results = await asyncio.gather(*(s.search("cart", domain="shop") for _ in range(10)))
        assert all(r == results[0] for r in results) and len(results[0]) == 3
    finally:
        await s.close()


async def test_unreachable_weaviate_raises_retrieval_error_and_ping_says_so() -> None:
    port = free_port()  # nothing listens there
    s = WeaviateStore(f"http://127.0.0.1:{port}", grpc_port=free_port(), api_key=API_KEY, timeout_s=1.0)
    with pytest.raises(RetrievalError, match="connect failed") as err:
        await s.connect()
    with pytest.raises(RetrievalError):
        await s.search("cart")
    status = await s.ping()
    assert status.startswith("error: weaviate connect failed")
    assert API_KEY not in str(err.value) + status
    await s.close()


async def test_wrong_api_key_is_a_retrieval_error_without_the_key(target: Target) -> None:
    target.needs_fake()
    s = WeaviateStore(target.url, grpc_port=target.grpc_port, api_key="wrong-key-9876543210")
    with pytest.raises(RetrievalError) as err:
        await s.connect()
    # The message reaches clients and names no server; the detail (for the log) says 401, never the key.
    assert "wrong-key-9876543210" not in str(err.value) + err.value.detail and "401" in err.value.detail
    await s.close()


async def test_search_unavailable_mid_request_hits_the_deadline_then_recovers(target: Target) -> None:
    fake = target.needs_fake()
    s = target.store(timeout_s=0.3)  # the client retries UNAVAILABLE for a minute; we do not wait
    try:
        await s.add(ALL)
        fake.fail_grpc["Search"] = grpc.StatusCode.UNAVAILABLE
        with pytest.raises(RetrievalError, match=r"search timed out after 0\.3s"):
            await s.search("cart")
        assert (await s.ping()).startswith("error: weaviate ping timed out")
        assert fake.searches[-1].collection == "ExamplePattern"
        del fake.fail_grpc["Search"]
        assert await s.ping() == "ok" and await s.search("cart")
    finally:
        await s.close()


async def test_search_failing_with_internal_error_is_a_retrieval_error(
    store: WeaviateStore, target: Target
) -> None:
    fake = target.needs_fake()
    fake.fail_grpc["Search"] = grpc.StatusCode.INTERNAL  # not retried: fails at once
    with pytest.raises(RetrievalError, match=r"^weaviate search failed \(WeaviateQueryError\)$") as err:
        await store.search("cart", domain="shop")
    assert "Search made to fail" in err.value.detail and API_KEY not in err.value.detail
    fake.fail_grpc["BatchObjects"] = grpc.StatusCode.INTERNAL
    with pytest.raises(RetrievalError, match="add failed"):
        await store.add([CART])


async def test_weaviate_stopped_mid_run(target: Target) -> None:
    fake = target.needs_fake()
    s = target.store(timeout_s=0.3)
    try:
        await s.add(ALL)
        fake.stop()
        with pytest.raises(RetrievalError):
            await s.search("cart")
        with pytest.raises(RetrievalError):
            await s.count()
        assert (await s.ping()).startswith("error: weaviate")
    finally:
        await s.close()
