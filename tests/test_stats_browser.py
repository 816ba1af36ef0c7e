"""The /stats page in headless Chromium (Debian's, driven by Playwright): it renders
under its own Content-Security-Policy, with no console error, and the date form works
without a script. A screenshot goes to ``$FEEDSRV_ARTIFACTS`` (pytest's temporary
directory when unset; CI keeps its own)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import ConsoleMessage, async_playwright

from feedsrv.web.handlers import nosniff
from feedsrv.web.stats_page import setup_stats_page
from statsreports import AGGREGATORS, FixedSource
from tooling import require_program

TOKEN = "browser-stats-token"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    directory = Path(os.environ.get("FEEDSRV_ARTIFACTS") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


async def test_stats_page_in_headless_chromium(aiohttp_server, artifacts: Path) -> None:
    chromium = require_program("chromium", package="chromium")
    app = web.Application(middlewares=[nosniff])
    source = FixedSource()
    setup_stats_page(app, source, TOKEN)
    server = await aiohttp_server(app, host="127.0.0.1")
    url = f"http://127.0.0.1:{server.port}/stats?since=2026-09-08&until=2026-12-06&feed=%2Ffeeds%2Fall.rss"
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        # A blocked stylesheet or any other refusal of the CSP is logged as an error.
        if message.type in ("error", "warning"):
            problems.append(f"{message.type}: {message.text}")

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        try:
            context = await browser.new_context(viewport={"width": 1100, "height": 900},
                                                http_credentials={"username": "editor", "password": TOKEN})
            page = await context.new_page()
            page.on("console", console)
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            response = await page.goto(url)
            assert response is not None and response.status == 200
            assert await page.title() == "Subscriber statistics, 2026-09-08 to 2026-12-06"
            # The stylesheet applied: it is allowed by its digest.
            assert await page.evaluate("getComputedStyle(document.body).maxWidth") == "992px"
            charts = page.locator("svg.chart")
            assert await charts.count() == 4
            for index in range(4):
                box = await charts.nth(index).bounding_box()
                assert box is not None and box["width"] > 900 and box["height"] > 200, (index, box)
            bars = page.locator("svg.chart rect[fill='#009E73']")
            assert await bars.count() > 100
            box = await bars.nth(60).bounding_box()
            assert box is not None and box["width"] > 5 and box["height"] > 10, box
            sparks = page.locator("svg.spark")
            assert await sparks.count() == 3
            for index in range(3):
                box = await sparks.nth(index).bounding_box()
                assert box is not None and box["width"] == 120 and box["height"] == 24
            for name in ("direct", "WebSub", *AGGREGATORS, "304 not modified"):
                assert await page.locator("svg.chart text", has_text=name).first.is_visible(), name
            assert await page.get_by_role("img", name="Subscribers of all feeds by source, 90 days from "
                                          "2026-09-08 to 2026-12-06").is_visible()
            assert await page.get_by_role("cell", name="/feeds/all.atom", exact=True).is_visible()
            await page.screenshot(path=str(artifacts / "stats-page.png"), full_page=True)

            # The date form is a plain GET to the page itself: no script, same credentials.
            await page.fill("input[name=since]", "2026-11-07")
            async with page.expect_navigation():
                await page.click("button[type=submit]")
            assert "since=2026-11-07" in page.url and "feed=%2Ffeeds%2Fall.rss" in page.url
            assert await page.locator("p.meta").inner_text() != ""
            assert (await page.locator("p.meta").inner_text()).startswith("30 days, 2026-11-07 to 2026-12-06")
            await page.screenshot(path=str(artifacts / "stats-page-30-days.png"), full_page=True)
            await context.close()
        finally:
            await browser.close()
    assert problems == []
    assert source.asked[-1][0].isoformat() == "2026-11-07"
