"""README command 1 for real: `feedsrv serve` as a process, from the project root, no config flag."""

from __future__ import annotations

import os
import subprocess
import time

from conftest import CONFIG, ROOT, SEEDS
from feedcheck import parse_with_feedparser
from serving import FEEDSRV, free_port, http_get, running_server


def test_serve_from_the_project_root():
    with running_server([], cwd=ROOT, port=free_port()) as port:
        first = http_get(port, "/feeds/all.atom")
        assert first.status == 200
        parsed = parse_with_feedparser(first.body)
        assert len(parsed.entries) == 2
        assert all(entry.title and entry.link and entry.id and entry.author for entry in parsed.entries)
        again = http_get(port, "/feeds/all.atom", {"If-None-Match": first.headers["ETag"]})
        assert (again.status, again.body) == (304, b"")
        assert again.headers["ETag"] == first.headers["ETag"]


def _served_log(arguments: list[str], tmp_path) -> str:
    log = tmp_path / "serve.log"
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen([str(FEEDSRV), "serve", *arguments, "--port", str(port)], cwd=ROOT,
                                   stdout=output, stderr=subprocess.STDOUT,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    assert http_get(port, "/feeds/all.atom").status == 200
                    break
                except OSError:
                    assert process.poll() is None and time.monotonic() < deadline
                    time.sleep(0.1)
        finally:
            process.terminate()
            process.wait(timeout=10)
    return log.read_text(encoding="utf-8", errors="replace")


def test_requests_are_logged_only_when_asked(tmp_path):
    assert "GET /feeds/all.atom" not in _served_log([], tmp_path)
    assert "GET /feeds/all.atom" in _served_log(["--access-log"], tmp_path)


def test_serve_groups_stories_while_serving_past_the_setting(tmp_path):
    # The shipped config (its outlets and the second seed's date), grouping while serving.
    shipped = CONFIG.read_text(encoding="utf-8")
    config = tmp_path / "feedsrv.toml"
    config.write_text(shipped.replace('articles_dir = "../seeds"', f'articles_dir = "{SEEDS}"')
                      .replace("[server]\n", "[server]\nstories_before_serving = 0\n"), encoding="utf-8")
    with running_server(["--config", str(config)], cwd=tmp_path, port=free_port()) as port:
        deadline = time.monotonic() + 30
        while True:
            stories = parse_with_feedparser(http_get(port, "/feeds/stories.atom").body)
            if stories.entries or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert len(stories.entries) == 1
        related = [link.href for entry in parse_with_feedparser(http_get(port, "/feeds/all.atom").body).entries
                   for link in entry.links if link.rel == "related"]
        assert len(related) == 2
