"""WebSub (W3C Recommendation, https://www.w3.org/TR/websub/): the feeds' hub.

Every feed advertises a hub and itself (``rel="hub"``, ``rel="self"``). The hub is
built in at ``/websub`` (:mod:`.hub`), keeps subscriptions and what it still owes
them in SQLite (:mod:`.store`), or with ``store.database_url`` in the database every
instance shares (:mod:`.shared`), refuses callbacks inside the server's network
(:mod:`.safety`) and pushes every changed feed to its subscribers (:mod:`.delivery`).
With ``websub.hub_url`` set, an external hub is advertised and pinged instead.
"""

from .routes import WEBSUB, WebSub, setup_websub

__all__ = ["WEBSUB", "WebSub", "setup_websub"]
