"""The built-in hub's subscription side (WebSub §5): requests, validation, and
verification of intent.

A subscription request is a form-encoded POST of ``hub.mode`` (``subscribe`` or
``unsubscribe``), ``hub.topic``, ``hub.callback`` and optionally
``hub.lease_seconds`` and ``hub.secret``. A malformed request, or a callback the hub
will not call, gets a 4xx with the reason in plain text; any other gets ``202
Accepted``, and the rest happens afterwards, so the answer never depends on it
(§5.1.2):

- a topic this site does not publish is *denied* (§5.2): a GET to the callback with
  ``hub.mode=denied``, ``hub.topic`` and ``hub.reason``;
- otherwise the hub verifies the subscriber's intent (§5.3): a GET to the callback
  with ``hub.mode``, ``hub.topic``, a random single-use ``hub.challenge`` and, to
  subscribe, the granted ``hub.lease_seconds``. Only a 2xx whose body is the
  challenge confirms it; then the subscription is stored (replacing, and so
  renewing, an earlier one of the same callback and topic) or deleted. Any other
  answer leaves everything as it was.

Requests being read and checked, and the verifications and denials they started,
are at most ``websub.max_pending_verifications`` in all and
``websub.max_pending_verifications_per_host`` for one callback host: past either, a
request gets a 503 (or 429) with ``Retry-After`` before its body is read, so a burst
of requests cannot pile up bodies, lookups or tasks.

With the hub's state in the database instances share, an accepted request waits in
the shared queue (``websub_verifications``) until its check is over: if the
instance that accepted it dies first, another takes it over once its claim runs out.

A new subscription (not a renewal) past a cap (``websub.max_subscriptions_per_topic``,
``websub.max_subscriptions_per_host``, ``websub.max_subscriptions``) is refused with
a 403 at once; one that reaches a cap while it is being verified (another request
took the last place) is denied instead of stored.
"""

from __future__ import annotations

import asyncio
import logging
import math
import secrets
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Literal, get_args
from urllib.parse import parse_qsl, urlencode

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from ..config import WebSubConfig
from ..errors import DatabaseError, FeedsrvError
from ..live import LiveSite
from .safety import CallbackPolicy, TokenBuckets, UnsafeCallback, callback_host, check_callback, check_literal
from .shared import SharedWebSubStore
from .store import Cap, HeldVerification, HubState, Subscription, SubscriptionLimits
from .topics import ExtraTopics, normalize_topic, topic_etags, topic_paths

log = logging.getLogger(__name__)

HubMode = Literal["subscribe", "unsubscribe"]
MODES: tuple[HubMode, ...] = get_args(HubMode)
# §5.1: hub.secret "MUST be less than 200 bytes in length".
MAX_SECRET_BYTES = 199
# A subscription request is a few hundred bytes: a callback of at most 2,000
# characters, percent-encoded, a topic and a secret fit; anything larger is not one.
MAX_REQUEST_BYTES = 8192
# The challenge echoed back is 43 characters; a body much longer cannot match.
MAX_ECHO_BYTES = 1024
UNKNOWN_TOPIC = "unknown topic: not the self URL of a feed of this site"
# How often a hub with a shared queue looks for checks a dead instance left over.
RECOVERY_POLL_SECONDS = 5.0
# A request taken over this many times is dropped: its check keeps failing.
MAX_VERIFICATION_CLAIMS = 3


class HubRequestError(FeedsrvError):
    """A subscription request the hub answers with an error status."""

    def __init__(self, status: int, message: str, *, retry_after: int | None = None) -> None:
        self.status = status
        self.message = message
        # Seconds after which the same request may succeed (the Retry-After header).
        self.retry_after = retry_after
        super().__init__(f"{status}: {message}")


@dataclass(frozen=True, slots=True)
class SubscriptionRequest:
    """A well-formed subscription or unsubscription request."""

    mode: HubMode
    callback: str
    topic: str
    lease_seconds: int | None = None
    secret: str | None = None


def _mode(text: str) -> HubMode:
    for mode in MODES:
        if text == mode:
            return mode
    raise HubRequestError(400, f"hub.mode must be subscribe or unsubscribe, got {text!r}")


def parse_subscription_request(body: bytes) -> SubscriptionRequest:
    """Read a form-encoded subscription request; raise :class:`HubRequestError`
    (400) naming what is wrong. Parameters the hub does not know are ignored (§5.1)."""
    try:
        fields = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False,
                           max_num_fields=64, errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:
        raise HubRequestError(400, f"the body is not a UTF-8 form: {exc}") from None
    values: dict[str, str] = {}
    for name, value in fields:
        if name.startswith("hub."):
            if name in values:
                raise HubRequestError(400, f"{name} is given twice")
            values[name] = value
    mode = _mode(values.get("hub.mode", ""))
    for name in ("hub.callback", "hub.topic"):
        if not values.get(name):
            raise HubRequestError(400, f"{name} is required")
    lease_seconds = None
    if mode == "subscribe" and values.get("hub.lease_seconds"):
        text = values["hub.lease_seconds"]
        if not text.isascii() or not text.isdigit() or int(text) < 1:
            raise HubRequestError(400, f"hub.lease_seconds must be a positive integer, got {text!r}")
        lease_seconds = int(text)
    secret = values.get("hub.secret") or None
    if secret is not None and len(secret.encode("utf-8")) > MAX_SECRET_BYTES:
        raise HubRequestError(400, f"hub.secret must be less than {MAX_SECRET_BYTES + 1} bytes")
    return SubscriptionRequest(mode=mode, callback=values["hub.callback"], topic=normalize_topic(values["hub.topic"]),
                               lease_seconds=lease_seconds, secret=secret if mode == "subscribe" else None)


def grant_lease(requested: int | None, websub: WebSubConfig) -> int:
    """The lease the hub grants: the one asked for, within the configured bounds, or
    the default. Never perpetual (§5.3.1)."""
    if requested is None:
        return websub.lease_seconds
    return max(websub.min_lease_seconds, min(websub.max_lease_seconds, requested))


def with_query(callback: str, query: Mapping[str, str]) -> str:
    """``callback`` with ``query`` appended to its own query string, which is kept
    as it is (§5.1.1)."""
    separator = "" if callback.endswith(("?", "&")) else "&" if "?" in callback else "?"
    return callback + separator + urlencode(query)


class Hub:
    """Takes subscription requests and checks them with the subscriber in the
    background (see the module documentation)."""

    def __init__(self, *, store: HubState, live: LiveSite, websub: WebSubConfig,
                 session: aiohttp.ClientSession, policy: CallbackPolicy, resolver: AbstractResolver,
                 limiter: TokenBuckets, queue: SharedWebSubStore | None = None,
                 topics: ExtraTopics | None = None) -> None:
        """``queue``: the shared queue that accepted requests wait in until checked,
        so that another instance checks them if this one dies first. ``topics``:
        what may be subscribed to besides the feeds (the search feeds)."""
        self._store = store
        self._topics = topics
        self._queue = queue
        self._live = live
        self._websub = websub
        self._session = session
        self._policy = policy
        self._resolver = resolver
        self._limiter = limiter
        self._limits = SubscriptionLimits.from_config(websub)
        self._checks: set[asyncio.Task[None]] = set()
        self._checks_by_host: Counter[str] = Counter()
        self._admitting = 0
        # A pending verification is over within one time-out of being sent.
        self._retry_after = max(1, math.ceil(websub.timeout_seconds))

    @property
    def pending(self) -> int:
        """Requests being read and checked, and verifications and denials not over:
        never more than ``websub.max_pending_verifications``."""
        return self._admitting + len(self._checks)

    async def accept(self, read: Callable[[], Awaitable[SubscriptionRequest]]) -> SubscriptionRequest:
        """Take the subscription request that ``read`` reads, start checking it with its
        subscriber, and return it. Raise :class:`HubRequestError` before calling
        ``read`` when too many requests are pending (503), and for a callback the hub
        will not call, a subscription past a cap, or too many requests pending for the
        callback's host (429). With a shared queue, the request is in it when this
        returns (a :class:`~feedsrv.errors.DatabaseError` if it cannot be)."""
        if self.pending >= self._websub.max_pending_verifications:
            raise HubRequestError(503, "too many subscription requests being verified; try again later",
                                  retry_after=self._retry_after)
        self._admitting += 1
        try:
            request = await read()
            held = await self._admit(request)
            try:
                number = None if self._queue is None else await asyncio.to_thread(self._queue.hold_verification, held)
            except BaseException:
                self._release_host(held.host)
                raise
        finally:
            self._admitting -= 1
        # Nothing awaited since: the task takes over the place the request held.
        self._start_check(held, number)
        return request

    async def _admit(self, request: SubscriptionRequest) -> HeldVerification:
        """The check to run, its place among those of the callback's host taken; or
        HubRequestError."""
        try:
            address = await check_callback(request.callback, self._policy, self._resolver)
        except UnsafeCallback as exc:
            raise HubRequestError(400, str(exc)) from None
        known = request.topic in topic_paths(self._live.site) or (
            self._topics is not None and self._topics.is_topic(request.topic))
        if request.mode == "subscribe" and known:
            candidate = self._subscription(request, address, expires_at=time.time())
            cap = await asyncio.to_thread(self._store.cap_reached, candidate, self._limits, time.time())
            if cap is not None:
                raise HubRequestError(403, self._cap_message(cap, candidate))
        # Counted and taken after the last await, so that no other request of the
        # host gets in between.
        if self._checks_by_host[address] >= self._websub.max_pending_verifications_per_host:
            raise HubRequestError(429, f"too many subscription requests for callbacks on {address} being "
                                       "verified; try again later", retry_after=self._retry_after)
        self._checks_by_host[address] += 1
        # Unsubscribing needs no known topic: the feed may have gone since.
        denial = None if request.mode == "unsubscribe" or known else UNKNOWN_TOPIC
        return HeldVerification(mode="denied" if denial else request.mode, callback=request.callback,
                                topic=request.topic, lease_seconds=request.lease_seconds, secret=request.secret,
                                reason=denial, host=address)

    def _start_check(self, held: HeldVerification, number: int | None) -> None:
        """Run the check of ``held`` (whose host's place is taken) as a task, ending
        its row ``number`` of the shared queue once it is over."""
        task = asyncio.create_task(self._check(held, number))
        self._checks.add(task)
        task.add_done_callback(lambda done: self._check_done(done, held.host))

    async def _check(self, held: HeldVerification, number: int | None) -> None:
        request = SubscriptionRequest(mode="unsubscribe" if held.mode == "unsubscribe" else "subscribe",
                                      callback=held.callback, topic=held.topic, lease_seconds=held.lease_seconds,
                                      secret=held.secret)
        if held.mode == "denied":
            await self._deny(request, held.reason or UNKNOWN_TOPIC)
        else:
            await self._verify(request, held.host)
        if self._queue is not None and number is not None:
            await asyncio.to_thread(self._queue.end_verification, number)

    async def recover(self) -> None:
        """Until cancelled, take over the requests of the shared queue whose
        instance died before checking them, as this hub has room for them."""
        assert self._queue is not None, "only a shared queue outlives its instance"
        while True:
            await asyncio.sleep(RECOVERY_POLL_SECONDS)
            room = self._websub.max_pending_verifications - self.pending
            if room <= 0:
                continue
            try:
                taken = await asyncio.to_thread(self._queue.claim_verifications, room,
                                                max_attempts=MAX_VERIFICATION_CLAIMS)
            except DatabaseError as exc:
                log.warning("websub: %s; unfinished verifications are taken over once it is back", exc)
                continue
            for number, held in taken:
                log.info("websub: taking over the %s check of %s to %s", held.mode, held.callback, held.topic)
                self._checks_by_host[held.host] += 1
                self._start_check(held, number)

    def _release_host(self, host: str) -> None:
        self._checks_by_host[host] -= 1
        if not self._checks_by_host[host]:
            del self._checks_by_host[host]

    def _check_done(self, task: asyncio.Task[None], host: str) -> None:
        self._checks.discard(task)
        self._release_host(host)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("websub: checking a subscription request for %s failed", host, exc_info=error)

    async def wait_idle(self) -> None:
        """Wait until every verification and denial started so far is over."""
        while self._checks:
            await asyncio.gather(*self._checks, return_exceptions=True)

    async def close(self) -> None:
        """Abandon the checks still pending: their subscribers were never confirmed,
        and will ask again."""
        for task in self._checks:
            task.cancel()
        await asyncio.gather(*self._checks, return_exceptions=True)

    def _subscription(self, request: SubscriptionRequest, address: str, *, expires_at: float) -> Subscription:
        return Subscription(callback=request.callback, topic=request.topic, secret=request.secret,
                            lease_seconds=grant_lease(request.lease_seconds, self._websub), expires_at=expires_at,
                            host=address)

    def _subscribe(self, subscription: Subscription) -> Cap | None:
        """Store ``subscription`` (in a worker thread: a search feed's baseline ETag
        runs its search)."""
        etags = topic_etags(self._live.site)
        if self._topics is not None and subscription.topic not in etags:
            etags.update(self._topics.topic_etags([subscription.topic]))
        return self._store.subscribe(subscription, etags, limits=self._limits, now=time.time())

    def _cap_message(self, cap: Cap, subscription: Subscription) -> str:
        if cap == "topic":
            return (f"{subscription.topic} has {self._limits.per_topic} subscriptions, "
                    "the most this hub takes for one topic")
        if cap == "host":
            return (f"callbacks on {subscription.host} have {self._limits.per_host} subscriptions, "
                    "the most this hub takes for one host")
        return f"this hub has {self._limits.total} subscriptions, the most it takes"

    async def _verify(self, request: SubscriptionRequest, address: str) -> None:
        challenge = secrets.token_urlsafe(32)
        query = {"hub.mode": request.mode, "hub.topic": request.topic, "hub.challenge": challenge}
        lease = grant_lease(request.lease_seconds, self._websub)
        if request.mode == "subscribe":
            query["hub.lease_seconds"] = str(lease)
        await self._limiter.acquire(callback_host(request.callback))
        # The lease runs from the verification request (§5.3).
        asked_at = time.time()
        echo = await self._get(request.callback, query, limit=MAX_ECHO_BYTES)
        if echo is None or echo.strip() != challenge.encode("ascii"):
            log.info("websub: %s of %s to %s not confirmed", request.mode, request.callback, request.topic)
            return
        if request.mode == "subscribe":
            subscription = self._subscription(request, address, expires_at=asked_at + lease)
            cap = await asyncio.to_thread(self._subscribe, subscription)
            if cap is not None:
                await self._deny(request, self._cap_message(cap, subscription))
                return
        else:
            await asyncio.to_thread(self._store.unsubscribe, request.callback, request.topic)
        log.info("websub: %s %s to %s", request.mode, request.callback, request.topic)

    async def _deny(self, request: SubscriptionRequest, reason: str) -> None:
        await self._limiter.acquire(callback_host(request.callback))
        await self._get(request.callback, {"hub.mode": "denied", "hub.topic": request.topic, "hub.reason": reason},
                        limit=0)
        log.info("websub: denied %s to %s: %s", request.callback, request.topic, reason)

    async def _get(self, callback: str, query: Mapping[str, str], *, limit: int) -> bytes | None:
        """GET ``callback`` with ``query`` appended: the body of a 2xx answer (up to
        ``limit`` bytes, else None), or None for any other answer or none."""
        url = with_query(callback, query)
        try:
            check_literal(url, self._policy)
            async with self._session.get(URL(url, encoded=True), allow_redirects=False) as response:
                if not 200 <= response.status < 300:
                    return None
                body = bytearray()
                async for chunk in response.content.iter_chunked(4096):
                    body += chunk
                    if len(body) > limit:
                        return None
                return bytes(body)
        except UnsafeCallback as exc:
            log.info("websub: %s", exc)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.info("websub: GET %s: %s", callback, exc or type(exc).__name__)
        return None
