"""deploy/nginx.conf for real: Debian's nginx caching in front of two `feedsrv serve`
processes on loopback."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ROOT
from nginxtools import nginx_config
from serving import free_port, http_get, running_server
from tooling import require_program

FEED = "/feeds/all.atom"
GZIP = {"Accept-Encoding": "gzip"}
MAX_AGE = 2
POLL = 0.2


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    articles = tmp_path / "articles"
    shutil.copytree(ROOT / "seeds", articles)
    (tmp_path / "feedsrv.toml").write_text(
        f'[site]\narticles_dir = "articles"\ncache_max_age = {MAX_AGE}\nwatch = "poll"\npoll_interval = {POLL}\n'
        '[websub]\ndatabase = "state/websub.sqlite3"\n', encoding="utf-8")
    return tmp_path


def test_nginx_caches_and_revalidates_in_front_of_two_instances(site_dir: Path):
    nginx = require_program("nginx", package="nginx")
    # nginx's workers run as an unprivileged user, who cannot enter pytest's
    # temporary directories (mode 0700): their cache lives in a directory of its own.
    workdir = Path(tempfile.mkdtemp(prefix="feedsrv-nginx-"))
    try:
        (workdir / "cache").mkdir()
        for path in (workdir, workdir / "cache"):
            path.chmod(0o777)
        _check_proxy(nginx, workdir, site_dir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _check_proxy(nginx: str, workdir: Path, site_dir: Path) -> None:
    config = ["--config", str(site_dir / "feedsrv.toml")]
    first, second, proxy_port = free_port(), free_port(), free_port()
    with running_server(config, cwd=site_dir, port=first), running_server(config, cwd=site_dir, port=second):
        direct = [http_get(port, FEED, GZIP) for port in (first, second)]
        assert direct[0].status == direct[1].status == 200
        assert direct[0].headers["ETag"] == direct[1].headers["ETag"]
        assert direct[0].body == direct[1].body

        process = subprocess.Popen([nginx, "-c", str(nginx_config(workdir, proxy_port, [first, second])),
                                    "-g", "daemon off;"])
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    miss = http_get(proxy_port, FEED, GZIP)
                    break
                except OSError:
                    assert process.poll() is None, (workdir / "error.log").read_text()
                    assert time.monotonic() < deadline
                    time.sleep(0.1)
            assert miss.status == 200
            assert miss.headers["X-Cache-Status"] == "MISS"
            assert (miss.headers["ETag"], miss.body) == (direct[0].headers["ETag"], direct[0].body)
            assert miss.headers["Content-Encoding"] == "gzip"

            hit = http_get(proxy_port, FEED, GZIP)
            assert (hit.status, hit.headers["X-Cache-Status"]) == (200, "HIT")
            assert hit.body == direct[0].body
            assert http_get(proxy_port, FEED, {**GZIP, "If-None-Match": hit.headers["ETag"]}).status == 304

            # Past max-age nginx asks upstream with the cached ETag; the 304 refreshes it.
            # (nginx counts expiry in whole seconds: a second more makes sure.)
            time.sleep(MAX_AGE + 1.5)
            revalidated = http_get(proxy_port, FEED, GZIP)
            assert (revalidated.status, revalidated.headers["X-Cache-Status"]) == (200, "REVALIDATED")
            assert revalidated.body == direct[0].body
            assert http_get(proxy_port, FEED, GZIP).headers["X-Cache-Status"] == "HIT"

            # An edited article reaches clients of the proxy within max-age (plus the
            # instances' own reload).
            article = next((site_dir / "articles").glob("*.txt"))
            article.write_text(article.read_text(encoding="utf-8") + "\nOne more paragraph, added later.\n",
                               encoding="utf-8")
            changed = time.monotonic()
            while True:
                latest = http_get(proxy_port, FEED, GZIP)
                if latest.headers["ETag"] != direct[0].headers["ETag"]:
                    break
                assert time.monotonic() - changed < MAX_AGE + 2, "the edit did not reach the proxy's clients"
                time.sleep(0.05)
            assert latest.status == 200 and latest.headers["X-Cache-Status"] in ("EXPIRED", "MISS")
            assert {http_get(port, FEED, GZIP).headers["ETag"] for port in (first, second)} == {
                latest.headers["ETag"]}
        finally:
            process.terminate()
            process.wait(timeout=10)
