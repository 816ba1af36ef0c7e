"""Representations: what the site answers for one path, as bytes and headers.

A :class:`Resource` holds a document's bytes in every content-coding worth sending
(:data:`CODINGS`), each a :class:`Variant` with its own strong ETag and the response
headers of a ``200`` and of a ``304``, computed once so a request only copies them.
HTTP dates are written and read here too.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from types import MappingProxyType
from typing import Literal

import brotli
from multidict import CIMultiDict, CIMultiDictProxy

from .config import SiteConfig
from .pages import STYLESHEET
from .urls import download_name

HTML_TYPE = "text/html; charset=utf-8"
# A page needs its own inline stylesheet and nothing else: no script, image or frame,
# and forms sent to this site only (the filtered-feed form), so markup that slipped
# into an article stays inert; and no other site may frame a page, nor learn from a
# link which page it was followed from.
_STYLE_DIGEST = base64.b64encode(hashlib.sha256(STYLESHEET.encode("utf-8")).digest()).decode("ascii")
PAGE_HEADERS = MappingProxyType({
    "Content-Security-Policy": f"default-src 'none'; style-src 'sha256-{_STYLE_DIGEST}'; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
})

# The content-codings a representation is sent in: "identity" is the bytes as they are.
Coding = Literal["identity", "gzip", "br"]
# The codings a representation is compressed in, in order of preference when a
# client accepts several equally; "identity" comes last.
CODINGS: tuple[Coding, ...] = ("br", "gzip")
IDENTITY: Literal["identity"] = "identity"
# Other names clients send for a coding.
CODING_ALIASES: Mapping[str, Coding] = MappingProxyType({"x-gzip": "gzip"})

# Brotli's top quality (11) took nearly all of a build's time; quality 5 is far
# faster for output a little larger, still smaller than gzip -9
# (docs/benchmarks.md, "Figures quoted from code comments").
BROTLI_QUALITY = 5

# A full archive page never changes (RFC 5005 §4), so caches may keep it for a year
# without asking again (RFC 8246).
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True, slots=True)
class Variant:
    """One encoding of a representation, with its own strong ETag (RFC 9110 §8.8.3:
    a different content-coding is a different representation), and the response
    headers of a 200 and of a 304 for it, built once so a request only copies them."""

    coding: Coding
    body: bytes
    etag: str
    headers: Mapping[str, str]
    not_modified_headers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Resource:
    """Everything needed to answer a GET for one path, headers included, so a request
    only copies values computed once."""

    path: str
    media_type: str
    last_modified: datetime
    variants: Mapping[Coding, Variant]
    cache_control: str
    disposition: str | None = None
    cross_origin: bool = False
    # The Link header: a feed's WebSub hub and topic URL (WebSub §4).
    links: str | None = None

    @property
    def identity(self) -> Variant:
        return self.variants[IDENTITY]

    def __reduce__(self) -> tuple[Callable[..., Resource], tuple[object, ...]]:
        # Headers are mapping proxies, which do not pickle: a Resource rendered by
        # another process travels as its bodies and is wrapped again here.
        compressed = {coding: variant.body for coding, variant in self.variants.items() if coding != IDENTITY}
        return _rebuild_resource, (self.path, self.media_type, self.identity.body, self.last_modified,
                                   self.cache_control, self.disposition, self.cross_origin, self.links, compressed)


def _rebuild_resource(path: str, media_type: str, body: bytes, last_modified: datetime, cache_control: str,
                      disposition: str | None, cross_origin: bool, links: str | None,
                      compressed: Mapping[Coding, bytes]) -> Resource:
    return make_resource(path, media_type, body, last_modified, cache_control=cache_control,
                         disposition=disposition, cross_origin=cross_origin, links=links, compressed=compressed)


def http_date(moment: datetime) -> str:
    """An IMF-fixdate (``Sun, 06 Nov 1994 08:49:37 GMT``)."""
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


# HTTP dates (RFC 9110 §5.6.7), names matched without regard to case.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH = f"(?P<month>{'|'.join(_MONTHS)})"
_TIME = r"(?P<hour>\d\d):(?P<minute>\d\d):(?P<second>\d\d)"
_IMF_FIXDATE = re.compile(rf"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (?P<day>\d\d) {_MONTH} (?P<year>\d{{4}}) {_TIME} GMT",
                          re.IGNORECASE | re.ASCII)
_RFC850_DATE = re.compile(rf"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (?P<day>\d\d)-{_MONTH}-(?P<year>\d\d) "
                          rf"{_TIME} GMT", re.IGNORECASE | re.ASCII)
_ASCTIME = re.compile(rf"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) {_MONTH} (?P<day>[ \d]\d) {_TIME} (?P<year>\d{{4}})",
                      re.IGNORECASE | re.ASCII)


def parse_http_date(value: str) -> datetime | None:
    """The instant an HTTP date names, or None when it is not a valid date.

    The three formats of RFC 9110 §5.6.7 are read: the IMF-fixdate every sender uses
    (``Sun, 06 Nov 1994 08:49:37 GMT``) and the obsolete RFC 850 and asctime forms.
    Anything else is no date, a year outside 1 to 9999 included, so the condition
    it was in is ignored (RFC 9110 §13.1.3) rather than misread.
    """
    text = value.strip()
    match = _IMF_FIXDATE.fullmatch(text) or _ASCTIME.fullmatch(text)
    if match is not None:
        year = int(match["year"])
    else:
        match = _RFC850_DATE.fullmatch(text)
        if match is None:
            return None
        # A two-digit year more than 50 years ahead is the last such year past.
        this_year = datetime.now(UTC).year
        year = this_year // 100 * 100 + int(match["year"])
        if year > this_year + 50:
            year -= 100
    try:
        return datetime(year, _MONTHS.index(match["month"].title()) + 1, int(match["day"]), int(match["hour"]),
                        int(match["minute"]), int(match["second"]), tzinfo=UTC)
    except ValueError:
        return None


def make_resource(path: str, media_type: str, body: bytes, last_modified: datetime, *,
                  cache_control: str, disposition: str | None = None, cross_origin: bool = False,
                  links: str | None = None, compressed: Mapping[Coding, bytes] | None = None) -> Resource:
    """Wrap ``body`` with its compressed variants, their ETags and response headers.

    ``compressed`` holds the variants when they were made already (by another
    process); the codings left out of it are those that do not make ``body`` smaller.
    The ETag is a digest of the uncompressed bytes (plus the coding), so it is the
    same on every restart and on every instance serving the same articles, whatever
    the compressor's version.
    """
    digest = hashlib.sha256(body).hexdigest()[:32]
    if compressed is None:
        # mtime=0 keeps the gzip header free of the build time, so the bytes are stable.
        smaller: dict[Coding, bytes] = {"gzip": gzip.compress(body, compresslevel=9, mtime=0),
                   "br": brotli.compress(body, quality=BROTLI_QUALITY)}
        compressed = {coding: smaller[coding] for coding in CODINGS if len(smaller[coding]) < len(body)}
    bodies: dict[Coding, bytes] = {IDENTITY: body, **compressed}
    # The headers a 304 carries too (RFC 9110 §15.4.5), then those of a 200 alone.
    shared = {"Last-Modified": http_date(last_modified), "Cache-Control": cache_control,
              "X-Content-Type-Options": "nosniff"}
    if len(bodies) > 1:
        shared["Vary"] = "Accept-Encoding"
    if cross_origin:
        # Browser-based feed readers fetch feeds (and subscription lists) cross-origin.
        shared["Access-Control-Allow-Origin"] = "*"
    full = {"Content-Type": media_type, **(PAGE_HEADERS if media_type == HTML_TYPE else {})}
    if disposition:
        full["Content-Disposition"] = disposition
    if links:
        full["Link"] = links
    variants = {}
    for coding, encoded in bodies.items():
        etag = f'"{digest}"' if coding == IDENTITY else f'"{digest}-{coding}"'
        not_modified = {"ETag": etag, **shared}
        encoding = {} if coding == IDENTITY else {"Content-Encoding": coding}
        variants[coding] = Variant(coding, encoded, etag, headers=_header_map({**not_modified, **full, **encoding}),
                                   not_modified_headers=_header_map(not_modified))
    return Resource(path=path, media_type=media_type, last_modified=last_modified,
                    variants=MappingProxyType(variants), cache_control=cache_control,
                    disposition=disposition, cross_origin=cross_origin, links=links)


def _header_map(headers: Mapping[str, str]) -> Mapping[str, str]:
    # Header names are case-insensitive, and aiohttp copies a multidict into each
    # response faster than a plain mapping (docs/benchmarks.md, "Where the time goes").
    return CIMultiDictProxy(CIMultiDict(headers))


def hub_links(config: SiteConfig, path: str) -> str:
    """The ``Link`` header of the feed at ``path``: its WebSub hub and itself, the
    topic to subscribe to (WebSub §4)."""
    return f'<{config.hub_url}>; rel="hub", <{config.url(path)}>; rel="self"'


def inline_disposition(path: str) -> str:
    """The ``Content-Disposition`` of a document at ``path`` shown in the browser,
    named as it is saved (:func:`~feedsrv.urls.download_name`)."""
    # Names are made of slugs, digits, '-' and '.': nothing to quote or escape.
    return f'inline; filename="{download_name(path)}"'
