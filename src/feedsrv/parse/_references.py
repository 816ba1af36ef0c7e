"""Recognizers for the sources an article cites: the heading over them (``For more
information, please see``, ``Sources:``), each cited source (``Outlet–Title— 21
October 2015``, a bare URL) and the attribution under an embedded social post.

Each function looks at one normalized paragraph and knows general conventions only.
Patterns are anchored and use no nested quantifiers, so each runs in linear time.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ..model import Reference
from ._dates import DateContext, find_dates, strip_dates
from ._furniture import is_furniture
from ._people import MAX_ORGANIZATION_TOKENS

_REFERENCE_HEADER = re.compile(
    r"^(?:for (?:more|further) (?:information|info|reading|details),?\s{0,3}(?:please )?(?:see|visit|read|consult)?"
    r"|sources?|references?|further reading|citations?|works cited|bibliography)\s{0,3}[:.]?$",
    re.IGNORECASE,
)
# The attribution under an embedded social post: "— Jane Doe (@janedoe) November 18, 2019".
_POST_ATTRIBUTION = re.compile(
    r"^(?:—|–|--?)\s?(?P<author>[^()]{1,80}?)\s?\((?P<handle>@\w{1,30})\)\s?(?P<rest>.{6,60})$")


def is_reference_header(paragraph: str) -> bool:
    """A heading introducing the cited sources: ``For more information, please see``, ``Sources:``."""
    return len(paragraph) <= 60 and bool(_REFERENCE_HEADER.match(paragraph))


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
