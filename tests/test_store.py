"""The PostgreSQL store against a real server: migrations and faults."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from conftest import CONFIG, SEEDS
from feedsrv import store
from feedsrv.cli import main
from feedsrv.config import load_config
from feedsrv.errors import ConfigError, DatabaseError

TABLES = {"schema_version", "articles", "parsed_entries", "changes"}


def run(url: str | None, *args: str):
    env = {store.DATABASE_URL_ENV: url} if url else {store.DATABASE_URL_ENV: ""}
    return CliRunner().invoke(main, [*args, "--config", str(CONFIG)], env=env, catch_exceptions=False)


def tables(url: str) -> set[str]:
    with psycopg.connect(url) as connection:
        return {name for (name,) in connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


def rows(url: str, query: str) -> list[tuple]:
    with psycopg.connect(url) as connection:
        return connection.execute(query).fetchall()


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    directory = tmp_path / "articles"
    shutil.copytree(SEEDS, directory)
    return directory


def test_the_environment_wins_over_the_setting(tmp_path: Path) -> None:
    config = load_config(CONFIG)
    assert store.database_url(config, {}) is None
    assert store.database_url(config, {store.DATABASE_URL_ENV: " postgresql://db/x "}) == "postgresql://db/x"
    (tmp_path / "feedsrv.toml").write_text("[store]\ndatabase_url = 'postgresql://a/b'\n", encoding="utf-8")
    configured = load_config(tmp_path / "feedsrv.toml")
    assert store.database_url(configured, {}) == "postgresql://a/b"
    assert store.database_url(configured, {store.DATABASE_URL_ENV: "postgresql://c/d"}) == "postgresql://c/d"


def test_a_description_names_host_port_and_database_never_the_password() -> None:
    assert store.describe("postgresql://feedsrv:s3cret@db.example:6543/news") == "db.example:6543/news"
    assert store.describe("postgresql:///news") == "localhost:5432/news"
    assert store.describe("host=db.example password=s3cret dbname=news") == "db.example:5432/news"


def test_the_migrations_are_numbered_from_one() -> None:
    assert [migration.version for migration in store.migrations()] == list(range(1, store.SCHEMA_VERSION + 1))
    assert store.migrations()[0].name == "articles"


def test_an_empty_database_is_migrated_to_the_latest_schema(database_url: str) -> None:
    with store.connect(database_url) as connection:
        assert store.schema_version(connection) == 0
        applied = store.upgrade(connection, "test")
        assert [migration.version for migration in applied] == list(range(1, store.SCHEMA_VERSION + 1))
        assert store.schema_version(connection) == store.SCHEMA_VERSION
    assert tables(database_url) == TABLES
    assert rows(database_url, "SELECT version, name FROM schema_version") == [(1, "articles")]


def test_upgrading_again_does_nothing(database_url: str) -> None:
    with store.connect(database_url) as connection:
        store.upgrade(connection, "test")
        assert store.upgrade(connection, "test") == ()
    result = run(database_url, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "applied" not in result.output
    assert f"schema at version {store.SCHEMA_VERSION}" in result.output
    assert len(rows(database_url, "SELECT * FROM schema_version")) == store.SCHEMA_VERSION


def test_db_upgrade_migrates_an_empty_database(database_url: str) -> None:
    result = run(database_url, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert "applied migration 1 (articles)" in result.output
    assert tables(database_url) == TABLES


def test_concurrent_upgrades_wait_for_the_lock_and_apply_once(database_url: str) -> None:
    outcomes: dict[int, tuple[int, ...]] = {}

    def upgrade(index: int) -> None:
        with store.connect(database_url) as connection:
            outcomes[index] = tuple(migration.version for migration in store.upgrade(connection, "test"))

    with store.connect(database_url) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (store.MIGRATION_LOCK,))
        threads = [threading.Thread(target=upgrade, args=(index,)) for index in range(2)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        waiting = 0
        while waiting < 2 and time.monotonic() < deadline:
            (waiting,) = holder.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                        "AND NOT granted").fetchone()
            time.sleep(0.02)
        assert waiting == 2, "both upgrades wait for the lock"
        assert store.schema_version(holder) == 0, "and neither touched the schema meanwhile"
        holder.execute("SELECT pg_advisory_unlock(%s)", (store.MIGRATION_LOCK,))
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == [(), tuple(range(1, store.SCHEMA_VERSION + 1))]
    assert len(rows(database_url, "SELECT * FROM schema_version")) == store.SCHEMA_VERSION


def test_a_schema_newer_than_feedsrv_is_refused(database_url: str) -> None:
    with store.connect(database_url) as connection:
        store.upgrade(connection, "test")
        connection.execute("INSERT INTO schema_version (version, name) VALUES (%s, 'future')",
                           (store.SCHEMA_VERSION + 1,))
        with pytest.raises(DatabaseError, match="newer than this feedsrv's"):
            store.upgrade(connection, "test")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("command", [("db", "upgrade")])
def test_an_unreachable_database_is_one_line_naming_host_and_port(command: tuple[str, ...]) -> None:
    port = _closed_port()
    result = run(f"postgresql://feedsrv:s3cret@127.0.0.1:{port}/news", *command)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"feedsrv: database at 127.0.0.1:{port}/news: cannot connect")
    assert "s3cret" not in result.output


def test_without_a_database_the_commands_say_what_to_set() -> None:
    result = run(None, "db", "upgrade")
    assert result.exit_code == 2
    assert "store.database_url" in result.stderr and store.DATABASE_URL_ENV in result.stderr


def test_a_malformed_url_is_a_config_error_without_the_url() -> None:
    with pytest.raises(ConfigError, match="not a valid PostgreSQL URL") as raised:
        store.connect("postgresql://feedsrv:s3cret@[bad")
    assert "s3cret" not in str(raised.value)
