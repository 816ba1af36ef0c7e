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
from feedsrv.publish import write_atomically
from feedsrv.site import build_site
from feedsrv.sources import load_articles
from feedsrv.web import create_app
from livetools import AUTH, article, live_config, replace_file, snapshot, wait_until
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


def secret_outside(tmp_path: Path) -> Path:
    """A file outside the articles directory that would parse as an article."""
    outside = tmp_path / "outside" / "passwd"
    outside.parent.mkdir()
    outside.write_text(f"Secret headline\n\n{SECRET} is the line of the root account on this host.\n")
    return outside


def everything_served(site) -> bytes:
    return b"".join(site.resource(path).identity.body for path in site.paths())


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


def test_a_symlink_out_of_the_directory_is_not_published(tmp_config, articles_dir, tmp_path):
    (articles_dir / "x.txt").symlink_to(secret_outside(tmp_path))
    site = build_site(tmp_config)
    assert len(site.catalog.entries) == SEED_COUNT
    assert SECRET.encode() not in everything_served(site)
    [message] = [message for message in site.loaded.errors if "x.txt" in message]
    assert "symbolic link" in message


@pytest.mark.parametrize("target", ["/etc/passwd", "/etc/shadow"])
def test_links_to_system_files_are_refused(tmp_config, articles_dir, target):
    (articles_dir / "x.txt").symlink_to(target)
    site = build_site(tmp_config)
    assert len(site.catalog.entries) == SEED_COUNT
    assert b"root:" not in everything_served(site)
    assert any("x.txt" in message and "symbolic link" in message for message in site.loaded.errors)


def test_a_symlink_swapped_in_for_a_served_file_keeps_its_last_good_version(tmp_config, articles_dir, tmp_path):
    loaded = load_articles(tmp_config)
    served = next(iter(loaded.slugs.values()))
    os.unlink(served)
    os.symlink(secret_outside(tmp_path), served)
    again = load_articles(tmp_config, loaded, changed=[served])
    assert not any(SECRET in " ".join(entry.body) for entry in again.entries)
    assert any(served in message and "symbolic link" in message for message in again.warnings)


def test_a_fifo_is_refused_without_blocking(tmp_config, articles_dir):
    os.mkfifo(articles_dir / "pipe.txt")
    with ThreadPoolExecutor(1) as pool:
        loaded = pool.submit(load_articles, tmp_config).result(timeout=HANG_LIMIT)
        assert len(loaded.entries) == SEED_COUNT
        assert any("pipe.txt" in message and "not a regular file" in message for message in loaded.errors)
        # As file-system events name it.
        again = pool.submit(load_articles, tmp_config, loaded,
                            changed=[str(articles_dir / "pipe.txt")]).result(timeout=HANG_LIMIT)
        assert any("pipe.txt" in message and "not a regular file" in message for message in again.errors)


def test_a_directory_named_like_an_article_is_refused(tmp_config, articles_dir):
    (articles_dir / "folder.txt").mkdir()
    loaded = load_articles(tmp_config)
    assert len(loaded.entries) == SEED_COUNT
    assert any("folder.txt" in message and "not a regular file" in message for message in loaded.errors)


def test_the_size_limit_applies_to_the_bytes_read_not_to_the_reported_size(tmp_config, articles_dir,
                                                                           monkeypatch):
    """/proc files report a size of 0 whatever they hold."""
    lying = articles_dir / "proc-like.txt"
    lying.write_text("Headline\n\n" + "word " * 1_000 + "\n")
    real_stat, real_lstat, real_fstat = os.stat, os.lstat, os.fstat

    def zero_sized(status: os.stat_result) -> os.stat_result:
        fields = [getattr(status, name) for name in ("st_mode", "st_ino", "st_dev", "st_nlink", "st_uid",
                                                     "st_gid", "st_size", "st_atime", "st_mtime", "st_ctime",
                                                     "st_atime", "st_mtime", "st_ctime", "st_atime_ns",
                                                     "st_mtime_ns", "st_ctime_ns")]
        fields[6] = 0
        return os.stat_result(fields)

    def lying_stat(path, *args, **kwargs):
        status = real_stat(path, *args, **kwargs)
        return zero_sized(status) if os.fspath(path) == str(lying) else status

    def lying_lstat(path, *args, **kwargs):
        status = real_lstat(path, *args, **kwargs)
        return zero_sized(status) if os.fspath(path) == str(lying) else status

    def lying_fstat(descriptor):
        status = real_fstat(descriptor)
        return zero_sized(status) if status.st_ino == real_stat(lying).st_ino else status

    monkeypatch.setattr(os, "stat", lying_stat)
    monkeypatch.setattr(os, "lstat", lying_lstat)
    monkeypatch.setattr(os, "fstat", lying_fstat)
    loaded = load_articles(replace(tmp_config, max_article_bytes=1_000))
    assert not any(entry.source == str(lying) for entry in loaded.entries)
    assert any("proc-like.txt" in message and "site.max_article_bytes" in message for message in loaded.errors)


def test_a_file_at_the_limit_is_read_and_one_byte_more_is_not(tmp_config, articles_dir):
    text = b"Headline\n\nThe talks went on in Geneva on Monday, officials said.\n"
    (articles_dir / "exact.txt").write_bytes(text)
    (articles_dir / "over.txt").write_bytes(text + b"\n")
    loaded = load_articles(replace(tmp_config, max_article_bytes=len(text)))
    assert any(entry.source.endswith("exact.txt") for entry in loaded.entries)
    assert any("over.txt" in message and "site.max_article_bytes" in message for message in loaded.errors)


def test_build_does_not_write_through_a_symlink_planted_in_its_output(seed_site, tmp_path):
    out = tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "feeds").symlink_to(elsewhere)
    with pytest.raises(FeedsrvError, match="feeds"):
        export_site(seed_site, out)
    assert list(elsewhere.iterdir()) == []


def test_build_command_reports_a_planted_symlink_in_one_line(tmp_path, articles_dir):
    out = tmp_path / "out"
    elsewhere = tmp_path / "elsewhere"
    (out / "articles").mkdir(parents=True)
    elsewhere.mkdir()
    (out / "articles" / "000-035b52bdb15d24f1").symlink_to(elsewhere)
    built = CliRunner().invoke(main, ["build", "--config", config_for(tmp_path, articles_dir), "--out", str(out)])
    assert built.exit_code == 1
    assert "000-035b52bdb15d24f1" in built.output and "Traceback" not in built.output
    assert list(elsewhere.iterdir()) == []


def test_publishing_does_not_chmod_through_a_link_swapped_for_its_temporary(tmp_path, monkeypatch):
    """Whoever can write the articles directory may rename a link over the API's
    temporary file between its creation and its permissions being set."""
    directory = tmp_path / "articles"
    directory.mkdir()
    private = tmp_path / "private"
    private.write_text("secret\n")
    private.chmod(0o600)
    real_fsync = os.fsync

    def swap_then_fsync(descriptor: int) -> None:
        real_fsync(descriptor)
        for temporary in directory.glob(".feedsrv-*"):
            temporary.unlink()
            temporary.symlink_to(private)

    monkeypatch.setattr(os, "fsync", swap_then_fsync)
    write_atomically(directory / "story.txt", b"Headline\n\nText.\n")
    assert private.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_the_api_neither_replaces_nor_deletes_through_a_link(api, api_config, tmp_path, method):
    """The API read the old file to put it back should the change fail, following a
    link: a failed PUT would then have written /etc/shadow into the directory."""
    outside = secret_outside(tmp_path)
    link = api_config.articles_dir / "x.txt"
    link.symlink_to(outside)
    before = snapshot(api_config.articles_dir)
    response = await api.request(method, "/api/articles/x", data=b"Headline\n\nOfficials met on Monday.\n",
                                 headers=AUTH)
    assert response.status == 409
    assert "x.txt is a symbolic link, which the API neither replaces nor deletes" in await response.text()
    assert link.is_symlink() and os.readlink(link) == str(outside)
    assert snapshot(api_config.articles_dir) == before
    assert SECRET in outside.read_text()


async def test_the_api_does_not_wait_on_a_fifo_named_like_an_article(api, api_config):
    os.mkfifo(api_config.articles_dir / "pipe.txt")
    response = await asyncio.wait_for(api.delete("/api/articles/pipe", headers=AUTH), timeout=10)
    assert response.status == 409
    assert "pipe.txt is not a regular file" in await response.text()
