"""Hostile files in the articles directory (issue 10, items 4 and 5): a name that is
not UTF-8, symbolic links out of the directory, FIFOs, files whose size lies, and
links planted in an export's output. Each is refused with a message naming it; the
other articles keep being served and nothing crashes or hangs."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from feedsrv.cli import main
from feedsrv.sources import load_articles
from livetools import article
from test_cli import config_for

SEED_COUNT = 2
# A name whose bytes are Latin-1, not UTF-8: `touch "$(printf 'caf\xe9').txt"`.
LATIN1_NAME = b"caf\xe9.txt"
PRINTED_NAME = "caf\\xe9.txt"


def write_latin1_named(directory: Path, text: str) -> None:
    with open(os.path.join(os.fsencode(directory), LATIN1_NAME), "wb") as stream:
        stream.write(text.encode("utf-8"))


def test_a_name_that_is_not_utf8_is_skipped_with_a_printable_warning(tmp_config, articles_dir):
    write_latin1_named(articles_dir, article("Bad name", author="Ann Lee", outlet="Civic Ledger"))
    loaded = load_articles(tmp_config)
    assert len(loaded.entries) == SEED_COUNT
    [message] = [message for message in loaded.errors if PRINTED_NAME in message]
    assert "UTF-8" in message
    for message in (*loaded.errors, *loaded.warnings):
        message.encode("utf-8")


def test_check_and_build_survive_a_name_that_is_not_utf8(tmp_path, articles_dir):
    write_latin1_named(articles_dir, article("Bad name", author="Ann Lee", outlet="Civic Ledger"))
    config = config_for(tmp_path, articles_dir)
    checked = CliRunner().invoke(main, ["check", "--config", config])
    assert checked.exit_code == 1, checked.output
    assert any(line.startswith("error: ") and PRINTED_NAME in line for line in checked.output.splitlines())
    assert f"{SEED_COUNT} articles" in checked.output
    built = CliRunner().invoke(main, ["build", "--config", config, "--out", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    assert PRINTED_NAME in built.output
    assert (tmp_path / "out" / "feeds" / "all.atom").is_file()
