"""The reading pass: one walk over an article's paragraphs, sorting each into what
it is and noting what it says in a :class:`Reading`.

Above the lead (:mod:`._lead` finds it) stand the headline, bylines, date lines, a
dateline and photos; below it the body, captions, cited sources and furniture. The
recognizers say which line is what; this module keeps the state and the order of
the questions, and :mod:`._article` assembles the entry from what it found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from ..model import Caption, Reference
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
from ._dates import DateContext, StatedDate, label_kind
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
from ._prose import reads_as_prose
from ._references import is_reference_header, read_post_attribution, read_reference

# Where an outlet is named, most telling first: the brand on the copyright line,
# desk and author lines, the byline, the site promoting itself, newsroom e-mail
# addresses, the company owning the copyright, a wire agency in the dateline.
_OUTLET_SOURCES = ("copyright", "desk", "author", "byline", "self", "holder", "contact", "publisher", "agency")
# How much each kind of line says about the outlet, by index in _OUTLET_SOURCES: the
# site's own notices and staff lines name it outright, an address only by its domain,
# a parent company or a wire agency may be someone else's.
OUTLET_WEIGHTS = (3, 3, 3, 3, 3, 2, 2, 1, 1)
_MAX_CAPTION_LENGTH = 300
_MAX_REFERENCE_LENGTH = 250
# A byline broken after its "By": "By" / "Jane Doe".
LONE_BY = frozenset({"by", "by:", "written by", "words by", "story by"})
# A paragraph this long found twice is the page printing it twice; shorter ones (a
# refrain, "Yes.") may repeat in a story.
_MIN_REPEATED_LENGTH = 100
# A label on its own line over the names: "Author:" / "Jane Doe".
_LONE_AUTHOR_LABELS = frozenset({"author:", "authors:"})


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
class Reading:
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


def join_broken_bylines(paragraphs: list[str]) -> list[str]:
    """``By`` (or ``Author:``) on a line of its own belongs to the name on the next;
    pages that set each author on a line of their own ("By" / "Jane Doe" / "@janedoe"
    / "and" / "John Roe") give one byline."""
    joined: list[str] = []
    carried = ""
    continuing = False  # the last line joined was a broken byline's first name
    for paragraph in paragraphs:
        lowered = paragraph.lower()
        if lowered in LONE_BY or lowered in _LONE_AUTHOR_LABELS:
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


def read_paragraphs(paragraphs: list[str], context: DateContext) -> Reading:
    """Read an article's paragraphs: the lines above the lead, then the body."""
    reading = Reading()
    layout = find_layout(paragraphs, context)
    _read_header(paragraphs[:layout.lead], layout, reading, context)
    _read_body(paragraphs[layout.lead:], reading, context)
    if reading.pending_credit:
        reading.blocks.append(Caption(text="", credit=reading.pending_credit))
    return reading


def _read_header(paragraphs: list[str], layout: Layout, reading: Reading, context: DateContext) -> None:
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


def _read_photo(paragraph: str, reading: Reading, *, caption: str | None) -> bool:
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


def _credit_line(paragraph: str, reading: Reading) -> str | None:
    """A photo credit standing alone; one the outlet commissioned names it."""
    credit = read_credit_line(paragraph)
    if credit:
        return credit
    outlet = read_commissioned_credit(paragraph)
    if outlet:
        reading.mention_outlet("self", paragraph, outlet)
        return paragraph
    return None


def _read_body(paragraphs: list[str], reading: Reading, context: DateContext) -> None:
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


def _read_reference(paragraph: str, reading: Reading, context: DateContext) -> bool:
    if len(paragraph) > _MAX_REFERENCE_LENGTH:
        return False
    reference = read_reference(paragraph, context)
    if reference:
        reading.references.append(reference)
    return reference is not None


def _read_body_paragraph(paragraph: str, reading: Reading, context: DateContext) -> None:
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


def _read_post(paragraph: str, reading: Reading, context: DateContext) -> bool:
    """The attribution of an embedded social post: a dated source, not a date line."""
    post = read_post_attribution(paragraph, context)
    if post:
        reading.references.append(post)
    return post is not None


def _take_pending_credit(paragraph: str, reading: Reading) -> bool:
    """Give a credit that stood above to ``paragraph`` if it reads like a caption
    (and say so), else let the credit stand alone where it was."""
    credit, reading.pending_credit = reading.pending_credit, None
    if has_caption_cue(paragraph):
        reading.blocks.append(Caption(text=paragraph, credit=credit))
        return True
    reading.blocks.append(Caption(text="", credit=credit))
    return False


def _attach_credit(credit: str, reading: Reading) -> None:
    """A credit line belongs to the short paragraph above it (the caption), else to
    the next paragraph when that reads like a caption."""
    previous = reading.blocks[-1] if reading.blocks else None
    if isinstance(previous, str) and len(previous) <= _MAX_CAPTION_LENGTH and reading.paragraph_count > 1:
        reading.caption_last_paragraph(credit)
    else:
        reading.pending_credit = credit


def _read_lead(paragraph: str, reading: Reading, context: DateContext) -> None:
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


def _read_outlet_line(paragraph: str, reading: Reading) -> bool:
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


def _read_label(paragraph: str, reading: Reading, context: DateContext, *, in_header: bool,
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
