"""Request logs: aiohttp's access log (``plain``), or one JSON object a line
(``json``), each request named by its ``X-Request-Id``."""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.typedefs import Handler
from aiohttp.web_log import AccessLogger

from ..config import AccessLog

REQUEST_ID = "X-Request-Id"
# The logger of JSON lines; its records are the lines alone, with no prefix.
JSON_LOGGER = "feedsrv.access"
# An id a client or proxy sends is echoed when it is printable ASCII of a sane
# length; any other is replaced, so a header never carries what a log cannot.
_SENT_ID = re.compile(r"[!-~]{1,200}")
_ID_KEY = web.RequestKey("request_id", str)


@dataclass(frozen=True, slots=True)
class AccessLogging:
    """What :func:`aiohttp.web.run_app` is given to log requests: no logger for none."""

    logger: logging.Logger | None
    logger_class: type[AbstractAccessLogger] = AccessLogger


def access_logging(mode: AccessLog) -> AccessLogging:
    """The access log of ``server.access_log``; for ``json``, its lines go to standard
    error bare, so that each is a JSON document a log shipper reads as it is."""
    if mode == "off":
        return AccessLogging(None)
    if mode == "plain":
        return AccessLogging(logging.getLogger("aiohttp.access"))
    logger = logging.getLogger(JSON_LOGGER)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return AccessLogging(logger, JsonAccessLogger)


class JsonAccessLogger(AbstractAccessLogger):
    """One JSON object a request: when it came (UTC), method, path, status, body bytes
    sent, content-coding, duration in seconds, user agent and request id."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        """Write the line of one answered request."""
        started = datetime.now(UTC) - timedelta(seconds=time)
        line = {
            "time": started.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "method": request.method,
            "path": request.path,
            "status": response.status,
            "bytes": _body_bytes(request, response),
            "coding": response.headers.get("Content-Encoding", "identity"),
            "duration": round(time, 6),
            "user_agent": request.headers.get("User-Agent"),
            "request_id": request.get(_ID_KEY) or response.headers.get(REQUEST_ID),
        }
        self.logger.info(json.dumps(line, separators=(",", ":")))


def _body_bytes(request: web.BaseRequest, response: web.StreamResponse) -> int:
    # aiohttp's body_length counts the head's bytes too; every response of feedsrv
    # has its body whole, and says its length.
    if request.method == "HEAD" or response.status in (204, 304):
        return 0
    length = response.content_length
    return length if length is not None else response.body_length


@web.middleware
async def request_id(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Name the request by the ``X-Request-Id`` it came with (a proxy's, to follow it
    across both logs) or by a new random one, and send the name back, errors included."""
    sent = request.headers.get(REQUEST_ID)
    name = sent if sent is not None and _SENT_ID.fullmatch(sent) else secrets.token_hex(16)
    request[_ID_KEY] = name
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers[REQUEST_ID] = name
        raise
    response.headers[REQUEST_ID] = name
    return response
