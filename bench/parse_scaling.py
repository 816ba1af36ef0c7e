"""Parsing cost against input size: the parser must stay linear.

Usage: python bench/parse_scaling.py [--repeat N]

Three shapes of input, each at three sizes, four times apart (×1, ×4, ×16):

- one line: a single line of seed prose, with no line break, up to 1 MiB;
- many lines: short lines of eight words, up to 100,000 lines;
- article: the seed article (seeds/000_…) with its body repeated ×1, ×4, ×16.

For each it prints the size, the best of N timings (CPU time of the process, so that
other work on the machine does not count), µs per KiB, and the growth of the time
against the growth of the size from one step to the next: about 1.0 is linear, 4.0
would be quadratic.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Callable
from pathlib import Path

from feedsrv.errors import ParseError
from feedsrv.parse import parse_article

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_035b52bdb15d24f1.txt"
SCALES = (1, 4, 16)
MIB = 1 << 20


def one_line(scale: int, seed: str) -> str:
    """Seed prose as one line of MIB * scale / 16 characters."""
    words = " ".join(seed.split()) + " "
    size = MIB * scale // SCALES[-1]
    return (words * (size // len(words) + 1))[:size]


def many_lines(scale: int, seed: str) -> str:
    """100,000 * scale / 16 short lines of seed prose (eight words each)."""
    words = seed.split()
    lines = [" ".join(words[start:start + 8]) for start in range(0, len(words) - 8, 8)]
    count = 100_000 * scale // SCALES[-1]
    return "\n".join(lines[index % len(lines)] for index in range(count))


def article(scale: int, seed: str) -> str:
    """The seed article with its body paragraphs repeated ``scale`` times."""
    paragraphs = seed.split("\n\n")
    head, body, tail = paragraphs[:3], paragraphs[3:8], paragraphs[8:]
    return "\n\n".join([*head, *(body * scale), *tail])


SHAPES: dict[str, Callable[[int, str], str]] = {"one line": one_line, "many lines": many_lines, "article": article}


def best_time(text: str, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.process_time()
        with contextlib.suppress(ParseError):
            parse_article(text, source="bench.txt")
        timings.append(time.process_time() - started)
    return min(timings)


def main(argv: list[str] | None = None) -> int:
    arguments = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    arguments.add_argument("--repeat", type=int, default=3, help="timings per input; the best counts")
    options = arguments.parse_args(argv)
    seed = SEED.read_text(encoding="utf-8")
    print(f"{'shape':<11} {'scale':>5} {'size':>10} {'seconds':>8} {'µs/KiB':>7} {'growth':>7}")
    for name, make in SHAPES.items():
        previous: tuple[int, float] | None = None
        for scale in SCALES:
            text = make(scale, seed)
            size = len(text.encode("utf-8"))
            seconds = best_time(text, options.repeat)
            growth = f"{(seconds / previous[1]) / (size / previous[0]):.2f}" if previous else "-"
            print(f"{name:<11} {'×' + str(scale):>5} {size / 1024:>7,.0f} KiB {seconds:>8.3f} "
                  f"{seconds * 1e6 / (size / 1024):>7.0f} {growth:>7}")
            previous = (size, seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
