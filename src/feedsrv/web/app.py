"""The aiohttp application factory, used by the CLI and by the tests."""

from __future__ import annotations

from aiohttp import web

from ..config import SiteConfig
from ..site import Site, build_site
from .handlers import healthz, serve_resource
from .live import LIVE, LiveSite


def create_app(config: SiteConfig, *, site: Site | None = None) -> web.Application:
    """An application serving ``site`` (built from ``config`` when not given).

    The site is built before the server binds its port, so a broken articles
    directory is reported at start-up rather than on the first request.
    """
    app = web.Application()
    app[LIVE] = LiveSite(site if site is not None else build_site(config))
    app.router.add_get("/healthz", healthz)
    # Every other route serves a Site path; the Site decides whether it exists.
    app.router.add_get("/", serve_resource)
    app.router.add_get("/feeds.opml", serve_resource)
    app.router.add_get("/feeds/{name:.+}", serve_resource)  # feeds and their archive pages
    app.router.add_get("/articles/{slug}", serve_resource)
    app.router.add_get("/outlets/{slug}", serve_resource)
    app.router.add_get("/topics/{slug}", serve_resource)
    app.router.add_get("/authors/{slug}", serve_resource)
    return app
