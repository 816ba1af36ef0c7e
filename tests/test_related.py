"""Related coverage in the pages and feeds (issue 15): the two seeds report one event
(Assad's visit to Putin) from two outlets, so each article page and feed entry links
the other, and the stories feed has one entry listing both."""

from __future__ import annotations

import asyncio
import json
import shutil
from dataclasses import replace
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from conftest import CONFIG, SEEDS
from feedcheck import validate_atom, validate_json_feed, validate_rss
from feedsrv.config import load_config
from feedsrv.live import LiveSite
from feedsrv.render import FORMATS
from feedsrv.site import build_site, refresh_site, with_stories
from feedsrv.stories import group_entries
from feedsrv.web import create_app

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "http://127.0.0.1:8080"
FIRST = "000-035b52bdb15d24f1"
SECOND = "002-3b1ee3ced2e6f8f0"
FIRST_TITLE = ("In a surprise visit to Moscow, President Bashar al-Assad of Syria met with the Russian "
               "President Vladimir Putin")
SECOND_TITLE = "Syrian Leader Bashar Assad Meets in Moscow with Putin"


async def test_each_seed_page_shows_the_other_as_also_covered_by(client) -> None:
    for slug, other, outlet, title in ((FIRST, SECOND, "Mideast Time", SECOND_TITLE),
                                       (SECOND, FIRST, "Impunity Watch", FIRST_TITLE)):
        response = await client.get(f"/articles/{slug}")
        assert response.status == 200
        page = await response.text()
        section = page[page.index('<section class="related">'):]
        section = section[:section.index("</section>")]
        assert "<h2>Also covered by</h2>" in section
        assert f'{outlet}: <a href="{BASE}/articles/{other}">{title}</a>' in section


async def test_atom_entries_link_the_other_outlets_article(client) -> None:
    response = await client.get("/feeds/all.atom")
    data = await response.read()
    validate_atom(data)
    root = etree.fromstring(data)
    related = {entry.findtext(f"{ATOM}title"): [link.attrib for link in entry.iterfind(f"{ATOM}link")
                                                if link.get("rel") == "related"]
               for entry in root.iterfind(f"{ATOM}entry")}
    assert related[SECOND_TITLE] == [{"href": f"{BASE}/articles/{FIRST}", "rel": "related", "type": "text/html",
                                      "title": f"Impunity Watch: {FIRST_TITLE}"}]
    assert related[FIRST_TITLE] == [{"href": f"{BASE}/articles/{SECOND}", "rel": "related", "type": "text/html",
                                     "title": f"Mideast Time: {SECOND_TITLE}"}]
    parsed = feedparser.parse(data)
    links = {entry.title: [link.href for link in entry.links if link.rel == "related"] for entry in parsed.entries}
    assert links[FIRST_TITLE] == [f"{BASE}/articles/{SECOND}"]


async def test_a_filtered_feed_keeps_the_relation(client) -> None:
    response = await client.get("/feeds/all.atom?outlet=mideast-time")
    assert response.status == 200
    data = await response.read()
    validate_atom(data)
    entries = list(etree.fromstring(data).iterfind(f"{ATOM}entry"))
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [SECOND_TITLE]
    assert [link.get("href") for link in entries[0].iterfind(f"{ATOM}link") if link.get("rel") == "related"] \
        == [f"{BASE}/articles/{FIRST}"]


async def test_the_stories_feed_takes_filters(client) -> None:
    kept = feedparser.parse(await (await client.get("/feeds/stories.atom?topic=syria")).read())
    assert len(kept.entries) == 1
    gone = await client.get("/feeds/stories.atom?since=2100-01-01")
    assert gone.status == 200
    assert feedparser.parse(await gone.read()).entries == []


async def test_rss_items_carry_atom_links_rel_related(client) -> None:
    data = await (await client.get("/feeds/all.rss")).read()
    validate_rss(data)
    channel = etree.fromstring(data).find("channel")
    assert channel is not None
    related = {item.findtext("title"): [(link.get("href"), link.get("title")) for link in item.iterfind(f"{ATOM}link")
                                        if link.get("rel") == "related"]
               for item in channel.iterfind("item")}
    assert related[FIRST_TITLE] == [(f"{BASE}/articles/{SECOND}", f"Mideast Time: {SECOND_TITLE}")]
    assert related[SECOND_TITLE] == [(f"{BASE}/articles/{FIRST}", f"Impunity Watch: {FIRST_TITLE}")]


async def test_json_feed_items_carry_the_feedsrv_extension(client) -> None:
    data = await (await client.get("/feeds/all.json")).read()
    document = validate_json_feed(data)
    extensions = {item["title"]: item["_feedsrv"] for item in document["items"]}
    assert extensions[FIRST_TITLE] == {"related": [{"url": f"{BASE}/articles/{SECOND}", "title": SECOND_TITLE,
                                                    "outlet": "Mideast Time"}]}
    assert extensions[SECOND_TITLE] == {"related": [{"url": f"{BASE}/articles/{FIRST}", "title": FIRST_TITLE,
                                                     "outlet": "Impunity Watch"}]}


@pytest.mark.parametrize("extension", list(FORMATS))
async def test_the_stories_feed_has_one_entry_listing_both_outlets(client, extension: str) -> None:
    response = await client.get(f"/feeds/stories.{extension}")
    assert response.status == 200
    assert response.headers["Content-Type"] == FORMATS[extension].content_type
    data = await response.read()
    {"atom": validate_atom, "rss": validate_rss, "json": validate_json_feed}[extension](data)
    if extension == "json":
        items = json.loads(data)["items"]
        assert len(items) == 1
        item = items[0]
        title, link, content, entry_id = item["title"], item["url"], item["content_html"], item["id"]
    else:
        parsed = feedparser.parse(data)
        assert len(parsed.entries) == 1
        entry = parsed.entries[0]
        title, link, content, entry_id = entry.title, entry.link, entry.content[0].value, entry.id
    # Named by the earliest article (the config dates the second seed 21 October,
    # the first says 22 October), linked to its page, listing both.
    assert title == SECOND_TITLE
    assert link == f"{BASE}/articles/{SECOND}"
    assert f'<a href="{BASE}/articles/{FIRST}">{FIRST_TITLE}</a> — Impunity Watch' in content
    assert f'<a href="{BASE}/articles/{SECOND}">{SECOND_TITLE}</a> — Mideast Time' in content
    assert entry_id.startswith("urn:uuid:")


async def test_the_stories_entry_id_is_stable(seed_site) -> None:
    again = build_site(seed_site.config)
    first = seed_site.catalog.feeds["stories"].history
    assert [entry.id for entry in first] == [entry.id for entry in again.catalog.feeds["stories"].history]
    assert len(first) == 1


def test_the_index_and_the_subscription_list_offer_the_stories_feed(seed_site) -> None:
    index = seed_site.resource("/")
    opml = seed_site.resource("/feeds.opml")
    assert index is not None and opml is not None
    assert f'href="{BASE}/feeds/stories.atom"'.encode() in index.identity.body
    assert f'xmlUrl="{BASE}/feeds/stories.rss"'.encode() in opml.identity.body


def test_a_hot_reload_makes_and_unmakes_the_story(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(SEEDS / "000_035b52bdb15d24f1.txt", articles)
    config = replace(load_config(CONFIG), articles_dir=articles, parse_cache=None)
    alone = build_site(config)
    assert alone.catalog.feeds["stories"].history == ()
    assert b"Also covered by" not in _body(alone, f"/articles/{FIRST}")

    shutil.copy(SEEDS / "002_3b1ee3ced2e6f8f0.txt", articles)
    together = refresh_site(alone)
    assert [entry.title for entry in together.catalog.feeds["stories"].history] == [SECOND_TITLE]
    assert b"Also covered by" in _body(together, f"/articles/{FIRST}")
    assert f'href="{BASE}/articles/{SECOND}" rel="related"'.encode() in _body(together, "/feeds/all.atom")
    # The first seed's outlet feed lists only its article, and still links the other.
    assert b'rel="related"' in _body(together, "/feeds/outlets/impunity-watch.atom")

    (articles / "002_3b1ee3ced2e6f8f0.txt").unlink()
    apart = refresh_site(together)
    assert apart.catalog.feeds["stories"].history == ()
    assert b"Also covered by" not in _body(apart, f"/articles/{FIRST}")
    assert b'rel="related"' not in _body(apart, "/feeds/outlets/impunity-watch.atom")
    assert _body(apart, "/feeds/stories.json") == _body(alone, "/feeds/stories.json")


def test_the_stories_feed_follows_reloads_and_stays_while_no_story_changes(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    shutil.copytree(SEEDS, articles)
    config = replace(load_config(CONFIG), articles_dir=articles, parse_cache=None)
    together = build_site(config)
    assert len(together.catalog.feeds["stories"].history) == 1
    # An article of no story changes no story: the feed of stories is kept whole.
    (articles / "zz_note.txt").write_text("A Note on Gardening\n\nTomatoes need sun and water every day.\n",
                                          encoding="utf-8")
    grown = refresh_site(together)
    assert grown.catalog.feeds["stories"] is together.catalog.feeds["stories"]
    # Both articles of the story gone: so is the story.
    for path in SEEDS.glob("*.txt"):
        (articles / path.name).unlink()
    emptied = refresh_site(grown)
    assert emptied.catalog.feeds["stories"].history == ()
    assert validate_json_feed(_body(emptied, "/feeds/stories.json"))["items"] == []


def _body(site, path: str) -> bytes:
    resource = site.resource(path)
    assert resource is not None, path
    return resource.identity.body


def test_archive_pages_carry_no_relation(seed_config) -> None:
    # One entry a page: the newer seed in the subscription document, the older in
    # archive page 1, which is full and so served as immutable.
    site = build_site(replace(seed_config, entries_per_feed=1))
    for extension, marker in (("atom", b'rel="related"'), ("rss", b'rel="related"'), ("json", b'"_feedsrv"')):
        assert marker in _body(site, f"/feeds/all.{extension}"), extension
        assert marker not in _body(site, f"/feeds/all/archive/1.{extension}"), extension
    validate_atom(_body(site, "/feeds/all/archive/1.atom"))


def test_an_empty_stories_feed_is_valid(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(SEEDS / "000_035b52bdb15d24f1.txt", articles)
    site = build_site(replace(load_config(CONFIG), articles_dir=articles, parse_cache=None))
    validate_atom(_body(site, "/feeds/stories.atom"))
    validate_rss(_body(site, "/feeds/stories.rss"))
    assert validate_json_feed(_body(site, "/feeds/stories.json"))["items"] == []


# Stories grouped while serving: `feedsrv serve` leaves a large history's grouping
# to the running app (stories_later_past), and serves the same bytes once it is done.

def test_a_site_built_with_stories_later_has_none_until_they_come(tmp_path: Path, seed_config) -> None:
    later = build_site(seed_config, stories_later_past=0)
    assert later.catalog.stories_pending
    assert later.catalog.feeds["stories"].history == ()
    assert b'rel="related"' not in _body(later, "/feeds/all.atom")
    assert b"Also covered by" not in _body(later, f"/articles/{FIRST}")

    done = with_stories(later, group_entries(later.catalog.entries), later.catalog)
    at_once = build_site(seed_config)
    assert not done.catalog.stories_pending
    for path in ("/feeds/all.atom", "/feeds/all.rss", "/feeds/stories.json", "/feeds/outlets/impunity-watch.atom",
                 f"/articles/{FIRST}", f"/articles/{SECOND}"):
        assert _body(done, path) == _body(at_once, path), path
    # A Site whose stories are there is left as it is.
    assert with_stories(done, group_entries(()), later.catalog) is done


def test_articles_changed_while_grouping_are_grouped_too(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    shutil.copy(SEEDS / "000_035b52bdb15d24f1.txt", articles)
    config = replace(load_config(CONFIG), articles_dir=articles, parse_cache=None)
    alone = build_site(config, stories_later_past=0)
    grouped = group_entries(alone.catalog.entries)
    # The second seed arrives while the first is being grouped.
    shutil.copy(SEEDS / "002_3b1ee3ced2e6f8f0.txt", articles)
    meanwhile = refresh_site(alone)
    assert meanwhile.catalog.stories_pending
    done = with_stories(meanwhile, grouped, alone.catalog)
    assert [entry.title for entry in done.catalog.feeds["stories"].history] == [SECOND_TITLE]
    assert _body(done, "/feeds/all.atom") == _body(build_site(config), "/feeds/all.atom")


async def test_the_live_site_groups_its_stories_in_the_background(seed_config) -> None:
    live = LiveSite(build_site(seed_config, stories_later_past=0))
    served = await live.group_stories()
    assert served is live.site
    assert not served.catalog.stories_pending
    assert len(served.catalog.stories) == 1
    assert _body(served, "/feeds/all.atom") == _body(build_site(seed_config), "/feeds/all.atom")


async def test_a_grouping_cancelled_leaves_the_site_as_it_was(seed_config) -> None:
    live = LiveSite(build_site(seed_config, stories_later_past=0))
    before = live.site
    grouping = asyncio.create_task(live.group_stories())
    await asyncio.sleep(0)
    grouping.cancel()
    with pytest.raises(asyncio.CancelledError):
        await grouping
    assert live.site is before


async def test_the_app_serves_at_once_and_relates_the_seeds_once_grouped(aiohttp_client, seed_config) -> None:
    client = await aiohttp_client(create_app(seed_config, site=build_site(seed_config, stories_later_past=0)))
    for _ in range(200):
        page = await (await client.get(f"/articles/{FIRST}")).text()
        if "Also covered by" in page:
            break
        await asyncio.sleep(0.05)
    assert f'<a href="{BASE}/articles/{SECOND}">{SECOND_TITLE}</a>' in page
    response = await client.get("/feeds/stories.atom")
    assert len(feedparser.parse(await response.read()).entries) == 1
