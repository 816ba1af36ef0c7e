"""The HTTP server on the shipped seeds: routes, headers and bytes on the wire."""

from __future__ import annotations

import gzip
import re
from email.utils import parsedate_to_datetime

import brotli
import pytest

from feedcheck import parse_with_feedparser, validate_atom, validate_json_feed, validate_rss
from feedsrv.representations import http_date
from feedsrv.site import build_site

FEED_TYPES = {"atom": "application/atom+xml; charset=utf-8", "rss": "application/rss+xml; charset=utf-8",
              "json": "application/feed+json; charset=utf-8"}
VALIDATORS = {"atom": validate_atom, "rss": validate_rss, "json": validate_json_feed}
ALTERNATE = re.compile(r'<link rel="alternate" type="([^"]+)" title="[^"]*" href="([^"]+)">')


async def feed_paths(client) -> list[str]:
    """Every feed the index advertises through autodiscovery, as a site path."""
    response = await client.get("/")
    html = await response.text()
    base = "http://127.0.0.1:8080"
    return [href.removeprefix(base) for _, href in ALTERNATE.findall(html)]


async def test_index_lists_every_feed_and_each_answers(client, seed_site):
    paths = await feed_paths(client)
    expected = {feed.path(ext) for feed in seed_site.catalog.feeds.values() for ext in FEED_TYPES}
    assert set(paths) == expected
    assert {"/feeds/all.atom", "/feeds/outlets/impunity-watch.rss", "/feeds/topics/syria.json",
            "/feeds/authors/shelby-vcelka.atom"} <= set(paths)
    for path in paths:
        response = await client.get(path)
        assert response.status == 200, path
        extension = path.rsplit(".", 1)[1]
        assert response.headers["Content-Type"] == FEED_TYPES[extension]
        body = await response.read()
        VALIDATORS[extension](body)
        if extension != "json":  # feedparser 6.0 reads XML feeds only
            parse_with_feedparser(body)


async def test_all_atom_has_both_seed_entries(client):
    response = await client.get("/feeds/all.atom")
    parsed = parse_with_feedparser(await response.read())
    titles = [entry.title for entry in parsed.entries]
    assert "Syrian Leader Bashar Assad Meets in Moscow with Putin" in titles
    assert len(parsed.entries) == 2
    by_title = {entry.title: entry for entry in parsed.entries}
    mideast = by_title["Syrian Leader Bashar Assad Meets in Moscow with Putin"]
    assert mideast.link == "http://127.0.0.1:8080/articles/002-3b1ee3ced2e6f8f0"
    assert mideast.author == "Mideast Time"
    impunity = next(entry for entry in parsed.entries if entry is not mideast)
    assert impunity.author == "Shelby Vcelka"
    assert impunity.published.startswith("2015-10-22")
    assert {tag.term for tag in impunity.tags} >= {"syria", "russia"}
    assert "<figcaption>" in impunity.content[0].value


async def test_article_page(client, seed_site):
    entry = seed_site.catalog.entries_by_slug["000-035b52bdb15d24f1"]
    response = await client.get("/articles/000-035b52bdb15d24f1")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    html = await response.text()
    assert "Shelby Vcelka" in html and "MOSCOW, Russia" in html
    assert "http://127.0.0.1:8080/feeds/outlets/impunity-watch.atom" in html
    assert f"<h1>{entry.title}</h1>" in html
    assert "Washington Post" in html


async def test_healthz(client):
    response = await client.get("/healthz")
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    health = await response.json()
    assert health["status"] == "ok"
    assert health["articles"] == 2
    assert health["skipped"] == 0


async def test_caching_headers(client, seed_site):
    feed = seed_site.catalog.feeds["all"]
    response = await client.get("/feeds/all.rss", headers={"Accept-Encoding": "identity"})
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Last-Modified"] == http_date(feed.updated)
    assert response.headers["Vary"] == "Accept-Encoding"
    assert re.fullmatch(r'"[0-9a-f]{32}"', response.headers["ETag"])
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Date" in response.headers


@pytest.mark.parametrize("path", ["/feeds/all.atom", "/feeds/topics/russia.rss", "/feeds/authors/shelby-vcelka.json",
                                  "/", "/articles/002-3b1ee3ced2e6f8f0", "/outlets/impunity-watch", "/feeds.opml"])
async def test_conditional_get_with_etag_answers_304_without_body(client, path):
    first = await client.get(path)
    etag = first.headers["ETag"]
    second = await client.get(path, headers={"If-None-Match": etag})
    assert second.status == 304
    assert await second.read() == b""
    for header in ("ETag", "Last-Modified", "Cache-Control", "Vary", "Date"):
        assert header in second.headers, header
    assert second.headers["ETag"] == etag
    assert second.headers["Last-Modified"] == first.headers["Last-Modified"]


async def test_if_none_match_forms(client):
    etag = (await client.get("/feeds/all.atom")).headers["ETag"]
    for header in (f'"nope", {etag}', f"W/{etag}", "*"):
        response = await client.get("/feeds/all.atom", headers={"If-None-Match": header})
        assert response.status == 304, header
    stale = await client.get("/feeds/all.atom", headers={"If-None-Match": '"stale"'})
    assert stale.status == 200
    assert len(await stale.read()) > 0


async def test_if_modified_since(client):
    last_modified = (await client.get("/feeds/all.atom")).headers["Last-Modified"]
    assert (await client.get("/feeds/all.atom", headers={"If-Modified-Since": last_modified})).status == 304
    earlier = "Thu, 01 Jan 2015 00:00:00 GMT"
    assert (await client.get("/feeds/all.atom", headers={"If-Modified-Since": earlier})).status == 200
    # If-None-Match present: If-Modified-Since is ignored (RFC 9110 §13.1.3).
    both = await client.get("/feeds/all.atom",
                            headers={"If-None-Match": '"stale"', "If-Modified-Since": last_modified})
    assert both.status == 200


async def test_compression_is_negotiated_and_each_coding_has_its_own_etag(client):
    plain = await client.get("/feeds/all.atom", headers={"Accept-Encoding": "identity"})
    plain_body = await plain.read()
    assert "Content-Encoding" not in plain.headers

    gzipped = await client.get("/feeds/all.atom", headers={"Accept-Encoding": "gzip"}, auto_decompress=False)
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(await gzipped.read()) == plain_body

    brotlied = await client.get("/feeds/all.atom", headers={"Accept-Encoding": "gzip, br"}, auto_decompress=False)
    assert brotlied.headers["Content-Encoding"] == "br"
    assert brotli.decompress(await brotlied.read()) == plain_body

    etags = {plain.headers["ETag"], gzipped.headers["ETag"], brotlied.headers["ETag"]}
    assert len(etags) == 3
    assert all(response.headers["Vary"] == "Accept-Encoding" for response in (plain, gzipped, brotlied))

    # The gzip tag revalidates the gzip representation only.
    revalidated = await client.get("/feeds/all.atom", auto_decompress=False,
                                   headers={"Accept-Encoding": "gzip", "If-None-Match": gzipped.headers["ETag"]})
    assert revalidated.status == 304
    assert revalidated.headers["ETag"] == gzipped.headers["ETag"]
    other = await client.get("/feeds/all.atom", headers={"Accept-Encoding": "identity",
                                                         "If-None-Match": gzipped.headers["ETag"]})
    assert other.status == 200


async def test_head_matches_get_without_body(client):
    get = await client.get("/feeds/all.rss", headers={"Accept-Encoding": "identity"})
    head = await client.head("/feeds/all.rss", headers={"Accept-Encoding": "identity"})
    assert head.status == 200
    assert await head.read() == b""
    for header in ("ETag", "Last-Modified", "Content-Type", "Content-Length", "Cache-Control"):
        assert head.headers[header] == get.headers[header], header
    assert int(head.headers["Content-Length"]) == len(await get.read())


@pytest.mark.parametrize("path", ["/nope", "/feeds/none.atom", "/feeds/all.xml", "/articles/none",
                                  "/feeds/outlets/x.rss", "/outlets/none", "/topics/none", "/authors/none", "/all",
                                  "/outlets/", "/feeds/all/archive/1.atom", "/feeds/opml", "/feeds.opml/x"])
async def test_unknown_paths_are_404(client, path):
    assert (await client.get(path)).status == 404


@pytest.mark.parametrize("path", ["/feeds/all.atom", "/feeds.opml", "/topics/syria", "/authors/shelby-vcelka"])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
async def test_other_methods_are_405_with_allow(client, method, path):
    response = await client.request(method, path)
    assert response.status == 405
    assert set(response.headers["Allow"].split(",")) == {"GET", "HEAD"}


def test_etags_are_identical_across_builds(seed_config):
    first, second = build_site(seed_config), build_site(seed_config)
    for path in first.paths():
        for coding, variant in first.resource(path).variants.items():
            again = second.resource(path).variants[coding]
            assert variant.etag == again.etag
            assert variant.body == again.body, (path, coding)


async def test_last_modified_is_newest_entry_update(client, seed_site):
    feed = seed_site.catalog.feeds["outlets/impunity-watch"]
    response = await client.get("/feeds/outlets/impunity-watch.atom")
    newest = max(entry.updated for entry in feed.entries)
    assert parsedate_to_datetime(response.headers["Last-Modified"]) == newest.replace(microsecond=0)


@pytest.mark.parametrize(("path", "name"), [
    ("/feeds/all.atom", "all.atom"),
    ("/feeds/topics/syria.rss", "topics-syria.rss"),
    ("/feeds/authors/shelby-vcelka.json", "authors-shelby-vcelka.json"),
    ("/feeds/outlets/impunity-watch.json", "outlets-impunity-watch.json"),
])
async def test_feeds_name_the_file_a_download_is_saved_as(client, path, name):
    response = await client.get(path)
    assert response.headers["Content-Disposition"] == f'inline; filename="{name}"'


async def test_pages_are_not_downloads(client):
    for path in ("/", "/articles/002-3b1ee3ced2e6f8f0", "/topics/syria"):
        response = await client.get(path)
        assert "Content-Disposition" not in response.headers, path
        assert "Access-Control-Allow-Origin" not in response.headers, path


async def test_json_feed_is_served_like_the_others(client, seed_site):
    response = await client.get("/feeds/all.json", headers={"Accept-Encoding": "gzip"}, auto_decompress=False)
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/feed+json; charset=utf-8"
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Last-Modified"] == http_date(seed_site.catalog.feeds["all"].updated)
    document = validate_json_feed(gzip.decompress(await response.read()))
    assert {item["url"] for item in document["items"]} == {
        "http://127.0.0.1:8080/articles/000-035b52bdb15d24f1", "http://127.0.0.1:8080/articles/002-3b1ee3ced2e6f8f0"}
    again = await client.get("/feeds/all.json", headers={"Accept-Encoding": "gzip",
                                                         "If-None-Match": response.headers["ETag"]})
    assert again.status == 304


@pytest.mark.parametrize(("path", "heading", "feed"), [
    ("/outlets/impunity-watch", "Impunity Watch", "outlets/impunity-watch"),
    ("/outlets/mideast-time", "Mideast Time", "outlets/mideast-time"),
    ("/topics/syria", "Syria", "topics/syria"),
    ("/authors/shelby-vcelka", "Shelby Vcelka", "authors/shelby-vcelka"),
])
async def test_landing_pages(client, seed_site, path, heading, feed):
    response = await client.get(path)
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    html = await response.text()
    assert f"<h1>{heading}</h1>" in html
    discovered = {(kind, href.removeprefix("http://127.0.0.1:8080")) for kind, href in ALTERNATE.findall(html)}
    assert discovered == {(FEED_TYPES[ext].partition(";")[0], f"/feeds/{feed}.{ext}") for ext in FEED_TYPES}
    for entry in seed_site.catalog.feeds[feed].history:
        assert f'href="http://127.0.0.1:8080/articles/{entry.slug}"' in html


async def test_article_page_discovers_its_outlet_topic_and_author_feeds(client):
    html = await (await client.get("/articles/000-035b52bdb15d24f1")).text()
    hrefs = {href.removeprefix("http://127.0.0.1:8080") for _, href in ALTERNATE.findall(html)}
    for key in ("all", "outlets/impunity-watch", "topics/syria", "topics/russia", "authors/shelby-vcelka"):
        assert {f"/feeds/{key}.{ext}" for ext in FEED_TYPES} <= hrefs, key
    assert 'href="http://127.0.0.1:8080/authors/shelby-vcelka">Shelby Vcelka</a>' in html
    assert 'href="http://127.0.0.1:8080/outlets/impunity-watch"' in html
    assert 'href="http://127.0.0.1:8080/topics/syria">Syria</a>' in html


async def test_index_links_landing_pages_and_the_subscription_list(client):
    html = await (await client.get("/")).text()
    for path in ("/outlets/impunity-watch", "/topics/syria", "/authors/shelby-vcelka", "/feeds.opml"):
        assert f'href="http://127.0.0.1:8080{path}"' in html, path
    assert "<h2>Authors</h2>" in html
