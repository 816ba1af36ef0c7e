"""JSON Feed 1.1: field values read back, paging, determinism, and the validator."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from feedcheck import validate_json_feed
from feedsrv.catalog import build_catalog
from feedsrv.config import Outlet, SiteConfig, Topic, default_config
from feedsrv.jsonfeed import render_json
from feedsrv.model import Entry
from feedsrv.render import render_feed


@pytest.fixture
def config() -> SiteConfig:
    return replace(
        default_config(Path("/srv/feedsrv")), title="Daily Wire Digest", description="World news, syndicated.",
        base_url="https://news.example", language="en-GB", entries_per_feed=2,
        outlets={"reuters": Outlet("reuters", "Reuters", homepage="https://www.reuters.example/")},
        topics={"syria": Topic("syria", "Syria", ("syria",)),
                "economy": Topic("economy", "Economy & Trade", ("economy",))},
    )


def make_entry(slug: str, day: int, **changes: object) -> Entry:
    published = datetime(2024, 3, day, 12, 30, tzinfo=UTC)
    fields: dict[str, object] = dict(
        id=f"urn:feedsrv:article:{slug}", slug=slug, title=f"Headline of {slug}", title_derived=False,
        authors=("Jane Doe",), author_role=None, outlet="Reuters", outlet_slug="reuters", dateline=None,
        published=published, published_from="text", updated=published + timedelta(hours=1),
        summary=f"Summary of {slug}.", body=(f"Body of {slug}.",), html=f"<p>Body of {slug}.</p>",
        topics=("syria",),
    )
    fields.update(changes)
    return Entry(**fields)


@pytest.fixture
def entries() -> list[Entry]:
    return [
        make_entry("one", 1, authors=("Jane Doe", "Omar Haddad"), topics=("syria", "economy", "undeclared")),
        make_entry("two", 2, authors=(), outlet="Associated Press", outlet_slug="ap", topics=()),
        make_entry("three", 3, html="", summary="", title="Café “quoted” <b>"),
    ]


def document(feed, config, archive=None) -> dict:
    return validate_json_feed(render_json(feed, config, archive))


def test_feed_fields(entries, config) -> None:
    feed = build_catalog(entries, config).feeds["all"]
    data = document(feed, config)
    assert list(data) == ["version", "title", "home_page_url", "feed_url", "description", "next_url",
                          "authors", "language", "hubs", "items"]
    assert data["hubs"] == [{"type": "WebSub", "url": "https://news.example/websub"}]
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["title"] == "Daily Wire Digest"
    assert data["home_page_url"] == "https://news.example/"
    assert data["feed_url"] == "https://news.example/feeds/all.json"
    assert data["description"] == "World news, syndicated."
    assert data["language"] == "en-GB"
    assert data["authors"] == [{"name": "Daily Wire Digest", "url": "https://news.example/"}]
    assert [item["id"] for item in data["items"]] == ["urn:feedsrv:article:three", "urn:feedsrv:article:two"]


def test_item_fields(entries, config) -> None:
    catalog = build_catalog(entries, config)
    item = document(catalog.feeds["topics/syria"], config, archive=None)["items"][1]
    assert item == {
        "id": "urn:feedsrv:article:one",
        "url": "https://news.example/articles/one",
        "title": "Headline of one",
        "content_html": "<p>Body of one.</p>",
        "summary": "Summary of one.",
        "date_published": "2024-03-01T12:30:00+00:00",
        "date_modified": "2024-03-01T13:30:00+00:00",
        "authors": [{"name": "Jane Doe", "url": "https://news.example/authors/jane-doe"},
                    {"name": "Omar Haddad", "url": "https://news.example/authors/omar-haddad"}],
        "tags": ["Syria", "Economy & Trade", "undeclared"],
    }


def test_items_without_authors_content_or_topics(entries, config) -> None:
    items = {item["id"]: item for item in document(build_catalog(entries, config).feeds["all"], config)["items"]}
    two = items["urn:feedsrv:article:two"]
    # Same byline fallback as Atom and RSS: the outlet when no person is named.
    assert two["authors"] == [{"name": "Associated Press"}]
    assert "tags" not in two
    three = items["urn:feedsrv:article:three"]
    # No body: content_text carries the title, so the item still has content.
    assert "content_html" not in three and "summary" not in three
    assert three["content_text"] == three["title"] == "Café “quoted” <b>"


def test_text_is_utf8_not_escaped(entries, config) -> None:
    data = render_json(build_catalog(entries, config).feeds["all"], config)
    assert "Café “quoted” <b>".encode() in data
    assert data.endswith(b"}\n")


def test_lone_surrogates_are_dropped(config) -> None:
    entry = make_entry("bad", 4, title="Lone \ud800 surrogate", html="<p>x\udfff</p>")
    data = document(build_catalog([entry], config).feeds["all"], config)
    assert data["items"][0]["title"] == "Lone  surrogate"
    assert data["items"][0]["content_html"] == "<p>x</p>"


def test_outlet_and_author_feeds_credit_their_owner(entries, config) -> None:
    catalog = build_catalog(entries, config)
    outlet = document(catalog.feeds["outlets/reuters"], config)
    assert outlet["home_page_url"] == "https://www.reuters.example/"
    assert outlet["authors"] == [{"name": "Reuters", "url": "https://www.reuters.example/"}]
    author = document(catalog.feeds["authors/omar-haddad"], config)
    assert author["home_page_url"] == "https://news.example/authors/omar-haddad"
    assert author["authors"] == [{"name": "Omar Haddad", "url": "https://news.example/authors/omar-haddad"}]
    assert author["feed_url"] == "https://news.example/feeds/authors/omar-haddad.json"


def test_paging_with_next_url(entries, config) -> None:
    feed = build_catalog(entries, config).feeds["all"]  # pages of 2: one archive page
    assert document(feed, config)["next_url"] == "https://news.example/feeds/all/archive/1.json"
    archive = document(feed, config, archive=1)
    assert "next_url" not in archive
    assert archive["feed_url"] == "https://news.example/feeds/all.json"
    assert [item["id"] for item in archive["items"]] == ["urn:feedsrv:article:one"]


def test_render_feed_dispatches_json_and_bytes_are_stable(entries, config) -> None:
    feed = build_catalog(entries, config).feeds["all"]
    assert render_feed(feed, "json", config) == render_json(feed, config) == render_json(feed, config)


def test_empty_feed_is_valid(config) -> None:
    data = document(build_catalog([], config).feeds["all"], config)
    assert data["items"] == [] and "next_url" not in data


VALID = {"version": "https://jsonfeed.org/version/1.1", "title": "t",
         "items": [{"id": "1", "content_text": "x", "date_published": "2024-03-01T12:30:00Z"}]}


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.update(version="https://jsonfeed.org/version/1"), "version"),
    (lambda d: d.pop("title"), "title"),
    (lambda d: d.pop("items"), "items"),
    (lambda d: d["items"][0].pop("id"), "string id"),
    (lambda d: d["items"][0].update(id=1), "string id"),
    (lambda d: d["items"].append(dict(d["items"][0])), "repeats id"),
    (lambda d: d["items"][0].pop("content_text"), "neither content_html nor content_text"),
    (lambda d: d["items"][0].update(date_published="1 March 2024"), "RFC 3339"),
    (lambda d: d["items"][0].update(date_modified="2024-03-01T12:30:00"), "RFC 3339"),
    (lambda d: d["items"][0].update(url="/articles/x"), "absolute URL"),
    (lambda d: d.update(next_url="page2.json"), "absolute URL"),
    (lambda d: d["items"][0].update(tags="syria"), "tags"),
    (lambda d: d.update(authors=[{}]), "no name, url or avatar"),
    (lambda d: d.update(home_page="https://x.example/"), "does not define"),
])
def test_validate_json_feed_rejects(change, message) -> None:
    validate_json_feed(json.dumps(VALID).encode())
    broken = json.loads(json.dumps(VALID))
    change(broken)
    with pytest.raises(AssertionError, match=message):
        validate_json_feed(json.dumps(broken).encode())


def test_validate_json_feed_rejects_what_is_not_utf8_json() -> None:
    with pytest.raises(AssertionError, match="not UTF-8 JSON"):
        validate_json_feed(b"<rss/>")
