"""Hostile HTTP clients (issue 10): compressed bodies, oversized and malformed
requests, header injection, and what an error response leaves on disk.

Each test names the attack it stands for. Two acceptance tests close the module: no
hostile request stalls the event loop, and no metadata a publisher sends gives
anything but a well-formed feed or a 4xx that wrote nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import io
import json
import re
import struct
import time
import zlib
from base64 import b64encode
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import brotli
import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from feedsrv.config import MAX_SLUG_LENGTH
from feedsrv.errors import ParseError
from feedsrv.parse import MAX_NAME_LENGTH, format_front_matter, split_front_matter
from feedsrv.publish import is_slug, slug_from_title, unique_slug
from feedsrv.representations import parse_http_date
from feedsrv.web import create_app
from livetools import AUTH, BODY, TOKEN, live_config, snapshot
from serving import free_port, http_request, running_server

BASE = "http://127.0.0.1:8080"
STORY = f"Envoy Urges Ceasefire in Geneva\n\nBy Lena Weber\n\nGENEVA, Switzerland\u2013 {BODY}\n".encode()
DATED = b"---\npublished: 2015-10-21T09:00:00+00:00\n---\n"
# What a decompression bomb inflates to: 1 GiB of zeros.
BOMB_SIZE = 1 << 30
# The event loop's longest acceptable stall.
STALL_LIMIT = 0.050
ACCEPTED = "gzip, deflate, br"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="session")
def brotli_bomb() -> bytes:
    """A brotli body of about 200 KB that inflates to :data:`BOMB_SIZE` bytes."""
    compressor, zeros = brotli.Compressor(quality=1), bytes(16 << 20)
    return b"".join([*(compressor.process(zeros) for _ in range(BOMB_SIZE // len(zeros))), compressor.finish()])


@pytest.fixture(scope="session")
def gzip_bomb() -> bytes:
    """A valid gzip body of about 1 MB that inflates to :data:`BOMB_SIZE` bytes.

    After a full flush, deflate starts afresh: one compressed block of zeros, repeated,
    is the compressed form of as many blocks, built without compressing them all."""
    zeros = bytes(16 << 20)
    deflater = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = deflater.compress(zeros) + deflater.flush(zlib.Z_FULL_FLUSH)
    block = deflater.compress(zeros) + deflater.flush(zlib.Z_FULL_FLUSH)
    last = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty final block
    count = BOMB_SIZE // len(zeros)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(zeros, crc)
    return head + block * (count - 1) + last + struct.pack("<II", crc, BOMB_SIZE & 0xFFFFFFFF)


def deflated(data: bytes) -> bytes:
    return zlib.compress(data)


class StallProbe:
    """Wakes up every millisecond and keeps the longest time the event loop was kept
    from it, per labelled stretch of the test.

    A gap counts for the CPU time the process used in it, at most its length: a loop
    kept busy uses the CPU all along, while a machine shared with other work may
    deschedule the whole process for a while, which stalls nothing in particular.
    ``longest_wall`` keeps the plain wall-clock gaps too.
    """

    def __init__(self) -> None:
        self.longest: dict[str, float] = {}
        self.longest_wall: dict[str, float] = {}
        self.label = "start"
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> StallProbe:
        self._task = asyncio.create_task(self._run())
        await asyncio.sleep(0.01)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _run(self) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        while True:
            try:
                await asyncio.sleep(0.001)
            finally:
                # Cancelled too, since the stall may end in the very turn that cancels it.
                now_wall, now_cpu = time.perf_counter(), time.process_time()
                gap = min(now_wall - wall, now_cpu - cpu)
                self.longest[self.label] = max(self.longest.get(self.label, 0.0), gap)
                self.longest_wall[self.label] = max(self.longest_wall.get(self.label, 0.0), now_wall - wall)
                wall, cpu = now_wall, now_cpu

    def worst(self) -> tuple[str, float]:
        label = max(self.longest, key=self.longest.__getitem__)
        return label, self.longest[label]


async def raw_request(port: int, request: bytes) -> tuple[int, bytes]:
    """Send ``request`` as given (bytes no HTTP client would send) and return the
    status and the rest of the answer; the request must ask to close the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    return int(answer.split(b" ", 2)[1]), answer


def raw_post(path: str, headers: bytes, body: bytes = STORY, *, method: str = "POST") -> bytes:
    return (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            f"Content-Length: {len(body)}\r\n").encode() + headers + b"\r\n" + body


# Item 1: compressed request bodies.

@pytest.mark.parametrize(("coding", "encode"), [("gzip", gzip.compress), ("x-gzip", gzip.compress),
                                                ("deflate", deflated), ("br", brotli.compress),
                                                ("identity", bytes), ("GZIP", gzip.compress)])
async def test_the_api_decodes_the_body_itself(api, api_config, coding, encode):
    """A publisher may compress the body; feedsrv, not aiohttp, decodes it."""
    response = await api.post("/api/articles", data=encode(STORY), headers={**AUTH, "Content-Encoding": coding})
    assert response.status == 201, await response.text()
    created = await response.json()
    assert created["title"] == "Envoy Urges Ceasefire in Geneva"
    assert (api_config.articles_dir / f"{created['slug']}.txt").read_bytes().endswith(STORY)


@pytest.mark.parametrize("chunked", [False, True], ids=["length", "chunked"])
@pytest.mark.parametrize("bomb", ["brotli_bomb", "gzip_bomb"])
async def test_a_decompression_bomb_to_the_api_is_413_on_the_inflated_size(api, api_config, request, bomb, chunked):
    """A bomb sent with the token stops at api.max_bytes of inflated bytes."""
    body = request.getfixturevalue(bomb)
    coding = "br" if bomb == "brotli_bomb" else "gzip"
    before = snapshot(api_config.articles_dir)

    async def chunks():
        for start in range(0, len(body), 65536):
            yield body[start:start + 65536]

    async with StallProbe() as probe:
        response = await api.post("/api/articles", data=chunks() if chunked else body,
                                  headers={**AUTH, "Content-Encoding": coding})
        text = await response.text()
    assert response.status == 413, text
    assert "api.max_bytes" in text and f"decoding {coding}" in text
    assert probe.worst()[1] < STALL_LIMIT, probe.longest
    assert snapshot(api_config.articles_dir) == before


async def test_the_size_limit_applies_to_the_inflated_bytes(aiohttp_client, tmp_path, monkeypatch):
    """A body that is small compressed but inflates past api.max_bytes is refused."""
    monkeypatch.delenv("FEEDSRV_API_TOKEN", raising=False)
    config = live_config(tmp_path / "articles", api_token=TOKEN, api_max_bytes=len(STORY))
    client = await aiohttp_client(create_app(config, watch=False))
    for coding, encode in (("gzip", gzip.compress), ("deflate", deflated), ("br", brotli.compress)):
        oversized = encode(STORY + b"!")
        assert len(oversized) < len(STORY)
        response = await client.post("/api/articles", data=oversized, headers={**AUTH, "Content-Encoding": coding})
        assert response.status == 413, coding
    response = await client.post("/api/articles", data=gzip.compress(STORY),
                                 headers={**AUTH, "Content-Encoding": "gzip"})
    assert response.status == 201


@pytest.mark.parametrize("coding", ["zstd", "compress", "gzip, br", "br, gzip", "gzip, gzip", "gzip, identity, br",
                                    "chunked", "gzip;q=1"])
async def test_an_unknown_or_stacked_coding_is_415_naming_the_accepted_ones(api, api_config, coding):
    """Codings feedsrv cannot decode, and several codings at once, are refused (RFC 9110 §15.5.16)."""
    before = snapshot(api_config.articles_dir)
    response = await api.post("/api/articles", data=gzip.compress(brotli.compress(STORY)),
                              headers={**AUTH, "Content-Encoding": coding})
    assert response.status == 415, await response.text()
    assert response.headers["Accept-Encoding"] == ACCEPTED
    assert snapshot(api_config.articles_dir) == before


GZIPPED = gzip.compress(STORY)


@pytest.mark.parametrize(("coding", "body", "problem"), [
    ("gzip", b"not gzip at all", "invalid gzip data"),
    ("gzip", GZIPPED[:-12], "truncated gzip data"),
    ("gzip", GZIPPED + b"trailing", "data after the end of the gzip data"),
    ("gzip", GZIPPED + GZIPPED, "data after the end of the gzip data"),
    ("gzip", b"", "truncated gzip data"),
    ("gzip", GZIPPED[:10] + bytes(len(GZIPPED) - 10), "invalid gzip data"),
    ("deflate", b"\x78\x9cnot deflate", "invalid deflate data"),
    ("deflate", zlib.compress(STORY, wbits=-15), "invalid deflate data"),
    ("br", b"not brotli at all", "invalid br data"),
    ("br", brotli.compress(STORY)[:-4], "truncated br data"),
    ("br", brotli.compress(STORY) + b"x", "invalid br data"),
])
async def test_an_invalid_compressed_body_is_400_naming_the_problem(api, api_config, coding, body, problem):
    """Corrupt, truncated or padded compressed data is the client's error, not a 500."""
    before = snapshot(api_config.articles_dir)
    response = await api.post("/api/articles", data=body, headers={**AUTH, "Content-Encoding": coding})
    assert response.status == 400
    assert problem in await response.text()
    assert snapshot(api_config.articles_dir) == before


async def test_a_transfer_coding_other_than_chunked_is_501(api, api_config):
    """``Transfer-Encoding: gzip, chunked`` would hand the API compressed bytes as text."""
    before = snapshot(api_config.articles_dir)
    body = gzip.compress(STORY)
    request = (b"POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
               b"Authorization: Bearer " + TOKEN.encode() + b"\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
               + f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n")
    status, answer = await raw_request(api.server.port, request)
    assert status == 501, answer
    assert snapshot(api_config.articles_dir) == before


async def test_websub_refuses_a_compressed_subscription_request_with_415(api):
    """The hub reads form bodies; with aiohttp decoding nothing, it must not parse a
    compressed one as a form."""
    form = b"hub.mode=subscribe&hub.topic=http%3A%2F%2F127.0.0.1%3A8080%2Ffeeds%2Fall.atom&hub.callback=x"
    response = await api.post("/websub", data=gzip.compress(form), headers={
        "Content-Type": "application/x-www-form-urlencoded", "Content-Encoding": "gzip"})
    assert response.status == 415
    assert response.headers["Accept-Encoding"] == "identity"


@pytest.mark.parametrize("workers", [1, 2])
def test_feedsrv_serve_leaves_request_bodies_to_the_api(tmp_path, gzip_bomb, workers):
    """Under ``feedsrv serve`` (one process or several), aiohttp decodes no body: a
    gzip body reaches the API as sent, and a bomb to /healthz costs nothing."""
    port = free_port()
    articles = tmp_path / "articles"
    live_config(articles)
    config = tmp_path / "feedsrv.toml"
    config.write_text(f'[site]\nbase_url = "http://127.0.0.1:{port}"\narticles_dir = "{articles}"\nwatch = "off"\n',
                      encoding="utf-8")
    with running_server(["--config", str(config), "--workers", str(workers)], cwd=tmp_path, port=port,
                        env={"FEEDSRV_API_TOKEN": TOKEN}):
        for number in range(4):  # with several workers, each is likely to answer one
            created = http_request(port, "POST", "/api/articles", body=gzip.compress(STORY),
                                   headers={**AUTH, "Content-Encoding": "gzip", "X-Slug": f"story-{number}"})
            assert created.status == 201, created.body
            started = time.monotonic()
            health = http_request(port, "GET", "/healthz", body=gzip_bomb, headers={"Content-Encoding": "gzip"})
            assert health.status == 200
            assert time.monotonic() - started < 1.0


# Item 6: an error response means nothing changed.

def sized(text: bytes, size: int) -> bytes:
    """``text`` with a last paragraph of filler making it exactly ``size`` bytes."""
    filler = size - len(text) - 2
    assert filler > 20
    return text + b"\n" + (b"word " * filler)[:filler - 1] + b".\n"


async def test_a_put_whose_update_stamp_crosses_the_file_limit_is_413_and_keeps_the_old_file(
        aiohttp_client, tmp_path, monkeypatch):
    """The ``updated:`` line feedsrv adds must not turn an accepted body into a file
    the loader skips: the old article stays, on disk and after a restart."""
    monkeypatch.delenv("FEEDSRV_API_TOKEN", raising=False)
    limit = 4096
    config = live_config(tmp_path / "articles", api_token=TOKEN, api_max_bytes=limit, max_article_bytes=limit)
    client = await aiohttp_client(create_app(config, watch=False))
    assert (await client.put("/api/articles/talks", data=DATED + STORY, headers=AUTH)).status == 201
    before = snapshot(config.articles_dir)
    edited = sized(DATED + STORY.replace(b"Monday", b"Tuesday"), limit)
    response = await client.put("/api/articles/talks", data=edited, headers=AUTH)
    text = await response.text()
    assert response.status == 413, text
    assert "site.max_article_bytes" in text
    assert snapshot(config.articles_dir) == before
    assert (await client.get("/articles/talks")).status == 200
    restarted = await aiohttp_client(create_app(config, watch=False))
    assert (await restarted.get("/articles/talks")).status == 200


async def test_a_post_whose_publication_stamp_crosses_the_file_limit_is_413_and_writes_nothing(
        aiohttp_client, tmp_path, monkeypatch):
    """The ``published:`` line feedsrv adds to an undated article counts too."""
    monkeypatch.delenv("FEEDSRV_API_TOKEN", raising=False)
    limit = 4096
    config = live_config(tmp_path / "articles", api_token=TOKEN, api_max_bytes=limit, max_article_bytes=limit)
    client = await aiohttp_client(create_app(config, watch=False))
    before = snapshot(config.articles_dir)
    response = await client.post("/api/articles", data=sized(STORY, limit), headers=AUTH)
    text = await response.text()
    assert response.status == 413, text
    assert "site.max_article_bytes" in text
    assert snapshot(config.articles_dir) == before


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
async def test_a_change_whose_reload_fails_is_undone_before_the_500(api, api_config, monkeypatch, method):
    """A reload that raises (rendering an entry the parser let through, say) must not
    leave the change on disk behind the 500."""
    from feedsrv.live import LiveSite

    reload = LiveSite.reload
    calls = []

    async def failing_once(self, changed=None):
        if changed is not None:
            calls.append(changed)
            if len(calls) == 1:
                raise RuntimeError("rendering failed")
        return await reload(self, changed)

    monkeypatch.setattr(LiveSite, "reload", failing_once)
    before = snapshot(api_config.articles_dir)
    path = "/api/articles" if method == "POST" else "/api/articles/alpha"
    response = await api.request(method, path, data=DATED + STORY, headers=AUTH)
    assert response.status == 500
    assert len(calls) == 2
    assert snapshot(api_config.articles_dir) == before
    assert (await api.get("/articles/alpha")).status == 200


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_a_slug_two_files_claim_is_409_and_changes_nothing(api, api_config, method):
    """Writing or deleting one of two files that claim one URL would leave the other
    served: refused before touching either."""
    (api_config.articles_dir / "A_b.txt").write_bytes(DATED + STORY)
    (api_config.articles_dir / "a-b.txt").write_bytes(DATED + STORY.replace(b"Geneva", b"Vienna"))
    before = snapshot(api_config.articles_dir)
    response = await api.request(method, "/api/articles/a-b", data=DATED + STORY, headers=AUTH)
    text = await response.text()
    assert response.status == 409, text
    assert "A_b.txt" in text and "a-b.txt" in text
    assert snapshot(api_config.articles_dir) == before


async def test_a_write_the_reload_refuses_is_undone_before_the_500(api, api_config, monkeypatch):
    """Should the file on disk not be what was checked (changed under feedsrv's feet),
    the previous version is put back before the error is sent."""
    from feedsrv.web import api as api_module

    original = api_module.write_atomically
    calls = []

    def overwritten_meanwhile(target: Path, data: bytes) -> None:
        calls.append(target)
        original(target, b"" if len(calls) == 1 else data)

    monkeypatch.setattr(api_module, "write_atomically", overwritten_meanwhile)
    before = snapshot(api_config.articles_dir)
    response = await api.put("/api/articles/alpha", data=DATED + STORY, headers=AUTH)
    assert response.status == 500
    assert "previous version" in await response.text()
    assert snapshot(api_config.articles_dir) == before
    assert (await api.get("/articles/alpha")).status == 200


# Item 7: 500s instead of 4xx.

async def test_a_slug_too_long_for_a_file_name_is_400(api, api_config):
    """A 255-character slug made the file name too long for the file system (ENAMETOOLONG)."""
    before = snapshot(api_config.articles_dir)
    for length in (MAX_SLUG_LENGTH + 1, 255, 300):
        long = "a" * length
        assert (await api.put(f"/api/articles/{long}", data=STORY, headers=AUTH)).status == 400
        assert (await api.post("/api/articles", data=STORY, headers={**AUTH, "X-Slug": long})).status == 400
        body = f"---\nslug: {long}\n---\n".encode() + STORY
        assert (await api.post("/api/articles", data=body, headers=AUTH)).status == 400
    assert snapshot(api_config.articles_dir) == before
    longest = "a" * MAX_SLUG_LENGTH
    assert (await api.put(f"/api/articles/{longest}", data=STORY, headers=AUTH)).status == 201


def test_slugs_made_by_feedsrv_stay_within_the_bound():
    """Slugs from titles, and their ``-2``, ``-3`` suffixes, never exceed the bound."""
    assert not is_slug("a" * (MAX_SLUG_LENGTH + 1))
    assert is_slug("a" * MAX_SLUG_LENGTH)
    assert len(slug_from_title("word " * 500)) <= MAX_SLUG_LENGTH
    longest = "a" * MAX_SLUG_LENGTH
    taken = {longest, *(f"{longest[:MAX_SLUG_LENGTH - 2]}-{n}" for n in range(2, 10))}
    for _ in range(3):
        made = unique_slug(longest, taken)
        assert made not in taken and is_slug(made)
        taken.add(made)


@pytest.mark.parametrize("value", [
    "Fri, 01 Jan 10000 00:00:00 GMT",
    "Fri, 01 Jan 99999999999999999999999 00:00:00 GMT",
    "Sat, 01 Jan 0000 00:00:00 GMT",
    "Sun, 01 Jan 0050 00:00:00 GMT",  # 50 AD, not 2050
    "Thu, 01 Jan 2099 00:00:00 +9999",
    "Thu, 32 Dec 2099 00:00:00 GMT",
    "Thu, 01 Jan 2099 24:00:00 GMT",
    "2099-01-01T00:00:00Z",
    "garbage",
    "",
    "Thu, 01 Jan 2099 00:00:00 GMT" * 250,
])
@pytest.mark.parametrize("header", ["If-Modified-Since", "If-Unmodified-Since"])
async def test_an_invalid_date_in_a_conditional_header_is_ignored(client, header, value):
    """An invalid HTTP date is ignored (RFC 9110 §13.1.3): a 200, never a 304 or a 500."""
    for path in ("/feeds/all.atom", "/articles/002-3b1ee3ced2e6f8f0", "/"):
        response = await client.get(path, headers={header: value})
        assert response.status == 200, (path, await response.text())


@pytest.mark.parametrize(("value", "expected"), [
    ("Sun, 06 Nov 1994 08:49:37 GMT", datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)),
    ("Sunday, 06-Nov-94 08:49:37 GMT", datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)),
    ("Sun Nov  6 08:49:37 1994", datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)),
    ("Fri, 31 Dec 9999 23:59:59 GMT", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ("Mon, 01 Jan 0001 00:00:00 GMT", datetime(1, 1, 1, tzinfo=UTC)),
    ("Fri, 01 Jan 10000 00:00:00 GMT", None),
    ("Sat, 01 Jan 0000 00:00:00 GMT", None),
    ("Fri, 01 Jan 99999999999999999999999 00:00:00 GMT", None),
    ("Sun, 06 Nov 1994 08:49:37 +0000", None),
    ("Sun, 06 Nov 1994 08:49:60 GMT", None),
])
def test_http_dates_are_read_in_the_three_formats_of_rfc_9110(value, expected):
    """IMF-fixdate, RFC 850 and asctime dates; anything else, out-of-range years
    included, is no date."""
    assert parse_http_date(value) == expected


@pytest.mark.parametrize(("header", "value"), [
    ("Accept-Encoding", ", ".join(f"gzip;q=0.{n % 10}" for n in range(800))[:8000]),
    ("Accept-Encoding", "br;q=" + "9" * 7990),
    ("Accept-Encoding", "gzip;q=nan, br;q=inf, identity;q=-1"),
    ("If-None-Match", ", ".join(f'"{n:030x}"' for n in range(300))[:8000]),
    ("If-None-Match", '"' * 8000),
    ("If-None-Match", "," * 8000),
    ("Range", "bytes=" + ",".join(f"{n}-{n}" for n in range(1000))[:7990]),
    ("Range", "bytes=99999999999999999999999-"),
])
async def test_huge_or_odd_request_headers_are_answered(client, header, value):
    """Long lists in the headers every client may send cost a bounded parse, no 500."""
    response = await client.get("/feeds/all.atom", headers={header: value})
    assert response.status in (200, 304)


@pytest.mark.parametrize("path", ["/articles/%ff", "/feeds/%00.atom", "/feeds/" + "a/" * 2000 + "x.atom",
                                  "/articles/" + "a" * 8000, "/feeds/all/archive/99999999999999999999.atom",
                                  "/topics/..%2f..%2fetc", "/feeds/%2e%2e/all.atom", "/articles/\u00e9"])
async def test_odd_paths_are_404(client, path):
    """Undecodable, traversing and overlong paths are not found, not a 500."""
    assert (await client.get(path)).status == 404


async def test_an_authorization_header_that_is_not_utf8_is_401(api):
    """Invalid UTF-8 in the token must not crash the constant-time comparison."""
    request = raw_post("/api/articles", b"Authorization: Bearer \xff\xfe\r\n")
    status, answer = await raw_request(api.server.port, request)
    assert status == 401, answer


# Item 8: headers in, headers out.

def page_style(html: str) -> str:
    match = re.search(r"<style>(.*?)</style>", html, re.DOTALL)
    assert match is not None
    return match.group(1)


@pytest.mark.parametrize("path", ["/", "/articles/002-3b1ee3ced2e6f8f0", "/outlets/impunity-watch",
                                  "/topics/syria", "/authors/shelby-vcelka"])
async def test_html_pages_allow_no_script_no_framing_and_no_referrer(client, path):
    """Pages need their own inline stylesheet and nothing else: a policy allowing just
    that keeps injected markup inert; no other site may frame them."""
    response = await client.get(path)
    assert response.status == 200
    policy = dict(directive.strip().split(" ", 1)
                  for directive in response.headers["Content-Security-Policy"].split(";"))
    style = page_style(await response.text())
    digest = b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode()
    assert policy["default-src"] == "'none'"
    assert policy["style-src"] == f"'sha256-{digest}'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'none'" and policy["form-action"] == "'self'"
    assert "script-src" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_every_response_forbids_sniffing(api, api_config):
    """Error bodies (404, 405, 410, 4xx from the API and the hub) are plain text and
    must stay so in a browser."""
    created = await api.post("/api/articles", data=STORY, headers={**AUTH, "X-Slug": "gone-soon"})
    assert (await api.delete("/api/articles/gone-soon", headers=AUTH)).status == 204
    responses = [
        created,
        await api.get("/nope"),
        await api.get("/articles/none"),
        await api.get("/articles/gone-soon"),
        await api.post("/feeds/all.atom"),
        await api.post("/api/articles", data=STORY),
        await api.post("/api/articles", data=b"", headers=AUTH),
        await api.post("/api/articles", data=STORY, headers={**AUTH, "Content-Encoding": "zstd"}),
        await api.post("/websub", data=b"hub.mode=x"),
        await api.get("/healthz"),
        await api.get("/feeds/all.atom"),
    ]
    assert [response.status for response in responses] == [201, 404, 404, 410, 405, 401, 400, 415, 415, 200, 200]
    for response in responses:
        assert response.headers.get("X-Content-Type-Options") == "nosniff", response.status


@pytest.mark.parametrize("header", ["X-Id", "X-Title", "X-Author", "X-Outlet", "X-Published", "X-Updated",
                                    "X-Topics", "X-Slug"])
@pytest.mark.parametrize("breaker", ["\u2028", "\u2029", "\x85"])
async def test_a_metadata_header_with_a_line_break_is_400(api, api_config, header, breaker):
    """``X-Title: B<U+2028>id: x`` wrote a second front matter line, setting the id."""
    before = snapshot(api_config.articles_dir)
    response = await api.post("/api/articles", data=STORY,
                              headers={**AUTH, header: f"Bold{breaker}id: injected"})
    assert response.status == 400, await response.text()
    assert header in await response.text()
    assert snapshot(api_config.articles_dir) == before


@pytest.mark.parametrize("value", [b"B\xff\xfeold", b"B\xed\xa0\x80x", b"B\xef\xbf\xbex"])
async def test_a_metadata_header_that_is_not_text_is_400(api, api_config, value):
    """Bytes that are not UTF-8 (or name a non-character) cannot be front matter."""
    before = snapshot(api_config.articles_dir)
    status, answer = await raw_request(api.server.port, raw_post(
        "/api/articles", b"Authorization: Bearer " + TOKEN.encode() + b"\r\nX-Title: " + value + b"\r\n"))
    assert status == 400, answer
    assert snapshot(api_config.articles_dir) == before


@pytest.mark.parametrize("value", ["A\x01B", "A\x1bB", "A\x7fB", "A\x9bB", "A\ufffeB"])
async def test_a_front_matter_value_with_a_control_character_is_400(api, api_config, value):
    """Control characters in the body's front matter would reach the feeds' XML."""
    before = snapshot(api_config.articles_dir)
    body = f"---\ntitle: {value}\n---\n".encode() + STORY
    response = await api.post("/api/articles", data=body, headers=AUTH)
    assert response.status == 400, await response.text()
    assert "title" in await response.text()
    assert snapshot(api_config.articles_dir) == before


@pytest.mark.parametrize("key", ["id", "title", "author", "outlet", "topics"])
async def test_a_metadata_value_too_long_for_a_feed_url_is_400(api, api_config, key):
    """An outlet or author of 200,000 characters made a feed whose URL no server
    accepts (aiohttp's limit is 8190 bytes a line); values are bounded at the API."""
    before = snapshot(api_config.articles_dir)
    for value in ("x" * 200_000, "x" * 1001):
        response = await api.post("/api/articles", data=f"---\n{key}: {value}\n---\n".encode() + STORY, headers=AUTH)
        assert response.status == 400, await response.text()
    response = await api.post("/api/articles", data=STORY, headers={**AUTH, f"X-{key.title()}": "x" * 5000})
    assert response.status == 400
    assert snapshot(api_config.articles_dir) == before
    # A name is bounded tighter than other values: it makes a URL of its own.
    longest = MAX_NAME_LENGTH if key in ("author", "outlet") else 1000
    response = await api.post("/api/articles", data=STORY, headers={**AUTH, f"X-{key.title()}": "x" * (longest + 1)})
    assert response.status == 400
    response = await api.post("/api/articles", data=STORY, headers={**AUTH, f"X-{key.title()}": "x" * longest})
    assert response.status == 201
    for path in re.findall(r'href="http://127\.0\.0\.1:8080(/feeds/[^"]+\.atom)"',
                           await (await api.get(f"/articles/{(await response.json())['slug']}")).text()):
        assert (await api.get(path)).status == 200, path


@pytest.mark.parametrize("breaker", ["\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"])
def test_front_matter_is_never_written_with_a_line_a_value_could_add(breaker):
    """The second line of defence: whatever the caller checked, no value, and no key,
    can write a line of its own."""
    with pytest.raises(ParseError):
        format_front_matter({"title": f"B{breaker}id: x"})
    with pytest.raises(ParseError):
        format_front_matter({f"id{breaker}title": "x"})
    with pytest.raises(ParseError):
        format_front_matter({"title": "B\x00"})
    front = {"title": "B\tC", "author": "Ren\u00e9e Dupont"}
    assert split_front_matter(format_front_matter(front) + "text\n") == (front, "\ntext\n")


async def test_the_slug_header_wins_over_the_front_matter(api):
    """README: headers win over the front matter, ``X-Slug`` included."""
    body = b"---\nslug: from-the-body\n---\n" + STORY
    response = await api.post("/api/articles", data=body, headers={**AUTH, "X-Slug": "from-the-header"})
    assert response.status == 201
    assert response.headers["Location"] == f"{BASE}/articles/from-the-header"
    assert (await api.get("/articles/from-the-body")).status == 404


async def test_a_put_whose_slug_header_differs_from_the_url_is_400(api, api_config):
    """The URL names the article a PUT replaces; a contradicting ``X-Slug`` is a mistake."""
    before = snapshot(api_config.articles_dir)
    response = await api.put("/api/articles/alpha", data=STORY, headers={**AUTH, "X-Slug": "beta"})
    assert response.status == 400
    assert snapshot(api_config.articles_dir) == before
    assert (await api.put("/api/articles/alpha", data=STORY, headers={**AUTH, "X-Slug": "alpha"})).status == 200


async def test_a_body_within_api_max_bytes_meets_feedsrvs_own_limits(aiohttp_client, tmp_path, monkeypatch):
    """Past aiohttp's default client_max_size (1 MiB), a body within api.max_bytes is
    taken; one whose file would pass site.max_article_bytes gets feedsrv's 413."""
    monkeypatch.delenv("FEEDSRV_API_TOKEN", raising=False)
    config = live_config(tmp_path / "articles", api_token=TOKEN, api_max_bytes=3 << 20, max_article_bytes=2 << 20)
    client = await aiohttp_client(create_app(config, watch=False))
    large = sized(DATED + STORY, (3 << 19))
    assert (await client.post("/api/articles", data=io.BytesIO(large), headers=AUTH)).status == 201
    too_large = sized(DATED + STORY, (2 << 20) - 10)
    response = await client.post("/api/articles", data=io.BytesIO(too_large),
                                 headers={**AUTH, "X-Outlet": "Geneva Post"})
    text = await response.text()
    assert response.status == 413, text
    assert "site.max_article_bytes" in text and "Maximum request body size" not in text


async def test_a_large_article_is_parsed_off_the_event_loop(aiohttp_client, tmp_path, monkeypatch):
    """Parsing takes about a quarter of a second per MiB: in the event loop, one
    large body held every other request that long."""
    monkeypatch.delenv("FEEDSRV_API_TOKEN", raising=False)
    limit = 512 << 10
    config = live_config(tmp_path / "articles", api_token=TOKEN, api_max_bytes=limit, max_article_bytes=limit)
    client = await aiohttp_client(create_app(config, watch=False))
    # Made before the probe starts: the test's own work in the loop is no stall of the server's.
    body = sized(STORY, limit)
    async with StallProbe() as probe:
        # Parsed, then refused: the publication date feedsrv adds takes it past the limit.
        response = await client.post("/api/articles", data=body, headers=AUTH)
        assert response.status == 413
    assert probe.worst()[1] < STALL_LIMIT, probe.longest


# Acceptance: the event loop and the publishing API under hostile input.

async def test_hostile_requests_never_stall_the_event_loop(api, brotli_bomb, gzip_bomb):
    """While bombs, corrupt bodies and oversized headers arrive, authenticated or not,
    the event loop never goes more than STALL_LIMIT without a turn."""
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    attacks = []
    for name, bomb, coding in (("br", brotli_bomb, "br"), ("gzip", gzip_bomb, "gzip")):
        encoding = {"Content-Encoding": coding}
        attacks += [
            (f"{name} bomb to /healthz", "GET", "/healthz", bomb, encoding),
            (f"{name} bomb to a feed", "GET", "/feeds/all.atom", bomb, encoding),
            (f"{name} bomb to an unknown path", "POST", "/nope", bomb, encoding),
            (f"{name} bomb to the API without a token", "POST", "/api/articles", bomb, encoding),
            (f"{name} bomb to the API with the token", "POST", "/api/articles", bomb, {**AUTH, **encoding}),
            (f"{name} bomb in a PUT with the token", "PUT", "/api/articles/alpha", bomb, {**AUTH, **encoding}),
            (f"{name} bomb to the hub", "POST", "/websub", bomb, {**form, **encoding}),
        ]
    attacks += [
        ("invalid gzip to the API", "POST", "/api/articles", b"\x1f\x8b" + bytes(4096), {
            **AUTH, "Content-Encoding": "gzip"}),
        ("long Accept-Encoding", "GET", "/feeds/all.atom", None, {
            "Accept-Encoding": ", ".join(f"x{n};q=0.{n % 10}" for n in range(2000))[:8000]}),
        ("long If-None-Match", "GET", "/feeds/all.atom", None, {
            "If-None-Match": ", ".join(f'W/"{n:030x}"' for n in range(300))[:8000]}),
        ("overflowing If-Modified-Since", "GET", "/feeds/all.atom", None, {
            "If-Modified-Since": "Fri, 01 Jan " + "9" * 7000 + " 00:00:00 GMT"}),
        ("a hundred long headers", "GET", "/feeds/all.atom", None, {
            f"X-Padding-{n}": "p" * 8000 for n in range(100)}),
    ]
    async with StallProbe() as probe:
        for label, method, path, body, headers in attacks:
            probe.label = label
            response = await api.request(method, path, data=body, headers=headers)
            await response.read()
            assert response.status < 500, (label, response.status)
            await asyncio.sleep(0.02)  # whatever the server does after answering
    label, longest = probe.worst()
    report = {name: f"{seconds * 1000:.1f} ms" for name, seconds in probe.longest.items()}
    print(f"longest stall: {longest * 1000:.1f} ms ({label}); by request: {report}")
    assert longest < STALL_LIMIT, report


METADATA_HEADERS = {"id": "X-Id", "title": "X-Title", "author": "X-Author", "outlet": "X-Outlet",
                    "published": "X-Published", "updated": "X-Updated", "topics": "X-Topics", "slug": "X-Slug"}
OFFSETS = st.builds(timezone, st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timedelta(minutes=minutes)))
# Values of every kind for every key (any text, a date, a list of slugs, a known
# trick), and for each key the kind it expects, so that many requests succeed and
# their feeds are checked too.
ANY_VALUE = st.one_of(
    st.text(max_size=30),
    st.datetimes(timezones=st.none() | OFFSETS).map(datetime.isoformat),
    st.dates().map(date.isoformat),
    st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True), max_size=4).map(", ".join),
    st.sampled_from(["Bold\u2028id: injected", "Bold\u2029author: X", "B\x85C", "---", "title: x", " ", "syria",
                     "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "Ren\u00e9e Dupont",
                     "\u202eevil", "<script>alert(1)</script>", "&amp;", "]]>", "a" * 1000, "x" * 5000]),
)
WORDS = st.text(alphabet=st.characters(categories=("L", "M", "N", "P", "S", "Zs")), min_size=1, max_size=60)
DATES = st.one_of(st.datetimes(timezones=st.none() | OFFSETS).map(datetime.isoformat), st.dates().map(date.isoformat),
                  st.sampled_from(["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "0001-01-01",
                                   "9999-12-31"]))
EXPECTED = {"id": WORDS, "title": WORDS, "author": WORDS, "outlet": WORDS, "published": DATES, "updated": DATES,
            "topics": st.lists(st.sampled_from(["syria", "russia", "diplomacy", "other"]), max_size=3).map(",".join),
            "slug": st.from_regex(r"[a-z0-9]{1,20}(?:-[a-z0-9]{1,20}){0,3}", fullmatch=True)}
VALUES = {key: expected | ANY_VALUE for key, expected in EXPECTED.items()}
# What aiohttp's client refuses to put in a header: such values are sent as raw bytes.
UNSENDABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f]")
METADATA = st.fixed_dictionaries({}, optional=VALUES)
HEADER_METADATA = st.fixed_dictionaries({}, optional={
    key: values.filter(lambda value: "\r" not in value and "\n" not in value) for key, values in VALUES.items()})


def test_any_metadata_gives_a_well_formed_feed_or_a_4xx_that_writes_nothing(tmp_path, monkeypatch):
    """Any value, for any metadata key, in a header or in the front matter, of a POST
    or a PUT: either a 2xx after which every feed and page of the article is
    well-formed and lists it, or a 4xx with the directory byte for byte as it was.
    Never a 5xx."""
    monkeypatch.delenv("FEEDSRV_API_TOKEN", raising=False)
    config = live_config(tmp_path / "articles", api_token=TOKEN)
    loop = asyncio.new_event_loop()
    client = TestClient(TestServer(create_app(config, watch=False)), loop=loop)
    loop.run_until_complete(client.start_server())

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(headers=HEADER_METADATA, front=METADATA, method=st.sampled_from(["POST", "PUT"]))
    def publish(headers: dict[str, str], front: dict[str, str], method: str) -> None:
        loop.run_until_complete(check_one(client, config.articles_dir, headers, front, method))

    try:
        publish()
    finally:
        loop.run_until_complete(client.close())
        loop.close()


async def check_one(client: TestClient, directory: Path, headers: dict[str, str], front: dict[str, str],
                    method: str) -> None:
    """One publication with ``headers`` and ``front`` matter; what it must give."""
    before = snapshot(directory)
    lines = "".join(f"{key}: {value}\n" for key, value in front.items())
    body = (f"---\n{lines}---\n" if front else "").encode() + STORY
    sent = {METADATA_HEADERS[key]: value for key, value in headers.items()}
    path = "/api/articles" if method == "POST" else "/api/articles/probe"
    if any(UNSENDABLE.search(value) for value in sent.values()):
        raw = b"".join(f"{name}: ".encode() + value.encode() + b"\r\n" for name, value in {**AUTH, **sent}.items())
        status, text = await raw_request(client.server.port, raw_post(path, raw, body, method=method))
    else:
        response = await client.request(method, path, data=body, headers={**AUTH, **sent})
        status, text = response.status, await response.read()
    assert status < 500, text
    if status >= 300:
        assert 400 <= status < 500, text
        assert snapshot(directory) == before, text
        return
    slug = json.loads(text)["slug"]
    try:
        await check_served(client, slug)
    finally:
        assert (await client.delete(f"/api/articles/{slug}", headers=AUTH)).status == 204
    assert snapshot(directory) == before


async def check_served(client: TestClient, slug: str) -> None:
    """The article is in every format of the feed of everything, its page answers,
    and every feed the page announces is well-formed."""
    url = f"{BASE}/articles/{slug}"
    atom = await client.get("/feeds/all.atom")
    assert atom.status == 200
    document = etree.fromstring(await atom.read())
    assert url in [link.get("href") for link in document.iter(f"{ATOM}link")]
    rss = await client.get("/feeds/all.rss")
    assert url in [link.text for link in etree.fromstring(await rss.read()).iter("link")]
    items = json.loads(await (await client.get("/feeds/all.json")).read())["items"]
    assert url in [item["url"] for item in items]
    page = await client.get(f"/articles/{slug}")
    assert page.status == 200
    html = await page.text()
    for feed in re.findall(r'<link rel="alternate" type="application/atom\+xml" title="[^"]*" href="([^"]+)">', html):
        announced = await client.get(feed.removeprefix(BASE))
        assert announced.status == 200, feed
        etree.fromstring(await announced.read())
