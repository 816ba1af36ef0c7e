"""The parse cache and the parsing pool: a restart reads only what changed, and many
files are parsed by one process per core, with the very entries one process gives."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from feedsrv import parsecache
from feedsrv.config import SiteConfig, Topic
from feedsrv.sources import load_articles
from feedsrv.synth import generate_articles, write_articles


@pytest.fixture
def cached_config(tmp_config: SiteConfig, tmp_path: Path) -> SiteConfig:
    return replace(tmp_config, parse_cache=tmp_path / "state" / "parsed.pickle")


def test_a_restart_reads_no_unchanged_file(cached_config: SiteConfig) -> None:
    first = load_articles(cached_config)
    assert len(first.parsed) == 2 and cached_config.parse_cache.is_file()
    again = load_articles(cached_config)
    assert again.parsed == ()
    assert again.entries == first.entries
    assert again.warnings == first.warnings


def test_a_restart_reads_the_files_added_or_changed_since(cached_config: SiteConfig) -> None:
    first = load_articles(cached_config)
    edited = Path(first.entries[0].source)
    edited.write_text(edited.read_text(encoding="utf-8").replace("Syria", "Syrie", 1), encoding="utf-8")
    os.utime(edited, ns=(1, 1))
    added = cached_config.articles_dir / "added.txt"
    added.write_text("By Jane Doe\n\nA story about the talks, told in a whole sentence.\n", encoding="utf-8")
    again = load_articles(cached_config)
    assert sorted(again.parsed) == sorted([str(edited), str(added)])
    assert len(again.entries) == 3
    # and the cache now holds them too
    assert load_articles(cached_config).parsed == ()


def test_other_settings_make_the_cache_stale(cached_config: SiteConfig) -> None:
    load_articles(cached_config)
    topics = {**cached_config.topics, "levant": Topic("levant", "Levant", ("Syria",), min_hits=1)}
    stale = load_articles(replace(cached_config, topics=topics))
    assert len(stale.parsed) == 2
    assert any("levant" in entry.topics for entry in stale.entries)


def test_other_parser_code_makes_the_cache_stale(cached_config: SiteConfig, monkeypatch) -> None:
    load_articles(cached_config)
    monkeypatch.setattr(parsecache, "code_digest", lambda: "another parser")
    assert len(load_articles(cached_config).parsed) == 2


def test_another_headline_model_makes_the_cache_stale(cached_config: SiteConfig, tmp_path: Path,
                                                      monkeypatch) -> None:
    stamp = parsecache.cache_stamp(cached_config)
    retrained = tmp_path / "headline.crfsuite"
    retrained.write_bytes(parsecache._data_file("parse/headline.crfsuite").read_bytes() + b"\0")
    monkeypatch.setattr(parsecache, "_data_file", lambda name: retrained)
    assert parsecache.cache_stamp(cached_config) != stamp


def test_an_unreadable_cache_costs_a_parse_and_a_warning(cached_config: SiteConfig, caplog) -> None:
    load_articles(cached_config)
    cached_config.parse_cache.write_bytes(cached_config.parse_cache.read_bytes()[:100])
    with caplog.at_level(logging.WARNING, logger="feedsrv.parsecache"):
        loaded = load_articles(cached_config)
    assert len(loaded.parsed) == 2 and len(loaded.entries) == 2
    assert f"{cached_config.parse_cache}: unreadable parse cache" in caplog.text
    assert load_articles(cached_config).parsed == ()  # written anew


def test_an_unwritable_cache_is_a_warning(cached_config: SiteConfig, caplog) -> None:
    cached_config.parse_cache.parent.parent.mkdir(parents=True, exist_ok=True)
    cached_config.parse_cache.parent.write_text("a file where the directory should be")
    with caplog.at_level(logging.WARNING, logger="feedsrv.parsecache"):
        loaded = load_articles(cached_config)
    assert len(loaded.entries) == 2
    assert "cannot write the parse cache" in caplog.text


def test_the_cache_stamp_covers_every_module_the_parser_imports() -> None:
    # In a fresh interpreter: what importing sources (the parser included) loads.
    code = "import sys, feedsrv.sources; print(' '.join(sorted(m for m in sys.modules if m.startswith('feedsrv.'))))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert {name.removeprefix("feedsrv.") for name in loaded} <= set(parsecache.PARSER_MODULES)
    assert "parse._article" in parsecache.PARSER_MODULES and "parse._lead" in parsecache.PARSER_MODULES


def test_the_pool_gives_the_entries_one_process_gives(tmp_config: SiteConfig, tmp_path: Path) -> None:
    directory = tmp_path / "many"
    write_articles(generate_articles(450, seed=11, outlets=12), directory)
    (directory / "broken.txt").write_bytes(b"\n\n   \n")
    config = replace(tmp_config, articles_dir=directory, parse_cache=None)
    serial = load_articles(replace(config, build_processes=1))
    pooled = load_articles(replace(config, build_processes=2))
    assert len(pooled.parsed) == 451
    assert pooled.entries == serial.entries
    assert [entry.source for entry in pooled.entries] == [entry.source for entry in serial.entries]
    assert pooled.errors == serial.errors == (f"{directory / 'broken.txt'}: skipped: empty file: no text",)


RENDER_BOTH_WAYS = """
import json, sys
from dataclasses import replace
from pathlib import Path
from feedsrv.config import load_config
from feedsrv.pools import forking_is_safe
from feedsrv.site import build_site

if __name__ == "__main__":
    config = replace(load_config(Path(sys.argv[1])), articles_dir=Path(sys.argv[2]), parse_cache=None)
    sites = [build_site(replace(config, build_processes=count)) for count in (1, 2)]
    etags = [{path: site.resource(path).identity.etag for path in site.eager_paths()} for site in sites]
    bodies = [{path: [variant.body for variant in site.resource(path).variants.values()] for path in site.eager_paths()}
              for site in sites]
    print(json.dumps({"documents": len(etags[0]), "same_etags": etags[0] == etags[1],
                      "same_bytes": bodies[0] == bodies[1], "forked": forking_is_safe()}))
"""


def test_documents_rendered_by_a_pool_are_those_one_process_renders(tmp_path: Path) -> None:
    # In a fresh interpreter with one thread, where build_site forks its workers
    # (a test process runs other threads, where it renders in-process).
    directory = tmp_path / "articles"
    write_articles(generate_articles(300, seed=4, outlets=10), directory)
    script = tmp_path / "render_both_ways.py"
    script.write_text(RENDER_BOTH_WAYS)
    config = Path(__file__).resolve().parent.parent / "config" / "feedsrv.toml"
    output = subprocess.run([sys.executable, script, config, directory], capture_output=True, text=True,
                            check=True).stdout
    result = json.loads(output)
    assert result["forked"], "build_site rendered in one process: the pool went untested"
    assert result["same_etags"] and result["same_bytes"]
    assert result["documents"] > 100


def test_a_few_changed_files_of_many_do_not_rewrite_the_cache(tmp_config: SiteConfig, tmp_path: Path) -> None:
    directory = tmp_path / "history"
    write_articles(generate_articles(40, seed=2, outlets=5), directory)
    config = replace(tmp_config, articles_dir=directory, parse_cache=tmp_path / "parsed.pickle")
    load_articles(config)
    written = config.parse_cache.stat().st_mtime_ns
    edited = directory / "synthetic_000007.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more sentence for the record.\n", encoding="utf-8")
    assert load_articles(config).parsed == (str(edited),)
    # One file of forty: parsing it at every start costs less than rewriting the cache.
    assert config.parse_cache.stat().st_mtime_ns == written
    assert load_articles(config).parsed == (str(edited),)


def test_the_parser_version_does_not_depend_on_where_the_articles_are(cached_config: SiteConfig,
                                                                        tmp_path: Path) -> None:
    moved = replace(cached_config, articles_dir=tmp_path / "elsewhere")
    assert parsecache.parser_stamp(moved) == parsecache.parser_stamp(cached_config)
    assert parsecache.cache_stamp(moved) != parsecache.cache_stamp(cached_config)
    topics = {**cached_config.topics, "levant": Topic("levant", "Levant", ("Syria",), min_hits=1)}
    assert parsecache.parser_stamp(replace(cached_config, topics=topics)) != parsecache.parser_stamp(cached_config)


def test_an_entry_dumped_is_loaded_equal(cached_config: SiteConfig) -> None:
    entry = load_articles(cached_config).entries[0]
    assert parsecache.load_entry(parsecache.dump_entry(entry)) == entry
    with pytest.raises(TypeError, match="not a stored entry"):
        parsecache.load_entry(parsecache.pickle.dumps({"title": "x"}))
