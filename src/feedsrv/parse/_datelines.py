"""Recognizers for the lines that date or place an article: date lines
(``Published 21 October 2015``), dates beside other things on a line about the
article, sentences in which the page dates the article, correction notes, and
datelines (``MOSCOW, Russia —``, ``(CNN)``).

Each function looks at one normalized paragraph and knows general English newsroom
conventions only (the dates themselves are read by :mod:`._dates`). Patterns are
anchored at the start of a paragraph and use no nested quantifiers, so each runs in
linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ._bylines import SENTENCE_MARKS
from ._dates import PUBLISHED, UPDATED, DateContext, StatedDate, find_dates, remove_dates, strip_dates
from ._people import person_name, signs_names

# A name beside how long ago the story was posted: "Jane Doe 5 hours ago".
_NAME_AND_AGE = re.compile(
    r"^(?P<name>[^\d|·•]{3,60}?)\s(?:[|·•]\s)?\d{1,2}\s?(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?)\sago$",
    re.IGNORECASE)
_MAX_DATE_LINE_LENGTH = 200
_MAX_DATE_LINE_REST_WORDS = 3
# Where a line about the article splits into parts, each of which may open with a
# date: "Jane Doe · Outlet · Posted: …", "January 13, 2020 | categories: …",
# "Page (last edited … by …)".
_SEGMENT_BREAK = re.compile(r"\s[|·•/–—-]\s|[|·•()]")
# A hyphen separates only with a space beside it: WILKES-BARRE is one place.
# A page whose dash was lost to a wrong encoding prints "(AP) ? Officials said".
_DASH_AFTER_DATELINE = re.compile(r"\s{0,2}(?:—|–|--)\s*|\s-\s*|-\s|\s\?\s")
_MAX_DATELINE_LENGTH = 120  # where the dash after a dateline must stand
# Looked for before that pattern, which tries every position: most lines have no dash.
_DASH = re.compile(r"[—–-]|\s\?\s")
# "(CNN) President …", "Hong Kong (CNN Business) A …": an agency in parentheses, maybe
# after a place, before a capital. "(D-Minn.) said" is a party label, not an agency.
_LEADING_AGENCY = re.compile(
    r"^(?:(?P<place>[A-Z][\w.'-]{0,30}(?:,? [A-Z][\w.'-]{0,30}){0,3}) )?"
    r"\((?P<agency>[A-Z][\w.&'-]{1,30}(?: [A-Z][\w.&'-]{0,30}){0,3})\)\s{0,2}(?:(?:—|–|--?)\s{0,2})?"
    r"(?=[A-Z0-9\"“‘'])")
_PARTY_LABEL = re.compile(r"^[A-Z]-")
# A sentence in which the page dates the article itself: "This entry was posted on
# …", "This article was originally published on …", "Posted on … in Politics".
_SELF_DATED = re.compile(
    r"^(?:this (?:article|story|post|blog post|entry|piece|column)"
    r" (?:was |is |has been )?(?:originally |first |last )?)?"
    r"(?P<label>published|posted|written|updated|submitted|contributed)"
    # A CMS's signature names the author between: "This entry was written by Jane,
    # posted on …", "Submitted by Jane Doe on …".
    r"(?: by [^.,;:|]{2,60}?(?:,? (?:and )?(?:posted|published))?)?(?: on| at)?:?\s",
    re.IGNORECASE,
)
# How far after the label its date may begin: a weekday and its comma.
_SELF_DATED_REACH = 12
# Notes about later changes: "Correction, Nov. 15, 2019: …", "Update (Nov 2, 2019): …".
_CHANGE_NOTE = re.compile(r"^(?:corrections?|clarifications?|updates?|editor['’]s note)\b[^:]{0,60}:", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DateLine:
    """A line that is a date, maybe labelled, maybe with a byline name beside it;
    ``dates`` is empty for a relative date ("3 hours ago", "Tuesday")."""

    dates: tuple[StatedDate, ...]
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Dateline:
    """A dateline (``MOSCOW, Russia —``) and the paragraph text after it."""

    place: str
    agency: str | None
    rest: str
    dates: tuple[StatedDate, ...] = ()


def read_date_line(paragraph: str, context: DateContext, *, in_header: bool) -> DateLine | None:
    """``Published 21 October 2015``, ``Nov. 19, 2019 8:21 am ET``: a line that is a
    date, maybe labelled. At the top, a few words may stand beside it (a name:
    ``November 20, 2019 Jane Doe``), and a relative date ("Tuesday", "3 hours ago")
    counts as a date line without dates."""
    if len(paragraph) > _MAX_DATE_LINE_LENGTH:
        return None
    dates = find_dates(paragraph, context)
    if not dates and not in_header:
        return None
    rest = strip_dates(paragraph, dates)
    rest_words = [word for word in rest.split() if any(char.isalpha() for char in word)]
    if not dates:
        if not rest_words:
            return DateLine(dates=())
        # "Jane Doe 5 hours ago": a name beside a relative date, where the name opens
        # with a given name ("Top Stories 3 hours ago" is a heading).
        relative = _NAME_AND_AGE.match(paragraph)
        return DateLine(dates=(), name=relative["name"]) if in_header and relative \
            and signs_names(relative["name"]) else None
    if rest_words and not (in_header and len(rest_words) <= _MAX_DATE_LINE_REST_WORDS
                           and not paragraph.endswith((".", "!", "?"))):
        return None
    return DateLine(dates=tuple(dates), name=person_name(rest) if rest_words else None)


def read_side_dates(paragraph: str, context: DateContext, *, in_header: bool) -> tuple[StatedDate, ...]:
    """Dates a line states beside other things, where it does so the way lines about
    the article do: ``Jane Doe · Outlet · Posted: Aug 8, 2024 4:00 AM EDT``,
    ``January 13, 2020 at 08:45 AM | categories: Python``, ``Story published on Oct 5,
    2022.``, ``Example Blog, December 11, 2014``. A date counts where only its label,
    a weekday or a time stands before it in its part of the line, or where it and at
    most a few words make the whole line; below the top only a labelled date, or one
    on a line that is no sentence, counts. Dates inside running prose never do."""
    if len(paragraph) > _MAX_DATE_LINE_LENGTH:
        return ()
    dates = find_dates(paragraph, context)
    # Below the top, a sentence counts only for a labelled date.
    if not dates or (not in_header and paragraph.endswith((".", "!", "?"))
                     and not any(stated.kind for stated in dates)):
        return ()
    rest_words = [word for word in strip_dates(paragraph, dates).split() if any(char.isalpha() for char in word)]
    # Below the top, "Jane Roe (@janeroe) November 2, 2012" attributes an embedded post.
    if len(rest_words) <= _MAX_DATE_LINE_REST_WORDS and (in_header or "@" not in paragraph) \
            and (dates[0].kind or not paragraph.endswith((".", "!", "?"))):
        return tuple(dates)
    breaks = [match.end() for match in _SEGMENT_BREAK.finditer(paragraph)]
    kept = []
    previous_end = 0
    for index, stated in enumerate(dates):
        start = max([previous_end, *(end for end in breaks if end <= stated.start)])
        previous_end = stated.end
        following = dates[index + 1] if index + 1 < len(dates) else None
        if (in_header or stated.kind) and not strip_dates(paragraph[start:stated.start], ()):
            kept.append(stated)
        elif not stated.kind and following and following.kind == UPDATED \
                and not strip_dates(paragraph[stated.end:following.start], ()):
            # "on December 27, 2014 at 4:28 PM, updated December 29, 2014": the date
            # an update follows is the first publication.
            kept.append(replace(stated, kind=PUBLISHED))
    return tuple(kept)


def read_self_dated(paragraph: str, context: DateContext) -> list[StatedDate]:
    """The date of a sentence in which the page dates the article itself (``This
    entry was posted on Wednesday, November 20th, 2019 …``), wherever it stands, as a
    publication date (an update for ``updated``)."""
    label = _SELF_DATED.match(paragraph)
    if not label or len(paragraph) > _MAX_DATE_LINE_LENGTH:
        return []
    dates = find_dates(paragraph, context)
    if not dates or dates[0].start > label.end() + _SELF_DATED_REACH:
        return []
    kind = UPDATED if label["label"].lower() == UPDATED else PUBLISHED
    return [replace(dates[0], kind=kind)]


def read_change_note(paragraph: str, context: DateContext) -> list[StatedDate]:
    """The dates in the label of a correction or update note (``Correction, Nov. 15,
    2019: …``), as update dates: the article existed by then."""
    label = _CHANGE_NOTE.match(paragraph)
    if not label:
        return []
    return [replace(stated, kind=UPDATED) for stated in find_dates(paragraph[:label.end()], context)]


def read_dateline(paragraph: str, context: DateContext, *, standalone: bool) -> Dateline | None:
    """``MOSCOW, Russia–`` (a line of its own when ``standalone``) or the leading
    ``BERLIN (AP) — `` of a paragraph: an upper-case place, maybe a country, an
    agency in parentheses and a date, ended by a dash."""
    has_dash = _DASH.search(paragraph, 0, _MAX_DATELINE_LENGTH)
    separator = _DASH_AFTER_DATELINE.search(paragraph, 0, _MAX_DATELINE_LENGTH) if has_dash else None
    if separator is None:
        return None
    prefix, rest = paragraph[:separator.start()].strip(), paragraph[separator.end():].strip()
    if standalone == bool(rest) or not SENTENCE_MARKS.isdisjoint(prefix) or ":" in prefix:
        return None
    if rest and not (rest[0].isupper() or rest[0].isdigit() or rest[0] in "\"“‘'"):
        return None
    agency = None
    if prefix.endswith(")") and "(" in prefix:
        prefix, _, agency = prefix[:-1].rpartition("(")
        prefix, agency = prefix.strip(), agency.strip() or None
    dates = tuple(find_dates(prefix, context))
    place = remove_dates(prefix, dates).strip(" ,")
    if not _is_place(place):
        return None
    return Dateline(place=place, agency=agency, rest=rest, dates=dates)


def _is_place(text: str) -> bool:
    """``MOSCOW``, ``ST. LOUIS, Mo.``, ``MOSCOW, Russia``: an upper-case city first."""
    city, _, region = text.partition(",")
    letters = [char for char in city if char.isalpha()]
    if len(letters) < 2 or not all(char.isupper() for char in letters) or len(city.split()) > 4:
        return False
    return not region or (len(region) <= 40 and region.strip()[:1].isupper())


def read_leading_agency(paragraph: str) -> tuple[str, str] | None:
    """``(CNN) President …`` → (``CNN``, ``President …``); ``Hong Kong (CNN Business) A …``
    → (``CNN Business``, ``A …``)."""
    match = _LEADING_AGENCY.match(paragraph)
    if not match or _PARTY_LABEL.match(match["agency"]):
        return None
    return match["agency"], paragraph[match.end():]
