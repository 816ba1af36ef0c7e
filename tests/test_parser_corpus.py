"""The parser against real articles: the dev and train corpora, copied into
``tests/data/corpus/dev`` (70 articles from 51 sites) and ``tests/data/corpus/train``
(1,016 from 554 sites).

Each ``NNN.txt`` is an article copied from a web page; ``NNN.json`` beside it is the
truth; ``NNN.expected.json`` holds the truth of every field the parser got right
when it was last generated, scored as ``bench/parse_accuracy.py`` scores it. A field
that regresses fails here. After an improvement, regenerate the expectations with::

    python bench/parse_accuracy.py tests/data/corpus/dev tests/data/corpus/train --write-expectations

The corpus is parsed without configured outlets, as the benchmark does: an outlet
must come from the text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from feedsrv.model import Entry
from feedsrv.parse import ParseOptions, decode_article, parse_article

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
SETS = {"dev": 70, "train": 1016}
TEXTS = [path for name in SETS for path in sorted((CORPUS / name).glob("*.txt"))]
# The fields each set's expectations hold: what the parser reached, field by field.
COVERED = {
    "dev": {"title": 51, "authors": 33, "outlet": 14, "published": 36, "first_paragraph": 67, "body_chars": 70},
    "train": {"title": 584, "authors": 128, "outlet": 66, "published": 145, "first_paragraph": 732,
              "body_chars": 785},
}
# Every quotation mark and apostrophe, as its straight ASCII form.
QUOTES = str.maketrans({**dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4\u2039\u203a", "'"),
                        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"')})
# Dates read from the text earn credit; the file's time and the epoch do not.
FROM_TEXT = frozenset({"text", "references"})


def normalize_space(text: str) -> str:
    return " ".join(text.split())


def parse(path: Path) -> Entry:
    text, _ = decode_article(path.read_bytes(), source=str(path))
    return parse_article(text, source=str(path), options=ParseOptions())


def expectations(path: Path) -> dict[str, Any]:
    return json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))


def test_every_article_has_its_truth_and_expectations() -> None:
    assert {name: len(list((CORPUS / name).glob("*.txt"))) for name in SETS} == SETS
    for path in TEXTS:
        assert path.with_suffix(".json").is_file(), path
        assert path.with_suffix(".expected.json").is_file(), path


@pytest.mark.parametrize("name", SETS)
def test_the_expectations_cover_the_figures_reached(name: str) -> None:
    """The figures the parser reached on each set, field by field: expectations
    regenerated after a regression would show here as well as in the diff."""
    counts = dict.fromkeys(COVERED[name], 0)
    for path in sorted((CORPUS / name).glob("*.txt")):
        for key in expectations(path):
            counts[key] += 1
    assert counts == COVERED[name]


@pytest.mark.parametrize("path", TEXTS, ids=[f"{path.parent.name}-{path.stem}" for path in TEXTS])
def test_corpus_article(path: Path) -> None:
    entry = parse(path)
    expected = expectations(path)
    if "title" in expected:
        assert normalize_space(entry.title.translate(QUOTES)) == normalize_space(expected["title"].translate(QUOTES))
    if "authors" in expected:
        assert {name.casefold() for name in entry.authors} == {name.casefold() for name in expected["authors"]}
    if "outlet" in expected:
        assert (entry.outlet or "").casefold() == expected["outlet"].casefold()
    if "published" in expected:
        assert entry.published_from in FROM_TEXT
        assert entry.published.date().isoformat() == expected["published"]
    if "first_paragraph" in expected:
        assert normalize_space(entry.body[0]) == normalize_space(expected["first_paragraph"])
    if "body_chars" in expected:
        assert expected["body_chars"]["min"] <= sum(map(len, entry.body)) <= expected["body_chars"]["max"]
