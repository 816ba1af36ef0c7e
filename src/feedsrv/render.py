"""Feeds as bytes: Atom 1.0 and RSS 2.0, built with feedgen.

This is the only module that imports feedgen, so its sharp edges are handled here
once: it stamps ``now()`` on feeds and entries, prepends entries, takes the RSS
channel link from the last ``link()`` call and drops ``rel``/``type`` from Atom entry
links. The output depends on the feed and the config only, never on the clock, so
the same catalog always renders the same bytes (and the same ETag).
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType

from feedgen.feed import FeedGenerator
from lxml import etree

from . import __version__
from .catalog import Feed
from .config import SiteConfig
from .model import Entry

FORMATS: Mapping[str, str] = MappingProxyType({
    "atom": "application/atom+xml; charset=utf-8",
    "rss": "application/rss+xml; charset=utf-8",
})

_ATOM_NS = {"atom": "http://www.w3.org/2005/Atom"}

# Everything outside the XML 1.0 Char production (C0 controls, lone surrogates,
# U+FFFE/U+FFFF): lxml refuses such text outright, and one stray byte in an article
# must not take a whole feed down.
_NON_XML_CHARS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# feedgen formats RFC 822 dates by switching the process-wide locale to C and back;
# two RSS renders in different threads could interleave and leave a localized day
# name in a feed, or the process in the wrong locale.
_RFC822_LOCALE_LOCK = threading.Lock()


def entry_url(entry: Entry, config: SiteConfig) -> str:
    """Absolute URL of an article's page: the link every feed gives for the entry."""
    return config.url(f"/articles/{entry.slug}")


def render_atom(feed: Feed, config: SiteConfig) -> bytes:
    """The feed as an Atom 1.0 document (RFC 4287), UTF-8 with an XML declaration."""
    root = etree.fromstring(_generator(feed, config, "atom").atom_str())
    # feedgen 1.0 writes entry links with href only (upstream issue #135); each entry
    # carries exactly one link, its article page.
    for link in root.iterfind("atom:entry/atom:link", _ATOM_NS):
        link.set("rel", "alternate")
        link.set("type", "text/html")
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)


def render_rss(feed: Feed, config: SiteConfig) -> bytes:
    """The feed as an RSS 2.0 document, UTF-8 with an XML declaration."""
    generator = _generator(feed, config, "rss")
    with _RFC822_LOCALE_LOCK:
        return generator.rss_str(pretty=True)


_RENDERERS: Mapping[str, Callable[[Feed, SiteConfig], bytes]] = MappingProxyType({
    "atom": render_atom,
    "rss": render_rss,
})


def render_feed(feed: Feed, extension: str, config: SiteConfig) -> bytes:
    """The feed in the format named by ``extension`` (a key of :data:`FORMATS`).

    Raises ValueError for any other extension: callers are expected to check
    ``extension in FORMATS`` first (and answer 404 when it is not).
    """
    try:
        renderer = _RENDERERS[extension]
    except KeyError:
        raise ValueError(f"unknown feed format {extension!r} (expected one of {', '.join(FORMATS)})") from None
    return renderer(feed, config)


def _generator(feed: Feed, config: SiteConfig, extension: str) -> FeedGenerator:
    generator = FeedGenerator()
    # dc:creator credits a name in RSS, whose <author> requires an e-mail address;
    # Atom has author/name for that.
    generator.load_extension("dc", atom=False, rss=True)
    generator.id(config.url(feed.path("atom")))
    title = _clean(feed.title)
    generator.title(title)
    # RSS requires a channel description; an empty subtitle would make feedgen raise.
    generator.subtitle(_clean(feed.subtitle) or title)
    # The RSS channel <link> is feedgen's last link() call, so self goes first.
    generator.link(href=config.url(feed.path(extension)), rel="self", type=_media_type(extension))
    generator.link(href=feed.homepage or config.url("/"), rel="alternate", type="text/html")
    generator.language(config.language)
    # Both default to now() (updated also sets lastBuildDate); pinning them keeps the
    # bytes stable between builds.
    generator.updated(_utc(feed.updated))
    generator.pubDate(_utc(feed.updated))
    if extension == "atom":
        generator.generator("feedsrv", version=__version__)
    else:
        generator.generator(f"feedsrv {__version__}")
    for entry in feed.entries:
        _add_entry(generator, entry, config, extension)
    return generator


def _add_entry(generator: FeedGenerator, entry: Entry, config: SiteConfig, extension: str) -> None:
    # add_entry() prepends by default, which would turn newest-first into oldest-first.
    item = generator.add_entry(order="append")
    url = entry_url(entry, config)
    entry_id = _clean(entry.id)
    item.guid(entry_id, permalink=entry_id == url)
    # A title is required in both formats; the slug is better than no entry at all.
    item.title(_clean(entry.title) or entry.slug)
    item.link(href=url, rel="alternate", type="text/html")
    item.published(_utc(entry.published))
    item.updated(_utc(entry.updated))

    names = [name for name in map(_clean, entry.authors) if name]
    if not names:
        names = [_clean(entry.outlet or "") or _clean(config.title)]
    item.author([{"name": name} for name in names])
    # One dc:creator with the whole byline: readers show a single creator (feedparser
    # keeps the last), which would hide co-authors.
    item.dc.dc_creator(", ".join(names))

    scheme = config.url("/feeds/topics/")
    for slug in entry.topics:
        topic = config.topics.get(slug)
        item.category(term=slug, label=_clean(topic.name) if topic else slug, scheme=scheme)

    content = _clean(entry.content)
    if content:
        # type="html" is escaped as text: feedgen's type="CDATA" would make lxml raise
        # on any "]]>" in an article.
        item.content(content, type="html")
    summary = _clean(entry.summary)
    if summary:
        # The summary is plain text; RSS readers take <description> as HTML.
        item.summary(summary if extension == "atom" else html.escape(summary, quote=False))


def _media_type(extension: str) -> str:
    return FORMATS[extension].partition(";")[0]


def _utc(moment: datetime) -> datetime:
    # A zone's offset may have seconds (LMT before ~1900), which neither RFC 3339 nor
    # RFC 822 can write; UTC's cannot.
    return moment.astimezone(UTC)


def _clean(text: str) -> str:
    return _NON_XML_CHARS.sub("", text)
