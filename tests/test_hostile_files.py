"""Hostile files in the articles directory (issue 10, items 4 and 5): a name that is
not UTF-8, symbolic links out of the directory, FIFOs, files whose size lies, and
links planted in an export's output. Each is refused with a message naming it; the
other articles keep being served and nothing crashes or hangs."""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedsrv import watch
from feedsrv.cli import main
from feedsrv.errors import FeedsrvError
from feedsrv.export import export_site
from feedsrv.site import build_site
from feedsrv.sources import load_articles
from feedsrv.web import create_app
from livetools import article, live_config, replace_file, wait_until
from test_cli import config_for

SEED_COUNT = 2
# A name whose bytes are Latin-1, not UTF-8: `touch "$(printf 'caf\xe9').txt"`.
LATIN1_NAME = b"caf\xe9.txt"
PRINTED_NAME = "caf\\xe9.txt"
SECRET = "root:x:0:0:secret-marker-4f1c"
# Long enough to wait for a file that must not block; a blocked read never ends.
HANG_LIMIT = 10.0


def write_latin1_named(directory: Path, text: str) -> None:
    with open(os.path.join(os.fsencode(directory), LATIN1_NAME), "wb") as stream:
        stream.write(text.encode("utf-8"))


def test_a_name_that_is_not_utf8_is_skipped_with_a_printable_warning(tmp_config, articles_dir):
    write_latin1_named(articles_dir, article("Bad name", author="Ann Lee", outlet="Civic Ledger"))
    loaded = load_articles(tmp_config)
    assert len(loaded.entries) == SEED_COUNT
    [message] = [message for message in loaded.errors if PRINTED_NAME in message]
    assert "UTF-8" in message
    for message in (*loaded.errors, *loaded.warnings):
        message.encode("utf-8")


def test_check_and_build_survive_a_name_that_is_not_utf8(tmp_path, articles_dir):
    write_latin1_named(articles_dir, article("Bad name", author="Ann Lee", outlet="Civic Ledger"))
    config = config_for(tmp_path, articles_dir)
    checked = CliRunner().invoke(main, ["check", "--config", config])
    assert checked.exit_code == 1, checked.output
    assert any(line.startswith("error: ") and PRINTED_NAME in line for line in checked.output.splitlines())
    assert f"{SEED_COUNT} articles" in checked.output
    built = CliRunner().invoke(main, ["build", "--config", config, "--out", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    assert PRINTED_NAME in built.output
    assert (tmp_path / "out" / "feeds" / "all.atom").is_file()


async def titles(client) -> list[str]:
    response = await client.get("/feeds/all.json")
    return [item["title"] for item in (await response.json(content_type=None))["items"]]


async def test_the_watcher_survives_a_name_it_cannot_decode_and_serves_later_files(aiohttp_client, tmp_path):
    config = live_config(tmp_path / "articles", watch="auto", parse_cache=None)
    client = await aiohttp_client(create_app(config))
    await asyncio.sleep(0.2)  # the watcher's first scan
    write_latin1_named(config.articles_dir, article("Bad name", author="Ann Lee", outlet="Civic Ledger"))
    await asyncio.sleep(0.5)  # the batch naming it comes and goes
    replace_file(config.articles_dir / "later.txt", article("Later", author="Ann Lee", outlet="Civic Ledger"))

    async def later_is_served() -> bool:
        return "Later" in await titles(client)

    await wait_until(later_is_served, limit=4.0)
    assert "Bad name" not in await titles(client)
    assert (await client.get("/healthz")).status == 200


async def test_a_failing_batch_is_logged_with_its_files_and_a_whole_scan_follows(tmp_path, caplog):
    directory = tmp_path / "articles"
    directory.mkdir()
    calls: list[set[str] | None] = []
    stop = asyncio.Event()

    async def on_change(paths: set[str] | None) -> None:
        calls.append(paths)
        if paths:
            raise RuntimeError("the reload broke")

    task = asyncio.create_task(watch.watch_directory(directory, on_change, mode="auto", poll_interval=1.0,
                                                     stop=stop))
    try:
        await wait_until(_async(lambda: calls == [None]))
        with caplog.at_level(logging.ERROR, logger="feedsrv.watch"):
            (directory / "broken.txt").write_text("text\n")
            await wait_until(_async(lambda: len(calls) >= 2 and calls[1] is not None))
            # The whole scan comes without waiting for the watcher's idle rescan.
            await wait_until(_async(lambda: None in calls[2:]), limit=2.0)
        assert "broken.txt" in caplog.text and "the reload broke" in caplog.text
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


def _async(check):
    async def checked() -> bool:
        return check()
    return checked


async def test_healthz_answers_503_once_the_watcher_has_stopped(aiohttp_client, tmp_path, monkeypatch):
    async def crashing_watch(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the watcher crashed")

    monkeypatch.setattr("feedsrv.web.app.watch_directory", crashing_watch)
    config = live_config(tmp_path / "articles", watch="poll", parse_cache=None)
    client = await aiohttp_client(create_app(config))
    await asyncio.sleep(0)
    response = await client.get("/healthz")
    assert response.status == 503
    health = await response.json()
    assert health["status"] != "ok" and "watcher" in health["status"]
    assert response.headers["Cache-Control"] == "no-store"


async def test_healthz_is_ok_without_a_watcher(aiohttp_client, tmp_path):
    config = live_config(tmp_path / "articles", watch="off", parse_cache=None)
    client = await aiohttp_client(create_app(config))
    assert (await client.get("/healthz")).status == 200
