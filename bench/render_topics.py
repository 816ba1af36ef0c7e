"""Rendering cost against an entry's topic count: it must stay linear.

Usage: python bench/render_topics.py [--repeat N]

Renders the RSS and Atom feed of one article carrying N configured topics, N four
times apart (×1, ×4, ×16 of 250), two ways side by side in the same run: feedsrv's
renderer, which hands feedgen every category in one call, and feedgen fed one call
per topic as feedsrv did before (each call rebuilds the RSS list of every category
so far). It prints the best of N CPU timings of each and the growth of the time
from one step to the next: about 4.0 is linear here (the count grows ×4), 16.0
quadratic.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from feedgen.feed import FeedGenerator

from feedsrv.catalog import Feed
from feedsrv.config import SiteConfig, Topic, load_config
from feedsrv.render import render_feed
from feedsrv.site import build_site

CONFIG = Path(__file__).resolve().parent.parent / "config" / "feedsrv.toml"
COUNTS = (250, 1_000, 4_000)
BODY = "Officials met in Geneva on Monday to discuss the plan, according to a statement."


def best_of(repeat: int, action: Callable[[], object]) -> float:
    timings = []
    for _ in range(repeat):
        start = time.process_time()
        action()
        timings.append(time.process_time() - start)
    return min(timings)


def render_rss_and_atom(feed: Feed, config: SiteConfig) -> None:
    """Our way: the feed in both serializations, its categories written by render."""
    render_feed(feed, "rss", config)
    render_feed(feed, "atom", config)


def one_call_per_topic(topics: dict[str, Topic], scheme: str) -> None:
    """The old way: a category() call per topic, then both serializations."""
    generator = FeedGenerator()
    generator.id("urn:x")
    generator.title("t")
    generator.link(href="https://example.org/")
    generator.description("d")
    item = generator.add_entry()
    item.id("urn:y")
    item.title("y")
    item.link(href="https://example.org/y")
    for slug, topic in topics.items():
        item.category(term=slug, label=topic.name, scheme=scheme)
    generator.rss_str()
    generator.atom_str()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    print(f"{'topics':>7} {'feedsrv s':>10} {'growth':>7} {'one call each s':>16} {'growth':>7} {'ratio':>7}")
    previous: tuple[float, float] | None = None
    with tempfile.TemporaryDirectory() as directory:
        for count in COUNTS:
            topics = {f"topic-{n}": Topic(slug=f"topic-{n}", name=f"Topic {n}", keywords=("zzz",))
                      for n in range(count)}
            config = replace(load_config(CONFIG), articles_dir=Path(directory), parse_cache=None, topics=topics)
            (Path(directory) / "tagged.txt").write_text(
                f"---\ntopics: {', '.join(topics)}\n---\nHeadline\n\n{BODY}\n", encoding="utf-8")
            feed = build_site(config).catalog.feeds["all"]
            ours = best_of(arguments.repeat, partial(render_rss_and_atom, feed, config))
            theirs = best_of(arguments.repeat, partial(one_call_per_topic, topics, config.url("/feeds/topics/")))
            our_growth = f"{ours / previous[0]:.1f}" if previous else ""
            their_growth = f"{theirs / previous[1]:.1f}" if previous else ""
            print(f"{count:>7} {ours:10.3f} {our_growth:>7} {theirs:16.3f} {their_growth:>7} {theirs / ours:7.1f}")
            previous = (ours, theirs)


if __name__ == "__main__":
    main()
