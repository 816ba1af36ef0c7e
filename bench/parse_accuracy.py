"""Parser accuracy on a corpus of real articles with ground truth.

Usage: python bench/parse_accuracy.py CORPUS_DIR... [--misses] [--write-expectations] [--repeat N]

Each CORPUS_DIR holds NNN.txt (the article as plain text) beside NNN.json (the page's
own metadata); NNN.lines.json files (line roles) beside them are not read. Each set's
table is printed, then, for two sets or more, the sets side by side with the gap
between train and validate (or the first two), and the CPU time per article. A field
is scored only where its truth is non-null and, for the fields
``visible_in_text`` covers, visible in the text: a parser cannot be blamed for a
byline the copied text does not contain.

Scoring, field by field:

- title: equal after normalizing whitespace and quote characters;
- authors: the set of truth names (comma-separated) equals the parser's set, case-insensitively;
- outlet: equal, case-insensitively;
- published: the same calendar date, and read from the text (``published_from`` is
  ``text`` or ``references``): a date from the file's modification time or the
  epoch fallback earns nothing;
- first paragraph: the first ``body`` paragraph equals ``first_paragraph`` after
  normalizing whitespace;
- body length: the ``body`` paragraphs hold ``body_chars`` characters, ±15 %.

The corpus is parsed without configured outlets (``ParseOptions()``): an outlet must
come from the text. Speed counts decoding and parsing only, in CPU time (the process's,
so that other work on the machine does not count), each article's best of ``--repeat``
runs.

``--write-expectations`` writes NNN.expected.json beside each text: the truth of
every field the parser gets right now, in the form tests/test_parser_corpus.py
checks, so that a regression fails the tests. Run it on tests/data/corpus/dev and
tests/data/corpus/train after an improvement (the truth NNN.json files are copied
there from the dev and train corpora).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from feedsrv.errors import ParseError
from feedsrv.model import Entry
from feedsrv.parse import ParseOptions, decode_article, parse_article

# Every quotation mark and apostrophe, as its straight ASCII form.
QUOTES = str.maketrans({**dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4\u2039\u203a", "'"),
                        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"')})
BODY_TOLERANCE = 0.15
# Where a published date may come from to earn credit: what the text says.
FROM_TEXT = frozenset({"text", "references"})


def normalize_space(text: str) -> str:
    return " ".join(text.split())


def normalize(text: str) -> str:
    return normalize_space(text.translate(QUOTES))


def authors_of(truth: str) -> set[str]:
    return {name.strip().casefold() for name in truth.split(",") if name.strip()}


@dataclass
class Score:
    matched: int = 0
    scored: int = 0
    misses: list[str] = field(default_factory=list)


def check_title(entry: Entry, truth: dict[str, Any]) -> tuple[bool, str]:
    return normalize(entry.title) == normalize(truth["title"]), f"{entry.title!r} != {truth['title']!r}"


def check_authors(entry: Entry, truth: dict[str, Any]) -> tuple[bool, str]:
    got = {name.casefold() for name in entry.authors}
    return got == authors_of(truth["author"]), f"{sorted(got)} != {truth['author']!r}"


def check_outlet(entry: Entry, truth: dict[str, Any]) -> tuple[bool, str]:
    got = (entry.outlet or "").casefold()
    return got == truth["outlet"].casefold(), f"{entry.outlet!r} != {truth['outlet']!r}"


def check_published(entry: Entry, truth: dict[str, Any]) -> tuple[bool, str]:
    got = entry.published.date().isoformat() if entry.published_from in FROM_TEXT else None
    return got == truth["published"][:10], f"{got} ({entry.published_from}) != {truth['published']}"


def check_first_paragraph(entry: Entry, truth: dict[str, Any]) -> tuple[bool, str]:
    got = normalize_space(entry.body[0]) if entry.body else ""
    want = normalize_space(truth["first_paragraph"])
    return got == want, _difference(got, want)


def _difference(got: str, want: str, context: int = 40) -> str:
    """The two texts around where they first differ."""
    shorter = min(len(got), len(want))
    start = next((index for index, (a, b) in enumerate(zip(got, want, strict=False)) if a != b), shorter)
    start = max(0, start - context)
    return f"{got[start:start + 2 * context]!r} != {want[start:start + 2 * context]!r} (at {start + context})"


def check_body_length(entry: Entry, truth: dict[str, Any]) -> tuple[bool, str]:
    got = sum(len(paragraph) for paragraph in entry.body)
    want = truth["body_chars"]
    return abs(got - want) <= BODY_TOLERANCE * want, f"{got} chars vs {want}"


def expected_value(name: str, truth: dict[str, Any]) -> Any:
    """A field's truth as the corpus tests hold it."""
    if name == "authors":
        return [author.strip() for author in truth["author"].split(",") if author.strip()]
    if name == "published":
        return truth["published"][:10]
    if name == "body length":
        return {"min": math.ceil(truth["body_chars"] * (1 - BODY_TOLERANCE)),
                "max": math.floor(truth["body_chars"] * (1 + BODY_TOLERANCE))}
    return truth[EXPECTED_KEYS[name]]


# The keys of NNN.expected.json.
EXPECTED_KEYS = {"title": "title", "authors": "authors", "outlet": "outlet", "published": "published",
                 "first paragraph": "first_paragraph", "body length": "body_chars"}

# field name, truth key, visibility key (None: always scored when non-null), check
CHECKS: list[tuple[str, str, str | None, Callable[[Entry, dict[str, Any]], tuple[bool, str]]]] = [
    ("title", "title", "title", check_title),
    ("authors", "author", "author", check_authors),
    ("outlet", "outlet", "outlet", check_outlet),
    ("published", "published", "published", check_published),
    ("first paragraph", "first_paragraph", None, check_first_paragraph),
    ("body length", "body_chars", None, check_body_length),
]


@dataclass
class SetResult:
    """One corpus directory scored."""

    corpus: Path
    scores: dict[str, Score]
    articles: int
    total_bytes: int
    elapsed: float
    failures: list[str]

    def percent(self, name: str) -> float | None:
        score = self.scores[name]
        return 100 * score.matched / score.scored if score.scored else None


def score_set(corpus: Path, *, repeat: int, write_expectations: bool) -> SetResult:
    """Parse and score every ``NNN.txt`` of ``corpus`` against its ``NNN.json``."""
    # NNN.lines.json (line roles, training data) and NNN.expected.json sit beside them.
    texts = sorted(corpus.glob("*.txt"))
    parse_options = ParseOptions()
    scores = {name: Score() for name, *_ in CHECKS}
    failures: list[str] = []
    total_bytes = 0
    elapsed = 0.0
    for path in texts:
        truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        data = path.read_bytes()
        total_bytes += len(data)
        timings = []
        for _ in range(max(1, repeat)):
            started = time.process_time()
            try:
                text, _ = decode_article(data, source=str(path))
                entry = parse_article(text, source=str(path), options=parse_options)
                error = None
            except ParseError as exc:
                entry, error = None, str(exc)
            timings.append(time.process_time() - started)
        elapsed += min(timings)
        if error:
            failures.append(error)
        visible = truth.get("visible_in_text", {})
        expected: dict[str, Any] = {}
        for name, key, visibility, check in CHECKS:
            if truth.get(key) is None or (visibility and not visible.get(visibility, False)):
                continue
            score = scores[name]
            score.scored += 1
            ok, detail = check(entry, truth) if entry else (False, "no entry")
            if ok:
                score.matched += 1
                expected[EXPECTED_KEYS[name]] = expected_value(name, truth)
            else:
                score.misses.append(f"{path.name}: {detail}")
        if write_expectations:
            path.with_suffix(".expected.json").write_text(
                json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return SetResult(corpus, scores, len(texts), total_bytes, elapsed, failures)


def print_set(result: SetResult, *, misses: bool) -> None:
    print(f"corpus: {result.corpus} ({result.articles} articles, {result.total_bytes / 1024:.0f} KiB)")
    print(f"{'field':<16} {'matched':>7} / {'scored':<6} {'%':>6}")
    for name, score in result.scores.items():
        percent = result.percent(name)
        print(f"{name:<16} {score.matched:>7} / {score.scored:<6} {percent or 0.0:>6.1f}")
    print(f"parse errors: {len(result.failures)}")
    print(f"speed: {result.articles / result.elapsed:,.0f} articles/s, "
          f"{result.elapsed / result.articles * 1000:.2f} ms an article, "
          f"{result.total_bytes / result.elapsed / 1e6:.2f} MB/s (decode and parse, CPU time)")
    if misses:
        for name, score in result.scores.items():
            if score.misses:
                print(f"\n## {name} misses")
                print("\n".join(score.misses))
        for failure in result.failures:
            print(f"error: {failure}")


def print_comparison(results: list[SetResult]) -> None:
    """Every set's percentages side by side, and the gap between the sets named
    ``train`` and ``validate`` (else between the first two): how much of what the
    parser gets right on the sets it was tuned on holds on sites it never saw."""
    names = [result.corpus.name for result in results]
    by_name = dict(zip(names, results, strict=True))
    pair = (by_name["train"], by_name["validate"]) if {"train", "validate"} <= by_name.keys() \
        else (results[0], results[1])
    gap_label = f"{pair[0].corpus.name} - {pair[1].corpus.name}"
    print(f"\n{'field':<16} " + " ".join(f"{name:>10}" for name in names) + f" {gap_label:>18}")
    for field_name in results[0].scores:
        cells = [result.percent(field_name) for result in results]
        shown = " ".join(f"{cell:>9.1f}%" if cell is not None else f"{'-':>10}" for cell in cells)
        first, second = pair[0].percent(field_name), pair[1].percent(field_name)
        gap = f"{first - second:>+17.1f}" if first is not None and second is not None else f"{'-':>17}"
        print(f"{field_name:<16} {shown} {gap}")
    speeds = " ".join(f"{result.elapsed / result.articles * 1000:>8.2f}ms" for result in results)
    print(f"{'CPU per article':<16} {speeds}")


def main(argv: list[str] | None = None) -> int:
    arguments = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    arguments.add_argument("corpus", type=Path, nargs="+", help="corpus directories (NNN.txt beside NNN.json)")
    arguments.add_argument("--misses", action="store_true", help="list every miss")
    arguments.add_argument("--repeat", type=int, default=3, help="timed runs per article; the best counts")
    arguments.add_argument("--write-expectations", action="store_true",
                           help="write NNN.expected.json (the fields the parser gets right) beside each text")
    options = arguments.parse_args(argv)

    results = []
    for corpus in options.corpus:
        if not any(corpus.glob("*.txt")):
            print(f"no *.txt files in {corpus}", file=sys.stderr)
            return 2
        result = score_set(corpus, repeat=options.repeat, write_expectations=options.write_expectations)
        print_set(result, misses=options.misses)
        results.append(result)
        print()
    if len(results) > 1:
        print_comparison(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
