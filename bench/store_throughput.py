"""Serving throughput from the database against from files: reads never touch the database.

Usage: python bench/store_throughput.py [--articles 1000] [--duration 10] [--connections 64] [--rounds 3]
                                        [--database-url URL] [--corpora DIR]

One generated history (bench/corpus.py) is served by two `feedsrv serve`
processes, one from its articles directory and one from a database it was
imported into, and `wrk` (as in bench/serve_throughput.py) loads each in turn,
interleaved over --rounds rounds, with:
  200  GET /feeds/all.atom, Accept-Encoding: gzip
  304  the same with If-None-Match
Prints each target's best round (requests/s, p99) and the ratios store ÷ files.
Needs Debian's wrk. Without --database-url, a throwaway PostgreSQL is started
(bench/throwaway_pg.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cold_start import write_config
from corpus import DEFAULT_DIR, ensure_corpus
from serve_throughput import BIN, FEED, Result, fetch, free_port, run_wrk, wait_for
from store_start import database_config, import_corpus
from throwaway_pg import databases


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    arguments.add_argument("--articles", type=int, default=1_000)
    arguments.add_argument("--duration", type=int, default=10)
    arguments.add_argument("--connections", type=int, default=64)
    arguments.add_argument("--threads", type=int, default=2)
    arguments.add_argument("--rounds", type=int, default=3, help="runs of each target, interleaved; the best counts")
    arguments.add_argument("--database-url", help="a server whose user may create databases (default: throwaway)")
    arguments.add_argument("--corpora", type=Path, default=DEFAULT_DIR)
    options = arguments.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="feedsrv-store-serve-") as scratch, \
            databases(options.database_url) as dbs:
        workdir = Path(scratch)
        articles = ensure_corpus(options.articles, root=options.corpora)
        file_config = write_config(workdir, articles, workdir / "parsed.pickle", 0)
        store_config = database_config(file_config, dbs.fresh_database(), "store.toml")
        print(f"{options.articles:,} articles: {import_corpus(store_config, articles).rpartition(': ')[2]}")
        ports = {}
        try:
            for kind, config in (("files", file_config), ("store", store_config)):
                ports[kind] = free_port()
                with (workdir / f"{kind}.log").open("wb") as log:
                    processes.append(subprocess.Popen(
                        [BIN / "feedsrv", "serve", "--config", config, "--port", str(ports[kind])],
                        stdout=log, stderr=subprocess.STDOUT))
                wait_for(ports[kind], processes[-1])
            gzip_only = {"Accept-Encoding": "gzip"}
            bodies = {kind: fetch(port, gzip_only) for kind, port in ports.items()}
            same = bodies["files"][2] == bodies["store"][2]
            targets = {}
            for kind, port in ports.items():
                etag = bodies[kind][1]["ETag"]
                targets[f"{kind} 200"] = (port, gzip_only)
                targets[f"{kind} 304"] = (port, {**gzip_only, "If-None-Match": etag})
            results: dict[str, Result] = {}
            for _ in range(options.rounds):
                for name, (port, headers) in targets.items():
                    result = run_wrk(name, port, headers, options)
                    if name not in results or result.requests_per_second > results[name].requests_per_second:
                        results[name] = result
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)
    print(f"feed: {FEED}, {len(bodies['files'][2]):,} bytes gzipped, the same bytes from both: "
          f"{'yes' if same else 'no'}; wrk -t{options.threads} -c{options.connections} -d{options.duration}s, "
          f"best of {options.rounds} rounds; {os.cpu_count()} cores shared by wrk and the server")
    print(f"{'':12} {'requests/s':>11} {'p99 ms':>8}")
    for name, result in results.items():
        print(f"{name:12} {result.requests_per_second:>11,.0f} {result.p99_ms:>8.2f} {result.status_line}")
    rate = {name: result.requests_per_second for name, result in results.items()}
    print(f"store/files: 200 {rate['store 200'] / rate['files 200']:.2f}   "
          f"304 {rate['store 304'] / rate['files 304']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
