"""The published site: every URL's representation, rendered and compressed once.

The documents every visitor and feed reader fetches (the index, the subscription
list and each feed's subscription document in every format) are rendered when the
site is built. The rest (article pages, landing pages, archive pages) grows with
the history, so each is rendered on its first request and kept: start-up cost
depends on the number of feeds, not on the number of articles. The HTTP server and
the static export both serve from the same :class:`Site`, so they carry the very
same bytes and ETags.

When the articles change, a new Site is built from the old one: only changed files
are parsed again, and representations whose inputs are unchanged are carried over
rather than rendered again, so a reload costs what changed, not what exists. The
paths of feeds and articles that existed before and no longer do are remembered as
*gone*, so the server can answer ``410 Gone`` rather than ``404``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from .catalog import FEED_KINDS, Catalog, Feed, build_catalog, complete_stories, update_catalog
from .config import SiteConfig
from .filters import FeedFilter, filtered_feed
from .model import Entry
from .opml import MEDIA_TYPE as OPML_TYPE
from .opml import render_opml
from .pages import render_article_page, render_feed_page, render_index_page
from .pools import chunks, forking_is_safe, map_shared, process_count
from .render import FORMATS, render_feed
from .representations import HTML_TYPE, IMMUTABLE, Resource, hub_links, inline_disposition, make_resource
from .sources import LoadResult, collector_paused, load_articles
from .stories import EMPTY as EMPTY_STORIES
from .stories import Stories
from .storyhints import read_hints
from .urls import (
    INDEX,
    OPML,
    FeedExtension,
    article_key,
    article_path,
    parse_article_key,
    parse_article_path,
    parse_feed_path,
    parse_landing_path,
    path_key,
)

# Below this many documents per process, a rendering process costs more than it saves.
_MIN_RENDERS_PER_PROCESS = 40


@dataclass(frozen=True, slots=True)
class Site:
    """A config, the catalog built from the articles, and every URL's representation,
    each rendered once: on first use, or at build for the documents in
    :meth:`eager_paths`.

    Safe to share between threads: lookups read a dict, and a representation rendered
    twice by a race is the same bytes, of which the first stored is kept.
    """

    config: SiteConfig
    catalog: Catalog
    loaded: LoadResult
    # Keys (feed keys, ``articles/<slug>``) of what earlier Sites of this process
    # served and this one does not.
    gone: frozenset[str] = frozenset()
    # Not init fields: a Site made with dataclasses.replace() gets an empty memo rather
    # than representations rendered from another catalog or config.
    _rendered: dict[str, Resource] = field(default_factory=dict, init=False, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)
    # Filtered feeds by canonical path, least recently used first: one Site is one
    # catalog state, so a reload starts them afresh.
    _filtered: OrderedDict[str, Resource] = field(default_factory=OrderedDict, init=False, repr=False,
                                                  compare=False)

    def resource(self, path: str) -> Resource | None:
        """The representation at ``path``, rendered on first use; None if there is none."""
        found = self._rendered.get(path)
        if found is not None:
            return found
        render = self._renderer(path)
        if render is None:
            return None
        resource = render()
        with self._lock:
            return self._rendered.setdefault(path, resource)

    def filtered_resource(self, path: str, feed_filter: FeedFilter) -> Resource | None:
        """The feed document at ``path`` (a subscription document) through
        ``feed_filter``, its path the canonical one; None when ``path`` names no
        feed's subscription document.

        Rendered on first use and kept, up to ``site.filtered_feed_cache`` of them.
        """
        address = parse_feed_path(path)
        feed = self.catalog.feeds.get(address.key) if address is not None and address.archive is None else None
        if address is None or feed is None:
            return None
        canonical = f"{path}?{feed_filter.canonical_query}"
        with self._lock:
            found = self._filtered.get(canonical)
            if found is not None:
                self._filtered.move_to_end(canonical)
                return found
        filtered = filtered_feed(feed, feed_filter, self.catalog)
        resource = make_resource(canonical, FORMATS[address.extension].content_type,
                                 render_feed(filtered, address.extension, self.config), filtered.updated,
                                 cache_control=self._max_age, disposition=inline_disposition(path), cross_origin=True)
        limit = self.config.filtered_feed_cache
        if limit == 0:
            return resource
        with self._lock:
            found = self._filtered.setdefault(canonical, resource)
            if len(self._filtered) > limit:
                self._filtered.popitem(last=False)
            return found

    def is_rendered(self, path: str) -> bool:
        """Whether ``path`` was rendered already: :meth:`resource` answers it from memory."""
        return path in self._rendered

    def is_filtered_rendered(self, path: str, feed_filter: FeedFilter) -> bool:
        """Whether :meth:`filtered_resource` answers ``path`` through ``feed_filter``
        from memory."""
        return f"{path}?{feed_filter.canonical_query}" in self._filtered

    def rendered_paths(self) -> frozenset[str]:
        """Paths rendered so far."""
        with self._lock:
            return frozenset(self._rendered)

    def is_gone(self, path: str) -> bool:
        """Whether ``path`` belongs to a feed (any format, archive page or landing page)
        or an article that an earlier Site served and this one does not."""
        return bool(self.gone) and path_key(path, FORMATS) in self.gone

    def eager_paths(self) -> Iterator[str]:
        """Paths rendered at build: the index, the subscription list and every feed's
        subscription document in every format."""
        yield INDEX
        yield OPML
        for feed in self.catalog.feeds.values():
            for extension in FORMATS:
                yield feed.path(extension)

    def render_eager(self) -> None:
        """Render what :meth:`eager_paths` names and is not rendered yet.

        Many documents, in a process that may fork (:mod:`feedsrv.pools`), are
        rendered by one process per core (``site.build_processes``): at start-up,
        rendering the subscription documents of a large site takes seconds.
        """
        missing = [path for path in self.eager_paths() if path not in self._rendered]
        processes = process_count(self.config, len(missing), per_process=_MIN_RENDERS_PER_PROCESS)
        if processes > 1 and forking_is_safe():
            # Forked workers share this Site's memory: only paths and bytes travel.
            parts = chunks(missing, -(-len(missing) // (processes * 4)))
            for resources in map_shared(_render_paths, self, parts, processes):
                with self._lock:
                    for resource in resources:
                        self._rendered.setdefault(resource.path, resource)
        for path in missing:
            self.resource(path)

    def paths(self) -> Iterator[str]:
        """Every path the site serves (what ``feedsrv build`` writes), in a stable order."""
        yield from self.eager_paths()
        for kind in FEED_KINDS:
            for feed in self.catalog.feeds_of_kind(kind):
                if feed.landing_path != INDEX:
                    yield feed.landing_path
                for number in range(1, feed.archive_count + 1):
                    for extension in FORMATS:
                        yield feed.archive_path(number, extension)
        for entry in self.catalog.entries:
            yield article_path(entry.slug)

    def _renderer(self, path: str) -> Callable[[], Resource] | None:
        # Dictionary lookups only: an unknown path costs no rendering and no scan.
        catalog, config = self.catalog, self.config
        if path == INDEX:
            return lambda: self._page(path, render_index_page(catalog, config), catalog.updated)
        if path == OPML:
            return lambda: make_resource(path, OPML_TYPE, render_opml(catalog, config), catalog.updated,
                                         cache_control=self._max_age, disposition=inline_disposition(path),
                                         cross_origin=True)
        address = parse_feed_path(path)
        if address is not None:
            return self._feed_renderer(path, address.key, address.extension, address.archive)
        slug = parse_article_path(path)
        if slug is not None:
            entry = catalog.entries_by_slug.get(slug)
            if entry is None:
                return None
            return lambda: self._page(path, render_article_page(entry, catalog, config), entry.updated)
        key = parse_landing_path(path)
        feed = catalog.feeds.get(key) if key is not None else None
        if feed is None:
            return None
        return lambda: self._page(path, render_feed_page(feed, catalog, config), feed.updated)

    def _feed_renderer(self, path: str, key: str, extension: FeedExtension,
                       number: int | None) -> Callable[[], Resource] | None:
        feed = self.catalog.feeds.get(key)
        if feed is None or (number is not None and number > feed.archive_count):
            return None
        return lambda: self._feed_document(path, feed, extension, number)

    def _feed_document(self, path: str, feed: Feed, extension: FeedExtension, number: int | None) -> Resource:
        page = feed.page(number)
        # A subscription document is a WebSub topic; an archive page is not.
        links = None if page.is_archive else hub_links(self.config, path)
        return make_resource(path, FORMATS[extension].content_type, render_feed(feed, extension, self.config, number),
                             page.updated, cache_control=IMMUTABLE if page.complete else self._max_age,
                             disposition=inline_disposition(path), cross_origin=True, links=links)

    def _page(self, path: str, body: bytes, last_modified: datetime) -> Resource:
        return make_resource(path, HTML_TYPE, body, last_modified, cache_control=self._max_age)

    @property
    def _max_age(self) -> str:
        return f"public, max-age={self.config.cache_max_age}"


def _render_paths(site: Site, paths: Sequence[str]) -> list[Resource]:
    return [resource for path in paths if (resource := site.resource(path)) is not None]


def build_site(config: SiteConfig, *, previous: Site | None = None, stories_later_past: int | None = None) -> Site:
    """Load the articles, build the catalog and render the documents every client
    fetches; the rest is rendered on first request.

    With ``previous`` (a Site of the same articles directory), only changed files are
    parsed, representations whose inputs did not change are reused, and what
    ``previous`` served but the new Site does not is marked gone. Without it, more
    articles than ``stories_later_past`` (when given) are left ungrouped, for
    :func:`with_stories` to bring their stories (see :func:`.catalog.build_catalog`).
    """
    with collector_paused():
        return _assemble(config, load_articles(config, previous.loaded if previous is not None else None),
                         previous, stories_later_past=stories_later_past)


def refresh_site(previous: Site, *, changed: Iterable[str] | None = None, render: bool = True) -> Site:
    """The Site for the articles as they are now: ``previous`` itself when no file was
    added, changed or removed, else a Site built from it (see :func:`build_site`).

    With ``changed`` (paths that file-system events named), only those files are
    looked at; without it, the whole directory is scanned.

    With ``render`` false, the eager documents that changed are left to be rendered
    on first use or by :meth:`Site.render_eager`, so the new Site can be served at
    once: most of a reload's cost at a large history is rendering the feeds of
    everything, of the article's outlet, topics and authors again.
    """
    with collector_paused():
        loaded = load_articles(previous.config, previous.loaded, changed=changed)
        if loaded is previous.loaded:
            return previous
        return _assemble(previous.config, loaded, previous, render=render)


def assemble_site(config: SiteConfig, loaded: LoadResult, *, previous: Site | None = None,
                  deleted: Iterable[str] = (), render: bool = True, stories_later_past: int | None = None) -> Site:
    """The Site of articles loaded from elsewhere than the articles directory (the
    database): as :func:`refresh_site` builds it from ``previous``, or anew without
    it (with ``stories_later_past`` as :func:`build_site` takes it); ``previous``
    itself when ``loaded`` is its load. The articles of the ``deleted`` slugs that
    it does not serve are gone (``410 Gone``), as are those ``previous`` served and
    it does not."""
    if previous is not None and loaded is previous.loaded:
        return previous
    with collector_paused():
        return _assemble(config, loaded, previous, render=render,
                         deleted=frozenset(article_key(slug) for slug in deleted),
                         stories_later_past=stories_later_past)


def with_stories(current: Site, grouped: Stories, grouped_from: Catalog) -> Site:
    """``current`` with the stories ``grouped`` from the entries of ``grouped_from``
    (an earlier Site's catalog, grouped elsewhere while ``current`` was served without
    them), brought up to date with what changed since; ``current`` itself when its
    stories are not pending. Like a reload, it reuses what did not change and leaves
    the eager documents that did to be rendered."""
    if not current.catalog.stories_pending:
        return current
    removed, added = _changed_entries(grouped_from.entries, current.catalog.entries)
    catalog = complete_stories(current.catalog, grouped, removed, added, current.config)
    site = Site(config=current.config, catalog=catalog, loaded=current.loaded, gone=current.gone)
    site._rendered.update(_reusable(current, catalog))
    return site


def _assemble(config: SiteConfig, loaded: LoadResult, previous: Site | None, *, render: bool = True,
              deleted: frozenset[str] = frozenset(), stories_later_past: int | None = None) -> Site:
    if previous is None:
        later = stories_later_past is not None and len(loaded.entries) > stories_later_past
        remembered = read_hints(config, {entry.slug: entry for entry in loaded.entries}) if later else EMPTY_STORIES
        catalog = build_catalog(loaded.entries, config, stories_later_past=stories_later_past, remembered=remembered)
        site = Site(config=config, catalog=catalog, loaded=loaded,
                    gone=frozenset(key for key in deleted if not _is_served(catalog, key)))
    else:
        if loaded.changes is not None:  # a pass over the changed files, from previous.loaded
            removed, added = list(loaded.changes.removed), list(loaded.changes.added)
        else:
            removed, added = _changed_entries(previous.loaded.entries, loaded.entries)
        same_config = previous.config == config
        catalog = (update_catalog(previous.catalog, removed, added, config) if same_config
                   else build_catalog(loaded.entries, config))
        site = Site(config=config, catalog=catalog, loaded=loaded, gone=_gone(previous, catalog, removed, deleted))
        if same_config:
            site._rendered.update(_reusable(previous, catalog))
    if render:
        site.render_eager()
    return site


def _changed_entries(old: tuple[Entry, ...], new: tuple[Entry, ...]) -> tuple[list[Entry], list[Entry]]:
    """The entries of ``old`` not in ``new`` and those of ``new`` not in ``old``. Entries
    of unchanged files are the very same objects in both, so identity tells."""
    old_ids, new_ids = set(map(id, old)), set(map(id, new))
    return [entry for entry in old if id(entry) not in new_ids], [entry for entry in new if id(entry) not in old_ids]


def _is_served(catalog: Catalog, key: str) -> bool:
    slug = parse_article_key(key)
    if slug is not None:
        return slug in catalog.entries_by_slug
    return key in catalog.feeds


def _gone(previous: Site, catalog: Catalog, removed: list[Entry], deleted: frozenset[str]) -> frozenset[str]:
    """Keys served before and not now: of the feeds, and of the articles whose files
    were removed or changed, or that were ``deleted`` elsewhere. A feed or article
    that comes back is no longer gone."""
    vanished = {article_key(entry.slug) for entry in removed} | deleted
    vanished.update(previous.catalog.feeds.keys() - catalog.feeds.keys())
    return frozenset(key for key in previous.gone | vanished if not _is_served(catalog, key))


def _reusable(previous: Site, catalog: Catalog) -> dict[str, Resource]:
    """Representations of ``previous`` whose bytes the new catalog would render again.

    A feed document depends on its feed alone (and the config); a landing page on
    its feed and the outlets its filter form offers; an article page on its entry
    and the feeds it lists. The index and the subscription list depend on every
    feed, so they are always rendered again.
    Entries of unchanged files are the very same objects in both catalogs, so these
    comparisons mostly stop at identity.
    """
    with previous._lock:
        rendered = dict(previous._rendered)
    old = previous.catalog
    same_outlets = _outlet_choices(old) == _outlet_choices(catalog)
    reusable = {}
    for path, resource in rendered.items():
        key = path_key(path, FORMATS)
        if key is None or path in (INDEX, OPML):
            continue
        slug = parse_article_path(path)
        if slug is not None:
            entry, before = catalog.entries_by_slug.get(slug), old.entries_by_slug.get(slug)
            same = (entry is not None and entry == before
                    and catalog.entry_feeds(entry) == old.entry_feeds(before)
                    and catalog.stories.related(entry) == old.stories.related(before))
        else:
            feed = catalog.feeds.get(key)
            same = (feed is not None and feed == old.feeds.get(key)
                    and (same_outlets or parse_landing_path(path) is None))
        if same:
            reusable[path] = resource
    return reusable


def _outlet_choices(catalog: Catalog) -> list[tuple[str, str]]:
    """The outlets a landing page's filter form offers (:mod:`feedsrv.pages`): outlets
    met only in the text come and go, and are renamed, with their articles."""
    return [(feed.slug, feed.name) for feed in catalog.feeds_of_kind("outlet")]
