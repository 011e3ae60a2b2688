"""The embedded BM25 store for real: add, search, filters, delete, persistence across a restart."""

from __future__ import annotations

from pathlib import Path

from retrieval.embedded_store import EmbeddedStore
from retrieval.examples import Example

EXAMPLES = [
    Example(
        domain="ecommerce",
        entity="cart",
        kind="pattern",
        scenario="home_gym",
        description="fitness cart: dumbbells and a yoga mat",
        data=[{"currency": "USD"}],
        tags=["fitness"],
    ),
    Example(
        domain="ecommerce",
        entity="cart",
        kind="defect",
        scenario="float_rounding",
        description="total 0.30000000000000004 broke exact comparison in checkout",
        data=[{"currency": "USD"}],
        tags=["money"],
    ),
    Example(
        domain="ecommerce",
        entity="review",
        kind="pattern",
        description="five star review praising the yoga mat grip",
        data=[{"rating": 5}],
    ),
]


async def test_add_search_filters_and_scores(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path, seed_dir=None)
    ids = await store.add(EXAMPLES)
    assert len(set(ids)) == 3 and await store.count() == 3
    hits = await store.search("yoga mat")
    assert [h.example.entity for h in hits] == ["review", "cart"]
    assert hits[0].score > hits[1].score > 0
    assert [h.example.kind for h in await store.search("yoga", entity="cart")] == ["pattern"]
    assert [h.example.scenario for h in await store.search("checkout total", kind="defect")] == [
        "float_rounding"
    ]
    assert await store.search("yoga", domain="banking") == []
    assert await store.count(entity="cart") == 2 and await store.count(kind="defect") == 1


async def test_re_adding_is_a_no_op_and_delete_removes(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path, seed_dir=None)
    ids = await store.add(EXAMPLES)
    assert await store.add(EXAMPLES) == ids and await store.count() == 3
    assert await store.delete([ids[0], "nope"]) == 1
    assert await store.count() == 2 and all(
        h.example.id != ids[0] for h in await store.search("fitness yoga")
    )


async def test_added_examples_survive_a_restart(tmp_path: Path) -> None:
    first = EmbeddedStore(tmp_path, seed_dir=None)
    ids = await first.add(EXAMPLES)
    await first.delete([ids[2]])
    again = EmbeddedStore(tmp_path, seed_dir=None)
    assert await again.count() == 2
    assert {h.example.id for h in await again.search("cart")} == set(ids[:2])


async def test_the_shipped_seed_corpus_loads() -> None:
    store = EmbeddedStore(None)
    assert await store.count() == await store.count(domain="ecommerce")
