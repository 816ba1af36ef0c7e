"""The HTTP server: an aiohttp application serving a pre-rendered :class:`~feedsrv.site.Site`."""

from .app import SITE, create_app

__all__ = ["SITE", "create_app"]
