"""Content distribution (WebSub §7): sending what the outbox owes.

When the served Site is replaced, every topic whose bytes changed gets a row in the
outbox for each of its subscribers (or, with an external hub, one ping of that hub),
written before anything is sent. A worker task sends the due rows: a POST of the
topic's current body with its ``Content-Type``, the ``Link`` headers naming the hub
and the topic, and ``X-Hub-Signature: sha256=…`` when the subscriber gave a secret.
A 2xx deletes the row; any other answer or a network error retries it later, with
exponential backoff and jitter, up to a number of attempts; a ``410 Gone`` ends the
subscription. The worker starts by sending whatever a previous run left owed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import random
import time
from dataclasses import dataclass

import aiohttp
from yarl import URL

from ..config import WebSubConfig
from ..errors import DatabaseError
from ..live import LiveSite
from ..representations import hub_links
from ..site import Site
from .safety import CallbackPolicy, TokenBuckets, UnsafeCallback, callback_host, check_literal
from .store import DELIVER, PUBLISH, HubState, Job
from .topics import ExtraTopics, topic_etags, topic_paths

log = logging.getLogger(__name__)

# Requests in flight at once; more due notifications wait for a free slot.
MAX_CONCURRENT_SENDS = 16
# How often subscriptions past their lease are deleted (they get nothing meanwhile:
# a delivery checks the lease first).
PURGE_INTERVAL = 300.0
# Seconds before the outbox is read again after it could not be.
ERROR_PAUSE = 5.0
# The longest a shared outbox goes unread.
SHARED_POLL_SECONDS = 5.0


def signature(body: bytes, secret: str) -> str:
    """The ``X-Hub-Signature`` value for ``body``: ``sha256=`` and the hex HMAC-SHA256
    keyed with the subscriber's secret (WebSub §7.1; SHA-1 is broken, §8.3)."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def backoff(attempts: int, *, initial: float, cap: float, rng: random.Random) -> float:
    """Seconds to wait after ``attempts`` failed attempts: ``initial`` doubled for each
    failure after the first, at most ``cap``, then shortened by up to half at random
    so that retries to many subscribers after one outage spread out."""
    delay = min(cap, initial * 2.0 ** min(attempts - 1, 64))
    return delay * rng.uniform(0.5, 1.0)


@dataclass(slots=True)
class DeliveryStats:
    """Counters since start-up, for logs and tests."""

    sent: int = 0  # notifications a subscriber (or the external hub) accepted
    failed: int = 0  # attempts that got an error status or no answer
    abandoned: int = 0  # notifications given up after the last attempt
    gone: int = 0  # subscriptions ended by a 410 from their callback


class Distributor:
    """Sends the outbox's due notifications of one kind: deliveries to subscribers
    (``deliver``) or pings of the external hub (``publish``)."""

    def __init__(self, *, store: HubState, live: LiveSite, websub: WebSubConfig, hub_url: str,
                 session: aiohttp.ClientSession, policy: CallbackPolicy, limiter: TokenBuckets,
                 topics: ExtraTopics | None = None) -> None:
        """``topics``: what may be subscribed to besides the feeds (the search feeds)."""
        self._store = store
        self._extra = topics
        self._live = live
        self._websub = websub
        self._hub_url = hub_url
        self._kind = PUBLISH if websub.external else DELIVER
        self._session = session
        self._policy = policy
        self._limiter = limiter
        self._rng = random.Random()
        self._wake = asyncio.Event()
        self._in_flight: dict[tuple[str, str, str], asyncio.Task[None]] = {}
        self._topics: tuple[Site, dict[str, str]] | None = None
        # Pings of an external hub have no subscriptions to expire.
        self._next_purge = 0.0 if self._kind == DELIVER else float("inf")
        # A site whose changes could not be queued (the database was lost): the
        # worker queues the served site's changes once it can.
        self._unnoted = False
        self.stats = DeliveryStats()

    async def note(self, site: Site) -> list[str]:
        """Queue a notification for every topic of ``site`` whose bytes differ from
        the last ones recorded, and wake the worker; return the changed topics.

        A database that cannot be written to is logged, not raised: the worker
        tries again, with the site served then, until it can."""
        try:
            changed = await asyncio.to_thread(self._note_topics, site, topic_etags(site))
        except DatabaseError as exc:
            log.warning("websub: %s; the feeds' changes are queued once it is back", exc)
            self._unnoted = True
            self._wake.set()
            return []
        self._unnoted = False
        if changed:
            log.info("websub: %d topics changed", len(changed))
        # Having caught up, this instance may now send what another one, further
        # along, queued.
        if changed or self._store.claims:
            self._wake.set()
        return changed

    def _note_topics(self, site: Site, etags: dict[str, str]) -> list[str]:
        """Note the feeds' ``etags`` and those of the other topics recorded (search
        feeds: each runs its search again, against the Site served now)."""
        if self._extra is not None:
            extra = [topic for topic in self._store.topics() if topic not in etags and self._extra.is_topic(topic)]
            etags = {**etags, **self._extra.topic_etags(extra)}
        return self._store.note_topics(etags, time.time(), publish_to=self._hub_url if self._kind == PUBLISH else None)

    async def run(self) -> None:
        """Send due notifications, as they fall due, until cancelled."""
        while True:
            self._wake.clear()
            try:
                if self._unnoted:
                    await self.note(self._live.site)
                wake_at = await self._start_due()
                if self._unnoted:
                    wake_at = min(wake_at, time.time() + ERROR_PAUSE)
            except Exception:
                # A database that cannot be read now (a full disk, a lock held too
                # long) may be readable later; what it owes stays owed.
                log.exception("websub: cannot read the outbox")
                wake_at = time.time() + ERROR_PAUSE
            try:
                async with asyncio.timeout(None if wake_at == float("inf") else max(0.0, wake_at - time.time())):
                    await self._wake.wait()
            except TimeoutError:
                pass

    async def _start_due(self) -> float:
        """Start sending the due jobs there is room for; return when to look again
        (unless woken before)."""
        now = time.time()
        if now >= self._next_purge:
            purged = await asyncio.to_thread(self._store.purge_expired, now)
            if purged:
                log.info("websub: %d subscriptions expired", purged)
            self._next_purge = now + PURGE_INTERVAL
        free = MAX_CONCURRENT_SENDS - len(self._in_flight)
        # A store that claims what it returns is asked only for what is started
        # now (the rest is left to other instances); another returns the rows in
        # flight too, which are skipped.
        limit = free if self._store.claims else MAX_CONCURRENT_SENDS + len(self._in_flight)
        jobs, next_due = await asyncio.to_thread(self._store.due, self._kind, now, limit) if limit else ([], None)
        for job in jobs:
            # A row already being sent was changed meanwhile: it is sent again once
            # the first send is over (which wakes the loop).
            if free and job.key not in self._in_flight:
                self._in_flight[job.key] = asyncio.create_task(self._attempt(job))
                free -= 1
        wake_at = min(self._next_purge, next_due if next_due is not None else self._next_purge)
        # Another instance may queue rows, or die holding some, without a word to
        # this one: a shared outbox is looked at again at least this often.
        return min(wake_at, now + SHARED_POLL_SECONDS) if self._store.claims else wake_at

    async def close(self) -> None:
        """Stop the sends in flight; their rows stay owed, for the next start."""
        tasks = list(self._in_flight.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _attempt(self, job: Job) -> None:
        try:
            if job.kind == DELIVER:
                await self._deliver(job)
            else:
                await self._publish(job)
        except Exception:
            # A bug or a failing database must not stop the worker; the row stays
            # owed, and is tried again later rather than at once if that can be said.
            log.exception("websub: sending %s of %s to %s failed", job.kind, job.topic, job.target)
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self._store.retry, job, time.time() + self._websub.retry_max_seconds)
        finally:
            del self._in_flight[job.key]
            self._wake.set()

    async def _deliver(self, job: Job) -> None:
        now = time.time()
        subscription = job.subscription
        if subscription is None or subscription.expires_at <= now:
            await asyncio.to_thread(self._store.finish, job)
            return
        site = self._live.site
        path = self._topic_paths(site).get(job.topic)
        if path is not None:
            resource = site.resource(path)
        elif self._extra is not None:
            resource = await asyncio.to_thread(self._extra.topic_resource, job.topic)
        else:
            resource = None
        if resource is None:
            # The feed is gone (its last article was removed); its subscribers hear
            # again if it comes back within their lease.
            await asyncio.to_thread(self._store.finish, job)
            return
        body = resource.identity.body
        if len(body) > self._websub.max_body_bytes:
            log.warning("websub: %s is %d bytes, over websub.max_body_bytes; not sent to %s",
                        job.topic, len(body), job.target)
            await asyncio.to_thread(self._store.finish, job)
            return
        wait = self._limiter.reserve(callback_host(job.target))
        if wait > 0:
            await asyncio.to_thread(self._store.retry, job, now + wait, attempted=False)
            return
        # The same Link header the feed is served with: the hub, and the topic (§7).
        headers = {"Content-Type": resource.media_type, "Link": hub_links(site.config, resource.path)}
        if subscription.secret:
            headers["X-Hub-Signature"] = signature(body, subscription.secret)
        status = await self._post(job.target, body, headers, guarded=True)
        if status == 410:
            log.info("websub: %s answered 410 Gone; its subscription to %s ends", job.target, job.topic)
            self.stats.gone += 1
            await asyncio.to_thread(self._store.unsubscribe, job.target, job.topic)
            return
        await self._settle(job, status)

    async def _publish(self, job: Job) -> None:
        # The de facto publish ping (WebSub §6 note): hub.url names the topic; some
        # hubs read hub.topic instead.
        form = {"hub.mode": "publish", "hub.url": job.topic, "hub.topic": job.topic}
        status = await self._post(job.target, form, {}, guarded=False)
        await self._settle(job, status)

    async def _settle(self, job: Job, status: int | None) -> None:
        if status is not None and 200 <= status < 300:
            self.stats.sent += 1
            await asyncio.to_thread(self._store.finish, job)
            return
        self.stats.failed += 1
        attempts = job.attempts + 1
        if attempts >= self._websub.max_attempts:
            log.warning("websub: giving up %s of %s to %s after %d attempts (last: %s)",
                        job.kind, job.topic, job.target, attempts, status or "no answer")
            self.stats.abandoned += 1
            await asyncio.to_thread(self._store.finish, job)
            return
        delay = backoff(attempts, initial=self._websub.retry_initial_seconds,
                        cap=self._websub.retry_max_seconds, rng=self._rng)
        log.info("websub: %s of %s to %s failed (%s); attempt %d in %.1f s",
                 job.kind, job.topic, job.target, status or "no answer", attempts + 1, delay)
        await asyncio.to_thread(self._store.retry, job, time.time() + delay)

    async def _post(self, url: str, data: bytes | dict[str, str], headers: dict[str, str], *,
                    guarded: bool) -> int | None:
        """POST and return the status, or None when there was no answer. The answer's
        body is ignored (WebSub §7), so it is never read."""
        try:
            if guarded:
                check_literal(url, self._policy)
            async with self._session.post(URL(url, encoded=True), data=data, headers=headers,
                                          allow_redirects=False) as response:
                return response.status
        except UnsafeCallback as exc:
            log.info("websub: %s", exc)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.info("websub: POST %s: %s", url, exc or type(exc).__name__)
        return None

    def _topic_paths(self, site: Site) -> dict[str, str]:
        # Computed once per Site rather than once per delivery.
        if self._topics is None or self._topics[0] is not site:
            self._topics = (site, topic_paths(site))
        return self._topics[1]
