"""Real readers against a real `feedsrv serve`: every feed the OPML lists, in every format.

Run on the shipped seeds and on a generated history longer than a feed holds, so
archive pages (RFC 5005) are read too. The readers: feedparser, newsboat (the
Debian package, driven non-interactively), the Atom RELAX NG schema, RSS 2.0 and
JSON Feed 1.1 rules, and headless Chromium for the HTML pages.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from conftest import CONFIG, ROOT, SEEDS
from feedcheck import parse_with_feedparser, validate_atom, validate_json_feed, validate_rss
from feedsrv.synth import generate_articles, write_articles
from serving import free_port, http_get, running_server
from tooling import require_program

HISTORY_SIZE = 520
PAGE_SIZE = 50
ARTIFACTS = ROOT / "tests" / "artifacts"
ATOM = "{http://www.w3.org/2005/Atom}"
FORMATS = ("rss", "atom", "json")


@dataclass(frozen=True, slots=True)
class Served:
    """A running server and what it was started on."""

    name: str
    port: int
    base_url: str

    def path_of(self, url: str) -> str:
        assert url.startswith(self.base_url), url
        return url.removeprefix(self.base_url)


def write_config(directory: Path, articles_dir: Path, port: int) -> Path:
    """The shipped config, pointed at ``articles_dir`` and at the port it is served on,
    so every absolute link in feeds and pages resolves to the server under test."""
    text = CONFIG.read_text(encoding="utf-8")
    replacements = {
        r'^base_url = ".*"$': f'base_url = "http://127.0.0.1:{port}"',
        r'^articles_dir = ".*"$': f'articles_dir = "{articles_dir}"',
        r"^entries_per_feed = \d+$": f"entries_per_feed = {PAGE_SIZE}",
    }
    for pattern, value in replacements.items():
        text, count = re.subn(pattern, value, text, flags=re.MULTILINE)
        assert count == 1, pattern
    path = directory / "feedsrv.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module", params=["seeds", "history"])
def served(request, tmp_path_factory) -> Iterator[Served]:
    directory = tmp_path_factory.mktemp(request.param)
    if request.param == "seeds":
        articles = SEEDS
    else:
        articles = directory / "articles"
        write_articles(generate_articles(HISTORY_SIZE, seed=5), articles)
    port = free_port()
    config = write_config(directory, articles, port)
    with running_server(["--config", str(config)], cwd=directory, port=port):
        yield Served(request.param, port, f"http://127.0.0.1:{port}")


def opml_feeds(served: Served) -> list[str]:
    """Every feed URL the subscription list gives (one format per feed)."""
    reply = http_get(served.port, "/feeds.opml")
    assert reply.status == 200
    document = etree.fromstring(reply.body)
    assert document.get("version") == "2.0"
    urls = [outline.get("xmlUrl") for outline in document.iter("outline") if outline.get("xmlUrl")]
    assert len(urls) == len(set(urls))
    return urls


def in_every_format(url: str) -> dict[str, str]:
    stem = url.rsplit(".", 1)[0]
    return {extension: f"{stem}.{extension}" for extension in FORMATS}


def older_page(extension: str, body: bytes) -> str | None:
    """The URL of the next-older archive page, from the document's own links."""
    if extension == "json":
        return json.loads(body).get("next_url")
    root = etree.fromstring(body)
    for link in root.iter(f"{ATOM}link"):
        if link.get("rel") == "prev-archive":
            return link.get("href")
    return None


def check_document(extension: str, body: bytes) -> list[str]:
    """Validate one feed document and the fields a reader shows; return its entry ids.

    feedparser (6.0) reads RSS and Atom; JSON Feed is checked against the 1.1
    specification's fields directly.
    """
    if extension == "json":
        items = validate_json_feed(body)["items"]
        for item in items:
            assert item.get("title") and item.get("url", "").startswith("http://127.0.0.1:"), item
            assert item.get("date_published") and item.get("authors"), item
        return [item["id"] for item in items]
    (validate_atom if extension == "atom" else validate_rss)(body)
    parsed = parse_with_feedparser(body)
    for entry in parsed.entries:
        assert entry.get("title"), entry
        assert entry.get("link", "").startswith("http://127.0.0.1:"), entry
        assert entry.get("id"), entry
        assert entry.get("published_parsed"), entry
        assert entry.get("author"), entry
    return [entry.id for entry in parsed.entries]


def walk_ids(served: Served, url: str) -> list[str]:
    """Entry ids from a subscription feed and every archive page behind it, in order,
    each document validated on the way."""
    extension = url.rsplit(".", 1)[1]
    ids: list[str] = []
    next_url: str | None = url
    while next_url:
        reply = http_get(served.port, served.path_of(next_url))
        assert reply.status == 200, next_url
        ids.extend(check_document(extension, reply.body))
        next_url = older_page(extension, reply.body)
    return ids


def test_every_feed_in_every_format_reads_clean_with_all_its_archives(served):
    feeds = opml_feeds(served)
    assert any(url.endswith("/feeds/all.rss") for url in feeds)
    for feed_url in feeds:
        collected = {extension: walk_ids(served, url) for extension, url in in_every_format(feed_url).items()}
        for extension, ids in collected.items():
            assert len(ids) == len(set(ids)), f"{feed_url} ({extension}): an entry came twice"
        assert collected["rss"] == collected["atom"] == collected["json"], feed_url
    # Walking the all-articles feed's archives gives back the whole history.
    all_feed = next(url for url in feeds if url.endswith("/feeds/all.rss"))
    assert len(walk_ids(served, in_every_format(all_feed)["atom"])) == (2 if served.name == "seeds" else HISTORY_SIZE)


def newsboat_items(urls: list[str], workdir: Path) -> dict[str, list[tuple[str, str]]]:
    """Reload ``urls`` with newsboat and read what it stored: feed URL → (title, link)."""
    require_program("newsboat", package="newsboat")
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "urls").write_text("\n".join(urls) + "\n", encoding="utf-8")
    (workdir / "config").write_text("reload-threads 4\n", encoding="utf-8")
    cache = workdir / "cache.db"
    result = subprocess.run(
        ["newsboat", "-x", "reload", "-u", str(workdir / "urls"), "-c", str(cache), "-C", str(workdir / "config")],
        capture_output=True, text=True, timeout=300, env={"HOME": str(workdir), "PATH": "/usr/bin:/bin"},
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with sqlite3.connect(cache) as database:
        rows = database.execute("SELECT feedurl, title, url FROM rss_item").fetchall()
    items: dict[str, list[tuple[str, str]]] = {url: [] for url in urls}
    for feed_url, title, link in rows:
        items.setdefault(feed_url, []).append((title, link))
    return items


def disjoint_batches(feeds: dict[str, set[str]]) -> list[list[str]]:
    """Group feed URLs so no entry id occurs twice in a group.

    newsboat keys its cache by item guid across all feeds, so an entry that is in
    two feeds of one run is stored under only one of them.
    """
    batches: list[tuple[list[str], set[str]]] = []
    for url, ids in feeds.items():
        for members, seen in batches:
            if not ids & seen:
                members.append(url)
                seen |= ids
                break
        else:
            batches.append(([url], set(ids)))
    return [members for members, _ in batches]


def test_newsboat_reads_every_feed(served, tmp_path):
    expected: dict[str, list[str]] = {}
    for feed in opml_feeds(served):
        for extension, url in in_every_format(feed).items():
            if extension != "json":  # newsboat reads RSS and Atom only
                parsed = parse_with_feedparser(http_get(served.port, served.path_of(url)).body)
                expected[url] = [entry.id for entry in parsed.entries]
    batches = disjoint_batches({url: set(ids) for url, ids in expected.items()})
    for number, batch in enumerate(batches):
        items = newsboat_items(batch, tmp_path / f"newsboat-{number}")
        for url in batch:
            got = items[url]
            assert len(got) == len(expected[url]), f"{url}: newsboat stored {len(got)} of {len(expected[url])}"
            for title, link in got:
                assert title.strip(), url
                assert link.startswith(served.base_url + "/articles/"), (url, link)


@pytest.fixture(scope="module")
def browser():
    require_program("chromium", package="chromium")
    require_program("chromedriver", package="chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--window-size=1024,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=shutil.which("chromedriver")))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def autodiscovery(driver) -> list[tuple[str, str]]:
    from selenium.webdriver.common.by import By

    links = driver.find_elements(By.CSS_SELECTOR, 'link[rel="alternate"]')
    return [(link.get_attribute("type"), link.get_attribute("href")) for link in links]


def test_pages_in_a_headless_browser(served, browser):
    from selenium.webdriver.common.by import By

    index = http_get(served.port, "/")
    article_path = re.search(rb'href="http://127\.0\.0\.1:\d+(/articles/[^"]+)"', index.body).group(1).decode()
    outlet_path = re.search(rb'href="http://127\.0\.0\.1:\d+(/outlets/[^"]+)"', index.body).group(1).decode()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, path in (("index", "/"), ("outlet", outlet_path), ("article", article_path)):
        browser.get(served.base_url + path)
        heading = browser.find_element(By.TAG_NAME, "h1")
        assert heading.is_displayed() and heading.text.strip(), path
        # The inline stylesheet applies under the pages' Content-Security-Policy.
        assert browser.find_element(By.TAG_NAME, "body").value_of_css_property("max-width") == "704px", path
        assert browser.title.strip(), path
        if name == "article":
            byline = browser.find_element(By.CLASS_NAME, "byline")
            assert byline.is_displayed() and byline.text.strip(), path
        discovered = autodiscovery(browser)
        assert {kind for kind, _ in discovered} >= {"application/atom+xml", "application/rss+xml",
                                                    "application/feed+json"}, path
        for _, href in discovered:
            assert http_get(served.port, served.path_of(href)).status == 200, href
        browser.save_screenshot(str(ARTIFACTS / f"{served.name}-{name}.png"))
