"""WebSub in the aiohttp application: the hub's route, and the store, HTTP client,
hub and distribution worker living as long as the app.

:func:`setup_websub` is the one call the application factory makes. With the
built-in hub it mounts ``POST /websub``; with ``websub.hub_url`` set it mounts
nothing and pings that hub instead. Either way a listener on the app's
:class:`~feedsrv.live.LiveSite` queues notifications whenever the served Site is
replaced, and at start-up the worker first notices any change made while the server
was down, then sends whatever was still owed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from .. import __version__
from ..config import SiteConfig
from ..errors import DatabaseError
from ..live import LiveSite
from ..site import Site
from ..store import StoreReader
from ..urls import HUB
from .delivery import Distributor
from .hub import MAX_REQUEST_BYTES, Hub, HubRequestError, SubscriptionRequest, parse_subscription_request
from .safety import CallbackPolicy, GuardedResolver, TokenBuckets
from .shared import SharedWebSubStore
from .store import HubState, WebSubStore
from .topics import ExtraTopics

log = logging.getLogger(__name__)

FORM_TYPE = "application/x-www-form-urlencoded"
# Seconds a subscriber is asked to wait when the database is lost.
DATABASE_RETRY_AFTER = 5
# How much longer than a send's time-out, twice over, a notification stays claimed.
CLAIM_MARGIN_SECONDS = 5.0


class WebSub:
    """The app's WebSub machinery. ``hub`` is None with an external hub; ``hub`` and
    ``distributor`` exist while the app runs."""

    def __init__(self, config: SiteConfig, live: LiveSite, *, notify: bool = True,
                 articles: StoreReader | None = None, topics: ExtraTopics | None = None) -> None:
        self.config = config
        self.topics = topics
        self.live = live
        self.notify = notify
        self.store: HubState
        if articles is None:
            self.store = WebSubStore(config.websub.database)
        else:
            # A claimed notification is sent within one time-out; the rest of the
            # claim covers the database round trips around it.
            self.store = SharedWebSubStore(articles.url, position=lambda: articles.position,
                                           claim_seconds=2 * config.websub.timeout_seconds + CLAIM_MARGIN_SECONDS)
        self.policy = CallbackPolicy.from_config(config.websub)
        self.hub: Hub | None = None
        self.distributor: Distributor | None = None
        self._session: aiohttp.ClientSession | None = None
        self._resolver: GuardedResolver | None = None
        self._worker: asyncio.Task[None] | None = None
        self._recovery: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Open the HTTP client, catch up with changes made while the server was
        down, and start sending."""
        websub = self.config.websub
        # Only a subscriber's callback needs guarding: the external hub is the
        # operator's choice, and may well be on the local network.
        self._resolver = resolver = None if websub.external else GuardedResolver(self.policy)
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(resolver=resolver, limit_per_host=4),
            timeout=aiohttp.ClientTimeout(total=websub.timeout_seconds),
            # No cookies from one subscriber may reach another.
            cookie_jar=aiohttp.DummyCookieJar(),
            headers={"User-Agent": f"feedsrv/{__version__} WebSub hub ({self.config.hub_url})"},
        )
        limiter = TokenBuckets(websub.callback_rate, websub.callback_burst)
        if resolver is not None:
            queue = self.store if isinstance(self.store, SharedWebSubStore) else None
            self.hub = Hub(store=self.store, live=self.live, websub=websub, session=self._session,
                           policy=self.policy, resolver=resolver, limiter=limiter, queue=queue,
                           topics=self.topics)
            if queue is not None:
                self._recovery = asyncio.create_task(self.hub.recover())
        # Two processes noting the same change would each queue it: only one notifies.
        if self.notify:
            self.distributor = Distributor(store=self.store, live=self.live, websub=websub,
                                           hub_url=self.config.hub_url, session=self._session,
                                           policy=self.policy, limiter=limiter, topics=self.topics)
            await self.distributor.note(self.live.site)
            self.live.add_listener(self._site_replaced)
            self._worker = asyncio.create_task(self.distributor.run())
        if websub.external:
            log.info("websub: feeds name the hub %s, pinged on every change", websub.hub_url)
        else:
            log.info("websub: built-in hub at %s (subscriptions in %s)", self.config.hub_url,
                     websub.database if isinstance(self.store, WebSubStore) else "the database")

    async def stop(self) -> None:
        """Stop sending and close everything; what is still owed stays in the store."""
        # Unset first: the listener and the route see at once that nothing runs.
        worker, hub, distributor, session = self._worker, self.hub, self.distributor, self._session
        resolver, recovery = self._resolver, self._recovery
        self.hub = self.distributor = self._session = self._resolver = self._worker = self._recovery = None
        for task in (worker, recovery):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if hub is not None:
            await hub.close()
        if distributor is not None:
            await distributor.close()
        if session is not None:
            await session.close()
        # A connector closes only the resolver it made itself.
        if resolver is not None:
            await resolver.close()
        await asyncio.to_thread(self.store.close)

    async def _site_replaced(self, old: Site, new: Site) -> None:
        # Listeners stay registered on the LiveSite: after stop() there is nothing
        # left to queue with.
        if self.distributor is not None:
            await self.distributor.note(new)


WEBSUB = web.AppKey("websub", WebSub)


def setup_websub(app: web.Application, config: SiteConfig, live: LiveSite, *, notify: bool = True,
                 articles: StoreReader | None = None, topics: ExtraTopics | None = None) -> None:
    """Add WebSub to ``app``, which serves ``live``: the built-in hub's route unless
    an external hub is configured, and the machinery's lifetime (see the module
    documentation). Without ``notify``, subscription requests are still answered but
    no notification is queued or sent: another process does it. With ``articles``
    (the articles are the database's), the hub's state is the database's too, shared
    with every instance. ``topics`` are subscribable besides the feeds (the search feeds)."""
    app[WEBSUB] = WebSub(config, live, notify=notify, articles=articles, topics=topics)
    if not config.websub.external:
        app.router.add_post(HUB, subscription_request)
    app.cleanup_ctx.append(_lifetime)


async def _lifetime(app: web.Application) -> AsyncIterator[None]:
    websub = app[WEBSUB]
    await websub.start()
    yield
    await websub.stop()


async def subscription_request(request: web.Request) -> web.Response:
    """``POST /websub``: a subscription or unsubscription request (WebSub §5.1).

    ``202 Accepted`` once the request is well-formed and its callback acceptable;
    verification (or denial) follows in the background. Errors are ``4xx`` with the
    reason in plain text (§5.1.2).
    """
    hub = request.app[WEBSUB].hub
    if hub is None:
        raise web.HTTPServiceUnavailable(text="503: the hub is not running\n")
    if request.content_type != FORM_TYPE:
        return _plain(415, f"a subscription request is a form: Content-Type: {FORM_TYPE}")
    # Nothing decodes request bodies for the hub: the application turns aiohttp's
    # decoding off.
    if any(value.strip().lower() not in ("", "identity") for value in request.headers.getall("Content-Encoding", ())):
        refused = _plain(415, "a subscription request is sent uncompressed: no Content-Encoding")
        refused.headers["Accept-Encoding"] = "identity"
        return refused
    if request.content_length is not None and request.content_length > MAX_REQUEST_BYTES:
        return _plain(413, f"a subscription request is at most {MAX_REQUEST_BYTES} bytes")
    try:
        # The hub reads the body only once it has room for the request.
        parsed = await hub.accept(lambda: _read_subscription_request(request))
    except HubRequestError as exc:
        refused = _plain(exc.status, exc.message)
        if exc.retry_after is not None:
            refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    except DatabaseError as exc:
        log.warning("websub: %s; subscription request refused", exc)
        refused = _plain(503, "the hub's database cannot be reached; try again later")
        refused.headers["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return refused
    return _plain(202, f"{parsed.mode} request accepted; the hub will now verify it with the callback")


async def _read_subscription_request(request: web.Request) -> SubscriptionRequest:
    body = bytearray()
    async for chunk in request.content.iter_chunked(4096):
        body += chunk
        if len(body) > MAX_REQUEST_BYTES:
            raise HubRequestError(413, f"a subscription request is at most {MAX_REQUEST_BYTES} bytes")
    return parse_subscription_request(bytes(body))


def _plain(status: int, message: str) -> web.Response:
    return web.Response(status=status, text=f"{status}: {message}\n", headers={"Cache-Control": "no-store"})
