"""Serving throughput: feedsrv against the framework's and a static server's ceilings.

Usage: python bench/serve_throughput.py [--articles DIR] [--duration 10] [--connections 64] [--rounds 3]

Runs, one after the other on this machine, `wrk -t2 -cC -dDs --latency` against:
  a. feedsrv  /feeds/all.atom, Accept-Encoding: gzip           (200)
  b. feedsrv  the same with If-None-Match                      (304)
  c. a bare aiohttp app returning the same pre-compressed bytes and headers
                                                               (aiohttp's ceiling)
  d. nginx serving the `feedsrv build` export, gzip_static on  (static ceiling)
  e. feedsrv  as a, with `[stats] enabled = false`             (statistics' cost)
  f. feedsrv  as b, with `[stats] enabled = false`
  g. feedsrv  as a, with /metrics on (`server.metrics_listen`)   (metrics' cost)
and prints, for each target's best of --rounds interleaved runs, requests/s, p99
latency, wrk's own CPU share and the ratios a/c, b/c, a/d, and a/e, b/f (statistics
on ÷ off; a and b count them, as the default config does).
Needs Debian's wrk and nginx (`apt-get install wrk nginx`). Without --articles, a
500-article history is generated, so the feed is a realistic 50-entry document.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FEED = "/feeds/all.atom"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(port: int, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", FEED, headers=headers)
    response = connection.getresponse()
    result = response.status, dict(response.getheaders()), response.read()
    connection.close()
    return result


def wait_for(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server on port {port} exited with {process.returncode}")
        try:
            fetch(port, {})
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server on port {port} did not start")


@dataclass
class Result:
    name: str
    requests_per_second: float
    p99_ms: float
    wrk_cpu_share: float
    status_line: str


def run_wrk(name: str, port: int, headers: dict[str, str], options: argparse.Namespace,
            cpus: str | None = None) -> Result:
    """One wrk run against ``port``; ``cpus``: the CPU list (taskset's) wrk is held to."""
    pinned = [] if cpus is None else ["taskset", "-c", cpus]
    command = [*pinned, "wrk", f"-t{options.threads}", f"-c{options.connections}", f"-d{options.duration}s",
               "--latency"]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    command.append(f"http://127.0.0.1:{port}{FEED}")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", output)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: .*", output)
    return Result(name, rate, p99_ms, cpu / (wall * os.cpu_count()), errors.group(0) if errors else "")


def nginx_config(workdir: Path, site: Path, port: int, workers: str = "auto") -> Path:
    server = (ROOT / "deploy" / "nginx-static.conf").read_text(encoding="utf-8")
    server = re.sub(r"listen \d+;", f"listen 127.0.0.1:{port};", server)
    server = re.sub(r"root [^;]+;", f"root {site};", server)
    config = workdir / "nginx.conf"
    config.write_text(f"""
worker_processes {workers};
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {workdir}/body; proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi; uwsgi_temp_path {workdir}/uwsgi; scgi_temp_path {workdir}/scgi;
{server}
}}
""", encoding="utf-8")
    return config


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    arguments.add_argument("--articles", type=Path, help="articles directory (default: 500 generated)")
    arguments.add_argument("--duration", type=int, default=10)
    arguments.add_argument("--connections", type=int, default=64)
    arguments.add_argument("--threads", type=int, default=2)
    arguments.add_argument("--rounds", type=int, default=3, help="runs of each target, interleaved; the best counts")
    options = arguments.parse_args()
    for program in ("wrk", "nginx"):
        if not shutil.which(program):
            raise SystemExit(f"{program} not found: apt-get install {program}")

    workdir = Path(tempfile.mkdtemp(prefix="feedsrv-bench-"))
    workdir.chmod(0o755)  # nginx workers run as an unprivileged user
    processes: list[subprocess.Popen] = []
    try:
        articles = options.articles
        if articles is None:
            articles = workdir / "articles"
            subprocess.run([BIN / "feedsrv", "generate", "--out", articles, "--count", "500"], check=True,
                           stdout=subprocess.DEVNULL)
        config = workdir / "feedsrv.toml"
        config.write_text(f'[site]\narticles_dir = "{articles.resolve()}"\n', encoding="utf-8")
        uncounted = workdir / "feedsrv-nostats.toml"
        uncounted.write_text(config.read_text(encoding="utf-8") + "[stats]\nenabled = false\n", encoding="utf-8")
        metered = workdir / "feedsrv-metrics.toml"
        metered.write_text(config.read_text(encoding="utf-8")
                           + f'[server]\nmetrics_listen = "127.0.0.1:{free_port()}"\n', encoding="utf-8")
        feedsrv_port, bare_port, nginx_port, uncounted_port = free_port(), free_port(), free_port(), free_port()
        metered_port = free_port()
        for name, config_file, port in (("feedsrv", config, feedsrv_port),
                                        ("feedsrv-nostats", uncounted, uncounted_port),
                                        ("feedsrv-metrics", metered, metered_port)):
            # The server writes to its own copy of the descriptor: ours can close at once.
            with open(workdir / f"{name}.log", "wb") as log:
                server = subprocess.Popen([BIN / "feedsrv", "serve", "--config", config_file, "--port", str(port)],
                                          stdout=log, stderr=subprocess.STDOUT)
            processes.append(server)
            wait_for(port, server)
        status, headers, body = fetch(feedsrv_port, {"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("Content-Encoding") == "gzip", headers
        (workdir / "all.atom.gz").write_bytes(body)

        # The same headers as feedsrv, less those aiohttp adds to every response.
        sent = {name: value for name, value in headers.items() if name not in ("Content-Length", "Date", "Server")}
        bare = subprocess.Popen([sys.executable, ROOT / "bench" / "bare_aiohttp.py", workdir / "all.atom.gz",
                                 json.dumps(sent), str(bare_port)])
        processes.append(bare)
        wait_for(bare_port, bare)

        site = workdir / "site"
        subprocess.run([BIN / "feedsrv", "build", "--config", config, "--out", site], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for path in [workdir, *workdir.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        nginx = subprocess.Popen(["nginx", "-c", nginx_config(workdir, site, nginx_port), "-g", "daemon off;"])
        processes.append(nginx)
        wait_for(nginx_port, nginx)
        status, nginx_headers, nginx_body = fetch(nginx_port, {"Accept-Encoding": "gzip"})
        assert status == 200 and nginx_headers.get("Content-Encoding") == "gzip", nginx_headers
        assert nginx_body == body, "nginx serves other bytes than feedsrv"

        gzip_only = {"Accept-Encoding": "gzip"}
        targets = {
            "a": ("a. feedsrv 200 gzip", feedsrv_port, gzip_only),
            "b": ("b. feedsrv 304", feedsrv_port, {**gzip_only, "If-None-Match": headers["ETag"]}),
            "c": ("c. bare aiohttp", bare_port, gzip_only),
            "d": ("d. nginx gzip_static", nginx_port, gzip_only),
            "e": ("e. feedsrv 200, no stats", uncounted_port, gzip_only),
            "f": ("f. feedsrv 304, no stats", uncounted_port, {**gzip_only, "If-None-Match": headers["ETag"]}),
            "g": ("g. feedsrv 200, metrics", metered_port, gzip_only),
        }
        # Rounds interleave the targets, so a slow spell of the machine hits them all
        # alike; each target's best round counts.
        results: dict[str, Result] = {}
        for _ in range(options.rounds):
            for key, (name, port, request_headers) in targets.items():
                result = run_wrk(name, port, request_headers, options)
                if key not in results or result.requests_per_second > results[key].requests_per_second:
                    results[key] = result
        print(f"feed: {FEED}, {len(body):,} bytes gzipped; wrk -t{options.threads} -c{options.connections} "
              f"-d{options.duration}s, best of {options.rounds} rounds; {os.cpu_count()} cores shared by "
              "wrk and the server")
        print(f"{'':24} {'requests/s':>11} {'p99 ms':>8} {'wrk CPU':>8}")
        for result in results.values():
            print(f"{result.name:24} {result.requests_per_second:>11,.0f} {result.p99_ms:>8.2f} "
                  f"{result.wrk_cpu_share:>7.0%} {result.status_line}")
        rate = {key: result.requests_per_second for key, result in results.items()}
        print(f"a/c = {rate['a'] / rate['c']:.2f} (target ≥ 0.85)   b/c = {rate['b'] / rate['c']:.2f} "
              f"(target ≥ 0.90)   a/d = {rate['a'] / rate['d']:.2f}")
        print(f"statistics on ÷ off: a/e = {rate['a'] / rate['e']:.2f}   b/f = {rate['b'] / rate['f']:.2f} "
              "(target: 1 within the noise)")
        print(f"metrics on ÷ off: g/a = {rate['g'] / rate['a']:.2f}")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
