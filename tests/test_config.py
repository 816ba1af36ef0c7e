"""Config loading: defaults, validation errors naming the key, settings declared once."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import ROOT
from feedsrv.config import SETTINGS, SiteConfig, WebSubConfig, load_config, toml_value
from feedsrv.errors import ConfigError


def write(tmp_path, text: str):
    path = tmp_path / "feedsrv.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config(seed_config):
    assert seed_config.articles_dir == ROOT / "seeds"
    assert seed_config.base_url == "http://127.0.0.1:8080"
    assert seed_config.entries_per_feed == 50
    assert seed_config.cache_max_age == 300
    assert {"syria", "russia", "middle-east", "diplomacy"} <= set(seed_config.topics)
    assert seed_config.outlets["impunity-watch"].name == "Impunity Watch"


def test_defaults_without_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.source is None
    assert config.articles_dir == tmp_path / "seeds"
    assert (config.host, config.port) == ("127.0.0.1", 8080)


def test_a_config_is_found_at_the_top_of_a_site_before_config_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "feedsrv.toml").write_text('[site]\ntitle = "repository"\n', encoding="utf-8")
    assert load_config().title == "repository"
    write(tmp_path, '[site]\ntitle = "site"\n')
    assert (load_config().title, load_config().source) == ("site", Path("feedsrv.toml"))


def test_the_database_is_off_unless_named(tmp_path):
    assert load_config(write(tmp_path, "")).database_url == ""
    url = "postgresql://feedsrv:secret@db.example:5432/feedsrv"
    assert load_config(write(tmp_path, f"[store]\ndatabase_url = '{url}'\n")).database_url == url


def test_relative_paths_are_taken_from_the_config_file(tmp_path):
    config = load_config(write(tmp_path, '[site]\narticles_dir = "news"\nbase_url = "https://example.org/"\n'))
    assert config.articles_dir == tmp_path / "news"
    assert config.url("/feeds/all.atom") == "https://example.org/feeds/all.atom"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[site]\nentries_per_feed = 'many'\n", "site.entries_per_feed"),
        ("[site]\nentries_per_feed = 0\n", "site.entries_per_feed"),
        ("[site]\ncache_max_age = true\n", "site.cache_max_age"),
        ("[site]\nbase_url = 'example.org'\n", "site.base_url"),
        ("[site]\ntimezone = 'Mars/Olympus'\n", "site.timezone"),
        ("[site]\ncolour = 'blue'\n", "site.colour"),
        ("[server]\nport = 70000\n", "server.port"),
        ("[server]\nworkers = 0\n", "server.workers"),
        ("[server]\naccess_log = 'yes'\n", "server.access_log"),
        ("[server]\nevent_loop = 'trio'\n", "server.event_loop"),
        ("[server]\nevent_loop = true\n", "server.event_loop"),
        ("[outlets.acme]\nhomepage = 'https://acme.example/'\n", "outlets.acme.name"),
        ("[outlets.acme]\nname = ' '\n", "outlets.acme.name"),
        ("[topics.tech]\nkeywords = ['ai']\n", "topics.tech.name"),
        ("[outlets.Bad_Slug]\nname = 'x'\n", "outlets.Bad_Slug"),
        ("[topics.tech]\nname = 'Tech'\n", "topics.tech.keywords"),
        ("[topics.tech]\nname = 'Tech'\nkeywords = ['ai']\nmin_hits = 0\n", "topics.tech.min_hits"),
        ("[articles.a]\npublished = 'last week'\n", "articles.a.published"),
        ("[sites]\ntitle = 'x'\n", "sites"),
        ("site = 3\n", "site"),
        ("[site]\ntitle = '  '\n", "site.title"),
        ("[store]\ndatabase_url = 'mysql://db.example/feedsrv'\n", "store.database_url"),
        ("[store]\ndatabase_url = 5432\n", "store.database_url"),
        ("[store]\ndatabase = 'x'\n", "store.database"),
    ],
)
def test_errors_name_the_key(tmp_path, text, key):
    with pytest.raises(ConfigError) as raised:
        load_config(write(tmp_path, text))
    assert raised.value.key == key


def test_invalid_toml_names_the_file(tmp_path):
    path = write(tmp_path, "[site\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert raised.value.key == str(path)


def test_the_dataclass_defaults_are_the_settings_defaults():
    # Issue 12: the table and the dataclasses once disagreed (site.parse_cache).
    instances = {"websub": WebSubConfig()}
    for setting in SETTINGS:
        holder = instances.get(setting.section, SiteConfig())
        assert toml_value(getattr(holder, setting.attribute)) == setting.default, setting.key


def test_a_setting_may_be_named_apart_from_its_field():
    token = next(setting for setting in SETTINGS if setting.key == "api.token")
    assert (token.attribute, token.default) == ("api_token", "")


def test_toml_value_writes_paths_and_zones_by_name():
    assert (toml_value(Path("state/x")), toml_value(ZoneInfo("Europe/Paris")), toml_value(3)) == (
        "state/x", "Europe/Paris", 3)
    with pytest.raises(TypeError):
        toml_value(object())


def test_a_missing_name_is_required_and_a_blank_one_is_not_a_name(tmp_path):
    with pytest.raises(ConfigError, match="is required"):
        load_config(write(tmp_path, "[topics.tech]\nkeywords = ['ai']\n"))
    with pytest.raises(ConfigError, match="must be a non-empty string"):
        load_config(write(tmp_path, "[outlets.acme]\nname = ' '\n"))


@pytest.mark.parametrize("value", ["9100", "localhost", ":9100", "localhost:0", "localhost:70000", "h:9100/x"])
def test_metrics_listen_must_be_host_and_port(tmp_path, value):
    with pytest.raises(ConfigError, match=r"server\.metrics_listen"):
        load_config(write(tmp_path, f'[server]\nmetrics_listen = "{value}"\n'))


def test_metrics_listen_takes_ipv6(tmp_path):
    assert load_config(write(tmp_path, '[server]\nmetrics_listen = "[::1]:9100"\n')).metrics_address == ("::1", 9100)
    assert load_config(write(tmp_path, "")).metrics_address is None
