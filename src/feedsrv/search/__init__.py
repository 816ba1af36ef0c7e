"""Full-text search over the articles: the query language, the engines (SQLite FTS5
in memory, PostgreSQL with a database) kept in step with the served Site, and the
search feeds and page rendered from their results."""

from ._feeds import (
    PARAMETERS,
    SEARCH_KEY,
    SearchFeed,
    SearchRequest,
    default_limit,
    parse_search,
    parse_topic,
    render_search_feed,
    render_search_page,
)
from ._index import FtsIndex, Hit, SearchTimeout
from ._postgres import DatabaseEngine
from ._query import (
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    MIN_PREFIX_LENGTH,
    STOP_WORDS,
    AnyOf,
    Query,
    SearchQueryError,
    Term,
    canonical_text,
    fts5_expression,
    parse_query,
    snippet,
    tsquery_text,
)
from ._service import Engine, MemoryEngine, Search

__all__ = [
    "MAX_QUERY_LENGTH", "MAX_TERMS", "MIN_PREFIX_LENGTH", "PARAMETERS", "SEARCH_KEY", "STOP_WORDS", "AnyOf",
    "DatabaseEngine", "Engine", "FtsIndex", "Hit", "MemoryEngine", "Query", "Search", "SearchFeed", "SearchQueryError",
    "SearchRequest", "SearchTimeout", "Term", "canonical_text", "default_limit", "fts5_expression",
    "parse_query", "parse_search", "parse_topic", "render_search_feed", "render_search_page", "snippet", "tsquery_text",
]
