"""Generated article histories for the benchmarks: N articles in the seed style.

Usage: python bench/corpus.py [--articles 1000 10000 100000] [--seed 1] [--outlets 50] [--dir bench/corpora]

Writes (or reuses, when complete) DIR/<N>-seed<S>/ with N articles deterministic from
the seed number (`feedsrv.synth`): spread over the outlets, reporters and the shipped
config's topics, one a day or, past ten years' worth, several a day; with or without
a headline and a desk line, two byline and two dateline forms, 3 to 12 paragraphs,
captions with credits, one to four cited sources and a copyright line.
Prints, for each N, the bytes on disk and how the articles vary.
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from feedsrv.synth import DESKS, SyntheticArticle, generate_articles, write_articles

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "bench" / "corpora"
EM_DASH_DATELINE = " \u2014\n"


def corpus_bytes(directory: Path) -> int:
    return sum(path.stat().st_size for path in directory.glob("*.txt"))


def ensure_corpus(count: int, *, seed: int = 1, outlets: int = 50, root: Path = DEFAULT_DIR) -> Path:
    """The directory of the ``count``-article history of ``seed``, written if missing."""
    directory = root / f"{count}-seed{seed}-outlets{outlets}"
    done = directory / ".complete"
    if not done.exists():
        write_articles(generate_articles(count, seed=seed, outlets=outlets), directory)
        done.write_text("written by bench/corpus.py\n")
    return directory


def describe(count: int, seed: int, outlets: int) -> str:
    """How the articles of one generated history vary."""
    articles = generate_articles(count, seed=seed, outlets=outlets)
    lengths = [len(article.text.encode("utf-8")) for article in articles]
    blocks = [article.text.count("\n\n") + 1 for article in articles]
    by_outlet = collections.Counter(article.outlet for article in articles)

    def share(test: Callable[[SyntheticArticle], bool]) -> str:
        return f"{sum(map(test, articles)) / count:.0%}"

    return (f"{count:,} articles: {len(by_outlet)} outlets ({min(by_outlet.values()):,} to "
            f"{max(by_outlet.values()):,} articles each), {len({a.author for a in articles})} reporters, "
            f"{articles[0].published} to {articles[-1].published}; "
            f"{statistics.mean(lengths):,.0f} bytes on average ({min(lengths):,} to {max(lengths):,}), "
            f"{min(blocks)} to {max(blocks)} blocks; "
            f"{share(lambda a: '(Photo courtesy' in a.text)} with a caption, "
            f"{share(lambda a: a.text.startswith(('By ', 'by ')))} without a headline, "
            f"{share(lambda a: any(desk in a.text for desk in DESKS))} with a desk line, "
            f"{share(lambda a: EM_DASH_DATELINE in a.text)} with a CITY \u2014 dateline")


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    arguments.add_argument("--articles", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    arguments.add_argument("--seed", type=int, default=1)
    arguments.add_argument("--outlets", type=int, default=50)
    arguments.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    options = arguments.parse_args()
    for count in options.articles:
        started = time.perf_counter()
        directory = ensure_corpus(count, seed=options.seed, outlets=options.outlets, root=options.dir)
        size = corpus_bytes(directory)
        print(f"{directory}: {size / 2**20:,.1f} MiB, ready in {time.perf_counter() - started:.1f} s")
        print(f"  {describe(count, options.seed, options.outlets)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
