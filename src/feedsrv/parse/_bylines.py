"""Recognizers for the lines that say who wrote an article: bylines, desk lines
and author lines.

Each function looks at one normalized paragraph and knows general English newsroom
conventions only, never the names of particular sites; the names of people and
organizations in these lines are read by :mod:`._people`. Patterns are anchored at the
start of a paragraph and use no nested quantifiers, so each runs in linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._dates import DateContext, StatedDate, find_dates, remove_dates
from ._names import is_given_name
from ._people import (
    CREDIT_WORDS,
    MAX_LABEL_LENGTH,
    MAX_NAME_TOKENS,
    NAME_LIST_SPLIT,
    NOT_IN_NAMES,
    ORGANIZATION_WORDS,
    ROLE_MODIFIERS,
    ROLE_WORDS,
    WITH_AGENCIES,
    is_name_token,
    is_organization,
    name_before_contact,
    person_name,
    read_bare_names,
    signs_names,
    words_of,
)

# A counter beside share buttons ("858shares", "12 comments"), which may follow a byline.
COUNTER = r"\d{1,7}\s?(?:shares?|comments?|views?|likes?|reactions?|responses?)"
_TRAILING_COUNTER = re.compile(rf"\s{COUNTER}$", re.IGNORECASE)
# Joiners inside a job title ("Politics and Security Correspondent") that cannot start one.
_ROLE_JOINERS = frozenset({"and", "&"})
_ROLE_CONNECTORS = frozenset({"for", "at", "with", "of"})
# Generic words that end the name of a collective author: "Impunity Watch Archive".
_COLLECTIVE_WORDS = frozenset({
    "archive", "archives", "staff", "team", "desk", "editors", "editorial", "newsroom", "bureau",
    "admin", "administrator", "reports", "board",
})
# International wire services that sign stories with one word ("By Reuters"); any
# other single capitalized word after "By" is a person's pen name ("by Regan").
_ONE_WORD_AGENCIES = frozenset({
    "reuters", "bloomberg", "xinhua", "tass", "interfax", "kyodo", "yonhap", "anadolu", "bernama",
})
# Degrees and suffixes after a name: "Jane Doe, MS, RD" names no outlet.
_CREDENTIALS = frozenset({
    "phd", "ph.d.", "md", "m.d.", "rn", "jd", "mba", "mph", "ms", "ma", "msc", "bsc", "rd", "dds",
    "esq", "jr", "sr", "ii", "iii", "cpa", "lpc",
})
_BY = re.compile(r"^(?:(?:written|posted|reported|reporting|words|story|text|submitted|contributed|article|interview"
                 r"|review|essay|column|analysis|commentary|photos and words|words and photos) ){0,2}by"
                 r"\s{0,3}:?\s", re.IGNORECASE)
# The wire's credits after the reporters: "Reporting by Jane Doe; Editing by John Roe".
_OTHER_CREDITS = re.compile(r";\s?(?i:additional reporting|editing|edited|writing|compiled|graphics|photos?) by\b.*$")
# "By Jane Doe Special to the Example Courier": written for the outlet.
_SPECIAL_TO = re.compile(r"\s(?i:special) to (?:the )?(?P<outlet>[A-Z].{1,60})$")
# A section's name before the byline: "All India Edited by Jane Doe".
_SECTION_THEN_BY = re.compile(r"^[A-Z][\w&'’-]{0,20}(?: [A-Z][\w&'’-]{0,20}){0,2}"
                              r" (?i:edited|written|reported|compiled) by\s{0,3}:?\s")
# "(with inputs from agencies)" after the names.
_PARENTHESES = re.compile(r"\s?\([^()]{0,60}\)")
# A rule drawn before a byline: "---- by Jane Doe".
_LEADING_RULE = re.compile(r"^[-–—_*=]{2,}\s*")
_AUTHOR_LABEL = re.compile(r"^(?:(?:authors?|writer|reporter|byline|words|text|story|reporting)\s{0,3}:"
                           r"|authors?\s)\s{0,3}", re.IGNORECASE)
_AFFILIATION_WORDS = frozenset({"university", "institute", "college", "school", "department", "ministry",
                                "council", "committee", "foundation", "association"})
_DATE_LABEL = re.compile(r"^(?:(?:written|posted|published|submitted)(?: on| at)?)?:?$", re.IGNORECASE)
# "Jane Doe (Reuters)": the reporter and the wire she writes for; "(AP)", "(AFP)".
_MAX_AGENCY_ACRONYM = 5
_NAME_AND_AGENCY = re.compile(r"^(?P<name>[^()@,|]{3,60}?) \((?P<agency>[^()@]{2,40})\)$")
_PEOPLE_LABELS = frozenset({"words", "text", "story", "reporting"})
_BYLINE_TAIL_SPLIT = re.compile(r"\s[|–—-]\s|\|")
# A dash a wrong encoding turned into "?": "By JANE DOE ? 1 day ago".
_LOST_DASH = re.compile(r"(?<=\w) \? (?=\w)")
# What every byline holds: "by" or a separator between a name and a job title.
_BYLINE_HINT = re.compile(r"by|,|\||\s[–—·•/-]\s|@|\s\(", re.IGNORECASE)
# "Jane Doe, Staff Writer", "Jane Doe | Staff Writer", "Jane Doe - Reporter".
_NAME_ROLE_SPLIT = re.compile(r",|\s[|–—-]\s|\|")
_TRAILING_HANDLE = re.compile(r"\s@\w{1,30}$")
# The dots and bars between a byline's parts: "Jane Doe · Example News · 8h".
_NAMES_THEN_OUTLET = re.compile(r"^(?P<names>[^,|/–—]{3,120}?)(?P<separator>,|\s[/–—-])\s(?P<outlet>[^,|/]{2,60})$")
_SEGMENT_SPLIT = re.compile(r"\s[·•]\s|\s?\|\s?")
_MAX_SEGMENT_LENGTH = 60
LONE_HANDLE = re.compile(r"^@\w{1,30}$")
# Marks that show a line is a sentence, not a label such as a byline or a dateline.
SENTENCE_MARKS = frozenset("?!;\"“”")


@dataclass(frozen=True, slots=True)
class Byline:
    """Who wrote an article and for whom, as one line states it."""

    authors: tuple[str, ...] = ()
    role: str | None = None
    outlet: str | None = None
    dates: tuple[StatedDate, ...] = ()


def read_byline(paragraph: str, context: DateContext) -> Byline | None:
    """``By X``, ``by X and Y``, ``By X, Staff Writer``, ``By X | Outlet``, ``X, Staff Writer``.

    Dates on the line are returned with it; words after them name a section
    (``By X 2019-11-18 Science``), not an outlet. None when the line is no byline.
    """
    if len(paragraph) > MAX_LABEL_LENGTH + 50 or not _BYLINE_HINT.search(paragraph):
        return None
    paragraph = _LOST_DASH.sub(" – ", _LEADING_RULE.sub("", paragraph))
    dates = tuple(find_dates(paragraph, context))
    text = remove_dates(paragraph, dates)
    if dates:
        before_dates = remove_dates(paragraph[:dates[0].start], ())
        after_dates = paragraph[dates[-1].end:].strip()
        if _BY.match(before_dates):
            text = before_dates
        elif _BY.match(after_dates) and _DATE_LABEL.match(before_dates):
            # "Written on March 3, 2021 by Jane Doe".
            text = after_dates
    by = _BY.match(text) or _SECTION_THEN_BY.match(text)
    if by:
        return _read_by(_OTHER_CREDITS.sub("", _PARENTHESES.sub("", text[by.end():])), dates)
    contact_name = name_before_contact(text)
    if contact_name:
        return Byline(authors=(contact_name,), dates=dates)
    agency = _NAME_AND_AGENCY.match(text)
    if agency and person_name(agency["name"]) and _names_agency(agency["agency"]):
        return Byline(authors=(person_name(agency["name"]) or "",), outlet=agency["agency"], dates=dates)
    head, *tail_parts = _NAME_ROLE_SPLIT.split(text, maxsplit=1)
    tail = tail_parts[0].strip() if tail_parts else ""
    name = person_name(head) if tail else None
    if name and _split_role(tail) and ends_without_sentence(tail):
        return Byline(authors=(name,), role=tail, dates=dates)
    if name and _is_credentials(tail):
        return Byline(authors=(name,), dates=dates)
    return _read_segments(text, dates) or _names_then_outlet(text, dates)


def _names_agency(text: str) -> bool:
    """``Reuters``, ``AP``: a wire, not a party label (``D-Minn.``) or a place."""
    acronym = text.isalpha() and text.isupper() and len(text) <= _MAX_AGENCY_ACRONYM
    return acronym or text.lower() in _ONE_WORD_AGENCIES


def _names_then_outlet(text: str, dates: tuple[StatedDate, ...]) -> Byline | None:
    """``Jane Doe and John Roe, Example Wire``, ``Jane Doe - The Example Courier``,
    ``Jane Doe / Example News``: names, then the outlet after the last separator;
    ``Jane Doe, Example University`` names where she works, not the outlet."""
    match = _NAMES_THEN_OUTLET.match(text)
    if not match:
        return None
    names, outlet = read_bare_names(match["names"]), match["outlet"].strip()
    if not names or not is_organization(outlet) or person_name(outlet):
        return None
    # The outlet must say it is one ("Example Courier", "Reuters"): after a comma
    # stands a university or a place as often, after a dash a headline.
    words = words_of(outlet)
    if any(word in _AFFILIATION_WORDS for word in words) and match["separator"] == ",":
        return Byline(authors=names, dates=dates)
    if any(word in CREDIT_WORDS or word in _AFFILIATION_WORDS for word in words) or not (
            outlet.lower() in _ONE_WORD_AGENCIES or any(word in ORGANIZATION_WORDS for word in words)):
        return None
    return Byline(authors=names, outlet=outlet, dates=dates)


def _read_segments(text: str, dates: tuple[StatedDate, ...]) -> Byline | None:
    """``Jane Doe · Example News · Posted:``, ``Jane Doe | Published 4 months ago``,
    ``Jane Doe • 8h``: a byline whose parts a dot or bar separates, the names first;
    a part after them that reads as an organization is the outlet."""
    segments = [segment.strip() for segment in _SEGMENT_SPLIT.split(text)]
    # The date may come first: "February 4, 2020 • words by Jane Doe • Art by John Roe".
    head, *others = [segment for segment in segments if segment] or [""]
    if not others:
        return None
    by = _BY.match(head + " ")
    if by:
        byline = _read_by(head[by.end():], dates)
        return byline if byline and byline.authors else None
    if not read_bare_names(head):
        return None
    if not all(len(segment) <= _MAX_SEGMENT_LENGTH and ends_without_sentence(segment) for segment in others):
        return None
    # "Jane Doe | Example Images" credits a photo.
    if any(word in CREDIT_WORDS for segment in others for word in words_of(segment)):
        return None
    outlet = next((segment for segment in others if segment and is_organization(segment)
                   and not person_name(segment)), None)
    return Byline(authors=read_bare_names(head), outlet=outlet, dates=dates)


def continue_byline(paragraph: str) -> str | None:
    """What a line under a byline's first name adds to it, when a page sets each
    author on a line of their own: more names (``John Roe``, ``John Roe News
    Reporter``), ``and``, or nothing for the reporter's handle (``@janedoe``);
    None when the line is something else."""
    if len(paragraph) > MAX_LABEL_LENGTH:
        return None
    if LONE_HANDLE.match(paragraph):
        return ""
    if paragraph.lower() in _ROLE_JOINERS:
        return "and"
    if read_bare_names(paragraph):
        return paragraph
    name, rest = _name_prefix(paragraph)
    return paragraph if name and _is_role(rest) else None


def _is_role(text: str) -> bool:
    """``News Reporter``, ``Senior Political Correspondent``: a job title and nothing else."""
    words = words_of(text)
    return any(word in ROLE_WORDS for word in words) and all(
        word in ROLE_WORDS or word in ROLE_MODIFIERS or word in _ROLE_JOINERS for word in words)


def _read_by(text: str, dates: tuple[StatedDate, ...]) -> Byline | None:
    # A Twitter handle glued to the name ("By Jane Doe@janedoe") ends the names; a
    # comment counter may follow them ("by Example News 0 Comments").
    text = _TRAILING_COUNTER.sub("", text.split("@", 1)[0]).strip(" ,;:-–—|")
    if not text or not text[0].isupper() or not ends_without_sentence(text):
        return None
    special = _SPECIAL_TO.search(text)
    if special:
        text = f"{text[:special.start()]} | {special['outlet']}"
    names_part, *tail_parts = _BYLINE_TAIL_SPLIT.split(text, maxsplit=1)
    authors, rest = _leading_names(names_part)
    if not authors and not tail_parts and _is_pen_name(rest):
        return Byline(authors=(rest,), dates=dates)
    tail = " ".join(part for part in (rest, *tail_parts) if part).strip(" ,;:|")
    if _is_credentials(tail):
        tail = ""
    # Without a person, words before the job title name the newsroom: "By Example
    # News Desk".
    role, outlet = _role_and_outlet(WITH_AGENCIES.sub("", tail), outlet_before_role=not authors)
    if not (authors or role or outlet):
        return None
    return Byline(authors=tuple(authors), role=role, outlet=outlet, dates=dates)


def _leading_names(text: str) -> tuple[list[str], str]:
    """The people a byline names first (``Ann Lee, Bo Chan and Cy Dodd``) and the
    text after them (``Staff Writers``)."""
    chunks = [chunk for chunk in NAME_LIST_SPLIT.split(text) if chunk]
    authors: list[str] = []
    for index, chunk in enumerate(chunks):
        # After a name, "Middle East Correspondent" is a job title, not a person;
        # "Tim Hanlon News Reporter" opens with a given name: another author.
        role_split = _split_role(chunk) if authors else None
        if role_split and not is_given_name(chunk.split(None, 1)[0]):
            name, rest = None, chunk
        else:
            name, rest = _name_prefix(chunk)
        if name:
            authors.append(name)
        # Each author may carry a job title: "Jane Doe News Reporter, John Roe".
        if rest and not (name and index + 1 < len(chunks) and _is_role(rest)):
            return authors, ", ".join([rest, *chunks[index + 1:]])
    return authors, ""


def _name_prefix(text: str) -> tuple[str | None, str]:
    """The longest person's name ``text`` starts with, and the rest:
    ``Jane Doe Staff Writer`` → (``Jane Doe``, ``Staff Writer``)."""
    role_split = _split_role(text)
    if role_split and role_split[0]:
        name = person_name(role_split[0])
        if name:
            return name, text[len(role_split[0]):].strip()
    tokens = text.split()
    for count in range(min(len(tokens), MAX_NAME_TOKENS + 2), 1, -1):
        name = person_name(" ".join(tokens[:count]))
        if name:
            return name, " ".join(tokens[count:])
    return None, text


def _is_pen_name(text: str) -> bool:
    """``Regan`` in ``by Regan``: one capitalized word that names no agency,
    organization or job, and is no acronym (``By AP``)."""
    word = text.lower()
    return (" " not in text and len(text) > 1 and is_name_token(text) and not text.isupper()
            and word not in _ONE_WORD_AGENCIES and word not in ORGANIZATION_WORDS and word not in ROLE_WORDS
            and word not in _COLLECTIVE_WORDS and word not in NOT_IN_NAMES)


def _is_credentials(text: str) -> bool:
    parts = [part.strip().lower() for part in text.split(",")]
    return bool(text) and all(part in _CREDENTIALS for part in parts)


_COLLECTIVE_TAIL = re.compile(r"\s(?i:editorial board|staff reports?|staff|news desk|newsroom)$")
_FOR_OUTLET = re.compile(r"(?:^|\s)(?:for|for the)\s", re.IGNORECASE)


def _role_and_outlet(tail: str, *, outlet_before_role: bool) -> tuple[str | None, str | None]:
    """Split a job title from the outlet it names: ``Reuters`` (an outlet alone),
    ``Staff Writer`` (a title alone), ``Editor for X``, and when ``outlet_before_role``
    ``X Desk Reporter, Europe``. After a person's name, words before the job title
    are a beat (``Middle East Correspondent``), not an outlet."""
    if not tail:
        return None, None
    if all(word in ROLE_WORDS or word in ROLE_MODIFIERS or word in _COLLECTIVE_WORDS for word in words_of(tail)):
        return tail, None
    region_split = tail.split(",", 1)
    role_split = _split_role(region_split[0])
    if role_split is None:
        # "By Jane Doe For Example.com", "Example Wire for Example.com": the outlet
        # the story was written for; "Example Courier Editorial Board": its board.
        tail = _COLLECTIVE_TAIL.sub("", _FOR_OUTLET.split(tail)[-1])
        return None, (tail if is_organization(tail) else None)
    before, role, after = role_split
    after = after.removeprefix("the ")
    outlet = after if is_organization(after) else None
    # After a name, words before the job title are a beat ("Middle East
    # Correspondent") unless they say they are an outlet ("Example Courier staff writer").
    names_outlet = _is_standalone_outlet(before) if outlet_before_role else (
        is_organization(before) and any(word in ORGANIZATION_WORDS for word in words_of(before)))
    if before and not outlet and names_outlet:
        outlet = before
    elif before:
        role = f"{before} {role}"
    if len(region_split) > 1 and region_split[1].strip():
        role = f"{role}, {region_split[1].strip()}"
    return role, outlet


def read_role_line(paragraph: str) -> Byline | None:
    """A desk line: ``Impunity Watch Desk Reporter, Europe`` → outlet and role; a
    handle after it is the reporter's (``News reporter @janedoe``)."""
    if len(paragraph) > MAX_LABEL_LENGTH or not ends_without_sentence(paragraph):
        return None
    paragraph = _TRAILING_HANDLE.sub("", paragraph)
    split = _split_role(paragraph.split(",", 1)[0])
    # Words before the job title name an outlet or a beat, in capitals: "the vote
    # Credit: Getty - Contributor" is a caption.
    if split and split[0] and not is_organization(split[0]):
        return None
    # "Jane Doe Contributor", "Jane Doe Senior Reporter": the reporter and her job
    # title, which ends the line.
    words = words_of(paragraph)
    if words and words[-1] in ROLE_WORDS:
        name, rest = _name_prefix(paragraph)
        if name and rest and _is_role(rest):
            return Byline(authors=(name,), role=rest)
    role, outlet = _role_and_outlet(paragraph, outlet_before_role=True)
    if role is None:
        return None
    return Byline(role=role, outlet=outlet)


def _split_role(text: str) -> tuple[str, str, str] | None:
    """Split ``Impunity Watch Desk Reporter`` or ``Reporter for X`` into the words before
    the job title, the job title, and the outlet after ``for``/``at``; None without one.

    The job title must end the text or be followed by ``for``/``at``/``with``/``of``:
    "Washington Post editor resigns" is a headline, not a desk line.
    """
    tokens = text.split()
    words = words_of(text)
    start = 0
    while start < len(words):
        if words[start] in ROLE_WORDS or words[start] in ROLE_MODIFIERS:
            end = start
            while end < len(words) and (words[end] in ROLE_WORDS or words[end] in ROLE_MODIFIERS
                                        or words[end] in _ROLE_JOINERS):
                end += 1
            if any(word in ROLE_WORDS for word in words[start:end]):
                return _role_parts(tokens, words, start, end)
            start = end
        start += 1
    return None


def _role_parts(tokens: list[str], words: list[str], start: int, end: int) -> tuple[str, str, str] | None:
    after = ""
    if end < len(words):
        if words[end] not in _ROLE_CONNECTORS:
            return None
        after = " ".join(tokens[end + 1:])
    # "Example News Reporter": after a name, "News" ends the outlet's name.
    if 0 < start < end - 1 and words[start] in ORGANIZATION_WORDS:
        start += 1
    return " ".join(tokens[:start]), " ".join(tokens[start:end]), after


def _is_standalone_outlet(text: str) -> bool:
    """Words before a job title name an outlet when they look like one: several
    capitalized words or an acronym, not a lone place name (``Washington Correspondent``)."""
    if not is_organization(text):
        return False
    tokens = text.split()
    return len(tokens) > 1 or (len(tokens[0]) > 1 and tokens[0].isupper())


def read_author_line(paragraph: str) -> Byline | None:
    """``Author: Jane Doe`` → an author; ``Author: Impunity Watch Archive`` → an outlet."""
    if len(paragraph) > MAX_LABEL_LENGTH:
        return None
    label = _AUTHOR_LABEL.match(paragraph)
    if not label:
        return None
    text = paragraph[label.end():].strip(" .")
    # "Story: Council Votes" may title a box: these labels name people only.
    if label.group().split()[0].rstrip(":").lower() in _PEOPLE_LABELS:
        names = read_bare_names(text)
        return Byline(authors=names) if names else None
    # "Author Jane Doe", without the colon, only before names that sign.
    if not label.group().rstrip().endswith(":"):
        return Byline(authors=read_bare_names(text)) if signs_names(text) else None
    tokens = text.split()
    if tokens and tokens[-1].lower() in _COLLECTIVE_WORDS and len(tokens) > 1:
        outlet = " ".join(tokens[:-1])
        return Byline(outlet=outlet) if is_organization(outlet) else None
    names = tuple(filter(None, (person_name(chunk) for chunk in NAME_LIST_SPLIT.split(text))))
    if names:
        return Byline(authors=names)
    return Byline(outlet=text) if is_organization(text) else None


def ends_without_sentence(text: str) -> bool:
    """Labels (bylines, desk lines, credits) are not sentences: no final full stop
    (an initial such as ``J.`` excepted) and no sentence punctuation inside."""
    text = text.strip()
    if not SENTENCE_MARKS.isdisjoint(text):
        return False
    last_word = text.rsplit(" ", 1)[-1]
    return not text.endswith(".") or len(last_word.rstrip(".")) <= 2
