"""Counting in the request path: plain dict and int updates, drained at each flush.

A served feed document costs a clock read, a few dict lookups and int additions,
and, for a client not seen yet in the interval, one set insertion of its address
and User-Agent as they are: hashing waits for the flush (:mod:`.store`), which runs
in a thread. What is counted is bounded whatever the clients do:

- at most ``max_clients`` distinct (feed, address, User-Agent) per interval: reaching
  it calls ``on_full`` (the server flushes at once), and a client past it waits for
  the next interval to be counted; at the default 20,000, with User-Agents cut to
  :data:`MAX_USER_AGENT` characters, 12 MiB at worst (docs/benchmarks.md,
  "Statistics");
- at most ``max_aggregators`` (feed, aggregator, feed id) per interval, 4 MiB with
  the User-Agents remembered; more are dropped until the next;
- the User-Agents read are remembered (:data:`PARSED_AGENTS`), started afresh when full.

Everything counted is the day's (UTC) it happened on: at midnight the interval's
figures so far are set aside as the day before's.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from .agents import AggregatorReport, parse_user_agent

DAY_SECONDS = 86_400
MAX_CLIENTS = 20_000
MAX_AGGREGATORS = 10_000
# User-Agents parsed, kept with their report: aggregators and readers repeat theirs.
PARSED_AGENTS = 4096
# A User-Agent longer than this is cut before being kept as part of a client: what
# tells two clients apart is in its first few hundred characters.
MAX_USER_AGENT = 256

# What a User-Agent reporting no count is remembered as: one lookup tells a known
# User-Agent from a new one.
_NO_REPORT = AggregatorReport("", 0, "")

# The counters of one feed on one day, in Traffic order.
_REQUESTS, _FULL, _NOT_MODIFIED, _REFUSED, _SENT, _SAVED_NOT_MODIFIED, _SAVED_COMPRESSION = range(7)


@dataclass(frozen=True, slots=True)
class Traffic:
    """What serving one feed on one day took and spared."""

    requests: int = 0
    full: int = 0
    not_modified: int = 0
    refused: int = 0
    bytes_sent: int = 0
    bytes_saved_not_modified: int = 0
    bytes_saved_compression: int = 0


@dataclass(frozen=True, slots=True)
class Batch:
    """The figures of one day counted since the last flush.

    ``clients`` are (feed, address, User-Agent) of the direct subscribers, still raw:
    the store hashes them with the day's salt and keeps only that.
    ``aggregators`` maps (feed, aggregator, feed id) to the latest count reported
    and the time (Unix seconds) it was."""

    day: date
    traffic: Mapping[str, Traffic]
    clients: frozenset[tuple[str, str, str]]
    aggregators: Mapping[tuple[str, str, str], tuple[int, float]]


class _Day:
    """One day's counts in the making."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.traffic: dict[str, list[int]] = {}
        self.clients: set[tuple[str, str, str]] = set()
        self.aggregators: dict[tuple[str, str, str], tuple[int, float]] = {}

    def batch(self) -> Batch:
        return Batch(date.fromordinal(date(1970, 1, 1).toordinal() + self.number),
                     {path: Traffic(*counts) for path, counts in self.traffic.items()},
                     frozenset(self.clients), dict(self.aggregators))

    @property
    def empty(self) -> bool:
        return not self.traffic and not self.aggregators


class StatsCollector:
    """The figures one server process counted since its last flush; used in the
    event loop only."""

    def __init__(self, *, max_clients: int = MAX_CLIENTS, max_aggregators: int = MAX_AGGREGATORS,
                 on_full: Callable[[], None] = lambda: None, clock: Callable[[], float] = time.time) -> None:
        self.max_clients = max_clients
        self.max_aggregators = max_aggregators
        # Clients and aggregator reports not counted for want of room, since start.
        self.dropped = 0
        self._on_full = on_full
        self._clock = clock
        self._agents: dict[str, AggregatorReport | None] = {}
        now = clock()
        self._today = _Day(int(now // DAY_SECONDS))
        self._tomorrow_at = (self._today.number + 1) * DAY_SECONDS
        self._earlier: list[_Day] = []

    def served(self, path: str, status: int, sent: int, identity: int, coded: int,
               remote: str | None, user_agent: str) -> None:
        """Count a ``200`` or ``304`` of the feed document at ``path``: ``sent`` body
        bytes, ``identity`` the document's uncoded size, ``coded`` the size of the
        body in the coding chosen (what a ``304`` spared)."""
        if self._clock() >= self._tomorrow_at:
            self._next_day()
        day = self._today
        counts = day.traffic.get(path) or self._new_counts(day, path)
        counts[_REQUESTS] += 1
        if status == 304:
            counts[_NOT_MODIFIED] += 1
            counts[_SAVED_NOT_MODIFIED] += coded
        else:
            counts[_FULL] += 1
            counts[_SENT] += sent
            if sent:
                counts[_SAVED_COMPRESSION] += identity - sent
        self._client(day, path, remote, user_agent)

    def refused(self, path: str, remote: str | None, user_agent: str) -> None:
        """Count a ``429`` of polite polling: a request, and a subscriber all the same."""
        if self._clock() >= self._tomorrow_at:
            self._next_day()
        day = self._today
        counts = day.traffic.get(path) or self._new_counts(day, path)
        counts[_REQUESTS] += 1
        counts[_REFUSED] += 1
        self._client(day, path, remote, user_agent)

    def drain(self) -> list[Batch]:
        """The figures counted since the last drain, one batch a day, oldest first;
        counting starts afresh."""
        if self._clock() >= self._tomorrow_at:
            self._next_day()
        days = [*self._earlier, self._today]
        self._earlier = []
        self._today = _Day(self._today.number)
        return [day.batch() for day in days if not day.empty]

    def _next_day(self) -> None:
        self._earlier.append(self._today)
        self._today = _Day(int(self._clock() // DAY_SECONDS))
        self._tomorrow_at = (self._today.number + 1) * DAY_SECONDS

    @staticmethod
    def _new_counts(day: _Day, path: str) -> list[int]:
        # Interned: every client's key shares one copy of the path.
        counts = day.traffic[sys.intern(path)] = [0] * 7
        return counts

    def _client(self, day: _Day, path: str, remote: str | None, user_agent: str) -> None:
        report = self._agents.get(user_agent)
        if report is None:
            report = self._read_agent(user_agent)
        if report is not _NO_REPORT:
            # The latest report wins: an aggregator's polls are never added up.
            key = (path, report.aggregator, report.feed_id)
            aggregators = day.aggregators
            if key in aggregators or len(aggregators) < self.max_aggregators:
                aggregators[key] = (report.subscribers, self._clock())
            else:
                self.dropped += 1
            return
        clients = day.clients
        client = (path, remote or "", user_agent[:MAX_USER_AGENT])
        if client in clients:
            return
        if len(clients) >= self.max_clients:
            self.dropped += 1
            return
        clients.add(client)
        if len(clients) == self.max_clients:
            self._on_full()

    def _read_agent(self, user_agent: str) -> AggregatorReport:
        agents = self._agents
        if len(agents) >= PARSED_AGENTS:
            agents.clear()
        report = agents[user_agent] = parse_user_agent(user_agent) or _NO_REPORT
        return report
