"""The hub's state shared in PostgreSQL: subscriptions every instance sees, topics
compared once between instances at different points of the changes log, and
notifications claimed by one instance at a time, taken over when a claim runs out.

The first tests drive :class:`SharedWebSubStore` directly, as several instances
would; the last runs two instances in-process on one database, with a real
subscriber."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import replace

import psycopg
import pytest

from feedsrv import store
from feedsrv.errors import DatabaseError
from feedsrv.store import Position
from feedsrv.web import create_app
from feedsrv.websub import WEBSUB
from feedsrv.websub.shared import SharedWebSubStore
from feedsrv.websub.store import DELIVER, HeldVerification, Subscription, SubscriptionLimits
from livetools import STARTING_ARTICLES, article, wait_until
from test_serve_db import import_dir, start_site, write_articles
from websubtools import TOPIC, Subscriber, hub_config

TOKEN = "test-token-for-the-publishing-api"
OTHER_TOPIC = "http://127.0.0.1:8080/feeds/all.rss"
LIMITS = SubscriptionLimits(per_topic=2, per_host=10, total=10)


@pytest.fixture
def migrated(database_url: str) -> str:
    with store.connect(database_url) as connection:
        store.upgrade(connection, "test")
    return database_url


class At:
    """A settable position along the changes log, as an instance's reader gives it."""

    def __init__(self, position: Position = (0, 0)) -> None:
        self.position = position

    def __call__(self) -> Position:
        return self.position


Instance = Callable[..., SharedWebSubStore]


@pytest.fixture
def instance(migrated: str) -> Iterator[Instance]:
    """Makes the stores of instances on the test's database, closed at the end."""
    made: list[SharedWebSubStore] = []

    def make(name: str, at: Callable[[], Position] | None = None, *, claim_seconds: float = 30.0,
             url: str = migrated) -> SharedWebSubStore:
        made.append(SharedWebSubStore(url, position=at or At(), claim_seconds=claim_seconds, name=name))
        return made[-1]

    yield make
    for shared in made:
        shared.close()


def subscription(callback: str, topic: str = TOPIC, *, lease: int = 3600, secret: str | None = None) -> Subscription:
    return Subscription(callback=callback, topic=topic, secret=secret, lease_seconds=lease,
                        expires_at=time.time() + lease, host="203.0.113.9")


def test_a_subscription_made_through_one_instance_is_known_to_all_and_counts_against_caps(instance: Instance) -> None:
    a, b = instance("a"), instance("b")
    assert a.subscribe(subscription("https://sub.example/1", secret="s3cret"), {TOPIC: "e1"},
                       limits=LIMITS, now=time.time()) is None
    seen = b.subscription("https://sub.example/1", TOPIC)
    assert seen is not None and seen.secret == "s3cret" and seen.host == "203.0.113.9"
    assert 3590 < seen.expires_at - time.time() <= 3600
    assert b.subscribe(subscription("https://sub.example/2"), {}, limits=LIMITS, now=time.time()) is None
    assert a.subscribe(subscription("https://sub.example/3"), {}, limits=LIMITS, now=time.time()) == "topic"
    # A renewal takes no new place.
    assert a.subscribe(subscription("https://sub.example/2", lease=7200), {}, limits=LIMITS, now=time.time()) is None
    assert [s.callback for s in b.subscriptions(time.time())] == ["https://sub.example/1", "https://sub.example/2"]
    assert b.unsubscribe("https://sub.example/1", TOPIC)
    assert a.subscription("https://sub.example/1", TOPIC) is None
    assert b.topics() == {TOPIC: "e1"}


def test_an_expired_subscription_is_purged_by_any_instance(instance: Instance) -> None:
    a, b = instance("a"), instance("b")
    a.subscribe(subscription("https://sub.example/1", lease=1), {TOPIC: "e1"})
    a.subscribe(subscription("https://sub.example/2"), {})
    time.sleep(1.1)
    assert [s.callback for s in b.subscriptions(time.time())] == ["https://sub.example/2"]
    assert b.purge_expired(time.time()) == 1
    assert a.subscription("https://sub.example/1", TOPIC) is None


def test_a_change_is_queued_once_however_many_instances_note_it(instance: Instance) -> None:
    at_a, at_b, at_c = At((3, 3)), At((3, 3)), At((3, 3))
    a, b, c = instance("a", at_a), instance("b", at_b), instance("c", at_c)
    a.subscribe(subscription("https://sub.example/1"), {TOPIC: "e1", OTHER_TOPIC: "r1"})
    a.subscribe(subscription("https://sub.example/2"), {})
    assert a.note_topics({TOPIC: "e1", OTHER_TOPIC: "r1"}, time.time()) == []
    at_a.position = at_b.position = (4, 4)
    assert a.note_topics({TOPIC: "e2", OTHER_TOPIC: "r1"}, time.time()) == [TOPIC]
    assert b.note_topics({TOPIC: "e2", OTHER_TOPIC: "r1"}, time.time()) == []
    # C has not applied change 4 yet: its older bytes neither go back on record
    # nor count as a change.
    assert c.note_topics({TOPIC: "e1", OTHER_TOPIC: "r1"}, time.time()) == []
    assert a.topics() == {TOPIC: "e2", OTHER_TOPIC: "r1"}
    assert a.pending() == 2, "one delivery to each subscriber"
    at_c.position = (4, 4)
    assert c.note_topics({TOPIC: "e2", OTHER_TOPIC: "r1"}, time.time()) == []
    assert c.pending() == 2


def test_a_claimed_notification_is_sent_by_one_instance_and_taken_over_when_the_claim_runs_out(
        instance: Instance) -> None:
    a = instance("a", claim_seconds=0.5)
    b = instance("b")
    a.subscribe(subscription("https://sub.example/1"), {TOPIC: "e1"})
    a.note_topics({TOPIC: "e2"}, time.time())
    [job], _ = a.due(DELIVER, time.time(), 16)
    assert (job.target, job.topic, job.version, job.attempts) == ("https://sub.example/1", TOPIC, 1, 0)
    assert job.subscription is not None and job.subscription.callback == "https://sub.example/1"
    jobs, next_due = b.due(DELIVER, time.time(), 16)
    assert jobs == [], "claimed by a"
    assert next_due is not None and 0 < next_due - time.time() <= 0.5, "when a's claim runs out"
    # A dies without a word; its claim runs out and b takes the job.
    time.sleep(0.6)
    [taken], _ = b.due(DELIVER, time.time(), 16)
    assert taken.key == job.key and taken.version == job.version
    assert b.finish(taken)
    assert b.pending() == 0
    assert not a.finish(job), "sent already"


def test_a_notification_is_sent_only_by_an_instance_as_far_along_as_the_one_that_queued_it(instance: Instance) -> None:
    at_a, at_b = At((5, 5)), At((4, 4))
    a, b = instance("a", at_a), instance("b", at_b)
    a.subscribe(subscription("https://sub.example/1"), {TOPIC: "e1"})
    assert a.note_topics({TOPIC: "e2"}, time.time()) == [TOPIC]
    assert b.due(DELIVER, time.time(), 16)[0] == [], "b would send the feed without change 5"
    at_b.position = (5, 3)
    assert b.due(DELIVER, time.time(), 16)[0] == [], "b has change 5 but may lack change 4"
    at_b.position = (6, 5)
    [job], _ = b.due(DELIVER, time.time(), 16)
    assert job.topic == TOPIC


def test_a_change_during_a_send_releases_the_row_to_be_sent_again(instance: Instance) -> None:
    at = At((1, 1))
    a, b = instance("a", at), instance("b", at)
    a.subscribe(subscription("https://sub.example/1"), {TOPIC: "e1"})
    a.note_topics({TOPIC: "e2"}, time.time())
    [job], _ = a.due(DELIVER, time.time(), 16)
    at.position = (2, 2)
    assert b.note_topics({TOPIC: "e3"}, time.time()) == [TOPIC]
    assert b.due(DELIVER, time.time(), 16)[0] == [], "still a's while it sends"
    assert not a.finish(job), "the newer change is still owed"
    [again], _ = b.due(DELIVER, time.time(), 16)
    assert (again.version, again.attempts) == (2, 0)


def test_a_retry_releases_the_claim_and_waits_on_the_database_clock(instance: Instance) -> None:
    a, b = instance("a"), instance("b")
    a.subscribe(subscription("https://sub.example/1"), {TOPIC: "e1"})
    a.note_topics({TOPIC: "e2"}, time.time())
    [job], _ = a.due(DELIVER, time.time(), 16)
    a.retry(job, time.time() + 0.4)
    jobs, next_due = b.due(DELIVER, time.time(), 16)
    assert jobs == [] and next_due is not None and 0.2 < next_due - time.time() <= 0.4
    time.sleep(0.45)
    [again], _ = b.due(DELIVER, time.time(), 16)
    assert again.attempts == 1
    # Postponed by a rate limit, not attempted: no attempt counted.
    b.retry(again, time.time(), attempted=False)
    [third], _ = a.due(DELIVER, time.time(), 16)
    assert third.attempts == 1


def test_an_unreachable_database_raises_a_database_error_naming_it(migrated: str, instance: Instance) -> None:
    with psycopg.connect(migrated) as connection:
        port = connection.info.port
    lost = instance("a", url=f"postgresql://127.0.0.1:{port + 1}/nowhere?connect_timeout=2")
    with pytest.raises(DatabaseError, match=f"127.0.0.1:{port + 1}/nowhere"):
        lost.pending()


async def test_subscribed_through_one_instance_notified_once_of_a_change_made_through_another(
        aiohttp_client, aiohttp_server, database_url: str, tmp_path) -> None:
    config = replace(hub_config(tmp_path), api_token=TOKEN, parse_cache=None)
    import_dir(database_url, write_articles(tmp_path / "first", STARTING_ARTICLES), config)
    clients = []
    for name in ("a", "b"):
        reader, site = start_site(database_url, config)
        own = replace(config, websub=replace(config.websub, database=tmp_path / name / "unused.sqlite3"))
        clients.append(await aiohttp_client(create_app(own, site=site, store=reader)))
    a, b = clients
    subscriber = Subscriber()
    server = await aiohttp_server(subscriber.app())
    callback = str(server.make_url("/callback/1"))

    response = await a.post("/websub", data={"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.callback": callback})
    assert response.status == 202
    await a.app[WEBSUB].hub.wait_idle()
    assert len(subscriber.verifications) == 1

    response = await b.post("/api/articles", data=article("Delta", author="Dana Weber", outlet="Civic Ledger"),
                            headers={"Authorization": f"Bearer {TOKEN}", "X-Slug": "delta"})
    assert response.status == 201

    async def notified() -> bool:
        return len(subscriber.notifications) >= 1

    await wait_until(notified, limit=5)
    # Both instances noted the change: one delivery between them, and no second
    # one after a while.
    await asyncio.sleep(1.5)
    assert len(subscriber.notifications) == 1
    assert b"Delta" in subscriber.notifications[0].body
    sent = [client.app[WEBSUB].distributor.stats.sent for client in clients]
    assert sorted(sent) == [0, 1]
    assert not (tmp_path / "a" / "unused.sqlite3").exists(), "the hub's state is the database's"

    # Unsubscribed through B: nothing more reaches it.
    response = await b.post("/websub", data={"hub.mode": "unsubscribe", "hub.topic": TOPIC, "hub.callback": callback})
    assert response.status == 202
    await b.app[WEBSUB].hub.wait_idle()
    response = await a.post("/api/articles", data=article("Epsilon", author="Elif Usman", outlet="Civic Ledger"),
                            headers={"Authorization": f"Bearer {TOKEN}", "X-Slug": "epsilon"})
    assert response.status == 201
    await asyncio.sleep(1.0)
    assert len(subscriber.notifications) == 1


def test_a_request_whose_instance_died_before_checking_it_is_taken_over_once_its_claim_runs_out(
        instance: Instance) -> None:
    a = instance("a", claim_seconds=0.5)
    b = instance("b")
    held = HeldVerification(mode="subscribe", callback="https://sub.example/1", topic=TOPIC, lease_seconds=600,
                            secret="s3cret", reason=None, host="203.0.113.9")
    number = a.hold_verification(held)
    assert b.claim_verifications(10, max_attempts=3) == [], "a is checking it"
    time.sleep(0.6)
    assert b.claim_verifications(10, max_attempts=3) == [(number, held)]
    assert b.claim_verifications(10, max_attempts=3) == [], "b is checking it now"
    b.end_verification(number)
    time.sleep(0.1)
    assert a.claim_verifications(10, max_attempts=3) == []


def test_a_request_taken_over_too_often_is_dropped(instance: Instance) -> None:
    a = instance("a", claim_seconds=0.1)
    a.hold_verification(HeldVerification(mode="denied", callback="https://sub.example/1", topic=TOPIC,
                                         lease_seconds=None, secret=None, reason="unknown topic", host="h"))
    time.sleep(0.15)
    assert len(a.claim_verifications(10, max_attempts=2)) == 1
    time.sleep(0.15)
    assert a.claim_verifications(10, max_attempts=2) == []
    assert a.claim_verifications(10, max_attempts=5) == [], "deleted, not kept"


async def test_an_instance_checks_the_requests_a_dead_one_accepted(
        aiohttp_client, aiohttp_server, database_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("feedsrv.websub.hub.RECOVERY_POLL_SECONDS", 0.2)
    config = replace(hub_config(tmp_path), parse_cache=None)
    import_dir(database_url, write_articles(tmp_path / "first", STARTING_ARTICLES), config)
    subscriber = Subscriber()
    server = await aiohttp_server(subscriber.app())
    callback = str(server.make_url("/callback/1"))
    # What an instance killed after its 202 leaves: the request, claimed by it.
    dead = SharedWebSubStore(database_url, position=At(), claim_seconds=0.1, name="dead")
    dead.hold_verification(HeldVerification(mode="subscribe", callback=callback, topic=TOPIC, lease_seconds=7200,
                                            secret=None, reason=None, host="127.0.0.1"))
    dead.close()
    reader, site = start_site(database_url, config)
    client = await aiohttp_client(create_app(config, site=site, store=reader))

    async def subscribed() -> bool:
        return await asyncio.to_thread(client.app[WEBSUB].store.subscription, callback, TOPIC) is not None

    await wait_until(subscribed, limit=5)
    [verification] = subscriber.verifications
    assert verification.query["hub.mode"] == "subscribe"
    assert verification.query["hub.lease_seconds"] == "7200"
    with psycopg.connect(database_url) as connection:
        assert connection.execute("SELECT count(*) FROM websub_verifications").fetchone() == (0,)
