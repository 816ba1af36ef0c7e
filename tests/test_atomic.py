"""Atomic file writes: all or nothing, with the mode and time asked for."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from feedsrv.atomic import atomic_write


def test_the_file_gets_the_bytes_mode_and_time_asked_for(tmp_path: Path) -> None:
    target = tmp_path / "feed.atom"
    with atomic_write(target, mode=0o644, mtime=1_000_000_000) as stream:
        stream.write(b"<feed/>")
    assert target.read_bytes() == b"<feed/>"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert target.stat().st_mtime == 1_000_000_000
    assert os.listdir(tmp_path) == ["feed.atom"]


def test_the_default_mode_keeps_the_file_private_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        with atomic_write(tmp_path / "cache", durable=True) as stream:
            stream.write(b"state")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "cache").stat().st_mode) == 0o600


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "story.txt"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_write(target, prefix=".feedsrv-", suffix=".tmp") as stream:
        stream.write(b"half a")
        assert [name for name in os.listdir(tmp_path) if name.startswith(".feedsrv-")]
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["story.txt"]


def test_a_link_at_the_target_is_replaced_not_written_through(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.write_bytes(b"keep")
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "index.html"
    target.symlink_to(outside)
    with atomic_write(target) as stream:
        stream.write(b"page")
    assert not target.is_symlink() and target.read_bytes() == b"page"
    assert outside.read_bytes() == b"keep"


def test_a_path_relative_to_a_directory_descriptor(tmp_path: Path) -> None:
    directory = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        with atomic_write("all.json", durable=True, dir_fd=directory) as stream:
            stream.write(b"{}")
    finally:
        os.close(directory)
    assert (tmp_path / "all.json").read_bytes() == b"{}"
