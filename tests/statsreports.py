"""Statistics reports made up for the /stats page tests: deterministic, realistic in shape."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from feedsrv.stats import FeedDay, FeedStats, StatsReport

AGGREGATORS = ("Feedly", "Inoreader", "NewsBlur")
FEEDS = ("/feeds/all.atom", "/feeds/all.rss", "/feeds/outlets/the-daily.json")


def feed_day(day: date, *, direct: int = 0, websub: int = 0, aggregators: Sequence[tuple[str, int]] = (),
             full: int = 0, not_modified: int = 0, refused: int = 0) -> FeedDay:
    """A day of one feed with the figures given and the rest derived from them."""
    return FeedDay(day=day, requests=full + not_modified + refused, full=full, not_modified=not_modified,
                   refused=refused, bytes_sent=full * 40_000, bytes_saved_not_modified=not_modified * 40_000,
                   bytes_saved_compression=full * 30_000, direct_subscribers=direct, websub_subscribers=websub,
                   aggregator_subscribers=tuple(sorted(aggregators)))


def realistic_report(until: date = date(2026, 12, 6), days: int = 90, feeds: Sequence[str] = FEEDS,
                     seed: int = 14) -> StatsReport:
    """``days`` days of ``feeds`` growing slowly, each smaller than the one before it,
    with a gap of three days in the second feed (its days are missing, not zero)."""
    rng = random.Random(seed)
    since = until - timedelta(days=days - 1)
    stats = []
    for rank, path in enumerate(feeds):
        size = 1 / (rank + 1)
        figures = []
        for offset in range(days):
            day = since + timedelta(days=offset)
            if rank == 1 and 40 <= offset < 43:
                continue
            growth = 1 + offset / days
            readers = {name: int(base * size * growth * rng.uniform(0.95, 1.05))
                       for name, base in zip(AGGREGATORS, (2400, 700, 90), strict=True)}
            direct = int(180 * size * growth * rng.uniform(0.9, 1.1))
            polls = direct * 24
            figures.append(feed_day(day, direct=direct, websub=int(12 * size), aggregators=tuple(readers.items()),
                                    full=polls // 5, not_modified=polls - polls // 5 - polls // 50,
                                    refused=polls // 50))
        stats.append(FeedStats(path=path, days=tuple(figures)))
    return StatsReport(since=since, until=until, generated=datetime(2026, 12, 6, 12, 0, tzinfo=UTC),
                       feeds=tuple(sorted(stats, key=lambda feed: feed.path)))


class FixedSource:
    """A :class:`~feedsrv.stats.StatsSource` that answers with a report made for the
    span asked, and remembers each span."""

    def __init__(self, feeds: Sequence[str] = FEEDS) -> None:
        self.feeds = feeds
        self.asked: list[tuple[date, date]] = []

    async def report(self, since: date, until: date) -> StatsReport:
        self.asked.append((since, until))
        return realistic_report(until=until, days=(until - since).days + 1, feeds=self.feeds)
