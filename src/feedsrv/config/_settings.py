"""The settings of ``[site]``, ``[server]``, ``[api]``, ``[store]``, ``[stats]`` and ``[websub]``, each declared once.

A setting is a field of :class:`SiteConfig` or :class:`WebSubConfig` made with
:func:`setting`: its default, help text and limits live in the field, and
:data:`SETTINGS` is read from the fields, so the table the loader checks against and
the README documents cannot disagree with the dataclasses' defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import Field, dataclass, field, fields
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ..urls import HUB
from ._tables import ArticleMeta, Outlet, Topic

# The longest duration any setting may give: a year, HTTP's "never expires" (RFC 9111).
MAX_SECONDS = 366 * 86_400

Watch = Literal["auto", "poll", "off"]
WATCH_MODES: tuple[Watch, ...] = get_args(Watch)

AccessLog = Literal["off", "plain", "json"]
ACCESS_LOG_FORMATS: tuple[AccessLog, ...] = get_args(AccessLog)

EventLoop = Literal["auto", "uvloop", "asyncio"]
EVENT_LOOPS: tuple[EventLoop, ...] = get_args(EventLoop)

# A setting's default as TOML writes it, which also fixes the TOML type it takes.
TomlValue = str | int | float | bool

Network = IPv4Network | IPv6Network

_METADATA_KEY = "feedsrv.setting"


@dataclass(frozen=True, slots=True)
class Setting:
    """One documented configuration key: ``section.name``, held by the config
    dataclass's field ``attribute``."""

    section: str
    name: str
    default: TomlValue
    help: str
    attribute: str = ""
    # A string that may be set to "" although its default is not (it then turns
    # the feature off, as `site.parse_cache = ""` does).
    may_be_empty: bool = False
    # The largest number accepted, for numbers added to dates or timers: a lease of
    # 10**18 seconds overflows every datetime it meets.
    maximum: int | None = None
    # The smallest number accepted (0: "must not be negative"), or the bound a number
    # must exceed.
    at_least: int | None = None
    more_than: float | None = None
    # Values an earlier version took, each with the one it now stands for: a
    # switch that became a choice (`server.access_log = true`) keeps its meaning.
    legacy: tuple[tuple[TomlValue, TomlValue], ...] = ()

    @property
    def key(self) -> str:
        """The dotted name the config file and error messages use: ``site.title``."""
        return f"{self.section}.{self.name}"


def setting(section: str, default: Any, help: str, *, name: str = "", may_be_empty: bool = False,
            maximum: int | None = None, at_least: int | None = None, more_than: float | None = None,
            legacy: tuple[tuple[TomlValue, TomlValue], ...] = ()) -> Any:
    """A dataclass field declaring the setting ``section.name`` (``name`` defaults to the
    field's own) with its default, as the dataclass holds it, and its help text."""
    declared = Setting(section, name, toml_value(default), help, may_be_empty=may_be_empty,
                       maximum=maximum, at_least=at_least, more_than=more_than, legacy=legacy)
    return field(default=default, metadata={_METADATA_KEY: declared})


def toml_value(value: Any) -> TomlValue:
    """How the config file writes a dataclass value: a path or zone by its name."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, ZoneInfo):
        return value.key
    if isinstance(value, tuple) and all(isinstance(item, (IPv4Network, IPv6Network)) for item in value):
        return ", ".join(str(network) for network in value)
    if isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"no TOML form for a setting of type {type(value).__name__}")


def parse_networks(text: str) -> tuple[Network, ...]:
    """The address ranges of a comma- or space-separated list of CIDRs (``10.0.0.0/8,
    2001:db8::/32``; a bare address is a range of one); raise ``ValueError`` naming
    the first that is none."""
    return tuple(ip_network(item, strict=False) for item in text.replace(",", " ").split())


def split_address(address: str) -> tuple[str, int]:
    """The host and port of ``host:port`` (``[v6]:port``); raises :class:`ValueError`
    when either is missing or the port is out of range."""
    parts = urlsplit(f"//{address}")
    # .port raises ValueError itself for a port that is not a number up to 65535.
    if not parts.hostname or parts.port is None or parts.port == 0 or parts.netloc != address:
        raise ValueError(f"not host:port: {address!r}")
    return parts.hostname, parts.port


def settings_of(config_class: type) -> tuple[Setting, ...]:
    """The settings declared by the fields of ``config_class``, in field order."""
    return tuple(_setting_of(declared) for declared in fields(config_class) if _METADATA_KEY in declared.metadata)


def _setting_of(declared: Field[Any]) -> Setting:
    meta: Setting = declared.metadata[_METADATA_KEY]
    return Setting(meta.section, meta.name or declared.name, meta.default, meta.help, declared.name,
                   meta.may_be_empty, meta.maximum, meta.at_least, meta.more_than, meta.legacy)


@dataclass(frozen=True, slots=True)
class WebSubConfig:
    """The ``[websub]`` settings: which hub the feeds advertise, and how the built-in
    hub treats its subscribers."""

    hub_url: str = setting(
        "websub", "",
        "External WebSub hub to advertise instead of the built-in one at `/websub`; feedsrv "
        "pings it with `hub.mode=publish` whenever a feed changes. Empty: the built-in hub.")
    database: Path = setting(
        "websub", Path("state/websub.sqlite3"),
        "SQLite file of subscriptions and pending deliveries, created when the first "
        "subscription is verified; a relative path is taken from the config file's directory. "
        "Not used with store.database_url: the hub's state is the database's.")
    lease_seconds: int = setting("websub", 864_000, "Lease of a subscription that asks for none (10 days).",
                                 maximum=MAX_SECONDS, at_least=1)
    min_lease_seconds: int = setting("websub", 3600, "Shortest lease granted; shorter requests get this.",
                                     maximum=MAX_SECONDS, at_least=1)
    max_lease_seconds: int = setting("websub", 2_592_000, "Longest lease granted; longer requests get this.",
                                     maximum=MAX_SECONDS)
    timeout_seconds: float = setting(
        "websub", 10.0,
        "Time limit of each request to a subscriber or to the external hub, connecting included.",
        maximum=MAX_SECONDS, more_than=0)
    max_body_bytes: int = setting(
        "websub", 4_194_304, "Largest feed sent as a notification; a larger one is not delivered (logged).",
        at_least=1)
    max_attempts: int = setting(
        "websub", 10,
        "Attempts at delivering a change to a subscriber (or pinging the external hub) "
        "before giving up until the next change.", at_least=1)
    retry_initial_seconds: float = setting(
        "websub", 5.0, "Wait before the second attempt; each further wait doubles, with jitter.",
        maximum=MAX_SECONDS, more_than=0)
    retry_max_seconds: float = setting("websub", 3600.0, "Longest wait between two attempts.",
                                       maximum=MAX_SECONDS, more_than=0)
    callback_rate: float = setting(
        "websub", 1.0, "Requests per second the hub sends to one callback host, on average.", more_than=0)
    callback_burst: int = setting("websub", 10, "Requests the hub may send to one callback host at once.",
                                  at_least=1)
    max_pending_verifications: int = setting(
        "websub", 1000,
        "Subscription requests the hub reads and verifies at once; more get `503` with "
        "`Retry-After`, before their body is read.", at_least=1)
    max_pending_verifications_per_host: int = setting(
        "websub", 20,
        "Subscription requests the hub verifies at once for callbacks on one host (counted "
        "like `websub.max_subscriptions_per_host`); more get `429` with `Retry-After`.", at_least=1)
    max_subscriptions_per_topic: int = setting(
        "websub", 10_000, "Most subscriptions to one topic; more are refused (`403`), renewals never are.",
        at_least=1)
    max_subscriptions_per_host: int = setting(
        "websub", 100,
        "Most subscriptions of callbacks on one host, counted by the address its name "
        "resolves to (an IPv6 address by its /64), however the name is spelled; more are "
        "refused (`403`), renewals never are.", at_least=1)
    max_subscriptions: int = setting(
        "websub", 100_000, "Most subscriptions in all; more are refused (`403`), renewals never are.",
        at_least=1)
    allow_private_callbacks: bool = setting(
        "websub", False,
        "Accept callbacks on private and link-local addresses (10.0.0.0/8, fd00::/8, "
        "169.254.0.0/16, …), for a hub serving an internal network.")
    allow_loopback_callbacks: bool = setting(
        "websub", False, "Accept callbacks on loopback addresses (127.0.0.0/8, ::1), for local testing.")

    @property
    def external(self) -> bool:
        """Whether an external hub is used instead of the built-in one."""
        return bool(self.hub_url)


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """Everything feedsrv reads from its config file, validated."""

    title: str = setting("site", "feedsrv", "Title of the site and of the feed of all articles.")
    description: str = setting("site", "News articles syndicated by feedsrv.",
                               "Subtitle of the feed of all articles and description of the index page.")
    base_url: str = setting("site", "http://127.0.0.1:8080",
                            "Public URL the site is reached at; every link in a feed is made absolute with it.")
    language: str = setting("site", "en", "Language of the articles (BCP 47 tag), for feeds and pages.")
    articles_dir: Path = setting(
        "site", Path("seeds"),
        "Directory of article files (*.txt); a relative path is taken from the "
        "config file's directory (from the current directory when there is no file).")
    entries_per_feed: int = setting(
        "site", 50,
        "Newest entries in each feed's subscription document; older entries are in "
        "archive pages of this size.", at_least=1)
    cache_max_age: int = setting(
        "site", 300,
        "Seconds a client or proxy may reuse a feed without asking again (Cache-Control max-age).",
        maximum=MAX_SECONDS, at_least=0)
    max_article_bytes: int = setting("site", 1_048_576,
                                     "Article files larger than this are skipped with a warning.", at_least=1)
    timezone: ZoneInfo = setting("site", ZoneInfo("UTC"), "Time zone given to dates that name none (IANA name).")
    watch: Watch = setting(
        "site", "auto",
        "How `feedsrv serve` notices added, edited and deleted articles: `auto` (file-system "
        "events, polling where they are unavailable), `poll` (a scan every `site.poll_interval` "
        "seconds) or `off`.")
    poll_interval: float = setting("site", 1.0, "Seconds between two scans of the articles directory when polling.",
                                   maximum=MAX_SECONDS, more_than=0)
    parse_cache: Path | None = setting(
        "site", Path("state/parsed.pickle"),
        "File keeping what the last start-up parsed, so the next one parses only added and "
        "changed articles; a relative path is taken from the config file's directory. "
        "Empty: no cache.", may_be_empty=True)
    build_processes: int = setting(
        "site", 0,
        "Processes that parse articles and render feeds when there are many at once "
        "(start-up, `feedsrv build`, a large copy); 0: one per core. A few are always done "
        "in the server's own process.", at_least=0)
    filtered_feed_cache: int = setting(
        "site", 256,
        "Filtered feeds (`?topic=`, `?since=`, … see [Filtered feeds](#filtered-feeds)) kept rendered, "
        "the least recently asked for dropped first; each is at most one subscription document in "
        "three codings. 0: each is rendered on every request.", at_least=0)
    host: str = setting("server", "127.0.0.1", "Address `feedsrv serve` listens on.")
    port: int = setting("server", 8080, "TCP port `feedsrv serve` listens on.", at_least=1)
    workers: int = setting(
        "server", 1,
        "Processes `feedsrv serve` runs, sharing the port (SO_REUSEPORT); a worker that dies "
        "is replaced. Only the first sends WebSub notifications.", at_least=1)
    event_loop: EventLoop = setting(
        "server", "auto",
        "Event loop `feedsrv serve` runs in each process: `uvloop` (libuv's, faster; see "
        "[Event loop](#event-loop)), `asyncio` (the standard library's) or `auto` (uvloop where it "
        "is installed, as it is on Linux and macOS with CPython, else asyncio).")
    min_poll_interval: float = setting(
        "server", 60.0,
        "Seconds a client must let pass between two unconditional fetches of one feed "
        "(no `If-None-Match` or `If-Modified-Since`); sooner, it gets `429` with `Retry-After`. "
        "Never more than half `site.cache_max_age`, so a reader honouring `max-age` never meets "
        "it; 0: off. See [Polite polling](#polite-polling).", maximum=MAX_SECONDS, at_least=0)
    poll_exempt: tuple[Network, ...] = setting(
        "server", (),
        "Address ranges (CIDRs, separated by commas or spaces) `server.min_poll_interval` "
        "never applies to, such as a caching proxy's; loopback addresses are always exempt.")
    # What the log costs a cached response: docs/benchmarks.md, "Where the time goes".
    access_log: AccessLog = setting(
        "server", "off",
        "Log every request: `off`, `plain` (aiohttp's access log, at INFO) or `json` (one JSON "
        "object a line, with `X-Request-Id` echoed or generated; see [Logs](#logs)); `true` and "
        "`false` still mean `plain` and `off`. Off by default, as writing a line is a large part "
        "of the cost of a cached response.", legacy=((True, "plain"), (False, "off")))
    stories_before_serving: int = setting(
        "server", 2000,
        "`feedsrv serve` groups a history of up to this many articles into stories (see "
        "[Related coverage](#related-coverage)) before it serves; a larger one while it serves, "
        "so a start never waits for it: until it is done, feeds carry no related links. 0: always "
        "while serving.", at_least=0)
    metrics_listen: str = setting(
        "server", "",
        "Address (`host:port`, `[::1]:9100` for IPv6) of a second listener that serves only "
        "[`/metrics`](#metrics), in the Prometheus text format. Empty: no metrics, and nothing counted.")
    api_token: str = setting(
        "api", "",
        "Bearer token of the [publishing API](#publishing-api); the variable named by `api.token_env` "
        "wins when set. Without a token the API is off (its URLs answer 404).", name="token")
    api_token_env: str = setting("api", "FEEDSRV_API_TOKEN", "Environment variable that holds the API token.",
                                 name="token_env")
    api_max_bytes: int = setting("api", 1_048_576,
                                 "Largest article body the API accepts, as sent and once decoded (`413` above).",
                                 name="max_bytes", at_least=1)
    database_url: str = setting(
        "store", "",
        "PostgreSQL (14 or later) database shared by every instance, as a libpq URL "
        "(`postgresql://user:password@host:5432/feedsrv`); the `FEEDSRV_DATABASE_URL` variable "
        "wins when set. Empty: no database, articles and state stay on this machine. See "
        "[Scaling out](#scaling-out).")
    stats_enabled: bool = setting(
        "stats", True,
        "Count each feed's subscribers and traffic per day (see [Statistics](#statistics)); "
        "`false`: nothing is counted.", name="enabled")
    stats_flush_seconds: float = setting(
        "stats", 60.0,
        "Seconds between two writes of the figures counted in memory to the statistics store "
        "(sooner when the distinct clients of an interval reach their bound), and at shutdown.",
        name="flush_seconds", maximum=MAX_SECONDS, more_than=0)
    stats_retention_days: int = setting(
        "stats", 400, "Days of statistics kept; older days are deleted.", name="retention_days",
        maximum=36_600, at_least=1)
    stats_database: Path = setting(
        "stats", Path("state/stats.sqlite3"),
        "SQLite file of the statistics, created at the first write; a relative path is taken from "
        "the config file's directory. Not used with store.database_url: the statistics are the "
        "database's.", name="database")
    search_max_results: int = setting(
        "search", 100,
        "Most results a [search](#search) feed or page gives (its `limit`); without one it gives "
        "`site.entries_per_feed`, or this when fewer.", name="max_results", at_least=1, maximum=10_000)
    search_cache_size: int = setting(
        "search", 256,
        "Search documents (one per query, limit and format) kept rendered, the least recently used "
        "dropped first; all are dropped when the articles change.", name="cache_size", at_least=0,
        maximum=1_000_000)
    search_time_limit: float = setting(
        "search", 1.0,
        "Seconds a search may run before it is stopped and answered `400`.", name="time_limit",
        more_than=0, maximum=60)
    outlets: Mapping[str, Outlet] = field(default_factory=dict)
    topics: Mapping[str, Topic] = field(default_factory=dict)
    articles: Mapping[str, ArticleMeta] = field(default_factory=dict)
    websub: WebSubConfig = field(default_factory=WebSubConfig)
    source: Path | None = None

    @property
    def metrics_address(self) -> tuple[str, int] | None:
        """The host and port of ``server.metrics_listen``; None when metrics are off."""
        if not self.metrics_listen:
            return None
        return split_address(self.metrics_listen)

    def url(self, path: str) -> str:
        """Absolute URL of a site path such as ``/feeds/all.atom``."""
        return self.base_url + path

    @property
    def hub_url(self) -> str:
        """The WebSub hub every feed advertises: the external one, else the built-in."""
        return self.websub.hub_url or self.url(HUB)


SETTINGS: tuple[Setting, ...] = (*settings_of(SiteConfig), *settings_of(WebSubConfig))
