"""The publishing API: create, replace and delete articles over HTTP.

``POST /api/articles``, ``PUT /api/articles/<slug>`` and ``DELETE
/api/articles/<slug>`` take the article's plain text as the body, with optional
metadata in a front matter block or ``X-…`` headers, and a bearer token. Each
write lands in the articles directory atomically (see :mod:`feedsrv.publish`), or
with a database in one transaction of its own (see :mod:`feedsrv.store`), and the
response is sent once the served feeds include it. Without a token the routes do
not exist, so the API answers 404 like any unknown path.

With a database, a write may carry an ``Idempotency-Key`` (see :mod:`.idempotency`):
sent again, it is answered as the first time instead of written again, on whichever
instance. Without one the header is a ``400``: the key would be remembered by one
process only, and a retry reaching another (``serve --workers``) would write again.
"""

from __future__ import annotations

import asyncio
import errno
import hmac
import json
import logging
import os
import stat
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from aiohttp import web

from ..config import MAX_SLUG_LENGTH, SiteConfig, name_slug
from ..errors import DatabaseError, ParseError
from ..model import Entry, PublishedFrom
from ..parse import decode_article, format_front_matter, parse_file_text, split_front_matter, unsafe_character
from ..publish import (
    article_file,
    is_slug,
    remove_durably,
    remove_stale_temporaries,
    slug_from_title,
    unique_slug,
    write_atomically,
)
from ..site import Site
from ..store import (
    Answer,
    ArticleVersion,
    IdTakenError,
    KeyedRequest,
    KeyInFlightError,
    KeyReusedError,
    StoreWriter,
    Written,
)
from ..urls import API_ARTICLE_ROUTE, API_ARTICLES, api_article_path, article_path
from .bodies import (
    ACCEPTED_CODINGS,
    BodyTooLargeError,
    CorruptBodyError,
    UnsupportedCodingError,
    UnsupportedTransferCodingError,
    read_body,
)
from .idempotency import IDEMPOTENCY_HEADER, REPLAYED_HEADER, idempotency_key, request_fingerprint
from .live import LIVE, serve_store_changes

log = logging.getLogger(__name__)

# Request headers that set a front matter field; they win over the body's block.
METADATA_HEADERS = {"X-Id": "id", "X-Title": "title", "X-Author": "author", "X-Outlet": "outlet",
                    "X-Published": "published", "X-Updated": "updated", "X-Topics": "topics"}
SLUG_HEADER = "X-Slug"
# Read by the API only, never stored: a file's name is its slug.
SLUG_FIELD = "slug"
# A date read from nowhere but the file's modification time would move with every
# copy or touch of the file, so the API pins it in the front matter.
UNSTATED_DATES: tuple[PublishedFrom, ...] = ("mtime", "none")
# A metadata value is a name, a date or a short list: an outlet or author name
# becomes part of a feed's URL, which clients and servers cap at a few kilobytes.
MAX_VALUE_LENGTH = 1000
# How long a client is asked to wait after the database was lost: the followers
# reconnect well within it.
RETRY_AFTER_SECONDS = 5


@dataclass(frozen=True, slots=True)
class Publisher:
    """The API's settings and the lock that serializes its writes to files, so that
    two requests never pick the same new slug or interleave a write and a reload.
    With a ``writer``, writes go to the database instead, whose constraints keep
    them apart: the lock is not taken."""

    token: str
    max_bytes: int
    writer: StoreWriter | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


PUBLISHER = web.AppKey("publisher", Publisher)


def api_token(config: SiteConfig, environ: Mapping[str, str] = os.environ) -> str | None:
    """The API's bearer token: the ``api.token_env`` variable when set, else
    ``api.token``; None (the API is off) when neither gives one."""
    return (environ.get(config.api_token_env) or "").strip() or config.api_token or None


def setup_api(app: web.Application, config: SiteConfig, token: str, *, writer: StoreWriter | None = None) -> None:
    """Add the API routes to ``app``, guarded by ``token``; with ``writer``, they
    write to its database (which the app serves, see :func:`create_app`), closed
    with the app."""
    if writer is None:
        # A writer killed mid-write leaves a temporary file: it was never acknowledged.
        for path in remove_stale_temporaries(config.articles_dir):
            log.info("removed %s, left by an interrupted write", path)
    else:
        async def close_writer(app: web.Application) -> None:
            await asyncio.to_thread(writer.close)

        app.on_cleanup.append(close_writer)
    app[PUBLISHER] = Publisher(token=token, max_bytes=config.api_max_bytes, writer=writer)
    app.router.add_post(API_ARTICLES, create_article)
    app.router.add_put(API_ARTICLE_ROUTE, replace_article)
    app.router.add_delete(API_ARTICLE_ROUTE, delete_article)


async def create_article(request: web.Request) -> web.Response:
    """``POST /api/articles``: publish a new article; ``201`` with its page as ``Location``.

    The slug comes from ``X-Slug``, else a ``slug`` front matter field (``409`` when
    taken), else from the title, made unique.
    """
    publisher = authorize(request)
    key = _request_key(request, publisher)
    body = await _read_body(request, publisher.max_bytes)
    if publisher.writer is not None:
        return await _create_stored(request, publisher.writer, body, key)
    async with publisher.lock:
        site = await _current(request)
        front, text = await asyncio.to_thread(_metadata, body, request.headers)
        wanted = _wanted_slug(front, request.headers)
        taken = _files_by_slug(site).keys() | site.catalog.entries_by_slug.keys()
        if wanted is not None:
            _check_slug(wanted)
            if wanted in taken:
                raise _taken_response(wanted)
            slug = wanted
        else:
            draft = await _parse(site, _article_bytes(site, front, text),
                                 article_file(site.config.articles_dir, "draft"))
            slug = unique_slug(slug_from_title(draft.title), taken)
        entry = await _write(request, site, article_file(site.config.articles_dir, slug), front, text, None)
    return _entry_response(entry, site.config, status=201)


async def replace_article(request: web.Request) -> web.Response:
    """``PUT /api/articles/<slug>``: replace an article (``200``) or create it at
    that slug (``201``)."""
    publisher = authorize(request)
    key = _request_key(request, publisher)
    slug = request.match_info["slug"]
    _check_slug(slug)
    body = await _read_body(request, publisher.max_bytes)
    if publisher.writer is not None:
        return await _replace_stored(request, publisher.writer, slug, body, key)
    async with publisher.lock:
        site = await _current(request)
        front, text = await asyncio.to_thread(_metadata, body, request.headers)
        _check_same_slug(slug, front, request.headers)
        existing = _sole_file(site, slug)
        target = existing or article_file(site.config.articles_dir, slug)
        entry = await _write(request, site, target, front, text, site.catalog.entries_by_slug.get(slug))
    return _entry_response(entry, site.config, status=200 if existing else 201)


async def delete_article(request: web.Request) -> web.Response:
    """``DELETE /api/articles/<slug>``: remove an article; ``204``. Its feeds drop it,
    and its page (and any feed left empty) answers ``410 Gone``."""
    publisher = authorize(request)
    key = _request_key(request, publisher)
    slug = request.match_info["slug"]
    if publisher.writer is not None:
        return await _delete_stored(request, publisher.writer, slug, key)
    async with publisher.lock:
        site = await _current(request)
        path = _sole_file(site, slug)
        previous = None if path is None else await asyncio.to_thread(_read_if_present, path)
        if path is None or previous is None:
            raise web.HTTPNotFound(text=f"404: no article {article_path(slug)}\n")
        await asyncio.to_thread(remove_durably, path)
        site = await _reload_or_restore(request, path, previous)
        if slug in site.catalog.entries_by_slug:
            await _restore(request, path, previous)
            raise _server_error(f"{path.name} was deleted but is still served; it is back as it was")
    return web.Response(status=204)


def _wanted_slug(front: dict[str, str], headers: Mapping[str, str]) -> str | None:
    """The slug a new article asks for, taken out of ``front``; None to make one
    from the title. Headers win over the front matter, the slug's as any other."""
    from_body = front.pop(SLUG_FIELD, None)
    return headers.get(SLUG_HEADER, from_body)


def _check_same_slug(slug: str, front: dict[str, str], headers: Mapping[str, str]) -> None:
    """``400`` when the front matter or ``X-Slug`` name a slug other than the URL's;
    the front matter's is taken out of ``front``."""
    if front.pop(SLUG_FIELD, slug) != slug:
        raise web.HTTPBadRequest(text="400: the front matter's slug differs from the URL's\n")
    if headers.get(SLUG_HEADER, slug) != slug:
        raise web.HTTPBadRequest(text=f"400: {SLUG_HEADER} differs from the URL's slug\n")


def _taken_response(slug: str) -> web.HTTPConflict:
    return web.HTTPConflict(text=f"409: {article_path(slug)} exists; PUT {api_article_path(slug)} replaces it\n")


def _request_key(request: web.Request, publisher: Publisher) -> str | None:
    """The request's ``Idempotency-Key`` (``400`` when malformed, or sent to an API
    without a database, see the module's docstring); None when it sends none."""
    key = idempotency_key(request.headers)
    if key is not None and publisher.writer is None:
        raise web.HTTPBadRequest(text=f"400: {IDEMPOTENCY_HEADER} is honoured only with a database "
                                      "(store.database_url); to send a request again safely, name the slug "
                                      "(X-Slug) or PUT it\n")
    return key


@dataclass(frozen=True, slots=True)
class _Retry:
    """A request sent with an ``Idempotency-Key``: the key, the request's
    fingerprint, and the response recorded for the key (None: none is yet)."""

    key: str
    fingerprint: str
    response: web.Response | None

    def keyed(self, answer: Callable[[Written], Answer]) -> KeyedRequest:
        """The key for the writer, recording ``answer`` of the write."""
        return KeyedRequest(self.key, self.fingerprint, answer)


async def _recorded(request: web.Request, writer: StoreWriter, key: str | None, body: bytes) -> _Retry | None:
    """A keyed request as a :class:`_Retry`; None for a request without a key.
    ``422`` when the key answered another request."""
    if key is None:
        return None
    fingerprint = request_fingerprint(request.method, request.path, body, request.headers,
                                      (*METADATA_HEADERS, SLUG_HEADER))
    with _store_errors():
        answer = await asyncio.to_thread(writer.recorded, key, fingerprint)
    return _Retry(key, fingerprint, None if answer is None else await _replay(request, answer))


async def _create_stored(request: web.Request, writer: StoreWriter, body: bytes, key: str | None) -> web.Response:
    """``POST`` with a database: the slug is the first the database takes, trying the
    title's with the suffixes :func:`unique_slug` gives until one is free."""
    retry = await _recorded(request, writer, key, body)
    if retry is not None and retry.response is not None:
        return retry.response
    site = request.app[LIVE].site
    front, text = await asyncio.to_thread(_metadata, body, request.headers)
    wanted = _wanted_slug(front, request.headers)
    if wanted is not None:
        _check_slug(wanted)
        base = wanted
    else:
        draft = await _parse(site, _article_bytes(site, front, text), Path("draft.txt"))
        base = slug_from_title(draft.title)

    def store() -> tuple[Written | Answer, ArticleVersion]:
        now = _now()
        with _store_errors():
            # Known to be taken; the insert decides for the rest.
            taken = set() if wanted is not None else writer.live_slugs(base)
            while True:
                slug = base if wanted is not None else unique_slug(base, taken)
                version = _stored_version(site, article_file(Path(), slug).name, dict(front), text, None, now)
                keyed = None if retry is None else retry.keyed(
                    partial(_written_answer, version.entry, site.config, lambda _: 201))
                written = writer.create(slug, version, keyed)
                if written is not None:
                    return written, version
                if wanted is not None:
                    raise _taken_response(wanted)
                taken.add(slug)

    written, version = await asyncio.to_thread(store)
    if isinstance(written, Answer):
        return await _replay(request, written)
    served = await _serve_stored(request, written, version.name)
    return _respond(_entry_answer(version.entry, site.config, 201), served=served is not None)


async def _replace_stored(request: web.Request, writer: StoreWriter, slug: str, body: bytes,
                          key: str | None) -> web.Response:
    """``PUT`` with a database: the article keeps the file name it was stored under."""
    retry = await _recorded(request, writer, key, body)
    if retry is not None and retry.response is not None:
        return retry.response
    site = request.app[LIVE].site
    front, text = await asyncio.to_thread(_metadata, body, request.headers)
    _check_same_slug(slug, front, request.headers)
    existing = _sole_file(site, slug)
    name = existing.name if existing is not None else article_file(Path(), slug).name
    previous = site.catalog.entries_by_slug.get(slug)
    version = await asyncio.to_thread(_stored_version, site, name, front, text, previous, _now())
    keyed = None if retry is None else retry.keyed(partial(_written_answer, version.entry, site.config, _put_status))
    with _store_errors():
        written = await asyncio.to_thread(writer.replace, slug, version, keyed)
    if written is None:
        raise web.HTTPConflict(text=f"409: {article_path(slug)} is held by an article this instance does not "
                                    "serve yet; try again\n")
    if isinstance(written, Answer):
        return await _replay(request, written)
    served = await _serve_stored(request, written, name)
    return _respond(_entry_answer(version.entry, site.config, _put_status(written)), served=served is not None)


async def _delete_stored(request: web.Request, writer: StoreWriter, slug: str, key: str | None) -> web.Response:
    """``DELETE`` with a database: a tombstone, so every instance answers ``410``."""
    retry = await _recorded(request, writer, key, b"")
    if retry is not None and retry.response is not None:
        return retry.response
    keyed = None if retry is None else retry.keyed(lambda _: Answer(204, None, b""))
    with _store_errors():
        written = await asyncio.to_thread(writer.delete, slug, keyed)
    if written is None:
        raise web.HTTPNotFound(text=f"404: no article {article_path(slug)}\n")
    if isinstance(written, Answer):
        return await _replay(request, written)
    served = await _serve_committed(request)
    if served is None:
        return _deleted_unserved(slug)
    if slug in served.catalog.entries_by_slug:
        raise _server_error(f"{article_path(slug)} was deleted but is still served")
    return web.Response(status=204)


def _deleted_unserved(slug: str) -> web.Response:
    return web.Response(status=202, text=f"202: {article_path(slug)} is deleted; this instance will stop "
                                         "serving it once it reaches the database again\n")


def _put_status(written: Written) -> int:
    return 201 if written.created else 200


def _written_answer(entry: Entry, config: SiteConfig, status: Callable[[Written], int], written: Written) -> Answer:
    """The answer to record for the write ``written`` of ``entry``."""
    return _entry_answer(entry, config, status(written))


async def _replay(request: web.Request, answer: Answer) -> web.Response:
    """The answer recorded for a key, given again once this instance serves the
    changes committed so far (the write may be another instance's): as ever,
    ``202`` when the database could not be read back."""
    served = await _serve_committed(request)
    return _respond(answer, served=served is not None, replayed=True)


def _stored_version(site: Site, name: str, front: dict[str, str], text: str, previous: Entry | None,
                    now: datetime) -> ArticleVersion:
    data, entry = _version(site, Path(name), front, text, previous, now)
    return ArticleVersion(name, data, front, now, entry)


async def _serve_stored(request: web.Request, written: Written, name: str) -> Entry | None:
    """The entry of the committed write ``written`` (of the article stored as
    ``name``) once this instance serves it, or a later change of it; None when the
    database could not be read back (see :func:`_serve_committed`)."""
    served = await _serve_committed(request)
    if served is None:
        return None
    state = served.loaded.files.get(name)
    if (state is None or state.entry is None or state.key[0] < written.change
            or served.catalog.entries_by_slug.get(written.slug) is not state.entry):
        raise _server_error(f"{article_path(written.slug)} was stored (change {written.change}) but is not served")
    return state.entry


async def _serve_committed(request: web.Request) -> Site | None:
    """The site served once it holds the changes committed so far; None when the
    database cannot be read, tried twice (a connection lost since its last use,
    as after a restart of the server, is dropped by the first try).

    A committed write is never answered ``503``: a client would send it again,
    and a POST sent again is a second article. It is ``202`` instead: stored,
    served here (and elsewhere) once the followers reach the database."""
    for attempt in (1, 2):
        try:
            return await serve_store_changes(request.app)
        except DatabaseError as exc:
            log.warning("publishing: stored, but not read back (try %d): %s", attempt, exc)
    return None


def _server_error(message: str) -> web.HTTPInternalServerError:
    """A ``500`` saying ``message``, which the log says too: it is a bug to look into."""
    log.error("publishing: %s", message)
    return web.HTTPInternalServerError(text=f"500: {message}\n")


@contextmanager
def _store_errors() -> Iterator[None]:
    """The responses to the database's refusals: ``503`` with ``Retry-After`` for a
    database that cannot be reached, ``409`` for a declared id another article
    holds or a key whose write is under way, ``422`` for a key sent with another
    request (as draft-ietf-httpapi-idempotency-key-header has them)."""
    try:
        yield
    except DatabaseError as exc:
        log.warning("publishing: %s", exc)
        raise web.HTTPServiceUnavailable(headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                                         text=f"503: {exc}; try again\n") from None
    except IdTakenError as exc:
        raise web.HTTPConflict(text=f"409: the id {exc.declared!r} is taken by {article_path(exc.holder)}; "
                                    "declare another or none\n") from None
    except KeyInFlightError:
        raise web.HTTPConflict(headers={"Retry-After": "1"},
                               text=f"409: a request with this {IDEMPOTENCY_HEADER} is being written; send it "
                                    "again in a moment for its answer\n") from None
    except KeyReusedError:
        raise web.HTTPUnprocessableEntity(text=f"422: this {IDEMPOTENCY_HEADER} was sent with another request "
                                               "(method, URL, body or metadata headers); use a new key for a new "
                                               "request\n") from None


async def _current(request: web.Request) -> Site:
    # The directory as it is now, not as the watcher last saw it: a slug must be
    # free on disk, and a file dropped a moment ago must be found by its slug.
    return await request.app[LIVE].reload()


def authorize(request: web.Request) -> Publisher:
    """The API's settings, once ``request`` carries the API's bearer token; else
    ``401`` with ``WWW-Authenticate``. Every route guarded by the token uses it."""
    publisher = request.app[PUBLISHER]
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise web.HTTPUnauthorized(headers={"WWW-Authenticate": 'Bearer realm="feedsrv"'},
                                   text="401: send Authorization: Bearer <token>\n")
    # Constant time, so response timing does not reveal how much of a guess was right.
    # aiohttp keeps bytes that are not UTF-8 as surrogates: they are compared as sent.
    if not hmac.compare_digest(given.strip().encode("utf-8", "surrogateescape"), publisher.token.encode("utf-8")):
        raise web.HTTPUnauthorized(headers={"WWW-Authenticate": 'Bearer realm="feedsrv", error="invalid_token"'},
                                   text="401: wrong token\n")
    return publisher


async def _read_body(request: web.Request, limit: int) -> bytes:
    try:
        return await read_body(request, limit)
    except UnsupportedCodingError as exc:
        raise web.HTTPUnsupportedMediaType(headers={"Accept-Encoding": ", ".join(ACCEPTED_CODINGS)},
                                           text=f"415: {exc.message}; send {', '.join(ACCEPTED_CODINGS)} "
                                                "or no Content-Encoding\n") from None
    except UnsupportedTransferCodingError as exc:
        raise web.HTTPNotImplemented(text=f"501: {exc.message}; send the body as it is, or chunked\n") from None
    except BodyTooLargeError as exc:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=limit + 1,
                                            text=f"413: {exc.message}\n") from None
    except CorruptBodyError as exc:
        raise web.HTTPBadRequest(text=f"400: {exc.message}\n") from None


def _metadata(body: bytes, headers: Mapping[str, str]) -> tuple[dict[str, str], str]:
    """The body's front matter fields overridden by the metadata headers, and the
    text. Run in a worker thread, as :func:`_parse` is: decoding a large body takes
    the event loop's time otherwise."""
    try:
        text, _warnings = decode_article(body, source="request body")
    except ParseError as exc:
        raise web.HTTPBadRequest(text=f"400: {exc.message}\n") from None
    front, text = split_front_matter(text)
    for key, value in front.items():
        _check_value(f"the front matter's {key}", value)
    for header in (*METADATA_HEADERS, SLUG_HEADER):
        sent = headers.get(header)
        if sent is not None:
            _check_value(header, sent)
            if header in METADATA_HEADERS:
                front[METADATA_HEADERS[header]] = sent.strip()
    return front, text


def _check_value(where: str, value: str) -> None:
    """``400`` for a metadata value no front matter line can hold (see
    :func:`~feedsrv.sources.unsafe_character`), or longer than
    :data:`MAX_VALUE_LENGTH`, before anything else looks at it."""
    if len(value) > MAX_VALUE_LENGTH:
        raise web.HTTPBadRequest(text=f"400: {where} is {len(value)} characters long, over {MAX_VALUE_LENGTH}\n")
    character = unsafe_character(value)
    if character is None:
        return
    # aiohttp keeps header bytes that are not UTF-8 as surrogates.
    what = "bytes that are not UTF-8" if "\ud800" <= character <= "\udfff" else f"U+{ord(character):04X}"
    raise web.HTTPBadRequest(text=f"400: {where} holds {what}: metadata is one line of text, without line "
                                  "breaks or control characters\n")


def _check_slug(slug: str) -> None:
    if not is_slug(slug):
        shown = repr(slug) if len(slug) <= 60 else f"{slug[:60]!r}… ({len(slug)} characters)"
        raise web.HTTPBadRequest(text=f"400: {shown} is not a slug: at most {MAX_SLUG_LENGTH} lower-case "
                                      "letters, digits and single hyphens\n")


def _files_by_slug(site: Site) -> dict[str, list[Path]]:
    """Every article file by the slug of its URL, skipped files included, so a broken
    article can be replaced or deleted too; a slug several files claim lists them all."""
    found: dict[str, list[Path]] = {}
    for name, state in site.loaded.files.items():
        path = Path(name)
        found.setdefault(state.entry.slug if state.entry else name_slug(path.stem), []).append(path)
    return found


def _sole_file(site: Site, slug: str) -> Path | None:
    """The file holding ``/articles/<slug>``, None when there is none.

    Raises ``409`` when several files claim the slug: writing or deleting one of them
    would leave another served, or not the one written.
    """
    paths = _files_by_slug(site).get(slug, [])
    if len(paths) > 1:
        names = ", ".join(sorted(path.name for path in paths))
        raise web.HTTPConflict(text=f"409: {len(paths)} files claim {article_path(slug)} ({names}); only one is "
                                    "served: rename or remove the others first\n")
    return paths[0] if paths else None


def _article_bytes(site: Site, front: Mapping[str, str], text: str) -> bytes:
    """The file for ``front`` and ``text``; ``413`` when the loader would skip it as too large."""
    try:
        data = (format_front_matter(front, source="request") + text).encode("utf-8")
    except ParseError as exc:
        raise web.HTTPBadRequest(text=f"400: {exc.message}\n") from None
    limit = site.config.max_article_bytes
    if len(data) > limit:
        raise web.HTTPRequestEntityTooLarge(
            max_size=limit, actual_size=len(data),
            text=f"413: with its front matter the article would be a file of {len(data)} bytes, over "
                 f"site.max_article_bytes ({limit} bytes)\n")
    return data


async def _parse(site: Site, data: bytes, path: Path) -> Entry:
    # In a worker thread: parsing takes time in proportion to the article, and the
    # interpreter hands the event loop a turn now and then meanwhile.
    return await asyncio.to_thread(_parse_now, site, data, path, _now())


def _parse_now(site: Site, data: bytes, path: Path, modified: datetime) -> Entry:
    try:
        return parse_file_text(data, path, site.config, modified=modified)
    except ParseError as exc:
        raise web.HTTPBadRequest(text=f"400: {exc.message}\n") from None


def _version(site: Site, target: Path, front: dict[str, str], text: str, previous: Entry | None,
             now: datetime) -> tuple[bytes, Entry]:
    """The bytes to store for ``front`` and ``text`` at ``target``, replacing
    ``previous``, and their entry; dates are pinned in ``front``. Raises the
    response to send (``400``, ``409``, ``413``) when they cannot be stored. Run in
    a worker thread: it parses up to three times."""
    entry = _parse_now(site, _article_bytes(site, front, text), target, now)
    if "published" not in front and entry.published_from in UNSTATED_DATES:
        front["published"] = (previous.published if previous else now).isoformat()
        entry = _parse_now(site, _article_bytes(site, front, text), target, now)
    if previous is not None and "updated" not in front and entry.updated <= previous.updated:
        if replace(entry, updated=previous.updated) != previous:
            # An edit that states no update time gets one, so that clients polling
            # with If-Modified-Since see it too: a later one, even within the second
            # (Last-Modified has one-second resolution).
            front["updated"] = max(now, previous.updated + timedelta(seconds=1)).isoformat()
        elif entry.updated < previous.updated:
            # The same text sent again keeps the time of the edit that brought it.
            front["updated"] = previous.updated.isoformat()
    data = _article_bytes(site, front, text)
    entry = _parse_now(site, data, target, now)
    owner = site.loaded.ids.get(entry.id)
    if owner is not None and owner != str(target):
        raise web.HTTPConflict(text=f"409: the id {entry.id!r} is taken by {Path(owner).name}; "
                                    "declare another or none\n")
    return data, entry


async def _write(request: web.Request, site: Site, target: Path, front: dict[str, str], text: str,
                 previous: Entry | None) -> Entry:
    """Decide the file's bytes, check them, write them and reload; return the entry as
    served.

    Every check is made on the very bytes written, before writing them, so an error
    response means the file is as it was: should the reload still refuse the file
    (changed meanwhile by someone else) or fail, the previous version is put back
    first.
    """
    data, _ = await asyncio.to_thread(_version, site, target, front, text, previous, _now())
    old = await asyncio.to_thread(_read_if_present, target)
    await asyncio.to_thread(write_atomically, target, data)
    served = await _reload_or_restore(request, target, old)
    state = served.loaded.files.get(str(target))
    if state is None or state.error is not None or state.entry is None:
        problem = state.error if state is not None and state.error else "not read"
    elif served.catalog.entries_by_slug.get(state.entry.slug) is not state.entry:
        problem = "its URL or id is taken"
    else:
        return state.entry
    await _restore(request, target, old)
    raise _server_error(f"{target.name} was written but is not served ({problem}); the previous version is back")


def _read_if_present(path: Path) -> bytes | None:
    """The bytes of the article file at ``path``, kept to put back should the change
    fail; None when there is none. Raises ``409`` for a link or a file that is not
    regular (a FIFO): read through, it would hand a file from elsewhere to the
    restore, and the loader never serves it anyway; the operator removes it."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        raise _not_regular(path, "a symbolic link") from None
    with open(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise _not_regular(path, "not a regular file")
        return stream.read()


def _not_regular(path: Path, kind: str) -> web.HTTPConflict:
    return web.HTTPConflict(text=f"409: {path.name} is {kind}, which the API neither replaces nor deletes; "
                                 "remove it by hand first\n")


async def _reload_or_restore(request: web.Request, path: Path, previous: bytes | None) -> Site:
    """Serve the change just made to ``path``; should that fail, put ``path`` back as
    it was (``previous``, or no file) before the error goes on to be a 500."""
    try:
        return await request.app[LIVE].reload(changed=[str(path)])
    except Exception:
        await _restore(request, path, previous)
        raise


async def _restore(request: web.Request, path: Path, data: bytes | None) -> None:
    """Put ``path`` back as it was (``data``, or no file) and serve that."""
    if data is None:
        await asyncio.to_thread(remove_durably, path)
    else:
        await asyncio.to_thread(write_atomically, path, data)
    await request.app[LIVE].reload(changed=[str(path)])


def _entry_response(entry: Entry, config: SiteConfig, *, status: int) -> web.Response:
    return _respond(_entry_answer(entry, config, status))


def _respond(answer: Answer, *, served: bool = True, replayed: bool = False) -> web.Response:
    """The response giving ``answer``; ``202`` instead when the write is stored but
    not ``served`` here yet (see :func:`_serve_committed`)."""
    status = answer.status if served else 202
    headers = {"Location": answer.location} if answer.location is not None and status in (201, 202) else {}
    if replayed:
        headers[REPLAYED_HEADER] = "true"
    if not answer.body:
        if status == 202:
            return web.Response(status=202, headers=headers, text="202: stored; this instance will serve it "
                                                                   "once it reaches the database again\n")
        return web.Response(status=status, headers=headers)
    return web.Response(status=status, headers=headers, body=answer.body, content_type="application/json",
                        charset="utf-8")


def _entry_answer(entry: Entry, config: SiteConfig, status: int) -> Answer:
    """The answer about ``entry``: the entry as served, and its page for ``Location``."""
    url = config.url(article_path(entry.slug))
    body = json.dumps({
        "slug": entry.slug,
        "url": url,
        "title": entry.title,
        "authors": list(entry.authors),
        "outlet": entry.outlet,
        "published": entry.published.isoformat(),
        "updated": entry.updated.isoformat(),
        "topics": list(entry.topics),
        "warnings": list(entry.warnings),
    })
    # Sent with a 201, or a 202 should the write not be served here yet.
    return Answer(status, url, body.encode("utf-8"))


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
