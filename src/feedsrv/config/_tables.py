"""The ``[outlets.*]``, ``[topics.*]`` and ``[articles.*]`` tables: what they declare
and how they are read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ..errors import ConfigError
from ._dates import DATE_RANGE, in_range
from ._slugs import slugify


@dataclass(frozen=True, slots=True)
class Outlet:
    """A publication declared in ``[outlets.<slug>]``."""

    slug: str
    name: str
    homepage: str | None = None
    description: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every spelling by which the text may name this outlet."""
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic declared in ``[topics.<slug>]``: an article belongs to it when the
    keywords (whole words or phrases, case-insensitive) occur at least ``min_hits``
    times over title and body."""

    slug: str
    name: str
    keywords: tuple[str, ...]
    min_hits: int = 1
    description: str | None = None


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    """Metadata declared for one article in ``[articles.<file stem>]``; it wins over
    anything read from the text."""

    id: str | None = None
    title: str | None = None
    author: str | None = None
    outlet: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    topics: tuple[str, ...] | None = None


def _string(table: Mapping[str, Any], key: str, where: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}.{key}", f"must be a non-empty string, got {value!r}")
    return value.strip()


def _required_string(table: Mapping[str, Any], key: str, where: str) -> str:
    value = _string(table, key, where)
    if value is None:
        raise ConfigError(f"{where}.{key}", "is required")
    return value


def _strings(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...] | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}.{key}", "must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _sub_tables(section: Mapping[str, Any], name: str) -> list[tuple[str, str, Mapping[str, Any]]]:
    result: list[tuple[str, str, Mapping[str, Any]]] = []
    for slug, table in section.items():
        where = f"{name}.{slug}"
        if not isinstance(table, dict):
            raise ConfigError(where, "must be a table")
        result.append((slug, where, table))
    return result


def _check_keys(table: Mapping[str, Any], where: str, allowed: set[str]) -> None:
    for key in table:
        if key not in allowed:
            raise ConfigError(f"{where}.{key}", f"unknown key (expected one of {', '.join(sorted(allowed))})")


def _check_slug(slug: str, where: str) -> None:
    if slugify(slug) != slug:
        raise ConfigError(where, "the table name must be a slug: lower-case letters, digits and hyphens")


def read_outlets(section: Mapping[str, Any]) -> dict[str, Outlet]:
    """The ``[outlets.*]`` tables, by slug; :class:`ConfigError` names a bad key."""
    outlets = {}
    for slug, where, table in _sub_tables(section, "outlets"):
        _check_slug(slug, where)
        _check_keys(table, where, {"name", "homepage", "description", "aliases"})
        homepage = _string(table, "homepage", where)
        if homepage and urlsplit(homepage).scheme not in ("http", "https"):
            raise ConfigError(f"{where}.homepage", f"must be an http(s) URL, got {homepage!r}")
        outlets[slug] = Outlet(
            slug=slug,
            name=_required_string(table, "name", where),
            homepage=homepage,
            description=_string(table, "description", where),
            aliases=_strings(table, "aliases", where) or (),
        )
    return outlets


def read_topics(section: Mapping[str, Any]) -> dict[str, Topic]:
    """The ``[topics.*]`` tables, by slug; :class:`ConfigError` names a bad key."""
    topics = {}
    for slug, where, table in _sub_tables(section, "topics"):
        _check_slug(slug, where)
        _check_keys(table, where, {"name", "keywords", "min_hits", "description"})
        keywords = _strings(table, "keywords", where)
        if not keywords:
            raise ConfigError(f"{where}.keywords", "is required: a non-empty list of words or phrases")
        min_hits = table.get("min_hits", 1)
        if isinstance(min_hits, bool) or not isinstance(min_hits, int) or min_hits < 1:
            raise ConfigError(f"{where}.min_hits", f"must be an integer ≥ 1, got {min_hits!r}")
        topics[slug] = Topic(
            slug=slug,
            name=_required_string(table, "name", where),
            keywords=keywords,
            min_hits=min_hits,
            description=_string(table, "description", where),
        )
    return topics


def read_articles(section: Mapping[str, Any], timezone: ZoneInfo) -> dict[str, ArticleMeta]:
    """The ``[articles.*]`` tables, by file stem, bare dates and times taken in
    ``timezone``; :class:`ConfigError` names a bad key."""
    articles = {}
    for stem, where, table in _sub_tables(section, "articles"):
        _check_keys(table, where, {"id", "title", "author", "outlet", "published", "updated", "topics"})
        articles[stem] = ArticleMeta(
            id=_string(table, "id", where),
            title=_string(table, "title", where),
            author=_string(table, "author", where),
            outlet=_string(table, "outlet", where),
            published=_datetime(table, "published", where, timezone),
            updated=_datetime(table, "updated", where, timezone),
            topics=_strings(table, "topics", where),
        )
    return articles


def _datetime(table: Mapping[str, Any], key: str, where: str, timezone: ZoneInfo) -> datetime | None:
    value = table.get(key)
    if value is None:
        return None
    # TOML has native dates and datetimes; a bare date means midnight in the site zone.
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone)
    elif hasattr(value, "year"):
        moment = datetime(value.year, value.month, value.day, tzinfo=timezone)
    else:
        raise ConfigError(f"{where}.{key}", f"must be a TOML date or datetime, got {value!r}")
    if not in_range(moment):
        raise ConfigError(f"{where}.{key}", f"{value} is out of range ({DATE_RANGE})")
    return moment
