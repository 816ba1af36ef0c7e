"""Fixtures that build the real site from the shipped seeds and config."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from feedsrv.config import SiteConfig, load_config
from feedsrv.site import Site, build_site
from feedsrv.web import create_app
from pgserver import PostgresMissing, PostgresServer

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CONFIG = ROOT / "config" / "feedsrv.toml"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--event-loop", choices=("asyncio", "uvloop"), default="asyncio",
                     help="Event loop of the in-process tests (the app under aiohttp_client): asyncio's, "
                          "or uvloop's, which `feedsrv serve` runs by default.")


class _UvloopTests:
    """Runs every async test and fixture on a uvloop loop (pytest-asyncio's hook)."""

    @pytest.hookimpl
    def pytest_asyncio_loop_factories(self, config: pytest.Config, item: pytest.Item) -> dict[str, object]:
        import uvloop

        return {"uvloop": uvloop.new_event_loop}


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("event_loop") == "uvloop":
        config.pluginmanager.register(_UvloopTests(), "feedsrv-uvloop-tests")


@pytest.fixture
def seed_config(tmp_path: Path) -> SiteConfig:
    """The shipped config, serving the shipped seeds, without the parse cache (whose
    file would be shared by every test; tests/test_parsecache.py covers it), and
    with statistics of the test's own."""
    return replace(load_config(CONFIG), parse_cache=None, stats_database=tmp_path / "stats.sqlite3")


@pytest.fixture
def seed_site(seed_config: SiteConfig) -> Site:
    return build_site(seed_config)


@pytest.fixture
async def client(aiohttp_client, seed_site: Site):
    """A test client talking to the real app over a real socket."""
    return await aiohttp_client(create_app(seed_site.config, site=seed_site))


@pytest.fixture
def api_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SiteConfig:
    """The shipped config over three articles of their own, with the API on."""
    # livetools builds on this module's paths, so it is imported once both exist.
    from livetools import TOKEN, live_config

    monkeypatch.delenv("FEEDSRV_API_TOKEN", raising=False)
    return live_config(tmp_path / "articles", api_token=TOKEN)


@pytest.fixture
async def api(aiohttp_client, api_config: SiteConfig):
    """A client of the app over ``api_config``, without a watcher: every change the
    tests see comes through the API's own reload."""
    return await aiohttp_client(create_app(api_config, watch=False))


@pytest.fixture
def articles_dir(tmp_path: Path) -> Path:
    """A writable copy of the seeds, for tests that add bad files beside them."""
    directory = tmp_path / "articles"
    shutil.copytree(SEEDS, directory, copy_function=shutil.copy2)
    return directory


@pytest.fixture
def tmp_config(seed_config: SiteConfig, articles_dir: Path) -> SiteConfig:
    return replace(seed_config, articles_dir=articles_dir)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole run, started on first use. Missing server
    binaries fail the tests that need it: skipping would hide an untested store."""
    server = PostgresServer()
    try:
        server.start()
        yield server
    except PostgresMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    finally:
        server.stop()


@pytest.fixture
def database_url(postgres: PostgresServer) -> Iterator[str]:
    """The URL of a new, empty database of the test's own."""
    name = postgres.create_database()
    yield postgres.url(name)
    postgres.drop_database(name)


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of the test's own, as one restarted would take the
    session's other databases down with it."""
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()
