"""Event loop and workers (issue 14): feedsrv on asyncio and on uvloop, one process and
two, against nginx gzip_static with as many workers, on the same bytes.

Usage: python bench/serve_loops.py [--articles DIR] [--duration 10] [--connections 64] [--rounds 3]
                                   [--workers 2] [--pin]

Starts, all at once and left running: nginx (`worker_processes` = --workers) serving
the `feedsrv build` export with `gzip_static on`, and four `feedsrv serve`: one
process on asyncio's loop, one on uvloop, --workers N on asyncio, --workers N on
uvloop; and bench/bare_aiohttp.py on uvloop, aiohttp's ceiling (the same bytes and
headers, no other work). Checks that every one sends nginx's gzip bytes for
/feeds/all.atom, then runs `wrk -tT -cC -dDs --latency` (Accept-Encoding: gzip)
against each, the rounds
interleaved so a slow spell of the shared machine hits every target alike, and
prints each target's best round: requests/s, p99, the CPU share (of all cores) of
wrk and of the server, the requests the server answers per CPU-second it uses, and
the ratio to nginx.

wrk runs on the same machine. Unpinned (the default), wrk and the servers share
every core as the scheduler sees fit, as in bench/serve_workers.py. With --pin, wrk
is held to the last core and every server to the others (taskset), so wrk's load
never takes from the server's cores.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from serve_throughput import BIN, Result, fetch, free_port, nginx_config, run_wrk, wait_for
from serve_workers import GZIP, worker_cpu_seconds


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    arguments.add_argument("--articles", type=Path, help="articles directory (default: 500 generated)")
    arguments.add_argument("--duration", type=int, default=10)
    arguments.add_argument("--connections", type=int, default=64)
    arguments.add_argument("--threads", type=int, default=2)
    arguments.add_argument("--rounds", type=int, default=3, help="runs of each target, interleaved; the best counts")
    arguments.add_argument("--workers", type=int, default=2, help="workers of nginx and of the feedsrv N targets")
    arguments.add_argument("--pin", action="store_true", help="wrk on the last core, the servers on the others")
    options = arguments.parse_args()
    for program in ("wrk", "nginx", "taskset"):
        if not shutil.which(program):
            raise SystemExit(f"{program} not found: apt-get install {program}")
    cores = os.cpu_count() or 1
    if options.pin and cores < 2:
        raise SystemExit("--pin needs two cores at least")
    server_cpus = f"0-{cores - 2}" if options.pin else None
    wrk_cpus = str(cores - 1) if options.pin else None
    pinned = [] if server_cpus is None else ["taskset", "-c", server_cpus]

    workdir = Path(tempfile.mkdtemp(prefix="feedsrv-bench-"))
    workdir.chmod(0o755)  # nginx workers run as an unprivileged user
    servers: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
    try:
        articles = options.articles
        if articles is None:
            articles = workdir / "articles"
            subprocess.run([BIN / "feedsrv", "generate", "--out", articles, "--count", "500"], check=True,
                           stdout=subprocess.DEVNULL)
        site = workdir / "site"
        configs: dict[str, Path] = {}
        for loop in ("asyncio", "uvloop"):
            configs[loop] = workdir / f"feedsrv-{loop}.toml"
            configs[loop].write_text(f'[site]\narticles_dir = "{articles.resolve()}"\nparse_cache = ""\n'
                                     f'[server]\nevent_loop = "{loop}"\n', encoding="utf-8")
        subprocess.run([BIN / "feedsrv", "build", "--config", configs["asyncio"], "--out", site], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for path in [workdir, *workdir.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)

        port = free_port()
        nginx = subprocess.Popen([*pinned, "nginx", "-c", nginx_config(workdir, site, port, str(options.workers)),
                                  "-g", "daemon off;"])
        servers[f"nginx gzip_static, {options.workers} workers"] = (nginx, port)
        wait_for(port, nginx)
        for workers in (1, options.workers):
            for loop in ("asyncio", "uvloop"):
                port = free_port()
                # The server writes to its own copy of the descriptor: ours can close at once.
                with open(workdir / f"feedsrv-{loop}-{workers}.log", "wb") as log:
                    process = subprocess.Popen([*pinned, BIN / "feedsrv", "serve", "--config", configs[loop],
                                                "--port", str(port), "--workers", str(workers)],
                                               stdout=log, stderr=subprocess.STDOUT)
                servers[f"feedsrv {loop}, {'1 process' if workers == 1 else f'{workers} workers'}"] = (process, port)
                wait_for(port, process)
                log_text = (workdir / f"feedsrv-{loop}-{workers}.log").read_text()
                assert f"event loop: {loop}" in log_text, f"not on {loop}:\n{log_text}"

        # aiohttp's ceiling on uvloop: the bytes and headers feedsrv sent, and no other work.
        status, headers, body = fetch(servers["feedsrv uvloop, 1 process"][1], GZIP)
        (workdir / "all.atom.gz").write_bytes(body)
        sent = {name: value for name, value in headers.items() if name not in ("Content-Length", "Date", "Server")}
        port = free_port()
        bare = subprocess.Popen([*pinned, sys.executable, Path(__file__).parent / "bare_aiohttp.py",
                                 workdir / "all.atom.gz", json.dumps(sent), str(port), "uvloop"])
        servers["bare aiohttp uvloop, 1 process"] = (bare, port)
        wait_for(port, bare)

        reference = None
        for name, (_, port) in servers.items():
            status, headers, body = fetch(port, GZIP)
            assert status == 200 and headers.get("Content-Encoding") == "gzip", (name, headers)
            reference = reference or body
            assert body == reference, f"{name} sends other bytes than nginx"

        best: dict[str, tuple[Result, float]] = {}
        for _ in range(options.rounds):
            for name, (process, port) in servers.items():
                before = worker_cpu_seconds(process.pid)
                result = run_wrk(name, port, GZIP, options, cpus=wrk_cpus)
                # run_wrk's wall time is the duration, within a few milliseconds.
                server_share = (worker_cpu_seconds(process.pid) - before) / (options.duration * cores)
                if name not in best or result.requests_per_second > best[name][0].requests_per_second:
                    best[name] = (result, server_share)

        sharing = f"wrk on CPU {wrk_cpus}, servers on CPU {server_cpus}" if options.pin else "shared by wrk and servers"
        print(f"feed: /feeds/all.atom, {len(reference or b''):,} bytes gzipped; wrk -t{options.threads} "
              f"-c{options.connections} -d{options.duration}s, best of {options.rounds} rounds; {cores} cores, "
              f"{sharing}")
        nginx_rate = next(iter(best.values()))[0].requests_per_second
        print(f"{'':30} {'requests/s':>11} {'p99 ms':>8} {'wrk CPU':>8} {'server CPU':>11} {'req/CPU-s':>10} "
              f"{'÷ nginx':>8}")
        for name, (result, server_share) in best.items():
            per_cpu_second = result.requests_per_second / (server_share * cores) if server_share else 0.0
            print(f"{name:30} {result.requests_per_second:>11,.0f} {result.p99_ms:>8.2f} {result.wrk_cpu_share:>7.0%} "
                  f"{server_share:>10.0%} {per_cpu_second:>10,.0f} {result.requests_per_second / nginx_rate:>8.2f} "
                  f"{result.status_line}")
    finally:
        for process, _ in servers.values():
            process.terminate()
        for process, _ in servers.values():
            process.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
