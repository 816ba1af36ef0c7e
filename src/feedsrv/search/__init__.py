"""Full-text search over the articles: the query language, the engines (SQLite FTS5
in memory, PostgreSQL with a database) kept in step with the served Site, and the
search feeds and page rendered from their results."""

from ._index import FtsIndex, Hit, SearchTimeout
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
    tsquery_text,
)

__all__ = [
    "MAX_QUERY_LENGTH", "MAX_TERMS", "MIN_PREFIX_LENGTH", "STOP_WORDS", "AnyOf", "FtsIndex", "Hit", "Query",
    "SearchQueryError", "SearchTimeout", "Term", "canonical_text", "fts5_expression", "parse_query", "tsquery_text",
]
