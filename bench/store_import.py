"""`feedsrv import` of a generated history into an empty database, then again.

Usage: python bench/store_import.py [--articles 10000] [--rounds 1] [--database-url URL] [--corpora DIR]

For each size, `feedsrv import DIR` into a new, empty database (every article read,
parsed and stored), then the same import again (every article read and found
unchanged by its digest, nothing written). Prints wall seconds, articles/s and the
CPU time of the process tree. Without --database-url, a throwaway PostgreSQL is
started (bench/throwaway_pg.py).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cold_start import write_config
from corpus import DEFAULT_DIR, ensure_corpus
from serve_throughput import BIN
from throwaway_pg import databases


def timed_import(config: Path, articles: Path, url: str) -> tuple[float, float, str]:
    """Wall and CPU seconds of one `feedsrv import`, and its summary line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([BIN / "feedsrv", "import", str(articles), "--config", str(config)],
                          env={**os.environ, "FEEDSRV_DATABASE_URL": url}, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"feedsrv import exited with {done.returncode}: {done.stderr[-2000:]}{done.stdout[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, done.stdout.strip().splitlines()[-1]


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    arguments.add_argument("--articles", type=int, nargs="+", default=[10_000])
    arguments.add_argument("--rounds", type=int, default=1)
    arguments.add_argument("--processes", type=int, default=0, help="site.build_processes (0: one per core)")
    arguments.add_argument("--database-url", help="a server whose user may create databases (default: throwaway)")
    arguments.add_argument("--corpora", type=Path, default=DEFAULT_DIR)
    options = arguments.parse_args()
    print(f"{os.cpu_count()} cores; `feedsrv import DIR` into an empty database, then again")
    print(f"{'articles':>9} {'import':>7} {'seconds':>8} {'articles/s':>11} {'CPU s':>7}")
    with tempfile.TemporaryDirectory(prefix="feedsrv-import-") as scratch, databases(options.database_url) as dbs:
        for count in options.articles:
            articles = ensure_corpus(count, root=options.corpora)
            config = write_config(Path(scratch), articles, Path(scratch) / "unused.pickle", options.processes)
            for _ in range(options.rounds):
                url = dbs.fresh_database()
                subprocess.run([BIN / "feedsrv", "db", "upgrade", "--config", str(config)], check=True,
                               env={**os.environ, "FEEDSRV_DATABASE_URL": url}, capture_output=True)
                for kind in ("first", "again"):
                    seconds, cpu, summary = timed_import(config, articles, url)
                    print(f"{count:>9,} {kind:>7} {seconds:>8.2f} {count / seconds:>11,.0f} {cpu:>7.1f}", flush=True)
                    print(f"{'':>18}{summary.rpartition(': ')[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
