"""Hostile article content (issue 10): dates past what feeds can carry, topic lists
that grow without end, names longer than a URL, two files claiming one entry id,
and text that must be escaped the same way wherever it lands.

Each test names the fault it stands for; every future fault of this kind gets a
case here.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from feedsrv.config import load_config
from feedsrv.errors import ConfigError
from feedsrv.site import build_site
from feedsrv.sources import load_articles
from feedsrv.web import create_app
from livetools import AUTH, BODY, article, live_config, snapshot

ATOM = "{http://www.w3.org/2005/Atom}"
# Dates whose conversion to UTC overflows datetime, and dates merely absurd.
OUT_OF_RANGE_DATES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "1899-12-31", "2200-01-01"]
# Every page and feed an article lands in, which each broke on such a date.
EVERY_VIEW = ["/", "/feeds/all.atom", "/feeds/all.rss", "/feeds/all.json", "/feeds.opml",
              "/outlets/harbor-gazette", "/feeds/outlets/harbor-gazette.atom"]


async def assert_every_view_answers(client) -> None:
    for path in EVERY_VIEW:
        response = await client.get(path)
        assert response.status == 200, (path, await response.text())


# Item 2: out-of-range dates.

@pytest.mark.parametrize("value", OUT_OF_RANGE_DATES)
def test_a_front_matter_date_out_of_range_skips_the_file_naming_it(tmp_path, value):
    config = live_config(tmp_path / "articles")
    for key in ("published", "updated"):
        (config.articles_dir / f"bad-{key}.txt").write_text(
            f"---\n{key}: {value}\n---\nHeadline\n\n{BODY}\n", encoding="utf-8")
    loaded = load_articles(config)
    assert sorted(entry.slug for entry in loaded.entries) == ["alpha", "beta", "gamma"]
    for key in ("published", "updated"):
        message = next(error for error in loaded.errors if f"bad-{key}.txt" in error)
        assert f"{key} {value!r} is out of range (years 1900 to 2199)" in message


@pytest.mark.parametrize("value", OUT_OF_RANGE_DATES[:2])
async def test_a_dropped_file_with_an_extreme_date_leaves_every_view_serving(aiohttp_client, tmp_path, value):
    config = live_config(tmp_path / "articles")
    (config.articles_dir / "bad.txt").write_text(
        article("Bad", author="Dana Reyes", outlet="Harbor Gazette", published=value), encoding="utf-8")
    site = build_site(config)
    assert "bad" not in {entry.slug for entry in site.catalog.entries}
    await assert_every_view_answers(await aiohttp_client(create_app(config, site=site)))


@pytest.mark.parametrize("header", ["X-Published", "X-Updated"])
@pytest.mark.parametrize("value", OUT_OF_RANGE_DATES)
async def test_an_api_date_out_of_range_is_4xx_and_writes_nothing(api, api_config, header, value):
    before = snapshot(api_config.articles_dir)
    response = await api.post("/api/articles", data=f"Headline\n\n{BODY}\n".encode(),
                              headers={**AUTH, header: value})
    assert 400 <= response.status < 500
    assert "out of range (years 1900 to 2199)" in await response.text()
    assert snapshot(api_config.articles_dir) == before
    await assert_every_view_answers(api)
    # A later write still works.
    later = await api.post("/api/articles", data=f"Later\n\n{BODY}\n".encode(),
                           headers={**AUTH, "X-Published": "2016-01-01T00:00:00+00:00"})
    assert later.status == 201


def test_a_declared_date_out_of_range_is_a_config_error(tmp_path):
    config_file = tmp_path / "feedsrv.toml"
    config_file.write_text('[site]\ntitle = "T"\nbase_url = "https://example.org"\n'
                           "[articles.alpha]\npublished = 0001-01-01T00:00:00+14:00\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(config_file)
    assert "articles.alpha.published" in str(caught.value)
    assert "out of range" in str(caught.value)


# File systems clamp times before 1901, so only the far side can be tried here.
@pytest.mark.parametrize("when", [datetime(2300, 1, 1, tzinfo=UTC), datetime(2400, 12, 31, tzinfo=UTC)])
async def test_a_file_time_out_of_range_is_not_taken_for_the_date(aiohttp_client, tmp_path, when):
    config = live_config(tmp_path / "articles")
    undated = config.articles_dir / "undated.txt"
    undated.write_text(f"Undated Headline\n\n{BODY}\n", encoding="utf-8")
    os.utime(undated, (when.timestamp(), when.timestamp()))
    site = build_site(config)
    entry = next(entry for entry in site.catalog.entries if entry.slug == "undated")
    assert entry.published_from == "none"
    assert entry.published.year == 1970
    await assert_every_view_answers(await aiohttp_client(create_app(config, site=site)))


# Item 3: topic lists without end, and categories rendered in quadratic time.

def test_declared_topics_the_config_does_not_know_are_left_out_with_a_warning(tmp_path):
    config = live_config(tmp_path / "articles")
    declared = ", ".join(["syria", *(f"made-up-{number}" for number in range(20_000)), "syria", "diplomacy"])
    (config.articles_dir / "tagged.txt").write_text(f"---\ntopics: {declared}\n---\nHeadline\n\n{BODY}\n",
                                                    encoding="utf-8")
    loaded = load_articles(config)
    entry = next(entry for entry in loaded.entries if entry.slug == "tagged")
    assert entry.topics == ("syria", "diplomacy")
    warning = next(warning for warning in loaded.warnings if "not declared" in warning)
    assert warning.startswith(f"{config.articles_dir / 'tagged.txt'}: topics not declared in [topics], left out: ")
    assert warning.endswith("'made-up-0', 'made-up-1', 'made-up-2', 'made-up-3', 'made-up-4' and 19995 more")


async def test_an_api_put_with_hundreds_of_topics_keeps_the_declared_ones(api, api_config):
    # As many as the API's bound on a metadata value (1,000 characters) lets through.
    topics = ",".join([*(f"t{number}" for number in range(200)), "russia"])
    response = await api.put("/api/articles/tagged", data=f"Headline\n\n{BODY}\n".encode(),
                             headers={**AUTH, "X-Topics": topics})
    assert response.status == 201, await response.text()
    reply = await response.json()
    assert reply["topics"] == ["russia"]
    assert any("'t0', 't1', 't2', 't3', 't4' and 195 more" in warning for warning in reply["warnings"])
    atom = etree.fromstring(await (await api.get("/feeds/topics/russia.atom")).read())
    assert [category.get("term") for category in atom.iter(f"{ATOM}category")] == ["russia"]


@pytest.mark.parametrize("extension", ["atom", "rss"])
def test_an_entry_hands_feedgen_its_categories_in_one_call(tmp_path, monkeypatch, extension):
    """feedgen rebuilds every RSS category on each ``category()`` call, so one call
    per topic made rendering an entry quadratic in its topic count."""
    from feedgen.entry import FeedEntry

    from feedsrv.config import Topic
    from feedsrv.render import render_feed

    topics = {f"topic-{number}": Topic(slug=f"topic-{number}", name=f"Topic {number}", keywords=("zzz",))
              for number in range(300)}
    config = replace(live_config(tmp_path / "articles"), topics=topics)
    (config.articles_dir / "tagged.txt").write_text(
        f"---\ntopics: {', '.join(topics)}\n---\nHeadline\n\n{BODY}\n", encoding="utf-8")
    site = build_site(config)
    calls = []
    category = FeedEntry.category

    def counted(self, *args, **kwargs):
        if args or kwargs:
            calls.append(args)
        return category(self, *args, **kwargs)

    monkeypatch.setattr(FeedEntry, "category", counted)
    feed = site.catalog.feeds["all"]
    document = etree.fromstring(render_feed(feed, extension, config))
    tagged = [len(args[0]) for args in calls]
    assert sorted(tagged) == [300]
    names = ([element.get("label") for element in document.iter(f"{ATOM}category")] if extension == "atom"
             else [element.text for element in document.iter("category")])
    assert names == [f"Topic {number}" for number in range(300)]


# Item 7: names longer than a URL or a file name can be.

def test_a_declared_author_name_past_the_bound_skips_the_file(tmp_path):
    config = live_config(tmp_path / "articles")
    (config.articles_dir / "long-author.txt").write_text(
        article("Long", author="Lena " + "W" * 180_000, outlet="Harbor Gazette"), encoding="utf-8")
    (config.articles_dir / "many-authors.txt").write_text(
        article("Many", author="; ".join(f"Person {number}" for number in range(51)), outlet="Harbor Gazette"),
        encoding="utf-8")
    (config.articles_dir / "long-outlet.txt").write_text(
        article("Outlet", author="Lena Weber", outlet="Gazette " * 30), encoding="utf-8")
    loaded = load_articles(config)
    assert sorted(entry.slug for entry in loaded.entries) == ["alpha", "beta", "gamma"]
    errors = {Path(error.split(":", 1)[0]).name: error for error in loaded.errors}
    assert "180005 characters, over the limit of 200" in errors["long-author.txt"]
    assert "author names 51 people, over the limit of 50" in errors["many-authors.txt"]
    assert "outlet 'Gazette Gazette Gazette Gazette Gazette '… is 239 characters" in errors["long-outlet.txt"]


def test_names_at_the_bound_are_served(tmp_path):
    """A guard beside the test above: the bounds refuse nothing a real byline holds."""
    config = live_config(tmp_path / "articles")
    (config.articles_dir / "bounded.txt").write_text(
        article("Bounded", author="; ".join(["A" * 200] * 2 + [f"Person {n}" for n in range(48)]),
                outlet="O" * 200), encoding="utf-8")
    entry = next(entry for entry in load_articles(config).entries if entry.slug == "bounded")
    assert len(entry.authors) == 50
    assert entry.outlet == "O" * 200


@pytest.mark.parametrize("name", ["W" * 180_000, "word " * 1_000])
def test_a_long_name_gets_a_bounded_distinct_slug(name):
    from feedsrv.catalog import author_key
    from feedsrv.config import MAX_SLUG_LENGTH, name_slug

    slug = name_slug(name)
    assert len(slug) <= MAX_SLUG_LENGTH
    assert name_slug(name + "x") != slug
    assert slug.startswith(name_slug(name[:100]))
    assert author_key(name) == f"authors/{slug}"


def test_a_file_name_slug_stays_within_the_bound_and_is_served(aiohttp_client, tmp_path):
    from feedsrv.config import MAX_SLUG_LENGTH
    from feedsrv.export import export_site

    config = live_config(tmp_path / "articles")
    stem = "a-" * 125
    (config.articles_dir / f"{stem}.txt").write_text(f"Long Name\n\n{BODY}\n", encoding="utf-8")
    site = build_site(config)
    entry = next(entry for entry in site.catalog.entries if entry.title == "Long Name")
    assert len(entry.slug) <= MAX_SLUG_LENGTH
    assert entry.slug.startswith("a-a-a-")
    written = export_site(site, tmp_path / "out")
    assert tmp_path / "out" / "articles" / entry.slug / "index.html" in written


# Item 8: text escaped the same way wherever it lands, and one entry per id.

async def test_an_rss_channel_description_is_escaped_like_an_item_description(aiohttp_client, tmp_path):
    config = live_config(tmp_path / "articles")
    name = "Ana <img src=x onerror=alert(1)> Lee"
    (config.articles_dir / "markup.txt").write_text(
        article("Markup", author=name, outlet="Harbor Gazette", text=f"{name} & others met. {BODY}"),
        encoding="utf-8")
    site = build_site(config)
    client = await aiohttp_client(create_app(config, site=site))
    key = next(key for key in site.catalog.feeds if key.startswith("authors/ana-img"))
    rss = etree.fromstring(await (await client.get(f"/feeds/{key}.rss")).read())
    channel_description = rss.findtext("channel/description")
    item_description = rss.findtext("channel/item/description")
    # What a reader renders as HTML shows the name as text, in both places.
    assert "&lt;img src=x onerror=alert(1)&gt;" in channel_description
    assert "&lt;img src=x onerror=alert(1)&gt;" in item_description
    assert "<img" not in channel_description
    atom = etree.fromstring(await (await client.get(f"/feeds/{key}.atom")).read())
    assert name in atom.findtext(f"{ATOM}subtitle")


def declared_id(title: str, entry_id: str) -> str:
    return f"---\nid: {entry_id}\ntitle: {title}\npublished: 2016-01-01T00:00:00+00:00\n---\n{title}\n\n{BODY}\n"


def test_a_second_file_declaring_a_taken_id_is_skipped_naming_the_first(tmp_path):
    config = live_config(tmp_path / "articles")
    (config.articles_dir / "first.txt").write_text(declared_id("First", "urn:x:1"), encoding="utf-8")
    (config.articles_dir / "second.txt").write_text(declared_id("Second", "urn:x:1"), encoding="utf-8")
    loaded = load_articles(config)
    assert [entry.slug for entry in loaded.entries if entry.id == "urn:x:1"] == ["first"]
    assert (f"{config.articles_dir / 'second.txt'}: skipped: its id 'urn:x:1' is taken by "
            f"{config.articles_dir / 'first.txt'}") in loaded.errors


def test_an_id_conflict_made_and_undone_one_file_at_a_time_matches_a_full_pass(tmp_path):
    config = live_config(tmp_path / "articles")
    first, second = config.articles_dir / "first.txt", config.articles_dir / "second.txt"
    first.write_text(declared_id("First", "urn:x:1"), encoding="utf-8")
    second.write_text(declared_id("Second", "urn:x:2"), encoding="utf-8")
    loaded = load_articles(config)
    for path, entry_id in [(second, "urn:x:1"), (first, "urn:x:3"), (second, "urn:x:3"), (second, "urn:x:2")]:
        path.write_text(declared_id(path.stem.title(), entry_id), encoding="utf-8")
        loaded = load_articles(config, loaded, changed=[str(path)])
        full = load_articles(config)
        assert sorted(entry.slug for entry in loaded.entries) == sorted(entry.slug for entry in full.entries)
        assert sorted(loaded.errors) == sorted(full.errors)
        assert len({entry.id for entry in loaded.entries}) == len(loaded.entries)


@pytest.mark.parametrize("method", ["POST", "PUT"])
async def test_an_api_write_declaring_a_taken_id_is_409_and_writes_nothing(api, api_config, method):
    before = snapshot(api_config.articles_dir)
    taken = next(entry.id for entry in load_articles(api_config).entries if entry.slug == "alpha")
    path = "/api/articles" if method == "POST" else "/api/articles/other"
    response = await api.request(method, path, data=f"Other\n\n{BODY}\n".encode(), headers={**AUTH, "X-Id": taken})
    assert response.status == 409
    assert f"the id {taken!r} is taken by alpha.txt" in await response.text()
    assert snapshot(api_config.articles_dir) == before
    # The file that holds the id may keep it.
    response = await api.put("/api/articles/alpha", data=f"Alpha Again\n\n{BODY}\n".encode(),
                             headers={**AUTH, "X-Id": taken})
    assert response.status == 200, await response.text()


@pytest.mark.parametrize("at", [0, 16_380, 50_000, 99_990])
def test_a_keyword_anywhere_in_a_long_paragraph_gives_its_topic(at):
    """The topic scan runs over pieces of long paragraphs (so that one search does
    not hold the interpreter lock for long); a keyword is found wherever it falls."""
    from feedsrv.config import Topic
    from feedsrv.parse import ParseOptions, parse_article

    filler = "Officials met again. " * 5_000
    paragraph = f"{filler[:at]} Middle East {filler[at:]}"
    options = ParseOptions(topics={"middle-east": Topic(slug="middle-east", name="Middle East",
                                                        keywords=("middle east",))})
    entry = parse_article(f"Headline\n\n{paragraph}\n", source="long.txt", options=options)
    assert entry.topics == ("middle-east",)
