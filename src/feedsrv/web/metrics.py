"""``/metrics``: what the server did and holds, in the Prometheus text format.

Counted as it happens, into metrics the app owns (never prometheus_client's global
registry): requests by route kind, status and coding and the bytes of their bodies
(tallied in plain ints, added to the counters every second and at each scrape),
and the durations of reloads and renders (histograms). Read at scrape time from the app
itself: the articles, feeds and warnings of the Site served, and the WebSub hub's
deliveries (its distributor's counters), subscriptions and queue (its store).

With ``feedsrv serve --workers N`` prometheus_client runs in its multiprocess mode
(``PROMETHEUS_MULTIPROC_DIR``, set by the CLI before the library is imported): every
worker writes its counters and histograms to files of its own in that directory,
and the one worker that serves ``/metrics`` (worker 0, which also sends the WebSub
notifications) adds them all up at scrape time.

The page is served only on ``server.metrics_listen``, a listener of its own, so the
public port never shows it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Literal

from aiohttp import web
from aiohttp.typedefs import Handler
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from ..errors import DatabaseError
from ..urls import API_ARTICLE_ROUTE, API_ARTICLES, HEALTH, HUB, INDEX, OPML, SITE_ROUTES
from ..websub import WEBSUB
from ..websub.store import HubState
from .live import LIVE

log = logging.getLogger(__name__)

METRICS_PATH = "/metrics"

RouteKind = Literal["index", "opml", "feed", "archive", "article", "landing", "health", "websub", "api", "unmatched"]

# Each route's pattern as aiohttp names it (a regex part dropped) to its kind; a
# feed path with "/archive/" in it is an archive page.
_FEEDS_ROUTE, _ARTICLES_ROUTE, *_LANDING_ROUTES = SITE_ROUTES[2:]
_ROUTES: tuple[tuple[str, RouteKind], ...] = (
    (INDEX, "index"), (OPML, "opml"), (_FEEDS_ROUTE, "feed"), (_ARTICLES_ROUTE, "article"),
    *((route, "landing") for route in _LANDING_ROUTES),
    (HEALTH, "health"), (HUB, "websub"), (API_ARTICLES, "api"), (API_ARTICLE_ROUTE, "api"))
_ROUTE_KINDS: dict[str, RouteKind] = {re.sub(r"\{(\w+):[^}]*\}", r"{\1}", route): kind for route, kind in _ROUTES}

# Seconds: from a cached render (well under a millisecond) to a reload of a large
# history (seconds).
DURATION_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# How long the hub's queue length and subscription count, which cost a query, are
# reused: several scrapers in a few seconds make one query, not one each.
STORE_CACHE_SECONDS = 5.0
# How often a process adds the requests it counted to the metrics a scrape reads:
# with workers, how far behind the other workers' counts may be.
FLUSH_SECONDS = 1.0


def route_kind(request: web.Request) -> RouteKind:
    """What ``request`` asked for, from the route it matched: a closed set, so the
    label takes a few values whatever paths clients make up."""
    resource = request.match_info.route.resource
    kind = _ROUTE_KINDS.get(resource.canonical, "unmatched") if resource is not None else "unmatched"
    if kind == "feed" and "/archive/" in request.path:
        return "archive"
    return kind


class Metrics:
    """The counters and histograms of one server process, and the registry a scrape
    reads: this process's own, or, with ``multiprocess_dir``, every worker's files."""

    def __init__(self, *, multiprocess_dir: Path | None = None) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("feedsrv_http_requests", "HTTP requests answered, by route kind, status and coding.",
                                ("route", "status", "coding"), registry=self.registry)
        self.response_bytes = Counter("feedsrv_http_response_bytes", "Bytes of response bodies, as sent.",
                                      ("route", "coding"), registry=self.registry)
        self.reload_seconds = Histogram("feedsrv_reload_duration_seconds",
                                        "Reloads that served a new site: from asked to served.",
                                        buckets=DURATION_BUCKETS, registry=self.registry)
        self.render_seconds = Histogram("feedsrv_render_duration_seconds",
                                        "Documents rendered while serving (on first request, or after a reload).",
                                        buckets=DURATION_BUCKETS, registry=self.registry)
        self.scraped = self.registry
        if multiprocess_dir is not None:
            # The metrics above write to this process's files; the scrape reads every
            # process's, this one's included, so it must not read the registry too.
            self.scraped = CollectorRegistry()
            # prometheus_client leaves this one constructor unannotated.
            MultiProcessCollector(self.scraped, path=str(multiprocess_dir))  # type: ignore[no-untyped-call]
        # Responses counted since the last flush, in plain ints: a request costs two
        # dict updates in the event loop, and no lock (prometheus_client takes one
        # on every increment).
        self._requests: dict[tuple[RouteKind, int, str], int] = {}
        self._bytes: dict[tuple[RouteKind, str], int] = {}

    def count(self, kind: RouteKind, status: int, coding: str, size: int) -> None:
        """Count one response of ``size`` body bytes; called in the event loop."""
        requests = self._requests
        key = (kind, status, coding)
        requests[key] = requests.get(key, 0) + 1
        if size:
            sent = self._bytes
            sent[kind, coding] = sent.get((kind, coding), 0) + size

    def flush(self) -> None:
        """Add the responses counted since the last flush to the counters a scrape
        reads; called in the event loop."""
        requests, self._requests = self._requests, {}
        sent, self._bytes = self._bytes, {}
        for (kind, status, coding), count in requests.items():
            self.requests.labels(kind, str(status), coding).inc(count)
        for (kind, coding), size in sent.items():
            self.response_bytes.labels(kind, coding).inc(size)

    def reloaded(self, seconds: float) -> None:
        """Observe a reload's duration (:class:`~feedsrv.live.Timings`)."""
        self.reload_seconds.observe(seconds)

    def rendered(self, seconds: float) -> None:
        """Observe a render's duration (:class:`~feedsrv.live.Timings`)."""
        self.render_seconds.observe(seconds)


METRICS = web.AppKey("metrics", Metrics)


@web.middleware
async def count_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count every response, errors included, by route kind, status and coding."""
    metrics = request.app[METRICS]
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        metrics.count(route_kind(request), exc.status, "identity", len(exc.text or ""))
        raise
    except BaseException:
        # aiohttp answers 500 to what a handler raises (a cancelled request gets
        # no answer, but was asked all the same).
        metrics.count(route_kind(request), 500, "identity", 0)
        raise
    body = response.body if isinstance(response, web.Response) else None
    size = len(body) if isinstance(body, bytes) and request.method != "HEAD" else 0
    metrics.count(route_kind(request), response.status, response.headers.get("Content-Encoding", "identity"), size)
    return response


@dataclass(frozen=True, slots=True)
class _StoreCounts:
    at: float
    pending: int | None
    subscriptions: int | None


class AppCollector(Collector):
    """What the app holds, read when scraped: from the Site served and the WebSub
    hub. Runs in a worker thread (the hub's store blocks)."""

    def __init__(self, app: web.Application) -> None:
        self._app = app
        self._store_counts: _StoreCounts | None = None

    def collect(self) -> Iterator[Metric]:
        """The samples of this scrape."""
        site = self._app[LIVE].site
        yield GaugeMetricFamily("feedsrv_articles", "Articles served.", value=len(site.catalog.entries))
        yield GaugeMetricFamily("feedsrv_feeds", "Feeds served (each in every format).",
                                value=len(site.catalog.feeds))
        yield GaugeMetricFamily("feedsrv_parse_warnings", "Warnings about the articles served.",
                                value=len(site.loaded.warnings))
        yield GaugeMetricFamily("feedsrv_articles_skipped", "Article files that could not be used.",
                                value=len(site.loaded.errors))
        websub = self._app[WEBSUB]
        distributor = websub.distributor
        if distributor is not None:
            stats = distributor.stats
            yield CounterMetricFamily("feedsrv_websub_deliveries", "Notifications a subscriber (or the external "
                                      "hub) accepted.", value=stats.sent)
            yield CounterMetricFamily("feedsrv_websub_delivery_failures", "Delivery attempts that got an error "
                                      "status or no answer.", value=stats.failed)
            yield CounterMetricFamily("feedsrv_websub_deliveries_abandoned", "Notifications given up after the "
                                      "last attempt.", value=stats.abandoned)
        counts = self._counts(websub.store)
        if counts.pending is not None:
            yield GaugeMetricFamily("feedsrv_websub_queue_length", "Notifications owed (the outbox).",
                                    value=counts.pending)
        if counts.subscriptions is not None:
            yield GaugeMetricFamily("feedsrv_websub_subscriptions", "Subscriptions within their lease.",
                                    value=counts.subscriptions)

    def _counts(self, store: HubState) -> _StoreCounts:
        now = time.monotonic()
        cached = self._store_counts
        if cached is not None and now - cached.at < STORE_CACHE_SECONDS:
            return cached
        try:
            pending: int | None = store.pending()
            subscriptions: int | None = len(store.subscriptions(time.time()))
        except DatabaseError as exc:
            # The scrape still says what this process knows; the gap in the series
            # says the hub's database could not be read.
            log.warning("metrics: %s; the WebSub queue is not reported", exc)
            pending = subscriptions = None
        self._store_counts = _StoreCounts(now, pending, subscriptions)
        return self._store_counts


def setup_metrics(app: web.Application, metrics: Metrics, sockets: Sequence[socket.socket]) -> None:
    """Count ``app``'s requests into ``metrics`` and, when ``sockets`` are given,
    serve ``/metrics`` on them (and nowhere else) while ``app`` runs."""
    app[METRICS] = metrics
    metrics.scraped.register(AppCollector(app))
    app.cleanup_ctx.append(partial(_flushing, metrics=metrics))
    if sockets:
        app.cleanup_ctx.append(partial(_serving, metrics=metrics, sockets=sockets))


async def _flushing(app: web.Application, *, metrics: Metrics) -> AsyncIterator[None]:
    # A scrape flushes its own process's counts first; the other workers' reach it
    # within FLUSH_SECONDS.
    async def flush_often() -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            metrics.flush()

    flusher = asyncio.create_task(flush_often())
    yield
    flusher.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await flusher
    # What a stopping worker answered last still counts.
    metrics.flush()


async def _serving(app: web.Application, *, metrics: Metrics, sockets: Sequence[socket.socket]) -> AsyncIterator[None]:
    scrape_app = web.Application()
    scrape_app[METRICS] = metrics
    scrape_app.router.add_get(METRICS_PATH, scrape)
    runner = web.AppRunner(scrape_app, access_log=None, handle_signals=False)
    await runner.setup()
    for sock in sockets:
        await web.SockSite(runner, sock).start()
    yield
    await runner.cleanup()


async def scrape(request: web.Request) -> web.Response:
    """``GET /metrics``: every metric, in the Prometheus text format."""
    metrics = request.app[METRICS]
    metrics.flush()
    # In a thread: the hub's store answers from SQLite or the database.
    body = await asyncio.to_thread(generate_latest, metrics.scraped)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})
