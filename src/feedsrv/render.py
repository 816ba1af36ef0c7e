"""Feeds as bytes: Atom 1.0 and RSS 2.0 built with feedgen, JSON Feed 1.1 by
:mod:`feedsrv.jsonfeed`, each as a subscription document or an RFC 5005 archive page.

This is the only module that imports feedgen, so its sharp edges are handled here
once: it stamps ``now()`` on feeds and entries, prepends entries, takes the RSS
channel link from the last ``link()`` call and drops ``rel``/``type`` from Atom entry
links. feedgen knows nothing of RFC 5005 either: the archive links and
``fh:archive`` are added to its output with lxml. The output depends on the feed
and the config only, never on the clock, so the same catalog always renders the
same bytes (and the same ETag).
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType

from feedgen.feed import FeedGenerator
from lxml import etree

from . import __version__
from .catalog import Feed, FeedPage
from .config import SiteConfig
from .jsonfeed import render_json
from .model import Entry
from .urls import CATEGORY_SCHEME, FeedExtension, article_path

ATOM_NS = "http://www.w3.org/2005/Atom"
# RFC 5005 §4: the namespace of the fh:archive marker.
HISTORY_NS = "http://purl.org/syndication/history/1.0"
_ATOM_NS = {"atom": ATOM_NS}

# Everything outside the XML 1.0 Char production (C0 controls, lone surrogates,
# U+FFFE/U+FFFF): lxml refuses such text outright, and one stray byte in an article
# must not take a whole feed down.
_NON_XML_CHARS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# feedgen formats RFC 822 dates by switching the process-wide locale to C and back;
# two RSS renders in different threads could interleave and leave a localized day
# name in a feed, or the process in the wrong locale.
_RFC822_LOCALE_LOCK = threading.Lock()

# Re-indents the documents after links are inserted, so they read like feedgen's own.
_PRETTY_PARSER = etree.XMLParser(remove_blank_text=True)


def entry_url(entry: Entry, config: SiteConfig) -> str:
    """Absolute URL of an article's page: the link every feed gives for the entry."""
    return config.url(article_path(entry.slug))


def render_atom(feed: Feed, config: SiteConfig, archive: int | None = None) -> bytes:
    """The feed (or its archive page ``archive``) as an Atom 1.0 document (RFC 4287),
    UTF-8 with an XML declaration."""
    page = feed.page(archive)
    root = etree.fromstring(_generator(page, config, "atom").atom_str(), _PRETTY_PARSER)
    # feedgen 1.0 writes entry links with href only (upstream issue #135); each entry
    # carries exactly one link, its article page.
    for link in root.iterfind("atom:entry/atom:link", _ATOM_NS):
        link.set("rel", "alternate")
        link.set("type", "text/html")
    _add_related(root.iterfind("atom:entry", _ATOM_NS), page, config)
    _add_hub(root, page, config)
    _add_history(root, page, config, "atom")
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)


def render_rss(feed: Feed, config: SiteConfig, archive: int | None = None) -> bytes:
    """The feed (or its archive page ``archive``) as an RSS 2.0 document, UTF-8 with
    an XML declaration; RFC 5005 links are ``atom:link`` elements of the channel."""
    page = feed.page(archive)
    generator = _generator(page, config, "rss")
    with _RFC822_LOCALE_LOCK:
        data = generator.rss_str(pretty=True)
    root = etree.fromstring(data, _PRETTY_PARSER)
    channel = root.find("channel")
    assert channel is not None, "feedgen writes every RSS document with a channel"
    _add_related(channel.iterfind("item"), page, config)
    _add_hub(channel, page, config)
    _add_history(channel, page, config, "rss")
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)


@dataclass(frozen=True, slots=True)
class FeedFormat:
    """One of the formats every feed is served in: its path's extension, the name
    pages show, its media type (for ``type`` attributes) and its renderer."""

    extension: FeedExtension
    label: str
    media_type: str
    render: Callable[[Feed, SiteConfig, int | None], bytes]

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` the format is served with: every feed is UTF-8."""
        return f"{self.media_type}; charset=utf-8"


# In the order pages list them.
FORMATS: Mapping[FeedExtension, FeedFormat] = MappingProxyType({
    feed_format.extension: feed_format for feed_format in (
        FeedFormat("atom", "Atom", "application/atom+xml", render_atom),
        FeedFormat("rss", "RSS", "application/rss+xml", render_rss),
        FeedFormat("json", "JSON Feed", "application/feed+json", render_json),
    )
})


def render_feed(feed: Feed, extension: FeedExtension, config: SiteConfig, archive: int | None = None) -> bytes:
    """The feed in the format named by ``extension`` (a key of :data:`FORMATS`): its
    subscription document, or archive page ``archive`` (1 is the oldest).

    Raises ValueError for any other extension and IndexError for a page the feed
    does not have: callers are expected to check first (and answer 404).
    """
    try:
        feed_format = FORMATS[extension]
    except KeyError:
        raise ValueError(f"unknown feed format {extension!r} (expected one of {', '.join(FORMATS)})") from None
    return feed_format.render(feed, config, archive)


def _related_title(entry: Entry) -> str:
    """How a related article is named: its outlet and its title."""
    title = entry.title or entry.slug
    return f"{entry.outlet}: {title}" if entry.outlet else title


def _add_related(elements: Iterable[etree._Element], page: FeedPage, config: SiteConfig) -> None:
    """Link each entry (Atom) or item (RSS, as ``atom:link``) to the other outlets'
    articles of its story: ``rel="related"`` (RFC 4287 §4.2.7.2), titled with the
    outlet and the headline."""
    related = page.feed.related
    if page.is_archive or not related:
        return
    for element, entry in zip(elements, page.entries, strict=True):
        for other in related.get(entry.slug, ()):
            element.append(etree.Element(f"{{{ATOM_NS}}}link", href=entry_url(other, config), rel="related",
                                         type="text/html", title=xml_safe(_related_title(other))))


def _add_hub(container: etree._Element, page: FeedPage, config: SiteConfig) -> None:
    """Advertise the WebSub hub (WebSub §4) beside the ``self`` link, which names the
    topic, in the feed element (Atom) or the channel (RSS). Archive pages are no
    topics: they get none, nor does a feed the hub does not push (a filtered one)."""
    if page.is_archive or not page.feed.websub_topic:
        return
    self_link = next(link for link in container.iterfind(f"{{{ATOM_NS}}}link") if link.get("rel") == "self")
    self_link.addnext(etree.Element(f"{{{ATOM_NS}}}link", href=config.hub_url, rel="hub"))


def _add_history(container: etree._Element, page: FeedPage, config: SiteConfig,
                 extension: FeedExtension) -> None:
    """Add the RFC 5005 links (and, on an archive page, ``fh:archive``) to the feed
    element (Atom) or the channel (RSS), right after its own links."""
    feed = page.feed
    links: list[tuple[str, str]] = []
    if page.is_archive:
        links.append(("current", feed.path(extension)))
    if page.prev_archive is not None:
        links.append(("prev-archive", feed.archive_path(page.prev_archive, extension)))
    if page.next_archive is not None:
        links.append(("next-archive", feed.archive_path(page.next_archive, extension)))
    own_links = container.findall(f"{{{ATOM_NS}}}link")
    position = container.index(own_links[-1]) + 1
    media_type = FORMATS[extension].media_type
    for offset, (rel, path) in enumerate(links):
        link = etree.Element(f"{{{ATOM_NS}}}link", href=config.url(path), rel=rel, type=media_type)
        container.insert(position + offset, link)
    if page.is_archive:
        container.insert(position + len(links), etree.Element(f"{{{HISTORY_NS}}}archive"))
        # Declare fh on the root element, as feedgen does for its own namespaces.
        etree.cleanup_namespaces(container.getroottree(), top_nsmap={"fh": HISTORY_NS})


def _generator(page: FeedPage, config: SiteConfig, extension: FeedExtension) -> FeedGenerator:
    feed = page.feed
    generator = FeedGenerator()
    # dc:creator credits a name in RSS, whose <author> requires an e-mail address;
    # Atom has author/name for that.
    generator.load_extension("dc", atom=False, rss=True)
    generator.id(config.url(feed.path("atom")))
    title = xml_safe(feed.title)
    generator.title(title)
    # RSS requires a channel description; an empty subtitle would make feedgen raise.
    # Readers take it as HTML, as they do an item's <description>: the plain text is
    # escaped the same way for both, so a name holding "<" shows as written.
    subtitle = xml_safe(feed.subtitle) or title
    generator.subtitle(subtitle if extension == "atom" else html.escape(subtitle, quote=False))
    # The RSS channel <link> is feedgen's last link() call, so self goes first.
    generator.link(href=config.url(page.path(extension)), rel="self", type=FORMATS[extension].media_type)
    generator.link(href=feed.homepage or config.url(feed.landing_path), rel="alternate", type="text/html")
    generator.language(config.language)
    # Both default to now() (updated also sets lastBuildDate); pinning them keeps the
    # bytes stable between builds.
    generator.updated(_utc(page.updated))
    generator.pubDate(_utc(page.updated))
    if extension == "atom":
        generator.generator("feedsrv", version=__version__)
    else:
        generator.generator(f"feedsrv {__version__}")
    for entry in page.entries:
        _add_entry(generator, entry, config, extension)
    return generator


def _add_entry(generator: FeedGenerator, entry: Entry, config: SiteConfig, extension: FeedExtension) -> None:
    # add_entry() prepends by default, which would turn newest-first into oldest-first.
    item = generator.add_entry(order="append")
    url = entry_url(entry, config)
    entry_id = xml_safe(entry.id)
    item.guid(entry_id, permalink=entry_id == url)
    # A title is required in both formats; the slug is better than no entry at all.
    item.title(xml_safe(entry.title) or entry.slug)
    item.link(href=url, rel="alternate", type="text/html")
    item.published(_utc(entry.published))
    item.updated(_utc(entry.updated))

    names = [name for name in map(xml_safe, entry.authors) if name]
    if not names:
        names = [xml_safe(entry.outlet or "") or xml_safe(config.title)]
    item.author([{"name": name} for name in names])
    # One dc:creator with the whole byline: readers show a single creator (feedparser
    # keeps the last), which would hide co-authors.
    item.dc.dc_creator(", ".join(names))

    scheme = config.url(CATEGORY_SCHEME)
    # All in one call: feedgen rebuilds the RSS list of every category on each call.
    categories = []
    for slug in entry.topics:
        topic = config.topics.get(slug)
        categories.append({"term": slug, "label": xml_safe(topic.name) if topic else slug, "scheme": scheme})
    if categories:
        item.category(categories)

    content = xml_safe(entry.content)
    if content:
        # type="html" is escaped as text: feedgen's type="CDATA" would make lxml raise
        # on any "]]>" in an article.
        item.content(content, type="html")
    summary = xml_safe(entry.summary)
    if summary:
        # The summary is plain text; RSS readers take <description> as HTML.
        item.summary(summary if extension == "atom" else html.escape(summary, quote=False))


def _utc(moment: datetime) -> datetime:
    # A zone's offset may have seconds (LMT before ~1900), which neither RFC 3339 nor
    # RFC 822 can write; UTC's cannot.
    return moment.astimezone(UTC)


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids, which lxml would refuse."""
    return _NON_XML_CHARS.sub("", text)
