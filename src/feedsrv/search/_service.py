"""The search of a served site: an engine kept in step with the Site being served,
and the search documents rendered once per request and catalog state.

The engine follows :class:`~feedsrv.live.LiveSite`: every swap is passed on to it
before the swap's listeners are done (so before the publishing API answers, which
waits for them), and every search first brings it up to the Site served now, so a
search never answers from an older catalog than the feeds do. Each search document
(a feed in one format, or the page) is rendered once for the catalog served and
kept, the least recently used dropped past ``search.cache_size``; a new catalog
drops them all, as any of them may have changed.

Everything here blocks (queries, rendering): the web layer calls it in a worker
thread.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Protocol

from ..filters import FeedFilter
from ..live import LiveSite
from ..representations import Resource
from ..site import Site
from ..urls import FeedExtension
from ._feeds import SearchRequest, parse_topic, render_search_feed, render_search_page
from ._index import FtsIndex, Hit
from ._query import Query, SearchQueryError


class Engine(Protocol):
    """What runs the queries: the FTS5 index in memory, or the database."""

    def sync(self, site: Site) -> None:
        """Take ``site``'s articles as the ones to search."""

    def search(self, site: Site, query: Query, limit: int, *, snippets: bool, feed_filter: FeedFilter) -> list[Hit]:
        """The ``limit`` newest of ``site``'s entries matching ``query`` that pass
        ``feed_filter`` (its own limit aside); raises :class:`SearchQueryError` for
        a query that ran too long."""

    def close(self) -> None:
        """Let go of what the engine holds."""


class MemoryEngine:
    """The embedded engine: :class:`FtsIndex` over the catalog's entries."""

    def __init__(self, time_limit: float) -> None:
        self.index = FtsIndex(time_limit)

    def sync(self, site: Site) -> None:
        """Index what changed in ``site``'s catalog."""
        self.index.sync(site.catalog.entries_by_slug)

    def search(self, site: Site, query: Query, limit: int, *, snippets: bool, feed_filter: FeedFilter) -> list[Hit]:
        """Search the index (in step with ``site``), its walk bounded by the
        filter's dates and each match asked whether it passes the filter."""
        keep = feed_filter.accepts(site.catalog)
        if keep is None:
            return []
        published_from, published_before = feed_filter.published_window
        return self.index.search(query, limit, snippets=snippets, keep=keep, published_from=published_from,
                                 published_before=published_before)

    def close(self) -> None:
        """Free the index."""
        self.index.close()


class Search:
    """The search of the Site ``live`` serves (see the module documentation); also
    what the WebSub hub asks about search feeds as topics."""

    def __init__(self, live: LiveSite, engine: Engine, *, cache_size: int) -> None:
        self.live = live
        self.engine = engine
        self._cache_size = cache_size
        self._cache: OrderedDict[str, Resource] = OrderedDict()
        self._synced: Site | None = None
        # One sync at a time; the cache is read and written under its own lock.
        self._sync_lock = threading.Lock()
        self._cache_lock = threading.Lock()
        live.add_listener(self._site_replaced)

    async def _site_replaced(self, old: Site, new: Site) -> None:
        await asyncio.to_thread(self.current)

    def current(self) -> Site:
        """The Site served now, with the engine in step with it."""
        site = self.live.site
        if self._synced is site:
            return site
        with self._sync_lock:
            site = self.live.site
            if self._synced is not site:
                self.engine.sync(site)
                with self._cache_lock:
                    self._cache.clear()
                    self._synced = site
        return site

    def feed(self, request: SearchRequest, extension: FeedExtension) -> Resource:
        """The search feed of ``request`` in one format, for the Site served now."""
        return self._document(request.feed_path(extension), lambda site: render_search_feed(
            site.config, request, extension, self.engine.search(
                site, request.query, request.limit, snippets=False, feed_filter=request.feed_filter)))

    def page(self, request: SearchRequest) -> Resource:
        """The search page of ``request``, results with their snippets."""
        return self._document(request.page_path, lambda site: render_search_page(
            site.config, request, self.engine.search(
                site, request.query, request.limit, snippets=True, feed_filter=request.feed_filter)))

    def _document(self, key: str, render: Callable[[Site], Resource]) -> Resource:
        site = self.current()
        with self._cache_lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        resource = render(site)
        with self._cache_lock:
            # Kept only while its catalog is the one served.
            if self._synced is site and self._cache_size:
                self._cache[key] = resource
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return resource

    def cached(self) -> int:
        """How many documents are kept rendered."""
        with self._cache_lock:
            return len(self._cache)

    # -- WebSub: search feeds are topics like any feed ------------------------------

    def is_topic(self, url: str) -> bool:
        """Whether ``url`` is the canonical self link of a search feed."""
        return parse_topic(url, self.live.site.config) is not None

    def topic_resource(self, url: str) -> Resource | None:
        """The search feed ``url`` names, as served now; None if it names none, or
        cannot be run now (past its time limit)."""
        topic = parse_topic(url, self.live.site.config)
        if topic is None:
            return None
        extension, request = topic
        try:
            return self.feed(request, extension)
        except SearchQueryError:
            return None

    def topic_etags(self, urls: Iterable[str]) -> dict[str, str]:
        """The current ETag of each search feed among ``urls``: its topic changed
        when its tag did."""
        etags = {}
        for url in urls:
            resource = self.topic_resource(url)
            if resource is not None:
                etags[url] = resource.identity.etag
        return etags

    def close(self) -> None:
        """Let go of the engine."""
        self.engine.close()
