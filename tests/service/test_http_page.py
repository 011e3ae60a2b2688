"""The page and the /api/ endpoints it alone uses, over HTTP against the real server: the page's files
with a policy that runs only its own scripts; preview, linked datasets and form-post downloads."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from protos.testdata.v1 import test_data_pb2 as pb
from tests.service.conftest import Live, live_service, make_settings

pytestmark = pytest.mark.asyncio(loop_scope="module")
TOKEN = "http-page-token-0123456789"
AUTH = {"authorization": f"Bearer {TOKEN}"}
GRPC_AUTH = [("authorization", f"Bearer {TOKEN}")]
OTHER = "another-team-token-0123456789"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live() -> AsyncIterator[Live]:
    async for item in live_service(make_settings(api_tokens=f"{TOKEN},{OTHER}", report_max_rows=50)):
        yield item


async def test_the_page_is_served_with_its_own_scripts_only(live: Live) -> None:
    async with httpx.AsyncClient(base_url=live.http) as http:
        page = await http.get("/")  # open, like /health: it holds no data; /api/ asks for the token
        assert page.status_code == 200 and "/static/app.js" in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        for name in ("app.js", "report.js", "style.css"):
            assert (await http.get(f"/static/{name}")).status_code == 200
        assert (await http.get("/static/../settings.py")).status_code == 404
        info = (await http.get("/api/info")).json()
        assert info == {
            "grpc_port": live.service.grpc_port,
            "tokens_required": True,
            "report_max_rows": 50,
            "max_sync_records": 10_000,
        }


async def test_a_preview_is_the_streams_first_rows_in_both_forms(live: Live) -> None:
    request = {"entity": "order", "count": 5000, "seed": 4, "output_format": "CSV"}
    async with httpx.AsyncClient(base_url=live.http) as http:
        got = (await http.post("/api/preview?rows=20", json=request, headers=AUTH)).json()
        too_many = await http.post("/api/preview?rows=5000", json=request, headers=AUTH)
    # The CSV text is the same rows as the records though no seed was sent (one draw, not two).
    unseeded = {"entity": "order", "count": 50, "output_format": "CSV"}
    async with httpx.AsyncClient(base_url=live.http) as http:
        same = (await http.post("/api/preview?rows=5", json=unseeded, headers=AUTH)).json()
        not_utf8 = await http.post("/api/preview", content=b"\xff\xfe{", headers=AUTH)
    assert [r["order_id"] for r in same["rows"]] == [
        line.split(",")[0].strip('"') for line in same["text"].splitlines()[1:]
    ]
    assert not_utf8.status_code == 400 and "not a GenerateRequest" in not_utf8.json()["message"]
    assert too_many.json() == {
        "code": "INVALID_ARGUMENT",
        "message": "rows: Input should be less than or equal to 1000",
    }
    stream = live.stub.GenerateDataStream(
        pb.GenerateRequest(entity="order", count=5000, seed=4, output_format=pb.JSONL), metadata=GRPC_AUTH
    )
    first = []
    async for chunk in stream:
        first += chunk.data.splitlines()
        if len(first) >= 20:
            break
    stream.cancel()
    assert got["rows"] == [json.loads(line) for line in first[:20]]
    csv = got["text"].splitlines()
    assert len(csv) == 21 and csv[0].startswith("order_id,") and got["rows"][19]["order_id"] in csv[20]
    assert got["metadata"]["seed"] == "4" and got["metadata"]["generation_path"] == "traditional"


async def test_the_report_reads_the_request_as_sent_up_to_its_row_limit(live: Live) -> None:
    # Scenario counts that add up to the count: the report must not shrink the count to its limit
    # (they would no longer add up); it reads the request's first rows.
    scenarios = [{"name": "happy_path", "count": 450}, {"name": "high_value", "count": 50}]
    request = {"entity": "cart", "count": 500, "seed": 3, "chunk_size": 20, "scenarios": scenarios}
    async with httpx.AsyncClient(base_url=live.http) as http:
        got = await http.post("/api/report", json=request, headers=AUTH)
    assert got.status_code == 200, got.text
    assert got.json()["rows"] == 50 and got.json()["row_limit"] == 50  # REPORT_MAX_ROWS=50 here


async def test_a_form_post_downloads_with_the_token_in_the_form(live: Live) -> None:
    request = json.dumps({"entity": "cart", "count": 30, "seed": 1, "output_format": "JSONL"})
    async with httpx.AsyncClient(base_url=live.http) as http:
        got = await http.post("/api/download", data={"request": request, "token": TOKEN})
        refused = await http.post("/api/download", data={"request": request, "token": "wrong"})
        bad = await http.post(
            "/api/download", data={"request": json.dumps({"entity": "cart", "count": -3}), "token": TOKEN}
        )
    same = pb.GenerateRequest(entity="cart", count=30, seed=1, output_format=pb.JSONL)
    chunks = [c.data async for c in live.stub.GenerateDataStream(same, metadata=GRPC_AUTH)]
    assert got.status_code == 200 and got.text == "".join(chunks)
    assert refused.status_code == 401
    assert bad.status_code == 400 and bad.json()["message"].startswith("count: ")


async def test_a_dataset_previews_with_counts_graph_and_reports(live: Live) -> None:
    request = {"entities": [{"entity": "customer", "count": 3}], "seed": 8}
    async with httpx.AsyncClient(base_url=live.http, timeout=30) as http:
        got = (await http.post("/api/dataset?rows=2", json=request, headers=AUTH)).json()
        starship = {"entities": [{"entity": "starship", "count": 1}]}
        bad = await http.post("/api/dataset", json=starship, headers=AUTH)
    made: dict[str, int] = {}
    three = [pb.EntityCount(entity="customer", count=3)]
    ask = pb.DatasetRequest(entities=three, seed=8, output_format=pb.JSONL)
    async for chunk in live.stub.GenerateDataset(ask, metadata=GRPC_AUTH):
        made[chunk.entity] = made.get(chunk.entity, 0) + len(chunk.data.splitlines())
    assert got["counts"] == made and all(len(rows) <= 2 for rows in got["rows"].values())
    assert {"from": "order.customer_id", "to": "customer"} in got["graph"]
    assert got["reports"]["order"]["rows"] == min(made["order"], 50)
    assert got["reports"]["order"]["rule_pass_rate"] == 1.0
    assert bad.status_code == 404 and "starship" in bad.json()["message"]


@pytest.mark.parametrize("fmt", ["JSON", "JSONL", "CSV"])
async def test_a_dataset_downloads_as_a_zip_of_one_file_per_entity(live: Live, fmt: str) -> None:
    # 300 customers: several chunks of the bigger entities, so the joins between chunks are tested.
    request = {"entities": [{"entity": "customer", "count": 300}], "seed": 8, "output_format": fmt}
    async with httpx.AsyncClient(base_url=live.http, timeout=60) as http:
        got = await http.post("/api/dataset/download", json=request, headers=AUTH)
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    ask = pb.DatasetRequest(
        entities=[pb.EntityCount(entity="customer", count=300)], seed=8, output_format=getattr(pb, fmt)
    )
    chunks: dict[str, list[str]] = {}
    async for chunk in live.stub.GenerateDataset(ask, metadata=GRPC_AUTH):
        chunks.setdefault(chunk.entity, []).append(chunk.data)
    with zipfile.ZipFile(io.BytesIO(got.content)) as zf:
        assert sorted(zf.namelist()) == sorted(f"{e}.{fmt.lower()}" for e in chunks)
        for entity, parts in chunks.items():
            text = zf.read(f"{entity}.{fmt.lower()}").decode()
            if fmt == "JSON":  # the entity's arrays as one
                assert json.loads(text) == [r for p in parts for r in json.loads(p)]
            elif fmt == "CSV":  # one header, then every record of the entity once
                table = list(csv.reader(io.StringIO(text)))
                first = list(csv.reader(io.StringIO(parts[0])))
                records = [row for p in parts for row in csv.reader(io.StringIO(p)) if row != first[0]]
                assert table[0] == first[0] and table[1:] == records
            else:
                assert text == "".join(parts)
        assert any(len(parts) > 1 for parts in chunks.values())  # some entity came in several chunks


async def test_an_imported_schema_reports_for_its_importer_only(live: Live) -> None:
    ddl = "CREATE TABLE parcels (code varchar(12), grams integer NOT NULL CHECK (grams BETWEEN 1 AND 30000));"
    async with httpx.AsyncClient(base_url=live.http) as http:
        got = await http.post(
            "/api/import", json={"source_kind": "sql", "source": ddl, "dialect": "postgres"}, headers=AUTH
        )
        schema_id = got.json()["schema_id"]
        request = {"schema_id": schema_id, "entity": "parcels", "count": 40, "seed": 1}
        mine = (await http.post("/api/report", json=request, headers=AUTH)).json()
        theirs = await http.post("/api/report", json=request, headers={"authorization": f"Bearer {OTHER}"})
        bad = await http.post("/api/import", json={"source_kind": "cobol", "source": "x"}, headers=AUTH)
    assert (
        mine["rows"] == 40 and 1 <= mine["fields"]["grams"]["min"] <= mine["fields"]["grams"]["max"] <= 30000
    )
    assert theirs.status_code == 404 and theirs.json()["message"].startswith("schema_id: ")
    assert bad.status_code == 400 and bad.json()["message"].startswith("source_kind: ")


async def test_a_dataset_over_an_imported_schema_previews_with_its_own_keys(live: Live) -> None:
    ddl = """CREATE TABLE teams (id integer PRIMARY KEY, name varchar(40) NOT NULL);
             CREATE TABLE players (id integer PRIMARY KEY, team_id integer NOT NULL REFERENCES teams (id),
                                   goals integer NOT NULL CHECK (goals BETWEEN 0 AND 40));"""
    async with httpx.AsyncClient(base_url=live.http, timeout=30) as http:
        imported = await http.post(
            "/api/import", json={"source_kind": "sql", "source": ddl, "dialect": "postgres"}, headers=AUTH
        )
        request = {"schema_id": imported.json()["schema_id"], "entities": [{"entity": "teams", "count": 4}]}
        got = (await http.post("/api/dataset", json=request, headers=AUTH)).json()
    assert got["counts"] == {"teams": 4, "players": 8}
    assert got["metadata"]["import_notes"] == ""  # nothing left out of this schema
    assert got["graph"] == [{"from": "players.team_id", "to": "teams"}]
    goals = got["reports"]["players"]["fields"]["goals"]
    assert 0 <= goals["min"] <= goals["max"] <= 40
    teams = {t["id"] for t in got["rows"]["teams"]}
    assert {p["team_id"] for p in got["rows"]["players"]} <= teams
