"""Feeds as JSON Feed 1.1 documents (https://jsonfeed.org/version/1.1).

Plain ``json``, no feedgen. Keys are written in the order the specification lists
them and dates in UTC, so the same feed always gives the same bytes (and ETag).

JSON Feed has no archive relations; its ``next_url`` ("the next n items") walks the
same chain as RFC 5005's ``prev-archive``: subscription document → newest archive
page → … → oldest page, which has none. ``feed_url`` is the subscription document on
every page: the specification makes it the feed's identity, and a reader that
subscribes from an archive page should get the live feed.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from .catalog import Feed, author_key
from .config import SiteConfig
from .model import Entry
from .urls import INDEX, article_path, landing_path

VERSION = "https://jsonfeed.org/version/1.1"
# The extension object of an item: its related coverage (README, "Related coverage").
EXTENSION = "_feedsrv"

# UTF-8 cannot encode a lone surrogate; one in an article must not take the feed down.
_LONE_SURROGATES = re.compile("[\ud800-\udfff]")


def render_json(feed: Feed, config: SiteConfig, archive: int | None = None) -> bytes:
    """The subscription document of ``feed`` (or its archive page ``archive``) as
    JSON Feed 1.1, UTF-8, compact, ending with a newline."""
    page = feed.page(archive)
    document: dict[str, Any] = {
        "version": VERSION,
        "title": _clean(feed.title),
        "home_page_url": feed.homepage or config.url(feed.landing_path),
        "feed_url": config.url(feed.path("json")),
        "description": _clean(feed.subtitle),
    }
    if page.prev_archive is not None:
        document["next_url"] = config.url(feed.archive_path(page.prev_archive, "json"))
    document["authors"] = [_feed_author(feed, config)]
    document["language"] = config.language
    if not page.is_archive and feed.websub_topic:
        # WebSub: where to subscribe for pushed updates (an archive page is no topic).
        document["hubs"] = [{"type": "WebSub", "url": config.hub_url}]
    related = {} if page.is_archive else feed.related
    document["items"] = [_item(entry, config, related.get(entry.slug, ())) for entry in page.entries]
    # Compact: with an indent, json runs its pure-Python encoder, which took a
    # good share of the rendering at start-up (docs/benchmarks.md, "Start-up").
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


def _feed_author(feed: Feed, config: SiteConfig) -> dict[str, str]:
    # Who the feed is by: the reporter, the outlet, or the site for the others.
    if feed.kind in ("author", "outlet"):
        return {"name": _clean(feed.name), "url": feed.homepage or config.url(feed.landing_path)}
    return {"name": _clean(config.title), "url": config.url(INDEX)}


def _item(entry: Entry, config: SiteConfig, related: tuple[Entry, ...]) -> dict[str, Any]:
    url = config.url(article_path(entry.slug))
    item: dict[str, Any] = {"id": _clean(entry.id), "url": url, "title": _clean(entry.title) or entry.slug}
    content = _clean(entry.content)
    if content:
        item["content_html"] = content
    else:
        # One of content_html and content_text is required: an article with no body
        # still has a summary, or at least a title, to show.
        item["content_text"] = _clean(entry.summary or entry.title) or entry.slug
    if entry.summary:
        item["summary"] = _clean(entry.summary)
    item["date_published"] = _rfc3339(entry.published)
    item["date_modified"] = _rfc3339(entry.updated)
    if entry.authors:
        # Each reporter links to their page, which carries their feed.
        item["authors"] = [{"name": _clean(name), "url": config.url(landing_path(author_key(name)))}
                           for name in entry.authors]
    else:
        # Same fallback as Atom and RSS, so every format credits the same byline.
        item["authors"] = [{"name": _clean(entry.outlet or config.title)}]
    if entry.topics:
        item["tags"] = [_clean(config.topics[slug].name) if slug in config.topics else slug
                        for slug in entry.topics]
    if related:
        # JSON Feed 1.1 lets a publisher add keys that start with an underscore; a
        # reader that does not know them ignores them.
        item[EXTENSION] = {"related": [_related(other, config) for other in related]}
    return item


def _related(entry: Entry, config: SiteConfig) -> dict[str, str]:
    related = {"url": config.url(article_path(entry.slug)), "title": _clean(entry.title) or entry.slug}
    if entry.outlet:
        related["outlet"] = _clean(entry.outlet)
    return related


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _clean(text: str) -> str:
    return _LONE_SURROGATES.sub("", text)
