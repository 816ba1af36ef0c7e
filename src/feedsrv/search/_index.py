"""The embedded search engine: an SQLite FTS5 table in memory over every entry's
title, bylines and body, kept in step with the catalog served.

Results come newest first without sorting every match: an entry's rowid is its
publication second shifted left, plus a number telling apart entries of the same
second, so FTS5 walks its doclists in descending rowid order and stops once the
limit is reached. A filter's dates bound that walk (as rowids), and its other
parameters are asked of each match on the way, so a filtered search stops at its
limit of matches that pass too. Entries of the last second reached are all read
and ordered as the catalog orders them (:func:`~feedsrv.catalog.sort_key`), so
the order is exactly the feeds' own.

One connection serves every thread, behind a lock; SQLite's progress handler
stops a query past its time limit, so no query holds the lock for long. The
handler runs between virtual machine steps, which FTS5 takes once per row it
returns: the time spent inside one step (a doclist merged) is bounded by the query
parser's limits on terms and prefixes instead.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from ..catalog import sort_key
from ..model import Entry
from ._query import Query, SearchQueryError, fts5_expression, snippet

# Entries of one publication second get consecutive rowids from second << _SHIFT.
_SHIFT = 20
_ORIGIN = datetime(1900, 1, 1, tzinfo=UTC)
# SQLite virtual machine steps between two looks at the clock: a few per row returned.
_PROGRESS_STEPS = 100


@dataclass(frozen=True, slots=True)
class Hit:
    """One result: the entry, and with snippets asked for, the matched part of its
    text (:func:`~feedsrv.search._query.snippet`)."""

    entry: Entry
    snippet: str | None = None


class SearchTimeout(SearchQueryError):
    """A query that ran past its time limit and was stopped."""


class FtsIndex:
    """Entries in an FTS5 table (see the module documentation)."""

    def __init__(self, time_limit: float) -> None:
        """``time_limit``: seconds a query may run before it is stopped."""
        self.time_limit = time_limit
        self._db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        # remove_diacritics 2: "Zürich" and "Zurich" are one word, as the query parser reads them.
        # Contentless: the entries hold the text already; nothing is ranked, so no
        # column sizes either.
        self._db.execute("CREATE VIRTUAL TABLE entries USING fts5("
                         "title, authors, body, content = '', columnsize = 0, "
                         "tokenize = 'unicode61 remove_diacritics 2')")
        self._lock = threading.Lock()
        self._deadline = float("inf")
        self._db.set_progress_handler(self._past_deadline, _PROGRESS_STEPS)
        self._entries: dict[str, Entry] = {}
        self._rowids: dict[str, int] = {}
        self._by_rowid: dict[int, Entry] = {}

    def close(self) -> None:
        """Free the table."""
        with self._lock:
            self._db.close()

    def __len__(self) -> int:
        return len(self._entries)

    def sync(self, entries_by_slug: Mapping[str, Entry]) -> int:
        """Make the table hold exactly ``entries_by_slug``: entries of unchanged
        files are the very objects indexed, so only changed ones are written.
        Returns how many were written or removed."""
        with self._lock:
            gone = [slug for slug in self._entries if slug not in entries_by_slug]
            changed = [entry for slug, entry in entries_by_slug.items() if self._entries.get(slug) is not entry]
            if not gone and not changed:
                return 0
            self._db.execute("BEGIN")
            try:
                self._remove([*gone, *(entry.slug for entry in changed if entry.slug in self._entries)])
                self._add(changed)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            return len(gone) + len(changed)

    def _remove(self, slugs: Iterable[str]) -> None:
        rows = []
        for slug in slugs:
            entry = self._entries.pop(slug)
            rowid = self._rowids.pop(slug)
            del self._by_rowid[rowid]
            rows.append((rowid, *_columns(entry)))
        # A contentless table forgets a row given the very values it indexed.
        self._db.executemany("INSERT INTO entries (entries, rowid, title, authors, body) "
                             "VALUES ('delete', ?, ?, ?, ?)", rows)

    def _add(self, entries: Iterable[Entry]) -> None:
        # A generator: the texts of a whole history at once would be as large as the
        # articles on disk, and stay in the process once freed (docs/benchmarks.md,
        # "Search").
        self._db.executemany("INSERT INTO entries (rowid, title, authors, body) VALUES (?, ?, ?, ?)",
                             (self._place(entry) for entry in entries))

    def _place(self, entry: Entry) -> tuple[int, str, str, str]:
        """Give ``entry`` its rowid and the row to index."""
        rowid = _rowid_base(entry.published)
        while rowid in self._by_rowid:
            rowid += 1
        self._entries[entry.slug] = self._by_rowid[rowid] = entry
        self._rowids[entry.slug] = rowid
        return (rowid, *_columns(entry))

    def search(self, query: Query, limit: int, *, snippets: bool = False,
               keep: Callable[[Entry], bool] | None = None,
               published_from: datetime | None = None, published_before: datetime | None = None) -> list[Hit]:
        """The ``limit`` newest entries matching ``query`` (and, with ``keep``,
        passing it; published from ``published_from`` and before
        ``published_before`` when given), newest first; raises
        :class:`SearchTimeout` when the query runs past the time limit."""
        expression = fts5_expression(query)
        with self._lock:
            self._deadline = time.monotonic() + self.time_limit
            try:
                entries = self._search(expression, limit, keep, published_from, published_before)
            except sqlite3.OperationalError as exc:
                if "interrupted" in str(exc):
                    raise SearchTimeout("q", f"the search took longer than {self.time_limit:g} s; "
                                             "try rarer words") from None
                raise
            finally:
                self._deadline = float("inf")
        if not snippets:
            return [Hit(entry) for entry in entries]
        return [Hit(entry, snippet(query, (entry.title, *entry.body))) for entry in entries]

    def _search(self, expression: str, limit: int, keep: Callable[[Entry], bool] | None,
                published_from: datetime | None, published_before: datetime | None) -> list[Entry]:
        # Dates outside the index's range share the rowids of its ends, so the bounds
        # only narrow the walk; ``keep`` checks the dates exactly.
        low = _rowid_base(published_from) if published_from is not None else 0
        high = _rowid_base(published_before) if published_before is not None else 1 << 62
        rows = self._db.execute("SELECT rowid FROM entries WHERE entries MATCH ? AND rowid >= ? AND rowid < ? "
                                "ORDER BY rowid DESC", (expression, low, high))
        entries: list[Entry] = []
        last_second = None
        try:
            # Rows are stepped one at a time: the walk ends where the results do.
            for (rowid,) in rows:
                if last_second is not None and rowid >> _SHIFT != last_second:
                    break
                entry = self._by_rowid[rowid]
                if keep is None or keep(entry):
                    entries.append(entry)
                    # The rest of the last second reached is read too: its entries
                    # sort by more than the second.
                    if len(entries) == limit:
                        last_second = rowid >> _SHIFT
        finally:
            rows.close()
        return sorted(entries, key=sort_key, reverse=True)[:limit]

    def _past_deadline(self) -> int:
        # Non-zero interrupts the statement running.
        return int(time.monotonic() > self._deadline)


def _columns(entry: Entry) -> tuple[str, str, str]:
    return entry.title, "\n".join(entry.authors), "\n".join(entry.body)


def _rowid_base(published: datetime) -> int:
    seconds = int((published - _ORIGIN).total_seconds())
    # Dates are kept within 1900 to 2199; one outside still gets a place, at an end.
    return max(0, min(seconds, (1 << (62 - _SHIFT)) - 1)) << _SHIFT
