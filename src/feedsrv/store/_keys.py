"""Idempotency keys: the answers to publishing requests, kept to be given again.

A client whose answer was lost sends the request again with the same
``Idempotency-Key``; the first answer, written in the transaction of the write it
answers (``api_idempotency_keys``), is given again instead of a second write. The
same key with another request is refused, and so is one whose write is under way
on another connection: each keyed write takes a transaction-scoped advisory lock on
its key before looking for it, so two of one key never both write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

import psycopg
from psycopg.rows import TupleRow

from ..errors import FeedsrvError

# How long a key is remembered: a client retries within minutes, and a day covers
# one that was down overnight, as Stripe's keys do.
KEY_LIFETIME = timedelta(hours=24)
# The first half of the advisory lock taken on a key ("fdik"); the second is a
# hash of the key. Two keys of one hash only wait for each other's transaction.
KEY_LOCK_CLASS = 0x6664696B
# Expired rows deleted by one write, so that none takes long however many piled up.
EXPIRED_PER_WRITE = 100


class Answer(NamedTuple):
    """The answer to a keyed request, as given the first time: the status, the
    ``Location`` header (None for none) and the JSON body."""

    status: int
    location: str | None
    body: bytes


class Written(NamedTuple):
    """A committed write: the article's slug, the number of its change in the log,
    and whether the slug had no live article before."""

    slug: str
    change: int
    created: bool


@dataclass(frozen=True, slots=True)
class KeyedRequest:
    """A write's ``Idempotency-Key``, the ``fingerprint`` of its request, and how to
    make its answer from the write once committed (``answer``)."""

    key: str
    fingerprint: str
    answer: Callable[[Written], Answer]


class KeyInFlightError(FeedsrvError):
    """Another request with the key is being written now."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"a request with the Idempotency-Key {key!r} is being written")


class KeyReusedError(FeedsrvError):
    """The key answered another request (another method, path, body or metadata)."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"the Idempotency-Key {key!r} was sent with another request")


def recorded_answer(connection: psycopg.Connection[TupleRow], key: str, fingerprint: str) -> Answer | None:
    """The unexpired answer recorded for ``key``, None when there is none; raise
    :class:`KeyReusedError` when it answered a request of another fingerprint."""
    row = connection.execute("SELECT fingerprint, status, location, body FROM api_idempotency_keys "
                             "WHERE key = %s AND expires > now()", (key,)).fetchone()
    if row is None:
        return None
    if row[0] != fingerprint:
        raise KeyReusedError(key)
    return Answer(int(row[1]), None if row[2] is None else str(row[2]), bytes(row[3]))


def claim_key(connection: psycopg.Connection[TupleRow], keyed: KeyedRequest) -> Answer | None:
    """In a write's transaction, before it writes: hold ``keyed``'s key until the
    commit and return the answer recorded for it, None when there is none (write,
    then :func:`record_answer`). Raise :class:`KeyInFlightError` when another
    transaction holds the key, :class:`KeyReusedError` as :func:`recorded_answer`."""
    held = connection.execute("SELECT pg_try_advisory_xact_lock(%s, hashtext(%s))",
                              (KEY_LOCK_CLASS, keyed.key)).fetchone()
    if held is None or not held[0]:
        raise KeyInFlightError(keyed.key)
    # Opportunistically, as no process is there to do it: skipping rows another
    # write is deleting, so that neither waits for the other.
    connection.execute("DELETE FROM api_idempotency_keys WHERE key IN (SELECT key FROM api_idempotency_keys "
                       "WHERE expires <= now() LIMIT %s FOR UPDATE SKIP LOCKED)", (EXPIRED_PER_WRITE,))
    return recorded_answer(connection, keyed.key, keyed.fingerprint)


def record_answer(connection: psycopg.Connection[TupleRow], keyed: KeyedRequest, written: Written) -> None:
    """In the transaction of ``written``, after :func:`claim_key`: record its answer."""
    answer = keyed.answer(written)
    # An expired row of the key, if the cleanup above left it, gives way.
    connection.execute(
        "INSERT INTO api_idempotency_keys (key, fingerprint, status, location, body, expires) "
        "VALUES (%s, %s, %s, %s, %s, now() + %s) ON CONFLICT (key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, "
        "status = EXCLUDED.status, location = EXCLUDED.location, body = EXCLUDED.body, created = now(), "
        "expires = EXCLUDED.expires",
        (keyed.key, keyed.fingerprint, answer.status, answer.location, answer.body, KEY_LIFETIME))
