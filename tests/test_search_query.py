"""The search query language (issue 15): each case of tests/data/search/queries.json
is a query with the tree it means and its FTS5 and tsquery forms, or the parameter
its error names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from feedsrv.search import SearchQueryError, fts5_expression, parse_query, snippet, tsquery_text

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


def test_a_snippet_marks_the_words_looked_for_in_the_first_text_holding_one():
    query = parse_query('ceasefire OR minist* -geneva "talks"')
    texts = ["Nothing to see.", "The ministers met to discuss a Ceasefire plan."]
    assert snippet(query, texts) == "The \x02ministers\x03 met to discuss a \x02Ceasefire\x03 plan."
    long = " ".join(f"w{number}" for number in range(100)) + " ceasefire " + " ".join("x" * 3 for _ in range(50))
    cut = snippet(query, [long], words=8)
    assert cut == "…w98 w99 \x02ceasefire\x03 xxx xxx xxx xxx xxx…"
    assert snippet(query, ["Geneva only."]) is None
    assert snippet(parse_query("zurich"), ["Prosecutors in Zürich said."]) == "Prosecutors in \x02Zürich\x03 said."
