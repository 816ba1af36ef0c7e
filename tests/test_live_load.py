"""Polling load during edits: thousands of conditional GETs while 100 edits land (half
through the API, half as files the watcher picks up). No request fails, and no
response mixes states: every body matches its ETag and Last-Modified, holds one
edition of each story, is a state the site really went through, and no poller ever
sees the site go back in time. A feed no edit touches keeps one ETag throughout."""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import partial

from feedsrv.web import create_app
from livetools import article, live_config, replace_file, wait_until

TOKEN = "load-test-token"
EDITED = 10  # stories 0-9 are edited in turn; 10 and 11 never are
EDITS = 100
POLLERS = 8
PATHS = ("/feeds/all.json", "/feeds/all.atom", "/feeds/all.rss", "/feeds/outlets/harbor-gazette.json",
         "/feeds/outlets/quiet-courier.json", "/feeds/authors/story-three.atom", "/articles/story-3", "/",
         "/feeds.opml")
UNTOUCHED = "/feeds/outlets/quiet-courier.json"
EDITION = re.compile(r"Edition (\d+) of story (\d+)\b")
NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven")


def story(number: int, edition: int) -> str:
    outlet = "Harbor Gazette" if number < EDITED else "Quiet Courier"
    # Five days apart: texts this alike from two outlets within three days would be
    # one story (related coverage), and an edit would touch the other outlet's feed.
    published = date(2015, 10, 1) + timedelta(days=5 * number)
    return article(f"Story {number}", author=f"Story {NAMES[number].title()}", outlet=outlet,
                   published=f"{published.isoformat()}T09:00:00+00:00",
                   text=f"Edition {edition} of story {number}. Officials met in Geneva on Monday, "
                        f"according to a statement released after the meeting.")


def states() -> list[dict[int, int]]:
    """The edition of each story after 0, 1, … 100 edits; edit k rewrites story (k-1) % 10."""
    current = dict.fromkeys(range(len(NAMES)), 0)
    history = [dict(current)]
    for edit in range(1, EDITS + 1):
        current[(edit - 1) % EDITED] = edit
        history.append(dict(current))
    return history


class Poller:
    """One client polling PATHS in turn with conditional GETs, checking each answer."""

    def __init__(self, client, number: int, history: list[dict[int, int]]) -> None:
        self.client, self.history = client, history
        self.encoding = ("identity", "gzip", "br")[number % 3]
        self.etags: dict[str, str] = {}
        self.floor = 0  # the oldest state this poller may still see
        self.requests = self.not_modified = 0
        self.failures: list[str] = []
        self.untouched_etags: set[str] = set()

    async def run(self, done: asyncio.Event) -> None:
        while not done.is_set():
            for path in PATHS:
                try:
                    await self.poll(path)
                except Exception as exc:  # noqa: BLE001 — a failure of any kind is counted, not raised
                    self.failures.append(f"{path}: {exc!r}")

    async def poll(self, path: str) -> None:
        headers = {"Accept-Encoding": self.encoding}
        if path in self.etags:
            headers["If-None-Match"] = self.etags[path]
        response = await self.client.get(path, headers=headers)
        body = await response.read()  # decoded: the tag of every coding names the decoded bytes' digest
        self.requests += 1
        etag = response.headers.get("ETag", "")
        if path == UNTOUCHED:
            self.untouched_etags.add(etag.strip('"').split("-")[0])
        if response.status == 304:
            self.not_modified += 1
            if etag != headers.get("If-None-Match"):
                self.failures.append(f"{path}: 304 with another ETag")
            return
        if response.status != 200:
            self.failures.append(f"{path}: status {response.status}")
            return
        self.etags[path] = etag
        if etag.strip('"').split("-")[0] != hashlib.sha256(body).hexdigest()[:32]:
            self.failures.append(f"{path}: ETag of other bytes")
        self.check_state(path, body.decode("utf-8"))
        if path == "/feeds/all.json":
            document = await response.json(content_type=None)
            newest = max(parsedate_to_datetime(response.headers["Last-Modified"]).timestamp(), 0)
            modified = max(_timestamp(item["date_modified"]) for item in document["items"])
            if int(modified) != int(newest):
                self.failures.append(f"{path}: Last-Modified of another state")

    def check_state(self, path: str, text: str) -> None:
        seen: dict[int, int] = {}
        for edition, number in EDITION.findall(text):
            if seen.setdefault(int(number), int(edition)) != int(edition):
                self.failures.append(f"{path}: two editions of story {number} in one body")
                return
        if not seen:
            return
        possible = [index for index, state in enumerate(self.history)
                    if all(state[number] == edition for number, edition in seen.items())]
        if not possible:
            self.failures.append(f"{path}: a state the site never had: {seen}")
        elif possible[-1] < self.floor:
            self.failures.append(f"{path}: went back in time")
        else:
            self.floor = max(self.floor, possible[0])


def _timestamp(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


async def test_polling_load_during_100_edits(aiohttp_client, tmp_path, monkeypatch):
    monkeypatch.delenv("FEEDSRV_API_TOKEN", raising=False)
    config = live_config(tmp_path / "articles", api_token=TOKEN)
    directory = config.articles_dir
    for path in directory.iterdir():
        path.unlink()
    for number in range(len(NAMES)):
        (directory / f"story-{number}.txt").write_text(story(number, 0), encoding="utf-8")
    client = await aiohttp_client(create_app(config))  # the watcher on, as in `feedsrv serve`
    history = states()
    pollers = [Poller(client, number, history) for number in range(POLLERS)]
    done = asyncio.Event()
    polling = [asyncio.create_task(poller.run(done)) for poller in pollers]

    started = time.monotonic()
    latencies = []
    for edit in range(1, EDITS + 1):
        number = (edit - 1) % EDITED
        text = story(number, edit)
        begun = time.monotonic()
        if edit % 2:
            response = await client.put(f"/api/articles/story-{number}", data=text.encode(),
                                        headers={"Authorization": f"Bearer {TOKEN}"})
            assert response.status == 200
        else:
            replace_file(directory / f"story-{number}.txt", text)
            await wait_until(partial(_shows, client, f"/articles/story-{number}", f"Edition {edit} of"))
        latencies.append(time.monotonic() - begun)
    done.set()
    await asyncio.gather(*polling)
    elapsed = time.monotonic() - started

    requests = sum(poller.requests for poller in pollers)
    not_modified = sum(poller.not_modified for poller in pollers)
    failures = [failure for poller in pollers for failure in poller.failures]
    latencies.sort()
    print(f"\nFIGURES polling load: {requests} conditional GETs ({not_modified} answered 304) by {POLLERS} "
          f"pollers during {EDITS} edits in {elapsed:.1f} s; edit visible after median "
          f"{latencies[len(latencies) // 2] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms; "
          f"failures {len(failures)}")
    assert failures == []
    assert requests >= 2000
    # The checks saw the states go by, up to the last edits.
    assert max(poller.floor for poller in pollers) >= EDITS - EDITED
    assert len({etag for poller in pollers for etag in poller.untouched_etags}) == 1
    assert max(latencies) < 2.0


async def _shows(client, path: str, text: str) -> bool:
    return text in await (await client.get(path)).text()


def test_the_state_checks_catch_mixed_and_stale_bodies():
    poller = Poller(None, 0, states())
    poller.check_state("/feeds/all.json", "Edition 11 of story 0. Edition 2 of story 1.")
    assert poller.failures == [] and poller.floor == 11
    poller.check_state("/feeds/all.json", "Edition 11 of story 0. Edition 2 of story 1. Edition 13 of story 2.")
    assert "never had" in poller.failures.pop()
    poller.check_state("/feeds/all.json", "Edition 11 of story 0. Edition 21 of story 0.")
    assert "two editions" in poller.failures.pop()
    poller.check_state("/articles/story-0", "Edition 1 of story 0.")
    assert "back in time" in poller.failures.pop()
