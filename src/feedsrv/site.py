"""The published site: every URL's representation, rendered and compressed once.

Feeds and pages are built when the catalog is built, never per request; the HTTP
server and the static export both serve from the same :class:`Site`, so they carry
the very same bytes and ETags.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

import brotli

from .catalog import Catalog, build_catalog
from .config import SiteConfig
from .pages import render_article_page, render_index_page
from .render import FORMATS, render_feed
from .sources import LoadResult, load_articles

HTML_TYPE = "text/html; charset=utf-8"

# Codings in order of preference when a client accepts several equally.
CODINGS = ("br", "gzip")


@dataclass(frozen=True, slots=True)
class Variant:
    """One encoding of a representation, with its own strong ETag (RFC 9110 §8.8.3:
    a different content-coding is a different representation)."""

    coding: str
    body: bytes
    etag: str


@dataclass(frozen=True, slots=True)
class Resource:
    """Everything needed to answer a GET for one path."""

    path: str
    media_type: str
    last_modified: datetime
    variants: Mapping[str, Variant]

    @property
    def identity(self) -> Variant:
        return self.variants["identity"]


def make_resource(path: str, media_type: str, body: bytes, last_modified: datetime) -> Resource:
    """Wrap ``body`` with its compressed variants and ETags.

    The ETag is a digest of the uncompressed bytes (plus the coding), so it is the
    same on every restart and on every instance serving the same articles, whatever
    the compressor's version.
    """
    digest = hashlib.sha256(body).hexdigest()[:32]
    variants = {"identity": Variant("identity", body, f'"{digest}"')}
    # mtime=0 keeps the gzip header free of the build time, so the bytes are stable.
    compressed = {"gzip": gzip.compress(body, compresslevel=9, mtime=0),
                  "br": brotli.compress(body, quality=11)}
    for coding in CODINGS:
        if len(compressed[coding]) < len(body):
            variants[coding] = Variant(coding, compressed[coding], f'"{digest}-{coding}"')
    return Resource(path=path, media_type=media_type,
                    last_modified=last_modified, variants=MappingProxyType(variants))


@dataclass(frozen=True, slots=True)
class Site:
    """A config, the catalog built from the articles, and every URL's representation."""

    config: SiteConfig
    catalog: Catalog
    loaded: LoadResult
    resources: Mapping[str, Resource]


def build_resources(catalog: Catalog, config: SiteConfig) -> dict[str, Resource]:
    """Render every feed in every format, every article page and the index."""
    resources: dict[str, Resource] = {}

    def add(path: str, media_type: str, body: bytes, last_modified: datetime) -> None:
        resources[path] = make_resource(path, media_type, body, last_modified)

    add("/", HTML_TYPE, render_index_page(catalog, config), catalog.updated)
    for feed in catalog.feeds.values():
        for extension, media_type in FORMATS.items():
            add(feed.path(extension), media_type, render_feed(feed, extension, config), feed.updated)
    for entry in catalog.entries:
        add(f"/articles/{entry.slug}", HTML_TYPE, render_article_page(entry, catalog, config), entry.updated)
    return resources


def build_site(config: SiteConfig) -> Site:
    """Load the articles, build the catalog and render the whole site."""
    loaded = load_articles(config)
    catalog = build_catalog(loaded.entries, config)
    return Site(config=config, catalog=catalog, loaded=loaded,
                resources=MappingProxyType(build_resources(catalog, config)))
