"""The subscription list: every feed as an OPML 2.0 document (http://opml.org/spec2.opml),
which feed readers import to subscribe to all of them at once.

Each feed is listed once, as RSS: the format every reader imports. Outlines are
grouped as the index groups them (everything, outlets, topics, authors).
"""

from __future__ import annotations

from datetime import UTC
from email.utils import format_datetime

from lxml import etree

from .catalog import FEED_KINDS, Catalog
from .config import SiteConfig
from .render import xml_safe
from .urls import FeedExtension

MEDIA_TYPE = "text/x-opml; charset=utf-8"
SUBSCRIPTION_FORMAT: FeedExtension = "rss"

GROUP_NAMES = {"all": "All articles", "stories": "Stories", "outlet": "Outlets", "topic": "Topics",
               "author": "Authors"}


def render_opml(catalog: Catalog, config: SiteConfig) -> bytes:
    """Every feed of ``catalog`` as OPML 2.0, UTF-8 with an XML declaration.

    ``dateCreated`` is the newest entry's update (not the build time), so the same
    articles always give the same bytes.
    """
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = xml_safe(f"{config.title}: feeds")
    etree.SubElement(head, "dateCreated").text = format_datetime(catalog.updated.astimezone(UTC))
    etree.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = etree.SubElement(root, "body")
    for kind in FEED_KINDS:
        feeds = catalog.feeds_of_kind(kind)
        if not feeds:
            continue
        group = etree.SubElement(body, "outline", text=GROUP_NAMES[kind], title=GROUP_NAMES[kind])
        for feed in feeds:
            title = xml_safe(feed.title)
            etree.SubElement(
                group, "outline", type="rss", text=title, title=title,
                xmlUrl=config.url(feed.path(SUBSCRIPTION_FORMAT)), htmlUrl=config.url(feed.landing_path),
                description=xml_safe(feed.subtitle), language=config.language,
            )
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)
