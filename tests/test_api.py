"""The publishing API in-process: authentication, limits, validation, slugs, metadata,
dates, and that each response comes once the served feeds include the change."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from feedsrv.publish import remove_stale_temporaries, slug_from_title, unique_slug
from feedsrv.web import create_app
from feedsrv.web.api import api_token
from livetools import AUTH, BODY, TOKEN, article, live_config

BASE = "http://127.0.0.1:8080"
STORY = f"Envoy Urges Ceasefire in Geneva\n\nBy Lena Weber\n\nGENEVA, Switzerland\u2013 {BODY}\n".encode()


def files(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


async def feed_urls(client, path: str = "/feeds/all.json") -> list[str]:
    return [item["url"] for item in (await (await client.get(path)).json(content_type=None))["items"]]


async def test_the_api_is_off_without_a_token(aiohttp_client, tmp_path, monkeypatch):
    monkeypatch.delenv("FEEDSRV_API_TOKEN", raising=False)
    client = await aiohttp_client(create_app(live_config(tmp_path / "articles"), watch=False))
    for method, path in (("POST", "/api/articles"), ("PUT", "/api/articles/alpha"), ("DELETE", "/api/articles/alpha")):
        assert (await client.request(method, path, data=STORY, headers=AUTH)).status == 404


def test_the_token_comes_from_the_environment_first(api_config):
    assert api_token(api_config, {}) == TOKEN
    assert api_token(api_config, {"FEEDSRV_API_TOKEN": " from-env "}) == "from-env"
    assert api_token(api_config, {"FEEDSRV_API_TOKEN": ""}) == TOKEN
    assert api_token(type(api_config)(**{**_fields(api_config), "api_token": ""}), {}) is None


def _fields(config) -> dict:
    return {name: getattr(config, name) for name in config.__dataclass_fields__}


async def test_token_from_the_environment_opens_the_api(aiohttp_client, tmp_path, monkeypatch):
    monkeypatch.setenv("FEEDSRV_API_TOKEN", "env-token")
    client = await aiohttp_client(create_app(live_config(tmp_path / "articles"), watch=False))
    response = await client.post("/api/articles", data=STORY, headers={"Authorization": "Bearer env-token"})
    assert response.status == 201


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {TOKEN}", "Bearer", f"Bearer {TOKEN}x"])
async def test_a_missing_or_wrong_token_is_401_and_writes_nothing(api, api_config, authorization):
    before = files(api_config.articles_dir)
    headers = {"Authorization": authorization} if authorization else {}
    for method, path in (("POST", "/api/articles"), ("PUT", "/api/articles/alpha"), ("DELETE", "/api/articles/alpha")):
        response = await api.request(method, path, data=STORY, headers=headers)
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert files(api_config.articles_dir) == before


async def test_post_publishes_and_answers_once_the_feeds_include_it(api, api_config):
    response = await api.post("/api/articles", data=STORY, headers={**AUTH, "X-Outlet": "Geneva Post"})
    assert response.status == 201
    created = await response.json()
    assert created["slug"] == "envoy-urges-ceasefire-in-geneva"
    assert response.headers["Location"] == f"{BASE}/articles/envoy-urges-ceasefire-in-geneva" == created["url"]
    assert (created["title"], created["authors"], created["outlet"]) == (
        "Envoy Urges Ceasefire in Geneva", ["Lena Weber"], "Geneva Post")
    # No waiting: the change is served when the response arrives.
    assert created["url"] in await feed_urls(api)
    assert created["url"] in await feed_urls(api, "/feeds/outlets/geneva-post.json")
    assert (await api.get("/articles/envoy-urges-ceasefire-in-geneva")).status == 200
    stored = (api_config.articles_dir / "envoy-urges-ceasefire-in-geneva.txt").read_text()
    assert stored.startswith("---\noutlet: Geneva Post\npublished: ")
    assert not [name for name in files(api_config.articles_dir) if name.startswith(".")]


async def test_slugs_from_the_title_are_made_unique(api):
    first = await (await api.post("/api/articles", data=STORY, headers=AUTH)).json()
    second = await (await api.post("/api/articles", data=STORY, headers=AUTH)).json()
    assert (first["slug"], second["slug"]) == ("envoy-urges-ceasefire-in-geneva", "envoy-urges-ceasefire-in-geneva-2")
    # Seed-style stems are taken too: alpha.txt holds /articles/alpha.
    titled = article("Alpha", author="Amira Haddad", outlet="Impunity Watch").encode()
    assert (await (await api.post("/api/articles", data=titled, headers=AUTH)).json())["slug"] == "alpha-2"


async def test_a_chosen_slug(api):
    response = await api.post("/api/articles", data=STORY, headers={**AUTH, "X-Slug": "geneva-talks"})
    assert response.status == 201
    assert response.headers["Location"] == f"{BASE}/articles/geneva-talks"
    again = await api.post("/api/articles", data=b"---\nslug: geneva-talks\n---\n" + STORY, headers=AUTH)
    assert again.status == 409
    for bad in ("Geneva Talks", "geneva_talks", "-x", "a--b"):
        assert (await api.post("/api/articles", data=STORY, headers={**AUTH, "X-Slug": bad})).status == 400, bad


async def test_metadata_from_front_matter_and_headers(api):
    body = (b"---\nauthor: Ren\xc3\xa9e Dupont\noutlet: Front Matter Times\npublished: 2015-10-21T09:30:00+02:00\n"
            b"topics: diplomacy\n---\n" + STORY)
    response = await api.post("/api/articles", data=body, headers={**AUTH, "X-Outlet": "Header Herald",
                                                                  "X-Title": "A Title From A Header"})
    created = await response.json()
    assert created["authors"] == ["Renée Dupont"]
    assert created["outlet"] == "Header Herald"
    assert created["title"] == "A Title From A Header"
    assert created["published"] == "2015-10-21T09:30:00+02:00"
    assert created["topics"] == ["diplomacy"]


@pytest.mark.parametrize(("body", "reason"), [
    (b"", "empty"),
    (b" \n\n\t", "empty"),
    (bytes(range(256)) * 4, "binary"),
    (b"---\npublished: someday\n---\n" + STORY, "published"),
    (b"---\ncolour: blue\n---\n" + STORY, "colour"),
])
async def test_an_unusable_body_is_400_and_nothing_is_written(api, api_config, body, reason):
    before = files(api_config.articles_dir)
    response = await api.post("/api/articles", data=body, headers=AUTH)
    assert response.status == 400
    assert reason in await response.text()
    response = await api.put("/api/articles/alpha", data=body, headers=AUTH)
    assert response.status == 400
    assert files(api_config.articles_dir) == before
    assert (api_config.articles_dir / "alpha.txt").read_text().startswith("---\ntitle: Alpha\n")


async def test_the_size_limit_is_413(aiohttp_client, tmp_path, monkeypatch):
    monkeypatch.delenv("FEEDSRV_API_TOKEN", raising=False)
    config = live_config(tmp_path / "articles", api_token=TOKEN, api_max_bytes=len(STORY))
    client = await aiohttp_client(create_app(config, watch=False))
    assert (await client.post("/api/articles", data=STORY + b"!", headers=AUTH)).status == 413

    async def chunks():  # no Content-Length: the limit holds as the bytes arrive
        for _ in range(10):
            yield STORY

    assert (await client.post("/api/articles", data=chunks(), headers=AUTH)).status == 413
    assert (await client.post("/api/articles", data=STORY, headers=AUTH)).status == 201
    assert files(config.articles_dir) == ["alpha.txt", "beta.txt", "envoy-urges-ceasefire-in-geneva.txt", "gamma.txt"]


async def test_put_replaces_keeping_the_publication_date_and_stamping_the_update(api):
    created = await (await api.post("/api/articles", data=STORY, headers={**AUTH, "X-Slug": "talks"})).json()
    feed = await api.get("/feeds/all.atom")
    edited = STORY.replace(b"Monday", b"Tuesday")
    response = await api.put("/api/articles/talks", data=edited, headers=AUTH)
    assert response.status == 200
    assert "Location" not in response.headers
    replaced = await response.json()
    assert replaced["published"] == created["published"]
    assert datetime.fromisoformat(replaced["updated"]) > datetime.fromisoformat(created["updated"])
    # Clients polling by date see the edit too.
    again = await api.get("/feeds/all.atom", headers={"If-Modified-Since": feed.headers["Last-Modified"]})
    assert again.status == 200
    assert "Tuesday" in await again.text()
    # The same text again changes nothing: same bytes, same validators.
    etag = again.headers["ETag"]
    assert (await api.put("/api/articles/talks", data=edited, headers=AUTH)).status == 200
    assert (await api.get("/feeds/all.atom", headers={"If-None-Match": etag})).status == 304


async def test_put_creates_an_article_at_a_new_slug(api, api_config):
    response = await api.put("/api/articles/new-story", data=STORY, headers=AUTH)
    assert response.status == 201
    assert response.headers["Location"] == f"{BASE}/articles/new-story"
    assert (api_config.articles_dir / "new-story.txt").is_file()
    assert (await api.put("/api/articles/New_Story", data=STORY, headers=AUTH)).status == 400


async def test_put_replaces_a_seed_style_file_and_can_fix_a_broken_one(api, api_config):
    response = await api.put("/api/articles/alpha", data=STORY, headers=AUTH)
    assert response.status == 200
    assert (await response.json())["title"] == "Envoy Urges Ceasefire in Geneva"
    (api_config.articles_dir / "Broken_One.txt").write_bytes(b"")
    response = await api.put("/api/articles/broken-one", data=STORY, headers=AUTH)
    assert response.status == 200
    assert f"{BASE}/articles/broken-one" in await feed_urls(api)
    assert "Broken_One.txt" in files(api_config.articles_dir)


async def test_delete_removes_the_article_and_its_empty_feeds(api, api_config):
    assert (await api.delete("/api/articles/beta", headers=AUTH)).status == 204
    assert "beta.txt" not in files(api_config.articles_dir)
    assert f"{BASE}/articles/beta" not in await feed_urls(api)
    assert (await api.get("/articles/beta")).status == 410
    assert (await api.get("/feeds/authors/boris-novak.atom")).status == 410
    assert (await api.delete("/api/articles/beta", headers=AUTH)).status == 404
    assert (await api.delete("/api/articles/never-was", headers=AUTH)).status == 404


async def test_other_methods_are_405(api):
    assert (await api.get("/api/articles", headers=AUTH)).status == 405
    assert (await api.patch("/api/articles/alpha", headers=AUTH)).status == 405


def test_stale_temporary_files_are_removed(tmp_path):
    (tmp_path / ".feedsrv-abc123.tmp").write_text("half an art")
    (tmp_path / ".other.swp").write_text("not ours")
    assert [path.name for path in remove_stale_temporaries(tmp_path)] == [".feedsrv-abc123.tmp"]
    assert files(tmp_path) == [".other.swp"]


def test_slug_helpers():
    assert slug_from_title("Assad Meets Putin — in Moscow!") == "assad-meets-putin-in-moscow"
    assert slug_from_title("محمد") == "article"
    long = slug_from_title("word " * 40)
    assert len(long) <= 80 and not long.endswith("-")
    assert unique_slug("a", {"a", "a-2"}) == "a-3"
