"""WebSub's parts on their own: callback safety, the SQLite store, signatures,
backoff, rate limits, request parsing and the [websub] settings."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import random
import sqlite3
import time
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from feedsrv.config import SETTINGS, WebSubConfig, load_config
from feedsrv.errors import ConfigError
from feedsrv.websub.delivery import backoff, signature
from feedsrv.websub.hub import HubRequestError, grant_lease, parse_subscription_request, with_query
from feedsrv.websub.safety import (
    CallbackPolicy,
    GuardedResolver,
    TokenBuckets,
    UnsafeCallback,
    address_refusal,
    check_callback,
    parse_callback,
)
from feedsrv.websub.store import DELIVER, PUBLISH, Subscription, SubscriptionLimits, WebSubStore
from feedsrv.websub.topics import normalize_topic

STRICT = CallbackPolicy()
LOOPBACK = CallbackPolicy(allow_loopback=True)
PRIVATE = CallbackPolicy(allow_private=True)


# --- callback safety -----------------------------------------------------------


@pytest.mark.parametrize(("address", "strict", "loopback", "private"), [
    ("93.184.215.14", True, True, True),
    ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True, True, True),
    ("127.0.0.1", False, True, False),
    ("127.8.9.10", False, True, False),
    ("::1", False, True, False),
    ("::ffff:127.0.0.1", False, True, False),
    ("10.0.0.1", False, False, True),
    ("172.16.5.4", False, False, True),
    ("192.168.1.1", False, False, True),
    ("100.64.0.1", False, False, True),
    ("169.254.169.254", False, False, True),
    ("fe80::1", False, False, True),
    ("fd00::1", False, False, True),
    ("::ffff:10.0.0.1", False, False, True),
    ("224.0.0.1", False, False, False),
    ("ff02::1", False, False, False),
    ("0.0.0.0", False, False, False),
    ("::", False, False, False),
    ("240.0.0.1", False, False, False),
    ("255.255.255.255", False, False, False),
])
def test_which_addresses_a_callback_may_be_at(address, strict, loopback, private):
    ip = ipaddress.ip_address(address)
    assert (address_refusal(ip, STRICT) is None) == strict
    assert (address_refusal(ip, LOOPBACK) is None) == loopback
    assert (address_refusal(ip, PRIVATE) is None) == private


@pytest.mark.parametrize("url", ["ftp://example.org/cb", "javascript:alert(1)", "//example.org/cb", "http:///cb",
                                 "http://example.org/cb#frag", "http://example.org:0/cb", "http://example.org:99999/",
                                 "http://example.org/ü", "http://example.org/a b", "", "http://x/" + "a" * 2000])
def test_malformed_callbacks_are_refused(url):
    with pytest.raises(UnsafeCallback):
        parse_callback(url)


def test_a_callback_may_carry_a_query_and_a_port():
    parts = parse_callback("https://example.org:8443/cb/1f2e?user=7&x=%20")
    assert (parts.hostname, parts.port, parts.query) == ("example.org", 8443, "user=7&x=%20")


class FakeResolver(AbstractResolver):
    """Resolves every name to the given addresses."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = addresses

    async def resolve(self, host, port=0, family=0) -> list[ResolveResult]:
        return [ResolveResult(hostname=host, host=address, port=port, family=0, proto=0, flags=0)
                for address in self.addresses]

    async def close(self) -> None:
        pass


async def test_a_name_is_refused_when_any_of_its_addresses_is():
    await check_callback("http://public.example/cb", STRICT, GuardedResolver(STRICT, FakeResolver("93.184.215.14")))
    # DNS rebinding: a public name that (also) resolves inside the network.
    for addresses in (("10.1.2.3",), ("93.184.215.14", "127.0.0.1"), ("fe80::1%eth0",)):
        with pytest.raises(UnsafeCallback, match="resolves to"):
            await check_callback("http://rebind.example/cb", STRICT, GuardedResolver(STRICT, FakeResolver(*addresses)))
    # The connector asks the same resolver, so a connection is refused too.
    with pytest.raises(OSError, match="loopback"):
        await GuardedResolver(STRICT, FakeResolver("127.0.0.1")).resolve("rebind.example", 80)


async def test_localhost_is_loopback():
    resolver = GuardedResolver(STRICT)
    with pytest.raises(UnsafeCallback, match="loopback"):
        await check_callback("http://localhost:8000/cb", STRICT, resolver)
    await check_callback("http://localhost:8000/cb", LOOPBACK, GuardedResolver(LOOPBACK))
    with pytest.raises(UnsafeCallback, match="cannot resolve"):
        await check_callback("http://no-such-host.invalid/cb", STRICT, resolver)
    await resolver.close()


def test_token_buckets_pace_each_host_on_its_own():
    now = [0.0]
    buckets = TokenBuckets(rate=2.0, burst=3, clock=lambda: now[0])
    assert [buckets.reserve("a.example") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.reserve("a.example") == pytest.approx(0.5)
    assert buckets.reserve("b.example") == 0.0
    now[0] = 0.5
    assert buckets.reserve("a.example") == 0.0
    assert buckets.reserve("a.example") == pytest.approx(0.5)
    now[0] = 100.0
    assert [buckets.reserve("a.example") for _ in range(4)][-1] > 0  # never more than the burst


# --- signatures, backoff ---------------------------------------------------------


def test_signature_is_the_sha256_hmac_of_the_body():
    body = b'<?xml version="1.0"?><feed/>'
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert signature(body, "s3cret") == f"sha256={expected}"
    assert signature(body, "s3cret") != signature(body + b" ", "s3cret")


def test_backoff_doubles_with_jitter_up_to_the_cap():
    rng = random.Random(1)
    for attempts in range(1, 12):
        nominal = min(60.0, 5.0 * 2 ** (attempts - 1))
        for _ in range(20):
            assert nominal / 2 <= backoff(attempts, initial=5.0, cap=60.0, rng=rng) <= nominal
    assert backoff(10_000, initial=5.0, cap=60.0, rng=rng) <= 60.0


# --- requests --------------------------------------------------------------------


def test_a_subscription_request_is_read_from_a_form():
    request = parse_subscription_request(
        b"hub.mode=subscribe&hub.topic=http%3A%2F%2F127.0.0.1%3A8080%2Ffeeds%2Fall.atom"
        b"&hub.callback=https%3A%2F%2Fsub.example%2Fcb%3Fid%3D1&hub.lease_seconds=86400&hub.secret=abc&other=1")
    assert (request.mode, request.topic, request.callback, request.lease_seconds, request.secret) == (
        "subscribe", "http://127.0.0.1:8080/feeds/all.atom", "https://sub.example/cb?id=1", 86400, "abc")
    unsubscribe = parse_subscription_request(b"hub.mode=unsubscribe&hub.topic=t&hub.callback=c&hub.secret=x"
                                             b"&hub.lease_seconds=9")
    assert (unsubscribe.secret, unsubscribe.lease_seconds) == (None, None)


@pytest.mark.parametrize("body", [b"hub.mode=subscribe&hub.mode=unsubscribe&hub.topic=t&hub.callback=c",
                                  b"hub.mode=subscribe&hub.topic=t&hub.callback=c&hub.lease_seconds=-5",
                                  b"hub.mode=subscribe&hub.topic=t&hub.callback=c&hub.lease_seconds=%C2%B2",
                                  b"hub.mode=subscribe&hub.topic=%FF&hub.callback=c",
                                  b"\xff\xfe"])
def test_malformed_forms_are_refused(body):
    with pytest.raises(HubRequestError) as raised:
        parse_subscription_request(body)
    assert raised.value.status == 400


def test_leases_are_granted_within_bounds():
    websub = WebSubConfig(lease_seconds=100, min_lease_seconds=10, max_lease_seconds=1000)
    assert [grant_lease(asked, websub) for asked in (None, 1, 10, 500, 1000, 10**12)] == [100, 10, 10, 500, 1000, 1000]


def test_verification_parameters_are_appended_to_the_callbacks_own():
    assert with_query("https://s.example/cb", {"hub.mode": "subscribe"}) == "https://s.example/cb?hub.mode=subscribe"
    assert with_query("https://s.example/cb?a=1", {"hub.topic": "http://x/y?z"}) == \
        "https://s.example/cb?a=1&hub.topic=http%3A%2F%2Fx%2Fy%3Fz"
    assert with_query("https://s.example/cb?", {"b": "2"}) == "https://s.example/cb?b=2"


def test_topics_are_compared_with_unreserved_escapes_decoded():
    assert normalize_topic("http://h/feeds/%61ll%2Eatom%7e") == "http://h/feeds/all.atom~"
    assert normalize_topic("http://h/a%2fb%3a") == "http://h/a%2Fb%3A"


# --- the store -------------------------------------------------------------------


def subscription(callback: str = "https://s.example/cb", topic: str = "t1", expires_at: float = 2000.0,
                 secret: str | None = "k") -> Subscription:
    return Subscription(callback=callback, topic=topic, secret=secret, lease_seconds=1000, expires_at=expires_at)


def test_the_database_is_created_on_the_first_subscription_only(tmp_path):
    path = tmp_path / "state" / "websub.sqlite3"
    store = WebSubStore(path)
    assert store.note_topics({"t1": '"a"'}, 0.0) == []
    assert (store.subscriptions(0.0), store.due(DELIVER, 0.0, 10), store.pending()) == ([], ([], None), 0)
    assert not path.exists()
    store.subscribe(subscription(), {"t1": '"a"', "t2": '"b"'})
    assert path.exists()
    assert store.topics() == {"t1": '"a"', "t2": '"b"'}
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    store.close()


def test_changed_topics_are_owed_to_their_live_subscribers(tmp_path):
    store = WebSubStore(tmp_path / "db.sqlite3")
    store.subscribe(subscription("https://a.example/cb", "t1"), {"t1": '"1"', "t2": '"2"'})
    store.subscribe(subscription("https://b.example/cb", "t1", expires_at=50.0), {})
    store.subscribe(subscription("https://c.example/cb", "t2"), {})
    # t1 changed; t3 is new (nobody can be subscribed yet); t2 did not change.
    assert store.note_topics({"t1": '"1b"', "t2": '"2"', "t3": '"3"'}, now=100.0) == ["t1"]
    jobs, next_due = store.due(DELIVER, 100.0, 10)
    assert [(job.target, job.topic, job.version, job.attempts)
            for job in jobs] == [("https://a.example/cb", "t1", 1, 0)]
    assert jobs[0].subscription == subscription("https://a.example/cb", "t1")
    assert next_due is None
    assert store.note_topics({"t1": '"1b"', "t2": '"2"', "t3": '"3"'}, now=101.0) == []
    store.close()


def test_a_change_while_a_delivery_is_owed_is_sent_too(tmp_path):
    store = WebSubStore(tmp_path / "db.sqlite3")
    store.subscribe(subscription(), {"t1": '"1"'})
    store.note_topics({"t1": '"2"'}, now=100.0)
    [first], _ = store.due(DELIVER, 100.0, 10)
    store.retry(first, due_at=160.0)
    [retried], _ = store.due(DELIVER, 160.0, 10)
    assert (retried.attempts, store.due(DELIVER, 159.0, 10)) == (1, ([], 160.0))
    # A change comes in while the retry is being sent: the row is due again at once,
    # with a fresh count, and the retry's success does not delete it.
    store.note_topics({"t1": '"3"'}, now=161.0)
    assert not store.finish(retried)
    [newer], _ = store.due(DELIVER, 161.0, 10)
    assert (newer.version, newer.attempts) == (2, 0)
    store.retry(retried, due_at=999.0)  # the stale attempt's failure changes nothing
    assert store.due(DELIVER, 161.0, 10)[0] == [newer]
    assert store.finish(newer)
    assert store.pending() == 0
    store.close()


def test_subscriptions_and_owed_deliveries_survive_reopening(tmp_path):
    path = tmp_path / "db.sqlite3"
    store = WebSubStore(path)
    store.subscribe(subscription(), {"t1": '"1"'})
    store.note_topics({"t1": '"2"'}, now=100.0)
    store.close()
    again = WebSubStore(path)
    assert again.subscriptions(100.0) == [subscription()]
    assert [job.topic for job in again.due(DELIVER, 100.0, 10)[0]] == ["t1"]
    again.close()


def test_unsubscribing_and_expiry_remove_what_was_owed(tmp_path):
    store = WebSubStore(tmp_path / "db.sqlite3")
    store.subscribe(subscription("https://a.example/cb", expires_at=150.0), {"t1": '"1"'})
    store.subscribe(subscription("https://b.example/cb", expires_at=500.0), {})
    store.note_topics({"t1": '"2"'}, now=100.0)
    assert store.pending() == 2
    assert store.unsubscribe("https://b.example/cb", "t1")
    assert not store.unsubscribe("https://b.example/cb", "t1")
    assert store.pending() == 1
    assert store.purge_expired(now=149.0) == 0
    assert store.purge_expired(now=150.0) == 1
    assert (store.pending(), store.subscriptions(0.0)) == (0, [])
    store.close()


def test_a_renewal_replaces_the_lease_and_the_secret(tmp_path):
    store = WebSubStore(tmp_path / "db.sqlite3")
    store.subscribe(subscription(secret="old", expires_at=100.0), {})
    store.subscribe(subscription(secret=None, expires_at=900.0), {})
    assert store.subscription("https://s.example/cb", "t1") == subscription(secret=None, expires_at=900.0)
    store.close()


def test_pings_of_an_external_hub_are_owed_per_topic(tmp_path):
    store = WebSubStore(tmp_path / "db.sqlite3")
    assert store.note_topics({"t1": '"1"', "t2": '"1"'}, 0.0, publish_to="https://hub.example/") == []
    assert store.note_topics({"t1": '"2"', "t2": '"1"'}, 5.0, publish_to="https://hub.example/") == ["t1"]
    [ping], _ = store.due(PUBLISH, 5.0, 10)
    assert (ping.target, ping.topic, ping.kind, ping.subscription) == ("https://hub.example/", "t1", PUBLISH, None)
    assert store.due(DELIVER, 5.0, 10) == ([], None)
    store.close()


def test_caps_count_live_subscriptions_and_spare_renewals(tmp_path):
    store = WebSubStore(tmp_path / "db.sqlite3")
    limits = SubscriptionLimits(per_topic=1, per_host=1, total=2)
    a = replace(subscription("https://a.example/cb", "t1", expires_at=500.0), host="192.0.2.1")
    assert store.subscribe(a, {}, limits=limits, now=100.0) is None
    assert store.subscribe(replace(a, topic="t2"), {}, limits=limits, now=100.0) == "host"
    b = replace(subscription("https://b.example/cb", "t1", expires_at=500.0), host="192.0.2.2")
    assert store.subscribe(b, {}, limits=limits, now=100.0) == "topic"
    assert store.subscribe(replace(b, topic="t2"), {}, limits=limits, now=100.0) is None
    c = replace(b, callback="https://c.example/cb", topic="t3", host="192.0.2.3")
    assert store.cap_reached(c, limits, 100.0) == "total"
    assert store.subscribe(replace(a, expires_at=900.0), {}, limits=limits, now=100.0) is None  # a renewal
    # Past its lease, a subscription holds no place, and coming back is no renewal.
    assert store.subscribe(replace(b, expires_at=1950.0), {}, limits=limits, now=950.0) is None
    assert store.subscribe(replace(a, expires_at=1950.0), {}, limits=limits, now=950.0) == "topic"
    assert {(s.callback, s.topic) for s in store.subscriptions(950.0)} == {("https://b.example/cb", "t1")}
    store.close()


def test_a_database_of_schema_1_gains_the_host_column(tmp_path):
    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript("CREATE TABLE subscriptions (callback TEXT NOT NULL, topic TEXT NOT NULL, secret TEXT, "
                         "lease_seconds INTEGER NOT NULL, expires_at REAL NOT NULL, PRIMARY KEY (callback, topic)) "
                         "WITHOUT ROWID; INSERT INTO subscriptions VALUES ('https://s.example/cb', 't1', 'k', 1000, "
                         "2000.0); PRAGMA user_version = 1;")
    db.close()
    store = WebSubStore(path)
    assert store.subscriptions(0.0) == [subscription()]
    store.subscribe(replace(subscription(callback="https://b.example/cb"), host="93.184.215.14"), {})
    assert store.subscription("https://b.example/cb", "t1").host == "93.184.215.14"
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (2,)
    db.close()


def test_a_database_from_a_newer_version_is_not_touched(tmp_path):
    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(sqlite3.DatabaseError, match="newer"):
        WebSubStore(path).subscriptions(time.time())


# --- settings --------------------------------------------------------------------


def test_websub_settings(tmp_path):
    path = tmp_path / "feedsrv.toml"
    path.write_text('[websub]\nhub_url = "https://hub.example/"\ndatabase = "var/hub.db"\n'
                    "allow_loopback_callbacks = true\nretry_initial_seconds = 1\ncallback_rate = 0.5\n")
    websub = load_config(path).websub
    assert (websub.hub_url, websub.external, websub.database) == ("https://hub.example/", True, tmp_path / "var/hub.db")
    assert (websub.allow_loopback_callbacks, websub.allow_private_callbacks) == (True, False)
    assert (websub.retry_initial_seconds, websub.callback_rate) == (1.0, 0.5)


def test_the_websub_dataclass_defaults_are_the_documented_ones():
    defaults = WebSubConfig()
    for setting in SETTINGS:
        if setting.section == "websub":
            expected = Path(setting.default) if setting.name == "database" else setting.default
            assert getattr(defaults, setting.name) == expected, setting.key


@pytest.mark.parametrize(("text", "key"), [
    ("hub_url = 'hub.example'", "websub.hub_url"),
    ("allow_loopback_callbacks = 'yes'", "websub.allow_loopback_callbacks"),
    ("lease_seconds = true", "websub.lease_seconds"),
    ("lease_seconds = 10", "websub.lease_seconds"),
    ("min_lease_seconds = 0", "websub.min_lease_seconds"),
    ("max_attempts = 0", "websub.max_attempts"),
    ("timeout_seconds = 0", "websub.timeout_seconds"),
    ("retry_initial_seconds = -1.5", "websub.retry_initial_seconds"),
    ("secret = 'x'", "websub.secret"),
    ("max_subscriptions_per_topic = 0", "websub.max_subscriptions_per_topic"),
    ("max_subscriptions_per_host = 1.5", "websub.max_subscriptions_per_host"),
    ("max_subscriptions = -1", "websub.max_subscriptions"),
    ("max_pending_verifications = 0", "websub.max_pending_verifications"),
    ("max_pending_verifications_per_host = '20'", "websub.max_pending_verifications_per_host"),
])
def test_websub_setting_errors_name_the_key(tmp_path, text, key):
    path = tmp_path / "feedsrv.toml"
    path.write_text(f"[websub]\n{text}\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert raised.value.key == key
