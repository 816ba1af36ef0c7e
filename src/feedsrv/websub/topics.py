"""Topics: what a subscriber can subscribe to.

A topic is the absolute URL of a feed's subscription document in one format, the
``rel="self"`` URL the feed advertises (``http://…/feeds/topics/syria.atom``). Archive
pages are not topics: a full one never changes, and the open one is reached through
the subscription document.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from typing import Protocol

from ..render import FORMATS
from ..representations import Resource
from ..site import Site

# RFC 3986 §2.3; WebSub §5.1.1: hubs decode these when escaped in a topic URL.
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")


class ExtraTopics(Protocol):
    """Topics besides the feeds' subscription documents, which the Site does not
    list: the search feeds, one for every query (issue 15). Each is rendered from
    the Site served at the time of asking."""

    def is_topic(self, url: str) -> bool:
        """Whether ``url`` is one of these topics."""

    def topic_resource(self, url: str) -> Resource | None:
        """The document of the topic ``url``; None when it cannot be had."""

    def topic_etags(self, urls: Iterable[str]) -> dict[str, str]:
        """The strong ETag of each topic among ``urls``."""


def topic_paths(site: Site) -> dict[str, str]:
    """Every topic of ``site`` (an absolute URL) with its path on the site."""
    config = site.config
    return {config.url(path): path
            for feed in site.catalog.feeds.values()
            for path in (feed.path(extension) for extension in FORMATS)}


def topic_etags(site: Site) -> dict[str, str]:
    """Every topic of ``site`` with the strong ETag of its uncompressed bytes: a topic
    changed when its tag did. Subscription documents are rendered when the site is
    built, so this renders nothing."""
    etags = {}
    for topic, path in topic_paths(site).items():
        resource = site.resource(path)
        if resource is not None:
            etags[topic] = resource.identity.etag
    return etags


def normalize_topic(url: str) -> str:
    """``url`` with percent-escapes of unreserved characters decoded (``%7E`` → ``~``)
    and the others upper-cased, so equal URLs compare equal."""
    def decode(match: re.Match[str]) -> str:
        character = chr(int(match[1], 16))
        return character if character in _UNRESERVED else match[0].upper()
    return _ESCAPE.sub(decode, url)
