"""The /stats page: its HTML from a report, and the route that serves it behind HTTP Basic."""

from __future__ import annotations

import base64
import re
from datetime import UTC, date, datetime, timedelta

import html5lib
import pytest
from aiohttp import web
from lxml import etree

from feedsrv.stats import FeedStats, StatsReport
from feedsrv.stats.page import render_stats_page
from feedsrv.web.handlers import nosniff
from feedsrv.web.stats_page import setup_stats_page
from statsreports import FixedSource, feed_day, realistic_report
from test_stats_charts import SVG, hostile_names

TOKEN = "s3cret-stats-token"
XHTML = "{http://www.w3.org/1999/xhtml}"
GENERATED = datetime(2026, 12, 6, 12, tzinfo=UTC)


def well_formed(html: str) -> etree._Element:
    """The page parsed by html5lib in strict mode (any parse error raises), after
    each of its SVG charts parsed as XML on its own."""
    charts = re.findall(r"<svg .*?</svg>", html, flags=re.DOTALL)
    assert charts
    for chart in charts:
        assert etree.fromstring(chart.encode("utf-8")).tag == f"{SVG}svg"
    return html5lib.HTMLParser(strict=True, tree=html5lib.getTreeBuilder("lxml")).parse(html)


def texts(root: etree._Element, tag: str) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{XHTML}{tag}")]


def table(root: etree._Element) -> list[list[str]]:
    """The feeds table, a list of cells per row, sparklines left out."""
    return [[("".join(cell.itertext()) if cell.find(f"{SVG}svg") is None else "~") for cell in row]
            for row in root.iter(f"{XHTML}tr")]


def test_realistic_report_renders_well_formed() -> None:
    root = well_formed(render_stats_page(realistic_report(), feed="/feeds/all.rss"))
    assert texts(root, "h1") == ["Subscriber statistics"]
    assert texts(root, "h2") == ["/feeds/all.rss", "All feeds", "Feeds"]
    assert texts(root, "p")[0] == "90 days, 2026-09-08 to 2026-12-06 (UTC);\n3 feeds; made 2026-12-06 12:00 UTC"
    # Four big charts (the feed's and every feed's) and one sparkline a feed.
    charts = list(root.iter(f"{SVG}svg"))
    assert [svg.get("class") for svg in charts] == ["chart"] * 4 + ["spark"] * 3
    assert charts[0].get("aria-label") == ("Subscribers of /feeds/all.rss by source, "
                                           "90 days from 2026-09-08 to 2026-12-06")
    legend = [text.text for text in charts[0].findall(f"{SVG}text") if text.get("text-anchor") is None]
    assert legend == ["direct", "WebSub", "Feedly", "Inoreader", "NewsBlur"]
    assert [text.text for text in charts[1].findall(f"{SVG}text") if text.get("text-anchor") is None] == [
        "200 full", "304 not modified", "429 too frequent"]
    # No script anywhere, and nothing fetched: no src or external href.
    assert not root.xpath("//*[local-name()='script' or @src or @onload or @onclick]")
    assert all(href.startswith("?") for href in root.xpath("//@href"))


def test_the_form_asks_for_a_span_with_a_plain_get() -> None:
    root = well_formed(render_stats_page(realistic_report(), feed="/feeds/all.rss"))
    (form,) = root.iter(f"{XHTML}form")
    assert (form.get("method"), form.get("action")) == ("get", "/stats")
    fields = {field.get("name"): (field.get("type"), field.get("value")) for field in form.iter(f"{XHTML}input")}
    assert fields == {"since": ("date", "2026-09-08"), "until": ("date", "2026-12-06"),
                      "feed": ("hidden", "/feeds/all.rss")}


def test_table_of_feeds_by_subscribers_on_the_last_day() -> None:
    until = date(2026, 12, 6)
    days = [until - timedelta(days=1), until]
    report = StatsReport(since=days[0], until=until, generated=GENERATED, feeds=(
        FeedStats("/feeds/a.atom", (feed_day(days[0], direct=1000, full=10, not_modified=30),
                                    feed_day(days[1], direct=3, websub=2, aggregators=(("Feedly", 1200),),
                                             full=5, not_modified=15, refused=1))),
        FeedStats("/feeds/b.rss", (feed_day(days[0], direct=50, full=1),)),
        FeedStats("/feeds/c.json", (feed_day(days[1], direct=1, websub=4,
                                             aggregators=(("Feedly", 2), ("Inoreader", 10_000)), full=1),)),
    ))
    root = well_formed(render_stats_page(report))
    assert table(root) == [
        ["Feed", "Subscribers, 2 days", "Subscribers on 2026-12-06", "Direct", "WebSub", "Aggregators", "Polls",
         "304", "Bytes saved"],
        # Polls, 304s and bytes saved are those of the whole span; feed_day spares
        # 40 kB a 304 and 30 kB a full response.
        ["/feeds/c.json", "~", "10,007", "1", "4", "Feedly 2, Inoreader 10,000", "1", "0 %", "30 kB"],
        ["/feeds/a.atom", "~", "1,205", "3", "2", "Feedly 1,200", "61", "74 %", "2.2 MB"],
        # Not fetched on the last day: nobody counted then.
        ["/feeds/b.rss", "~", "0", "0", "0", "", "1", "0 %", "30 kB"],
    ]
    links = root.xpath("//*[local-name()='td']/*[local-name()='a']/@href")
    assert links[0] == "?since=2026-12-05&until=2026-12-06&feed=%2Ffeeds%2Fc.json"


def test_missing_days_are_zero() -> None:
    since = date(2026, 3, 1)
    report = StatsReport(since=since, until=since + timedelta(days=4), generated=GENERATED, feeds=(
        FeedStats("/feeds/all.atom", (feed_day(since, direct=5), feed_day(since + timedelta(days=4), direct=7))),))
    root = well_formed(render_stats_page(report))
    subscribers = next(root.iter(f"{SVG}svg"))
    assert [day.findtext(f"{SVG}title") for day in subscribers.findall(f"{SVG}g")] == [
        "2026-03-01: 5 subscribers (direct 5, WebSub 0)", "2026-03-02: 0 subscribers",
        "2026-03-03: 0 subscribers", "2026-03-04: 0 subscribers", "2026-03-05: 7 subscribers (direct 7, WebSub 0)"]
    spark = [svg for svg in root.iter(f"{SVG}svg") if svg.get("class") == "spark"]
    assert spark[0].find(f"{SVG}polyline").get("points").count(",") == 5


@pytest.mark.parametrize("days", [1, 400])
def test_no_figures_at_all(days: int) -> None:
    until = date(2026, 12, 6)
    report = StatsReport(since=until - timedelta(days=days - 1), until=until, generated=GENERATED, feeds=())
    root = well_formed(render_stats_page(report, feed="/feeds/gone.atom"))
    notes = texts(root, "p")
    assert notes[0].startswith(f"{days} day{'s' if days > 1 else ''}, ")
    assert f"No figures for this feed from {report.since} to 2026-12-06." in notes
    assert f"No feed was fetched from {report.since} to 2026-12-06." in notes
    assert len(list(root.iter(f"{SVG}svg"))) == 2


def test_hundreds_of_feeds() -> None:
    feeds = [f"/feeds/outlets/outlet-{n:03}.atom" for n in range(300)]
    report = realistic_report(days=60, feeds=feeds)
    html = render_stats_page(report)
    root = well_formed(html)
    rows = table(root)[1:]
    assert len(rows) == 300
    counts = [int(row[2].replace(",", "")) for row in rows]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]
    # The big charts are of every feed summed: two, whatever the number of feeds.
    assert [svg.get("class") for svg in root.iter(f"{SVG}svg")].count("chart") == 2
    assert len(html) < 3_000_000


def test_many_aggregators_are_named_up_to_five() -> None:
    day = date(2026, 12, 6)
    aggregators = tuple((f"Reader {n:02}", 100 - n) for n in range(8))
    report = StatsReport(since=day, until=day, generated=GENERATED,
                         feeds=(FeedStats("/feeds/all.atom", (feed_day(day, aggregators=aggregators),)),))
    chart = next(well_formed(render_stats_page(report)).iter(f"{SVG}svg"))
    legend = [text.text for text in chart.findall(f"{SVG}text") if text.get("text-anchor") is None]
    assert legend == ["direct", "WebSub", "Reader 00", "Reader 01", "Reader 02", "Reader 03", "Reader 04",
                      "3 other aggregators"]
    assert chart.find(f"{SVG}g").findtext(f"{SVG}title").endswith("Reader 04 96, 3 other aggregators 282)")


@pytest.mark.parametrize("name", hostile_names())
def test_names_from_requests_come_out_escaped(name: str) -> None:
    day = date(2026, 12, 6)
    path = "/feeds/" + name
    report = StatsReport(since=day, until=day, generated=GENERATED,
                         feeds=(FeedStats(path, (feed_day(day, direct=1, aggregators=((name, 5),)),)),))
    html = render_stats_page(report, feed=path)
    root = well_formed(html)
    assert not root.xpath("//*[local-name()='script' or @onload or @onmouseover]")
    assert "<script" not in html
    assert texts(root, "h2")[0] == path
    assert table(root)[1][0] == path and table(root)[1][5] == f"{name} 5"
    legends = [text.text for svg in root.iter(f"{SVG}svg") for text in svg.findall(f"{SVG}text")
               if text.get("text-anchor") is None]
    assert legends.count(name) == 2
    (form,) = root.iter(f"{XHTML}form")
    assert [field.get("value") for field in form.iter(f"{XHTML}input") if field.get("name") == "feed"] == [path]


def test_same_report_same_bytes() -> None:
    assert render_stats_page(realistic_report(), feed="/feeds/all.atom") == render_stats_page(
        realistic_report(), feed="/feeds/all.atom")


def basic(user: str, password: str) -> dict[str, str]:
    credentials = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {credentials}"}


@pytest.fixture
def source() -> FixedSource:
    return FixedSource()


@pytest.fixture
async def stats(aiohttp_client, source: FixedSource):
    """A client of an app with the page alone, and the middleware every app has."""
    app = web.Application(middlewares=[nosniff])
    setup_stats_page(app, source, TOKEN)
    return await aiohttp_client(app)


@pytest.mark.parametrize("headers", [
    {},
    basic("admin", "wrong"),
    basic("admin", TOKEN + "x"),
    basic(TOKEN, ""),
    {"Authorization": f"Bearer {TOKEN}"},
    {"Authorization": "Basic not-base64!"},
    {"Authorization": "Basic " + base64.b64encode(TOKEN.encode()).decode()},
], ids=["none", "wrong", "longer", "token-as-user", "bearer", "garbled", "no-colon"])
async def test_without_the_token_401_asks_for_basic(stats, source: FixedSource, headers: dict[str, str]) -> None:
    response = await stats.get("/stats", headers=headers)
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == 'Basic realm="feedsrv stats", charset="UTF-8"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "API token" in await response.text()
    assert source.asked == []


@pytest.mark.parametrize("user", ["admin", "", "ünïcode"])
async def test_any_user_with_the_token_gets_the_page(stats, source: FixedSource, user: str) -> None:
    response = await stats.get("/stats", headers=basic(user, TOKEN))
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, no-store"
    csp = response.headers["Content-Security-Policy"]
    assert re.fullmatch(r"default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; base-uri 'none'; "
                        r"form-action 'self'; frame-ancestors 'none'", csp)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = await response.text()
    well_formed(body)
    # The last 30 days, today included (UTC).
    today = datetime.now(UTC).date()
    assert source.asked == [(today - timedelta(days=29), today)]


async def test_a_unicode_token(aiohttp_client) -> None:
    app = web.Application()
    setup_stats_page(app, FixedSource(), "pässwörd")
    client = await aiohttp_client(app)
    credentials = base64.b64encode("me:pässwörd".encode()).decode()
    assert (await client.get("/stats", headers={"Authorization": f"Basic {credentials}"})).status == 200
    latin1 = base64.b64encode("me:pässwörd".encode("latin-1")).decode()
    assert (await client.get("/stats", headers={"Authorization": f"Basic {latin1}"})).status == 401


async def test_the_span_and_feed_asked(stats, source: FixedSource) -> None:
    response = await stats.get("/stats", params={"since": "2026-01-01", "until": "2026-03-31",
                                                 "feed": "/feeds/all.rss"}, headers=basic("me", TOKEN))
    assert response.status == 200
    assert source.asked == [(date(2026, 1, 1), date(2026, 3, 31))]
    root = well_formed(await response.text())
    assert texts(root, "h2")[0] == "/feeds/all.rss"
    response = await stats.get("/stats", params={"until": "2026-03-31"}, headers=basic("me", TOKEN))
    assert source.asked[-1] == (date(2026, 3, 2), date(2026, 3, 31))


@pytest.mark.parametrize(("query", "message"), [
    ({"since": "yesterday"}, "400: since must be a date such as 2026-01-31\n"),
    ({"until": "2026-02-30"}, "400: until must be a date such as 2026-01-31\n"),
    ({"since": "2026-03-02", "until": "2026-03-01"}, "400: since must not be after until\n"),
    ({"since": "2025-01-01", "until": "2026-02-05"}, "400: at most 400 days at once\n"),
])
async def test_a_span_that_is_not_one_is_400(stats, source: FixedSource, query: dict[str, str],
                                             message: str) -> None:
    response = await stats.get("/stats", params=query, headers=basic("me", TOKEN))
    assert (response.status, await response.text()) == (400, message)
    assert source.asked == []


async def test_400_days_is_the_most(stats, source: FixedSource) -> None:
    response = await stats.get("/stats", params={"since": "2025-01-02", "until": "2026-02-05"},
                               headers=basic("me", TOKEN))
    assert response.status == 200
    well_formed(await response.text())


async def test_no_token_no_page(client) -> None:
    # The shipped config sets no API token: like the publishing API, the route does not exist.
    response = await client.get("/stats", headers=basic("me", ""))
    assert response.status == 404


def test_an_empty_token_is_refused() -> None:
    with pytest.raises(ValueError, match="needs a token"):
        setup_stats_page(web.Application(), FixedSource(), "")
