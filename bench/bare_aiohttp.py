"""The framework's ceiling: a bare aiohttp app answering one path with fixed bytes.

Usage: python bench/bare_aiohttp.py BODY_FILE ETAG CONTENT_TYPE PORT

BODY_FILE holds the gzip-compressed representation; every request gets it with the
same headers feedsrv sends, and no other work at all.
"""

from __future__ import annotations

import sys
from pathlib import Path

from aiohttp import web


def main() -> None:
    body_file, etag, content_type, port = sys.argv[1:5]
    body = Path(body_file).read_bytes()
    headers = {"ETag": etag, "Content-Type": content_type, "Content-Encoding": "gzip",
               "Cache-Control": "public, max-age=300", "Vary": "Accept-Encoding"}

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body, headers=headers)

    app = web.Application()
    app.router.add_get("/feeds/all.atom", handler)
    web.run_app(app, host="127.0.0.1", port=int(port), print=None, access_log=None)


if __name__ == "__main__":
    main()
