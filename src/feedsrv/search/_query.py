"""The search query language, parsed into a small tree and written for each engine.

A query is words, ``"quoted phrases"``, ``OR`` between two of them, ``-`` before one
to exclude it, and ``*`` after a word to match it as a prefix. Words are matched
whole and without regard to case or accents, as SQLite FTS5's ``unicode61``
tokenizer and PostgreSQL's ``simple`` configuration both read them: a word is a run
of letters and digits, anything else separates words. Everything else in the text
is no syntax: parentheses, ``:``, ``^``, ``NEAR``, ``AND``, ``NOT`` and column names
are plain text, and every term reaches the engine quoted, so a query never speaks
the engine's own language.

The choices the language makes, so that every query has one meaning:

- ``OR`` binds tighter than the implicit AND between items: ``gaza ceasefire OR truce``
  finds articles with *gaza* and either *ceasefire* or *truce*, as web search engines
  read it. An ``OR`` with nothing on one side is dropped.
- A quote left open is closed at the end of the query.
- Common English words (:data:`STOP_WORDS`) are dropped outside phrases: they would
  match nearly every article. A query left with nothing to find (empty, only stop
  words or punctuation, only exclusions) is an error naming ``q``, as is one longer
  than :data:`MAX_QUERY_LENGTH` characters, with more than :data:`MAX_TERMS` words,
  or a prefix shorter than :data:`MIN_PREFIX_LENGTH` letters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..errors import FeedsrvError

MAX_QUERY_LENGTH = 256
# Words in all, phrases' words included: each is a doclist the engine walks.
MAX_TERMS = 16
# A one-letter prefix would walk the doclists of a tenth of the vocabulary.
MIN_PREFIX_LENGTH = 2

STOP_WORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "he", "her", "his",
    "i", "in", "is", "it", "its", "of", "on", "or", "she", "that", "the", "their", "they", "this", "to", "was",
    "were", "will", "with",
))

# What the tokenizers take as one word: letters and digits (FTS5's unicode61 also
# keeps marks inside words; they are dropped with the accents anyway).
_WORD = re.compile(r"[^\W_]+")
# A quoted phrase (closed, or left open at the end), or a run of anything else.
_ITEM = re.compile(r'(?P<exclude>-?)(?:"(?P<phrase>[^"]*)(?:"(?P<star>\*?))?|(?P<word>[^\s"]+))')


class SearchQueryError(FeedsrvError):
    """A search request that cannot be answered: ``parameter`` names what is wrong
    (``q``, ``limit``, or an unknown parameter), ``message`` says how."""

    def __init__(self, parameter: str, message: str) -> None:
        self.parameter = parameter
        self.message = message
        super().__init__(f"{parameter}: {message}")


@dataclass(frozen=True, slots=True)
class Term:
    """Consecutive words matched as a phrase (one word, mostly); with ``prefix``,
    the last one matches any word it begins."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class AnyOf:
    """Matches where any of its terms does: ``a OR b OR c``."""

    terms: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class Query:
    """An article matches when every one of ``required`` does and no ``excluded`` does."""

    required: tuple[AnyOf, ...]
    excluded: tuple[Term, ...] = ()

    def describe(self) -> str:
        """The tree in a compact form, for tests and logs: ``+(a|"b c") -d e*``."""
        def term(item: Term) -> str:
            text = " ".join(item.words)
            return (f'"{text}"' if len(item.words) > 1 else text) + ("*" if item.prefix else "")
        parts = [f"({'|'.join(map(term, group.terms))})" if len(group.terms) > 1 else term(group.terms[0])
                 for group in self.required]
        return " ".join([*parts, *(f"-{term(item)}" for item in self.excluded)])


def canonical_text(text: str) -> str:
    """``text`` as the search's canonical ``q``: control characters as spaces, runs
    of white space as one space, none at either end."""
    return " ".join("".join(" " if unicodedata.category(char)[0] in "CZ" else char for char in text).split())


def parse_query(text: str) -> Query:
    """The query ``text`` means (see the module documentation); raises
    :class:`SearchQueryError` naming ``q`` when it means nothing or too much."""
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchQueryError("q", f"at most {MAX_QUERY_LENGTH} characters, not {len(text)}")
    text = canonical_text(text)
    required: list[list[Term]] = []
    excluded: list[Term] = []
    # An OR joins the next term to the group of the term just before it, if any.
    after_required = joining = False
    count = 0
    for item in _items(text):
        if item is None:
            joining = after_required
            continue
        exclude, term = item
        count += len(term.words)
        if count > MAX_TERMS:
            raise SearchQueryError("q", f"at most {MAX_TERMS} words")
        if exclude:
            excluded.append(term)
        elif joining:
            required[-1].append(term)
        else:
            required.append([term])
        after_required, joining = not exclude, False
    if not required:
        reason = "only excludes words" if excluded else "has no word to search for (stop words are left out)"
        raise SearchQueryError("q", f"the query {reason}")
    return Query(required=tuple(dict.fromkeys(AnyOf(tuple(dict.fromkeys(group))) for group in required)),
                 excluded=tuple(dict.fromkeys(excluded)))


def _items(text: str) -> Iterator[tuple[bool, Term] | None]:
    """Each item of ``text``: ``(excluded, term)``, or None for an ``OR``. Items with
    no word left (punctuation, stop words) are skipped."""
    for match in _ITEM.finditer(text):
        phrase, word = match["phrase"], match["word"]
        if word == "OR" and not match["exclude"]:
            yield None
            continue
        if phrase is not None:
            words = tuple(_words(phrase))
            prefix = bool(match["star"])
        else:
            prefix = word.endswith("*")
            words = tuple(_words(word))
            if not prefix and len(words) == 1 and words[0] in STOP_WORDS:
                continue
        if not words:
            continue
        if prefix and len(words[-1]) < MIN_PREFIX_LENGTH:
            raise SearchQueryError("q", f"a prefix needs at least {MIN_PREFIX_LENGTH} letters: {match[0]}")
        yield bool(match["exclude"]), Term(words, prefix)


def _words(text: str) -> Iterator[str]:
    """The words of ``text`` as the tokenizers index them: case folded, accents off."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return iter(_WORD.findall(plain))


# Marks around the words a snippet matched, replaced by HTML once escaped.
SNIPPET_START, SNIPPET_END = "\x02", "\x03"


def snippet(query: Query, texts: Iterable[str], *, words: int = 24) -> str | None:
    """Up to ``words`` words of the first of ``texts`` holding a word the query
    looks for (a required one, or its prefix), those words between
    :data:`SNIPPET_START` and :data:`SNIPPET_END`, with ``…`` where text is cut;
    None when no text holds one."""
    wanted = {word for group in query.required for term in group.terms for word in term.words}
    prefixes = tuple(term.words[-1] for group in query.required for term in group.terms if term.prefix)
    for text in texts:
        spans = [match.span() for match in _WORD.finditer(text)]
        hits = [index for index, (start, end) in enumerate(spans)
                if (word := "".join(_words(text[start:end]))) in wanted or (prefixes and word.startswith(prefixes))]
        if not hits:
            continue
        first = max(0, min(hits[0] - words // 4, len(spans) - words))
        shown = range(first, min(first + words, len(spans)))
        parts, position = [], spans[shown[0]][0]
        for index in shown:
            start, end = spans[index]
            parts.append(text[position:start])
            parts.append(f"{SNIPPET_START}{text[start:end]}{SNIPPET_END}" if index in hits else text[start:end])
            position = end
        head = "…" if shown[0] > 0 else ""
        tail = "…" if shown[-1] < len(spans) - 1 else text[position:]
        return head + "".join(parts) + tail
    return None


def fts5_expression(query: Query) -> str:
    """``query`` as an FTS5 MATCH expression, every term a quoted string (whose
    words FTS5 reads as a phrase), so no text of the query is FTS5 syntax."""
    def term(item: Term) -> str:
        # The words hold letters and digits only: nothing to escape inside the quotes.
        return f'"{" ".join(item.words)}"' + ("*" if item.prefix else "")
    groups = [" OR ".join(map(term, group.terms)) for group in query.required]
    expression = " AND ".join(f"({group})" for group in groups)
    for item in query.excluded:
        expression = f"({expression}) NOT {term(item)}"
    return expression


def tsquery_text(query: Query) -> str:
    """``query`` as PostgreSQL ``to_tsquery`` input, passed to it as a parameter.
    Every lexeme is letters and digits only (the parser kept nothing else), quoted,
    so no text of the query is tsquery syntax."""
    def term(item: Term) -> str:
        lexemes = [f"'{word}'" for word in item.words]
        if item.prefix:
            lexemes[-1] += ":*"
        return "(" + " <-> ".join(lexemes) + ")"
    required = " & ".join("(" + " | ".join(map(term, group.terms)) + ")" for group in query.required)
    return required + "".join(f" & !{term(item)}" for item in query.excluded)
