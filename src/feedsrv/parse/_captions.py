"""Recognizers for photo captions and credits: ``(Photo courtesy of Reuters)``,
``Image caption …``, ``Credit: EPA``, ``Kevin Mazur/WireImage``, and the words that
mark a caption.

Each function looks at one normalized paragraph and knows general English newsroom
conventions only, never the names of particular sites. Patterns are anchored and use
no nested quantifiers, so each runs in linear time.
"""

from __future__ import annotations

import re

from ._bylines import ends_without_sentence
from ._people import MAX_LABEL_LENGTH, person_name

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
