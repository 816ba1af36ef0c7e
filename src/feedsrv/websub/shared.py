"""The hub's state in the PostgreSQL database instances share (``store.database_url``).

The same operations as :class:`~feedsrv.websub.store.WebSubStore`, on the tables of
schemas 2 and 3 (``feedsrv/store/migrations``), so that every instance answers the
hub with the same subscriptions and the notifications are sent once between them:

- reading the due notifications *claims* them (``FOR UPDATE SKIP LOCKED``, then a
  claim until ``claim_seconds`` from now): no other instance reads them while the
  claim lasts, and if the claimer dies, another takes them once it runs out. A send
  that ends releases the claim (a success deletes the row);
- topics are compared with their recorded bytes only by an instance at least as
  far along the changes log as the last one that compared them, and a notification
  is sent only by an instance as far along as the one that queued it (schema 3
  says why): :attr:`position` gives how far along this instance is.

Times cross the interface as this machine's clock (``time.time()``), as the SQLite
store takes them, but are stored and compared on the database's clock: each is
turned into an offset from now on the way in and out, so instances whose clocks
disagree still agree on what is due and whose claim ran out.

Methods block; callers on the event loop run them in a thread. One connection,
opened when first needed and again after it is lost; a lost database raises
:class:`~feedsrv.errors.DatabaseError` and changes nothing.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import psycopg
from psycopg.rows import TupleRow

from ..errors import DatabaseError
from ..store import Position, connect, describe
from .store import DELIVER, PUBLISH, Cap, HeldVerification, Job, JobKind, Subscription, SubscriptionLimits

# A subscription as read (its columns prefixed with ``p``): its expiry as seconds
# from now on the database's clock.
_SUBSCRIPTION = ("{p}callback, {p}topic, {p}secret, {p}lease_seconds, "
                 "extract(epoch FROM {p}expires_at - now())::float8, {p}host")


def instance_name() -> str:
    """A name for this process in claims: host, process id and a random part (a
    restarted process may get the same id)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class SharedWebSubStore:
    """The hub's tables in the shared database (see the module documentation)."""

    claims: ClassVar[bool] = True

    def __init__(self, url: str, *, position: Callable[[], Position], claim_seconds: float,
                 name: str | None = None) -> None:
        self.url = url
        self.where = describe(url)
        self.name = name or instance_name()
        self._position = position
        self._claim_seconds = claim_seconds
        self._connection: psycopg.Connection[TupleRow] | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the connection, if one is open."""
        with self._lock:
            self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Connection[TupleRow]]:
        with self._lock:
            try:
                if self._connection is None or self._connection.closed:
                    self._connection = connect(self.url)
                with self._connection.transaction():
                    yield self._connection
            except psycopg.Error as exc:
                # The connection may be broken: the next call opens another.
                self._drop()
                raise DatabaseError(self.where, (str(exc).strip().splitlines() or [type(exc).__name__])[0]) from None

    # -- subscriptions -------------------------------------------------------

    def subscribe(self, subscription: Subscription, etags: Mapping[str, str], *,
                  limits: SubscriptionLimits | None = None, now: float = 0.0) -> Cap | None:
        """As :meth:`WebSubStore.subscribe`. The count and the insert are serialized
        between instances by a lock on the subscriptions table's writes."""
        with self._transaction() as db:
            if limits is not None:
                # Two instances must not both take the last place.
                db.execute("LOCK TABLE websub_subscriptions IN SHARE ROW EXCLUSIVE MODE")
                if cap := _cap_reached(db, subscription, limits):
                    return cap
            db.execute("INSERT INTO websub_topics (topic, etag) SELECT * FROM unnest(%s::text[], %s::text[]) "
                       "ON CONFLICT DO NOTHING", (list(etags), list(etags.values())))
            db.execute(
                "INSERT INTO websub_subscriptions (callback, topic, secret, lease_seconds, expires_at, host) "
                "VALUES (%s, %s, %s, %s, now() + make_interval(secs => %s), %s) "
                "ON CONFLICT (callback, topic) DO UPDATE SET secret = excluded.secret, "
                "lease_seconds = excluded.lease_seconds, expires_at = excluded.expires_at, host = excluded.host",
                (subscription.callback, subscription.topic, subscription.secret, subscription.lease_seconds,
                 subscription.expires_at - time.time(), subscription.host),
            )
            return None

    def cap_reached(self, subscription: Subscription, limits: SubscriptionLimits, now: float) -> Cap | None:
        """The cap :meth:`subscribe` would refuse ``subscription`` for now, or None."""
        with self._transaction() as db:
            return _cap_reached(db, subscription, limits)

    def unsubscribe(self, callback: str, topic: str) -> bool:
        """Remove a subscription and the deliveries still owed to it; whether there was one."""
        with self._transaction() as db:
            db.execute("DELETE FROM websub_outbox WHERE target = %s AND topic = %s AND kind = %s",
                       (callback, topic, DELIVER))
            return db.execute("DELETE FROM websub_subscriptions WHERE callback = %s AND topic = %s",
                              (callback, topic)).rowcount > 0

    def subscription(self, callback: str, topic: str) -> Subscription | None:
        """The stored subscription of the pair, expired or not."""
        with self._transaction() as db:
            row = db.execute(f"SELECT {_SUBSCRIPTION.format(p='')} FROM websub_subscriptions "
                             "WHERE callback = %s AND topic = %s", (callback, topic)).fetchone()
        return _subscription(row, time.time()) if row else None

    def subscriptions(self, now: float) -> list[Subscription]:
        """Every subscription still within its lease, by topic and callback."""
        with self._transaction() as db:
            rows = db.execute(f"SELECT {_SUBSCRIPTION.format(p='')} FROM websub_subscriptions WHERE expires_at > now() "
                              "ORDER BY topic, callback").fetchall()
        local = time.time()
        return [_subscription(row, local) for row in rows]

    def purge_expired(self, now: float) -> int:
        """Delete subscriptions whose lease ended and what was still owed to them;
        return how many subscriptions were deleted."""
        with self._transaction() as db:
            db.execute("DELETE FROM websub_outbox o WHERE kind = %s AND NOT EXISTS (SELECT 1 FROM "
                       "websub_subscriptions s WHERE s.callback = o.target AND s.topic = o.topic "
                       "AND s.expires_at > now())", (DELIVER,))
            return db.execute("DELETE FROM websub_subscriptions WHERE expires_at <= now()").rowcount

    # -- changes -------------------------------------------------------------

    def note_topics(self, etags: Mapping[str, str], now: float, *, publish_to: str | None = None) -> list[str]:
        """As :meth:`WebSubStore.note_topics`, done only when this instance is at
        least as far along the changes log as the instance that did it last (else
        nothing is recorded and nothing returned: that instance saw more)."""
        high, floor = self._position()
        with self._transaction() as db:
            # The one row serializes the instances' comparisons, each over the
            # state the previous one left.
            noted = db.execute("SELECT high, floor FROM websub_noted FOR UPDATE").fetchone()
            assert noted is not None, "schema 3 inserts the row"
            if (high, floor) < tuple(noted):
                return []
            db.execute("UPDATE websub_noted SET high = %s, floor = %s", (high, floor))
            known = dict(db.execute("SELECT topic, etag FROM websub_topics").fetchall())
            changed = [topic for topic, etag in etags.items() if topic in known and known[topic] != etag]
            moved = [topic for topic, etag in etags.items() if known.get(topic) != etag]
            db.execute("INSERT INTO websub_topics (topic, etag) SELECT * FROM unnest(%s::text[], %s::text[]) "
                       "ON CONFLICT (topic) DO UPDATE SET etag = excluded.etag",
                       (moved, [etags[topic] for topic in moved]))
            if not changed:
                return []
            queued = {"kind": PUBLISH if publish_to else DELIVER, "topics": changed, "target": publish_to,
                      "high": high, "floor": floor}
            bump = ("ON CONFLICT (target, topic, kind) DO UPDATE SET version = websub_outbox.version + 1, "
                    "attempts = 0, due_at = now(), noted_high = excluded.noted_high, "
                    "noted_floor = excluded.noted_floor")
            if publish_to is None:
                db.execute(
                    "INSERT INTO websub_outbox (target, topic, kind, version, due_at, noted_high, noted_floor) "
                    "SELECT callback, topic, %(kind)s, 1, now(), %(high)s, %(floor)s FROM websub_subscriptions "
                    "WHERE topic = ANY(%(topics)s) AND expires_at > now() " + bump, queued)
            else:
                db.execute(
                    "INSERT INTO websub_outbox (target, topic, kind, version, due_at, noted_high, noted_floor) "
                    "SELECT %(target)s, topic, %(kind)s, 1, now(), %(high)s, %(floor)s "
                    "FROM unnest(%(topics)s::text[]) AS topic " + bump, queued)
            return changed

    # -- outbox --------------------------------------------------------------

    def due(self, kind: JobKind, now: float, limit: int) -> tuple[list[Job], float | None]:
        """Claim up to ``limit`` jobs of ``kind`` that are due, unclaimed (or whose
        claim ran out) and queued by an instance no further along than this one,
        oldest first; and say when the next job may be claimed (None if there is
        none)."""
        high, floor = self._position()
        local = time.time()
        claimable = {"kind": kind, "high": high, "floor": floor, "limit": limit, "name": self.name,
                     "claim": self._claim_seconds}
        with self._transaction() as db:
            rows = db.execute(
                "WITH claimed AS (UPDATE websub_outbox o SET claimed_by = %(name)s, "
                "claimed_until = now() + make_interval(secs => %(claim)s) "
                "WHERE (target, topic, kind) IN (SELECT target, topic, kind FROM websub_outbox "
                "WHERE kind = %(kind)s AND due_at <= now() AND coalesce(claimed_until <= now(), true) "
                "AND (noted_high <= %(floor)s OR (noted_high = %(high)s AND noted_floor <= %(floor)s)) "
                "ORDER BY due_at LIMIT %(limit)s FOR UPDATE SKIP LOCKED) "
                "RETURNING o.target, o.topic, o.kind, o.version, o.attempts, "
                "extract(epoch FROM o.due_at - now())::float8 AS due_in) "
                f"SELECT c.*, {_SUBSCRIPTION.format(p='s.')} "
                "FROM claimed c LEFT JOIN websub_subscriptions s "
                "ON c.kind = 'deliver' AND s.callback = c.target AND s.topic = c.topic ORDER BY c.due_in",
                claimable,
            ).fetchall()
            # Not claimable now: not due yet, claimed by another, or queued by an
            # instance further along; for the last, this one looks again once it
            # has caught up (a replaced site wakes it) or at the next poll.
            (next_in,) = db.execute(
                "SELECT extract(epoch FROM min(greatest(due_at, coalesce(claimed_until, due_at))) - now())::float8 "
                "FROM websub_outbox WHERE kind = %(kind)s AND (due_at > now() OR claimed_until > now())",
                claimable,
            ).fetchone() or (None,)
        jobs = [Job(target, topic, job_kind, version, attempts, local + due_in,
                    subscription=_subscription(subscription, local) if subscription[0] is not None else None)
                for target, topic, job_kind, version, attempts, due_in, *subscription in rows]
        return jobs, None if next_in is None else local + next_in

    def pending(self) -> int:
        """How many notifications are owed."""
        with self._transaction() as db:
            row = db.execute("SELECT count(*) FROM websub_outbox").fetchone()
        return int(row[0]) if row else 0

    def finish(self, job: Job) -> bool:
        """Forget ``job`` (sent, or given up); a change that came in since it was
        claimed keeps the row, released for any instance to send. Whether the row
        was deleted."""
        with self._transaction() as db:
            if db.execute("DELETE FROM websub_outbox WHERE target = %s AND topic = %s AND kind = %s "
                          "AND version = %s", (*job.key, job.version)).rowcount:
                return True
            self._release(db, job)
            return False

    def retry(self, job: Job, due_at: float, *, attempted: bool = True) -> None:
        """Release ``job`` to be tried again at ``due_at``, counting one more attempt
        if ``attempted``. A change that came in since has reset the row already: it
        is only released."""
        with self._transaction() as db:
            db.execute("UPDATE websub_outbox SET attempts = attempts + %s, "
                       "due_at = now() + make_interval(secs => %s) "
                       "WHERE target = %s AND topic = %s AND kind = %s AND version = %s",
                       (int(attempted), max(0.0, due_at - time.time()), *job.key, job.version))
            self._release(db, job)

    def _release(self, db: psycopg.Connection[TupleRow], job: Job) -> None:
        db.execute("UPDATE websub_outbox SET claimed_by = NULL, claimed_until = NULL "
                   "WHERE target = %s AND topic = %s AND kind = %s AND claimed_by = %s", (*job.key, self.name))

    def topics(self) -> dict[str, str]:
        """The recorded ETag of every topic."""
        with self._transaction() as db:
            return dict(db.execute("SELECT topic, etag FROM websub_topics").fetchall())

    # -- verifications -------------------------------------------------------

    def hold_verification(self, held: HeldVerification) -> int:
        """Record an accepted request, claimed by this instance, before it is
        verified (or denied); return its id, for :meth:`end_verification`."""
        with self._transaction() as db:
            row = db.execute(
                "INSERT INTO websub_verifications (mode, callback, topic, lease_seconds, secret, reason, host, "
                "attempts, claimed_by, claimed_until) VALUES (%s, %s, %s, %s, %s, %s, %s, 1, %s, "
                "now() + make_interval(secs => %s)) RETURNING id",
                (held.mode, held.callback, held.topic, held.lease_seconds, held.secret, held.reason, held.host,
                 self.name, self._claim_seconds),
            ).fetchone()
        assert row is not None
        return int(row[0])

    def claim_verifications(self, limit: int, *, max_attempts: int) -> list[tuple[int, HeldVerification]]:
        """Claim up to ``limit`` requests whose instance died before their
        verification was over (their claim ran out), oldest first; a request
        claimed ``max_attempts`` times already is dropped instead (its
        verification keeps failing: the subscriber asks again)."""
        with self._transaction() as db:
            db.execute("DELETE FROM websub_verifications WHERE claimed_until <= now() AND attempts >= %s",
                       (max_attempts,))
            rows = db.execute(
                "UPDATE websub_verifications SET attempts = attempts + 1, claimed_by = %(name)s, "
                "claimed_until = now() + make_interval(secs => %(claim)s) WHERE id IN (SELECT id FROM "
                "websub_verifications WHERE claimed_until <= now() ORDER BY requested_at LIMIT %(limit)s "
                "FOR UPDATE SKIP LOCKED) "
                "RETURNING id, mode, callback, topic, lease_seconds, secret, reason, host",
                {"name": self.name, "claim": self._claim_seconds, "limit": limit},
            ).fetchall()
        return [(int(number), HeldVerification(*fields)) for number, *fields in sorted(rows)]

    def end_verification(self, number: int) -> None:
        """Forget a request whose verification is over, whatever its outcome."""
        with self._transaction() as db:
            db.execute("DELETE FROM websub_verifications WHERE id = %s", (number,))


def _subscription(row: Sequence[Any], local: float) -> Subscription:
    callback, topic, secret, lease_seconds, expires_in, host = row
    return Subscription(callback, topic, secret, lease_seconds, local + expires_in, host)


def _cap_reached(db: psycopg.Connection[TupleRow], subscription: Subscription,
                 limits: SubscriptionLimits) -> Cap | None:
    # A renewal replaces a live subscription: it adds nothing to any count.
    row = db.execute(
        "SELECT count(*) FILTER (WHERE callback = %(callback)s AND topic = %(topic)s), "
        "count(*) FILTER (WHERE topic = %(topic)s), count(*) FILTER (WHERE host = %(host)s), count(*) "
        "FROM websub_subscriptions WHERE expires_at > now()",
        {"callback": subscription.callback, "topic": subscription.topic, "host": subscription.host},
    ).fetchone()
    assert row is not None
    renewal, per_topic, per_host, total = row
    if renewal:
        return None
    if per_topic >= limits.per_topic:
        return "topic"
    if per_host >= limits.per_host:
        return "host"
    if total >= limits.total:
        return "total"
    return None
