"""Search with a database (issue 15): PostgreSQL full-text search over the stored
articles (schema 6), in step with every write, ordered as the instance's feeds."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import CONFIG
from feedcheck import parse_with_feedparser, validate_atom
from feedsrv import store
from feedsrv.config import SiteConfig, load_config
from feedsrv.filters import FeedFilter
from feedsrv.search import DatabaseEngine, MemoryEngine, SearchTimeout, parse_query
from feedsrv.search._postgres import MATCHES_SORTED_HERE
from feedsrv.search._query import SNIPPET_START
from feedsrv.site import assemble_site
from feedsrv.synth import generate_articles, write_articles
from feedsrv.web import create_app
from feedsrv.web.search import SEARCH_APP
from livetools import AUTH, TOKEN, article
from test_hostile_search import HOSTILE
from test_search import FILTERED, outcome

DATA = Path(__file__).parent / "data" / "search"

# A search of every entry: what a feed without a query asks.
NO_FILTER = FeedFilter()


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SiteConfig:
    monkeypatch.delenv("FEEDSRV_API_TOKEN", raising=False)
    return replace(load_config(CONFIG), articles_dir=tmp_path / "nowhere", parse_cache=None, api_token=TOKEN)


def import_corpus(url: str, tmp_path: Path, config: SiteConfig) -> None:
    directory = tmp_path / "corpus"
    shutil.copytree(DATA / "articles", directory)
    # Not UTF-8: the parser reads it as cp1252, and the database must still index it.
    (directory / "cafe.txt").write_bytes(article("Caf\u00e9 Owners Protest", author="Jean Dupont",
                                                 outlet="Harbor Gazette",
                                                 published="2015-10-19T09:00:00+00:00").encode("cp1252"))
    with store.connect(url) as connection:
        store.upgrade(connection, "test")
        store.import_articles(connection, directory, config)


async def instance(aiohttp_client, url: str, config: SiteConfig):
    reader = store.StoreReader(url, config)
    stored = reader.read_all()
    site = assemble_site(config, stored.loaded, deleted=stored.deleted)
    return await aiohttp_client(create_app(config, site=site, store=reader))


async def found(client, q: str) -> list[str]:
    response = await client.get(f"/feeds/search.json?q={quote(q)}")
    assert response.status == 200, await response.text()
    return [item["url"].rpartition("/")[2] for item in (await response.json())["items"]]


async def test_the_database_searches_as_the_embedded_index_does(aiohttp_client, database_url, tmp_path, config):
    import_corpus(database_url, tmp_path, config)
    client = await instance(aiohttp_client, database_url, config)
    assert isinstance(client.app[SEARCH_APP].engine, DatabaseEngine)
    cases = {
        "ceasefire": ["election", "ceasefire"],
        "CEASEFIRE geneva": ["ceasefire"],
        '"ceasefire plan"': ["ceasefire"],
        '"plan ceasefire"': [],
        "ceasefire OR truce": ["election", "truce", "ceasefire"],
        "ceasefire -geneva": ["election"],
        "irregular*": ["election"],
        "zurich": ["zurich"],
        "Zürich": ["zurich"],
        "haddad": ["truce"],
        "title: near rank": ["syntax"],
        "cafe owners": ["cafe"],
        "armistice": [],
    }
    assert {q: await found(client, q) for q in cases} == cases


async def test_a_search_feed_from_the_database_is_a_valid_feed_with_snippets_on_the_page(
        aiohttp_client, database_url, tmp_path, config):
    import_corpus(database_url, tmp_path, config)
    client = await instance(aiohttp_client, database_url, config)
    response = await client.get("/feeds/search.atom?q=ceasefire")
    body = await response.read()
    validate_atom(body)
    assert [entry.title for entry in parse_with_feedparser(body).entries] == [
        "Election Monitors Report Irregularities", "Envoy Urges Ceasefire in Geneva"]
    again = await client.get("/feeds/search.atom?q=ceasefire", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status == 304
    page = await (await client.get("/search?q=ceasefire")).text()
    assert "<mark>ceasefire</mark>" in page


async def test_the_database_filters_searches_as_the_embedded_index_does(aiohttp_client, database_url, tmp_path,
                                                                       config):
    import_corpus(database_url, tmp_path, config)
    client = await instance(aiohttp_client, database_url, config)
    assert {query: await outcome(client, query, expected) for query, expected in FILTERED} == dict(FILTERED)
    response = await client.get("/feeds/search.atom?topic=Diplomacy&q=ceasefire+OR+truce&since=2015-10-20")
    body = await response.read()
    validate_atom(body)
    feed = parse_with_feedparser(body)
    assert [entry.title for entry in feed.entries] == [
        "Truce Holds Along the Border", "Envoy Urges Ceasefire in Geneva"]
    assert {link["rel"]: link["href"] for link in feed.feed.links}["self"] == (
        "http://127.0.0.1:8080/feeds/search.atom?q=ceasefire%20OR%20truce&since=2015-10-20&topic=diplomacy")
    page = await (await client.get("/search?q=ceasefire&topic=diplomacy")).text()
    assert "<mark>ceasefire</mark>" in page.lower() and "Election Monitors" not in page


async def test_an_article_is_searchable_in_the_database_when_the_api_answers(
        aiohttp_client, database_url, tmp_path, config):
    import_corpus(database_url, tmp_path, config)
    client = await instance(aiohttp_client, database_url, config)
    assert await found(client, "zeppelin") == []
    text = article("Zeppelin Lands in Geneva", author="Amira Haddad", outlet="Impunity Watch")
    response = await client.put("/api/articles/zeppelin", data=text, headers=AUTH)
    assert response.status in (200, 201)
    assert await found(client, "zeppelin") == ["zeppelin"]
    replaced = article("Airship Lands in Geneva", author="Amira Haddad", outlet="Impunity Watch")
    assert (await client.put("/api/articles/zeppelin", data=replaced, headers=AUTH)).status == 200
    assert await found(client, "zeppelin") == []
    assert await found(client, "airship") == ["zeppelin"]
    assert (await client.delete("/api/articles/zeppelin", headers=AUTH)).status == 204
    assert await found(client, "airship") == []


def test_the_upgrade_to_schema_6_indexes_the_articles_stored_before(database_url, tmp_path, config,
                                                                    monkeypatch: pytest.MonkeyPatch):
    shipped = store.migrations()
    monkeypatch.setattr("feedsrv.store._migrations.migrations", lambda: shipped[:-1])
    import_corpus(database_url, tmp_path, config)
    monkeypatch.undo()
    with store.connect(database_url) as connection:
        store.upgrade(connection, "test")
        unindexed = connection.execute(
            "SELECT count(*) FROM articles WHERE deleted IS NULL AND slug NOT IN (SELECT slug FROM search_documents)"
        ).fetchone()
        matched = connection.execute(
            "SELECT slug FROM search_documents WHERE words @@ to_tsquery('simple', 'prosecutors')").fetchall()
    assert unindexed == (0,)
    assert matched == [("zurich",)]


async def test_hostile_queries_against_the_database_are_a_400_or_a_feed(aiohttp_client, database_url, tmp_path,
                                                                        config):
    import_corpus(database_url, tmp_path, config)
    client = await instance(aiohttp_client, database_url, config)
    for q in HOSTILE:
        response = await client.get(f"/feeds/search.atom?q={quote(q, safe='')}")
        assert response.status in (200, 400), q
        if response.status == 200:
            validate_atom(await response.read())
        else:
            assert (await response.text()).startswith("400: q: ")


async def test_a_lost_database_is_a_503_while_the_feeds_are_still_served(aiohttp_client, database_url, tmp_path,
                                                                         config):
    import_corpus(database_url, tmp_path, config)
    client = await instance(aiohttp_client, database_url, config)
    client.app[SEARCH_APP].engine.url = "postgresql://nobody@127.0.0.1:1/none"
    client.app[SEARCH_APP].engine.close()
    response = await client.get("/feeds/search.atom?q=ceasefire")
    assert response.status == 503
    assert response.headers["Retry-After"] == "5"
    assert (await client.get("/feeds/all.atom")).status == 200


# Generated articles, one a day, and queries of them matching all (80 of 80),
# nearly all, some (15), a few and none, each at limits below and above its
# matches. Ordering at most four times the limit here (MATCHES_SORTED_HERE 0),
# each way the database engine finds them is taken: among the newest entries,
# ordering every match, and walking on past the newest. Words of the articles'
# bodies, which both engines index (the embedded one leaves datelines, captions
# and sources out).
GENERATED = 80
WALKED = ["welcomed", "troops", "troops -putin", "putin", "lindqvist OR petrov", "petrov", "zeppelin"]
LIMITS = [1, 5, 12, 100]


@pytest.fixture
def generated_site(database_url, tmp_path, config):
    write_articles(generate_articles(GENERATED, seed=15), tmp_path / "generated")
    with store.connect(database_url) as connection:
        store.upgrade(connection, "test")
        store.import_articles(connection, tmp_path / "generated", config)
    return read_site(database_url, config)


def read_site(url: str, config: SiteConfig):
    """The site an instance starting now serves from the database at ``url``."""
    reader = store.StoreReader(url, config)
    stored = reader.read_all()
    reader.close()
    return assemble_site(config, stored.loaded, deleted=stored.deleted)


@pytest.mark.parametrize("sorted_here", [MATCHES_SORTED_HERE, 0], ids=["ordered here", "walked"])
def test_the_database_finds_the_newest_matches_as_the_embedded_index_does(database_url, generated_site,
                                                                           sorted_here, monkeypatch):
    monkeypatch.setattr("feedsrv.search._postgres.MATCHES_SORTED_HERE", sorted_here)
    index = MemoryEngine(time_limit=1.0)
    index.sync(generated_site)
    engine = DatabaseEngine(database_url, time_limit=5.0)
    for q in WALKED:
        for limit in LIMITS:
            expected = [hit.entry.slug for hit in index.search(generated_site, parse_query(q), limit, snippets=False,
                                                               feed_filter=NO_FILTER)]
            hits = engine.search(generated_site, parse_query(q), limit, snippets=True, feed_filter=NO_FILTER)
            assert [hit.entry.slug for hit in hits] == expected, (q, limit)
            assert all(hit.snippet and SNIPPET_START in hit.snippet for hit in hits), (q, limit)
    engine.close()


def test_an_article_not_served_yet_takes_no_result_of_a_common_word(database_url, generated_site, tmp_path,
                                                                     config, monkeypatch):
    monkeypatch.setattr("feedsrv.search._postgres.MATCHES_SORTED_HERE", 0)
    later = tmp_path / "later"
    later.mkdir()
    for number in range(5):
        (later / f"later-{number}.txt").write_text(
            article(f"Later Report {number}", author="Amira Haddad", outlet="Impunity Watch",
                    text="Officials said the talks went on.", published=f"2030-01-0{number + 1}T09:00:00+00:00"),
            encoding="utf-8")
    with store.connect(database_url) as connection:
        store.import_articles(connection, later, config)
    engine = DatabaseEngine(database_url, time_limit=5.0)
    said = parse_query("said")
    index = MemoryEngine(time_limit=1.0)
    index.sync(generated_site)
    served = [hit.entry.slug for hit in index.search(generated_site, said, 3, snippets=False, feed_filter=NO_FILTER)]
    found = engine.search(generated_site, said, 3, snippets=False, feed_filter=NO_FILTER)
    assert [hit.entry.slug for hit in found] == served
    site = read_site(database_url, config)
    assert [hit.entry.slug for hit in engine.search(site, said, 3, snippets=False, feed_filter=NO_FILTER)] == [
        "later-4", "later-3", "later-2"]
    engine.close()


def test_a_search_past_its_time_limit_is_stopped_before_its_next_statement(database_url, generated_site):
    engine = DatabaseEngine(database_url, time_limit=1e-9)
    with pytest.raises(SearchTimeout) as raised:
        engine.search(generated_site, parse_query("said"), 5, snippets=False, feed_filter=NO_FILTER)
    assert raised.value.parameter == "q"
    engine.close()
