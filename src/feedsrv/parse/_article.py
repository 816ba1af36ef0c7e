"""The article parser: text in, :class:`~feedsrv.model.Entry` out. Pure, no I/O.

An article file is plain text, paragraphs separated by blank lines, copied from a
news page. At the top stand a headline, deks, bylines, date lines, a dateline,
photos with captions and credits, share buttons and promotions, in any order;
:mod:`feedsrv.parse._lead` finds where the story starts. Then the body, with captions,
embedded posts and furniture among its paragraphs; at the end the cited sources
under a heading such as "For more information, please see", and page furniture
(author boxes, "Leave a Reply", copyright lines). The reading pass
(:mod:`._reading`) sorts every paragraph into one of these; this module assembles
the entry from what it found and from what the config declares.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from ..config import ArticleMeta, Outlet, SiteConfig, Topic, name_slug
from ..errors import ParseError
from ..model import Caption, Entry, PublishedFrom
from ._dates import PUBLISHED, UPDATED, date_context
from ._outlet_choice import OutletMention, choose_outlet
from ._outlets import brand_name
from ._prose import derive_title, summarize
from ._reading import OUTLET_WEIGHTS, Reading, join_broken_bylines, read_paragraphs
from ._text import normalize_text, split_paragraphs

# Entry ids are UUIDv5 names in this namespace; it must never change, or every
# feed reader would see every article as new.
ENTRY_ID_NAMESPACE = uuid.UUID("6f1e2a3c-9b1d-5e4f-8a7b-2c3d4e5f6a7b")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DECLARED_NAMES_SPLIT = re.compile(r"\s*;\s*|\s+(?:and|&)\s+")
# Bounds on what a declared byline may hold: far past any real one, near enough that
# a hostile name cannot fill every feed, page and URL it lands in.
MAX_NAME_LENGTH = 200
MAX_AUTHORS = 50
# The longest text a topic keyword search runs over at once (see _scan_pieces).
_SCAN_PIECE = 16_384
# How many of a long list of refused values a warning names.
_FEW_NAMES = 5


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """What the parser needs from the site configuration."""

    outlets: Mapping[str, Outlet] = field(default_factory=dict)
    topics: Mapping[str, Topic] = field(default_factory=dict)
    timezone: tzinfo = UTC
    language: str = "en"

    @classmethod
    def from_config(cls, config: SiteConfig) -> ParseOptions:
        """The options a site's configuration implies."""
        return cls(outlets=config.outlets, topics=config.topics, timezone=config.timezone,
                   language=config.language)


def parse_article(text: str, *, source: str, options: ParseOptions | None = None,
                  meta: ArticleMeta | None = None, modified: datetime | None = None) -> Entry:
    """Parse one article's text into an :class:`Entry`.

    ``source`` is the file's path (its stem names the entry); ``meta`` holds the
    metadata the config declares for it, which wins over the text; ``modified`` is
    the file's modification time, the last resort for the publication date.
    Raises :class:`ParseError` when the text holds no body paragraph.
    """
    options = options or ParseOptions()
    normalized = normalize_text(text)
    paragraphs = join_broken_bylines(split_paragraphs(normalized))
    if not paragraphs:
        raise ParseError(source, "empty article: no text")
    reading = read_paragraphs(paragraphs, date_context(normalized, options.timezone))
    body = tuple(block for block in reading.blocks if isinstance(block, str))
    if not body:
        raise ParseError(source, "no body paragraph: only a headline, bylines or page furniture")
    meta = meta or ArticleMeta()
    stem = Path(source).stem
    warnings: list[str] = []

    if meta.outlet:
        _check_name_length("outlet", [meta.outlet], source)
    outlet, outlet_slug = _outlet(reading, options.outlets, meta)
    title, title_derived = _title(reading, body, meta, stem)
    published, published_from = _published(reading, meta, modified, options.timezone)
    if published_from == "mtime":
        warnings.append(f"{source}: no date in the text or its sources; using the file's modification time")
    elif published_from == "none":
        warnings.append(f"{source}: no date found and no file time given; using {EPOCH:%Y-%m-%d}")
    if meta.topics is None:
        topics = _topics(title, title_derived, body, options.topics)
    else:
        topics, unknown = _declared_topics(meta.topics, options.topics)
        if unknown:
            warnings.append(f"{source}: topics not declared in [topics], left out: {_few(unknown)}")
    references = tuple(reading.references)
    return Entry(
        id=meta.id or _entry_id(outlet_slug, stem),
        slug=name_slug(stem) or _entry_id(outlet_slug, stem).rsplit(":", 1)[1],
        title=title,
        title_derived=title_derived,
        authors=_declared_names(meta.author, source) if meta.author else tuple(reading.authors),
        author_role=reading.role,
        outlet=outlet,
        outlet_slug=outlet_slug,
        dateline=reading.dateline,
        published=published,
        published_from=published_from,
        updated=_updated(reading, meta, published, options.timezone),
        summary=summarize(body[0]),
        body=body,
        captions=_placed_captions(reading.blocks),
        references=references,
        topics=topics,
        language=options.language,
        source=source,
        warnings=tuple(warnings),
    )


# --- assembling the entry ---------------------------------------------------------


def _entry_id(outlet_slug: str | None, stem: str) -> str:
    name = f"{outlet_slug or ''}/{stem}"
    return f"urn:uuid:{uuid.uuid5(ENTRY_ID_NAMESPACE, name)}"


def _declared_topics(declared: tuple[str, ...], topics: Mapping[str, Topic]) -> tuple[tuple[str, ...], list[str]]:
    """The declared topic slugs the config knows, each once, and the others. Only the
    config's topics have feeds, and the operator's list is what bounds how many
    categories one article can carry, whatever a file or an API client declares."""
    kept = tuple(dict.fromkeys(slug for slug in declared if slug in topics))
    return kept, list(dict.fromkeys(slug for slug in declared if slug not in topics))


def _few(names: list[str]) -> str:
    """The first names of a list that may be long, and how many more there are."""
    shown = ", ".join(repr(name) for name in names[:_FEW_NAMES])
    return f"{shown} and {len(names) - _FEW_NAMES} more" if len(names) > _FEW_NAMES else shown


def _declared_names(author: str, source: str) -> tuple[str, ...]:
    """The people a declared ``author`` names, within the bounds of a byline."""
    names = tuple(name for name in _DECLARED_NAMES_SPLIT.split(author.strip()) if name)
    if len(names) > MAX_AUTHORS:
        raise ParseError(source, f"author names {len(names)} people, over the limit of {MAX_AUTHORS}")
    _check_name_length("author", names, source)
    return names


def _check_name_length(key: str, names: Iterable[str], source: str) -> None:
    for name in names:
        if len(name) > MAX_NAME_LENGTH:
            raise ParseError(source, f"{key} {name[:40]!r}… is {len(name)} characters, "
                                     f"over the limit of {MAX_NAME_LENGTH}")


def _outlet(reading: Reading, outlets: Mapping[str, Outlet], meta: ArticleMeta) -> tuple[str | None, str | None]:
    """The declared outlet, else a configured outlet named on an outlet-bearing line,
    else the name the outlet-bearing lines support best."""
    if meta.outlet:
        return _named_outlet(meta.outlet, outlets)
    mentions = sorted(reading.outlet_mentions, key=lambda mention: mention[0])
    for _, line, _ in mentions:
        configured = _configured_outlet_in(line, outlets)
        if configured:
            return configured.name, configured.slug
    name = choose_outlet([OutletMention(OUTLET_WEIGHTS[source], line, brand_name(name))
                          for source, line, name in mentions if name], tuple(reading.authors))
    return _named_outlet(name, outlets) if name else (None, None)


def _named_outlet(name: str, outlets: Mapping[str, Outlet]) -> tuple[str, str | None]:
    wanted = name.casefold()
    for outlet in outlets.values():
        if wanted == outlet.slug or any(wanted == known.casefold() for known in outlet.names):
            return outlet.name, outlet.slug
    return name, name_slug(name) or None


def _configured_outlet_in(line: str, outlets: Mapping[str, Outlet]) -> Outlet | None:
    for outlet in outlets.values():
        if _phrase_pattern(outlet.names).search(line):
            return outlet
    return None


def _title(reading: Reading, body: tuple[str, ...], meta: ArticleMeta, stem: str) -> tuple[str, bool]:
    if meta.title:
        return meta.title, False
    if reading.title:
        return reading.title, False
    return derive_title(reading.lead_text or body[0]) or stem or "Untitled", True


def _published(reading: Reading, meta: ArticleMeta, modified: datetime | None,
               zone: tzinfo) -> tuple[datetime, PublishedFrom]:
    """Declared > stated in the text > newest cited source > file time > the epoch.
    Of the stated dates, the first publication date wins over an unlabelled one, and
    that over an update; among unlabelled dates and among updates, those of date
    lines and bylines win over those stated beside other things."""
    if meta.published:
        return _aware(meta.published, zone), "declared"
    stated = (_stated(reading, PUBLISHED) or _stated(reading, "", beside=False) or _stated(reading, "", beside=True)
              or _stated(reading, UPDATED, beside=False) or _stated(reading, UPDATED, beside=True))
    if stated:
        return stated, "text"
    cited = [reference.date for reference in reading.references if reference.date]
    if cited:
        newest = max(cited)
        return datetime(newest.year, newest.month, newest.day, tzinfo=zone), "references"
    if modified:
        return _aware(modified, zone).replace(microsecond=0), "mtime"
    return EPOCH, "none"


def _updated(reading: Reading, meta: ArticleMeta, published: datetime, zone: tzinfo) -> datetime:
    """Declared > an ``Updated …`` date in the text > published; never before published."""
    updated = _aware(meta.updated, zone) if meta.updated else (
        _stated(reading, UPDATED, beside=False) or _stated(reading, UPDATED, beside=True))
    return max(updated, published) if updated else published


def _stated(reading: Reading, kind: str, *, beside: bool | None = None) -> datetime | None:
    """The first date of ``kind`` the text states; with ``beside``, only those stated
    beside other things (True) or only on date lines, bylines and notes (False)."""
    return next((found.stated.when for found in reading.dates
                 if found.stated.kind == kind and beside in (None, found.beside)), None)


def _aware(when: datetime, zone: tzinfo) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=zone)


def _topics(title: str, title_derived: bool, body: tuple[str, ...], topics: Mapping[str, Topic]) -> tuple[str, ...]:
    """Topics whose keywords occur at least ``min_hits`` times in title and body; a
    derived title repeats the body's first words, so it is not counted twice."""
    pieces = list(_scan_pieces(body if title_derived else (title, *body)))
    return tuple(slug for slug, topic in topics.items()
                 if _hits(_phrase_pattern(topic.keywords), pieces, topic.min_hits) >= topic.min_hits)


def _scan_pieces(texts: Iterable[str]) -> Iterator[str]:
    """``texts`` in pieces of at most :data:`_SCAN_PIECE` characters, cut after a
    sentence, else before a space (where a phrase of several words is rarely cut).
    A regular expression's search holds the interpreter lock until it finds a
    match, and the API parses in a thread beside the event loop: a search over one
    long paragraph with no keyword in it would keep the loop from running."""
    for text in texts:
        start = 0
        while len(text) - start > _SCAN_PIECE:
            sentence_end = text.rfind(". ", start + 1, start + _SCAN_PIECE)
            cut = sentence_end + 1 if sentence_end > start else text.rfind(" ", start + 1, start + _SCAN_PIECE)
            cut = cut if cut > start else start + _SCAN_PIECE
            yield text[start:cut]
            start = cut
        yield text[start:]


def _hits(pattern: re.Pattern[str], pieces: list[str], enough: int) -> int:
    count = 0
    for piece in pieces:
        for _ in pattern.finditer(piece):
            count += 1
            if count >= enough:
                return count
    return count


@functools.lru_cache(maxsize=256)
def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """Whole words or phrases, case-insensitive, any spacing; longest first so that
    "civil war" counts once, not also as "war"."""
    alternatives = sorted({phrase.strip() for phrase in phrases if phrase.strip()}, key=len, reverse=True)
    body = "|".join(r"\s+".join(map(re.escape, phrase.split())) for phrase in alternatives)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def _placed_captions(blocks: list[str | Caption]) -> tuple[Caption, ...]:
    """The captions among ``blocks``, each with the number of paragraphs before it."""
    captions = []
    paragraphs = 0
    for block in blocks:
        if isinstance(block, str):
            paragraphs += 1
        else:
            captions.append(replace(block, position=paragraphs))
    return tuple(captions)
