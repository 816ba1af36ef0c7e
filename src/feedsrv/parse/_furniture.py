"""Recognizers for what a page prints around a story and is not of it: share
buttons and counters, calls to action, index terms, consent and rights notices,
hatnotes, lines about a blog post, teasers, related links and their headings, and
the markers where the comments start.

Each function looks at one normalized paragraph and knows general English
conventions only, never the names of particular sites. Patterns are anchored at the
start of a paragraph and use no nested quantifiers, so each runs in linear time.
"""

from __future__ import annotations

import re

from ._bylines import COUNTER
from ._people import MAX_LABEL_LENGTH

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
# What the page says of itself, the reader's account or the tools around the story,
# each a whole line: reading times, paywalls, shopping disclosures, audio players,
# settings and "story continues" breaks.
_PAGE_NOTICE = re.compile(
    r"(?:(?:estimated )?reading time:? \d{1,3} ?(?:min(?:ute)?s?)\.?"
    r"|\d{1,3} ?min(?:ute)?s? (?:read|listen)"
    r"|this (?:article|story|post) is (?:more|over) than \w{1,5} (?:years?|months?) old\.?"
    r"|(?:jump|skip) to (?:the )?recipe|print (?:this )?recipe|add this recipe to [\w .]{1,30}!?"
    r"|(?:audio: )?listen (?:here|to this (?:article|story)|to the (?:article|story))\b.{0,60}"
    r"|already (?:a subscriber|have an account)\?.{0,40}"
    r"|subscribe (?:now|today) (?:for|to get) (?:unlimited|full|digital) access\b.{0,40}"
    r"|you have \w{1,5} free (?:articles?|stories) (?:left|remaining)\b.{0,40}"
    r"|get the latest (?:news|headlines|stories) (?:delivered )?(?:to|in) your inbox\.?"
    r"|want more (?:stories|articles|news) like this\??.{0,60}"
    r"|(?:please )?support (?:independent|local|quality) journalism\b.{0,60}"
    r"|your support helps us\b.{0,60}"
    r"|this (?:post|article|page|story) (?:may )?contains? affiliate links\b.{0,80}"
    r"|(?:we|our site) may (?:earn|receive) (?:a )?(?:small )?(?:commission|share of sales)\b.{0,100}"
    r"|our editors independently (?:select|choose|research)\b.{0,100}"
    r"|(?:story|article) continues (?:below|after)(?: (?:this )?(?:advertisement|ad))?"
    r"|translate this page|text size|enable push notifications|please enable javascript\b.{0,60}"
    r"|cookie (?:settings|preferences|policy)|comments? \(\d{1,6}\)|story highlights"
    # a breadcrumb trail on its own line, and a flash above the headline
    r"|(?:home|start|front page)(?:\s?[>›»/|]\s?[^>›»/|]{1,40}){1,6}"
    r"|(?:breaking(?: news)?|exclusive|developing(?: story)?|just in)\W{0,2})$",
    re.IGNORECASE,
)
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
    if _PAGE_NOTICE.match(paragraph):
        return True
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
