"""The article file: an optional front matter block of metadata, then the text.

The block is what the publishing API writes and what a publisher may type by hand:
``key: value`` lines between two ``---`` lines, keys those of
``[articles.<file stem>]``. The config's declarations win over it, field by field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import fields, replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from ..config import DATE_RANGE, ArticleMeta, SiteConfig, in_range
from ..errors import ParseError
from ..model import Entry
from ._article import ParseOptions, parse_article
from ._text import decode_article

# Front matter: a block of `key: value` lines between two `---` lines at the very top.
FRONT_MATTER_FENCE = "---"
FRONT_MATTER_KEYS = tuple(spec.name for spec in fields(ArticleMeta))
_FRONT_MATTER_LINE = re.compile(r"(?P<key>[A-Za-z][\w-]*)\s*:\s?(?P<value>.*)")
_FRONT_MATTER_KEY = re.compile(r"[A-Za-z][\w-]*")
# What a front matter value cannot hold: a line break of any kind (anything
# str.splitlines() ends a line at), which would start a line, and a key, of its own;
# and the other characters XML 1.0 cannot carry into a feed.
_UNSAFE_VALUE_CHARACTER = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
# Room for every key and blank lines; a longer block is text that happens to open
# with a rule, not metadata.
_MAX_FRONT_MATTER_LINES = 20


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Separate a front matter block from the article text.

    The block is a ``---`` line at the very top, ``key: value`` lines, and a closing
    ``---`` line; keys are lower-cased. Text that does not open that way (an article
    may well start with a rule) comes back whole with no fields.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        return {}, text
    front: dict[str, str] = {}
    for number, line in enumerate(lines[1:_MAX_FRONT_MATTER_LINES + 2], start=1):
        if line.strip() == FRONT_MATTER_FENCE:
            return front, "".join(lines[number + 1:])
        if not line.strip():
            continue
        match = _FRONT_MATTER_LINE.fullmatch(line.strip())
        if match is None:
            return {}, text
        front[match["key"].lower()] = match["value"].strip()
    return {}, text


def unsafe_character(value: str) -> str | None:
    """The first character of ``value`` that a front matter value cannot hold (a line
    break, another control character, a surrogate, U+FFFE or U+FFFF), or None."""
    found = _UNSAFE_VALUE_CHARACTER.search(value)
    return found.group() if found else None


def format_front_matter(front: Mapping[str, str], *, source: str = "front matter") -> str:
    """The front matter block for ``front`` (empty when there is nothing to say).

    Raises :class:`ParseError` naming ``source`` for a key :func:`split_front_matter`
    would not read back, or a value holding a character :func:`unsafe_character`
    finds: whatever the caller checked, no key or value can write a line of its own.
    """
    if not front:
        return ""
    for key, value in front.items():
        if not _FRONT_MATTER_KEY.fullmatch(key):
            raise ParseError(source, f"front matter: {key!r} is not a key")
        character = unsafe_character(value)
        if character is not None:
            raise ParseError(source, f"front matter: {key} holds U+{ord(character):04X}, which a value cannot")
    lines = [f"{key}: {value}" for key, value in front.items()]
    return "\n".join([FRONT_MATTER_FENCE, *lines, FRONT_MATTER_FENCE, ""]) + "\n"


def front_matter_meta(front: Mapping[str, str], *, source: str, timezone: tzinfo) -> ArticleMeta:
    """Turn front matter fields into :class:`ArticleMeta`.

    Keys are those of ``[articles.<stem>]``; dates are ISO 8601 (``2015-10-21``,
    ``2015-10-21T09:30:00+02:00``), taken in ``timezone`` when they name no zone;
    ``topics`` is a comma-separated list of topic slugs. Raises :class:`ParseError`
    naming the first unknown key or unreadable value.
    """
    # Each key's value has the type of its ArticleMeta field.
    values: dict[str, Any] = {}
    for key, value in front.items():
        if key not in FRONT_MATTER_KEYS:
            raise ParseError(source, f"front matter: unknown key {key!r} (expected one of "
                                     f"{', '.join(FRONT_MATTER_KEYS)})")
        if not value:
            raise ParseError(source, f"front matter: {key} is empty")
        if key in ("published", "updated"):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                raise ParseError(source, f"front matter: {key} must be an ISO 8601 date or date-time, "
                                         f"got {value!r}") from None
            moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone)
            if not in_range(moment):
                raise ParseError(source, f"front matter: {key} {value!r} is out of range ({DATE_RANGE})")
            values[key] = moment
        elif key == "topics":
            values[key] = tuple(slug.strip() for slug in value.split(",") if slug.strip())
        else:
            values[key] = value
    return ArticleMeta(**values)


def merge_meta(declared: ArticleMeta | None, front: ArticleMeta) -> ArticleMeta:
    """The front matter's fields, overridden field by field by what the config
    declares for the article: the operator has the last word."""
    if declared is None:
        return front
    chosen = {name: getattr(declared, name) for name in FRONT_MATTER_KEYS if getattr(declared, name) is not None}
    return replace(front, **chosen)


def parse_file_text(data: bytes, path: Path, config: SiteConfig, *, modified: datetime | None,
                    options: ParseOptions | None = None) -> Entry:
    """Decode and parse the bytes of the article file at ``path`` (which need not
    exist yet): front matter, then the text. Raises :class:`ParseError` naming it."""
    options = options or ParseOptions.from_config(config)
    text, decode_warnings = decode_article(data, source=str(path))
    front, text = split_front_matter(text)
    meta = merge_meta(config.articles.get(path.stem),
                      front_matter_meta(front, source=str(path), timezone=config.timezone))
    entry = parse_article(text, source=str(path), options=options, meta=meta, modified=modified)
    if decode_warnings:
        entry = replace(entry, warnings=(*decode_warnings, *entry.warnings))
    return entry
