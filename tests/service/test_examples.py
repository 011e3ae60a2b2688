"""AddExamples over the wire, then requests that learn from them: imitated, valid, never copied."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from agent.request import DataRequest
from protos.testdata.v1 import test_data_pb2 as pb
from tests.helpers import rows_for
from tests.service.conftest import Live, live_service, make_settings
from tools.registry import default_registry
from tools.validator import compile_validator

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live() -> AsyncIterator[Live]:
    async for item in live_service(make_settings()):
        yield item


def _records(entity: str, n: int, seed: int) -> list[dict]:
    return [
        {k: v for k, v in r.items() if not k.startswith("_")}
        for r in rows_for(DataRequest(entity=entity, count=n, seed=seed))
    ]


async def test_add_examples_accepts_good_and_rejects_bad_with_reasons(live: Live) -> None:
    good = _records("payment", 2, 1)
    broken = dict(good[0], amount=-5)
    request = pb.AddExamplesRequest(
        examples=[
            pb.Example(
                entity="payment",
                kind="pattern",
                scenario="apple_pay",
                description="Apple Pay checkouts",
                data=json.dumps(good),
                tags=["wallet"],
                quality_score=0.9,
            ),
            pb.Example(
                entity="payment", kind="defect", description="negative amount", data=json.dumps(broken)
            ),
            pb.Example(entity="payment", kind="pattern", data="{not json"),
            pb.Example(entity="paymnt", kind="pattern", data="{}"),
            pb.Example(entity="payment", kind="sample", data=json.dumps(good[0])),
        ]
    )
    response = await live.stub.AddExamples(request)
    assert response.added == 1 and len(response.rejected) == 4
    assert response.rejected[0].startswith("examples[1]: data[0].amount") and "[min]" in response.rejected[0]
    assert response.rejected[1].startswith("examples[2]: data")
    assert "did you mean payment" in response.rejected[2]
    assert response.rejected[3].startswith("examples[4]: kind")


async def test_learn_from_history_imitates_stored_examples_without_copying(live: Live) -> None:
    stored = _records("order", 3, 7)
    add = pb.AddExamplesRequest(
        examples=[
            pb.Example(
                entity="order",
                kind="pattern",
                scenario="holiday_rush",
                description="quokkafest orders of board games",
                data=json.dumps(stored),
                quality_score=1.0,
            )
        ]
    )
    assert (await live.stub.AddExamples(add)).added == 1
    response = await live.stub.GenerateData(
        pb.GenerateRequest(
            entity="order", count=200, seed=3, context="quokkafest board games", learn_from_history=True
        )
    )
    meta = response.metadata
    assert meta.generation_path == "rag" and meta.fallback_reason == ""
    rows = json.loads(response.data)
    validate = compile_validator(default_registry().get("order"))
    assert all(validate(r) == [] for r in rows)
    plain = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]
    assert not any(p == s for p in plain for s in stored)
    stored_names = {i["name"] for s in stored for i in s["items"]}
    imitating = [r for r in rows if {i["name"] for i in r["items"]} <= stored_names]
    assert len(imitating) > len(rows) / 2


async def test_defect_examples_become_tagged_edge_case_rows(live: Live) -> None:
    nasty = _records("review", 1, 11)[0]
    nasty["body"] = "Great mat \u202eesrever ni stnirp weiver siht"
    add = pb.AddExamplesRequest(
        examples=[
            pb.Example(
                entity="review",
                kind="defect",
                scenario="unicode",
                description="RTL override flipped the moderation dashboard",
                data=json.dumps(nasty),
            )
        ]
    )
    assert (await live.stub.AddExamples(add)).added == 1
    response = await live.stub.GenerateData(
        pb.GenerateRequest(
            entity="review", count=60, seed=2, context="moderation dashboard unicode", defect_triggering=True
        )
    )
    rows = json.loads(response.data)
    replayed = [r for r in rows if str(r.get("_edge_case", "")).startswith("defect:")]
    mine = [r for r in replayed if r["body"] == nasty["body"]]  # other stored defects may replay too
    assert mine and all(r["review_id"] != nasty["review_id"] for r in mine)
    assert all(r["_edge_case"].startswith("defect:def-") for r in replayed)
    validate = compile_validator(default_registry().get("review"))
    assert all(validate(r) == [] for r in rows)


async def test_rag_without_matching_examples_says_so(live: Live) -> None:
    response = await live.stub.GenerateData(
        pb.GenerateRequest(
            entity="stock_alert", domain="ecommerce", count=5, generation_method=pb.RAG, context="zzqx"
        )
    )
    assert response.metadata.generation_path in ("rag", "traditional")
    if response.metadata.generation_path == "traditional":
        assert "no stored example matches" in response.metadata.fallback_reason
