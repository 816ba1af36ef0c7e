"""A real `feedsrv serve` process: dropped, edited, renamed and deleted files reach the
feeds within 2 s; and a server killed with SIGKILL in the middle of a stream of API
publishes loses no acknowledged article and leaves no partial one."""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
import time
from pathlib import Path

from livetools import LATENCY_LIMIT, STARTING_ARTICLES, article
from serving import free_port, http_get, http_request, running_server, server_process

TOKEN = "kill-test-token"


def write_config(tmp_path: Path, extra: str = "") -> Path:
    directory = tmp_path / "articles"
    directory.mkdir()
    for name, text in STARTING_ARTICLES.items():
        (directory / name).write_text(text, encoding="utf-8")
    config = tmp_path / "feedsrv.toml"
    config.write_text(f'[site]\narticles_dir = "articles"\n{extra}\n'
                      '[outlets.impunity-watch]\nname = "Impunity Watch"\n', encoding="utf-8")
    return config


def wait_for(check, *, limit: float = LATENCY_LIMIT) -> float:
    """Seconds until ``check()`` is true, polled every 10 ms; fails past ``limit``."""
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < limit, f"not seen within {limit} s"
        time.sleep(0.01)
    return time.monotonic() - start


def titles(port: int) -> list[str]:
    return [item["title"] for item in json.loads(http_get(port, "/feeds/all.json").body)["items"]]


def test_a_served_process_reloads_changed_files(tmp_path):
    config = write_config(tmp_path)
    directory = tmp_path / "articles"
    with running_server(["--config", str(config)], cwd=tmp_path, port=free_port()) as port:
        untouched = http_get(port, "/feeds/outlets/impunity-watch.atom")
        latency = {}

        temporary = directory / ".delta.txt.tmp"
        temporary.write_text(article("Delta", author="Dana Weber", outlet="Civic Ledger"))
        os.replace(temporary, directory / "delta.txt")
        latency["add"] = wait_for(lambda: "Delta" in titles(port))

        (directory / "delta.txt").write_text(article("Delta revised", author="Dana Weber", outlet="Civic Ledger"))
        latency["edit"] = wait_for(lambda: "Delta revised" in titles(port))

        os.rename(directory / "delta.txt", directory / "epsilon.txt")
        latency["rename"] = wait_for(lambda: http_get(port, "/articles/epsilon").status == 200)
        assert http_get(port, "/articles/delta").status == 410

        (directory / "epsilon.txt").unlink()
        latency["delete"] = wait_for(lambda: http_get(port, "/feeds/authors/dana-weber.json").status == 410)
        assert http_get(port, "/feeds/outlets/civic-ledger.rss").status == 410
        assert "civic-ledger" not in http_get(port, "/feeds.opml").body.decode()

        (directory / "broken.txt").write_bytes(bytes(range(256)) * 8)
        wait_for(lambda: json.loads(http_get(port, "/healthz").body)["skipped"] == 1)
        assert sorted(titles(port)) == ["Alpha", "Beta", "Gamma"]

        again = http_get(port, "/feeds/outlets/impunity-watch.atom", {"If-None-Match": untouched.headers["ETag"]})
        assert again.status == 304
        assert again.headers["Last-Modified"] == untouched.headers["Last-Modified"]

    print("\nFIGURES reload latency (feedsrv serve process): "
          + ", ".join(f"{change} {seconds * 1000:.0f} ms" for change, seconds in latency.items()))
    assert max(latency.values()) < LATENCY_LIMIT


def kill_test_article(number: int) -> bytes:
    # Long enough that a write takes several system calls' worth of bytes.
    paragraphs = "\n\n".join(f"Paragraph {line} of article {number}: officials met in Geneva on Monday to "
                             "discuss the plan, according to a statement released after the meeting." * 3
                             for line in range(6))
    return (f"---\ntitle: Streamed article {number}\nauthor: Writer {number % 5}\noutlet: Stream Times\n---\n"
            f"Streamed article {number}\n\n{paragraphs}\n\nClosing line of article {number}.\n").encode()


def publish_until_killed(port: int, first: int, step: int, acknowledged: dict[str, int], lock: threading.Lock) -> None:
    number = first
    while True:
        try:
            reply = http_request(port, "POST", "/api/articles", body=kill_test_article(number),
                                 headers={"Authorization": f"Bearer {TOKEN}", "X-Slug": f"streamed-{number}"})
        except (OSError, http.client.HTTPException):
            return  # the server is gone, maybe in the middle of its answer
        if reply.status == 201:
            with lock:
                acknowledged[f"streamed-{number}"] = number
        number += step


def test_sigkill_during_api_publishes_loses_no_acknowledged_article(tmp_path):
    config = write_config(tmp_path)
    directory = tmp_path / "articles"
    environment = {"FEEDSRV_API_TOKEN": TOKEN}
    acknowledged: dict[str, int] = {}
    lock = threading.Lock()
    writers = 4
    with server_process(["--config", str(config)], cwd=tmp_path, port=free_port(), env=environment) as process:
        port = int(process.args[-1])
        threads = [threading.Thread(target=publish_until_killed, args=(port, first, writers, acknowledged, lock))
                   for first in range(writers)]
        for thread in threads:
            thread.start()
        wait_for(lambda: len(acknowledged) >= 40, limit=30)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        for thread in threads:
            thread.join(timeout=15)
        with lock:
            acknowledged = dict(acknowledged)
    written = sorted(path.name for path in directory.glob("streamed-*.txt"))
    leftovers = [path.name for path in directory.iterdir() if path.name.startswith(".")]

    with running_server(["--config", str(config)], cwd=tmp_path, port=free_port(), env=environment) as port:
        health = json.loads(http_get(port, "/healthz").body)
        assert health["skipped"] == 0
        assert health["articles"] == len(STARTING_ARTICLES) + len(written)
        for slug, number in acknowledged.items():
            page = http_get(port, f"/articles/{slug}")
            assert page.status == 200, slug
            assert f"Closing line of article {number}." in page.body.decode()
        # Every file is whole: nothing partial was renamed into place.
        for name in written:
            number = int(name.removeprefix("streamed-").removesuffix(".txt"))
            assert (directory / name).read_bytes().endswith(f"Closing line of article {number}.\n".encode()), name
        # Temporary files of the killed writes never counted, and are cleared at start.
        assert not list(directory.glob(".feedsrv-*"))

    print(f"\nFIGURES SIGKILL test: {len(acknowledged)} publishes acknowledged before the kill, "
          f"{len(written)} files on disk, {len(leftovers)} temporary file(s) left by the kill; "
          f"after restart {len(acknowledged)}/{len(acknowledged)} acknowledged articles served, 0 partial files")
