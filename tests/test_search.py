"""Full-text search (issue 15): the query language, the FTS5 index kept in step
with hot reload and the publishing API, and the search feeds and page served like
every feed (ETag, 304, codings, WebSub), filtered like every feed
(tests/data/search/filtered.txt, canonical.txt)."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qsl, quote

import brotli
import pytest

from conftest import CONFIG
from feedcheck import parse_with_feedparser, validate_atom, validate_json_feed, validate_rss
from feedsrv.config import SiteConfig, load_config
from feedsrv.search import parse_search
from feedsrv.web import LIVE, create_app
from feedsrv.web.search import SEARCH_APP
from feedsrv.websub import WEBSUB
from livetools import AUTH, article, wait_until
from websubtools import Subscriber, hub_config

DATA = Path(__file__).parent / "data" / "search"
QUERY_CASES = json.loads((DATA / "queries.json").read_text(encoding="utf-8"))
BASE = "http://127.0.0.1:8080"
# Each feed format: its extension, media type and the label of its autodiscovery link.
FEED_FORMATS = (("atom", "application/atom+xml", "Atom"), ("rss", "application/rss+xml", "RSS"),
                ("json", "application/feed+json", "JSON Feed"))
ATOM = "application/atom+xml; charset=utf-8"


@pytest.fixture
def corpus_config(tmp_path: Path) -> SiteConfig:
    """The shipped config over the search corpus of six articles, copied."""
    directory = tmp_path / "articles"
    shutil.copytree(DATA / "articles", directory)
    return replace(load_config(CONFIG), articles_dir=directory, parse_cache=None)


@pytest.fixture
async def corpus(aiohttp_client, corpus_config: SiteConfig):
    return await aiohttp_client(create_app(corpus_config, watch=False))


def cases(name: str) -> list[tuple[str, str]]:
    """The ``query -> expected`` lines of ``tests/data/search/<name>``."""
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [(query.strip(), expected.strip()) for line in lines if line.strip() and not line.startswith("#")
            for query, expected in [line.split(" -> ")]]


FILTERED = cases("filtered.txt")
CANONICAL = cases("canonical.txt")


async def outcome(client, query: str, expected: str) -> str:
    """What the JSON search feed answers ``query`` with, written as filtered.txt
    writes ``expected``: the slugs it lists, ``-`` for none, or ``400 `` and as much
    of the error as ``expected`` gives."""
    response = await client.get(f"/feeds/search.json?{query}")
    if response.status == 400:
        assert response.headers["Cache-Control"] == "no-store"
        return f"400 {(await response.text()).removeprefix('400: ')}"[:len(expected)]
    assert response.status == 200, await response.text()
    return " ".join(item["url"].rpartition("/")[2] for item in (await response.json())["items"]) or "-"


async def found(client, q: str, **params: str) -> list[str]:
    """The slugs of the articles the JSON search feed lists for ``q``, in order."""
    response = await client.get("/feeds/search.json", params={"q": q, **params})
    assert response.status == 200, await response.text()
    return [item["url"].rpartition("/")[2] for item in (await response.json())["items"]]


@pytest.mark.parametrize(("q", "expected"), [
    ("ceasefire", ["election", "ceasefire"]),
    ("CEASEFIRE geneva", ["ceasefire"]),
    ('"ceasefire plan"', ["ceasefire"]),
    ('"plan ceasefire"', []),
    ("ceasefire OR truce", ["election", "truce", "ceasefire"]),
    ("ceasefire -geneva", ["election"]),
    ('night -"dock workers"', ["truce"]),
    ("irregular*", ["election"]),
    ("harbo*", ["harbour"]),
    ("harbor", []),  # the outlet is not searched
    ("zurich", ["zurich"]),
    ("Zürich", ["zurich"]),
    ("müller", ["zurich"]),
    ("weber", ["harbour", "ceasefire"]),
    ("title: near rank", ["syntax"]),
    ("NEAR(column rank)", []),
    ("armistice", []),
])
async def test_search_finds_words_phrases_alternatives_exclusions_and_prefixes_newest_first(corpus, q, expected):
    assert await found(corpus, q) == expected


async def test_the_title_byline_and_body_are_searched(corpus):
    assert await found(corpus, "bankers") == ["zurich"]  # title only
    assert await found(corpus, "haddad") == ["truce"]  # byline only
    assert await found(corpus, "prosecutors") == ["zurich"]  # body only
    assert await found(corpus, "impunity") == []  # the outlet is not searched


async def test_limit_takes_the_newest(corpus):
    assert await found(corpus, "ceasefire OR truce", limit="2") == ["election", "truce"]
    assert await found(corpus, "ceasefire OR truce", limit="1") == ["election"]


async def test_the_seeds_are_searchable(client):
    response = await client.get("/feeds/search.atom?q=assad%20moscow")
    feed = parse_with_feedparser(await response.read())
    expected = [entry.id for entry in client.app[LIVE].site.catalog.entries
                if {"assad", "moscow"} <= set(re.findall(r"\w+", " ".join((entry.title, *entry.body)).lower()))]
    assert expected
    assert [entry.id for entry in feed.entries] == expected


@pytest.mark.parametrize("extension", ["atom", "rss", "json"])
async def test_a_search_feed_is_a_valid_feed_with_stable_ids_and_a_canonical_self_link(corpus, extension):
    response = await corpus.get(f"/feeds/search.{extension}?limit=5&q=ceasefire++OR%20truce")
    assert response.status == 200
    body = await response.read()
    canonical = f"{BASE}/feeds/search.{extension}?limit=5&q=ceasefire%20OR%20truce"
    assert response.headers["Link"] == f'<{BASE}/websub>; rel="hub", <{canonical}>; rel="self"'
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Content-Disposition"] == f'inline; filename="search.{extension}"'
    site = corpus.app[LIVE].site
    ids = [site.catalog.entries_by_slug[slug].id for slug in ("election", "truce", "ceasefire")]
    _assert_search_feed(body, extension, canonical=canonical, title=f"Search: ceasefire OR truce — {site.config.title}",
                        ids=ids, alternate=f"{BASE}/search?limit=5&q=ceasefire%20OR%20truce")


def _assert_search_feed(body: bytes, extension: str, *, canonical: str, title: str, ids: list[str],
                        alternate: str) -> None:
    """A valid search feed in its format, named by ``canonical``, listing ``ids``."""
    if extension == "json":
        document = validate_json_feed(body)
        assert document["feed_url"] == canonical
        assert document["title"] == title
        assert [item["id"] for item in document["items"]] == ids
        return
    (validate_atom if extension == "atom" else validate_rss)(body)
    feed = parse_with_feedparser(body)
    assert feed.feed.title == title
    assert [entry.id for entry in feed.entries] == ids
    links = {link["rel"]: link["href"] for link in feed.feed.links}
    assert links["self"] == canonical
    assert links["hub"] == f"{BASE}/websub"
    assert links["alternate"] == alternate


async def test_an_empty_result_is_an_empty_valid_feed(corpus):
    response = await corpus.get("/feeds/search.atom?q=armistice")
    body = await response.read()
    validate_atom(body)
    assert parse_with_feedparser(body).entries == []
    assert response.headers["Last-Modified"] == "Thu, 01 Jan 1970 00:00:00 GMT"


async def test_spellings_of_one_query_are_one_resource_with_one_etag(corpus):
    spellings = ["/feeds/search.atom?q=ceasefire%20geneva&limit=5", "/feeds/search.atom?limit=5&q=ceasefire++geneva",
                 "/feeds/search.atom?q=+ceasefire%09geneva+&limit=5"]
    answers = [await corpus.get(path) for path in spellings]
    assert len({answer.headers["ETag"] for answer in answers}) == 1
    assert len({await answer.read() for answer in answers}) == 1
    # The default limit is left out of the canonical form.
    default = corpus.app[LIVE].site.config.entries_per_feed
    plain, explicit = (await corpus.get("/feeds/search.atom?q=ceasefire"),
                       await corpus.get(f"/feeds/search.atom?q=ceasefire&limit={default}"))
    assert plain.headers["ETag"] == explicit.headers["ETag"]
    assert f"{BASE}/feeds/search.atom?q=ceasefire>" in plain.headers["Link"]
    other = await corpus.get("/feeds/search.atom?q=ceasefire&limit=1")
    assert other.headers["ETag"] != plain.headers["ETag"]


async def test_a_search_feed_answers_304_and_is_compressed_like_every_feed(corpus):
    path = "/feeds/search.atom?q=ceasefire"
    first = await corpus.get(path, headers={"Accept-Encoding": "identity"})
    body, etag = await first.read(), first.headers["ETag"]
    assert first.headers["Cache-Control"] == "public, max-age=300"
    again = await corpus.get(path, headers={"If-None-Match": etag, "Accept-Encoding": "identity"})
    assert again.status == 304
    assert await again.read() == b""
    assert again.headers["ETag"] == etag
    since = await corpus.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"],
                                            "Accept-Encoding": "identity"})
    assert since.status == 304
    zipped = await corpus.get(path, headers={"Accept-Encoding": "gzip"}, auto_decompress=False)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(await zipped.read()) == body
    assert zipped.headers["ETag"] == etag[:-1] + '-gzip"'
    squeezed = await corpus.get(path, headers={"Accept-Encoding": "br"}, auto_decompress=False)
    assert brotli.decompress(await squeezed.read()) == body
    head = await corpus.head(path, headers={"Accept-Encoding": "identity"})
    assert head.status == 200 and head.headers["ETag"] == etag


async def test_a_search_is_rendered_once_per_catalog_and_the_cache_is_bounded(aiohttp_client, corpus_config):
    client = await aiohttp_client(create_app(replace(corpus_config, search_cache_size=2), watch=False))
    search = client.app[SEARCH_APP]
    await client.get("/feeds/search.atom?q=ceasefire")
    request = parse_search([("q", "ceasefire")], corpus_config)
    assert search.feed(request, "atom") is search.feed(request, "atom")
    for q in ("truce", "harbour", "geneva"):
        await client.get(f"/feeds/search.atom?q={q}")
    assert search.cached() == 2
    (corpus_config.articles_dir / "geneva.txt").write_text(
        article("Geneva Talks Resume", author="Lena Weber", outlet="Harbor Gazette",
                published="2015-10-26T09:00:00+00:00"), encoding="utf-8")
    await client.app[LIVE].reload()
    assert search.cached() == 0


@pytest.mark.parametrize(("path", "parameter"), [
    ("/feeds/search.atom", "q"),
    ("/feeds/search.atom?q=", "q"),
    ("/feeds/search.atom?q=the+of", "q"),
    ("/feeds/search.atom?q=ceasefire&q=truce", "q"),
    ("/feeds/search.atom?q=ceasefire&limit=0", "limit"),
    ("/feeds/search.atom?q=ceasefire&limit=101", "limit"),
    ("/feeds/search.atom?q=ceasefire&limit=ten", "limit"),
    ("/feeds/search.atom?q=ceasefire&limit=-1", "limit"),
    ("/feeds/search.atom?q=ceasefire&limit=%EF%BC%95", "limit"),
    ("/feeds/search.rss?q=ceasefire&page=2", "page"),
    ("/feeds/search.json?q=ceasefire&callback=x", "callback"),
])
async def test_a_request_that_cannot_be_searched_is_400_naming_the_parameter(corpus, path, parameter):
    response = await corpus.get(path)
    assert response.status == 400
    text = await response.text()
    assert text.startswith(f"400: {parameter}: ")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"


async def _announcing_page(corpus, path: str, title: str, query: str):
    """The response and the HTML of the search page at ``path``, checked to announce
    its feed in every format under ``title``, at ``query`` (as the HTML writes it)."""
    response = await corpus.get(path)
    assert response.status == 200
    html = await response.text()
    for extension, media_type, label in FEED_FORMATS:
        assert (f'<link rel="alternate" type="{media_type}" title="{title} ({label})" '
                f'href="{BASE}/feeds/search.{extension}?{query}">') in html
    return response, html


async def test_the_search_page_lists_results_and_announces_its_feeds(corpus):
    response, html = await _announcing_page(corpus, "/search?q=ceasefire", "Search: ceasefire", "q=ceasefire")
    assert html.index("Election Monitors Report Irregularities") < html.index("Envoy Urges Ceasefire in Geneva")
    assert "<mark>ceasefire</mark>" in html
    assert "Harbor Gazette</a> · <time" in html
    assert "form-action 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


async def test_the_search_page_escapes_the_query_and_shows_a_form_without_one(corpus):
    response = await corpus.get("/search", params={"q": '<script>alert("x")</script> ceasefire'})
    html = await response.text()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; ceasefire" in html
    blank = await corpus.get("/search")
    assert blank.status == 200
    assert '<input type="search" name="q" value=""' in await blank.text()
    assert (await corpus.get("/search?q=+")).status == 200
    refused = await corpus.get("/search?q=the")
    assert refused.status == 400
    assert "stop words" in await refused.text()
    assert "form-action 'self'" in refused.headers["Content-Security-Policy"]
    assert (await corpus.get("/search?q=ceasefire&sort=new")).status == 400


async def test_a_new_file_is_searchable_after_the_reload(aiohttp_client, corpus_config):
    client = await aiohttp_client(create_app(corpus_config, watch=False))
    assert await found(client, "armistice") == []
    (corpus_config.articles_dir / "armistice.txt").write_text(
        article("Armistice Signed", author="Omar Haddad", outlet="Impunity Watch",
                published="2015-10-19T09:00:00+00:00"), encoding="utf-8")
    await client.app[LIVE].reload()
    assert await found(client, "armistice") == ["armistice"]
    (corpus_config.articles_dir / "armistice.txt").unlink()
    (corpus_config.articles_dir / "truce.txt").write_text(
        article("Truce Collapses", author="Omar Haddad", outlet="Impunity Watch"), encoding="utf-8")
    await client.app[LIVE].reload()
    assert await found(client, "armistice") == []
    assert await found(client, "collapses") == ["truce"]
    assert await found(client, "border") == []


async def test_the_watcher_keeps_search_in_step(aiohttp_client, corpus_config):
    client = await aiohttp_client(create_app(replace(corpus_config, watch="poll", poll_interval=0.05)))
    (corpus_config.articles_dir / "armistice.txt").write_text(
        article("Armistice Signed", author="Omar Haddad", outlet="Impunity Watch"), encoding="utf-8")

    async def searchable() -> bool:
        return await found(client, "armistice") == ["armistice"]
    await wait_until(searchable)


async def test_an_article_is_searchable_when_the_api_answers(api):
    assert await found(api, "zeppelin") == []
    text = article("Zeppelin Lands in Geneva", author="Amira Haddad", outlet="Impunity Watch")
    response = await api.put("/api/articles/zeppelin", data=text, headers=AUTH)
    assert response.status in (200, 201)
    assert await found(api, "zeppelin") == ["zeppelin"]
    response = await api.delete("/api/articles/zeppelin", headers=AUTH)
    assert response.status == 204
    assert await found(api, "zeppelin") == []


async def test_a_search_feed_is_a_websub_topic_notified_when_its_results_change(
        aiohttp_client, aiohttp_server, tmp_path):
    config = hub_config(tmp_path)
    client = await aiohttp_client(create_app(config, watch=False))
    subscriber = Subscriber()
    server = await aiohttp_server(subscriber.app())
    callback = str(server.make_url("/callback/search"))
    topic = f"{BASE}/feeds/search.atom?q=zeppelin"
    response = await client.post("/websub", data={"hub.mode": "subscribe", "hub.topic": topic,
                                                  "hub.callback": callback})
    assert response.status == 202
    await client.app[WEBSUB].hub.wait_idle()
    assert [v.query["hub.mode"] for v in subscriber.verifications] == ["subscribe"]
    # A change that leaves the results as they were notifies nobody.
    (config.articles_dir / "delta.txt").write_text(article("Delta", author="Dana Weber", outlet="Civic Ledger"),
                                                   encoding="utf-8")
    await client.app[LIVE].reload()
    (config.articles_dir / "zeppelin.txt").write_text(
        article("Zeppelin Over Geneva", author="Dana Weber", outlet="Civic Ledger"), encoding="utf-8")
    await client.app[LIVE].reload()

    async def notified() -> bool:
        return len(subscriber.notifications) >= 1
    await wait_until(notified)
    [notification] = subscriber.notifications
    assert notification.headers["Content-Type"] == ATOM
    assert notification.headers["Link"] == f'<{BASE}/websub>; rel="hub", <{topic}>; rel="self"'
    assert [entry.title for entry in parse_with_feedparser(notification.body).entries] == ["Zeppelin Over Geneva"]
    assert notification.body == await (await client.get("/feeds/search.atom?q=zeppelin")).read()


@pytest.mark.parametrize("topic", [
    f"{BASE}/feeds/search.atom?q=zeppelin%20%20lands",  # not the canonical spelling
    f"{BASE}/feeds/search.atom?topic=diplomacy&q=zeppelin",
    f"{BASE}/feeds/search.atom?q=zeppelin&topic=Diplomacy",
    f"{BASE}/feeds/search.atom?q=zeppelin&topic=!!!",
    f"{BASE}/feeds/search.atom?q=the",
    f"{BASE}/feeds/search.atom?q=zeppelin&sort=old",
    f"{BASE}/feeds/search.xml?q=zeppelin",
])
async def test_only_canonical_search_feeds_are_topics(aiohttp_client, aiohttp_server, tmp_path, topic):
    client = await aiohttp_client(create_app(hub_config(tmp_path), watch=False))
    subscriber = Subscriber()
    server = await aiohttp_server(subscriber.app())
    await client.post("/websub", data={"hub.mode": "subscribe", "hub.topic": topic,
                                       "hub.callback": str(server.make_url("/cb"))})
    await client.app[WEBSUB].hub.wait_idle()
    assert subscriber.verifications == []
    assert [denial.query["hub.topic"] for denial in subscriber.denials] == [topic]


def test_topic_spelling_matches_the_hubs_normalization():
    config = load_config(CONFIG)
    request = parse_search([("q", 'tilde~ "é" 100%')], config)
    assert request.query_string == f"q={quote(request.text, safe='')}"
    assert "%7E" not in request.query_string and "~" in request.query_string


@pytest.mark.parametrize(("query", "expected"), FILTERED)
async def test_a_filtered_search_gives_the_newest_matches_that_pass_up_to_the_limit(corpus, query, expected):
    assert await outcome(corpus, query, expected) == expected


@pytest.mark.parametrize(("query", "canonical"), CANONICAL)
async def test_spellings_of_one_filtered_search_are_one_resource_with_one_etag(corpus, query, canonical):
    config = corpus.app[LIVE].site.config
    request = parse_search(parse_qsl(query, keep_blank_values=True), config)
    assert request.query_string == canonical
    assert parse_search(parse_qsl(canonical, keep_blank_values=True), config) == request
    spelled = await corpus.get(f"/feeds/search.atom?{query}")
    named = await corpus.get(f"/feeds/search.atom?{canonical}")
    assert spelled.status == named.status == 200
    assert spelled.headers["ETag"] == named.headers["ETag"]
    assert await spelled.read() == await named.read()
    assert spelled.headers["Link"] == f'<{BASE}/websub>; rel="hub", <{BASE}/feeds/search.atom?{canonical}>; rel="self"'
    # One cache slot.
    assert corpus.app[SEARCH_APP].feed(request, "atom") is corpus.app[SEARCH_APP].feed(
        parse_search(parse_qsl(canonical), config), "atom")


async def test_a_filter_makes_another_resource(corpus):
    plain = await corpus.get("/feeds/search.atom?q=ceasefire%20OR%20truce")
    narrowed = await corpus.get("/feeds/search.atom?q=ceasefire%20OR%20truce&topic=diplomacy")
    assert plain.headers["ETag"] != narrowed.headers["ETag"]


@pytest.mark.parametrize("extension", ["atom", "rss", "json"])
async def test_a_filtered_search_feed_is_a_valid_feed_named_by_its_canonical_query(corpus, extension):
    response = await corpus.get(f"/feeds/search.{extension}?topic=Diplomacy&q=ceasefire+OR+truce&since=2015-10-20")
    assert response.status == 200
    body = await response.read()
    query = "q=ceasefire%20OR%20truce&since=2015-10-20&topic=diplomacy"
    canonical = f"{BASE}/feeds/search.{extension}?{query}"
    site = corpus.app[LIVE].site
    ids = [site.catalog.entries_by_slug[slug].id for slug in ("truce", "ceasefire")]
    _assert_search_feed(body, extension, canonical=canonical,
                        title=f"Search: ceasefire OR truce (topic diplomacy, since 2015-10-20) — {site.config.title}",
                        ids=ids, alternate=f"{BASE}/search?{query}")


async def test_the_search_page_filters_its_results_and_announces_the_filtered_feeds(corpus):
    _, html = await _announcing_page(corpus, "/search?topic=diplomacy&q=ceasefire",
                                     "Search: ceasefire (topic diplomacy)", "q=ceasefire&amp;topic=diplomacy")
    assert "Envoy Urges Ceasefire in Geneva" in html
    assert "Election Monitors Report Irregularities" not in html
    assert "1 article, newest first." in html
    refused = await corpus.get("/search?q=ceasefire&since=2015-13-01")
    assert refused.status == 400
    assert "not an ISO date" in await refused.text()


async def test_a_canonical_filtered_search_feed_is_a_websub_topic(aiohttp_client, aiohttp_server, tmp_path):
    client = await aiohttp_client(create_app(hub_config(tmp_path), watch=False))
    subscriber = Subscriber()
    server = await aiohttp_server(subscriber.app())
    topic = f"{BASE}/feeds/search.atom?q=alpha%20OR%20beta&since=2015-10-21&topic=diplomacy"
    response = await client.post("/websub", data={"hub.mode": "subscribe", "hub.topic": topic,
                                                  "hub.callback": str(server.make_url("/cb"))})
    assert response.status == 202
    await client.app[WEBSUB].hub.wait_idle()
    assert [v.query["hub.topic"] for v in subscriber.verifications] == [topic]
    served = await client.get(topic.removeprefix(BASE), headers={"Accept-Encoding": "identity"})
    assert client.app[SEARCH_APP].topic_etags([topic]) == {topic: served.headers["ETag"]}
