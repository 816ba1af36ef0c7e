"""The paths of the site: every path built is parsed back to what built it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedsrv import urls

SLUGS = st.from_regex(r"[a-z0-9]+(-[a-z0-9]+)*", fullmatch=True)
KINDS = st.sampled_from(["outlet", "topic", "author"])
EXTENSIONS = ("atom", "rss", "json")


@given(KINDS, SLUGS)
def test_a_feed_key_splits_into_its_kind_and_slug(kind: str, slug: str) -> None:
    assert urls.split_feed_key(urls.feed_key(kind, slug)) == (kind, slug)


def test_the_feed_of_everything_is_its_own_kind() -> None:
    assert urls.split_feed_key(urls.ALL) == ("all", "all")


@given(KINDS, SLUGS, st.sampled_from(EXTENSIONS))
def test_a_subscription_document_path_parses_back(kind: str, slug: str, extension: str) -> None:
    key = urls.feed_key(kind, slug)
    path = urls.feed_path(key, extension)
    assert urls.parse_feed_path(path) == urls.FeedAddress(key=key, extension=extension)
    assert urls.path_key(path, EXTENSIONS) == key


@given(KINDS, SLUGS, st.integers(min_value=1, max_value=10**6), st.sampled_from(EXTENSIONS))
def test_an_archive_page_path_parses_back(kind: str, slug: str, number: int, extension: str) -> None:
    key = urls.feed_key(kind, slug)
    path = urls.archive_path(key, number, extension)
    assert urls.parse_feed_path(path) == urls.FeedAddress(key=key, extension=extension, archive=number)
    assert urls.path_key(path, EXTENSIONS) == key


def test_paths_read_as_documented() -> None:
    assert urls.feed_path(urls.feed_key("topic", "syria"), "atom") == "/feeds/topics/syria.atom"
    assert urls.archive_path(urls.ALL, 1, "atom") == "/feeds/all/archive/1.atom"
    assert urls.landing_path(urls.feed_key("author", "jane-doe")) == "/authors/jane-doe"
    assert urls.landing_path(urls.ALL) == urls.INDEX == "/"
    assert urls.article_path("a-slug") == "/articles/a-slug"
    assert urls.api_article_path("a-slug") == "/api/articles/a-slug"
    assert urls.CATEGORY_SCHEME == "/feeds/topics/"


@pytest.mark.parametrize("path", ["/feeds/all/archive/01.atom", "/feeds/all/archive/0.atom"])
def test_an_archive_number_that_is_not_canonical_is_no_archive_page(path: str) -> None:
    address = urls.parse_feed_path(path)
    assert address is not None and address.archive is None


@pytest.mark.parametrize("path", ["/feeds/all", "/feeds.opml", "/articles/a", "/", "/feeds/", "/feeds/all.xml",
                                  "/feeds/all/archive/1.html", "/feeds/all.ATOM"])
def test_paths_that_name_no_feed_document(path: str) -> None:
    assert urls.parse_feed_path(path) is None


def test_feed_extensions_are_those_of_the_formats() -> None:
    assert urls.FEED_EXTENSIONS == EXTENSIONS
    assert all(urls.is_feed_extension(extension) for extension in EXTENSIONS)
    assert not any(urls.is_feed_extension(text) for text in ("", "xml", "Atom", "atom.gz"))


@given(SLUGS)
def test_an_article_path_parses_back(slug: str) -> None:
    path = urls.article_path(slug)
    assert urls.parse_article_path(path) == slug
    assert urls.parse_landing_path(path) is None
    assert urls.path_key(path, EXTENSIONS) == urls.article_key(slug)
    assert urls.parse_article_key(urls.article_key(slug)) == slug


@given(KINDS, SLUGS)
def test_a_landing_path_parses_back(kind: str, slug: str) -> None:
    key = urls.feed_key(kind, slug)
    path = urls.landing_path(key)
    assert urls.parse_landing_path(path) == key
    assert urls.parse_article_path(path) is None
    assert urls.path_key(path, EXTENSIONS) == key
    assert urls.parse_article_key(key) is None


def test_a_feed_path_in_an_unknown_format_belongs_to_nothing() -> None:
    assert urls.path_key("/feeds/all.xml", EXTENSIONS) is None


@pytest.mark.parametrize(("path", "name"), [
    (urls.feed_path(urls.ALL, "atom"), "all.atom"),
    (urls.feed_path(urls.feed_key("topic", "syria"), "rss"), "topics-syria.rss"),
    (urls.archive_path(urls.feed_key("author", "jane-doe"), 2, "json"), "authors-jane-doe-archive-2.json"),
    (urls.OPML, "feeds.opml"),
])
def test_download_names(path: str, name: str) -> None:
    assert urls.download_name(path) == name


@pytest.mark.parametrize(("path", "file"), [
    (urls.INDEX, "index.html"),
    (urls.OPML, "feeds.opml"),
    (urls.feed_path(urls.feed_key("topic", "syria"), "atom"), "feeds/topics/syria.atom"),
    (urls.landing_path(urls.feed_key("topic", "syria")), "topics/syria/index.html"),
    (urls.article_path("a-slug"), "articles/a-slug/index.html"),
])
def test_export_paths(path: str, file: str) -> None:
    assert str(urls.export_path(path)) == file
