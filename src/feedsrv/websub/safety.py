"""Which callback URLs the hub may call.

A subscription request names any URL, and the hub then sends requests to it: without
checks, anyone could make the server probe or post to machines on its own network
(server-side request forgery). So a callback must be plain http(s), and every address
it resolves to must be a public one, unless the config allows private or loopback
addresses. An IPv6 address that embeds an IPv4 address (6to4, NAT64, Teredo, …) is
judged by that IPv4 address too. Names are checked when they are resolved for each
connection, so a name that later resolves elsewhere (DNS rebinding) is caught too; an
address written in the URL itself never goes through a resolver, so it is checked
before each request.
The hub never follows redirects, so a callback cannot bounce it elsewhere.

Nor may one callback host be flooded: requests to it (verifications and
notifications alike) are paced by a token bucket per host.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import string
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from ..config import WebSubConfig
from ..errors import FeedsrvError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Rate-limit buckets kept before the idle (full) ones are forgotten.
MAX_BUCKETS = 4096

# Long enough for any capability URL; a longer one is abuse.
MAX_CALLBACK_LENGTH = 2000

# Visible ASCII: the callback is sent exactly as given (WebSub §8.3), so it must
# already be a valid request target.
_URL_CHARACTERS = frozenset(string.ascii_letters + string.digits + string.punctuation)


class UnsafeCallback(FeedsrvError):
    """A callback URL the hub refuses to call."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"callback {url!r} refused: {reason}")


class UnsafeAddress(OSError):
    """Raised by :class:`GuardedResolver`: an OSError, so aiohttp reports it as a
    failed connection like any resolution failure."""


@dataclass(frozen=True, slots=True)
class CallbackPolicy:
    """Which address ranges callbacks may be in, besides public ones."""

    allow_private: bool = False
    allow_loopback: bool = False

    @classmethod
    def from_config(cls, websub: WebSubConfig) -> CallbackPolicy:
        return cls(allow_private=websub.allow_private_callbacks, allow_loopback=websub.allow_loopback_callbacks)


# IPv6 ranges whose addresses stand for an IPv4 address, which is what a connection
# reaches: IPv4-mapped (RFC 4291), NAT64's well-known prefix (RFC 6052; a hub on an
# IPv6-only network reaches every IPv4 subscriber through it, so it cannot be refused
# outright) and 6to4 (RFC 3056). Each is judged as its IPv4 address, whatever the
# Python version's own idea of those ranges (3.11 calls 2002::/16 global).
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")
# Ranges refused outright: IPv4-compatible addresses are deprecated (RFC 4291
# §2.5.5.1) and nothing routes them any more, and the local-use NAT64 prefix (RFC
# 8215) may put its IPv4 address at any of six places (RFC 6052 §2.2), so there is
# no one embedded address to check.
_OPAQUE_RANGES = (ipaddress.IPv6Network("::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


def reached_address(address: IPAddress) -> IPAddress:
    """The address a connection to ``address`` reaches: the IPv4 address an
    IPv4-mapped, NAT64 (64:ff9b::/96) or 6to4 address embeds, else ``address``."""
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    return address


def address_refusal(address: IPAddress, policy: CallbackPolicy) -> str | None:
    """Why the hub must not connect to ``address``, or None when it may. An IPv6
    address that embeds an IPv4 address is refused when that IPv4 address is."""
    reached = reached_address(address)
    if reached != address:
        reason = _plain_refusal(reached, policy)
        return f"{address} reaches {reached}: {reason}" if reason else None
    if isinstance(address, ipaddress.IPv6Address):
        if any(address in network for network in _OPAQUE_RANGES) and not (address.is_loopback
                                                                          or address.is_unspecified):
            return f"{address} is an IPv4-compatible or local-use NAT64 address"
        # Teredo (RFC 4380) tunnels to its server and to its client, whose address is
        # stored inverted; Python's teredo property undoes that.
        for embedded in address.teredo or ():
            if reason := _plain_refusal(embedded, policy):
                return f"{address} embeds {embedded}: {reason}"
    return _plain_refusal(address, policy)


def _plain_refusal(address: IPAddress, policy: CallbackPolicy) -> str | None:
    # Loopback first: ::1 lies in the reserved ::/8.
    if address.is_loopback:
        return None if policy.allow_loopback else f"{address} is a loopback address"
    if address.is_multicast or address.is_unspecified or address.is_reserved:
        return f"{address} is a multicast, unspecified or reserved address"
    if address.is_global:
        return None
    # Private ranges, link-local (cloud metadata services live at 169.254.169.254),
    # shared address space, documentation ranges: nothing a public subscriber uses.
    return None if policy.allow_private else f"{address} is a private or link-local address"


def parse_callback(url: str) -> SplitResult:
    """The parts of a callback URL that is well-formed enough to be called as given:
    http(s), a host, visible ASCII only, no fragment. Raises :class:`UnsafeCallback`."""
    if len(url) > MAX_CALLBACK_LENGTH:
        raise UnsafeCallback(url[:80] + "…", f"longer than {MAX_CALLBACK_LENGTH} characters")
    if not url or not set(url) <= _URL_CHARACTERS:
        raise UnsafeCallback(url, "not a URL of visible ASCII characters (percent-encode the rest)")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeCallback(url, "only http and https callbacks are called")
    if "#" in url:
        raise UnsafeCallback(url, "a callback has no fragment")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise UnsafeCallback(url, "invalid port")
    if not parts.hostname:
        raise UnsafeCallback(url, "no host")
    return parts


def literal_address(host: str) -> IPAddress | None:
    """The address ``host`` spells, if it is an IP address rather than a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_literal(url: str, policy: CallbackPolicy) -> None:
    """Refuse ``url`` if it is malformed or names a forbidden IP address directly.
    Names are left to the resolver."""
    parts = parse_callback(url)
    address = literal_address(parts.hostname or "")
    if address is not None:
        reason = address_refusal(address, policy)
        if reason:
            raise UnsafeCallback(url, reason)


async def check_callback(url: str, policy: CallbackPolicy, resolver: AbstractResolver) -> str:
    """Refuse ``url`` unless it is well-formed and every address it resolves to is
    allowed (raise :class:`UnsafeCallback`); return its host's :func:`address_key`."""
    check_literal(url, policy)
    parts = urlsplit(url)
    host = parts.hostname or ""
    if (address := literal_address(host)) is not None:
        return address_key([address])
    try:
        results = await resolver.resolve(host, parts.port or 0, socket.AF_UNSPEC)
    except UnsafeAddress as exc:
        raise UnsafeCallback(url, str(exc)) from None
    except OSError as exc:
        raise UnsafeCallback(url, f"cannot resolve {host}: {exc.strerror or exc}") from None
    addresses = [literal_address(result["host"].partition("%")[0]) for result in results]
    return address_key([address for address in addresses if address is not None])


def address_key(addresses: Iterable[IPAddress]) -> str:
    """What per-host subscription limits count by, given the addresses a callback's
    host is or resolves to: the lowest address reached (IPv4 before IPv6), so that
    however a host is spelled (``localhost``, ``127.1``, ``0x7f.1``, ``LOCALHOST.``)
    it counts once. An IPv6 address counts as its /64 network: one subscriber is
    routinely given a /64, and must not get a host's share for each address in it."""
    reached = sorted({reached_address(address) for address in addresses}, key=lambda a: (a.version, int(a)))
    if not reached:
        return ""
    lowest = reached[0]
    if isinstance(lowest, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((lowest, 64), strict=False))
    return str(lowest)


class GuardedResolver(AbstractResolver):
    """aiohttp's resolver, refusing a name when any of its addresses is forbidden.

    Refusing the whole name rather than dropping the bad addresses: a name that
    resolves to both public and internal addresses is an attack, not a mistake.
    """

    def __init__(self, policy: CallbackPolicy, inner: AbstractResolver | None = None) -> None:
        self._policy = policy
        self._inner = inner or DefaultResolver()

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        for result in results:
            # Scoped IPv6 addresses come back as fe80::1%eth0.
            address = literal_address(result["host"].partition("%")[0])
            reason = "not an IP address" if address is None else address_refusal(address, self._policy)
            if reason:
                raise UnsafeAddress(f"{host} resolves to {result['host']}: {reason}")
        return results

    async def close(self) -> None:
        await self._inner.close()


def callback_host(url: str) -> str:
    """What rate limits count by: the callback's host, so many callback URLs on one
    server share that server's budget."""
    return (urlsplit(url).hostname or "").lower()


class TokenBuckets:
    """One token bucket per key: ``rate`` tokens a second, holding at most ``burst``."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, as of when)

    def reserve(self, key: str) -> float:
        """Take a token for ``key`` and return 0, or take nothing and return the
        seconds until a token will be there."""
        now = self._clock()
        tokens, since = self._buckets.get(key, (self._burst, now))
        tokens = min(self._burst, tokens + (now - since) * self._rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            if len(self._buckets) > MAX_BUCKETS:
                self._forget_idle(now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1 - tokens) / self._rate

    async def acquire(self, key: str) -> None:
        """Wait until a token for ``key`` is there, and take it."""
        while (wait := self.reserve(key)) > 0:
            await asyncio.sleep(wait)

    def _forget_idle(self, now: float) -> None:
        # A full bucket is the same as no bucket.
        full = [key for key, (tokens, since) in self._buckets.items()
                if tokens + (now - since) * self._rate >= self._burst]
        for key in full:
            del self._buckets[key]
