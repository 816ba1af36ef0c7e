"""WebSub with real `feedsrv serve` processes: a subscriber subscribes to one, the
server is stopped and started again, and the subscriber is still notified, signed,
of an article dropped into the directory and of one published through the API."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp

from feedsrv.websub.store import WebSubStore
from livetools import LATENCY_LIMIT, STARTING_ARTICLES, article, replace_file, wait_until
from serving import free_port, server_process
from websubtools import TOPIC, Subscriber, signature_is_valid

TOKEN = "websub-process-token"


def write_config(tmp_path: Path) -> Path:
    directory = tmp_path / "articles"
    directory.mkdir()
    for name, text in STARTING_ARTICLES.items():
        (directory / name).write_text(text, encoding="utf-8")
    config = tmp_path / "feedsrv.toml"
    config.write_text('[site]\narticles_dir = "articles"\n\n'
                      '[websub]\nallow_loopback_callbacks = true\nretry_initial_seconds = 0.2\n', encoding="utf-8")
    return config


async def test_subscribe_restart_then_drop_and_publish(aiohttp_server, tmp_path):
    config = write_config(tmp_path)
    database = tmp_path / "state" / "websub.sqlite3"
    subscriber = Subscriber()
    callback = str((await aiohttp_server(subscriber.app())).make_url("/push/7c1d"))
    port = free_port()
    arguments = ["--config", str(config)]

    async def stored() -> bool:
        store = WebSubStore(database)
        try:
            return await asyncio.to_thread(store.subscription, callback, TOPIC) is not None
        finally:
            store.close()

    with server_process(arguments, cwd=tmp_path, port=port):
        async with aiohttp.ClientSession() as session:
            response = await session.post(f"http://127.0.0.1:{port}/websub", data={
                "hub.mode": "subscribe", "hub.topic": TOPIC, "hub.callback": callback, "hub.secret": "pr0cess"})
            assert response.status == 202
        await wait_until(stored)

    # A new process, on the same database, with the publishing API on.
    with server_process(arguments, cwd=tmp_path, port=port, env={"FEEDSRV_API_TOKEN": TOKEN}):
        latency = {}
        started = time.monotonic()
        replace_file(tmp_path / "articles" / "delta.txt",
                     article("Delta", author="Dana Weber", outlet="Civic Ledger"))
        await wait_until(lambda: _count(subscriber, 1))
        latency["file drop"] = subscriber.notifications[0].at - started

        started = time.monotonic()
        async with aiohttp.ClientSession() as session:
            response = await session.post(f"http://127.0.0.1:{port}/api/articles",
                                          data=article("Epsilon", author="Elif Usman", outlet="Civic Ledger"),
                                          headers={"Authorization": f"Bearer {TOKEN}", "X-Slug": "epsilon"})
            assert response.status == 201
        await wait_until(lambda: _count(subscriber, 2))
        latency["API publish"] = subscriber.notifications[1].at - started

    assert [v.query["hub.mode"] for v in subscriber.verifications] == ["subscribe"]
    for notification, title in zip(subscriber.notifications, (b"Delta", b"Epsilon"), strict=True):
        assert signature_is_valid(notification, "pr0cess")
        assert notification.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
        assert title in notification.body
    assert len(subscriber.attempts) == 2
    print("\nFIGURES websub delivery latency after a restart (feedsrv serve processes): "
          + ", ".join(f"{change} {seconds * 1000:.0f} ms" for change, seconds in latency.items())
          + f"; notifications {len(subscriber.notifications)}, failed attempts "
          + f"{len(subscriber.attempts) - len(subscriber.notifications)}")
    assert max(latency.values()) < LATENCY_LIMIT


async def _count(subscriber: Subscriber, count: int) -> bool:
    return len(subscriber.notifications) >= count
