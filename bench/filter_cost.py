"""What a filtered feed (issue 15) costs the request that renders it first.

Usage: python bench/filter_cost.py [--entries 100000] [--repeat 5]

Builds a catalog of generated entries (50 outlets, 60 reporters, 5 topics, one a
few hours apart; ~3 KB of body each, like bench/corpus.py's articles, made here
without the parser), then times, best of N in CPU time: reading a query into a
filter, walking the feed of everything with a filter that keeps nothing (the worst
case: the whole history is read), with one that fills a page at once, and
rendering and compressing the filtered feed's Atom document of 50 entries (what a
cache miss costs on top of the walk).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from feedsrv.catalog import build_catalog
from feedsrv.config import load_config
from feedsrv.filters import filtered_feed, parse_filter
from feedsrv.model import Entry
from feedsrv.render import FORMATS, render_feed
from feedsrv.representations import make_resource

CONFIG = Path(__file__).resolve().parent.parent / "config" / "feedsrv.toml"
PARAGRAPH = ("Officials met in Geneva on Monday to discuss the plan, according to a statement released by the "
             "ministry, which said talks would continue next week with delegations from every side. ")


def best_of(repeat: int, action: Callable[[], object]) -> float:
    timings = []
    for _ in range(repeat):
        start = time.process_time()
        action()
        timings.append(time.process_time() - start)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    config = replace(load_config(CONFIG), parse_cache=None)
    topics = list(config.topics)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    body = tuple(PARAGRAPH * 3 for _ in range(6))
    entries = [
        Entry(id=f"urn:bench:{number}", slug=f"a{number}", title=f"Article {number}", title_derived=False,
              authors=(f"Reporter {number % 60}",), author_role=None, outlet=f"Outlet {number % 50}",
              outlet_slug=f"outlet-{number % 50}", dateline=None, published=start + timedelta(hours=number),
              published_from="text", updated=start + timedelta(hours=number), summary="A summary.", body=body,
              topics=(topics[number % len(topics)],))
        for number in range(arguments.entries)]
    catalog = build_catalog(entries, config)
    everything = catalog.feeds["all"]
    query = [("topic", "Syria"), ("outlet", "outlet-7"), ("since", "2016-01-01"), ("author", "Reporter 3")]
    nothing = parse_filter([("topic", "no-such-topic")], max_limit=config.entries_per_feed)
    page = parse_filter([("topic", "syria")], max_limit=config.entries_per_feed)
    parse = best_of(arguments.repeat, lambda: parse_filter(query, max_limit=config.entries_per_feed))
    walk = best_of(arguments.repeat, lambda: filtered_feed(everything, nothing, catalog))
    quick = best_of(arguments.repeat, lambda: filtered_feed(everything, page, catalog))
    feed = filtered_feed(everything, page, catalog)

    def render() -> object:
        return make_resource("/feeds/all.atom?topic=syria", FORMATS["atom"].content_type,
                             render_feed(feed, "atom", config), feed.updated, cache_control="public")

    rendered = best_of(arguments.repeat, render)
    print(f"{arguments.entries:,} entries, best of {arguments.repeat} (CPU):")
    print(f"  read a 4-parameter query:           {parse * 1e6:8.1f} µs")
    print(f"  walk the whole history, keep none:  {walk * 1e3:8.1f} ms ({walk / arguments.entries * 1e9:.0f} ns "
          "an entry)")
    print(f"  fill a page of {config.entries_per_feed} at once:           {quick * 1e6:8.1f} µs")
    print(f"  render and compress that Atom page: {rendered * 1e3:8.1f} ms")


if __name__ == "__main__":
    main()
