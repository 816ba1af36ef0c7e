"""The statistics store: what several processes' flushes add up to, the daily salt,
retention, the collector's bounds, and the same in PostgreSQL."""

from __future__ import annotations

import multiprocessing
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from feedsrv import store
from feedsrv.stats import StatsCollector, StatsReader, StatsSource, StatsStore

FEED = "/feeds/all.atom"
DAY = 86_400
# Noon of 2026-03-10 (UTC), and the days around it.
NOON = datetime(2026, 3, 10, 12, tzinfo=UTC).timestamp()
TENTH, ELEVENTH = date(2026, 3, 10), date(2026, 3, 11)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _collector(clock: Clock, **bounds: int) -> StatsCollector:
    return StatsCollector(clock=clock, **bounds)


def _fetch(collector: StatsCollector, client: str, *, status: int = 200, path: str = FEED,
           user_agent: str = "reader/1.0") -> None:
    collector.served(path, status, 0 if status == 304 else 800, 3000, 800, client, user_agent)


def test_two_processes_flushing_into_one_file_add_up(tmp_path: Path) -> None:
    clock = Clock(NOON)
    first, second = _collector(clock), _collector(clock)
    for client in ("192.0.2.1", "192.0.2.2"):
        _fetch(first, client)
    for client in ("192.0.2.2", "192.0.2.3"):
        _fetch(second, client, status=304)
    _fetch(first, "", user_agent="Feedly/1.0 (+http://www.feedly.com/fetcher.html; 120 subscribers)")
    clock.now += 60
    _fetch(second, "", user_agent="Feedly/1.0 (+http://www.feedly.com/fetcher.html; 125 subscribers)",
           status=304)
    path = tmp_path / "stats.sqlite3"
    # Two stores on one file, as two workers have; the later report flushed first.
    StatsStore(path=path).write(second.drain(), {}, clock.now)
    StatsStore(path=path).write(first.drain(), {FEED: 4}, clock.now)
    (feed,) = StatsStore(path=path).report(TENTH, TENTH).feeds
    (day,) = feed.days
    assert (day.requests, day.full, day.not_modified) == (6, 3, 3)
    assert (day.bytes_sent, day.bytes_saved_not_modified, day.bytes_saved_compression) == (2400, 2400, 6600)
    # The union of both processes' clients: 192.0.2.2 fetched from both.
    assert day.direct_subscribers == 3
    assert day.aggregator_subscribers == (("Feedly", 125),)
    assert day.websub_subscribers == 4
    # The hub's next snapshot replaces the day's: the subscriptions ran out.
    StatsStore(path=path).write([], {}, clock.now)
    assert StatsStore(path=path).report(TENTH, TENTH).feeds[0].days[0].websub_subscribers == 0
    StatsStore(path=path).write([], None, clock.now)
    assert StatsStore(path=path).report(TENTH, TENTH).feeds[0].days[0].websub_subscribers == 0


def _flush_at_the_barrier(path: Path, barrier: Any, client: str) -> None:
    collector = _collector(Clock(NOON))
    _fetch(collector, client)
    barrier.wait()
    StatsStore(path=path).write(collector.drain(), {}, NOON)


def test_two_processes_making_the_file_at_once_both_flush(tmp_path: Path) -> None:
    # Two workers' first flushes on a file neither has made: SQLite told one of them
    # "database is locked" at once while the other switched it to WAL.
    context = multiprocessing.get_context("spawn")
    for attempt in range(6):
        path = tmp_path / f"stats-{attempt}.sqlite3"
        barrier = context.Barrier(2)
        workers = [context.Process(target=_flush_at_the_barrier, args=(path, barrier, f"192.0.2.{n}"))
                   for n in (1, 2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert [worker.exitcode for worker in workers] == [0, 0]
        (feed,) = StatsStore(path=path).report(TENTH, TENTH).feeds
        assert (feed.days[0].requests, feed.days[0].direct_subscribers) == (2, 2)


def test_a_finished_day_is_collapsed_and_its_salt_deleted(tmp_path: Path) -> None:
    path = tmp_path / "stats.sqlite3"
    stats = StatsStore(path=path)
    clock = Clock(NOON)
    collector = _collector(clock)
    _fetch(collector, "192.0.2.1")
    stats.write(collector.drain(), {}, clock.now)
    clock.now += DAY
    _fetch(collector, "192.0.2.1")
    with sqlite3.connect(path) as db:
        (first_digest,) = db.execute("SELECT client FROM stats_clients WHERE day = '2026-03-10'").fetchone()
    stats.write(collector.drain(), {}, clock.now)
    with sqlite3.connect(path) as db:
        stored = db.execute("SELECT day, client FROM stats_clients").fetchall()
        salts = [day for (day,) in db.execute("SELECT day FROM stats_salts")]
        direct = db.execute("SELECT day, subscribers FROM stats_direct").fetchall()
    # The same client, another day: another digest; the day before's is a count now.
    assert [day for day, _ in stored] == ["2026-03-11"]
    assert stored[0][1] != first_digest
    assert salts == ["2026-03-11"]
    assert direct == [("2026-03-10", 1)]
    days = StatsStore(path=path).report(TENTH, ELEVENTH).feeds[0].days
    assert [(day.day, day.direct_subscribers) for day in days] == [(TENTH, 1), (ELEVENTH, 1)]


def test_counts_of_a_collapsed_day_flushed_late_are_added(tmp_path: Path) -> None:
    path = tmp_path / "stats.sqlite3"
    clock = Clock(NOON)
    early, late = _collector(clock), _collector(clock)
    _fetch(early, "192.0.2.1")
    _fetch(late, "192.0.2.2")
    StatsStore(path=path).write(early.drain(), {}, clock.now + DAY)
    # This worker counted on the 10th and flushes once the 10th is collapsed.
    StatsStore(path=path).write(late.drain(), {}, clock.now + DAY)
    (feed,) = StatsStore(path=path).report(TENTH, TENTH).feeds
    assert feed.days[0].direct_subscribers == 2


def test_midnight_splits_the_counts_into_days() -> None:
    clock = Clock(datetime(2026, 3, 10, 23, 59, 59, tzinfo=UTC).timestamp())
    collector = _collector(clock)
    _fetch(collector, "192.0.2.1")
    clock.now += 2
    _fetch(collector, "192.0.2.1")
    _fetch(collector, "192.0.2.2")
    batches = collector.drain()
    assert [(batch.day, batch.traffic[FEED].requests, len(batch.clients)) for batch in batches] == [
        (TENTH, 1, 1), (ELEVENTH, 2, 2)]
    assert collector.drain() == []


def test_days_past_the_retention_are_deleted(tmp_path: Path) -> None:
    path = tmp_path / "stats.sqlite3"
    stats = StatsStore(path=path, retention_days=3)
    clock = Clock(NOON)
    collector = _collector(clock)
    inoreader = "Inoreader/1.0 (+http://www.inoreader.com/feed-fetcher; 3 subscribers; )"
    for _ in range(5):
        _fetch(collector, "192.0.2.1", user_agent=inoreader)
        _fetch(collector, "192.0.2.1")
        stats.write(collector.drain(), {FEED: 1}, clock.now)
        clock.now += DAY
    (feed,) = stats.report(date(2026, 3, 1), date(2026, 3, 31)).feeds
    # The 14th was the last day written: it and the two days before it are kept.
    assert [day.day.day for day in feed.days] == [12, 13, 14]
    with sqlite3.connect(path) as db:
        for table in ("stats_traffic", "stats_direct", "stats_aggregators", "stats_websub"):
            assert {day for (day,) in db.execute(f"SELECT day FROM {table}")} <= {
                "2026-03-12", "2026-03-13", "2026-03-14"}, table


def test_the_clients_in_memory_are_bounded() -> None:
    calls = []
    collector = StatsCollector(max_clients=3, max_aggregators=2, on_full=lambda: calls.append(True),
                               clock=Clock(NOON))
    for number in range(5):
        _fetch(collector, f"192.0.2.{number}")
    for number in range(4):
        _fetch(collector, "", user_agent=f"Agg{number}/1.0 (+https://agg.example; 5 subscribers)")
    assert calls == [True], "the server is told to flush once, when the set fills"
    assert collector.dropped == 2 + 2
    (batch,) = collector.drain()
    assert len(batch.clients) == 3 and len(batch.aggregators) == 2
    # Every request is counted, whether its client had room or not.
    assert batch.traffic[FEED].requests == 9
    # After the flush there is room again.
    _fetch(collector, "192.0.2.9")
    assert len(collector.drain()[0].clients) == 1


def test_no_file_is_made_for_nothing(tmp_path: Path) -> None:
    path = tmp_path / "stats.sqlite3"
    StatsStore(path=path).write([], {}, NOON)
    assert not path.exists()
    assert StatsStore(path=path).report(TENTH, TENTH).feeds == ()


def test_the_figures_flush_to_and_read_from_postgresql(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as connection:
        store.upgrade(connection, "test")
    clock = Clock(NOON)
    first, second = _collector(clock), _collector(clock)
    _fetch(first, "192.0.2.1")
    _fetch(second, "192.0.2.1", status=304)
    _fetch(second, "192.0.2.2")
    _fetch(first, "", user_agent="NewsBlur Feed Fetcher - 12 subscribers - https://www.newsblur.com/site/1/x")
    _fetch(first, "", user_agent="NewsBlur Feed Fetcher - 5 subscribers - https://www.newsblur.com/site/2/y")
    shared, other = StatsStore(url=database_url), StatsStore(url=database_url)
    other.write(first.drain(), {FEED: 2}, clock.now)
    other.close()
    # Both instances see the same hub: the same snapshot.
    shared.write(second.drain(), {FEED: 2}, clock.now)
    (feed,) = shared.report(TENTH, TENTH).feeds
    (day,) = feed.days
    assert (day.requests, day.full, day.not_modified, day.direct_subscribers, day.websub_subscribers) == (
        5, 4, 1, 2, 2)
    assert day.aggregator_subscribers == (("NewsBlur", 17),)
    # The next day: the 10th collapsed to a count, its digests and salt gone.
    clock.now += DAY
    _fetch(first, "192.0.2.1")
    shared.write(first.drain(), {}, clock.now)
    with psycopg.connect(database_url) as connection:
        assert connection.execute("SELECT day FROM stats_salts").fetchall() == [(ELEVENTH,)]
        assert connection.execute("SELECT day, subscribers FROM stats_direct").fetchall() == [(TENTH, 2)]
    days = shared.report(TENTH, ELEVENTH).feeds[0].days
    assert [(day.day, day.direct_subscribers) for day in days] == [(TENTH, 2), (ELEVENTH, 1)]
    shared.close()


def test_a_database_without_the_schema_is_an_error_naming_it(database_url: str) -> None:
    from feedsrv.errors import DatabaseError

    with pytest.raises(DatabaseError, match=r"statistics: relation \"stats_traffic\" does not exist"):
        StatsStore(url=database_url).report(TENTH, TENTH)


async def test_the_reader_is_a_stats_source_reading_in_a_thread(tmp_path: Path) -> None:
    path = tmp_path / "stats.sqlite3"
    clock = Clock(NOON)
    collector = _collector(clock)
    _fetch(collector, "192.0.2.1")
    StatsStore(path=path).write(collector.drain(), {}, clock.now)
    source: StatsSource = StatsReader(StatsStore(path=path))
    report = await source.report(TENTH, ELEVENTH)
    assert (report.since, report.until) == (TENTH, ELEVENTH)
    assert [(feed.path, [day.requests for day in feed.days]) for feed in report.feeds] == [(FEED, [1])]
