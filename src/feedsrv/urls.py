"""Every path the site serves, built and parsed here and nowhere else.

A feed is named by its *key*: ``all``, or its kind's section and its slug
(``outlets/harbor-gazette``, ``topics/syria``, ``authors/jane-doe``). The key is
also where the feed's paths come from: its documents live under ``/feeds/<key>``
(``/feeds/topics/syria.atom``, ``/feeds/topics/syria/archive/3.json``) and its
landing page at ``/<key>`` (the index for ``all``). An article lives at
``/articles/<slug>``. The file names a saved feed gets and the files
``feedsrv build`` writes are derived from the same paths, so a route changes in
one place.

A leaf module: it knows paths, and the extensions of the feed formats in them,
not feeds, renderers or configs.
"""

from __future__ import annotations

import re
from collections.abc import Container, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal, TypeGuard, get_args

INDEX = "/"
OPML = "/feeds.opml"
HEALTH = "/healthz"
# Where the built-in WebSub hub takes subscription requests.
HUB = "/websub"
API_ARTICLES = "/api/articles"
API_STATS = "/api/stats"
# The subscriber statistics as a page for a browser (issue 14).
STATS_PAGE = "/stats"
# The search page; its feeds are /feeds/search.{atom,rss,json} (issue 15).
SEARCH = "/search"

# The key of the feed of everything.
ALL = "all"
# The key of the feed of stories: one entry per event that several outlets report.
STORIES = "stories"

_FEEDS = "/feeds/"
_ARTICLES = "articles"
# The extensions of a feed's documents, one per format (render.FORMATS gives each
# its media type and renderer), in the order pages list them.
FeedExtension = Literal["atom", "rss", "json"]
FEED_EXTENSIONS: tuple[FeedExtension, ...] = get_args(FeedExtension)
# The kinds of feed, in the order the index and the subscription list present them.
FeedKind = Literal["all", "stories", "outlet", "topic", "author"]
# A feed kind's section is its plural: the first part of its key and of its
# landing page's path.
_SECTIONS: Mapping[FeedKind, str] = {"outlet": "outlets", "topic": "topics", "author": "authors"}
_KINDS: Mapping[str, FeedKind] = {section: kind for kind, section in _SECTIONS.items()}

# The scheme of topic categories in the feeds: the directory of the topics' feeds.
CATEGORY_SCHEME = f"{_FEEDS}{_SECTIONS['topic']}/"

# <key>/archive/<n>; numbers are canonical (no leading zero), so each page has
# exactly one URL.
_ARCHIVE = re.compile(r"(?P<key>.+)/archive/(?P<number>[1-9][0-9]*)")

# The aiohttp routes of everything a Site serves; the Site decides what exists.
SITE_ROUTES = (INDEX, OPML, _FEEDS + "{name:.+}", f"/{_ARTICLES}/{{slug}}",
               *(f"/{section}/{{slug}}" for section in _SECTIONS.values()))
API_ARTICLE_ROUTE = API_ARTICLES + "/{slug}"


@dataclass(frozen=True, slots=True)
class FeedAddress:
    """What a feed document's path names: the feed's key, the format's extension,
    and the archive page (None for the subscription document)."""

    key: str
    extension: FeedExtension
    archive: int | None = None


def feed_key(kind: FeedKind, slug: str) -> str:
    """The key of the feed of ``kind`` (``outlet``, ``topic``, ``author``) and ``slug``:
    ``topics/syria``."""
    return f"{_SECTIONS[kind]}/{slug}"


def split_feed_key(key: str) -> tuple[FeedKind, str]:
    """The kind and slug of a feed key: ``("topic", "syria")``, ``("all", "all")``.

    Raises KeyError for a key of no known kind."""
    if key == ALL:
        return "all", ALL
    if key == STORIES:
        return "stories", STORIES
    section, _, slug = key.partition("/")
    return _KINDS[section], slug


def feed_path(key: str, extension: FeedExtension) -> str:
    """The subscription document of a feed in one format: ``/feeds/topics/syria.atom``."""
    return f"{_FEEDS}{key}.{extension}"


def archive_path(key: str, number: int, extension: FeedExtension) -> str:
    """Archive page ``number`` (1 is the oldest) of a feed in one format."""
    return f"{_FEEDS}{key}/archive/{number}.{extension}"


def landing_path(key: str) -> str:
    """A feed's HTML page: ``/topics/syria``; the index for the feed of everything
    and for the feed of stories, which the index lists."""
    return INDEX if key in (ALL, STORIES) else f"/{key}"


def article_path(slug: str) -> str:
    """An article's page: ``/articles/<slug>``."""
    return f"/{_ARTICLES}/{slug}"


def api_article_path(slug: str) -> str:
    """The publishing API's address of the article ``slug``."""
    return f"{API_ARTICLES}/{slug}"


def is_feed_extension(text: str) -> TypeGuard[FeedExtension]:
    """Whether ``text`` is the extension of one of the feed formats."""
    return text in FEED_EXTENSIONS


def is_feed_document(path: str) -> bool:
    """Whether ``path`` is under the feeds' directory: a served path there is a
    feed document (a subscription document or an archive page, in any format)."""
    return path.startswith(_FEEDS)


def parse_feed_path(path: str) -> FeedAddress | None:
    """The feed document ``path`` names, None when it names none (an extension of
    no feed format included).

    The key is not checked against the feeds: that is the caller's part."""
    if not path.startswith(_FEEDS):
        return None
    name, dot, extension = path.removeprefix(_FEEDS).rpartition(".")
    if not dot or not is_feed_extension(extension):
        return None
    archive = _ARCHIVE.fullmatch(name)
    if archive is None:
        return FeedAddress(key=name, extension=extension)
    return FeedAddress(key=archive["key"], extension=extension, archive=int(archive["number"]))


def parse_article_path(path: str) -> str | None:
    """The slug of the article page at ``path``, None when it is no article's."""
    section, _, slug = path[1:].partition("/")
    return slug if section == _ARTICLES else None


def parse_landing_path(path: str) -> str | None:
    """The key of the feed whose landing page is ``path`` (the index excepted), None
    when it is none."""
    section, _, _ = path[1:].partition("/")
    return path[1:] if section in _KINDS else None


def article_key(slug: str) -> str:
    """What :func:`path_key` gives for the page of the article ``slug``."""
    return article_path(slug)[1:]


def parse_article_key(key: str) -> str | None:
    """The slug of the article an :func:`article_key` names, None for a feed's key."""
    return parse_article_path(f"/{key}")


def path_key(path: str, extensions: Container[str]) -> str | None:
    """What ``path`` belongs to: a feed's key for any of its documents in one of
    ``extensions`` and for its landing page, ``articles/<slug>`` (:func:`article_key`)
    for an article's page; None for a feed path in another format."""
    if path.startswith(_FEEDS):
        address = parse_feed_path(path)
        return address.key if address is not None and address.extension in extensions else None
    return path[1:]


def download_name(path: str) -> str:
    """The file name a saved feed gets: the path under ``/feeds/`` with ``/`` as ``-``
    (``topics-syria.rss``, ``all-archive-3.atom``, ``feeds.opml``)."""
    return path.removeprefix(_FEEDS).lstrip("/").replace("/", "-")


def export_path(path: str) -> PurePosixPath:
    """The file, relative to the export root, that holds the resource at ``path``:
    a page becomes ``index.html`` in a directory of its path, so it resolves on
    ordinary static hosts."""
    relative = PurePosixPath(path.lstrip("/"))
    if path == INDEX or not relative.suffix:
        return relative / "index.html"
    return relative
