"""Programs the integration tests drive (newsboat, Chromium), installed when missing."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def require_program(program: str, *, package: str) -> str:
    """The path of ``program``, installing Debian's ``package`` first when it is missing.

    Installing needs root and apt-get (as in CI); without them the test fails with
    the command to run, since a reader check that silently skips proves nothing.
    """
    found = shutil.which(program)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=environment, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, env=environment,
                       stdout=subprocess.DEVNULL)
        found = shutil.which(program)
    if not found:
        pytest.fail(f"{program} is needed by this test: install it with `apt-get install {package}`")
    return found
