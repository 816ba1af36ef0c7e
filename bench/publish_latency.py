"""Publish through one instance, served by another: two `feedsrv serve` on one database.

Usage: python bench/publish_latency.py [--articles 10000] [--publish 200] [--database-url URL] [--corpora DIR]

A generated history (bench/corpus.py) is imported into a new database, and two
instances, A and B, serve it. Articles are then published through A's API one at
a time (POST /api/articles, a generated article under a slug of its own); for each,
from sending the request, the bench times (i) A's 201, which A sends once it serves
the article itself, and (ii) B serving it: a second thread asks B for the article's
page over one kept-alive connection, every millisecond, until it answers 200
(B hears of the change by LISTEN/NOTIFY and reads the change log).
Prints the median, p99 and max of both. Without --database-url, a throwaway
PostgreSQL is started (bench/throwaway_pg.py).
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from cold_start import answers, write_config
from corpus import DEFAULT_DIR, ensure_corpus
from feedsrv.synth import generate_articles
from serve_throughput import BIN, free_port
from store_start import database_config, import_corpus
from throwaway_pg import databases

POLL_SECONDS = 0.001


def start_instance(config: Path, token: str, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    with log.open("wb") as stream:
        server = subprocess.Popen([BIN / "feedsrv", "serve", "--config", config, "--port", str(port)],
                                  stdout=stream, stderr=subprocess.STDOUT,
                                  env={**os.environ, "FEEDSRV_API_TOKEN": token})
    deadline = time.monotonic() + 300
    while not answers(port):
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"feedsrv did not start: {log.read_text()[-2000:]}")
        time.sleep(0.05)
    return server, port


def wait_served(port: int, path: str, started: float, seen: list[float]) -> None:
    """Ask for ``path`` until it answers 200; the time since ``started`` into ``seen``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while True:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        if response.status == 200:
            seen.append(time.perf_counter() - started)
            connection.close()
            return
        time.sleep(POLL_SECONDS)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    arguments.add_argument("--articles", type=int, default=10_000, help="the history both instances serve")
    arguments.add_argument("--publish", type=int, default=200, help="articles published through A")
    arguments.add_argument("--database-url", help="a server whose user may create databases (default: throwaway)")
    arguments.add_argument("--corpora", type=Path, default=DEFAULT_DIR)
    options = arguments.parse_args()
    token = secrets.token_urlsafe(24)
    run = secrets.token_hex(3)
    with tempfile.TemporaryDirectory(prefix="feedsrv-publish-") as scratch, \
            databases(options.database_url) as dbs:
        workdir = Path(scratch)
        articles = ensure_corpus(options.articles, root=options.corpora)
        config = database_config(write_config(workdir, articles, workdir / "unused.pickle", 0),
                                 dbs.fresh_database(), "store.toml")
        print(f"{options.articles:,} articles: {import_corpus(config, articles).rpartition(': ')[2]}", flush=True)
        first, first_port = start_instance(config, token, workdir / "a.log")
        second, second_port = start_instance(config, token, workdir / "b.log")
        to_first: list[float] = []
        to_second: list[float] = []
        try:
            api = http.client.HTTPConnection("127.0.0.1", first_port, timeout=60)
            for number, piece in enumerate(generate_articles(options.publish, seed=7)):
                slug = f"bench-{run}-{number}"
                started = time.perf_counter()
                watcher = threading.Thread(target=wait_served,
                                           args=(second_port, f"/articles/{slug}", started, to_second))
                watcher.start()
                api.request("POST", "/api/articles", body=piece.text.encode("utf-8"),
                            headers={"Authorization": f"Bearer {token}", "X-Slug": slug,
                                     "Content-Type": "text/plain; charset=utf-8"})
                response = api.getresponse()
                body = response.read()
                to_first.append(time.perf_counter() - started)
                if response.status != 201:
                    raise SystemExit(f"POST answered {response.status}: {body[:500]!r}")
                watcher.join()
        finally:
            for server in (first, second):
                server.terminate()
                server.wait(timeout=60)
    print(f"{os.cpu_count()} cores; {options.publish} articles published through A, one at a time, "
          f"over {options.articles:,}")
    print(f"{'milliseconds':<28} {'p50':>7} {'p99':>7} {'max':>7}")
    for label, values in (("(i) request → A's 201", to_first), ("(ii) request → B serves it", to_second)):
        print(f"{label:<28} {statistics.median(values) * 1000:>7.1f} {percentile(values, 0.99) * 1000:>7.1f} "
              f"{max(values) * 1000:>7.1f}")
    lag = [second - first for first, second in zip(to_first, to_second, strict=True)]
    print(f"{'B after A (ii − i)':<28} {statistics.median(lag) * 1000:>7.1f} {percentile(lag, 0.99) * 1000:>7.1f} "
          f"{max(lag) * 1000:>7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
