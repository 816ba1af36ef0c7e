"""A real WebSub subscriber (an aiohttp server on loopback) and a fake external hub,
for the WebSub tests."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from aiohttp import web
from multidict import CIMultiDictProxy, MultiDictProxy

from feedsrv.config import SiteConfig
from livetools import live_config

FORM = "application/x-www-form-urlencoded"
TOPIC = "http://127.0.0.1:8080/feeds/all.atom"


@dataclass(frozen=True, slots=True)
class Received:
    """One request a test server got."""

    at: float  # time.monotonic()
    path: str
    query: MultiDictProxy[str]
    headers: CIMultiDictProxy[str]
    body: bytes


@dataclass(slots=True)
class Subscriber:
    """Confirms verification requests by echoing the challenge (unless ``confirm`` is
    off), records denials and notifications, and answers notifications with
    ``status``, after failing the first ``failures`` of them with 503."""

    confirm: bool = True
    status: int = 204
    failures: int = 0
    verifications: list[Received] = field(default_factory=list)
    denials: list[Received] = field(default_factory=list)
    notifications: list[Received] = field(default_factory=list)
    attempts: list[Received] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._get)
        app.router.add_post("/{tail:.*}", self._post)
        return app

    async def _get(self, request: web.Request) -> web.Response:
        received = await _received(request)
        if request.query.get("hub.mode") == "denied":
            self.denials.append(received)
            return web.Response(status=200)
        self.verifications.append(received)
        if not self.confirm:
            return web.Response(status=404)
        return web.Response(text=request.query["hub.challenge"])

    async def _post(self, request: web.Request) -> web.Response:
        received = await _received(request)
        self.attempts.append(received)
        if self.failures > 0:
            self.failures -= 1
            return web.Response(status=503)
        if 200 <= self.status < 300:
            self.notifications.append(received)
        return web.Response(status=self.status)


@dataclass(slots=True)
class FakeHub:
    """An external hub that records publish pings, failing the first ``failures``."""

    failures: int = 0
    pings: list[Received] = field(default_factory=list)
    forms: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/hub", self._post)
        return app

    async def _post(self, request: web.Request) -> web.Response:
        received = await _received(request)
        self.pings.append(received)
        if self.failures > 0:
            self.failures -= 1
            return web.Response(status=500)
        self.forms.append(dict(await request.post()))
        return web.Response(status=204)


async def _received(request: web.Request) -> Received:
    return Received(at=time.monotonic(), path=request.path_qs, query=request.query, headers=request.headers,
                    body=await request.read())


def hub_config(tmp_path: Path, **websub: object) -> SiteConfig:
    """The shipped config over a directory of three articles, with the WebSub state in
    ``tmp_path``, loopback callbacks allowed and short retry waits."""
    config = live_config(tmp_path / "articles", poll_interval=0.2)
    settings = {"database": tmp_path / "state" / "websub.sqlite3", "allow_loopback_callbacks": True,
                "retry_initial_seconds": 0.05, "retry_max_seconds": 0.5, **websub}
    return replace(config, websub=replace(config.websub, **settings))


def signature_is_valid(notification: Received, secret: str) -> bool:
    """Whether ``X-Hub-Signature`` is the sha256 HMAC of the body with ``secret``."""
    method, _, digest = notification.headers.get("X-Hub-Signature", "").partition("=")
    expected = hmac.new(secret.encode("utf-8"), notification.body, hashlib.sha256).hexdigest()
    return method == "sha256" and hmac.compare_digest(digest, expected)
