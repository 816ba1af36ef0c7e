"""README command 1 for real: `feedsrv serve` as a process, from the project root, no config flag."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT
from feedcheck import parse_with_feedparser


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.fixture
def server():
    port = free_port()
    executable = Path(sys.executable).parent / "feedsrv"
    process = subprocess.Popen([str(executable), "serve", "--port", str(port)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + 20
    while True:
        try:
            if get(port, "/healthz")[0] == 200:
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"feedsrv serve did not start: {process.stdout.read().decode()}") from None
            time.sleep(0.1)
    yield port
    process.terminate()
    process.wait(timeout=10)
    process.stdout.close()


def test_serve_from_the_project_root(server):
    status, headers, body = get(server, "/feeds/all.atom")
    assert status == 200
    parsed = parse_with_feedparser(body)
    assert len(parsed.entries) == 2
    assert all(entry.title and entry.link and entry.id and entry.author for entry in parsed.entries)
    status, again, body = get(server, "/feeds/all.atom", {"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")
    assert again["ETag"] == headers["ETag"]
