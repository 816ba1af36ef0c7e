"""The test PostgreSQL server: real, reachable, and a fresh database per test."""

from __future__ import annotations

import psycopg
import pytest

import pgserver
from pgserver import PostgresMissing, PostgresServer


def test_each_test_gets_an_empty_database_of_its_own(database_url: str) -> None:
    with psycopg.connect(database_url) as connection:
        tables = connection.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
        version = connection.execute("SHOW server_version_num").fetchone()
        connection.execute("CREATE TABLE left_behind (n integer)")
    assert tables == (0,)
    assert version is not None and int(version[0]) >= 140000


def test_a_table_made_by_one_test_is_not_in_the_next(database_url: str) -> None:
    with psycopg.connect(database_url) as connection:
        assert connection.execute("SELECT to_regclass('left_behind')").fetchone() == (None,)


def test_missing_binaries_are_named(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(pgserver, "_DEBIAN_BINARIES", tmp_path)
    missing = r"not found on PATH \(initdb, pg_ctl, postgres\).*apt-get install -y postgresql"
    with pytest.raises(PostgresMissing, match=missing):
        PostgresServer().start()
