"""Related coverage: grouping the articles of different outlets that report one event
(issue 15). The cases are articles in tests/data/stories/articles.json, each naming
the story it belongs to, and the two seeds."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from feedsrv.config import name_slug
from feedsrv.model import Entry
from feedsrv.parse import decode_article, parse_article
from feedsrv.stories import THRESHOLD, Stories, group_entries, signature, similarity, update_stories

ROOT = Path(__file__).resolve().parent.parent
CASES = json.loads((ROOT / "tests" / "data" / "stories" / "articles.json").read_text(encoding="utf-8"))
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def make_entry(article: dict[str, Any]) -> Entry:
    published = datetime.fromisoformat(article["published"]) if article["published"] else EPOCH
    return Entry(id=f"urn:test:{article['slug']}", slug=article["slug"], title=article["title"], title_derived=False,
                 authors=(), author_role=None, outlet=article["outlet"], outlet_slug=name_slug(article["outlet"]),
                 dateline=None, published=published,
                 published_from="text" if article["published"] else "none", updated=published,
                 summary=article["body"][0], body=tuple(article["body"]))


ENTRIES = [make_entry(article) for article in CASES["articles"]]
EXPECTED = {article["slug"]: article["story"] for article in CASES["articles"]}


def parse_seed(name: str) -> Entry:
    path = ROOT / "seeds" / name
    text, _ = decode_article(path.read_bytes(), source=str(path))
    return parse_article(text, source=str(path))


def grouping(stories: Stories) -> set[frozenset[str]]:
    """The stories as sets of slugs."""
    return {frozenset(entry.slug for entry in story.entries) for story in stories.all()}


def expected_grouping() -> set[frozenset[str]]:
    stories: dict[str, set[str]] = {}
    for slug, story in EXPECTED.items():
        if story is not None:
            stories.setdefault(story, set()).add(slug)
    return {frozenset(slugs) for slugs in stories.values()}


def test_the_cases_group_as_their_files_say() -> None:
    assert grouping(group_entries(ENTRIES)) == expected_grouping()


def test_the_two_seeds_form_one_story() -> None:
    first, second = parse_seed("000_035b52bdb15d24f1.txt"), parse_seed("002_3b1ee3ced2e6f8f0.txt")
    # One dated from what it cites, the other with no date at all: the window does
    # not apply to an undated article.
    assert (first.published_from, second.published_from) == ("references", "none")
    stories = group_entries([first, second])
    story = stories.story(first)
    assert story is not None and story is stories.story(second)
    assert story.entries == (first, second)
    assert story.id == first.id
    assert stories.related(first) == (second,)
    assert stories.related(second) == (first,)


def test_a_lone_article_has_no_story() -> None:
    stories = group_entries(ENTRIES)
    bakery = next(entry for entry in ENTRIES if entry.slug == "bakery")
    assert stories.story(bakery) is None
    assert stories.related(bakery) == ()


def test_same_outlet_articles_do_not_link() -> None:
    match, replay = (next(entry for entry in ENTRIES if entry.slug == slug) for slug in ("match", "match-same-outlet"))
    assert similarity(signature(match), signature(replay)) > THRESHOLD
    assert group_entries([match, replay]).story(match) is None
    # The same two texts from two outlets are one story.
    other = replace(replay, outlet="Evening Herald", outlet_slug="evening-herald")
    assert grouping(group_entries([match, other])) == {frozenset({"match", "match-same-outlet"})}


def test_dated_articles_further_apart_than_the_window_do_not_link() -> None:
    vote, later = (next(entry for entry in ENTRIES if entry.slug == slug) for slug in ("vote-harbor", "vote-far-later"))
    assert similarity(signature(vote), signature(later)) > THRESHOLD
    assert group_entries([vote, later]).story(vote) is None


@pytest.mark.parametrize("seed", range(6))
def test_any_order_of_insertion_gives_the_same_stories(seed: int) -> None:
    shuffled = list(ENTRIES)
    random.Random(seed).shuffle(shuffled)
    expected = group_entries(ENTRIES)
    stories = update_stories(group_entries(shuffled[:3]), (), shuffled[3:])
    one_by_one = group_entries(())
    for entry in shuffled:
        one_by_one = update_stories(one_by_one, (), [entry])
    assert dict(stories.by_slug) == dict(expected.by_slug)
    assert dict(one_by_one.by_slug) == dict(expected.by_slug)


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_removing_then_adding_again_gives_the_same_stories(slug: str) -> None:
    entry = next(entry for entry in ENTRIES if entry.slug == slug)
    full = group_entries(ENTRIES)
    without = update_stories(full, [entry], ())
    assert dict(without.by_slug) == dict(group_entries([other for other in ENTRIES if other is not entry]).by_slug)
    assert slug not in without.by_slug
    again = update_stories(without, (), [entry])
    assert dict(again.by_slug) == dict(full.by_slug)
    # The snapshot an update started from is left as it was.
    assert grouping(full) == expected_grouping()


def test_a_story_is_named_by_its_earliest_dated_entry_and_dated_by_its_latest() -> None:
    stories = group_entries(ENTRIES)
    vote = next(story for story in stories.all() if "vote-harbor" in {entry.slug for entry in story.entries})
    assert [entry.slug for entry in vote.entries] == ["vote-harbor", "vote-observer", "vote-undated"]
    assert vote.id == "urn:test:vote-harbor"
    assert vote.latest.slug == "vote-observer"
    # Newest first by the latest entry.
    assert [story.first.slug for story in stories.all()] == ["vote-harbor", "quake-harbor"]
