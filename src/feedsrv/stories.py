"""Related coverage: the articles of different outlets that report one event.

A *story* is a set of two or more entries, from two outlets or more, judged to
report the same event; every other entry stands alone. Pure and deterministic: the
stories are a function of the set of entries, whatever the order they came in, and
:func:`update_stories` gives what :func:`group_entries` would give from scratch, at
the cost of what changed.

How two entries are compared:

- **Terms**: the words of the title (unless the parser derived it from the lead) and
  of the first :data:`LEAD_WORDS` words of the story (summary, then body
  paragraphs), folded (case, accents, a possessive ``'s``, a plural ``s``), stop
  words and one- and two-letter words left out.
- **Weights**: a term weighs what it says about the event: ``8 − zipf``, where zipf
  is the word's frequency in general text on the Zipf scale (``wordfreq``, in the
  entry's language, English when it has no list for it): "the" weighs 0.3, "said"
  2, "Redknapp" 5.4, a word it never met 8. The weights depend on the word alone,
  never on the other entries, so adding an article changes no other pair's score
  (an IDF would, with every article).
- **Link**: two entries link when their weighted cosine is at least
  :data:`THRESHOLD` over at least :data:`MIN_SHARED` shared terms, they share one
  of their :data:`KEY_TERMS` heaviest terms (the index finds candidates by those),
  they come from different outlets (an entry with
  no outlet is an outlet of its own), and, when both have a real date, they were
  published at most :data:`WINDOW` apart. An entry whose ``published_from`` is
  ``"none"`` (no date at all, dated the epoch) has no date to compare: the window
  does not apply to it, the other tests do.
- **Stories**: links make connected groups; each group is clustered by average
  linkage (the two clusters whose pairs score highest on average merge first, while
  that average is at least :data:`THRESHOLD`, a pair that does not link counting 0),
  so one strong link cannot chain two events together through a shared article. A
  cluster with entries of at least two outlets is a story. A group of more than
  :data:`MAX_GROUP` entries forms none: that is a topic covered without pause (or
  articles generated alike), not one event.

Adding or removing an entry looks only at the index buckets of its key terms in its
window's days and at the groups it joins or leaves, never past MAX_GROUP of them.
"""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from heapq import nlargest
from itertools import repeat
from operator import mul
from types import MappingProxyType

from wordfreq import available_languages, zipf_frequency

from .model import Entry

# How far apart in time two dated articles of one event may be published.
WINDOW = timedelta(days=3)
# The weighted cosine two articles of one event reach; tuned on the dev and train
# corpora (docs/benchmarks.md, "Related coverage").
THRESHOLD = 0.22
# How much of the story is compared: the lead and what follows it, where the facts of
# the event (names, places, figures) are told.
LEAD_WORDS = 200
# The fewest terms two articles of one event share: two short notes alike in three
# words ("Headline of …") are no evidence.
MIN_SHARED = 6
# The heaviest terms of an entry, by which the index finds its candidates.
KEY_TERMS = 24
# The most entries one connected group may hold and form stories: past it, the
# articles are a topic covered without pause (or generated alike), not one event,
# and clustering them would cost the cube of their number.
MAX_GROUP = 64

# A word as frequent as one in ten (zipf 8) says nothing; one never seen says most.
_CEILING = 8.0
# Weights are kept in tenths, one byte each: a 100,000-article history keeps a
# signature per article.
_SCALE = 10

_WORD = re.compile(r"[^\W_]+(?:[.'’][^\W_]+)*")
_STOP_WORDS = frozenset((
    "about", "above", "after", "again", "against", "all", "also", "and", "any", "are", "around", "because", "been",
    "before", "being", "below", "between", "both", "but", "can", "could", "did", "does", "doing", "down", "during",
    "each", "even", "ever", "every", "few", "for", "from", "further", "get", "got", "had", "has", "have", "having",
    "her", "here", "hers", "herself", "him", "himself", "his", "how", "however", "into", "its", "itself", "just",
    "like", "made", "make", "many", "may", "might", "more", "most", "much", "must", "myself", "near", "new", "nor",
    "not", "now", "off", "once", "one", "only", "other", "our", "ours", "out", "over", "own", "per", "put", "said",
    "same", "say", "says", "see", "she", "should", "since", "some", "still", "such", "take", "than", "that", "the",
    "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "too",
    "two", "three", "under", "until", "upon", "very", "via", "was", "way", "well", "were", "what", "when", "where",
    "whether", "which", "while", "who", "whom", "whose", "why", "will", "with", "within", "without", "would",
    "year", "years", "yet", "you", "your", "yours", "told", "according", "last", "first", "next", "week", "weeks",
    "day", "days", "time", "times", "back", "going", "including", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "today", "yesterday", "tonight", "night", "morning", "news", "read", "report",
    "reported", "reports",
))


@dataclass(frozen=True, slots=True)
class Signature:
    """What an entry is compared by: its terms, their weights in tenths (one byte
    each, in the same order) and the norm of that weight vector."""

    terms: tuple[str, ...]
    weights: bytes
    norm: float

    def as_dict(self) -> dict[str, int]:
        """Terms and their weights, for looking terms up."""
        return dict(zip(self.terms, self.weights, strict=True))

    def key_terms(self) -> tuple[str, ...]:
        """The :data:`KEY_TERMS` heaviest terms (ties by term, for determinism)."""
        ranked = nlargest(KEY_TERMS, zip(self.weights, self.terms, strict=True), key=lambda item: (item[0], item[1]))
        return tuple(term for _, term in ranked)


@dataclass(frozen=True, slots=True)
class Story:
    """Two or more entries reporting one event, from two outlets or more, earliest
    first (dated entries by publication, then undated ones)."""

    entries: tuple[Entry, ...]

    @property
    def id(self) -> str:
        """The id of its earliest entry: stable while that entry stays in it."""
        return self.entries[0].id

    @property
    def first(self) -> Entry:
        """The earliest entry, whose title names the story."""
        return self.entries[0]

    @property
    def latest(self) -> Entry:
        """The most recently published entry."""
        return max(self.entries, key=lambda entry: (entry.published, entry.updated, entry.id))

    def others(self, entry: Entry) -> tuple[Entry, ...]:
        """The story's entries besides ``entry``: its related coverage."""
        return tuple(other for other in self.entries if other is not entry and other.slug != entry.slug)


@dataclass(frozen=True, slots=True)
class _Item:
    """An entry as the index holds it."""

    entry: Entry
    signature: Signature
    keys: tuple[str, ...]
    outlet: str
    # The publication date's ordinal, None for an entry with no real date.
    day: int | None


# Day ordinal (None: undated) -> key term -> slugs of the entries having it. Buckets
# and links are tuples: most hold a few slugs, and a set of a few costs four times
# the memory (docs/benchmarks.md, "Related coverage").
_Postings = MappingProxyType[int | None, Mapping[str, tuple[str, ...]]]


@dataclass(frozen=True, slots=True)
class Stories:
    """The stories of a set of entries, with the index that updates them.

    Immutable once built: :func:`update_stories` makes a new one, sharing every
    bucket it did not touch. Two are equal when they hold the same stories.
    """

    items: MappingProxyType[str, _Item] = field(compare=False)
    postings: _Postings = field(compare=False)
    # slug -> slugs it links to.
    links: MappingProxyType[str, tuple[str, ...]] = field(compare=False)
    # slug -> its story, for the entries in one.
    by_slug: MappingProxyType[str, Story]

    def story(self, entry: Entry) -> Story | None:
        """The story ``entry`` is in, None when it stands alone."""
        story = self.by_slug.get(entry.slug)
        # An entry of another catalog under the same slug (an edit) is not in it.
        return story if story is not None and entry in story.entries else None

    def related(self, entry: Entry) -> tuple[Entry, ...]:
        """The other entries of ``entry``'s story, earliest first; empty when alone."""
        story = self.story(entry)
        return story.others(entry) if story is not None else ()

    def all(self) -> list[Story]:
        """Every story, newest first by its latest entry (then by id)."""
        # A story is one object shared by its members.
        unique = {id(story): story for story in self.by_slug.values()}
        return sorted(unique.values(), key=lambda story: (story.latest.published, story.latest.updated, story.id),
                      reverse=True)

    def __len__(self) -> int:
        return len({id(story) for story in self.by_slug.values()})


EMPTY = Stories(items=MappingProxyType({}), postings=MappingProxyType({}), links=MappingProxyType({}),
                by_slug=MappingProxyType({}))


def group_entries(entries: Iterable[Entry]) -> Stories:
    """The stories of ``entries``, built from scratch."""
    return update_stories(EMPTY, (), entries)


def remembered_stories(groups: Iterable[Iterable[Entry]]) -> Stories:
    """Stories as an earlier grouping left them (each group its entries), without
    the index: related coverage to serve until :func:`group_entries` gives the
    stories themselves. :func:`update_stories` takes it, but finds no links to
    what it adds, and leaves a changed entry's group as it was."""
    by_slug: dict[str, Story] = {}
    for group in groups:
        story = Story(entries=tuple(sorted(group, key=_story_order)))
        for entry in story.entries:
            by_slug[entry.slug] = story
    return Stories(items=MappingProxyType({}), postings=MappingProxyType({}), links=MappingProxyType({}),
                   by_slug=MappingProxyType(by_slug))


def update_stories(stories: Stories, removed: Iterable[Entry], added: Iterable[Entry]) -> Stories:
    """What :func:`group_entries` gives for ``stories``' entries less ``removed`` and
    plus ``added`` (an entry is known by its slug), touching only the buckets and the
    groups of the entries that changed."""
    builder = _Builder(stories)
    for entry in removed:
        builder.remove(entry.slug)
    for entry in added:
        builder.remove(entry.slug)
        builder.add(entry)
    return builder.finish()


def signature(entry: Entry) -> Signature:
    """The terms of ``entry``'s title and lead, weighted by their rarity."""
    language = entry.language if entry.language in _languages() else "en"
    words: set[str] = set()
    for text in _compared_texts(entry):
        words.update(_WORD.findall(text))
    weights: dict[str, int] = {}
    for weighed in map(_term, words, repeat(language)):
        if weighed is not None:
            term, weight = weighed
            if weight > weights.get(term, 0):
                weights[term] = weight
    terms = tuple(sorted(weights))
    values = bytes(weights[term] for term in terms)
    return Signature(terms=terms, weights=values, norm=math.sqrt(sum(value * value for value in values)))


def similarity(first: Signature, second: Signature) -> float:
    """The weighted cosine of two signatures, from 0 (nothing shared) to 1; 0 when
    they share fewer than :data:`MIN_SHARED` terms."""
    if len(first.terms) > len(second.terms):
        first, second = second, first
    return _cosine(first, second.as_dict(), second.norm)


def _cosine(first: Signature, second: dict[str, int], second_norm: float) -> float:
    if not first.norm or not second_norm:
        return 0.0
    # Loops in C (a key view's intersection, map): most of a grouping's time is here.
    if len(second.keys() & first.terms) < MIN_SHARED:
        return 0.0
    return float(sum(map(mul, first.weights, map(second.get, first.terms, repeat(0))))) / (first.norm * second_norm)


def _compared_texts(entry: Entry) -> list[str]:
    texts = [] if entry.title_derived else [entry.title]
    words = 0
    for paragraph in (entry.summary, *entry.body):
        if words >= LEAD_WORDS:
            break
        if paragraph and paragraph not in texts:
            texts.append(paragraph)
            words += len(paragraph.split())
    return texts


def _fold(word: str) -> str:
    if word.isascii():
        return word.lower().removesuffix("'s")
    decomposed = unicodedata.normalize("NFKD", word)
    folded = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold().replace("’", "'")
    return folded.removesuffix("'s")


def _stem(word: str) -> str:
    """A plural's singular, roughly: enough that "Canucks" meets "Canuck"."""
    if word.isdigit():
        return word
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@lru_cache(maxsize=1)
def _languages() -> frozenset[str]:
    return frozenset(available_languages())


# Words recur from article to article: one lookup per word met before. Bounded, as
# names and figures keep coming.
@lru_cache(maxsize=200_000)
def _term(word: str, language: str) -> tuple[str, int] | None:
    """The term ``word`` counts as and its weight in tenths (``8 − zipf``), None for
    a word that says nothing (short, a stop word, or as common as zipf 8)."""
    folded = _fold(word)
    if (len(folded) < 3 and not folded.isdigit()) or folded in _STOP_WORDS:
        return None
    weight = max(0, round((_CEILING - zipf_frequency(folded, language)) * _SCALE))
    return (sys.intern(_stem(folded)), weight) if weight else None


def _item(entry: Entry) -> _Item:
    sign = signature(entry)
    dated = entry.published_from != "none"
    return _Item(entry=entry, signature=sign, keys=tuple(sys.intern(term) for term in sign.key_terms()),
                 outlet=entry.outlet_slug or f"entry:{entry.slug}",
                 day=entry.published.toordinal() if dated else None)


def _pair_score(first: _Item, second: _Item, first_terms: dict[str, int] | None = None) -> float:
    """The similarity of two indexed entries when they may link, else 0
    (``first_terms``: ``first``'s signature as a dict, when at hand)."""
    if first.outlet == second.outlet:
        return 0.0
    if first.day is not None and second.day is not None \
            and abs(first.entry.published - second.entry.published) > WINDOW:
        return 0.0
    if not set(first.keys).intersection(second.keys):
        return 0.0
    if first_terms is None:
        return similarity(first.signature, second.signature)
    return _cosine(second.signature, first_terms, first.signature.norm)


def _story_order(entry: Entry) -> tuple[bool, object, str, str]:
    # Dated entries first, by publication; undated ones (the epoch) after them.
    undated = entry.published_from == "none"
    return (undated, entry.published, entry.id, entry.slug)


class _Builder:
    """The working copy of a :class:`Stories` during one update: top-level mappings
    copied once, a day's buckets on its first change (buckets and links are
    tuples, replaced, never changed), so the snapshot it came from
    is never modified."""

    def __init__(self, stories: Stories) -> None:
        # A proxy's copy() copies the dict behind it in one go; dict(proxy) would go
        # key by key.
        self.items: dict[str, _Item] = stories.items.copy()
        self.postings: dict[int | None, Mapping[str, tuple[str, ...]]] = stories.postings.copy()
        self.links: dict[str, tuple[str, ...]] = stories.links.copy()
        self.by_slug: dict[str, Story] = stories.by_slug.copy()
        self._own_days: set[int | None] = set()
        # Slugs whose group must be clustered again.
        self._dirty: set[str] = set()
        # Slugs met in groups past MAX_GROUP: links only grow while entries are added,
        # so a group reaching one is past it too (a removal, which may split a group,
        # empties it).
        self._crowded: set[str] = set()

    def add(self, entry: Entry) -> None:
        item = _item(entry)
        slug = entry.slug
        linked: set[str] = set()
        terms = item.signature.as_dict()
        for candidate in self._candidates(item):
            if candidate != slug and _pair_score(item, self.items[candidate], terms) >= THRESHOLD:
                linked.add(candidate)
        # The groups the new entry joins are clustered again (or, merged past
        # MAX_GROUP, left without stories): their stories go first.
        covered: set[str] = set()
        for other in sorted(linked - covered):
            if other in covered:
                continue
            group = self._group(other)
            if group is not None:
                covered.update(group)
                self._forget(group)
        self.items[slug] = item
        for key in item.keys:
            buckets = self._buckets(item.day)
            buckets[key] = (*buckets.get(key, ()), slug)
        self.links[slug] = tuple(sorted(linked))
        for other in linked:
            self.links[other] = (*self.links.get(other, ()), slug)
        self._dirty.add(slug)

    def remove(self, slug: str) -> None:
        item = self.items.pop(slug, None)
        if item is None:
            return
        buckets = self._buckets(item.day)
        for key in item.keys:
            bucket = tuple(other for other in buckets[key] if other != slug)
            if bucket:
                buckets[key] = bucket
            else:
                del buckets[key]
        if not buckets:
            del self.postings[item.day]
            self._own_days.discard(item.day)
        self._crowded.clear()
        neighbours = self.links.pop(slug, ())
        for other in neighbours:
            self.links[other] = tuple(linked for linked in self.links[other] if linked != slug)
        self._dirty.discard(slug)
        self._dirty.update(neighbours)
        self.by_slug.pop(slug, None)

    def finish(self) -> Stories:
        done: set[str] = set()
        for slug in sorted(self._dirty):
            if slug in done or slug not in self.items:
                continue
            group = self._group(slug)
            if group is None:
                # Past MAX_GROUP: no stories, and none was left in it (see add).
                continue
            done.update(group)
            self._forget(group)
            for cluster in self._clusters(sorted(group)):
                members = [self.items[member] for member in cluster]
                if len({member.outlet for member in members}) < 2:
                    continue
                story = Story(entries=tuple(sorted((member.entry for member in members), key=_story_order)))
                for member in cluster:
                    self.by_slug[member] = story
        return Stories(items=MappingProxyType(self.items), postings=MappingProxyType(self.postings),
                       links=MappingProxyType(self.links), by_slug=MappingProxyType(self.by_slug))

    def _forget(self, group: Iterable[str]) -> None:
        for member in group:
            self.by_slug.pop(member, None)
        self._dirty.update(group)

    def _candidates(self, item: _Item) -> set[str]:
        if item.day is None:
            days: Iterable[int | None] = list(self.postings)
        else:
            # Local dates of times WINDOW apart may be a day further apart across zones.
            span = WINDOW.days + 1
            days = [*range(item.day - span, item.day + span + 1), None]
        found: set[str] = set()
        for day in days:
            buckets = self.postings.get(day)
            if buckets is None:
                continue
            for key in item.keys:
                bucket = buckets.get(key)
                if bucket:
                    found.update(bucket)
        return found

    def _buckets(self, day: int | None) -> dict[str, tuple[str, ...]]:
        """The buckets of ``day``, owned by this builder: safe to change."""
        if day not in self._own_days:
            self.postings[day] = dict(self.postings.get(day, {}))
            self._own_days.add(day)
        buckets = self.postings[day]
        assert isinstance(buckets, dict)
        return buckets

    def _group(self, slug: str) -> set[str] | None:
        """The slugs connected to ``slug`` by links; None past :data:`MAX_GROUP`, found
        as soon as it is passed (a crowded topic costs MAX_GROUP steps, not its size)."""
        crowded = self._crowded
        if slug in crowded:
            return None
        group = {slug}
        frontier = [slug]
        while frontier:
            for other in self.links.get(frontier.pop(), ()):
                if other not in group:
                    group.add(other)
                    if len(group) > MAX_GROUP or other in crowded:
                        crowded.update(group)
                        return None
                    frontier.append(other)
        return group

    def _clusters(self, group: list[str]) -> list[list[str]]:
        """Average-linkage clusters of a group (sorted slugs), deterministic: the best
        average merges first, ties going to the clusters that come first."""
        if len(group) == 1:
            return [group]
        items = [self.items[slug] for slug in group]
        position = {slug: index for index, slug in enumerate(group)}
        # totals[a][b]: the sum of the pair scores between clusters a and b.
        totals: dict[int, dict[int, float]] = {index: {} for index in range(len(group))}
        for row, slug in enumerate(group):
            for other in self.links[slug]:
                column = position[other]
                if column > row:
                    score = _pair_score(items[row], items[column])
                    totals[row][column] = totals[column][row] = score
        members: dict[int, list[int]] = {index: [index] for index in range(len(group))}
        while True:
            best: tuple[float, int, int] | None = None
            for first in sorted(totals):
                for second, total in sorted(totals[first].items()):
                    if second <= first:
                        continue
                    average = total / (len(members[first]) * len(members[second]))
                    if average >= THRESHOLD and (best is None or average > best[0]):
                        best = (average, first, second)
            if best is None:
                break
            _, kept, merged = best
            members[kept] += members.pop(merged)
            for neighbour, total in totals.pop(merged).items():
                del totals[neighbour][merged]
                if neighbour != kept:
                    combined = totals[kept].get(neighbour, 0.0) + total
                    totals[kept][neighbour] = totals[neighbour][kept] = combined
            totals[kept].pop(kept, None)
        return [sorted(group[index] for index in cluster) for cluster in members.values()]
