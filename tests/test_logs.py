"""Request logs: `server.access_log` as a switch of old and a choice now, the JSON
lines of a real `feedsrv serve`, and `X-Request-Id`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from conftest import ROOT, SEEDS
from feedsrv.config import load_config
from feedsrv.errors import ConfigError
from feedsrv.web import create_app
from serving import FEEDSRV, free_port, http_get


@pytest.mark.parametrize(("written", "read"), [("true", "plain"), ("false", "off"), ("'off'", "off"),
                                               ("'plain'", "plain"), ("'json'", "json")])
def test_access_log_takes_a_format_and_the_old_switch(tmp_path, written, read):
    config_file = tmp_path / "feedsrv.toml"
    config_file.write_text(f"[server]\naccess_log = {written}\n", encoding="utf-8")
    assert load_config(config_file).access_log == read


@pytest.mark.parametrize("written", ["'yes'", "1", "'JSON lines'"])
def test_access_log_refuses_anything_else(tmp_path, written):
    config_file = tmp_path / "feedsrv.toml"
    config_file.write_text(f"[server]\naccess_log = {written}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(config_file)
    assert raised.value.key == "server.access_log"


def test_serve_writes_one_json_line_a_request(tmp_path):
    config_file = tmp_path / "feedsrv.toml"
    config_file.write_text(f"[site]\narticles_dir = '{SEEDS}'\nparse_cache = ''\n[server]\naccess_log = 'json'\n",
                           encoding="utf-8")
    log = tmp_path / "serve.log"
    port = free_port()
    before = datetime.now(UTC)
    with log.open("wb") as output:
        process = subprocess.Popen([str(FEEDSRV), "serve", "--config", str(config_file), "--port", str(port)],
                                   cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    first = http_get(port, "/feeds/all.atom", {"Accept-Encoding": "gzip", "User-Agent": "probe/1",
                                                               "X-Request-Id": "from-nginx-42"})
                    break
                except OSError:
                    assert process.poll() is None and time.monotonic() < deadline
                    time.sleep(0.1)
            again = http_get(port, "/feeds/all.atom",
                             {"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
            identity = http_get(port, "/feeds/all.atom", {"User-Agent": "probe/1"})
            missing = http_get(port, "/feeds/none.atom", {"X-Request-Id": "bad id with spaces"})
        finally:
            process.terminate()
            process.wait(timeout=10)
    assert (first.status, again.status, identity.status, missing.status) == (200, 304, 200, 404)
    assert first.headers["X-Request-Id"] == "from-nginx-42"
    generated = [again.headers["X-Request-Id"], identity.headers["X-Request-Id"], missing.headers["X-Request-Id"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", name) for name in generated)
    assert len(set(generated)) == 3
    # Every request line is JSON alone, the start-up lines keep their prefix.
    lines = log.read_text(encoding="utf-8").splitlines()
    requests = [json.loads(line) for line in lines if line.startswith("{")]
    assert any(" INFO feedsrv: " in line for line in lines)
    assert [(line["method"], line["path"], line["status"]) for line in requests] == [
        ("GET", "/feeds/all.atom", 200), ("GET", "/feeds/all.atom", 304), ("GET", "/feeds/all.atom", 200),
        ("GET", "/feeds/none.atom", 404)]
    served, revalidated, whole, missed = requests
    assert set(served) == {"time", "method", "path", "status", "bytes", "coding", "duration", "user_agent",
                           "request_id"}
    assert (served["bytes"], served["coding"]) == (len(first.body), "gzip")
    assert (served["user_agent"], served["request_id"]) == ("probe/1", "from-nginx-42")
    assert (whole["bytes"], whole["coding"]) == (len(identity.body), "identity")
    assert revalidated["bytes"] == 0
    assert [revalidated["request_id"], whole["request_id"], missed["request_id"]] == generated
    started = datetime.fromisoformat(served["time"])
    assert before - timedelta(seconds=1) <= started <= datetime.now(UTC)
    assert all(0 <= line["duration"] < 10 for line in requests)


async def test_request_ids_only_with_the_json_log(aiohttp_client, seed_site):
    plain = await aiohttp_client(create_app(seed_site.config, site=seed_site, watch=False))
    assert "X-Request-Id" not in (await plain.get("/feeds/all.atom", headers={"X-Request-Id": "a"})).headers
    config = replace(seed_site.config, access_log="json")
    client = await aiohttp_client(create_app(config, site=seed_site, watch=False))
    echoed = await client.get("/", headers={"X-Request-Id": "a" * 200})
    assert echoed.headers["X-Request-Id"] == "a" * 200
    too_long = await client.get("/", headers={"X-Request-Id": "a" * 201})
    assert re.fullmatch(r"[0-9a-f]{32}", too_long.headers["X-Request-Id"])
