"""Hot reload in-process: changed articles reach every affected feed within 2 s, only
changed files are parsed again, unaffected feeds keep their validators, vanished
feeds answer 410, and broken or half-written files never take entries down."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from conftest import CONFIG
from feedsrv import watch
from feedsrv.config import ArticleMeta, load_config
from feedsrv.errors import ConfigError, ParseError
from feedsrv.parse import front_matter_meta, merge_meta, split_front_matter
from feedsrv.site import build_site, refresh_site
from feedsrv.sources import is_article_name
from feedsrv.web import LIVE, create_app
from livetools import LATENCY_LIMIT, article, live_config, replace_file, wait_until

FORMATS = ("rss", "atom", "json")


async def titles(client) -> list[str]:
    response = await client.get("/feeds/all.json")
    return [item["title"] for item in (await response.json(content_type=None))["items"]]


async def status(client, path: str) -> int:
    return (await client.get(path)).status


@pytest.mark.parametrize("mode", ["auto", "poll"])
async def test_add_edit_rename_delete_reach_the_feeds_within_two_seconds(aiohttp_client, tmp_path, mode):
    config = live_config(tmp_path / "articles", watch=mode, poll_interval=0.2)
    directory = config.articles_dir
    client = await aiohttp_client(create_app(config))
    latency = {}

    replace_file(directory / "delta.txt", article("Delta", author="Dana Weber", outlet="Civic Ledger"))
    latency["add"] = await wait_until(lambda: _has_title(client, "Delta"))
    assert await status(client, "/feeds/authors/dana-weber.atom") == 200
    assert await status(client, "/feeds/outlets/civic-ledger.rss") == 200

    # An in-place write, as `echo … > file` does: the file is briefly empty.
    (directory / "delta.txt").write_text(article("Delta revised", author="Dana Weber", outlet="Civic Ledger"))
    latency["edit"] = await wait_until(lambda: _has_title(client, "Delta revised"))
    assert "Delta" not in await titles(client)

    os.rename(directory / "delta.txt", directory / "epsilon.txt")
    latency["rename"] = await wait_until(lambda: _status_is(client, "/articles/epsilon", 200))
    assert await status(client, "/articles/delta") == 410

    (directory / "epsilon.txt").unlink()
    latency["delete"] = await wait_until(lambda: _status_is(client, "/feeds/authors/dana-weber.json", 410))
    assert "Delta revised" not in await titles(client)

    print(f"\nFIGURES reload latency ({mode}): "
          + ", ".join(f"{change} {seconds * 1000:.0f} ms" for change, seconds in latency.items()))
    assert max(latency.values()) < LATENCY_LIMIT


async def _has_title(client, title: str) -> bool:
    return title in await titles(client)


async def _status_is(client, path: str, expected: int) -> bool:
    return await status(client, path) == expected


async def test_a_feed_whose_last_article_is_gone_answers_410_and_is_no_longer_listed(aiohttp_client, tmp_path):
    config = live_config(tmp_path / "articles")
    client = await aiohttp_client(create_app(config, watch=False))
    live = client.app[LIVE]
    gone = ["/feeds/authors/boris-novak." + extension for extension in FORMATS] + ["/authors/boris-novak",
                                                                                 "/articles/beta"]
    for path in gone:
        assert await status(client, path) == 200, path

    (config.articles_dir / "beta.txt").unlink()
    await live.reload()
    for path in gone:
        response = await client.get(path)
        assert response.status == 410, path
    # Gamma still comes from Harbor Gazette: its feed stays; never-seen feeds stay 404.
    assert await status(client, "/feeds/outlets/harbor-gazette.atom") == 200
    assert await status(client, "/feeds/authors/nobody.atom") == 404
    assert await status(client, "/feeds/authors/boris-novak/archive/1.atom") == 410
    index = await (await client.get("/")).text()
    opml = await (await client.get("/feeds.opml")).text()
    assert "boris-novak" not in index and "boris-novak" not in opml

    (config.articles_dir / "gamma.txt").unlink()
    await live.reload()
    for path in ("/feeds/outlets/harbor-gazette.rss", "/outlets/harbor-gazette", "/feeds/authors/chen-sato.json"):
        assert await status(client, path) == 410, path
    # A configured outlet always has a feed, even an empty one.
    (config.articles_dir / "alpha.txt").unlink()
    await live.reload()
    assert await status(client, "/feeds/outlets/impunity-watch.atom") == 200
    assert "harbor-gazette" not in await (await client.get("/feeds.opml")).text()

    # An author who comes back has a feed again.
    replace_file(config.articles_dir / "beta.txt", article("Beta again", author="Boris Novak", outlet="Impunity Watch"))
    await live.reload()
    assert await status(client, "/feeds/authors/boris-novak.atom") == 200
    assert await status(client, "/articles/beta") == 200


async def test_unaffected_feeds_keep_their_bytes_etag_and_last_modified(aiohttp_client, tmp_path):
    config = live_config(tmp_path / "articles")
    client = await aiohttp_client(create_app(config, watch=False))
    live = client.app[LIVE]
    unaffected = [*(f"/feeds/outlets/impunity-watch.{ext}" for ext in FORMATS),
                  *(f"/feeds/authors/amira-haddad.{ext}" for ext in FORMATS), "/outlets/impunity-watch"]
    affected = [*(f"/feeds/all.{ext}" for ext in FORMATS), "/feeds/outlets/harbor-gazette.atom",
                "/feeds/authors/boris-novak.json", "/articles/beta"]
    before = {}
    for path in unaffected + affected:
        response = await client.get(path)
        before[path] = (response.headers["ETag"], response.headers["Last-Modified"])
    resources = {path: live.site.resource(path) for path in unaffected}
    before["/articles/alpha"] = ((await client.get("/articles/alpha")).headers["ETag"], None)

    replace_file(config.articles_dir / "beta.txt",
                 article("Beta", author="Boris Novak", outlet="Harbor Gazette", text="A corrected text. " * 5))
    await live.reload()

    for path in unaffected:
        etag, last_modified = before[path]
        response = await client.get(path, headers={"If-None-Match": etag})
        assert response.status == 304, path
        assert (response.headers["ETag"], response.headers["Last-Modified"]) == (etag, last_modified)
        assert (await client.get(path, headers={"If-Modified-Since": last_modified})).status == 304, path
        # Not even rendered again: the new Site took the old representation over.
        assert live.site.resource(path) is resources[path], path
    # Alpha's page lists the feed of everything, which changed: rendered again, to
    # the same bytes.
    alpha = await client.get("/articles/alpha", headers={"If-None-Match": before["/articles/alpha"][0]})
    assert alpha.status == 304
    for path in affected:
        response = await client.get(path, headers={"If-None-Match": before[path][0]})
        assert response.status == 200, path
        assert response.headers["ETag"] != before[path][0], path


def test_only_changed_files_are_parsed_again(tmp_path):
    config = live_config(tmp_path / "articles")
    site = build_site(config)
    assert len(site.loaded.parsed) == 3
    assert refresh_site(site) is site

    replace_file(config.articles_dir / "beta.txt", article("Beta two", author="Boris Novak", outlet="Harbor Gazette"))
    (config.articles_dir / "gamma.txt").unlink()
    changed = refresh_site(site)
    assert changed.loaded.parsed == (str(config.articles_dir / "beta.txt"),)
    assert [entry.title for entry in changed.catalog.entries] == ["Beta two", "Alpha"]
    # The unchanged file's entry is the very object parsed before.
    assert changed.catalog.entries_by_slug["alpha"] is site.catalog.entries_by_slug["alpha"]
    assert refresh_site(changed) is changed


def test_a_broken_replacement_keeps_the_last_good_entry(tmp_path):
    config = live_config(tmp_path / "articles")
    site = build_site(config)
    beta = config.articles_dir / "beta.txt"
    for broken in (bytes(range(256)) * 4, b"", b" \n\n\t\n", b"---\npublished: someday\n---\nBeta\n\nText.\n"):
        replace_file(beta, broken)
        site = refresh_site(site)
        assert site.catalog.entries_by_slug["beta"].title == "Beta"
        assert site.loaded.errors == ()
        assert any(str(beta) in message and "last good version" in message for message in site.loaded.warnings)
    replace_file(beta, article("Beta fixed", author="Boris Novak", outlet="Harbor Gazette"))
    site = refresh_site(site)
    assert site.catalog.entries_by_slug["beta"].title == "Beta fixed"
    assert not any("last good version" in message for message in site.loaded.warnings)
    # Deleting it removes it: a last good entry only stands in for a file that exists.
    beta.unlink()
    assert "beta" not in refresh_site(site).catalog.entries_by_slug


def test_broken_and_half_written_new_files_never_remove_entries(tmp_path):
    config = live_config(tmp_path / "articles")
    site = build_site(config)
    directory = config.articles_dir
    (directory / "empty.txt").write_bytes(b"")
    (directory / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (directory / "blank.txt").write_text(" \n\n\t\n")
    leftovers = [".delta.txt.swp", ".delta.txt", "delta.txt~", "~delta.txt", "#delta.txt#", ".#delta.txt",
                 "4913", "delta.txt.part", "delta.txt.tmp", ".feedsrv-x1y2.tmp"]
    for name in leftovers:
        (directory / name).write_text(article("Half", author="Dana Weber", outlet="Civic Ledger"))
    site = refresh_site(site)
    assert sorted(site.catalog.entries_by_slug) == ["alpha", "beta", "gamma"]
    skipped = sorted(Path(message.split(":", 1)[0]).name for message in site.loaded.errors)
    assert skipped == ["binary.txt", "blank.txt", "empty.txt"]
    assert not any(Path(name).name in leftovers for name in site.loaded.files)


@pytest.mark.parametrize(("name", "expected"), [
    ("story.txt", True), ("002_3b1ee3ced2e6f8f0.txt", True), (".story.txt", False), ("~story.txt", False),
    ("story.txt~", False), ("#story.txt#", False), (".#story.txt", False), ("story.swp", False),
    (".story.txt.swp", False), ("4913", False), ("story.txt.part", False), ("story.tmp", False),
    ("story.TXT", False), ("story.md", False),
])
def test_article_names(name, expected):
    assert is_article_name(name) is expected


def test_front_matter_is_split_from_the_text():
    front, text = split_front_matter("---\nTitle: T\noutlet:  Reuters \n\n---\nHeadline\n\nBody.\n")
    assert front == {"title": "T", "outlet": "Reuters"}
    assert text == "Headline\n\nBody.\n"
    for plain in ("---\n\nA story that opens with a rule.\n", "Headline\n---\ntitle: x\n---\n",
                  "---\ntitle: x\nNot a field line\n---\nBody\n", "---\ntitle: never closed\n\nBody.\n"):
        assert split_front_matter(plain) == ({}, plain)


def test_front_matter_values_and_precedence(seed_config):
    meta = front_matter_meta({"published": "2015-10-21", "updated": "2015-10-22T10:00:00+02:00",
                              "topics": "syria, russia", "author": "Jane Doe"},
                             source="x.txt", timezone=seed_config.timezone)
    assert meta.published.isoformat() == "2015-10-21T00:00:00+00:00"
    assert meta.updated.isoformat() == "2015-10-22T10:00:00+02:00"
    assert meta.topics == ("syria", "russia")
    merged = merge_meta(ArticleMeta(author="Config Name"), meta)
    assert (merged.author, merged.topics) == ("Config Name", ("syria", "russia"))
    for bad in ({"colour": "blue"}, {"published": "last week"}, {"title": ""}):
        with pytest.raises(ParseError):
            front_matter_meta(bad, source="x.txt", timezone=seed_config.timezone)


def test_a_bad_front_matter_skips_the_file_with_a_message(tmp_path):
    config = live_config(tmp_path / "articles")
    (config.articles_dir / "bad.txt").write_text("---\npublished: someday\n---\nHeadline\n\nBody text here.\n")
    site = build_site(config)
    assert [message for message in site.loaded.errors if "bad.txt" in message and "published" in message]


@pytest.mark.parametrize(("text", "key"), [
    ("[site]\nwatch = 'sometimes'\n", "site.watch"),
    ("[site]\npoll_interval = 0\n", "site.poll_interval"),
    ("[site]\npoll_interval = 'fast'\n", "site.poll_interval"),
    ("[api]\nmax_bytes = 0\n", "api.max_bytes"),
    ("[api]\ntokn = 'x'\n", "api.tokn"),
])
def test_reload_and_api_settings_are_checked(tmp_path, text, key):
    path = tmp_path / "feedsrv.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert raised.value.key == key


def test_reload_and_api_settings_are_read(tmp_path):
    path = tmp_path / "feedsrv.toml"
    path.write_text("[site]\nwatch = 'poll'\npoll_interval = 2\n[api]\ntoken = 'abc'\nmax_bytes = 10\n")
    config = load_config(path)
    assert (config.watch, config.poll_interval, config.api_token, config.api_max_bytes) == ("poll", 2.0, "abc", 10)
    assert load_config(CONFIG).api_token == ""


async def test_the_watcher_falls_back_to_polling_without_file_system_events(tmp_path, monkeypatch):
    def unavailable(*args, **kwargs):
        raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(watch.watchfiles, "awatch", unavailable)
    calls = []

    async def on_change(paths):
        calls.append(paths)

    stop = asyncio.Event()
    task = asyncio.create_task(watch.watch_directory(tmp_path, on_change, mode="auto", poll_interval=0.02, stop=stop))
    await asyncio.sleep(0.2)
    stop.set()
    await asyncio.wait_for(task, 1)
    assert len(calls) >= 3
    assert set(calls) == {None}  # polling scans everything


async def test_the_watcher_names_the_changed_files_and_spaces_whole_scans(tmp_path, monkeypatch):
    calls = []
    scan_seconds = 0.05

    async def on_change(paths):
        calls.append(paths)
        if paths is None:
            await asyncio.sleep(scan_seconds)  # a large directory takes a while to scan

    monkeypatch.setattr(watch, "RESCAN_MS", 20)
    stop = asyncio.Event()
    task = asyncio.create_task(watch.watch_directory(tmp_path, on_change, mode="auto", poll_interval=1, stop=stop))
    await asyncio.sleep(0.3)
    (tmp_path / "new.txt").write_text("A new article.\n")
    (tmp_path / "notes.md").write_text("not an article\n")
    for _ in range(100):
        await asyncio.sleep(0.05)
        if any(paths for paths in calls):
            break
    await asyncio.sleep(0.5)
    stop.set()
    await asyncio.wait_for(task, 6)
    assert {str(tmp_path / "new.txt")} in calls
    # One scan at the start; then every RESCAN_MS (20 ms) at most, but no sooner than
    # SCAN_SPACING times the scan's own 50 ms: in about 1.2 s, a couple more at most.
    assert calls[0] is None
    assert 1 <= calls.count(None) <= 1 + 1.2 / (scan_seconds * watch.SCAN_SPACING) + 1


async def test_a_failing_reload_does_not_stop_the_watch(tmp_path):
    calls = []

    async def on_change(paths):
        calls.append(paths)
        raise ConfigError("site.articles_dir", "not a directory")

    stop = asyncio.Event()
    task = asyncio.create_task(watch.watch_directory(tmp_path, on_change, mode="poll", poll_interval=0.02, stop=stop))
    await asyncio.sleep(0.15)
    stop.set()
    await asyncio.wait_for(task, 1)
    assert len(calls) >= 3


async def test_watch_off_and_unknown_modes(tmp_path):
    async def on_change(paths):
        raise AssertionError("not called")

    await watch.watch_directory(tmp_path, on_change, mode="off", poll_interval=1, stop=asyncio.Event())
    with pytest.raises(ValueError):
        await watch.watch_directory(tmp_path, on_change, mode="sometimes", poll_interval=1, stop=asyncio.Event())
