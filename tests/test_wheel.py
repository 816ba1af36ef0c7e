"""feedsrv as a user installs it: a wheel in a fresh virtual environment, run where
no repository is around."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT
from serving import free_port, http_get, server_process

# The variables a test run may carry that would make the install see this checkout
# or a database.
_UNSET = ("PYTHONPATH", "VIRTUAL_ENV", "FEEDSRV_DATABASE_URL", "FEEDSRV_API_TOKEN")


def _run(arguments: list[str], *, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(arguments, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{arguments}:\n{result.stdout}\n{result.stderr}"
    return result


def test_a_wheel_installed_elsewhere_inits_and_serves_a_site(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in _UNSET}
    # The wheel is built from a copy of what it packages, so the build writes nothing
    # into the checkout and the install cannot pick up a file the copy lacks.
    source = tmp_path / "source"
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "dist"), str(source)],
         cwd=tmp_path, env=env)
    (wheel,) = (tmp_path / "dist").glob("feedsrv-*.whl")
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path, env=env)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], cwd=tmp_path, env=env)
    feedsrv = venv / "bin" / "feedsrv"
    work = tmp_path / "work"
    work.mkdir()

    # Where nothing was set up, the one line says what to run.
    nothing = subprocess.run([str(feedsrv), "serve"], cwd=work, env=env, capture_output=True, text=True,
                             timeout=60)
    assert (nothing.returncode, nothing.stdout) == (2, "")
    assert nothing.stderr.startswith("feedsrv: nothing to serve: run `feedsrv serve ARTICLES_DIR`, or `feedsrv init")
    assert nothing.stderr.count("\n") == 1

    started = _run([str(feedsrv), "init", "mysite"], cwd=work, env=env)
    assert started.stdout.splitlines()[-1] == "next: cd mysite && feedsrv serve"
    site = work / "mysite"
    with server_process([], cwd=site, port=(port := free_port()), env=env, feedsrv=feedsrv):
        feed = http_get(port, "/feeds/all.atom")
        assert feed.status == 200
        assert feed.headers["Content-Type"].startswith("application/atom+xml")
        assert b"<title>A New Site Publishes Its First Article</title>" in feed.body
        assert http_get(port, "/articles/welcome").status == 200

    # The articles directory named on the command line, with no config at all.
    with server_process([str(site / "articles")], cwd=work, port=(port := free_port()), env=env, feedsrv=feedsrv):
        feed = http_get(port, "/feeds/all.json")
        assert feed.status == 200
        assert [item["title"] for item in json.loads(feed.body)["items"]] == ["A New Site Publishes Its First Article"]
