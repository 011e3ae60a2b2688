"""GenerateDataset planned by Claude: the real Anthropic SDK (HTTP mocked with respx) behind the real
gRPC service. What the model is shown and may call, what the response says, the plan cache, a bad
plan corrected by the validator, and a fallback with the reason for every failure."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import grpc
import httpx
import pytest
import pytest_asyncio
import respx

from agent.datasets import DatasetRequest, keyword_run
from protos.testdata.v1 import test_data_pb2 as pb
from tests.agent.conftest import model_service
from tests.agent.test_model_through_service import KEY, error, final, message
from tests.service.conftest import Live
from tools.registry import default_registry

pytestmark = pytest.mark.asyncio(loop_scope="module")

RUSH = {
    "cardinalities": [{"entity": "shipment", "count": [2, 3], "weights": [60, 40]}],
    "mixes": [{"entity": "order", "field": "status", "weights": {"delivered": 70, "returned": 30}}],
}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live() -> AsyncIterator[Live]:
    # model_auth_backoff_s=0: the 401 case must not keep the model away from the next tests
    async for item in model_service(
        model_max_retries=1, model_timeout_s=3.0, max_stream_records=200_000, model_auth_backoff_s=0
    ):
        yield item


def tool_call(name: str, args: dict[str, Any], call_id: str = "toolu_1") -> httpx.Response:
    return httpx.Response(
        200, json=message([{"type": "tool_use", "id": call_id, "name": name, "input": args}])
    )


def dataset(context: str, customers: int = 40, seed: int = 3, **fields: Any) -> pb.DatasetRequest:
    return pb.DatasetRequest(
        entities=[pb.EntityCount(entity="customer", count=customers)], seed=seed, context=context, **fields
    )


async def fetch(live: Live, request: pb.DatasetRequest) -> tuple[dict[str, str], dict[str, list[dict]]]:
    """Initial metadata plus trailers (prefixed `tail:`), and the rows by entity."""
    call = live.stub.GenerateDataset(request, timeout=20)
    head = {k: v for k, v in await call.initial_metadata()}
    rows: dict[str, list[dict]] = {}
    async for chunk in call:
        rows.setdefault(chunk.entity, []).extend(json.loads(chunk.data))
    head.update({f"tail:{k}": v for k, v in await call.trailing_metadata()})
    return head, rows


async def test_claude_previews_then_plans_and_the_family_follows_the_plan(
    live: Live, api: respx.Route, capfd: pytest.CaptureFixture[str]
) -> None:
    api.side_effect = [tool_call("preview_dataset", {"plan": RUSH}), final(RUSH)]
    head, rows = await fetch(live, dataset("holiday rush: split shipments and plenty of returns"))
    assert (head["x-generation-path"], head["x-fallback-reason"], head["x-cache-hit"]) == ("llm", "", "false")
    assert head["x-llm-tokens-used"] == "3000"
    assert head["x-dataset-plan"] == "shipment.count=2-3; order.status=delivered:70%,returned:30%"
    statuses = Counter(o["status"] for o in rows["order"])
    assert set(statuses) == {"delivered", "returned"}
    assert set(Counter(s["order_id"] for s in rows["shipment"]).values()) == {2, 3}
    assert rows["refund"] and rows["return"]

    first = json.loads(api.calls[0].request.content)
    assert {t["name"] for t in first["tools"]} == {"preview_dataset", "final_result"}
    system = json.dumps(first["system"])
    assert "Family summary" in system and "payment.status follows order.status" in system
    assert '<data label=\\"context\\">\\nholiday rush: split shipments' in json.dumps(first["messages"])
    second = json.dumps(json.loads(api.calls[1].request.content)["messages"])
    assert '\\"records\\"' in second and '\\"order.status\\"' in second  # the preview went back
    assert KEY not in capfd.readouterr().out


async def test_a_models_own_products_reach_the_familys_records(live: Live, api: respx.Route) -> None:
    mask = {"name": "Anti-Fog Snorkel Mask", "category": "Sports & Fitness", "brand": "Reefline",
            "price": 39.99, "description": "A tempered-glass mask with a soft silicone skirt."}  # fmt: skip
    bad = {**mask, "name": "Reef Mask", "category": "Snorkels"}
    api.side_effect = [final({"products": [mask, bad]}), final({"products": [mask], "product_share": 0.8})]
    head, rows = await fetch(live, dataset("our new snorkel range", seed=12))
    assert (head["x-generation-path"], head["x-fallback-reason"]) == ("llm", "")
    assert head["x-dataset-plan"] == "products=1:80%"
    retry = json.dumps(json.loads(api.calls[1].request.content)["messages"])
    assert "category 'Snorkels' is not a store department" in retry  # the bad one went back, named
    items = [i for o in rows["order"] for i in o["items"]]
    ours = [i for i in items if i["name"] == "Anti-Fog Snorkel Mask"]
    assert len(ours) / len(items) > 0.5
    assert {(i["sku"][:4], i["price"]) for i in ours} == {("PLN-", 39.99)}
    assert any(r["name"] == "Anti-Fog Snorkel Mask" for r in rows["order_item"])


async def test_a_models_record_tables_write_the_familys_texts(live: Live, api: respx.Route) -> None:
    entries = [
        ["Mask fogged on day one", "The lens fogged within minutes on the reef.", 2],
        ["Best fins I have owned", "Light, stiff enough, and the straps never slipped.", 5],
    ]
    reviews = {"entity": "review", "fields": ["title", "body", "rating"], "rows": entries}
    linked = {**reviews, "fields": ["order_id", "title", "rating"], "rows": [["ORD-1", "x", 1]]}
    api.side_effect = [final({"records": [linked]}), final({"records": [reviews]})]
    head, rows = await fetch(live, dataset("reviews of our snorkel gear", seed=14))
    assert (head["x-generation-path"], head["x-fallback-reason"]) == ("llm", "")
    assert head["x-dataset-plan"] == "records=review:2"
    retry = json.dumps(json.loads(api.calls[1].request.content)["messages"])
    assert "records[0] (review): field 'order_id' refused" in retry  # went back, named, with the fix
    assert rows["review"] and {r["title"] for r in rows["review"]} <= {e[0] for e in entries}
    assert all(r["body"].startswith(e[1]) for r in rows["review"] for e in entries if r["title"] == e[0])


async def test_the_cached_plan_serves_other_sizes_and_seeds_without_a_call(
    live: Live, api: respx.Route
) -> None:
    api.side_effect = [final(RUSH)]
    first, rows = await fetch(live, dataset("cache me: rush", customers=10))
    again, same = await fetch(live, dataset("cache me: rush", customers=10))
    bigger, more = await fetch(live, dataset("cache me: rush", customers=30, seed=9))
    assert api.call_count == 1
    assert (first["x-cache-hit"], again["x-cache-hit"], bigger["x-cache-hit"]) == ("false", "true", "true")
    assert same == rows and len(more["customer"]) == 30
    assert again["x-dataset-plan"] == first["x-dataset-plan"] and again["x-llm-tokens-used"] == "0"
    api.side_effect = [final(RUSH)]
    fresh, _ = await fetch(live, dataset("cache me: rush", customers=10, use_cache=False))
    assert api.call_count == 2 and fresh["x-cache-hit"] == "false"
    after, same_again = await fetch(live, dataset("cache me: rush", customers=10))
    assert after["x-cache-hit"] == "true" and same_again == rows  # the fresh plan replaced nothing


async def test_a_plan_the_validator_refuses_goes_back_to_the_model_with_the_fix(
    live: Live, api: respx.Route
) -> None:
    wrong = {"mixes": [{"entity": "payment", "field": "status", "weights": {"refunded": 1}}]}
    api.side_effect = [final(wrong), final(RUSH)]
    head, _ = await fetch(live, dataset("refunds galore"))
    assert head["x-generation-path"] == "llm" and api.call_count == 2
    retry = json.dumps(json.loads(api.calls[1].request.content)["messages"])
    assert "payment.status" in retry and "it follows order.status; change that instead" in retry


FAILURES = [
    ("invalid after retries", lambda: [final({"cardinalities": [{"entity": "ghost", "count": [1, 1]}]})] * 9,
     "invalid plan after retries"),
    ("server error", lambda: [error(500, "api_error")] * 3, "model API failed (500)"),
    ("bad key", lambda: [error(401, "authentication_error")], "authentication failed (401)"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "responses", "reason"), FAILURES, ids=[f[0] for f in FAILURES])
async def test_failures_fall_back_to_the_keyword_plan_with_the_reason(
    live: Live, api: respx.Route, name: str, responses: Any, reason: str
) -> None:
    api.side_effect = responses()
    head, rows = await fetch(live, dataset(f"{name}: many split shipments"))
    assert head["x-generation-path"] == "traditional"
    assert reason in head["x-fallback-reason"] and "deterministic planner served" in head["x-fallback-reason"]
    assert head["x-dataset-plan"] == "shipment.count=1-3"  # the keyword rules read the context
    assert len(rows["customer"]) == 40


async def test_routes_without_the_model(live: Live, api: respx.Route) -> None:
    head, _ = await fetch(live, dataset(""))  # nothing to shape: the model is not asked
    assert (head["x-generation-path"], head["x-fallback-reason"]) == ("traditional", "")
    head, _ = await fetch(live, dataset("split shipments", generation_method=pb.TRADITIONAL))
    assert (head["x-generation-path"], head["x-dataset-plan"]) == ("traditional", "shipment.count=1-3")
    head, _ = await fetch(live, dataset("split shipments", generation_method=pb.RAG))
    assert head["x-fallback-reason"].startswith("no stored examples shape linked datasets")
    assert api.call_count == 0
    api.side_effect = [final(RUSH)]
    head, _ = await fetch(live, dataset("hybrid rush", generation_method=pb.HYBRID))
    assert (
        head["x-generation-path"] == "llm" and "the model planned without them" in head["x-fallback-reason"]
    )


async def test_an_oversized_context_is_refused_before_the_model(live: Live, api: respx.Route) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await fetch(live, dataset("x" * 200_000))
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "context" in (caught.value.details() or "") and api.call_count == 0


async def test_the_cli_dataset_command_through_the_server_is_planned_by_the_model(
    live: Live, api: respx.Route, tmp_path: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    from service.cli import main

    api.side_effect = [final(RUSH)]
    out = tmp_path / "shop.json"
    args = ["dataset", "customer=15", "--format", "json", "--seed", "2", "--out", str(out)]
    args += ["--context", "cli rush", "--server", f"127.0.0.1:{live.service.grpc_port}"]
    assert await asyncio.to_thread(main, args) == 0
    family = json.loads(out.read_text())
    assert len(family["customer"]) == 15 and {o["status"] for o in family["order"]} <= {
        "delivered",
        "returned",
    }
    err = capfd.readouterr().err
    assert "plan (llm): shipment.count=2-3; order.status=delivered:70%,returned:30%" in err
    assert "seed 2" in err and "customer=15, " in err
    local = ["dataset", "customer=15", "--format", "json", "--context", "split shipments", "--out", str(out)]
    assert await asyncio.to_thread(main, local) == 0
    assert "plan (keyword rules): shipment.count=1-3" in capfd.readouterr().err


async def test_a_plan_too_big_for_the_limit_goes_back_to_the_model(live: Live, api: respx.Route) -> None:
    huge = {
        "cardinalities": [
            {"entity": "order", "count": [20, 20]},
            {"entity": "notification", "count": [20, 20]},
        ]
    }
    api.side_effect = [final(huge), final(RUSH)]
    head, rows = await fetch(live, dataset("every customer a whale: huge order history", customers=500))
    assert head["x-dataset-plan"].startswith("shipment.count=2-3") and len(rows["customer"]) == 500
    retry = json.dumps(json.loads(api.calls[1].request.content)["messages"])
    assert "above the limit of 200,000: lower the counts per parent" in retry


async def test_a_family_too_big_for_the_limit_is_refused_before_any_chunk(
    live: Live, api: respx.Route
) -> None:
    call = live.stub.GenerateDataset(dataset("", customers=5000), timeout=20)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        [c async for c in call]
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    details = caught.value.details() or ""
    assert "records for 5,000 customer records and their families, above the limit of 200,000" in details
    assert "ask for fewer root records" in details


async def test_a_plan_that_rules_out_a_requested_entity_through_a_followed_field_is_sent_back(
    live: Live, api: respx.Route
) -> None:
    # Pending orders never get refunded payments (payment.status follows order.status): no refund.
    pending = {"mixes": [{"entity": "order", "field": "status", "weights": {"pending": 1}}]}
    returns = {"mixes": [{"entity": "order", "field": "status", "weights": {"pending": 1, "returned": 1}}]}
    api.side_effect = [final(pending), final(returns)]
    request = pb.DatasetRequest(
        entities=[pb.EntityCount(entity="customer", count=30), pb.EntityCount(entity="refund", count=0)],
        seed=2,
        context="only pending orders, and their refunds",
    )
    head, rows = await fetch(live, request)
    retry = json.dumps(json.loads(api.calls[1].request.content)["messages"])
    assert "gives none of the values that lead to payment.status" in retry
    assert head["x-dataset-plan"] == "order.status=pending:50%,returned:50%" and rows["refund"]


def _exchanges(seed: int) -> int:
    run = keyword_run(DatasetRequest({"customer": 2, "exchange": 0}, seed=seed), default_registry(), 10**6)
    return sum(len(batch) for entity, batch in run.batches() if entity == "exchange")


async def test_trailers_count_the_records_and_name_a_requested_entity_that_came_out_empty(live: Live) -> None:
    # Exchanges are rare (a return, then an exchange): find a seed whose two customers have none.
    seed = next(s for s in range(50) if not _exchanges(s))
    request = pb.DatasetRequest(
        entities=[pb.EntityCount(entity="customer", count=2), pb.EntityCount(entity="exchange", count=0)],
        seed=seed,
        generation_method=pb.TRADITIONAL,
    )
    head, rows = await fetch(live, request)
    counts = dict(part.split("=") for part in head["tail:x-record-counts"].split(","))
    assert {e: int(n) for e, n in counts.items()} == {e: len(r) for e, r in rows.items()}
    assert head["tail:x-empty-entities"] == "exchange" and "exchange" not in rows  # rare: 2 customers
