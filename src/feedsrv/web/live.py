"""The site being served, swapped whole when the articles change.

Handlers read :attr:`LiveSite.site` once per request, so a request always works on
one consistent Site, old or new, never a mix; a request in flight keeps the Site it
started with. Listeners (the WebSub hub, for one) learn of every swap.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from ..site import Site

log = logging.getLogger(__name__)

# Called with (old, new) after each swap; may be a coroutine function.
SiteListener = Callable[[Site, Site], Awaitable[None] | None]


class LiveSite:
    """Holds the current :class:`Site` and tells listeners when it is replaced."""

    def __init__(self, site: Site) -> None:
        self._site = site
        self._listeners: list[SiteListener] = []

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


LIVE = web.AppKey("live", LiveSite)
