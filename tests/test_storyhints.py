"""Stories remembered across starts (feedsrv.storyhints): a start that groups while
serving serves the stories the last run ended with, so a restart changes no feed."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import CONFIG, SEEDS
from feedsrv.config import SiteConfig, load_config
from feedsrv.live import LiveSite
from feedsrv.site import build_site
from feedsrv.stories import group_entries
from feedsrv.storyhints import hints_path, read_hints, write_hints

FIRST, SECOND = "000-035b52bdb15d24f1", "002-3b1ee3ced2e6f8f0"


@pytest.fixture
def cached_config(tmp_path: Path) -> SiteConfig:
    """The shipped config over a copy of the seeds, with a parse cache of its own."""
    articles = tmp_path / "articles"
    shutil.copytree(SEEDS, articles)
    return replace(load_config(CONFIG), articles_dir=articles, parse_cache=tmp_path / "state" / "parsed.pickle",
                   stats_database=tmp_path / "state" / "stats.sqlite3")


def _body(site, path: str) -> bytes:
    resource = site.resource(path)
    assert resource is not None, path
    return resource.identity.body


def test_the_stories_are_written_beside_the_parse_cache(cached_config) -> None:
    site = build_site(cached_config)
    write_hints(cached_config, site.catalog.stories)
    path = hints_path(cached_config)
    assert path == cached_config.parse_cache.with_name("stories.json")
    assert json.loads(path.read_bytes())["stories"] == [[SECOND, FIRST]]
    assert path.stat().st_mode & 0o777 == 0o600
    assert read_hints(cached_config, site.catalog.entries_by_slug) == site.catalog.stories


def test_no_parse_cache_no_hints(cached_config) -> None:
    config = replace(cached_config, parse_cache=None)
    site = build_site(config)
    write_hints(config, site.catalog.stories)
    assert hints_path(config) is None
    assert len(read_hints(config, site.catalog.entries_by_slug)) == 0


def test_a_story_of_an_article_gone_is_left_out(cached_config) -> None:
    site = build_site(cached_config)
    write_hints(cached_config, site.catalog.stories)
    only_first = {FIRST: site.catalog.entries_by_slug[FIRST]}
    assert len(read_hints(cached_config, only_first)) == 0


@pytest.mark.parametrize("content", [b"{not json", b"[]", b'{"stamp": 1}', b'{"stories": [[1]]}'])
def test_an_unreadable_or_foreign_file_is_ignored(cached_config, content: bytes, caplog) -> None:
    site = build_site(cached_config)
    path = hints_path(cached_config)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    with caplog.at_level(logging.INFO, logger="feedsrv.storyhints"):
        assert len(read_hints(cached_config, site.catalog.entries_by_slug)) == 0
    assert str(path) in caplog.text


def test_a_write_that_fails_is_logged(cached_config, caplog) -> None:
    blocker = cached_config.parse_cache.parent
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_bytes(b"a file where the directory should be")
    write_hints(cached_config, group_entries(()))
    assert "cannot remember the stories" in caplog.text


async def test_a_restart_serves_the_same_bytes_before_and_after_grouping(cached_config) -> None:
    first_run = LiveSite(build_site(cached_config, stories_later_past=0))
    await first_run.group_stories()
    settled = _body(first_run.site, "/feeds/all.atom")
    assert b'rel="related"' in settled

    restarted = LiveSite(build_site(cached_config, stories_later_past=0))
    assert restarted.site.catalog.stories_pending
    assert _body(restarted.site, "/feeds/all.atom") == settled
    assert b"Also covered by" in _body(restarted.site, f"/articles/{FIRST}")
    before = restarted.site
    grouped = await restarted.group_stories()
    assert not grouped.catalog.stories_pending
    # Every feed is what it was: nothing rendered again, nothing to notify.
    assert grouped.catalog.feeds == before.catalog.feeds
    assert grouped.catalog.feeds["outlets/impunity-watch"] is before.catalog.feeds["outlets/impunity-watch"]
    assert _body(grouped, "/feeds/all.atom") == settled


async def test_a_restart_without_the_file_serves_no_relation_until_grouped(cached_config) -> None:
    restarted = LiveSite(build_site(cached_config, stories_later_past=0))
    assert b'rel="related"' not in _body(restarted.site, "/feeds/all.atom")
    assert b'rel="related"' in _body(await restarted.group_stories(), "/feeds/all.atom")
