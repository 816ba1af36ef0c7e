"""A real PostgreSQL server for the tests: a throwaway cluster on a loopback port.

The cluster is made with Debian's ``initdb`` and run with ``pg_ctl`` in a temporary
directory, as an unprivileged system user when the tests run as root (PostgreSQL
refuses to run as root). It trusts every local connection and skips fsync: it holds
nothing that must survive the test run. Each test gets a database of its own, made
by copying ``template1``, far quicker than a cluster of its own.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import psycopg

# The system user that owns and runs the cluster when the tests run as root.
SERVER_USER = "feedsrv-pg"
SUPERUSER = "postgres"
_BINARIES = ("initdb", "pg_ctl", "postgres")
# Debian installs the server binaries off PATH, one directory per major version.
_DEBIAN_BINARIES = Path("/usr/lib/postgresql")


class PostgresMissing(RuntimeError):
    """The PostgreSQL server binaries are not installed."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _binary_directory() -> Path | None:
    """Where the server binaries are: on PATH, else Debian's newest version."""
    found = shutil.which(_BINARIES[0])
    if found:
        return Path(found).parent
    versions = sorted(_DEBIAN_BINARIES.glob("*/bin"), key=lambda path: int(path.parent.name)
                      if path.parent.name.isdigit() else 0)
    return versions[-1] if versions else None


def _ensure_server_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVER_USER],
                       check=True, capture_output=True)
        return pwd.getpwnam(SERVER_USER)


class PostgresServer:
    """One PostgreSQL cluster, started by :meth:`start` and removed by :meth:`stop`."""

    def __init__(self) -> None:
        self.port = 0
        self._directory: Path | None = None
        self._as_user: pwd.struct_passwd | None = None
        self._binaries = Path()
        self._databases = itertools.count(1)

    @property
    def _data(self) -> Path:
        assert self._directory is not None, "the server is not started"
        return self._directory / "data"

    def _run(self, command: Sequence[str]) -> None:
        prefix = ["runuser", "-u", self._as_user.pw_name, "--"] if self._as_user else []
        program = str(self._binaries / command[0])
        done = subprocess.run([*prefix, program, *command[1:]], capture_output=True, text=True, check=False)
        if done.returncode:
            raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")

    def start(self) -> None:
        """Create the cluster and start it on a free loopback port; raise
        :class:`PostgresMissing` when the server binaries are not installed."""
        binaries = _binary_directory()
        missing = [name for name in _BINARIES
                   if binaries is None or shutil.which(name, path=str(binaries)) is None]
        if binaries is None or missing:
            raise PostgresMissing(
                f"PostgreSQL server binaries not found on PATH ({', '.join(missing)}); the store tests need "
                f"a real server: install Debian's postgresql package (apt-get install -y postgresql), which "
                f"puts them in {_DEBIAN_BINARIES}/<version>/bin")
        self._binaries = binaries
        self._directory = Path(tempfile.mkdtemp(prefix="feedsrv-pg-"))
        if os.geteuid() == 0:
            self._as_user = _ensure_server_user()
            os.chown(self._directory, self._as_user.pw_uid, self._as_user.pw_gid)
        self._run(["initdb", "--pgdata", str(self._data), "--username", SUPERUSER, "--auth", "trust",
                   "--encoding", "UTF8", "--locale", "C", "--no-sync"])
        # Another process may take the probed port before the server binds it: try again.
        for _attempt in range(5):
            self.port = _free_port()
            try:
                self._launch()
                return
            except RuntimeError:
                if "could not bind" not in (self._directory / "server.log").read_text(errors="replace"):
                    raise
        raise RuntimeError(f"PostgreSQL found no free port; see {self._directory / 'server.log'}")

    def _launch(self) -> None:
        assert self._directory is not None
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self._directory} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._run(["pg_ctl", "--pgdata", str(self._data), "--wait", "--silent",
                   "--log", str(self._directory / "server.log"), "-o", options, "start"])

    def restart(self, *, down_for: float = 0.0) -> None:
        """Stop the server as an operator would (``fast``: sessions are ended, what
        was committed stays), wait ``down_for`` seconds, and start it again on the
        same port over the same data."""
        self._run(["pg_ctl", "--pgdata", str(self._data), "--wait", "--silent", "--mode", "fast", "stop"])
        time.sleep(down_for)
        self._launch()

    def stop(self) -> None:
        """Stop the server and remove its directory."""
        if self._directory is None:
            return
        try:
            if (self._data / "postmaster.pid").exists():
                self._run(["pg_ctl", "--pgdata", str(self._data), "--wait", "--silent", "--mode", "fast", "stop"])
        finally:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None

    def url(self, database: str = SUPERUSER) -> str:
        """The URL of ``database`` on this server, as the superuser."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new, empty database; its name."""
        name = f"test_{next(self._databases)}"
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        """Drop ``name``, closing the connections a test left open to it."""
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
