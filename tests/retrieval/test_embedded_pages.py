"""The embedded store's listing, deleting, byte limit and two-tier index, on real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.embedded_store import DELETED_SEEDS_FILE, MERGE_AT, SEED_DIR, EmbeddedStore, load_jsonl
from retrieval.examples import Example, ExampleStore, StoreFull, stored_bytes


def example(i: int, entity: str = "cart", tags: tuple[str, ...] = (), words: str = "") -> Example:
    return Example(
        domain="ecommerce",
        entity=entity,
        kind="pattern",
        scenario=f"s{i}",
        description=f"example {i} {words}",
        data=[{"n": i}],
        tags=list(tags),
    )


async def every_page(store: ExampleStore, limit: int, **filters: str) -> list[list[str]]:
    """The ids of each page, following the page token to the end (both stores' tests use it)."""
    pages, after = [], ""
    while True:
        page = await store.page(limit=limit, after=after, **filters)
        pages.append([e.id for e in page.examples])
        if not page.after:
            return pages
        after = page.after


async def test_pages_hold_every_example_once_in_id_order_and_filter(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path, seed_dir=None)
    ids = await store.add(
        [example(i, "cart" if i % 3 else "order", ("odd",) if i % 2 else ()) for i in range(25)]
    )
    pages = await every_page(store, 7)
    assert [len(p) for p in pages] == [7, 7, 7, 4]
    flat = [i for p in pages for i in p]
    assert flat == sorted(ids)
    carts = [i for p in await every_page(store, 4, entity="order") for i in p]
    assert len(carts) == 9 and all(store._examples[i].entity == "order" for i in carts)
    odd_orders = [i for p in await every_page(store, 100, entity="order", tag="odd") for i in p]
    assert len(odd_orders) == 4 and all("odd" in store._examples[i].tags for i in odd_orders)
    assert (await store.page(tag="none")).examples == []


async def test_a_page_stops_at_its_byte_budget_but_holds_one_example_at_least(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path, seed_dir=None)
    big = [example(i, words="x" * 3000) for i in range(5)]
    await store.add(big)
    size = stored_bytes(big[0])
    page = await store.page(limit=100, max_bytes=2 * size + 10)
    assert len(page.examples) == 2 and page.after == page.examples[-1].id
    assert len((await store.page(limit=100, max_bytes=10)).examples) == 1


async def test_delete_by_ids_and_tag_persists_and_frees_bytes(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path, seed_dir=None)
    examples = [example(i, tags=("old",) if i < 3 else ()) for i in range(6)]
    ids = await store.add(examples)
    before = await store.stored_bytes()
    assert before == sum(stored_bytes(e) for e in examples)
    assert await store.delete([ids[5], "nope"], tag="old") == 4
    assert await store.delete([ids[5]], tag="old") == 0
    assert await store.stored_bytes() == before - sum(stored_bytes(examples[i]) for i in (0, 1, 2, 5))
    again = EmbeddedStore(tmp_path, seed_dir=None)
    assert sorted(again._examples) == sorted(ids[3:5])
    assert await again.stored_bytes() == await store.stored_bytes()


async def test_deleted_seed_examples_stay_deleted_and_weigh_nothing(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    seeds = await store.count()
    assert await store.stored_bytes() == 0  # the shipped corpus does not count against the limit
    first = load_jsonl(sorted(SEED_DIR.glob("*.jsonl"))[0])[0]
    assert await store.delete([first.id]) == 1
    assert (tmp_path / DELETED_SEEDS_FILE).read_text().split() == [first.id]
    again = EmbeddedStore(tmp_path)
    assert await again.count() == seeds - 1 and first.id not in again._examples


async def test_adding_past_max_bytes_adds_nothing_and_re_adding_weighs_nothing(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path, seed_dir=None)
    size = stored_bytes(example(0))
    await store.add([example(0), example(1)], max_bytes=2 * size + 2)
    with pytest.raises(StoreFull) as full:
        await store.add([example(2), example(3)], max_bytes=2 * size + 2)
    assert (full.value.stored, full.value.limit) == (await store.stored_bytes(), 2 * size + 2)
    assert await store.count() == 2 and len(load_jsonl(tmp_path / "examples.jsonl")) == 2
    await store.add([example(0)], max_bytes=2 * size + 2)  # already stored: no room needed
    await store.delete([example(0).with_id().id])
    await store.add([example(2)], max_bytes=2 * size + 2)
    assert await store.count() == 2


async def test_an_added_example_is_found_by_the_next_search_and_merging_changes_no_result(
    tmp_path: Path,
) -> None:
    store = EmbeddedStore(tmp_path, seed_dir=None)
    ids = await store.add([example(i, words="cart total rounding") for i in range(50)])
    assert await store.search("warm") == []  # builds the main tier
    [quokka] = await store.add([example(99, words="quokkafest rounding")])
    hits = await store.search("quokkafest")
    assert [h.example.id for h in hits] == [quokka]
    await store.delete(ids[3:5])
    queries = ["rounding total", "quokkafest rounding", "example 7"]
    before = [[(h.example.id, h.score) for h in await store.search(q, k=10)] for q in queries]
    assert store._tiers is not None and store._tiers.stale() == 3
    await store.merge()
    assert store._tiers.stale() == 0
    after = [[(h.example.id, h.score) for h in await store.search(q, k=10)] for q in queries]
    assert after == before  # scores use live statistics in either tier: equal to the last digit


async def test_enough_changes_merge_in_the_background_and_searches_stay_correct(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path, seed_dir=None)
    await store.add([example(0, words="first")])
    await store.search("first")
    await store.add([example(i, words="bulk") for i in range(1, MERGE_AT + 1)])
    assert len(await store.search("bulk", k=1000)) == MERGE_AT  # served while (or after) it merges
    await store.close()  # waits for the merge
    assert store._tiers is not None and store._tiers.stale() == 0
    assert len(store._tiers.main.ids) == MERGE_AT + 1


async def test_a_query_of_stopwords_only_finds_nothing_instead_of_failing(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path, seed_dir=None)
    await store.add([example(1)])
    assert await store.search("the and of") == []
