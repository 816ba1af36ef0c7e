"""Start-up: from `feedsrv serve` to the first feed answered, at 1k, 10k and 100k articles.

Usage: python bench/cold_start.py [--articles 1000 10000 100000] [--processes 0] [--corpora DIR]

For each size, a generated history (bench/corpus.py) is served by a new
`feedsrv serve` process, twice:
  cold  no parse cache: every article is read and parsed (one process per core),
        the catalog built and every subscription document rendered;
  warm  a restart, with the parse cache the cold start wrote.
The time runs from starting the process until GET /feeds/all.atom answers 200.
Past server.stories_before_serving articles the server then groups the stories
while serving: the bench waits for its log line (`related coverage: … grouped in
S s`) and prints when it came, from the start; the warm start serves the stories the
cold one remembered (feedsrv.storyhints) meanwhile.
Prints seconds, articles/s, the server's peak RSS (VmHWM) against the corpus's bytes
on disk, the largest parsing process's peak RSS, and the CPU time of the whole
process tree (so parallelism shows as CPU seconds over wall seconds).
"""

from __future__ import annotations

import argparse
import http.client
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from corpus import DEFAULT_DIR, corpus_bytes, ensure_corpus
from serve_throughput import BIN, FEED, ROOT, free_port


@dataclass
class Start:
    seconds: float
    server_peak_rss: int
    largest_child_rss: int
    cpu_seconds: float
    log: str
    # From the start to the stories' log line; None when they were grouped before serving.
    grouped_seconds: float | None


def answers(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", FEED)
        status = connection.getresponse().status
        connection.close()
        return status == 200
    except OSError:
        return False


def peak_rss(pid: int) -> int:
    """VmHWM of a running process, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmHWM for {pid}")


def start_once(config: Path, log_path: Path) -> Start:
    """Start `feedsrv serve`, time it until the feed answers, then stop it."""
    port = free_port()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with log_path.open("wb") as log:
        started = time.perf_counter()
        server = subprocess.Popen([BIN / "feedsrv", "serve", "--config", config, "--port", str(port)],
                                  stdout=log, stderr=subprocess.STDOUT)
        try:
            while not answers(port):
                if server.poll() is not None:
                    raise SystemExit(f"feedsrv exited with {server.returncode}: {log_path.read_text()[-2000:]}")
                time.sleep(0.02)
            seconds = time.perf_counter() - started
            grouped = None
            if "while serving" in log_path.read_text(errors="replace"):
                while "related coverage:" not in log_path.read_text(errors="replace"):
                    if server.poll() is not None:
                        raise SystemExit(f"feedsrv exited with {server.returncode}: {log_path.read_text()[-2000:]}")
                    time.sleep(0.1)
                grouped = time.perf_counter() - started
            server_rss = peak_rss(server.pid)
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # ru_maxrss of waited children: the largest of the server and its parsing processes.
    return Start(seconds, server_rss, after.ru_maxrss * 1024, cpu, log_path.read_text(errors="replace"), grouped)


def write_config(workdir: Path, articles: Path, cache: Path, processes: int) -> Path:
    shipped = (ROOT / "config" / "feedsrv.toml").read_text(encoding="utf-8")
    site = (f'[site]\narticles_dir = "{articles}"\nparse_cache = "{cache}"\nbuild_processes = {processes}\n'
            'watch = "off"\n')
    config = workdir / "feedsrv.toml"
    # The shipped outlets and topics, the benchmark's articles.
    config.write_text(shipped.replace("[site]\n", site, 1).replace('articles_dir = "../seeds"\n', ""),
                      encoding="utf-8")
    return config


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    arguments.add_argument("--articles", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    arguments.add_argument("--processes", type=int, default=0, help="site.build_processes (0: one per core)")
    arguments.add_argument("--corpora", type=Path, default=DEFAULT_DIR)
    options = arguments.parse_args()
    print(f"{os.cpu_count()} cores; time from `feedsrv serve` to the first 200 for {FEED}")
    print(f"{'articles':>9} {'start':>5} {'seconds':>8} {'articles/s':>11} {'server RSS':>11} "
          f"{'× corpus':>8} {'parser RSS':>11} {'CPU s':>7}")
    with tempfile.TemporaryDirectory(prefix="feedsrv-start-") as scratch:
        workdir = Path(scratch)
        for count in options.articles:
            articles = ensure_corpus(count, root=options.corpora)
            size = corpus_bytes(articles)
            # Each size its own directory: the stories are remembered beside the cache.
            cache = workdir / str(count) / "parsed.pickle"
            cache.parent.mkdir()
            config = write_config(workdir, articles, cache, options.processes)
            for kind in ("cold", "warm"):
                if kind == "cold":
                    cache.unlink(missing_ok=True)
                    cache.with_name("stories.json").unlink(missing_ok=True)
                run = start_once(config, workdir / f"serve-{count}-{kind}.log")
                print(f"{count:>9,} {kind:>5} {run.seconds:>8.2f} {count / run.seconds:>11,.0f} "
                      f"{run.server_peak_rss / 2**20:>8,.0f} MiB {run.server_peak_rss / size:>7.2f}× "
                      f"{run.largest_child_rss / 2**20:>8,.0f} MiB {run.cpu_seconds:>7.1f}", flush=True)
                for line in run.log.splitlines():
                    if "ready in" in line or "while serving" in line or "related coverage:" in line:
                        print(f"{'':>16}{line.partition(': ')[2]}")
                if run.grouped_seconds is not None:
                    print(f"{'':>16}stories in place {run.grouped_seconds:.1f} s after the start")
            print(f"{'':>16}corpus: {size / 2**20:,.1f} MiB on disk")
    return 0


if __name__ == "__main__":
    sys.exit(main())
