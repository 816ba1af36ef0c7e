"""Names of people and of organizations: whether words read as a person's name
(``Jane A. Doe``, ``Bashar al-Assad``) or a publication's (``Example Courier``), and
the lines that are only people's names.

The byline readers (:mod:`._bylines`) and the other recognizers build on these. They
know general conventions only, never the names of particular sites or people (given
names and surnames come from :mod:`._names`). Patterns are anchored and use no nested
quantifiers, so each runs in linear time.
"""

from __future__ import annotations

import re

from ._names import is_given_name, is_surname

# Words naming a newsroom job; a line made of them (plus an outlet and a region) is a
# desk line, and a name followed by them is a byline.
ROLE_WORDS = frozenset({
    "reporter", "reporters", "correspondent", "correspondents", "editor", "editors", "writer",
    "writers", "desk", "columnist", "columnists", "contributor", "contributors", "journalist",
    "journalists", "producer", "producers", "photographer", "photographers", "analyst", "blogger",
    "critic", "bureau", "staff", "intern", "stringer", "anchor", "host",
    "founder", "co-founder", "presenter",
})
ROLE_MODIFIERS = frozenset({
    "senior", "chief", "associate", "assistant", "deputy", "managing", "contributing", "executive",
    "special", "foreign", "political", "investigative", "national", "international", "regional",
    "local", "news", "guest", "freelance", "lead", "general", "science", "business", "sports",
    "health", "legal", "digital", "data", "editorial", "opinion", "features", "culture",
    "technology", "tech", "economics", "economy", "diplomatic", "defense", "defence", "security",
    "world", "metro", "city", "entertainment", "weather", "climate", "environment", "arts",
    "content", "audience", "social", "community", "video", "audio", "engagement",
})
# Words in organization names that are never part of a person's name.
ORGANIZATION_WORDS = frozenset({
    "press", "news", "media", "times", "post", "daily", "network", "agency", "radio", "television",
    "tv", "magazine", "journal", "herald", "tribune", "gazette", "channel", "online", "wire",
    "service", "services", "group", "watch", "archive", "international", "association", "institute",
    "university", "council", "ministry", "department", "office", "committee", "foundation",
    "today", "digital", "weekly", "monthly", "review", "chronicle", "telegraph", "guardian", "mirror",
    "express", "observer", "courier", "examiner", "inquirer", "dispatch", "bulletin", "sentinel",
})
# Newspaper sections, as in a desk's signature ("Example Sport"): no part of a name.
SECTION_WORDS = frozenset({
    "sport", "sports", "business", "politics", "opinion", "lifestyle", "entertainment", "travel", "science",
    "technology", "tech", "culture", "arts", "weather", "finance", "money", "markets", "world", "health",
})
# The words of photo credits ("Image Copyright @janedoe", "Jane Doe | Example Images").
CREDIT_WORDS = frozenset({
    "image", "images", "photo", "photos", "picture", "pictures", "copyright", "credit", "credits", "courtesy",
    "caption",
})
NOT_IN_NAMES = frozenset({
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "by", "the", *SECTION_WORDS,
    *CREDIT_WORDS,
    # what a page prints after the byline ("By Jane Doe Last updated …", "Jane Doe
    # Sponsored", "By Jane Doe Leave a comment") and title case gives a capital
    "updated", "published", "posted", "sponsored", "leave", "for", "last",
    # page headings in title case ("Recent Posts", "Most Popular")
    "recent", "posts", "popular", "latest", "trending", "related", "featured",
})
# Capitals running into lower case, as in brand names ("FOXBusiness"), not in names.
_CAPITALS_INTO_LOWER = re.compile(r"[A-Z]{2}[a-z]")
_INITIALS = re.compile(r"^(?:[A-Z]\.){1,3}$")
_SIGNED_NAME_WORDS = 3
_MIN_NAME_LENGTH = 3
# "Jane DOE" sets a surname in capitals; "Jane Doe CEO" adds a title's acronym.
_MAX_ACRONYM_LENGTH = 3
_NAME_PARTICLES = frozenset({
    "al", "el", "bin", "ibn", "da", "de", "del", "della", "der", "den", "di", "dos", "du", "la", "le",
    "van", "von", "y", "ter", "ten", "abu",
})
# Words no outlet's name opens with: page labels and a person's title.
_NOT_ORGANIZATION_OPENERS = frozenset({
    "posted", "published", "updated", "filed", "tags", "tagged", "photo", "photos", "image", "video",
    "mr", "mrs", "ms", "dr", "prof", "sir", "dame", "rev",
    "comments", "comment", "share", "tweet", "print", "email", "reply", "leave", "read", "more",
})
_ORGANIZATION_CONNECTORS = frozenset({"of", "for", "the", "and", "&", "de", "on", "in", "al"})
MAX_NAME_TOKENS = 5
MAX_LABEL_LENGTH = 100  # bylines, desk lines, credits: short lines
MAX_ORGANIZATION_TOKENS = 8
# "By Example News with agencies": the newsroom and the wires it drew on.
WITH_AGENCIES = re.compile(r"\s(?:with|and|&) (?:(?i:agencies|agency reports|wires|wire services|wire reports)"
                           r"|AP|AAP|AFP|Reuters|PA)$")
NAME_LIST_SPLIT = re.compile(r"\s*,\s*(?:and\s+)?|\s+(?:and|&)\s+", re.IGNORECASE)
# A reporter's handles and addresses after the name, maybe glued to it: "Jane Doe
# @janedoe", "Jane Doe jdoe@example.com", "Jane Doejdoe@example.com@JaneDoeNews".
_CONTACT_TAIL = re.compile(r"(?:\s?@\w{1,30}|\s?[\w.+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,4})+$")
# Where a reporter filed from, after the name: "Jane Doe in London".
_IN_PLACE = re.compile(r"\s+in\s+[A-Z][\w.'’-]{0,30}(?:,?\s[A-Z][\w.'’-]{0,30}){0,2}$")


def words_of(text: str) -> list[str]:
    """Lower-case words with surrounding punctuation removed."""
    return [word.strip(".,;:!?()[]\"'“”‘’").lower() for word in text.split()]


def person_name(text: str) -> str | None:
    """``text`` if it reads as a person's name (two to five capitalized words)."""
    text = text.strip(" .,;:")
    tokens = text.split()
    # A particle is part of a surname ("Bashar al-Assad", "Bill de Blasio") unless
    # it opens the name with a capital: "Al Root", "Abu Bakr".
    named = [token for position, token in enumerate(tokens)
             if token.lower() not in _NAME_PARTICLES or (position == 0 and token[0].isupper())]
    if not 2 <= len(named) <= MAX_NAME_TOKENS or len(tokens) > MAX_NAME_TOKENS + 2:
        return None
    for token in named:
        word = token.lower().strip(".")
        if word in NOT_IN_NAMES or word in ROLE_WORDS or word in ORGANIZATION_WORDS or not is_name_token(token):
            return None
    # "RENÉE DUPONT" may be shouted, but "CNN Business" mixes an acronym with a word;
    # a surname may be in capitals after a given name, and "Jane J.M. Doe" has initials.
    words = [token for token in named if len(token.rstrip(".")) > 1 and not _INITIALS.match(token)]
    if any(token.isupper() for token in words) and not all(token.isupper() for token in words) \
            and not (words[-1].isupper() and len(words[-1]) > _MAX_ACRONYM_LENGTH
                     and not any(token.isupper() for token in words[:-1]) and is_given_name(words[0])):
        return None
    return text


def is_name_token(token: str) -> bool:
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
    if not 1 <= len(tokens) <= MAX_ORGANIZATION_TOKENS or len(text) > 80:
        return False
    if not (tokens[0][0].isupper() or tokens[0][0].isdigit()):
        return False
    # "13", "Tags: Politics", "Posted", "Dr": a counter, a label or a title.
    if sum(char.isalpha() for char in text) < 2 or ": " in text or text.endswith(":") \
            or tokens[0].lower().strip(".") in _NOT_ORGANIZATION_OPENERS:
        return False
    return all(token[0].isupper() or token[0].isdigit() or token.lower() in _ORGANIZATION_CONNECTORS
               for token in tokens)


def name_before_contact(text: str) -> str | None:
    """The person a line names before their handles or addresses: ``Jane Doe
    @janedoe``, ``Jane Doe jdoe@example.com``; where the page glued the address to
    the name (``Jane Doejane@example.com``), the surname ends where the address
    starts with the given name or its initial."""
    if "@" not in text or len(text) > MAX_LABEL_LENGTH:
        return None
    tail = _CONTACT_TAIL.search(text)
    if not tail or tail.start() < _MIN_NAME_LENGTH:
        return None
    head = text[:tail.start()].strip(" ,;:|-–—")
    name = person_name(head)
    local = text[tail.start():].split("@", 1)[0].strip()
    if name or not head or not local[:1].isupper():
        return name
    given = head.split()[0].casefold()
    for cut in range(2, len(local)):
        surname, address = local[:cut], local[cut:].casefold()
        if surname[0].isupper() and address.startswith((given, given[:1] + surname.casefold())):
            return person_name(f"{head} {surname}")
    return None


def read_bare_names(paragraph: str) -> tuple[str, ...]:
    """The people a line names and nothing else: ``Debbie White``, ``Jane Doe and John
    Roe``, ``Jane Doe in London``, ``Jane Doe and AP`` (and the wires); empty when it
    is anything more."""
    if len(paragraph) > MAX_LABEL_LENGTH:
        return ()
    paragraph = WITH_AGENCIES.sub("", paragraph)
    chunks = [chunk for chunk in NAME_LIST_SPLIT.split(_IN_PLACE.sub("", paragraph)) if chunk]
    # "Jane Doe, Melbourne Cricket Ground": where she filed from, after a comma, in
    # more words than a name without a surname holds.
    place = paragraph.rpartition(",")[2].strip()
    if len(chunks) > 1 and chunks[-1] == place and len(place.split()) > 2 and not is_surname(place.split()[-1]):
        chunks.pop()
    names = tuple(name for name in map(person_name, chunks) if name)
    return names if chunks and len(names) == len(chunks) else ()


def names_people(paragraph: str) -> bool:
    """Whether ``paragraph`` is only people's names, each opening with a given name
    (``Jessica Rudder``, ``Jane Doe and John Roe``): a byline without "By" even
    where no date line follows it."""
    names = read_bare_names(paragraph)
    return bool(names) and all(_opens_with_given_name(name) for name in names)


def signs_names(paragraph: str) -> bool:
    """Whether ``paragraph`` is only people's names, each opening with a given name
    or made of a word and a surname with given names or initials between them
    (``Neetzan Zimmerman``, ``Jane A. Doe and John Roe``): "Trump Defeats Clinton"
    ends in a surname but no given name stands in its middle."""
    names = read_bare_names(paragraph)
    return bool(names) and all(_opens_with_given_name(name) or _ends_with_surname(name) for name in names)


def _ends_with_surname(name: str) -> bool:
    words = name.split()
    return 2 <= len(words) <= _SIGNED_NAME_WORDS and is_surname(words[-1]) and all(
        is_given_name(word) or _INITIALS.match(word) for word in words[1:-1])


def _opens_with_given_name(name: str) -> bool:
    first = name.split(None, 1)[0]
    return is_given_name(first) and person_name(name) is not None
