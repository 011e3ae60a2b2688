"""The playground's other two modes in a real browser: a linked dataset (records per entity, the
foreign-key graph, one SQL file or a zip of one file per entity) and a schema pasted by the user."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from playwright.async_api import Page

from protos.testdata.v1 import test_data_pb2 as pb
from tests.browser.conftest import TOKEN, artifact
from tests.service.conftest import Live

pytestmark = pytest.mark.asyncio(loop_scope="module")
AUTH = [("authorization", f"Bearer {TOKEN}")]


def family(fmt: int) -> pb.DatasetRequest:
    return pb.DatasetRequest(entities=[pb.EntityCount(entity="customer", count=4)], seed=5, output_format=fmt)


async def test_a_linked_dataset_previews_reports_and_downloads(page: Page, live: Live) -> None:
    await page.check('input[name="mode"][value="dataset"]')
    await page.select_option("#roots .item select", "customer")
    await page.fill("#roots .item input", "4")
    await page.fill('[name="seed"]', "5")
    await page.click("#preview")
    await page.wait_for_selector("#shown-in")
    chunks = [c async for c in live.stub.GenerateDataset(family(pb.JSONL), metadata=AUTH)]
    made: dict[str, int] = {}
    for c in chunks:
        made[c.entity] = made.get(c.entity, 0) + len(c.data.splitlines())
    shown = await page.inner_text("#tab-rows")
    assert all(f"{entity} {n}" in shown for entity, n in made.items())  # records per entity, as made

    await page.click('[data-tab="report"]')
    await page.wait_for_selector("#report svg.graph")
    assert await page.locator("#report svg.graph line.edge").count() >= len(made) - 1  # every child hangs
    assert "order.customer_id → customer" in await page.inner_text("#report")
    await page.screenshot(path=artifact("4-dataset-report.png"), full_page=True)

    await page.select_option('[name="output_format"]', "SQL")
    async with page.expect_download() as info:
        await page.click("#download")
    sql = Path(await (await info.value).path()).read_text()
    same = [c.data async for c in live.stub.GenerateDataset(family(pb.SQL), metadata=AUTH)]
    assert sql == "".join(same)  # one file, in load order

    await page.select_option('[name="output_format"]', "CSV")
    async with page.expect_download() as info:
        await page.click("#download")
    download = await info.value
    assert download.suggested_filename == "dataset.zip"
    with zipfile.ZipFile(io.BytesIO(Path(await download.path()).read_bytes())) as zf:
        files = {name: zf.read(name).decode() for name in zf.namelist()}
    assert set(files) == {f"{e}.csv" for e in made}
    for entity, n in made.items():  # one header, then every record of the entity
        lines = files[f"{entity}.csv"].splitlines()
        assert lines[0].startswith(f"{entity}_id") or "," in lines[0]
        assert sum(1 for line in lines[1:] if line) >= n


async def test_a_pasted_schema_generates_and_reports(page: Page) -> None:
    schema = {
        "name": "ticket",
        "fields": {
            "ticket_id": {"type": "uuid"},
            "email": {"type": "email"},
            "priority": {"type": "enum", "values": ["low", "normal", "urgent"]},
            "minutes_open": {"type": "integer", "min": 1, "max": 600},
        },
    }
    await page.check('input[name="mode"][value="schema"]')
    await page.fill('[name="schema_text"]', json.dumps(schema))
    await page.fill('[name="count"]', "40")
    await page.fill('[name="seed"]', "1")
    await page.click("#preview")
    await page.wait_for_selector("#shown-in")
    rows = page.locator("#tab-rows > .scroll > table.rows > tbody > tr")
    assert await rows.count() == 40
    await page.click('[data-tab="report"]')
    await page.wait_for_selector("#pass-rate")
    card = await page.inner_text('#report .card[data-field="minutes_open"]')
    low, high = card.split("null 0% · ")[1].split(",")[0].split(" … ")
    assert 1 <= float(low) <= float(high) <= 600
    assert "values 3/3" in await page.inner_text('#report .card[data-field="priority"]')

    # Broken JSON in the schema box: the server's words, shown by the schema box.
    await page.fill('[name="schema_text"]', '{"name": "ticket", "fields": ')
    await page.click("#preview")
    error = page.locator('[data-error-for~="custom_schema"]')
    await error.wait_for()
    assert (await error.inner_text()).startswith("INVALID_ARGUMENT: custom_schema")


DDL = """
CREATE TABLE shops (shop_id serial PRIMARY KEY, name varchar(80) NOT NULL, country char(2) NOT NULL);
CREATE TABLE sales (
  sale_id bigserial PRIMARY KEY,
  shop_id integer NOT NULL REFERENCES shops (shop_id),
  amount numeric(10, 2) NOT NULL CHECK (amount > 0 AND amount <= 5000),
  status text NOT NULL CHECK (status IN ('open', 'paid', 'void')),
  note text CHECK (lower(note) = note),
  sold_at timestamptz NOT NULL
);
"""


async def preview_ddl(page: Page, count: int, seed: int) -> None:
    """Paste the DDL as a PostgreSQL import and preview: the page imports it, then shows its first table."""
    await page.check('input[name="mode"][value="schema"]')
    await page.select_option('[name="schema_kind"]', "import:sql:postgres")
    await page.fill('[name="schema_text"]', DDL)
    await page.fill('[name="count"]', str(count))
    await page.fill('[name="seed"]', str(seed))
    await page.click("#preview")
    await page.wait_for_selector("#shown-in")


async def test_an_imported_ddl_schema_generates_and_reports(page: Page, live: Live) -> None:
    await preview_ddl(page, 30, 2)
    assert await page.locator('[name="import_entity"] option').all_inner_texts() == ["shops", "sales"]
    # What the import could not carry is listed, each with where it is (the CHECK on lower(note)).
    notes = await page.inner_text("#import-notes")
    assert "sales: CHECK (LOWER(note) = note); not enforced" in notes, notes
    await page.select_option('[name="import_entity"]', "sales")
    await page.click("#preview")
    # serial keys are the database's to make: the rows start at shop_id, a key into shops.
    await page.locator("#tab-rows th", has_text="sold_at").wait_for()
    assert await page.locator("#tab-rows th").nth(2).inner_text() == "shop_id"
    info = await page.inner_text("#entity-info")  # the imported table's fields, shown
    assert "amount" in info and "max 5000" in info and "null" not in info.split("\n")
    await page.click('[data-tab="report"]')
    await page.wait_for_selector("#pass-rate")
    amount = await page.inner_text('#report .card[data-field="amount"]')
    low, high = amount.split("null 0% · ")[1].split(",")[0].split(" … ")
    assert 0 < float(low) <= float(high) <= 5000
    assert "values 3/3" in await page.inner_text('#report .card[data-field="status"]')
    await page.screenshot(path=artifact("5-imported-ddl.png"), full_page=True)

    # A statement the parser cannot read: the import's own error, by the schema box.
    await page.fill('[name="schema_text"]', "CREATE TABLE (;")
    await page.click("#preview")
    error = page.locator('[data-error-for~="source"]')
    await error.wait_for()
    assert (await error.inner_text()).startswith("INVALID_ARGUMENT: source")


async def test_an_imported_ddl_schema_as_a_linked_dataset(page: Page, live: Live) -> None:
    await preview_ddl(page, 6, 4)
    await page.check('[name="linked"]')  # now every table, keys drawn from their parents
    await page.click("#preview")
    await page.locator("#tab-rows", has_text="sales 12").wait_for()  # 2 sales per shop by default
    assert "shops 6" in await page.inner_text("#tab-rows")
    await page.click('[data-tab="report"]')
    await page.wait_for_selector("#report svg.graph")
    assert (
        await page.locator("#report svg.graph line.edge").count() == 1
    )  # a flat line: counted, not "visible"
    assert "sales.shop_id → shops" in await page.inner_text("#report")

    await page.select_option('[name="output_format"]', "SQL")
    async with page.expect_download() as info:
        await page.click("#download")
    sql = Path(await (await info.value).path()).read_text()
    assert sql.count('INSERT INTO "shops"') == 1 and "OVERRIDING SYSTEM VALUE" in sql
    await page.click('[data-tab="copy"]')
    cli = await page.inner_text("#cli")
    assert (
        cli
        == "test-data-agent seed postgresql://localhost/DB --ddl schema.sql --rows shops=6 --seed 4 --dry-run"
    )
    await page.screenshot(path=artifact("6-imported-linked.png"), full_page=True)
