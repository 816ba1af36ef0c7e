"""Configuration: the documented settings and a TOML loader.

Every ``[site]``, ``[server]``, ``[api]``, ``[store]`` and ``[websub]`` key is a field of
:class:`SiteConfig` or :class:`WebSubConfig` with its default and help text, listed
in :data:`SETTINGS`; the README's config reference is checked against this table by
the tests, so a setting cannot go undocumented.

- ``_settings``: the settings and the dataclasses holding them;
- ``_load``: reading and validating a TOML file;
- ``_tables``: the ``[outlets.*]``, ``[topics.*]`` and ``[articles.*]`` tables;
- ``_slugs``, ``_dates``: the slugs of names and the range of dates, which the
  parser follows too.
"""

from ._dates import DATE_RANGE, MAX_YEAR, MIN_YEAR, in_range
from ._load import CONFIG_PATHS, default_config, find_config, load_config
from ._settings import (
    ACCESS_LOG_FORMATS,
    EVENT_LOOPS,
    MAX_SECONDS,
    SETTINGS,
    WATCH_MODES,
    AccessLog,
    EventLoop,
    Network,
    Setting,
    SiteConfig,
    Watch,
    WebSubConfig,
    parse_networks,
    toml_value,
)
from ._slugs import MAX_SLUG_LENGTH, name_slug, slugify
from ._tables import ArticleMeta, Outlet, Topic

__all__ = [
    "ACCESS_LOG_FORMATS", "CONFIG_PATHS", "DATE_RANGE", "EVENT_LOOPS", "MAX_SECONDS", "MAX_SLUG_LENGTH", "MAX_YEAR",
    "MIN_YEAR", "SETTINGS", "WATCH_MODES", "AccessLog", "ArticleMeta", "EventLoop", "Network", "Outlet", "Setting",
    "SiteConfig", "Topic", "Watch", "WebSubConfig", "default_config", "find_config", "in_range", "load_config",
    "name_slug", "parse_networks", "slugify", "toml_value",
]
