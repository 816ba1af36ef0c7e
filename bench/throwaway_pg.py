"""A PostgreSQL for the store benchmarks: the one --database-url names, else a throwaway.

The throwaway is the tests' own (tests/pgserver.py): a cluster made with initdb in a
temporary directory on a loopback port, without fsync, run as an unprivileged user
when the bench runs as root, and removed afterwards. Each call of :func:`fresh_database`
makes an empty database on it, so runs never see each other's rows.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from pgserver import PostgresServer


class Databases:
    """Makes empty databases on one server: the given one, or a throwaway."""

    def __init__(self, server: PostgresServer | None, url: str | None) -> None:
        self._server = server
        self._url = url
        self._count = 0

    def fresh_database(self) -> str:
        """The URL of a new, empty database."""
        if self._server is not None:
            return self._server.url(self._server.create_database())
        assert self._url is not None
        self._count += 1
        name = f"feedsrv_bench_{self._count}"
        with psycopg.connect(self._url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        return psycopg.conninfo.make_conninfo(self._url, dbname=name)


@contextmanager
def databases(url: str | None) -> Iterator[Databases]:
    """Databases on the server at ``url`` (whose user may create databases), or on a
    throwaway server started here and removed on exit."""
    if url is not None:
        yield Databases(None, url)
        return
    server = PostgresServer()
    server.start()
    try:
        yield Databases(server, None)
    finally:
        server.stop()
