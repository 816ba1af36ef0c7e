"""Configuration: a table of documented settings and a TOML loader.

Every ``[site]`` and ``[server]`` key is listed in :data:`SETTINGS` with its default
and help text; the README's config reference is checked against this table by the
tests, so a setting cannot go undocumented.
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError

DEFAULT_CONFIG_PATH = Path("config/feedsrv.toml")


@dataclass(frozen=True, slots=True)
class Setting:
    """One documented configuration key."""

    section: str
    name: str
    default: Any
    help: str
    # A string that may be set to "" although its default is not (it then turns
    # the feature off, as `site.parse_cache = ""` does).
    may_be_empty: bool = False
    # The largest number accepted, for numbers added to dates or timers: a lease of
    # 10**18 seconds overflows every datetime it meets.
    maximum: int | None = None

    @property
    def key(self) -> str:
        return f"{self.section}.{self.name}"


# The longest duration any setting may give: a year, HTTP's "never expires" (RFC 9111).
MAX_SECONDS = 366 * 86_400

SETTINGS: tuple[Setting, ...] = (
    Setting("site", "title", "feedsrv", "Title of the site and of the feed of all articles."),
    Setting("site", "description", "News articles syndicated by feedsrv.",
            "Subtitle of the feed of all articles and description of the index page."),
    Setting("site", "base_url", "http://127.0.0.1:8080",
            "Public URL the site is reached at; every link in a feed is made absolute with it."),
    Setting("site", "language", "en", "Language of the articles (BCP 47 tag), for feeds and pages."),
    Setting("site", "articles_dir", "seeds",
            "Directory of article files (*.txt); a relative path is taken from the "
            "config file's directory (from the current directory when there is no file)."),
    Setting("site", "entries_per_feed", 50,
            "Newest entries in each feed's subscription document; older entries are in "
            "archive pages of this size."),
    Setting("site", "cache_max_age", 300,
            "Seconds a client or proxy may reuse a feed without asking again (Cache-Control max-age).",
            maximum=MAX_SECONDS),
    Setting("site", "max_article_bytes", 1_048_576, "Article files larger than this are skipped with a warning."),
    Setting("site", "timezone", "UTC", "Time zone given to dates that name none (IANA name)."),
    Setting("site", "watch", "auto",
            "How `feedsrv serve` notices added, edited and deleted articles: `auto` (file-system "
            "events, polling where they are unavailable), `poll` (a scan every `site.poll_interval` "
            "seconds) or `off`."),
    Setting("site", "poll_interval", 1.0, "Seconds between two scans of the articles directory when polling.",
            maximum=MAX_SECONDS),
    Setting("site", "parse_cache", "state/parsed.pickle",
            "File keeping what the last start-up parsed, so the next one parses only added and "
            "changed articles; a relative path is taken from the config file's directory. "
            "Empty: no cache.", may_be_empty=True),
    Setting("site", "build_processes", 0,
            "Processes that parse articles and render feeds when there are many at once "
            "(start-up, `feedsrv build`, a large copy); 0: one per core. A few are always done "
            "in the server's own process."),
    Setting("api", "token", "",
            "Bearer token of the publishing API; the variable named by `api.token_env` wins when set. "
            "Without a token the API is off (its URLs answer 404)."),
    Setting("api", "token_env", "FEEDSRV_API_TOKEN", "Environment variable that holds the API token."),
    Setting("api", "max_bytes", 1_048_576,
            "Largest article body the API accepts, as sent and once decoded (`413` above)."),
    Setting("server", "host", "127.0.0.1", "Address `feedsrv serve` listens on."),
    Setting("server", "port", 8080, "TCP port `feedsrv serve` listens on."),
    Setting("server", "workers", 1,
            "Processes `feedsrv serve` runs, sharing the port (SO_REUSEPORT); a worker that dies "
            "is replaced. Only the first sends WebSub notifications."),
    Setting("server", "access_log", False,
            "Log every request (aiohttp's access log, at INFO); off by default, as it costs "
            "about a third of the time of a cached response."),
    Setting("websub", "hub_url", "",
            "External WebSub hub to advertise instead of the built-in one at `/websub`; feedsrv "
            "pings it with `hub.mode=publish` whenever a feed changes. Empty: the built-in hub."),
    Setting("websub", "database", "state/websub.sqlite3",
            "SQLite file of subscriptions and pending deliveries, created when the first "
            "subscription is verified; a relative path is taken from the config file's directory."),
    Setting("websub", "lease_seconds", 864_000, "Lease of a subscription that asks for none (10 days).",
            maximum=MAX_SECONDS),
    Setting("websub", "min_lease_seconds", 3600, "Shortest lease granted; shorter requests get this.",
            maximum=MAX_SECONDS),
    Setting("websub", "max_lease_seconds", 2_592_000, "Longest lease granted; longer requests get this.",
            maximum=MAX_SECONDS),
    Setting("websub", "timeout_seconds", 10.0,
            "Time limit of each request to a subscriber or to the external hub, connecting included.",
            maximum=MAX_SECONDS),
    Setting("websub", "max_body_bytes", 4_194_304,
            "Largest feed sent as a notification; a larger one is not delivered (logged)."),
    Setting("websub", "max_attempts", 10,
            "Attempts at delivering a change to a subscriber (or pinging the external hub) "
            "before giving up until the next change."),
    Setting("websub", "retry_initial_seconds", 5.0,
            "Wait before the second attempt; each further wait doubles, with jitter.", maximum=MAX_SECONDS),
    Setting("websub", "retry_max_seconds", 3600.0, "Longest wait between two attempts.", maximum=MAX_SECONDS),
    Setting("websub", "callback_rate", 1.0,
            "Requests per second the hub sends to one callback host, on average."),
    Setting("websub", "callback_burst", 10, "Requests the hub may send to one callback host at once."),
    Setting("websub", "max_pending_verifications", 1000,
            "Subscription requests the hub reads and verifies at once; more get `503` with "
            "`Retry-After`, before their body is read."),
    Setting("websub", "max_pending_verifications_per_host", 20,
            "Subscription requests the hub verifies at once for callbacks on one host (counted "
            "like `websub.max_subscriptions_per_host`); more get `429` with `Retry-After`."),
    Setting("websub", "max_subscriptions_per_topic", 10_000,
            "Most subscriptions to one topic; more are refused (`403`), renewals never are."),
    Setting("websub", "max_subscriptions_per_host", 100,
            "Most subscriptions of callbacks on one host, counted by the address its name "
            "resolves to (an IPv6 address by its /64), however the name is spelled; more are "
            "refused (`403`), renewals never are."),
    Setting("websub", "max_subscriptions", 100_000,
            "Most subscriptions in all; more are refused (`403`), renewals never are."),
    Setting("websub", "allow_private_callbacks", False,
            "Accept callbacks on private and link-local addresses (10.0.0.0/8, fd00::/8, "
            "169.254.0.0/16, …), for a hub serving an internal network."),
    Setting("websub", "allow_loopback_callbacks", False,
            "Accept callbacks on loopback addresses (127.0.0.0/8, ::1), for local testing."),
)

# The years an article's date may fall in. Far beyond them a date is a typo or an
# attack, and at the ends of datetime's range (years 1 and 9999) a zone offset
# pushes it past what converting to UTC can represent.
MIN_YEAR, MAX_YEAR = 1900, 2199
DATE_RANGE = f"years {MIN_YEAR} to {MAX_YEAR}"


def in_range(moment: datetime) -> bool:
    """Whether ``moment``'s year is within :data:`DATE_RANGE` and it converts to UTC."""
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        return False
    try:
        moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return False
    return True


_SLUG_STRIP = re.compile(r"[^a-z0-9]+")
# The longest slug in a URL: its file, <slug>.txt, stays well within the 255 bytes
# file systems allow in a name (past them, writing fails with ENAMETOOLONG), and its
# URLs well within the request line servers accept.
MAX_SLUG_LENGTH = 200
# The digest that keeps apart names cut to the same slug.
_NAME_DIGEST_LENGTH = 12


def slugify(text: str) -> str:
    """Lower-case ASCII slug of ``text``: ``Mail & Guardian`` → ``mail-guardian``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _SLUG_STRIP.sub("-", ascii_text.lower()).strip("-")


def name_slug(text: str) -> str:
    """The URL slug of a name (a file stem, an outlet, a person): :func:`slugify`,
    cut to :data:`MAX_SLUG_LENGTH` with a digest of the whole name so that two long
    names sharing a beginning keep apart."""
    slug = slugify(text)
    if len(slug) <= MAX_SLUG_LENGTH:
        return slug
    digest = hashlib.sha256(text.casefold().encode("utf-8", "surrogatepass")).hexdigest()[:_NAME_DIGEST_LENGTH]
    return f"{slug[:MAX_SLUG_LENGTH - _NAME_DIGEST_LENGTH - 1].rstrip('-')}-{digest}"


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


@dataclass(frozen=True, slots=True)
class WebSubConfig:
    """The ``[websub]`` settings: which hub the feeds advertise, and how the built-in
    hub treats its subscribers."""

    hub_url: str = ""
    database: Path = Path("state/websub.sqlite3")
    lease_seconds: int = 864_000
    min_lease_seconds: int = 3600
    max_lease_seconds: int = 2_592_000
    timeout_seconds: float = 10.0
    max_body_bytes: int = 4_194_304
    max_attempts: int = 10
    retry_initial_seconds: float = 5.0
    retry_max_seconds: float = 3600.0
    callback_rate: float = 1.0
    callback_burst: int = 10
    max_pending_verifications: int = 1000
    max_pending_verifications_per_host: int = 20
    max_subscriptions_per_topic: int = 10_000
    max_subscriptions_per_host: int = 100
    max_subscriptions: int = 100_000
    allow_private_callbacks: bool = False
    allow_loopback_callbacks: bool = False

    @property
    def external(self) -> bool:
        """Whether an external hub is used instead of the built-in one."""
        return bool(self.hub_url)


# Where the built-in WebSub hub takes subscription requests.
HUB_PATH = "/websub"


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """Everything feedsrv reads from its config file, validated."""

    title: str
    description: str
    base_url: str
    language: str
    articles_dir: Path
    entries_per_feed: int
    cache_max_age: int
    max_article_bytes: int
    timezone: ZoneInfo
    host: str
    port: int
    watch: str = "auto"
    access_log: bool = False
    workers: int = 1
    poll_interval: float = 1.0
    build_processes: int = 0
    parse_cache: Path | None = None
    api_token: str = ""
    api_token_env: str = "FEEDSRV_API_TOKEN"
    api_max_bytes: int = 1_048_576
    outlets: Mapping[str, Outlet] = field(default_factory=dict)
    topics: Mapping[str, Topic] = field(default_factory=dict)
    articles: Mapping[str, ArticleMeta] = field(default_factory=dict)
    websub: WebSubConfig = field(default_factory=WebSubConfig)
    source: Path | None = None

    def url(self, path: str) -> str:
        """Absolute URL of a site path such as ``/feeds/all.atom``."""
        return self.base_url + path

    @property
    def hub_url(self) -> str:
        """The WebSub hub every feed advertises: the external one, else the built-in."""
        return self.websub.hub_url or self.url(HUB_PATH)


def default_config(root: Path | None = None) -> SiteConfig:
    """The configuration used when no file is given, relative to ``root`` (the cwd)."""
    return _build({}, root or Path.cwd(), source=None)


def load_config(path: Path | str | None = None) -> SiteConfig:
    """Read and validate a TOML config file.

    With no path, ``config/feedsrv.toml`` under the current directory is used when it
    exists, else the defaults. Raises :class:`ConfigError` naming the offending key.
    """
    if path is None:
        if not DEFAULT_CONFIG_PATH.is_file():
            return default_config()
        path = DEFAULT_CONFIG_PATH
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
    known_sections = {"site", "server", "outlets", "topics", "articles", "api", "websub"}
    for section in raw:
        if section not in known_sections:
            raise ConfigError(section, f"unknown section (expected one of {', '.join(sorted(known_sections))})")
    values: dict[str, Any] = {}
    for section in dict.fromkeys(s.section for s in SETTINGS):
        table = _table(raw, section)
        names = {s.name for s in SETTINGS if s.section == section}
        for key in table:
            if key not in names:
                raise ConfigError(f"{section}.{key}", "unknown setting")
    for setting in SETTINGS:
        table = _table(raw, setting.section)
        value = table.get(setting.name, setting.default)
        values[setting.name] = _check_type(setting, value)

    base_url = values["base_url"].rstrip("/")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError("site.base_url", f"must be an absolute http(s) URL, got {values['base_url']!r}")
    for name in ("entries_per_feed", "max_article_bytes", "port", "workers"):
        if values[name] < 1:
            raise ConfigError(_key_of(name), "must be at least 1")
    if values["cache_max_age"] < 0:
        raise ConfigError("site.cache_max_age", "must not be negative")
    if values["port"] > 65535:
        raise ConfigError("server.port", "must be at most 65535")
    if values["watch"] not in ("auto", "poll", "off"):
        raise ConfigError("site.watch", f"must be auto, poll or off, got {values['watch']!r}")
    if values["build_processes"] < 0:
        raise ConfigError("site.build_processes", "must not be negative")
    if values["poll_interval"] <= 0:
        raise ConfigError("site.poll_interval", "must be more than 0")
    if values["max_bytes"] < 1:
        raise ConfigError("api.max_bytes", "must be at least 1")
    try:
        timezone = ZoneInfo(values["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("site.timezone", f"unknown time zone {values['timezone']!r}") from None
    articles_dir = Path(values["articles_dir"])
    if not articles_dir.is_absolute():
        articles_dir = (root / articles_dir).resolve()

    return SiteConfig(
        title=values["title"],
        description=values["description"],
        base_url=base_url,
        language=values["language"],
        articles_dir=articles_dir,
        entries_per_feed=values["entries_per_feed"],
        cache_max_age=values["cache_max_age"],
        max_article_bytes=values["max_article_bytes"],
        timezone=timezone,
        host=values["host"],
        port=values["port"],
        watch=values["watch"],
        access_log=values["access_log"],
        workers=values["workers"],
        poll_interval=float(values["poll_interval"]),
        build_processes=values["build_processes"],
        parse_cache=_optional_path(values["parse_cache"], root),
        api_token=values["token"],
        api_token_env=values["token_env"],
        api_max_bytes=values["max_bytes"],
        outlets=_outlets(_table(raw, "outlets")),
        topics=_topics(_table(raw, "topics")),
        articles=_articles(_table(raw, "articles"), timezone),
        websub=_websub(values, root),
        source=source,
    )


def _optional_path(value: str, root: Path) -> Path | None:
    if not value:
        return None
    path = Path(value)
    return path if path.is_absolute() else (root / path).resolve()


def _websub(values: Mapping[str, Any], root: Path) -> WebSubConfig:
    hub_url = values["hub_url"]
    parts = urlsplit(hub_url)
    if hub_url and (parts.scheme not in ("http", "https") or not parts.netloc):
        raise ConfigError("websub.hub_url", f"must be empty or an absolute http(s) URL, got {hub_url!r}")
    for name in ("lease_seconds", "min_lease_seconds", "max_attempts", "callback_burst", "max_body_bytes",
                 "max_pending_verifications", "max_pending_verifications_per_host", "max_subscriptions_per_topic",
                 "max_subscriptions_per_host", "max_subscriptions"):
        if values[name] < 1:
            raise ConfigError(f"websub.{name}", "must be at least 1")
    for name in ("timeout_seconds", "retry_initial_seconds", "retry_max_seconds", "callback_rate"):
        if values[name] <= 0:
            raise ConfigError(f"websub.{name}", "must be more than 0")
    if not values["min_lease_seconds"] <= values["lease_seconds"] <= values["max_lease_seconds"]:
        raise ConfigError("websub.lease_seconds", "must lie between websub.min_lease_seconds and "
                                                  "websub.max_lease_seconds")
    database = Path(values["database"])
    return WebSubConfig(
        hub_url=hub_url,
        database=database if database.is_absolute() else (root / database).resolve(),
        lease_seconds=values["lease_seconds"],
        min_lease_seconds=values["min_lease_seconds"],
        max_lease_seconds=values["max_lease_seconds"],
        timeout_seconds=float(values["timeout_seconds"]),
        max_body_bytes=values["max_body_bytes"],
        max_attempts=values["max_attempts"],
        retry_initial_seconds=float(values["retry_initial_seconds"]),
        retry_max_seconds=float(values["retry_max_seconds"]),
        callback_rate=float(values["callback_rate"]),
        callback_burst=values["callback_burst"],
        max_pending_verifications=values["max_pending_verifications"],
        max_pending_verifications_per_host=values["max_pending_verifications_per_host"],
        max_subscriptions_per_topic=values["max_subscriptions_per_topic"],
        max_subscriptions_per_host=values["max_subscriptions_per_host"],
        max_subscriptions=values["max_subscriptions"],
        allow_private_callbacks=values["allow_private_callbacks"],
        allow_loopback_callbacks=values["allow_loopback_callbacks"],
    )


def _key_of(name: str) -> str:
    return next(s.key for s in SETTINGS if s.name == name)


def _table(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    table = raw.get(key, {})
    if not isinstance(table, dict):
        raise ConfigError(key, f"must be a table, got {type(table).__name__}")
    return table


def _check_type(setting: Setting, value: Any) -> Any:
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


def _string(table: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
    value = table.get(key)
    if value is None:
        if required:
            raise ConfigError(f"{where}.{key}", "is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}.{key}", f"must be a non-empty string, got {value!r}")
    return value.strip()


def _strings(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...] | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}.{key}", "must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _sub_tables(section: Mapping[str, Any], name: str) -> list[tuple[str, str, Mapping[str, Any]]]:
    result = []
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


def _outlets(section: Mapping[str, Any]) -> dict[str, Outlet]:
    outlets = {}
    for slug, where, table in _sub_tables(section, "outlets"):
        _check_slug(slug, where)
        _check_keys(table, where, {"name", "homepage", "description", "aliases"})
        homepage = _string(table, "homepage", where)
        if homepage and urlsplit(homepage).scheme not in ("http", "https"):
            raise ConfigError(f"{where}.homepage", f"must be an http(s) URL, got {homepage!r}")
        outlets[slug] = Outlet(
            slug=slug,
            name=_string(table, "name", where, required=True),
            homepage=homepage,
            description=_string(table, "description", where),
            aliases=_strings(table, "aliases", where) or (),
        )
    return outlets


def _topics(section: Mapping[str, Any]) -> dict[str, Topic]:
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
            name=_string(table, "name", where, required=True),
            keywords=keywords,
            min_hits=min_hits,
            description=_string(table, "description", where),
        )
    return topics


def _articles(section: Mapping[str, Any], timezone: ZoneInfo) -> dict[str, ArticleMeta]:
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
