"""The framework's ceiling: a bare aiohttp app answering one path with fixed bytes.

Usage: python bench/bare_aiohttp.py BODY_FILE HEADERS_JSON PORT

BODY_FILE holds the gzip-compressed representation; HEADERS_JSON the headers
feedsrv sent with it (a JSON object). Every request gets both, and no other work at
all: no negotiation, no conditional request, no access log.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from aiohttp import web


def main() -> None:
    body_file, headers_json, port = sys.argv[1:4]
    body = Path(body_file).read_bytes()
    headers = json.loads(headers_json)

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body, headers=headers)

    app = web.Application()
    app.router.add_get("/feeds/all.atom", handler)
    web.run_app(app, host="127.0.0.1", port=int(port), print=None, access_log=None)


if __name__ == "__main__":
    main()
