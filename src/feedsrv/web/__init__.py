"""The HTTP server: an aiohttp application serving a pre-rendered :class:`~feedsrv.site.Site`."""

from ..live import LiveSite
from .app import create_app
from .live import LIVE

__all__ = ["LIVE", "LiveSite", "create_app"]
