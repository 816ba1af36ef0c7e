"""Start-up from the database against today's warm start from files, side by side.

Usage: python bench/store_start.py [--articles 10000 100000] [--rounds 3] [--other-parser 10000]
                                   [--database-url URL] [--corpora DIR] [--state DIR]

For each size, the generated history (bench/corpus.py) is imported into a database
(`feedsrv import`, reused by a later run when it is still there), the parse cache
written by one cold start from the files (kept in --state for a later run), then each round starts a new
`feedsrv serve` process for:
  a  files  today's warm start: the articles directory and its parse cache;
  b  store  a new instance of the database, whose parsed entries it reads;
  c  parse  the database, its entries made by another parser version (another
            site.max_article_bytes), so every article is parsed at start, the
            entries stored then removed again (only at the --other-parser sizes).
The kinds alternate (a, b, c, a, b, c, ...), so a slow spell of the machine hits
them alike. Each start is timed from starting the process until GET /feeds/all.atom
answers 200, with the CPU time of its process tree and its peak RSS; the medians
and the ratios to (a) are printed at the end. Without --database-url, a throwaway
PostgreSQL is started (bench/throwaway_pg.py).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg

from cold_start import Start, start_once, write_config
from corpus import DEFAULT_DIR, ensure_corpus
from feedsrv.config import load_config
from feedsrv.parsecache import parser_stamp
from serve_throughput import BIN
from throwaway_pg import databases

KINDS = {"a": "files", "b": "store", "c": "parse"}


def database_config(file_config: Path, url: str, name: str, max_article_bytes: int | None = None) -> Path:
    """``file_config`` reading its articles from the database at ``url`` instead."""
    text = file_config.read_text(encoding="utf-8")
    if max_article_bytes is not None:
        text = re.sub(r"(?m)^max_article_bytes = \d+$", f"max_article_bytes = {max_article_bytes}", text)
    config = file_config.with_name(name)
    config.write_text(f'{text}\n[store]\ndatabase_url = "{url}"\n', encoding="utf-8")
    return config


def import_corpus(config: Path, articles: Path) -> str:
    """Upgrade the config's database and import ``articles`` into it; the summary line."""
    subprocess.run([BIN / "feedsrv", "db", "upgrade", "--config", str(config)], check=True, capture_output=True)
    done = subprocess.run([BIN / "feedsrv", "import", str(articles), "--config", str(config)], check=True,
                          capture_output=True, text=True)
    return done.stdout.strip().splitlines()[-1]


def ready_line(run: Start) -> str:
    return next((line.partition("feedsrv: ")[2] for line in run.log.splitlines() if "ready in" in line), "")


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    arguments.add_argument("--articles", type=int, nargs="+", default=[10_000, 100_000])
    arguments.add_argument("--rounds", type=int, default=3)
    arguments.add_argument("--other-parser", type=int, nargs="*", default=[10_000],
                           help="sizes at which to time (c) too")
    arguments.add_argument("--processes", type=int, default=0, help="site.build_processes (0: one per core)")
    arguments.add_argument("--database-url", help="a server whose user may create databases (default: throwaway)")
    arguments.add_argument("--corpora", type=Path, default=DEFAULT_DIR)
    arguments.add_argument("--state", type=Path, help="where to keep the parse caches for the next run")
    options = arguments.parse_args()
    print(f"{os.cpu_count()} cores; time from `feedsrv serve` to the first 200 for /feeds/all.atom")
    with tempfile.TemporaryDirectory(prefix="feedsrv-store-start-") as scratch, \
            databases(options.database_url) as dbs:
        workdir = Path(scratch)
        for count in options.articles:
            articles = ensure_corpus(count, root=options.corpora)
            cache = (options.state or workdir) / f"parsed-{count}.pickle"
            file_config = write_config(workdir, articles, cache, options.processes)
            url = dbs.database(f"feedsrv_start_{count}")
            configs = {"a": file_config, "b": database_config(file_config, url, "store.toml")}
            kinds = ["a", "b"]
            if count in options.other_parser:
                # Another value of a setting the parser reads is another parser version.
                limit = load_config(file_config).max_article_bytes + 1
                configs["c"] = database_config(file_config, url, "other-parser.toml", limit)
                kinds.append("c")
            print(f"{count:,} articles: {import_corpus(configs['b'], articles).rpartition(': ')[2]}", flush=True)
            stamp = parser_stamp(load_config(configs["b"]))
            if not cache.exists():
                cold = start_once(file_config, workdir / "cold.log")
                print(f"  cold start from the files (writes the parse cache): {cold.seconds:.2f} s", flush=True)
            print(f"  {'round':>5} {'kind':>6} {'seconds':>8} {'CPU s':>7} {'RSS MiB':>8}  log")
            runs: dict[str, list[Start]] = {kind: [] for kind in kinds}
            for round_number in range(1, options.rounds + 1):
                for kind in kinds:
                    if kind == "c":
                        with psycopg.connect(url, autocommit=True) as connection:
                            connection.execute("DELETE FROM parsed_entries WHERE parser <> %s", (stamp,))
                    run = start_once(configs[kind], workdir / f"serve-{count}-{kind}.log")
                    runs[kind].append(run)
                    print(f"  {round_number:>5} {KINDS[kind]:>6} {run.seconds:>8.2f} {run.cpu_seconds:>7.1f} "
                          f"{run.server_peak_rss / 2**20:>8,.0f}  {ready_line(run)}", flush=True)
            wall = {kind: statistics.median(run.seconds for run in done) for kind, done in runs.items()}
            cpu = {kind: statistics.median(run.cpu_seconds for run in done) for kind, done in runs.items()}
            print(f"  medians of {options.rounds}: " + ", ".join(
                f"{KINDS[kind]} {wall[kind]:.2f} s ({cpu[kind]:.1f} CPU s)" for kind in kinds))
            print("  ratios to files: " + ", ".join(
                f"{KINDS[kind]}/files {wall[kind] / wall['a']:.2f} wall, {cpu[kind] / cpu['a']:.2f} CPU"
                for kind in kinds[1:]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
