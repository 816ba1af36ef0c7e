"""Where the statistics are kept: a SQLite file, or the database instances share.

Every process (each worker of ``serve --workers N``, each instance) flushes what it
counted into the same store, so its writes add up: traffic counters are added to
(upserts), a direct subscriber is one row per (day, feed, client hash), inserted
unless there (the day's distinct clients are the union of every process's), an
aggregator's count is replaced by a later one, and the WebSub subscriptions of a
feed are the latest snapshot.

Privacy: a client (address and User-Agent) is stored only as a keyed BLAKE2b
digest under the day's salt, 32 random bytes made by the first flush of the day
and shared through the store. Once the day is over its digests are collapsed into
a count, and the digests and the salt deleted, so no digest can be recomputed from
an address; none is ever written in the clear. A process flushing a day already
collapsed (a worker that counted before midnight and flushed after) adds its own
distinct clients to the count.

Methods block; callers on the event loop run them in a thread (:class:`StatsReader`),
serialized by a lock. The SQLite file runs in WAL mode with a busy time-out, so the
workers' flushes wait for one another rather than fail; it is created at the first
write. The database's tables are schema 5 (``store/migrations/0005_stats.sql``).
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import psycopg
from psycopg.rows import TupleRow

from ..config import SiteConfig
from ..errors import DatabaseError
from ..store import connect, database_url, describe
from .collect import Batch, Traffic
from .report import FeedDay, FeedStats, StatsReport

# How long a flush waits for another process's to finish before giving up.
BUSY_TIMEOUT_SECONDS = 30.0
SALT_BYTES = 32
DIGEST_BYTES = 16

SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS stats_traffic (
    day TEXT NOT NULL, path TEXT NOT NULL,
    requests INTEGER NOT NULL, full_responses INTEGER NOT NULL, not_modified INTEGER NOT NULL,
    refused INTEGER NOT NULL, bytes_sent INTEGER NOT NULL,
    bytes_saved_not_modified INTEGER NOT NULL, bytes_saved_compression INTEGER NOT NULL,
    PRIMARY KEY (day, path)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stats_clients (
    day TEXT NOT NULL, path TEXT NOT NULL, client BLOB NOT NULL,
    PRIMARY KEY (day, path, client)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stats_direct (
    day TEXT NOT NULL, path TEXT NOT NULL, subscribers INTEGER NOT NULL,
    PRIMARY KEY (day, path)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stats_aggregators (
    day TEXT NOT NULL, path TEXT NOT NULL, aggregator TEXT NOT NULL, feed_id TEXT NOT NULL,
    subscribers INTEGER NOT NULL, seen REAL NOT NULL,
    PRIMARY KEY (day, path, aggregator, feed_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stats_websub (
    day TEXT NOT NULL, path TEXT NOT NULL, subscribers INTEGER NOT NULL,
    PRIMARY KEY (day, path)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stats_salts (
    day TEXT PRIMARY KEY, salt BLOB NOT NULL
) WITHOUT ROWID;
"""

# Every table with a day, which retention trims.
_TABLES = ("stats_traffic", "stats_clients", "stats_direct", "stats_aggregators", "stats_websub", "stats_salts")

# The statements, in SQLite's placeholders; the database's take them as %s.
_ADD_TRAFFIC = """
INSERT INTO stats_traffic (day, path, requests, full_responses, not_modified, refused, bytes_sent,
                           bytes_saved_not_modified, bytes_saved_compression)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (day, path) DO UPDATE SET
    requests = stats_traffic.requests + excluded.requests,
    full_responses = stats_traffic.full_responses + excluded.full_responses,
    not_modified = stats_traffic.not_modified + excluded.not_modified,
    refused = stats_traffic.refused + excluded.refused,
    bytes_sent = stats_traffic.bytes_sent + excluded.bytes_sent,
    bytes_saved_not_modified = stats_traffic.bytes_saved_not_modified + excluded.bytes_saved_not_modified,
    bytes_saved_compression = stats_traffic.bytes_saved_compression + excluded.bytes_saved_compression
"""
_ADD_CLIENT = "INSERT INTO stats_clients (day, path, client) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
_ADD_DIRECT = """
INSERT INTO stats_direct (day, path, subscribers) VALUES (?, ?, ?)
ON CONFLICT (day, path) DO UPDATE SET subscribers = stats_direct.subscribers + excluded.subscribers
"""
_SET_AGGREGATOR = """
INSERT INTO stats_aggregators (day, path, aggregator, feed_id, subscribers, seen) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (day, path, aggregator, feed_id) DO UPDATE SET subscribers = excluded.subscribers, seen = excluded.seen
WHERE excluded.seen >= stats_aggregators.seen
"""
_SET_WEBSUB = """
INSERT INTO stats_websub (day, path, subscribers) VALUES (?, ?, ?)
ON CONFLICT (day, path) DO UPDATE SET subscribers = excluded.subscribers
"""
_NEW_SALT = "INSERT INTO stats_salts (day, salt) VALUES (?, ?) ON CONFLICT DO NOTHING"
_SALT = "SELECT salt FROM stats_salts WHERE day = ?"
_COLLAPSE = """
INSERT INTO stats_direct (day, path, subscribers)
SELECT day, path, count(*) FROM stats_clients WHERE day < ? GROUP BY day, path
ON CONFLICT (day, path) DO UPDATE SET subscribers = stats_direct.subscribers + excluded.subscribers
"""

_READ_TRAFFIC = """
SELECT day, path, requests, full_responses, not_modified, refused, bytes_sent, bytes_saved_not_modified,
       bytes_saved_compression
FROM stats_traffic WHERE day BETWEEN ? AND ?
"""
_READ_DIRECT = """
SELECT day, path, sum(subscribers) FROM (
    SELECT day, path, subscribers FROM stats_direct WHERE day BETWEEN ? AND ?
    UNION ALL
    SELECT day, path, count(*) FROM stats_clients WHERE day BETWEEN ? AND ? GROUP BY day, path
) AS direct GROUP BY day, path
"""
_READ_WEBSUB = "SELECT day, path, subscribers FROM stats_websub WHERE day BETWEEN ? AND ?"
_READ_AGGREGATORS = """
SELECT day, path, aggregator, sum(subscribers) FROM stats_aggregators WHERE day BETWEEN ? AND ?
GROUP BY day, path, aggregator
"""


def client_digest(salt: bytes, path: str, remote: str, user_agent: str) -> bytes:
    """The stored form of a client of the feed at ``path``: keyed by the day's salt,
    so that without the salt (deleted with the day) it cannot be recomputed."""
    data = "\0".join((path, remote, user_agent)).encode("utf-8", "surrogateescape")
    return hashlib.blake2b(data, key=salt, digest_size=DIGEST_BYTES).digest()


class _Backend(Protocol):
    """A connection's dialect: SQLite or PostgreSQL."""

    def day(self, value: date) -> Any: ...
    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...


class _SQLite:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def day(self, value: date) -> Any:
        return value.isoformat()

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._db.execute(sql, parameters).fetchall()

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._db.executemany(sql, rows)


class _Postgres:
    def __init__(self, db: psycopg.Connection[TupleRow]) -> None:
        self._db = db

    def day(self, value: date) -> Any:
        return value

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self._db.execute(sql.replace("?", "%s"), parameters)
        return cursor.fetchall() if cursor.description is not None else []

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._db.cursor() as cursor:
            cursor.executemany(sql.replace("?", "%s"), rows)


class StatsStore:
    """The statistics of one site: in the SQLite file ``path``, or with ``url`` in
    the database (whose schema the caller has upgraded)."""

    def __init__(self, *, path: Path | None = None, url: str | None = None, retention_days: int = 400) -> None:
        if (path is None) == (url is None):
            raise ValueError("a statistics store is a SQLite path or a database URL")
        self.path = path
        self.url = url
        self.retention_days = retention_days
        self._sqlite: sqlite3.Connection | None = None
        self._postgres: psycopg.Connection[TupleRow] | None = None
        self._lock = threading.Lock()

    @property
    def where(self) -> str:
        """The store, for messages: its file, or the database's host and port."""
        return str(self.path) if self.url is None else f"the database at {describe(self.url)}"

    def close(self) -> None:
        """Close the connection, if one was opened."""
        with self._lock:
            if self._sqlite is not None:
                self._sqlite.close()
                self._sqlite = None
            if self._postgres is not None:
                self._postgres.close()
                self._postgres = None

    @contextmanager
    def _transaction(self, *, create: bool) -> Iterator[_Backend | None]:
        """One transaction; None when the SQLite file does not exist and ``create``
        is false (nothing in it to read)."""
        with self._lock:
            if self.url is not None:
                with self._postgres_transaction() as backend:
                    yield backend
                return
            if self._sqlite is None:
                assert self.path is not None
                if not create and not self.path.exists():
                    yield None
                    return
                self._sqlite = _open(self.path)
            db = self._sqlite
            db.execute("BEGIN IMMEDIATE")
            try:
                yield _SQLite(db)
            except BaseException:
                db.rollback()
                raise
            db.commit()

    @contextmanager
    def _postgres_transaction(self) -> Iterator[_Backend]:
        assert self.url is not None
        try:
            if self._postgres is None or self._postgres.closed:
                self._postgres = connect(self.url)
            with self._postgres.transaction():
                yield _Postgres(self._postgres)
        except psycopg.Error as exc:
            # The next use connects again.
            if self._postgres is not None:
                self._postgres.close()
                self._postgres = None
            raise DatabaseError(describe(self.url), f"statistics: {exc}".strip()) from None

    def write(self, batches: Sequence[Batch], websub: Mapping[str, int] | None, now: float) -> None:
        """Add ``batches`` (a process's counts) and the feeds' WebSub subscriptions
        (``websub``, a snapshot taken at ``now``, which replaces the day's: a feed
        missing from it has none; None when there is no built-in hub to ask) to the
        store; then collapse the days over, and delete those older than the retention."""
        today = datetime.fromtimestamp(now, UTC).date()
        with self._transaction(create=bool(batches or websub)) as db:
            if db is None:
                return
            for batch in batches:
                _add_batch(db, batch, today)
            if websub is not None:
                db.execute("DELETE FROM stats_websub WHERE day = ?", (db.day(today),))
                db.executemany(_SET_WEBSUB, [(db.day(today), path, count) for path, count in websub.items()])
            db.execute(_COLLAPSE, (db.day(today),))
            db.execute("DELETE FROM stats_clients WHERE day < ?", (db.day(today),))
            db.execute("DELETE FROM stats_salts WHERE day < ?", (db.day(today),))
            oldest = db.day(today - timedelta(days=self.retention_days - 1))
            for table in _TABLES:
                db.execute(f"DELETE FROM {table} WHERE day < ?", (oldest,))

    def report(self, since: date, until: date, *, now: datetime | None = None) -> StatsReport:
        """Every feed's figures from ``since`` to ``until``, both included."""
        generated = now or datetime.now(UTC)
        days: dict[tuple[date, str], dict[str, Any]] = defaultdict(dict)
        aggregators: dict[tuple[date, str], list[tuple[str, int]]] = defaultdict(list)
        with self._transaction(create=False) as db:
            if db is not None:
                span = (db.day(since), db.day(until))
                for day, path, *traffic in db.execute(_READ_TRAFFIC, span):
                    days[_day(day), path]["traffic"] = traffic
                for day, path, count in db.execute(_READ_DIRECT, span * 2):
                    days[_day(day), path]["direct"] = int(count)
                for day, path, count in db.execute(_READ_WEBSUB, span):
                    days[_day(day), path]["websub"] = int(count)
                for day, path, name, count in db.execute(_READ_AGGREGATORS, span):
                    aggregators[_day(day), path].append((name, int(count)))
        by_path: dict[str, list[FeedDay]] = defaultdict(list)
        for day, path in sorted(days.keys() | aggregators.keys()):
            figures = days.get((day, path), {})
            requests, full, not_modified, refused, sent, saved_not_modified, saved_compression = (
                int(value) for value in figures.get("traffic", [0] * 7))
            by_path[path].append(FeedDay(
                day, requests, full, not_modified, refused, sent, saved_not_modified, saved_compression,
                direct_subscribers=figures.get("direct", 0), websub_subscribers=figures.get("websub", 0),
                aggregator_subscribers=tuple(sorted(aggregators[day, path]))))
        return StatsReport(since, until, generated,
                           tuple(FeedStats(path, tuple(feed_days)) for path, feed_days in sorted(by_path.items())))


def _add_batch(db: _Backend, batch: Batch, today: date) -> None:
    day = db.day(batch.day)
    db.executemany(_ADD_TRAFFIC, [(day, path, *_counters(traffic)) for path, traffic in batch.traffic.items()])
    db.executemany(_SET_AGGREGATOR, [(day, path, name, feed_id, count, seen)
                                     for (path, name, feed_id), (count, seen) in batch.aggregators.items()])
    if not batch.clients:
        return
    if batch.day >= today:
        db.execute(_NEW_SALT, (day, secrets.token_bytes(SALT_BYTES)))
    salt = db.execute(_SALT, (day,))
    if salt:
        key = bytes(salt[0][0])
        db.executemany(_ADD_CLIENT, [(day, path, client_digest(key, path, remote, agent))
                                     for path, remote, agent in batch.clients])
        return
    # The day is over and collapsed: its salt is gone, so these clients are added
    # as a count (the ones another process counted already may be counted twice).
    distinct: dict[str, int] = defaultdict(int)
    for path, _, _ in batch.clients:
        distinct[path] += 1
    db.executemany(_ADD_DIRECT, [(day, path, count) for path, count in distinct.items()])


def _counters(traffic: Traffic) -> tuple[int, ...]:
    return (traffic.requests, traffic.full, traffic.not_modified, traffic.refused, traffic.bytes_sent,
            traffic.bytes_saved_not_modified, traffic.bytes_saved_compression)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _open(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Transactions are begun explicitly; the connection is used from worker threads,
    # one at a time under the store's lock.
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False)
    # Two workers opening a new file at once: SQLite answers "database is locked" to
    # one of them at once, busy timeout or not, while the other switches the file to
    # WAL; that one's first flush would be lost, so it waits and tries again.
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            # A lost last second of counts is no loss worth an fsync per flush.
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(SQLITE_SCHEMA)
            return db
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                db.close()
                raise
            time.sleep(0.05)


def open_stats_store(config: SiteConfig) -> StatsStore:
    """The store ``config`` names: the database of ``store.database_url`` (or
    ``$FEEDSRV_DATABASE_URL``), else the SQLite file ``stats.database``."""
    url = database_url(config)
    if url is not None:
        return StatsStore(url=url, retention_days=config.stats_retention_days)
    return StatsStore(path=config.stats_database, retention_days=config.stats_retention_days)


class StatsReader:
    """:class:`~feedsrv.stats.report.StatsSource` over a store, read in a worker thread."""

    def __init__(self, store: StatsStore) -> None:
        self.store = store

    async def report(self, since: date, until: date) -> StatsReport:
        """The figures of the days from ``since`` to ``until``."""
        return await asyncio.to_thread(self.store.report, since, until)
