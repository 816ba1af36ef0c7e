"""The site being served, swapped whole when the articles change.

Handlers read :attr:`LiveSite.site` once per request, so a request always works on
one consistent Site, old or new, never a mix; a request in flight keeps the Site it
started with. Listeners (the WebSub hub, for one) learn of every swap.

:meth:`LiveSite.reload` builds the next Site from the current one in a worker
thread, so requests keep being answered while changed articles are parsed and
their feeds rendered.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from ..site import Site, refresh_site

log = logging.getLogger(__name__)

# Called with (old, new) after each swap; may be a coroutine function.
SiteListener = Callable[[Site, Site], Awaitable[None] | None]


class LiveSite:
    """Holds the current :class:`Site` and tells listeners when it is replaced."""

    def __init__(self, site: Site) -> None:
        self._site = site
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
        for listener in self._listeners:
            try:
                outcome = listener(old, new)
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception:
                log.exception("site listener %r failed", listener)

    async def reload(self) -> Site:
        """Read the articles directory again and serve the result; return the Site
        served once it is in place.

        Only added or changed files are parsed; when nothing changed the current
        Site stays and no listener is called. Errors reading the directory (it was
        removed, say) propagate and leave the current Site in place.
        """
        async with self._reloading:
            current = self._site
            new = await asyncio.to_thread(refresh_site, current)
            if new is not current:
                _log_reload(current, new)
                await self.replace(new)
            return self._site


def _log_reload(old: Site, new: Site) -> None:
    log.info("reloaded, %d file(s) read: %d articles, %d feeds", len(new.loaded.parsed),
             len(new.catalog.entries), len(new.catalog.feeds))
    # Problems are reported once, when they appear, not on every reload.
    known = {*old.loaded.errors, *old.loaded.warnings}
    for message in (*new.loaded.errors, *new.loaded.warnings):
        if message not in known:
            log.warning("%s", message)


LIVE = web.AppKey("live", LiveSite)
