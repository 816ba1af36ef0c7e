"""Request handlers. Responses are assembled from bytes and headers the Site rendered
once (at build, or on the first request for the path)."""

from __future__ import annotations

import os
import time
from urllib.parse import parse_qsl

from aiohttp import web
from aiohttp.typedefs import Handler

from ..filters import FilterError, parse_filter
from ..representations import Resource
from ..site import Site
from ..urls import is_feed_document, parse_feed_path
from .caching import CodingMemo, is_not_modified
from .live import LIVE, STORE_STATE, WATCHER
from .polling import PollGate, is_conditional
from .stats import STATS_COLLECTOR

CODING_MEMO = web.AppKey("coding_memo", CodingMemo)
# Counts the requests refused for polling too often (PollGate.refused).
POLL_GATE = web.AppKey("poll_gate", PollGate)
NOSNIFF = ("X-Content-Type-Options", "nosniff")


@web.middleware
async def nosniff(request: web.Request, handler: Handler) -> web.StreamResponse:
    """``X-Content-Type-Options: nosniff`` on every response, errors included (the
    site's representations carry it already): a browser must read a plain-text error
    body, which may echo part of the request, as plain text and never as HTML."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers.setdefault(*NOSNIFF)
        raise
    response.headers.setdefault(*NOSNIFF)
    return response


def resource_response(request: web.Request, resource: Resource) -> web.Response:
    """A 200 or 304 for ``resource``, with its caching headers and chosen coding;
    counted in the statistics when it is a feed document (and they are on)."""
    coding = request.app[CODING_MEMO].choose(request.headers.get("Accept-Encoding"), resource.variants)
    variant = resource.variants[coding]
    stats = request.app[STATS_COLLECTOR]
    if is_not_modified(request.headers, variant.etag, resource.last_modified):
        if stats is not None and is_feed_document(request.path):
            stats.served(request.path, 304, 0, 0, len(variant.body), request.remote,
                         request.headers.get("User-Agent", ""))
        return web.Response(status=304, headers=variant.not_modified_headers)
    if stats is not None and is_feed_document(request.path):
        size = len(variant.body)
        stats.served(request.path, 200, 0 if request.method == "HEAD" else size, len(resource.identity.body), size,
                     request.remote, request.headers.get("User-Agent", ""))
    return web.Response(body=variant.body, headers=variant.headers)


async def serve_resource(request: web.Request) -> web.Response:
    """Any path of the site: feeds and their archives, pages, the subscription list.

    A path not rendered yet is rendered here, in the event loop, once per Site: the
    largest document is an archive page of ``site.entries_per_feed`` full articles
    (its cost: docs/benchmarks.md, "Figures quoted from code comments"). A feed
    or article that was served earlier in this process and is not any more answers
    ``410 Gone``. A feed's subscription document fetched unconditionally again too
    soon by the same client answers ``429`` (:class:`~feedsrv.web.polling.PollGate`).
    """
    live = request.app[LIVE]
    site = live.site
    if request.query_string and is_feed_document(request.path):
        return _serve_filtered(request, site)
    if live.timings is not None and not site.is_rendered(request.path):
        started = time.perf_counter()
        resource = site.resource(request.path)
        if resource is not None:
            live.timings.rendered(time.perf_counter() - started)
    else:
        resource = site.resource(request.path)
    if resource is None:
        if site.is_gone(request.path):
            # 410 tells feed readers to unsubscribe rather than retry forever.
            raise web.HTTPGone(text=f"410: gone: {request.path} had articles once and has none now\n")
        raise web.HTTPNotFound(text=f"404: no such page: {request.path}\n")
    if request.method == "GET":
        check_polling(request, request.path)
    return resource_response(request, resource)


# Query parameters read at most: a feed takes six names, a few of them repeated.
_MAX_QUERY_FIELDS = 64


def _serve_filtered(request: web.Request, site: Site) -> web.Response:
    """A feed document with a query: the feed through the filter it names
    (:mod:`feedsrv.filters`), or ``400`` naming the parameter at fault.

    The canonical query names the resource (its self link, its cache slot, its
    ETag), and ``Content-Location`` says it; a query that filters nothing (blank
    form fields, the default limit) gets the feed itself. Counted in the statistics
    under the path without its query; polled per path and canonical query."""
    try:
        pairs = parse_qsl(request.query_string, keep_blank_values=True, max_num_fields=_MAX_QUERY_FIELDS)
    except ValueError:
        raise web.HTTPBadRequest(text=f"400: more than {_MAX_QUERY_FIELDS} query parameters\n") from None
    try:
        feed_filter = parse_filter(pairs, max_limit=site.config.entries_per_feed)
    except FilterError as error:
        raise web.HTTPBadRequest(text=f"400: {error.message}\n") from None
    address = parse_feed_path(request.path)
    if not feed_filter.canonical_query:
        resource = site.resource(request.path)
    elif address is not None and address.archive is not None:
        raise web.HTTPBadRequest(text=f"400: filters apply to the current feed documents only, not to archive "
                                      f"pages: {request.path}\n")
    else:
        timings = request.app[LIVE].timings
        started = time.perf_counter() if timings is not None and not site.is_filtered_rendered(
            request.path, feed_filter) else None
        resource = site.filtered_resource(request.path, feed_filter)
        if timings is not None and started is not None and resource is not None:
            timings.rendered(time.perf_counter() - started)
    if resource is None:
        if site.is_gone(request.path):
            raise web.HTTPGone(text=f"410: gone: {request.path} had articles once and has none now\n")
        raise web.HTTPNotFound(text=f"404: no such page: {request.path}\n")
    if request.method == "GET":
        check_polling(request, resource.path)
    response = resource_response(request, resource)
    # A 304 carries it too (RFC 9110 §15.4.5): the one URL of what was asked for.
    response.headers["Content-Location"] = site.config.url(resource.path)
    return response


def check_polling(request: web.Request, path: str) -> None:
    """Raise ``429 Too Many Requests`` for an unconditional GET of the subscription
    document ``path`` (its canonical path and query) that its client made too soon
    (:class:`~feedsrv.web.polling.PollGate`), counted in the statistics."""
    gate = request.app[POLL_GATE]
    # Revalidations, the bulk of a feed's requests, are let through before the
    # path is read.
    if gate.interval <= 0 or is_conditional(request.headers):
        return
    # Only subscription documents are polled; an archive page is fetched once.
    address = parse_feed_path(request.path)
    if address is None or address.archive is not None:
        return
    wait = gate.wait(request.remote, path, request.headers)
    if wait:
        stats = request.app[STATS_COLLECTOR]
        if stats is not None:
            stats.refused(request.path, request.remote, request.headers.get("User-Agent", ""))
        raise web.HTTPTooManyRequests(
            headers={"Retry-After": str(wait), "Cache-Control": "no-store"},
            text=f"429: {path} was fetched whole less than {gate.interval:g} s ago: send the ETag "
                 f"it came with in If-None-Match, or retry after {wait} s\n")


async def healthz(request: web.Request) -> web.Response:
    """Liveness and a summary of what is served; never cached. ``503`` once the
    watcher of the articles directory has stopped: the process still answers, but
    with articles that may be out of date, and a restart brings it back in step.

    With a database, ``store`` says whether the follower reached it at its latest
    try (``starting`` before the first): ``unreachable`` is still ``200``, as the
    articles are served from memory meanwhile, and the follower keeps trying."""
    site = request.app[LIVE].site
    watcher = request.app.get(WATCHER)
    stopped = watcher is not None and watcher.stopped
    store = request.app.get(STORE_STATE)
    store_fields = {} if store is None else {
        "store": {None: "starting", True: "reachable", False: "unreachable"}[store.reachable]}
    return web.json_response(
        {
            "status": "watcher stopped: changed articles are not served" if stopped else "ok",
            **store_fields,
            "articles": len(site.catalog.entries),
            "feeds": len(site.catalog.feeds),
            "skipped": len(site.loaded.errors),
            "warnings": len(site.loaded.warnings),
            "fingerprint": site.loaded.fingerprint,
            # Tells apart the workers of `feedsrv serve --workers N`.
            "pid": os.getpid(),
        },
        status=503 if stopped else 200,
        headers={"Cache-Control": "no-store"},
    )
