"""The site being served, swapped whole when the articles change.

Whoever serves a Site (the HTTP server, the WebSub hub beside it) reads
:attr:`LiveSite.site` once per request, so a request always works on one
consistent Site, old or new, never a mix; a request in flight keeps the Site it
started with. Listeners (the WebSub hub, for one) learn of every swap.

:meth:`LiveSite.reload` builds the next Site from the current one in a worker
thread, so requests keep being answered while changed articles are parsed. The
new Site is served as soon as its catalog is ready: the feeds that changed are
rendered by the first request for them, or right after the swap, between requests,
whichever comes first; listeners are told once they all are.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import inspect
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Protocol

from .model import Entry
from .site import Site, refresh_site, with_stories
from .sources import collector_paused
from .stories import EMPTY as EMPTY_STORIES
from .stories import Stories, update_stories
from .storyhints import write_hints

log = logging.getLogger(__name__)

# Entries grouped into stories between two looks at whether to stop: a chunk's
# update copies the index's top-level mappings once, nothing next to the grouping.
_GROUP_CHUNK = 2_000

# Called with (old, new) after each swap; may be a coroutine function.
SiteListener = Callable[[Site, Site], Awaitable[None] | None]


class Timings(Protocol):
    """Told how long the work of serving a new Site took (the server's metrics)."""

    def reloaded(self, seconds: float) -> None:
        """A reload served a new Site ``seconds`` after it was asked for."""

    def rendered(self, seconds: float) -> None:
        """One document took ``seconds`` to render."""


class LiveSite:
    """Holds the current :class:`Site` and tells listeners when it is replaced."""

    def __init__(self, site: Site, *, freeze_collector: bool = False, timings: Timings | None = None) -> None:
        """``freeze_collector``: after each reload, move everything alive to the
        garbage collector's permanent generation (``gc.freeze()``), a choice for the
        process as a whole, which the server makes (see ``feedsrv serve``).
        ``timings``, when given, is told the duration of every reload that served a
        new Site and of every document rendered after it."""
        self._site = site
        self.timings = timings
        self._freeze_collector = freeze_collector
        self._listeners: list[SiteListener] = []
        # One reload at a time: two concurrent ones would build from the same Site
        # and the second swap would undo the first's work.
        self._reloading = asyncio.Lock()

    @property
    def site(self) -> Site:
        """The Site to answer the current request from."""
        return self._site

    def add_listener(self, listener: SiteListener) -> None:
        """Call ``listener(old, new)`` after every swap."""
        self._listeners.append(listener)

    async def replace(self, new: Site) -> None:
        """Serve ``new`` from now on (one reference assignment: atomic for every
        request that starts after it), then notify the listeners; a failing listener
        is logged and does not stop the others."""
        old, self._site = self._site, new
        await self._notify(old, new)

    async def _notify(self, old: Site, new: Site) -> None:
        for listener in self._listeners:
            try:
                outcome = listener(old, new)
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception:
                log.exception("site listener %r failed", listener)

    async def reload(self, changed: Iterable[str] | None = None) -> Site:
        """Read the articles directory again and serve the result; return the Site
        served once it is in place.

        Only added or changed files are parsed; with ``changed`` (the paths that
        file-system events named), only those are looked at. When nothing changed,
        the current Site stays and no listener is called. Errors reading the directory (it was
        removed, say) propagate and leave the current Site in place.
        """
        return await self.apply(functools.partial(refresh_site, changed=changed, render=False))

    async def apply(self, build: Callable[[Site], Site]) -> Site:
        """Serve what ``build(current)`` returns, called in a worker thread, one build
        at a time; return the Site served once it is in place. ``build`` returns the
        current Site itself when nothing changed, and leaves the eager documents that
        changed unrendered (they are rendered here, between requests), as
        :meth:`reload` does; its errors propagate and leave the current Site in place.
        """
        started = time.perf_counter()
        async with self._reloading:
            current = self._site
            new = await asyncio.to_thread(build, current)
            if new is not current:
                # As at start-up (see cli.serve): the new indexes hold references to
                # every entry, and once in the collector's young generations every
                # collection walked them, long pauses at a large history
                # (docs/benchmarks.md, "Incremental update"), the first of them in
                # the first request for the new feeds. A reload makes no garbage
                # cycles; what else is alive now and may end in one later is never
                # collected, a price of a few objects per reload.
                if self._freeze_collector:
                    gc.freeze()
                self._site = new
                seconds = time.perf_counter() - started
                _log_reload(current, new, seconds)
                if self.timings is not None:
                    self.timings.reloaded(seconds)
                await _render_in_turns(new, self.timings)
                await self._notify(current, new)
            return self._site

    async def group_stories(self) -> Site:
        """When the Site served was built with its stories pending (see
        :func:`~feedsrv.site.build_site`), group its entries in a worker thread
        while requests are answered, then serve it with its stories and what
        changed meanwhile (:func:`~feedsrv.site.with_stories`); return the Site
        served once it is in place."""
        base = self._site
        if not base.catalog.stories_pending:
            return base
        started = time.perf_counter()
        stop = threading.Event()
        try:
            grouped = await asyncio.to_thread(_group, base.catalog.entries, stop)
        except asyncio.CancelledError:
            # The thread cannot be cancelled: told to stop, it does at its next chunk.
            stop.set()
            raise
        site = await self.apply(functools.partial(with_stories, grouped=grouped, grouped_from=base.catalog))
        await self.remember_stories()
        log.info("related coverage: %d stories of %d articles grouped in %.1f s", len(site.catalog.stories),
                 len(site.catalog.entries), time.perf_counter() - started)
        return site

    async def remember_stories(self) -> None:
        """Write the stories served for the next start (see :mod:`feedsrv.storyhints`),
        unless they are still pending."""
        site = self._site
        if not site.catalog.stories_pending:
            await asyncio.to_thread(write_hints, site.config, site.catalog.stories)


def _group(entries: Sequence[Entry], stop: threading.Event) -> Stories:
    """The stories of ``entries``, grouped a chunk at a time (as incremental
    updates, which give what one grouping would), so that a shutdown need not wait
    for the whole of it; with the collector paused, as a reload builds
    (site.build_site): the index is millions of objects, none of them garbage."""
    stories = EMPTY_STORIES
    with collector_paused():
        for start in range(0, len(entries), _GROUP_CHUNK):
            if stop.is_set():
                break
            stories = update_stories(stories, (), entries[start:start + _GROUP_CHUNK])
    return stories


async def _render_in_turns(site: Site, timings: Timings | None) -> None:
    """Render the documents every client fetches that ``site`` has not rendered yet,
    one per turn of the event loop. Requests are answered between two, and one for a
    document not rendered yet renders it at once: in a worker thread, rendering
    would share the interpreter lock with it and make it wait longer
    (docs/benchmarks.md, "Figures quoted from code comments")."""
    for path in list(site.eager_paths()):
        if timings is not None and not site.is_rendered(path):
            started = time.perf_counter()
            site.resource(path)
            timings.rendered(time.perf_counter() - started)
        else:
            site.resource(path)
        await asyncio.sleep(0)


def _log_reload(old: Site, new: Site, seconds: float) -> None:
    log.info("reloaded in %.1f ms, %d file(s) read: %d articles, %d feeds", seconds * 1000,
             len(new.loaded.parsed), len(new.catalog.entries), len(new.catalog.feeds))
    # Problems are reported once, when they appear, not on every reload.
    known = {*old.loaded.errors, *old.loaded.warnings}
    for message in (*new.loaded.errors, *new.loaded.warnings):
        if message not in known:
            log.warning("%s", message)
