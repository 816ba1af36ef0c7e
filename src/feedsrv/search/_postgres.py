"""The search engine of instances sharing a database: PostgreSQL full-text search
over the stored articles (``search_documents``, schema 6), which every write
keeps in step in its own transaction, so an article is searchable once committed.

The database finds the matching articles; they are ordered newest first as the
catalog orders them, from the entries the instance serves (an article the
instance does not serve yet is left out until it does). The tsquery is written
from the query's tree with quoted lexemes and passed as a parameter; each query
runs under a ``statement_timeout`` of the search's time limit.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable
from itertools import islice

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

# Matching one entry in this many or more, the catalog is walked rather than the
# matches sorted (see _newest).
_WALK_SHARE = 8
_HEADLINE = f"StartSel={SNIPPET_START}, StopSel={SNIPPET_END}, MaxWords=24, MinWords=12"


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
                raise SearchTimeout("q", f"the search took longer than {self.time_limit:g} s; "
                                         "try rarer words") from None
            except psycopg.Error as exc:
                self._close()
                raise DatabaseError(describe(self.url), f"search failed: {exc}") from None

    def _search(self, site: Site, text: str, limit: int, snippets: bool, keep: Callable[[Entry], bool]) -> list[Hit]:
        if self._connection is None:
            self._connection = connect(self.url)
        connection = self._connection
        with connection.transaction():
            connection.execute("SELECT set_config('statement_timeout', %s, true)",
                               (f"{max(1, round(self.time_limit * 1000))}ms",))
            slugs = connection.execute(
                "SELECT slug FROM search_documents WHERE words @@ to_tsquery('simple', %s)",
                (text,)).fetchall()
            entries = _newest(site, {slug for (slug,) in slugs}, limit, keep)
            if not snippets or not entries:
                return [Hit(entry) for entry in entries]
            marks: dict[str, str] = dict(connection.execute(
                "SELECT slug, ts_headline('simple', articles_plain_text(source, metadata), "
                "to_tsquery('simple', %s), %s) FROM articles WHERE slug = ANY(%s)",
                (text, _HEADLINE, [entry.slug for entry in entries])).fetchall())
        return [Hit(entry, marks.get(entry.slug)) for entry in entries]

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def close(self) -> None:
        """Close the connection, if one is open."""
        with self._lock:
            self._close()


def _newest(site: Site, slugs: set[str], limit: int, keep: Callable[[Entry], bool]) -> list[Entry]:
    """The ``limit`` newest of ``site``'s entries among ``slugs`` that ``keep`` takes.

    A common word matches most of the history: the catalog, newest first already,
    is then walked until ``limit`` are found, a few steps for each, where sorting
    every match took the most of the search. Few matches are sorted."""
    entries = site.catalog.entries
    if len(slugs) * _WALK_SHARE >= len(entries):
        return list(islice((entry for entry in entries if entry.slug in slugs and keep(entry)), limit))
    served = site.catalog.entries_by_slug
    return heapq.nlargest(limit, (entry for slug in slugs if (entry := served.get(slug)) is not None and keep(entry)),
                          key=sort_key)

