"""The OPML 2.0 subscription list: structure, every feed once, importable by a reader's
OPML parser (listparser), served and exported."""

from __future__ import annotations

import listparser
from lxml import etree

from feedsrv.export import export_site
from feedsrv.opml import render_opml

BASE = "http://127.0.0.1:8080"


def test_structure(seed_site) -> None:
    root = etree.fromstring(render_opml(seed_site.catalog, seed_site.config))
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") == "feedsrv news: feeds"
    # The newest entry's update, not the build time: the same articles give the same bytes.
    assert root.findtext("head/dateCreated") == seed_site.catalog.updated.strftime("%a, %d %b %Y %H:%M:%S +0000")
    groups = [outline.get("text") for outline in root.iterfind("body/outline")]
    assert groups == ["All articles", "Stories", "Outlets", "Topics", "Authors"]
    for group in root.iterfind("body/outline"):
        assert group.get("xmlUrl") is None
        for outline in group:
            assert set(outline.attrib) == {"type", "text", "title", "xmlUrl", "htmlUrl", "description", "language"}
            assert outline.get("type") == "rss"
            assert outline.get("text") == outline.get("title")


def test_every_feed_once_as_rss_with_its_landing_page(seed_site) -> None:
    root = etree.fromstring(render_opml(seed_site.catalog, seed_site.config))
    listed = {outline.get("xmlUrl"): outline for outline in root.iter("outline") if outline.get("xmlUrl")}
    feeds = seed_site.catalog.feeds.values()
    assert set(listed) == {f"{BASE}{feed.path('rss')}" for feed in feeds}
    assert len(listed) == len(list(root.iter("outline"))) - 5
    syria = listed[f"{BASE}/feeds/topics/syria.rss"]
    assert syria.get("htmlUrl") == f"{BASE}/topics/syria"
    assert syria.get("title") == "Syria — feedsrv news"
    assert listed[f"{BASE}/feeds/all.rss"].get("htmlUrl") == f"{BASE}/"
    author = listed[f"{BASE}/feeds/authors/shelby-vcelka.rss"]
    assert author.getparent().get("text") == "Authors"
    assert author.get("htmlUrl") == f"{BASE}/authors/shelby-vcelka"


def test_a_reader_imports_it(seed_site) -> None:
    parsed = listparser.parse(render_opml(seed_site.catalog, seed_site.config))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.meta.title == "feedsrv news: feeds"
    assert parsed.meta.created_parsed == seed_site.catalog.updated
    by_url = {feed.url: feed for feed in parsed.feeds}
    assert len(by_url) == len(seed_site.catalog.feeds)
    assert by_url[f"{BASE}/feeds/outlets/impunity-watch.rss"].categories == [["Outlets"]]
    assert by_url[f"{BASE}/feeds/outlets/impunity-watch.rss"].title == "Impunity Watch — feedsrv news"


async def test_served_with_its_media_type_and_a_file_name(client, seed_site) -> None:
    response = await client.get("/feeds.opml")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/x-opml; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'inline; filename="feeds.opml"'
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert await response.read() == render_opml(seed_site.catalog, seed_site.config)
    again = await client.get("/feeds.opml", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status == 304


def test_written_by_build(seed_site, tmp_path) -> None:
    export_site(seed_site, tmp_path)
    assert (tmp_path / "feeds.opml").read_bytes() == render_opml(seed_site.catalog, seed_site.config)
    assert (tmp_path / "feeds.opml.gz").is_file()
