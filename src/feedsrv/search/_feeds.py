"""Search requests and what answers them: the canonical form of a request, the
search feed in each format (rendered by :mod:`feedsrv.render` like every feed) and
the search page.

A request is its query text, its limit and the filter of every feed
(:mod:`feedsrv.filters`: ``topic``, ``outlet``, ``author``, ``since``, ``until``),
which its results pass before the limit cuts them. Its canonical form (the
``q``'s white space collapsed, the default limit left out, the filter's values as
slugs, sorted and once, the parameters in name order, percent-encoded) names the
resource: two spellings of one request share one self link, one cache slot, one
ETag and one WebSub topic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qsl, quote, urlsplit

from ..catalog import EPOCH, Feed
from ..config import SiteConfig
from ..filters import PARAMETERS as FEED_PARAMETERS
from ..filters import FeedFilter, FilterError, parse_filter
from ..pages import STYLESHEET
from ..render import FORMATS, render_feed
from ..representations import HTML_TYPE, Resource, hub_links, inline_disposition, make_resource
from ..urls import INDEX, SEARCH, FeedExtension, article_path, feed_key, feed_path, is_feed_extension, landing_path
from ._index import Hit
from ._query import SNIPPET_END, SNIPPET_START, Query, SearchQueryError, canonical_text, parse_query

# The key the search feeds' paths are made from: /feeds/search.atom.
SEARCH_KEY = SEARCH.lstrip("/")
# The filter's parameters but its limit: a search has a limit of its own, up to
# search.max_results.
FILTER_PARAMETERS = tuple(name for name in FEED_PARAMETERS if name != "limit")
PARAMETERS = tuple(sorted(("limit", "q", *FILTER_PARAMETERS)))


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """What a search asks: the canonical query text, what it means, how many
    results at most, and the filter they pass (with no limit of its own)."""

    text: str
    query: Query
    limit: int
    default_limit: int
    feed_filter: FeedFilter

    @property
    def query_string(self) -> str:
        """The canonical query string, without ``?``: ``limit=5&q=a%20b&topic=syria``."""
        own = [] if self.limit == self.default_limit else [f"limit={self.limit}"]
        own.append(f"q={quote(self.text, safe='')}")
        filtering = self.feed_filter.canonical_query
        # Each part is name=value with the value percent-encoded; a stable sort by
        # name keeps the filter's repeated values in their canonical order.
        parts = [*own, *(filtering.split("&") if filtering else ())]
        return "&".join(sorted(parts, key=lambda part: part.partition("=")[0]))

    @property
    def title(self) -> str:
        """The search in words, for headings: ``ceasefire (topic syria)``."""
        description = self.feed_filter.description
        return f"{self.text} ({description})" if description else self.text

    def feed_path(self, extension: FeedExtension) -> str:
        """The search feed's path with its canonical query: ``/feeds/search.atom?q=…``."""
        return f"{feed_path(SEARCH_KEY, extension)}?{self.query_string}"

    @property
    def page_path(self) -> str:
        """The search page's path with the canonical query."""
        return f"{SEARCH}?{self.query_string}"


def default_limit(config: SiteConfig) -> int:
    """How many results a search gives when it names no ``limit``."""
    return min(config.entries_per_feed, config.search_max_results)


def parse_search(parameters: Iterable[tuple[str, str]], config: SiteConfig) -> SearchRequest:
    """The request that the query parameters ``parameters`` make; raises
    :class:`SearchQueryError` naming the parameter at fault: a missing or
    meaningless ``q``, a ``limit`` not from 1 to ``search.max_results``, ``q`` or
    ``limit`` given twice, a filter parameter a feed would refuse
    (:func:`~feedsrv.filters.parse_filter`) or one of no meaning here."""
    given: dict[str, str] = {}
    filtering: list[tuple[str, str]] = []
    for name, value in parameters:
        if name in FILTER_PARAMETERS:
            filtering.append((name, value))
            continue
        if name not in PARAMETERS:
            raise SearchQueryError(name, f"unknown parameter (a search takes {', '.join(PARAMETERS)})")
        if name in given:
            raise SearchQueryError(name, "given more than once")
        given[name] = value
    if "q" not in given:
        raise SearchQueryError("q", "missing: give the words to search for")
    fallback = default_limit(config)
    limit = _limit(given.get("limit"), fallback, config.search_max_results)
    query = parse_query(given["q"])
    try:
        # The filter's own limit is never given, so its bound is no matter.
        feed_filter = parse_filter(filtering, max_limit=fallback)
    except FilterError as error:
        raise SearchQueryError(error.parameter, error.reason) from None
    return SearchRequest(text=canonical_text(given["q"]), query=query, limit=limit, default_limit=fallback,
                         feed_filter=feed_filter)


def _limit(text: str | None, fallback: int, most: int) -> int:
    if text is None:
        return fallback
    if not text.isascii() or not text.isdigit() or len(text) > 6 or not 1 <= int(text) <= most:
        raise SearchQueryError("limit", f"a whole number from 1 to {most}")
    return int(text)


def parse_topic(url: str, config: SiteConfig) -> tuple[FeedExtension, SearchRequest] | None:
    """The search feed a WebSub topic names, when ``url`` is the canonical self
    link of one; None otherwise."""
    base = config.url(feed_path(SEARCH_KEY, "atom")).removesuffix(".atom")
    if not url.startswith(base + "."):
        return None
    parts = urlsplit(url)
    extension = parts.path.rpartition(".")[2]
    if not is_feed_extension(extension) or parts.fragment:
        return None
    try:
        request = parse_search(parse_qsl(parts.query, keep_blank_values=True), config)
    except SearchQueryError:
        return None
    if config.url(request.feed_path(extension)) != url:
        return None
    return extension, request


@dataclass(frozen=True, slots=True)
class SearchFeed(Feed):
    """The results of one search as a feed: its documents' paths carry the query."""

    request: SearchRequest | None = None

    def path(self, extension: FeedExtension) -> str:
        """The search feed's path in one format, with its canonical query."""
        assert self.request is not None, "a search feed is made with its request"
        return self.request.feed_path(extension)


def render_search_feed(config: SiteConfig, request: SearchRequest, extension: FeedExtension,
                       hits: Sequence[Hit]) -> Resource:
    """The search feed of ``hits`` in one format, as a Resource served like every
    feed's subscription document (a WebSub topic, with the hub in ``Link``).

    Dated by its newest result (the epoch when it has none), so its bytes, and its
    ETag, change only when its results do."""
    entries = tuple(hit.entry for hit in hits)
    updated = max((entry.updated for entry in entries), default=EPOCH)
    feed = SearchFeed(key=SEARCH_KEY, kind="all", slug=SEARCH_KEY, name=f"Search: {request.title}",
                      title=f"Search: {request.title} — {config.title}",
                      subtitle=f"Articles matching {request.title}, newest first.", history=entries,
                      page_size=max(len(entries), 1), updated=updated,
                      homepage=config.url(request.page_path), request=request)
    path = request.feed_path(extension)
    return make_resource(path, FORMATS[extension].content_type, render_feed(feed, extension, config), updated,
                         cache_control=f"public, max-age={config.cache_max_age}",
                         disposition=inline_disposition(feed_path(SEARCH_KEY, extension)), cross_origin=True,
                         links=hub_links(config, path))


def render_search_page(config: SiteConfig, request: SearchRequest | None, hits: Sequence[Hit],
                       error: SearchQueryError | None = None) -> Resource:
    """The search page: a form, and for a request its results (title, outlet, date,
    snippet) and its feeds, announced for autodiscovery. ``error`` says why a
    request could not be searched."""
    text = request.text if request is not None else ""
    heading = f"Search: {request.title}" if request is not None else "Search"
    discovery = "" if request is None else "\n".join(
        f'<link rel="alternate" type="{feed_format.media_type}" '
        f'title="{escape(heading)} ({feed_format.label})" '
        f'href="{escape(config.url(request.feed_path(extension)))}">'
        for extension, feed_format in FORMATS.items())
    form = (f'<form method="get" action="{escape(config.url(SEARCH))}" role="search">'
            f'<input type="search" name="q" value="{escape(text)}" aria-label="Search words" maxlength="256"> '
            '<button type="submit">Search</button></form>')
    if error is not None:
        results = f'<p class="meta">{escape(error.message)}</p>'
    elif request is None:
        results = ('<p class="meta">Words, "quoted phrases", <code>OR</code>, <code>-word</code> to leave out, '
                   '<code>word*</code> for a prefix.</p>')
    else:
        feeds = " ".join(f'<a class="feed" href="{escape(config.url(request.feed_path(extension)))}" '
                         f'type="{feed_format.media_type}">{feed_format.label}</a>'
                         for extension, feed_format in FORMATS.items())
        count = f"{len(hits)} article{'s' if len(hits) != 1 else ''}, newest first"
        results = (f'<p class="feeds">Subscribe to this search: {feeds}</p>\n<p class="meta">{count}.</p>\n'
                   f'<ul class="entries">\n{_hit_list(hits, config)}\n</ul>')
    updated = max((hit.entry.updated for hit in hits), default=EPOCH)
    html = f"""<!DOCTYPE html>
<html lang="{escape(config.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(heading)} — {escape(config.title)}</title>
<meta name="robots" content="noindex">
{discovery}
<style>{STYLESHEET}</style>
</head>
<body>
<header class="site"><p><a href="{escape(config.url(INDEX))}">{escape(config.title)}</a></p></header>
<main>
<h1>{escape(heading)}</h1>
{form}
{results}
</main>
</body>
</html>
"""
    path = request.page_path if request is not None else SEARCH
    return make_resource(path, HTML_TYPE, html.encode("utf-8"), updated,
                         cache_control=f"public, max-age={config.cache_max_age}")


def _hit_list(hits: Sequence[Hit], config: SiteConfig) -> str:
    items = []
    for hit in hits:
        entry = hit.entry
        outlet = ""
        if entry.outlet:
            outlet = (f'<a href="{escape(config.url(landing_path(feed_key("outlet", entry.outlet_slug))))}">'
                      f'{escape(entry.outlet)}</a> · ' if entry.outlet_slug else f"{escape(entry.outlet)} · ")
        when = f'<time datetime="{entry.published.isoformat()}">{entry.published:%-d %B %Y}</time>'
        snippet = f"<br>{_snippet_html(hit.snippet)}" if hit.snippet else ""
        items.append(f'<li><a href="{escape(config.url(article_path(entry.slug)))}">{escape(entry.title)}</a>'
                     f'<span class="meta">{outlet}{when}{snippet}</span></li>')
    return "\n".join(items)


def _snippet_html(snippet: str) -> str:
    """The snippet escaped, its matched words in ``<mark>``."""
    return escape(snippet).replace(SNIPPET_START, "<mark>").replace(SNIPPET_END, "</mark>")

