"""The catalog: every parsed entry, newest first, and the feeds cut from them.

A catalog is immutable once built; a change in the articles builds a new one, so a
request always sees one consistent state.

Each feed keeps its whole history. The subscription document holds the newest
``page_size`` entries; older ones are split into RFC 5005 archive pages counted
from the oldest, so a full page keeps its entries (and its URL) as new articles
arrive, and only the newest page is still filling up.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType

from .config import SiteConfig, slugify
from .model import Entry

# The date of an empty feed when the catalog holds nothing at all: fixed, so that an
# empty site still renders the same bytes (and ETag) on every build.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Feed kinds, in the order the index and the subscription list present them.
FEED_KINDS = ("all", "outlet", "topic", "author")


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed: the site's entries, or an outlet's, a topic's or an author's.

    ``history`` holds every entry of the feed, newest first; the subscription
    document shows the first ``page_size`` of them and archive pages the rest.
    """

    key: str
    kind: str
    slug: str
    name: str
    title: str
    subtitle: str
    history: tuple[Entry, ...]
    page_size: int
    updated: datetime
    homepage: str | None = None

    @property
    def entries(self) -> tuple[Entry, ...]:
        """The newest entries: what the subscription document carries."""
        return self.history[:self.page_size]

    @property
    def landing_path(self) -> str:
        """Site path of the feed's HTML page: ``/topics/syria``; the index for ``all``."""
        return "/" if self.kind == "all" else f"/{self.key}"

    @property
    def archive_count(self) -> int:
        """How many archive pages hold the entries older than the subscription document."""
        older = max(len(self.history) - self.page_size, 0)
        return -(-older // self.page_size)

    def path(self, extension: str) -> str:
        """Site path of this feed in one format: ``/feeds/topics/syria.atom``."""
        return f"/feeds/{self.key}.{extension}"

    def archive_path(self, number: int, extension: str) -> str:
        """Site path of archive page ``number`` (1 is the oldest) in one format."""
        return f"/feeds/{self.key}/archive/{number}.{extension}"

    def page(self, number: int | None = None) -> FeedPage:
        """The subscription document (``None``) or archive page ``number``.

        Raises IndexError for a page number outside ``1..archive_count``.
        """
        if number is None:
            return FeedPage(feed=self, number=None, entries=self.entries, updated=self.updated, complete=False)
        if not 1 <= number <= self.archive_count:
            raise IndexError(f"{self.key} has archive pages 1 to {self.archive_count}, not {number}")
        # Counted from the oldest entry, page k holds entries (k-1)·N … k·N-1, so a
        # full page never changes when newer entries push older ones out of the
        # subscription document; only the newest page may be partial.
        stop = len(self.history) - (number - 1) * self.page_size
        start = max(self.page_size, stop - self.page_size)
        entries = self.history[start:stop]
        return FeedPage(feed=self, number=number, entries=entries,
                        updated=max(entry.updated for entry in entries),
                        complete=len(entries) == self.page_size)


@dataclass(frozen=True, slots=True)
class FeedPage:
    """One document of a feed: the subscription document (``number`` is None) or an
    archive page, with the RFC 5005 links between them.

    ``updated`` is the newest update among the page's entries (the feed's for the
    subscription document); ``complete`` tells a full archive page, whose entries
    never change.
    """

    feed: Feed
    number: int | None
    entries: tuple[Entry, ...]
    updated: datetime
    complete: bool

    @property
    def is_archive(self) -> bool:
        return self.number is not None

    @property
    def prev_archive(self) -> int | None:
        """The next-older archive page, if there is one."""
        if self.number is None:
            return self.feed.archive_count or None
        return self.number - 1 or None

    @property
    def next_archive(self) -> int | None:
        """The next-newer archive page; None for the newest one and for the subscription
        document, whose newer neighbour is the subscription document itself."""
        if self.number is None or self.number == self.feed.archive_count:
            return None
        return self.number + 1

    def path(self, extension: str) -> str:
        """Site path of this document in one format."""
        if self.number is None:
            return self.feed.path(extension)
        return self.feed.archive_path(self.number, extension)


@dataclass(frozen=True, slots=True)
class Catalog:
    """Entries newest first, with lookups by slug and the feeds built from them."""

    entries: tuple[Entry, ...]
    feeds: Mapping[str, Feed]
    entries_by_slug: Mapping[str, Entry]
    updated: datetime
    fingerprint: str

    def feeds_of_kind(self, kind: str) -> list[Feed]:
        """Feeds of one kind (``all``, ``outlet``, ``topic``, ``author``), in title order."""
        found = [feed for feed in self.feeds.values() if feed.kind == kind]
        return sorted(found, key=lambda feed: (feed.title.casefold(), feed.key))

    def entry_feeds(self, entry: Entry) -> list[Feed]:
        """The feeds an entry appears in: all, its outlet, its topics, its authors."""
        keys = ["all"]
        if entry.outlet_slug:
            keys.append(f"outlets/{entry.outlet_slug}")
        keys.extend(f"topics/{slug}" for slug in entry.topics)
        keys.extend(dict.fromkeys(author_key(name) for name in entry.authors))
        return [self.feeds[key] for key in keys if key in self.feeds]


def entry_path(entry: Entry) -> str:
    """Site path of an article's page: ``/articles/<slug>``."""
    return f"/articles/{entry.slug}"


def author_key(name: str) -> str:
    """Feed key of a person's articles: ``authors/jane-doe``.

    A name with no Latin letters or digits (``محمد``) gets a slug derived from its
    digest instead, so every reporter still has a stable URL.
    """
    slug = slugify(name) or hashlib.sha256(name.casefold().encode("utf-8")).hexdigest()[:12]
    return f"authors/{slug}"


def newest_first(entries: Iterable[Entry]) -> list[Entry]:
    """Entries sorted by publication time, newest first; ties broken by id so the
    order (and so the feed bytes) never depends on the order files were read."""
    return sorted(entries, key=lambda entry: (entry.published, entry.updated, entry.id), reverse=True)


def build_catalog(entries: Iterable[Entry], config: SiteConfig) -> Catalog:
    """Sort the entries and cut the feed of everything, one per outlet, per topic and
    per author.

    Configured outlets and topics always have a feed (possibly empty, so a subscriber's
    URL stays valid); outlets met only in the text, and authors, get one while they
    have entries. An entry with several authors is in each author's feed.
    """
    ordered = tuple(newest_first(entries))
    updated = max((entry.updated for entry in ordered), default=EPOCH)

    outlet_names = {slug: outlet.name for slug, outlet in config.outlets.items()}
    author_names: dict[str, str] = {}
    members: dict[str, list[Entry]] = {}
    for entry in ordered:
        keys = []
        if entry.outlet_slug:
            outlet_names.setdefault(entry.outlet_slug, entry.outlet or entry.outlet_slug)
            keys.append(f"outlets/{entry.outlet_slug}")
        keys.extend(f"topics/{slug}" for slug in entry.topics if slug in config.topics)
        for name in entry.authors:
            # The newest article's spelling names the feed.
            author_names.setdefault(author_key(name), name)
        # dict.fromkeys: one author named twice (or two spellings of one slug) must
        # not list the entry twice.
        keys.extend(dict.fromkeys(author_key(name) for name in entry.authors))
        for key in keys:
            members.setdefault(key, []).append(entry)

    def make(key: str, kind: str, slug: str, name: str, title: str, subtitle: str,
             homepage: str | None = None) -> Feed:
        history = tuple(members.get(key, ()))
        return Feed(
            key=key, kind=kind, slug=slug, name=name, title=title, subtitle=subtitle,
            history=history, page_size=config.entries_per_feed,
            updated=max((entry.updated for entry in history), default=updated), homepage=homepage,
        )

    feeds = {"all": Feed(key="all", kind="all", slug="all", name=config.title, title=config.title,
                         subtitle=config.description, history=ordered,
                         page_size=config.entries_per_feed, updated=updated)}
    for slug, name in outlet_names.items():
        declared = config.outlets.get(slug)
        feeds[f"outlets/{slug}"] = make(
            f"outlets/{slug}", "outlet", slug, name, f"{name} — {config.title}",
            declared.description if declared and declared.description else f"Articles from {name}.",
            homepage=declared.homepage if declared else None,
        )
    for slug, topic in config.topics.items():
        feeds[f"topics/{slug}"] = make(
            f"topics/{slug}", "topic", slug, topic.name, f"{topic.name} — {config.title}",
            topic.description or f"Articles about {topic.name}.",
        )
    for key, name in author_names.items():
        feeds[key] = make(key, "author", key.removeprefix("authors/"), name,
                          f"{name} — {config.title}", f"Articles by {name}.")

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
