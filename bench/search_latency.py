"""Search latency: `/feeds/search.atom?q=…` for a common and a rare word, cold and cached.

Usage: python bench/search_latency.py [--articles 100000] [--corpora DIR] [--requests 200]
                                      [--words said petrov "petrov lindqvist" zeppelin]
                                      [--store [--database-url URL]]

Serves the generated history of N articles (`bench/corpus.py`, reused when complete;
its parse cache beside it, so a second run starts in seconds) with `feedsrv serve` on
a free loopback port, waits until the search index is built (the first search
answers), then fetches, one request at a time over one keep-alive connection, with
`Accept-Encoding: gzip`:

- cold: the first request for a query, each a new one with the same results
  (`q=<word> -nosuchword<i>`): the query runs and the feed (site.entries_per_feed
  entries) is rendered and compressed;
- cached: the same query again, answered from the search's cache.

With ``--store``, the same articles are then imported (`feedsrv import`) into a
database of the PostgreSQL server ``--database-url`` names (else a throwaway one,
bench/throwaway_pg.py; a later run reuses the database) and served from it, so the
database's full-text search answers, measured the same way, with the ratios to the
embedded engine.

Prints p50/p99 in milliseconds for each query, its matches (up to 100), the time the
index took to build and the server's memory. The generated articles draw on a small vocabulary:
"said" is in 98% of them, "petrov", a reporter's surname and the rarest word of
six letters or more, in about 3.5%, "petrov lindqvist" in fewer, and "zeppelin" in
none.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote

from corpus import DEFAULT_DIR, ensure_corpus
from store_start import database_config, import_corpus
from throwaway_pg import databases

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Client:
    """One keep-alive connection to the server."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def get(self, path: str) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        self.connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = self.connection.getresponse()
        body = response.read()
        return response.status, body, time.perf_counter() - started


def count(client: Client, word: str) -> int:
    """How many articles match ``word``, up to 100 (the JSON feed's items)."""
    status, body, _ = client.get(f"/feeds/search.json?q={quote(word)}&limit=100")
    assert status == 200, body[:200]
    return len(json.loads(gzip.decompress(body))["items"])


def measure(client: Client, word: str, requests: int) -> dict[str, float]:
    cold = []
    for number in range(requests):
        status, body, seconds = client.get(f"/feeds/search.atom?q={quote(f'{word} -nosuchword{number}')}")
        assert status == 200, body[:200]
        cold.append(seconds)
    path = f"/feeds/search.atom?q={quote(word)}"
    client.get(path)
    cached = []
    for _ in range(requests):
        status, body, seconds = client.get(path)
        assert status == 200
        cached.append(seconds)
    return {"cold p50": percentile(cold, 0.5) * 1000, "cold p99": percentile(cold, 0.99) * 1000,
            "cold mean": statistics.fmean(cold) * 1000,
            "cached p50": percentile(cached, 0.5) * 1000, "cached p99": percentile(cached, 0.99) * 1000}


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--articles", type=int, default=100_000)
    arguments.add_argument("--corpora", type=Path, default=DEFAULT_DIR)
    arguments.add_argument("--requests", type=int, default=200)
    arguments.add_argument("--words", nargs="+", default=["said", "petrov", "petrov lindqvist", "zeppelin"])
    arguments.add_argument("--store", action="store_true",
                           help="also search the same articles in PostgreSQL (the shared store), in the same run")
    arguments.add_argument("--database-url", help="with --store: a server whose user may create databases "
                                                  "(default: a throwaway one)")
    options = arguments.parse_args()
    articles = ensure_corpus(options.articles, root=options.corpora)
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as stack:
        config = Path(scratch) / "feedsrv.toml"
        cache = articles.parent / f"{articles.name}.parsed.pickle"
        config.write_text(f'[site]\narticles_dir = "{articles}"\nparse_cache = "{cache}"\nwatch = "off"\n'
                          f'[websub]\ndatabase = "{Path(scratch) / "websub.sqlite3"}"\n', encoding="utf-8")
        engines = {"embedded (SQLite FTS5)": config}
        if options.store:
            dbs = stack.enter_context(databases(options.database_url))
            store = database_config(config, dbs.database(f"feedsrv_search_{options.articles}"), "store.toml")
            started = time.perf_counter()
            summary = import_corpus(store, articles)
            print(f"imported into PostgreSQL in {time.perf_counter() - started:.0f} s: {summary}", flush=True)
            engines["PostgreSQL"] = store
        results = {name: serve_and_measure(path, name, options) for name, path in engines.items()}
        if len(results) == 2:
            (first, a), (second, b) = results.items()
            for word in options.words:
                print(f"{word!r}: {second} ÷ {first}: " + ", ".join(
                    f"{name} {b[word][name] / a[word][name]:.2f}" for name in a[word] if name != "cold mean"))


def serve_and_measure(config: Path, engine: str, options: argparse.Namespace) -> dict[str, dict[str, float]]:
    """Serve ``config`` with `feedsrv serve`, print and return each word's figures."""
    port = free_port()
    started = time.perf_counter()
    log = config.with_suffix(".log")
    with log.open("wb") as output:
        server = subprocess.Popen([str(BIN / "feedsrv"), "serve", "--config", str(config), "--port", str(port)],
                                  env={**os.environ, "FEEDSRV_API_TOKEN": ""}, stdout=output,
                                  stderr=subprocess.STDOUT)
    results = {}
    try:
        client = _wait(port, server)
        served = time.perf_counter() - started
        # A large history's stories are grouped while it serves: measured after, as
        # the grouping shares the interpreter lock with every request.
        while "while serving" in log.read_text() and "related coverage:" not in log.read_text():
            time.sleep(0.5)
        # A new connection: the server closes one left idle that long.
        client = Client(port)
        # The first search waits for the index to be built.
        status, _, _ = client.get("/feeds/search.atom?q=warmup")
        ready = time.perf_counter() - started
        assert status == 200
        before = _memory(server.pid)
        print(f"{engine}, {options.articles} articles: served after {served:.1f} s, stories grouped and index "
              f"built after {ready:.1f} s; server RSS {before['VmRSS'] / 1024:.0f} MiB, "
              f"peak {before['VmHWM'] / 1024:.0f} MiB")
        for word in options.words:
            figures = measure(client, word, options.requests)
            matches = count(client, word)
            shown = ", ".join(f"{name} {value:.1f} ms" for name, value in figures.items())
            print(f"  {word!r} ({matches}{'+' if matches == 100 else ''} matches): {shown}", flush=True)
            results[word] = figures
        after = _memory(server.pid)
        print(f"  after the searches: server RSS {after['VmRSS'] / 1024:.0f} MiB, "
              f"peak {after['VmHWM'] / 1024:.0f} MiB")
    finally:
        server.terminate()
        server.wait(timeout=60)
    return results


def _memory(pid: int) -> dict[str, int]:
    """The server's VmRSS and VmHWM, in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def _wait(port: int, server: subprocess.Popen[bytes]) -> Client:
    deadline = time.monotonic() + 3600
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"feedsrv serve exited with {server.returncode}")
        try:
            client = Client(port)
            status, _, _ = client.get("/healthz")
            if status == 200:
                return client
        except OSError:
            time.sleep(0.5)
    raise SystemExit("feedsrv serve did not start")


if __name__ == "__main__":
    main()
