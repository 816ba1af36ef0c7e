"""WebSub end to end: feedsrv in-process with its built-in hub, and real subscribers
(aiohttp servers on loopback) that subscribe, are verified and get notified when an
article is dropped into the directory or published through the API, across
restarts, failures and retries; denial, refused callbacks, leases; an external hub."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import replace

import pytest

from feedcheck import parse_with_feedparser, validate_json_feed
from feedsrv.web import LIVE, create_app
from feedsrv.websub import WEBSUB
from feedsrv.websub.store import WebSubStore
from livetools import LATENCY_LIMIT, article, replace_file, wait_until
from websubtools import FORM, TOPIC, FakeHub, Subscriber, hub_config, signature_is_valid

TOKEN = "test-token-for-the-publishing-api"
HUB = "http://127.0.0.1:8080/websub"


async def subscribe(client, callback: str, topic: str = TOPIC, *, mode: str = "subscribe", **extra: str):
    """POST a subscription request to the built-in hub and wait for its verification."""
    data = {"hub.mode": mode, "hub.topic": topic, "hub.callback": callback,
            **{f"hub.{name}": value for name, value in extra.items()}}
    response = await client.post("/websub", data=data)
    await client.app[WEBSUB].hub.wait_idle()
    return response


async def subscription(client, callback: str, topic: str = TOPIC):
    return await asyncio.to_thread(client.app[WEBSUB].store.subscription, callback, topic)


async def arrived(received: list, count: int) -> bool:
    return len(received) >= count


async def test_a_worker_that_does_not_notify_still_answers_subscription_requests(aiohttp_client, tmp_path):
    app = create_app(hub_config(tmp_path), watch=False, notify=False)
    client = await aiohttp_client(app)
    websub = app[WEBSUB]
    assert websub.hub is not None and websub.distributor is None
    response = await client.post("/websub", data={"hub.mode": "subscribe"})
    assert response.status == 400


async def test_feeds_advertise_the_hub_and_themselves(aiohttp_client, tmp_path):
    client = await aiohttp_client(create_app(hub_config(tmp_path), watch=False))
    for extension in ("atom", "rss", "json"):
        topic = f"http://127.0.0.1:8080/feeds/topics/syria.{extension}"
        for method in ("GET", "HEAD"):
            response = await client.request(method, f"/feeds/topics/syria.{extension}")
            assert response.headers["Link"] == f'<{HUB}>; rel="hub", <{topic}>; rel="self"'
        body = await (await client.get(f"/feeds/topics/syria.{extension}")).read()
        if extension == "json":
            assert validate_json_feed(body)["hubs"] == [{"type": "WebSub", "url": HUB}]
        else:
            links = {(link.rel, link.href) for link in parse_with_feedparser(body).feed.links}
            assert {("hub", HUB), ("self", topic)} <= links
    # Pages are no topics.
    assert "Link" not in (await client.get("/topics/syria")).headers


async def test_a_subscriber_is_notified_of_a_dropped_article_and_of_one_published_through_the_api(
        aiohttp_client, aiohttp_server, tmp_path):
    config = replace(hub_config(tmp_path), api_token=TOKEN)
    client = await aiohttp_client(create_app(config))
    subscriber, bystander = Subscriber(), Subscriber()
    subscriber_server = await aiohttp_server(subscriber.app())
    bystander_server = await aiohttp_server(bystander.app())
    callback = str(subscriber_server.make_url("/callback/9f2c1e"))
    other = str(bystander_server.make_url("/callback/gone"))

    response = await subscribe(client, callback, secret="s3cret")
    assert response.status == 202
    [verification] = subscriber.verifications
    assert verification.query["hub.mode"] == "subscribe"
    assert verification.query["hub.topic"] == TOPIC
    assert verification.query["hub.lease_seconds"] == str(config.websub.lease_seconds)
    assert (await subscription(client, callback)).secret == "s3cret"
    # A second subscriber comes and goes: it must receive nothing.
    assert (await subscribe(client, other)).status == 202
    assert (await subscribe(client, other, mode="unsubscribe")).status == 202
    assert [v.query["hub.mode"] for v in bystander.verifications] == ["subscribe", "unsubscribe"]
    assert await subscription(client, other) is None

    latency = {}
    dropped_at = time.monotonic()
    replace_file(config.articles_dir / "delta.txt", article("Delta", author="Dana Weber", outlet="Civic Ledger"))
    await wait_until(lambda: arrived(subscriber.notifications, 1))
    latency["file drop"] = subscriber.notifications[0].at - dropped_at

    published_at = time.monotonic()
    response = await client.post("/api/articles", data=article("Epsilon", author="Elif Usman", outlet="Civic Ledger"),
                                 headers={"Authorization": f"Bearer {TOKEN}", "X-Slug": "epsilon"})
    assert response.status == 201
    await wait_until(lambda: arrived(subscriber.notifications, 2))
    latency["API publish"] = subscriber.notifications[1].at - published_at

    for notification, title in zip(subscriber.notifications, ("Delta", "Epsilon"), strict=True):
        assert notification.path == "/callback/9f2c1e"
        assert notification.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
        assert notification.headers["Link"] == f'<{HUB}>; rel="hub", <{TOPIC}>; rel="self"'
        assert signature_is_valid(notification, "s3cret")
        assert title in [entry.title for entry in parse_with_feedparser(notification.body).entries]
    # The notification is the feed as served.
    assert subscriber.notifications[1].body == await (await client.get("/feeds/all.atom")).read()
    assert bystander.notifications == bystander.attempts == []
    stats = client.app[WEBSUB].distributor.stats
    assert (stats.sent, stats.failed) == (2, 0)
    print("\nFIGURES websub delivery latency: "
          + ", ".join(f"{change} {seconds * 1000:.0f} ms" for change, seconds in latency.items())
          + f"; notifications {stats.sent}, failures {stats.failed}")
    assert max(latency.values()) < LATENCY_LIMIT


async def test_a_notification_still_arrives_after_a_restart(aiohttp_client, aiohttp_server, tmp_path):
    config = hub_config(tmp_path)
    subscriber = Subscriber()
    callback = str((await aiohttp_server(subscriber.app())).make_url("/cb"))
    first = await aiohttp_client(create_app(config))
    assert (await subscribe(first, callback, secret="k")).status == 202
    await first.close()

    second = await aiohttp_client(create_app(config))
    started = time.monotonic()
    replace_file(config.articles_dir / "delta.txt", article("Delta", author="Dana Weber", outlet="Civic Ledger"))
    await wait_until(lambda: arrived(subscriber.notifications, 1))
    assert subscriber.notifications[0].at - started < LATENCY_LIMIT
    assert signature_is_valid(subscriber.notifications[0], "k")
    assert b"Delta" in subscriber.notifications[0].body
    await second.close()


async def test_changes_made_and_deliveries_owed_while_down_go_out_at_the_next_start(
        aiohttp_client, aiohttp_server, tmp_path):
    config = hub_config(tmp_path, retry_initial_seconds=10.0)
    subscriber = Subscriber()
    callback = str((await aiohttp_server(subscriber.app())).make_url("/cb"))
    first = await aiohttp_client(create_app(config))
    await subscribe(first, callback)
    # The subscriber is down: the delivery stays owed (its retry is 10 s away).
    subscriber.failures = 1
    replace_file(config.articles_dir / "delta.txt", article("Delta", author="Dana Weber", outlet="Civic Ledger"))
    await wait_until(lambda: arrived(subscriber.attempts, 1))
    await first.close()
    store = WebSubStore(config.websub.database)
    assert store.pending() == 1
    store.close()
    # And an article arrives while the server is down.
    replace_file(config.articles_dir / "zeta.txt", article("Zeta", author="Dana Weber", outlet="Civic Ledger"))

    second = await aiohttp_client(create_app(config))
    await wait_until(lambda: arrived(subscriber.notifications, 1))
    assert b"Zeta" in subscriber.notifications[0].body and b"Delta" in subscriber.notifications[0].body
    await wait_until(lambda: _nothing_pending(second))
    await asyncio.sleep(0.2)
    assert len(subscriber.notifications) == 1
    await second.close()


async def _nothing_pending(client) -> bool:
    return await asyncio.to_thread(client.app[WEBSUB].store.pending) == 0


async def test_failed_deliveries_are_retried_with_growing_waits(aiohttp_client, aiohttp_server, tmp_path):
    config = hub_config(tmp_path, retry_initial_seconds=0.1, retry_max_seconds=10.0)
    client = await aiohttp_client(create_app(config, watch=False))
    subscriber = Subscriber(failures=3)
    callback = str((await aiohttp_server(subscriber.app())).make_url("/cb"))
    await subscribe(client, callback)
    replace_file(config.articles_dir / "delta.txt", article("Delta", author="Dana Weber", outlet="Civic Ledger"))
    await client.app[LIVE].reload()
    await wait_until(lambda: arrived(subscriber.notifications, 1), limit=5)
    assert len(subscriber.attempts) == 4
    waits = [later.at - earlier.at for earlier, later in itertools.pairwise(subscriber.attempts)]
    # 0.1·2^(n-1) s, less up to half of it for jitter.
    for number, wait in enumerate(waits, start=1):
        nominal = 0.1 * 2 ** (number - 1)
        assert nominal * 0.5 - 0.02 <= wait <= nominal + 0.25, (number, waits)
    # The subscriber has the notification before the hub has its answer: the
    # delivery counts as sent once the hub has nothing pending.
    await wait_until(lambda: _nothing_pending(client))
    stats = client.app[WEBSUB].distributor.stats
    assert (stats.sent, stats.failed, stats.abandoned) == (1, 3, 0)


async def test_a_delivery_is_given_up_after_the_last_attempt_until_the_next_change(
        aiohttp_client, aiohttp_server, tmp_path):
    config = hub_config(tmp_path, max_attempts=2, retry_initial_seconds=0.05)
    client = await aiohttp_client(create_app(config, watch=False))
    subscriber = Subscriber(failures=2)
    callback = str((await aiohttp_server(subscriber.app())).make_url("/cb"))
    await subscribe(client, callback)
    replace_file(config.articles_dir / "delta.txt", article("Delta", author="Dana Weber", outlet="Civic Ledger"))
    await client.app[LIVE].reload()
    await wait_until(lambda: _nothing_pending(client))
    assert (len(subscriber.attempts), subscriber.notifications) == (2, [])
    assert client.app[WEBSUB].distributor.stats.abandoned == 1
    # The subscription lives on (WebSub §7): the next change is delivered.
    replace_file(config.articles_dir / "zeta.txt", article("Zeta", author="Dana Weber", outlet="Civic Ledger"))
    await client.app[LIVE].reload()
    await wait_until(lambda: arrived(subscriber.notifications, 1))


async def test_410_gone_ends_the_subscription(aiohttp_client, aiohttp_server, tmp_path):
    config = hub_config(tmp_path)
    client = await aiohttp_client(create_app(config, watch=False))
    subscriber = Subscriber(status=410)
    callback = str((await aiohttp_server(subscriber.app())).make_url("/cb"))
    await subscribe(client, callback)
    replace_file(config.articles_dir / "delta.txt", article("Delta", author="Dana Weber", outlet="Civic Ledger"))
    await client.app[LIVE].reload()
    await wait_until(lambda: arrived(subscriber.attempts, 1))
    await wait_until(lambda: _nothing_pending(client))
    assert await subscription(client, callback) is None
    assert client.app[WEBSUB].distributor.stats.gone == 1


async def test_an_unknown_topic_is_denied(aiohttp_client, aiohttp_server, tmp_path):
    client = await aiohttp_client(create_app(hub_config(tmp_path), watch=False))
    subscriber = Subscriber()
    callback = str((await aiohttp_server(subscriber.app())).make_url("/cb"))
    # Archive pages and pages are no topics; nor is another site's feed.
    for topic in ("http://127.0.0.1:8080/feeds/nowhere.atom", "http://127.0.0.1:8080/topics/syria",
                  "https://elsewhere.example/feeds/all.atom"):
        response = await subscribe(client, callback, topic)
        assert response.status == 202, await response.text()
    assert subscriber.verifications == []
    assert [denial.query["hub.topic"] for denial in subscriber.denials] == [
        "http://127.0.0.1:8080/feeds/nowhere.atom", "http://127.0.0.1:8080/topics/syria",
        "https://elsewhere.example/feeds/all.atom"]
    assert all(denial.query["hub.reason"] for denial in subscriber.denials)
    assert await asyncio.to_thread(client.app[WEBSUB].store.subscriptions, time.time()) == []


async def test_escaped_unreserved_characters_in_the_topic_are_decoded(aiohttp_client, aiohttp_server, tmp_path):
    client = await aiohttp_client(create_app(hub_config(tmp_path), watch=False))
    subscriber = Subscriber()
    callback = str((await aiohttp_server(subscriber.app())).make_url("/cb"))
    await subscribe(client, callback, "http://127.0.0.1:8080/feeds/%61ll.atom")
    assert subscriber.verifications[0].query["hub.topic"] == TOPIC
    assert await subscription(client, callback) is not None


async def test_only_an_echo_of_the_challenge_confirms(aiohttp_client, aiohttp_server, tmp_path):
    client = await aiohttp_client(create_app(hub_config(tmp_path), watch=False))
    subscriber = Subscriber(confirm=False)
    callback = str((await aiohttp_server(subscriber.app())).make_url("/cb"))
    assert (await subscribe(client, callback)).status == 202
    assert len(subscriber.verifications) == 1
    assert await subscription(client, callback) is None
    # A confirmed subscription is not undone by an unconfirmed unsubscription.
    subscriber.confirm = True
    await subscribe(client, callback)
    subscriber.confirm = False
    await subscribe(client, callback, mode="unsubscribe")
    assert await subscription(client, callback) is not None


async def test_leases_are_bounded_and_a_new_subscription_renews(aiohttp_client, aiohttp_server, tmp_path):
    config = hub_config(tmp_path, min_lease_seconds=600, lease_seconds=900, max_lease_seconds=3600)
    client = await aiohttp_client(create_app(config, watch=False))
    subscriber = Subscriber()
    callback = str((await aiohttp_server(subscriber.app())).make_url("/cb?user=7&hub.extra=kept"))
    granted = []
    for asked in ("5", "1000000", None, "1200"):
        extra = {"lease_seconds": asked} if asked else {}
        before = time.time()
        await subscribe(client, callback, secret=f"secret-{asked}", **extra)
        stored = await subscription(client, callback)
        granted.append(int(subscriber.verifications[-1].query["hub.lease_seconds"]))
        assert stored.lease_seconds == granted[-1]
        assert before + granted[-1] <= stored.expires_at <= time.time() + granted[-1]
        assert stored.secret == f"secret-{asked}"
    assert granted == [600, 3600, 900, 1200]
    # The callback's own query string is kept, the hub's parameters appended.
    query = subscriber.verifications[-1].query
    assert (query["user"], query.getall("hub.extra"), query["hub.mode"]) == ("7", ["kept"], "subscribe")
    assert len(await asyncio.to_thread(client.app[WEBSUB].store.subscriptions, time.time())) == 1


async def test_an_expired_subscription_gets_nothing_and_is_purged(aiohttp_client, aiohttp_server, tmp_path):
    config = hub_config(tmp_path)
    client = await aiohttp_client(create_app(config, watch=False))
    subscriber = Subscriber()
    callback = str((await aiohttp_server(subscriber.app())).make_url("/cb"))
    await subscribe(client, callback)
    store = client.app[WEBSUB].store
    later = time.time() + config.websub.lease_seconds + 1
    assert await asyncio.to_thread(store.subscriptions, later) == []
    assert await asyncio.to_thread(store.purge_expired, later) == 1
    assert await subscription(client, callback) is None
    replace_file(config.articles_dir / "delta.txt", article("Delta", author="Dana Weber", outlet="Civic Ledger"))
    await client.app[LIVE].reload()
    await asyncio.sleep(0.2)
    assert subscriber.attempts == []


@pytest.mark.parametrize(("data", "status", "message"), [
    ({"hub.topic": TOPIC, "hub.callback": "http://127.0.0.1:9/cb"}, 400, "hub.mode"),
    ({"hub.mode": "publish", "hub.topic": TOPIC, "hub.callback": "http://127.0.0.1:9/cb"}, 400, "hub.mode"),
    ({"hub.mode": "subscribe", "hub.topic": TOPIC}, 400, "hub.callback"),
    ({"hub.mode": "subscribe", "hub.callback": "http://127.0.0.1:9/cb"}, 400, "hub.topic"),
    ({"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.callback": "http://127.0.0.1:9/cb",
      "hub.lease_seconds": "ten"}, 400, "hub.lease_seconds"),
    ({"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.callback": "http://127.0.0.1:9/cb",
      "hub.secret": "x" * 200}, 400, "hub.secret"),
    ({"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.callback": "ftp://127.0.0.1/cb"}, 400, "http"),
    ({"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.callback": "http://127.0.0.1:9/cb#x"}, 400, "fragment"),
    ({"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.callback": "http://127.0.0.1:9/a b"}, 400, "ASCII"),
])
async def test_malformed_requests_get_4xx_with_the_reason(aiohttp_client, tmp_path, data, status, message):
    client = await aiohttp_client(create_app(hub_config(tmp_path), watch=False))
    response = await client.post("/websub", data=data)
    assert response.status == status
    assert response.headers["Content-Type"].startswith("text/plain")
    assert message in await response.text()


async def test_a_request_must_be_a_small_form(aiohttp_client, tmp_path):
    client = await aiohttp_client(create_app(hub_config(tmp_path), watch=False))
    assert (await client.post("/websub", json={"hub.mode": "subscribe"})).status == 415
    huge = "hub.mode=subscribe&padding=" + "x" * 10_000
    assert (await client.post("/websub", data=huge, headers={"Content-Type": FORM})).status == 413
    assert (await client.get("/websub")).status == 405


@pytest.mark.parametrize("callback", [
    "http://10.0.0.1/cb", "http://192.168.1.20:8080/cb", "http://169.254.169.254/latest/meta-data/",
    "http://[fd00::1]/cb", "http://[fe80::1]/cb", "http://224.0.0.1/cb", "http://0.0.0.0/cb",
    "http://127.0.0.1:9/cb", "http://[::1]:9/cb", "http://[::ffff:127.0.0.1]:9/cb", "http://localhost:9/cb",
    "http://2130706433:9/cb",
])
async def test_callbacks_inside_the_network_are_refused(aiohttp_client, tmp_path, callback):
    client = await aiohttp_client(create_app(hub_config(tmp_path, allow_loopback_callbacks=False), watch=False))
    response = await client.post("/websub", data={"hub.mode": "subscribe", "hub.topic": TOPIC,
                                                  "hub.callback": callback})
    assert response.status == 400
    assert "refused" in await response.text()


async def test_requests_to_one_callback_host_are_rate_limited(aiohttp_client, aiohttp_server, tmp_path):
    config = hub_config(tmp_path, callback_rate=5.0, callback_burst=1)
    client = await aiohttp_client(create_app(config, watch=False))
    subscriber = Subscriber()
    server = await aiohttp_server(subscriber.app())
    topics = [f"http://127.0.0.1:8080/feeds/all.{extension}" for extension in ("atom", "rss", "json")]
    for topic in topics:
        await subscribe(client, str(server.make_url("/cb")), topic)
    replace_file(config.articles_dir / "delta.txt", article("Delta", author="Dana Weber", outlet="Civic Ledger"))
    await client.app[LIVE].reload()
    await wait_until(lambda: arrived(subscriber.notifications, 3))
    requests = sorted(received.at for received in subscriber.verifications + subscriber.notifications)
    # One request per 0.2 s, verifications and notifications alike (measured on
    # arrival, so give or take the time a request takes).
    assert len(requests) == 6
    assert requests[-1] - requests[0] >= 5 * 0.2 - 0.05, requests
    assert all(later - earlier >= 0.1 for earlier, later in itertools.pairwise(requests)), requests
    assert {n.headers["Content-Type"].partition(";")[0] for n in subscriber.notifications} == {
        "application/atom+xml", "application/rss+xml", "application/feed+json"}


async def test_an_external_hub_is_advertised_and_pinged_on_every_change(aiohttp_client, aiohttp_server, tmp_path):
    fake = FakeHub(failures=1)
    hub_url = str((await aiohttp_server(fake.app())).make_url("/hub"))
    config = hub_config(tmp_path, hub_url=hub_url)
    client = await aiohttp_client(create_app(config))
    response = await client.get("/feeds/all.rss")
    assert response.headers["Link"] == f'<{hub_url}>; rel="hub", <http://127.0.0.1:8080/feeds/all.rss>; rel="self"'
    assert f'<atom:link href="{hub_url}" rel="hub"/>'.encode() in await response.read()
    assert (await client.post("/websub", data={"hub.mode": "subscribe"})).status in (404, 405)

    replace_file(config.articles_dir / "delta.txt", article("Delta", author="Dana Weber", outlet="Civic Ledger"))
    # The feed of everything changed; the new outlet's and author's feeds are new
    # topics, with no subscriber yet.
    expected = {f"http://127.0.0.1:8080/feeds/all.{extension}" for extension in ("atom", "rss", "json")}
    await wait_until(lambda: _pinged(fake, expected))
    assert all(form["hub.mode"] == "publish" and form["hub.topic"] == form["hub.url"] for form in fake.forms)
    assert not {form["hub.url"] for form in fake.forms} & {
        f"http://127.0.0.1:8080/feeds/authors/dana-weber.{extension}" for extension in ("atom", "rss", "json")}
    # The first ping failed and was retried.
    assert len(fake.pings) == len(fake.forms) + 1


async def _pinged(fake: FakeHub, topics: set[str]) -> bool:
    return topics <= {form["hub.url"] for form in fake.forms}


async def test_two_hundred_subscribers_are_all_notified_once(aiohttp_client, aiohttp_server, tmp_path):
    # All on one host, which may have 100 subscriptions by default.
    config = hub_config(tmp_path, callback_rate=10_000.0, callback_burst=10_000, max_subscriptions_per_host=200)
    client = await aiohttp_client(create_app(config, watch=False))
    subscriber = Subscriber()
    server = await aiohttp_server(subscriber.app())
    topics = [f"http://127.0.0.1:8080/feeds/all.{extension}" for extension in ("atom", "rss", "json")]
    callbacks = [(str(server.make_url(f"/cb/{number}")), topics[number % 3]) for number in range(200)]
    # In batches: a callback host may have 20 verifications pending.
    for start in range(0, len(callbacks), 20):
        responses = await asyncio.gather(*(
            client.post("/websub", data={"hub.mode": "subscribe", "hub.topic": topic, "hub.callback": callback,
                                         "hub.secret": callback[-3:]})
            for callback, topic in callbacks[start:start + 20]))
        assert {response.status for response in responses} == {202}
        await client.app[WEBSUB].hub.wait_idle()
    assert len(subscriber.verifications) == 200

    changed_at = time.monotonic()
    replace_file(config.articles_dir / "delta.txt", article("Delta", author="Dana Weber", outlet="Civic Ledger"))
    await client.app[LIVE].reload()
    await wait_until(lambda: arrived(subscriber.notifications, 200), limit=10)
    await asyncio.sleep(0.2)
    assert sorted(notification.path for notification in subscriber.notifications) == sorted(
        f"/cb/{number}" for number in range(200))
    # Each with its own secret, the end of its callback URL.
    assert all(signature_is_valid(notification, notification.path[-3:]) for notification in subscriber.notifications)
    latencies = sorted(notification.at - changed_at for notification in subscriber.notifications)
    stats = client.app[WEBSUB].distributor.stats
    assert (stats.sent, stats.failed) == (200, 0)
    print(f"\nFIGURES websub fan-out: 200 subscribers notified, first {latencies[0] * 1000:.0f} ms, "
          f"median {latencies[100] * 1000:.0f} ms, last {latencies[-1] * 1000:.0f} ms after the change; "
          f"requests served by the subscriber {len(subscriber.verifications) + len(subscriber.attempts)}, "
          f"failures {stats.failed}")
    assert latencies[-1] < LATENCY_LIMIT
