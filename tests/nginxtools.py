"""deploy/nginx.conf run for real by the tests: unprivileged, every path in a
directory of its own, the upstreams and port the test's."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import ROOT
from serving import free_port, http_get


def nginx_config(workdir: Path, listen: int, upstreams: list[int]) -> Path:
    """deploy/nginx.conf's server, with this test's ports and every path in ``workdir``."""
    proxy = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    # The shipped servers' parameters (health checks) are kept, on the test's ports.
    parameters = re.search(r"    server \S+?([^;\S][^;]*)?;", proxy)
    assert parameters is not None, "deploy/nginx.conf names no upstream server"
    servers = "".join(f"    server 127.0.0.1:{port}{parameters[1] or ''};\n" for port in upstreams)
    proxy = re.sub(r"(?:    server [^\n]+\n)+", lambda match: servers, proxy, count=1)
    proxy = proxy.replace("/var/cache/nginx/feedsrv", str(workdir / "cache"))
    proxy = re.sub(r"listen \d+;", f"listen 127.0.0.1:{listen};", proxy)
    config = workdir / "nginx.conf"
    config.write_text(f"""
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log {workdir}/access.log;
    client_body_temp_path {workdir}/body; proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi; uwsgi_temp_path {workdir}/uwsgi; scgi_temp_path {workdir}/scgi;
{proxy}
}}
""", encoding="utf-8")
    return config


@contextmanager
def running_nginx(nginx: str, upstreams: list[int]) -> Iterator[int]:
    """nginx with deploy/nginx.conf in front of ``upstreams``, answering; its port."""
    # nginx's workers run as an unprivileged user, who cannot enter pytest's
    # temporary directories (mode 0700): their cache lives in a directory of its own.
    workdir = Path(tempfile.mkdtemp(prefix="feedsrv-nginx-"))
    try:
        (workdir / "cache").mkdir()
        for path in (workdir, workdir / "cache"):
            path.chmod(0o777)
        port = free_port()
        process = subprocess.Popen([nginx, "-c", str(nginx_config(workdir, port, upstreams)), "-g", "daemon off;"])
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    http_get(port, "/healthz")
                    break
                except OSError:
                    assert process.poll() is None, (workdir / "error.log").read_text()
                    assert time.monotonic() < deadline, "nginx did not answer"
                    time.sleep(0.05)
            yield port
        finally:
            process.terminate()
            process.wait(timeout=10)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
