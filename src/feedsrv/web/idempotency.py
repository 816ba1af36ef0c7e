"""The ``Idempotency-Key`` request header of the publishing API: reading it, and the
fingerprint a key is bound to.

As draft-ietf-httpapi-idempotency-key-header has it, the key is a Structured Field
string (``Idempotency-Key: "8e03978e-40d5-43e8-bc93-6894a57f9324"``); a bare value, as
Stripe's clients send, is taken too. The fingerprint is a digest of what decides a
write: the method, the path, the decoded body and the metadata headers, so a key
sent again with anything of these changed is told from a retry.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable

from aiohttp import web
from multidict import CIMultiDictProxy

IDEMPOTENCY_HEADER = "Idempotency-Key"
# Set on an answer given again from the record, as Stripe does: the client can
# tell that its retry wrote nothing.
REPLAYED_HEADER = "Idempotent-Replayed"
# A UUID is 36 characters; this leaves room for a client's own prefix, and keeps
# a row of the keys table small.
MAX_KEY_LENGTH = 255
# Printable ASCII, neither starting nor ending with a space.
_KEY = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")


def idempotency_key(headers: CIMultiDictProxy[str]) -> str | None:
    """The request's ``Idempotency-Key``, unquoted; None when it sends none. Raise
    ``400`` naming the header for several, or one that is empty, longer than
    :data:`MAX_KEY_LENGTH` or not printable ASCII."""
    sent = headers.getall(IDEMPOTENCY_HEADER, [])
    if not sent:
        return None
    if len(sent) > 1:
        raise web.HTTPBadRequest(text=f"400: {IDEMPOTENCY_HEADER} is sent {len(sent)} times; send one\n")
    value = sent[0].strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        # A Structured Field string: its escapes are not worth a key.
        value = value[1:-1] if not {'"', "\\"} & set(value[1:-1]) else ""
    if not 1 <= len(value) <= MAX_KEY_LENGTH or not _KEY.fullmatch(value):
        raise web.HTTPBadRequest(text=f"400: {IDEMPOTENCY_HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII "
                                      'characters, bare or as a quoted string ("…", without " or \\ inside)\n')
    return value


def request_fingerprint(method: str, path: str, body: bytes, headers: CIMultiDictProxy[str],
                        read_headers: Iterable[str]) -> str:
    """A digest of the request: ``method``, ``path``, the decoded ``body`` and the
    ``read_headers`` that change what is written (absent told from empty)."""
    # aiohttp keeps header bytes that are not UTF-8 as surrogates: escaped by json.
    head = json.dumps([method, path, {name: headers.get(name) for name in sorted(read_headers)}])
    digest = hashlib.sha256(head.encode("ascii"))
    digest.update(b"\0")
    digest.update(body)
    return digest.hexdigest()
