"""RFC 5005 archives over HTTP, on a generated history longer than a feed holds.

A client that starts at any subscription feed and follows ``prev-archive`` (Atom,
RSS) or ``next_url`` (JSON Feed) must collect every entry of the feed exactly once,
newest to oldest; full pages are immutable, the newest page is not; archives are
rendered on first request, not at start-up.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from conftest import CONFIG
from feedcheck import parse_with_feedparser, validate_atom, validate_json_feed, validate_rss
from feedsrv.config import SiteConfig, load_config
from feedsrv.export import export_site
from feedsrv.site import Site, build_site
from feedsrv.synth import generate_articles, write_articles
from feedsrv.urls import export_path
from feedsrv.web import create_app

ARTICLES = 130
PAGE_SIZE = 20  # 20 in the subscription document, 110 archived: five full pages and one of 10
BASE = "http://127.0.0.1:8080"
ATOM = "{http://www.w3.org/2005/Atom}"
FH_ARCHIVE = "{http://purl.org/syndication/history/1.0}archive"
IMMUTABLE = "public, max-age=31536000, immutable"
NORMAL = "public, max-age=300"


@pytest.fixture(scope="module")
def history_config(tmp_path_factory) -> SiteConfig:
    """The shipped config over 130 generated articles, one a day, by five reporters
    for four outlets, so outlet and author feeds have archives too."""
    directory = tmp_path_factory.mktemp("history")
    write_articles(generate_articles(ARTICLES, seed=11, outlets=4, reporters=5), directory)
    return replace(load_config(CONFIG), articles_dir=directory, entries_per_feed=PAGE_SIZE)


@pytest.fixture(scope="module")
def history_site(history_config: SiteConfig) -> Site:
    return build_site(history_config)


@pytest.fixture
async def client(aiohttp_client, history_site: Site):
    return await aiohttp_client(create_app(history_site.config, site=history_site))


def site_path(url: str) -> str:
    assert url.startswith(BASE), url
    return url.removeprefix(BASE)


def feed_links(body: bytes, extension: str) -> dict[str, str]:
    """rel → href of the feed-level links of an Atom feed or an RSS channel."""
    root = etree.fromstring(body)
    container = root if extension == "atom" else root.find("channel")
    return {link.get("rel"): link.get("href") for link in container.iterfind(f"{ATOM}link")}


def read_document(body: bytes, extension: str, *, with_feedparser: bool) -> tuple[list[str], str | None]:
    """Validate one document; return its entry ids and the URL of the next-older
    document. ``with_feedparser`` also reads it as feedparser does and checks both
    readings agree (feedparser sanitizes every entry's HTML, which is slow)."""
    if extension == "json":
        document = validate_json_feed(body)
        return [item["id"] for item in document["items"]], document.get("next_url")
    (validate_atom if extension == "atom" else validate_rss)(body)
    root = etree.fromstring(body)
    if extension == "atom":
        ids = [entry.findtext(f"{ATOM}id") for entry in root.iterfind(f"{ATOM}entry")]
    else:
        ids = [item.findtext("guid") for item in root.iterfind("channel/item")]
    older = feed_links(body, extension).get("prev-archive")
    if with_feedparser:
        parsed = parse_with_feedparser(body)
        assert [entry.id for entry in parsed.entries] == ids
        assert [link.href for link in parsed.feed.links if link.rel == "prev-archive"] == ([older] if older else [])
    return ids, older


@pytest.mark.parametrize("extension", ["atom", "rss", "json"])
async def test_following_the_archive_links_collects_every_entry_once_newest_first(client, history_site, extension):
    walked = 0
    for feed in history_site.catalog.feeds.values():
        ids: list[str] = []
        url: str | None = BASE + feed.path(extension)
        documents = 0
        while url:
            response = await client.get(site_path(url))
            assert response.status == 200, url
            page_ids, url = read_document(await response.read(), extension, with_feedparser=feed.kind == "all")
            ids.extend(page_ids)
            documents += 1
        assert ids == [entry.id for entry in feed.history], feed.key
        assert documents == 1 + feed.archive_count, feed.key
        walked += feed.archive_count
    assert history_site.catalog.feeds["all"].archive_count == 6
    assert walked > 6, "outlet, topic or author feeds have archives as well"


@pytest.mark.parametrize("extension", ["atom", "rss"])
async def test_rfc5005_links_and_archive_marker(client, extension):
    def get(path):
        return client.get(path)

    subscription = await (await get(f"/feeds/all.{extension}")).read()
    links = feed_links(subscription, extension)
    assert links["prev-archive"] == f"{BASE}/feeds/all/archive/6.{extension}"
    assert "current" not in links and "next-archive" not in links
    assert etree.fromstring(subscription).find(f".//{FH_ARCHIVE}") is None

    expected = {1: (None, 2), 3: (2, 4), 6: (5, None)}
    for number, (older, newer) in expected.items():
        body = await (await get(f"/feeds/all/archive/{number}.{extension}")).read()
        links = feed_links(body, extension)
        assert links["self"] == f"{BASE}/feeds/all/archive/{number}.{extension}"
        assert links["current"] == f"{BASE}/feeds/all.{extension}"
        assert links.get("prev-archive") == (older and f"{BASE}/feeds/all/archive/{older}.{extension}")
        assert links.get("next-archive") == (newer and f"{BASE}/feeds/all/archive/{newer}.{extension}")
        root = etree.fromstring(body)
        container = root if extension == "atom" else root.find("channel")
        assert container.find(FH_ARCHIVE) is not None
        # fh is declared once, on the root element.
        assert root.nsmap["fh"] == "http://purl.org/syndication/history/1.0"
        assert b'xmlns:fh=' in body and body.count(b"xmlns:fh=") == 1
        if extension == "atom":
            # Archive documents are part of the same logical feed (RFC 5005 §4).
            assert root.findtext(f"{ATOM}id") == f"{BASE}/feeds/all.atom"


async def test_json_feed_pages_chain_with_next_url(client):
    subscription = json.loads(await (await client.get("/feeds/all.json")).read())
    assert subscription["next_url"] == f"{BASE}/feeds/all/archive/6.json"
    oldest = json.loads(await (await client.get("/feeds/all/archive/1.json")).read())
    assert "next_url" not in oldest
    # feed_url names the feed itself on every page, so subscribing from an archive
    # page subscribes to the live feed.
    assert oldest["feed_url"] == subscription["feed_url"] == f"{BASE}/feeds/all.json"


async def test_full_pages_are_immutable_and_the_open_page_is_not(client, history_site):
    for extension in ("atom", "rss", "json"):
        for number in range(1, 6):
            response = await client.head(f"/feeds/all/archive/{number}.{extension}")
            assert response.headers["Cache-Control"] == IMMUTABLE, (number, extension)
        open_page = await client.get(f"/feeds/all/archive/6.{extension}")
        assert open_page.headers["Cache-Control"] == NORMAL
        body = await open_page.read()
        ids = read_document(body, extension, with_feedparser=True)[0]
        assert len(ids) == 10
        assert (await client.get(f"/feeds/all.{extension}")).headers["Cache-Control"] == NORMAL


def test_a_full_newest_page_is_immutable_too(history_config):
    # 130 entries in pages of 13: the subscription document and nine full archive pages.
    site = build_site(replace(history_config, entries_per_feed=13))
    assert site.catalog.feeds["all"].archive_count == 9
    assert site.resource("/feeds/all/archive/9.atom").cache_control == IMMUTABLE
    assert site.resource("/feeds/all.atom").cache_control == NORMAL


async def test_archive_page_headers(client, history_site):
    response = await client.get("/feeds/topics/syria/archive/1.rss")
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'inline; filename="topics-syria-archive-1.rss"'
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    page = history_site.catalog.feeds["topics/syria"].page(1)
    assert response.headers["Last-Modified"] == page.updated.strftime("%a, %d %b %Y %H:%M:%S GMT")
    again = await client.get("/feeds/topics/syria/archive/1.rss", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status == 304
    assert again.headers["Cache-Control"] == response.headers["Cache-Control"]


@pytest.mark.parametrize("path", [
    "/feeds/all/archive/0.atom", "/feeds/all/archive/7.atom", "/feeds/all/archive/01.atom",
    "/feeds/all/archive/-1.atom", "/feeds/all/archive/.atom", "/feeds/all/archive/1", "/feeds/all/archive/1.xml",
    "/feeds/nope/archive/1.atom", "/feeds/topics/archive/1.atom", "/feeds/archive/1.atom",
    "/feeds/all/archive/1.atom/", "/feeds/all/archive.atom",
])
async def test_unknown_archive_pages_are_404(client, path):
    assert (await client.get(path)).status == 404


async def test_archives_and_pages_are_rendered_on_first_request_only(aiohttp_client, history_config):
    site = build_site(history_config)
    feeds = site.catalog.feeds.values()
    # At start-up: the index, the subscription list and each feed in each format;
    # nothing whose number grows with the history.
    assert site.rendered_paths() == {"/", "/feeds.opml"} | {feed.path(ext) for feed in feeds
                                                            for ext in ("atom", "rss", "json")}
    client = await aiohttp_client(create_app(site.config, site=site))
    first = await client.get("/feeds/all/archive/2.json")
    assert "/feeds/all/archive/2.json" in site.rendered_paths()
    assert "/feeds/all/archive/2.atom" not in site.rendered_paths()
    second = await client.get("/feeds/all/archive/2.json")
    assert await first.read() == await second.read()
    assert first.headers["ETag"] == second.headers["ETag"]
    article = next(iter(site.catalog.entries))
    assert (await client.get(f"/articles/{article.slug}")).status == 200
    assert f"/articles/{article.slug}" in site.rendered_paths()


def test_every_path_renders_and_export_writes_archives(history_site, tmp_path: Path):
    paths = list(history_site.paths())
    assert len(paths) == len(set(paths))
    archives = [path for path in paths if "/archive/" in path]
    expected = sum(feed.archive_count for feed in history_site.catalog.feeds.values()) * 3
    assert len(archives) == expected
    written = export_site(history_site, tmp_path)
    assert len(written) == 2 * len(paths)
    target = tmp_path / export_path("/feeds/all/archive/1.atom")
    assert target == tmp_path / "feeds" / "all" / "archive" / "1.atom"
    assert target.read_bytes() == history_site.resource("/feeds/all/archive/1.atom").identity.body
    assert (tmp_path / "feeds" / "all" / "archive" / "1.atom.gz").is_file()
    assert (tmp_path / "authors").is_dir() and (tmp_path / "feeds.opml").is_file()


def test_concurrent_first_requests_get_one_representation(history_config):
    site = build_site(history_config)
    paths = ["/feeds/all/archive/3.atom", "/feeds/all/archive/3.rss", "/topics/syria"] * 8
    with ThreadPoolExecutor(max_workers=8) as pool:
        resources = list(pool.map(site.resource, paths))
    for path, resource in zip(paths, resources, strict=True):
        # Whichever thread rendered first, every caller gets the stored object.
        assert resource is site.resource(path)


def test_a_replaced_site_renders_afresh(history_site):
    history_site.resource("/feeds/all/archive/1.atom")
    other = replace(history_site, config=replace(history_site.config, base_url="https://news.example"))
    assert other.rendered_paths() == frozenset()
    assert b"https://news.example/feeds/all/archive/1.atom" in other.resource("/feeds/all/archive/1.atom").identity.body
