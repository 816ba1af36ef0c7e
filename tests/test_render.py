"""Tests for feedsrv.render: field values read back with lxml and feedparser, feedgen's
sharp edges, escaping, determinism, and validity of both formats."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from feedgen.feed import FeedGenerator
from lxml import etree

import feedsrv
from feedcheck import parse_with_feedparser, validate_atom, validate_rss
from feedsrv import render
from feedsrv.catalog import EPOCH, Feed, build_catalog
from feedsrv.config import Outlet, SiteConfig, Topic, default_config
from feedsrv.model import Entry
from feedsrv.render import FORMATS, entry_url, render_atom, render_feed, render_rss
from feedsrv.urls import FEED_EXTENSIONS

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "dc": "http://purl.org/dc/elements/1.1/",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
GOLDEN_DIR = Path(__file__).parent / "data" / "golden"
# Set to rewrite the golden files after a deliberate change in the output.
UPDATE_GOLDEN = os.environ.get("FEEDSRV_UPDATE_GOLDEN") == "1"


def make_config(**changes: object) -> SiteConfig:
    config = replace(
        default_config(Path("/srv/feedsrv")),
        title="Daily Wire Digest",
        description="World news, syndicated.",
        base_url="https://news.example",
        language="en-GB",
        outlets={
            "reuters": Outlet("reuters", "Reuters", homepage="https://www.reuters.example/"),
            "ap": Outlet("ap", "Associated Press"),
        },
        topics={
            "syria": Topic("syria", "Syria", ("syria", "damascus")),
            "economy": Topic("economy", "Economy & Trade", ("economy",)),
        },
    )
    return replace(config, **changes)


def make_entry(slug: str, published: datetime, **changes: object) -> Entry:
    fields: dict[str, object] = dict(
        id=f"urn:feedsrv:article:{slug}",
        slug=slug,
        title=f"Headline of {slug}",
        title_derived=False,
        authors=("Jane Doe",),
        author_role=None,
        outlet="Reuters",
        outlet_slug="reuters",
        dateline="DAMASCUS",
        published=published,
        published_from="header",
        updated=published + timedelta(hours=1),
        summary=f"Summary of {slug}.",
        body=(f"Body of {slug}.",),
        html=f"<p>Body of {slug}.</p>",
        topics=("syria",),
    )
    fields.update(changes)
    return Entry(**fields)


def day(number: int, hour: int = 12) -> datetime:
    return datetime(2024, 3, number, hour, 30, tzinfo=UTC)


@pytest.fixture
def config() -> SiteConfig:
    return make_config()


@pytest.fixture
def entries() -> list[Entry]:
    # Deliberately not in date order: the catalog sorts, the renderer must keep it.
    return [
        make_entry("old", day(1), authors=("Jane Doe", "Omar Haddad"), topics=("syria", "economy")),
        make_entry("newest", day(3), authors=(), outlet="Associated Press", outlet_slug="ap", topics=()),
        make_entry("middle", day(2), authors=(), outlet=None, outlet_slug=None,
                   id="https://news.example/articles/middle"),
    ]


@pytest.fixture
def feed(entries: list[Entry], config: SiteConfig) -> Feed:
    return build_catalog(entries, config).feeds["all"]


def atom_tree(feed: Feed, config: SiteConfig) -> etree._Element:
    return etree.fromstring(render_atom(feed, config))


def rss_channel(feed: Feed, config: SiteConfig) -> etree._Element:
    return etree.fromstring(render_rss(feed, config)).find("channel")


# --- interface ---------------------------------------------------------------


def test_formats_name_media_types_with_charset() -> None:
    assert {extension: feed_format.content_type for extension, feed_format in FORMATS.items()} == {
        "atom": "application/atom+xml; charset=utf-8",
        "rss": "application/rss+xml; charset=utf-8",
        "json": "application/feed+json; charset=utf-8",
    }


def test_every_feed_extension_of_a_path_has_a_format() -> None:
    # The paths' extensions (urls.FeedExtension) and the formats are declared apart,
    # as urls sits below render: each must name the other's, in the pages' order.
    assert tuple(FORMATS) == FEED_EXTENSIONS
    assert all(extension == feed_format.extension for extension, feed_format in FORMATS.items())


def test_entry_url_is_the_article_page(config: SiteConfig) -> None:
    assert entry_url(make_entry("a-slug", day(1)), config) == "https://news.example/articles/a-slug"


@pytest.mark.parametrize("extension", ["atom", "rss"])
def test_render_feed_dispatches_on_extension(feed: Feed, config: SiteConfig, extension: str) -> None:
    expected = {"atom": render_atom, "rss": render_rss}[extension](feed, config)
    assert render_feed(feed, extension, config) == expected


def test_render_feed_rejects_unknown_extension(feed: Feed, config: SiteConfig) -> None:
    with pytest.raises(ValueError, match="'xml'"):
        render_feed(feed, "xml", config)


@pytest.mark.parametrize("extension", ["atom", "rss"])
def test_output_is_utf8_with_xml_declaration(feed: Feed, config: SiteConfig, extension: str) -> None:
    data = render_feed(feed, extension, config)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    data.decode("utf-8")


# --- Atom ----------------------------------------------------------------------


def test_atom_feed_metadata(feed: Feed, config: SiteConfig) -> None:
    root = atom_tree(feed, config)
    assert root.findtext("atom:id", namespaces=NS) == "https://news.example/feeds/all.atom"
    assert root.findtext("atom:title", namespaces=NS) == "Daily Wire Digest"
    assert root.findtext("atom:subtitle", namespaces=NS) == "World news, syndicated."
    assert root.findtext("atom:updated", namespaces=NS) == "2024-03-03T13:30:00+00:00"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en-GB"
    generator = root.find("atom:generator", NS)
    assert (generator.text, generator.get("version")) == ("feedsrv", feedsrv.__version__)
    links = [dict(link.attrib) for link in root.iterfind("atom:link", NS)]
    assert links == [
        {"href": "https://news.example/feeds/all.atom", "rel": "self", "type": "application/atom+xml"},
        {"href": "https://news.example/websub", "rel": "hub"},
        {"href": "https://news.example/", "rel": "alternate", "type": "text/html"},
    ]


def test_atom_alternate_link_is_the_outlet_homepage(entries: list[Entry], config: SiteConfig) -> None:
    feed = build_catalog(entries, config).feeds["outlets/reuters"]
    root = atom_tree(feed, config)
    assert root.find("atom:link[@rel='alternate']", NS).get("href") == "https://www.reuters.example/"
    assert root.find("atom:link[@rel='self']", NS).get("href") == "https://news.example/feeds/outlets/reuters.atom"


def test_atom_entries_newest_first(feed: Feed, config: SiteConfig) -> None:
    ids = [entry.findtext("atom:id", namespaces=NS) for entry in atom_tree(feed, config).iterfind("atom:entry", NS)]
    assert ids == [
        "urn:feedsrv:article:newest",
        "https://news.example/articles/middle",
        "urn:feedsrv:article:old",
    ]


def test_atom_entry_link_keeps_rel_and_type(feed: Feed, config: SiteConfig) -> None:
    # feedgen 1.0 drops rel/type from entry links (upstream issue #135).
    for entry in atom_tree(feed, config).iterfind("atom:entry", NS):
        links = [dict(link.attrib) for link in entry.iterfind("atom:link", NS)]
        slug = entry.findtext("atom:title", namespaces=NS).removeprefix("Headline of ")
        assert links == [{"href": f"https://news.example/articles/{slug}", "rel": "alternate", "type": "text/html"}]


def test_atom_entry_fields(feed: Feed, config: SiteConfig) -> None:
    entry = atom_tree(feed, config).find("atom:entry[atom:id='urn:feedsrv:article:old']", NS)
    assert entry.findtext("atom:title", namespaces=NS) == "Headline of old"
    assert entry.findtext("atom:published", namespaces=NS) == "2024-03-01T12:30:00+00:00"
    assert entry.findtext("atom:updated", namespaces=NS) == "2024-03-01T13:30:00+00:00"
    assert entry.xpath("atom:author/atom:name/text()", namespaces=NS) == ["Jane Doe", "Omar Haddad"]
    summary = entry.find("atom:summary", NS)
    assert (summary.text, summary.get("type")) == ("Summary of old.", None)
    content = entry.find("atom:content", NS)
    assert (content.text, content.get("type")) == ("<p>Body of old.</p>", "html")
    categories = [dict(category.attrib) for category in entry.iterfind("atom:category", NS)]
    scheme = "https://news.example/feeds/topics/"
    assert categories == [
        {"term": "syria", "scheme": scheme, "label": "Syria"},
        {"term": "economy", "scheme": scheme, "label": "Economy & Trade"},
    ]
    # RSS-only Dublin Core must not leak into Atom.
    assert entry.find("dc:creator", NS) is None


def test_atom_author_falls_back_to_outlet_then_site_title(feed: Feed, config: SiteConfig) -> None:
    root = atom_tree(feed, config)
    names = {
        entry.findtext("atom:id", namespaces=NS): entry.xpath("atom:author/atom:name/text()", namespaces=NS)
        for entry in root.iterfind("atom:entry", NS)
    }
    assert names["urn:feedsrv:article:newest"] == ["Associated Press"]
    assert names["https://news.example/articles/middle"] == ["Daily Wire Digest"]


def test_atom_read_back_with_feedparser(feed: Feed, config: SiteConfig) -> None:
    parsed = parse_with_feedparser(render_atom(feed, config))
    assert parsed.version == "atom10"
    assert parsed.feed.title == "Daily Wire Digest"
    assert parsed.feed.language == "en-GB"
    assert [entry.link for entry in parsed.entries] == [
        "https://news.example/articles/newest",
        "https://news.example/articles/middle",
        "https://news.example/articles/old",
    ]
    old = parsed.entries[2]
    assert old.links == [{"href": "https://news.example/articles/old", "rel": "alternate", "type": "text/html"}]
    assert [author.name for author in old.authors] == ["Jane Doe", "Omar Haddad"]
    assert [(tag.term, tag.label) for tag in old.tags] == [("syria", "Syria"), ("economy", "Economy & Trade")]
    assert old.summary == "Summary of old."
    assert old.content[0].value == "<p>Body of old.</p>"
    assert old.published_parsed[:6] == (2024, 3, 1, 12, 30, 0)


# --- RSS -------------------------------------------------------------------------


def test_rss_channel_metadata(feed: Feed, config: SiteConfig) -> None:
    channel = rss_channel(feed, config)
    assert channel.findtext("title") == "Daily Wire Digest"
    # feedgen takes the channel <link> from the last link() call: it must be the site.
    assert channel.findtext("link") == "https://news.example/"
    assert channel.findtext("description") == "World news, syndicated."
    assert channel.findtext("language") == "en-GB"
    assert channel.findtext("generator") == f"feedsrv {feedsrv.__version__}"
    atom_links = [dict(link.attrib) for link in channel.iterfind("atom:link", NS)]
    assert atom_links == [{"href": "https://news.example/feeds/all.rss", "rel": "self", "type": "application/rss+xml"},
                          {"href": "https://news.example/websub", "rel": "hub"}]


def test_rss_channel_dates_are_the_feed_updated(feed: Feed, config: SiteConfig) -> None:
    channel = rss_channel(feed, config)
    assert channel.findtext("lastBuildDate") == "Sun, 03 Mar 2024 13:30:00 +0000"
    assert parsedate_to_datetime(channel.findtext("lastBuildDate")) == feed.updated
    assert parsedate_to_datetime(channel.findtext("pubDate")) == feed.updated


def test_rss_items_newest_first(feed: Feed, config: SiteConfig) -> None:
    links = [item.findtext("link") for item in rss_channel(feed, config).iterfind("item")]
    assert links == [
        "https://news.example/articles/newest",
        "https://news.example/articles/middle",
        "https://news.example/articles/old",
    ]


def test_rss_guid_is_permalink_only_when_the_id_is_the_article_url(feed: Feed, config: SiteConfig) -> None:
    guids = [(item.findtext("guid"), item.find("guid").get("isPermaLink"))
             for item in rss_channel(feed, config).iterfind("item")]
    assert guids == [
        ("urn:feedsrv:article:newest", "false"),
        ("https://news.example/articles/middle", "true"),
        ("urn:feedsrv:article:old", "false"),
    ]


def test_rss_item_fields(feed: Feed, config: SiteConfig) -> None:
    item = rss_channel(feed, config).find("item[guid='urn:feedsrv:article:old']")
    assert item.findtext("title") == "Headline of old"
    assert item.findtext("pubDate") == "Fri, 01 Mar 2024 12:30:00 +0000"
    assert item.xpath("dc:creator/text()", namespaces=NS) == ["Jane Doe, Omar Haddad"]
    # <author> must hold an e-mail address; we have names only.
    assert item.find("author") is None
    categories = [(category.text, category.get("domain")) for category in item.iterfind("category")]
    assert categories == [
        ("Syria", "https://news.example/feeds/topics/"),
        ("Economy & Trade", "https://news.example/feeds/topics/"),
    ]
    assert item.findtext("description") == "Summary of old."
    assert item.findtext("content:encoded", namespaces=NS) == "<p>Body of old.</p>"


def test_rss_creator_falls_back_to_outlet_then_site_title(feed: Feed, config: SiteConfig) -> None:
    creators = [item.xpath("dc:creator/text()", namespaces=NS) for item in rss_channel(feed, config).iterfind("item")]
    assert creators == [["Associated Press"], ["Daily Wire Digest"], ["Jane Doe, Omar Haddad"]]


def test_rss_read_back_with_feedparser(feed: Feed, config: SiteConfig) -> None:
    parsed = parse_with_feedparser(render_rss(feed, config))
    assert parsed.version == "rss20"
    assert parsed.feed.link == "https://news.example/"
    assert [entry.id for entry in parsed.entries] == [
        "urn:feedsrv:article:newest",
        "https://news.example/articles/middle",
        "urn:feedsrv:article:old",
    ]
    old = parsed.entries[2]
    assert old.author == "Jane Doe, Omar Haddad"
    assert [tag.term for tag in old.tags] == ["Syria", "Economy & Trade"]
    assert old.content[0].value == "<p>Body of old.</p>"
    assert old.published_parsed[:6] == (2024, 3, 1, 12, 30, 0)



def test_undeclared_topic_is_labelled_with_its_slug(config: SiteConfig) -> None:
    # [articles.*] may name a topic that [topics] does not declare.
    feed = build_catalog([make_entry("stray", day(4), topics=("undeclared",))], config).feeds["all"]
    category = atom_tree(feed, config).find("atom:entry/atom:category", NS)
    assert (category.get("term"), category.get("label")) == ("undeclared", "undeclared")
    assert rss_channel(feed, config).findtext("item/category") == "undeclared"

# --- escaping and hostile text -------------------------------------------------------

NASTY_CONTENT = '<p>a ]]> b <script>alert("x")</script> &amp; c</p><![CDATA[ d ]]>'


@pytest.fixture
def nasty_feed(config: SiteConfig) -> Feed:
    entry = make_entry(
        "nasty", day(5),
        title="Fish & chips <b>not bold</b> ]]>",
        summary="1 < 2 & 3 > 2 ]]> <i>plain</i>",
        html=NASTY_CONTENT,
        authors=("Ana <ana@example>",),
    )
    return build_catalog([entry], config).feeds["all"]


@pytest.mark.parametrize("extension", ["atom", "rss"])
def test_markup_and_cdata_end_are_escaped(nasty_feed: Feed, config: SiteConfig, extension: str) -> None:
    data = render_feed(nasty_feed, extension, config)
    assert b"]]>" not in data
    assert b"<![CDATA[" not in data
    assert b"<script" not in data and b"<b>" not in data
    validate = validate_atom if extension == "atom" else validate_rss
    validate(data)
    parse_with_feedparser(data)


def test_atom_text_round_trips_exactly(nasty_feed: Feed, config: SiteConfig) -> None:
    entry = atom_tree(nasty_feed, config).find("atom:entry", NS)
    assert entry.findtext("atom:title", namespaces=NS) == "Fish & chips <b>not bold</b> ]]>"
    assert entry.findtext("atom:summary", namespaces=NS) == "1 < 2 & 3 > 2 ]]> <i>plain</i>"
    assert entry.findtext("atom:content", namespaces=NS) == NASTY_CONTENT
    assert entry.findtext("atom:author/atom:name", namespaces=NS) == "Ana <ana@example>"


def test_rss_content_encoded_round_trips_and_description_is_html_of_plain_text(
    nasty_feed: Feed, config: SiteConfig
) -> None:
    item = rss_channel(nasty_feed, config).find("item")
    assert item.findtext("content:encoded", namespaces=NS) == NASTY_CONTENT
    # <description> is read as HTML, so the plain-text summary goes in escaped.
    assert item.findtext("description") == "1 &lt; 2 &amp; 3 &gt; 2 ]]&gt; &lt;i&gt;plain&lt;/i&gt;"
    parsed = parse_with_feedparser(render_rss(nasty_feed, config))
    assert parsed.entries[0].summary == "1 &lt; 2 &amp; 3 &gt; 2 ]]&gt; &lt;i&gt;plain&lt;/i&gt;"


@pytest.mark.parametrize("extension", ["atom", "rss"])
def test_characters_xml_forbids_are_dropped(config: SiteConfig, extension: str) -> None:
    entry = make_entry(
        "control", day(6),
        title="Bell\x07 and\x00 null",
        summary="Form\x0cfeed \ufffe",
        html="<p>Lone \ud800 surrogate\x1b</p>",
        authors=("Jo\x0bhn",),
    )
    data = render_feed(build_catalog([entry], config).feeds["all"], extension, config)
    validate = validate_atom if extension == "atom" else validate_rss
    validate(data)
    parsed = parse_with_feedparser(data)
    assert parsed.entries[0].title == "Bell and null"
    assert parsed.entries[0].content[0].value == "<p>Lone  surrogate</p>"
    assert parsed.entries[0].author == "John"


def test_title_made_only_of_forbidden_characters_falls_back_to_the_slug(config: SiteConfig) -> None:
    feed = build_catalog([make_entry("untitled", day(7), title="\x00\x01")], config).feeds["all"]
    for extension in ("atom", "rss"):
        assert parse_with_feedparser(render_feed(feed, extension, config)).entries[0].title == "untitled"


@pytest.mark.parametrize("extension", ["atom", "rss"])
def test_entry_without_summary_or_content_is_valid(config: SiteConfig, extension: str) -> None:
    entry = make_entry("bare", day(8), summary="", html="", body=())
    data = render_feed(build_catalog([entry], config).feeds["all"], extension, config)
    validate = validate_atom if extension == "atom" else validate_rss
    validate(data)
    assert parse_with_feedparser(data).entries[0].link == "https://news.example/articles/bare"


# --- dates ---------------------------------------------------------------------------


def test_dates_are_written_in_utc(config: SiteConfig) -> None:
    beirut = timezone(timedelta(hours=2))
    published = datetime(2024, 3, 9, 8, 15, tzinfo=beirut)
    feed = build_catalog([make_entry("tz", published)], config).feeds["all"]
    entry = atom_tree(feed, config).find("atom:entry", NS)
    assert entry.findtext("atom:published", namespaces=NS) == "2024-03-09T06:15:00+00:00"
    item = rss_channel(feed, config).find("item")
    assert item.findtext("pubDate") == "Sat, 09 Mar 2024 06:15:00 +0000"
    assert parsedate_to_datetime(item.findtext("pubDate")) == published


# --- determinism ---------------------------------------------------------------------


@pytest.mark.parametrize("extension", ["atom", "rss"])
def test_same_feed_renders_the_same_bytes(feed: Feed, config: SiteConfig, extension: str) -> None:
    assert render_feed(feed, extension, config) == render_feed(feed, extension, config)


class _PassesForDatetime(type):
    def __instancecheck__(cls, instance: object) -> bool:
        return isinstance(instance, datetime)


class _FarFutureClock(metaclass=_PassesForDatetime):
    """Stands in for feedgen's ``datetime``: now() is far from any date in the
    fixtures, and feedgen's isinstance checks still accept real datetimes."""

    @staticmethod
    def now(tz: tzinfo | None = None) -> datetime:
        return datetime(2099, 12, 31, 23, 59, 59, tzinfo=tz)


@pytest.mark.parametrize("extension", ["atom", "rss"])
def test_output_does_not_depend_on_the_clock(
    feed: Feed, config: SiteConfig, extension: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = render_feed(feed, extension, config)
    # feedgen stamps datetime.now() on feeds and entries when it is not told a date.
    monkeypatch.setattr("feedgen.feed.datetime", _FarFutureClock)
    monkeypatch.setattr("feedgen.entry.datetime", _FarFutureClock)
    assert FeedGenerator().updated().year == 2099, "the fake clock is not in effect"
    assert render_feed(feed, extension, config) == expected


def _golden_feed() -> tuple[Feed, SiteConfig]:
    config = make_config()
    entries = [
        make_entry("quake", day(4), title="Quake & aftershocks", topics=("syria",),
                   html="<p>Tremors ]]> felt in <em>Damascus</em>.</p>"),
        make_entry("markets", day(3), authors=(), outlet="Associated Press", outlet_slug="ap",
                   topics=("economy",), id="https://news.example/articles/markets"),
    ]
    return build_catalog(entries, config).feeds["all"], config


@pytest.mark.parametrize("extension", ["atom", "rss"])
def test_golden_output(extension: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Bytes written by an earlier process: proves every process renders the same,
    # and shows any change in the output in review. Regenerate with
    # FEEDSRV_UPDATE_GOLDEN=1 after a deliberate change.
    monkeypatch.setattr(render, "__version__", "0.0.0-golden")
    feed, config = _golden_feed()
    data = render_feed(feed, extension, config)
    golden = GOLDEN_DIR / f"all.{extension}"
    if UPDATE_GOLDEN:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(data)
    assert data == golden.read_bytes()


# --- validity ------------------------------------------------------------------------


def _every_feed() -> list[tuple[Feed, SiteConfig]]:
    config = make_config()
    entries = [
        make_entry("one", day(1), topics=("syria", "economy")),
        make_entry("two", day(2), authors=(), outlet="Associated Press", outlet_slug="ap"),
        make_entry("three", day(3), outlet="Al Jazeera", outlet_slug="al-jazeera", topics=()),
    ]
    catalog = build_catalog(entries, config)
    return [(feed, config) for feed in catalog.feeds.values()]


@pytest.mark.parametrize(("feed", "config"), _every_feed(), ids=lambda value: getattr(value, "key", ""))
def test_every_feed_is_valid_in_both_formats(feed: Feed, config: SiteConfig) -> None:
    atom = render_atom(feed, config)
    validate_atom(atom)
    assert parse_with_feedparser(atom).version == "atom10"
    rss = render_rss(feed, config)
    validate_rss(rss)
    assert parse_with_feedparser(rss).version == "rss20"


@pytest.mark.parametrize("extension", ["atom", "rss"])
def test_empty_feed_is_valid(config: SiteConfig, extension: str) -> None:
    feed = build_catalog([], config).feeds["all"]
    assert feed.entries == () and feed.updated == EPOCH
    data = render_feed(feed, extension, config)
    validate = validate_atom if extension == "atom" else validate_rss
    validate(data)
    parsed = parse_with_feedparser(data)
    assert parsed.entries == []
    assert parsed.feed.updated_parsed[:3] == (1970, 1, 1)


def test_empty_subtitle_still_gives_an_rss_description(config: SiteConfig) -> None:
    config = replace(config, description="")
    feed = build_catalog([], config).feeds["all"]
    validate_rss(render_rss(feed, config))
    validate_atom(render_atom(feed, config))
    assert rss_channel(feed, config).findtext("description") == "Daily Wire Digest"


# --- the shared validators catch what they should ---------------------------------------

VALID_RSS = b"""<?xml version='1.0' encoding='UTF-8'?>
<rss version="2.0"><channel><title>t</title><link>https://x.example/</link><description>d</description>
<pubDate>Mon, 04 Mar 2024 10:00:00 +0000</pubDate>
<item><title>a</title><guid isPermaLink="false">urn:a</guid></item>
<item><description>b</description><guid>https://x.example/b</guid></item>
</channel></rss>"""


def test_validate_rss_accepts_a_minimal_valid_document() -> None:
    validate_rss(VALID_RSS)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (b"<title>t</title>", b"", "lacks <title>"),
        (b"Mon, 04 Mar 2024 10:00:00 +0000", b"2024-03-04T10:00:00Z", "not an RFC 822 date"),
        (b"Mon, 04 Mar 2024 10:00:00 +0000", b"Mon, 04 Mar 2024 10:00:00 -0000", "no time zone"),
        (b"urn:a", b"https://x.example/b", "repeats guid"),
        (b'<guid isPermaLink="false">urn:a</guid>', b"<guid>urn:a</guid>", "not an absolute URL"),
        (b"<item><title>a</title>", b"<item>", "neither title nor description"),
        (b'version="2.0"', b'version="0.91"', "root is"),
        (b"</channel></rss>", b"</channel>", "not well-formed"),
    ],
)
def test_validate_rss_rejects(old: bytes, new: bytes, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        validate_rss(VALID_RSS.replace(old, new, 1))


def test_validate_atom_rejects_schema_violations(feed: Feed, config: SiteConfig) -> None:
    data = render_atom(feed, config).replace(b"<id>https://news.example/feeds/all.atom</id>", b"", 1)
    with pytest.raises(AssertionError, match="invalid Atom"):
        validate_atom(data)


def test_validate_atom_applies_the_schematron_rules(feed: Feed, config: SiteConfig) -> None:
    # No author on the feed nor on an entry: the schema allows it, RFC 4287 does not.
    root = atom_tree(feed, config)
    first = root.find("atom:entry", NS)
    for author in first.findall("atom:author", NS):
        first.remove(author)
    with pytest.raises(AssertionError, match="must have an atom:author"):
        validate_atom(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def test_parse_with_feedparser_rejects_what_feedparser_flags() -> None:
    with pytest.raises(AssertionError, match="feedparser"):
        parse_with_feedparser(VALID_RSS.replace(b"</channel></rss>", b"</channel>"))


# --- RFC 5005 archive pages ----------------------------------------------------------


@pytest.fixture
def paged_feed(entries: list[Entry]) -> tuple[Feed, SiteConfig]:
    # One entry per document: the subscription document and two archive pages.
    config = make_config(entries_per_feed=1)
    return build_catalog(entries, config).feeds["all"], config


def test_atom_archive_page(paged_feed: tuple[Feed, SiteConfig]) -> None:
    feed, config = paged_feed
    data = render_atom(feed, config, archive=1)
    validate_atom(data)
    root = etree.fromstring(data)
    links = [(link.get("rel"), link.get("href"), link.get("type")) for link in root.iterfind("atom:link", NS)]
    assert links == [
        ("self", "https://news.example/feeds/all/archive/1.atom", "application/atom+xml"),
        ("alternate", "https://news.example/", "text/html"),
        ("current", "https://news.example/feeds/all.atom", "application/atom+xml"),
        ("next-archive", "https://news.example/feeds/all/archive/2.atom", "application/atom+xml"),
    ]
    assert root.find("{http://purl.org/syndication/history/1.0}archive") is not None
    assert root.findtext("atom:id", namespaces=NS) == "https://news.example/feeds/all.atom"
    assert [entry.findtext("atom:id", namespaces=NS) for entry in root.iterfind("atom:entry", NS)] == [
        "urn:feedsrv:article:old"]
    # The page's date is its newest entry's, not the feed's: a full page never changes.
    assert root.findtext("atom:updated", namespaces=NS) == "2024-03-01T13:30:00+00:00"
    parsed = parse_with_feedparser(data)
    assert {link.rel for link in parsed.feed.links} == {"self", "alternate", "current", "next-archive"}


def test_rss_archive_page(paged_feed: tuple[Feed, SiteConfig]) -> None:
    feed, config = paged_feed
    data = render_rss(feed, config, archive=2)
    validate_rss(data)
    channel = etree.fromstring(data).find("channel")
    links = [(link.get("rel"), link.get("href")) for link in channel.iterfind("atom:link", NS)]
    assert links == [
        ("self", "https://news.example/feeds/all/archive/2.rss"),
        ("current", "https://news.example/feeds/all.rss"),
        ("prev-archive", "https://news.example/feeds/all/archive/1.rss"),
    ]
    assert channel.find("{http://purl.org/syndication/history/1.0}archive") is not None
    assert [item.findtext("guid") for item in channel.iterfind("item")] == ["https://news.example/articles/middle"]
    # feedgen's own RSS layout is kept: the channel <link> is still the site.
    assert channel.findtext("link") == "https://news.example/"
    parse_with_feedparser(data)


@pytest.mark.parametrize("extension", ["atom", "rss"])
def test_subscription_document_points_to_the_newest_archive_page(
    paged_feed: tuple[Feed, SiteConfig], extension: str
) -> None:
    feed, config = paged_feed
    data = render_feed(feed, extension, config)
    root = etree.fromstring(data)
    container = root if extension == "atom" else root.find("channel")
    rels = {link.get("rel"): link.get("href") for link in container.iterfind("atom:link", NS)}
    assert rels["prev-archive"] == f"https://news.example/feeds/all/archive/2.{extension}"
    assert "current" not in rels and "next-archive" not in rels
    assert b"fh:archive" not in data and b"syndication/history" not in data


def test_unknown_archive_page_raises(paged_feed: tuple[Feed, SiteConfig]) -> None:
    feed, config = paged_feed
    with pytest.raises(IndexError):
        render_feed(feed, "atom", config, archive=3)


def test_topic_feed_alternate_is_its_landing_page(entries: list[Entry], config: SiteConfig) -> None:
    feed = build_catalog(entries, config).feeds["topics/syria"]
    assert rss_channel(feed, config).findtext("link") == "https://news.example/topics/syria"
    assert atom_tree(feed, config).find("atom:link[@rel='alternate']", NS).get("href") == "https://news.example/topics/syria"
