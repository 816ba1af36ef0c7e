"""The event loop's longest stall while the publishing API parses a large article.

Usage: python bench/api_stall.py [--runs N] [--kib K]

Starts the app on a loopback port with the API on, and N times POSTs an article of
K KiB (a story and one long paragraph of filler) that is parsed, then refused with
413 (the publication date feedsrv adds takes it past the limit), while a probe
coroutine wakes every millisecond and keeps the longest gap between two wake-ups,
counted for the CPU time the process used in it (a machine descheduling the whole
process stalls nothing in particular). Prints each run's longest stall, sorted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from feedsrv.config import load_config
from feedsrv.web import create_app

CONFIG = Path(__file__).resolve().parent.parent / "config" / "feedsrv.toml"
TOKEN = "bench-token"
STORY = (b"Envoy Urges Ceasefire in Geneva\n\nBy Lena Weber\n\nGENEVA, Switzerland - Officials met in "
         b"Geneva on Monday to discuss the plan, according to a statement released after the meeting.\n")


async def longest_gap(stop: asyncio.Event) -> float:
    wall, cpu, longest = time.perf_counter(), time.process_time(), 0.0
    while not stop.is_set():
        await asyncio.sleep(0.001)
        now_wall, now_cpu = time.perf_counter(), time.process_time()
        longest = max(longest, min(now_wall - wall, now_cpu - cpu))
        wall, cpu = now_wall, now_cpu
    return longest


async def one_run(directory: Path, size: int) -> float:
    config = replace(load_config(CONFIG), articles_dir=directory, parse_cache=None, api_token=TOKEN,
                     api_max_bytes=size, max_article_bytes=size)
    filler = size - len(STORY) - 2
    body = STORY + b"\n" + (b"word " * filler)[:filler - 1] + b".\n"
    client = TestClient(TestServer(create_app(config, watch=False)))
    await client.start_server()
    try:
        stop = asyncio.Event()
        probe = asyncio.create_task(longest_gap(stop))
        await asyncio.sleep(0.01)
        response = await client.post("/api/articles", data=body, headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status == 413, response.status
        stop.set()
        return await probe
    finally:
        await client.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--kib", type=int, default=512)
    arguments = parser.parse_args()
    os.environ.pop("FEEDSRV_API_TOKEN", None)
    stalls = []
    for _ in range(arguments.runs):
        with tempfile.TemporaryDirectory() as directory:
            (Path(directory) / "seed.txt").write_text("Seed\n\nOfficials met on Monday.\n", encoding="utf-8")
            stalls.append(await one_run(Path(directory), arguments.kib << 10))
    shown = ", ".join(f"{stall * 1000:.1f}" for stall in sorted(stalls))
    print(f"longest stall, ms, {arguments.runs} runs of {arguments.kib} KiB: {shown}")
    print(f"median {statistics.median(stalls) * 1000:.1f} ms, max {max(stalls) * 1000:.1f} ms")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
