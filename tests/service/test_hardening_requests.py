"""Issue 12, findings 4-8, 10 and 12 over the wire: oversized strings, echoed input, metrics labels, CSV
formulas, prompt text, unauthenticated bodies and bytes that do not parse. Each case checks the status
code, the size of the message and that health still answers within a second."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator

import grpc
import httpx
import pytest
import pytest_asyncio

from protos.testdata.v1 import test_data_pb2 as pb
from tests.service.conftest import Live, live_service, make_settings
from tests.service.hardening import assert_still_serving, check_refusal

pytestmark = pytest.mark.asyncio(loop_scope="module")
INVALID = grpc.StatusCode.INVALID_ARGUMENT
TOKEN = "hardening-token"


async def _refusal(live: Live, request: pb.GenerateRequest) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await live.stub.GenerateData(request)
    return info.value


def _constraint(path: str, **fields: object) -> pb.Constraints:
    return pb.Constraints(field_constraints={path: pb.FieldConstraint(**fields)})


def _cart(**fields: object) -> pb.GenerateRequest:
    return pb.GenerateRequest(entity="cart", **fields)


NUL_OVERRIDE = [pb.Scenario(name="a", overrides={"currency": "US\x00D"})]
OVERSIZED = [
    ("8 MB constraint path", _cart(constraints=_constraint("x" * 8_000_000, min=1))),
    ("2 MB regex", _cart(constraints=_constraint("customer_id", regex="a" * 2_000_000))),
    ("1 MB entity name", pb.GenerateRequest(entity="c" * 1_000_000)),
    ("1 MB locale", _cart(locale="de" * 500_000)),
    ("100k enum values", _cart(constraints=_constraint("currency", enum_values=["USD"] * 100_000))),
    ("NUL in an override", _cart(scenarios=NUL_OVERRIDE)),
    ("NUL in an enum value", _cart(constraints=_constraint("currency", enum_values=["U\x00SD"]))),
]


@pytest.mark.parametrize(("name", "request_"), OVERSIZED, ids=[n for n, _ in OVERSIZED])
async def test_oversized_or_nul_input_is_refused_before_any_work(
    live: Live, name: str, request_: pb.GenerateRequest
) -> None:
    err = await _refusal(live, request_)
    details = check_refusal(err, INVALID)
    assert "limit" in details or "NUL" in details or "entries" in details, details
    await assert_still_serving(live)


async def test_errors_quote_at_most_a_hundred_characters_of_input(live: Live) -> None:
    # A long but allowed path that names no field: the message says so, quoting a little of it.
    path = "nosuchfield" + "y" * 240
    err = await _refusal(live, pb.GenerateRequest(entity="cart", constraints=_constraint(path, min=1)))
    details = check_refusal(err, INVALID)
    assert "y" * 101 not in details
    await assert_still_serving(live)


async def test_every_text_a_prompt_would_carry_counts_against_one_limit(live: Live) -> None:
    # Each part alone is small; scenario descriptions together pass MAX_CONTEXT_CHARS (20,000).
    scenarios = [pb.Scenario(name=f"s{i}", count=1, description="d" * 5_000) for i in range(5)]
    err = await _refusal(live, pb.GenerateRequest(entity="cart", count=5, scenarios=scenarios))
    check_refusal(err, grpc.StatusCode.RESOURCE_EXHAUSTED, "MAX_CONTEXT_CHARS", "scenarios")

    schema = {
        "name": "notes",
        "fields": {f"f{i}": {"type": "string", "description": "x" * 1_000} for i in range(30)},
    }
    err = await _refusal(live, pb.GenerateRequest(custom_schema=json.dumps(schema), count=1))
    check_refusal(err, grpc.StatusCode.RESOURCE_EXHAUSTED, "MAX_CONTEXT_CHARS", "schema")
    await assert_still_serving(live)


def _raw(live: Live, method: str, streaming: bool = False):  # type: ignore[no-untyped-def]
    path = f"/testdata.v1.TestDataService/{method}"
    factory = live.channel.unary_stream if streaming else live.channel.unary_unary
    return factory(path, request_serializer=lambda b: b, response_deserializer=lambda b: b)


# Field 3 (entity) as a string holding bytes that are not UTF-8; then bytes that are no message at all.
BAD_UTF8 = bytes([0x1A, 0x02, 0xFF, 0xFE])
NOT_PROTOBUF = b"\xff\xff\xff\xff\xff"


@pytest.mark.parametrize("body", [BAD_UTF8, NOT_PROTOBUF], ids=["bad utf-8", "not protobuf"])
async def test_bytes_that_do_not_parse_are_invalid_argument(live: Live, body: bytes) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await _raw(live, "GenerateData")(body)
    check_refusal(info.value, INVALID, "not a valid GenerateData message")
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for _chunk in _raw(live, "GenerateDataStream", streaming=True)(body):
            pass
    check_refusal(info.value, INVALID, "not a valid GenerateDataStream message")
    await assert_still_serving(live)


async def test_a_request_over_max_request_bytes_is_refused_by_size(live: Live) -> None:
    huge = pb.GenerateRequest(entity="cart", context="x" * (17 * 1024 * 1024))
    err = await _refusal(live, huge)
    assert err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    await assert_still_serving(live)


async def test_csv_cells_that_would_run_as_formulas_get_a_quote_unless_asked_not_to(live: Live) -> None:
    formula = '=HYPERLINK("http://x")'
    scenario = pb.Scenario(name="f", count=3, overrides={"reason": formula})
    request = pb.GenerateRequest(entity="refund", output_format=pb.CSV, scenarios=[scenario], seed=1)
    text = (await live.stub.GenerateData(request)).data
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["reason"] for r in rows} == {"'" + formula}
    assert "\"'=HYPERLINK(" in text  # text cells are quoted: a `;` spreadsheet cannot split them
    assert all(not r["amount"].startswith("'") for r in rows)  # numbers are left alone
    request.csv_safe = False
    rows = list(csv.DictReader(io.StringIO((await live.stub.GenerateData(request)).data)))
    assert {r["reason"] for r in rows} == {formula}
    request.output_format = pb.JSON
    request.ClearField("csv_safe")
    assert {r["reason"] for r in json.loads((await live.stub.GenerateData(request)).data)} == {formula}


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def guarded() -> AsyncIterator[Live]:
    async for item in live_service(make_settings(api_tokens=TOKEN)):
        yield item


async def test_made_up_methods_never_become_metrics_series(guarded: Live) -> None:
    for i in range(50):
        method = guarded.channel.unary_unary(f"/testdata.v1.TestDataService/Made{i}Up")
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await method(b"")
        assert info.value.code() in (grpc.StatusCode.UNIMPLEMENTED, grpc.StatusCode.UNAUTHENTICATED)
    with pytest.raises(grpc.aio.AioRpcError):
        await guarded.stub.GenerateData(pb.GenerateRequest(entity="cart"))
    async with httpx.AsyncClient(base_url=guarded.http, timeout=1.0) as client:
        text = (await client.get("/metrics")).text
    assert "Made" not in text
    assert 'method="GenerateData",path="",status="UNAUTHENTICATED"' in text
    await assert_still_serving(guarded)


async def test_without_a_token_the_body_is_never_parsed(guarded: Live) -> None:
    # Bytes that are no message: a server that parsed before checking would say INVALID_ARGUMENT.
    for body in (NOT_PROTOBUF, b"\x1a\x05" + b"x" * 5 + b"\x3a" + b"\xff" * 8_000_000):
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await _raw(guarded, "GenerateData")(body)
        check_refusal(info.value, grpc.StatusCode.UNAUTHENTICATED, "bearer token")
    await assert_still_serving(guarded)


async def test_sql_column_names_postgresql_would_cut_are_refused(live: Live) -> None:
    prefix = "a_very_long_column_name_that_postgresql_would_truncate_at_63_bytes_"
    fields = {prefix + "one": {"type": "integer"}, prefix + "two": {"type": "integer"}}
    request = pb.GenerateRequest(
        custom_schema=json.dumps({"name": "t", "fields": fields}), count=2, output_format=pb.SQL
    )
    check_refusal(await _refusal(live, request), INVALID, "63 bytes")
    request.output_format = pb.JSON  # the names are fine where nothing cuts them
    assert (await live.stub.GenerateData(request)).record_count == 2
    await assert_still_serving(live)
