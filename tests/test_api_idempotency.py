"""Retries and declared ids across instances: the publishing API's Idempotency-Key
and the database's unique declared id, on a real PostgreSQL."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from conftest import CONFIG
from feedsrv import store
from feedsrv.config import SiteConfig, load_config
from feedsrv.parse import parse_file_text
from feedsrv.store import ArticleVersion, IdTakenError, StoreWriter
from feedsrv.web.idempotency import IDEMPOTENCY_HEADER, REPLAYED_HEADER
from livetools import AUTH, STARTING_ARTICLES, TOKEN, article
from test_api_db import instance, status

BODY = article("Delta", author="Dana Ortiz", outlet="Harbor Gazette").encode()


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SiteConfig:
    """The API on, over an articles directory nothing reads in this mode."""
    monkeypatch.delenv("FEEDSRV_API_TOKEN", raising=False)
    return replace(load_config(CONFIG), articles_dir=tmp_path / "nowhere", parse_cache=None, api_token=TOKEN)


@pytest.fixture
def imported(database_url: str, tmp_path: Path, config: SiteConfig) -> str:
    directory = tmp_path / "first"
    directory.mkdir()
    for name, text in STARTING_ARTICLES.items():
        (directory / name).write_text(text, encoding="utf-8")
    with store.connect(database_url) as connection:
        store.upgrade(connection, "test")
        store.import_articles(connection, directory, config)
    return database_url


def keyed(key: str, **headers: str) -> dict[str, str]:
    return {**AUTH, IDEMPOTENCY_HEADER: key, **headers}


def titles(url: str, title: str) -> list[str]:
    """The slugs of live articles titled ``title``, as the database holds them."""
    with psycopg.connect(url) as connection:
        return [slug for (slug,) in connection.execute(
            "SELECT slug FROM articles WHERE deleted IS NULL AND convert_from(source, 'UTF8') LIKE %s ORDER BY slug",
            (f"%title: {title}\n%",))]


async def answer(response) -> tuple[int, str | None, bytes]:
    return response.status, response.headers.get("Location"), await response.read()


async def test_a_repeated_post_gets_the_first_answer_and_writes_once(aiohttp_client, imported: str,
                                                                    config: SiteConfig) -> None:
    client = await instance(aiohttp_client, imported, config)
    async with client.post("/api/articles", headers=keyed('"retry-1"'), data=BODY) as response:
        first = await answer(response)
        assert REPLAYED_HEADER not in response.headers
    assert first[0] == 201 and first[1] == config.url("/articles/delta")
    for key in ('"retry-1"', "retry-1"):  # the quoted string and the bare value are one key
        async with client.post("/api/articles", headers=keyed(key), data=BODY) as response:
            assert await answer(response) == first
            assert response.headers[REPLAYED_HEADER] == "true"
    assert titles(imported, "Delta") == ["delta"]
    async with client.post("/api/articles", headers=AUTH, data=BODY) as response:
        assert response.status == 201 and (await response.json())["slug"] == "delta-2", "no key: a new article"


async def test_the_same_key_with_another_request_is_422(aiohttp_client, imported: str, config: SiteConfig) -> None:
    client = await instance(aiohttp_client, imported, config)
    async with client.post("/api/articles", headers=keyed("k"), data=BODY) as response:
        assert response.status == 201
    other = article("Epsilon", author="Dana Ortiz", outlet="Harbor Gazette").encode()
    for method, path, headers, data in (("POST", "/api/articles", keyed("k"), other),
                                        ("POST", "/api/articles", keyed("k", **{"X-Slug": "elsewhere"}), BODY),
                                        ("PUT", "/api/articles/delta", keyed("k"), BODY)):
        async with client.request(method, path, headers=headers, data=data) as response:
            assert response.status == 422, await response.text()
            assert IDEMPOTENCY_HEADER in await response.text()
    assert titles(imported, "Delta") == ["delta"] and titles(imported, "Epsilon") == []
    assert await status(client, "/articles/elsewhere") == 404


async def test_an_expired_key_writes_again(aiohttp_client, imported: str, config: SiteConfig) -> None:
    client = await instance(aiohttp_client, imported, config)
    async with client.post("/api/articles", headers=keyed("old"), data=BODY) as response:
        assert response.status == 201
    with psycopg.connect(imported) as connection:
        connection.execute("UPDATE api_idempotency_keys SET expires = now() - interval '1 second'")
        (lifetime,) = connection.execute("SELECT expires - created FROM api_idempotency_keys").fetchone()
    assert lifetime < store.KEY_LIFETIME, "the row was made with the key's lifetime, now past"
    async with client.post("/api/articles", headers=keyed("old"), data=BODY) as response:
        assert response.status == 201 and REPLAYED_HEADER not in response.headers
        assert (await response.json())["slug"] == "delta-2"
    assert titles(imported, "Delta") == ["delta", "delta-2"]
    with psycopg.connect(imported) as connection:
        assert connection.execute("SELECT count(*), min(expires) > now() FROM api_idempotency_keys").fetchone() \
            == (1, True), "the expired row gave way to the new answer"


async def test_concurrent_repeats_through_two_instances_write_one_article(aiohttp_client, imported: str,
                                                                          config: SiteConfig) -> None:
    first = await instance(aiohttp_client, imported, config)
    second = await instance(aiohttp_client, imported, config)
    for round_ in range(5):
        key = f"together-{round_}"
        body = article(f"Together {round_}", author="Dana Ortiz", outlet="Harbor Gazette").encode()

        async def send(client, key: str = key, body: bytes = body) -> tuple[int, str | None, bytes]:
            async with client.post("/api/articles", headers=keyed(key), data=body) as response:
                return await answer(response)

        answers = await asyncio.gather(send(first), send(second))
        created = [one for one in answers if one[0] == 201]
        assert created, answers
        assert all(one[0] in (201, 409) for one in answers), answers
        assert all(one == created[0] for one in created), "a repeat gets the very first answer"
        assert titles(imported, f"Together {round_}") == [f"together-{round_}"]


async def test_a_put_and_a_delete_repeated_are_answered_as_the_first_time(aiohttp_client, imported: str,
                                                                         config: SiteConfig) -> None:
    client = await instance(aiohttp_client, imported, config)
    for expected in (201, 201):
        async with client.put("/api/articles/zeta", headers=keyed("put-zeta"), data=BODY) as response:
            assert response.status == expected, "the repeat is not a replacement (200)"
    async with client.put("/api/articles/zeta", headers=AUTH, data=BODY) as response:
        assert response.status == 200
    for _ in range(2):
        async with client.delete("/api/articles/zeta", headers=keyed("delete-zeta")) as response:
            assert response.status == 204, "not 404 the second time"
    assert await status(client, "/articles/zeta") == 410


@pytest.mark.parametrize("key", ["", '""', "x" * 256, "caf\u00e9", "tab\there", '"a"b"', " "])
async def test_a_bad_key_is_400_naming_the_header_and_writes_nothing(aiohttp_client, imported: str,
                                                                     config: SiteConfig, key: str) -> None:
    client = await instance(aiohttp_client, imported, config)
    async with client.post("/api/articles", headers=keyed(key), data=BODY) as response:
        assert response.status == 400
        assert IDEMPOTENCY_HEADER in await response.text()
    assert titles(imported, "Delta") == []


async def test_two_keys_in_one_request_are_400(aiohttp_client, imported: str, config: SiteConfig) -> None:
    client = await instance(aiohttp_client, imported, config)
    headers = [*AUTH.items(), (IDEMPOTENCY_HEADER, "a"), (IDEMPOTENCY_HEADER, "b")]
    async with client.post("/api/articles", headers=headers, data=BODY) as response:
        assert response.status == 400 and "send one" in await response.text()


async def test_without_a_database_a_key_is_400(api, api_config) -> None:
    before = sorted(path.name for path in api_config.articles_dir.iterdir())
    response = await api.post("/api/articles", headers=keyed("k"), data=BODY)
    assert response.status == 400
    assert "store.database_url" in await response.text()
    assert sorted(path.name for path in api_config.articles_dir.iterdir()) == before


async def test_one_declared_id_through_two_instances_is_one_article(aiohttp_client, imported: str,
                                                                    config: SiteConfig) -> None:
    first = await instance(aiohttp_client, imported, config)
    second = await instance(aiohttp_client, imported, config)
    for round_ in range(5):
        declared = f"urn:example:story-{round_}"

        async def send(client, title: str, declared: str = declared) -> tuple[int, str]:
            body = article(title, author="Dana Ortiz", outlet="Harbor Gazette").encode()
            async with client.post("/api/articles", headers={**AUTH, "X-Id": declared}, data=body) as response:
                return response.status, await response.text()

        answers = await asyncio.gather(send(first, f"One {round_}"), send(second, f"Two {round_}"))
        assert sorted(code for code, _ in answers) == [201, 409], answers
        winner = f"one-{round_}" if answers[0][0] == 201 else f"two-{round_}"
        refusal = next(text for code, text in answers if code == 409)
        assert winner in refusal and repr(declared) in refusal, refusal
        with psycopg.connect(imported) as connection:
            assert connection.execute("SELECT slug FROM articles WHERE declared_id = %s",
                                      (declared,)).fetchall() == [(winner,)]


def test_the_database_refuses_a_declared_id_another_article_holds(imported: str, config: SiteConfig) -> None:
    """Whatever an instance's catalog says: here no instance is asked at all."""
    writer = StoreWriter(imported, config)

    def version(name: str, declared: str) -> ArticleVersion:
        data = (f"---\nid: {declared}\n" + article(name.title(), author="Dana Ortiz",
                                                  outlet="Harbor Gazette").removeprefix("---\n")).encode()
        entry = parse_file_text(data, Path(f"{name}.txt"), config, modified=None)
        return ArticleVersion(f"{name}.txt", data, {"id": declared}, entry.published, entry)

    try:
        assert writer.create("first", version("first", "urn:x")) is not None
        with pytest.raises(IdTakenError) as refused:
            writer.create("second", version("second", "urn:x"))
        assert refused.value.holder == "first"
        with pytest.raises(IdTakenError):
            writer.replace("beta", version("beta", "urn:x"))
        assert writer.delete("first") is not None
        assert writer.create("second", version("second", "urn:x")) is not None, "a tombstone frees its id"
    finally:
        writer.close()
