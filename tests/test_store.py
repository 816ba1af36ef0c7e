"""The PostgreSQL store against a real server: migrations, the import, and faults."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from conftest import CONFIG, SEEDS
from feedsrv import store
from feedsrv.cli import main
from feedsrv.config import load_config
from feedsrv.errors import ConfigError, DatabaseError
from feedsrv.parsecache import load_entry, parser_stamp
from feedsrv.sources import load_articles
from feedsrv.synth import generate_articles, write_articles

TABLES = {"schema_version", "articles", "parsed_entries", "changes",
          "websub_subscriptions", "websub_topics", "websub_outbox", "websub_noted", "websub_verifications",
          "api_idempotency_keys", "stats_traffic", "stats_clients", "stats_direct", "stats_aggregators",
          "stats_websub", "stats_salts", "search_documents"}


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
    assert rows(database_url, "SELECT version, name FROM schema_version ORDER BY version") == [
        (1, "articles"), (2, "websub"), (3, "websub_claims"), (4, "idempotency_declared_ids"), (5, "stats"),
        (6, "search")]


def test_the_previous_version_is_upgraded_keeping_its_rows(database_url: str, articles: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = store.migrations()
    monkeypatch.setattr("feedsrv.store._migrations.migrations", lambda: shipped[:-1])
    assert run(database_url, "import", str(articles)).exit_code == 0
    with store.connect(database_url) as connection:
        assert store.schema_version(connection) == store.SCHEMA_VERSION - 1
    monkeypatch.undo()
    before = rows(database_url, "SELECT slug, digest, change FROM articles ORDER BY slug")
    result = run(database_url, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert f"applied migration {store.SCHEMA_VERSION} ({shipped[-1].name})" in result.output
    assert "applied migration 1 " not in result.output
    assert tables(database_url) == TABLES
    assert rows(database_url, "SELECT slug, digest, change FROM articles ORDER BY slug") == before


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
    assert "applied migration 1 (articles)" in result.output and "applied migration 2 (websub)" in result.output
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


def test_a_failed_migration_leaves_the_version_before_it(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = store.Migration(store.SCHEMA_VERSION + 1, "broken", b"CREATE TABLE half (n integer); SELECT 1/0;")
    shipped = store.migrations()
    monkeypatch.setattr("feedsrv.store._migrations.migrations", lambda: (*shipped, broken))
    with store.connect(database_url) as connection:
        with pytest.raises(DatabaseError, match=r"migration \d+ \(broken\) failed: division by zero"):
            store.upgrade(connection, "test")
        assert store.schema_version(connection) == store.SCHEMA_VERSION
    assert tables(database_url) == TABLES


def test_a_schema_newer_than_feedsrv_is_refused(database_url: str) -> None:
    with store.connect(database_url) as connection:
        store.upgrade(connection, "test")
        connection.execute("INSERT INTO schema_version (version, name) VALUES (%s, 'future')",
                           (store.SCHEMA_VERSION + 1,))
        with pytest.raises(DatabaseError, match="newer than this feedsrv's"):
            store.upgrade(connection, "test")


def test_import_stores_each_article_with_its_parsed_entry(database_url: str, articles: Path) -> None:
    result = run(database_url, "import", str(articles))
    assert result.exit_code == 0, result.output
    assert "2 added, 0 updated, 0 parsed again, 0 unchanged, 0 skipped" in result.output
    config = load_config(CONFIG)
    loaded_from_files = load_articles(replace(config, articles_dir=articles, parse_cache=None))
    expected = {Path(entry.source).name: entry for entry in loaded_from_files.entries}
    stored = rows(database_url, "SELECT a.name, a.slug, a.source, a.deleted, p.parser, p.entry, a.change "
                                "FROM articles a JOIN parsed_entries p USING (digest) ORDER BY a.name")
    assert [row[0] for row in stored] == sorted(expected)
    for name, slug, source, deleted, parser, entry, _change in stored:
        assert source == (articles / name).read_bytes()
        assert deleted is None and parser == parser_stamp(config)
        loaded = load_entry(entry)
        assert loaded.slug == slug == expected[name].slug
        assert loaded.title == expected[name].title and loaded.body == expected[name].body
    assert rows(database_url, "SELECT number, slug, kind FROM changes ORDER BY number") == [
        (change, slug, "put") for _name, slug, *_rest, change in stored]


def test_a_second_import_writes_nothing_and_says_so(database_url: str, articles: Path) -> None:
    run(database_url, "import", str(articles))
    before = rows(database_url, "SELECT slug, updated, change FROM articles ORDER BY slug")
    again = run(database_url, "import", str(articles))
    assert again.exit_code == 0, again.output
    assert "nothing to import" in again.output and "all 2 articles" in again.output
    assert rows(database_url, "SELECT slug, updated, change FROM articles ORDER BY slug") == before
    assert len(rows(database_url, "SELECT * FROM changes")) == 2
    assert len(rows(database_url, "SELECT * FROM parsed_entries")) == 2


def test_many_files_are_parsed_by_processes_and_a_reimport_leaves_them_alone(database_url: str,
                                                                             tmp_path: Path) -> None:
    # Enough files for two parsing processes and two pages of rows.
    write_articles(generate_articles(600, seed=3), tmp_path / "many")
    config = replace(load_config(CONFIG), articles_dir=tmp_path / "many", parse_cache=None, build_processes=2)
    with store.connect(database_url) as connection:
        store.upgrade(connection, "test")
        first = store.import_articles(connection, tmp_path / "many", config)
    assert (len(first.added), first.unchanged, first.errors) == (600, 0, ())
    expected = {Path(entry.source).name: entry for entry in load_articles(config).entries}
    stored = rows(database_url, "SELECT a.name, p.entry FROM articles a JOIN parsed_entries p USING (digest)")
    assert len(stored) == 600
    for name, entry in stored:
        loaded = load_entry(entry)
        assert (loaded.slug, loaded.title, loaded.body) == (expected[name].slug, expected[name].title,
                                                            expected[name].body)
    numbers = rows(database_url, "SELECT number FROM changes ORDER BY number")
    assert sorted(rows(database_url, "SELECT change FROM articles")) == numbers
    before = rows(database_url, "SELECT slug, digest, updated, change FROM articles ORDER BY slug")
    with store.connect(database_url) as connection:
        again = store.import_articles(connection, tmp_path / "many", config)
    assert (again.wrote_anything, again.unchanged, again.errors) == (False, 600, ())
    assert rows(database_url, "SELECT slug, digest, updated, change FROM articles ORDER BY slug") == before
    assert rows(database_url, "SELECT number FROM changes ORDER BY number") == numbers
    assert len(rows(database_url, "SELECT * FROM parsed_entries")) == 600


def test_two_files_of_one_import_with_one_slug_store_the_first(database_url: str, articles: Path) -> None:
    source = sorted(articles.glob("*.txt"))[0]
    clash = articles / source.name.replace("_", "-")
    clash.write_bytes(source.read_bytes() + b"\nMore.\n")
    result = run(database_url, "import", str(articles))
    assert result.exit_code == 1
    # `-` sorts before `_`: the copy comes first and keeps the slug.
    assert f"error: {articles / source.name}: skipped: its URL" in result.output
    assert f"is taken by {clash.name}" in result.output
    assert "2 added" in result.output and "1 skipped" in result.output
    assert sorted(name for (name,) in rows(database_url, "SELECT name FROM articles")) == sorted(
        path.name for path in articles.glob("*.txt") if path != source)
    assert len(rows(database_url, "SELECT * FROM changes")) == 2


def test_an_edited_file_is_updated_and_logged(database_url: str, articles: Path) -> None:
    run(database_url, "import", str(articles))
    edited = sorted(articles.glob("*.txt"))[0]
    edited.write_text(edited.read_text(encoding="utf-8").replace("Syria", "Syrie", 1), encoding="utf-8")
    result = run(database_url, "import", str(articles))
    assert "0 added, 1 updated, 0 parsed again, 1 unchanged" in result.output
    assert len(rows(database_url, "SELECT * FROM changes")) == 3
    assert len(rows(database_url, "SELECT * FROM parsed_entries")) == 3
    (latest,) = rows(database_url, f"SELECT change FROM articles WHERE name = '{edited.name}'")
    assert latest == rows(database_url, "SELECT max(number) FROM changes")[0]


def test_another_parser_version_parses_again_without_a_change(database_url: str, articles: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    run(database_url, "import", str(articles))
    monkeypatch.setattr("feedsrv.store._import.parser_stamp", lambda config: "another parser")
    result = run(database_url, "import", str(articles))
    assert "0 added, 0 updated, 2 parsed again" in result.output
    assert len(rows(database_url, "SELECT * FROM changes")) == 2
    assert rows(database_url, "SELECT DISTINCT parser FROM parsed_entries WHERE parser = 'another parser'")


def test_an_unusable_file_is_skipped_and_named(database_url: str, articles: Path) -> None:
    (articles / "empty.txt").write_bytes(b"")
    result = run(database_url, "import", str(articles))
    assert result.exit_code == 1
    assert f"error: {articles / 'empty.txt'}: skipped" in result.output
    assert "2 added" in result.output and "1 skipped" in result.output


def test_a_slug_held_by_another_file_is_not_taken(database_url: str, articles: Path, tmp_path: Path) -> None:
    run(database_url, "import", str(articles))
    other = tmp_path / "other"
    other.mkdir()
    # Another name that makes the same slug: `_` and `-` both become `-`.
    source = sorted(articles.glob("*.txt"))[0]
    (other / source.name.replace("_", "-")).write_bytes(source.read_bytes() + b"\nMore.\n")
    result = run(database_url, "import", str(other))
    assert result.exit_code == 1
    assert f"is taken by {source.name}" in result.output
    assert len(rows(database_url, "SELECT * FROM changes")) == 2


def _declaring(directory: Path, declared: str, *names: str) -> Path:
    directory.mkdir()
    for name in names:
        (directory / name).write_text(f"---\nid: {declared}\ntitle: {name}\npublished: 2015-10-21\n---\n"
                                      f"{name}\n\nA paragraph of text.\n", encoding="utf-8")
    return directory


def test_an_id_declared_by_another_stored_article_is_skipped(database_url: str, tmp_path: Path) -> None:
    assert run(database_url, "import", str(_declaring(tmp_path / "one", "urn:story", "first.txt"))).exit_code == 0
    result = run(database_url, "import", str(_declaring(tmp_path / "two", "urn:story", "second.txt")))
    assert result.exit_code == 1
    assert "second.txt: skipped: its id 'urn:story' is taken by first.txt" in result.output
    assert rows(database_url, "SELECT slug, declared_id FROM articles") == [("first", "urn:story")]


def test_the_upgrade_gives_a_shared_declared_id_to_the_first_by_name(database_url: str, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = store.migrations()
    monkeypatch.setattr("feedsrv.store._migrations.migrations", lambda: shipped[:3])
    directory = _declaring(tmp_path / "both", "urn:story", "b.txt", "a.txt")
    assert run(database_url, "import", str(directory)).exit_code == 0, "schema 3 holds both"
    monkeypatch.undo()
    assert run(database_url, "db", "upgrade").exit_code == 0
    assert rows(database_url, "SELECT slug, declared_id FROM articles ORDER BY slug") == [
        ("a", "urn:story"), ("b", None)]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("command", [("db", "upgrade"), ("import", str(SEEDS))])
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
