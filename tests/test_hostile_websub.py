"""Hostile WebSub subscribers (issue 10): callbacks that smuggle an internal address
past the SSRF filter, floods of subscriptions, and bursts of subscription requests.

One of the ``test_hostile_*`` modules: each case is a request that once got past the
built-in hub. A new bug of this kind gets a case here.
"""

from __future__ import annotations

import ipaddress

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from feedsrv.web import create_app
from feedsrv.websub.safety import CallbackPolicy, GuardedResolver, UnsafeCallback, address_refusal, check_callback
from websubtools import TOPIC, hub_config

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
