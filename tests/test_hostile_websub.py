"""Hostile WebSub subscribers (issue 10): callbacks that smuggle an internal address
past the SSRF filter, floods of subscriptions, and bursts of subscription requests.

One of the ``test_hostile_*`` modules: each case is a request that once got past the
built-in hub. A new bug of this kind gets a case here.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from feedsrv.web import create_app
from feedsrv.websub import WEBSUB
from feedsrv.websub.safety import CallbackPolicy, GuardedResolver, UnsafeCallback, address_refusal, check_callback
from websubtools import TOPIC, Subscriber, hub_config

RSS_TOPIC = "http://127.0.0.1:8080/feeds/all.rss"
JSON_TOPIC = "http://127.0.0.1:8080/feeds/all.json"

STRICT = CallbackPolicy()
LOOPBACK = CallbackPolicy(allow_loopback=True)
PRIVATE = CallbackPolicy(allow_private=True)


class FixedResolver(AbstractResolver):
    """Resolves every name to one address."""

    def __init__(self, address: str) -> None:
        self.address = address

    async def resolve(self, host, port=0, family=0) -> list[ResolveResult]:
        return [ResolveResult(hostname=host, host=self.address, port=port, family=0, proto=0, flags=0)]

    async def close(self) -> None:
        pass


async def subscribe(client, callback: str, topic: str = TOPIC, *, mode: str = "subscribe", **extra: str):
    """POST a subscription request to the built-in hub and wait for its verification."""
    data = {"hub.mode": mode, "hub.topic": topic, "hub.callback": callback,
            **{f"hub.{name}": value for name, value in extra.items()}}
    response = await client.post("/websub", data=data)
    await client.app[WEBSUB].hub.wait_idle()
    return response


async def stored(client) -> set[tuple[str, str]]:
    """The (callback, topic) pairs the hub's store holds, live."""
    subscriptions = await asyncio.to_thread(client.app[WEBSUB].store.subscriptions, time.time())
    return {(subscription.callback, subscription.topic) for subscription in subscriptions}


# --- IPv6 addresses that embed a refused IPv4 address ------------------------------

# (address, what it embeds, which policies must refuse it)
EMBEDDING = [
    ("::ffff:127.0.0.1", "IPv4-mapped loopback", (STRICT, PRIVATE)),
    ("::ffff:169.254.169.254", "IPv4-mapped metadata service", (STRICT, LOOPBACK)),
    ("2002:7f00:1::", "6to4 of 127.0.0.1", (STRICT, PRIVATE)),
    ("2002:a9fe:a9fe::1", "6to4 of 169.254.169.254", (STRICT, LOOPBACK)),
    ("2002:a00:1:5::9", "6to4 of 10.0.0.1", (STRICT, LOOPBACK)),
    ("::7f00:1", "IPv4-compatible 127.0.0.1", (STRICT, LOOPBACK, PRIVATE)),
    ("::a9fe:a9fe", "IPv4-compatible 169.254.169.254", (STRICT, LOOPBACK, PRIVATE)),
    ("64:ff9b::7f00:1", "NAT64 of 127.0.0.1", (STRICT, PRIVATE)),
    ("64:ff9b::a9fe:a9fe", "NAT64 of 169.254.169.254", (STRICT, LOOPBACK)),
    ("64:ff9b:1::a00:1", "local-use NAT64 of 10.0.0.1", (STRICT, LOOPBACK, PRIVATE)),
    ("64:ff9b:1:7f00:1::", "local-use NAT64 /48 of 127.0.0.1", (STRICT, LOOPBACK, PRIVATE)),
    # Teredo: server 93.184.215.14, client 127.0.0.1 (stored as 80ff:fffe, inverted).
    ("2001:0:5db8:d70e::80ff:fffe", "Teredo client 127.0.0.1", (STRICT, LOOPBACK, PRIVATE)),
    ("2001:0:7f00:1::a2b7:d8f1", "Teredo server 127.0.0.1", (STRICT, LOOPBACK, PRIVATE)),
    ("2001:0:5db8:d70e::f5ff:fffe", "Teredo client 10.0.0.1", (STRICT, LOOPBACK)),
]


@pytest.mark.parametrize(("address", "refused_by"), [(address, policies) for address, _, policies in EMBEDDING],
                         ids=[label for _, label, _ in EMBEDDING])
def test_ipv6_addresses_embedding_a_refused_ipv4_address_are_refused(address, refused_by):
    ip = ipaddress.ip_address(address)
    for policy in refused_by:
        assert address_refusal(ip, policy) is not None, policy


@pytest.mark.parametrize("address", ["2002:5db8:d70e::1", "64:ff9b::5db8:d70e"])
def test_6to4_and_nat64_of_a_public_address_are_allowed(address):
    # A hub on an IPv6-only network reaches IPv4 subscribers through NAT64.
    assert address_refusal(ipaddress.ip_address(address), STRICT) is None


@pytest.mark.parametrize("address", ["2002:a9fe:a9fe::", "64:ff9b::a9fe:a9fe", "2001:0:5db8:d70e::80ff:fffe"])
async def test_a_name_resolving_to_an_embedding_address_is_refused(address):
    with pytest.raises(UnsafeCallback, match="resolves to"):
        await check_callback("http://rebind.example/cb", LOOPBACK, GuardedResolver(LOOPBACK, FixedResolver(address)))


@pytest.mark.parametrize(("callback", "allow_private"), [
    # Private addresses allowed, loopback not: the embedded loopback address must count.
    ("http://[2002:7f00:1::]:9/cb", True),
    ("http://[64:ff9b::7f00:1]:9/cb", True),
    ("http://[2002:a9fe:a9fe::]/latest/meta-data/", False),
])
async def test_the_hub_refuses_a_callback_embedding_an_internal_address(aiohttp_client, tmp_path, callback,
                                                                         allow_private):
    config = hub_config(tmp_path, allow_loopback_callbacks=False, allow_private_callbacks=allow_private)
    client = await aiohttp_client(create_app(config, watch=False))
    response = await client.post("/websub", data={"hub.mode": "subscribe", "hub.topic": TOPIC,
                                                  "hub.callback": callback})
    assert response.status == 400
    assert "refused" in await response.text()


# --- caps on subscriptions -------------------------------------------------------------


async def test_subscriptions_to_one_topic_are_capped_and_renewals_still_pass(aiohttp_client, aiohttp_server,
                                                                            tmp_path):
    client = await aiohttp_client(create_app(hub_config(tmp_path, max_subscriptions_per_topic=2), watch=False))
    subscriber = Subscriber()
    server = await aiohttp_server(subscriber.app())
    first, second, third = (str(server.make_url(f"/cb/{number}")) for number in (1, 2, 3))
    assert [(await subscribe(client, callback)).status for callback in (first, second)] == [202, 202]

    refused = await subscribe(client, third)
    assert refused.status == 403
    assert "the most this hub takes for one topic" in await refused.text()
    assert len(subscriber.verifications) == 2
    # A renewal at the cap is no new subscription.
    before = (await asyncio.to_thread(client.app[WEBSUB].store.subscription, first, TOPIC)).expires_at
    assert (await subscribe(client, first, secret="renewed")).status == 202
    renewed = await asyncio.to_thread(client.app[WEBSUB].store.subscription, first, TOPIC)
    assert (renewed.secret, renewed.expires_at > before) == ("renewed", True)
    # Other topics are not full; and a place freed is taken.
    assert (await subscribe(client, third, RSS_TOPIC)).status == 202
    assert (await subscribe(client, second, mode="unsubscribe")).status == 202
    assert (await subscribe(client, third)).status == 202
    assert await stored(client) == {(first, TOPIC), (third, TOPIC), (third, RSS_TOPIC)}


async def test_subscriptions_in_all_are_capped_and_renewals_still_pass(aiohttp_client, aiohttp_server, tmp_path):
    client = await aiohttp_client(create_app(hub_config(tmp_path, max_subscriptions=2), watch=False))
    subscriber = Subscriber()
    server = await aiohttp_server(subscriber.app())
    callback, other = str(server.make_url("/cb")), str(server.make_url("/other"))
    assert (await subscribe(client, callback, TOPIC)).status == 202
    assert (await subscribe(client, other, RSS_TOPIC)).status == 202
    refused = await subscribe(client, callback, JSON_TOPIC)
    assert refused.status == 403
    assert "the most it takes" in await refused.text()
    assert (await subscribe(client, other, RSS_TOPIC)).status == 202
    assert await stored(client) == {(callback, TOPIC), (other, RSS_TOPIC)}
    # Unsubscribing and denials of unknown topics are never capped.
    assert (await subscribe(client, other, "http://127.0.0.1:8080/feeds/nowhere.atom")).status == 202
    assert (await subscribe(client, other, RSS_TOPIC, mode="unsubscribe")).status == 202
    assert await stored(client) == {(callback, TOPIC)}


async def test_callbacks_on_one_host_are_capped_however_the_host_is_spelled(aiohttp_client, aiohttp_server,
                                                                           tmp_path):
    client = await aiohttp_client(create_app(hub_config(tmp_path, max_subscriptions_per_host=1), watch=False))
    subscriber = Subscriber()
    port = (await aiohttp_server(subscriber.app())).port
    callback = f"http://127.0.0.1:{port}/cb"
    assert (await subscribe(client, callback)).status == 202
    for host in ("localhost", "LocalHost", "0x7f.1", "127.1", "2130706433", "[::ffff:127.0.0.1]"):
        refused = await subscribe(client, f"http://{host}:{port}/cb/{host.strip('[]')}", RSS_TOPIC)
        assert refused.status == 403, host
        assert "callbacks on 127.0.0.1 have 1 subscriptions" in await refused.text()
    # The same callback renews; another address is another host.
    assert (await subscribe(client, callback)).status == 202
    assert (await subscribe(client, f"http://127.0.0.2:{port}/cb", RSS_TOPIC)).status == 202
    assert await stored(client) == {(callback, TOPIC)}
    assert len(subscriber.verifications) == 2


async def test_a_host_written_with_a_trailing_dot_or_capitals_is_the_same_host():
    resolver = GuardedResolver(STRICT, FixedResolver("93.184.215.14"))
    keys = {await check_callback(url, STRICT, resolver)
            for url in ("http://93.184.215.14/cb", "http://Example.COM./cb", "http://example.com/cb",
                        "http://[::ffff:93.184.215.14]/cb", "http://[64:ff9b::5db8:d70e]/cb")}
    assert keys == {"93.184.215.14"}
    # An IPv6 subscriber gets one host's share for its whole /64.
    six = {await check_callback(f"http://[2606:2800:21f:cb07{suffix}]/cb", STRICT, resolver)
           for suffix in ("::1", "::2", ":ffff:ffff:ffff:ffff")}
    assert six == {"2606:2800:21f:cb07::/64"}


async def test_the_last_place_is_taken_once_when_two_verifications_race(aiohttp_client, aiohttp_server, tmp_path):
    # Both requests find a place left; both are being verified when the first is stored.
    client = await aiohttp_client(create_app(hub_config(tmp_path, max_subscriptions_per_topic=1), watch=False))
    both_asked = asyncio.Event()
    verifications: list[str] = []
    denials: list[str] = []

    async def callback(request: web.Request) -> web.Response:
        if request.query["hub.mode"] == "denied":
            denials.append(request.query["hub.reason"])
            return web.Response()
        verifications.append(request.path)
        if len(verifications) == 2:
            both_asked.set()
        await both_asked.wait()
        return web.Response(text=request.query["hub.challenge"])

    app = web.Application()
    app.router.add_get("/{tail:.*}", callback)
    server = await aiohttp_server(app)
    callbacks = [str(server.make_url(f"/cb/{number}")) for number in (1, 2)]
    responses = await asyncio.gather(*(client.post("/websub", data={
        "hub.mode": "subscribe", "hub.topic": TOPIC, "hub.callback": url}) for url in callbacks))
    assert [response.status for response in responses] == [202, 202]
    await client.app[WEBSUB].hub.wait_idle()
    assert len(verifications) == 2
    assert len(await stored(client)) == 1
    assert len(denials) == 1 and "the most this hub takes for one topic" in denials[0]


# --- bursts of subscription requests ---------------------------------------------------


class StalledSubscriber:
    """Holds every verification request until ``release`` is set, then confirms it."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.verifications = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._get)
        return app

    async def _get(self, request: web.Request) -> web.Response:
        self.verifications += 1
        await self.release.wait()
        return web.Response(text=request.query["hub.challenge"])


async def test_a_burst_of_subscription_requests_is_bounded_by_the_pending_verifications(
        aiohttp_client, aiohttp_server, tmp_path):
    limit, burst = 8, 60
    config = hub_config(tmp_path, max_pending_verifications=limit, max_pending_verifications_per_host=burst,
                        callback_burst=burst)
    client = await aiohttp_client(create_app(config, watch=False))
    hub = client.app[WEBSUB].hub
    subscriber = StalledSubscriber()
    server = await aiohttp_server(subscriber.app())
    peak = 0
    sending = True

    async def watch() -> None:
        nonlocal peak
        while sending:
            peak = max(peak, hub.pending)
            await asyncio.sleep(0)

    watcher = asyncio.create_task(watch())
    responses = await asyncio.gather(*(client.post("/websub", data={
        "hub.mode": "subscribe", "hub.topic": TOPIC, "hub.callback": str(server.make_url(f"/cb/{number}"))})
        for number in range(burst)))
    statuses = [response.status for response in responses]
    assert (statuses.count(202), statuses.count(503)) == (limit, burst - limit)
    for response in responses:
        if response.status == 503:
            assert int(response.headers["Retry-After"]) >= 1
            assert "try again later" in await response.text()

    # Full: a request is refused before its body is read (this one never ends).
    never = asyncio.Event()

    async def endless_body():
        yield b"hub.mode=subscribe&hub.topic="
        await never.wait()

    async with asyncio.timeout(5):
        refused = await client.post("/websub", data=endless_body(),
                                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert (refused.status, "Retry-After" in refused.headers) == (503, True)
    refused.close()
    never.set()

    sending = False
    await watcher
    assert peak == limit
    assert subscriber.verifications <= limit
    subscriber.release.set()
    await hub.wait_idle()
    assert hub.pending == 0
    assert len(await stored(client)) == limit
    # The places are free again.
    assert (await subscribe(client, str(server.make_url("/cb/late")))).status == 202


async def test_one_host_gets_a_429_past_its_pending_verifications(aiohttp_client, aiohttp_server, tmp_path):
    config = hub_config(tmp_path, max_pending_verifications_per_host=3)
    client = await aiohttp_client(create_app(config, watch=False))
    subscriber = StalledSubscriber()
    port = (await aiohttp_server(subscriber.app())).port
    # Three spellings of one host: it has three verifications pending.
    for host in ("127.0.0.1", "localhost", "0x7f.1"):
        response = await client.post("/websub", data={"hub.mode": "subscribe", "hub.topic": TOPIC,
                                                      "hub.callback": f"http://{host}:{port}/cb/{host}"})
        assert response.status == 202
    refused = await client.post("/websub", data={"hub.mode": "subscribe", "hub.topic": TOPIC,
                                                 "hub.callback": f"http://127.1:{port}/cb/more"})
    assert refused.status == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert "127.0.0.1" in await refused.text()
    subscriber.release.set()
    await client.app[WEBSUB].hub.wait_idle()
    assert len(await stored(client)) == 3
