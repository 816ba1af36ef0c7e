"""``feedsrv import``: the article files of a directory into the database.

An article is keyed by its file name and compared by digest (of its name and
bytes, :func:`feedsrv.sources.file_digest`): a file whose digest the database
already holds is neither written nor parsed again, so a second import of the same
directory changes nothing. A new or changed file is parsed here, with the parser
the server uses, and stored with its entry, keyed by digest and parser version
(:func:`feedsrv.parsecache.parser_stamp`), so an instance starting from the
database reads entries instead of parsing them.

Files are read and parsed by one process per core (:mod:`feedsrv.pools`), as the
site build parses, and stored a page at a time: a page is one transaction, which
also logs its changes, so an import that stops half-way leaves whole articles
behind and the next one picks up the rest. A page in which a slug turns out to be
taken is stored again article by article, so only that article is skipped.

A file declaring an id another stored article declares is skipped, as the
database's unique declared id (schema 4) refuses it. Importing adds and
updates; it never deletes an article whose file is missing from the directory,
since a directory may hold only some of the articles.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import psycopg
from psycopg.rows import TupleRow

from ..config import SiteConfig
from ..errors import ParseError
from ..parse import ParseOptions, decode_article, parse_file_text, split_front_matter
from ..parsecache import dump_entry, parser_stamp
from ..pools import chunks, map_shared, process_count
from ..sources import file_digest, is_article_name, modification_time, printable_path, read_article_file
from ..urls import article_path
from ._load import CHANNEL
from ._migrations import DECLARED_ID_CONSTRAINT

log = logging.getLogger(__name__)

# As for the site build: fewer files than this per process are parsed in this one,
# as starting a process costs about as much as parsing them.
_MIN_FILES_PER_PROCESS = 200
# Files per task of a parsing process: few, large messages, yet enough tasks to
# even out the processes' load and to start storing before the last is parsed.
_CHUNK = 250
# Articles per transaction: one commit per article made an import wait on the
# server's round trips more than on parsing; a page bounds the work a slug taken
# by another writer makes this import store again one by one.
_PAGE = 500


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did, by file name: ``errors`` name files that were skipped,
    ``warnings`` files stored with a degraded entry; ``reparsed`` are unchanged
    articles whose entry was missing for this parser, now stored."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    reparsed: tuple[str, ...]
    unchanged: int
    errors: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def wrote_anything(self) -> bool:
        """Whether the import inserted or updated any row."""
        return bool(self.added or self.updated or self.reparsed)


class _Stored(NamedTuple):
    slug: str
    digest: str
    modified: datetime | None
    deleted: bool


class _Known(NamedTuple):
    """What the parsing processes compare each file with: the database's rows."""

    config: SiteConfig
    directory: Path
    stored: Mapping[str, _Stored]
    parsed: frozenset[str]


class _Parsed(NamedTuple):
    """A file to store: its row's fields and its entry, pickled by the process that
    parsed it (``source`` is None when only the entry is missing)."""

    name: str
    slug: str
    digest: str
    modified: datetime | None
    source: bytes | None
    metadata: str
    entry: bytes
    warnings: tuple[str, ...]


# What a file gave: to store, unchanged (None), or skipped (the error message).
_Outcome = _Parsed | str | None


class _SlugTaken(Exception):
    """The article's slug is another file's: its transaction is rolled back."""

    def __init__(self, holder: str) -> None:
        self.holder = holder


_UPSERT = """
INSERT INTO articles (slug, name, source, metadata, digest, modified, change)
VALUES (%(slug)s, %(name)s, %(source)s, %(metadata)s, %(digest)s, %(modified)s, %(change)s)
ON CONFLICT (slug) DO UPDATE SET
    source = EXCLUDED.source, metadata = EXCLUDED.metadata, digest = EXCLUDED.digest,
    modified = EXCLUDED.modified, updated = now(), deleted = NULL, change = EXCLUDED.change
WHERE articles.name = EXCLUDED.name
RETURNING slug
"""
_CHANGE = "INSERT INTO changes (number, slug, kind) VALUES (%s, %s, 'put')"
_ENTRY = "INSERT INTO parsed_entries (digest, parser, entry) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING"


def import_articles(connection: psycopg.Connection[TupleRow], directory: Path,
                    config: SiteConfig) -> ImportReport:
    """Store the article files of ``directory`` that the database lacks or holds in
    another version; ``connection`` is in autocommit mode, on an upgraded schema."""
    stamp = parser_stamp(config)
    stored = {name: _Stored(slug, digest, modified, deleted) for name, slug, digest, modified, deleted in
              connection.execute("SELECT name, slug, digest, modified, deleted IS NOT NULL FROM articles")}
    parsed = frozenset(digest for (digest,) in
                       connection.execute("SELECT digest FROM parsed_entries WHERE parser = %s", (stamp,)))
    errors: list[str] = []
    names = _article_names(directory, errors)
    known = _Known(config, directory, stored, parsed)
    report = _Tally(directory, errors)
    page: list[_Parsed] = []
    for outcome in _outcomes(known, names):
        if outcome is None:
            report.unchanged += 1
        elif isinstance(outcome, str):
            errors.append(outcome)
        else:
            page.append(outcome)
            if len(page) >= _PAGE:
                _store_page(connection, stamp, page, stored, report)
                page = []
    if page:
        _store_page(connection, stamp, page, stored, report)
    return ImportReport(tuple(report.added), tuple(report.updated), tuple(report.reparsed), report.unchanged,
                        tuple(errors), tuple(report.warnings))


class _Tally:
    """The report being made, page by page."""

    def __init__(self, directory: Path, errors: list[str]) -> None:
        self.directory = directory
        self.added: list[str] = []
        self.updated: list[str] = []
        self.reparsed: list[str] = []
        self.unchanged = 0
        self.errors = errors
        self.warnings: list[str] = []


def _article_names(directory: Path, errors: list[str]) -> list[str]:
    """The names of the article files in ``directory``, sorted; names that are not
    UTF-8 go to ``errors``, as a slug must be text."""
    with os.scandir(directory) as found:
        names = sorted(item.name for item in found if is_article_name(item.name))
    usable = []
    for name in names:
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            errors.append(f"{printable_path(str(directory / name))}: skipped: the file name is not UTF-8; "
                          "rename the file")
            continue
        usable.append(name)
    return usable


def _outcomes(known: _Known, names: list[str]) -> Iterator[_Outcome]:
    """What each of ``names`` gave, in order: read and parsed by one process per core
    when there are many, else in this one."""
    parts = chunks(names, _CHUNK)
    processes = process_count(known.config, len(names), per_process=_MIN_FILES_PER_PROCESS)
    done = 0
    if processes > 1:
        try:
            for outcomes in map_shared(_read_chunk, known, parts, processes):
                done += 1
                yield from outcomes
        except BrokenProcessPool:
            # As for the site build (sources.read_articles): the processes could not
            # start; the files left are read here, those done are not read again.
            log.warning("parsing %d articles in one process: the parsing processes could not start",
                        len(names) - done * _CHUNK)
    for part in parts[done:]:
        yield from _read_chunk(known, part)


def _read_chunk(known: _Known, names: Sequence[str]) -> list[_Outcome]:
    """What each of ``names`` gave: a parsing process's task."""
    options = ParseOptions.from_config(known.config)
    return [_read_one(known, name, options) for name in names]


def _read_one(known: _Known, name: str, options: ParseOptions) -> _Outcome:
    path = known.directory / name
    try:
        data, stat = read_article_file(path, known.config.max_article_bytes)
    except ParseError as exc:
        return f"{exc.path}: skipped: {exc.message}"
    digest = f"{file_digest(name, data):032x}"
    before = known.stored.get(name)
    same_text = before is not None and before.digest == digest and not before.deleted
    if same_text and digest in known.parsed:
        return None
    # An unchanged text keeps the time it was first stored with, which an
    # undated article's entry depends on.
    modified = before.modified if before is not None and same_text else modification_time(stat)
    try:
        entry = parse_file_text(data, Path(name), known.config, modified=modified, options=options)
    except ParseError as exc:
        return f"{path}: skipped: {exc.message}"
    metadata = ""
    if not same_text:
        text, _ = decode_article(data, source=name)
        front, _ = split_front_matter(text)
        metadata = json.dumps(front, ensure_ascii=False)
    return _Parsed(name, entry.slug, digest, modified, None if same_text else data, metadata, dump_entry(entry),
                   entry.warnings)


def _store_page(connection: psycopg.Connection[TupleRow], stamp: str, page: list[_Parsed],
                stored: Mapping[str, _Stored], report: _Tally) -> None:
    """Store ``page`` in one transaction, else (a slug was taken) article by article."""
    articles = [item for item in page if item.source is not None]
    try:
        with connection.transaction(), connection.cursor() as cursor:
            if articles:
                numbers = [number for (number,) in cursor.execute(
                    "SELECT nextval('change_numbers') FROM generate_series(1, %s)", (len(articles),))]
                numbered = list(zip(articles, numbers, strict=True))
                cursor.executemany(_UPSERT, [_row(item, number) for item, number in numbered], returning=True)
                if not _every_set_has_a_row(cursor):
                    raise _SlugTaken("")
                cursor.executemany(_CHANGE, [(number, item.slug) for item, number in numbered])
                # Delivered when the transaction commits, and only then: a listener
                # never reads the log before the changes are in it.
                cursor.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(max(numbers))))
            cursor.executemany(_ENTRY, [(item.digest, stamp, item.entry) for item in page])
    except (_SlugTaken, psycopg.errors.UniqueViolation) as exc:
        if isinstance(exc, psycopg.errors.UniqueViolation) and exc.diag.constraint_name != DECLARED_ID_CONSTRAINT:
            raise
        for item in page:
            _store_one(connection, stamp, item, stored, report)
        return
    for item in page:
        _count(item, stored, report)


def _every_set_has_a_row(cursor: psycopg.Cursor[TupleRow]) -> bool:
    """Whether each statement of an ``executemany(..., returning=True)`` returned a row."""
    every = True
    while True:
        every = every and cursor.fetchone() is not None
        if not cursor.nextset():
            return every


def _store_one(connection: psycopg.Connection[TupleRow], stamp: str, item: _Parsed,
               stored: Mapping[str, _Stored], report: _Tally) -> None:
    """Store one article in a transaction of its own; a slug taken skips it."""
    try:
        with connection.transaction():
            if item.source is not None:
                number = connection.execute("SELECT nextval('change_numbers')").fetchone()
                assert number is not None
                if connection.execute(_UPSERT, _row(item, number[0])).fetchone() is None:
                    holder = connection.execute("SELECT name FROM articles WHERE slug = %s",
                                                (item.slug,)).fetchone()
                    raise _SlugTaken(str(holder[0]) if holder else "another article")
                connection.execute(_CHANGE, (number[0], item.slug))
                connection.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(number[0])))
            connection.execute(_ENTRY, (item.digest, stamp, item.entry))
    except _SlugTaken as taken:
        report.errors.append(f"{report.directory / item.name}: skipped: its URL {article_path(item.slug)} "
                             f"is taken by {taken.holder}")
        return
    except psycopg.errors.UniqueViolation as exc:
        if exc.diag.constraint_name != DECLARED_ID_CONSTRAINT:
            raise
        declared = str(json.loads(item.metadata or "{}").get("id", "")).strip()
        holder = connection.execute("SELECT name FROM articles WHERE declared_id = %s", (declared,)).fetchone()
        report.errors.append(f"{report.directory / item.name}: skipped: its id {declared!r} is taken by "
                             f"{holder[0] if holder else 'another file'}")
        return
    _count(item, stored, report)


def _row(item: _Parsed, number: int) -> dict[str, Any]:
    return {"slug": item.slug, "name": item.name, "source": item.source, "metadata": item.metadata,
            "digest": item.digest, "modified": item.modified, "change": number}


def _count(item: _Parsed, stored: Mapping[str, _Stored], report: _Tally) -> None:
    report.warnings.extend(item.warnings)
    if item.source is None:
        report.reparsed.append(item.name)
    else:
        (report.updated if item.name in stored else report.added).append(item.name)
