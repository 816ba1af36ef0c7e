"""Filtered feeds (issue 15): the query read into a filter and its canonical form
(tests/data/filters/queries.txt), what a filter keeps (tests/data/filters/semantics.txt),
and the filtered feeds served: valid in every format, one ETag per canonical query,
304s, 400s naming the parameter, the feed without a query unchanged, a reload
starting afresh, the LRU's bound, polling, and the pages' form."""

from __future__ import annotations

import gzip
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedcheck import parse_with_feedparser, validate_atom, validate_json_feed, validate_rss
from feedsrv.catalog import build_catalog
from feedsrv.config import Outlet, Topic, default_config
from feedsrv.filters import MAX_VALUE_LENGTH, FilterError, filtered_feed, parse_filter
from feedsrv.model import Entry
from feedsrv.render import render_feed
from feedsrv.site import build_site
from feedsrv.web import LIVE, create_app
from feedsrv.web.polling import poll_gate
from feedsrv.web.stats import STATS_COLLECTOR
from livetools import article, live_config

DATA = Path(__file__).parent / "data" / "filters"
BASE = "http://127.0.0.1:8080"
VALIDATORS = {"atom": validate_atom, "rss": validate_rss, "json": validate_json_feed}


def _cases(name: str) -> list[tuple[str, str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    cases = []
    for line in lines:
        if line.strip() and not line.startswith("#"):
            query, expected = line.split("->")
            cases.append((query.strip(), expected.strip()))
    return cases


def _pairs(query: str) -> list[tuple[str, str]]:
    # As the server reads a query string.
    return parse_qsl(query, keep_blank_values=True)


@pytest.mark.parametrize(("query", "expected"), _cases("queries.txt"), ids=lambda value: value or "(none)")
def test_a_query_reads_as_its_canonical_form_or_a_400_naming_the_parameter(query, expected):
    if expected.startswith("400 "):
        with pytest.raises(FilterError) as raised:
            parse_filter(_pairs(query), max_limit=50)
        assert raised.value.message.startswith(expected.removeprefix("400 "))
        assert raised.value.message.startswith(f"{raised.value.parameter}: ")
    else:
        assert parse_filter(_pairs(query), max_limit=50).canonical_query == expected


def test_the_canonical_query_reads_as_itself():
    for query, expected in _cases("queries.txt"):
        if not expected.startswith("400 "):
            assert parse_filter(_pairs(expected), max_limit=50).canonical_query == expected, query


_VALUES = ["syria", "Syria", " russia", "Middle East", "", "jane-doe", "Jane Doe"]
# A name with no Latin letter is an author's only: as a topic or outlet it is no slug.
_PAIRS = st.lists(st.tuples(st.sampled_from(["topic", "outlet"]), st.sampled_from(_VALUES))
                  | st.tuples(st.just("author"), st.sampled_from([*_VALUES, "محمد"])), max_size=8)
_SINGLES = st.fixed_dictionaries({}, optional={"since": st.sampled_from(["2015-10-21", ""]),
                                               "until": st.sampled_from(["2015-10-22", ""]),
                                               "limit": st.sampled_from(["1", "50", "07", ""])})


@given(pairs=_PAIRS, singles=_SINGLES, data=st.data())
@settings(max_examples=200, deadline=None)
def test_any_order_and_spelling_of_one_filter_has_one_canonical_query(pairs, singles, data):
    everything = [*pairs, *singles.items()]
    shuffled = data.draw(st.permutations(everything))
    canonical = parse_filter(everything, max_limit=50).canonical_query
    assert parse_filter(shuffled, max_limit=50).canonical_query == canonical
    assert parse_filter(_pairs(canonical), max_limit=50) == parse_filter(everything, max_limit=50)


def test_a_value_too_long_is_refused_before_it_is_read():
    assert parse_filter([("topic", "a" * MAX_VALUE_LENGTH)], max_limit=50).topics
    with pytest.raises(FilterError, match=r"^topic: longer than 256 characters"):
        parse_filter([("topic", "a" * (MAX_VALUE_LENGTH + 1))], max_limit=50)


# What semantics.txt describes.
ENTRIES = (
    ("a1", datetime(2024, 9, 30, 23, 30, tzinfo=UTC), "reuters", ("syria",), ("Jane Doe",)),
    ("a2", datetime(2024, 10, 1, 0, 30, tzinfo=timezone(timedelta(hours=2))), "harbor-gazette",
     ("syria", "economy"), ("Jane Doe", "Omar Haddad")),
    ("a3", datetime(2024, 10, 1, 10, 0, tzinfo=UTC), "reuters", ("economy",), ("Omar Haddad",)),
    ("a4", datetime(2024, 10, 2, 10, 0, tzinfo=UTC), None, (), ("محمد",)),
    ("a5", datetime(2024, 10, 3, 10, 0, tzinfo=UTC), "reuters", ("syria",), ()),
)


def _small_catalog():
    config = replace(default_config(Path("/srv/feedsrv")), title="Wire", entries_per_feed=4,
                     outlets={"reuters": Outlet("reuters", "Reuters")},
                     topics={"syria": Topic("syria", "Syria", ("syria",)),
                             "economy": Topic("economy", "Economy", ("economy",))})
    entries = [Entry(id=f"urn:test:{slug}", slug=slug, title=f"Article {slug}", title_derived=False, authors=authors,
                     author_role=None, outlet=outlet.title() if outlet else None, outlet_slug=outlet, dateline=None,
                     published=published, published_from="text", updated=published, summary="", body=(), html="",
                     topics=topics)
               for slug, published, outlet, topics, authors in ENTRIES]
    return build_catalog(entries, config), config


@pytest.mark.parametrize(("query", "expected"), _cases("semantics.txt"), ids=lambda value: value or "(none)")
def test_a_filter_keeps_what_every_parameter_and_any_of_its_values_allow(query, expected):
    catalog, _ = _small_catalog()
    feed = filtered_feed(catalog.feeds["all"], parse_filter(_pairs(query), max_limit=4), catalog)
    assert [entry.slug for entry in feed.history] == ([] if expected == "-" else expected.split())


def test_a_filtered_feed_is_one_document_named_by_its_canonical_query_with_no_hub():
    catalog, config = _small_catalog()
    feed = filtered_feed(catalog.feeds["topics/syria"], parse_filter(_pairs("outlet=Reuters"), max_limit=4),
                         catalog)
    assert feed.path("rss") == "/feeds/topics/syria.rss?outlet=reuters"
    assert feed.archive_count == 0 and not feed.websub_topic
    assert feed.title == "Syria — Wire (outlet reuters)"
    rss = render_feed(feed, "rss", config)
    validate_rss(rss)
    parsed = parse_with_feedparser(rss)
    assert {link.rel: link.href for link in parsed.feed.links}.get("self") == \
        f"{config.base_url}/feeds/topics/syria.rss?outlet=reuters"
    assert b'rel="hub"' not in rss and b"prev-archive" not in rss
    assert b'rel="hub"' in render_feed(catalog.feeds["topics/syria"], "rss", config)


# Served: the seeds are 000 (Impunity Watch, Shelby Vcelka, 22 October 2015) and 002
# (Mideast Time, no author, 21 October 2015), both about Syria and Russia.

def _self_link(extension: str, body: bytes) -> str:
    if extension == "json":
        return validate_json_feed(body)["feed_url"]
    links = parse_with_feedparser(body).feed.links
    return next(link.href for link in links if link.rel == "self")


@pytest.mark.parametrize("extension", ["atom", "rss", "json"])
async def test_a_filtered_feed_is_valid_and_links_itself_canonically(client, extension):
    response = await client.get(f"/feeds/all.{extension}?topic=Syria&since=2015-10-22")
    assert response.status == 200
    body = await response.read()
    VALIDATORS[extension](body)
    canonical = f"{BASE}/feeds/all.{extension}?since=2015-10-22&topic=syria"
    assert _self_link(extension, body) == canonical
    assert response.headers["Content-Location"] == canonical
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Content-Disposition"] == f'inline; filename="all.{extension}"'
    assert "Link" not in response.headers
    assert b"websub" not in body
    if extension == "json":
        items = validate_json_feed(body)["items"]
        assert [item["date_published"][:10] for item in items] == ["2015-10-22"]
    else:
        entries = parse_with_feedparser(body).entries
        assert [entry.published[:10] if extension == "atom" else entry.published[5:16] for entry in entries] == \
            (["2015-10-22"] if extension == "atom" else ["22 Oct 2015"])


@pytest.mark.parametrize(("query", "count"), [
    ("outlet=mideast-time", 1), ("author=Shelby+Vcelka", 1), ("topic=syria&topic=russia", 2),
    ("until=2015-10-21", 1), ("limit=1", 1), ("topic=no-such-topic", 0), ("author=nobody", 0)])
async def test_filters_on_the_seeds(client, query, count):
    response = await client.get(f"/feeds/all.atom?{query}")
    assert response.status == 200
    body = await response.read()
    validate_atom(body)
    assert len(parse_with_feedparser(body).entries) == count
    if count == 0:
        # Dated by what it lists: nothing, the epoch.
        assert response.headers["Last-Modified"] == "Thu, 01 Jan 1970 00:00:00 GMT"


async def test_two_spellings_of_one_filter_are_one_resource_with_one_etag(client):
    spellings = ["?topic=syria&since=2015-10-21", "?since=2015-10-21&topic=syria",
                 "?topic=Syria&since=2015-10-21&topic=syria", "?since=2015-10-21&topic=%20SYRIA&author=&limit=50"]
    replies = [await client.get(f"/feeds/all.atom{query}") for query in spellings]
    assert {reply.headers["ETag"] for reply in replies} == {replies[0].headers["ETag"]}
    assert {await reply.read() for reply in replies} == {await replies[0].read()}
    assert {reply.headers["Content-Location"] for reply in replies} == \
        {f"{BASE}/feeds/all.atom?since=2015-10-21&topic=syria"}
    other = await client.get("/feeds/all.atom?since=2015-10-21&topic=russia")
    assert other.headers["ETag"] != replies[0].headers["ETag"]


async def test_a_filtered_feed_answers_304_gzip_and_head_like_any_feed(client):
    path = "/feeds/all.atom?outlet=impunity-watch"
    first = await client.get(path, headers={"Accept-Encoding": "identity"})
    etag, body = first.headers["ETag"], await first.read()
    again = await client.get("/feeds/all.atom?outlet=Impunity%20Watch",
                             headers={"Accept-Encoding": "identity", "If-None-Match": etag})
    assert again.status == 304 and await again.read() == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Content-Location"] == f"{BASE}{path}"
    since = await client.get(path, headers={"Accept-Encoding": "identity",
                                            "If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status == 304
    zipped = await client.get(path, headers={"Accept-Encoding": "gzip"}, auto_decompress=False)
    assert zipped.headers["Content-Encoding"] == "gzip" and zipped.headers["Vary"] == "Accept-Encoding"
    assert zipped.headers["ETag"] == etag[:-1] + '-gzip"'
    assert gzip.decompress(await zipped.read()) == body
    head = await client.head(path, headers={"Accept-Encoding": "identity"})
    assert head.status == 200 and head.headers["ETag"] == etag and await head.read() == b""


async def test_a_feed_without_a_query_is_served_as_before(client, seed_site):
    for extension in ("atom", "rss", "json"):
        path = f"/feeds/all.{extension}"
        response = await client.get(path, headers={"Accept-Encoding": "identity"})
        body = await response.read()
        assert body == render_feed(seed_site.catalog.feeds["all"], extension, seed_site.config)
        assert response.headers["ETag"] == seed_site.resource(path).identity.etag
        assert "Content-Location" not in response.headers
        assert response.headers["Link"].startswith(f"<{seed_site.config.hub_url}>")
        # A query that filters nothing is the feed itself, said to be at its plain URL.
        blank = await client.get(f"{path}?topic=&since=&limit=50", headers={"Accept-Encoding": "identity"})
        assert await blank.read() == body and blank.headers["ETag"] == response.headers["ETag"]
        assert blank.headers["Content-Location"] == f"{BASE}{path}"


@pytest.mark.parametrize(("path", "message"), [
    ("/feeds/all.atom?utm_source=x", "400: utm_source: unknown parameter"),
    ("/feeds/all.rss?since=2015-13-01", "400: since: not an ISO date (YYYY-MM-DD): '2015-13-01'"),
    ("/feeds/all.json?since=2015-10-21&since=2015-10-22", "400: since: given more than once"),
    ("/feeds/topics/syria.atom?limit=0", "400: limit: not a whole number from 1 to 50: '0'"),
    ("/feeds/topics/syria.atom?limit=1000000000", "400: limit: not a whole number from 1 to 50"),
    ("/feeds/topics/syria.atom?limit=abc", "400: limit: not a whole number from 1 to 50: 'abc'"),
    ("/feeds/all.atom?topic=%3C%2F%3E%22", "400: topic: not a slug (letters, digits and '-'): '</>\"'"),
    ("/feeds/all/archive/1.atom?topic=syria", "400: filters apply to the current feed documents only"),
    ("/feeds/all.atom?" + "&".join(["topic=syria"] * 65), "400: more than 64 query parameters"),
])
async def test_a_bad_query_answers_400_naming_the_parameter(client, path, message):
    response = await client.get(path)
    assert response.status == 400
    assert (await response.text()).startswith(message)
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_an_unknown_feed_with_a_query_is_404(client):
    assert (await client.get("/feeds/topics/nothing.atom?since=2015-10-21")).status == 404
    assert (await client.get("/feeds/all.xml?since=2015-10-21")).status == 404


async def test_a_reload_renders_filtered_feeds_afresh(aiohttp_client, tmp_path):
    config = live_config(tmp_path / "articles")
    client = await aiohttp_client(create_app(config, watch=False))
    path = "/feeds/all.json?author=Chen+Sato"
    before = await client.get(path)
    titles = [item["title"] for item in (await before.json(content_type=None))["items"]]
    (config.articles_dir / "delta.txt").write_text(
        article("Delta arrives", author="Chen Sato", outlet="Harbor Gazette", published="2015-10-23T09:00:00+00:00"),
        encoding="utf-8")
    await client.app[LIVE].reload()
    after = await client.get(path)
    assert [item["title"] for item in (await after.json(content_type=None))["items"]] == ["Delta arrives", *titles]
    assert after.headers["ETag"] != before.headers["ETag"]
    stale = await client.get(path, headers={"If-None-Match": before.headers["ETag"]})
    assert stale.status == 200


def test_filtered_feeds_are_kept_up_to_the_cache_size_least_recent_dropped(seed_config):
    site = build_site(replace(seed_config, filtered_feed_cache=2))
    filters = [parse_filter([("limit", str(number))], max_limit=50) for number in (1, 2, 3)]
    first = site.filtered_resource("/feeds/all.atom", filters[0])
    assert first is not None and first.path == "/feeds/all.atom?limit=1"
    assert site.filtered_resource("/feeds/all.atom", filters[0]) is first
    site.filtered_resource("/feeds/all.atom", filters[1])
    assert site.filtered_resource("/feeds/all.atom", filters[0]) is first  # now the most recent
    site.filtered_resource("/feeds/all.atom", filters[2])  # drops limit=2
    assert site.filtered_resource("/feeds/all.atom", filters[0]) is first
    again = site.filtered_resource("/feeds/all.atom", filters[1])
    assert again is not None and again is not site.filtered_resource("/feeds/all.atom", filters[2])
    expected = filtered_feed(site.catalog.feeds["all"], filters[1], site.catalog)
    assert again.identity.body == render_feed(expected, "atom", site.config)
    uncached = build_site(replace(seed_config, filtered_feed_cache=0))
    one, two = (uncached.filtered_resource("/feeds/all.atom", filters[0]) for _ in range(2))
    assert one is not two and one.identity.etag == two.identity.etag
    assert site.filtered_resource("/feeds/all/archive/1.atom", filters[0]) is None


async def test_polling_is_per_feed_and_canonical_query(aiohttp_client, seed_config):
    config = replace(seed_config, min_poll_interval=60.0)
    client = await aiohttp_client(create_app(config, site=build_site(config), watch=False,
                                             polling=poll_gate(config, exempt_loopback=False)))
    assert (await client.get("/feeds/all.atom?topic=syria")).status == 200
    refused = await client.get("/feeds/all.atom?topic=Syria")
    assert refused.status == 429
    assert "/feeds/all.atom?topic=syria was fetched whole" in await refused.text()
    assert (await client.get("/feeds/all.atom?topic=russia")).status == 200
    assert (await client.get("/feeds/all.atom")).status == 200


class _Forms(HTMLParser):
    """The filter form of a page: its action, its fields' names and first values (what
    a browser sends untouched), the choices of its selects, and its buttons' targets."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}
        self.choices: dict[str, list[str]] = {}
        self.targets: list[str] = []
        self._select: str | None = None
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form" and attributes.get("class") == "filter":
            self._in_form, self.action = True, attributes["action"]
            assert attributes["method"] == "get"
        elif not self._in_form:
            return
        elif tag == "input":
            self.fields[attributes["name"]] = attributes.get("value", "")
        elif tag == "select":
            self._select = attributes["name"]
            self.choices[self._select] = []
        elif tag == "option" and self._select is not None:
            self.fields.setdefault(self._select, attributes["value"])
            self.choices[self._select].append(attributes["value"])
        elif tag == "button":
            self.targets.append(attributes.get("formaction", self.action))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


async def _form(client, page: str) -> _Forms:
    response = await client.get(page)
    assert "form-action 'self'" in response.headers["Content-Security-Policy"]
    forms = _Forms()
    forms.feed(await response.text())
    return forms


async def test_the_index_form_sent_untouched_gives_the_feed_itself(client):
    forms = await _form(client, "/")
    assert forms.action == f"{BASE}/feeds/all.atom"
    assert forms.targets == [f"{BASE}/feeds/all.{extension}" for extension in ("atom", "rss", "json")]
    assert set(forms.fields) == {"topic", "outlet", "author", "since", "until", "limit"}
    assert set(forms.fields.values()) == {""}
    assert "syria" in forms.choices["topic"] and "impunity-watch" in forms.choices["outlet"]
    for target in forms.targets:
        query = urlencode(forms.fields)
        assert query == "topic=&outlet=&author=&since=&until=&limit="
        response = await client.get(f"{target.removeprefix(BASE)}?{query}")
        assert response.status == 200
        plain = await client.get(target.removeprefix(BASE))
        assert response.headers["ETag"] == plain.headers["ETag"]


async def test_a_landing_page_form_filled_in_gives_a_working_filtered_feed(client):
    forms = await _form(client, "/topics/syria")
    assert forms.action == f"{BASE}/feeds/topics/syria.atom"
    assert "topic" not in forms.fields  # the page's own kind
    fields = {**forms.fields, "outlet": "impunity-watch", "since": "2015-10-01"}
    target = next(target for target in forms.targets if target.endswith(".rss"))
    response = await client.get(f"{urlsplit(target).path}?{urlencode(fields)}")
    assert response.status == 200
    body = await response.read()
    validate_rss(body)
    assert len(parse_with_feedparser(body).entries) == 1
    assert response.headers["Content-Location"] == \
        f"{BASE}/feeds/topics/syria.rss?outlet=impunity-watch&since=2015-10-01"
    author_page = await _form(client, "/authors/shelby-vcelka")
    assert "author" not in author_page.fields and "topic" in author_page.fields


async def test_a_filtered_feed_is_counted_in_the_statistics_under_its_feeds_path(client, monkeypatch):
    collector = client.app[STATS_COLLECTOR]
    assert collector is not None
    counted = []
    original = collector.served

    def served(path, status, *rest):
        counted.append((path, status))
        original(path, status, *rest)

    monkeypatch.setattr(collector, "served", served)
    first = await client.get("/feeds/topics/syria.json?since=2015-10-22")
    await client.get("/feeds/topics/syria.json?since=2015-10-22", headers={"If-None-Match": first.headers["ETag"]})
    await client.get("/feeds/topics/syria.json?since=bad")
    assert counted == [("/feeds/topics/syria.json", 200), ("/feeds/topics/syria.json", 304)]


class _Timings:
    """What the metrics are told (feedsrv.live.Timings)."""

    def __init__(self) -> None:
        self.renders: list[float] = []

    def reloaded(self, seconds: float) -> None:
        raise AssertionError("no reload here")

    def rendered(self, seconds: float) -> None:
        self.renders.append(seconds)


async def test_a_filtered_feed_is_timed_as_a_render_on_its_first_request_only(client):
    timings = _Timings()
    client.app[LIVE].timings = timings
    for query in ("topic=syria&limit=1", "limit=1&topic=Syria", "topic=russia&limit=1"):
        assert (await client.get(f"/feeds/all.rss?{query}")).status == 200
    assert len(timings.renders) == 2 and all(seconds > 0 for seconds in timings.renders)


async def test_a_landing_page_form_offers_an_outlet_that_came_with_a_reload(aiohttp_client, tmp_path):
    config = live_config(tmp_path / "articles")
    client = await aiohttp_client(create_app(config, watch=False))
    before = await _form(client, "/authors/chen-sato")
    assert "night-desk" not in before.choices["outlet"]
    # Another author's article: Chen Sato's feed, and so their page's list, is unchanged.
    (config.articles_dir / "delta.txt").write_text(
        article("Delta", author="Dana Reyes", outlet="Night Desk", published="2015-10-23T09:00:00+00:00"),
        encoding="utf-8")
    await client.app[LIVE].reload()
    after = await _form(client, "/authors/chen-sato")
    assert "night-desk" in after.choices["outlet"]
    response = await client.get("/feeds/authors/chen-sato.atom?outlet=night-desk")
    assert response.status == 200 and parse_with_feedparser(await response.read()).entries == []
