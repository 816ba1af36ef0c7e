"""The article parser: text in, :class:`~feedsrv.model.Entry` out. Pure, no I/O.

An article file is plain text, paragraphs separated by blank lines, copied from a
news page. At the top stand a headline, deks, bylines, date lines, a dateline,
photos with captions and credits, share buttons and promotions, in any order;
:mod:`feedsrv.parse._lead` finds where the story starts. Then the body, with captions,
embedded posts and furniture among its paragraphs; at the end the cited sources
under a heading such as "For more information, please see", and page furniture
(author boxes, "Leave a Reply", copyright lines). The reading pass sorts every
paragraph into one of these; the entry is assembled from what it found.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from enum import Enum
from pathlib import Path

from ..config import ArticleMeta, Outlet, SiteConfig, Topic, name_slug
from ..errors import ParseError
from ..model import Caption, Entry, PublishedFrom, Reference
from ._bylines import Byline, continue_byline, read_author_line, read_byline, read_role_line
from ._captions import has_caption_cue, read_caption_label, read_credit_line, read_trailing_credit
from ._datelines import (
    Dateline,
    read_change_note,
    read_date_line,
    read_dateline,
    read_leading_agency,
    read_self_dated,
    read_side_dates,
)
from ._dates import PUBLISHED, UPDATED, DateContext, StatedDate, date_context, label_kind
from ._furniture import (
    is_end_marker,
    is_furniture,
    is_post_credit,
    is_related_heading,
    is_related_link,
    is_rights_notice,
    is_teaser,
)
from ._lead import Layout, find_layout
from ._outlets import (
    OutletMention,
    brand_name,
    choose_outlet,
    email_domain,
    read_bio,
    read_commissioned_credit,
    read_contact,
    read_copyright,
    read_domain_dateline,
    read_self_reference,
    read_staff_line,
)
from ._people import read_bare_names
from ._prose import derive_title, reads_as_prose, summarize
from ._references import is_reference_header, read_post_attribution, read_reference
from ._text import normalize_text, split_paragraphs

# Entry ids are UUIDv5 names in this namespace; it must never change, or every
# feed reader would see every article as new.
ENTRY_ID_NAMESPACE = uuid.UUID("6f1e2a3c-9b1d-5e4f-8a7b-2c3d4e5f6a7b")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Where an outlet is named, most telling first: the brand on the copyright line,
# desk and author lines, the byline, the site promoting itself, newsroom e-mail
# addresses, the company owning the copyright, a wire agency in the dateline.
_OUTLET_SOURCES = ("copyright", "desk", "author", "byline", "self", "holder", "contact", "publisher", "agency")
# How much each kind of line says about the outlet, by index in _OUTLET_SOURCES: the
# site's own notices and staff lines name it outright, an address only by its domain,
# a parent company or a wire agency may be someone else's.
_OUTLET_WEIGHTS = (3, 3, 3, 3, 3, 2, 2, 1, 1)
_MAX_CAPTION_LENGTH = 300
_MAX_REFERENCE_LENGTH = 250
_DECLARED_NAMES_SPLIT = re.compile(r"\s*;\s*|\s+(?:and|&)\s+")
# Bounds on what a declared byline may hold: far past any real one, near enough that
# a hostile name cannot fill every feed, page and URL it lands in.
MAX_NAME_LENGTH = 200
MAX_AUTHORS = 50
# The longest text a topic keyword search runs over at once (see _scan_pieces).
_SCAN_PIECE = 16_384
# How many of a long list of refused values a warning names.
_FEW_NAMES = 5
# A byline broken after its "By": "By" / "Jane Doe".
_LONE_BY = frozenset({"by", "by:", "written by", "words by", "story by"})
# A paragraph this long found twice is the page printing it twice; shorter ones (a
# refrain, "Yes.") may repeat in a story.
_MIN_REPEATED_LENGTH = 100
# A label on its own line over the names: "Author:" / "Jane Doe".
_LONE_AUTHOR_LABELS = frozenset({"author:", "authors:"})


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


class _Zone(Enum):
    """Where in the article the reading pass is."""

    BODY = "body"
    RELATED = "related"  # under a heading such as "Most read": links to other stories
    REFERENCES = "references"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class _FoundDate:
    """A date the text states; ``beside`` when its line held more than a date line or
    byline does (``January 13, 2020 | categories: …``): weaker evidence."""

    stated: StatedDate
    beside: bool = False


@dataclass(slots=True)
class _Reading:
    """Everything one pass over the paragraphs found; filled in as it reads."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    role: str | None = None
    dateline: str | None = None
    # The lead without its dateline: what a derived title is made from.
    lead_text: str | None = None
    outlet_mentions: list[tuple[int, str, str | None]] = field(default_factory=list)
    dates: list[_FoundDate] = field(default_factory=list)
    blocks: list[str | Caption] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    paragraph_count: int = 0
    pending_credit: str | None = None
    # The long body paragraphs read so far: a page may print its intro twice (above
    # a slideshow and again in it), and a copy holds both.
    long_paragraphs: set[str] = field(default_factory=set)

    def mention_outlet(self, source: str, line: str, name: str | None) -> None:
        """Note a line that names (or may name) the outlet."""
        self.outlet_mentions.append((_OUTLET_SOURCES.index(source), line, name or None))

    def add_dates(self, dates: Sequence[StatedDate], *, beside: bool = False) -> None:
        """Note the dates a line states; ``beside`` other things is weaker evidence."""
        self.dates.extend(_FoundDate(stated, beside) for stated in dates)

    def add_author(self, name: str) -> None:
        if not self.authors:
            self.authors.append(name)

    def add_byline(self, byline: Byline, line: str, source: str) -> None:
        if byline.authors and not self.authors:
            self.authors.extend(byline.authors)
        if byline.role and not self.role:
            self.role = byline.role
        self.mention_outlet(source, line, byline.outlet)
        self.mention_outlet("contact", line, email_domain(line))
        self.add_dates(byline.dates)

    def add_dateline(self, dateline: Dateline, line: str) -> None:
        self.dateline = dateline.place
        self.add_dates(dateline.dates)
        if dateline.agency:
            self.mention_outlet("agency", line, dateline.agency)

    def add_paragraph(self, paragraph: str) -> None:
        self.blocks.append(paragraph)
        self.paragraph_count += 1
        if len(paragraph) >= _MIN_REPEATED_LENGTH:
            self.long_paragraphs.add(paragraph)

    def repeats(self, paragraph: str) -> bool:
        """Whether ``paragraph`` is a long one the body already holds, word for word."""
        return len(paragraph) >= _MIN_REPEATED_LENGTH and paragraph in self.long_paragraphs

    def caption_last_paragraph(self, credit: str) -> None:
        """Turn the paragraph just read into the caption ``credit`` belongs to."""
        last = self.blocks[-1]
        self.blocks[-1] = Caption(text=last if isinstance(last, str) else last.text, credit=credit)
        self.paragraph_count -= 1


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
    paragraphs = _join_broken_bylines(split_paragraphs(normalized))
    if not paragraphs:
        raise ParseError(source, "empty article: no text")
    reading = _read(paragraphs, date_context(normalized, options.timezone))
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


# --- the reading pass -------------------------------------------------------------


def _join_broken_bylines(paragraphs: list[str]) -> list[str]:
    """``By`` (or ``Author:``) on a line of its own belongs to the name on the next;
    pages that set each author on a line of their own ("By" / "Jane Doe" / "@janedoe"
    / "and" / "John Roe") give one byline."""
    joined: list[str] = []
    carried = ""
    continuing = False  # the last line joined was a broken byline's first name
    for paragraph in paragraphs:
        lowered = paragraph.lower()
        if lowered in _LONE_BY or lowered in _LONE_AUTHOR_LABELS:
            carried = f"{carried}{paragraph if lowered in _LONE_AUTHOR_LABELS else paragraph.rstrip(':')} "
            continuing = False
            continue
        if continuing:
            more = continue_byline(paragraph)
            if more is not None:
                if more:
                    joined[-1] = f"{joined[-1]}{'' if joined[-1].endswith(' and') else ','} {more}"
                continue
        continuing = bool(carried) and not lowered.endswith(":")
        joined.append(carried + paragraph)
        carried = ""
    if carried:
        joined.append(carried.strip())
    return joined


def _read(paragraphs: list[str], context: DateContext) -> _Reading:
    reading = _Reading()
    layout = find_layout(paragraphs, context)
    _read_header(paragraphs[:layout.lead], layout, reading, context)
    _read_body(paragraphs[layout.lead:], reading, context)
    if reading.pending_credit:
        reading.blocks.append(Caption(text="", credit=reading.pending_credit))
    return reading


def _read_header(paragraphs: list[str], layout: Layout, reading: _Reading, context: DateContext) -> None:
    """Read the headline and the lines about the article above the lead. Deks,
    promotions and related links among them are not the story and are left out;
    photos keep their captions."""
    unlabelled: str | None = None  # the last line that was no label: maybe a caption
    announced: str | None = None  # the kind of date a label alone ("Updated:") announced
    for index, paragraph in enumerate(paragraphs):
        last_unlabelled, unlabelled = unlabelled, None
        last_announced, announced = announced, label_kind(paragraph)
        if index == layout.title:
            reading.title = layout.headline
            # A line taken for the headline may be a date line ("January 13, 2020 | …").
            reading.add_dates(read_side_dates(paragraph, context, in_header=True), beside=True)
        elif announced or _read_outlet_line(paragraph, reading) or is_furniture(paragraph) \
                or is_related_link(paragraph):
            continue
        elif index in layout.names:
            reading.add_byline(Byline(authors=read_bare_names(paragraph)), paragraph, "byline")
        elif _read_post(paragraph, reading, context) \
                or _read_label(paragraph, reading, context, in_header=True, announced=last_announced):
            continue
        elif not _read_photo(paragraph, reading, caption=last_unlabelled):
            unlabelled = paragraph
            reading.add_dates(read_side_dates(paragraph, context, in_header=True), beside=True)


def _read_photo(paragraph: str, reading: _Reading, *, caption: str | None) -> bool:
    """Captions and credits above the lead: a credit line captions the line before it
    (``caption``) or, failing one, the next line that reads like a caption."""
    label = read_caption_label(paragraph)
    if label is not None:
        reading.blocks.append(Caption(text=label))
        return True
    credit = _credit_line(paragraph, reading)
    if credit:
        if caption is not None:
            reading.blocks.append(Caption(text=caption, credit=credit))
        else:
            reading.pending_credit = credit
        return True
    captioned = read_trailing_credit(paragraph)
    if captioned and captioned[0]:
        reading.blocks.append(Caption(text=captioned[0], credit=captioned[1]))
        return True
    if reading.pending_credit and has_caption_cue(paragraph):
        reading.blocks.append(Caption(text=paragraph, credit=reading.pending_credit))
        reading.pending_credit = None
        return True
    return False


def _credit_line(paragraph: str, reading: _Reading) -> str | None:
    """A photo credit standing alone; one the outlet commissioned names it."""
    credit = read_credit_line(paragraph)
    if credit:
        return credit
    outlet = read_commissioned_credit(paragraph)
    if outlet:
        reading.mention_outlet("self", paragraph, outlet)
        return paragraph
    return None


def _read_body(paragraphs: list[str], reading: _Reading, context: DateContext) -> None:
    """Sort the remaining paragraphs into body, captions, sources and furniture."""
    area = _Zone.BODY
    for index, paragraph in enumerate(paragraphs):
        following = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
        if area is not _Zone.REFERENCES:
            reading.add_dates(read_self_dated(paragraph, context), beside=True)
        if is_end_marker(paragraph):
            area = _Zone.ENDED
        elif _read_outlet_line(paragraph, reading) or area is _Zone.ENDED:
            continue
        elif is_reference_header(paragraph):
            area = _Zone.REFERENCES
        elif area is _Zone.REFERENCES and _read_reference(paragraph, reading, context):
            continue
        elif is_related_heading(paragraph):
            area = _Zone.RELATED
        elif is_furniture(paragraph) or is_related_link(paragraph) or is_rights_notice(paragraph) \
                or is_teaser(paragraph, following) or reading.repeats(paragraph) \
                or (area is _Zone.RELATED and not reads_as_prose(paragraph)):
            continue
        else:
            area = _Zone.BODY
            _read_body_paragraph(paragraph, reading, context)


def _read_reference(paragraph: str, reading: _Reading, context: DateContext) -> bool:
    if len(paragraph) > _MAX_REFERENCE_LENGTH:
        return False
    reference = read_reference(paragraph, context)
    if reference:
        reading.references.append(reference)
    return reference is not None


def _read_body_paragraph(paragraph: str, reading: _Reading, context: DateContext) -> None:
    if _read_post(paragraph, reading, context) or _read_label(paragraph, reading, context, in_header=False) \
            or is_post_credit(paragraph):
        return
    label = read_caption_label(paragraph)
    if label is not None:
        reading.blocks.append(Caption(text=label))
        return
    captioned = read_trailing_credit(paragraph)
    if captioned and captioned[0]:
        reading.blocks.append(Caption(text=captioned[0], credit=captioned[1]))
        return
    credit = _credit_line(paragraph, reading)
    if credit:
        _attach_credit(credit, reading)
        return
    if reading.pending_credit and _take_pending_credit(paragraph, reading):
        return
    reading.add_dates(read_change_note(paragraph, context))
    reading.add_dates(read_side_dates(paragraph, context, in_header=False), beside=True)
    if not reading.paragraph_count:
        _read_lead(paragraph, reading, context)
    reading.add_paragraph(paragraph)


def _read_post(paragraph: str, reading: _Reading, context: DateContext) -> bool:
    """The attribution of an embedded social post: a dated source, not a date line."""
    post = read_post_attribution(paragraph, context)
    if post:
        reading.references.append(post)
    return post is not None


def _take_pending_credit(paragraph: str, reading: _Reading) -> bool:
    """Give a credit that stood above to ``paragraph`` if it reads like a caption
    (and say so), else let the credit stand alone where it was."""
    credit, reading.pending_credit = reading.pending_credit, None
    if has_caption_cue(paragraph):
        reading.blocks.append(Caption(text=paragraph, credit=credit))
        return True
    reading.blocks.append(Caption(text="", credit=credit))
    return False


def _attach_credit(credit: str, reading: _Reading) -> None:
    """A credit line belongs to the short paragraph above it (the caption), else to
    the next paragraph when that reads like a caption."""
    previous = reading.blocks[-1] if reading.blocks else None
    if isinstance(previous, str) and len(previous) <= _MAX_CAPTION_LENGTH and reading.paragraph_count > 1:
        reading.caption_last_paragraph(credit)
    else:
        reading.pending_credit = credit


def _read_lead(paragraph: str, reading: _Reading, context: DateContext) -> None:
    """Note the dateline (``CITY, Country —``), agency (``(Reuters)``) or site name a
    lead opens with; the lead keeps it, as the story prints it."""
    dateline = read_dateline(paragraph, context, standalone=False) if reading.dateline is None else None
    if dateline:
        reading.add_dateline(dateline, paragraph)
        reading.lead_text = dateline.rest
        return
    agency = read_leading_agency(paragraph)
    if agency:
        reading.mention_outlet("agency", paragraph, agency[0])
        reading.lead_text = agency[1]
        return
    domain = read_domain_dateline(paragraph)
    if domain:
        reading.mention_outlet("self", paragraph, domain)
        reading.lead_text = paragraph[len(domain):].lstrip(" -–—:")


def _read_outlet_line(paragraph: str, reading: _Reading) -> bool:
    """Lines that name the outlet, wherever they stand: copyright notices, author
    archive lines, self-promotion, the reporter's bio, newsroom addresses."""
    copyright = read_copyright(paragraph)
    if copyright is not None:
        reading.mention_outlet("copyright", paragraph, copyright.brand)
        reading.mention_outlet("publisher" if copyright.corporate else "holder", paragraph, copyright.holder)
        return True
    author = read_author_line(paragraph)
    if author:
        reading.add_byline(author, paragraph, "author")
        return True
    staff = read_staff_line(paragraph)
    if staff:
        reading.mention_outlet("desk", paragraph, staff)
        return True
    promoted = read_self_reference(paragraph)
    if promoted:
        reading.mention_outlet("self", paragraph, promoted)
        return True
    bio = read_bio(paragraph)
    if bio:
        reading.add_author(bio[0])
        reading.mention_outlet("self", paragraph, bio[1])
        return True
    contact = read_contact(paragraph)
    if contact:
        if contact[0]:
            reading.add_author(contact[0])
        reading.mention_outlet("contact", paragraph, contact[1])
        return True
    return False


def _read_label(paragraph: str, reading: _Reading, context: DateContext, *, in_header: bool,
                announced: str | None = None) -> bool:
    """Bylines, date lines, datelines and desk lines: lines about the article, not
    of it. Datelines and desk lines count only above the body; bylines below it
    only when they name a person. ``announced`` is the kind of date a label on the
    line above ("Updated:") gave the unlabelled dates of a date line."""
    byline = read_byline(paragraph, context)
    if byline and (in_header or byline.authors):
        reading.add_byline(byline, paragraph, "byline")
        return True
    date_line = read_date_line(paragraph, context, in_header=in_header)
    if date_line:
        reading.add_dates([replace(stated, kind=stated.kind or announced or "") for stated in date_line.dates])
        if date_line.name:
            reading.add_author(date_line.name)
        return True
    if not in_header:
        return False
    dateline = read_dateline(paragraph, context, standalone=True)
    if dateline and reading.dateline is None:
        reading.add_dateline(dateline, paragraph)
        return True
    role_line = read_role_line(paragraph)
    if role_line:
        reading.add_byline(role_line, paragraph, "desk")
        return True
    return False


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


def _outlet(reading: _Reading, outlets: Mapping[str, Outlet], meta: ArticleMeta) -> tuple[str | None, str | None]:
    """The declared outlet, else a configured outlet named on an outlet-bearing line,
    else the name the outlet-bearing lines support best."""
    if meta.outlet:
        return _named_outlet(meta.outlet, outlets)
    mentions = sorted(reading.outlet_mentions, key=lambda mention: mention[0])
    for _, line, _ in mentions:
        configured = _configured_outlet_in(line, outlets)
        if configured:
            return configured.name, configured.slug
    name = choose_outlet([OutletMention(_OUTLET_WEIGHTS[source], line, brand_name(name))
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


def _title(reading: _Reading, body: tuple[str, ...], meta: ArticleMeta, stem: str) -> tuple[str, bool]:
    if meta.title:
        return meta.title, False
    if reading.title:
        return reading.title, False
    return derive_title(reading.lead_text or body[0]) or stem or "Untitled", True


def _published(reading: _Reading, meta: ArticleMeta, modified: datetime | None,
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


def _updated(reading: _Reading, meta: ArticleMeta, published: datetime, zone: tzinfo) -> datetime:
    """Declared > an ``Updated …`` date in the text > published; never before published."""
    updated = _aware(meta.updated, zone) if meta.updated else (
        _stated(reading, UPDATED, beside=False) or _stated(reading, UPDATED, beside=True))
    return max(updated, published) if updated else published


def _stated(reading: _Reading, kind: str, *, beside: bool | None = None) -> datetime | None:
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
