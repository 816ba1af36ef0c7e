"""Properties of the parser on any input, checked with hypothesis.

Whatever the text (arbitrary Unicode, mixed line endings, huge lines, or a seed or
corpus article mangled at random), the parser returns an entry or raises a clean
:class:`ParseError`, never anything else; and an entry always renders to RSS and
Atom that feedparser reads without complaint (``bozo == 0``). The runs are
derandomized and keep no example database, so CI sees the same examples every time.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedcheck import parse_with_feedparser
from feedsrv.catalog import build_catalog
from feedsrv.config import default_config
from feedsrv.errors import ParseError
from feedsrv.model import Entry
from feedsrv.parse import decode_article, parse_article
from feedsrv.render import render_atom, render_rss

DATA = Path(__file__).resolve().parent / "data"
ARTICLES = sorted((DATA / "articles").glob("*.txt")) + sorted((DATA / "corpus").glob("*.txt"))[::7]
CONFIG = default_config()

LINE_ENDINGS = st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\r\n\r\n", "\u2028", "\u2029", "\x85", "\x0b"])
# Any code point, surrogates and controls included: files decoded with errors=replace
# or as latin-1 can hold anything.
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=400)
# Pieces that trigger the parser's rules, so random text reaches them.
PIECES = st.sampled_from([
    "By", "by Jane Doe", "Published", "21 October 2o15", "10/21/15", "—", "–", "(", ")", "(Photo courtesy of",
    "©", "© 2019 Example News", "Sources:", "MOSCOW, Russia–", "(Reuters) —", "Leave a Reply", "Author:",
    "Staff Writer", "Credit:", "Image caption", "— Jane (@jane) November 18, 2019", "Correction, Nov. 15, 2019:",
    "Most read", "Related:", "Video", "Email Jane Doe at jd@example.com", "“", "”", '"', "Mr.", "U.S.", ".", "?",
    "Tuesday", "12:00 PM EST", "Advertisement", "Share", "http://example.org/x", "@handle", "0 Comments",
])
SETTINGS = settings(derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example])


def parse_or_none(text: str) -> Entry | None:
    """Parse ``text``: an entry, or None when it holds no article (a ParseError).
    Any other exception fails the test."""
    try:
        return parse_article(text, source="articles/random.txt")
    except ParseError as exc:
        assert exc.path == "articles/random.txt" and exc.message
        return None


def assert_renders(entry: Entry) -> None:
    """The entry is whole, and the feed of all articles holding it reads cleanly as
    RSS and Atom (every other feed renders an entry the same way)."""
    assert entry.title and entry.body and entry.summary
    assert entry.published.tzinfo and entry.updated >= entry.published
    feed = build_catalog([entry], CONFIG).feeds["all"]
    for render in (render_atom, render_rss):
        result = parse_with_feedparser(render(feed, CONFIG))
        assert len(result.entries) == 1


@st.composite
def articles(draw: st.DrawFn) -> str:
    """Lines of random text and rule-triggering pieces, joined by any line ending."""
    lines = draw(st.lists(st.lists(st.one_of(PIECES, ANY_TEXT), max_size=6).map(" ".join), max_size=12))
    separators = draw(st.lists(LINE_ENDINGS, min_size=len(lines), max_size=len(lines)))
    return "".join(line + separator for line, separator in zip(lines, separators, strict=True))


@st.composite
def huge_lines(draw: st.DrawFn) -> str:
    """A line of up to a hundred KiB or so: one short piece repeated, maybe inside an article."""
    piece = draw(st.one_of(PIECES, st.text(min_size=1, max_size=12)))
    line = (piece + draw(st.sampled_from(["", " "]))) * draw(st.integers(1_000, 8_000))
    return draw(st.sampled_from(["", "Headline Here\n\n"])) + line + draw(st.sampled_from(["", "\n\nThe end."]))


@st.composite
def mutated_articles(draw: st.DrawFn) -> str:
    """A seed or corpus article with slices cut, repeated, replaced or reordered."""
    text = draw(st.sampled_from(ARTICLES)).read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 2_000)))
        mutation = draw(st.sampled_from(["cut", "repeat", "replace", "swap", "line endings", "truncate"]))
        if mutation == "cut":
            text = text[:start] + text[end:]
        elif mutation == "repeat":
            text = text[:end] + text[start:end] * draw(st.integers(1, 5)) + text[end:]
        elif mutation == "replace":
            text = text[:start] + draw(st.one_of(PIECES, ANY_TEXT)) + text[end:]
        elif mutation == "swap":
            text = text[start:] + text[:start]
        elif mutation == "line endings":
            text = text.replace("\n", draw(LINE_ENDINGS))
        else:
            text = text[:start]
    return text


@settings(SETTINGS, max_examples=60)
@given(articles())
def test_any_text_gives_an_entry_that_renders_or_a_parse_error(text: str) -> None:
    entry = parse_or_none(text)
    if entry:
        assert_renders(entry)


@settings(SETTINGS, max_examples=8)
@given(huge_lines())
def test_huge_lines_give_an_entry_that_renders_or_a_parse_error(text: str) -> None:
    entry = parse_or_none(text)
    if entry:
        assert_renders(entry)


@settings(SETTINGS, max_examples=40)
@given(mutated_articles())
def test_mutated_articles_give_an_entry_that_renders_or_a_parse_error(text: str) -> None:
    entry = parse_or_none(text)
    if entry:
        assert_renders(entry)


@settings(SETTINGS, max_examples=60)
@given(st.binary(max_size=600) | mutated_articles().map(lambda text: text.encode("utf-8")))
def test_any_bytes_decode_and_parse_or_give_a_parse_error(data: bytes) -> None:
    try:
        text, warnings = decode_article(data, source="articles/random.txt")
    except ParseError as exc:
        assert exc.path == "articles/random.txt"
        return
    assert all("articles/random.txt" in warning for warning in warnings)
    entry = parse_or_none(text)
    if entry:
        assert_renders(entry)
