"""Writing articles to the database, as the publishing API does with one configured.

Each write is one transaction: the article's row (text, front matter, digest), its
entry for this parser in ``parsed_entries``, a row of the ``changes`` log and a
``NOTIFY`` on :data:`~feedsrv.store.CHANNEL`, which PostgreSQL delivers at commit,
so every instance hears of the change once it can read it. A deletion leaves a
tombstone, so every instance answers ``410 Gone``.

Two writers taking one slug are told apart by the ``articles`` primary key, not by
any lock: the loser's insert does nothing and it is told the slug is taken, to try
another (the caller names them). A tombstoned slug is free again, as a deleted
file's name is. A declared id is decided the same way, by a unique column that a
trigger fills from the front matter (schema 4): the write that would take one
another live article holds is refused, naming that article.

A write may carry an ``Idempotency-Key`` (:class:`KeyedRequest`): its answer is
recorded in its transaction, and a write with the key already answered stores
nothing and returns that :class:`Answer` instead (see :mod:`._keys`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import NamedTuple, TypeAlias

import psycopg
from psycopg.rows import TupleRow

from ..config import SiteConfig
from ..errors import DatabaseError, FeedsrvError
from ..model import Entry
from ..parsecache import dump_entry, parser_stamp
from ..sources import file_digest
from ._connect import connect, describe
from ._keys import Answer, KeyedRequest, Written, claim_key, record_answer, recorded_answer
from ._load import CHANNEL
from ._migrations import DECLARED_ID_CONSTRAINT

# Idle connections kept for the next writes; more are opened while many run at once.
IDLE_CONNECTIONS = 4

# A live row holding the slug wins; a tombstoned one is taken over.
_CREATE = """
INSERT INTO articles (slug, name, source, metadata, digest, modified, change)
VALUES (%(slug)s, %(name)s, %(source)s, %(metadata)s, %(digest)s, %(modified)s, %(change)s)
ON CONFLICT (slug) DO UPDATE SET
    name = EXCLUDED.name, source = EXCLUDED.source, metadata = EXCLUDED.metadata, digest = EXCLUDED.digest,
    modified = EXCLUDED.modified, created = now(), updated = now(), deleted = NULL, change = EXCLUDED.change
WHERE articles.deleted IS NOT NULL
RETURNING slug
"""

_REPLACE = """
UPDATE articles SET source = %(source)s, metadata = %(metadata)s, digest = %(digest)s, modified = %(modified)s,
    updated = now(), deleted = NULL, change = %(change)s
WHERE slug = %(slug)s AND name = %(name)s
RETURNING (SELECT deleted IS NULL FROM articles WHERE slug = %(slug)s)
"""

# What a keyed write returns: the write, or the answer recorded for its key.
Outcome: TypeAlias = Written | Answer


class ArticleVersion(NamedTuple):
    """One version of an article to store: the file ``name`` it is served as (its
    stem the key of the config's ``[articles.<stem>]``), its bytes, their front
    matter, the modification time it was parsed with, and the entry parsed."""

    name: str
    source: bytes
    metadata: Mapping[str, str]
    modified: datetime
    entry: Entry


class IdTakenError(FeedsrvError):
    """The id an article declares is another live article's, ``holder`` (a slug)."""

    def __init__(self, declared: str, holder: str) -> None:
        self.declared = declared
        self.holder = holder
        super().__init__(f"the id {declared!r} is taken by the article {holder!r}")


class StoreWriter:
    """Writes articles to the database at ``url`` for ``config``'s parser, over
    connections of its own; safe to call from several threads at once, each write
    on a connection no other write shares.

    Every method raises :class:`DatabaseError` when the database cannot be reached
    or the write fails; nothing of the write is then stored."""

    def __init__(self, url: str, config: SiteConfig) -> None:
        self.url = url
        self.where = describe(url)
        self._stamp = parser_stamp(config)
        self._idle: list[psycopg.Connection[TupleRow]] = []
        self._idle_turns = threading.Lock()

    def close(self) -> None:
        """Close the idle connections; a write after this opens another."""
        with self._idle_turns:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def live_slugs(self, prefix: str) -> set[str]:
        """The slugs of live articles starting with ``prefix``: the ones a new slug
        made from ``prefix`` must avoid, as far as the database says now."""
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        with self._connection() as connection:
            rows = connection.execute("SELECT slug FROM articles WHERE slug LIKE %s AND deleted IS NULL",
                                      (pattern,)).fetchall()
        return {str(slug) for (slug,) in rows}

    def recorded(self, key: str, fingerprint: str) -> Answer | None:
        """The unexpired answer recorded for ``key``, None when there is none (or
        its write has not committed yet); raise :class:`KeyReusedError` when it
        answered a request of another ``fingerprint``."""
        with self._connection() as connection:
            return recorded_answer(connection, key, fingerprint)

    def create(self, slug: str, version: ArticleVersion, keyed: KeyedRequest | None = None) -> Outcome | None:
        """Store a new article at ``slug``; None, with nothing stored, when a live
        article (or another article's file name) holds it.

        With ``keyed``, the answer recorded for its key is returned instead when
        there is one, with nothing stored; else the write's answer is recorded
        with it. Raise :class:`IdTakenError` when the article declares another live
        article's id, :class:`KeyInFlightError` or :class:`KeyReusedError` as
        :func:`claim_key` does."""
        with self._connection() as connection:
            try:
                with connection.transaction():
                    if keyed is not None and (answer := claim_key(connection, keyed)) is not None:
                        return answer
                    change = self._next_change(connection)
                    row = connection.execute(_CREATE, self._row(slug, version, change)).fetchone()
                    if row is None:
                        # The number taken is a gap in the log, which readers allow for.
                        raise _Taken
                    self._log(connection, slug, version, change, "put")
                    written = Written(slug, change, True)
                    if keyed is not None:
                        record_answer(connection, keyed, written)
            except _Taken:
                return None
            except psycopg.errors.UniqueViolation as exc:
                self._raise_if_id_taken(connection, exc, version)
                return None
        return written

    def replace(self, slug: str, version: ArticleVersion, keyed: KeyedRequest | None = None) -> Outcome | None:
        """Store ``version`` of the article at ``slug`` (live or tombstoned) under
        its name, else create it; None, with nothing stored, when the slug is taken
        by an article of another name. ``keyed`` and the errors are as
        :meth:`create`'s."""
        outcome = self._update(slug, version, keyed)
        if outcome is not None:
            return outcome
        created = self.create(slug, version, keyed)
        if created is not None:
            return created
        # Another PUT may have created the article between the update and the
        # insert: then it is there under this name, and replaced now.
        return self._update(slug, version, keyed)

    def _update(self, slug: str, version: ArticleVersion, keyed: KeyedRequest | None) -> Outcome | None:
        """:meth:`replace`'s update of the stored article; None when none at
        ``slug`` has ``version``'s name."""
        with self._connection() as connection:
            try:
                with connection.transaction():
                    if keyed is not None and (answer := claim_key(connection, keyed)) is not None:
                        return answer
                    self._lock(connection, slug)
                    change = self._next_change(connection)
                    row = connection.execute(_REPLACE, self._row(slug, version, change)).fetchone()
                    if row is not None:
                        self._log(connection, slug, version, change, "put")
                        written = Written(slug, change, not row[0])
                        if keyed is not None:
                            record_answer(connection, keyed, written)
                        return written
            except psycopg.errors.UniqueViolation as exc:
                self._raise_if_id_taken(connection, exc, version)
                raise
        return None

    def delete(self, slug: str, keyed: KeyedRequest | None = None) -> Outcome | None:
        """Tombstone the live article at ``slug``, freeing its declared id; None
        when there is none. ``keyed`` is as :meth:`create`'s."""
        with self._connection() as connection, connection.transaction():
            if keyed is not None and (answer := claim_key(connection, keyed)) is not None:
                return answer
            self._lock(connection, slug)
            change = self._next_change(connection)
            row = connection.execute("UPDATE articles SET deleted = now(), updated = now(), change = %s "
                                     "WHERE slug = %s AND deleted IS NULL RETURNING slug",
                                     (change, slug)).fetchone()
            if row is None:
                return None
            connection.execute("INSERT INTO changes (number, slug, kind) VALUES (%s, %s, 'delete')",
                               (change, slug))
            connection.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(change)))
            written = Written(slug, change, False)
            if keyed is not None:
                record_answer(connection, keyed, written)
        return written

    @staticmethod
    def _raise_if_id_taken(connection: psycopg.Connection[TupleRow], violation: psycopg.errors.UniqueViolation,
                           version: ArticleVersion) -> None:
        """Raise :class:`IdTakenError` when ``violation`` (its transaction rolled
        back) is of the declared id's constraint."""
        declared = version.metadata.get("id", "").strip()
        if violation.diag.constraint_name != DECLARED_ID_CONSTRAINT or not declared:
            return
        holder = connection.execute("SELECT slug FROM articles WHERE declared_id = %s", (declared,)).fetchone()
        raise IdTakenError(declared, "another article" if holder is None else str(holder[0]))

    def _row(self, slug: str, version: ArticleVersion, change: int) -> dict[str, object]:
        return {"slug": slug, "name": version.name, "source": version.source,
                "metadata": json.dumps(dict(version.metadata), ensure_ascii=False),
                "digest": _digest(version), "modified": version.modified, "change": change}

    def _log(self, connection: psycopg.Connection[TupleRow], slug: str, version: ArticleVersion, change: int,
             kind: str) -> None:
        """The entry, the log row and the notification of a stored version."""
        connection.execute("INSERT INTO parsed_entries (digest, parser, entry) VALUES (%s, %s, %s) "
                           "ON CONFLICT DO NOTHING", (_digest(version), self._stamp, dump_entry(version.entry)))
        connection.execute("INSERT INTO changes (number, slug, kind) VALUES (%s, %s, %s)", (change, slug, kind))
        # Delivered at commit, and only then: a listener never reads the log before it holds the change.
        connection.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(change)))

    @staticmethod
    def _lock(connection: psycopg.Connection[TupleRow], slug: str) -> None:
        # Before the change number is taken: two writes of one article then take
        # their numbers in the order they commit, and the article's change (what
        # a writer checks the instance serves) never goes back to a lower number.
        connection.execute("SELECT 1 FROM articles WHERE slug = %s FOR UPDATE", (slug,))

    @staticmethod
    def _next_change(connection: psycopg.Connection[TupleRow]) -> int:
        row = connection.execute("SELECT nextval('change_numbers')").fetchone()
        assert row is not None
        return int(row[0])

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[TupleRow]]:
        """A connection for one write, back to the idle ones after it; when a write
        fails, its connection and the idle ones are dropped, as they may be broken,
        and the failure is raised as a :class:`DatabaseError`."""
        with self._idle_turns:
            connection = self._idle.pop() if self._idle else None
        if connection is not None and not _usable(connection):
            # The server ended it since its last use (a restart ends every idle
            # one): found out before the write, not by failing it with 503.
            connection.close()
            self.close()
            connection = None
        if connection is None:
            connection = connect(self.url)
        try:
            yield connection
        except psycopg.Error as exc:
            connection.close()
            # The idle ones most likely went with it (a restart, a lost network).
            self.close()
            raise DatabaseError(self.where, (str(exc).strip().splitlines() or [type(exc).__name__])[0]) from None
        except FeedsrvError:
            # A write refused on purpose, its transaction rolled back: the
            # connection is as good as after a write.
            self._keep(connection)
            raise
        except BaseException:
            connection.close()
            raise
        self._keep(connection)

    def _keep(self, connection: psycopg.Connection[TupleRow]) -> None:
        """Keep ``connection`` for the next write, or close it when enough are idle."""
        with self._idle_turns:
            if len(self._idle) < IDLE_CONNECTIONS:
                self._idle.append(connection)
                return
        connection.close()


class _Taken(Exception):
    """The slug is held: the transaction is rolled back."""


def _usable(connection: psycopg.Connection[TupleRow]) -> bool:
    """Whether an idle connection still reaches the server: one round trip."""
    if connection.closed:
        return False
    try:
        connection.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


def _digest(version: ArticleVersion) -> str:
    return f"{file_digest(version.name, version.source):032x}"
