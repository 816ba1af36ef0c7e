"""The search routes: ``/search`` (the HTML page) and ``/feeds/search.{atom,rss,json}``.

Answers come from :class:`~feedsrv.search.Search`, in a worker thread (a query or
a render never holds the event loop), and go out through the same
:func:`~feedsrv.web.handlers.resource_response` as every feed: ETag,
Last-Modified, ``304``, gzip and brotli alike. A request that cannot be searched
is a ``400`` whose plain-text body names the parameter at fault, as the API's do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from ..config import SiteConfig
from ..errors import DatabaseError
from ..live import LiveSite
from ..render import FORMATS
from ..representations import HTML_TYPE, PAGE_HEADERS
from ..search import (
    SEARCH_KEY,
    DatabaseEngine,
    Engine,
    MemoryEngine,
    Search,
    SearchQueryError,
    parse_search,
    render_search_page,
)
from ..urls import SEARCH, feed_path, is_feed_extension
from .handlers import check_polling, resource_response

log = logging.getLogger(__name__)

SEARCH_APP = web.AppKey("search", Search)
# Seconds a client is asked to wait when the database is lost.
DATABASE_RETRY_AFTER = 5
_POLICY = "Content-Security-Policy"
# The search page submits its form to itself: the one form the site's pages have.
SEARCH_PAGE_POLICY = PAGE_HEADERS[_POLICY].replace("form-action 'none'", "form-action 'self'")


def setup_search(app: web.Application, config: SiteConfig, live: LiveSite, *, database: str | None = None) -> Search:
    """Mount the search routes on ``app`` (before the routes of the Site's paths,
    which would take ``/feeds/search.atom`` for a feed key) and bring the engine in
    step with the served site in the background once the app starts; searches wait
    for it. The engine is the database at the URL ``database`` when given, else
    the FTS5 index in memory."""
    engine: Engine = (MemoryEngine(config.search_time_limit) if database is None
                      else DatabaseEngine(database, config.search_time_limit))
    search = Search(live, engine, cache_size=config.search_cache_size)
    app[SEARCH_APP] = search
    app.router.add_get(SEARCH, search_page)
    extensions = "|".join(FORMATS)
    app.router.add_get(feed_path(SEARCH_KEY, "atom").replace(".atom", f".{{extension:{extensions}}}"), search_feed)
    app.cleanup_ctx.append(_indexing)
    return search


async def _indexing(app: web.Application) -> AsyncIterator[None]:
    search = app[SEARCH_APP]
    # Indexed before any search needs it, without holding start-up back.
    first = asyncio.create_task(asyncio.to_thread(search.current))
    yield
    await asyncio.wait([first])
    await asyncio.to_thread(search.close)


async def search_feed(request: web.Request) -> web.Response:
    """``/feeds/search.{atom,rss,json}?q=…&limit=…``: the newest articles matching
    ``q`` (and passing the filter of every feed, ``?topic=…&since=…``), as a feed
    in that format."""
    search = request.app[SEARCH_APP]
    extension = request.match_info["extension"]
    assert is_feed_extension(extension), "the route takes the feed formats' extensions only"
    try:
        wanted = parse_search(request.query.items(), search.live.site.config)
    except SearchQueryError as exc:
        return bad_request(exc)
    # Polled like every feed, per canonical query, and refused before the search runs.
    if request.method == "GET":
        check_polling(request, wanted.feed_path(extension))
    try:
        resource = await asyncio.to_thread(search.feed, wanted, extension)
    except SearchQueryError as exc:
        return bad_request(exc)
    except DatabaseError as exc:
        return unavailable(exc)
    response = resource_response(request, resource)
    # As for a filtered feed: the one URL of what was asked for, on a 304 too.
    response.headers["Content-Location"] = search.live.site.config.url(resource.path)
    return response


async def search_page(request: web.Request) -> web.Response:
    """``/search?q=…``: the search form, with the results of ``q`` when given; the
    form alone, with the reason, as a ``400`` for a request that cannot be searched."""
    search = request.app[SEARCH_APP]
    config = search.live.site.config
    parameters = list(request.query.items())
    if all(name == "q" and not value.strip() for name, value in parameters) and len(parameters) <= 1:
        response = resource_response(request, render_search_page(config, None, ()))
    else:
        try:
            wanted = parse_search(parameters, config)
            response = resource_response(request, await asyncio.to_thread(search.page, wanted))
        except SearchQueryError as exc:
            body = render_search_page(config, None, (), exc).identity.body
            response = web.Response(status=400, body=body, headers={
                **PAGE_HEADERS, "Content-Type": HTML_TYPE, "Cache-Control": "no-store"})
        except DatabaseError as exc:
            return unavailable(exc)
    if _POLICY in response.headers:
        response.headers[_POLICY] = SEARCH_PAGE_POLICY
    return response


def bad_request(error: SearchQueryError) -> web.Response:
    """The ``400`` of a search that cannot be run, naming the parameter at fault."""
    return web.Response(status=400, text=f"400: {error}\n", headers={"Cache-Control": "no-store"})


def unavailable(error: DatabaseError) -> web.Response:
    """The ``503`` of a search the database could not answer (the feeds are still
    served, from memory)."""
    log.warning("search: %s", error)
    return web.Response(status=503, text="503: the search's database cannot be reached; try again later\n",
                        headers={"Cache-Control": "no-store", "Retry-After": str(DATABASE_RETRY_AFTER)})
