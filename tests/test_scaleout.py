"""Issue 13 as real processes: three `feedsrv serve` instances sharing nothing but a
PostgreSQL database (no articles directory, a state directory each), publishing
through any of them, PostgreSQL restarted under a publishing stream, and a rolling
restart behind deploy/nginx.conf."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from instances import Instance, running_instances
from livetools import AUTH, article
from serving import http_get, http_request

# The bound on how long another instance takes to serve a change.
FOLLOW_LIMIT = 1.0


@pytest.fixture
def three(database_url: str, tmp_path: Path) -> Iterator[list[Instance]]:
    with running_instances(3, database_url, tmp_path) as instances:
        yield instances


def wait_for_status(instance: Instance, path: str, status: int, *, limit: float = FOLLOW_LIMIT) -> float:
    """Seconds until ``instance`` answers ``status`` for ``path``; fails past ``limit``."""
    start = time.monotonic()
    while (answer := http_get(instance.port, path).status) != status:
        assert time.monotonic() - start < limit, f"{instance.name} still answers {answer} for {path}"
        time.sleep(0.01)
    return time.monotonic() - start


def test_published_through_a_served_by_b_and_c_deleted_through_c_gone_on_a_and_b(three: list[Instance]) -> None:
    a, b, c = three
    body = article("Delta", author="Dana Ortiz", outlet="Harbor Gazette").encode()
    created = http_request(a.port, "POST", "/api/articles", body=body, headers=AUTH)
    assert created.status == 201, created.body
    assert http_get(a.port, "/articles/delta").status == 200, "served by the instance that answered 201"
    for other in (b, c):
        wait_for_status(other, "/articles/delta", 200)
        assert b"Delta" in http_get(other.port, "/feeds/all.atom").body
    deleted = http_request(c.port, "DELETE", "/api/articles/delta", headers=AUTH)
    assert deleted.status == 204, deleted.body
    assert http_get(c.port, "/articles/delta").status == 410
    for other in (a, b):
        wait_for_status(other, "/articles/delta", 410)
        assert b"Delta" not in http_get(other.port, "/feeds/all.atom").body
