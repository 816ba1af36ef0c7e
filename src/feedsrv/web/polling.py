"""Polite polling: a client fetching the same feed unconditionally too often is asked
to wait (``429 Too Many Requests`` with ``Retry-After``).

A conditional request is never refused: it costs a ``304`` and no body. What is
refused is the reader that downloads the whole feed again and again, each time
ignoring the ``ETag`` it was given.
"""

from __future__ import annotations

import math
import sys
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from ipaddress import IPv4Address, IPv6Address, ip_address

from ..config import Network, SiteConfig

# Clients remembered at most (by address and feed), the least recently seen
# forgotten first: a forgotten client is only let through once more, so the bound
# costs politeness, never a reader's fetch. The memory it takes: docs/benchmarks.md,
# "Polite polling".
TRACKED_FETCHES = 65_536


class PollGate:
    """When each client last fetched each feed unconditionally, and whether it may
    again; one per application (each worker of ``serve --workers N`` keeps its own).

    ``refused`` counts the requests answered ``429``, for the server's stats.
    """

    def __init__(self, interval: float, exempt: Sequence[Network] = (), *, exempt_loopback: bool = True,
                 limit: int = TRACKED_FETCHES, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.refused = 0
        self._exempt = tuple(exempt)
        self._exempt_loopback = exempt_loopback
        self._limit = limit
        self._clock = clock
        self._fetched: OrderedDict[tuple[str, str], float] = OrderedDict()
        # Each remote address as the client it is, None when exempt: reading an
        # address costs more than the rest of the check, and a proxy's comes again
        # and again. Bounded like the fetches, started afresh when full.
        self._clients: dict[str, str | None] = {}

    @property
    def tracked(self) -> int:
        """How many (client, feed) fetches are remembered."""
        return len(self._fetched)

    def wait(self, remote: str | None, path: str, headers: Mapping[str, str]) -> int:
        """Whole seconds the client at ``remote`` must wait before fetching the feed
        at ``path`` unconditionally, 0 when it may now (the fetch is then remembered).

        Conditional requests, and clients in an exempt range, always may."""
        if self.interval <= 0 or is_conditional(headers):
            return 0
        if not remote:
            # A Unix socket's peer: a proxy on this machine.
            return 0
        client = self._clients.get(remote, "")
        if client == "":
            client = self._client(remote)
        if client is None:
            return 0
        # Only the site's feeds come here: interned, every client's key shares one
        # copy of the path.
        key = (client, sys.intern(path))
        now = self._clock()
        last = self._fetched.get(key)
        if last is not None and now - last < self.interval:
            # The refusal does not restart the clock, so Retry-After is the truth: a
            # client that waits that long is served.
            self.refused += 1
            return max(1, math.ceil(self.interval - (now - last)))
        self._fetched[key] = now
        self._fetched.move_to_end(key)
        if len(self._fetched) > self._limit:
            self._fetched.popitem(last=False)
        return 0

    def _client(self, remote: str) -> str | None:
        address = _client_address(remote)
        exempt = address is None or (self._exempt_loopback and address.is_loopback) or any(
            address in network for network in self._exempt)
        client = None if exempt else str(address)
        if len(self._clients) >= self._limit:
            self._clients.clear()
        self._clients[remote] = client
        return client


def is_conditional(headers: Mapping[str, str]) -> bool:
    """Whether a request may be answered ``304``: it names what the client holds."""
    return "If-None-Match" in headers or "If-Modified-Since" in headers


def poll_gate(config: SiteConfig, *, exempt_loopback: bool = True) -> PollGate:
    """The gate ``config`` asks for: ``server.min_poll_interval``, at most half of
    ``site.cache_max_age``, so that a reader polling once every ``max-age``, its timer
    early or not, is never refused. Loopback is exempt unless ``exempt_loopback`` is
    false (for a test, whose clients are all on loopback)."""
    return PollGate(min(config.min_poll_interval, config.cache_max_age / 2), config.poll_exempt,
                    exempt_loopback=exempt_loopback)


def _client_address(remote: str) -> IPv4Address | IPv6Address | None:
    """The client's address, an IPv4 one as such when a dual-stack socket wrote it as
    IPv6 (``::ffff:127.0.0.1`` is loopback too); None when ``remote`` is no address."""
    try:
        address = ip_address(remote)
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
