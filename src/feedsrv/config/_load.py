"""Reading a TOML config file into a validated :class:`SiteConfig`."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import ConfigError
from ._settings import (
    ACCESS_LOG_FORMATS,
    EVENT_LOOPS,
    SETTINGS,
    WATCH_MODES,
    Setting,
    SiteConfig,
    WebSubConfig,
    parse_networks,
    split_address,
)
from ._tables import read_articles, read_outlets, read_topics

# Where a config is looked for when none is named, first found wins: the file
# `feedsrv init` writes at the top of a site, then the layout of the repository.
CONFIG_PATHS = (Path("feedsrv.toml"), Path("config/feedsrv.toml"))

_SECTIONS = {"site", "server", "outlets", "topics", "articles", "api", "store", "stats", "search", "websub"}
# Each setting's default as its dataclass holds it: a path or a zone where TOML
# writes a string, which says how the string is read.
_FIELD_DEFAULTS: dict[str, Any] = {
    declared.name: declared.default for config_class in (SiteConfig, WebSubConfig) for declared in fields(config_class)
}


def default_config(root: Path | None = None) -> SiteConfig:
    """The configuration used when no file is given, relative to ``root`` (the cwd)."""
    return _build({}, root or Path.cwd(), source=None)


def find_config() -> Path | None:
    """The config file used when none is named: the first of :data:`CONFIG_PATHS`
    (``feedsrv.toml``, ``config/feedsrv.toml``) under the current directory, if any."""
    return next((path for path in CONFIG_PATHS if path.is_file()), None)


def load_config(path: Path | str | None = None) -> SiteConfig:
    """Read and validate a TOML config file.

    With no path, the file :func:`find_config` finds is used, else the defaults.
    Raises :class:`ConfigError` naming the offending key.
    """
    if path is None:
        path = find_config()
        if path is None:
            return default_config()
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), "file not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), f"not UTF-8 ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"invalid TOML: {exc}") from None
    # Relative paths are anchored at the config file, as nginx and systemd units do,
    # so the server finds its articles whatever the working directory is.
    root = path.resolve().parent
    return _build(raw, root, source=path)


def _build(raw: Mapping[str, Any], root: Path, *, source: Path | None) -> SiteConfig:
    for section in raw:
        if section not in _SECTIONS:
            raise ConfigError(section, f"unknown section (expected one of {', '.join(sorted(_SECTIONS))})")
    for section in dict.fromkeys(s.section for s in SETTINGS):
        names = {s.name for s in SETTINGS if s.section == section}
        for key in _table(raw, section):
            if key not in names:
                raise ConfigError(f"{section}.{key}", "unknown setting")
    values = {setting.key: _check_type(setting, _table(raw, setting.section).get(setting.name, setting.default))
              for setting in SETTINGS}
    _check_values(values)

    converted = {setting.attribute: _convert(setting, values[setting.key], root) for setting in SETTINGS}
    timezone = converted["timezone"]
    websub = WebSubConfig(**{setting.attribute: converted.pop(setting.attribute)
                             for setting in SETTINGS if setting.section == "websub"})
    return SiteConfig(
        **converted,
        outlets=read_outlets(_table(raw, "outlets")),
        topics=read_topics(_table(raw, "topics")),
        articles=read_articles(_table(raw, "articles"), timezone),
        websub=websub,
        source=source,
    )


def _check_values(values: Mapping[str, Any]) -> None:
    """The rules a value must follow beyond its type, and those between values."""
    parts = urlsplit(values["site.base_url"].rstrip("/"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError("site.base_url", f"must be an absolute http(s) URL, got {values['site.base_url']!r}")
    for setting in SETTINGS:
        value = values[setting.key]
        if setting.at_least is not None and value < setting.at_least:
            raise ConfigError(setting.key, "must not be negative" if setting.at_least == 0
                              else f"must be at least {setting.at_least}")
        if setting.more_than is not None and value <= setting.more_than:
            raise ConfigError(setting.key, f"must be more than {setting.more_than:g}")
    if values["server.port"] > 65535:
        raise ConfigError("server.port", "must be at most 65535")
    if values["server.metrics_listen"]:
        try:
            split_address(values["server.metrics_listen"])
        except ValueError:
            raise ConfigError("server.metrics_listen", "must be empty or host:port (a port from 1 to 65535), "
                                                       f"got {values['server.metrics_listen']!r}") from None
    if values["site.watch"] not in WATCH_MODES:
        raise ConfigError("site.watch", f"must be auto, poll or off, got {values['site.watch']!r}")
    if values["server.access_log"] not in ACCESS_LOG_FORMATS:
        raise ConfigError("server.access_log", f"must be off, plain or json, got {values['server.access_log']!r}")
    if values["server.event_loop"] not in EVENT_LOOPS:
        raise ConfigError("server.event_loop", f"must be auto, uvloop or asyncio, got {values['server.event_loop']!r}")
    try:
        parse_networks(values["server.poll_exempt"])
    except ValueError as exc:
        raise ConfigError("server.poll_exempt", f"must list address ranges (CIDRs): {exc}") from None
    database_url = values["store.database_url"]
    if database_url and urlsplit(database_url).scheme not in ("postgresql", "postgres"):
        raise ConfigError("store.database_url", "must be empty or a postgresql:// URL")
    hub_url = values["websub.hub_url"]
    parts = urlsplit(hub_url)
    if hub_url and (parts.scheme not in ("http", "https") or not parts.netloc):
        raise ConfigError("websub.hub_url", f"must be empty or an absolute http(s) URL, got {hub_url!r}")
    if not values["websub.min_lease_seconds"] <= values["websub.lease_seconds"] <= values["websub.max_lease_seconds"]:
        raise ConfigError("websub.lease_seconds", "must lie between websub.min_lease_seconds and "
                                                  "websub.max_lease_seconds")


def _convert(setting: Setting, value: Any, root: Path) -> Any:
    """A checked TOML value as its dataclass field holds it."""
    default = _FIELD_DEFAULTS[setting.attribute]
    if isinstance(default, Path):
        if not value and setting.may_be_empty:
            return None
        path = Path(value)
        return path if path.is_absolute() else (root / path).resolve()
    if isinstance(default, ZoneInfo):
        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(setting.key, f"unknown time zone {value!r}") from None
    if isinstance(default, float):
        return float(value)
    if isinstance(default, tuple):
        return parse_networks(value)
    if setting.key == "site.base_url":
        return value.rstrip("/")
    return value


def _table(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    table = raw.get(key, {})
    if not isinstance(table, dict):
        raise ConfigError(key, f"must be a table, got {type(table).__name__}")
    return table


def _check_type(setting: Setting, value: Any) -> Any:
    for earlier, now in setting.legacy:
        # By type too: true is 1 to Python, and 1 is no switch.
        if type(value) is type(earlier) and value == earlier:
            value = now
    expected = type(setting.default)
    # An integer is a fine number of seconds.
    accepted = (int, float) if expected is float else expected
    # bool is an int subclass; a boolean where a number belongs is a mistake.
    if (isinstance(value, bool) and expected is not bool) or not isinstance(value, accepted):
        raise ConfigError(setting.key, f"must be {_type_name(expected)}, got {value!r}")
    if isinstance(value, str):
        value = value.strip()
        # A setting whose default is empty (api.token) may be left empty.
        if not value and setting.default and not setting.may_be_empty:
            raise ConfigError(setting.key, "must not be empty")
    # TOML has nan and inf; neither is a number of seconds or of anything else.
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(setting.key, f"must be a finite number, got {value!r}")
    if setting.maximum is not None and value > setting.maximum:
        raise ConfigError(setting.key, f"must be at most {setting.maximum}, got {value!r}")
    return value


def _type_name(kind: type) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false"}.get(kind, kind.__name__)
