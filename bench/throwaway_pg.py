"""A PostgreSQL for the store benchmarks: the one --database-url names, else a throwaway.

The throwaway is the tests' own (tests/pgserver.py): a cluster made with initdb in a
temporary directory on a loopback port, without fsync, run as an unprivileged user
when the bench runs as root, and removed afterwards. A run makes databases of its own on
it: empty ones, or one named after a corpus that a later run reuses.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from pgserver import PostgresServer


class Databases:
    """Makes databases on one server, through the URL of a user who may create them."""

    def __init__(self, admin_url: str) -> None:
        self._admin_url = admin_url
        self._count = 0

    def database(self, name: str) -> str:
        """The URL of the database ``name``, made empty if missing, else as it is."""
        with psycopg.connect(self._admin_url, autocommit=True) as connection:
            if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
                connection.execute(f'CREATE DATABASE "{name}"')
        return urlsplit(self._admin_url)._replace(path=f"/{name}").geturl()

    def fresh_database(self) -> str:
        """The URL of a new, empty database."""
        self._count += 1
        name = f"feedsrv_bench_{os.getpid()}_{self._count}"
        with psycopg.connect(self._admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return self.database(name)


@contextmanager
def databases(url: str | None) -> Iterator[Databases]:
    """Databases on the server at ``url`` (whose user may create databases), or on a
    throwaway server started here and removed on exit."""
    if url is not None:
        yield Databases(url)
        return
    server = PostgresServer()
    server.start()
    try:
        yield Databases(server.url())
    finally:
        server.stop()
