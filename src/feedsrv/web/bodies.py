"""Request bodies the publishing API reads, content codings decoded by feedsrv.

aiohttp's own decoding is off for the whole server (see :func:`create_app`): it
inflated every compressed body, whether a route read it or not, and a small body
that inflates to gigabytes held the event loop until all of it was inflated. Here a
body is read only by a route that wants it, decoded in steps of at most
:data:`DECODE_STEP` bytes with a turn of the event loop between two, and the size
limit applies to the decoded bytes, so decoding stops as soon as it is exceeded.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Iterable, Iterator

import brotli
from aiohttp import web

from ..errors import FeedsrvError
from ..representations import CODING_ALIASES, IDENTITY

# The codings a request body may have, in the order a 415 names them.
ACCEPTED_CODINGS = ("gzip", "deflate", "br")
# Most bytes one step of decoding makes: a step is short, and the loop gets a turn after each.
DECODE_STEP = 64 * 1024
# zlib's window bits: gzip framing (RFC 1952), zlib framing (RFC 1950, which is
# what HTTP's "deflate" names: RFC 9110 §8.4.1.2).
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class BodyError(FeedsrvError):
    """A request body feedsrv will not take; ``message`` says why."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class UnsupportedCodingError(BodyError):
    """A content coding feedsrv cannot decode, or several stacked."""


class UnsupportedTransferCodingError(BodyError):
    """A transfer coding other than ``chunked``."""


class BodyTooLargeError(BodyError):
    """More bytes than the limit, before or after decoding."""


class CorruptBodyError(BodyError):
    """Compressed data that does not decode: invalid, truncated or followed by more."""


def body_coding(content_encoding: Iterable[str]) -> str | None:
    """The one content coding the ``Content-Encoding`` header values name (``gzip``,
    ``deflate`` or ``br``), or None for none or ``identity``.

    Raises :class:`UnsupportedCodingError` for any other coding and for several
    codings at once: a body compressed twice is no article.
    """
    named = [token.strip().lower() for value in content_encoding for token in value.split(",")]
    codings = [CODING_ALIASES.get(token, token) for token in named if token not in ("", IDENTITY)]
    if len(codings) > 1:
        raise UnsupportedCodingError(f"one content coding at most, got {', '.join(codings)}")
    if codings and codings[0] not in ACCEPTED_CODINGS:
        raise UnsupportedCodingError(f"cannot decode content coding {codings[0]!r}")
    return codings[0] if codings else None


class _ZlibDecoder:
    """gzip or deflate, a step at a time."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._inflater = zlib.decompressobj(_WBITS[coding])

    def steps(self, data: bytes) -> Iterator[bytes]:
        inflater = self._inflater
        if inflater.eof:
            if data:
                raise CorruptBodyError(f"data after the end of the {self.coding} data")
            return
        while True:
            try:
                piece = inflater.decompress(data, DECODE_STEP)
            except zlib.error as exc:
                raise CorruptBodyError(f"invalid {self.coding} data ({exc})") from None
            if piece:
                yield piece
            data = inflater.unconsumed_tail
            if inflater.eof:
                if data or inflater.unused_data:
                    raise CorruptBodyError(f"data after the end of the {self.coding} data")
                return
            # A full step may leave output inside zlib even with no input left.
            if not data and len(piece) < DECODE_STEP:
                return

    def finish(self) -> None:
        if not self._inflater.eof:
            raise CorruptBodyError(f"truncated {self.coding} data: the compressed stream does not end")


class _BrotliDecoder:
    """br, a step at a time (Brotli ≥ 1.2 bounds the output of each call)."""

    coding = "br"

    def __init__(self) -> None:
        self._decompressor = brotli.Decompressor()

    def steps(self, data: bytes) -> Iterator[bytes]:
        decompressor = self._decompressor
        if decompressor.is_finished():
            if data:
                raise CorruptBodyError("data after the end of the br data")
            return
        try:
            yield decompressor.process(data, output_buffer_limit=DECODE_STEP)
            # Until it takes input again, the decoder holds output it could not give.
            while not decompressor.can_accept_more_data():
                yield decompressor.process(b"", output_buffer_limit=DECODE_STEP)
        except brotli.error as exc:
            raise CorruptBodyError(f"invalid br data ({exc})") from None

    def finish(self) -> None:
        if not self._decompressor.is_finished():
            raise CorruptBodyError("truncated br data: the compressed stream does not end")


def _decoder(coding: str) -> _ZlibDecoder | _BrotliDecoder:
    return _BrotliDecoder() if coding == "br" else _ZlibDecoder(coding)


async def read_body(request: web.Request, limit: int) -> bytes:
    """The request's body, decoded, at most ``limit`` bytes before and after decoding.

    Raises :class:`UnsupportedCodingError`, :class:`UnsupportedTransferCodingError`,
    :class:`BodyTooLargeError` or :class:`CorruptBodyError`. The limit holds as the
    bytes arrive (a client may send no ``Content-Length``, or lie), and decoding stops
    at the first step past it.
    """
    transfer = [token.strip().lower() for token in request.headers.get("Transfer-Encoding", "").split(",")]
    if any(token not in ("", "chunked") for token in transfer):
        # aiohttp removes the chunked framing and nothing else.
        raise UnsupportedTransferCodingError(f"cannot decode transfer coding {', '.join(transfer)!r}")
    coding = body_coding(request.headers.getall("Content-Encoding", ()))
    decoder = _decoder(coding) if coding else None
    over = f"the body is over api.max_bytes ({limit} bytes)"
    if request.content_length is not None and request.content_length > limit:
        raise BodyTooLargeError(over)
    received, decoded, pieces = 0, 0, []
    async for chunk in request.content.iter_any():
        received += len(chunk)
        if received > limit:
            raise BodyTooLargeError(over)
        if decoder is None:
            pieces.append(chunk)
            continue
        for piece in decoder.steps(chunk):
            decoded += len(piece)
            if decoded > limit:
                raise BodyTooLargeError(f"{over} after decoding {coding}")
            pieces.append(piece)
            await asyncio.sleep(0)
    if decoder is not None:
        decoder.finish()
    return b"".join(pieces)
