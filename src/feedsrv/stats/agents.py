"""Subscriber counts that aggregators report in their User-Agent.

A feed reader running in the cloud fetches a feed once for all its users and says
how many they are, in the form Google Reader's fetcher made common::

    Feedfetcher-Google; (+http://www.google.com/feedfetcher.html; 16 subscribers; feed-id=1231)
    Feedly/1.0 (+http://www.feedly.com/fetcher.html; 123 subscribers; like FeedFetcher-Google)
    NewsBlur Feed Fetcher - 12 subscribers - https://www.newsblur.com/site/1234/name (Mozilla/5.0 …)
    Feedbin feed-id:1373711 - 56 subscribers

The general forms are read, not one string per service: a count (``N subscribers``,
``N subscriber``, ``N readers``, ``subscribers: N``), an optional feed id
(``feed-id=X``, ``feed-id:X``, ``feedID: X``, ``/site/1234/``), and the service's name
from the User-Agent itself, so a service nobody listed is counted too. Pure: text
in, a report out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "123 subscribers", "1 subscriber", "7 readers", "15 subscriber(s)", "1,000
# subscribers"; and the reversed "subscribers: 3" or "Subscriber Count: 3".
_COUNT = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3}){1,2}|\d{1,9})\s+(?:subscribers?|readers?)(?:\(s\))?\b"
                    r"|\bsubscribers?(?: count)?\s*[:=]\s*(\d{1,9})\b", re.IGNORECASE)
# "feed-id=X", "feed-id:X", "feedID: X", "feed_id=X"; NewsBlur names its feed in a path.
_FEED_ID = re.compile(r"\bfeed[-_ ]?id\s*[:=]\s*([\w.-]{1,64})|/site/(\d{1,20})(?:/|\b)", re.IGNORECASE)
# A product token: "Feedly/1.0", "BazQux/2.4"; its name is the part before "/".
_PRODUCT = re.compile(r"([A-Za-z][\w.+-]*)/[\w.]+")
# The first word of a User-Agent that is no product token: "NewsBlur Feed Fetcher",
# "theoldreader.com (+http…)", "Feedfetcher-Google;".
_WORD = re.compile(r"[A-Za-z][\w.+-]*")
# What a browser-like User-Agent opens its parentheses with, before the product
# that matters: "Mozilla/5.0 (compatible; Inoreader/1.0; …)".
_NOT_A_SERVICE = frozenset({"mozilla", "compatible", "applewebkit", "khtml", "gecko", "chrome", "safari",
                            "version", "like", "windows", "macintosh", "x11", "linux"})
# Top-level labels dropped from a service named by its host: "theoldreader.com".
_HOST = re.compile(r"(?:www\.)?([A-Za-z][\w-]*)\.(?:com|net|org|io|app|co|fr|de|uk|info)\b", re.IGNORECASE)
# Longest aggregator name and feed id kept: the User-Agent is the client's to write.
MAX_NAME_LENGTH = 40


@dataclass(frozen=True, slots=True)
class AggregatorReport:
    """What one request of an aggregator says: its name, its subscribers to the
    feed, and the id it keeps the feed under ("" when it names none)."""

    aggregator: str
    subscribers: int
    feed_id: str


def parse_user_agent(user_agent: str) -> AggregatorReport | None:
    """The subscriber count ``user_agent`` reports, None when it reports none (an
    ordinary browser or feed reader, a crawler, a script)."""
    counted = _COUNT.search(user_agent)
    if counted is None:
        return None
    name = _service_name(user_agent)
    if not name:
        return None
    found = _FEED_ID.search(user_agent)
    feed_id = "" if found is None else (found[1] or found[2])
    subscribers = int((counted[1] or counted[2]).replace(",", ""))
    return AggregatorReport(name, subscribers, feed_id[:MAX_NAME_LENGTH])


def _service_name(user_agent: str) -> str:
    """The service's name: its leading product token, the first product inside a
    browser-like string's comment, else the first word, a host name shortened to
    its label."""
    text = user_agent.strip()
    first = _PRODUCT.match(text)
    if first is not None and first[1].lower() not in _NOT_A_SERVICE:
        return _shorten(first[1])
    if first is not None:
        for product in _PRODUCT.finditer(text, first.end()):
            if product[1].lower() not in _NOT_A_SERVICE:
                return _shorten(product[1])
        return ""
    word = _WORD.match(text)
    return "" if word is None else _shorten(word[0])


def _shorten(name: str) -> str:
    host = _HOST.fullmatch(name)
    return (host[1] if host is not None else name.rstrip(".;,-"))[:MAX_NAME_LENGTH]
