"""The search engine of instances sharing a database: PostgreSQL full-text search
over the stored articles (``search_documents``, schema 6), which every write
keeps in step in its own transaction, so an article is searchable once committed.

The order searched in is the instance's own: the catalog's (publication time,
then update time, then id, all of them the parser's), which the database does
not hold, and only the entries the instance serves (an article it does not serve
yet is left out until it does). So that the work is bounded by the limit rather
than by the matches, the catalog's newest entries are asked first:

- the newest ``2 × limit`` entries' slugs go to the database, which says which
  of them match (by primary key, each one's words checked): a common word has
  its results there;
- else the GIN index finds the matches, at most :data:`MATCHES_SORTED_HERE` of
  them (or four times the limit, when more): a query with no more than that has
  them all, ordered here as the catalog orders them;
- else the word is common but not among the newest: the catalog is walked on,
  newest first, in windows four times larger each, until ``limit`` are found.

The tsquery is written from the query's tree with quoted lexemes and passed as a
parameter; the statements of one search run under a ``statement_timeout`` of what
is left of the search's time limit.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable, Sequence

import psycopg
from psycopg.rows import TupleRow

from ..catalog import sort_key
from ..errors import DatabaseError
from ..filters import FeedFilter
from ..model import Entry
from ..site import Site
from ..store import connect, describe
from ._index import Hit, SearchTimeout
from ._query import SNIPPET_END, SNIPPET_START, Query, tsquery_text

_HEADLINE = f"StartSel={SNIPPET_START}, StopSel={SNIPPET_END}, MaxWords=24, MinWords=12"
# Matches of a query ordered here at most (see the module documentation): GIN
# finds them without reading their words, where a window reads each entry's.
MATCHES_SORTED_HERE = 5000
# The first window of newest entries is this many times the limit, each next one
# this many times the one before.
_FIRST_WINDOW_PER_RESULT = 2
_WINDOW_GROWTH = 4


class DatabaseEngine:
    """Searches the database at ``url`` (see the module documentation)."""

    def __init__(self, url: str, time_limit: float) -> None:
        self.url = url
        self.time_limit = time_limit
        self._connection: psycopg.Connection[TupleRow] | None = None
        self._lock = threading.Lock()

    def sync(self, site: Site) -> None:
        """Nothing to do: every write keeps the database's words in step."""

    def search(self, site: Site, query: Query, limit: int, *, snippets: bool, feed_filter: FeedFilter) -> list[Hit]:
        """The ``limit`` newest of ``site``'s entries the database finds for
        ``query`` that pass ``feed_filter``; raises :class:`SearchTimeout` past the
        time limit and :class:`~feedsrv.errors.DatabaseError` when the database
        cannot be reached."""
        keep = feed_filter.accepts(site.catalog)
        if keep is None:
            return []
        text = tsquery_text(query)
        with self._lock:
            try:
                return self._search(site, text, limit, snippets, keep)
            except psycopg.errors.QueryCanceled:
                raise self._timeout() from None
            except psycopg.Error as exc:
                self._close()
                raise DatabaseError(describe(self.url), f"search failed: {exc}") from None

    def _search(self, site: Site, text: str, limit: int, snippets: bool, keep: Callable[[Entry], bool]) -> list[Hit]:
        if self._connection is None:
            self._connection = connect(self.url)
        connection = self._connection
        deadline = time.monotonic() + self.time_limit
        with connection.transaction():
            entries = self._newest_matches(connection, site, text, limit, keep, deadline)
            if not snippets or not entries:
                return [Hit(entry) for entry in entries]
            self._time_left(connection, deadline)
            marks: dict[str, str] = dict(connection.execute(
                "SELECT slug, ts_headline('simple', articles_plain_text(source, metadata), "
                "to_tsquery('simple', %s), %s) FROM articles WHERE slug = ANY(%s)",
                (text, _HEADLINE, [entry.slug for entry in entries])).fetchall())
        return [Hit(entry, marks.get(entry.slug)) for entry in entries]

    def _newest_matches(self, connection: psycopg.Connection[TupleRow], site: Site, text: str, limit: int,
                        keep: Callable[[Entry], bool], deadline: float) -> list[Entry]:
        """The ``limit`` newest of ``site``'s entries matching ``text`` that ``keep``
        takes (see the module documentation)."""
        newest_first = site.catalog.entries
        window = _FIRST_WINDOW_PER_RESULT * limit
        found = self._matching(connection, newest_first[:window], text, keep, deadline)
        if len(found) >= limit or window >= len(newest_first):
            return found[:limit]
        most = max(MATCHES_SORTED_HERE, 4 * limit)
        self._time_left(connection, deadline)
        slugs = connection.execute(
            "SELECT slug FROM search_documents WHERE words @@ to_tsquery('simple', %s) LIMIT %s",
            (text, most + 1)).fetchall()
        if len(slugs) <= most:
            served = site.catalog.entries_by_slug
            return heapq.nlargest(limit, (entry for (slug,) in slugs
                                          if (entry := served.get(slug)) is not None and keep(entry)), key=sort_key)
        start = window
        while len(found) < limit and start < len(newest_first):
            window *= _WINDOW_GROWTH
            found.extend(self._matching(connection, newest_first[start:start + window], text, keep, deadline))
            start += window
        return found[:limit]

    def _matching(self, connection: psycopg.Connection[TupleRow], entries: Sequence[Entry], text: str,
                  keep: Callable[[Entry], bool], deadline: float) -> list[Entry]:
        """Those of ``entries`` that ``keep`` takes and whose words match ``text``, in
        their order; the filter first, so the database reads only their words."""
        kept = [entry for entry in entries if keep(entry)]
        if not kept:
            return []
        self._time_left(connection, deadline)
        matched = {slug for (slug,) in connection.execute(
            "SELECT slug FROM search_documents WHERE slug = ANY(%s) AND words @@ to_tsquery('simple', %s)",
            ([entry.slug for entry in kept], text))}
        return [entry for entry in kept if entry.slug in matched]

    def _time_left(self, connection: psycopg.Connection[TupleRow], deadline: float) -> None:
        """Let the next statements of the transaction run until ``deadline`` at most;
        raise :class:`SearchTimeout` when it has passed."""
        left = round((deadline - time.monotonic()) * 1000)
        if left <= 0:
            raise self._timeout()
        connection.execute("SELECT set_config('statement_timeout', %s, true)", (f"{left}ms",))

    def _timeout(self) -> SearchTimeout:
        return SearchTimeout("q", f"the search took longer than {self.time_limit:g} s; try rarer words")

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def close(self) -> None:
        """Close the connection, if one is open."""
        with self._lock:
            self._close()
