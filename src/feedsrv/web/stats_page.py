"""``GET /stats``: the subscriber statistics as a page a browser opens.

HTTP Basic authentication, since a browser asks for it by itself: any user name,
the publishing API's token as the password. Without a token the route is not
added (the caller does not call :func:`setup_stats_page`), so ``/stats`` answers
404 like any unknown path, as the publishing API does.

``?since=`` and ``?until=`` (ISO dates, UTC) choose the days, the last 30 by
default; ``?feed=`` a feed path whose charts are drawn beside those of every feed.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType

from aiohttp import web

from ..stats import StatsSource
from ..stats.page import STYLESHEET, render_stats_page
from ..urls import STATS_PAGE

# The days shown when the query names none, and the most a query may ask for: the
# date axis and a bar a day stay readable up to about 400 days.
DEFAULT_DAYS = 30
MAX_DAYS = 400
REALM = 'Basic realm="feedsrv stats", charset="UTF-8"'
_STYLE_DIGEST = base64.b64encode(hashlib.sha256(STYLESHEET.encode("utf-8")).digest()).decode("ascii")
# The charts are inline SVG, part of the document, so the page needs no image
# source at all (not even data:); its one stylesheet is allowed by its digest rather
# than by 'unsafe-inline', and no script may run. The date form submits to the page
# itself. The figures are private: not cached, not framed, not sent as a referrer.
PAGE_HEADERS = MappingProxyType({
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "private, no-store",
    "Content-Security-Policy": f"default-src 'none'; style-src 'sha256-{_STYLE_DIGEST}'; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
})


@dataclass(frozen=True, slots=True)
class StatsPage:
    """Where the page's figures come from, and the password that opens it."""

    source: StatsSource
    token: str


STATS = web.AppKey("stats_page", StatsPage)


def setup_stats_page(app: web.Application, source: StatsSource, token: str) -> None:
    """Add ``GET /stats`` to ``app``: the figures of ``source``, behind HTTP Basic
    with ``token`` as the password."""
    if not token:
        raise ValueError("the /stats page needs a token: an empty password would open it to anyone")
    app[STATS] = StatsPage(source=source, token=token)
    app.router.add_get(STATS_PAGE, stats_page)


def _authorized(request: web.Request, token: str) -> bool:
    """Whether the request's Basic credentials carry ``token`` as the password."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    _, colon, password = decoded.partition(b":")
    # Compared as bytes in constant time: the token's length and content stay unknown.
    return bool(colon) and hmac.compare_digest(password, token.encode("utf-8"))


def _date(request: web.Request, name: str, default: date) -> date:
    text = request.query.get(name, "").strip()
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise web.HTTPBadRequest(text=f"400: {name} must be a date such as 2026-01-31\n") from None


async def stats_page(request: web.Request) -> web.Response:
    """``GET /stats``: the page of the days asked for; 401 without the token, 400 for
    a span that is not one."""
    page = request.app[STATS]
    if not _authorized(request, page.token):
        raise web.HTTPUnauthorized(headers={"WWW-Authenticate": REALM, "Cache-Control": "no-store"},
                                   text="401: sign in with any user name and the API token as the password\n")
    today = datetime.now(UTC).date()
    until = _date(request, "until", today)
    since = _date(request, "since", until - timedelta(days=DEFAULT_DAYS - 1))
    if since > until:
        raise web.HTTPBadRequest(text="400: since must not be after until\n")
    if (until - since).days + 1 > MAX_DAYS:
        raise web.HTTPBadRequest(text=f"400: at most {MAX_DAYS} days at once\n")
    feed = request.query.get("feed") or None
    report = await page.source.report(since, until)
    # Hundreds of feeds over a year are tens of thousands of figures: drawn off the loop.
    html = await asyncio.to_thread(render_stats_page, report, feed=feed, action=STATS_PAGE)
    return web.Response(body=html.encode("utf-8"), headers=PAGE_HEADERS)
