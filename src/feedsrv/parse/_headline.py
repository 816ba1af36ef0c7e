"""How likely each line at the top of an article is its headline, by a learned model.

The rules of :mod:`._lead` find the headline where a page follows the usual order
(headline, then bylines and dates, then the lead). A page that opens otherwise
(a blog's name, a dek, a photo, a line of share buttons) leaves them guessing. A
linear-chain CRF (CRFsuite), trained on the line roles of real pages by
``python -m feedsrv.parse.train``, weighs general cues of each line and of its
neighbours (place, length, capitals, end punctuation, what the rules take it
for) and gives each line's probability of being the headline; :mod:`._lead`
consults it where the rules' choice is weak.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from importlib import resources

import pycrfsuite

# The model looks at the lines above the lead and a few under it: the headline
# stands there, and fewer lines keep the parse fast.
MAX_LINES = 40
HEADLINE = "headline"
MODEL_NAME = "headline.crfsuite"
# Neighbours whose cues a line's features include, by offset.
_NEIGHBOURS = (-2, -1, 1, 2)
_SMALL_WORDS = frozenset({"a", "an", "the", "and", "or", "but", "of", "in", "on", "at", "to", "for", "by", "with",
                          "from", "as", "is", "vs", "via", "into", "over", "up", "its", "it", "be", "are", "was"})
_LOOKED_AT = 200
_SUBTITLE_MARKS = (":", "|", " – ", " — ", " - ")


def line_cues(line: str, kind: str, index: int, *, after_lead: bool) -> tuple[str, ...]:
    """The features of one line by itself: ``kind`` is what the rules classed it as,
    ``after_lead`` whether it stands below the lead they found."""
    # A long line is prose, whatever its capitals: its start tells enough.
    start = line[:_LOOKED_AT]
    words = start.split()
    letters = [character for character in start if character.isalpha()]
    capitals = sum(character.isupper() for character in letters)
    major = [word for word in words if word.lower().strip("\"'“”‘’(),") not in _SMALL_WORDS]
    initials = sum(word[:1].isupper() or word[:1].isdigit() for word in major)
    cues = [
        f"kind={kind}",
        f"len={min(8, round(math.log2(len(line) + 1)))}",
        f"words={len(words) if len(words) < 12 else ('<=25' if len(words) <= 25 else '>25')}",
        f"end={_ending(line)}",
        f"start={_starting(line)}",
        f"caps={round(4 * capitals / len(letters)) if letters else 'none'}",
        f"initials={round(4 * initials / len(major)) if major else 'none'}",
    ]
    if any(character.isdigit() for character in line):
        cues.append("digits")
    if any(mark in line for mark in _SUBTITLE_MARKS):
        cues.append("subtitle_mark")
    if after_lead:
        cues.append("after_lead")
    if index < 8:
        cues.append(f"index={index}")
    else:
        cues.append(f"index>={8 if index < 16 else 16}")
    return tuple(cues)


def _ending(line: str) -> str:
    last = line[-1:]
    if line.endswith(("...", "…")):
        return "ellipsis"
    if last.isalnum():
        return "alnum"
    return last if last in ".?!:,;)\"”’»|" else "other"


def _starting(line: str) -> str:
    first = line[:1]
    if first.isupper():
        return "upper"
    if first.islower():
        return "lower"
    if first.isdigit():
        return "digit"
    return "quote" if first in "\"'“‘" else "other"


def sequence_features(cues: Sequence[tuple[str, ...]]) -> list[list[str]]:
    """Each line's features: its own cues, and its neighbours' under their offset."""
    features: list[list[str]] = []
    for index, own in enumerate(cues):
        line_features = list(own)
        for offset in _NEIGHBOURS:
            neighbour = index + offset
            if 0 <= neighbour < len(cues):
                line_features.extend(f"{offset}:{cue}" for cue in cues[neighbour])
            else:
                line_features.append(f"{offset}:none")
        if index == 0:
            line_features.append("first")
        features.append(line_features)
    return features


@functools.cache
def _model() -> bytes:
    return resources.files("feedsrv.parse").joinpath(MODEL_NAME).read_bytes()


def headline_odds(cues: Sequence[tuple[str, ...]]) -> list[float]:
    """The probability that each line, described by its ``cues``, is the headline."""
    if not cues:
        return []
    # A tagger holds the sequence it was last given, so each call has its own: the
    # parser may run in several threads at once.
    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(_model())
    tagger.set(sequence_features(cues))
    return [tagger.marginal(HEADLINE, index) for index in range(len(cues))]
