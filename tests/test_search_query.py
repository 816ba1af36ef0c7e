"""The search query language (issue 15): each case of tests/data/search/queries.json
is a query with the tree it means and its FTS5 and tsquery forms, or the parameter
its error names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from feedsrv.search import SearchQueryError, fts5_expression, parse_query, tsquery_text

QUERY_CASES = json.loads((Path(__file__).parent / "data" / "search" / "queries.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", QUERY_CASES, ids=[case["why"] for case in QUERY_CASES])
def test_the_query_language(case):
    if "error" in case:
        with pytest.raises(SearchQueryError) as raised:
            parse_query(case["q"])
        assert raised.value.parameter == case["error"]
        return
    query = parse_query(case["q"])
    assert (query.describe(), fts5_expression(query), tsquery_text(query)) == (
        case["tree"], case["fts5"], case["tsquery"])
