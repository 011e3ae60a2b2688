"""WeaviateStore's listing, deleting by tag and byte limit, through the real weaviate-client against the
protocol-level fake (or a real Weaviate with WEAVIATE_URL, as in test_weaviate_store.py)."""

from __future__ import annotations

import pytest
from weaviate.classes.config import Configure, DataType

from retrieval.examples import Example, StoreFull, stored_bytes
from retrieval.weaviate_schema import PROPERTIES, SIZE_PROPERTY
from retrieval.weaviate_store import WeaviateStore
from tests.retrieval.test_embedded_pages import every_page
from tests.retrieval.test_weaviate_store import Target, ex, raw_client, store, target  # noqa: F401

KINDS = ["pattern", "defect", "production_sample"]


def many(n: int) -> list[Example]:
    return [
        ex(
            KINDS[i % 3],
            "shop",
            "cart" if i % 2 else "order",
            f"scenario {i}",
            {"n": i},
            tags=["happy_path"] if i % 4 == 0 else ["happy"] if i % 4 == 1 else [],
        )
        for i in range(n)
    ]


async def test_pages_cross_the_three_collections_in_id_order_once_each(store: WeaviateStore) -> None:  # noqa: F811
    examples = many(14)
    ids = await store.add(examples)
    pages = await every_page(store, 4)
    assert [len(p) for p in pages] == [4, 4, 4, 2]
    assert [i for p in pages for i in p] == sorted(ids)
    whole = await store.page(limit=100)
    assert whole.after == "" and {e.id: e for e in whole.examples} == {
        e.with_id().id: e.with_id() for e in examples
    }
    orders = [i for p in await every_page(store, 3, entity="order") for i in p]
    assert orders == sorted(e.with_id().id for e in examples if e.entity == "order")
    tagged = [i for p in await every_page(store, 2, tag="happy_path") for i in p]
    assert tagged == sorted(e.with_id().id for e in examples if "happy_path" in e.tags)  # whole tags only


async def test_a_page_stops_at_its_byte_budget(store: WeaviateStore) -> None:  # noqa: F811
    examples = sorted((e.with_id() for e in many(6)), key=lambda e: e.id)
    await store.add(examples)
    budget = stored_bytes(examples[0]) + stored_bytes(examples[1]) + stored_bytes(examples[2]) - 1
    page = await store.page(limit=10, max_bytes=budget)
    assert page.examples == examples[:2] and page.after == examples[1].id
    assert (await store.page(limit=10, after=page.after)).examples == examples[2:]
    assert (await store.page(limit=10, max_bytes=1)).examples == examples[:1]


async def test_delete_by_tag_and_ids_counts_each_example_once(store: WeaviateStore) -> None:  # noqa: F811
    examples = many(9)
    ids = await store.add(examples)
    happy_path = [i for i, e in zip(ids, examples, strict=True) if "happy_path" in e.tags]
    assert await store.delete([happy_path[0], ids[1]], tag="happy_path") == len(happy_path) + 1
    left = (await store.page(limit=100)).examples
    assert sorted(e.id for e in left) == sorted(set(ids) - set(happy_path) - {ids[1]})
    assert all("happy_path" not in e.tags for e in left) and any("happy" in e.tags for e in left)


async def test_stored_bytes_is_the_sum_and_max_bytes_refuses_only_what_is_new(store: WeaviateStore) -> None:  # noqa: F811
    examples = many(3)
    await store.add(examples[:2])
    weight = stored_bytes(examples[0]) + stored_bytes(examples[1])
    assert await store.stored_bytes() == weight
    with pytest.raises(StoreFull) as full:
        await store.add(examples, max_bytes=weight + 1)
    assert (full.value.stored, full.value.adding) == (weight, stored_bytes(examples[2]))
    assert await store.count() == 2
    await store.add(examples[:2], max_bytes=weight)  # an upsert of what is there: no room needed
    await store.delete([examples[0].with_id().id])
    await store.add([examples[2]], max_bytes=weight)
    assert await store.stored_bytes() == weight - stored_bytes(examples[0]) + stored_bytes(examples[2])


async def test_collections_made_before_sizes_get_the_size_property(target: Target) -> None:  # noqa: F811
    name = target.prefix + "ExamplePattern"
    async with raw_client(target) as client:
        await client.collections.create(
            name,
            properties=[p for p in PROPERTIES if p.name != SIZE_PROPERTY.name],
            vector_config=Configure.Vectors.self_provided(),
        )
    s = target.store()
    await s.connect()
    try:
        async with raw_client(target) as client:
            config = await client.collections.use(name).config.get()
        assert {p.name: p.data_type for p in config.properties}[SIZE_PROPERTY.name] == DataType.INT
        await s.close()
        await s.connect()  # a second start finds it there
    finally:
        await s.close()
