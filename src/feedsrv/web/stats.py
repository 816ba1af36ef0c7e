"""Subscriber statistics in the server: counted as feeds are served, flushed to the
statistics store, and read back at ``GET /api/stats``.

The handlers count into the app's :class:`~feedsrv.stats.StatsCollector` (no
middleware: only feed documents are counted, by ``serve_resource`` and the polling
gate). Every ``stats.flush_seconds``, sooner when the interval's distinct clients
reach their bound, and at shutdown, the counts are written to the store in a worker
thread, with a snapshot of each feed's WebSub subscriptions within their lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
import time
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from aiohttp import web

from ..config import SiteConfig
from ..errors import DatabaseError
from ..stats import StatsCollector, StatsReader, StatsStore, report_json
from ..urls import API_STATS, is_feed_document
from ..websub import WEBSUB
from ..websub.topics import topic_paths
from .api import authorize
from .live import LIVE
from .stats_page import setup_stats_page

log = logging.getLogger(__name__)

# The span /api/stats shows when asked for none: the last 30 days, today included.
DEFAULT_DAYS = 30
# The longest span one request may ask for: ten years of days is already more than
# the retention keeps by default.
MAX_DAYS = 3660
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Statistics:
    """The app's counting and where it flushes to."""

    collector: StatsCollector
    store: StatsStore
    flush_seconds: float
    # Set when the collector's distinct clients reached their bound: flush now.
    full: asyncio.Event = field(default_factory=asyncio.Event)
    # One flush at a time: the periodic one and the last one at shutdown.
    flushing: asyncio.Lock = field(default_factory=asyncio.Lock)


# None when stats.enabled is off: the handlers then count nothing.
STATS_COLLECTOR: web.AppKey[StatsCollector | None] = web.AppKey("stats_collector")
STATISTICS = web.AppKey("statistics", Statistics)


def setup_stats(app: web.Application, config: SiteConfig, store: StatsStore, *, token: str | None) -> None:
    """Count ``app``'s feed requests and flush them to ``store`` while it runs; with
    ``token`` (the API's), serve ``GET /api/stats`` behind it and the ``/stats`` page
    behind HTTP Basic with it as the password."""
    full = asyncio.Event()
    collector = StatsCollector(on_full=full.set)
    app[STATS_COLLECTOR] = collector
    app[STATISTICS] = Statistics(collector, store, config.stats_flush_seconds, full=full)
    app.cleanup_ctx.append(_flushing)
    if token is not None:
        app.router.add_get(API_STATS, stats_api)
        setup_stats_page(app, StatsReader(store), token)


async def flush_stats(app: web.Application) -> None:
    """Write what ``app`` counted since the last flush to its store, with the feeds'
    WebSub subscriptions as the hub holds them now. A store that cannot be written
    loses this interval's counts (logged); the next flush tries again."""
    statistics = app[STATISTICS]
    async with statistics.flushing:
        batches = statistics.collector.drain()
        now = time.time()
        paths = topic_paths(app[LIVE].site)
        websub = app[WEBSUB]
        hub_state = None if websub.config.websub.external else websub.store

        def write() -> None:
            subscribers: Mapping[str, int] | None = None
            if hub_state is not None:
                subscribers = Counter(paths[subscription.topic] for subscription in hub_state.subscriptions(now)
                                      if subscription.topic in paths)
            statistics.store.write(batches, subscribers, now)

        try:
            await asyncio.to_thread(write)
        except (DatabaseError, sqlite3.Error, OSError) as exc:
            requests = sum(traffic.requests for batch in batches for traffic in batch.traffic.values())
            log.warning("statistics: cannot write to %s (%s); %d requests are not counted",
                        statistics.store.where, exc, requests)


async def _flushing(app: web.Application) -> AsyncIterator[None]:
    statistics = app[STATISTICS]

    async def flush_often() -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(statistics.full.wait(), statistics.flush_seconds)
            statistics.full.clear()
            await flush_stats(app)

    flusher = asyncio.create_task(flush_often())
    yield
    flusher.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await flusher
    # What a stopping process counted last still counts.
    await flush_stats(app)
    await asyncio.to_thread(statistics.store.close)


async def stats_api(request: web.Request) -> web.Response:
    """``GET /api/stats?since=YYYY-MM-DD&until=YYYY-MM-DD&feed=PATH``: the statistics
    as JSON, behind the API's bearer token; every parameter optional (the last 30
    days, every feed). ``400`` names a parameter that is not right."""
    authorize(request)
    query = request.query
    today = datetime.now(UTC).date()
    until = _day_parameter(query, "until", today)
    since = _day_parameter(query, "since", until - timedelta(days=DEFAULT_DAYS - 1))
    if since > until:
        raise _bad_parameter("since", f"{since.isoformat()} is after until ({until.isoformat()})")
    if (until - since).days >= MAX_DAYS:
        raise _bad_parameter("since", f"the span is at most {MAX_DAYS} days")
    feed = query.get("feed")
    if feed is not None and not is_feed_document(feed):
        raise _bad_parameter("feed", f"not the path of a feed document: {feed[:200]!r}")
    report = await StatsReader(request.app[STATISTICS].store).report(since, until)
    if feed is not None:
        report = replace(report, feeds=tuple(stats for stats in report.feeds if stats.path == feed))
    return web.json_response(report_json(report), headers={"Cache-Control": "no-store"})


def _day_parameter(query: Mapping[str, str], name: str, default: date) -> date:
    value = query.get(name)
    if value is None:
        return default
    if not _ISO_DAY.fullmatch(value):
        raise _bad_parameter(name, f"must be a date, YYYY-MM-DD, got {value[:40]!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _bad_parameter(name, f"no such date: {value!r}") from None


def _bad_parameter(name: str, reason: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=f"400: {name}: {reason}\n")
