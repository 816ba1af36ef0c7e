"""Incremental update: one article changed in a large history, until clients get it.

Usage: python bench/incremental.py [--articles 100000] [--edits 10] [--corpora DIR]

Serves a generated history (bench/corpus.py) with `feedsrv serve` (file-system
events on, the parse cache kept beside the corpus so a second run starts warm), then
edits one article at a time, each edit an atomic rename of a new version over the
file, and polls as fast as it can with If-None-Match until the new bytes come:
  newest   the newest article, so /feeds/all.atom changes (and its outlet's,
           topics' and author's feeds);
  archived an article deep in the archive, polled at its page /articles/<slug>.
Prints, per kind, the time from the rename until the server's watcher sees it (its
log's "change detected" line), from then until the first response carrying the
new bytes, and the two together (end to end), and the server's own time from the
event to serving the new Site (its "reloaded in N ms" log line).
The edited files are restored at the end.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from cold_start import write_config
from corpus import DEFAULT_DIR, ensure_corpus
from serve_throughput import BIN, free_port

SERVER_RELOAD = re.compile(r"reloaded in (\d+(?:\.\d+)?) ms")
SEEN = re.compile(r"^(\S+ \S+) INFO watchfiles\.main: \d+ changes? detected", re.MULTILINE)


def etag_of(connection: http.client.HTTPConnection, path: str, etag: str | None = None) -> tuple[int, str]:
    connection.request("GET", path, headers={"If-None-Match": etag} if etag else {})
    response = connection.getresponse()
    response.read()
    return response.status, response.getheader("ETag") or ""


def wait_ready(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"feedsrv exited: {log.read_text()[-2000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            if etag_of(connection, "/feeds/all.atom")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("feedsrv did not start")


def write_atomically(path: Path, text: str) -> None:
    scratch = path.with_name(f".{path.name}.tmp")
    scratch.write_text(text, encoding="utf-8")
    os.replace(scratch, path)


def edit_until_served(port: int, target: Path, original: str, url: str, number: int) -> tuple[float, float]:
    """The wall-clock times of an edit of ``target`` and of the first response to
    ``url`` with a new ETag."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    _, before = etag_of(connection, url)
    edited = original.replace("For more information", f"Correction {number}: a figure was wrong.\n\n"
                              "For more information", 1)
    write_atomically(target, edited)
    changed = time.time()
    while time.time() < changed + 30:
        status, etag = etag_of(connection, url, before)
        if status == 200 and etag != before:
            return changed, time.time()
    raise SystemExit(f"{url} did not change within 30 s of editing {target.name}")


def detections(log: str) -> list[float]:
    """Wall-clock times at which the server's watcher saw changes (its log lines)."""
    return [datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S,%f").timestamp()
            for match in SEEN.finditer(log)]


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    arguments.add_argument("--articles", type=int, default=100_000)
    arguments.add_argument("--edits", type=int, default=10, help="edits of each kind")
    arguments.add_argument("--corpora", type=Path, default=DEFAULT_DIR)
    options = arguments.parse_args()
    articles = ensure_corpus(options.articles, root=options.corpora)
    names = sorted(path.name for path in articles.glob("*.txt"))
    # Generated articles are a day apart in name order: the last is the newest.
    archived = names[len(names) // 3]
    targets = {"newest": (articles / names[-1], "/feeds/all.atom"),
               "archived": (articles / archived, f"/articles/{Path(archived).stem.replace('_', '-')}")}
    originals = {kind: path.read_text(encoding="utf-8") for kind, (path, _) in targets.items()}
    with tempfile.TemporaryDirectory(prefix="feedsrv-incremental-") as scratch:
        workdir = Path(scratch)
        config = write_config(workdir, articles, options.corpora / f"{articles.name}.parsed.pickle", 0)
        config.write_text(config.read_text(encoding="utf-8").replace('watch = "off"', 'watch = "auto"'),
                          encoding="utf-8")
        log = workdir / "serve.log"
        port = free_port()
        with log.open("wb") as stream:
            server = subprocess.Popen([BIN / "feedsrv", "serve", "--config", config, "--port", str(port)],
                                      stdout=stream, stderr=subprocess.STDOUT)
        try:
            started = time.perf_counter()
            wait_ready(port, server, log)
            print(f"{options.articles:,} articles served after {time.perf_counter() - started:.1f} s "
                  f"({os.cpu_count()} cores)")
            time.sleep(2)  # the watcher's first scan
            results: dict[str, list[tuple[float, float]]] = {}
            for number in range(options.edits):
                for kind, (path, url) in targets.items():
                    results.setdefault(kind, []).append(
                        edit_until_served(port, path, originals[kind], url, number))
                    # The server renders the rest of the changed feeds between requests
                    # after the first is served; the next edit waits for it to settle.
                    time.sleep(1.5)
        finally:
            for kind, (path, _) in targets.items():
                write_atomically(path, originals[kind])
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
        text = log.read_text(errors="replace")
        reloads = [float(ms) for ms in SERVER_RELOAD.findall(text)]
        seen = detections(text)
    print("milliseconds, median and max over the edits: rename → the watcher sees it → the new bytes served")
    print(f"{'edit':>9} {'seen':>12} {'seen→served':>12} {'end to end':>12}")
    for kind, times in results.items():
        # The log has millisecond times; a detection a millisecond before the rename is its own.
        to_seen = [next(t for t in seen if t >= edited - 0.002) - edited for edited, _ in times]
        seen_to_served = [served - edited - delay for (edited, served), delay in zip(times, to_seen, strict=True)]
        end_to_end = [served - edited for edited, served in times]
        print(f"{kind:>9} " + " ".join(f"{statistics.median(values) * 1000:>5.0f} {max(values) * 1000:>6.0f}"
                                       for values in (to_seen, seen_to_served, end_to_end)))
    if reloads:
        print(f"server, from the event to the new Site served: median {statistics.median(reloads):.0f} ms, "
              f"max {max(reloads):.0f} ms over {len(reloads)} reloads")
    return 0


if __name__ == "__main__":
    sys.exit(main())
