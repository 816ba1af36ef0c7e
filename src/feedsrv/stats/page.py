"""The ``/stats`` page: the HTML of a :class:`StatsReport`, pure and deterministic.

Plain string templates with every interpolated value escaped: feed paths and
aggregator names come from requests. The charts are inline SVG from
:mod:`.charts`, so the page needs no script, image, font or other request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from html import escape
from urllib.parse import urlencode

from .charts import OTHER_COLOR, PALETTE, Series, grouped, human_bytes, sparkline, stacked_bars
from .report import FeedDay, FeedStats, StatsReport

# The aggregators a chart names, the biggest first; the rest are one "other" layer,
# since names come from requests and a legend of dozens tells nothing.
NAMED_AGGREGATORS = 5
DIRECT_COLOR, WEBSUB_COLOR = PALETTE[0], PALETTE[1]
AGGREGATOR_COLORS = PALETTE[2:2 + NAMED_AGGREGATORS]
FULL_COLOR, NOT_MODIFIED_COLOR, REFUSED_COLOR = PALETTE[0], PALETTE[2], PALETTE[5]

STYLESHEET = """
:root { color-scheme: light dark; --muted: #666; --rule: #ddd; }
@media (prefers-color-scheme: dark) { :root { --muted: #aaa; --rule: #444; } }
body { font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       max-width: 62rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; margin: .5rem 0; }
h2 { font-size: 1.2rem; margin-top: 2rem; overflow-wrap: anywhere; }
h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
.meta, .note { color: var(--muted); }
form { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; margin: 1rem 0; }
label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
svg.chart { max-width: 100%; height: auto; display: block; }
svg.spark { display: block; }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { padding: .3rem .6rem .3rem 0; border-bottom: 1px solid var(--rule); text-align: right;
         vertical-align: middle; white-space: nowrap; }
th { font-weight: 600; white-space: normal; }
th:first-child, td:first-child, .sources { text-align: left; }
td:first-child, td.sources { white-space: normal; }
td:first-child { min-width: 11rem; }
td.sources { color: var(--muted); font-size: .85rem; }
tr.selected td { font-weight: 600; }
"""


@dataclass(frozen=True)
class _Sums:
    """Figures of one or more feeds, one a day of the span."""

    direct: tuple[int, ...]
    websub: tuple[int, ...]
    aggregators: tuple[tuple[str, tuple[int, ...]], ...]
    full: tuple[int, ...]
    not_modified: tuple[int, ...]
    refused: tuple[int, ...]


def span_days(report: StatsReport) -> tuple[date, ...]:
    """Every day of the report's span, oldest first."""
    return tuple(report.since + timedelta(days=n) for n in range((report.until - report.since).days + 1))


def _sums(feeds: Iterable[FeedStats], days: Sequence[date]) -> _Sums:
    index = {day: position for position, day in enumerate(days)}
    direct, websub, full, not_modified, refused = ([0] * len(days) for _ in range(5))
    aggregators: defaultdict[str, list[int]] = defaultdict(lambda: [0] * len(days))
    for feed in feeds:
        for figures in feed.days:
            # A day outside the span asked for is left out rather than trusted.
            position = index.get(figures.day)
            if position is None:
                continue
            direct[position] += figures.direct_subscribers
            websub[position] += figures.websub_subscribers
            full[position] += figures.full
            not_modified[position] += figures.not_modified
            refused[position] += figures.refused
            for name, count in figures.aggregator_subscribers:
                aggregators[name][position] += count
    return _Sums(tuple(direct), tuple(websub), tuple((name, tuple(aggregators[name])) for name in sorted(aggregators)),
                 tuple(full), tuple(not_modified), tuple(refused))


def _subscriber_series(sums: _Sums) -> tuple[Series, ...]:
    """Direct, WebSub, then the biggest aggregators (by their best day), the rest as one."""
    ranked = sorted(sums.aggregators, key=lambda item: (-max(item[1]), item[0]))
    named, others = ranked[:NAMED_AGGREGATORS], ranked[NAMED_AGGREGATORS:]
    layers = [Series("direct", DIRECT_COLOR, sums.direct), Series("WebSub", WEBSUB_COLOR, sums.websub)]
    layers += [Series(name, color, values) for (name, values), color in zip(named, AGGREGATOR_COLORS, strict=False)]
    if others:
        label = f"{len(others)} other aggregator{'s' if len(others) > 1 else ''}"
        layers.append(Series(label, OTHER_COLOR, tuple(map(sum, zip(*(v for _, v in others), strict=True)))))
    return tuple(layers)


def _charts(name: str, feeds: Iterable[FeedStats], days: Sequence[date]) -> str:
    sums = _sums(feeds, days)
    requests = (Series("200 full", FULL_COLOR, sums.full), Series("304 not modified", NOT_MODIFIED_COLOR,
                sums.not_modified), Series("429 too frequent", REFUSED_COLOR, sums.refused))
    subscribers = stacked_bars(title=f"Subscribers of {name} by source", first=days[0],
                               series=_subscriber_series(sums), unit="subscribers")
    responses = stacked_bars(title=f"Requests for {name} by status", first=days[0], series=requests,
                             unit="responses")
    return f"<h3>Subscribers</h3>\n{subscribers}\n<h3>Requests</h3>\n{responses}\n"


def _on(feed: FeedStats, day: date) -> FeedDay | None:
    return next((figures for figures in feed.days if figures.day == day), None)


def _link(report: StatsReport, feed: str | None) -> str:
    query = {"since": report.since.isoformat(), "until": report.until.isoformat()}
    if feed is not None:
        query["feed"] = feed
    return escape("?" + urlencode(query))


def _breakable(path: str) -> str:
    """``path`` escaped, free to wrap after each slash in a narrow column."""
    return "/<wbr>".join(escape(part) for part in path.split("/"))


def _row(report: StatsReport, feed: FeedStats, days: Sequence[date], selected: str | None) -> str:
    last = _on(feed, report.until)
    in_span = [figures for figures in feed.days if report.since <= figures.day <= report.until]
    by_day = {figures.day: figures.subscribers for figures in in_span}
    polls = sum(figures.requests for figures in in_span)
    not_modified = sum(figures.not_modified for figures in in_span)
    saved = sum(figures.bytes_saved_not_modified + figures.bytes_saved_compression for figures in in_span)
    aggregators = "" if last is None else ", ".join(
        f"{escape(name)} {grouped(count)}" for name, count in last.aggregator_subscribers)
    share = f"{100 * not_modified / polls:.0f} %" if polls else "–"
    spark = sparkline([by_day.get(day, 0) for day in days], label=f"Subscribers of {feed.path}")
    row_class = ' class="selected"' if feed.path == selected else ""
    return (f"<tr{row_class}>"
            f'<td><a href="{_link(report, feed.path)}">{_breakable(feed.path)}</a></td><td>{spark}</td>'
            f"<td>{grouped(0 if last is None else last.subscribers)}</td>"
            f"<td>{grouped(0 if last is None else last.direct_subscribers)}</td>"
            f"<td>{grouped(0 if last is None else last.websub_subscribers)}</td>"
            f'<td class="sources">{aggregators}</td>'
            f"<td>{grouped(polls)}</td><td>{share}</td><td>{human_bytes(saved)}</td></tr>")


def _days(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''}"


def _subscribers_on(feed: FeedStats, day: date) -> int:
    figures = _on(feed, day)
    return 0 if figures is None else figures.subscribers


def render_stats_page(report: StatsReport, *, feed: str | None = None, action: str = "/stats") -> str:
    """The page of ``report``: charts of every feed summed, and of ``feed`` when
    given; a table of the feeds, most subscribers on the last day first; and a form,
    sent to ``action``, that asks for another span."""
    days = span_days(report)
    ranked = sorted(report.feeds, key=lambda stats: (-_subscribers_on(stats, report.until), stats.path))
    chosen = next((stats for stats in report.feeds if stats.path == feed), None)
    if feed is None:
        selected = ""
    elif chosen is None:
        selected = (f"<h2>{escape(feed)}</h2>\n"
                    f'<p class="note">No figures for this feed from {report.since} to {report.until}.</p>\n')
    else:
        selected = f"<h2>{escape(feed)}</h2>\n{_charts(feed, [chosen], days)}"
    hidden = "" if feed is None else f'<input type="hidden" name="feed" value="{escape(feed)}">'
    rows = "\n".join(_row(report, stats, days, feed) for stats in ranked)
    table = (
        '<div class="table"><table>\n<thead><tr><th scope="col">Feed</th>'
        f'<th scope="col">Subscribers, {_days(len(days))}</th>'
        f'<th scope="col">Subscribers on {report.until}</th><th scope="col">Direct</th>'
        '<th scope="col">WebSub</th><th scope="col" class="sources">Aggregators</th><th scope="col">Polls</th>'
        '<th scope="col">304</th><th scope="col">Bytes saved</th></tr></thead>\n'
        f"<tbody>\n{rows}\n</tbody></table></div>\n"
        if report.feeds else f'<p class="note">No feed was fetched from {report.since} to {report.until}.</p>\n'
    )
    made = report.generated.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    everything = "All feeds" if feed is None else f'<a href="{_link(report, None)}">All feeds</a>'
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Subscriber statistics, {report.since} to {report.until}</title>
<style>{STYLESHEET}</style>
</head>
<body>
<main>
<h1>Subscriber statistics</h1>
<p class="meta">{_days(len(days))}, {report.since} to {report.until} (UTC);
{grouped(len(report.feeds))} feed{"s" if len(report.feeds) != 1 else ""}; made {made} UTC</p>
<form method="get" action="{escape(action)}">
<label>From <input type="date" name="since" value="{report.since}" required></label>
<label>To <input type="date" name="until" value="{report.until}" required></label>
{hidden}<button type="submit">Show</button>
</form>
{selected}<h2>{everything}</h2>
<p class="note">Subscribers are summed over the feeds: a reader of two feeds counts twice.</p>
{_charts("all feeds", report.feeds, days)}<h2>Feeds</h2>
{table}</main>
</body>
</html>
"""
