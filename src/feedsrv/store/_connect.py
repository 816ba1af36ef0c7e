"""Which database to use and how to reach it, with errors that never show a password."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import TupleRow

from ..config import SiteConfig
from ..errors import ConfigError, DatabaseError

DATABASE_URL_ENV = "FEEDSRV_DATABASE_URL"
# A host that drops packets answers nothing: without a limit of its own, a start
# would wait for the operating system's TCP time-out before saying so.
CONNECT_TIMEOUT_SECONDS = 10


def database_url(config: SiteConfig, environ: Mapping[str, str] = os.environ) -> str | None:
    """The database URL: ``$FEEDSRV_DATABASE_URL`` when set, else ``store.database_url``;
    None when neither names one (the embedded mode)."""
    return (environ.get(DATABASE_URL_ENV) or "").strip() or config.database_url or None


def describe(url: str) -> str:
    """``host:port/database`` of ``url``, for messages: never its user or password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "an unreadable URL"
    host = str(parts.get("host") or "localhost")
    port = str(parts.get("port") or 5432)
    return f"{host}:{port}/{parts.get('dbname') or parts.get('user') or 'postgres'}"


def connect(url: str) -> psycopg.Connection[TupleRow]:
    """An autocommit connection to ``url``; raise :class:`DatabaseError` naming its
    host and port when it cannot be made."""
    parts, options = _connection_options(url)
    try:
        return psycopg.connect(url, **options)
    except psycopg.Error as exc:
        raise DatabaseError(describe(url), f"cannot connect: {_reason(exc, parts)}") from None


async def connect_async(url: str) -> psycopg.AsyncConnection[TupleRow]:
    """An autocommit asynchronous connection to ``url``, for listening; raise
    :class:`DatabaseError` naming its host and port when it cannot be made."""
    parts, options = _connection_options(url)
    try:
        return await psycopg.AsyncConnection.connect(url, **options)
    except psycopg.Error as exc:
        raise DatabaseError(describe(url), f"cannot connect: {_reason(exc, parts)}") from None


def _connection_options(url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The parts of ``url`` and the options every connection is opened with."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        # The parser's message may quote the URL, password included.
        raise ConfigError("store.database_url", "not a valid PostgreSQL URL") from None
    timeout = parts.get("connect_timeout") or CONNECT_TIMEOUT_SECONDS
    return parts, {"autocommit": True, "application_name": "feedsrv", "connect_timeout": timeout}


def _reason(exc: psycopg.Error, parts: Mapping[str, object]) -> str:
    """The cause libpq gives, without the preamble naming each address tried."""
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    reason = first_line.rsplit(" failed: ", 1)[-1].removeprefix("FATAL:").strip()
    password = str(parts.get("password") or "")
    return reason.replace(password, "***") if password else reason
