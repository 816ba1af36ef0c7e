"""The articles of the database, as the site is built from them.

A start reads every article with its entry for this parser (``parsed_entries``);
a text stored without one is parsed here and its entry stored, so the next
instance reads it instead. A tombstoned article is not served but named, so the
site answers ``410 Gone`` for it.

After that, an instance follows the ``changes`` log: :meth:`StoreReader.read_changes`
reads the rows past those it applied and loads again only the articles they name.
Change numbers are taken before commit, so a lower number may become visible after
a higher one: :class:`ChangeCursor` keeps re-reading the rows above the highest
number below which it saw every one, and gives a missing number up (a rolled back
transaction took it) once a higher one was seen ``CHANGE_GRACE_SECONDS`` ago.
"""

from __future__ import annotations

import logging
import operator
import queue
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import psycopg
from psycopg.rows import TupleRow

from ..config import SiteConfig
from ..errors import DatabaseError, ParseError
from ..model import Entry
from ..parse import ParseOptions, parse_file_text
from ..parsecache import dump_entry, load_entry, parser_stamp
from ..sources import FileState, LoadResult, collect_states, collector_paused
from ._connect import connect, describe

log = logging.getLogger(__name__)

# The channel every write to the articles notifies, after its commit.
CHANNEL = "feedsrv_changes"
# How long a transaction that took a change number may stay open before its number
# is given up: longer than any write to the articles takes.
CHANGE_GRACE_SECONDS = 60.0
# Rows a start-up reads from the server at a time.
_STREAM_ROWS = 2000

_ARTICLES = """
SELECT a.name, a.slug, a.change, a.digest, a.modified, a.deleted IS NOT NULL,
       CASE WHEN a.deleted IS NULL THEN p.entry END,
       CASE WHEN a.deleted IS NULL AND p.entry IS NULL THEN a.source END
FROM articles a LEFT JOIN parsed_entries p ON p.digest = a.digest AND p.parser = %(parser)s
"""


# How far along the changes log an instance is: the highest change number applied,
# and the number up to which every one was. Ordered as tuples: an instance's
# position only grows, and of two instances with one high, the higher floor saw more.
Position = tuple[int, int]


class _PageQueue:
    """Pages of rows from a fetching thread to the reading one: a few at a time at
    most, the fetcher's error raised in the reader, and the fetcher let go when the
    reader stops early."""

    _DEPTH = 4

    def __init__(self) -> None:
        self._queue: queue.Queue[list[tuple[Any, ...]] | BaseException | None] = queue.Queue(self._DEPTH)
        self._abandoned = threading.Event()

    def put(self, item: list[tuple[Any, ...]] | BaseException | None) -> bool:
        """Hand a page (or the fetcher's error, or None for the end) over, waiting
        for room; False when the reader stopped."""
        while not self._abandoned.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def abandon(self) -> None:
        """Stop taking pages: a fetcher waiting for room gives up."""
        self._abandoned.set()

    def __iter__(self) -> Iterator[list[tuple[Any, ...]]]:
        while (item := self._queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item


# In place of an entry that could not be unpickled (see StoreReader._mended).
_BROKEN = object()


def _decoded(rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows of :data:`_ARTICLES` with their entries unpickled; :data:`_BROKEN` for
    an entry that cannot be (a damaged row, another feedsrv's classes)."""
    decoded = []
    for *fields, entry_data, source in rows:
        if entry_data is None:
            decoded.append((*fields, None, source))
            continue
        try:
            entry: object = load_entry(entry_data)
        except Exception:  # noqa: BLE001 — unpickling raises whatever the bytes make it raise
            entry = _BROKEN
        decoded.append((*fields, entry, source))
    return decoded


class StoredArticles(NamedTuple):
    """What the database holds: the served articles as a load of files would give
    them (one path per file name), and the slugs of the tombstoned ones."""

    loaded: LoadResult
    deleted: frozenset[str]


class ChangeCursor:
    """The change numbers applied: every one up to :attr:`floor`, and those seen above it."""

    def __init__(self, floor: int = 0, *, grace: float = CHANGE_GRACE_SECONDS) -> None:
        self._floor = floor
        self._grace = grace
        # Number -> when it was first seen (time.monotonic()).
        self._seen: dict[int, float] = {}

    @property
    def floor(self) -> int:
        """Every change numbered up to this one was applied or given up: the rows to
        read are those above it."""
        return self._floor

    @property
    def position(self) -> Position:
        """How far along the log the numbers applied reach."""
        return (max(self._seen, default=self._floor), self._floor)

    def fresh(self, numbers: Iterable[int]) -> list[int]:
        """The ``numbers`` not applied yet, in the order given."""
        return [number for number in numbers if number > self._floor and number not in self._seen]

    def record(self, numbers: Iterable[int], now: float) -> None:
        """Take ``numbers`` as applied at ``now``; raise the floor past every number
        below which none is missing, or none has been for the grace period."""
        for number in numbers:
            if number > self._floor:
                self._seen.setdefault(number, now)
        for number in sorted(self._seen):
            if number != self._floor + 1 and now - self._seen[number] < self._grace:
                break
            self._floor = number
            del self._seen[number]


class StoreReader:
    """Reads the articles of the database at ``url`` for ``config``'s parser, over a
    connection of its own, opened when first needed and again after it is lost.

    Reads and closing take turns: closing waits for a read in flight."""

    def __init__(self, url: str, config: SiteConfig) -> None:
        self.url = url
        self.where = describe(url)
        self._config = config
        self._stamp = parser_stamp(config)
        self._options = ParseOptions.from_config(config)
        self._connection: psycopg.Connection[TupleRow] | None = None
        self._cursor = ChangeCursor()
        self._turns = threading.Lock()

    @property
    def position(self) -> Position:
        """How far along the changes log the last read reached."""
        return self._cursor.position

    def close(self) -> None:
        """Close the connection; the next read opens another (a forked worker's own)."""
        with self._turns:
            self._close()

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def read_all(self) -> StoredArticles:
        """Every article of the database; the changes after this read are those
        :meth:`read_changes` gives. Raise :class:`DatabaseError` when it cannot be read."""
        with self._turns:
            return self._read_all()

    def _read_all(self) -> StoredArticles:
        with collector_paused():
            return self._read_everything()

    def _read_everything(self) -> StoredArticles:
        try:
            connection = self._connected()
            # One snapshot: the articles and the log as of the same moment.
            with connection.transaction():
                connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                rows = self._stream_articles(connection)
                highest = connection.execute("SELECT coalesce(max(number), 0) FROM changes").fetchone()
                # Rows recent enough that one with a lower number may still commit.
                recent = [number for (number,) in connection.execute(
                    "SELECT number FROM changes WHERE at > now() - make_interval(secs => %s) ORDER BY number",
                    (2 * CHANGE_GRACE_SECONDS,))]
            stored = self._stored(rows, {}, [])
        except psycopg.Error as exc:
            raise self._lost(exc) from None
        assert highest is not None
        self._cursor = ChangeCursor(recent[0] - 1 if recent else int(highest[0]))
        self._cursor.record(recent, time.monotonic())
        return stored

    def _stream_articles(self, connection: psycopg.Connection[TupleRow]) -> list[tuple[Any, ...]]:
        """Every row of :data:`_ARTICLES`, its entry unpickled, sorted by name."""
        rows: list[tuple[Any, ...]] = []
        pages = _PageQueue()
        # The rows arrive in a thread of their own while this one unpickles the
        # pages already there: waiting for the server and unpickling overlap.
        fetcher = threading.Thread(target=self._fetch_pages, args=(connection, pages), name="feedsrv-read",
                                   daemon=True)
        fetcher.start()
        try:
            for page in pages:
                rows.extend(_decoded(page))
        finally:
            pages.abandon()
            fetcher.join()
        # Sorted here, not by the server, which would sort every entry's bytes on
        # disk; by code point, as a directory's names are.
        rows.sort(key=operator.itemgetter(0))
        return self._mended(connection, rows)

    def _fetch_pages(self, connection: psycopg.Connection[TupleRow], pages: _PageQueue) -> None:
        """Put the rows of :data:`_ARTICLES` into ``pages``, a page at a time, then the end."""
        try:
            # A cursor on the server, read a page at a time: the whole result's
            # bytes at once took more memory than the history they make. In binary,
            # the bytes travel as they are, not in hexadecimal, which took most of
            # the time of reading.
            with connection.cursor(name="feedsrv_articles", binary=True) as cursor:
                cursor.execute(_ARTICLES, {"parser": self._stamp})
                while page := cursor.fetchmany(_STREAM_ROWS):
                    if not pages.put(page):
                        return
        except BaseException as exc:  # noqa: BLE001 — raised again in the reading thread
            pages.put(exc)
            return
        pages.put(None)

    def read_changes(self, previous: LoadResult) -> StoredArticles | None:
        """``previous`` (from :meth:`read_all` or this) with the articles changed
        since; None when nothing changed. Raise :class:`DatabaseError` when the
        database cannot be read, nothing taken as applied."""
        with self._turns:
            return self._read_changes(previous)

    def _read_changes(self, previous: LoadResult) -> StoredArticles | None:
        try:
            connection = self._connected()
            log = connection.execute("SELECT number, slug FROM changes WHERE number > %s ORDER BY number",
                                     (self._cursor.floor,)).fetchall()
            fresh = set(self._cursor.fresh(number for number, _ in log))
            if not fresh:
                self._cursor.record((), time.monotonic())
                return None
            slugs = sorted({slug for number, slug in log if number in fresh})
            rows = connection.execute(_ARTICLES + "WHERE a.slug = ANY(%(slugs)s) ORDER BY a.name",
                                      {"parser": self._stamp, "slugs": slugs}).fetchall()
            stored = self._stored(self._mended(connection, _decoded(rows)), previous.files, [], previous=previous)
        except psycopg.Error as exc:
            raise self._lost(exc) from None
        self._cursor.record(fresh, time.monotonic())
        return stored

    def _mended(self, connection: psycopg.Connection[TupleRow],
                rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """``rows`` (from :func:`_decoded`) with the texts of those whose stored entry
        could not be read, to be parsed again, and those entries deleted, so the
        entries parsed from them take their place."""
        broken = {row[0]: index for index, row in enumerate(rows) if row[6] is _BROKEN}
        if not broken:
            return rows
        for name in broken:
            log.warning("database at %s: the stored entry of %s cannot be read; parsing its text again",
                        self.where, name)
        mended = list(rows)
        for name, source in connection.execute("SELECT name, source FROM articles WHERE name = ANY(%s)",
                                               (list(broken),)):
            row = mended[broken[name]]
            mended[broken[name]] = (*row[:6], None, source)
        connection.execute("DELETE FROM parsed_entries WHERE parser = %s AND digest = ANY(%s)",
                           (self._stamp, [rows[index][3] for index in broken.values()]))
        return mended

    def _stored(self, rows: Sequence[tuple[Any, ...]], before: Any, parsed: list[str], *,
                previous: LoadResult | None = None) -> StoredArticles:
        """The load ``rows`` of :data:`_ARTICLES` make, over the file states ``before``
        (all of them replaced when there is no ``previous``); entries parsed here are
        stored for the next reader."""
        files: dict[str, FileState] = dict(before) if previous is not None else {}
        deleted: set[str] = set()
        new_entries: list[tuple[str, bytes]] = []
        changed: list[str] = []
        added_names = False
        for name, slug, change, digest, modified, is_deleted, entry_data, source in rows:
            changed.append(name)
            if is_deleted:
                deleted.add(slug)
                files.pop(name, None)
                continue
            added_names = added_names or name not in files
            files[name] = self._state(name, (int(change), 0, 0), digest, modified, entry_data, source,
                                      files.get(name), parsed, new_entries)
        if previous is not None and added_names:
            files = {name: files[name] for name in sorted(files)}
        if new_entries:
            connection = self._connected()
            with connection.transaction():
                for digest, data in new_entries:
                    connection.execute("INSERT INTO parsed_entries (digest, parser, entry) VALUES (%s, %s, %s) "
                                       "ON CONFLICT DO NOTHING", (digest, self._stamp, data))
        loaded = collect_states(files, parsed, previous=previous, changed=changed)
        return StoredArticles(loaded, frozenset(deleted))

    def _state(self, name: str, key: tuple[int, int, int], digest: str, modified: Any,
               entry_data: Entry | None,
               source: bytes | None, before: FileState | None, parsed: list[str],
               new_entries: list[tuple[str, bytes]]) -> FileState:
        if before is not None and before.key == key:
            return before
        if entry_data is not None:
            return FileState(key, entry_data, None, int(digest, 16))
        assert source is not None
        try:
            entry = parse_file_text(source, Path(name), self._config, modified=modified, options=self._options)
        except ParseError as exc:
            # As with a file: a broken version never takes the last good entry down.
            if before is None:
                return FileState(key, None, exc.message)
            return FileState(key, before.entry, exc.message, before.digest)
        parsed.append(name)
        new_entries.append((digest, dump_entry(entry)))
        return FileState(key, entry, None, int(digest, 16))

    def _connected(self) -> psycopg.Connection[TupleRow]:
        if self._connection is None or self._connection.closed:
            self._connection = connect(self.url)
        return self._connection

    def _lost(self, exc: psycopg.Error) -> DatabaseError:
        """The error to raise for ``exc``; the connection is dropped, as it may be broken."""
        self._close()
        return DatabaseError(self.where, (str(exc).strip().splitlines() or [type(exc).__name__])[0])
