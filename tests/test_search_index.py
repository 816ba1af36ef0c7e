"""The embedded search index (issue 15): SQLite FTS5 in memory, newest first as
the feeds order entries, in step with the entries it is given, bounded in time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from feedsrv.catalog import newest_first
from feedsrv.search import FtsIndex, SearchTimeout, parse_query
from test_search_query import QUERY_CASES


@pytest.fixture
def entries(seed_site):
    """Forty copies of a seed entry, four in each of ten seconds, with ids that
    order those of one second differently from the order they are added in."""
    entry = seed_site.catalog.entries[0]
    start = datetime(2015, 10, 21, 9, tzinfo=UTC)
    return [replace(entry, slug=f"copy-{number:02d}", title="Zeppelin Report", id=f"urn:x:{(number * 7) % 40:02d}",
                    published=start + timedelta(seconds=number // 4, microseconds=number % 2),
                    updated=start) for number in range(40)]


def test_results_come_newest_first_in_the_feeds_order_across_a_cut_second(entries):
    index = FtsIndex(time_limit=1.0)
    assert index.sync({entry.slug: entry for entry in entries}) == 40
    query = parse_query("zeppelin")
    for limit in (1, 3, 6, 40):
        assert [hit.entry for hit in index.search(query, limit)] == newest_first(entries)[:limit]


def test_a_filter_is_asked_of_the_matches_before_the_limit_across_a_cut_second(entries):
    index = FtsIndex(time_limit=1.0)
    index.sync({entry.slug: entry for entry in entries})
    query = parse_query("zeppelin")
    start = datetime(2015, 10, 21, 9, tzinfo=UTC)
    published_from, published_before = start + timedelta(seconds=2), start + timedelta(seconds=8)

    def keep(entry):
        return int(entry.slug[-2:]) % 3 != 0 and published_from <= entry.published < published_before

    kept = newest_first([entry for entry in entries if keep(entry)])
    assert 0 < len(kept) < 40
    for limit in (1, 3, 5, 40):
        hits = index.search(query, limit, keep=keep, published_from=published_from, published_before=published_before)
        assert [hit.entry for hit in hits] == kept[:limit]
    assert index.search(query, 5, keep=lambda entry: False) == []


def test_sync_writes_only_what_changed(entries):
    index = FtsIndex(time_limit=1.0)
    by_slug = {entry.slug: entry for entry in entries}
    index.sync(by_slug)
    assert index.sync(dict(by_slug)) == 0
    renamed = replace(entries[0], title="Airship")
    by_slug = {**by_slug, renamed.slug: renamed}
    del by_slug["copy-01"]
    assert index.sync(by_slug) == 2
    assert [hit.entry.slug for hit in index.search(parse_query("airship"), 10)] == ["copy-00"]
    assert len(index) == 39


def test_a_query_past_its_time_limit_is_stopped(entries):
    index = FtsIndex(time_limit=1e-9)
    index.sync({entry.slug: entry for entry in entries})
    with pytest.raises(SearchTimeout) as raised:
        index.search(parse_query("zeppelin OR report OR syria OR assad OR moscow"), 40)
    assert raised.value.parameter == "q"


def test_every_expression_the_parser_writes_is_valid_fts5(seed_site):
    index = FtsIndex(time_limit=1.0)
    index.sync(seed_site.catalog.entries_by_slug)
    for case in QUERY_CASES:
        if "error" not in case:
            index.search(parse_query(case["q"]), 10)
    index.close()
