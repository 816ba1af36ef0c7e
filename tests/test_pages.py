"""HTML pages rendered directly: autodiscovery, links to feeds and landing pages,
escaping of every interpolated value."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from feedsrv.catalog import Catalog, build_catalog
from feedsrv.config import Outlet, SiteConfig, Topic, default_config
from feedsrv.model import Entry
from feedsrv.pages import render_article_page, render_feed_page, render_index_page

BASE = "https://news.example"
TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml", "json": "application/feed+json"}


class Page(HTMLParser):
    """What a browser or feed reader takes from a page: alternate links, anchors, text."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self.alternates: list[tuple[str, str]] = []
        self.anchors: list[str] = []
        self.text: list[str] = []
        self.feed(data.decode("utf-8"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "link" and attributes.get("rel") == "alternate":
            self.alternates.append((attributes["type"], attributes["href"]))
        if tag == "a":
            self.anchors.append(attributes["href"])

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture
def config() -> SiteConfig:
    return replace(
        default_config(Path("/srv/feedsrv")), title="Wire & Co", base_url=BASE, entries_per_feed=2,
        outlets={"reuters": Outlet("reuters", "Reuters")},
        topics={"syria": Topic("syria", "Syria", ("syria",))},
    )


def make_entry(number: int, **changes: object) -> Entry:
    published = datetime(2024, 3, 1, tzinfo=UTC) + timedelta(days=number)
    fields: dict[str, object] = dict(
        id=f"urn:test:{number}", slug=f"a{number}", title=f"Article {number}", title_derived=False,
        authors=("Jane Doe",), author_role=None, outlet="Reuters", outlet_slug="reuters", dateline=None,
        published=published, published_from="text", updated=published, summary=f"Summary {number}.",
        body=(), html=f"<p>Body {number}.</p>", topics=("syria",),
    )
    fields.update(changes)
    return Entry(**fields)


@pytest.fixture
def catalog(config: SiteConfig) -> Catalog:
    return build_catalog([make_entry(number) for number in range(5)], config)


def discovered(page: Page) -> set[str]:
    return {href for _, href in page.alternates}


def in_formats(*keys: str) -> set[str]:
    return {f"{BASE}/feeds/{key}.{ext}" for key in keys for ext in TYPES}


def test_article_page_discovers_and_links_its_feeds(catalog: Catalog, config: SiteConfig) -> None:
    page = Page(render_article_page(catalog.entries_by_slug["a3"], catalog, config))
    assert discovered(page) == in_formats("all", "outlets/reuters", "topics/syria", "authors/jane-doe")
    assert {kind for kind, _ in page.alternates} == set(TYPES.values())
    assert in_formats("outlets/reuters", "topics/syria", "authors/jane-doe") <= set(page.anchors)
    for landing in ("/outlets/reuters", "/topics/syria", "/authors/jane-doe"):
        assert BASE + landing in page.anchors, landing


def test_landing_page_lists_the_whole_history(catalog: Catalog, config: SiteConfig) -> None:
    feed = catalog.feeds["topics/syria"]
    assert len(feed.entries) == 2 and len(feed.history) == 5
    data = render_feed_page(feed, catalog, config)
    page = Page(data)
    assert discovered(page) == in_formats("topics/syria")
    articles = [href for href in page.anchors if "/articles/" in href]
    assert articles == [f"{BASE}/articles/a{number}" for number in (4, 3, 2, 1, 0)]
    assert "<h1>Syria</h1>" in data.decode()
    assert "3 archive pages" not in data.decode() and "in 2 archive pages" in data.decode()


def test_index_discovers_every_feed_and_links_every_landing_page(catalog: Catalog, config: SiteConfig) -> None:
    page = Page(render_index_page(catalog, config))
    assert discovered(page) == in_formats(*catalog.feeds)
    landings = {BASE + feed.landing_path for feed in catalog.feeds.values()}
    assert landings <= set(page.anchors)
    assert f"{BASE}/feeds.opml" in page.anchors
    # The newest entries only: the index does not grow with the history.
    assert [href for href in page.anchors if "/articles/" in href] == [f"{BASE}/articles/a4", f"{BASE}/articles/a3"]


HOSTILE = '<script>alert("x")</script> & "quotes"'


def test_every_value_is_escaped(config: SiteConfig) -> None:
    config = replace(config, title=HOSTILE, description=HOSTILE,
                     topics={"syria": Topic("syria", HOSTILE, ("syria",), description=HOSTILE)})
    entry = make_entry(1, title=HOSTILE, authors=(HOSTILE,), outlet=HOSTILE, outlet_slug="evil",
                       dateline=HOSTILE, author_role=HOSTILE, summary=HOSTILE)
    catalog = build_catalog([entry], config)
    pages = [render_index_page(catalog, config), render_article_page(entry, catalog, config)]
    pages.extend(render_feed_page(feed, catalog, config) for key, feed in catalog.feeds.items() if key != "all")
    for data in pages:
        text = data.decode()
        assert "<script>" not in text
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in text
        parsed = Page(data)
        assert any(HOSTILE in chunk for chunk in parsed.text)
        # Attribute values stay inside their quotes: every alternate link has a feed URL.
        assert all(re.fullmatch(rf"{BASE}/feeds/[a-z0-9/-]+\.(atom|rss|json)", href) for _, href in parsed.alternates)


def test_pages_are_responsive(catalog: Catalog, config: SiteConfig) -> None:
    text = render_index_page(catalog, config).decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    assert "max-width: 44rem" in text
