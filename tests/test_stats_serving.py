"""Statistics through the real app: feeds served, counted, flushed, and shown at
/api/stats and by `feedsrv stats`.

The test client is on loopback, which polite polling exempts: the gate here does
not, so that a 429 is counted too. Every client shares the peer address 127.0.0.1
(the app reads no X-Forwarded-For), so clients are told apart by User-Agent."""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import signal
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from conftest import SEEDS
from feedsrv.cli import main
from feedsrv.config import SiteConfig
from feedsrv.site import build_site
from feedsrv.stats import StatsStore
from feedsrv.web import create_app
from feedsrv.web.polling import poll_gate
from feedsrv.web.stats import STATS_COLLECTOR, flush_stats
from feedsrv.websub import WEBSUB
from feedsrv.websub.store import Subscription
from serving import free_port, server_process

FEED = "/feeds/all.atom"
TOKEN = "stats-token"
READER_A = "reader-a/1.0 (private-ua-marker-a)"
READER_B = "reader-b/2.0 (private-ua-marker-b)"
FEEDLY = "Feedly/1.0 (+http://www.feedly.com/fetcher.html; {} subscribers; feed-id={})"


@pytest.fixture
def stats_config(seed_config: SiteConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SiteConfig:
    monkeypatch.delenv("FEEDSRV_API_TOKEN", raising=False)
    return replace(seed_config, api_token=TOKEN, min_poll_interval=1.0,
                   websub=replace(seed_config.websub, database=tmp_path / "websub.sqlite3"))


async def _app(aiohttp_client, config: SiteConfig):
    site = build_site(config)
    app = create_app(config, site=site, watch=False, polling=poll_gate(config, exempt_loopback=False))
    return await aiohttp_client(app), app, site


def _basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")}


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


async def _serve_the_scenario(client, app, config: SiteConfig) -> str:
    """Two readers, Feedly under two feed ids, a WebSub subscriber; the ETag of the
    gzip variant."""
    gzip = {"Accept-Encoding": "gzip"}
    first = await client.get(FEED, headers={**gzip, "User-Agent": READER_A})
    assert first.status == 200
    etag = first.headers["ETag"]
    revalidated = await client.get(FEED, headers={**gzip, "User-Agent": READER_A, "If-None-Match": etag})
    assert revalidated.status == 304
    refused = await client.get(FEED, headers={**gzip, "User-Agent": READER_A})
    assert refused.status == 429
    # The gate knows clients by address, which every client here shares.
    await asyncio.sleep(int(refused.headers["Retry-After"]))
    plain = await client.get(FEED, headers={"Accept-Encoding": "identity", "User-Agent": READER_B})
    assert plain.status == 200
    for count in (120, 123, 125):
        polled = await client.get(FEED, headers={**gzip, "User-Agent": FEEDLY.format(count, "one"),
                                                 "If-None-Match": etag})
        assert polled.status == 304
    other_id = await client.get(FEED, headers={**gzip, "User-Agent": FEEDLY.format(10, "two"), "If-None-Match": etag})
    assert other_id.status == 304
    # Not a feed document: not counted.
    assert (await client.get("/", headers={"User-Agent": READER_A})).status == 200
    now = time.time()
    await asyncio.to_thread(app[WEBSUB].store.subscribe, Subscription(
        "https://subscriber.example/callback", config.url(FEED), None, 86_400, now + 86_400), {}, now=now)
    await flush_stats(app)
    return etag


async def test_requests_are_counted_and_flushed_to_the_store(aiohttp_client, stats_config: SiteConfig):
    client, app, site = await _app(aiohttp_client, stats_config)
    await _serve_the_scenario(client, app, stats_config)
    resource = site.resource(FEED)
    assert resource is not None
    identity, gzipped = len(resource.identity.body), len(resource.variants["gzip"].body)

    today = datetime.now(UTC).date()
    report = StatsStore(path=stats_config.stats_database).report(today, today)
    assert [feed.path for feed in report.feeds] == [FEED]
    (day,) = report.feeds[0].days
    assert day.day == today
    assert (day.requests, day.full, day.not_modified, day.refused) == (8, 2, 5, 1)
    assert day.bytes_sent == gzipped + identity
    # One 304 to reader A and four to Feedly, each sparing the gzip body.
    assert day.bytes_saved_not_modified == 5 * gzipped
    assert day.bytes_saved_compression == identity - gzipped
    # Reader A (200, 304 and 429) and reader B; Feedly is no direct subscriber.
    assert day.direct_subscribers == 2
    assert day.websub_subscribers == 1
    # Feedly's latest count under feed id "one", never 120 + 123 + 125, plus "two".
    assert day.aggregator_subscribers == (("Feedly", 135),)
    assert day.subscribers == 138


async def test_no_raw_address_or_user_agent_is_stored(aiohttp_client, stats_config: SiteConfig):
    client, app, _ = await _app(aiohttp_client, stats_config)
    await _serve_the_scenario(client, app, stats_config)
    await client.close()
    files = list(stats_config.stats_database.parent.glob(stats_config.stats_database.name + "*"))
    assert stats_config.stats_database in files
    stored = b"".join(path.read_bytes() for path in files)
    assert b"/feeds/all.atom" in stored, "the bytes searched are the store's"
    for secret in (b"127.0.0.1", b"private-ua-marker-a", b"private-ua-marker-b", b"reader-a"):
        assert secret not in stored


async def test_the_api_shows_the_figures_behind_the_token(aiohttp_client, stats_config: SiteConfig):
    client, app, _ = await _app(aiohttp_client, stats_config)
    await _serve_the_scenario(client, app, stats_config)
    anonymous = await client.get("/api/stats")
    assert anonymous.status == 401
    assert anonymous.headers["WWW-Authenticate"] == 'Bearer realm="feedsrv"'
    wrong = await client.get("/api/stats", headers={"Authorization": "Bearer nope"})
    assert wrong.status == 401
    auth = {"Authorization": f"Bearer {TOKEN}"}
    answer = await client.get("/api/stats", headers=auth)
    assert answer.status == 200
    assert answer.headers["Cache-Control"] == "no-store"
    body = await answer.json()
    today = datetime.now(UTC).date()
    assert (body["since"], body["until"]) == ((today - timedelta(days=29)).isoformat(), today.isoformat())
    (feed,) = body["feeds"]
    assert feed["path"] == FEED
    (day,) = feed["days"]
    assert day["day"] == today.isoformat()
    assert {key: day[key] for key in ("requests", "full", "not_modified", "refused", "direct_subscribers",
                                      "websub_subscribers", "aggregator_subscribers", "subscribers")} == {
        "requests": 8, "full": 2, "not_modified": 5, "refused": 1, "direct_subscribers": 2,
        "websub_subscribers": 1, "aggregator_subscribers": {"Feedly": 135}, "subscribers": 138}
    assert body["totals"]["requests"] == 8 and body["totals"]["subscribers"] == 138
    only = await (await client.get(f"/api/stats?feed=/feeds/all.rss&since={_today()}", headers=auth)).json()
    assert only["feeds"] == [] and only["totals"]["requests"] == 0


async def test_the_stats_page_shows_what_was_served(aiohttp_client, stats_config: SiteConfig):
    client, app, _ = await _app(aiohttp_client, stats_config)
    await _serve_the_scenario(client, app, stats_config)
    assert (await client.get("/stats")).status == 401
    assert (await client.get("/stats", headers=_basic("publisher", "nope"))).status == 401
    page = await client.get("/stats", headers=_basic("publisher", TOKEN))
    assert page.status == 200
    html = await page.text()
    # The table row of the feed served: its subscribers on the day by source and
    # its polls, read back from the store the requests were flushed to.
    row = lxml.html.fromstring(html).xpath(f"//tr[td//a[normalize-space()='{FEED}']]")
    assert row, "the feed served has a row"
    cells = [" ".join(cell.text_content().split()) for cell in row[0].xpath("td")]
    assert "138" in cells and "2" in cells and "Feedly 135" in cells and "8" in cells, cells


@pytest.mark.parametrize(("query", "named"), [
    ("since=yesterday", "since"), ("until=2026-02-30", "until"), ("since=2026-13-01", "since"),
    ("since=2026-05-02&until=2026-05-01", "since"), ("since=1900-01-01&until=2026-01-01", "since"),
    ("feed=/etc/passwd", "feed"), ("until=20260501", "until"),
])
async def test_a_bad_parameter_is_a_400_naming_it(aiohttp_client, stats_config: SiteConfig, query: str,
                                                  named: str):
    client, _, _ = await _app(aiohttp_client, stats_config)
    answer = await client.get(f"/api/stats?{query}", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status == 400
    assert (await answer.text()).startswith(f"400: {named}: ")


async def test_without_a_token_there_is_no_stats_api(aiohttp_client, stats_config: SiteConfig):
    client, app, _ = await _app(aiohttp_client, replace(stats_config, api_token=""))
    assert (await client.get("/api/stats")).status == 404
    assert app[STATS_COLLECTOR] is not None, "counting goes on all the same"


async def test_off_nothing_is_counted(aiohttp_client, stats_config: SiteConfig):
    client, app, _ = await _app(aiohttp_client, replace(stats_config, stats_enabled=False))
    assert app[STATS_COLLECTOR] is None
    assert (await client.get(FEED, headers={"User-Agent": READER_A})).status == 200
    assert (await client.get("/api/stats", headers={"Authorization": f"Bearer {TOKEN}"})).status == 404
    await client.close()
    assert not stats_config.stats_database.exists()


async def test_a_full_set_of_clients_is_flushed_before_the_interval_ends(aiohttp_client, stats_config: SiteConfig):
    client, app, _ = await _app(aiohttp_client, replace(stats_config, stats_flush_seconds=3600.0))
    collector = app[STATS_COLLECTOR]
    assert collector is not None
    collector.max_clients = 2
    for reader in ("one", "two"):
        # The second is refused by the gate (same address): a client all the same.
        assert (await client.get(FEED, headers={"User-Agent": reader})).status in (200, 429)
    today = datetime.now(UTC).date()
    store = StatsStore(path=stats_config.stats_database)

    def flushed() -> bool:
        report = store.report(today, today)
        return bool(report.feeds) and report.feeds[0].days[0].direct_subscribers == 2

    for _ in range(100):
        if await asyncio.to_thread(flushed):
            break
        await asyncio.sleep(0.05)
    assert await asyncio.to_thread(flushed)


async def test_shutdown_flushes_what_was_counted(aiohttp_client, stats_config: SiteConfig):
    client, _, _ = await _app(aiohttp_client, replace(stats_config, stats_flush_seconds=3600.0))
    assert (await client.get(FEED, headers={"User-Agent": READER_A})).status == 200
    await client.close()
    today = datetime.now(UTC).date()
    (feed,) = StatsStore(path=stats_config.stats_database).report(today, today).feeds
    assert (feed.days[0].requests, feed.days[0].direct_subscribers) == (1, 1)


async def test_the_command_prints_a_table_per_feed(aiohttp_client, stats_config: SiteConfig, tmp_path: Path):
    client, app, _ = await _app(aiohttp_client, stats_config)
    await _serve_the_scenario(client, app, stats_config)
    await client.close()
    config_file = tmp_path / "feedsrv.toml"
    config_file.write_text(f'[stats]\ndatabase = "{stats_config.stats_database}"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["stats", "--config", str(config_file)], catch_exceptions=False,
                                env={"FEEDSRV_DATABASE_URL": ""})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert FEED in lines
    header = lines[lines.index(FEED) + 1]
    assert header.split() == ["day", "direct", "WebSub", "Feedly", "subscribers", "polls", "304", "%", "refused",
                              "sent", "saved"]
    today_row = next(line for line in lines if line.startswith(_today()))
    total_row = next(line for line in lines if line.startswith("total"))
    assert today_row.split()[:8] == [_today(), "2", "1", "135", "138", "8", "62%", "1"]
    assert total_row.split()[:8] == ["total", "2", "1", "135", "138", "8", "62%", "1"]
    # Aligned: every row of the table is as wide as its header.
    table = lines[lines.index(FEED) + 1:]
    assert len({len(line) for line in table}) == 1

    as_json = CliRunner().invoke(main, ["stats", "--config", str(config_file), "--json", "--feed", FEED,
                                        "--since", _today(), "--until", _today()], env={"FEEDSRV_DATABASE_URL": ""})
    assert as_json.exit_code == 0, as_json.output
    body = json.loads(as_json.output)
    assert body["feeds"][0]["days"][0]["aggregator_subscribers"] == {"Feedly": 135}
    backwards = CliRunner().invoke(main, ["stats", "--config", str(config_file), "--since", "2026-02-02",
                                          "--until", "2026-02-01"], env={"FEEDSRV_DATABASE_URL": ""})
    assert backwards.exit_code == 2 and "--since" in backwards.output


def test_the_workers_of_one_server_flush_into_one_store(tmp_path: Path):
    database = tmp_path / "stats.sqlite3"
    config_file = tmp_path / "feedsrv.toml"
    config_file.write_text(f'[site]\narticles_dir = "{SEEDS}"\nparse_cache = ""\nwatch = "off"\n'
                           f'[stats]\ndatabase = "{database}"\nflush_seconds = 0.5\n'
                           f'[websub]\ndatabase = "{tmp_path / "websub.sqlite3"}"\n', encoding="utf-8")
    port = free_port()
    pids: set[int] = set()
    requests = 0
    with server_process(["--config", str(config_file), "--workers", "2"], cwd=tmp_path, port=port) as supervisor:
        deadline = time.monotonic() + 30
        # New connections until both workers answered, each fetch a reader of its own.
        while len(pids) < 2:
            assert time.monotonic() < deadline, f"workers seen: {pids}"
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                connection.request("GET", "/healthz")
                health = connection.getresponse()
                pids.add(int(json.loads(health.read())["pid"]))
                for _ in range(2):
                    # Twice from the same reader: one subscriber.
                    connection.request("GET", FEED, headers={"User-Agent": f"reader-{requests // 2}"})
                    feed = connection.getresponse()
                    feed.read()
                    assert feed.status == 200
                    requests += 1
            finally:
                connection.close()
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=20) == 0
    today = datetime.now(UTC).date()
    (feed,) = StatsStore(path=database).report(today, today).feeds
    (day,) = feed.days
    assert (day.requests, day.full) == (requests, requests)
    assert day.direct_subscribers == requests // 2
