"""The catalog: feeds per outlet, topic and author, and RFC 5005 archive pages that
partition each feed's history exactly once and keep full pages stable."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedsrv.catalog import Feed, author_key, build_catalog, update_catalog
from feedsrv.config import Outlet, SiteConfig, Topic, default_config
from feedsrv.model import Entry
from feedsrv.urls import article_path

START = datetime(2020, 1, 1, 9, 0, tzinfo=UTC)


def make_config(page_size: int = 3) -> SiteConfig:
    return replace(
        default_config(Path("/srv/feedsrv")), title="Wire", entries_per_feed=page_size,
        outlets={"reuters": Outlet("reuters", "Reuters")},
        topics={"syria": Topic("syria", "Syria", ("syria",)), "economy": Topic("economy", "Economy", ("economy",))},
    )


def make_entry(number: int, **changes: object) -> Entry:
    published = START + timedelta(days=number)
    fields: dict[str, object] = dict(
        id=f"urn:test:{number}", slug=f"a{number}", title=f"Article {number}", title_derived=False,
        authors=("Jane Doe",), author_role=None, outlet="Reuters", outlet_slug="reuters", dateline=None,
        published=published, published_from="text", updated=published, summary="", body=(), html="",
        topics=("syria",),
    )
    fields.update(changes)
    return Entry(**fields)


def history(count: int, page_size: int) -> Feed:
    return build_catalog([make_entry(number) for number in range(count)], make_config(page_size)).feeds["all"]


def walk(feed: Feed) -> list[str]:
    """Entry ids from the subscription document, then each older archive page."""
    ids, page = [], feed.page()
    while True:
        ids.extend(entry.id for entry in page.entries)
        if page.prev_archive is None:
            return ids
        page = feed.page(page.prev_archive)


@pytest.mark.parametrize("page_size", [1, 3, 20])
@pytest.mark.parametrize("count", [0, 1, 2, 3, 4, 5, 6, 7, 20, 21, 39, 40, 41, 61])
def test_archive_pages_partition_the_history_newest_to_oldest(count: int, page_size: int) -> None:
    feed = history(count, page_size)
    assert walk(feed) == [entry.id for entry in feed.history]
    assert len(feed.history) == count
    assert feed.archive_count == max(0, -(-(count - page_size) // page_size))
    pages = [feed.page(number) for number in range(1, feed.archive_count + 1)]
    for page in pages[:-1]:
        assert len(page.entries) == page_size and page.complete
    if pages:
        newest = pages[-1]
        assert 1 <= len(newest.entries) <= page_size
        assert newest.complete == ((count - page_size) % page_size == 0)
        assert pages[0].entries[-1] == feed.history[-1], "page 1 ends with the oldest entry"


def test_links_between_pages() -> None:
    feed = history(10, 3)  # 3 in the subscription document, 7 archived: pages of 3, 3, 1
    assert feed.archive_count == 3
    subscription = feed.page()
    assert (subscription.is_archive, subscription.prev_archive, subscription.next_archive) == (False, 3, None)
    assert subscription.path("atom") == "/feeds/all.atom"
    expected = {1: (None, 2, 3), 2: (1, 3, 3), 3: (2, None, 1)}
    for number, (older, newer, size) in expected.items():
        page = feed.page(number)
        assert (page.prev_archive, page.next_archive, len(page.entries)) == (older, newer, size)
        assert page.path("json") == f"/feeds/all/archive/{number}.json"
    assert [entry.id for entry in feed.page(1).entries] == ["urn:test:2", "urn:test:1", "urn:test:0"]
    assert feed.page(1).updated == START + timedelta(days=2)


def test_a_feed_that_fits_has_no_archive() -> None:
    feed = history(3, 3)
    assert feed.archive_count == 0
    assert feed.page().prev_archive is None


@pytest.mark.parametrize("number", [0, -1, 3])
def test_pages_outside_the_archive_do_not_exist(number: int) -> None:
    with pytest.raises(IndexError):
        history(10, 4).page(number)


def test_full_pages_do_not_change_as_newer_entries_arrive() -> None:
    before = history(25, 4)
    for arrivals in range(1, 9):
        after = history(25 + arrivals, 4)
        for number in range(1, before.archive_count + 1):
            if before.page(number).complete:
                assert after.page(number).entries == before.page(number).entries, (arrivals, number)


def test_author_feeds() -> None:
    entries = [
        make_entry(1, authors=("Jane Doe", "Omar Haddad")),
        make_entry(2, authors=()),
        make_entry(3, authors=("Omar Haddad",)),
        make_entry(4, authors=("omar haddad", "Omar  Haddad")),  # one slug: listed once
        make_entry(5, authors=("محمد",)),
    ]
    catalog = build_catalog(entries, make_config(page_size=10))
    authors = {feed.key: feed for feed in catalog.feeds_of_kind("author")}
    assert set(authors) == {"authors/jane-doe", "authors/omar-haddad", author_key("محمد")}
    omar = authors["authors/omar-haddad"]
    assert [entry.id for entry in omar.history] == ["urn:test:4", "urn:test:3", "urn:test:1"]
    # The newest article's spelling names the feed.
    assert (omar.name, omar.title, omar.subtitle) == ("omar haddad", "omar haddad — Wire", "Articles by omar haddad.")
    assert (omar.kind, omar.slug, omar.landing_path) == ("author", "omar-haddad", "/authors/omar-haddad")
    assert [entry.id for entry in authors["authors/jane-doe"].history] == ["urn:test:1"]
    arabic = authors[author_key("محمد")]
    assert arabic.key.removeprefix("authors/").isalnum() and arabic.name == "محمد"


def test_feeds_of_every_kind_and_their_pages() -> None:
    catalog = build_catalog([make_entry(1, topics=("syria", "economy", "undeclared"))], make_config())
    assert set(catalog.feeds) == {"all", "stories", "outlets/reuters", "topics/syria", "topics/economy",
                                  "authors/jane-doe"}
    assert catalog.feeds["all"].landing_path == "/"
    assert catalog.feeds["stories"].history == ()
    assert catalog.feeds["topics/economy"].landing_path == "/topics/economy"
    assert catalog.feeds["outlets/reuters"].name == "Reuters"
    assert article_path(catalog.entries[0].slug) == "/articles/a1"


def test_entry_feeds_lists_all_outlet_topics_and_authors() -> None:
    entry = make_entry(1, topics=("economy",), authors=("Jane Doe", "Omar Haddad"))
    catalog = build_catalog([entry], make_config())
    assert [feed.key for feed in catalog.entry_feeds(entry)] == [
        "all", "outlets/reuters", "topics/economy", "authors/jane-doe", "authors/omar-haddad"]


def entry_variant(number: int, day: int, authors: tuple[str, ...], outlet: str | None,
                  topics: tuple[str, ...]) -> Entry:
    # Few days for many entries: entries sharing a publication time are ordered by id.
    moment = START + timedelta(days=day)
    return make_entry(number, published=moment, updated=moment, authors=authors, topics=topics,
                      outlet=outlet.title() if outlet else None, outlet_slug=outlet)


entry_specs = st.tuples(
    st.integers(0, 5),
    st.lists(st.sampled_from(["Jane Doe", "JANE DOE", "Omar Haddad", "Li Wei"]), max_size=3).map(tuple),
    st.sampled_from([None, "reuters", "ap", "kyiv-post"]),
    st.lists(st.sampled_from(["syria", "economy", "undeclared"]), max_size=2, unique=True).map(tuple),
)


@settings(derandomize=True, database=None, max_examples=150, deadline=None)
@given(before=st.lists(entry_specs, max_size=12), after=st.lists(entry_specs, max_size=12),
       keep=st.lists(st.booleans(), min_size=12, max_size=12))
def test_an_updated_catalog_is_the_catalog_built_from_its_entries(before, after, keep) -> None:
    """update_catalog, which cuts again only the feeds that changed, must give what a
    full build gives: the same entries, feeds (in the same order) and dates."""
    config = make_config(page_size=2)
    old = [entry_variant(number, *spec) for number, spec in enumerate(before)]
    kept = [entry for entry, stays in zip(old, keep, strict=False) if stays]
    removed = [entry for entry, stays in zip(old, keep, strict=False) if not stays]
    added = [entry_variant(100 + number, *spec) for number, spec in enumerate(after)]
    updated = update_catalog(build_catalog(old, config), removed, added, config)
    expected = build_catalog([*kept, *added], config)
    assert updated == expected
    assert list(updated.feeds) == list(expected.feeds)
    assert [feed.updated for feed in updated.feeds.values()] == [feed.updated for feed in expected.feeds.values()]


def test_an_update_keeps_the_feeds_it_does_not_touch() -> None:
    config = make_config()
    catalog = build_catalog([make_entry(1), make_entry(2, outlet="AP", outlet_slug="ap", topics=("economy",),
                                                       authors=("Omar Haddad",))], config)
    edited = make_entry(3)
    updated = update_catalog(catalog, [catalog.entries_by_slug["a1"]], [edited], config)
    assert updated.feeds["outlets/ap"] is catalog.feeds["outlets/ap"]
    assert updated.feeds["topics/economy"] is catalog.feeds["topics/economy"]
    assert updated.feeds["outlets/reuters"].history == (edited,)
    assert update_catalog(updated, [edited], [catalog.entries_by_slug["a1"]], config) == catalog
