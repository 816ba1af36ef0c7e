"""Hostile input: config values and command lines that must give one clean line.

One of the ``test_hostile_*`` modules (issue 10): each case is an input that once
broke feedsrv. A new bug of this kind gets a case here.
"""

from __future__ import annotations

import socket
import subprocess

import pytest

from conftest import ROOT
from feedsrv.config import load_config
from feedsrv.errors import ConfigError
from serving import FEEDSRV

# Every setting that is a number of seconds, and so is added to a clock or a date.
SECONDS_SETTINGS = ("site.poll_interval", "websub.timeout_seconds", "websub.retry_initial_seconds",
                    "websub.retry_max_seconds")


def write_config(tmp_path, text: str):
    path = tmp_path / "feedsrv.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _refused(tmp_path, key: str, value: str) -> None:
    section, name = key.split(".")
    path = write_config(tmp_path, f"[{section}]\n{name} = {value}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == key


@pytest.mark.parametrize("key", [*SECONDS_SETTINGS, "websub.callback_rate"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_nan_and_infinity_are_refused(tmp_path, key, value):
    # Both are valid TOML floats.
    _refused(tmp_path, key, value)


@pytest.mark.parametrize("key", SECONDS_SETTINGS)
def test_absurd_durations_are_refused(tmp_path, key):
    _refused(tmp_path, key, "1e300")


@pytest.mark.parametrize("key", ["websub.lease_seconds", "websub.max_lease_seconds", "site.cache_max_age"])
def test_absurd_integer_durations_are_refused(tmp_path, key):
    # A lease of 10**18 seconds overflows every datetime it is added to.
    _refused(tmp_path, key, str(10**18))


def test_an_empty_parse_cache_means_no_cache(tmp_path):
    # The README documents `parse_cache = ""` as "no cache".
    config = load_config(write_config(tmp_path, '[site]\nparse_cache = ""\n'))
    assert config.parse_cache is None


def _serve(tmp_path, *arguments: str) -> subprocess.CompletedProcess[str]:
    path = write_config(tmp_path, f'[site]\narticles_dir = "{ROOT / "seeds"}"\nparse_cache = ""\nwatch = "off"\n')
    return subprocess.run([str(FEEDSRV), "serve", "--config", str(path), *arguments],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def _one_line_exit_2(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("feedsrv:")]
    assert len(errors) == 1, result.stderr
    for text in expected:
        assert text in errors[0]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_busy_port_is_one_line_and_exit_2(tmp_path, workers):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _serve(tmp_path, "--port", str(port), "--workers", workers)
    _one_line_exit_2(result, f"127.0.0.1:{port}")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_bad_host_is_one_line_and_exit_2(tmp_path, workers):
    result = _serve(tmp_path, "--host", "no such host.invalid", "--port", "1", "--workers", workers)
    _one_line_exit_2(result, "no such host.invalid")
