"""Seekable generation (tools/seeds.py): any block made alone is that block of the whole output, a
scenario's first N rows do not depend on its count, unique ids stay unique across blocks, and a
linked dataset's families do not depend on how many roots there are."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.datasets import DatasetRequest, keyword_run
from agent.deterministic import plan_request
from agent.executor import build_job, prepare
from agent.request import DataRequest, ScenarioRequest
from tools.engine import Job, generate
from tools.registry import default_registry
from tools.seeds import SEEK_BLOCK, job_blocks

REGISTRY = default_registry()
ENTITIES = ["cart", "order", "product", "customer", "payment", "review", "support_ticket"]


def _job(request: DataRequest) -> Job:
    prepared = prepare(request, REGISTRY)
    job, _ = build_job(prepared, plan_request(request, prepared.schema))
    return job


def _rows(job: Job, blocks: Any = None) -> list[dict[str, Any]]:
    return [r for batch in generate(job, blocks) for r in batch]


def _request(entity: str, count: int, seed: int, kind: str) -> DataRequest:
    """A request down each path: plain (columns), edge cases and defects (rows), negative rows."""
    request = DataRequest(entity=entity, count=count, seed=seed)
    if kind == "edge":
        request.defect_triggering = True
    elif kind == "negative":
        request.negative = True
    elif kind == "scenarios":
        request.scenarios = [ScenarioRequest("a", count // 2), ScenarioRequest("b", count - count // 2)]
    return request


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(ENTITIES),
    st.integers(1, 3 * SEEK_BLOCK),
    st.integers(0, 2**32),
    st.sampled_from(["plain", "edge", "negative", "scenarios"]),
    st.data(),
)
def test_any_block_made_alone_is_that_block_of_the_whole_run(
    entity: str, count: int, seed: int, kind: str, data: st.DataObject
) -> None:
    job = _job(_request(entity, count, seed, kind))
    whole = _rows(job)
    refs = job_blocks([s.count for s in job.scenarios])
    ref = data.draw(st.sampled_from(refs))
    alone = _rows(_job(_request(entity, count, seed, kind)), [ref])
    assert alone == whole[ref.index : ref.index + ref.rows]


def test_blocks_made_in_any_order_are_the_same_blocks() -> None:
    job = _job(_request("cart", 3 * SEEK_BLOCK + 17, 5, "plain"))
    whole = _rows(job)
    refs = job_blocks([s.count for s in job.scenarios])
    backwards = [r for ref in reversed(refs) for r in _rows(job, [ref])]
    assert sorted(backwards, key=lambda r: r["_index"]) == whole


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(ENTITIES),
    st.integers(1, 1500),
    st.integers(1, 1500),
    st.integers(0, 2**32),
    st.sampled_from(["plain", "edge", "negative"]),
)
def test_a_scenarios_first_rows_are_the_same_for_any_count(
    entity: str, n: int, m: int, seed: int, kind: str
) -> None:
    small, large = sorted((n, m))
    few = _rows(_job(_request(entity, small, seed, kind)))
    many = _rows(_job(_request(entity, large, seed, kind)))
    assert many[:small] == few


def test_the_last_scenario_extends_too_and_earlier_ones_keep_their_rows() -> None:
    def scenarios(last: int) -> list[dict[str, Any]]:
        request = DataRequest(entity="order", count=0, seed=3)
        request.scenarios = [ScenarioRequest("first", 700), ScenarioRequest("last", last)]
        request.count = 700 + last
        return _rows(_job(request))

    few, many = scenarios(40), scenarios(2500)
    assert many[:740] == few


def test_unique_ids_stay_unique_across_blocks_and_paths() -> None:
    for kind in ("plain", "edge"):
        rows = _rows(_job(_request("order", 4 * SEEK_BLOCK, 11, kind)))
        ids = [r["order_id"] for r in rows]
        assert len(set(ids)) == len(ids) == 4 * SEEK_BLOCK
    product_rows = _rows(_job(_request("product", 2 * SEEK_BLOCK, 2, "plain")))
    products = [r["product_id"] for r in product_rows]
    assert len(set(products)) == len(products)


def _dataset(customers: int, seed: int) -> dict[str, list[str]]:
    run = keyword_run(DatasetRequest({"customer": customers}, seed=seed), REGISTRY, max_rows=10**6)
    out: dict[str, list[str]] = {}
    for entity, rows in run.batches():
        out.setdefault(entity, []).extend(json.dumps(r, sort_keys=True) for r in rows)
    return out


def test_a_larger_dataset_starts_with_the_smaller_ones_families() -> None:
    # Families are drawn per root (seed, entity, root): the first 30 customers' families are the same
    # records whether 30 or 450 customers are asked for (450 spans three root batches).
    few, many = _dataset(30, 8), _dataset(450, 8)
    assert set(few) <= set(many)
    for entity, rows in few.items():
        assert many[entity][: len(rows)] == rows, entity


def test_a_datasets_index_is_its_root_number_times_the_most_per_root_plus_its_place() -> None:
    from tools.dataset import DatasetGenerator, per_root_most, plan_tree

    roots = plan_tree(REGISTRY, {"customer": 40})
    most = per_root_most(roots[0])
    indexes: dict[str, list[int]] = {}
    customer_of: dict[str, int] = {}
    for entity, rows in DatasetGenerator(roots, 4).batches():
        indexes.setdefault(entity, []).extend(r["_index"] for r in rows)
        if entity == "customer":
            customer_of.update({r["customer_id"]: r["_index"] for r in rows})
        if entity == "order":  # an order's index lies in its customer's range
            for r in rows:
                root = customer_of[r["customer_id"]]
                assert root * most["order"] <= r["_index"] < (root + 1) * most["order"]
    assert indexes["customer"] == list(range(40))
    for entity, seen in indexes.items():
        assert seen == sorted(set(seen)), entity  # unique and increasing, gaps allowed


def test_scenarios_with_their_own_unique_ranges_do_not_depend_on_which_came_first() -> None:
    from tools.engine import Scenario
    from tools.schema import EntitySchema

    def schema(top: int) -> EntitySchema:
        n = {"name": "n", "type": "integer", "min": 1, "max": top, "unique": True}
        return EntitySchema.model_validate({"name": "t", "fields": [n]})

    job = Job(schema(100_000), [Scenario("narrow", 1500, schema=schema(3000)), Scenario("wide", 1500)], 5)
    whole = _rows(job)
    for ref in job_blocks([s.count for s in job.scenarios]):
        assert _rows(job, [ref]) == whole[ref.index : ref.index + ref.rows]
    narrow = [r["n"] for r in whole if r["_scenario"] == "narrow"]
    assert len(set(narrow)) == 1500 and max(narrow) <= 3000


def test_blocks_made_on_two_threads_at_once_are_the_blocks_made_one_after_the_other() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from agent.executor import prepare, writer_spec
    from tools.blocks import render, tasks_for

    request = _request("cart", 8 * SEEK_BLOCK, 3, "plain")
    prepared = prepare(request, REGISTRY)
    job = _job(request)
    tasks = list(tasks_for(job, writer_spec(prepared, job), prepared.schema, per_task=1))
    serial = [render(t).texts for t in tasks]
    with ThreadPoolExecutor(4) as pool:
        assert [r.texts for r in pool.map(render, tasks)] == serial
