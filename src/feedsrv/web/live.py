"""The watcher that keeps the served site in step with the articles directory, and
the application keys of both.

The :class:`~feedsrv.live.LiveSite` the app serves lives in :mod:`feedsrv.live`,
outside the web package, so the WebSub hub can follow it without importing the web
server.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial

from aiohttp import web

from ..live import LiveSite
from ..site import Site, assemble_site
from ..store import StoreReader

log = logging.getLogger(__name__)


class Watcher:
    """The task that keeps the served site in step with the articles directory, once
    the app has started it."""

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    def follow(self, task: asyncio.Task[None]) -> None:
        """Take ``task`` as the watcher; should it fail, the error is logged when it does."""
        self._task = task
        task.add_done_callback(_log_failure)

    @property
    def stopped(self) -> bool:
        """Whether the watcher was started and has ended: the site served no longer
        follows the articles directory."""
        return self._task is not None and self._task.done()


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("the watcher of the articles directory stopped: changed articles are no longer served",
                  exc_info=task.exception())


class StoreState:
    """Whether the database was reached the last time the follower tried: None
    before its first try."""

    def __init__(self) -> None:
        self.reachable: bool | None = None

    def reached(self, reachable: bool) -> None:
        """Take the outcome of the follower's latest try."""
        if reachable != self.reachable and self.reachable is not None:
            log.info("the database is %s", "reachable again" if reachable else "unreachable")
        self.reachable = reachable


LIVE = web.AppKey("live", LiveSite)
WATCHER = web.AppKey("watcher", Watcher)
# The reader of the database the articles come from, when one is configured.
STORE = web.AppKey("store", StoreReader)
STORE_STATE = web.AppKey("store_state", StoreState)


async def serve_store_changes(app: web.Application) -> Site:
    """Serve the changes the database logged since the site served was read, and
    return the site then served; raise :class:`~feedsrv.errors.DatabaseError` when
    the database cannot be read, the site served left as it was."""
    return await app[LIVE].apply(partial(_with_store_changes, app[STORE]))


def _with_store_changes(reader: StoreReader, current: Site) -> Site:
    stored = reader.read_changes(current.loaded)
    if stored is None:
        return current
    return assemble_site(current.config, stored.loaded, previous=current, deleted=stored.deleted, render=False)
