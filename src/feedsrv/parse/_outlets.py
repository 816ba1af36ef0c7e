"""Lines that name the publication, and the names they give.

A copied article rarely keeps the masthead, but sites name themselves elsewhere:
the copyright notice (``© 2019 Example Gazette``, ``Brand © 2019 Owner, LLC``),
self-promotion (``Subscribe to X on YouTube``, ``Originally published on X``), the
reporter's bio (``Jane Doe is a reporter for X.``), a photo commissioned by the
outlet (``Jane Doe for X Magazine``), a lead that opens with the site's domain
(``Example.net - …``), and the newsroom's e-mail addresses (``jdoe@example.com``).
Every recognizer here looks at one paragraph and knows general conventions only,
never the names of particular sites. Patterns use bounded quantifiers and no
nested ones, so each runs in linear time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._names import is_given_name
from ._people import (
    ORGANIZATION_WORDS,
    ROLE_MODIFIERS,
    ROLE_WORDS,
    SECTION_WORDS,
    is_organization,
    person_name,
    signs_names,
    words_of,
)

_MAX_NOTICE_LENGTH = 300
_MAX_PROMOTION_LENGTH = 160
_MAX_BRAND_TOKENS = 6

# The word "copyright" only opens a notice ("Image copyright Jane Doe" is a photo
# credit); the sign may follow a short brand or "This site".
_COPYRIGHT_WORD = re.compile(r"copyright\b", re.IGNORECASE)
_COPYRIGHT_SIGN = re.compile(r"©|\(c\)|&copy;", re.IGNORECASE)
_MAX_MARK_OFFSET = 40
_MAX_BRAND_BEFORE_MARK = 3
# A copyright notice gives a year, says so, or names a company; "© Jane Doe" alone
# credits a photo.
_COPYRIGHT_NOTICE = re.compile(r"\b\d{4}\b|\bcopyright\b|\ball rights reserved\b", re.IGNORECASE)
_LEGAL_FORM = (r"(?:Inc|Incorporated|LLC|L\.L\.C|Ltd|Limited|Corp|Corporation|Co|Company|PLC|plc|GmbH|AG"
               r"|S\.A|SA|Pty|LLP|LP)\.?")
_COPYRIGHT_NOISE = re.compile(r"©|\(c\)|\bcopyright\b|&copy;|\b\d{4}(?:\s{0,2}[-–—]\s{0,2}\d{4})?\b",
                              re.IGNORECASE)
_FOOTER_SEPARATORS = ("•", "|", "·")
_FOOTER_SEPARATOR = re.compile(r"[•|·]")
# What a site says of its own pages before the mark: "This site ©", "Original content ©".
_SITE_CONTENT = re.compile(r"^(?:this site|the contents of this site)|\bcontent(?: is| are)?(?: copyright)?$",
                           re.IGNORECASE)
# Where the holder's name ends: a separator or the next sentence ("Example Tavern. Powered by …").
# An initial's point ("U.S. News", "R. Jane Doe") ends nothing.
_HOLDER_END = re.compile(r"\s[-–—|•·]\s|(?<!\b[A-Z])\.\s|\s(?i:powered by|published:|all rights)\b"
                         r"|,\s(?i:a|an) (?i:division|subsidiary|unit|part|member|brand) of\b")
_TRAILING_COPYRIGHT = re.compile(r"\s*\bcopyright$", re.IGNORECASE)
_ALL_RIGHTS = re.compile(r"\ball rights reserved\b", re.IGNORECASE)
# The company part of an owner's name: "Quiller Media, Inc.", "Al Jazeera Media Network".
_LEGAL_SUFFIX = re.compile(rf",?\s{_LEGAL_FORM}(?![\w-])")
_CORPORATE_TAIL = re.compile(r"\s(?:Media|Publishing|Broadcasting|Communications)\s(?:Network|Group|Holdings)$")

_PLATFORMS = (r"(?:YouTube|Twitter|X|Facebook|Instagram|LinkedIn|TikTok|Snapchat|Pinterest|Flipboard|Threads"
              r"|Apple News|Google News|Spotify|Apple Podcasts)")
# Self-promotion: the site asks the reader to come back to it by name.
_FOLLOW_ON_PLATFORM = re.compile(
    rf"^(?:(?:click here|be sure) to )?(?:subscribe to|follow|like|watch) (?:the )?(?P<name>.{{2,60}}?) on"
    rf"(?: {_PLATFORMS}\b.{{0,60}}| ?)$", re.IGNORECASE)
_SUBSCRIBE_TO_PRODUCT = re.compile(
    r"^(?:click here to |sign up (?:for|to) |be sure to )?subscribe to (?P<name>.{2,60}?)"
    r" (?:newsletters?|podcast|channel|alerts|app)\W{0,3}$", re.IGNORECASE)
_MORE_ON = re.compile(r"^(?:read|watch|listen to) more (?:on|at|from) (?P<name>.{2,80})$", re.IGNORECASE)
_ORIGINALLY_PUBLISHED = re.compile(
    r"^(?:this (?:article|story|post) )?(?:was )?originally (?:was )?(?:published|appeared|ran) (?:on|in|at|by)"
    r" (?P<name>.{2,60}?)\.?$", re.IGNORECASE)
# The site asking for the reader's money or attention by name: "Subscribe to Example
# Courier", "Support Example News", "Download the Example Courier app".
_ASK = re.compile(r"^(?:(?i:subscribe to|support|become an? (?:member|subscriber|supporter) of|download) (?:the )?"
                  r"(?P<name>[A-Z][\w.&'’-]{0,30}(?: [A-Z][\w.&'’-]{0,30}){0,4})"
                  r"(?: (?i:newsletters?|app|today|now))?"
                  r"|(?i:get) (?:the )?(?P<product>[A-Z][\w.&'’-]{0,30}(?: [A-Z][\w.&'’-]{0,30}){0,4})"
                  r" (?i:newsletters?|app))\W{0,3}$")
# The site describing itself: "Example Courier is an independent newspaper."
_SELF_DESCRIPTION = re.compile(r"^(?:the )?(?P<name>[A-Z][\w.&'’-]{0,30}(?: [A-Z][\w.&'’-]{0,30}){0,4}) is (?:an?|the)"
                               r"(?: [\w-]{1,20}){0,3}"
                               r" (?i:newspaper|news (?:site|website|organi[sz]ation|outlet|service)"
                               r"|magazine|publication|newsroom)\b")
# The site inviting the reader back by name: "… updates from Example News. Read our
# privacy notice", "Sign up for Example Week's free newsletters", "More from Example
# Nation", "Join Example Blog at Google+", "Thank you for supporting Example Weekly".
_NEWS_FROM = re.compile(r"\b(?:updates|news|stories|offers) from (?P<name>[A-Z].{1,60})")
# "Example Standard would like to keep you informed about offers, events and updates".
_KEEP_INFORMED = re.compile(r"^(?P<name>[A-Z][\w.&'’-]{0,30}(?: [A-Z][\w.&'’-]{0,30}){0,4})"
                            r" (?:would like|wants|may wish) to (?:keep you (?:informed|updated|posted)|send you)\b")
_SIGN_UP_CUE = re.compile(r"\b(?:inbox|e-?mailed|e-?mail|sign up|stay up to date|stay in the know|never miss)\b",
                          re.IGNORECASE)
# The site's disclosure of its shopping links: "Example Weekly may earn a commission
# from links on this page", "Example Home receives a share of sales from products …".
_COMMISSION_DISCLAIMER = re.compile(
    r"^(?P<name>[A-Z][\w.&'’-]{0,30}(?: [A-Z][\w.&'’-]{0,30}){0,4})(?: may| might| can| could)?"
    r" (?i:earns?|receives?|gets?|collects?|makes?)(?: an?)?(?: small)?(?: affiliate)?"
    r" (?i:commissions?|share of sales)\b")
# Each with a word it cannot match without, looked for first: most lines have none.
_PROMOTIONS = (
    ("newsletter", re.compile(r"^sign up for (?P<name>.{2,60}?)(?:['’]s)?(?: (?i:free|daily|weekly|email)){0,2}"
                              r" (?i:newsletters?)\W{0,3}$", re.IGNORECASE)),
    ("from", re.compile(r"^more (?:[\w-]{1,20} )?(?i:from) (?P<name>[A-Z].{1,60}?)\W{0,3}$", re.IGNORECASE)),
    ("join", re.compile(r"^(?i:join) (?P<name>[A-Z].{1,60}?) (?:at|on) (?:Google\+|Facebook\b|Twitter\b)")),
    ("supporting", re.compile(r"\bthank you for supporting (?P<name>[A-Z].{1,60})", re.IGNORECASE)),
    ("news", re.compile(r"^add (?P<name>[A-Z].{1,40}?) to your (?:Google News|Apple News)\b", re.IGNORECASE)),
    ("commission", _COMMISSION_DISCLAIMER),
    ("share of sales", _COMMISSION_DISCLAIMER),
    ("newsletter", re.compile(r"\bwith (?P<name>[A-Z][\w.&-]{1,30}(?: [A-Z][\w.&-]{1,30}){0,3})['’]s\b.{0,60}"
                              r"\bnewsletter\b")),
)
# "Follow Example Mirror:" alone; "Follow Jane Doe:" promotes the reporter.
_FOLLOW_ALONE = re.compile(r"^(?i:follow) (?P<name>[A-Z][^@:]{1,40}?):?$")
_DOMAIN = r"[A-Za-z0-9][\w-]{0,62}(?:\.[A-Za-z0-9][\w-]{0,62}){0,3}\.[A-Za-z]{2,6}"
# "On Example.com: Another headline", "Also on example.com Another headline".
_ON_SITE = re.compile(rf"^(?:(?:on|more on|more from) (?P<domain>{_DOMAIN}):|also on (?P<also>{_DOMAIN}))\s(?=\S)",
                      re.IGNORECASE)
# A lead opening with the site's own name written as a domain: "Example.Net - Officials said …".
_DOMAIN_DATELINE = re.compile(rf"^(?P<domain>{_DOMAIN})\s?(?:—|–|--?|:)\s(?=[\"“‘'A-Z0-9])")
# "Jane Doe is a reporter for Example News.", "… is a senior writer at Example Times.
# Reach her at …": the first sentence.
# The sentence may go on: "… at Example Technica, where he has spent …", "… for
# Example Tech covering free speech"; a signature may precede it: "Jane Doe / Jane is …".
_BIO_HINT = re.compile(r" (?:is|covers|writes about|reports on) ")
# "Jane Doe is Example Today's Senior Editor."
_POSSESSIVE_BIO = re.compile(r"^(?P<name>[^,;:/]{3,60}?) is (?P<outlet>[A-Z][^,;:'’]{1,60}?)['’]s"
                             r" (?P<role>[\w ,&-]{2,60}?)(?:\.?$|\.\s(?=[A-Z])|,\s|\s(?=[a-z]))")
_BIO = re.compile(r"^(?:(?P<signature>[^/]{3,60}) / )?(?P<name>[^,;:/]{3,60}?)"
                  r" (?:is (?:a|an|the) (?P<role>[\w ,&-]{2,60}?)"
                  r"|(?P<beat>covers|writes about|reports on) [\w ,&'’-]{2,60}?)"
                  r" (?:for|at|with) (?P<outlet>[^,;:]{2,60}?)"
                  r"(?:\.?$|\.\s(?=[A-Z])|,\s|\s(?=[a-z]))")
# A staff line signs for the newsroom: "Example Voice Staff", "By Example.com Staff |
# Tags: …", "Senior Politics Reporter, Example Post".
_STAFF_LINE = re.compile(r"^(?:(?i:by) )?(?P<name>[A-Z][\w.&'’-]{0,30}(?: [A-Z][\w.&'’-]{0,30}){0,4})"
                         r" (?i:staff(?: reports?)?|news desk|desk|contributors?|editorial board)(?:\s[|•].{0,120})?$")
_STAFF_CUES = ("staff", "desk", "contributor", "board")
_ROLE_LINE = re.compile(r"^(?P<role>[A-Z][\w-]{1,20}(?: [A-Z][\w-]{1,20}){0,3}), (?P<name>[A-Z][\w.&'’ -]{1,60})$")
# "Jane Doe for Example Magazine": a photo or illustration the outlet commissioned,
# from a person or a studio whose name is one glued word ("RenderBurger").
_COMMISSIONED = re.compile(r"^(?P<who>[A-Z][\w.'’-]{0,30}(?: [A-Z][\w.'’-]{0,30}){0,3}) for (?:the )?"
                           r"(?P<outlet>[A-Z][\w.&'’-]{0,30}(?: [A-Z&][\w.&'’-]{0,30}){0,4})$")
_STUDIO_NAME = re.compile(r"^[A-Z][a-z]{1,20}[A-Z][A-Za-z]{1,20}$")
_EMAIL = re.compile(r"[\w.+-]{1,64}@(?P<domain>[A-Za-z0-9][\w-]{0,62}(?:\.[A-Za-z0-9][\w-]{0,62}){1,4})")
# "Email Jane Doe at jdoe@example.com", "Contact Jane Doe at …".
_CONTACT_PERSON = re.compile(r"^(?i:e-?mail|contact|reach|write to) (?P<name>[A-Z][^@:]{1,50}?) (?:at|via|on):? ")
# "… let us know at: news@example.com": the site speaking of itself.
_CONTACT_US = re.compile(r"\b(?:(?:e-?mail|contact|write to|reach|tell|let) us\b[^@]{0,20}?"
                         r"|(?:news )?tips?\b[^@]{0,30}?)(?=[\w.+-]{1,64}@)", re.IGNORECASE)
# Addresses anyone can have: they say nothing of an outlet.
_WEBMAIL = frozenset({
    "gmail", "googlemail", "yahoo", "hotmail", "outlook", "live", "msn", "aol", "icloud", "me", "mac",
    "protonmail", "proton", "gmx", "mail", "yandex", "zoho", "fastmail", "hey",
})
# Glued brands: "FOXBusiness" → "FOX Business", "NBCNews" → "NBC News".
# A brand written as one word with a capital inside: "HuffPost", "ExampleWire".
_GLUED_BRAND = re.compile(r"\b[A-Z][a-z]{1,20}[A-Z]")
_GLUED_CAPITALS = re.compile(r"(?<=[A-Z]{2})(?=[A-Z][a-z])")
TRAILING_CONNECTORS = frozenset({"of", "the", "and", "&", "for", "on", "in", "de", "al"})
# Words that end an outlet's name in a run of capitalized words: "READ MORE ON FOX
# BUSINESS BY CLICKING HERE".
_PRONOUNS = frozenset({"our", "my", "your", "their", "his", "her", "its", "this", "these", "we", "us"})
_STOP_WORDS = frozenset({"by", "on", "at", "for", "with", "in", "to", "from", "via", "here", "now", "today",
                         "click", "clicking", "and", "or"})


@dataclass(frozen=True, slots=True)
class Copyright:
    """What a copyright notice names: the ``brand`` before the mark (``Brand © 2019
    Owner``), the ``holder`` after it, and whether the holder is a company
    (``corporate``), whose name is given without its legal form."""

    holder: str
    brand: str | None = None
    corporate: bool = False


def read_copyright(paragraph: str) -> Copyright | None:
    """The names in a copyright notice (``© 2006-2016 Mideast Time.``, ``Copyright © 2019,
    Quiller Media, Inc.``); ``holder`` is ``""`` when it names none. None when the
    paragraph is no copyright notice."""
    if len(paragraph) > _MAX_NOTICE_LENGTH:
        return None
    mark = _COPYRIGHT_WORD.match(paragraph) or _COPYRIGHT_SIGN.search(paragraph, 0, _MAX_MARK_OFFSET)
    # A footer strings its links together: "Privacy Policy • © 2010 Example Wed • RSS".
    separator = _FOOTER_SEPARATOR.search(paragraph, 0, mark.start() if mark else _MAX_MARK_OFFSET)
    if not mark and not separator:
        return None
    start = max(paragraph.rfind(sign, 0, mark.start() if mark else _MAX_MARK_OFFSET)
                for sign in _FOOTER_SEPARATORS) + 1 if separator else 0
    if not mark:
        mark = (_COPYRIGHT_WORD.match(paragraph, start)
                or _COPYRIGHT_SIGN.search(paragraph, start, start + _MAX_MARK_OFFSET))
    if not mark:
        return None
    before = paragraph[start:mark.start()].strip(" |,•·")
    site_content = bool(before) and _SITE_CONTENT.search(before) is not None
    # "Example News Copyright ©": the brand, then the word the sign repeats.
    before = _TRAILING_COPYRIGHT.sub("", before)
    brand = before if before and not site_content and _is_brand(before, _MAX_BRAND_BEFORE_MARK) else None
    if before and not brand and not site_content:
        return None
    holder = _ALL_RIGHTS.split(paragraph[mark.start():], maxsplit=1)[0]
    holder = " ".join(_COPYRIGHT_NOISE.sub(" ", holder).split()).strip(" .,;:|-–—·•")
    holder = _HOLDER_END.split(holder, maxsplit=1)[0].strip(" .,;:|-–—·•").removeprefix("by ")
    # "Copyright Jane Doe/Example Agency" credits a photo.
    credited, slash, _ = holder.partition("/")
    if slash and person_name(credited):
        return None
    company, corporate = company_name(holder)
    if corporate:
        holder = company
    dated = _COPYRIGHT_NOTICE.search(paragraph) or corporate
    # Without a year or a legal form, "© Jane Doe" credits a photo; "© Example News
    # Today" still reads as a publisher's notice.
    if not dated and not any(word in ORGANIZATION_WORDS for word in words_of(holder)):
        return None
    return Copyright(holder=holder if is_organization(holder) else "", brand=brand, corporate=corporate)


def company_name(holder: str) -> tuple[str, bool]:
    """An owner's name without its legal form and whether it had one:
    ``Quiller Media, Inc., Contact Us`` → (``Quiller Media``, True),
    ``Al Jazeera Media Network`` → (``Al Jazeera``, True)."""
    legal = _LEGAL_SUFFIX.search(holder)
    if legal and legal.start() > 0:
        return holder[:legal.start()].strip(" ,"), True
    tail = _CORPORATE_TAIL.search(holder)
    if tail and tail.start() > 0:
        return holder[:tail.start()].strip(" ,"), True
    return holder, False


def read_self_reference(paragraph: str) -> str | None:
    """The outlet a line of self-promotion names: ``Subscribe to X on YouTube``,
    ``Follow X on Twitter``, ``Subscribe to X Newsletter``, ``Read more on X``,
    ``Originally published on X.``, ``On Example.com: Another headline``."""
    if len(paragraph) > _MAX_PROMOTION_LENGTH:
        return None
    on_site = _ON_SITE.match(paragraph)
    if on_site:
        return on_site["domain"] or on_site["also"]
    follow = _FOLLOW_ON_PLATFORM.match(paragraph)
    if follow:
        # "Follow Jane Doe on Twitter" promotes the reporter, not the outlet.
        name = _leading_brand(follow["name"])
        return name if name and not _names_person(name) else None
    for pattern in (_SUBSCRIBE_TO_PRODUCT, _ORIGINALLY_PUBLISHED, _MORE_ON, _ASK, _SELF_DESCRIPTION):
        match = pattern.match(paragraph)
        if match:
            return _leading_brand(match["name"] or match.groupdict().get("product") or "")
    keep_informed = _KEEP_INFORMED.match(paragraph)
    if keep_informed:
        return _promoted_brand(keep_informed["name"])
    lowered = paragraph.lower()
    news_from = _NEWS_FROM.search(paragraph) if " from " in lowered else None
    if news_from and _SIGN_UP_CUE.search(paragraph):
        return _promoted_brand(news_from["name"])
    for cue, pattern in _PROMOTIONS:
        match = pattern.search(paragraph) if cue in lowered else None
        if match:
            return _promoted_brand(match["name"])
    follow_alone = _FOLLOW_ALONE.match(paragraph)
    name = _promoted_brand(follow_alone["name"]) if follow_alone else None
    return name if name and not _names_person(name) else None


def _names_person(name: str) -> bool:
    # "Follow Jane Doe on Twitter", and "Follow Jane on Twitter": a first name alone.
    return person_name(name) is not None or (" " not in name and is_given_name(name))


def _promoted_brand(text: str) -> str | None:
    # "More from UK" promotes a country's section. ("More from Jane Doe", the
    # reporter's, is set aside with the article's authors.)
    name = _leading_brand(text)
    return name if name and len(name) > 2 else None


def read_domain_dateline(paragraph: str) -> str | None:
    """The site's domain opening a lead like a dateline: ``Example.Net - Officials said …``."""
    match = _DOMAIN_DATELINE.match(paragraph)
    return match["domain"] if match and not match["domain"][0].isdigit() else None


def read_bio(paragraph: str) -> tuple[str, str] | None:
    """``Jane Doe is a reporter for Example News.`` → (``Jane Doe``, ``Example News``)."""
    # Every bio says "is" or the reporter's beat; most paragraphs are no bio.
    if len(paragraph) > _MAX_PROMOTION_LENGTH * 2 or not _BIO_HINT.search(paragraph):
        return None
    match = _BIO.match(paragraph) or _POSSESSIVE_BIO.match(paragraph)
    if not match or not (match.groupdict().get("beat") or any(word in ROLE_WORDS for word in words_of(match["role"]))):
        return None
    signature = match.groupdict().get("signature")
    name = person_name(signature or "") or person_name(match["name"])
    # The pattern bounds the name already; "Example Today" keeps a word that would
    # end a name in running text.
    outlet = match["outlet"].removeprefix("the ").strip(" .")
    if not name or not _is_brand(outlet, _MAX_BRAND_TOKENS) or outlet.lower() in SECTION_WORDS:
        return None
    return name, outlet


def read_staff_line(paragraph: str) -> str | None:
    """The outlet a staff signature names: ``Example Voice Staff``, ``By Example.com
    Staff | Tags: …``, ``Senior Politics Reporter, Example Post``."""
    if len(paragraph) > _MAX_PROMOTION_LENGTH:
        return None
    lowered = paragraph.lower()
    staff = _STAFF_LINE.match(paragraph) if any(cue in lowered for cue in _STAFF_CUES) else None
    if staff:
        name = _leading_brand(staff["name"])
        # "Jane Doe Contributor" signs a person.
        if name != staff["name"] or name is None or name.lower() in SECTION_WORDS or signs_names(name):
            return None
        return name
    # Only a bare role may precede the name ("Example Herald Desk Reporter, Asia" is a
    # desk line, read with the byline), and the name must read as a brand, not a
    # region ("Desk Reporter, Europe").
    role = _ROLE_LINE.match(paragraph) if ", " in paragraph else None
    if not role or not all(word in ROLE_WORDS or word in ROLE_MODIFIERS or word in SECTION_WORDS
                           for word in words_of(role["role"])):
        return None
    name = _leading_brand(role["name"])
    if name is None or name != role["name"].strip() or person_name(name):
        return None
    return name if looks_like_domain(name) or _GLUED_BRAND.search(name) or any(
        word in ORGANIZATION_WORDS for word in words_of(name)) else None


def read_commissioned_credit(paragraph: str) -> str | None:
    """The outlet of a credit such as ``Jane Doe for Example Magazine``: an
    organization's name (with a word such as Magazine, News, Times) after ``for``."""
    match = _COMMISSIONED.match(paragraph)
    if not match or not is_organization(match["outlet"]):
        return None
    if not (person_name(match["who"]) or _STUDIO_NAME.match(match["who"])):
        return None
    outlet = match["outlet"]
    return outlet if any(word in ORGANIZATION_WORDS for word in words_of(outlet)) else None


def read_contact(paragraph: str) -> tuple[str | None, str] | None:
    """A newsroom address and whose it is: ``Email Jane Doe at jdoe@example.com`` →
    (``Jane Doe``, ``example.com``); ``… let us know at news@example.com`` →
    (None, ``example.com``); a line that is only an address → (None, domain)."""
    if len(paragraph) > _MAX_PROMOTION_LENGTH * 2:
        return None
    email = _find_email(paragraph)
    domain = newsroom_domain(email["domain"]) if email else None
    if email is None or domain is None:
        return None
    if email.start() == 0 and email.end() == len(paragraph):
        return None, domain
    person = _CONTACT_PERSON.match(paragraph)
    if person and person_name(person["name"]):
        return person_name(person["name"]), domain
    contact_us = _CONTACT_US.search(paragraph)
    if contact_us and contact_us.end() <= email.start():
        return None, domain
    return None


def email_domain(text: str) -> str | None:
    """The newsroom domain of the first e-mail address in ``text`` (a byline's)."""
    email = _find_email(text)
    return newsroom_domain(email["domain"]) if email else None


def _find_email(text: str) -> re.Match[str] | None:
    # The pattern tries every position of the text; most texts have no "@" at all.
    return _EMAIL.search(text) if "@" in text else None


def newsroom_domain(domain: str) -> str | None:
    """``domain`` unless it is a webmail provider's, which anyone may use."""
    domain = domain.rstrip(".")
    labels = domain.lower().split(".")
    if len(labels) < 2 or any(label in _WEBMAIL for label in labels[:-1]) or not labels[-1].isalpha():
        return None
    return domain


def brand_name(name: str) -> str:
    """An outlet's name as a reader would write it: glued capitals apart
    (``FOXBusiness`` → ``FOX Business``)."""
    return " ".join(_GLUED_CAPITALS.sub(" ", token) if not looks_like_domain(token) else token
                    for token in name.split())


def _leading_brand(text: str) -> str | None:
    """The capitalized words an outlet's name is made of, at the start of ``text``:
    ``FOX BUSINESS BY CLICKING HERE`` → ``FOX BUSINESS``."""
    tokens: list[str] = []
    for token in text.strip().split():
        word = token.strip(".,;:!?\"“”").lower()
        if not tokens and word == "the":
            tokens.append(token)
            continue
        if word in _STOP_WORDS or not (token[0].isupper() or token[0].isdigit() or word in TRAILING_CONNECTORS):
            break
        tokens.append(token)
        if token.endswith((".", ",", ";", ":", "!", "?")) and not looks_like_domain(token.rstrip(".,;:!?")):
            break
    while tokens and tokens[-1].lower() in TRAILING_CONNECTORS:
        tokens.pop()
    name = " ".join(tokens).strip(" .,;:!?\"“”")
    # A section alone ("Follow Politics on Twitter") is no outlet, nor a pronoun
    # ("Sign up for our newsletter").
    if not name or len(tokens) > _MAX_BRAND_TOKENS or name.lower() in SECTION_WORDS \
            or tokens[0].lower() in _PRONOUNS:
        return None
    return name if _is_brand(name, _MAX_BRAND_TOKENS) else None


def _is_brand(text: str, max_tokens: int) -> bool:
    return len(text.split()) <= max_tokens and is_organization(text) and text.lower() != "the"


def looks_like_domain(token: str) -> bool:
    head, dot, tld = token.rpartition(".")
    return bool(head and dot and 2 <= len(tld) <= 6 and tld.isalpha())
