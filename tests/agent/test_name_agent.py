"""Column names no rule reads, read by the model (the real SDK, its HTTP mocked) during ImportSchema:
its sources are checked, shown, cached, and the client's own win; without a model, or when it fails,
the import still works and says so."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
import respx

from protos.testdata.v1 import test_data_pb2 as pb
from tests.agent.conftest import model_service
from tests.agent.test_model_through_service import error, final
from tests.service.conftest import Live, live_service, make_settings

pytestmark = pytest.mark.asyncio(loop_scope="module")
DDL = """CREATE TABLE acct (acct_id integer PRIMARY KEY, acct_cd varchar(20) NOT NULL, cust_nm text NOT NULL,
dlv_cty text, zzz text);"""
READING = {"columns": [
    {"column": "acct.cust_nm", "source": "full_name", "why": "customer name"},
    {"column": "acct.dlv_cty", "source": "city", "why": "delivery city"},
    {"column": "acct.zzz", "source": "horoscope", "why": "?"},
    {"column": "acct.nope", "source": "city", "why": "not asked"},
]}  # fmt: skip


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live() -> AsyncIterator[Live]:
    async for item in model_service(model_max_retries=0, model_timeout_s=5.0):
        yield item


def _import(dialect_source: str = DDL, **sources: str) -> pb.ImportSchemaRequest:
    return pb.ImportSchemaRequest(
        source_kind="sql", dialect="postgres", source=dialect_source, sources=sources
    )


async def test_the_model_reads_the_names_and_its_reading_is_checked_shown_and_cached(
    live: Live, api: respx.Route
) -> None:
    api.side_effect = [final(READING)]
    got = await live.stub.ImportSchema(_import(**{"acct.acct_cd": "username"}), timeout=20)
    assert got.sources["acct.cust_nm"] == "full_name", list(got.warnings)
    assert got.sources["acct.dlv_cty"] == "city"
    assert got.sources["acct.acct_cd"] == "username"  # the client's own, not asked of the model
    warnings = "\n".join(got.warnings)
    assert "acct.cust_nm: read by the model as full_name (customer name)" in warnings
    assert "acct.zzz: the model chose 'horoscope', which is no value source; generic values" in warnings
    assert "acct.nope: the model named a column it was not asked about; ignored" in warnings
    sent = json.dumps(json.loads(api.calls[0].request.content)["messages"])
    assert "acct.cust_nm: TEXT" in sent and "acct.acct_cd" in sent and "samples" not in sent
    req = pb.GenerateRequest(entity="acct", schema_id=got.schema_id, count=20, seed=1)
    rows = json.loads((await live.stub.GenerateData(req)).data)
    assert all(" " in r["cust_nm"] for r in rows)  # full names
    again = await live.stub.ImportSchema(_import(), timeout=20)  # the same schema: no second request
    assert api.call_count == 1 and again.sources["acct.cust_nm"] == "full_name"


async def test_a_failing_model_leaves_the_import_working_and_says_so(live: Live, api: respx.Route) -> None:
    api.side_effect = [error(500, "api_error")] * 3
    got = await live.stub.ImportSchema(_import(DDL.replace("acct", "acct2")), timeout=20)
    assert got.schema_id and any("the model could not read them" in w for w in got.warnings)


async def test_without_a_model_the_unread_names_are_listed() -> None:
    async for plain in live_service(make_settings()):
        got = await plain.stub.ImportSchema(_import(), timeout=20)
        assert any("column names no rule reads (acct.acct_cd, acct.cust_nm" in w for w in got.warnings)
        assert any("set ANTHROPIC_API_KEY" in w for w in got.warnings)
