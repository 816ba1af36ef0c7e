"""The framework's ceiling: a bare aiohttp app answering one path with fixed bytes.

Usage: python bench/bare_aiohttp.py BODY_FILE HEADERS_JSON PORT [asyncio|uvloop]

BODY_FILE holds the gzip-compressed representation; HEADERS_JSON the headers
feedsrv sent with it (a JSON object). Every request gets both, and no other work at
all: no negotiation, no conditional request, no access log. The last argument names
the event loop (asyncio's by default).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from aiohttp import web


def main() -> None:
    body_file, headers_json, port = sys.argv[1:4]
    loop_name = sys.argv[4] if len(sys.argv) > 4 else "asyncio"
    body = Path(body_file).read_bytes()
    headers = json.loads(headers_json)

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body, headers=headers)

    app = web.Application()
    app.router.add_get("/feeds/all.atom", handler)
    if loop_name == "uvloop":
        import uvloop

        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    web.run_app(app, host="127.0.0.1", port=int(port), print=None, access_log=None, loop=loop)


if __name__ == "__main__":
    main()
