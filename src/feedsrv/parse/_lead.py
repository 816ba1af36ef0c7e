"""Where an article starts: its headline, the lines about it, and its lead.

A page copied from a news site opens with a headline, then deks, bylines, date
lines, share buttons, photos with captions and credits, newsletter promotions and
related links, in an order each site chooses. The lead, the story's first
paragraph, is found by general rules:

* lines about the article (bylines, date lines, datelines, desk lines, credits)
  stand above it, so prose before the last of them is a dek, a caption or a
  promotion, not the story;
* the lead reads as prose (words ending in a sentence end); a short one is
  followed by more prose, where a share-button slogan or a promotion is followed
  by more furniture;
* a paragraph opening with a dateline (``BERLIN —``, ``(Reuters) —``) is a lead,
  and wins over a candidate that stood alone among furniture;
* a video card (``Video``, its title, one line about it) is no lead;
* once enough prose has been read, or the sources or comments begin, the story has
  begun: later labels are its own (a correspondent's box, a photo credit).

Each paragraph of the first screenful is looked at once, so this is linear.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from ._bylines import LONE_HANDLE, read_author_line, read_byline, read_role_line
from ._captions import read_caption_label, read_credit_line, read_slash_credit, read_trailing_credit
from ._datelines import read_date_line, read_dateline, read_leading_agency
from ._dates import DateContext
from ._furniture import (
    is_end_marker,
    is_furniture,
    is_hatnote,
    is_post_credit,
    is_related_heading,
    is_related_link,
    is_teaser,
)
from ._headline import MAX_LINES, headline_odds, line_cues
from ._names import is_surname
from ._outlets import (
    read_bio,
    read_commissioned_credit,
    read_contact,
    read_copyright,
    read_domain_dateline,
    read_self_reference,
)
from ._people import names_people, read_bare_names, signs_names, words_of
from ._prose import reads_as_prose, sentence_ends
from ._references import is_reference_header, read_post_attribution

# The lines above the lead fit in this many paragraphs; the rest is body.
_WINDOW = 40
_MAX_HEADLINE_LENGTH = 160
_MAX_HEADLINE_WORDS = 25
# A lead shorter than this must be followed by more prose.
_SHORT_LEAD = 100
# A paragraph ending in a colon this long is a sentence introducing a list.
_MIN_INTRODUCTION = 80
# More prose than a dek holds: a date line below it is the story's own.
_LONG_LEAD = 200
# Prose read after a lead candidate that shows the story has begun.
_BODY_BEGUN = 500
# Longer than a caption runs: prose above a photo credit this long is the story's.
_MAX_CAPTION_LENGTH = 300
_MAX_TEASER_LENGTH = 200
_MEDIA_LABELS = frozenset({("video",), ("watch",), ("watch", "video"), ("listen",), ("audio",), ("podcast",)})
_MAX_MEDIA_LABEL_LENGTH = 20
_DURATION = re.compile(r"^\d{1,2}(?::\d{2}){1,2}$")
# A summary of the story in points, above it: "Key Points", "Highlights".
_SUMMARY_HEADING = re.compile(
    r"^(?:key (?:points|takeaways)|highlights|at a glance|in brief|the big picture|summary)\W{0,2}$", re.IGNORECASE)
_MAX_SUMMARY_POINTS = 5
# A byline that opens a page names people in two or three words each.
_SHORT_NAME_WORDS = 3
_MAX_POINT_LENGTH = 250
# A bulleted line: "- Parks get more money", "• Libraries too".
_BULLET = re.compile(r"^[-•*·▪‣]\s")
# A headline found below the top of the page holds at least this many words.
_MIN_HEADLINE_WORDS = 3
# A trail of links from the home page to the story: "Home > Articles > Skin …".
_BREADCRUMB_START = re.compile(r"^(?:home|start|front page)\b", re.IGNORECASE)
# What joins a headline and its subtitle: "Letting the Wolves Howl: Part 5".
_SUBTITLE_MARKS = frozenset({":", "|", "–", "—"})
_TRAILING_NUMBER = re.compile(r"^(?P<headline>.*[^\W\d]\S*) (?P<count>\d{1,6})$")
# A link onward, not a headline: "More Community Stories »".
_ONWARD_MARKS = ("»", "›", ">>")
# The headline model reads the lines above the lead and these many under it.
_LINES_UNDER_LEAD = 2
# How sure the headline model must be of a line to take it for the headline where
# the rules found none (chosen by cross-validation on the training corpus).
_SURE = 0.2
_INTERRUPTIONS = frozenset({("advertisement",), ("ad",), ("sponsored",), ("continue", "reading", "below"),
                            ("story", "continues", "below"), ("article", "continues", "below")})


class Kind(Enum):
    """What a paragraph at the top of an article is."""

    FURNITURE = "furniture"
    LABEL = "label"  # about the article: byline, date line, dateline, desk line, copyright
    CREDIT = "credit"  # a photo credit standing alone
    CAPTION = "caption"  # a caption with its credit, or after a caption label
    PROSE = "prose"
    TEXT = "text"  # anything else: a headline, a section name, a related link


@dataclass(frozen=True, slots=True)
class Layout:
    """The top of an article: where the headline stands (if any), where the body
    starts, and which lines are a byline without "By" (a name over a date line)."""

    title: int | None
    lead: int
    names: frozenset[int] = frozenset()
    # The headline as it reads without a comment count printed after it.
    headline: str | None = None


def find_layout(paragraphs: Sequence[str], context: DateContext) -> Layout:
    """The headline, the bylines written as a bare name, and the lead of ``paragraphs``."""
    top = _Top(paragraphs, context)
    title, lead = _rules_layout(top)
    title = _learned_headline_index(top, title, lead)
    headline = _without_comment_count(top, paragraphs[title]) if title is not None else None
    return Layout(title=title, lead=lead, names=frozenset(top.names), headline=headline)


def headline_cues(paragraphs: Sequence[str], context: DateContext) -> list[tuple[str, ...]]:
    """The cues the headline model reads of each line at the top of ``paragraphs``."""
    top = _Top(paragraphs, context)
    return _cues(top, _rules_layout(top)[1])


def _rules_layout(top: _Top) -> tuple[int | None, int]:
    """The headline and the lead the rules find."""
    title = _title_index(top)
    lead = _lead_index(top, title)
    if lead is None:
        lead = _first_text_index(top, title)
    elif title is None:
        title = _labelled_headline_index(top, lead)
    else:
        title = _fuller_headline_index(top, title, lead)
    return title, lead


def _cues(top: _Top, lead: int) -> list[tuple[str, ...]]:
    return [line_cues(top.paragraphs[index], top.kind(index).value, index, after_lead=index > lead)
            for index in range(min(len(top), lead + _LINES_UNDER_LEAD + 1, MAX_LINES))]


def _learned_headline_index(top: _Top, title: int | None, lead: int) -> int | None:
    """The rules' headline; where they found none, the line above the lead the
    model is sure enough of. (Overruling a headline the rules found lost more than
    it won, in cross-validation on the training corpus.)"""
    if title is not None:
        return title
    # A byline or a button is no headline, however it looks; a line the rules took
    # for a date line or a credit may be one ("The Briefing, Thursday, November 8").
    candidates = [index for index in range(min(lead, len(top), MAX_LINES))
                  if top.kind(index) is not Kind.FURNITURE and index not in top.names
                  and not read_byline(top.paragraphs[index], top.context)]
    if not candidates:
        return None
    odds = headline_odds(_cues(top, lead))
    best = max(candidates, key=odds.__getitem__)
    return best if odds[best] >= _SURE else None


class _Top:
    """The paragraphs of the top of an article, each classified when first asked
    about (most leads are found in the first few), with the rules that need a
    paragraph's neighbours applied as they are classified."""

    def __init__(self, paragraphs: Sequence[str], context: DateContext) -> None:
        self.paragraphs = paragraphs[:_WINDOW + 1]
        self.total = len(paragraphs)
        self.context = context
        self.kinds: list[Kind] = []
        self.names: list[int] = []

    def __len__(self) -> int:
        return len(self.paragraphs)

    def kind(self, index: int) -> Kind:
        """What paragraph ``index`` is; the two after it are classified too, so that
        rules looking ahead have settled it."""
        last = min(index + 2, len(self.paragraphs) - 1)
        while len(self.kinds) <= last:
            self._classify_next()
        return self.kinds[index]

    def _classify_next(self) -> None:
        index = len(self.kinds)
        self.kinds.append(self._summary_point(index) or classify(self.paragraphs[index], self.context))
        self._mark_name(index - 1)
        if index == len(self.paragraphs) - 1:
            self._mark_name(index)
        self._mark_media_teaser(index - 2)
        if index and is_teaser(self.paragraphs[index - 1], self.paragraphs[index]):
            self.kinds[index - 1] = Kind.TEXT

    def _summary_point(self, index: int) -> Kind | None:
        """A bulleted line, or one of the short sentences right under "Key Points":
        the story in brief, not the story."""
        paragraph = self.paragraphs[index]
        if _BULLET.match(paragraph):
            return Kind.TEXT
        for points, previous in enumerate(range(index - 1, max(-1, index - 1 - _MAX_SUMMARY_POINTS), -1)):
            if _SUMMARY_HEADING.match(self.paragraphs[previous]):
                single = len(paragraph) <= _MAX_POINT_LENGTH and not sentence_ends(paragraph)
                return Kind.TEXT if single and points < _MAX_SUMMARY_POINTS else None
            if self.kinds[previous] is not Kind.TEXT:
                return None
        return None

    def _mark_name(self, index: int) -> None:
        """A line that is only people's names, right above a date line or a job title,
        is a byline without "By" (``Debbie White`` over ``18 Nov 2019, 19:09``), and so
        is one whose names open with given names, in the header. Where the headline
        stands, only names in capitals (``JANIE HAR``) or given names over prose are:
        "Putin Meets Assad" over a date is a headline."""
        if index < 0 or index + 1 >= len(self.paragraphs) or self.kinds[index] is not Kind.TEXT \
                or not read_bare_names(self.paragraphs[index]):
            return
        headline_place = all(kind is Kind.FURNITURE for kind in self.kinds[:index])
        below = self.paragraphs[index + 1]
        # A page copied from below its headline may open with the byline: given
        # names right over the story's prose.
        if headline_place and not self.paragraphs[index].isupper() \
                and not (self.kinds[index + 1] is Kind.PROSE and self._short_names(index)) \
                and not self._signature(index):
            return
        # Over a date line, a job title or the reporter's handle ("@janedoe").
        if read_date_line(below, self.context, in_header=True) or read_role_line(below) or LONE_HANDLE.match(below) \
                or (not self._after_prose(index)
                    and (names_people(self.paragraphs[index]) or self._signature(index))):
            self.kinds[index] = Kind.LABEL
            self.names.append(index)

    def _short_names(self, index: int) -> bool:
        """Names of two or three words each, from a given name to a surname ("Jane
        Doe"): where the headline stands, "Long Name" or "Olive Oil Cake Recipe"
        opens with a given name too."""
        names = read_bare_names(self.paragraphs[index])
        return names_people(self.paragraphs[index]) and all(
            len(name.split()) <= _SHORT_NAME_WORDS and is_surname(name.split()[-1]) for name in names)

    def _signature(self, index: int) -> bool:
        """Names that sign the page from its top (``Neetzan Zimmerman``), over a
        date line, a job title or buttons (``View Profile``)."""
        below = self.paragraphs[index + 1]
        if not (self.kinds[index + 1] is Kind.FURNITURE or read_date_line(below, self.context, in_header=True)
                or read_role_line(below)):
            return False
        return signs_names(self.paragraphs[index])

    def _after_prose(self, index: int) -> bool:
        """Whether prose comes after the last label above ``index``: a name there
        heads a section or a box ("Ralph Rapson" over his interview), not the story."""
        settled = (kind for kind in reversed(self.kinds[:index]) if kind not in (Kind.FURNITURE, Kind.TEXT))
        return next(settled, None) is Kind.PROSE

    def _mark_media_teaser(self, index: int) -> None:
        """``Video`` / a title / one line about it: a card for another story."""
        if index < 0 or len(self.paragraphs[index]) > _MAX_MEDIA_LABEL_LENGTH:
            return
        label = tuple(word for word in words_of(self.paragraphs[index]) if word and not _DURATION.match(word))
        if label not in _MEDIA_LABELS:
            return
        if self.kinds[index + 1] is Kind.TEXT and self.kinds[index + 2] is Kind.PROSE \
                and len(self.paragraphs[index + 2]) <= _MAX_TEASER_LENGTH:
            self.kinds[index + 2] = Kind.TEXT


def classify(paragraph: str, context: DateContext) -> Kind:
    """What ``paragraph`` is, seen at the top of an article."""
    if is_furniture(paragraph) or is_related_heading(paragraph) or is_related_link(paragraph) \
            or read_self_reference(paragraph) or read_bio(paragraph) or read_contact(paragraph) \
            or read_post_attribution(paragraph, context) or is_hatnote(paragraph):
        return Kind.FURNITURE
    if read_caption_label(paragraph) is not None:
        return Kind.CAPTION
    if read_copyright(paragraph) or read_author_line(paragraph):
        return Kind.LABEL
    if read_credit_line(paragraph) or read_commissioned_credit(paragraph) or read_slash_credit(paragraph):
        return Kind.CREDIT
    if (read_byline(paragraph, context) or read_date_line(paragraph, context, in_header=True)
            or read_dateline(paragraph, context, standalone=True) or read_role_line(paragraph)
            or is_post_credit(paragraph)):
        return Kind.LABEL
    trailing = read_trailing_credit(paragraph)
    if trailing and trailing[0]:
        return Kind.CAPTION
    return Kind.PROSE if reads_as_prose(paragraph) or _introduces_list(paragraph) else Kind.TEXT


def _is_aside(paragraph: str) -> bool:
    """A paragraph wholly in parentheses: a note about the story (``(Corrects 10th
    paragraph …)``, ``(Cross-posted from …)``) or a photo's caption, not its lead;
    after the lead, an aside of the story."""
    return paragraph.startswith("(") and paragraph.endswith(")") and paragraph.find(")") == len(paragraph) - 1


def _introduces_list(paragraph: str) -> bool:
    """A long sentence ending in a colon, above the list or quotation it introduces
    (``… said something truly implausible:``): prose, where a heading is short."""
    return len(paragraph) >= _MIN_INTRODUCTION and paragraph.endswith(":") and " " in paragraph[:_MIN_INTRODUCTION]


def opens_with_dateline(paragraph: str, context: DateContext) -> bool:
    """``BERLIN —``, ``WASHINGTON (AP) —``, ``(CNN)``, ``Example.net -``: how leads open."""
    return bool(read_dateline(paragraph, context, standalone=False) or read_leading_agency(paragraph)
                or read_domain_dateline(paragraph))


def is_headline(paragraph: str, *, full_stop: bool = False) -> bool:
    """A short line that starts like a title and does not end like a sentence
    (unless ``full_stop`` allows it: a headline may end with one)."""
    words = paragraph.split()
    if len(paragraph) > _MAX_HEADLINE_LENGTH or len(words) > _MAX_HEADLINE_WORDS:
        return False
    if paragraph.endswith(_ONWARD_MARKS):
        return False
    stop = paragraph.endswith((".", ",", ":", ";")) and not paragraph.endswith("...")
    if stop and not (full_stop and paragraph.endswith(".")):
        return False
    first = paragraph.lstrip("\"'“‘(")[:1]
    return first.isupper() or first.isdigit()


def _title_index(top: _Top) -> int | None:
    """The first paragraph when it reads as a headline and more follows; one that
    ends with a full stop counts when a byline or date line comes right after it."""
    first = next((index for index in range(len(top)) if top.kind(index) is not Kind.FURNITURE), None)
    if first is None or first + 1 >= len(top) or top.kind(first) not in (Kind.TEXT, Kind.PROSE):
        return None
    headline = top.paragraphs[first]
    if is_headline(headline):
        return first
    following = next((index for index in range(first + 1, len(top)) if top.kind(index) is not Kind.FURNITURE),
                     None)
    if following is None or top.kind(following) is not Kind.LABEL or not is_headline(headline, full_stop=True):
        return None
    line = top.paragraphs[following]
    if following in top.names or read_date_line(line, top.context, in_header=True) \
            or read_byline(line, top.context):
        return first
    return None


def _labelled_headline_index(top: _Top, lead: int) -> int | None:
    """Where the page opens with something else (a date line, a dek, a caption), the
    headline is the first line above the lead that reads as one, has a few words
    (one or two are a name or a button) and stands over a byline or a date line, or under a date line."""
    previous: int | None = None
    for index in range(lead):
        kind = top.kind(index)
        if kind is Kind.FURNITURE:
            continue
        line = top.paragraphs[index]
        if kind is Kind.TEXT and is_headline(line) and len(line.split()) >= _MIN_HEADLINE_WORDS \
                and not line.endswith(("...", "…")):
            following = next((later for later in range(index + 1, lead + 1) if top.kind(later) is not Kind.FURNITURE),
                             None)
            # Under a byline alone, a line that is not prose is no headline.
            if (previous is not None and read_date_line(top.paragraphs[previous], top.context, in_header=True)) \
                    or (following is not None and top.kind(following) is Kind.LABEL):
                return index
        previous = index
    return None


def _fuller_headline_index(top: _Top, title: int, lead: int) -> int:
    """A later line above the lead that the first one ends with (the first was a
    breadcrumb trail, ``Home News …``, ending in the headline) or that is the first with a subtitle
    (the first was the blog's name or a short form: ``…: Part 5`` follows). Links
    to other stories start at a related heading."""
    first = top.paragraphs[title]
    for index in range(title + 1, lead):
        line = top.paragraphs[index]
        if is_related_heading(line):
            break
        if top.kind(index) is not Kind.TEXT or not is_headline(line) or len(line.split()) < _MIN_HEADLINE_WORDS:
            continue
        if (len(line) < len(first) and first.endswith(" " + line) and _BREADCRUMB_START.match(first)) \
                or (line.startswith(first) and line[len(first):len(first) + 1] in _SUBTITLE_MARKS):
            return index
    return title


def _without_comment_count(top: _Top, headline: str) -> str:
    """``The Nation Is Losing Its Toolbox 524`` where the page counts ``524 comments``:
    the count shown beside the headline is no part of it."""
    match = _TRAILING_NUMBER.match(headline)
    if not match:
        return headline
    counter = re.compile(rf"(?:^|\s){match['count']}\s(?:comments?|responses|replies)\b", re.IGNORECASE)
    if any(counter.search(paragraph) for paragraph in top.paragraphs):
        return match["headline"]
    return headline


def _lead_index(top: _Top, title: int | None) -> int | None:
    """The first prose paragraph after the last label that can stand as a lead, or a
    dateline paragraph after a candidate that stood alone; None without one."""
    lead: int | None = None
    prose_read = 0
    alone = False  # the candidate was followed by something other than prose
    previous: int | None = None
    for index in range(min(len(top), _WINDOW)):
        kind = top.kind(index)
        if index == title or kind is Kind.FURNITURE:
            continue
        paragraph = top.paragraphs[index]
        if lead is not None and (prose_read >= _BODY_BEGUN or is_reference_header(paragraph)
                                 or is_end_marker(paragraph)):
            break
        if kind is Kind.LABEL and lead is not None and prose_read >= _LONG_LEAD and _is_bare_date(top, index):
            # A date standing in the story (a letter's, an event's) after more prose
            # than a dek holds.
            previous = index
            continue
        if kind is Kind.LABEL or (kind is Kind.CREDIT and lead is not None and previous == lead
                                  and len(top.paragraphs[lead]) <= _MAX_CAPTION_LENGTH):
            # Prose above a byline was a dek or a promotion; above a credit, a caption.
            lead, prose_read = None, 0
        elif kind is Kind.PROSE:
            opens = opens_with_dateline(paragraph, top.context)
            if (lead is None and not _is_aside(paragraph) and (opens or _stands_as_lead(top, index))) \
                    or (opens and alone):
                lead, prose_read, alone = index, len(paragraph), False
            elif lead is not None:
                prose_read += len(paragraph)
        elif kind is not Kind.CREDIT and lead is not None:
            alone = True
        previous = index
    return lead


def _is_bare_date(top: _Top, index: int) -> bool:
    """A date line naming nobody: under a byline's name it would be the byline."""
    paragraph = top.paragraphs[index]
    date_line = read_date_line(paragraph, top.context, in_header=True)
    return date_line is not None and date_line.name is None and index not in top.names \
        and not read_byline(paragraph, top.context)


def _stands_as_lead(top: _Top, index: int) -> bool:
    """A long paragraph, the last one, or a short one followed by more prose."""
    if len(top.paragraphs[index]) >= _SHORT_LEAD or index + 1 >= top.total:
        return True
    following = index + 1
    # An advertisement may interrupt the story anywhere; share buttons do not.
    while following < len(top) and tuple(words_of(top.paragraphs[following])) in _INTERRUPTIONS:
        following += 1
    return following >= top.total or (following < len(top) and top.kind(following) is Kind.PROSE)


def _first_text_index(top: _Top, title: int | None) -> int:
    """Without a lead that reads as prose, the body starts at the first paragraph that
    is not furniture, a label or the headline (past the window, the body reader sorts)."""
    for index in range(min(len(top), _WINDOW)):
        if index != title and top.kind(index) in (Kind.PROSE, Kind.TEXT, Kind.CAPTION):
            return index
    return min(top.total, _WINDOW)
