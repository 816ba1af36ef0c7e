"""The ``feedsrv`` command: a thin click layer over the library.

Library errors become one clean line and an exit status here, never a traceback:
2 for a bad config or usage, a database that cannot be used or a site that
`init` would overwrite, 1 for articles that could not be used.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from . import __version__
from .config import CONFIG_PATHS, SiteConfig, load_config
from .errors import ConfigError, DatabaseError, FeedsrvError, InitError, ParseError
from .model import Entry
from .urls import API_ARTICLES

if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import TupleRow

    from .site import Site
    from .store import StoreReader

EXIT_ARTICLE_ERRORS = 1
EXIT_CONFIG_ERROR = 2
# Where prometheus_client's multiprocess mode keeps each process's metrics.
MULTIPROCESS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"

config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="TOML config file. Default: feedsrv.toml, else config/feedsrv.toml, if one exists.",
)

# As `python -m http.server --directory` and `datasette serve FILE`: what to serve,
# named on the command line.
articles_argument = click.argument(
    "articles_dir", metavar="[ARTICLES_DIR]", required=False,
    type=click.Path(exists=True, file_okay=False, path_type=Path))


def _load(config_path: Path | None) -> SiteConfig:
    try:
        return load_config(config_path)
    except ConfigError as exc:
        _fail(exc)


def _load_for_articles(command: str, config_path: Path | None, articles_dir: Path | None, *,
                       from_database: bool = False) -> SiteConfig:
    """The config of a command that reads the articles, ``articles_dir`` (when given)
    in place of site.articles_dir. Without a config file or a directory, it stops with
    one line saying what to run, rather than look for the articles in ./seeds;
    ``from_database``: unless a database, which holds the articles, is named."""
    config = _load(config_path)
    if articles_dir is not None:
        return replace(config, articles_dir=articles_dir.resolve())
    if config.source is None:
        from .store import database_url

        if not (from_database and database_url(config) is not None):
            looked = " or ".join(str(path) for path in CONFIG_PATHS)
            click.echo(f"feedsrv: nothing to {command}: run `feedsrv {command} ARTICLES_DIR`, or "
                       f"`feedsrv init DIR` to start a site (no --config, and no {looked} here)", err=True)
            sys.exit(EXIT_CONFIG_ERROR)
    return config


def _fail(exc: FeedsrvError) -> NoReturn:
    click.echo(f"feedsrv: {exc}", err=True)
    sys.exit(EXIT_CONFIG_ERROR if isinstance(exc, (ConfigError, DatabaseError, InitError)) else EXIT_ARTICLE_ERRORS)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="feedsrv")
def main() -> None:
    """Publish news articles as RSS 2.0, Atom 1.0 and JSON Feed 1.1 feeds."""


@main.command()
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Start a site in DIR: a commented feedsrv.toml and articles/ with a sample article.

    Creates DIR if needed; never overwrites: an existing DIR/feedsrv.toml or
    DIR/articles stops it (exit 2) before anything is written.
    """
    import shlex

    from .scaffold import init_site

    try:
        site = init_site(directory)
    except FeedsrvError as exc:
        _fail(exc)
    click.echo(f"wrote {site.config} (every setting, commented) and {site.sample}")
    here = directory.resolve() == Path.cwd().resolve()
    click.echo(f"next: {'' if here else f'cd {shlex.quote(str(directory))} && '}feedsrv serve")


@main.command()
@config_option
@click.option("--host", default=None, help="Address to listen on. Default: server.host (127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Port to listen on. Default: server.port (8080).")
@click.option("--workers", type=click.IntRange(1), default=None,
              help="Processes sharing the port. Default: server.workers (1).")
@click.option("--access-log/--no-access-log", default=None,
              help="Log every request, as server.access_log says (plain when off), or not. "
                   "Default: server.access_log (off).")
@articles_argument
def serve(config_path: Path | None, host: str | None, port: int | None, workers: int | None,
          access_log: bool | None, articles_dir: Path | None) -> None:
    """Serve the feeds, article pages and index over HTTP: the articles of
    ARTICLES_DIR, else of site.articles_dir.

    Changed articles are served without a restart (site.watch); with an API token
    (api.token, or the api.token_env variable) the publishing API is on. With
    --workers N, N processes share the port, each replaced if it dies.
    """
    config = _load_for_articles("serve", config_path, articles_dir, from_database=True)
    workers = workers or config.workers
    # Before _serve imports the server: prometheus_client chooses its multiprocess
    # mode when it is imported.
    metrics_dir = _multiprocess_metrics_dir(config, workers)
    try:
        _serve(config, host, port, workers, access_log, metrics_dir)
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _multiprocess_metrics_dir(config: SiteConfig, workers: int) -> Path | None:
    """With metrics and several workers, a directory for this run only where every
    worker writes its metrics (prometheus_client's multiprocess mode), named to
    prometheus_client before it is imported; None otherwise."""
    if config.metrics_address is None or workers == 1:
        return None
    directory = Path(tempfile.mkdtemp(prefix="feedsrv-metrics-"))
    os.environ[MULTIPROCESS_DIR_ENV] = str(directory)
    return directory


def _serve(config: SiteConfig, host: str | None, port: int | None, workers: int, access_log: bool | None,
           metrics_dir: Path | None) -> None:
    from aiohttp import web

    from .site import build_site
    from .store import StoreReader, database_url
    from .web import create_app
    from .web.api import api_token
    from .web.logs import access_logging
    from .web.loops import choose_event_loop
    from .web.workers import listening_sockets, reuseport_socket, supervise

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log = logging.getLogger("feedsrv")
    started = time.perf_counter()
    reader = None
    try:
        # Chosen first: a loop that cannot be had stops the start before the site is built.
        loop = choose_event_loop(config.event_loop)
        url = database_url(config)
        if url is None:
            site = build_site(config, stories_later_past=config.stories_before_serving)
        else:
            reader = StoreReader(url, config)
            site = _site_from_database(reader, config, log)
    except FeedsrvError as exc:
        _fail(exc)
    for message in (*site.loaded.errors, *site.loaded.warnings):
        log.warning("%s", message)
    # The history lives as long as the process: out of the cyclic garbage collector's
    # reach, later collections need not walk its millions of objects (long pauses
    # in reloads: docs/benchmarks.md, "Incremental update"), and forked workers
    # share its pages instead of copying those the collector would touch.
    gc.freeze()
    log.info("%d articles (%d files parsed, the rest from %s), %d feeds ready in %.2f s",
             len(site.catalog.entries), len(site.loaded.parsed),
             "the parse cache" if reader is None else "the database", len(site.catalog.feeds),
             time.perf_counter() - started)
    if site.catalog.stories_pending:
        log.info("grouping the stories of %d articles while serving (%d remembered stories meanwhile)",
                 len(site.catalog.entries), len(site.catalog.stories))
    if api_token(config) is not None:
        log.info("publishing API on at %s%s", API_ARTICLES, "" if reader is None else ", writing to the database")
    else:
        log.info("publishing API off: no token in api.token or $%s", config.api_token_env)
    log.info("event loop: %s", loop.description)
    host, port = host or config.host, port or config.port
    if access_log is not None:
        config = replace(config, access_log=("plain" if config.access_log == "off" else config.access_log)
                         if access_log else "off")
    requests_log = access_logging(config.access_log)
    metrics_sockets = _metrics_sockets(config)
    if workers == 1:
        try:
            # Bound here, before the app starts, so that only a failure to listen
            # becomes the one-line message below.
            sockets = listening_sockets(host, port)
        except OSError as exc:
            _cannot_listen(host, port, exc)
        web.run_app(create_app(config, site=site, freeze_collector=True, store=reader,
                               metrics_sockets=metrics_sockets), sock=sockets,
                    access_log=requests_log.logger, access_log_class=requests_log.logger_class,
                    print=lambda message: click.echo(message.strip(), err=True), loop=loop.new_loop())
        return

    def run_worker(index: int) -> None:
        # Each worker starts from the Site built above and watches the articles
        # itself (the watcher reloads once at start, so a replacement catches up),
        # or follows the database over connections of its own. Worker 0 serves the
        # metrics of all of them, on the sockets the supervisor holds: connections
        # wait there while a worker 0 that died is replaced.
        if index != 0:
            for sock in metrics_sockets:
                sock.close()
        app = create_app(config, site=site, notify=index == 0, freeze_collector=True, store=reader,
                         metrics_sockets=metrics_sockets if index == 0 else (), metrics_dir=metrics_dir)
        web.run_app(app, sock=reuseport_socket(host, port), access_log=requests_log.logger,
                    access_log_class=requests_log.logger_class, print=None, loop=loop.new_loop())

    click.echo(f"======== Running on http://{host}:{port} with {workers} workers ========", err=True)
    try:
        supervise(workers, host, port, run_worker,
                  on_exit=None if metrics_dir is None else partial(_worker_ended, metrics_dir))
    except OSError as exc:
        _cannot_listen(host, port, exc)
    finally:
        for sock in metrics_sockets:
            sock.close()


def _metrics_sockets(config: SiteConfig) -> list[socket.socket]:
    """The listening sockets of ``server.metrics_listen`` (none when it is empty)."""
    from .web.workers import listening_sockets

    if config.metrics_address is None:
        return []
    host, port = config.metrics_address
    try:
        return listening_sockets(host, port)
    except OSError as exc:
        _cannot_listen(host, port, exc)


def _worker_ended(metrics_dir: Path, pid: int) -> None:
    # The worker's counters stay in the directory, counted in every later scrape;
    # only its live gauges go.
    from prometheus_client.multiprocess import mark_process_dead

    # prometheus_client leaves this function unannotated.
    mark_process_dead(pid, str(metrics_dir))  # type: ignore[no-untyped-call]


def _site_from_database(reader: StoreReader, config: SiteConfig, log: logging.Logger) -> Site:
    """The Site of the database's articles, its schema upgraded first; the reader's
    connection is closed after, as forked workers each open their own."""
    import psycopg

    from .site import assemble_site
    from .store import connect, upgrade

    try:
        with connect(reader.url) as connection:
            for migration in upgrade(connection, reader.where):
                log.info("database at %s: applied migration %d (%s)", reader.where, migration.version,
                         migration.name)
    except psycopg.Error as exc:
        # Lost while upgrading: libpq's first line says why, and never holds the password.
        raise DatabaseError(reader.where, (str(exc).strip().splitlines() or [type(exc).__name__])[0]) from None
    try:
        stored = reader.read_all()
    finally:
        reader.close()
    log.info("articles from the database at %s (%d tombstoned)", reader.where, len(stored.deleted))
    return assemble_site(config, stored.loaded, deleted=stored.deleted,
                         stories_later_past=config.stories_before_serving)


def _cannot_listen(host: str, port: int, exc: OSError) -> NoReturn:
    click.echo(f"feedsrv: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
    sys.exit(EXIT_CONFIG_ERROR)


@main.command()
@config_option
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory to write the site into (created if missing).")
@articles_argument
def build(config_path: Path | None, out_dir: Path, articles_dir: Path | None) -> None:
    """Write every feed and page as static files (plus .gz siblings), from the
    articles of ARTICLES_DIR, else of site.articles_dir."""
    from .export import export_site
    from .site import build_site

    config = _load_for_articles("build", config_path, articles_dir)
    try:
        site = build_site(config)
        written = export_site(site, out_dir)
    except FeedsrvError as exc:
        _fail(exc)
    except OSError as exc:
        click.echo(f"feedsrv: cannot write to {out_dir}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_ARTICLE_ERRORS)
    for message in (*site.loaded.errors, *site.loaded.warnings):
        click.echo(f"warning: {message}", err=True)
    click.echo(f"wrote {len(written)} files for {len(site.catalog.entries)} articles "
               f"and {len(site.catalog.feeds)} feeds to {out_dir}")


def _json_default(value: Any) -> str:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"cannot serialize {type(value).__name__}")


def entry_as_json(entry: Entry) -> str:
    """One line of JSON for an entry, dates in ISO 8601."""
    record = asdict(entry)
    del record["html"]
    record["content"] = entry.content
    record["author"] = entry.author
    return json.dumps(record, ensure_ascii=False, default=_json_default)


TEXT_FIELDS = ("title", "title_derived", "author", "author_role", "outlet", "dateline",
               "published", "published_from", "updated", "topics", "summary")


def entry_as_text(entry: Entry) -> str:
    """A readable summary of an entry, for a person checking what the parser made."""
    lines = [f"== {entry.source}"]
    for name in TEXT_FIELDS:
        value = getattr(entry, name)
        lines.append(f"{name}: {', '.join(value) if isinstance(value, tuple) else value}")
    lines.extend(f"caption: {caption.text} [{caption.credit}]" for caption in entry.captions)
    lines.extend(f"reference: {ref.outlet} | {ref.title} | {ref.date}" for ref in entry.references)
    lines.extend(f"¶ {paragraph}" for paragraph in entry.body)
    lines.extend(f"warning: {warning}" for warning in entry.warnings)
    return "\n".join(lines)


@main.command()
@config_option
@click.option("--json/--text", "as_json", default=True,
              help="JSON Lines, one object per file (the default), or a readable summary.")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def parse(config_path: Path | None, as_json: bool, files: tuple[Path, ...]) -> None:
    """Print each FILE's normalized entry, in argument order.

    With --json (the default), one JSON object per line: every entry field plus
    ``author``. A file that cannot be parsed yields ``{"source", "error",
    "warnings"}``, and the exit status is 1.
    """
    from .parse import ParseOptions
    from .sources import load_article

    config = _load(config_path)
    options = ParseOptions.from_config(config)
    failed = False
    for path in files:
        try:
            entry = load_article(path, config, options)
            click.echo(entry_as_json(entry) if as_json else entry_as_text(entry))
        except ParseError as exc:
            failed = True
            if as_json:
                click.echo(json.dumps({"source": str(path), "error": exc.message,
                                       "warnings": [str(exc)]}, ensure_ascii=False))
            else:
                click.echo(f"== {path}\nerror: {exc}")
    if failed:
        sys.exit(EXIT_ARTICLE_ERRORS)


@main.command()
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory to write the articles into (created if missing).")
@click.option("--count", type=click.IntRange(1), default=100, show_default=True, help="How many articles.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed number; the same seed gives the same files.")
@click.option("--outlets", type=click.IntRange(1), default=50, show_default=True,
              help="How many outlets to spread over.")
def generate(out_dir: Path, count: int, seed: int, outlets: int) -> None:
    """Write synthetic articles in the style of the seeds (for demos and benchmarks)."""
    from .synth import generate_articles, write_articles

    articles = generate_articles(count, seed=seed, outlets=outlets)
    write_articles(articles, out_dir)
    click.echo(f"wrote {len(articles)} articles to {out_dir}")


@main.command()
@config_option
@articles_argument
def check(config_path: Path | None, articles_dir: Path | None) -> None:
    """Validate the config and every article (of ARTICLES_DIR, else of
    site.articles_dir); list every problem.

    Exits 2 on a config error, 1 when an article had to be skipped.
    """
    from .catalog import build_catalog
    from .sources import load_articles

    config = _load_for_articles("check", config_path, articles_dir)
    try:
        loaded = load_articles(config)
    except FeedsrvError as exc:
        _fail(exc)
    catalog = build_catalog(loaded.entries, config)
    for message in loaded.errors:
        click.echo(f"error: {message}")
    for message in loaded.warnings:
        click.echo(f"warning: {message}")
    click.echo(f"{config.source or 'built-in defaults'}: {len(loaded.entries)} articles, "
               f"{len(catalog.feeds)} feeds, {len(loaded.errors)} skipped, "
               f"{len(loaded.warnings)} warnings")
    if loaded.errors:
        sys.exit(EXIT_ARTICLE_ERRORS)


@contextmanager
def _database(config: SiteConfig) -> Iterator[tuple[psycopg.Connection[TupleRow], str]]:
    """A connection to the configured database, its schema upgraded, and the
    database's name for messages; every failure is one line and exit status 2."""
    import psycopg

    from .store import DATABASE_URL_ENV, connect, database_url, describe, upgrade

    url = database_url(config)
    if url is None:
        _fail(ConfigError("store.database_url", f"no database configured (set it, or ${DATABASE_URL_ENV})"))
    where = describe(url)
    try:
        with connect(url) as connection:
            for migration in upgrade(connection, where):
                click.echo(f"database at {where}: applied migration {migration.version} ({migration.name})")
            yield connection, where
    except FeedsrvError as exc:
        _fail(exc)
    except psycopg.Error as exc:
        # Lost while working: libpq's first line says why, and never holds the password.
        _fail(DatabaseError(where, (str(exc).strip().splitlines() or [type(exc).__name__])[0]))


@main.group()
def db() -> None:
    """Manage the database of store.database_url (or $FEEDSRV_DATABASE_URL)."""


@db.command()
@config_option
def upgrade(config_path: Path | None) -> None:
    """Apply the schema migrations the database lacks; safe to run on every instance at once."""
    from .store import SCHEMA_VERSION

    with _database(_load(config_path)) as (_connection, where):
        click.echo(f"database at {where}: schema at version {SCHEMA_VERSION}")


@main.command("import")
@config_option
@click.argument("directory", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path))
def import_command(config_path: Path | None, directory: Path) -> None:
    """Store the article files of DIR in the database, parsed.

    Idempotent: a file the database holds with the same name and bytes is left
    alone. An article whose file is not in DIR stays in the database. Exits 1
    when a file had to be skipped.
    """
    from .store import import_articles

    config = _load(config_path)
    with _database(config) as (connection, where):
        report = import_articles(connection, directory, config)
    for message in report.errors:
        click.echo(f"error: {message}")
    for message in report.warnings:
        click.echo(f"warning: {message}")
    if report.wrote_anything:
        click.echo(f"{directory} into the database at {where}: {len(report.added)} added, "
                   f"{len(report.updated)} updated, {len(report.reparsed)} parsed again, "
                   f"{report.unchanged} unchanged, {len(report.errors)} skipped")
    else:
        click.echo(f"{directory}: nothing to import, the database at {where} holds all "
                   f"{report.unchanged} articles as they are ({len(report.errors)} skipped)")
    if report.errors:
        sys.exit(EXIT_ARTICLE_ERRORS)


@main.command()
@config_option
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="First day shown (UTC), YYYY-MM-DD. Default: 29 days before --until.")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last day shown (UTC), YYYY-MM-DD. Default: today.")
@click.option("--feed", "feed_path", default=None, metavar="PATH",
              help="Only the feed document at PATH, such as /feeds/all.atom.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON, as /api/stats gives it.")
def stats(config_path: Path | None, since: datetime | None, until: datetime | None, feed_path: str | None,
          as_json: bool) -> None:
    """Show each feed's subscribers and traffic per day, read from the statistics store.

    Reads the SQLite file of stats.database, or the database of store.database_url,
    directly: no server needs to run.
    """
    import sqlite3
    from datetime import UTC, timedelta

    from .stats import format_report, open_stats_store, report_json

    config = _load(config_path)
    last = until.date() if until is not None else datetime.now(UTC).date()
    first = since.date() if since is not None else last - timedelta(days=29)
    if first > last:
        _fail(ConfigError("--since", f"{first.isoformat()} is after --until ({last.isoformat()})"))
    store = open_stats_store(config)
    try:
        report = store.report(first, last)
    except DatabaseError as exc:
        _fail(DatabaseError(exc.where, f"{exc.message}; is its schema upgraded (feedsrv db upgrade)?"))
    except sqlite3.Error as exc:
        _fail(ConfigError("stats.database", f"cannot read {store.where}: {exc}"))
    finally:
        store.close()
    if feed_path is not None:
        report = replace(report, feeds=tuple(feed for feed in report.feeds if feed.path == feed_path))
    click.echo(json.dumps(report_json(report), indent=2) if as_json else format_report(report), nl=as_json)
