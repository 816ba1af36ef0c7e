"""What a reload costs against a full build, on a generated history.

Usage: python bench/live_reload.py [--articles N] [--outlets K] [--repeat R]

Builds the site from N synthetic articles (the shipped config's outlets and topics),
then times, best of R:

- full build: what start-up does (every file parsed, every eager document rendered);
- no change: a rescan that finds nothing (the watcher's safety rescan);
- one edit: one article's text changed, the Site rebuilt from the previous one
  (one file parsed; only the feeds holding that article rendered again);
- one new article, one deleted article.

It also counts the eager documents the edit rendered again against those it reused.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from feedsrv.config import load_config
from feedsrv.site import Site, build_site, refresh_site
from feedsrv.synth import generate_articles, write_articles

CONFIG = Path(__file__).resolve().parent.parent / "config" / "feedsrv.toml"


def best_of(repeat: int, run: Callable[[], object]) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--articles", type=int, default=500)
    options.add_argument("--outlets", type=int, default=20)
    options.add_argument("--repeat", type=int, default=5)
    arguments = options.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        articles = generate_articles(arguments.articles, seed=5, outlets=arguments.outlets, reporters=30)
        write_articles(articles, directory)
        config = replace(load_config(CONFIG), articles_dir=directory)
        site = build_site(config)
        print(f"{len(site.catalog.entries)} articles, {len(site.catalog.feeds)} feeds, "
              f"{sum(1 for _ in site.eager_paths())} eager documents")

        full = best_of(arguments.repeat, lambda: build_site(config))
        unchanged = best_of(arguments.repeat, lambda: refresh_site(site))
        target = directory / articles[len(articles) // 2].name
        original = target.read_text(encoding="utf-8")
        edits = iter(range(1_000_000))

        def edit() -> Site:
            target.write_text(original.replace("For more information", f"Correction {next(edits)}.\n\nFor more "
                                               "information"), encoding="utf-8")
            os.utime(target, ns=(time.time_ns(), time.time_ns()))
            return refresh_site(site)

        one_edit = best_of(arguments.repeat, edit)
        edited = edit()
        reused = sum(1 for path in edited.eager_paths() if edited.resource(path) is site.resource(path))
        added = directory / "zz_new.txt"

        def add() -> Site:
            added.write_text(original, encoding="utf-8")
            try:
                return refresh_site(site)
            finally:
                added.unlink()

        one_new = best_of(arguments.repeat, add)
        kept = target.read_bytes()

        def delete() -> Site:
            target.unlink()
            try:
                return refresh_site(site)
            finally:
                target.write_bytes(kept)

        one_deleted = best_of(arguments.repeat, delete)

    eager = sum(1 for _ in edited.eager_paths())
    for name, seconds in (("full build", full), ("rescan, no change", unchanged), ("one edit", one_edit),
                          ("one new article", one_new), ("one deleted article", one_deleted)):
        print(f"{name:>20}: {seconds * 1000:8.1f} ms")
    print(f"one edit rendered {eager - reused} of {eager} eager documents again and reused {reused}")


if __name__ == "__main__":
    main()
