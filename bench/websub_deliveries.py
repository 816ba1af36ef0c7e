"""WebSub deliveries per second: one instance on files, and one or three instances
sharing a database, side by side.

Usage: python bench/websub_deliveries.py [--subscribers 600] [--rounds 3] [--database-url URL]

Each setup is a set of `feedsrv serve` processes:
  files  one instance, its articles in a directory, its hub in SQLite (the default mode);
  db1    one instance on a database (bench/throwaway_pg.py without --database-url);
  db3    three instances on one database, sharing the hub's outbox.
A subscriber server in this process (aiohttp) listens on eight loopback addresses,
so that the callbacks spread over eight hosts as real subscribers do (the hub
keeps four connections per host); it answers every verification and notification
at once. The subscribers all subscribe to /feeds/all.atom through the first
instance. Each round publishes one article through the first instance's API and
times from sending it until every subscriber has received the feed with it:
deliveries per second is subscribers / that time. Setups alternate round by round
(files, db1, db3, files, ...), so a slow spell of the machine hits them alike; the
median of each and its ratio to files are printed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import aiohttp
from aiohttp import web

from serve_throughput import BIN, free_port
from throwaway_pg import databases

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from livetools import STARTING_ARTICLES, article

TOKEN = "bench-token"
SUBSCRIBER_HOSTS = [f"127.0.0.{number}" for number in range(1, 9)]
BASE_URL = "http://feeds.example.test"
TOPIC = f"{BASE_URL}/feeds/all.atom"
START_LIMIT = 120.0
ROUND_LIMIT = 120.0


def config_text(subscribers: int, articles_dir: Path) -> str:
    return (f'[site]\ntitle = "feedsrv deliveries bench"\nbase_url = "{BASE_URL}"\n'
            f'articles_dir = "{articles_dir}"\nparse_cache = ""\n'
            f'[websub]\ndatabase = "state/websub.sqlite3"\nallow_loopback_callbacks = true\n'
            f"callback_rate = 100000.0\ncallback_burst = 100000\nmax_subscriptions = {subscribers * 2}\n"
            f"max_subscriptions_per_host = {subscribers}\nmax_subscriptions_per_topic = {subscribers}\n"
            f"max_pending_verifications = {subscribers}\nmax_pending_verifications_per_host = {subscribers}\n")


class Subscribers:
    """The subscriber server: confirms verifications, records which callbacks got
    a feed containing a given title."""

    def __init__(self) -> None:
        self.verified: set[str] = set()
        self.wanted = b""
        self.got: set[str] = set()
        self.done = asyncio.Event()
        self.count = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cb/{name}", self._get)
        app.router.add_post("/cb/{name}", self._post)
        return app

    async def _get(self, request: web.Request) -> web.Response:
        self.verified.add(request.match_info["name"])
        return web.Response(text=request.query["hub.challenge"])

    async def _post(self, request: web.Request) -> web.Response:
        body = await request.read()
        if self.wanted and self.wanted in body:
            self.got.add(request.match_info["name"])
            if len(self.got) >= self.count:
                self.done.set()
        return web.Response()


@contextmanager
def instances(setup: str, url: str | None, directory: Path, subscribers: int) -> Iterator[list[int]]:
    """The processes of ``setup``, started and answering; their ports."""
    articles = directory / "articles"
    articles.mkdir(parents=True)
    for name, text in STARTING_ARTICLES.items():
        (articles / name).write_text(text, encoding="utf-8")
    count = 3 if setup == "db3" else 1
    environment = {**os.environ, "FEEDSRV_API_TOKEN": TOKEN, "FEEDSRV_DATABASE_URL": url or ""}
    processes: list[subprocess.Popen[bytes]] = []
    ports = []
    try:
        for index in range(count):
            own = directory / f"instance-{index}"
            (own / "state").mkdir(parents=True)
            (own / "feedsrv.toml").write_text(config_text(subscribers, articles), encoding="utf-8")
            if url is not None and index == 0:
                subprocess.run([BIN / "feedsrv", "import", str(articles), "--config", str(own / "feedsrv.toml")],
                               env=environment, check=True, capture_output=True)
            port = free_port()
            processes.append(subprocess.Popen(
                [BIN / "feedsrv", "serve", "--config", str(own / "feedsrv.toml"), "--port", str(port)],
                cwd=own, env=environment, stdout=subprocess.DEVNULL, stderr=(own / "serve.log").open("wb")))
            ports.append(port)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


async def wait_healthy(session: aiohttp.ClientSession, ports: list[int]) -> None:
    deadline = time.monotonic() + START_LIMIT
    for port in ports:
        while True:
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        break
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"an instance on port {port} did not start")
            await asyncio.sleep(0.1)


async def subscribe_all(session: aiohttp.ClientSession, port: int, sink: Subscribers, callback_ports: list[int],
                        subscribers: int) -> None:
    names = [f"s{number}" for number in range(subscribers)]
    for start in range(0, subscribers, 50):
        batch = names[start:start + 50]
        await asyncio.gather(*(session.post(f"http://127.0.0.1:{port}/websub", data={
            "hub.mode": "subscribe", "hub.topic": TOPIC,
            "hub.callback": (f"http://{SUBSCRIBER_HOSTS[number % len(SUBSCRIBER_HOSTS)]}:"
                             f"{callback_ports[number % len(SUBSCRIBER_HOSTS)]}/cb/{name}")})
            for number, name in enumerate(batch, start=start)))
    deadline = time.monotonic() + ROUND_LIMIT
    while len(sink.verified) < subscribers:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(sink.verified)} of {subscribers} subscriptions verified")
        await asyncio.sleep(0.05)
    # The subscription is stored once its verification is answered: a moment after.
    await asyncio.sleep(1.0)


async def one_round(session: aiohttp.ClientSession, port: int, sink: Subscribers, number: int) -> float:
    title = f"Harbor Report Number {number}"
    sink.wanted, sink.got, sink.done = title.encode(), set(), asyncio.Event()
    started = time.perf_counter()
    async with session.post(f"http://127.0.0.1:{port}/api/articles",
                            data=article(title, author="Dana Ortiz", outlet="Harbor Gazette"),
                            headers={"Authorization": f"Bearer {TOKEN}"}) as response:
        if response.status != 201:
            raise SystemExit(f"publishing answered {response.status}: {await response.text()}")
    await asyncio.wait_for(sink.done.wait(), ROUND_LIMIT)
    return time.perf_counter() - started


async def run(arguments: argparse.Namespace) -> None:
    setups = ["files", "db1", "db3"]
    sink = Subscribers()
    sink.count = arguments.subscribers
    runners = []
    callback_ports = []
    for host in SUBSCRIBER_HOSTS:
        runner = web.AppRunner(sink.app(), access_log=None)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, host, port).start()
        runners.append(runner)
        callback_ports.append(port)
    times: dict[str, list[float]] = {setup: [] for setup in setups}
    with tempfile.TemporaryDirectory() as scratch, databases(arguments.database_url) as made, ExitStack() as stack:
        async with aiohttp.ClientSession() as session:
            ports = {}
            for setup in setups:
                url = None if setup == "files" else made.fresh_database()
                ports[setup] = stack.enter_context(instances(setup, url, Path(scratch) / setup,
                                                             arguments.subscribers))
                await wait_healthy(session, ports[setup])
                sink.verified = set()
                await subscribe_all(session, ports[setup][0], sink, callback_ports, arguments.subscribers)
                print(f"{setup}: {len(ports[setup])} instance(s), {arguments.subscribers} subscribers", flush=True)
            number = 0
            for round_number in range(arguments.rounds):
                for setup in setups:
                    number += 1
                    seconds = await one_round(session, ports[setup][0], sink, number)
                    times[setup].append(seconds)
                    print(f"round {round_number + 1} {setup}: {seconds:.2f} s, "
                          f"{arguments.subscribers / seconds:.0f} deliveries/s", flush=True)
    for runner in runners:
        await runner.cleanup()
    base = statistics.median(times["files"])
    print(f"\n{'setup':<6} {'median s':>9} {'deliveries/s':>13} {'vs files':>9}")
    for setup in setups:
        median = statistics.median(times[setup])
        print(f"{setup:<6} {median:>9.2f} {arguments.subscribers / median:>13.0f} {base / median:>8.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
