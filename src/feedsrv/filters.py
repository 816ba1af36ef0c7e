"""Filtered feeds (issue 15): a feed's entries narrowed by ``?topic=``, ``?outlet=``,
``?author=``, ``?since=``, ``?until=`` and ``?limit=``.

Pure: query parameters in, a :class:`FeedFilter` out, and the :class:`FilteredFeed`
it cuts from a feed. Values are matched as slugs against the catalog's slugs, never
as patterns: no user-supplied regular expression ever runs (RSSHub's ReDoS lesson).

Parameters combine with AND; a repeated ``topic``, ``outlet`` or ``author`` is an OR
among its values. An empty value is no value at all, so a GET form's blank fields
change nothing. A slug no entry carries gives an empty feed, not an error: a
subscriber to a topic or author yet to come keeps a valid URL; only a value that
cannot be a slug at all, a bad date or limit, a repeated single parameter or an
unknown one is refused, by a :class:`FilterError` naming the parameter.

Two spellings of one filter (parameters in another order, ``Syria`` for ``syria``,
a value twice, the default limit written out) have one :meth:`FeedFilter.canonical_query`,
which names the filtered feed: its self link, its cache slot and so its ETag.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, get_args
from urllib.parse import quote

from .catalog import EPOCH, Catalog, Feed, author_key, related_coverage
from .config import name_slug
from .errors import FeedsrvError
from .model import Entry
from .urls import FeedExtension, feed_key, feed_path, split_feed_key

# The parameters a feed takes, in the order of the canonical query.
Parameter = Literal["author", "limit", "outlet", "since", "topic", "until"]
PARAMETERS: tuple[Parameter, ...] = get_args(Parameter)
# Past this length a value is no name nor slug of this site (slugs are cut at 200
# characters), and refusing it bounds what a request makes the server do.
MAX_VALUE_LENGTH = 256
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


class FilterError(FeedsrvError):
    """A query parameter a feed cannot take; ``parameter`` names it."""

    def __init__(self, parameter: str, message: str) -> None:
        self.parameter = parameter
        self.reason = message
        self.message = f"{parameter}: {message}"
        super().__init__(self.message)


@dataclass(frozen=True, slots=True)
class FeedFilter:
    """What a feed's query asks: entries of any of ``topics`` (when given), of any of
    ``outlets``, by any of ``authors``, published from ``since`` to ``until``
    (inclusive, UTC dates), at most ``limit`` of them (None: the feed's page size)."""

    topics: frozenset[str] = frozenset()
    outlets: frozenset[str] = frozenset()
    authors: frozenset[str] = frozenset()
    since: date | None = None
    until: date | None = None
    limit: int | None = None

    @property
    def canonical_query(self) -> str:
        """The query string naming this filter, without ``?``: names in order, each
        repeated value sorted and once, the default limit left out, percent-encoded;
        empty for no filter at all."""
        pairs = [
            *(("author", slug) for slug in sorted(self.authors)),
            *([("limit", str(self.limit))] if self.limit is not None else []),
            *(("outlet", slug) for slug in sorted(self.outlets)),
            *([("since", self.since.isoformat())] if self.since is not None else []),
            *(("topic", slug) for slug in sorted(self.topics)),
            *([("until", self.until.isoformat())] if self.until is not None else []),
        ]
        return "&".join(f"{name}={quote(value, safe='')}" for name, value in pairs)

    @property
    def description(self) -> str:
        """The filter in words, for a feed's title: ``topic syria, since 2024-10-01``."""
        parts = [f"{name} {' or '.join(sorted(values))}" for name, values in
                 (("topic", self.topics), ("outlet", self.outlets), ("author", self.authors)) if values]
        if self.since is not None:
            parts.append(f"since {self.since.isoformat()}")
        if self.until is not None:
            parts.append(f"until {self.until.isoformat()}")
        if self.limit is not None:
            parts.append(f"at most {self.limit}")
        return ", ".join(parts)

    @property
    def published_window(self) -> tuple[datetime | None, datetime | None]:
        """The first instant ``since`` lets pass and the first one past ``until``
        (None for a bound not given): an entry passes the dates when published at
        or after the first, and before the second."""
        start = datetime.combine(self.since, time(), UTC) if self.since is not None else None
        end = datetime.combine(self.until + timedelta(days=1), time(), UTC) if self.until is not None else None
        return start, end

    def accepts(self, catalog: Catalog) -> Callable[[Entry], bool] | None:
        """Whether an entry of ``catalog`` passes every parameter but ``limit``, for
        entries met in an order of their own (a search's hits); None when none can
        pass, as no author given has a feed.

        Authors are matched through the catalog's author feeds, as :meth:`select`
        matches them."""
        authored = None
        if self.authors:
            author_feeds = (catalog.feeds.get(feed_key("author", slug)) for slug in self.authors)
            authored = {id(entry) for author in author_feeds if author is not None for entry in author.history}
            if not authored:
                return None
        start, end = self.published_window
        topics, outlets = self.topics, self.outlets

        def passes(entry: Entry) -> bool:
            return ((start is None or entry.published >= start)
                    and (end is None or entry.published < end)
                    and (not topics or not topics.isdisjoint(entry.topics))
                    and (not outlets or entry.outlet_slug in outlets)
                    and (authored is None or id(entry) in authored))

        return passes

    def select(self, feed: Feed, catalog: Catalog) -> tuple[Entry, ...]:
        """The newest entries of ``feed``'s whole history (a feed of ``catalog``) that
        pass every parameter, at most ``limit`` (the feed's page size by default).

        Authors are matched through the catalog's author feeds, so no name is slugged
        again; the history is newest first, so the walk starts at the first entry
        published before the day after ``until`` and stops at the first published
        before ``since``."""
        passes = self.accepts(catalog)
        if passes is None:
            return ()
        start, end = self.published_window
        history: Iterable[Entry] = feed.history
        if start is not None:
            history = itertools.takewhile(lambda entry: entry.published >= start, history)
        if end is not None:
            history = itertools.dropwhile(lambda entry: entry.published >= end, history)
        return tuple(itertools.islice(filter(passes, history), self.limit or feed.page_size))


def _author_slug(name: str) -> str:
    """The slug of the author feed of ``name``, as :func:`~feedsrv.catalog.author_key`
    makes it: ``jane-doe``."""
    return split_feed_key(author_key(name))[1]


def parse_filter(parameters: Iterable[tuple[str, str]], *, max_limit: int) -> FeedFilter:
    """The filter the query parameters ``parameters`` (name, value pairs, as
    :func:`urllib.parse.parse_qsl` gives them) make; ``limit`` may be 1 to
    ``max_limit``, which is also the default left out of the canonical query.

    Raises :class:`FilterError` naming the parameter at fault."""
    values: dict[str, list[str]] = {}
    for name, value in parameters:
        if name not in PARAMETERS:
            raise FilterError(name, f"unknown parameter (a feed takes {', '.join(PARAMETERS)})")
        if len(value) > MAX_VALUE_LENGTH:
            raise FilterError(name, f"longer than {MAX_VALUE_LENGTH} characters")
        text = value.strip()
        if text:
            values.setdefault(name, []).append(text)
    for name in ("since", "until", "limit"):
        if len(values.get(name, ())) > 1:
            raise FilterError(name, "given more than once (only topic, outlet and author repeat)")
    since, until = _date("since", values.get("since")), _date("until", values.get("until"))
    if since is not None and until is not None and until < since:
        raise FilterError("until", f"{until.isoformat()} is before since ({since.isoformat()})")
    limit = _limit(values.get("limit"), max_limit)
    return FeedFilter(
        topics=frozenset(_slug("topic", text) for text in values.get("topic", ())),
        outlets=frozenset(_slug("outlet", text) for text in values.get("outlet", ())),
        # An author is read as their feed's key is made, so a name with no Latin
        # letters finds its reporter too.
        authors=frozenset(_author_slug(text) for text in values.get("author", ())),
        since=since, until=until, limit=None if limit == max_limit else limit)


def _slug(name: str, text: str) -> str:
    slug = name_slug(text)
    if not slug:
        raise FilterError(name, f"not a slug (letters, digits and '-'): {text!r}")
    return slug


def _date(name: str, given: list[str] | None) -> date | None:
    if not given:
        return None
    text = given[0]
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise FilterError(name, f"not an ISO date (YYYY-MM-DD): {text!r}")


def _limit(given: list[str] | None, most: int) -> int:
    if not given:
        return most
    text = given[0]
    # Digits only, and few: int() of a long string costs, and reads '١' or '1_0' too.
    if not (text.isascii() and text.isdigit() and len(text) <= 6 and 1 <= int(text) <= most):
        raise FilterError("limit", f"not a whole number from 1 to {most}: {text!r}")
    return int(text)


@dataclass(frozen=True, slots=True)
class FilteredFeed(Feed):
    """A feed's entries through a filter, as one document with no archive pages: its
    paths carry the canonical query. Not a WebSub topic: the hub pushes the feeds
    it knows."""

    query: str = ""

    def path(self, extension: FeedExtension) -> str:
        """The filtered feed's path in one format: ``/feeds/all.atom?topic=syria``."""
        return f"{feed_path(self.key, extension)}?{self.query}"

    @property
    def websub_topic(self) -> bool:
        return False


def filtered_feed(feed: Feed, feed_filter: FeedFilter, catalog: Catalog) -> FilteredFeed:
    """``feed`` (of ``catalog``) cut by ``feed_filter``: the newest matching entries
    of its whole history, at most its page size unless the filter asks for fewer
    (:meth:`FeedFilter.select`).

    Dated by its newest entry (the epoch when it has none), so its bytes, and its
    ETag, change only when what it lists does."""
    entries = feed_filter.select(feed, catalog)
    description = feed_filter.description
    return FilteredFeed(key=feed.key, kind=feed.kind, slug=feed.slug, name=feed.name,
                        title=f"{feed.title} ({description})", subtitle=f"{feed.subtitle} Filtered: {description}.",
                        history=entries, page_size=max(len(entries), 1),
                        updated=max((entry.updated for entry in entries), default=EPOCH),
                        homepage=feed.homepage, related=related_coverage(entries, catalog.stories),
                        query=feed_filter.canonical_query)
