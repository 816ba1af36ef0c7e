"""The config file `feedsrv init` writes, against the settings table it is made from."""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace

import pytest

from feedsrv.config import SETTINGS, default_config, load_config
from feedsrv.scaffold import commented_config


def write(tmp_path, text: str):
    path = tmp_path / "feedsrv.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_commented_config_gives_every_setting_with_its_help_and_default(tmp_path):
    text = commented_config({"site.articles_dir": "articles", "site.title": 'A "quoted" \\ title'})
    uncommented = tomllib.loads(re.sub(r"^# ([a-z_]+ = )", r"\1", text, flags=re.MULTILINE))
    for setting in SETTINGS:
        if setting.key not in ("site.articles_dir", "site.title"):
            assert uncommented[setting.section][setting.name] == setting.default, setting.key
        # The comment lines right above the setting's line are its help, then the
        # default when the line sets another value.
        block = re.search(rf"^\[{setting.section}\]\n(?:.*\n)*?((?:# .*\n)+)#? ?{setting.name} = ", text,
                          re.MULTILINE)
        assert block is not None, setting.key
        comment = " ".join(line[2:] for line in block.group(1).splitlines() if not line.startswith("# Default: "))
        assert comment == re.sub(r"\[([^\]]+)\]\(#[^)]*\)", r"\1", setting.help), setting.key
    assert '# Default: "seeds"\narticles_dir = "articles"\n' in text
    assert max(len(line) for line in text.splitlines()) <= 88


def test_the_commented_config_loads_as_the_defaults_but_for_its_values(tmp_path):
    path = write(tmp_path, commented_config({"site.articles_dir": "articles", "site.title": 'A "quoted" \\ title'}))
    config = load_config(path)
    assert (config.articles_dir, config.title) == (tmp_path / "articles", 'A "quoted" \\ title')
    assert replace(config, articles_dir=tmp_path / "seeds", title="feedsrv", source=None) == default_config(tmp_path)


def test_the_commented_config_refuses_what_is_not_a_setting():
    with pytest.raises(ValueError, match=r"site\.colour"):
        commented_config({"site.colour": "blue"})
