"""The catalog: every parsed entry, newest first, and the feeds cut from them.

A catalog is immutable once built; a change in the articles builds a new one, so a
request always sees one consistent state.

Each feed keeps its whole history. The subscription document holds the newest
``page_size`` entries; older ones are split into RFC 5005 archive pages counted
from the oldest, so a full page keeps its entries (and its URL) as new articles
arrive, and only the newest page is still filling up.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import operator
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from types import MappingProxyType
from typing import get_args

from .config import SiteConfig, name_slug
from .model import Entry
from .stories import EMPTY as EMPTY_STORIES
from .stories import Stories, Story, group_entries, update_stories
from .urls import (
    ALL,
    STORIES,
    FeedExtension,
    FeedKind,
    archive_path,
    article_path,
    feed_key,
    feed_path,
    landing_path,
    split_feed_key,
)

# The date of an empty feed when the catalog holds nothing at all: fixed, so that an
# empty site still renders the same bytes (and ETag) on every build.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_UPDATED = operator.attrgetter("updated")

# Feed kinds, in the order the index and the subscription list present them.
FEED_KINDS: tuple[FeedKind, ...] = get_args(FeedKind)


@dataclass(frozen=True, slots=True)
class Feed:
    """One feed: the site's entries, or an outlet's, a topic's or an author's.

    ``history`` holds every entry of the feed, newest first; the subscription
    document shows the first ``page_size`` of them and archive pages the rest.
    ``related`` gives, by slug, the other outlets' articles of the same story for the
    entries of the subscription document that have any (archive pages, immutable
    once full, carry none).
    """

    key: str
    kind: FeedKind
    slug: str
    name: str
    title: str
    subtitle: str
    history: tuple[Entry, ...]
    page_size: int
    updated: datetime
    homepage: str | None = None
    related: Mapping[str, tuple[Entry, ...]] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def entries(self) -> tuple[Entry, ...]:
        """The newest entries: what the subscription document carries."""
        return self.history[:self.page_size]

    @property
    def websub_topic(self) -> bool:
        """Whether the subscription document is a WebSub topic, its changes pushed by
        the hub it advertises."""
        return True

    @property
    def landing_path(self) -> str:
        """Site path of the feed's HTML page: ``/topics/syria``; the index for ``all``."""
        return landing_path(self.key)

    @property
    def archive_count(self) -> int:
        """How many archive pages hold the entries older than the subscription document."""
        older = max(len(self.history) - self.page_size, 0)
        return -(-older // self.page_size)

    def path(self, extension: FeedExtension) -> str:
        """Site path of this feed in one format: ``/feeds/topics/syria.atom``."""
        return feed_path(self.key, extension)

    def archive_path(self, number: int, extension: FeedExtension) -> str:
        """Site path of archive page ``number`` (1 is the oldest) in one format."""
        return archive_path(self.key, number, extension)

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

    def path(self, extension: FeedExtension) -> str:
        """Site path of this document in one format."""
        if self.number is None:
            return self.feed.path(extension)
        return self.feed.archive_path(self.number, extension)


@dataclass(frozen=True, slots=True)
class Catalog:
    """Entries newest first, with lookups by slug, the feeds built from them and the
    stories they form (related coverage)."""

    entries: tuple[Entry, ...]
    feeds: Mapping[str, Feed]
    entries_by_slug: MappingProxyType[str, Entry]
    updated: datetime
    stories: Stories
    # True while the stories are left to :func:`complete_stories` (see
    # :func:`build_catalog`): until then they hold only what was added since.
    stories_pending: bool = False

    def feeds_of_kind(self, kind: FeedKind) -> list[Feed]:
        """Feeds of one kind (``all``, ``outlet``, ``topic``, ``author``), in title order."""
        found = [feed for feed in self.feeds.values() if feed.kind == kind]
        return sorted(found, key=lambda feed: (feed.title.casefold(), feed.key))

    def entry_feeds(self, entry: Entry) -> list[Feed]:
        """The feeds an entry appears in: all, its outlet, its topics, its authors."""
        keys = [ALL]
        if entry.outlet_slug:
            keys.append(feed_key("outlet", entry.outlet_slug))
        keys.extend(feed_key("topic", slug) for slug in entry.topics)
        keys.extend(dict.fromkeys(author_key(name) for name in entry.authors))
        return [self.feeds[key] for key in keys if key in self.feeds]


def author_key(name: str) -> str:
    """Feed key of a person's articles: ``authors/jane-doe``.

    A name with no Latin letters or digits (``محمد``) gets a slug derived from its
    digest instead, so every reporter still has a stable URL.
    """
    slug = name_slug(name) or hashlib.sha256(name.casefold().encode("utf-8")).hexdigest()[:12]
    return feed_key("author", slug)


def sort_key(entry: Entry) -> tuple[datetime, datetime, str]:
    """The key entries are ordered by, newest first: publication time, then update
    time, then id, so the order (and so the feed bytes) never depends on the order
    files were read."""
    return (entry.published, entry.updated, entry.id)


def newest_first(entries: Iterable[Entry]) -> list[Entry]:
    """Entries sorted by :func:`sort_key`, newest first."""
    return sorted(entries, key=sort_key, reverse=True)


def build_catalog(entries: Iterable[Entry], config: SiteConfig, *, stories_later_past: int | None = None,
                  remembered: Stories = EMPTY_STORIES) -> Catalog:
    """Sort the entries and cut the feed of everything, one per outlet, per topic and
    per author.

    Configured outlets and topics always have a feed (possibly empty, so a subscriber's
    URL stays valid); outlets met only in the text, and authors, get one while they
    have entries. An entry with several authors is in each author's feed.

    With ``stories_later_past``, more entries than that are not grouped into stories
    here: the catalog has the stories ``remembered`` from an earlier run (see
    :func:`.stories.remembered_stories`), none by default, and they are pending
    until :func:`complete_stories` brings the ones grouped elsewhere, so a server
    can start serving first.
    """
    ordered = tuple(newest_first(entries))
    members: dict[str, list[Entry]] = {key: [] for key in _declared_keys(config)}
    for entry in ordered:
        for key in _member_keys(entry, config):
            members.setdefault(key, []).append(entry)
    updated = max((entry.updated for entry in ordered), default=EPOCH)
    entries_by_slug = {entry.slug: entry for entry in ordered}
    pending = stories_later_past is not None and len(ordered) > stories_later_past
    stories = remembered if pending else group_entries(ordered)
    feeds = {key: _feed(key, tuple(history), config, updated, stories=stories) for key, history in members.items()}
    return _catalog(ordered, feeds, config, updated=updated, entries_by_slug=entries_by_slug,
                    stories=stories, stories_pending=pending)


def update_catalog(catalog: Catalog, removed: Iterable[Entry], added: Iterable[Entry],
                   config: SiteConfig) -> Catalog:
    """The catalog :func:`build_catalog` would build from ``catalog``'s entries less
    ``removed`` and plus ``added``, at the cost of what changed.

    Entries are placed by bisection, the stories updated for what changed, and only
    the feeds that list a removed or an added entry, or an entry whose related
    coverage changed, are cut again; every other feed is the very same object, so
    what was rendered from it stays valid.
    """
    removed, added = list(removed), list(added)
    return _updated(catalog, removed, added, config, update_stories(catalog.stories, removed, added),
                    pending=catalog.stories_pending)


def complete_stories(catalog: Catalog, grouped: Stories, removed: Iterable[Entry], added: Iterable[Entry],
                     config: SiteConfig) -> Catalog:
    """``catalog`` (built with its stories pending) with the stories ``grouped`` from
    an earlier catalog's entries, brought up to date with the entries ``removed``
    and ``added`` since; only the feeds whose entries' related coverage changed are
    cut again. ``catalog`` itself when its stories are not pending."""
    if not catalog.stories_pending:
        return catalog
    return _updated(catalog, [], [], config, update_stories(grouped, removed, added), pending=False)


def _updated(catalog: Catalog, removed: list[Entry], added: list[Entry], config: SiteConfig, stories: Stories,
             *, pending: bool) -> Catalog:
    ordered = _without(catalog.entries, removed)
    for entry in added:
        ordered.insert(_insertion_point(ordered, entry), entry)
    updated = _updated_after(catalog.updated, ordered, removed, added)
    relinked = _relinked(catalog.stories, stories)
    affected = {key for entry in (*removed, *added, *relinked) for key in _member_keys(entry, config)}
    feeds = {key: feed for key, feed in catalog.feeds.items() if key not in (ALL, STORIES)}
    for key, feed in feeds.items():
        # An empty feed is dated as the catalog.
        if not feed.history and updated != catalog.updated:
            feeds[key] = _feed(key, (), config, updated, stories=stories)
    declared = set(_declared_keys(config))
    for key in affected:
        old = catalog.feeds.get(key)
        history = _without(old.history, removed) if old is not None else []
        inserted = [entry for entry in added if key in _member_keys(entry, config)]
        for entry in inserted:
            history.insert(_insertion_point(history, entry), entry)
        if history or key in declared:
            feed_updated = (_updated_after(old.updated, history, removed, inserted)
                            if history and old is not None and old.history else None)
            feeds[key] = _feed(key, tuple(history), config, updated, feed_updated, stories=stories)
        else:
            feeds.pop(key, None)
    entries_by_slug = catalog.entries_by_slug.copy()  # the dict behind the proxy, in one go
    for entry in removed:
        if entries_by_slug.get(entry.slug) is entry:
            del entries_by_slug[entry.slug]
    entries_by_slug.update((entry.slug, entry) for entry in added)
    # No story changed (its members and their entries are the stories' whole
    # content): the feed of stories is the very same, and so is what was rendered
    # of it, unless it is empty and so dated as the catalog.
    kept = catalog.feeds[STORIES]
    unchanged = stories == catalog.stories and (bool(kept.history) or updated == catalog.updated)
    return _catalog(tuple(ordered), feeds, config, updated=updated, entries_by_slug=entries_by_slug, stories=stories,
                    stories_pending=pending, stories_feed=kept if unchanged else None)


def _relinked(old: Stories, new: Stories) -> list[Entry]:
    """The entries of ``new`` whose story is not what it was in ``old``."""
    changed = [slug for slug in old.by_slug.keys() | new.by_slug.keys()
               if old.by_slug.get(slug) != new.by_slug.get(slug)]
    return [new.items[slug].entry for slug in sorted(changed) if slug in new.items]


def story_entry(story: Story, config: SiteConfig) -> Entry:
    """A story as an entry of the stories feed: named by its earliest article, dated
    by its latest, its content every outlet's article linked, its id derived from
    the earliest article's (stable while that article stays in the story)."""
    first, latest = story.first, story.latest
    items = "".join(
        f'<li><a href="{escape(config.url(article_path(entry.slug)))}">{escape(entry.title or entry.slug)}</a>'
        f"{' — ' + escape(entry.outlet) if entry.outlet else ''}</li>"
        for entry in story.entries)
    outlets = len({entry.outlet_slug or entry.slug for entry in story.entries})
    html = f"<p>Reported by {outlets} outlets:</p>\n<ul>{items}</ul>"
    return Entry(id=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'feedsrv:story:' + story.id)}", slug=first.slug,
                 title=first.title, title_derived=first.title_derived, authors=(), author_role=None, outlet=None,
                 outlet_slug=None, dateline=None, published=latest.published, published_from=latest.published_from,
                 updated=max(entry.updated for entry in story.entries), summary=first.summary, body=(),
                 topics=tuple(dict.fromkeys(topic for entry in story.entries for topic in entry.topics)),
                 language=first.language, html=html)


def _updated_after(updated: datetime, entries: list[Entry], removed: list[Entry], added: list[Entry]) -> datetime:
    """The newest update time of ``entries``, which were dated ``updated`` before
    ``removed`` left and ``added`` came: looked up again only when the newest left
    and nothing as new came (an edit keeps or advances its update time)."""
    newest_added = max((entry.updated for entry in added), default=None)
    if newest_added is not None and newest_added >= updated:
        return newest_added
    if any(entry.updated == updated for entry in removed):
        # attrgetter keeps the walk over the whole history in C.
        return max(map(_UPDATED, entries), default=EPOCH)
    return updated if newest_added is None else max(updated, newest_added)


def _declared_keys(config: SiteConfig) -> list[str]:
    # Declared outlets and topics have a feed even while it is empty.
    return [*(feed_key("outlet", slug) for slug in config.outlets),
            *(feed_key("topic", slug) for slug in config.topics)]


def _member_keys(entry: Entry, config: SiteConfig) -> list[str]:
    """Keys of the feeds besides ``all`` that list ``entry``."""
    keys = []
    if entry.outlet_slug:
        keys.append(feed_key("outlet", entry.outlet_slug))
    keys.extend(feed_key("topic", slug) for slug in entry.topics if slug in config.topics)
    # dict.fromkeys: one author named twice (or two spellings of one slug) must not
    # list the entry twice.
    keys.extend(dict.fromkeys(author_key(name) for name in entry.authors))
    return keys


def _catalog(ordered: tuple[Entry, ...], feeds: Mapping[str, Feed], config: SiteConfig, *, updated: datetime,
             entries_by_slug: Mapping[str, Entry], stories: Stories, stories_pending: bool,
             stories_feed: Feed | None = None) -> Catalog:
    """A catalog of ``ordered`` entries and ``feeds`` (besides ``all`` and
    ``stories``, which is cut from ``stories`` unless given), in feed order."""
    everything = Feed(key=ALL, kind="all", slug=ALL, name=config.title, title=config.title,
                      subtitle=config.description, history=ordered, page_size=config.entries_per_feed,
                      updated=updated, related=related_coverage(ordered[:config.entries_per_feed], stories))
    if stories_feed is None:
        story_entries = tuple(newest_first(story_entry(story, config) for story in stories.all()))
        stories_feed = Feed(key=STORIES, kind="stories", slug=STORIES, name="Stories",
                            title=f"Stories — {config.title}",
                            subtitle="Each event several outlets report, with every outlet's article.",
                            history=story_entries, page_size=config.entries_per_feed,
                            updated=max((entry.updated for entry in story_entries), default=updated))
    return Catalog(
        entries=ordered,
        feeds=MappingProxyType({ALL: everything, STORIES: stories_feed,
                                **dict(sorted(feeds.items(), key=_feed_order(config)))}),
        entries_by_slug=MappingProxyType(entries_by_slug),
        updated=updated,
        stories=stories,
        stories_pending=stories_pending,
    )


def related_coverage(entries: Iterable[Entry], stories: Stories) -> Mapping[str, tuple[Entry, ...]]:
    """The related coverage of those of ``entries`` that have any, by slug."""
    return MappingProxyType({entry.slug: related for entry in entries if (related := stories.related(entry))})


def _feed(key: str, history: tuple[Entry, ...], config: SiteConfig, updated: datetime,
          feed_updated: datetime | None = None, *, stories: Stories) -> Feed:
    """The feed ``key`` of ``history``, dated ``feed_updated`` (the newest update
    among its entries, looked up when not given), or as the catalog when empty."""
    kind, slug = split_feed_key(key)
    newest = history[0] if history else None
    homepage = None
    if kind == "outlet":
        declared = config.outlets.get(slug)
        # Outlets met only in the text are named as the newest article spells them.
        name = declared.name if declared else (newest.outlet if newest and newest.outlet else slug)
        subtitle = declared.description if declared and declared.description else f"Articles from {name}."
        homepage = declared.homepage if declared else None
    elif kind == "topic":
        topic = config.topics[slug]
        name, subtitle = topic.name, topic.description or f"Articles about {topic.name}."
    else:
        # The newest article's spelling names the author's feed.
        name = next(author for author in newest.authors if author_key(author) == key) if newest else slug
        subtitle = f"Articles by {name}."
    return Feed(key=key, kind=kind, slug=slug, name=name, title=f"{name} — {config.title}", subtitle=subtitle,
                history=history, page_size=config.entries_per_feed,
                updated=feed_updated or max((entry.updated for entry in history), default=updated),
                homepage=homepage, related=related_coverage(history[:config.entries_per_feed], stories))


def _feed_order(config: SiteConfig) -> Callable[[tuple[str, Feed]], tuple[int | _Newer, ...]]:
    """The order of the feeds after ``all``: declared outlets, then outlets met in the
    text, topics, then authors; those met in the text in the order their newest
    articles come, newest first (for authors sharing it, as it names them)."""
    declared = {key: rank for rank, key in enumerate(_declared_keys(config))}
    kinds = {"outlet": 0, "topic": 1, "author": 2}

    def order(item: tuple[str, Feed]) -> tuple[int | _Newer, ...]:
        key, feed = item
        if key in declared:
            return (kinds[feed.kind], 0, declared[key])
        newest = feed.history[0]
        names = [author_key(name) for name in newest.authors]
        position = names.index(key) if key in names else 0
        return (kinds[feed.kind], 1, _Newer(sort_key(newest)), position)

    return order


@functools.total_ordering
class _Newer:
    """A sort key that orders newer first, for bisecting a newest-first sequence."""

    __slots__ = ("key",)

    def __init__(self, key: tuple[datetime, datetime, str]) -> None:
        self.key = key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Newer) and self.key == other.key

    def __lt__(self, other: _Newer) -> bool:
        return self.key > other.key


def _newer_key(entry: Entry) -> _Newer:
    return _Newer(sort_key(entry))


def _insertion_point(ordered: list[Entry], entry: Entry) -> int:
    return bisect.bisect_left(ordered, _newer_key(entry), key=_newer_key)


def _without(ordered: Iterable[Entry], removed: list[Entry]) -> list[Entry]:
    """``ordered`` (newest first) as a list, without the very objects in ``removed``."""
    remaining = list(ordered)
    for entry in removed:
        # Entries sharing a sort key sit side by side from the bisection point.
        index = _insertion_point(remaining, entry)
        while index < len(remaining) and remaining[index] is not entry:
            index += 1
        if index < len(remaining):
            del remaining[index]
    return remaining
