"""Running a real `feedsrv serve` process for tests, and talking HTTP to it."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

FEEDSRV = Path(sys.executable).parent / "feedsrv"


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def http_get(port: int, path: str, headers: dict[str, str] | None = None) -> Reply:
    """One GET to the local server; no redirects, no decompression."""
    return http_request(port, "GET", path, headers=headers)


def http_request(port: int, method: str, path: str, *, body: bytes | None = None,
                 headers: dict[str, str] | None = None) -> Reply:
    """One request to the local server; no redirects, no decompression."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, dict(response.getheaders()), response.read())
    finally:
        connection.close()


@contextmanager
def server_process(arguments: Sequence[str], *, cwd: Path, port: int, env: Mapping[str, str] | None = None,
                   feedsrv: Path = FEEDSRV) -> Iterator[subprocess.Popen]:
    """Start `feedsrv serve ARGUMENTS --port PORT` (with ``env`` added to the
    environment; ``feedsrv``: the command of another install), wait until it
    answers, stop it after unless the test already has."""
    # The server logs every request: into a file, since a pipe nobody reads fills up
    # and blocks the server.
    log = tempfile.TemporaryFile()  # noqa: SIM115 — read back on a failed start, closed in the finally
    process = subprocess.Popen([str(feedsrv), "serve", *arguments, "--port", str(port)], cwd=cwd,
                               stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if http_get(port, "/healthz").status == 200:
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    process.wait()
                    log.seek(0)
                    output = log.read().decode(errors="replace")
                    raise AssertionError(f"feedsrv serve did not start:\n{output}") from None
                time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@contextmanager
def running_server(arguments: Sequence[str], *, cwd: Path, port: int,
                   env: Mapping[str, str] | None = None) -> Iterator[int]:
    """Start `feedsrv serve ARGUMENTS --port PORT`, wait until it answers, stop it after."""
    with server_process(arguments, cwd=cwd, port=port, env=env):
        yield port
