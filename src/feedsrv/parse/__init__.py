"""Parsing articles: the bytes of an article file in, an :class:`~feedsrv.model.Entry` out.

The one entry point of the parse step. An article file is UTF-8 text (other
encodings are guessed, with a warning), optionally opened by a front matter block of
metadata, then the article as copied from a news page; :func:`parse_file_text` reads
a whole file, :func:`parse_article` the text alone. Everything else in this package
is private: ``_text`` decodes and normalizes, ``_dates`` reads stated dates, ``_people``
the names of people and organizations, ``_bylines`` bylines, ``_outlets`` the lines that
name the publication and ``_outlet_choice`` which of them wins, ``_datelines`` date
lines and datelines, ``_captions`` captions and credits, ``_references`` cited sources,
``_furniture`` what is no part of the story; ``_lead`` finds where the story starts
(``_headline`` weighs lines with a learned model, which ``python -m
feedsrv.parse.train`` retrains), ``_prose`` tells prose from furniture and derives
titles and summaries, ``_reading`` sorts the paragraphs in one pass, ``_article``
assembles the entry, ``_files`` reads front matter.
Nothing here does I/O but read the packaged model; every failure is a :class:`~feedsrv.errors.ParseError`.
"""

from ._article import MAX_AUTHORS, MAX_NAME_LENGTH, ParseOptions, parse_article
from ._files import (
    FRONT_MATTER_KEYS,
    format_front_matter,
    front_matter_meta,
    merge_meta,
    parse_file_text,
    split_front_matter,
    unsafe_character,
)
from ._text import decode_article

__all__ = [
    "FRONT_MATTER_KEYS",
    "MAX_AUTHORS",
    "MAX_NAME_LENGTH",
    "ParseOptions",
    "decode_article",
    "format_front_matter",
    "front_matter_meta",
    "merge_meta",
    "parse_article",
    "parse_file_text",
    "split_front_matter",
    "unsafe_character",
]
