"""Recognizers for single paragraphs: what a line of an article *is*.

Each function looks at one normalized paragraph and says whether it is a byline, a
desk line, a copyright notice, a dateline, a photo credit, a cited source or page
furniture, returning what it carries. They know general English newsroom
conventions only, never the names of particular sites. Patterns are anchored at the
start of a paragraph and use no nested quantifiers, so each runs in linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from .dates import UPDATED, DateContext, StatedDate, find_dates, remove_dates, strip_dates
from .model import Reference

# Words naming a newsroom job; a line made of them (plus an outlet and a region) is a
# desk line, and a name followed by them is a byline.
ROLE_WORDS = frozenset({
    "reporter", "reporters", "correspondent", "correspondents", "editor", "editors", "writer",
    "writers", "desk", "columnist", "columnists", "contributor", "contributors", "journalist",
    "journalists", "producer", "producers", "photographer", "photographers", "analyst", "blogger",
    "critic", "bureau", "staff", "intern", "stringer", "anchor", "host",
})
_ROLE_MODIFIERS = frozenset({
    "senior", "chief", "associate", "assistant", "deputy", "managing", "contributing", "executive",
    "special", "foreign", "political", "investigative", "national", "international", "regional",
    "local", "news", "guest", "freelance", "lead", "general", "science", "business", "sports",
    "health", "legal", "digital", "data", "editorial", "opinion", "features", "culture",
    "technology", "tech", "economics", "economy", "diplomatic", "defense", "defence", "security",
    "world", "metro", "city", "entertainment", "weather", "climate", "environment", "arts",
})
# Joiners inside a job title ("Politics and Security Correspondent") that cannot start one.
_ROLE_JOINERS = frozenset({"and", "&"})
_ROLE_CONNECTORS = frozenset({"for", "at", "with", "of"})
# Generic words that end the name of a collective author: "Impunity Watch Archive".
_COLLECTIVE_WORDS = frozenset({
    "archive", "archives", "staff", "team", "desk", "editors", "editorial", "newsroom", "bureau",
    "admin", "administrator", "reports", "board",
})
# Words in organization names that are never part of a person's name.
ORGANIZATION_WORDS = frozenset({
    "press", "news", "media", "times", "post", "daily", "network", "agency", "radio", "television",
    "tv", "magazine", "journal", "herald", "tribune", "gazette", "channel", "online", "wire",
    "service", "services", "group", "watch", "archive", "international", "association", "institute",
    "university", "council", "ministry", "department", "office", "committee", "foundation",
})
# Newspaper sections, as in a desk's signature ("Example Sport"): no part of a name.
SECTION_WORDS = frozenset({
    "sport", "sports", "business", "politics", "opinion", "lifestyle", "entertainment", "travel", "science",
    "technology", "tech", "culture", "arts", "weather", "finance", "money", "markets", "world", "health",
})
_NOT_IN_NAMES = frozenset({
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "by", "the", *SECTION_WORDS,
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
# Capitals running into lower case, as in brand names ("FOXBusiness"), not in names.
_CAPITALS_INTO_LOWER = re.compile(r"[A-Z]{2}[a-z]")
_NAME_PARTICLES = frozenset({
    "al", "el", "bin", "ibn", "da", "de", "del", "della", "der", "den", "di", "dos", "du", "la", "le",
    "van", "von", "y", "ter", "ten", "abu",
})
_ORGANIZATION_CONNECTORS = frozenset({"of", "for", "the", "and", "&", "de", "on", "in", "al"})
_MAX_NAME_TOKENS = 5
_MAX_LABEL_LENGTH = 100  # bylines, desk lines, credits: short lines
_MAX_ORGANIZATION_TOKENS = 8

# Page furniture: share buttons, comment counts, navigation, promotions.
_FURNITURE_WORDS = frozenset({
    "facebook", "twitter", "x", "email", "e-mail", "mail", "print", "share", "shares", "shared",
    "comments", "comment", "tweet", "pinterest", "linkedin", "reddit", "whatsapp", "messenger",
    "flipboard", "telegram", "tumblr", "sms", "copy", "link", "url", "save", "me", "follow", "us",
    "on", "this", "article", "story", "page", "video", "videos", "advertisement", "ad", "sponsored",
    "subscribe", "sign", "up", "in", "log", "newsletter", "read", "more", "continue", "reading",
    "below", "related", "links", "stories", "articles", "top", "report", "error", "close", "menu",
    "search", "home", "next", "previous", "back", "to", "photos", "photo", "gallery", "view",
    "image", "images", "listen", "watch", "play", "now", "loading", "like", "send", "google",
    "google+", "+", "the", "a", "via", "show", "hide", "toggle", "caption", "expand", "collapse", "by",
})
_MAX_FURNITURE_WORDS = 6
_HANDLE_COUNT_OR_URL = re.compile(r"^(?:@\w{1,30}|\d{1,6}|(?:https?://|www\.)\S+)$")
# Counters beside share buttons: "858shares", "195 Shares", "12 comments".
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_COUNTER_WORDS = r"\d{1,7}\s?(?:shares?|comments?|views?|likes?|reactions?|responses?)"
_COUNTER = re.compile(rf"^{_COUNTER_WORDS}$", re.IGNORECASE)
_TRAILING_COUNTER = re.compile(rf"\s{_COUNTER_WORDS}$", re.IGNORECASE)
# Headings over links to other stories, and such links standing alone.
_RELATED_HEADING = re.compile(
    r"^(?:related(?: (?:stories|articles|links|posts|coverage|content|topics|videos|news))?|more(?: stories| news| videos)?"
    r"|more (?:from|in|on) [\w .&'’-]{1,30}|most (?:read|popular|viewed|shared|watched)(?: (?:in|on) [\w .&'’-]{1,30})?"
    r"|trending(?: now| stories)?|top stories|recommended(?: for you| stories)?|you (?:may|might) also like"
    r"|(?:also|further) read|see also|read (?:more|next)|what to read next|editor['’]?s picks|story timeline)"
    r"\s?:?$",
    re.IGNORECASE)
_RELATED_LINK = re.compile(
    r"^(?:related(?: (?:post|story|article|roundup|coverage|content|reading|video))?|see also|also read|read more"
    r"|read next|more|watch|listen|recommended)\s?:\s(?=\S)",
    re.IGNORECASE)
_MAX_RELATED_LENGTH = 200
_MAX_DATE_LINE_LENGTH = 200
_MAX_DATE_LINE_REST_WORDS = 3
_CALL_TO_ACTION = re.compile(r"\b(?:click here|clicking here|sign up|subscribe|download the app|follow us)\b",
                             re.IGNORECASE)
# A short line that opens with a call to action: "Sign up for our daily newsletter".
_LEADING_CALL_TO_ACTION = re.compile(r"^(?:click here|sign up|subscribe|download (?:the|our) app|follow us|get our)\b",
                                     re.IGNORECASE)
# The page's index terms: "Tags: budget, parks", "Filed under: Politics".
_INDEX_TERMS = re.compile(r"^(?:tags?|tagged(?: with)?|topics?|filed under|categories|category|in this article)\s?:",
                          re.IGNORECASE)
_END_MARKERS = re.compile(
    r"^(?:leave a (?:reply|comment)|post a comment|add a comment|comments are closed"
    r"|join the (?:discussion|conversation)|\d{1,5} (?:comments?|responses?|replies)(?: to .{1,200})?)\s*[:.!]?$",
    re.IGNORECASE,
)
_REFERENCE_HEADER = re.compile(
    r"^(?:for (?:more|further) (?:information|info|reading|details),?\s{0,3}(?:please )?(?:see|visit|read|consult)?"
    r"|sources?|references?|further reading|citations?|works cited|bibliography)\s{0,3}[:.]?$",
    re.IGNORECASE,
)
_BY = re.compile(r"^(?:written |posted |reported |words |story )?by\s{0,3}:?\s", re.IGNORECASE)
_AUTHOR_LABEL = re.compile(r"^(?:authors?|writer|reporter|byline)\s{0,3}:\s{0,3}", re.IGNORECASE)
_NAME_LIST_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?|\s+(?:and|&)\s+", re.IGNORECASE)
_BYLINE_TAIL_SPLIT = re.compile(r"\s[|–—-]\s|\|")
# What every byline holds: "by" or a separator between a name and a job title.
_BYLINE_HINT = re.compile(r"by|,|\||\s[–—-]\s", re.IGNORECASE)
# "Jane Doe, Staff Writer", "Jane Doe | Staff Writer", "Jane Doe - Reporter".
_NAME_ROLE_SPLIT = re.compile(r",|\s[|–—-]\s|\|")
# Where a reporter filed from, after the name: "Jane Doe in London".
_IN_PLACE = re.compile(r"\s+in\s+[A-Z][\w.'’-]{0,30}(?:,?\s[A-Z][\w.'’-]{0,30}){0,2}$")
# A hyphen separates only with a space beside it: WILKES-BARRE is one place.
_DASH_AFTER_DATELINE = re.compile(r"\s{0,2}(?:—|–|--)\s*|\s-\s*|-\s")
# "(CNN) President …", "Hong Kong (CNN Business) A …": an agency in parentheses, maybe
# after a place, before a capital. "(D-Minn.) said" is a party label, not an agency.
_LEADING_AGENCY = re.compile(
    r"^(?:(?P<place>[A-Z][\w.'-]{0,30}(?:,? [A-Z][\w.'-]{0,30}){0,3}) )?"
    r"\((?P<agency>[A-Z][\w.&'-]{1,30}(?: [A-Z][\w.&'-]{0,30}){0,3})\)\s{0,2}(?:(?:—|–|--?)\s{0,2})?"
    r"(?=[A-Z0-9\"“‘'])")
_PARTY_LABEL = re.compile(r"^[A-Z]-")
_TRAILING_HANDLE = re.compile(r"\s@\w{1,30}$")
# Marks that show a line is a sentence, not a label such as a byline or a dateline.
_SENTENCE_MARKS = frozenset("?!;\"“”")

# Photo credits: "(Photo courtesy of Reuters)", "(AP Photo/Alan Diaz, File)", "(Getty Images)".
_CREDIT_LABEL = (r"(?:photo(?:graph)?s?|images?|pictures?)(?: credits?)?|credits?|courtesy"
                 r"|(?:photo|image) courtesy")
_PARENTHESIZED_CREDIT = re.compile(
    rf"\(\s{{0,2}}(?:(?:{_CREDIT_LABEL})\s{{0,2}}(?:courtesy of|courtesy|by|of|:|-|–)\s{{0,2}}"
    r"(?P<credit>[^()]{1,100})"
    r"|(?-i:(?P<agency_credit>[^()]{0,60}\b(?:Photo|Photos|Images|Pictures|Photography)"
    r"(?:\s{0,2}/\s{0,2}[^()]{1,80})?)))\)$",
    re.IGNORECASE,
)
_CREDIT_LINE = re.compile(
    rf"^(?:(?:{_CREDIT_LABEL})\s{{0,2}}(?:courtesy of|by|:|copyright|\.{{2,3}}|…)|©)\s{{0,2}}(?P<credit>.{{1,100}})$",
    re.IGNORECASE)
# A credit written after a caption without parentheses: "… earnings. Photograph by
# Jane Doe/AFP", "… sought treatment Credit: EPA". Capitals required: "by" and
# "credit" in prose are lower case.
_SPELLED_TRAILING_CREDIT = re.compile(
    r"(?:(?<=[.!?”\"’])\s(?:Photo(?:graph)?s?|Image|Picture)s?(?:\s(?:by|courtesy of)|:)|\sCredits?:)"
    r"\s(?P<credit>[^.!?]{1,80})$")
_MAX_TRAILING_CREDIT = 140
# Caption labels printed before the caption text: "Image caption …", "Caption: …".
_CAPTION_LABEL = re.compile(r"^(?:(?:image|media|photo|video|picture)\s(?:caption)\s|caption:\s?)(?=\S)",
                            re.IGNORECASE)
# The attribution under an embedded social post: "— Jane Doe (@janedoe) November 18, 2019".
_POST_ATTRIBUTION = re.compile(r"^(?:—|–|--?)\s?(?P<author>[^()]{1,80}?)\s?\((?P<handle>@\w{1,30})\)\s?(?P<rest>.{6,60})$")
# Notes about later changes: "Correction, Nov. 15, 2019: …", "Update (Nov 2, 2019): …".
_CHANGE_NOTE = re.compile(r"^(?:corrections?|clarifications?|updates?|editor['’]s note)\b[^:]{0,60}:", re.IGNORECASE)
_AGENCY_CREDIT_LINE = re.compile(
    r"^(?P<credit>[^|/]{1,60}\s?[|/]\s?[^|/]{0,50}\b(?:Images|Photos?|Pictures|Photography))$")
_CAPTION_CUE = re.compile(
    r"\((?:left|right|center|centre|l|r|c|front|back|top|bottom)\)|\bpictured\b"
    r"|\bin this (?:file )?(?:photo|image|picture)\b|\bposes?\b|\bposing\b|\bfile photo\b|\bphoto taken\b"
    r"|\bshown here\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Byline:
    """Who wrote an article and for whom, as one line states it."""

    authors: tuple[str, ...] = ()
    role: str | None = None
    outlet: str | None = None
    dates: tuple[StatedDate, ...] = ()


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


def words_of(text: str) -> list[str]:
    """Lower-case words with surrounding punctuation removed."""
    return [word.strip(".,;:!?()[]\"'“”‘’").lower() for word in text.split()]


def is_furniture(paragraph: str) -> bool:
    """Share buttons, counters, handles, calls to action and section breaks
    (``* * *``): page furniture, not text."""
    if _HANDLE_COUNT_OR_URL.match(paragraph) or not _LETTER_OR_DIGIT.search(paragraph):
        return True
    if _COUNTER.match(paragraph):
        return True
    if len(paragraph) > _MAX_LABEL_LENGTH:
        return False
    words = [word for word in words_of(paragraph) if word]
    if len(words) <= _MAX_FURNITURE_WORDS and all(word in _FURNITURE_WORDS for word in words):
        return True
    if _INDEX_TERMS.match(paragraph) or (_LEADING_CALL_TO_ACTION.match(paragraph) and not paragraph.endswith(".")):
        return True
    return paragraph.isupper() and bool(_CALL_TO_ACTION.search(paragraph))


def is_related_heading(paragraph: str) -> bool:
    """``Most read in world news``, ``Related Stories``, ``More:``: a heading over links
    to other stories."""
    return len(paragraph) <= _MAX_LABEL_LENGTH and bool(_RELATED_HEADING.match(paragraph))


def is_related_link(paragraph: str) -> bool:
    """``Related: Another headline``: a link to another story."""
    return len(paragraph) <= _MAX_RELATED_LENGTH and bool(_RELATED_LINK.match(paragraph))


def is_end_marker(paragraph: str) -> bool:
    """Where the article ends and the comment section starts (``Leave a Reply``)."""
    return len(paragraph) <= 300 and bool(_END_MARKERS.match(paragraph))


def is_reference_header(paragraph: str) -> bool:
    """A heading introducing the cited sources: ``For more information, please see``, ``Sources:``."""
    return len(paragraph) <= 60 and bool(_REFERENCE_HEADER.match(paragraph))


def person_name(text: str) -> str | None:
    """``text`` if it reads as a person's name (two to five capitalized words)."""
    text = text.strip(" .,;:")
    tokens = text.split()
    # A particle is part of a surname ("Bashar al-Assad", "Bill de Blasio") unless
    # it opens the name with a capital: "Al Root", "Abu Bakr".
    named = [token for position, token in enumerate(tokens)
             if token.lower() not in _NAME_PARTICLES or (position == 0 and token[0].isupper())]
    if not 2 <= len(named) <= _MAX_NAME_TOKENS or len(tokens) > _MAX_NAME_TOKENS + 2:
        return None
    for token in named:
        word = token.lower().strip(".")
        if word in _NOT_IN_NAMES or word in ROLE_WORDS or word in ORGANIZATION_WORDS or not _is_name_token(token):
            return None
    # "RENÉE DUPONT" may be shouted, but "CNN Business" mixes an acronym with a word.
    words = [token for token in named if len(token.rstrip(".")) > 1]
    if any(token.isupper() for token in words) and not all(token.isupper() for token in words):
        return None
    return text


def _is_name_token(token: str) -> bool:
    """``Vcelka``, ``J.``, ``O'Brien``, ``al-Assad``, ``McDonald``, ``Renée``."""
    head, _, tail = token.partition("-")
    if tail and head.lower() in _NAME_PARTICLES:
        head, tail = tail, ""
    for part in (head, tail) if tail else (head,):
        if not part or not part[0].isupper():
            return False
        if not all(char.isalpha() or char in ".'’-" for char in part) or _CAPITALS_INTO_LOWER.search(part):
            return False
    return True


def is_organization(text: str) -> bool:
    """Whether ``text`` reads as the name of a publication or agency."""
    tokens = text.split()
    if not 1 <= len(tokens) <= _MAX_ORGANIZATION_TOKENS or len(text) > 80:
        return False
    if not (tokens[0][0].isupper() or tokens[0][0].isdigit()):
        return False
    return all(token[0].isupper() or token[0].isdigit() or token.lower() in _ORGANIZATION_CONNECTORS
               for token in tokens)


def read_byline(paragraph: str, context: DateContext) -> Byline | None:
    """``By X``, ``by X and Y``, ``By X, Staff Writer``, ``By X | Outlet``, ``X, Staff Writer``.

    Dates on the line are returned with it; words after them name a section
    (``By X 2019-11-18 Science``), not an outlet. None when the line is no byline.
    """
    if len(paragraph) > _MAX_LABEL_LENGTH + 50 or not _BYLINE_HINT.search(paragraph):
        return None
    dates = tuple(find_dates(paragraph, context))
    text = remove_dates(paragraph, dates)
    if dates:
        before_dates = remove_dates(paragraph[:dates[0].start], ())
        if _BY.match(before_dates):
            text = before_dates
    by = _BY.match(text)
    if by:
        return _read_by(text[by.end():], dates)
    head, *tail_parts = _NAME_ROLE_SPLIT.split(text, maxsplit=1)
    tail = tail_parts[0].strip() if tail_parts else ""
    name = person_name(head) if tail else None
    if name and _split_role(tail) and _ends_without_sentence(tail):
        return Byline(authors=(name,), role=tail, dates=dates)
    return None


def read_bare_names(paragraph: str) -> tuple[str, ...]:
    """The people a line names and nothing else: ``Debbie White``, ``Jane Doe and John
    Roe``, ``Jane Doe in London``; empty when it is anything more."""
    if len(paragraph) > _MAX_LABEL_LENGTH:
        return ()
    chunks = [chunk for chunk in _NAME_LIST_SPLIT.split(_IN_PLACE.sub("", paragraph)) if chunk]
    names = tuple(person_name(chunk) for chunk in chunks)
    return names if names and all(names) else ()  # type: ignore[return-value]


def _read_by(text: str, dates: tuple[StatedDate, ...]) -> Byline | None:
    # A Twitter handle glued to the name ("By Jane Doe@janedoe") ends the names; a
    # comment counter may follow them ("by Example News 0 Comments").
    text = _TRAILING_COUNTER.sub("", text.split("@", 1)[0]).strip(" ,;:-–—|")
    if not text or not text[0].isupper() or not _ends_without_sentence(text):
        return None
    names_part, *tail_parts = _BYLINE_TAIL_SPLIT.split(text, maxsplit=1)
    authors, rest = _leading_names(names_part)
    if not authors and not tail_parts and _is_pen_name(rest):
        return Byline(authors=(rest,), dates=dates)
    tail = " ".join(part for part in (rest, *tail_parts) if part).strip(" ,;:|")
    if _is_credentials(tail):
        tail = ""
    role, outlet = _role_and_outlet(tail, outlet_before_role=False)
    if not (authors or role or outlet):
        return None
    return Byline(authors=tuple(authors), role=role, outlet=outlet, dates=dates)


def _leading_names(text: str) -> tuple[list[str], str]:
    """The people a byline names first (``Ann Lee, Bo Chan and Cy Dodd``) and the
    text after them (``Staff Writers``)."""
    chunks = [chunk for chunk in _NAME_LIST_SPLIT.split(text) if chunk]
    authors: list[str] = []
    for index, chunk in enumerate(chunks):
        # After a name, "Middle East Correspondent" is a job title, not a person.
        name, rest = (None, chunk) if authors and _split_role(chunk) else _name_prefix(chunk)
        if name:
            authors.append(name)
        if rest:
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
    for count in range(min(len(tokens), _MAX_NAME_TOKENS + 2), 1, -1):
        name = person_name(" ".join(tokens[:count]))
        if name:
            return name, " ".join(tokens[count:])
    return None, text


def _is_pen_name(text: str) -> bool:
    """``Regan`` in ``by Regan``: one capitalized word that names no agency,
    organization or job, and is no acronym (``By AP``)."""
    word = text.lower()
    return (" " not in text and len(text) > 1 and _is_name_token(text) and not text.isupper()
            and word not in _ONE_WORD_AGENCIES and word not in ORGANIZATION_WORDS and word not in ROLE_WORDS
            and word not in _COLLECTIVE_WORDS and word not in _NOT_IN_NAMES)


def _is_credentials(text: str) -> bool:
    parts = [part.strip().lower() for part in text.split(",")]
    return bool(text) and all(part in _CREDENTIALS for part in parts)


def _role_and_outlet(tail: str, *, outlet_before_role: bool) -> tuple[str | None, str | None]:
    """Split a job title from the outlet it names: ``Reuters`` (an outlet alone),
    ``Staff Writer`` (a title alone), ``Editor for X``, and when ``outlet_before_role``
    ``X Desk Reporter, Europe``. After a person's name, words before the job title
    are a beat (``Middle East Correspondent``), not an outlet."""
    if not tail:
        return None, None
    if all(word in ROLE_WORDS or word in _ROLE_MODIFIERS or word in _COLLECTIVE_WORDS for word in words_of(tail)):
        return tail, None
    region_split = tail.split(",", 1)
    role_split = _split_role(region_split[0])
    if role_split is None:
        return None, (tail if is_organization(tail) else None)
    before, role, after = role_split
    after = after.removeprefix("the ")
    outlet = after if is_organization(after) else None
    if before and not outlet and outlet_before_role and _is_standalone_outlet(before):
        outlet = before
    elif before:
        role = f"{before} {role}"
    if len(region_split) > 1 and region_split[1].strip():
        role = f"{role}, {region_split[1].strip()}"
    return role, outlet


def read_role_line(paragraph: str) -> Byline | None:
    """A desk line: ``Impunity Watch Desk Reporter, Europe`` → outlet and role; a
    handle after it is the reporter's (``News reporter @janedoe``)."""
    if len(paragraph) > _MAX_LABEL_LENGTH or not _ends_without_sentence(paragraph):
        return None
    paragraph = _TRAILING_HANDLE.sub("", paragraph)
    split = _split_role(paragraph.split(",", 1)[0])
    # Words before the job title name an outlet or a beat, in capitals: "the vote
    # Credit: Getty - Contributor" is a caption.
    if split and split[0] and not is_organization(split[0]):
        return None
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
        if words[start] in ROLE_WORDS or words[start] in _ROLE_MODIFIERS:
            end = start
            while end < len(words) and (words[end] in ROLE_WORDS or words[end] in _ROLE_MODIFIERS
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
    if len(paragraph) > _MAX_LABEL_LENGTH:
        return None
    label = _AUTHOR_LABEL.match(paragraph)
    if not label:
        return None
    text = paragraph[label.end():].strip(" .")
    tokens = text.split()
    if tokens and tokens[-1].lower() in _COLLECTIVE_WORDS and len(tokens) > 1:
        outlet = " ".join(tokens[:-1])
        return Byline(outlet=outlet) if is_organization(outlet) else None
    names = tuple(filter(None, (person_name(chunk) for chunk in _NAME_LIST_SPLIT.split(text))))
    if names:
        return Byline(authors=names)
    return Byline(outlet=text) if is_organization(text) else None


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
        return DateLine(dates=()) if not rest_words else None
    if rest_words and not (in_header and len(rest_words) <= _MAX_DATE_LINE_REST_WORDS
                           and not paragraph.endswith((".", "!", "?"))):
        return None
    return DateLine(dates=tuple(dates), name=person_name(rest) if rest_words else None)


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
    separator = _DASH_AFTER_DATELINE.search(paragraph, 0, 120)
    if separator is None:
        return None
    prefix, rest = paragraph[:separator.start()].strip(), paragraph[separator.end():].strip()
    if standalone == bool(rest) or not _SENTENCE_MARKS.isdisjoint(prefix) or ":" in prefix:
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


def read_trailing_credit(paragraph: str) -> tuple[str, str] | None:
    """A caption ending in its credit: ``… (Photo courtesy of Reuters)``, ``… Photograph
    by Jane Doe/AFP`` → (caption, credit)."""
    if paragraph.endswith(")"):
        opening = paragraph.rfind("(")
        match = _PARENTHESIZED_CREDIT.match(paragraph, opening) if opening >= 0 else None
        if match:
            return paragraph[:opening].strip(), (match["credit"] or match["agency_credit"]).strip(" .")
        return None
    match = _SPELLED_TRAILING_CREDIT.search(paragraph, max(0, len(paragraph) - _MAX_TRAILING_CREDIT))
    if match:
        return paragraph[:match.start()].strip(), match["credit"].strip(" .")
    return None


def read_caption_label(paragraph: str) -> str | None:
    """The caption after a caption label: ``Image caption Jane Doe at the launch``."""
    label = _CAPTION_LABEL.match(paragraph)
    return paragraph[label.end():].strip() if label else None


def read_credit_line(paragraph: str) -> str | None:
    """A line that is only a credit: ``Photo: Jane Doe / Reuters``, ``Credit: …``,
    ``Alex Wong | Getty Images``, ``(Photo courtesy of Reuters)``."""
    if len(paragraph) > _MAX_LABEL_LENGTH or not _ends_without_sentence(paragraph.rstrip(".")):
        return None
    for pattern in (_CREDIT_LINE, _AGENCY_CREDIT_LINE):
        match = pattern.match(paragraph)
        if match:
            return match["credit"].strip(" .")
    trailing = read_trailing_credit(paragraph)
    if trailing and not trailing[0]:
        return trailing[1]
    return None


def has_caption_cue(paragraph: str) -> bool:
    """Words captions use and prose rarely does: ``pictured``, ``(left)``, ``poses``."""
    return bool(_CAPTION_CUE.search(paragraph))


def read_post_attribution(paragraph: str, context: DateContext) -> Reference | None:
    """The attribution under an embedded social post, ``— Jane Doe (@janedoe) November
    18, 2019``: a source the article cites, with its date."""
    if len(paragraph) > 200:
        return None
    match = _POST_ATTRIBUTION.match(paragraph)
    if not match:
        return None
    dates = find_dates(match["rest"], context)
    if len(dates) != 1 or strip_dates(match["rest"], dates):
        return None
    return Reference(outlet="", title=f"{match['author'].strip()} ({match['handle']})", date=dates[0].when.date())


def read_reference(paragraph: str, context: DateContext) -> Reference | None:
    """A cited source: ``Outlet–Title— 21 October 2015`` (a dash after the outlet, the
    date last); a bare URL is a source whose title is the URL."""
    if len(paragraph) > 300:
        return None
    if _is_url(paragraph):
        return Reference(outlet=urlsplit(paragraph).netloc, title=paragraph)
    if is_furniture(paragraph):
        return None
    dates = find_dates(paragraph, context)
    text, cited = paragraph, None
    if dates and not paragraph[dates[-1].end:].strip(" .)]"):
        text, cited = paragraph[:dates[-1].start], dates[-1].when.date()
    text = text.rstrip(" ,;:([—–-")
    outlet, title = _split_outlet_title(text)
    if not title:
        return None
    return Reference(outlet=outlet, title=title, date=cited)


def _split_outlet_title(text: str) -> tuple[str, str]:
    """``Huffington Post–Bashar Assad Meets … – In Moscow``: the outlet ends at the first
    dash; the title may hold more dashes."""
    positions = [index for index in (text.find("–"), text.find("—"), text.find(" - "), text.find(" | "))
                 if index > 0]
    if positions:
        cut = min(positions)
        outlet = text[:cut].strip()
        title = text[cut:].lstrip(" -–—|").strip()
        if title and len(outlet.split()) <= _MAX_ORGANIZATION_TOKENS:
            return outlet, title
    return "", text.strip()


def _is_url(text: str) -> bool:
    return " " not in text and text.startswith(("http://", "https://", "www."))


def _ends_without_sentence(text: str) -> bool:
    """Labels (bylines, desk lines, credits) are not sentences: no final full stop
    (an initial such as ``J.`` excepted) and no sentence punctuation inside."""
    text = text.strip()
    if not _SENTENCE_MARKS.isdisjoint(text):
        return False
    last_word = text.rsplit(" ", 1)[-1]
    return not text.endswith(".") or len(last_word.rstrip(".")) <= 2
