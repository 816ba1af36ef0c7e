"""Recognizers for single paragraphs: what a line of an article *is*.

Each function looks at one normalized paragraph and says whether it is page
furniture, a date line, a dateline, a photo caption or credit, a cited source or a
link to another story, returning what it carries (bylines are read in
:mod:`._bylines`, outlets in :mod:`._outlets`). They know general English
newsroom conventions only, never the names of particular sites. Patterns are anchored
at the start of a paragraph and use no nested quantifiers, so each runs in linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from ..model import Reference
from ._bylines import COUNTER, SENTENCE_MARKS, ends_without_sentence
from ._dates import PUBLISHED, UPDATED, DateContext, StatedDate, find_dates, remove_dates, strip_dates
from ._people import MAX_LABEL_LENGTH, MAX_ORGANIZATION_TOKENS, person_name, signs_names

# A name beside how long ago the story was posted: "Jane Doe 5 hours ago".
_NAME_AND_AGE = re.compile(
    r"^(?P<name>[^\d|·•]{3,60}?)\s(?:[|·•]\s)?\d{1,2}\s?(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?)\sago$",
    re.IGNORECASE)

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
    "pin", "it", "post", "return", "jump", "skip", "navigation", "main", "content",
    "profile", "rss", "feed", "leave", "reply", "replies", "an",
})
# A word of a share bar: letters or digits, maybe joined by hyphens, apostrophes or a
# plus ("e-mail", "google+"); separators such as "|", "»" and "/" are no words.
_FURNITURE_WORD = re.compile(r"[^\W_][\w'’+-]*")
_MAX_FURNITURE_WORDS = 6
_HANDLE_COUNT_OR_URL = re.compile(r"^(?:@\w{1,30}|\d{1,6}|(?:https?://|www\.)\S+)$")
# Counters beside share buttons: "858shares", "195 Shares", "12 comments".
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_COUNTER = re.compile(rf"^{COUNTER}$", re.IGNORECASE)
# Headings over links to other stories, and such links standing alone.
_RELATED_HEADING = re.compile(
    r"^(?:related(?: (?:stories|articles|links|posts|coverage|content|topics|videos|news))?"
    r"|more(?: stories| news| videos)?"
    r"|more (?:from|in|on) [\w .&'’-]{1,30}|most (?:read|popular|viewed|shared|watched)(?: (?:in|on) [\w .&'’-]{1,30})?"
    r"|(?:more )?trending(?: now| stories)?|top stories|recommended(?: for you| stories)?|you (?:may|might) also like"
    r"|(?:also|further) read|see also|read (?:more|next)|what to read next|editor['’]?s picks|story timeline"
    r"|(?:sponsored|promoted|partner) (?:stories|content|links)|(?:around|from) the web|from our partners"
    r"|you (?:may|might) (?:also )?(?:like|enjoy)|latest (?:news|stories|headlines)|popular (?:now|stories)"
    r"|up next|next up(?: in [\w .&'’-]{1,30})?|don['’]t miss|more to (?:explore|read))"
    r"(?:\.{3}|…)?\s?:?$",
    re.IGNORECASE)
_RELATED_LINK = re.compile(
    r"^(?:related(?: (?:post|story|article|roundup|coverage|content|reading|video))?|see also|also read|read more"
    r"|read next|more|watch|listen|recommended)\s?:\s(?=\S)",
    re.IGNORECASE)
_MAX_RELATED_LENGTH = 200
# The link under a teaser cut short: "Read more »", "Continue reading", "Full bio".
_READ_MORE = re.compile(r"^(?:read (?:more|full (?:bio|story|article|post))|continue reading|full bio|more)\W{0,3}$",
                        re.IGNORECASE)
# How a teaser cut short ends: "… for his blog Underwater Breeding ...", "… the SEAG…".
_CUT_SHORT = ("...", "…", "[...]", "[…]")
_MAX_DATE_LINE_LENGTH = 200
_MAX_DATE_LINE_REST_WORDS = 3
# Where a line about the article splits into parts, each of which may open with a
# date: "Jane Doe · Outlet · Posted: …", "January 13, 2020 | categories: …",
# "Page (last edited … by …)".
_SEGMENT_BREAK = re.compile(r"\s[|·•/–—-]\s|[|·•()]")
_CALL_TO_ACTION = re.compile(r"\b(?:click here|clicking here|sign up|subscribe|download the app|follow us)\b",
                             re.IGNORECASE)
# A short line that opens with a call to action: "Sign up for our daily newsletter".
_LEADING_CALL_TO_ACTION = re.compile(r"^(?:click here|sign up|subscribe|download (?:the|our) app|follow us|get our)\b",
                                     re.IGNORECASE)
# The page's index terms: "Tags: budget, parks", "Filed under: Politics".
_INDEX_TERMS = re.compile(r"^(?:tags?|tagged(?: with)?|topics?|filed under|categories|category|in this article"
                          r"|posted (?:in|under))\s?:", re.IGNORECASE)
# A list of index terms may be long ("Categories: Politics, Election 2012, …") but
# holds no sentence.
_MAX_INDEX_TERMS_LENGTH = 600
# The consent under a newsletter form: "I would like to be emailed about offers …",
# "By signing up, you agree to our Privacy Policy".
_CONSENT = re.compile(
    r"^(?:I(?: would|['’]d) like to (?:be emailed|receive)"
    r"|by (?:signing up|subscribing|submitting|registering|clicking)\b"
    r".{0,120}\b(?:agree|accept|consent)|(?:please )?(?:read|see) our privacy (?:policy|notice)"
    r"|when you subscribe\b|thank you for subscribing\b)",
    re.IGNORECASE)
_MAX_CONSENT_LENGTH = 300
# A rights notice that names no brand before its mark, so the copyright reader leaves
# it ("All content © Copyright 2004 - 2008, …"), or that only forbids reuse ("This
# material may not be published, broadcast, rewritten or redistributed.").
_RIGHTS_NOTICE = re.compile(
    r"^(?:\(\s?)?(?:all (?:content|contents|material|materials|text|photos|images)\b[^.]{0,30}(?:©|\(c\)|copyright)"
    r"|(?:[^.]{0,80}\.\s)?(?:this|the) (?:material|article|story|content|blog)\b[^.]{0,40}\bmay not be"
    r" (?:re)?(?:published|produced|distributed|copied|broadcast)\b"
    r"|(?:all )?trademarks?\b[^.]{0,40}\bproperty of\b)",
    re.IGNORECASE)
# A notice anywhere in a short line that holds both a copyright mark and "all rights
# reserved": "Comments owned by the poster. © 2012 All Rights Reserved."
_RIGHTS_MARK = re.compile(r"©|\(c\)|\bcopyright\b", re.IGNORECASE)
_ALL_RIGHTS_RESERVED = re.compile(r"\ball rights reserved\b", re.IGNORECASE)
_MAX_MARKED_NOTICE_LENGTH = 300
# Words one of those notices holds, looked for before the slower patterns.
_RIGHTS_CUES = ("©", "(c)", "(C)", "opyright", "OPYRIGHT", "may not be", "rademark", "RADEMARK")
# An encyclopedia's hatnotes, pointing readers elsewhere: "This article is about the
# country. For other uses, see …", "\"NZ\" redirects here.", "For matrices over the
# reals, see symmetric matrix.", "Main article: History of New Zealand". A hatnote
# names the page it points to; "see the sitemap" or "see below" points within a site.
_HATNOTE = re.compile(
    r"^(?:this (?:article|page|section) is about\b|[\"“]?[^\"“”.]{1,60}[\"”]? redirects here\b"
    r"|for [^.]{1,120}, see (?!(?:the|our|my|this|these|here|below|above)\b)[^.]{1,120}\.$"
    r"|not to be confused with\b|main articles?:\s|further information:\s)",
    re.IGNORECASE)
_MAX_HATNOTE_LENGTH = 300
# How a hatnote opens, looked for before the slower pattern; "X redirects here." opens
# with the page's name, so that phrase is looked for instead.
_HATNOTE_OPENINGS = ("this ", "for ", "not ", "main ", "further ")
# Under a blog's like button: "Be the first to like this."
_FIRST_TO = re.compile(r"^be the first to (?:like|comment|review|share)\b", re.IGNORECASE)
_MAX_RIGHTS_NOTICE_LENGTH = 400
# A blog's line about the post: "Post written by Jane Doe.", "Posted on November 5,
# 2012 by Jane Doe, under Politics", and the joke department under a headline,
# "from the no-rest-for-the-weary dept.".
_POST_CREDIT = re.compile(r"^(?:(?:guest )?post(?:ed)?(?: written)? (?:by|on)\b|from the \S{1,80} dept\.?$)",
                          re.IGNORECASE)
_MAX_POST_CREDIT_LENGTH = 200
_END_MARKERS = re.compile(
    r"^(?:leave a (?:reply|comment)|post a comment|add a comment|comments are closed"
    r"|join the (?:discussion|conversation)|(?:article|readers?['’]?|user|your) comments"
    r"|(?:\d{1,5}|no|one)(?: of \d{1,5})? (?:comments?|responses?|replies)"
    r"(?: (?:to|on) .{1,200}| (?:so far|posted|loaded|leave one|add yours)\b.{0,60})?"
    r"|about the authors?)\s*[:.!]?$",
    re.IGNORECASE,
)
_REFERENCE_HEADER = re.compile(
    r"^(?:for (?:more|further) (?:information|info|reading|details),?\s{0,3}(?:please )?(?:see|visit|read|consult)?"
    r"|sources?|references?|further reading|citations?|works cited|bibliography)\s{0,3}[:.]?$",
    re.IGNORECASE,
)
# A hyphen separates only with a space beside it: WILKES-BARRE is one place.
_DASH_AFTER_DATELINE = re.compile(r"\s{0,2}(?:—|–|--)\s*|\s-\s*|-\s")
_MAX_DATELINE_LENGTH = 120  # where the dash after a dateline must stand
# Looked for before that pattern, which tries every position: most lines have no dash.
_DASH = re.compile("[—–-]")
# "(CNN) President …", "Hong Kong (CNN Business) A …": an agency in parentheses, maybe
# after a place, before a capital. "(D-Minn.) said" is a party label, not an agency.
_LEADING_AGENCY = re.compile(
    r"^(?:(?P<place>[A-Z][\w.'-]{0,30}(?:,? [A-Z][\w.'-]{0,30}){0,3}) )?"
    r"\((?P<agency>[A-Z][\w.&'-]{1,30}(?: [A-Z][\w.&'-]{0,30}){0,3})\)\s{0,2}(?:(?:—|–|--?)\s{0,2})?"
    r"(?=[A-Z0-9\"“‘'])")
_PARTY_LABEL = re.compile(r"^[A-Z]-")

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
# The words one of those credits must hold, looked for before the slower pattern.
_TRAILING_CREDIT_WORDS = ("Photo", "Image", "Picture", "Credit")
# Caption labels printed before the caption text: "Image caption …", "Caption: …".
_CAPTION_LABEL = re.compile(r"^(?:(?:image|media|photo|video|picture)\s(?:caption)\s|caption:\s?)(?=\S)",
                            re.IGNORECASE)
# The attribution under an embedded social post: "— Jane Doe (@janedoe) November 18, 2019".
_POST_ATTRIBUTION = re.compile(
    r"^(?:—|–|--?)\s?(?P<author>[^()]{1,80}?)\s?\((?P<handle>@\w{1,30})\)\s?(?P<rest>.{6,60})$")
# Notes about later changes: "Correction, Nov. 15, 2019: …", "Update (Nov 2, 2019): …".
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
_CHANGE_NOTE = re.compile(r"^(?:corrections?|clarifications?|updates?|editor['’]s note)\b[^:]{0,60}:", re.IGNORECASE)
_AGENCY_CREDIT_LINE = re.compile(
    r"^(?P<credit>[^|/]{1,60}\s?[|/]\s?[^|/]{0,50}\b(?:Images|Photos?|Pictures|Photography))$")
# A photographer's name and agency joined by a slash, as credits print them:
# "Kevin Mazur/WireImage", "By Jane Doe/Reuters.", "Jane Doe/jdoe@example.com".
_SLASH_CREDIT = re.compile(r"^(?:by |photo(?:graph)? by )?(?P<name>[^/]{3,40}?)\s?/\s?(?P<agency>[^/]{2,40}?)\.?$",
                           re.IGNORECASE)
_AGENCY_WORD = re.compile(r"^(?:[A-Z0-9@]|via$|of$|and$|&$)")
_MAX_AGENCY_WORDS = 5
_CAPTION_CUE = re.compile(
    r"\((?:left|right|center|centre|l|r|c|front|back|top|bottom)\)|\bpictured\b"
    r"|\bin this (?:file )?(?:photo|image|picture)\b|\bposes?\b|\bposing\b|\bfile photo\b|\bphoto taken\b"
    r"|\bshown here\b",
    re.IGNORECASE,
)


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


def is_furniture(paragraph: str) -> bool:
    """Share buttons, counters, handles, calls to action and section breaks
    (``* * *``): page furniture, not text."""
    if _HANDLE_COUNT_OR_URL.match(paragraph) or not _LETTER_OR_DIGIT.search(paragraph):
        return True
    if _COUNTER.match(paragraph):
        return True
    if len(paragraph) <= _MAX_INDEX_TERMS_LENGTH and _INDEX_TERMS.match(paragraph) and not paragraph.endswith("."):
        return True
    if len(paragraph) <= _MAX_CONSENT_LENGTH and _CONSENT.match(paragraph):
        return True
    # Links to the previous or next post: "← Older post title", "Newer post title →".
    if len(paragraph) <= _MAX_RELATED_LENGTH and (paragraph.startswith("←") or paragraph.endswith("→")
                                                  or _FIRST_TO.match(paragraph)):
        return True
    if len(paragraph) > MAX_LABEL_LENGTH:
        return False
    words = _FURNITURE_WORD.findall(paragraph.lower())
    if len(words) <= _MAX_FURNITURE_WORDS and all(word in _FURNITURE_WORDS for word in words):
        return True
    if _INDEX_TERMS.match(paragraph) or (_LEADING_CALL_TO_ACTION.match(paragraph) and not paragraph.endswith(".")):
        return True
    return paragraph.isupper() and bool(_CALL_TO_ACTION.search(paragraph))


def is_rights_notice(paragraph: str) -> bool:
    """``All content © Copyright 2000 - 2008 …``, ``This material may not be published,
    broadcast, rewritten or redistributed.``: the page's rights notice, not the story."""
    if len(paragraph) > _MAX_RIGHTS_NOTICE_LENGTH:
        return False
    if not any(cue in paragraph for cue in _RIGHTS_CUES):
        return False
    if _RIGHTS_NOTICE.match(paragraph):
        return True
    return len(paragraph) <= _MAX_MARKED_NOTICE_LENGTH and bool(_ALL_RIGHTS_RESERVED.search(paragraph)) \
        and bool(_RIGHTS_MARK.search(paragraph))


def is_hatnote(paragraph: str) -> bool:
    """``This article is about the country. For other uses, see …``, ``Main article:
    …``: a pointer to other pages, not text of this one."""
    if len(paragraph) > _MAX_HATNOTE_LENGTH:
        return False
    cued = paragraph[:8].lower().startswith(_HATNOTE_OPENINGS) or "redirects here" in paragraph
    return cued and bool(_HATNOTE.match(paragraph))


def is_post_credit(paragraph: str) -> bool:
    """``Posted by Jane Doe on Tuesday``, ``Post written by Jane Doe.``: a line about a
    blog post, above or below it, not of it."""
    return len(paragraph) <= _MAX_POST_CREDIT_LENGTH and bool(_POST_CREDIT.match(paragraph))


def is_teaser(paragraph: str, following: str | None) -> bool:
    """A paragraph cut short (``… for his blog ...``) above a ``Read more`` link: a
    teaser for another page (an author's bio, another story), not the story."""
    return following is not None and paragraph.endswith(_CUT_SHORT) and bool(_READ_MORE.match(following))


def is_related_heading(paragraph: str) -> bool:
    """``Most read in world news``, ``Related Stories``, ``More:``: a heading over links
    to other stories."""
    return len(paragraph) <= MAX_LABEL_LENGTH and bool(_RELATED_HEADING.match(paragraph))


def is_related_link(paragraph: str) -> bool:
    """``Related: Another headline``: a link to another story."""
    return len(paragraph) <= _MAX_RELATED_LENGTH and bool(_RELATED_LINK.match(paragraph))


def is_end_marker(paragraph: str) -> bool:
    """Where the article ends and the comment section starts (``Leave a Reply``)."""
    return len(paragraph) <= 300 and bool(_END_MARKERS.match(paragraph))


def is_reference_header(paragraph: str) -> bool:
    """A heading introducing the cited sources: ``For more information, please see``, ``Sources:``."""
    return len(paragraph) <= 60 and bool(_REFERENCE_HEADER.match(paragraph))


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


def read_trailing_credit(paragraph: str) -> tuple[str, str] | None:
    """A caption ending in its credit: ``… (Photo courtesy of Reuters)``, ``… Photograph
    by Jane Doe/AFP`` → (caption, credit)."""
    if paragraph.endswith(")"):
        opening = paragraph.rfind("(")
        match = _PARENTHESIZED_CREDIT.match(paragraph, opening) if opening >= 0 else None
        if match:
            return paragraph[:opening].strip(), (match["credit"] or match["agency_credit"]).strip(" .")
        return None
    start = max(0, len(paragraph) - _MAX_TRAILING_CREDIT)
    tail = paragraph[start:]
    if not any(word in tail for word in _TRAILING_CREDIT_WORDS):
        return None
    match = _SPELLED_TRAILING_CREDIT.search(paragraph, start)
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
    if len(paragraph) > MAX_LABEL_LENGTH or not ends_without_sentence(paragraph.rstrip(".")):
        return None
    for pattern in (_CREDIT_LINE, _AGENCY_CREDIT_LINE):
        match = pattern.match(paragraph)
        if match:
            return match["credit"].strip(" .")
    trailing = read_trailing_credit(paragraph)
    if trailing and not trailing[0]:
        return trailing[1]
    return None


def read_slash_credit(paragraph: str) -> str | None:
    """``Kevin Mazur/WireImage``, ``By Jane Doe/Reuters.``: a person's name and an agency
    (or an address) joined by a slash, a photo's credit; None for other lines."""
    match = _SLASH_CREDIT.match(paragraph) if "/" in paragraph else None
    if not match or not person_name(match["name"]):
        return None
    words = match["agency"].split()
    if len(words) > _MAX_AGENCY_WORDS or not all(_AGENCY_WORD.match(word) for word in words):
        return None
    return f"{match['name']}/{match['agency']}"


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
        if title and len(outlet.split()) <= MAX_ORGANIZATION_TOKENS:
            return outlet, title
    return "", text.strip()


def _is_url(text: str) -> bool:
    return " " not in text and text.startswith(("http://", "https://", "www."))
