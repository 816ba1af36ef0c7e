"""The catalog: every parsed entry, newest first, and the feeds cut from them.

A catalog is immutable once built; a change in the articles builds a new one, so a
request always sees one consistent state.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType

from .config import SiteConfig
from .model import Entry

# The date of an empty feed when the catalog holds nothing at all: fixed, so that an
# empty site still renders the same bytes (and ETag) on every build.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed: the newest entries of the site, of an outlet or of a topic."""

    key: str
    kind: str
    slug: str
    title: str
    subtitle: str
    entries: tuple[Entry, ...]
    updated: datetime
    homepage: str | None = None

    def path(self, extension: str) -> str:
        """Site path of this feed in one format: ``/feeds/topics/syria.atom``."""
        return f"/feeds/{self.key}.{extension}"


@dataclass(frozen=True, slots=True)
class Catalog:
    """Entries newest first, with lookups by slug and the feeds built from them."""

    entries: tuple[Entry, ...]
    feeds: Mapping[str, Feed]
    entries_by_slug: Mapping[str, Entry]
    updated: datetime
    fingerprint: str

    def feeds_of_kind(self, kind: str) -> list[Feed]:
        """Feeds of one kind (``all``, ``outlet``, ``topic``), in title order."""
        found = [feed for feed in self.feeds.values() if feed.kind == kind]
        return sorted(found, key=lambda feed: feed.title.casefold())


def newest_first(entries: Iterable[Entry]) -> list[Entry]:
    """Entries sorted by publication time, newest first; ties broken by id so the
    order (and so the feed bytes) never depends on the order files were read."""
    return sorted(entries, key=lambda entry: (entry.published, entry.updated, entry.id), reverse=True)


def build_catalog(entries: Iterable[Entry], config: SiteConfig) -> Catalog:
    """Sort the entries and cut the feed of everything, one per outlet and one per topic.

    Configured outlets and topics always have a feed (possibly empty, so a subscriber's
    URL stays valid); outlets met only in the text get one while they have entries.
    """
    ordered = tuple(newest_first(entries))
    limit = config.entries_per_feed
    updated = max((entry.updated for entry in ordered), default=EPOCH)

    def feed_updated(members: tuple[Entry, ...]) -> datetime:
        return max((entry.updated for entry in members), default=updated)

    feeds: dict[str, Feed] = {}
    feeds["all"] = Feed(
        key="all", kind="all", slug="all", title=config.title, subtitle=config.description,
        entries=ordered[:limit], updated=updated,
    )

    outlet_names = {slug: outlet.name for slug, outlet in config.outlets.items()}
    for entry in ordered:
        if entry.outlet_slug and entry.outlet_slug not in outlet_names:
            outlet_names[entry.outlet_slug] = entry.outlet or entry.outlet_slug
    for slug, name in outlet_names.items():
        members = tuple(entry for entry in ordered if entry.outlet_slug == slug)
        declared = config.outlets.get(slug)
        feeds[f"outlets/{slug}"] = Feed(
            key=f"outlets/{slug}", kind="outlet", slug=slug, title=f"{name} — {config.title}",
            subtitle=(declared.description if declared and declared.description
                      else f"Articles from {name}."),
            entries=members[:limit], updated=feed_updated(members),
            homepage=declared.homepage if declared else None,
        )

    for slug, topic in config.topics.items():
        members = tuple(entry for entry in ordered if slug in entry.topics)
        feeds[f"topics/{slug}"] = Feed(
            key=f"topics/{slug}", kind="topic", slug=slug, title=f"{topic.name} — {config.title}",
            subtitle=topic.description or f"Articles about {topic.name}.",
            entries=members[:limit], updated=feed_updated(members),
        )

    return Catalog(
        entries=ordered,
        feeds=MappingProxyType(feeds),
        entries_by_slug=MappingProxyType({entry.slug: entry for entry in ordered}),
        updated=updated,
        fingerprint=_fingerprint(ordered),
    )


def _fingerprint(entries: tuple[Entry, ...]) -> str:
    digest = hashlib.sha256()
    for entry in entries:
        digest.update(repr(entry).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()

