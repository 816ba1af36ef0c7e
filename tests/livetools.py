"""Articles to drop into a served directory, and waiting for the server to show them."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

from conftest import CONFIG
from feedsrv.config import SiteConfig, load_config

# The bound on how long a change may take to reach every affected feed.
LATENCY_LIMIT = 2.0
# The publishing API's token in the tests' configs, and the header that sends it.
TOKEN = "correct horse battery staple"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

BODY = ("Officials met in Geneva on Monday to discuss the plan, according to a statement "
        "released after the meeting.")


def article(title: str, *, author: str, outlet: str, text: str = BODY,
            published: str = "2015-10-21T09:00:00+00:00") -> str:
    """An article whose metadata is declared in front matter, so what the feeds show
    does not depend on how the parser reads bylines."""
    return (f"---\ntitle: {title}\nauthor: {author}\noutlet: {outlet}\npublished: {published}\n---\n"
            f"{title}\n\n{text}\n")


# Three articles: Alpha from a configured outlet, Beta and Gamma from an outlet met
# only in the articles, each by its own author, each of its own event (one text
# from two outlets would be one story, whose related links change with each).
STARTING_ARTICLES = {
    "alpha.txt": article("Alpha", author="Amira Haddad", outlet="Impunity Watch",
                         published="2015-10-20T09:00:00+00:00"),
    "beta.txt": article("Beta", author="Boris Novak", outlet="Harbor Gazette",
                        published="2015-10-21T09:00:00+00:00",
                        text="The harbour authority opened a second container terminal on Wednesday, "
                             "doubling the port's capacity for refrigerated cargo."),
    "gamma.txt": article("Gamma", author="Chen Sato", outlet="Harbor Gazette",
                         published="2015-10-22T09:00:00+00:00",
                         text="A regional orchestra premiered a violin concerto written by a local teenager, "
                              "who played the solo part herself."),
}


def live_config(directory: Path, **changes: object) -> SiteConfig:
    """The shipped config over ``directory``, filled with :data:`STARTING_ARTICLES`."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in STARTING_ARTICLES.items():
        (directory / name).write_text(text, encoding="utf-8")
    changes.setdefault("stats_database", directory.parent / "stats.sqlite3")
    return replace(load_config(CONFIG), articles_dir=directory, **changes)


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file of ``directory`` with its bytes: what "nothing was written" compares."""
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def replace_file(path: Path, text: str | bytes) -> None:
    """Write ``path`` the way editors do: a temporary file renamed over it."""
    temporary = path.with_name(f".{path.name}.swp")
    temporary.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    os.replace(temporary, path)


async def wait_until(check: Callable[[], Awaitable[bool]], *, limit: float = LATENCY_LIMIT) -> float:
    """Seconds until ``check()`` is true, polled every 10 ms; fails past ``limit``."""
    start = time.monotonic()
    while not await check():
        elapsed = time.monotonic() - start
        assert elapsed < limit, f"not seen within {limit} s"
        await asyncio.sleep(0.01)
    return time.monotonic() - start
