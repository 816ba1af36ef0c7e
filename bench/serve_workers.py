"""`feedsrv serve --workers N`: throughput with one worker against two, under wrk.

Usage: python bench/serve_workers.py [--articles DIR] [--duration 10] [--connections 64] [--rounds 3]

Runs `wrk -t2 -cC -dDs --latency` against /feeds/all.atom (Accept-Encoding: gzip)
served by `feedsrv serve --workers 1` and `--workers 2`, the rounds interleaved and
each setup's best round kept, and prints requests/s, p99 latency and the CPU share
(of all cores) taken by wrk and by the feedsrv workers. wrk runs on the same
machine, so with two cores the workers and wrk compete for them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from serve_throughput import BIN, Result, free_port, run_wrk, wait_for

GZIP = {"Accept-Encoding": "gzip"}
TICKS = os.sysconf("SC_CLK_TCK")


def worker_cpu_seconds(supervisor: int) -> float:
    """CPU time (user and system) used so far by the supervisor's child processes."""
    children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
    total = 0
    for pid in [supervisor, *children]:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    arguments.add_argument("--articles", type=Path, help="articles directory (default: 500 generated)")
    arguments.add_argument("--duration", type=int, default=10)
    arguments.add_argument("--connections", type=int, default=64)
    arguments.add_argument("--threads", type=int, default=2)
    arguments.add_argument("--rounds", type=int, default=3, help="runs of each setup, interleaved; the best counts")
    options = arguments.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install wrk")

    workdir = Path(tempfile.mkdtemp(prefix="feedsrv-bench-"))
    servers: dict[int, tuple[subprocess.Popen, int]] = {}
    try:
        articles = options.articles
        if articles is None:
            articles = workdir / "articles"
            subprocess.run([BIN / "feedsrv", "generate", "--out", articles, "--count", "500"], check=True,
                           stdout=subprocess.DEVNULL)
        config = workdir / "feedsrv.toml"
        config.write_text(f'[site]\narticles_dir = "{articles.resolve()}"\n', encoding="utf-8")
        for workers in (1, 2):
            port = free_port()
            # The server writes to its own copy of the descriptor: ours can close at once.
            with open(workdir / f"feedsrv-{workers}.log", "wb") as log:
                process = subprocess.Popen([BIN / "feedsrv", "serve", "--config", config, "--port", str(port),
                                            "--workers", str(workers)], stdout=log, stderr=subprocess.STDOUT)
            servers[workers] = (process, port)
            wait_for(port, process)
        best: dict[int, tuple[Result, float]] = {}
        for _ in range(options.rounds):
            for workers, (process, port) in servers.items():
                before = worker_cpu_seconds(process.pid)
                result = run_wrk(f"N={workers}", port, GZIP, options)
                # run_wrk's wall time is the duration, within a few milliseconds.
                server_share = (worker_cpu_seconds(process.pid) - before) / (options.duration * os.cpu_count())
                if workers not in best or result.requests_per_second > best[workers][0].requests_per_second:
                    best[workers] = (result, server_share)
        print(f"wrk -t{options.threads} -c{options.connections} -d{options.duration}s, best of {options.rounds} "
              f"rounds; {os.cpu_count()} cores shared by wrk and the server")
        print(f"{'':8} {'requests/s':>11} {'p99 ms':>8} {'wrk CPU':>8} {'feedsrv CPU':>12}")
        for result, server_share in best.values():
            print(f"{result.name:8} {result.requests_per_second:>11,.0f} {result.p99_ms:>8.2f} "
                  f"{result.wrk_cpu_share:>7.0%} {server_share:>11.0%} {result.status_line}")
        print(f"N=2 / N=1 = {best[2][0].requests_per_second / best[1][0].requests_per_second:.2f}")
    finally:
        for process, _ in servers.values():
            process.terminate()
        for process, _ in servers.values():
            process.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
