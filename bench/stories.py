"""Related coverage (issue 15): false merges and recall on real corpora, and the cost
of adding one article to a large grouping.

Usage: python bench/stories.py CORPUS_DIR... [--pairs bench/data/same_event_pairs.tsv]
       [--seeds seeds] [--outlets site|parsed] [--articles 100000] [--no-cost]

Each CORPUS_DIR holds NNN.txt beside NNN.json (as bench/parse_accuracy.py reads
them); the seed articles are added to the first set. Every text is parsed with
``feedsrv.parse.parse_article`` and the whole lot (all sets together: a real feed
has them side by side) is grouped with ``feedsrv.stories.group_entries``.

- **Outlets**: with ``--outlets site`` (the default) each corpus article's outlet is
  its site (``NNN.json``'s ``site``), as a deployment declares each source's outlet
  in its config; with ``parsed``, the outlet the parser read, none for most.
- **False merges**: an article is falsely merged when its story holds an article of
  another event. Events come from the pairs file: ``same`` and ``allowed`` rows join
  two articles into one event (transitively); every other article is an event of its
  own. Printed per set, as a share of the set's articles. The development sets
  (all but ``validate``) are grouped together; ``validate`` on its own, and, since
  its texts are never read, every story it forms counts as false: an upper bound.
- **Recall**: of the ``same`` pairs, the share whose two articles are in one story.
- **Cost** (unless ``--no-cost``): ``--articles`` synthetic articles
  (``feedsrv.synth``, the seed style: every one about Syria, Moscow and diplomacy)
  are parsed and grouped from scratch, then one more is added with
  ``update_stories`` and removed again: the times, the stories the synthetic
  history forms and the size of the largest.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

from feedsrv.errors import ParseError
from feedsrv.model import Entry
from feedsrv.parse import ParseOptions, decode_article, parse_article
from feedsrv.sources import collector_paused
from feedsrv.stories import Stories, group_entries, update_stories
from feedsrv.synth import generate_articles

ROOT = Path(__file__).resolve().parent.parent


def parse_set(directory: Path, *, outlets: str) -> dict[str, Entry]:
    """Every article of one corpus set by its name (``train/152``)."""
    entries = {}
    for path in sorted(directory.glob("*.txt")):
        name = f"{directory.name}/{path.stem}"
        entry = parse_text(path, name)
        if entry is None:
            continue
        truth_path = path.with_suffix(".json")
        if outlets == "site" and truth_path.exists():
            site = json.loads(truth_path.read_text(encoding="utf-8"))["site"]
            entry = replace(entry, outlet=site, outlet_slug=re.sub(r"[^a-z0-9]+", "-", site.lower()))
        entries[name] = entry
    return entries


def parse_text(path: Path, name: str) -> Entry | None:
    try:
        text, _ = decode_article(path.read_bytes(), source=str(path))
        entry = parse_article(text, source=str(path), options=ParseOptions())
    except ParseError:
        return None
    # Slugs name entries in a grouping; the sets reuse file names (000.txt).
    return replace(entry, slug=name.replace("/", "-"), id=f"{entry.id}/{name}")


def read_pairs(path: Path) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """The ``same`` and the ``allowed`` rows: (a, b, why)."""
    same, allowed = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, first, second, why = line.split("\t")
        (same if kind == "same" else allowed).append((first, second, why))
    return same, allowed


def events(names: list[str], pairs: list[tuple[str, str, str]]) -> dict[str, str]:
    """Each article's event: the smallest name of those the pairs join it to."""
    parent = {name: name for name in names}

    def root(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for first, second, _ in pairs:
        if first in parent and second in parent:
            low, high = sorted((root(first), root(second)))
            parent[high] = low
    return {name: root(name) for name in names}


def score(stories: Stories, named: dict[str, Entry], same: list[tuple[str, str, str]],
          allowed: list[tuple[str, str, str]]) -> None:
    """Print false merges per set and pair recall."""
    name_of = {entry.slug: name for name, entry in named.items()}
    event_of = events(list(named), same + allowed)
    wrong: set[str] = set()
    for story in stories.all():
        members = [name_of[entry.slug] for entry in story.entries]
        for name in members:
            if any(event_of[other] != event_of[name] for other in members):
                wrong.add(name)
    by_set = collections.Counter(name.split("/")[0] for name in named)
    wrong_by_set = collections.Counter(name.split("/")[0] for name in wrong)
    print(f"stories: {len(stories)}, holding {sum(len(s.entries) for s in stories.all())} articles")
    for corpus, count in sorted(by_set.items()):
        print(f"false merges, {corpus}: {wrong_by_set[corpus]} of {count} articles "
              f"({wrong_by_set[corpus] / count:.1%})")
    if len(by_set) > 1:
        print(f"false merges, {' + '.join(sorted(by_set))}: {len(wrong)} of {len(named)} articles "
              f"({len(wrong) / len(named):.1%})")
    present = [(first, second, why) for first, second, why in same if first in named and second in named]
    if len(present) < len(same):
        # Pair recall is scored on the sets the pairs come from.
        return
    found = 0
    for first, second, why in present:
        story = stories.by_slug.get(named[first].slug)
        together = story is not None and named[second] in story.entries
        found += together
        if not together:
            print(f"  missed: {first} + {second} ({why})")
    print(f"pair recall: {found} of {len(same)} same-event pairs ({found / len(same):.1%})")
    for story in stories.all():
        members = [name_of[entry.slug] for entry in story.entries]
        # Validate is scored only: its texts are not for reading.
        if any(name in wrong for name in members) and not any(name.startswith("validate/") for name in members):
            print("  false merge: " + " + ".join(f"{name} ({named[name].title[:50]!r})" for name in members))


def cost(count: int) -> None:
    """Time a full grouping of ``count`` synthetic articles and adding one to it."""
    articles = generate_articles(count + 1, seed=1)
    started = time.perf_counter()
    entries = []
    for article in articles:
        text, _ = decode_article(article.text.encode("utf-8"), source=article.name)
        entries.append(parse_article(text, source=article.name))
    parsed = time.perf_counter() - started
    extra, history = entries[len(entries) // 2], entries[:len(entries) // 2] + entries[len(entries) // 2 + 1:]
    adds, removes = [], []
    # As a reload runs it (site._assemble): with the cyclic collector paused, whose
    # full passes over a large history would dominate.
    with collector_paused():
        started = time.perf_counter()
        stories = group_entries(history)
        rebuild = time.perf_counter() - started
        for _ in range(5):
            started = time.perf_counter()
            grown = update_stories(stories, (), (extra,))
            adds.append(time.perf_counter() - started)
            started = time.perf_counter()
            update_stories(grown, (extra,), ())
            removes.append(time.perf_counter() - started)
    sizes = [len(story.entries) for story in stories.all()]
    in_stories = sum(sizes)
    print(f"synthetic: {count:,} articles (parsed in {parsed:.0f} s), grouped from scratch in {rebuild:.1f} s: "
          f"{len(sizes):,} stories holding {in_stories:,} articles ({in_stories / count:.1%}), "
          f"the largest {max(sizes, default=0)}")
    print(f"adding one article: {statistics.median(adds) * 1000:.1f} ms (median of 5), "
          f"removing it: {statistics.median(removes) * 1000:.1f} ms; "
          f"{rebuild / statistics.median(adds):,.0f}× cheaper than a rebuild")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="+", type=Path)
    parser.add_argument("--pairs", type=Path, default=ROOT / "bench" / "data" / "same_event_pairs.tsv")
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    parser.add_argument("--outlets", choices=("site", "parsed"), default="site")
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--no-cost", action="store_true")
    options = parser.parse_args()
    named: dict[str, Entry] = {}
    for path in sorted(options.seeds.glob("*.txt")):
        entry = parse_text(path, f"seeds/{path.stem}")
        if entry is not None:
            named[f"seeds/{path.stem}"] = entry
    held_out: dict[str, Entry] = {}
    for corpus in options.corpora:
        (held_out if corpus.name == "validate" else named).update(parse_set(corpus, outlets=options.outlets))
    same, allowed = read_pairs(options.pairs)
    # Validate is grouped on its own: its pairs with the other sets are unknown (its
    # texts are not read), so they could only be counted as false.
    for articles in (named, held_out):
        if not articles:
            continue
        started = time.perf_counter()
        stories = group_entries(articles.values())
        print(f"{len(articles)} articles grouped in {time.perf_counter() - started:.2f} s "
              f"(outlets: {options.outlets})")
        score(stories, articles, same, allowed)
    if not options.no_cost:
        cost(options.articles)
    return 0


if __name__ == "__main__":
    sys.exit(main())
