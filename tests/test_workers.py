"""`feedsrv serve --workers 2` as a real process: two workers on one port, the same
ETags from both, a killed worker replaced without the service stopping, a clean stop."""

from __future__ import annotations

import http.client
import json
import os
import signal
import time

from conftest import ROOT
from serving import free_port, server_process

FEED = "/feeds/all.atom"


def _ask(port: int) -> tuple[int, str]:
    """The pid of the worker that took a new connection, and the feed's ETag it sends."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/healthz")
        health = connection.getresponse()
        assert health.status == 200
        pid = int(json.loads(health.read())["pid"])
        connection.request("GET", FEED, headers={"Accept-Encoding": "gzip"})
        feed = connection.getresponse()
        feed.read()
        assert feed.status == 200
        return pid, feed.headers["ETag"]
    finally:
        connection.close()


def _until_new_pids(port: int, known: set[int], wanted: int, etags: set[str]) -> set[int]:
    """Ask over new connections until ``wanted`` pids outside ``known`` answered; every
    attempt must be answered."""
    seen: set[int] = set()
    deadline = time.monotonic() + 30
    while len(seen - known) < wanted:
        assert time.monotonic() < deadline, f"pids seen: {seen}, known: {known}"
        pid, etag = _ask(port)
        seen.add(pid)
        etags.add(etag)
    return seen - known


def _until_gone(pid: int) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        assert time.monotonic() < deadline, f"worker {pid} is still there"
        time.sleep(0.01)


def test_two_workers_share_the_port_and_a_killed_one_is_replaced():
    port = free_port()
    with server_process(["--workers", "2"], cwd=ROOT, port=port) as supervisor:
        etags: set[str] = set()
        workers = _until_new_pids(port, {supervisor.pid}, 2, etags)
        assert len(workers) == 2
        assert len(etags) == 1, "the workers send different ETags"

        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        # Connections the kernel queued on the victim's socket die with it (unless
        # net.ipv4.tcp_migrate_req is on); from the moment it is gone, every request
        # is answered while its replacement starts.
        _until_gone(victim)
        replacement = _until_new_pids(port, {supervisor.pid, victim, *workers}, 1, etags)
        assert len(etags) == 1
        survivors = workers - {victim} | replacement

        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=20) == 0
    for pid in survivors:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        raise AssertionError(f"worker {pid} outlived the supervisor")
