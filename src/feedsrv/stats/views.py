"""A :class:`~feedsrv.stats.report.StatsReport` as JSON (``/api/stats``, ``feedsrv
stats --json``) and as tables for a terminal (``feedsrv stats``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .report import FeedDay, FeedStats, StatsReport


@dataclass(frozen=True, slots=True)
class Totals:
    """A span of days summed: the traffic added up; the subscribers those of the
    latest day (subscribers of several days are the same people, counted again)."""

    requests: int
    full: int
    not_modified: int
    refused: int
    bytes_sent: int
    bytes_saved_not_modified: int
    bytes_saved_compression: int
    direct_subscribers: int
    websub_subscribers: int
    aggregator_subscribers: tuple[tuple[str, int], ...]

    @property
    def subscribers(self) -> int:
        """Every subscriber of the latest day, whatever the source."""
        return self.direct_subscribers + self.websub_subscribers + sum(n for _, n in self.aggregator_subscribers)


def totals(days: Sequence[FeedDay]) -> Totals:
    """The days of one feed (oldest first) summed; the latest day's subscribers."""
    latest = days[-1] if days else None
    return Totals(
        requests=sum(day.requests for day in days), full=sum(day.full for day in days),
        not_modified=sum(day.not_modified for day in days), refused=sum(day.refused for day in days),
        bytes_sent=sum(day.bytes_sent for day in days),
        bytes_saved_not_modified=sum(day.bytes_saved_not_modified for day in days),
        bytes_saved_compression=sum(day.bytes_saved_compression for day in days),
        direct_subscribers=latest.direct_subscribers if latest else 0,
        websub_subscribers=latest.websub_subscribers if latest else 0,
        aggregator_subscribers=latest.aggregator_subscribers if latest else ())


def _sum(feeds: Iterable[Totals]) -> Totals:
    every = list(feeds)
    aggregators: dict[str, int] = {}
    for feed in every:
        for name, count in feed.aggregator_subscribers:
            aggregators[name] = aggregators.get(name, 0) + count
    return Totals(
        requests=sum(feed.requests for feed in every), full=sum(feed.full for feed in every),
        not_modified=sum(feed.not_modified for feed in every), refused=sum(feed.refused for feed in every),
        bytes_sent=sum(feed.bytes_sent for feed in every),
        bytes_saved_not_modified=sum(feed.bytes_saved_not_modified for feed in every),
        bytes_saved_compression=sum(feed.bytes_saved_compression for feed in every),
        direct_subscribers=sum(feed.direct_subscribers for feed in every),
        websub_subscribers=sum(feed.websub_subscribers for feed in every),
        aggregator_subscribers=tuple(sorted(aggregators.items())))


def report_json(report: StatsReport) -> dict[str, Any]:
    """``report`` as JSON: dates in ISO 8601, each feed's days and totals, and the
    totals of every feed."""
    feed_totals = [totals(feed.days) for feed in report.feeds]
    return {
        "since": report.since.isoformat(),
        "until": report.until.isoformat(),
        "generated": report.generated.isoformat(),
        "feeds": [{"path": feed.path, "days": [_day_json(day) for day in feed.days], "totals": _totals_json(total)}
                  for feed, total in zip(report.feeds, feed_totals, strict=True)],
        "totals": _totals_json(_sum(feed_totals)),
    }


def _day_json(day: FeedDay) -> dict[str, Any]:
    return {
        "day": day.day.isoformat(), "requests": day.requests, "full": day.full, "not_modified": day.not_modified,
        "refused": day.refused, "bytes_sent": day.bytes_sent,
        "bytes_saved_not_modified": day.bytes_saved_not_modified,
        "bytes_saved_compression": day.bytes_saved_compression,
        "subscribers": day.subscribers, "direct_subscribers": day.direct_subscribers,
        "websub_subscribers": day.websub_subscribers,
        "aggregator_subscribers": dict(day.aggregator_subscribers),
    }


def _totals_json(total: Totals) -> dict[str, Any]:
    return {
        "requests": total.requests, "full": total.full, "not_modified": total.not_modified,
        "refused": total.refused, "bytes_sent": total.bytes_sent,
        "bytes_saved_not_modified": total.bytes_saved_not_modified,
        "bytes_saved_compression": total.bytes_saved_compression,
        "subscribers": total.subscribers, "direct_subscribers": total.direct_subscribers,
        "websub_subscribers": total.websub_subscribers,
        "aggregator_subscribers": dict(total.aggregator_subscribers),
    }


def format_report(report: StatsReport) -> str:
    """``report`` for a terminal: a table per feed, a row per day and one of totals,
    in aligned columns: subscribers by source (direct, WebSub, each aggregator),
    polls, the share of ``304``s and the bytes they and compression spared."""
    lines = [f"Statistics from {report.since.isoformat()} to {report.until.isoformat()} (UTC days)"]
    if not report.feeds:
        lines.append("No feed was fetched in these days.")
    for feed in report.feeds:
        lines += ["", feed.path, *_table(feed)]
    return "\n".join(lines) + "\n"


def _table(feed: FeedStats) -> list[str]:
    names = sorted({name for day in feed.days for name, _ in day.aggregator_subscribers})
    header = ["day", "direct", "WebSub", *names, "subscribers", "polls", "304 %", "refused", "sent", "saved"]
    rows = [_row(day.day.isoformat(), day, names) for day in feed.days]
    rows.append(_row("total", totals(feed.days), names))
    widths = [max(len(row[column]) for row in (header, *rows)) for column in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        # The first column (the day) to the left, every figure to the right.
        return "  ".join(cell.ljust(width) if index == 0 else cell.rjust(width)
                         for index, (cell, width) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return [line(header), line(["-" * width for width in widths]), *(line(row) for row in rows)]


def _row(label: str, figures: FeedDay | Totals, names: Sequence[str]) -> list[str]:
    reported = dict(figures.aggregator_subscribers)
    share = figures.not_modified / figures.requests if figures.requests else 0.0
    saved = figures.bytes_saved_not_modified + figures.bytes_saved_compression
    return [label, str(figures.direct_subscribers), str(figures.websub_subscribers),
            *(str(reported.get(name, 0)) for name in names), str(figures.subscribers), str(figures.requests),
            f"{share:.0%}", str(figures.refused), human_bytes(figures.bytes_sent), human_bytes(saved)]


def human_bytes(count: int) -> str:
    """``count`` bytes in the largest unit (of 1000) that keeps a number of at least one."""
    size = float(count)
    for unit in ("B", "kB", "MB"):
        if size < 1000:
            return f"{count} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"
