"""Request handlers. Responses are assembled from bytes and headers the Site rendered
once (at build, or on the first request for the path)."""

from __future__ import annotations

from aiohttp import web

from ..site import Resource
from .caching import choose_coding, http_date, is_not_modified
from .live import LIVE


def resource_response(request: web.Request, resource: Resource) -> web.Response:
    """A 200 or 304 for ``resource``, with its caching headers and chosen coding."""
    coding = choose_coding(request.headers.get("Accept-Encoding"), resource.variants)
    variant = resource.variants[coding]
    headers = {
        "ETag": variant.etag,
        "Last-Modified": http_date(resource.last_modified),
        "Cache-Control": resource.cache_control,
        "X-Content-Type-Options": "nosniff",
    }
    if len(resource.variants) > 1:
        headers["Vary"] = "Accept-Encoding"
    if resource.cross_origin:
        # Browser-based feed readers fetch feeds (and subscription lists) cross-origin.
        headers["Access-Control-Allow-Origin"] = "*"
    if is_not_modified(request.headers, variant.etag, resource.last_modified):
        return web.Response(status=304, headers=headers)
    headers["Content-Type"] = resource.media_type
    if resource.disposition:
        headers["Content-Disposition"] = resource.disposition
    if resource.links:
        headers["Link"] = resource.links
    if coding != "identity":
        headers["Content-Encoding"] = coding
    return web.Response(body=variant.body, headers=headers)


async def serve_resource(request: web.Request) -> web.Response:
    """Any path of the site: feeds and their archives, pages, the subscription list.

    A path not rendered yet is rendered here, in the event loop, once per Site: the
    largest document (an archive page of 50 full articles) takes about 30 ms. A feed
    or article that was served earlier in this process and is not any more answers
    ``410 Gone``.
    """
    site = request.app[LIVE].site
    resource = site.resource(request.path)
    if resource is None:
        if site.is_gone(request.path):
            # 410 tells feed readers to unsubscribe rather than retry forever.
            raise web.HTTPGone(text=f"410: gone: {request.path} had articles once and has none now\n")
        raise web.HTTPNotFound(text=f"404: no such page: {request.path}\n")
    return resource_response(request, resource)


async def healthz(request: web.Request) -> web.Response:
    """Liveness and a summary of what is served; never cached."""
    site = request.app[LIVE].site
    return web.json_response(
        {
            "status": "ok",
            "articles": len(site.catalog.entries),
            "feeds": len(site.catalog.feeds),
            "skipped": len(site.loaded.errors),
            "warnings": len(site.loaded.warnings),
            "fingerprint": site.catalog.fingerprint,
        },
        headers={"Cache-Control": "no-store"},
    )
