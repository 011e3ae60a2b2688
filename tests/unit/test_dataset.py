"""Linked datasets: every foreign key resolves to a parent sent earlier, every lifecycle invariant holds,
for any seed; the same seed gives the same bytes; a context reshapes the family."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.datasets import DatasetRequest, DatasetRun, keyword_run
from tools.catalogue import load_catalogue
from tools.dataset import DatasetGenerator, plan_tree
from tools.dataset_checks import DatasetChecker
from tools.errors import InvalidRequest, SchemaNotFound
from tools.registry import default_registry
from tools.validator import compile_validator

REGISTRY = default_registry()
VALIDATORS = {s.name: compile_validator(s) for s in REGISTRY.schemas()}


def _problems(entities: dict[str, int], seed: int) -> tuple[list[str], Counter[str]]:
    checker = DatasetChecker(REGISTRY)
    counts: Counter[str] = Counter()
    problems: list[str] = []
    for entity, rows in DatasetGenerator(plan_tree(REGISTRY, entities), seed).batches():
        counts[entity] += len(rows)
        problems += checker.add(entity, rows)
        problems += [f"{entity}: {v}" for r in rows for v in VALIDATORS[entity](r)]
    return problems + checker.invariants(), counts


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**63 - 1), st.integers(1, 60))
def test_every_key_resolves_and_every_invariant_holds(seed: int, customers: int) -> None:
    problems, counts = _problems({"customer": customers}, seed)
    assert problems == []
    # Every customer but a sign-up never confirmed (about 4%) places one order or more.
    assert counts["customer"] == customers and counts["payment"] == counts["order"] >= customers // 2


def test_a_bare_root_brings_its_whole_family_parents_first() -> None:
    run = keyword_run(DatasetRequest({"customer": 250}, seed=4), REGISTRY, max_rows=10**6)
    seen: list[str] = []
    for chunk in run.chunks():
        parent = REGISTRY.get(chunk.entity).dataset
        assert parent is None or parent.parent in seen, f"{chunk.entity} came before {parent.parent}"
        seen.append(chunk.entity)
    expected = {"customer", "cart", "cart_item", "order", "order_item", "order_status", "payment", "refund"}
    assert expected | {"shipment", "tracking", "review"} <= set(seen)
    assert seen.count("customer") == 2  # two root batches of 200 and 50


def test_listed_entities_come_with_their_ancestors_only_and_children_can_be_capped() -> None:
    problems, counts = _problems({"customer": 40, "payment": 0, "refund": 3}, seed=9)
    assert problems == []
    assert set(counts) == {"customer", "order", "payment", "refund"}
    assert counts["refund"] == 3


def test_a_child_alone_generates_roots_until_its_cap() -> None:
    problems, counts = _problems({"shipment": 30}, seed=2)
    assert problems == [] and counts["shipment"] == 30 and counts["customer"] > 0


def test_same_seed_same_bytes_and_another_seed_other_bytes() -> None:
    def digest(seed: int) -> str:
        run = keyword_run(DatasetRequest({"customer": 80}, seed=seed, output_format="sql"), REGISTRY, 10**6)
        return hashlib.sha256("".join(c.data for c in run.chunks()).encode()).hexdigest()

    assert digest(5) == digest(5) != digest(6)


def test_context_shapes_the_family() -> None:
    def shape(context: str) -> tuple[float, float]:
        run = keyword_run(DatasetRequest({"customer": 300}, seed=3, context=context), REGISTRY, 10**6)
        shipped: set[str] = set()
        for chunk in run.chunks():
            if chunk.entity == "shipment":
                shipped |= {row["order_id"] for row in json.loads(chunk.data)}
        return run.counts["shipment"] / len(shipped), run.counts.get("refund", 0) / run.counts["order"]

    plain_split, plain_refunds = shape("")
    split, refunds = shape("holiday rush with many split shipments and some refunds")
    assert split > plain_split * 1.4  # shipments per shipped order
    assert refunds > plain_refunds * 1.5


@pytest.mark.parametrize(
    ("entities", "error", "text"),
    [
        ({"custmer": 5}, SchemaNotFound, "did you mean customer"),
        ({"customer": -1}, InvalidRequest, "must not be negative"),
        ({}, InvalidRequest, "no entities"),
        ({"customer": 0}, InvalidRequest, "give customer a count"),
    ],
)
def test_bad_dataset_requests(entities: dict[str, int], error: type[Exception], text: str) -> None:
    with pytest.raises(error, match=text):
        DatasetRun(DatasetRequest(entities), REGISTRY, 10**6)


@pytest.mark.parametrize("root", ["product", "discount"])
def test_other_roots_bring_their_families(root: str) -> None:
    problems, counts = _problems({root: 320}, seed=12)
    assert problems == []
    assert len(counts) >= 3 and counts[root] == 320


def test_a_product_table_walks_the_catalogue_before_repeating() -> None:
    size = sum(len(t.products) for t in load_catalogue())
    run = keyword_run(DatasetRequest({"product": size + 32}, seed=1), REGISTRY, 10**6)
    ids = [r["product_id"] for c in run.chunks() if c.entity == "product" for r in json.loads(c.data)]
    assert len(set(ids)) == size + 32
    catalogue = [i for i in ids if i.count("-") == 1]
    assert len(catalogue) == size and all(i.endswith("-1") for i in ids if i not in catalogue)
