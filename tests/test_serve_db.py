"""Serving from the database: an instance builds its site from the store and follows
its changes (NOTIFY, the poll, reconnection); a restart starts from the store."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from dataclasses import replace
from functools import partial
from pathlib import Path

import psycopg
import pytest

from conftest import CONFIG, ROOT
from feedsrv import store
from feedsrv.config import SiteConfig, load_config
from feedsrv.site import Site, assemble_site
from feedsrv.web import create_app
from livetools import AUTH, STARTING_ARTICLES, TOKEN, article, wait_until
from pgserver import PostgresServer
from serving import free_port, http_get, http_request, running_server

# The bound on how long another instance takes to serve a change.
FOLLOW_LIMIT = 1.0


@pytest.fixture
def config(tmp_path: Path) -> SiteConfig:
    """The shipped config over an articles directory that does not exist: in this
    mode nothing reads it."""
    return replace(load_config(CONFIG), articles_dir=tmp_path / "nowhere", parse_cache=None)


def write_articles(directory: Path, articles: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in articles.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def import_dir(url: str, directory: Path, config: SiteConfig) -> store.ImportReport:
    with store.connect(url) as connection:
        store.upgrade(connection, "test")
        return store.import_articles(connection, directory, config)


def tombstone(url: str, slug: str, *, notify: bool = True) -> None:
    """Delete an article as another instance would: a tombstone and a logged change."""
    with psycopg.connect(url, autocommit=True) as connection, connection.transaction():
        row = connection.execute("SELECT nextval('change_numbers')").fetchone()
        assert row is not None
        connection.execute("UPDATE articles SET deleted = now(), change = %s WHERE slug = %s", (row[0], slug))
        connection.execute("INSERT INTO changes (number, slug, kind) VALUES (%s, %s, 'delete')", (row[0], slug))
        if notify:
            connection.execute("SELECT pg_notify(%s, %s)", (store.CHANNEL, str(row[0])))


def start_site(url: str, config: SiteConfig) -> tuple[store.StoreReader, Site]:
    reader = store.StoreReader(url, config)
    stored = reader.read_all()
    return reader, assemble_site(config, stored.loaded, deleted=stored.deleted)


@pytest.fixture
def imported(database_url: str, tmp_path: Path, config: SiteConfig) -> str:
    import_dir(database_url, write_articles(tmp_path / "first", STARTING_ARTICLES), config)
    return database_url


async def status(client, path: str) -> int:
    async with client.get(path) as response:
        return int(response.status)


def test_a_cursor_waits_for_a_missing_number_then_gives_it_up() -> None:
    cursor = store.ChangeCursor(10, grace=5.0)
    assert cursor.fresh([11, 13]) == [11, 13]
    cursor.record([11, 13], now=100.0)
    assert cursor.floor == 11, "12 may still commit"
    assert cursor.fresh([13, 12]) == [12]
    cursor.record([], now=104.0)
    assert cursor.floor == 11
    cursor.record([], now=105.0)
    assert cursor.floor == 13, "12 was given up once 13 was seen the grace period ago"
    assert cursor.fresh([9, 12, 13, 14]) == [14]


def test_reading_the_store_gives_every_article_and_names_the_deleted(imported: str, config: SiteConfig) -> None:
    tombstone(imported, "beta")
    reader, site = start_site(imported, config)
    reader.close()
    assert sorted(entry.slug for entry in site.catalog.entries) == ["alpha", "gamma"]
    assert site.loaded.parsed == ()
    assert site.is_gone("/articles/beta") and not site.is_gone("/articles/alpha")


def test_a_text_without_an_entry_for_this_parser_is_parsed_and_stored(imported: str, config: SiteConfig) -> None:
    with psycopg.connect(imported, autocommit=True) as connection:
        connection.execute("DELETE FROM parsed_entries WHERE digest = (SELECT digest FROM articles "
                           "WHERE slug = 'gamma')")
    reader, site = start_site(imported, config)
    assert site.loaded.parsed == ("gamma.txt",)
    assert len(site.catalog.entries) == 3
    again = reader.read_all()
    reader.close()
    assert again.loaded.parsed == ()


def test_an_entry_that_cannot_be_unpickled_is_parsed_again_from_its_text(
        imported: str, config: SiteConfig, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    def damage(slug: str) -> None:
        with psycopg.connect(imported, autocommit=True) as connection:
            connection.execute("UPDATE parsed_entries SET entry = 'not a pickle' WHERE digest = "
                               "(SELECT digest FROM articles WHERE slug = %s)", (slug,))

    damage("gamma")
    reader, site = start_site(imported, config)
    assert site.loaded.parsed == ("gamma.txt",)
    assert sorted(entry.slug for entry in site.catalog.entries) == ["alpha", "beta", "gamma"]
    assert "the stored entry of gamma.txt cannot be read" in caplog.text
    # Followed changes too: an article whose entry is damaged before this
    # instance reads it is parsed, not a failure of the follower.
    delta = {"delta.txt": article("Delta", author="Dana Ortiz", outlet="Harbor Gazette")}
    import_dir(imported, write_articles(tmp_path / "second", delta), config)
    damage("delta")
    changed = reader.read_changes(site.loaded)
    assert changed is not None and changed.loaded.parsed == ("delta.txt",)
    assert "Delta" in [entry.title for entry in changed.loaded.entries]
    again = reader.read_all()
    reader.close()
    assert again.loaded.parsed == (), "the entries parsed again replaced the damaged ones"


async def test_an_instance_follows_imports_and_deletions(aiohttp_client, imported: str, config: SiteConfig,
                                                         tmp_path: Path) -> None:
    reader, site = start_site(imported, config)
    client = await aiohttp_client(create_app(config, site=site, store=reader))
    assert await status(client, "/articles/alpha") == 200
    assert await status(client, "/articles/delta") == 404
    delta = {"delta.txt": article("Delta", author="Dana Ortiz", outlet="Harbor Gazette",
                                  published="2015-10-23T09:00:00+00:00")}
    import_dir(imported, write_articles(tmp_path / "second", delta), config)

    async def delta_served() -> bool:
        return await status(client, "/articles/delta") == 200

    await wait_until(delta_served, limit=FOLLOW_LIMIT)
    async with client.get("/feeds/all.atom") as response:
        assert "Delta" in await response.text()
    tombstone(imported, "beta")

    async def beta_gone() -> bool:
        return await status(client, "/articles/beta") == 410

    await wait_until(beta_gone, limit=FOLLOW_LIMIT)
    async with client.get("/feeds/all.atom") as response:
        assert "Beta" not in await response.text()


async def test_a_change_not_notified_is_found_by_the_poll(aiohttp_client, imported: str, config: SiteConfig,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("feedsrv.store._follow.POLL_SECONDS", 0.2)
    reader, site = start_site(imported, config)
    client = await aiohttp_client(create_app(config, site=site, store=reader))
    tombstone(imported, "alpha", notify=False)

    async def alpha_gone() -> bool:
        return await status(client, "/articles/alpha") == 410

    await wait_until(alpha_gone, limit=FOLLOW_LIMIT)


async def test_after_a_lost_connection_the_instance_catches_up(aiohttp_client, imported: str,
                                                               config: SiteConfig) -> None:
    reader, site = start_site(imported, config)
    client = await aiohttp_client(create_app(config, site=site, store=reader))
    assert await status(client, "/articles/gamma") == 200
    with psycopg.connect(imported, autocommit=True) as connection:
        (ended,) = connection.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                      "WHERE application_name = 'feedsrv' AND pid <> pg_backend_pid()").fetchone()
        assert ended >= 1
    tombstone(imported, "gamma")
    assert await status(client, "/articles/alpha") == 200, "served from memory meanwhile"

    async def gamma_gone() -> bool:
        return await status(client, "/articles/gamma") == 410

    await wait_until(gamma_gone, limit=5.0)


def test_a_restart_serves_everything_the_store_holds(imported: str, config: SiteConfig, tmp_path: Path) -> None:
    reader, before = start_site(imported, config)
    reader.close()
    # A text of its own: Alpha's would make the two one story, and Alpha's page would
    # then link Delta.
    delta = {"delta.txt": article("Delta", author="Dana Ortiz", outlet="Harbor Gazette",
                                  text="The city library reopened its reading room after a two-year renovation.")}
    import_dir(imported, write_articles(tmp_path / "second", delta), config)
    tombstone(imported, "beta")
    reader, after = start_site(imported, config)
    reader.close()
    assert "delta" in after.catalog.entries_by_slug and "beta" not in after.catalog.entries_by_slug
    assert after.is_gone("/articles/beta")
    assert after.resource("/articles/alpha") == before.resource("/articles/alpha")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_with_an_unreachable_database_is_one_line_and_exit_2() -> None:
    port = _closed_port()
    result = subprocess.run(
        [sys.executable, "-m", "feedsrv", "serve", "--config", str(CONFIG), "--port", str(_closed_port())],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", store.DATABASE_URL_ENV: f"postgresql://feedsrv:s3cret@127.0.0.1:{port}/news"})
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"feedsrv: database at 127.0.0.1:{port}/news: cannot connect")
    assert "s3cret" not in result.stderr


def test_feedsrv_serve_serves_the_database_not_the_directory(imported: str) -> None:
    environment = {store.DATABASE_URL_ENV: imported}
    with running_server(["--config", str(CONFIG)], cwd=ROOT, port=free_port(), env=environment) as port:
        assert http_get(port, "/articles/alpha").status == 200
        # The config's articles directory holds the seeds, which were not imported.
        assert http_get(port, "/articles/002-3b1ee3ced2e6f8f0").status == 404
        tombstone(imported, "beta")
        deadline = time.monotonic() + FOLLOW_LIMIT
        while http_get(port, "/articles/beta").status != 410:
            assert time.monotonic() < deadline, "the deletion is not served within the limit"
            time.sleep(0.01)


def test_each_worker_follows_the_database_and_takes_the_api(imported: str) -> None:
    environment = {store.DATABASE_URL_ENV: imported, "FEEDSRV_API_TOKEN": TOKEN}
    with running_server(["--config", str(CONFIG), "--workers", "2"], cwd=ROOT, port=free_port(),
                        env=environment) as port:
        published = http_request(port, "POST", "/api/articles", body=article(
            "Delta", author="Dana Ortiz", outlet="Harbor Gazette").encode(), headers={**AUTH, "X-Slug": "delta"})
        assert published.status == 201
        tombstone(imported, "beta")
        # Over new connections, which the kernel spreads over the workers, until
        # both answered: each serves the article published through one of them and
        # the deletion made elsewhere.
        served: dict[int, tuple[int, int]] = {}
        deadline = time.monotonic() + 30
        while len(served) < 2 or any(states != (200, 410) for states in served.values()):
            assert time.monotonic() < deadline, served
            pid = json.loads(http_get(port, "/healthz").body)["pid"]
            served[pid] = (http_get(port, "/articles/delta").status, http_get(port, "/articles/beta").status)


async def test_healthz_says_when_the_database_is_unreachable(aiohttp_client, imported: str, config: SiteConfig,
                                                             postgres: PostgresServer) -> None:
    reader, site = start_site(imported, config)
    client = await aiohttp_client(create_app(config, site=site, store=reader))

    async def store_is(state: str) -> bool:
        async with client.get("/healthz") as response:
            assert response.status == 200, "serving from memory all along"
            return (await response.json())["store"] == state

    await wait_until(partial(store_is, "reachable"), limit=5.0)
    database = imported.rsplit("/", 1)[-1]
    with psycopg.connect(postgres.url(), autocommit=True) as connection:
        connection.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (database,))
    try:
        await wait_until(partial(store_is, "unreachable"), limit=5.0)
        assert await status(client, "/articles/alpha") == 200
    finally:
        with psycopg.connect(postgres.url(), autocommit=True) as connection:
            connection.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
    await wait_until(partial(store_is, "reachable"), limit=10.0)


async def test_healthz_without_a_database_names_no_store(client) -> None:
    async with client.get("/healthz") as response:
        assert "store" not in await response.json()
