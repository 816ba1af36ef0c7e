"""``feedsrv serve --workers N``: N identical processes sharing one port.

A supervisor forks the workers. Each binds the port itself with ``SO_REUSEPORT``, so
the kernel spreads new connections among them, and each holds its own Site and
watches the articles directory itself. A Site's bytes depend on nothing but the
articles and the config, so every worker sends the same ETags, and no request
waits on another process. A worker that dies is replaced; ``SIGTERM`` or
``SIGINT`` to the supervisor stops them all.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable, Iterator

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# A worker that dies sooner than this after starting is replaced only after the
# same delay, so a worker that cannot start does not spin the supervisor.
RESTART_DELAY = 1.0


def reuseport_socket(host: str, port: int, *, listen: bool = True) -> socket.socket:
    """A TCP socket bound to ``host:port`` that other processes may bind too
    (``SO_REUSEPORT``); listening unless ``listen`` is false."""
    family, kind, protocol, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, protocol)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
        if listen:
            sock.listen(socket.SOMAXCONN)
    except OSError:
        sock.close()
        raise
    return sock


def listening_sockets(host: str, port: int) -> list[socket.socket]:
    """Listening TCP sockets on every address ``host`` resolves to (all interfaces
    when it is empty), as asyncio's ``create_server`` binds them; raises
    :class:`OSError` (``socket.gaierror`` included) when one cannot be had."""
    found = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    sockets: list[socket.socket] = []
    try:
        for family, kind, protocol, _, address in dict.fromkeys(found):
            sock = socket.socket(family, kind, protocol)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                # Each family gets its own socket, as in create_server.
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            sock.listen(socket.SOMAXCONN)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


class _Stop(Exception):
    """Raised by the supervisor's signal handler to leave its wait."""


def _stop(signum: int, frame: object) -> None:
    raise _Stop


@contextlib.contextmanager
def _stop_signals_blocked() -> Iterator[None]:
    # A stop between fork() and noting the child's pid would leave an orphan.
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def _fork(index: int, run_worker: Callable[[int], None], reserved: socket.socket) -> int:
    pid = os.fork()
    if pid:
        return pid
    # The worker: never returns into the supervisor's code.
    code = 1
    try:
        reserved.close()
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        run_worker(index)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        log.exception("worker %d failed", index)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def supervise(count: int, host: str, port: int, run_worker: Callable[[int], None], *,
              on_exit: Callable[[int], None] | None = None) -> None:
    """Run ``run_worker(index)`` in ``count`` forked processes, ``index`` from 0, each
    replaced when it dies, until ``SIGTERM`` or ``SIGINT``; then stop them all
    (``SIGTERM``) and return once they have exited. ``on_exit(pid)`` is called for
    every worker that has exited, before its replacement starts.

    ``run_worker`` binds ``host:port`` itself with :func:`reuseport_socket`. The
    supervisor binds it too without listening, so a port taken by another program
    fails here, at once, and stays reserved while a worker is being replaced.
    """
    reserved = reuseport_socket(host, port, listen=False)
    workers: dict[int, tuple[int, float]] = {}  # pid: (index, start time)
    previous = {signum: signal.signal(signum, _stop) for signum in STOP_SIGNALS}
    try:
        with _stop_signals_blocked():
            for index in range(count):
                workers[_fork(index, run_worker, reserved)] = (index, time.monotonic())
        while True:
            pid, status = os.wait()
            with _stop_signals_blocked():
                index, started = workers.pop(pid)
                log.warning("worker %d (pid %d) %s; starting another", index, pid, _describe(status))
                if on_exit is not None:
                    on_exit(pid)
                if time.monotonic() - started < RESTART_DELAY:
                    time.sleep(RESTART_DELAY)
                workers[_fork(index, run_worker, reserved)] = (index, time.monotonic())
    except _Stop:
        log.info("stopping %d workers", len(workers))
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid in workers:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            if on_exit is not None:
                on_exit(pid)
        reserved.close()


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"was killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exited with status {os.waitstatus_to_exitcode(status)}"
