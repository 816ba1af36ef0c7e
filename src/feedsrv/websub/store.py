"""What the hub must not forget across restarts, in one SQLite file.

- ``subscriptions``: verified (callback, topic) pairs with their secret, expiry and
  the callback's host as per-host limits count it;
- ``topics``: the ETag each topic had when last seen, so changes made while the
  server was down are noticed at the next start;
- ``outbox``: the notifications still owed, to subscribers (``deliver``) or to an
  external hub (``publish``). A row is written before the first attempt and deleted
  after a success, so every change reaches every subscriber at least once, even
  across a crash.

An outbox row names a (target, topic) pair, not a version of the topic: a feed is a
state, not a stream of events, so the notification carries the topic as it is when
it is sent. A change while a row is pending does not add a row; it bumps the row's
``version`` and makes it due at once, and a success only deletes the row if no
change came in meanwhile, so the newer state is sent too.

The file is created on first use (the first verified subscription, or the first
ping of an external hub), so a server nobody subscribes to writes nothing. The
connection runs in WAL mode with ``synchronous=FULL``: a committed row survives a
crash or a power cut. Methods block; callers on the event loop run them in a
thread (:func:`asyncio.to_thread`), serialized by a lock.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal, Protocol

from ..config import WebSubConfig

SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS subscriptions (
    callback TEXT NOT NULL,
    topic TEXT NOT NULL,
    secret TEXT,
    lease_seconds INTEGER NOT NULL,
    expires_at REAL NOT NULL,
    host TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (callback, topic)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS subscriptions_by_topic ON subscriptions (topic, expires_at);
CREATE INDEX IF NOT EXISTS subscriptions_by_host ON subscriptions (host, expires_at);
CREATE TABLE IF NOT EXISTS topics (
    topic TEXT PRIMARY KEY,
    etag TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (
    target TEXT NOT NULL,
    topic TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('deliver', 'publish')),
    version INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    due_at REAL NOT NULL,
    PRIMARY KEY (target, topic, kind)
);
CREATE INDEX IF NOT EXISTS outbox_by_due ON outbox (kind, due_at);
"""

# What an outbox job does: deliver a change to a subscriber, or ping the external hub.
JobKind = Literal["deliver", "publish"]
DELIVER: JobKind = "deliver"
PUBLISH: JobKind = "publish"

SUBSCRIPTION_COLUMNS = "callback, topic, secret, lease_seconds, expires_at, host"

# The limit a new subscription would take past: subscriptions to its topic, to its
# callback's host, or in all.
Cap = Literal["topic", "host", "total"]


@dataclass(frozen=True, slots=True)
class Subscription:
    """A verified subscription."""

    callback: str
    topic: str
    secret: str | None
    lease_seconds: int
    expires_at: float
    # The callback's host as per-host limits count it (see safety.address_key).
    host: str = ""


@dataclass(frozen=True, slots=True)
class SubscriptionLimits:
    """The most live subscriptions the hub keeps to one topic, for one callback host,
    and in all."""

    per_topic: int
    per_host: int
    total: int

    @classmethod
    def from_config(cls, websub: WebSubConfig) -> SubscriptionLimits:
        return cls(per_topic=websub.max_subscriptions_per_topic, per_host=websub.max_subscriptions_per_host,
                   total=websub.max_subscriptions)


# What the hub does with an accepted request: verify it with its subscriber, or
# tell the subscriber it is denied.
CheckMode = Literal["subscribe", "unsubscribe", "denied"]


@dataclass(frozen=True, slots=True)
class HeldVerification:
    """An accepted subscription request whose check with the subscriber is not
    over: ``mode`` is the request's, or ``denied`` (a subscription refused for
    ``reason``); ``lease_seconds`` is the one asked for; ``host`` is the callback's
    host as per-host limits count it."""

    mode: CheckMode
    callback: str
    topic: str
    lease_seconds: int | None
    secret: str | None
    reason: str | None
    host: str


@dataclass(frozen=True, slots=True)
class Job:
    """One pending notification: a change of ``topic`` owed to ``target`` (a
    subscriber's callback, or the external hub). ``subscription`` is the live
    subscription a delivery goes to: None when it was removed."""

    target: str
    topic: str
    kind: JobKind
    version: int
    attempts: int
    due_at: float
    subscription: Subscription | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.target, self.topic, self.kind)


class HubState(Protocol):
    """Where the hub keeps its state: :class:`WebSubStore` on this machine, or
    :class:`~feedsrv.websub.shared.SharedWebSubStore` in the database instances
    share. Its methods block."""

    # Whether :meth:`due` claims what it returns: claimed jobs are not returned
    # again until finished or retried, so the caller asks only for what it starts.
    claims: ClassVar[bool]

    def close(self) -> None: ...
    def subscribe(self, subscription: Subscription, etags: Mapping[str, str], *,
                  limits: SubscriptionLimits | None = None, now: float = 0.0) -> Cap | None: ...
    def cap_reached(self, subscription: Subscription, limits: SubscriptionLimits, now: float) -> Cap | None: ...
    def unsubscribe(self, callback: str, topic: str) -> bool: ...
    def subscription(self, callback: str, topic: str) -> Subscription | None: ...
    def subscriptions(self, now: float) -> list[Subscription]: ...
    def purge_expired(self, now: float) -> int: ...
    def note_topics(self, etags: Mapping[str, str], now: float, *, publish_to: str | None = None) -> list[str]: ...
    def due(self, kind: JobKind, now: float, limit: int) -> tuple[list[Job], float | None]: ...
    def pending(self) -> int: ...
    def finish(self, job: Job) -> bool: ...
    def retry(self, job: Job, due_at: float, *, attempted: bool = True) -> None: ...
    def topics(self) -> dict[str, str]: ...


class WebSubStore:
    """The hub's SQLite database (see the module documentation)."""

    claims: ClassVar[bool] = False

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the connection, if one was opened."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    @contextmanager
    def _transaction(self, *, create: bool) -> Iterator[sqlite3.Connection | None]:
        """The open connection inside one transaction; None when the file does not
        exist and ``create`` is false (there is nothing in it to read)."""
        with self._lock:
            if self._connection is None:
                if not create and not self.path.exists():
                    yield None
                    return
                self._connection = _open(self.path)
            db = self._connection
            # IMMEDIATE takes the write lock up front, so a read-then-write transaction
            # is atomic even with a second process on the same file.
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # -- subscriptions -------------------------------------------------------

    def subscribe(self, subscription: Subscription, etags: Mapping[str, str], *,
                  limits: SubscriptionLimits | None = None, now: float = 0.0) -> Cap | None:
        """Store a verified subscription, replacing the pair's earlier one (a renewal),
        and return None; or, with ``limits``, return the cap a new pair would take past
        (counting the subscriptions live at ``now``) and store nothing.

        ``etags`` are the topics' current ETags: recorded for topics not seen before,
        so the first subscription sets the baseline later changes are measured from.
        """
        with self._transaction(create=True) as db:
            assert db is not None, "create=True opens the database"
            # Counted in the same transaction as the insert: two hubs (workers)
            # sharing the file cannot both take the last place.
            if limits is not None and (cap := _cap_reached(db, subscription, limits, now)):
                return cap
            db.executemany("INSERT OR IGNORE INTO topics (topic, etag) VALUES (?, ?)", etags.items())
            db.execute(
                f"INSERT INTO subscriptions ({SUBSCRIPTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (callback, topic) DO UPDATE SET secret = excluded.secret, "
                "lease_seconds = excluded.lease_seconds, expires_at = excluded.expires_at, host = excluded.host",
                (subscription.callback, subscription.topic, subscription.secret, subscription.lease_seconds,
                 subscription.expires_at, subscription.host),
            )
            return None

    def cap_reached(self, subscription: Subscription, limits: SubscriptionLimits, now: float) -> Cap | None:
        """The cap :meth:`subscribe` would refuse ``subscription`` for now, or None."""
        with self._transaction(create=False) as db:
            return None if db is None else _cap_reached(db, subscription, limits, now)

    def unsubscribe(self, callback: str, topic: str) -> bool:
        """Remove a subscription and the deliveries still owed to it; whether there was one."""
        with self._transaction(create=False) as db:
            if db is None:
                return False
            db.execute("DELETE FROM outbox WHERE target = ? AND topic = ? AND kind = ?", (callback, topic, DELIVER))
            return db.execute("DELETE FROM subscriptions WHERE callback = ? AND topic = ?",
                              (callback, topic)).rowcount > 0

    def subscription(self, callback: str, topic: str) -> Subscription | None:
        """The stored subscription of the pair, expired or not."""
        with self._transaction(create=False) as db:
            if db is None:
                return None
            row = db.execute(f"SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE callback = ? AND topic = ?",
                             (callback, topic)).fetchone()
            return Subscription(*row) if row else None

    def subscriptions(self, now: float) -> list[Subscription]:
        """Every subscription still within its lease, by topic and callback."""
        with self._transaction(create=False) as db:
            if db is None:
                return []
            rows = db.execute(f"SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions "
                              "WHERE expires_at > ? ORDER BY topic, callback", (now,)).fetchall()
            return [Subscription(*row) for row in rows]

    def purge_expired(self, now: float) -> int:
        """Delete subscriptions whose lease ended and what was still owed to them;
        return how many subscriptions were deleted."""
        with self._transaction(create=False) as db:
            if db is None:
                return 0
            db.execute("DELETE FROM outbox WHERE kind = ? AND NOT EXISTS (SELECT 1 FROM subscriptions s "
                       "WHERE s.callback = outbox.target AND s.topic = outbox.topic AND s.expires_at > ?)",
                       (DELIVER, now))
            return db.execute("DELETE FROM subscriptions WHERE expires_at <= ?", (now,)).rowcount

    # -- changes -------------------------------------------------------------

    def note_topics(self, etags: Mapping[str, str], now: float, *, publish_to: str | None = None) -> list[str]:
        """Record the topics' current ETags and queue a notification for each topic
        whose ETag differs from the one recorded: a delivery to each of its live
        subscribers, or with ``publish_to``, one ping of that external hub.

        A topic seen for the first time is recorded, not notified: nobody can have
        subscribed to it yet. Returns the changed topics. Without ``publish_to`` and
        without a database there are no subscribers, so nothing is written.
        """
        with self._transaction(create=publish_to is not None) as db:
            if db is None:
                return []
            known = dict(db.execute("SELECT topic, etag FROM topics").fetchall())
            changed = [topic for topic, etag in etags.items() if topic in known and known[topic] != etag]
            db.executemany("INSERT INTO topics (topic, etag) VALUES (?, ?) "
                           "ON CONFLICT (topic) DO UPDATE SET etag = excluded.etag",
                           [(topic, etag) for topic, etag in etags.items() if known.get(topic) != etag])
            for topic in changed:
                if publish_to is None:
                    db.execute(
                        "INSERT INTO outbox (target, topic, kind, version, attempts, due_at) "
                        "SELECT callback, topic, ?, 1, 0, ? FROM subscriptions WHERE topic = ? AND expires_at > ? "
                        "ON CONFLICT (target, topic, kind) DO UPDATE SET "
                        "version = version + 1, attempts = 0, due_at = excluded.due_at",
                        (DELIVER, now, topic, now),
                    )
                else:
                    db.execute(
                        "INSERT INTO outbox (target, topic, kind, version, attempts, due_at) "
                        "VALUES (?, ?, ?, 1, 0, ?) ON CONFLICT (target, topic, kind) DO UPDATE SET "
                        "version = version + 1, attempts = 0, due_at = excluded.due_at",
                        (publish_to, topic, PUBLISH, now),
                    )
            return changed

    # -- outbox --------------------------------------------------------------

    def due(self, kind: JobKind, now: float, limit: int) -> tuple[list[Job], float | None]:
        """Up to ``limit`` jobs of ``kind`` due by ``now``, oldest first, and when the
        next job not yet due will be (None if there is none)."""
        with self._transaction(create=False) as db:
            if db is None:
                return [], None
            rows = db.execute(
                "SELECT o.target, o.topic, o.kind, o.version, o.attempts, o.due_at, "
                "s.callback, s.topic, s.secret, s.lease_seconds, s.expires_at, s.host "
                "FROM outbox o LEFT JOIN subscriptions s ON o.kind = ? AND s.callback = o.target AND s.topic = o.topic "
                "WHERE o.kind = ? AND o.due_at <= ? ORDER BY o.due_at LIMIT ?",
                (DELIVER, kind, now, limit),
            ).fetchall()
            (next_due,) = db.execute("SELECT MIN(due_at) FROM outbox WHERE kind = ? AND due_at > ?",
                                     (kind, now)).fetchone()
        jobs = [Job(target, topic, job_kind, version, attempts, due_at,
                    subscription=Subscription(*subscription) if subscription[0] is not None else None)
                for target, topic, job_kind, version, attempts, due_at, *subscription in rows]
        return jobs, next_due

    def pending(self) -> int:
        """How many notifications are owed."""
        with self._transaction(create=False) as db:
            return 0 if db is None else db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]

    def finish(self, job: Job) -> bool:
        """Forget ``job`` (sent, or given up); a change that came in since it was read
        keeps the row, to be sent in turn. Whether the row was deleted."""
        with self._transaction(create=False) as db:
            if db is None:
                return False
            return db.execute("DELETE FROM outbox WHERE target = ? AND topic = ? AND kind = ? AND version = ?",
                              (*job.key, job.version)).rowcount > 0

    def retry(self, job: Job, due_at: float, *, attempted: bool = True) -> None:
        """Try ``job`` again at ``due_at``, counting one more attempt if ``attempted``
        (a job postponed by a rate limit was not attempted). A change that came in
        since has reset the row already and is left alone."""
        with self._transaction(create=False) as db:
            if db is not None:
                db.execute("UPDATE outbox SET attempts = attempts + ?, due_at = ? "
                           "WHERE target = ? AND topic = ? AND kind = ? AND version = ?",
                           (int(attempted), due_at, *job.key, job.version))

    def topics(self) -> dict[str, str]:
        """The recorded ETag of every topic."""
        with self._transaction(create=False) as db:
            return {} if db is None else dict(db.execute("SELECT topic, etag FROM topics").fetchall())


def _cap_reached(db: sqlite3.Connection, subscription: Subscription, limits: SubscriptionLimits,
                 now: float) -> Cap | None:
    # A renewal replaces a live subscription: it adds nothing to any count.
    if _count(db, "callback = ? AND topic = ? AND expires_at > ?", subscription.callback, subscription.topic, now):
        return None
    if _count(db, "topic = ? AND expires_at > ?", subscription.topic, now) >= limits.per_topic:
        return "topic"
    if _count(db, "host = ? AND expires_at > ?", subscription.host, now) >= limits.per_host:
        return "host"
    if _count(db, "expires_at > ?", now) >= limits.total:
        return "total"
    return None


def _count(db: sqlite3.Connection, where: str, *parameters: str | float) -> int:
    count: int = db.execute(f"SELECT COUNT(*) FROM subscriptions WHERE {where}", parameters).fetchone()[0]
    return count


def _open(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Used from worker threads, one at a time (the store's lock); transactions are
    # opened explicitly (isolation_level=None), not by the sqlite3 module's guesses.
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        # The version is read inside the write transaction, so two processes opening
        # a file of schema 1 at once do not both add the column.
        connection.execute("BEGIN IMMEDIATE")
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"{path} was written by a newer feedsrv (schema {version})")
        if version == 1:
            # Schema 1 had no host: its subscriptions count against no callback host
            # until they are renewed.
            connection.execute("ALTER TABLE subscriptions ADD COLUMN host TEXT NOT NULL DEFAULT ''")
        for statement in SCHEMA.split(";"):
            if statement.strip():
                connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        connection.close()
        raise
    return connection
