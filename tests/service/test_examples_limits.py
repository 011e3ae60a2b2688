"""Issue 12 through a real server: the example store's limits, ListExamples and DeleteExamples, what an
example may hold, and a torn example file at start-up. Each test ends by checking the server serves."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import pytest_asyncio

from agent.request import DataRequest
from protos.testdata.v1 import test_data_pb2 as pb
from retrieval.embedded_store import ADDED_FILE
from tests.helpers import rows_for
from tests.retrieval.weaviate_fake import FakeWeaviate
from tests.service.conftest import Live, live_service, make_settings
from tests.service.hardening import assert_still_serving, check_refusal

pytestmark = pytest.mark.asyncio(loop_scope="module")
LIMITS: dict[str, Any] = {
    "examples_max_example_bytes": 4096,
    "examples_max_call_bytes": 64 * 1024,
    "examples_max_bytes": 64 * 1024,
}
CART = {
    k: v for k, v in rows_for(DataRequest(entity="cart", count=1, seed=3))[0].items() if not k.startswith("_")
}
# Padded by this, an example weighs about 4,070 bytes stored (its data is stored as compact JSON).
PAD = 3890 - len(json.dumps(CART, separators=(",", ":")))
OK, BAD, FULL = grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.RESOURCE_EXHAUSTED


def cart(i: int, *, pad: int = 0, tags: tuple[str, ...] = (), kind: str = "pattern", **kw: Any) -> pb.Example:
    fields: dict[str, Any] = {"description": f"cart {i} " + "x" * pad, "data": json.dumps(CART)}
    fields.update(kw)
    return pb.Example(entity="cart", kind=kind, tags=list(tags), **fields)


async def add(live: Live, *examples: pb.Example) -> pb.AddExamplesResponse:
    response: pb.AddExamplesResponse = await live.stub.AddExamples(pb.AddExamplesRequest(examples=examples))
    return response


async def listing(live: Live, limit: int, **filters: str) -> list[list[pb.Example]]:
    pages, token = [], ""
    while True:
        page = await live.stub.ListExamples(pb.ListExamplesRequest(limit=limit, page_token=token, **filters))
        pages.append(list(page.examples))
        if not page.next_page_token:
            return pages
        token = page.next_page_token


async def refused(call: Any, request: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call(request)
    return err.value


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live() -> AsyncIterator[Live]:
    async for item in live_service(make_settings(**LIMITS)):
        yield item


async def test_an_example_too_big_alone_is_rejected_and_the_rest_added(live: Live) -> None:
    response = await add(live, cart(1, pad=5000), cart(2))
    assert response.added == 1 and len(response.rejected) == 1
    reason = response.rejected[0]
    assert reason.startswith("examples[0]: weighs ") and "at most 4,096 per example" in reason
    assert "EXAMPLES_MAX_EXAMPLE_BYTES" in reason and len(reason) < 300
    await assert_still_serving(live)


async def test_a_call_past_its_byte_limit_is_resource_exhausted(live: Live) -> None:
    err = await refused(
        live.stub.AddExamples, pb.AddExamplesRequest(examples=[cart(i, pad=3500) for i in range(20)])
    )
    check_refusal(err, FULL, "EXAMPLES_MAX_CALL_BYTES", "65,536", "several calls")
    await assert_still_serving(live)


async def test_the_store_total_is_resource_exhausted_until_examples_are_deleted() -> None:
    async for live in live_service(make_settings(**LIMITS)):
        for start in range(0, 16, 8):  # 16 examples of about 3.9 KB: just under 64 KiB
            batch = [cart(i, pad=PAD, tags=(f"batch{start}",)) for i in range(start, start + 8)]
            assert (await add(live, *batch)).added == 8
        err = await refused(live.stub.AddExamples, pb.AddExamplesRequest(examples=[cart(99, pad=PAD)]))
        check_refusal(err, FULL, "EXAMPLES_MAX_BYTES", "limit of 65,536 bytes", "DeleteExamples")
        assert "examples delete" in (err.details() or "")
        deleted = await live.stub.DeleteExamples(pb.DeleteExamplesRequest(tag="batch0"))
        assert deleted.deleted == 8
        assert (await add(live, cart(99, pad=PAD))).added == 1
        await assert_still_serving(live)


async def test_list_pages_hold_every_example_once_and_filter(live: Live) -> None:
    mine = [cart(100 + i, tags=("paged", "even" if i % 2 == 0 else "odd")) for i in range(25)]
    assert (await add(live, *mine)).added == 25
    pages = await listing(live, 10, tag="paged")
    assert [len(p) for p in pages] == [10, 10, 5]
    ids = [e.id for p in pages for e in p]
    assert ids == sorted(ids) and len(set(ids)) == 25
    assert {e.description for p in pages for e in p} == {e.description for e in mine}
    assert all(json.loads(e.data) == [CART] and e.kind == "pattern" for p in pages for e in p)
    everything = [e.id for p in await listing(live, 1000) for e in p]  # the seed corpus is listed too
    assert len(everything) == len(set(everything)) and set(ids) <= set(everything)
    evens = [e for p in await listing(live, 4, tag="even") for e in p]
    assert len(evens) == 13 and all("even" in e.tags for e in evens)
    reviews = [e for p in await listing(live, 0, entity="review") for e in p]
    assert reviews and all(e.entity == "review" for e in reviews)
    await assert_still_serving(live)


async def test_delete_by_id_and_by_tag(live: Live) -> None:
    assert (
        await add(live, *[cart(200 + i, tags=("doomed",) if i < 3 else ("kept",)) for i in range(5)])
    ).added == 5
    kept = [e.id for p in await listing(live, 100, tag="kept") for e in p]
    response = await live.stub.DeleteExamples(
        pb.DeleteExamplesRequest(ids=[kept[0], "pat-nothing"], tag="doomed")
    )
    assert response.deleted == 4
    assert [e.id for p in await listing(live, 100, tag="kept") for e in p] == kept[1:]
    assert await listing(live, 100, tag="doomed") == [[]]
    assert (await live.stub.DeleteExamples(pb.DeleteExamplesRequest(ids=kept[:1]))).deleted == 0
    await assert_still_serving(live)


TOKEN = "eyJhIjoieCIsImUiOiIiLCJ0IjoiIn0"  # a real token for after="x" with no filters
BAD_INPUT = [
    ("ListExamples", pb.ListExamplesRequest(limit=-1), ["limit", "1 to 1000"]),
    ("ListExamples", pb.ListExamplesRequest(limit=1001), ["limit", "1 to 1000"]),
    ("ListExamples", pb.ListExamplesRequest(page_token="not-a-token!"), ["page_token", "next_page_token"]),
    ("ListExamples", pb.ListExamplesRequest(page_token="A" * 100_000), ["page_token", "next_page_token"]),
    (
        "ListExamples",
        pb.ListExamplesRequest(page_token=TOKEN, tag="other"),
        ["page_token", "same entity and tag"],
    ),
    ("ListExamples", pb.ListExamplesRequest(entity="e" * 300), ["entity", "at most 256"]),
    ("ListExamples", pb.ListExamplesRequest(tag="t" * 100_000), ["tag", "at most 256"]),
    ("DeleteExamples", pb.DeleteExamplesRequest(), ["ids", "neither ids nor a tag", "by tag"]),
    ("DeleteExamples", pb.DeleteExamplesRequest(ids=["x"] * 1001), ["ids", "at most 1000"]),
    ("DeleteExamples", pb.DeleteExamplesRequest(ids=["ok", "i" * 300]), ["ids[1]", "at most 256"]),
    ("DeleteExamples", pb.DeleteExamplesRequest(ids=[""]), ["ids[0]", "is empty"]),
    ("DeleteExamples", pb.DeleteExamplesRequest(tag="t" * 257), ["tag", "at most 256"]),
]


@pytest.mark.parametrize(("method", "request_", "words"), BAD_INPUT)
async def test_bad_list_and_delete_input_is_invalid_argument(
    live: Live, method: str, request_: Any, words: list[str]
) -> None:
    err = await refused(getattr(live.stub, method), request_)
    details = check_refusal(err, BAD, *words)
    assert "aaaaaaaaaa" not in details.lower() and "tttttttttt" not in details
    assert (await live.stub.ListExamples(pb.ListExamplesRequest(page_token=TOKEN))).examples is not None
    await assert_still_serving(live)


async def test_nul_and_control_characters_follow_the_rules(live: Live) -> None:
    response = await add(
        live,
        cart(300, description="null \x00 byte"),
        cart(301, data=json.dumps({**CART, "currency": "U\u0000SD"})),  # escaped in JSON: still a NUL
        cart(302, tags=["bell\x07"]),
        cart(303, kind="defect", description="escape \x1b[31m broke the log viewer"),
        cart(304, kind="defect", tags=["nul\x00"]),
        cart(305, description="tab\tnewline\ncarriage\r"),
        cart(306, kind="defect", data=json.dumps(CART)[:-1] + ', "note": "\\ud800"}'),  # JSON can spell it
    )
    assert response.added == 2, list(response.rejected)
    reasons = list(response.rejected)
    assert [r.split(":", 1)[0] for r in reasons] == [f"examples[{i}]" for i in (0, 1, 2, 4, 6)]
    assert "description holds NUL" in reasons[0] and "data[0].currency holds NUL" in reasons[1]
    assert "tags[0] holds control character \\x07" in reasons[2] and "defect" in reasons[2]
    assert "tags[0] holds NUL" in reasons[3] and "note holds a lone surrogate (\\ud800)" in reasons[4]
    assert all(len(r) < 300 for r in reasons)
    await assert_still_serving(live)


async def test_data_nested_deep_is_rejected_not_an_internal_error(live: Live) -> None:
    thousands = '{"cart_id": ' + "[" * 5000 + "]" * 5000 + "}"
    forty = {"cart_id": "x"}
    for _ in range(40):
        forty = {"n": forty}
    response = await add(live, cart(400, data=thousands), cart(401, data=json.dumps(forty)))
    assert response.added == 0
    assert all("nested deeper than 32 levels" in r for r in response.rejected), list(response.rejected)
    await assert_still_serving(live)


async def test_a_torn_example_file_does_not_stop_a_restart(tmp_path: Path) -> None:
    settings = make_settings(examples_dir=str(tmp_path), **LIMITS)
    async for live in live_service(settings):
        assert (await add(live, cart(500, tags=("torn",)), cart(501, tags=("torn",)))).added == 2
    path = tmp_path / ADDED_FILE
    good = path.read_bytes()
    path.write_bytes(good + b'{"domain": "ecommerce", "entity": "ca')  # killed mid-append
    async for live in live_service(settings):
        assert len([e for p in await listing(live, 100, tag="torn") for e in p]) == 2
        assert (await add(live, cart(502, tags=("torn",)))).added == 1
        assert len([e for p in await listing(live, 100, tag="torn") for e in p]) == 3
        await assert_still_serving(live)
    assert path.read_bytes().startswith(good) and path.read_bytes().count(b"\n") == 3
    assert (
        (tmp_path / (ADDED_FILE + ".corrupt"))
        .read_bytes()
        .startswith(b'{"domain": "ecommerce", "entity": "ca')
    )


async def test_the_weaviate_store_keeps_the_same_limits_listing_and_deletes() -> None:
    with FakeWeaviate() as fake:
        settings = make_settings(weaviate_url=fake.url, weaviate_grpc_port=fake.grpc_port, **LIMITS)
        async for live in live_service(settings):
            for start in range(0, 16, 8):
                batch = [cart(i, pad=PAD, tags=(f"batch{start}",)) for i in range(start, start + 8)]
                assert (await add(live, *batch)).added == 8
            err = await refused(live.stub.AddExamples, pb.AddExamplesRequest(examples=[cart(99, pad=PAD)]))
            check_refusal(err, FULL, "EXAMPLES_MAX_BYTES", "DeleteExamples")
            pages = await listing(live, 5)
            assert [len(p) for p in pages] == [5, 5, 5, 1]
            ids = [e.id for p in pages for e in p]
            assert ids == sorted(set(ids)) and all(e.kind == "pattern" for p in pages for e in p)
            assert len([e for p in await listing(live, 3, tag="batch8") for e in p]) == 8
            assert (await live.stub.DeleteExamples(pb.DeleteExamplesRequest(tag="batch0"))).deleted == 8
            assert (await add(live, cart(99, pad=PAD), cart(98, description="nul\x00"))).added == 1
            assert [e.id for p in await listing(live, 100) for e in p] != ids
            await assert_still_serving(live)
