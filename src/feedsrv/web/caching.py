"""HTTP caching and content-coding rules (RFC 9110 §8.8, §12.5.3, §13; RFC 9111).

Pure functions over header values, so each rule is testable on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from ..representations import CODING_ALIASES, CODINGS, IDENTITY, Coding, parse_http_date

# Preference among codings a client accepts with the same quality: smallest first.
CODING_PREFERENCE: tuple[Coding, ...] = (*CODINGS, IDENTITY)
IMPLICIT_IDENTITY_QUALITY = 0.0001

def accepted_codings(header: str | None) -> dict[str, float]:
    """Quality value per coding named in ``Accept-Encoding`` (``*`` included)."""
    qualities: dict[str, float] = {}
    if header is None:
        return qualities
    for item in header.split(","):
        name, _, params = item.partition(";")
        name = name.strip().lower()
        if not name:
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        qualities[CODING_ALIASES.get(name, name)] = quality
    return qualities


def choose_coding(header: str | None, available: Iterable[str]) -> Coding:
    """The content-coding to send: the best-rated one the client accepts.

    No header means any coding is fine, but we send identity, as RFC 9110 §12.5.3
    recommends for clients that say nothing. Identity is acceptable unless excluded
    with ``q=0`` (directly or through ``*``); when everything is excluded we still send
    identity rather than fail, since a feed is better than a 406.
    """
    if header is None:
        return IDENTITY
    qualities = accepted_codings(header)
    wildcard = qualities.get("*")
    best: Coding = IDENTITY
    best_quality = 0.0
    for coding in CODING_PREFERENCE:
        if coding not in available:
            continue
        quality = qualities.get(coding, wildcard)
        if quality is None:
            # Identity is acceptable unless excluded, but a client that names a coding
            # at any quality would rather have it than uncompressed bytes.
            quality = IMPLICIT_IDENTITY_QUALITY if coding == IDENTITY else 0.0
        if quality > best_quality:
            best, best_quality = coding, quality
    return best


class CodingMemo:
    """:func:`choose_coding`'s answers by ``Accept-Encoding`` value and available
    codings, kept per application: clients send a handful of distinct values, and
    parsing one costs more than the rest of a cached response.

    Bounded: past ``limit`` distinct values (a client sending random ones), it starts
    afresh rather than grow.
    """

    def __init__(self, limit: int = 256) -> None:
        self._limit = limit
        self._chosen: dict[tuple[str | None, tuple[str, ...]], Coding] = {}

    def choose(self, header: str | None, available: Iterable[str]) -> Coding:
        """The coding :func:`choose_coding` picks, parsed once per distinct input."""
        key = (header, tuple(available))
        chosen = self._chosen.get(key)
        if chosen is None:
            if len(self._chosen) >= self._limit:
                self._chosen.clear()
            chosen = self._chosen[key] = choose_coding(header, key[1])
        return chosen


def _opaque_tag(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison of ``etag`` against an ``If-None-Match`` list or ``*``."""
    # A client revalidating sends back the one tag it got: the common case, checked first.
    if if_none_match == etag or if_none_match.strip() == "*":
        return True
    current = _opaque_tag(etag)
    return any(_opaque_tag(candidate) == current for candidate in _split_etags(if_none_match))


def _split_etags(header: str) -> list[str]:
    # Entity tags are quoted and may contain commas, so split on commas outside quotes.
    tags: list[str] = []
    current: list[str] = []
    quoted = False
    for char in header:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            tags.append("".join(current))
            current = []
        else:
            current.append(char)
    tags.append("".join(current))
    return [tag.strip() for tag in tags if tag.strip()]


def is_not_modified(headers: Mapping[str, str], etag: str, last_modified: datetime) -> bool:
    """Whether a GET/HEAD with these request headers gets ``304 Not Modified``.

    ``If-None-Match`` wins: when present, ``If-Modified-Since`` is ignored
    (RFC 9110 §13.1.3), since dates have one-second resolution and ETags do not.
    """
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        return etag_matches(if_none_match, etag)
    if_modified_since = headers.get("If-Modified-Since")
    if if_modified_since is None:
        return False
    since = parse_http_date(if_modified_since)
    if since is None:
        return False
    return last_modified.replace(microsecond=0) <= since
