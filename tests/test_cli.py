"""The command line, run in-process through click's runner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import CONFIG, ROOT
from feedsrv.cli import main
from feedsrv.config import SETTINGS


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def config_for(tmp_path, articles_dir) -> str:
    path = tmp_path / "feedsrv.toml"
    text = CONFIG.read_text(encoding="utf-8").replace('articles_dir = "../seeds"', f'articles_dir = "{articles_dir}"')
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_every_command_has_help():
    for command in ("serve", "build", "parse", "check"):
        result = run(command, "--help")
        assert result.exit_code == 0
        assert "--config" in result.output


def test_check_on_the_seeds_passes():
    result = run("check", "--config", str(CONFIG))
    assert result.exit_code == 0
    assert "2 articles" in result.output
    assert "0 skipped" in result.output


def test_check_lists_every_bad_file_and_fails(tmp_path, articles_dir):
    (articles_dir / "empty.txt").write_bytes(b"")
    (articles_dir / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    latin = "Caf\xe9 news\n\nThe caf\xe9 reopened on Monday after the flood.\n"
    (articles_dir / "latin.txt").write_bytes(latin.encode("latin-1"))
    result = run("check", "--config", config_for(tmp_path, articles_dir))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith("error: ") and "empty.txt" in line for line in lines)
    assert any(line.startswith("error: ") and "binary.txt" in line for line in lines)
    assert any(line.startswith("warning: ") and "latin.txt" in line for line in lines)
    assert "3 articles" in result.output


def test_malformed_config_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[site]\nentries_per_feed = 'lots'\n", encoding="utf-8")
    for command in (("check",), ("build", "--out", str(tmp_path / "out")), ("serve",)):
        result = CliRunner().invoke(main, [*command, "--config", str(bad)])
        assert result.exit_code == 2, command
        assert result.output.strip().count("\n") == 0
        assert "site.entries_per_feed" in result.output
        assert "Traceback" not in result.output


def test_parse_prints_json_lines(tmp_path):
    broken = tmp_path / "broken.txt"
    broken.write_bytes(b"")
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    result = run("parse", "--json", "--config", str(CONFIG), str(seeds[0]), str(broken), str(seeds[1]))
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [record["source"] for record in records] == [str(seeds[0]), str(broken), str(seeds[1])]
    assert records[0]["author"] == "Shelby Vcelka"
    assert records[0]["published"].startswith("2015-10-22")
    assert records[1]["warnings"] and "broken.txt" in records[1]["warnings"][0]
    assert records[2]["title"] == "Syrian Leader Bashar Assad Meets in Moscow with Putin"


def test_parse_text_summary():
    seed = ROOT / "seeds" / "002_3b1ee3ced2e6f8f0.txt"
    result = run("parse", "--config", str(CONFIG), "--text", str(seed))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == f"== {seed}"
    assert "title: Syrian Leader Bashar Assad Meets in Moscow with Putin" in lines
    assert "outlet: Mideast Time" in lines
    assert sum(line.startswith("¶ ") for line in lines) == 12


def test_build_writes_the_site(tmp_path):
    out = tmp_path / "site"
    result = run("build", "--config", str(CONFIG), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert (out / "feeds" / "all.atom").read_bytes().startswith(b"<?xml")
    assert (out / "feeds" / "all.atom.gz").is_file()
    assert (out / "index.html").is_file()


def test_init_writes_a_site_that_check_reads_and_prints_the_next_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("init", "news")
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "next: cd news && feedsrv serve"
    text = (tmp_path / "news" / "feedsrv.toml").read_text(encoding="utf-8")
    assert 'articles_dir = "articles"' in text.splitlines()
    assert all(f"{setting.name} = " in text for setting in SETTINGS)
    monkeypatch.chdir(tmp_path / "news")
    result = run("check")
    assert result.exit_code == 0
    # The feeds of everything, of stories, of its outlet and of its author.
    assert result.output.splitlines()[-1] == "feedsrv.toml: 1 articles, 4 feeds, 0 skipped, 0 warnings"
    result = run("parse", "articles/welcome.txt")
    entry = json.loads(result.output)
    assert (entry["title"], entry["authors"], entry["dateline"]) == (
        "A New Site Publishes Its First Article", ["Dana Weber"], "GENEVA, Switzerland")


def test_init_in_the_current_directory_says_to_serve_from_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("init", ".")
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "next: feedsrv serve"


@pytest.mark.parametrize("existing", ["feedsrv.toml", "articles"])
def test_init_never_overwrites_and_writes_nothing_then(tmp_path, existing):
    site = tmp_path / "site"
    site.mkdir()
    if existing == "articles":
        (site / "articles").mkdir()
        (site / "articles" / "mine.txt").write_text("Mine\n\nMy story.\n", encoding="utf-8")
    else:
        (site / "feedsrv.toml").write_text("[site]\ntitle = 'mine'\n", encoding="utf-8")

    def contents() -> list[tuple[str, bytes]]:
        return sorted((str(path.relative_to(site)), path.read_bytes() if path.is_file() else b"")
                      for path in site.rglob("*"))

    before = contents()
    result = CliRunner().invoke(main, ["init", str(site)])
    assert result.exit_code == 2
    assert result.output == (f"feedsrv: cannot start a site at {site}: {site / existing} exists; "
                             "feedsrv init never overwrites\n")
    assert contents() == before


def test_a_positional_directory_wins_over_site_articles_dir(tmp_path, articles_dir):
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "solo.txt").write_text("A Lone Story\n\nIt was the only one.\n", encoding="utf-8")
    result = run("check", "--config", config_for(tmp_path, articles_dir), str(tmp_path / "one"))
    assert result.exit_code == 0
    assert ": 1 articles" in result.output
    result = run("build", str(tmp_path / "one"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert (tmp_path / "out" / "articles" / "solo" / "index.html").is_file()
    result = CliRunner().invoke(main, ["serve", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "Directory" in result.output and "missing" in result.output


@pytest.mark.parametrize("command", [("serve",), ("check",), ("build", "--out", "out")])
def test_without_a_config_or_a_directory_one_line_says_what_to_run(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FEEDSRV_DATABASE_URL", raising=False)
    result = CliRunner().invoke(main, list(command))
    assert result.exit_code == 2
    assert result.output == (
        f"feedsrv: nothing to {command[0]}: run `feedsrv {command[0]} ARTICLES_DIR`, or `feedsrv init DIR` to "
        "start a site (no --config, and no feedsrv.toml or config/feedsrv.toml here)\n")
    assert not (tmp_path / "out").exists()
