"""`/metrics` on its own listener: scraped and read with prometheus_client's parser,
in-process and from `feedsrv serve --workers 2`, whose workers' counts add up."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from dataclasses import replace

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import CONFIG, ROOT, SEEDS
from feedsrv.web import LIVE, create_app
from feedsrv.web.metrics import FLUSH_SECONDS, METRICS
from livetools import article, replace_file
from serving import free_port, http_get, server_process
from websubtools import hub_config

FEED = "/feeds/all.atom"


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and labels."""
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def _requests(samples: dict, route: str, status: str, coding: str = "identity") -> float:
    return samples.get(("feedsrv_http_requests_total",
                        (("coding", coding), ("route", route), ("status", status))), 0.0)


@pytest.fixture
def metrics_socket() -> Iterator[socket.socket]:
    """A listening socket for /metrics; ask for it before the app's client, which
    closes its server first."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    yield sock
    sock.close()


async def _scrape(sock: socket.socket) -> tuple[int, str, str]:
    port = sock.getsockname()[1]
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/metrics") as response:
        return response.status, response.headers["Content-Type"], await response.text()


async def test_metrics_count_requests_and_read_the_site_and_the_hub(metrics_socket, aiohttp_client, tmp_path):
    config = replace(hub_config(tmp_path), metrics_listen="127.0.0.1:9100")
    client = await aiohttp_client(create_app(config, watch=False, metrics_sockets=[metrics_socket]))
    gzipped = await client.get(FEED, headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip"
    body = await gzipped.read()
    assert (await client.get(FEED, headers={"Accept-Encoding": "identity",
                                            "If-None-Match": gzipped.headers["ETag"]})).status == 200
    assert (await client.get(FEED, headers={"Accept-Encoding": "gzip",
                                            "If-None-Match": gzipped.headers["ETag"]})).status == 304
    assert (await client.get("/feeds/no-such.atom")).status == 404
    assert (await client.get("/nowhere/at/all")).status == 404
    # The public port has no /metrics.
    assert (await client.get("/metrics")).status == 404

    status, content_type, text = await _scrape(metrics_socket)
    assert status == 200
    assert content_type.startswith("text/plain; version=")
    samples = _samples(text)
    assert _requests(samples, "feed", "200", "gzip") == 1
    assert _requests(samples, "feed", "200") == 1
    # A 304 has no body, and so no coding.
    assert _requests(samples, "feed", "304") == 1
    assert _requests(samples, "feed", "404") == 1
    assert _requests(samples, "unmatched", "404") == 2
    site = client.app[LIVE].site
    sent = site.resource(FEED).variants
    assert samples["feedsrv_http_response_bytes_total", (("coding", "gzip"), ("route", "feed"))] == len(
        sent["gzip"].body)
    assert samples["feedsrv_http_response_bytes_total", (("coding", "identity"), ("route", "feed"))] == len(
        body) + len(b"404: no such page: /feeds/no-such.atom\n")
    assert samples["feedsrv_articles", ()] == len(site.catalog.entries) > 0
    assert samples["feedsrv_feeds", ()] == len(site.catalog.feeds) > 0
    assert samples["feedsrv_parse_warnings", ()] == len(site.loaded.warnings)
    assert samples["feedsrv_websub_subscriptions", ()] == 0
    assert samples["feedsrv_websub_queue_length", ()] == 0
    assert samples["feedsrv_websub_deliveries_total", ()] == 0
    assert samples["feedsrv_websub_delivery_failures_total", ()] == 0
    assert samples["feedsrv_reload_duration_seconds_count", ()] == 0

    # A reload: timed, and its changed documents rendered after it, each timed too.
    replace_file(config.articles_dir / "delta.txt", article("Delta", author="Dana Weber", outlet="Civic Ledger"))
    await client.app[LIVE].reload()
    samples = _samples((await _scrape(metrics_socket))[2])
    assert samples["feedsrv_reload_duration_seconds_count", ()] == 1
    assert 0 < samples["feedsrv_reload_duration_seconds_sum", ()] < 60
    assert samples["feedsrv_render_duration_seconds_count", ()] >= 3  # the feed of all, in three formats
    assert samples["feedsrv_articles", ()] == len(site.catalog.entries) + 1


async def test_metrics_are_off_by_default(aiohttp_client, seed_site):
    assert seed_site.config.metrics_listen == ""
    client = await aiohttp_client(create_app(seed_site.config, site=seed_site))
    assert METRICS not in client.app
    assert client.app[LIVE].timings is None
    assert (await client.get("/metrics")).status == 404


def test_the_metrics_of_two_workers_add_up(tmp_path):
    metrics_port = free_port()
    text = CONFIG.read_text(encoding="utf-8").replace('articles_dir = "../seeds"', f'articles_dir = "{SEEDS}"')
    text = text.replace("[server]\n", f'[server]\nmetrics_listen = "127.0.0.1:{metrics_port}"\n', 1)
    config_path = tmp_path / "feedsrv.toml"
    config_path.write_text(text, encoding="utf-8")
    port = free_port()
    with server_process(["--config", str(config_path), "--workers", "2"], cwd=ROOT, port=port):
        # Each request on a new connection, until both workers answered some.
        feeds_by_pid: dict[int, int] = {}
        while len(feeds_by_pid) < 2 or sum(feeds_by_pid.values()) < 10:
            assert sum(feeds_by_pid.values()) < 500, f"one worker took every connection: {feeds_by_pid}"
            pid = json.loads(http_get(port, "/healthz").body)["pid"]
            assert http_get(port, FEED).status == 200
            feeds_by_pid[pid] = feeds_by_pid.get(pid, 0) + 1
        # The other worker's counts reach the scrape within FLUSH_SECONDS.
        deadline = time.monotonic() + 10 * FLUSH_SECONDS
        while True:
            scraped = http_get(metrics_port, "/metrics")
            assert scraped.status == 200
            samples = _samples(scraped.body.decode())
            if _requests(samples, "feed", "200") == sum(feeds_by_pid.values()) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert _requests(samples, "feed", "200") == sum(feeds_by_pid.values()), feeds_by_pid
        assert samples["feedsrv_articles", ()] == 2
        assert samples["feedsrv_websub_queue_length", ()] == 0
        # Served on its own port only.
        assert http_get(port, "/metrics").status == 404
