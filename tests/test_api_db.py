"""The publishing API with a database: instances sharing nothing but PostgreSQL,
each taking writes, slugs decided by the database, a lost database a 503."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from conftest import CONFIG
from feedsrv import store
from feedsrv.config import SiteConfig, load_config
from feedsrv.site import assemble_site
from feedsrv.web import create_app
from livetools import AUTH, STARTING_ARTICLES, TOKEN, article, wait_until
from pgserver import PostgresServer

# The bound on how long another instance takes to serve a change.
FOLLOW_LIMIT = 1.0
CONCURRENT_PUBLISHES = 40
# "Clash 2" makes the very slug the second "Clash" would get.
CLASHING_TITLES = ("Clash", "Clash 2", "Clash Again", "Clash Again 3")


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SiteConfig:
    """The shipped config with the API on, over an articles directory that does not
    exist: in this mode nothing reads it."""
    monkeypatch.delenv("FEEDSRV_API_TOKEN", raising=False)
    return replace(load_config(CONFIG), articles_dir=tmp_path / "nowhere", parse_cache=None, api_token=TOKEN)


@pytest.fixture
def imported(database_url: str, tmp_path: Path, config: SiteConfig) -> str:
    directory = tmp_path / "first"
    directory.mkdir()
    for name, text in STARTING_ARTICLES.items():
        (directory / name).write_text(text, encoding="utf-8")
    with store.connect(database_url) as connection:
        store.upgrade(connection, "test")
        store.import_articles(connection, directory, config)
    return database_url


async def instance(aiohttp_client, url: str, config: SiteConfig):
    """A client of an instance of its own: its own reader, site and writer."""
    reader = store.StoreReader(url, config)
    stored = reader.read_all()
    site = assemble_site(config, stored.loaded, deleted=stored.deleted)
    return await aiohttp_client(create_app(config, site=site, store=reader))


async def status(client, path: str) -> int:
    async with client.get(path) as response:
        return int(response.status)


async def title_served(client, slug: str) -> str | None:
    async with client.get("/feeds/all.json") as response:
        items = (await response.json(content_type=None))["items"]
    return next((item["title"] for item in items if item["url"].endswith(f"/articles/{slug}")), None)


async def test_published_through_one_instance_served_by_another(aiohttp_client, imported: str,
                                                                config: SiteConfig) -> None:
    first = await instance(aiohttp_client, imported, config)
    second = await instance(aiohttp_client, imported, config)
    body = article("Delta", author="Dana Ortiz", outlet="Harbor Gazette").encode()
    async with first.post("/api/articles", headers=AUTH, data=body) as response:
        assert response.status == 201, await response.text()
        slug = (await response.json())["slug"]
    assert slug == "delta"
    assert await status(first, "/articles/delta") == 200, "served by the instance that answered 201"

    async def served_by_second() -> bool:
        return await status(second, "/articles/delta") == 200

    await wait_until(served_by_second, limit=FOLLOW_LIMIT)
    edited = article("Delta, edited", author="Dana Ortiz", outlet="Harbor Gazette").encode()
    async with second.put("/api/articles/delta", headers=AUTH, data=edited) as response:
        assert response.status == 200, await response.text()
    assert await title_served(second, "delta") == "Delta, edited"

    async def edit_served_by_first() -> bool:
        return await title_served(first, "delta") == "Delta, edited"

    await wait_until(edit_served_by_first, limit=FOLLOW_LIMIT)
    async with second.delete("/api/articles/delta", headers=AUTH) as response:
        assert response.status == 204
    assert await status(second, "/articles/delta") == 410

    async def gone_on_first() -> bool:
        return await status(first, "/articles/delta") == 410

    await wait_until(gone_on_first, limit=FOLLOW_LIMIT)
    async with first.delete("/api/articles/delta", headers=AUTH) as response:
        assert response.status == 404


async def test_a_slug_asked_for_and_held_is_409(aiohttp_client, imported: str, config: SiteConfig) -> None:
    client = await instance(aiohttp_client, imported, config)
    body = article("Other", author="Dana Ortiz", outlet="Harbor Gazette").encode()
    async with client.post("/api/articles", headers={**AUTH, "X-Slug": "alpha"}, data=body) as response:
        assert response.status == 409
    assert await title_served(client, "alpha") == "Alpha"


async def test_a_put_creates_then_replaces(aiohttp_client, imported: str, config: SiteConfig) -> None:
    client = await instance(aiohttp_client, imported, config)
    for expected, title in ((201, "Zeta"), (200, "Zeta, edited")):
        body = article(title, author="Dana Ortiz", outlet="Harbor Gazette").encode()
        async with client.put("/api/articles/zeta", headers=AUTH, data=body) as response:
            assert response.status == expected, await response.text()
        assert await title_served(client, "zeta") == title
    async with client.put("/api/articles/alpha", headers={**AUTH, "X-Slug": "beta"}, data=b"Alpha\n\nText.\n") \
            as response:
        assert response.status == 400


async def test_concurrent_publishes_with_clashing_slugs(aiohttp_client, imported: str, config: SiteConfig) -> None:
    instances = [await instance(aiohttp_client, imported, config) for _ in range(2)]

    async def publish(number: int) -> tuple[int, dict[str, str]]:
        title = CLASHING_TITLES[number % len(CLASHING_TITLES)]
        body = article(title, author="Dana Ortiz", outlet="Harbor Gazette", text=f"Request {number}.").encode()
        async with instances[number % 2].post("/api/articles", headers=AUTH, data=body) as response:
            assert response.status == 201, await response.text()
            return number, await response.json()

    answers = await asyncio.gather(*(publish(number) for number in range(CONCURRENT_PUBLISHES)))
    slugs = [answer["slug"] for _, answer in answers]
    assert len(set(slugs)) == CONCURRENT_PUBLISHES, "no two share a slug"
    with psycopg.connect(imported) as connection:
        rows = dict(connection.execute("SELECT slug, convert_from(source, 'UTF8') FROM articles "
                                       "WHERE deleted IS NULL").fetchall())
        unparsed = connection.execute("SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM "
                                      "parsed_entries p WHERE p.digest = a.digest)").fetchone()
    assert len(rows) == len(STARTING_ARTICLES) + CONCURRENT_PUBLISHES, "nothing more, nothing less"
    assert unparsed == (0,)
    for number, answer in answers:
        assert f"Request {number}." in rows[answer["slug"]], "each acknowledged article exists, once"
    for client in instances:
        async def all_served(client=client) -> bool:
            async with client.get("/feeds/all.json") as response:
                served = {item["url"].rsplit("/", 1)[-1] for item in (await response.json(content_type=None))["items"]}
            return set(slugs) <= served

        await wait_until(all_served, limit=FOLLOW_LIMIT)


async def test_a_database_lost_mid_request_is_503_with_retry_after(aiohttp_client, imported: str,
                                                                    config: SiteConfig,
                                                                    postgres: PostgresServer) -> None:
    client = await instance(aiohttp_client, imported, config)
    database = imported.rsplit("/", 1)[-1]
    body = article("Epsilon", author="Dana Ortiz", outlet="Harbor Gazette").encode()

    def stop_database(allow: bool) -> None:
        with psycopg.connect(postgres.url(), autocommit=True) as connection:
            connection.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {str(allow).lower()}')
            if not allow:
                connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                                   (database,))

    async def stopping_midway() -> AsyncIterator[bytes]:
        yield body[:10]
        stop_database(False)
        yield body[10:]

    try:
        async with client.post("/api/articles", headers=AUTH, data=stopping_midway()) as response:
            assert response.status == 503, await response.text()
            assert int(response.headers["Retry-After"]) > 0
        assert await status(client, "/articles/alpha") == 200, "served from memory meanwhile"
    finally:
        stop_database(True)
    with psycopg.connect(imported) as connection:
        assert connection.execute("SELECT count(*) FROM articles WHERE slug = 'epsilon'").fetchone() == (0,)

    async def published_again() -> bool:
        async with client.post("/api/articles", headers=AUTH, data=body) as response:
            if response.status == 503:
                return False
            assert response.status == 201, await response.text()
            return True

    await wait_until(published_again, limit=10.0)
    assert await status(client, "/articles/epsilon") == 200
    assert await title_served(client, "epsilon") == "Epsilon"


async def test_a_write_committed_but_not_read_back_is_202_not_503(aiohttp_client, imported: str,
                                                                  config: SiteConfig,
                                                                  postgres: PostgresServer) -> None:
    client = await instance(aiohttp_client, imported, config)
    first = article("Epsilon", author="Dana Ortiz", outlet="Harbor Gazette").encode()
    async with client.post("/api/articles", headers=AUTH, data=first) as response:
        assert response.status == 201
    database = imported.rsplit("/", 1)[-1]
    with psycopg.connect(postgres.url(), autocommit=True) as connection:
        # The writer keeps the connection its last write committed on: only that one
        # stays, so the next write commits and reading it back cannot connect.
        connection.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        ended = connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                                   "AND query <> 'COMMIT'", (database,)).fetchall()
        assert ended, "the reader's and the follower's connections were ended"
    try:
        body = article("Zeta", author="Dana Ortiz", outlet="Harbor Gazette").encode()
        async with client.post("/api/articles", headers=AUTH, data=body) as response:
            assert response.status == 202, await response.text()
            answer = await response.json()
            assert response.headers["Location"] == answer["url"]
        assert answer["slug"] == "zeta"
    finally:
        with psycopg.connect(postgres.url(), autocommit=True) as connection:
            connection.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
    with psycopg.connect(imported) as connection:
        stored = connection.execute("SELECT count(*) FROM articles WHERE slug = 'zeta'").fetchone()
    assert stored == (1,), "the write is stored: sent again, it would be a second article"

    async def served() -> bool:
        return await status(client, "/articles/zeta") == 200

    await wait_until(served, limit=10.0)
