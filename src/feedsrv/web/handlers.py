"""Request handlers. Responses are assembled from bytes and headers the Site rendered
once (at build, or on the first request for the path)."""

from __future__ import annotations

import os
import time

from aiohttp import web
from aiohttp.typedefs import Handler

from ..representations import Resource
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
        _check_polling(request)
    return resource_response(request, resource)


def _check_polling(request: web.Request) -> None:
    gate = request.app[POLL_GATE]
    # Revalidations, the bulk of a feed's requests, are let through before the
    # path is read.
    if gate.interval <= 0 or is_conditional(request.headers):
        return
    # Only subscription documents are polled; an archive page is fetched once.
    address = parse_feed_path(request.path)
    if address is None or address.archive is not None:
        return
    wait = gate.wait(request.remote, request.path, request.headers)
    if wait:
        stats = request.app[STATS_COLLECTOR]
        if stats is not None:
            stats.refused(request.path, request.remote, request.headers.get("User-Agent", ""))
        raise web.HTTPTooManyRequests(
            headers={"Retry-After": str(wait), "Cache-Control": "no-store"},
            text=f"429: {request.path} was fetched whole less than {gate.interval:g} s ago: send the ETag "
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
