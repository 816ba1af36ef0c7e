"""Issue 13 as real processes: three `feedsrv serve` instances sharing nothing but a
PostgreSQL database (no articles directory, a state directory each), publishing
through any of them, PostgreSQL restarted under a publishing stream, and a rolling
restart behind deploy/nginx.conf."""

from __future__ import annotations

import asyncio
import http.client
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import aiohttp
import psycopg
import pytest

from instances import Instance, running_instances
from livetools import AUTH, STARTING_ARTICLES, article
from nginxtools import running_nginx
from pgserver import PostgresServer
from serving import Reply, http_get, http_request
from tooling import require_program

# The bound on how long another instance takes to serve a change.
FOLLOW_LIMIT = 1.0
# A follower that lost the database tries again after a back-off that doubles from 0.2 s.
RECONNECT_LIMIT = 15.0


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


# "Clash 2" makes the very slug the second "Clash" would get.
CLASHING_TITLES = ("Clash", "Clash 2", "Clash Again", "Clash Again 3")
CONCURRENT_PUBLISHES = 300
# Every fifth request asks for a slug of its own (X-Slug), every seventh PUTs at one:
# a handful of slugs each, so most of them clash.
ASKED_SLUGS = ("asked", "asked-2")
PUT_SLUGS = ("contested", "contested-2", "contested-3")


def publishing_request(number: int) -> tuple[str, str, dict[str, str], bytes]:
    """Request ``number`` of the concurrent stream: method, path, headers, body; its
    text carries ``Request <number>.`` to find it by."""
    title = CLASHING_TITLES[number % len(CLASHING_TITLES)]
    body = article(title, author="Dana Ortiz", outlet="Harbor Gazette", text=f"Request {number}.").encode()
    if number % 7 == 0:
        return "PUT", f"/api/articles/{PUT_SLUGS[number % len(PUT_SLUGS)]}", AUTH, body
    if number % 5 == 0:
        return "POST", "/api/articles", {**AUTH, "X-Slug": ASKED_SLUGS[number % len(ASKED_SLUGS)]}, body
    return "POST", "/api/articles", AUTH, body


async def test_concurrent_publishes_over_three_instances(three: list[Instance], database_url: str) -> None:
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as session:

        async def send(number: int) -> tuple[int, int | None, dict[str, str] | None]:
            method, path, headers, body = publishing_request(number)
            port = three[number % len(three)].port
            try:
                async with session.request(method, f"http://127.0.0.1:{port}{path}", headers=headers,
                                           data=body) as response:
                    answer = await response.json(content_type=None) if response.status in (200, 201) else None
                    return number, response.status, answer
            except (aiohttp.ClientError, TimeoutError):
                return number, None, None

        started = time.monotonic()
        results = await asyncio.gather(*(send(number) for number in range(CONCURRENT_PUBLISHES)))
        elapsed = time.monotonic() - started
    statuses = Counter(status for _, status, _ in results)
    acknowledged = {number: answer for number, status, answer in results if status in (200, 201) and answer}
    posted = {number: answer["slug"] for number, answer in acknowledged.items()
              if publishing_request(number)[0] == "POST"}
    # Every request is acknowledged but those asking for a slug already held.
    assert statuses[409] == sum(1 for number in range(CONCURRENT_PUBLISHES)
                                if publishing_request(number)[0] == "POST" and number % 5 == 0) - len(ASKED_SLUGS)
    assert len(acknowledged) + statuses[409] == CONCURRENT_PUBLISHES, (statuses, elapsed)
    assert len(set(posted.values())) == len(posted), "no two acknowledged POSTs share a slug"

    with psycopg.connect(database_url) as connection:
        live = dict(connection.execute("SELECT slug, convert_from(source, 'UTF8') FROM articles "
                                       "WHERE deleted IS NULL").fetchall())
        incomplete = connection.execute(
            "SELECT a.slug FROM articles a WHERE NOT EXISTS (SELECT 1 FROM changes c WHERE c.number = a.change "
            "AND c.slug = a.slug) OR NOT EXISTS (SELECT 1 FROM parsed_entries p WHERE p.digest = a.digest)"
        ).fetchall()
    assert incomplete == [], "every article row has its change and its parsed entry"

    def holders(number: int) -> list[str]:
        return [slug for slug, text in live.items() if f"Request {number}.\n" in text]

    for number, slug in posted.items():
        assert holders(number) == [slug], f"acknowledged request {number} is stored once, at its slug"
    for number, status, _ in results:
        if status not in (200, 201):
            assert holders(number) == [], f"request {number} answered {status} and is not stored"
    for slug in PUT_SLUGS:
        assert any(holders(number) == [slug] for number in acknowledged), f"{slug} holds one of its PUTs"
    assert len(live) == len(STARTING_ARTICLES) + len(posted) + len(PUT_SLUGS), "nothing more, nothing less"

    # Every instance serves every stored article, and the very same load of them.
    for instance in three:
        deadline = time.monotonic() + FOLLOW_LIMIT
        while json.loads(http_get(instance.port, "/healthz").body)["articles"] != len(live):
            assert time.monotonic() < deadline, f"{instance.name} does not serve every article"
            time.sleep(0.01)
    fingerprints = {json.loads(http_get(instance.port, "/healthz").body)["fingerprint"] for instance in three}
    assert len(fingerprints) == 1, "the three instances serve the same articles"
    for instance in three:
        for slug in live:
            assert http_get(instance.port, f"/articles/{slug}").status == 200, (instance.name, slug)


STREAM_LENGTH = 45
RESTART_AFTER = 15


def publish_until_acknowledged(port: int, body: bytes) -> tuple[Reply, list[int]]:
    """POST ``body`` as a client would: again after ``Retry-After`` seconds while the
    answer is ``503``; the final reply and every status met."""
    met: list[int] = []
    while True:
        reply = http_request(port, "POST", "/api/articles", body=body, headers=AUTH)
        met.append(reply.status)
        if reply.status != 503:
            return reply, met
        time.sleep(float(reply.headers["Retry-After"]))


def test_no_acknowledged_article_is_lost_when_postgresql_restarts(own_postgres: PostgresServer,
                                                                  tmp_path: Path) -> None:
    url = own_postgres.url(own_postgres.create_database())
    acknowledged: dict[int, str] = {}
    met: Counter[int] = Counter()
    with running_instances(3, url, tmp_path) as instances:
        restarted = threading.Event()

        def restart_midway() -> None:
            while len(acknowledged) < RESTART_AFTER:
                time.sleep(0.005)
            own_postgres.restart(down_for=1.0)
            restarted.set()

        restarter = threading.Thread(target=restart_midway)
        restarter.start()
        try:
            for number in range(STREAM_LENGTH):
                body = article(CLASHING_TITLES[number % 2], author="Dana Ortiz", outlet="Harbor Gazette",
                               text=f"Request {number}.").encode()
                reply, statuses = publish_until_acknowledged(instances[number % 3].port, body)
                met.update(statuses)
                assert reply.status in (201, 202), (number, reply.status, reply.body)
                acknowledged[number] = json.loads(reply.body)["slug"]
        finally:
            restarter.join()
        assert restarted.is_set()
        assert met[503] >= 1, f"the restart was felt by the stream: {met}"

        with psycopg.connect(url) as connection:
            live = dict(connection.execute("SELECT slug, convert_from(source, 'UTF8') FROM articles "
                                           "WHERE deleted IS NULL").fetchall())
        for number, slug in acknowledged.items():
            assert [held for held, text in live.items() if f"Request {number}.\n" in text] == [slug], (
                f"acknowledged request {number} is stored once, at its slug")
        assert len(live) == len(STARTING_ARTICLES) + STREAM_LENGTH
        # Every instance follows the database again and serves every article.
        for instance in instances:
            deadline = time.monotonic() + RECONNECT_LIMIT
            while json.loads(http_get(instance.port, "/healthz").body)["articles"] != len(live):
                assert time.monotonic() < deadline, f"{instance.name} does not serve every article"
                time.sleep(0.05)
            for slug in acknowledged.values():
                assert http_get(instance.port, f"/articles/{slug}").status == 200, (instance.name, slug)


POLLED_FEEDS = ("/feeds/all.atom", "/feeds/all.rss", "/feeds/all.json")
POLLS = 3000


def poll(port: int, stop: threading.Event, answers: Counter[str]) -> None:
    """Conditional GETs of :data:`POLLED_FEEDS` through ``port``, as feed readers
    make them, over one kept-alive connection, until ``stop`` is set and
    :data:`POLLS` were made; every other one with a query nginx has not cached,
    so that it goes upstream: a filter (issue 15) of a date of its own, which
    keeps every entry, each a feed of its own ETag, so only the unfiltered
    answers give validators. Each answer counted by status, or by the error."""
    validators: dict[str, dict[str, str]] = {}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    number = 0
    while not stop.is_set() or number < POLLS:
        feed = POLLED_FEEDS[number % len(POLLED_FEEDS)]
        path = f"{feed}?until={date(2100, 1, 1) + timedelta(days=number)}" if number % 2 else feed
        try:
            connection.request("GET", path, headers={"Accept-Encoding": "gzip", **validators.get(feed, {})})
            response = connection.getresponse()
            response.read()
            answers[str(response.status)] += 1
            if response.status == 200 and path == feed:
                validators[feed] = {"If-None-Match": response.headers["ETag"],
                                    "If-Modified-Since": response.headers["Last-Modified"]}
        except (OSError, http.client.HTTPException) as exc:
            answers[type(exc).__name__] += 1
            connection.close()
        number += 1
    connection.close()


def test_a_rolling_restart_behind_nginx_fails_no_request(three: list[Instance]) -> None:
    nginx = require_program("nginx", package="nginx")
    with running_nginx(nginx, [instance.port for instance in three]) as port:
        answers: Counter[str] = Counter()
        stop = threading.Event()
        poller = threading.Thread(target=poll, args=(port, stop, answers))
        poller.start()
        try:
            for instance in three:
                assert instance.stop() == 0, instance.log
                instance.start()
        finally:
            stop.set()
            poller.join()
    assert sum(answers.values()) >= POLLS
    assert set(answers) <= {"200", "304"}, f"every request answered: {answers}"
    assert answers["304"] > 0, "the polls were conditional"
