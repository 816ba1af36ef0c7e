"""The statistics of a span of days, as every view of them (JSON, terminal, page) reads them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True)
class FeedDay:
    """One feed document's figures for one day (UTC)."""

    day: date
    requests: int
    # Responses by status: the whole feed, not modified, refused as too frequent.
    full: int
    not_modified: int
    refused: int
    bytes_sent: int
    # Bytes a 304 spared (the body the client already had) and that compression
    # spared (identity length minus the coded body sent).
    bytes_saved_not_modified: int
    bytes_saved_compression: int
    # Distinct clients (address and User-Agent, hashed with the day's salt) that
    # fetched it themselves, aggregators that report counts left out.
    direct_subscribers: int
    # WebSub subscriptions to it within their lease, as last seen that day.
    websub_subscribers: int
    # (aggregator, subscribers it reported): its latest count of the day, summed
    # over the feed ids it reported; sorted by aggregator.
    aggregator_subscribers: tuple[tuple[str, int], ...]

    @property
    def subscribers(self) -> int:
        """Every subscriber counted that day, whatever the source."""
        return self.direct_subscribers + self.websub_subscribers + sum(n for _, n in self.aggregator_subscribers)


@dataclass(frozen=True)
class FeedStats:
    """The days of one feed document (its path, such as ``/feeds/all.atom``)."""

    path: str
    # Oldest first; a day the feed was not fetched is missing.
    days: tuple[FeedDay, ...]


@dataclass(frozen=True)
class StatsReport:
    """Every feed's figures from ``since`` to ``until`` (both included)."""

    since: date
    until: date
    generated: datetime
    # Sorted by path.
    feeds: tuple[FeedStats, ...]


class StatsSource(Protocol):
    """Where the figures are read from (the statistics store)."""

    async def report(self, since: date, until: date) -> StatsReport:
        """The figures of the days from ``since`` to ``until``."""
        ...
