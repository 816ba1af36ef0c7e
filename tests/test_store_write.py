"""The store's writes: one transaction each, logged and notified, slugs decided by
the database's constraint."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from conftest import CONFIG
from feedsrv import store
from feedsrv.config import SiteConfig, load_config
from feedsrv.errors import DatabaseError
from feedsrv.parse import parse_file_text
from livetools import article
from test_store import rows


@pytest.fixture
def config(tmp_path: Path) -> SiteConfig:
    return replace(load_config(CONFIG), articles_dir=tmp_path / "nowhere", parse_cache=None)


@pytest.fixture
def writer(database_url: str, config: SiteConfig):
    with store.connect(database_url) as connection:
        store.upgrade(connection, "test")
    writer = store.StoreWriter(database_url, config)
    yield writer
    writer.close()


def version(config: SiteConfig, name: str, title: str) -> store.ArticleVersion:
    data = article(title, author="Dana Ortiz", outlet="Harbor Gazette").encode()
    modified = datetime(2015, 10, 21, tzinfo=UTC)
    entry = parse_file_text(data, Path(name), config, modified=modified)
    return store.ArticleVersion(name, data, {"title": title}, modified, entry)


def read(url: str, config: SiteConfig) -> store.StoredArticles:
    reader = store.StoreReader(url, config)
    try:
        return reader.read_all()
    finally:
        reader.close()


def test_a_created_article_is_read_with_its_entry_and_logged(writer: store.StoreWriter, database_url: str,
                                                             config: SiteConfig) -> None:
    with psycopg.connect(database_url, autocommit=True) as listener:
        listener.execute(f"LISTEN {store.CHANNEL}")
        written = writer.create("delta", version(config, "delta.txt", "Delta"))
        assert written is not None and written.created and written.slug == "delta"
        notified = [note.payload for note in listener.notifies(timeout=2.0, stop_after=1)]
    assert notified == [str(written.change)]
    stored = read(database_url, config)
    assert stored.loaded.parsed == (), "the entry was stored with the text"
    assert [entry.title for entry in stored.loaded.entries] == ["Delta"]
    with psycopg.connect(database_url) as connection:
        assert connection.execute("SELECT number, slug, kind FROM changes").fetchall() == [
            (written.change, "delta", "put")]


def test_a_slug_held_is_refused_and_nothing_is_stored(writer: store.StoreWriter, database_url: str,
                                                      config: SiteConfig) -> None:
    assert writer.create("delta", version(config, "delta.txt", "Delta")) is not None
    assert writer.create("delta", version(config, "delta.txt", "Other")) is None
    assert writer.live_slugs("del") == {"delta"}
    stored = read(database_url, config)
    assert [entry.title for entry in stored.loaded.entries] == ["Delta"]
    with psycopg.connect(database_url) as connection:
        assert connection.execute("SELECT count(*) FROM changes").fetchone() == (1,)


def test_a_deletion_leaves_a_tombstone_whose_slug_is_free_again(writer: store.StoreWriter, database_url: str,
                                                                config: SiteConfig) -> None:
    assert writer.delete("delta") is None
    writer.create("delta", version(config, "delta.txt", "Delta"))
    deleted = writer.delete("delta")
    assert deleted is not None and not deleted.created
    assert writer.delete("delta") is None
    stored = read(database_url, config)
    assert stored.deleted == {"delta"} and stored.loaded.entries == ()
    assert writer.live_slugs("delta") == set()
    again = writer.create("delta", version(config, "delta.txt", "Delta again"))
    assert again is not None and again.created
    assert [entry.title for entry in read(database_url, config).loaded.entries] == ["Delta again"]


def test_replacing_says_whether_the_article_was_live(writer: store.StoreWriter, database_url: str,
                                                     config: SiteConfig) -> None:
    first = writer.replace("delta", version(config, "delta.txt", "Delta"))
    assert first is not None and first.created
    second = writer.replace("delta", version(config, "delta.txt", "Delta, edited"))
    assert second is not None and not second.created and second.change > first.change
    assert [entry.title for entry in read(database_url, config).loaded.entries] == ["Delta, edited"]
    writer.delete("delta")
    revived = writer.replace("delta", version(config, "delta.txt", "Delta back"))
    assert revived is not None and revived.created
    assert writer.replace("delta", version(config, "other.txt", "Not Delta")) is None, "another name holds it"


def test_a_put_racing_another_instance_to_create_the_article_replaces_it(
        writer: store.StoreWriter, database_url: str, config: SiteConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    other = store.StoreWriter(database_url, config)
    create = writer.create

    def created_elsewhere_first(slug: str, new: store.ArticleVersion, *rest: object) -> object:
        # Another instance's PUT of the same article commits between this one
        # finding no row and inserting its own.
        assert other.create(slug, version(config, "delta.txt", "Delta, from B")) is not None
        monkeypatch.setattr(writer, "create", create)
        return create(slug, new, *rest)

    monkeypatch.setattr(writer, "create", created_elsewhere_first)
    try:
        written = writer.replace("delta", version(config, "delta.txt", "Delta, from A"))
    finally:
        other.close()
    assert written is not None and not written.created
    assert [entry.title for entry in read(database_url, config).loaded.entries] == ["Delta, from A"]


@pytest.mark.parametrize("operation", ["replace", "delete"])
def test_two_writes_of_one_article_number_their_changes_in_commit_order(
        writer: store.StoreWriter, database_url: str, config: SiteConfig, operation: str) -> None:
    assert writer.create("delta", version(config, "delta.txt", "Delta")) is not None
    with psycopg.connect(database_url) as other:
        # Another instance's write holds the row while this one starts its own.
        other.execute("SELECT 1 FROM articles WHERE slug = 'delta' FOR UPDATE")
        result: list[store.Written | None] = []
        if operation == "replace":
            thread = threading.Thread(target=lambda: result.append(
                writer.replace("delta", version(config, "delta.txt", "Delta, edited"))))
        else:
            thread = threading.Thread(target=lambda: result.append(writer.delete("delta")))
        thread.start()
        time.sleep(0.3)
        row = other.execute("SELECT nextval('change_numbers')").fetchone()
        assert row is not None
        other.execute("UPDATE articles SET change = %s WHERE slug = 'delta'", row)
        other.execute("INSERT INTO changes (number, slug, kind) VALUES (%s, 'delta', 'put')", row)
        other.commit()
        thread.join(timeout=10)
    [written] = result
    assert written is not None and written.change > row[0], "numbered after the write it waited for"
    assert rows(database_url, "SELECT change FROM articles WHERE slug = 'delta'") == [(written.change,)]


def end_sessions(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE application_name = 'feedsrv' AND pid <> pg_backend_pid()")


def test_a_lost_database_is_a_database_error(writer: store.StoreWriter, database_url: str,
                                             config: SiteConfig, postgres) -> None:
    writer.create("delta", version(config, "delta.txt", "Delta"))
    database = database_url.rsplit("/", 1)[-1]
    with psycopg.connect(postgres.url(), autocommit=True) as connection:
        connection.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
    try:
        end_sessions(postgres.url())
        with pytest.raises(DatabaseError):
            writer.create("epsilon", version(config, "epsilon.txt", "Epsilon"))
    finally:
        with psycopg.connect(postgres.url(), autocommit=True) as connection:
            connection.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
    assert writer.create("epsilon", version(config, "epsilon.txt", "Epsilon")) is not None, "reconnected"


def test_a_connection_ended_since_its_last_use_is_replaced(writer: store.StoreWriter, database_url: str,
                                                           config: SiteConfig) -> None:
    writer.create("delta", version(config, "delta.txt", "Delta"))
    # As a restart of the server does to every idle connection.
    end_sessions(database_url)
    written = writer.create("epsilon", version(config, "epsilon.txt", "Epsilon"))
    assert written is not None and written.slug == "epsilon", "written over a new connection, not refused"
    assert sorted(entry.slug for entry in read(database_url, config).loaded.entries) == ["delta", "epsilon"]
