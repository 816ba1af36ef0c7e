"""Prose: telling it from labels, and cutting it to size (the lead sentence, a title
derived from it, a summary)."""

from __future__ import annotations

import re

TITLE_LIMIT = 110
# How far a derived title may run past TITLE_LIMIT to finish a name it would
# otherwise end inside ("… the Russian President Vladimir").
TITLE_NAME_LIMIT = 125
SUMMARY_LIMIT = 300
_ELLIPSIS = "…"

# A full stop, question or exclamation mark, closing quotes or brackets, then space
# and something that can start a sentence.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]{0,3}\s(?=[\"'“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "st", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt",
    "cmdr", "adm", "maj", "jr", "sr", "inc", "co", "corp", "ltd", "no", "vs", "etc", "mt", "ft",
    "ave", "rev", "hon", "pres", "supt", "det", "insp", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "approx", "est", "dept", "univ", "assn",
})
# Words a cut title must not end on: they promise more words.
_DANGLING_WORDS = frozenset({
    "and", "or", "but", "nor", "the", "a", "an", "of", "to", "in", "on", "at", "for", "with", "by",
    "from", "as", "that", "which", "who", "whose", "whom", "its", "their", "his", "her", "our",
    "your", "my", "than", "into", "onto", "over", "after", "before", "while", "during", "about",
    "against", "between", "through", "under", "is", "are", "was", "were", "be", "been", "being",
    "has", "have", "had", "will", "would", "could", "should", "can", "may", "might", "must",
    "said", "says", "this", "these", "those", "if", "so", "because", "when", "where", "not",
    "very", "more", "most", "also", "both", "either", "neither", "each", "every", "some", "any",
    "such", "then", "there", "how", "what", "why", "al", "el", "de", "la", "le",
})
_DEBRIS = " ,;:–—-/&(“‘[«…"
_CLOSERS = "\"'”’)]"
# A straight double quote at the end closes a quotation only if one was opened.
_STRAIGHT_QUOTE = '"'
_PAIRS = (("(", ")"), ("“", "”"), ("[", "]"))
_MIN_PROSE_WORDS = 3
_MIN_UNPUNCTUATED_PROSE_WORDS = 6
_SENTENCE_END_MARKS = ".!?…"


def reads_as_prose(paragraph: str) -> bool:
    """Words ending in a sentence end, or sentences with a tail after them that is not
    in Title Case (``… are mine alone. #ad``): text, where headlines (``'We Got Her!'
    Video Shows Rescue``), labels, credits and links are not."""
    words = paragraph.split()
    if len(words) < _MIN_PROSE_WORDS:
        return False
    if paragraph.rstrip(_CLOSERS)[-1:] in _SENTENCE_END_MARKS:
        return True
    ends = sentence_ends(paragraph) if len(words) >= _MIN_UNPUNCTUATED_PROSE_WORDS else []
    if not ends:
        return False
    tail = paragraph[ends[-1]:].split()
    return 2 * sum(1 for word in tail if word[:1].isupper()) <= len(tail)


def sentence_ends(text: str) -> list[int]:
    """Offsets just after each sentence end in ``text``. Abbreviations and initials
    such as ``Mr.``, ``U.S.`` and ``J.`` end none, and neither does a full stop inside
    a quotation (``the “Meth. We’re on it.” campaign``) unless the quotation closes there."""
    ends = []
    opened = closed = straight = 0
    counted = 0
    for match in _SENTENCE_END.finditer(text):
        stop = match.start()
        # Quotes are counted once, from the last match on: the scan stays linear.
        between = text[counted:stop]
        opened, closed, straight = opened + between.count("“"), closed + between.count("”"), \
            straight + between.count('"')
        counted = stop
        if text[stop] == "." and _is_abbreviation(text, stop):
            continue
        closers = match.group()[1:]
        if ("”" not in closers and opened > closed) or ('"' not in closers and straight % 2):
            continue
        ends.append(match.end() - 1)
    return ends


def _is_abbreviation(text: str, dot: int) -> bool:
    word_start = text.rfind(" ", 0, dot) + 1
    word = text[word_start:dot].lstrip("\"'“‘(")
    return len(word) <= 1 or "." in word or word.lower() in _ABBREVIATIONS


def lead_sentence(paragraph: str) -> str:
    """The first sentence of ``paragraph`` (all of it when it has one sentence)."""
    ends = sentence_ends(paragraph)
    return paragraph[:ends[0]].strip() if ends else paragraph.strip()


def derive_title(paragraph: str, limit: int = TITLE_LIMIT) -> str:
    """A headline made from the lead sentence: at most ``limit`` characters, cut at
    a word boundary, without a final full stop or dangling words and punctuation."""
    title = _without_final_stop(lead_sentence(paragraph))
    if len(title) > limit:
        title = _cut_outside_a_name(title, limit, limit + TITLE_NAME_LIMIT - TITLE_LIMIT)
    return _trim_debris(title)


def summarize(paragraph: str, limit: int = SUMMARY_LIMIT) -> str:
    """``paragraph`` cut to ``limit`` characters: at a sentence end when one falls in
    the last two thirds of the room, else at a word, marked with an ellipsis."""
    if len(paragraph) <= limit:
        return paragraph
    ends = [end for end in sentence_ends(paragraph) if limit // 3 <= end <= limit]
    if ends:
        return paragraph[:ends[-1]].rstrip()
    return _trim_debris(_cut_at_word(paragraph, limit - len(_ELLIPSIS))) + _ELLIPSIS


def _without_final_stop(sentence: str) -> str:
    """``He said “no.”`` → ``He said “no”``: the full stop goes, the quote stays."""
    sentence = sentence.rstrip()
    core = sentence.rstrip(_CLOSERS)
    return core.rstrip(" .") + sentence[len(core):]


def _cut_at_word(text: str, limit: int) -> str:
    """The longest run of whole words of ``text`` within ``limit`` characters."""
    if len(text) <= limit:
        return text
    cut = text[:limit + 1]
    space = cut.rfind(" ")
    return cut[:space] if space > 0 else text[:limit]


def _cut_outside_a_name(text: str, limit: int, name_limit: int) -> str:
    """``text`` cut at a word within ``limit`` characters, but never inside a name (a
    run of capitalized words): the name is finished when it fits in ``name_limit``,
    else the cut goes before it."""
    cut = _cut_at_word(text, limit)
    following = text[len(cut):].split()
    words = cut.split(" ")
    if not following or not _capitalized(words[-1]) or not _capitalized(following[0]) or len(words) < 2:
        return cut
    finished = cut
    for word in following:
        if not _capitalized(word):
            return finished
        if len(finished) + 1 + len(word) > name_limit:
            break
        finished = f"{finished} {word}"
        if word[-1] in _DEBRIS or word[-1] in ".!?":
            return finished
    else:
        return finished
    # The name does not fit: end before its first word.
    while len(words) > 1 and _capitalized(words[-1]):
        words.pop()
    return " ".join(words)


def _capitalized(word: str) -> bool:
    return word[:1].isupper()


def _trim_debris(text: str) -> str:
    """Drop trailing punctuation, dangling words and unclosed quotes or brackets."""
    while True:
        trimmed = _close_pairs(text.rstrip(_DEBRIS))
        if trimmed.endswith(_STRAIGHT_QUOTE) and trimmed.count(_STRAIGHT_QUOTE) % 2:
            trimmed = trimmed[:-1]
        words = trimmed.rsplit(" ", 1)
        if len(words) == 2 and words[1].lower().strip(_DEBRIS) in _DANGLING_WORDS:
            trimmed = words[0]
        if trimmed == text:
            return text
        text = trimmed


def _close_pairs(text: str) -> str:
    """Cut before an opening bracket or quote that the text never closes, unless
    that would throw away most of it (a title may open with a quotation)."""
    for opening, closing in _PAIRS:
        position = text.rfind(opening)
        if position >= len(text) // 2 and text.find(closing, position) < 0:
            text = text[:position]
    return text
