"""Several `feedsrv serve` processes sharing one PostgreSQL database, and nothing else.

Each instance has a directory of its own, which is its working directory and holds
its config file, its state (the WebSub hub's SQLite file) and its log; no articles
directory exists anywhere. The articles come from the database only. Tests drive
the processes from outside: stop one gracefully, kill one, start it again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from feedsrv import store
from feedsrv.config import SiteConfig, load_config
from livetools import STARTING_ARTICLES, TOKEN
from serving import free_port, http_get

# Every instance is configured alike, with one public URL, so they render the same
# bytes and ETags, as instances behind one proxy must.
BASE_URL = "http://feeds.example.test"
CACHE_MAX_AGE = 1
START_LIMIT = 60.0
STOP_LIMIT = 30.0


def instance_config_text(*, cache_max_age: int = CACHE_MAX_AGE, websub: str = "") -> str:
    """The TOML config every instance runs with: paths relative to its own directory,
    and ``websub``'s lines added to its ``[websub]`` table."""
    return (f'[site]\ntitle = "feedsrv scale-out"\nbase_url = "{BASE_URL}"\narticles_dir = "articles"\n'
            f'cache_max_age = {cache_max_age}\n'
            f'[websub]\ndatabase = "state/websub.sqlite3"\n{websub}')


class Instance:
    """One `feedsrv serve` process on a port of its own, started again on that port
    after a stop; its output goes to ``serve.log`` in its directory."""

    def __init__(self, name: str, directory: Path, database_url: str, *, websub: str = "") -> None:
        self.name = name
        self.directory = directory
        self.port = free_port()
        self.database_url = database_url
        self.process: subprocess.Popen[bytes] | None = None
        directory.mkdir(parents=True)
        (directory / "state").mkdir()
        self.config_path = directory / "feedsrv.toml"
        self.config_path.write_text(instance_config_text(websub=websub), encoding="utf-8")

    @property
    def log(self) -> str:
        """Everything the process wrote so far, across its restarts."""
        path = self.directory / "serve.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self) -> None:
        """Start the process and wait until it answers ``/healthz`` with ``200``."""
        assert self.process is None or self.process.poll() is not None, f"{self.name} is running"
        with (self.directory / "serve.log").open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "feedsrv", "serve", "--config", str(self.config_path),
                 "--port", str(self.port)],
                cwd=self.directory, stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1", store.DATABASE_URL_ENV: self.database_url,
                     "FEEDSRV_API_TOKEN": TOKEN})
        self.wait_healthy()

    def wait_healthy(self) -> None:
        """Wait until ``/healthz`` answers ``200``; fail with the log if it never does."""
        assert self.process is not None
        deadline = time.monotonic() + START_LIMIT
        while True:
            try:
                if http_get(self.port, "/healthz").status == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"instance {self.name} did not start:\n{self.log}")
            time.sleep(0.05)

    def stop(self) -> int:
        """Stop the process gracefully (``SIGTERM``); its exit status."""
        return self._end(signal.SIGTERM)

    def kill(self) -> int:
        """Kill the process (``SIGKILL``), as a crash or the OOM killer would; its exit status."""
        return self._end(signal.SIGKILL)

    def restart(self) -> None:
        """Stop gracefully, start again on the same port, wait until healthy."""
        self.stop()
        self.start()

    def _end(self, signum: signal.Signals) -> int:
        process = self.process
        if process is None or process.poll() is not None:
            return process.returncode if process is not None else 0
        process.send_signal(signum)
        try:
            return process.wait(timeout=STOP_LIMIT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise AssertionError(f"instance {self.name} did not stop on {signum.name}:\n{self.log}") from None


def seed_database(url: str, config: SiteConfig, directory: Path) -> None:
    """Upgrade the schema of ``url`` and import :data:`~livetools.STARTING_ARTICLES`
    (from files in ``directory``, which nothing serves from)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in STARTING_ARTICLES.items():
        (directory / name).write_text(text, encoding="utf-8")
    with store.connect(url) as connection:
        store.upgrade(connection, "test")
        store.import_articles(connection, directory, config)


@contextmanager
def running_instances(count: int, database_url: str, root: Path, *, websub: str = "") -> Iterator[list[Instance]]:
    """``count`` instances over ``database_url`` (seeded with the starting
    articles), each in a directory of its own under ``root``, started and healthy;
    all stopped after."""
    instances = [Instance(chr(ord("a") + index), root / f"instance-{index}", database_url, websub=websub)
                 for index in range(count)]
    seed_database(database_url, load_config(instances[0].config_path), root / "import")
    try:
        for instance in instances:
            instance.start()
        yield instances
    finally:
        for instance in instances:
            instance.stop()
