"""The aiohttp application factory, used by the CLI and by the tests."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Sequence
from functools import partial
from pathlib import Path

from aiohttp import web

from ..config import SiteConfig
from ..live import LiveSite
from ..site import Site, build_site
from ..stats import StatsStore, open_stats_store
from ..store import StoreReader, StoreWriter, follow_changes
from ..urls import HEALTH, SITE_ROUTES
from ..watch import watch_directory
from ..websub import setup_websub
from .api import api_token, setup_api
from .caching import CodingMemo
from .handlers import CODING_MEMO, POLL_GATE, healthz, nosniff, serve_resource
from .live import LIVE, STORE, STORE_STATE, WATCHER, StoreState, Watcher, serve_store_changes
from .logs import request_id
from .metrics import Metrics, count_requests, setup_metrics
from .polling import PollGate, poll_gate
from .search import setup_search
from .stats import STATS_COLLECTOR, setup_stats

log = logging.getLogger(__name__)

# How long a shutdown waits for the watcher to notice it should stop.
WATCH_STOP_TIMEOUT = 5.0


def create_app(config: SiteConfig, *, site: Site | None = None, watch: bool = True,
               notify: bool = True, freeze_collector: bool = False,
               store: StoreReader | None = None, polling: PollGate | None = None,
               metrics_sockets: Sequence[socket.socket] = (), metrics_dir: Path | None = None,
               stats_store: StatsStore | None = None) -> web.Application:
    """An application serving ``site`` (built from ``config`` when not given).

    With ``store``, the articles come from the database it reads, not from the
    articles directory, which is not watched: ``site`` is built from its
    :meth:`~feedsrv.store.StoreReader.read_all` (by the caller), and every change
    the database logs after it is served while the app runs, and the publishing
    API writes to the database.

    The site is built before the server binds its port, so a broken articles
    directory is reported at start-up rather than on the first request. With
    ``watch`` (and ``site.watch`` not ``off``), changes to the articles directory
    are served while the app runs. The publishing API exists when a token is
    configured. Every feed change is pushed to WebSub subscribers, unless ``notify``
    is false (another process of the same site sends the notifications). With
    ``freeze_collector``, each reload freezes the garbage collector's generations
    (see :class:`~feedsrv.live.LiveSite`): for a process that does nothing else.
    ``polling`` replaces the gate of polite polling made from ``config`` (a test
    served on loopback gives one that does not exempt it).

    With ``server.metrics_listen`` set, requests, reloads and renders are counted,
    and ``/metrics`` is served on ``metrics_sockets`` (none: another worker serves
    it); ``metrics_dir`` is prometheus_client's multiprocess directory, when the
    workers of ``feedsrv serve --workers N`` share one (see :mod:`.metrics`).

    With ``stats.enabled``, each feed's subscribers and traffic are counted and
    flushed to ``stats_store`` (by default the one ``config`` names, see
    :func:`~feedsrv.stats.open_stats_store`), and, with an API token,
    ``/api/stats`` shows them (see :mod:`.stats`).
    """
    # aiohttp would inflate any compressed request body, read by a route or not, in
    # the event loop; the routes that read bodies decode them themselves (bodies.py),
    # and none calls request.read(), the one place aiohttp applies client_max_size:
    # it follows api.max_bytes all the same, so the two limits never disagree.
    # Request ids name the lines of the JSON log (server.access_log = "json"). Off,
    # metrics cost a request nothing: the counting middleware is not there.
    metrics = None if config.metrics_address is None else Metrics(multiprocess_dir=metrics_dir)
    middlewares = ([] if metrics is None else [count_requests]) + [nosniff]
    if config.access_log == "json":
        middlewares.append(request_id)
    app = web.Application(handler_args={"auto_decompress": False}, middlewares=middlewares,
                          client_max_size=config.api_max_bytes)
    app[LIVE] = LiveSite(site if site is not None else build_site(config), freeze_collector=freeze_collector,
                         timings=metrics)
    app[CODING_MEMO] = CodingMemo()
    app[POLL_GATE] = polling if polling is not None else poll_gate(config)
    # Before the Site's routes, which would take /feeds/search.atom for a feed, and
    # before WebSub, which takes search feeds as topics.
    search = setup_search(app, config, app[LIVE], database=None if store is None else store.url)
    # Before the watcher: WebSub starts listening before the first reload can happen,
    # and stops after the last.
    setup_websub(app, config, app[LIVE], notify=notify, articles=store, topics=search)
    if store is not None:
        app[STORE] = store
        app[STORE_STATE] = StoreState()
        app.cleanup_ctx.append(_following)
    elif watch and config.watch != "off":
        app[WATCHER] = Watcher()
        app.cleanup_ctx.append(partial(_watching, config=config))
    token = api_token(config)
    if token is not None:
        setup_api(app, config, token, writer=None if store is None else StoreWriter(store.url, config))
    app[STATS_COLLECTOR] = None
    if config.stats_enabled:
        setup_stats(app, config, stats_store if stats_store is not None else open_stats_store(config), token=token)
    if metrics is not None:
        setup_metrics(app, metrics, metrics_sockets)
    app.cleanup_ctx.append(_grouping_stories)
    app.router.add_get(HEALTH, healthz)
    # Every other route serves a Site path; the Site decides whether it exists.
    for route in SITE_ROUTES:
        app.router.add_get(route, serve_resource)
    return app


async def _watching(app: web.Application, *, config: SiteConfig) -> AsyncIterator[None]:
    """Watch the articles directory while the app runs, reloading on every change."""
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch_directory(config.articles_dir, app[LIVE].reload, mode=config.watch,
                                                  poll_interval=config.poll_interval, stop=stop))
    app[WATCHER].follow(watcher)
    yield
    stop.set()
    # A watcher that failed was logged when it did (and /healthz said so since):
    # its error does not fail the shutdown.
    _, running = await asyncio.wait([watcher], timeout=WATCH_STOP_TIMEOUT)
    if running:
        watcher.cancel()
        await asyncio.wait([watcher])


async def _grouping_stories(app: web.Application) -> AsyncIterator[None]:
    """Group the stories of a Site built without them (a large history, see
    ``feedsrv serve``) while the app serves it."""
    grouping = asyncio.create_task(app[LIVE].group_stories())
    grouping.add_done_callback(_log_grouping_failure)
    yield
    grouping.cancel()
    await asyncio.wait([grouping])
    # What reloads made of them since, for the next start.
    await app[LIVE].remember_stories()


def _log_grouping_failure(task: asyncio.Task[Site]) -> None:
    # The Site is served without related coverage: said once, with the cause.
    if not task.cancelled() and task.exception() is not None:
        log.error("grouping related coverage failed: feeds carry none until a restart", exc_info=task.exception())


async def _following(app: web.Application) -> AsyncIterator[None]:
    """Serve the database's changes while the app runs."""
    reader = app[STORE]

    async def catch_up() -> None:
        await serve_store_changes(app)

    follower = asyncio.create_task(follow_changes(reader.url, catch_up, app[STORE_STATE].reached))
    follower.add_done_callback(_log_follower_failure)
    yield
    follower.cancel()
    await asyncio.wait([follower])
    # A read in a worker thread outlives the cancelled follower: closing waits for it.
    await asyncio.to_thread(reader.close)


def _log_follower_failure(task: asyncio.Task[None]) -> None:
    # It retries every database error itself: what ends it is a bug, said at once.
    if not task.cancelled() and task.exception() is not None:
        log.error("following the database stopped: its changes are no longer served", exc_info=task.exception())
