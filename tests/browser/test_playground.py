"""The playground used as a person would (issue 17): pick `cart`, set count, seed and a scenario,
preview, open the report, download, and see a bad request's error by the field it names."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from playwright.async_api import Page

from protos.testdata.v1 import test_data_pb2 as pb
from tests.browser.conftest import TOKEN, artifact, record
from tests.service.conftest import Live

pytestmark = pytest.mark.asyncio(loop_scope="module")
AUTH = [("authorization", f"Bearer {TOKEN}")]


async def compose_carts(page: Page) -> None:
    await page.click('#entities button[data-entity="cart"]')
    await page.fill('[name="count"]', "100")
    await page.fill('[name="seed"]', "7")
    await page.click('summary:has-text("Scenarios")')
    await page.click("#add-scenario")
    await page.click("#add-scenario")
    boxes = page.locator("#scenarios .item input")
    await boxes.nth(0).fill("high_value")
    await boxes.nth(1).fill("10")
    await boxes.nth(3).fill("happy_path")  # no count: the rest


def carts(fmt: int) -> pb.GenerateRequest:
    return pb.GenerateRequest(
        entity="cart", count=100, seed=7, output_format=fmt,
        scenarios=[pb.Scenario(name="high_value", count=10), pb.Scenario(name="happy_path")],
    )  # fmt: skip


async def test_compose_preview_report_and_download(page: Page, live: Live) -> None:
    await compose_carts(page)
    await page.click("#preview")
    await page.wait_for_selector("#shown-in")
    rows = page.locator("#tab-rows > .scroll > table.rows > tbody > tr")
    assert await rows.count() == 100
    # The rows are the stream's own, tagged with their scenario.
    stream = [c async for c in live.stub.GenerateDataStream(carts(pb.JSONL), metadata=AUTH)]
    first = json.loads("".join(c.data for c in stream).splitlines()[0])
    assert first["cart_id"] in await rows.nth(0).inner_text()
    assert await page.locator(".badge.scenario", has_text="high_value").count() == 10
    meta = await page.inner_text("#meta")
    assert "path traditional" in meta and "seed 7" in meta and "cache miss" in meta
    ms = int(await page.get_attribute("#meta", "data-ms") or -1)
    record("preview of 100 carts", {"ms_click_to_table": ms})
    await page.screenshot(path=artifact("1-preview.png"))

    await page.click('[data-tab="report"]')
    await page.wait_for_selector("#pass-rate")
    assert await page.inner_text("#pass-rate") == "100%"
    report = await page.inner_text("#report")
    assert "100 rows measured" in report and "high_value: 10" in report and "happy_path: 90" in report
    assert await page.locator('#report .card[data-field="total"] svg rect.bar').count() == 10  # histogram
    assert await page.locator('#report .card[data-field="currency"] svg rect.bar').count() >= 1  # top values
    created = page.locator('#report .card[data-field="created_at"]')
    assert await created.locator('svg[data-chart="by hour (UTC)"] rect.bar').count() == 24
    assert await created.locator('svg[data-chart="by weekday"] rect.bar').count() == 7
    await page.screenshot(path=artifact("2-report.png"), full_page=True)

    for fmt in ("CSV", "JSONL", "SQL"):
        await page.select_option('[name="output_format"]', fmt)
        async with page.expect_download() as info:
            await page.click("#download")
        got = Path(await (await info.value).path()).read_bytes()
        same = [c.data async for c in live.stub.GenerateDataStream(carts(getattr(pb, fmt)), metadata=AUTH)]
        assert got == "".join(same).encode(), fmt
    await page.select_option('[name="output_format"]', "JSON")
    async with page.expect_download() as info:
        await page.click("#download")
    whole = json.loads(Path(await (await info.value).path()).read_text())
    chunks = [c.data async for c in live.stub.GenerateDataStream(carts(pb.JSON), metadata=AUTH)]
    assert whole == [r for c in chunks for r in json.loads(c)]  # chunks are arrays each: the same records


async def test_the_copied_grpcurl_command_is_the_same_request(page: Page, live: Live) -> None:
    await compose_carts(page)
    await page.click("#preview")
    await page.wait_for_selector("#shown-in")
    await page.click('[data-tab="copy"]')
    command = shlex.split((await page.inner_text("#grpcurl")).replace("\\\n", " "))
    assert command[-1] == "testdata.v1.TestDataService/GenerateData"
    assert command[-2] == f"127.0.0.1:{live.service.grpc_port}"
    assert "authorization: Bearer $TDA_TOKEN" in command and TOKEN not in " ".join(command)
    sent = json.loads(command[command.index("-d") + 1])
    from google.protobuf import json_format

    got = await live.stub.GenerateData(json_format.ParseDict(sent, pb.GenerateRequest()), metadata=AUTH)
    rows = page.locator("#tab-rows > .scroll > table.rows > tbody > tr")
    assert json.loads(got.data)[99]["cart_id"] in (await rows.nth(99).text_content() or "")
    cli = await page.inner_text("#cli")
    assert cli.startswith("test-data-agent generate cart --count 100 --format json --seed '7'")
    assert "scenarios" in await page.inner_text("#cli-note")  # the CLI has no flag for them, and says so


async def test_errors_show_by_the_field_the_status_names(page: Page, live: Live) -> None:
    await compose_carts(page)
    await page.fill('[name="count"]', "-1")
    await page.click("#preview")
    error = page.locator('[data-error-for="count"]')
    await error.wait_for()
    import grpc

    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await live.stub.GenerateData(pb.GenerateRequest(entity="cart", count=-1), metadata=AUTH)
    assert await error.inner_text() == f"INVALID_ARGUMENT: {exc.value.details()}"
    await page.screenshot(path=artifact("3-error-by-field.png"))

    # Scenario counts that do not add up: shown under the scenarios, and a download says the same.
    await page.fill('[name="count"]', "100")
    await page.locator("#scenarios .item button").nth(1).click()  # drop happy_path: 10 of 100 left
    await page.click("#download")
    scenarios = page.locator('[data-error-for="scenarios"]')
    await scenarios.wait_for()
    assert "scenario counts add up to 10 but count is 100" in await scenarios.inner_text()
    assert await page.inner_text('[data-error-for="count"]') == ""  # the old error is gone

    # An unknown entity in a pasted schema request: NOT_FOUND by the entity; the server keeps serving.
    await page.evaluate("""() => { const s = document.querySelector('[name="entity"]');
        s.append(new Option('spaceship')); s.value = 'spaceship'; }""")
    await page.click("#preview")
    entity = page.locator('[data-error-for="entity"]')
    await entity.wait_for()
    assert (await entity.inner_text()).startswith("NOT_FOUND: ") and "spaceship" in await entity.inner_text()
    assert (await live.stub.GetSchemas(pb.GetSchemasRequest(), metadata=AUTH)).schemas


async def test_first_load_is_small(page: Page) -> None:
    sizes = await page.evaluate("""() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const res = performance.getEntriesByType('resource');
        return {page: nav.transferSize, resources: res.map(r => [r.name, r.transferSize])}; }""")
    total = sizes["page"] + sum(n for _, n in sizes["resources"])
    record("first load", {"bytes_transferred": total, "requests": 1 + len(sizes["resources"])})
    assert 0 < total < 300_000  # the bound: what a person waits for on first load
