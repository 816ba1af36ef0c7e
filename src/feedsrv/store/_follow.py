"""Following the database's changes: ``LISTEN`` on :data:`CHANNEL`, and a poll.

A notification says that the articles changed; what changed is read from the
``changes`` log by the caller. NOTIFY is not durable (one sent while the listening
connection was down is lost), so the caller is also asked to catch up every
:data:`POLL_SECONDS` and after every reconnection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import psycopg
from psycopg.rows import TupleRow

from ..errors import DatabaseError, FeedsrvError
from ._connect import connect_async, describe
from ._load import CHANNEL

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0
BACKOFF_INITIAL_SECONDS = 0.2
BACKOFF_MAX_SECONDS = 30.0


async def follow_changes(url: str, catch_up: Callable[[], Awaitable[None]],
                         reached: Callable[[bool], None] = lambda reachable: None) -> None:
    """Call ``catch_up`` after each notification on :data:`CHANNEL`, every
    :data:`POLL_SECONDS` without one, and once connected (again), until cancelled.

    A lost connection, or a ``catch_up`` failing with a :class:`FeedsrvError`, is
    logged and retried, waiting twice as long after each failure in a row. After
    each catch-up and each failure ``reached`` is told whether the database was."""
    delay = BACKOFF_INITIAL_SECONDS
    while True:
        try:
            async with await connect_async(url) as connection:
                await connection.execute(f"LISTEN {CHANNEL}")
                # Listening before catching up: a change committed in between is notified.
                await catch_up()
                reached(True)
                delay = BACKOFF_INITIAL_SECONDS
                await _follow(connection, catch_up, reached)
        except (DatabaseError, psycopg.Error) as exc:
            reached(False)
            message = exc if isinstance(exc, DatabaseError) else DatabaseError(describe(url), _first_line(exc))
            log.warning("%s; serving the articles as they were, trying again in %.1f s", message, delay)
        await asyncio.sleep(delay)
        delay = min(delay * 2, BACKOFF_MAX_SECONDS)


async def _follow(connection: psycopg.AsyncConnection[TupleRow], catch_up: Callable[[], Awaitable[None]],
                  reached: Callable[[bool], None]) -> None:
    """Catch up after each notification or poll, until the connection is lost."""
    while True:
        # Several notifications at once call for one catch-up, which reads them all.
        async for _ in connection.notifies(timeout=POLL_SECONDS, stop_after=1):
            pass
        try:
            await catch_up()
        except FeedsrvError as exc:
            reached(False)
            log.warning("%s; trying again at the next change or poll", exc)
        else:
            reached(True)


def _first_line(exc: psycopg.Error) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
