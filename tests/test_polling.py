"""Polite polling over HTTP: a client fetching a feed whole again too soon gets `429`
with `Retry-After`; conditional requests, polite readers and exempt addresses never do.

The test client is on loopback, which the server always exempts: the gates here are
made with the loopback exemption off, as the operator's exempt ranges are tested."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from ipaddress import ip_network

import pytest

from feedsrv.config import load_config
from feedsrv.errors import ConfigError
from feedsrv.site import build_site
from feedsrv.web import create_app
from feedsrv.web.handlers import POLL_GATE
from feedsrv.web.polling import PollGate, poll_gate

FEED = "/feeds/all.atom"


async def _client(aiohttp_client, config, *, exempt_loopback=False):
    app = create_app(config, site=build_site(config), watch=False,
                     polling=poll_gate(config, exempt_loopback=exempt_loopback))
    return await aiohttp_client(app), app


async def test_a_hammering_client_is_slowed(aiohttp_client, seed_config):
    client, app = await _client(aiohttp_client, replace(seed_config, min_poll_interval=1.0))
    statuses = []
    for _ in range(10):
        response = await client.get(FEED)
        statuses.append(response.status)
        if response.status == 200:
            etag = response.headers["ETag"]
        else:
            refused = response
    assert statuses == [200] + [429] * 9
    assert refused.headers["Retry-After"] == "1"
    assert refused.headers["Cache-Control"] == "no-store"
    assert "If-None-Match" in await refused.text()
    assert app[POLL_GATE].refused == 9
    # Meanwhile a conditional request is answered as ever, and so is another feed.
    revalidated = await client.get(FEED, headers={"If-None-Match": etag})
    assert (revalidated.status, await revalidated.read()) == (304, b"")
    assert (await client.get("/feeds/all.rss")).status == 200
    # A HEAD costs no body: it is not limited.
    assert (await client.head(FEED)).status == 200
    # Waiting as told is enough.
    await asyncio.sleep(int(refused.headers["Retry-After"]))
    again = await client.get(FEED)
    assert again.status == 200
    assert again.headers["ETag"] == etag


async def test_a_polite_reader_polling_every_max_age_never_sees_a_429(aiohttp_client, seed_config):
    # A reader that honours max-age but not the ETag: the worst polite reader.
    client, app = await _client(aiohttp_client, replace(seed_config, cache_max_age=1))
    first = await client.get(FEED)
    max_age = int(re.search(r"max-age=(\d+)", first.headers["Cache-Control"])[1])
    assert (first.status, max_age) == (200, 1)
    for _ in range(3):
        await asyncio.sleep(max_age)
        assert (await client.get(FEED)).status == 200
    # The gate is on all the same: the interval is half max-age, not nothing.
    assert (await client.get(FEED)).status == 429
    assert app[POLL_GATE].refused == 1


async def test_loopback_is_exempt_by_default(aiohttp_client, seed_config):
    client, app = await _client(aiohttp_client, seed_config, exempt_loopback=True)
    assert [(await client.get(FEED)).status for _ in range(5)] == [200] * 5
    assert app[POLL_GATE].refused == 0


async def test_configured_ranges_are_exempt(aiohttp_client, tmp_path, seed_config):
    config_file = tmp_path / "feedsrv.toml"
    config_file.write_text("[server]\npoll_exempt = '10.0.0.0/8, 127.0.0.0/8 ::1'\n", encoding="utf-8")
    exempt = load_config(config_file).poll_exempt
    assert exempt == (ip_network("10.0.0.0/8"), ip_network("127.0.0.0/8"), ip_network("::1/128"))
    client, app = await _client(aiohttp_client, replace(seed_config, poll_exempt=exempt))
    assert [(await client.get(FEED)).status for _ in range(5)] == [200] * 5
    assert app[POLL_GATE].refused == 0


def test_a_bad_range_names_its_key(tmp_path):
    config_file = tmp_path / "feedsrv.toml"
    config_file.write_text("[server]\npoll_exempt = '10.0.0.0/33'\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(config_file)
    assert raised.value.key == "server.poll_exempt"


def test_the_gate_is_per_client_and_feed_and_bounded():
    now = [0.0]
    gate = PollGate(60.0, (ip_network("192.0.2.0/24"),), limit=3, clock=lambda: now[0])
    unconditional: dict[str, str] = {}
    assert gate.wait("203.0.113.1", FEED, unconditional) == 0
    now[0] = 20.5
    assert gate.wait("203.0.113.1", FEED, unconditional) == 40
    assert gate.wait("203.0.113.1", FEED, {"If-Modified-Since": "Thu, 22 Oct 2015 00:00:00 GMT"}) == 0
    assert gate.wait("203.0.113.2", FEED, unconditional) == 0
    assert gate.wait("192.0.2.9", FEED, unconditional) == gate.wait("192.0.2.9", FEED, unconditional) == 0
    # Loopback, written as IPv4 or as a dual-stack socket's IPv4-mapped IPv6, and a
    # Unix socket's peer (no address) are never limited nor remembered.
    for remote in ("127.0.0.1", "::ffff:127.0.0.1", "::1", None):
        assert gate.wait(remote, FEED, unconditional) == gate.wait(remote, FEED, unconditional) == 0
    assert gate.tracked == 2
    for client in ("2001:db8::1", "2001:db8::2"):
        assert gate.wait(client, FEED, unconditional) == 0
    # Three remembered at most: the least recently seen, 203.0.113.1, is forgotten.
    assert gate.tracked == 3
    assert gate.wait("203.0.113.1", FEED, unconditional) == 0
    assert gate.wait("2001:db8::2", FEED, unconditional) == 60
    assert gate.refused == 2
    # Past the interval, a fetch is let through.
    now[0] = 80.5
    assert gate.wait("2001:db8::2", FEED, unconditional) == 0



async def test_search_feeds_are_polled_per_canonical_query(aiohttp_client, seed_config):
    client, app = await _client(aiohttp_client, replace(seed_config, min_poll_interval=60.0))
    first = await client.get("/feeds/search.atom?q=putin&topic=syria")
    assert first.status == 200
    assert first.headers["Content-Location"] == "http://127.0.0.1:8080/feeds/search.atom?q=putin&topic=syria"
    # The same search, its parameters in another order, is the same feed: refused
    # before it runs.
    again = await client.get("/feeds/search.atom?topic=syria&q=putin")
    assert again.status == 429
    assert 1 <= int(again.headers["Retry-After"]) <= 60
    # Revalidating it is answered, and another search is another feed.
    revalidated = await client.get("/feeds/search.atom?q=putin&topic=syria",
                                   headers={"If-None-Match": first.headers["ETag"]})
    assert revalidated.status == 304
    assert revalidated.headers["Content-Location"] == first.headers["Content-Location"]
    assert (await client.get("/feeds/search.atom?q=assad")).status == 200
    assert app[POLL_GATE].refused == 1
