"""server.event_loop: uvloop where installed, asyncio's loop otherwise, said in the log."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import uvloop

from conftest import ROOT
from feedcheck import parse_with_feedparser
from feedsrv.config import EventLoop
from feedsrv.errors import ConfigError
from feedsrv.web.loops import choose_event_loop
from serving import FEEDSRV, free_port, http_get, server_process


def _loop_type(setting: EventLoop) -> type[asyncio.AbstractEventLoop]:
    loop = choose_event_loop(setting).new_loop()
    try:
        return type(loop)
    finally:
        loop.close()


def test_auto_and_uvloop_give_a_uvloop_loop():
    assert choose_event_loop("auto").name == choose_event_loop("uvloop").name == "uvloop"
    assert _loop_type("auto") is _loop_type("uvloop") is uvloop.Loop


def test_asyncio_gives_the_standard_loop():
    assert choose_event_loop("asyncio").name == "asyncio"
    assert issubclass(_loop_type("asyncio"), asyncio.BaseEventLoop)
    assert not issubclass(_loop_type("asyncio"), uvloop.Loop)


def test_without_uvloop_auto_falls_back_and_uvloop_is_a_config_error(monkeypatch):
    # None in sys.modules makes `import uvloop` raise ImportError.
    monkeypatch.setitem(sys.modules, "uvloop", None)
    assert choose_event_loop("auto").name == "asyncio"
    assert issubclass(_loop_type("auto"), asyncio.BaseEventLoop)
    with pytest.raises(ConfigError) as raised:
        choose_event_loop("uvloop")
    assert raised.value.key == "server.event_loop"
    assert "uvloop is not installed" in raised.value.message


def _config(tmp_path: Path, event_loop: str) -> Path:
    config = tmp_path / "feedsrv.toml"
    config.write_text(f'[site]\narticles_dir = "{ROOT / "seeds"}"\nparse_cache = ""\n'
                      f'[server]\nevent_loop = "{event_loop}"\n', encoding="utf-8")
    return config


def _serve(tmp_path: Path, event_loop: str, *arguments: str, env: dict[str, str] | None = None
           ) -> subprocess.Popen[bytes]:
    log = (tmp_path / "serve.log").open("wb")
    with log:
        return subprocess.Popen([str(FEEDSRV), "serve", "--config", str(_config(tmp_path, event_loop)), *arguments],
                                cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})


def _served(tmp_path: Path, event_loop: str, *arguments: str) -> tuple[str, set[int]]:
    """The log of `feedsrv serve` on ``event_loop`` once a feed was fetched and
    revalidated and it was stopped, and the pids /healthz named over new connections."""
    port = free_port()
    process = _serve(tmp_path, event_loop, "--port", str(port), *arguments)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                http_get(port, "/healthz")
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                time.sleep(0.1)
        feed = http_get(port, "/feeds/all.atom", {"Accept-Encoding": "gzip"})
        assert feed.status == 200 and feed.headers["Content-Encoding"] == "gzip"
        plain = http_get(port, "/feeds/all.atom")
        assert len(parse_with_feedparser(plain.body).entries) == 2
        again = http_get(port, "/feeds/all.atom", {"If-None-Match": plain.headers["ETag"]})
        assert (again.status, again.body) == (304, b"")
        pids = {json.loads(http_get(port, "/healthz").body)["pid"] for _ in range(40)}
    finally:
        process.terminate()
        # A graceful stop, on either loop: SIGTERM ends the process with status 0.
        assert process.wait(timeout=20) == 0
    return (tmp_path / "serve.log").read_text(encoding="utf-8", errors="replace"), pids


async def test_the_tests_run_on_the_loop_asked(request):
    # `pytest --event-loop uvloop` runs the in-process tests on uvloop (conftest.py).
    running = asyncio.get_running_loop()
    assert isinstance(running, uvloop.Loop) == (request.config.getoption("event_loop") == "uvloop")


def test_serve_logs_uvloop_and_serves(tmp_path):
    log, pids = _served(tmp_path, "auto")
    assert f"event loop: uvloop {uvloop.__version__}" in log
    assert len(pids) == 1


def test_serve_on_asyncio_logs_it(tmp_path):
    log, _ = _served(tmp_path, "asyncio")
    assert "event loop: asyncio" in log
    assert "event loop: uvloop" not in log


def test_workers_serve_on_uvloop(tmp_path):
    log, pids = _served(tmp_path, "uvloop", "--workers", "2")
    assert f"event loop: uvloop {uvloop.__version__}" in log
    # Both workers answered, each on a loop made after the fork.
    assert len(pids) == 2


def test_uvloop_asked_but_missing_stops_the_start(tmp_path):
    # A package of that name that fails to import, first on the path: uvloop "not installed".
    hidden = tmp_path / "hidden" / "uvloop"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text('raise ImportError("no uvloop here")\n', encoding="utf-8")
    process = _serve(tmp_path, "uvloop", "--port", str(free_port()), env={"PYTHONPATH": str(hidden.parent)})
    assert process.wait(timeout=60) == 2
    log = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert "feedsrv: config error at server.event_loop: uvloop is not installed (no uvloop here)" in log
    assert "Running on" not in log
    # auto starts all the same, on asyncio's loop.
    port = free_port()
    with server_process(["--config", str(_config(tmp_path, "auto"))], cwd=tmp_path, port=port,
                        env={"PYTHONPATH": str(hidden.parent)}):
        assert http_get(port, "/feeds/all.atom").status == 200
