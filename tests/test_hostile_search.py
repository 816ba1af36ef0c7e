"""Hostile search queries (issue 15): huge, deeply nested, unbalanced, FTS5 syntax,
NUL bytes, only stop words, unusual Unicode. Each gets a clear 400 naming ``q`` or
a valid feed (empty or not), never a 500, in bounded time, and no query stalls the
event loop."""

from __future__ import annotations

import asyncio
import gc
import time
from dataclasses import replace
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CONFIG
from feedcheck import parse_with_feedparser, validate_atom
from feedsrv.config import load_config
from feedsrv.search import FtsIndex, SearchQueryError, parse_query
from feedsrv.site import build_site
from feedsrv.web import create_app
from feedsrv.web.search import SEARCH_APP
from test_hostile_web import STALL_LIMIT, StallProbe

# Per request, on a machine shared with other test runs.
TIME_LIMIT = 1.0

HOSTILE = [
    "x" * 4096,
    "(" * 1000 + "assad" + ")" * 1000,
    "(" * 120 + "assad" + ")" * 120,
    '"assad',
    'as"sad',
    '"""',
    '"',
    "*",
    "**assad**",
    "title:",
    "title: assad",
    "{title body}: assad",
    "title:assad*",
    "NEAR(",
    "NEAR(assad moscow, 2)",
    "assad NEAR/2 moscow",
    "^assad",
    "assad AND",
    "NOT assad",
    "assad NOT moscow",
    "- - -",
    "OR OR OR",
    "assad OR",
    "-assad",
    "assad\x00moscow",
    "\x00",
    "\x1b[31massad",
    "the and of",
    "a",
    "东京",
    "محمد الأسد",
    "assad\u200dmoscow",
    "e\u0301",
    "🦀🦀🦀",
    "\ufeffassad",
    "rowid:1",
    "assad' OR 1=1 --",
    "assad\"); DROP TABLE entries; --",
    " ".join(["assad"] * 16),
    " ".join(["assad"] * 17),
    " OR ".join(["as*"] * 16),
]


@pytest.fixture(scope="module")
def seed_index():
    """The seeds in an index of their own, for the examples of a property."""
    index = FtsIndex(time_limit=TIME_LIMIT)
    index.sync(build_site(replace(load_config(CONFIG), parse_cache=None)).catalog.entries_by_slug)
    yield index
    index.close()


@pytest.mark.parametrize("q", HOSTILE, ids=range(len(HOSTILE)))
async def test_a_hostile_query_is_a_400_naming_q_or_a_valid_feed_in_bounded_time(client, q):
    for extension in ("atom", "json"):
        started = time.monotonic()
        response = await client.get(f"/feeds/search.{extension}?q={quote(q, safe='')}")
        body = await response.read()
        assert time.monotonic() - started < TIME_LIMIT
        assert response.status in (200, 400), body[:200]
        if response.status == 400:
            assert body.startswith(b"400: q: ")
        elif extension == "atom":
            validate_atom(body)
            assert not parse_with_feedparser(body).bozo
    page = await client.get(f"/search?q={quote(q, safe='')}")
    assert page.status in (200, 400)


async def test_a_query_too_long_for_the_request_line_is_400(client):
    response = await client.get(f"/feeds/search.atom?q={'x' * 10_240}")
    assert response.status == 400


@pytest.mark.parametrize("raw", ["%ED%A0%80", "%FF%FE", "%", "%zz", "%00%00", "a%2Bb"])
async def test_broken_percent_escapes_are_a_400_or_a_feed(client, raw):
    response = await client.get(f"/feeds/search.atom?q={raw}")
    assert response.status in (200, 400)
    if response.status == 200:
        validate_atom(await response.read())


async def test_a_search_past_its_time_limit_is_400_naming_q(aiohttp_client, seed_site):
    config = replace(seed_site.config, search_time_limit=1e-9)
    client = await aiohttp_client(create_app(config, site=seed_site))
    await asyncio.to_thread(client.app[SEARCH_APP].engine.index.sync, _copies(seed_site, 400))
    # Enough rows for the progress handler to look at the clock.
    response = await client.get("/feeds/search.atom?q=assad&limit=100")
    assert response.status == 400
    assert (await response.text()).startswith("400: q: the search took longer than")


def _copies(site, count: int) -> dict:
    entry = site.catalog.entries[0]
    return {f"copy-{n}": replace(entry, slug=f"copy-{n}", id=f"urn:x:{n}") for n in range(count)}


async def test_no_search_stalls_the_event_loop(aiohttp_client, seed_site):
    client = await aiohttp_client(create_app(seed_site.config, site=seed_site))
    await asyncio.to_thread(client.app[SEARCH_APP].engine.index.sync, _copies(seed_site, 400))
    queries = ["assad", "moscow OR syria", "as* OR mo* OR sy*", '"in a"', "assad -putin"]
    # As `feedsrv serve` does once started: a collection walking the whole test
    # process's heap is no stall of the search's.
    gc.collect()
    gc.freeze()
    try:
        async with StallProbe() as probe:
            for q in queries * 4:
                probe.label = q
                for extension in ("atom", "rss", "json"):
                    response = await client.get(f"/feeds/search.{extension}?q={quote(q)}&limit=50",
                                                headers={"Accept-Encoding": "identity"})
                    assert response.status == 200
    finally:
        gc.unfreeze()
    label, longest = probe.worst()
    assert longest < STALL_LIMIT, (label, probe.longest)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_any_text_is_a_query_fts5_accepts_or_an_error_naming_q(seed_index, text):
    index = seed_index
    try:
        query = parse_query(text)
    except SearchQueryError as exc:
        assert exc.parameter == "q"
        return
    index.search(query, 10, snippets=True)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from('ab "*-()OR:^NEAR\x00é'), max_size=60))
def test_syntax_soup_is_a_query_fts5_accepts_or_an_error_naming_q(seed_index, text):
    index = seed_index
    try:
        query = parse_query(text)
    except SearchQueryError as exc:
        assert exc.parameter == "q"
        return
    index.search(query, 10, snippets=True)

