"""Bad article files are skipped or degraded with a warning naming them; the rest keeps working."""

from __future__ import annotations

import os
import random
from dataclasses import replace
from pathlib import Path

from feedsrv.site import build_site
from feedsrv.sources import load_articles

SEED_COUNT = 2


def write_bad_files(directory):
    (directory / "empty.txt").write_bytes(b"")
    (directory / "blank.txt").write_bytes(b"  \n\n \t\n")
    (directory / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (directory / "huge.txt").write_bytes(b"Headline\n\n" + b"word " * 300_000)
    (directory / ".hidden.txt").write_text("Hidden\n\nNot an article.\n")
    (directory / "notes.md").write_text("Not an article either.\n")


def test_bad_files_are_skipped_with_a_message_naming_each(tmp_config, articles_dir):
    write_bad_files(articles_dir)
    loaded = load_articles(tmp_config)
    assert len(loaded.entries) == SEED_COUNT
    skipped = {message.split(":", 1)[0].rsplit("/", 1)[1] for message in loaded.errors}
    assert skipped == {"empty.txt", "blank.txt", "binary.txt", "huge.txt"}
    huge = next(message for message in loaded.errors if "huge.txt" in message)
    assert "site.max_article_bytes" in huge


def test_the_size_limit_comes_from_config(tmp_config, articles_dir):
    write_bad_files(articles_dir)
    loaded = load_articles(replace(tmp_config, max_article_bytes=2_000_000))
    assert any(entry.source.endswith("huge.txt") for entry in loaded.entries)
    assert not any("huge.txt" in message for message in loaded.errors)


def test_cp1252_file_is_read_with_a_warning(tmp_config, articles_dir):
    text = ("Caf\u00e9 owners protest \u201cunfair\u201d rents\n\nBy Ren\u00e9e Dupont\n\n"
            "The owners of the caf\u00e9 said the rents were \u201cunfair\u201d and would march on Monday.\n")
    (articles_dir / "legacy.txt").write_bytes(text.encode("cp1252"))
    loaded = load_articles(tmp_config)
    entry = next(entry for entry in loaded.entries if entry.source.endswith("legacy.txt"))
    assert entry.title == "Café owners protest “unfair” rents"
    assert entry.authors == ("Renée Dupont",)
    assert any("legacy.txt" in warning and "cp1252" in warning for warning in loaded.warnings)


def test_site_still_serves_the_good_articles(tmp_config, articles_dir):
    write_bad_files(articles_dir)
    site = build_site(tmp_config)
    assert len(site.catalog.feeds["all"].entries) == SEED_COUNT
    assert site.resource("/articles/000-035b52bdb15d24f1") is not None


ARTICLE = ("By {author}\n\nDAMASCUS, Syria\u2013\n\n"
           "{story} said the talks would go on in Geneva on {day} October 2015.\n")


def test_a_pass_over_the_changed_files_gives_what_a_full_pass_gives(tmp_config, tmp_path):
    """Edits, additions, deletions, broken saves and slug conflicts, applied one at a
    time: the result of looking at the changed file alone equals a scan of all."""
    rng = random.Random(7)
    directory = tmp_path / "live"
    directory.mkdir()
    config = replace(tmp_config, articles_dir=directory, parse_cache=None)
    # Stems whose slugs collide in pairs (a_b and a-b are both /articles/a-b).
    stems = ["a_b", "a-b", "c", "d_e", "d-e", "f", "g"]
    loaded = load_articles(config)
    conflicts_seen = incremental_passes = 0
    fingerprints = set()
    for step in range(60):
        path = directory / f"{rng.choice(stems)}.txt"
        action = rng.choice(["write", "write", "write", "break", "delete"])
        if action == "delete":
            path.unlink(missing_ok=True)
        elif action == "break":
            path.write_bytes(b"\n \n")
        else:
            path.write_text(ARTICLE.format(author=rng.choice(["Jane Doe", "Omar Haddad"]), story=rng.choice(
                ["The envoy", "A minister", "The delegation"]), day=rng.randint(1, 28)), encoding="utf-8")
        if path.exists():
            os.utime(path, ns=(step, step))  # a new key even within the clock's resolution
        # A scan of everything from the same previous pass (which remembers the
        # last good version of a broken file), against a look at the changed file.
        full = load_articles(config, loaded)
        loaded = load_articles(config, loaded, changed=[str(path)])
        incremental_passes += loaded.changes is not None
        assert set(map(repr, loaded.entries)) == set(map(repr, full.entries)), step
        assert sorted(loaded.errors) == sorted(full.errors), step
        assert sorted(loaded.warnings) == sorted(full.warnings), step
        assert dict(loaded.slugs) == dict(full.slugs) and loaded.contested == full.contested, step
        assert list(loaded.files) == list(full.files), step
        assert loaded.fingerprint == full.fingerprint, step
        fingerprints.add(loaded.fingerprint)
        conflicts_seen += bool(full.contested)
    # Both ways were taken: the quick one, and a full collection for conflicts.
    assert conflicts_seen and incremental_passes
    assert len(fingerprints) > 20  # it follows the files served


def test_no_shipped_seed_is_dated_by_its_file_time(seed_config):
    """A fresh clone gives the files today's time: a seed dated by it would be news."""
    entries = {Path(entry.source).stem: entry for entry in load_articles(seed_config).entries}
    assert {stem: entry.published_from for stem, entry in entries.items()} == {
        "000_035b52bdb15d24f1": "references", "002_3b1ee3ced2e6f8f0": "declared"}
    assert entries["002_3b1ee3ced2e6f8f0"].published.date().isoformat() == "2015-10-21"
