"""The PostgreSQL store that instances scaling out share (``store.database_url``).

With no database configured nothing here runs: articles and state stay on the
machine. With one, the database holds the articles, their parsed entries and the
log of changes (schema 1, ``migrations/``), which ``feedsrv serve`` builds its site
from and follows and the publishing API writes to, and the WebSub hub's state (schemas 2 and 3), which
:mod:`feedsrv.websub.shared` keeps; schema 4 keeps declared ids unique and the
answers to writes sent with an ``Idempotency-Key``; schema 5 the subscriber statistics
(:mod:`feedsrv.stats.store`).

- ``_connect``: which database (``$FEEDSRV_DATABASE_URL`` or the setting) and
  connecting to it, with errors naming its host and port, never the password;
- ``_migrations``: the versioned schema, applied under an advisory lock;
- ``_import``: ``feedsrv import``, the files of a directory into the database;
- ``_load``: the database's articles as the site is built from them, at start
  and then change by change, following the ``changes`` log;
- ``_follow``: ``LISTEN`` for changes, with a poll and reconnection as safety nets;
- ``_write``: the publishing API's writes, each one transaction that logs and notifies;
- ``_keys``: the answers to writes sent with an ``Idempotency-Key``, kept for a day (schema 4).
"""

from ._connect import CONNECT_TIMEOUT_SECONDS, DATABASE_URL_ENV, connect, connect_async, database_url, describe
from ._follow import follow_changes
from ._import import ImportReport, import_articles
from ._keys import KEY_LIFETIME, Answer, KeyedRequest, KeyInFlightError, KeyReusedError, Written
from ._load import CHANNEL, ChangeCursor, Position, StoredArticles, StoreReader
from ._migrations import MIGRATION_LOCK, SCHEMA_VERSION, Migration, migrations, schema_version, upgrade
from ._write import ArticleVersion, IdTakenError, Outcome, StoreWriter

__all__ = [
    "CHANNEL", "CONNECT_TIMEOUT_SECONDS", "DATABASE_URL_ENV", "KEY_LIFETIME", "MIGRATION_LOCK", "SCHEMA_VERSION",
    "Answer", "ArticleVersion", "ChangeCursor", "IdTakenError", "ImportReport", "KeyInFlightError", "KeyReusedError",
    "KeyedRequest", "Migration", "Outcome", "Position", "StoreReader", "StoreWriter", "StoredArticles", "Written",
    "connect", "connect_async", "database_url", "describe", "follow_changes", "import_articles", "migrations",
    "schema_version", "upgrade",
]
