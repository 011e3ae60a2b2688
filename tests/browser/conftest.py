"""The playground in a real browser: Debian's chromium (/usr/bin/chromium, which .ci/run installs when
missing) driven by Playwright, against a real server on random ports. Screenshots and the page's
measurements go to var/test-artifacts/browser/ (BROWSER_ARTIFACTS to move them)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright

from tests.service.conftest import Live, live_service, make_settings

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# As root, with no network: no sandbox, and none of Chromium's own calls home (they would be refused).
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
    "--disable-background-networking", "--disable-component-update",
]  # fmt: skip
TOKEN = "browser-test-token-0123456789"
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS", "var/test-artifacts/browser"))


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def live() -> AsyncIterator[Live]:
    async for item in live_service(make_settings(api_tokens=TOKEN)):
        yield item


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"no browser at {CHROMIUM}: apt-get install chromium (.ci/run does), or set CHROMIUM")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        await browser.close()


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser: Browser, live: Live) -> AsyncIterator[Page]:
    """A fresh page, its token entered once as a person would when the page asks for it."""
    context = await browser.new_context(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
    page = await context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    await page.goto(live.http + "/")
    await page.fill("#token", TOKEN)
    await page.click("#token-bar button")
    await page.wait_for_selector("body[data-ready]")
    yield page
    await context.close()
    assert not problems, f"the page's scripts failed: {problems}"


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


def record(name: str, values: dict[str, Any]) -> None:
    """A measurement, reported (printed and written beside the screenshots), never asserted on time."""
    print(f"\n{name}: {values}")
    path = artifact("measurements.json")
    got = json.loads(path.read_text()) if path.exists() else {}
    got[name] = values
    path.write_text(json.dumps(got, indent=1))
