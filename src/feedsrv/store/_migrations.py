"""Versioned schema migrations, applied in order under an advisory lock.

Each migration is a file ``migrations/NNNN_<name>.sql`` of the package; the
``schema_version`` table lists those applied. Every instance may start at once:
the lock lets one apply what is missing while the others wait, then find nothing
left to do. Each migration and its ``schema_version`` row commit together, so a
failed one leaves the schema at the version before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import psycopg
from psycopg.rows import TupleRow

from ..errors import DatabaseError

# Any number will do, as long as every feedsrv uses the same one: "feedsrv1".
MIGRATION_LOCK = 0x66656564_73727631
# The constraint of schema 4 that keeps a declared id to one live article, named
# so that its violations are told from those of the slug and the file name.
DECLARED_ID_CONSTRAINT = "articles_declared_id_unique"
_MIGRATION_FILE = re.compile(r"(\d{4})_([a-z0-9_]+)\.sql")

_VERSION_TABLE = b"""
CREATE TABLE IF NOT EXISTS schema_version (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied timestamptz NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the schema: its version, name and SQL."""

    version: int
    name: str
    sql: bytes


def migrations() -> tuple[Migration, ...]:
    """The migrations shipped with feedsrv, by version."""
    found = []
    for item in resources.files(__package__ or "feedsrv.store").joinpath("migrations").iterdir():
        matched = _MIGRATION_FILE.fullmatch(item.name)
        if matched:
            found.append(Migration(int(matched[1]), matched[2], item.read_bytes()))
    found.sort(key=lambda migration: migration.version)
    if [migration.version for migration in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1 to {len(found)} without gaps")
    return tuple(found)


SCHEMA_VERSION = len(migrations())


def schema_version(connection: psycopg.Connection[TupleRow]) -> int:
    """The version of the database's schema: 0 for an empty database."""
    exists = connection.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return 0
    row = connection.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def upgrade(connection: psycopg.Connection[TupleRow], where: str) -> tuple[Migration, ...]:
    """Apply the migrations the database lacks; the ones applied, none when it was
    up to date. ``connection`` must be in autocommit mode; ``where`` names the
    database in errors. Raise :class:`DatabaseError` when the schema is newer than
    this feedsrv or a migration fails."""
    shipped = migrations()
    connection.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
    try:
        connection.execute(_VERSION_TABLE)
        current = schema_version(connection)
        if current > len(shipped):
            raise DatabaseError(where, f"its schema is version {current}, newer than this feedsrv's "
                                       f"({len(shipped)}): upgrade feedsrv")
        applied = []
        for migration in shipped[current:]:
            try:
                with connection.transaction():
                    connection.execute(migration.sql)
                    connection.execute("INSERT INTO schema_version (version, name) VALUES (%s, %s)",
                                       (migration.version, migration.name))
            except psycopg.Error as exc:
                raise DatabaseError(where, f"migration {migration.version} ({migration.name}) failed: "
                                           f"{str(exc).strip()}") from None
            applied.append(migration)
        return tuple(applied)
    finally:
        # A lost connection has released the lock with the session.
        if not connection.closed:
            connection.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))
