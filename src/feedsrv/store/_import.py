"""``feedsrv import``: the article files of a directory into the database.

An article is keyed by its file name and compared by digest (of its name and
bytes, :func:`feedsrv.sources.file_digest`): a file whose digest the database
already holds is neither written nor parsed again, so a second import of the same
directory changes nothing. A new or changed file is parsed here, with the parser
the server uses, and stored with its entry, keyed by digest and parser version
(:func:`feedsrv.parsecache.parser_stamp`), so an instance starting from the
database reads entries instead of parsing them. Each file is one transaction,
which also logs the change, so an import that stops half-way leaves whole
articles behind and the next one picks up the rest.

A file declaring an id another stored article declares is skipped, as the
database's unique declared id (schema 4) refuses it. Importing adds and
updates; it never deletes an article whose file is missing from the directory,
since a directory may hold only some of the articles.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import psycopg
from psycopg.rows import TupleRow

from ..config import SiteConfig
from ..errors import ParseError
from ..model import Entry
from ..parse import ParseOptions, decode_article, parse_file_text, split_front_matter
from ..parsecache import dump_entry, parser_stamp
from ..sources import file_digest, is_article_name, modification_time, printable_path, read_article_file
from ..urls import article_path
from ._load import CHANNEL
from ._migrations import DECLARED_ID_CONSTRAINT


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


def import_articles(connection: psycopg.Connection[TupleRow], directory: Path,
                    config: SiteConfig) -> ImportReport:
    """Store the article files of ``directory`` that the database lacks or holds in
    another version; ``connection`` is in autocommit mode, on an upgraded schema."""
    stamp = parser_stamp(config)
    options = ParseOptions.from_config(config)
    stored = {name: _Stored(slug, digest, modified, deleted) for name, slug, digest, modified, deleted in
              connection.execute("SELECT name, slug, digest, modified, deleted IS NOT NULL FROM articles")}
    parsed = {digest for (digest,) in
              connection.execute("SELECT digest FROM parsed_entries WHERE parser = %s", (stamp,))}
    added: list[str] = []
    updated: list[str] = []
    reparsed: list[str] = []
    errors: list[str] = []
    warnings: list[str] = []
    unchanged = 0
    for name in _article_names(directory, errors):
        path = directory / name
        try:
            data, stat = read_article_file(path, config.max_article_bytes)
        except ParseError as exc:
            errors.append(f"{exc.path}: skipped: {exc.message}")
            continue
        digest = f"{file_digest(name, data):032x}"
        before = stored.get(name)
        same_text = before is not None and before.digest == digest and not before.deleted
        if same_text and digest in parsed:
            unchanged += 1
            continue
        # An unchanged text keeps the time it was first stored with, which an
        # undated article's entry depends on.
        modified = before.modified if before is not None and same_text else modification_time(stat)
        try:
            entry = parse_file_text(data, Path(name), config, modified=modified, options=options)
        except ParseError as exc:
            errors.append(f"{path}: skipped: {exc.message}")
            continue
        if same_text:
            _store_entry(connection, digest, stamp, entry)
            warnings.extend(entry.warnings)
            reparsed.append(name)
            continue
        try:
            with connection.transaction():
                _store_article(connection, name, data, digest, modified, entry)
                _store_entry(connection, digest, stamp, entry)
        except _SlugTaken as taken:
            errors.append(f"{path}: skipped: its URL {article_path(entry.slug)} is taken by {taken.holder}")
            continue
        except psycopg.errors.UniqueViolation as exc:
            if exc.diag.constraint_name != DECLARED_ID_CONSTRAINT:
                raise
            holder = connection.execute("SELECT name FROM articles WHERE declared_id = %s", (entry.id,)).fetchone()
            errors.append(f"{path}: skipped: its id {entry.id!r} is taken by {holder[0] if holder else 'another file'}")
            continue
        warnings.extend(entry.warnings)
        (updated if before is not None else added).append(name)
    return ImportReport(tuple(added), tuple(updated), tuple(reparsed), unchanged, tuple(errors), tuple(warnings))


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


def _store_article(connection: psycopg.Connection[TupleRow], name: str, data: bytes, digest: str,
                   modified: datetime | None, entry: Entry) -> None:
    text, _ = decode_article(data, source=name)
    front, _ = split_front_matter(text)
    number = connection.execute("SELECT nextval('change_numbers')").fetchone()
    assert number is not None
    row = connection.execute(_UPSERT, {
        "slug": entry.slug, "name": name, "source": data, "metadata": json.dumps(front, ensure_ascii=False),
        "digest": digest, "modified": modified, "change": number[0]}).fetchone()
    if row is None:
        holder = connection.execute("SELECT name FROM articles WHERE slug = %s", (entry.slug,)).fetchone()
        raise _SlugTaken(str(holder[0]) if holder else "another article")
    connection.execute("INSERT INTO changes (number, slug, kind) VALUES (%s, %s, 'put')", (number[0], entry.slug))
    # Delivered when the transaction commits, and only then: a listener never
    # reads the log before the change is in it.
    connection.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(number[0])))


def _store_entry(connection: psycopg.Connection[TupleRow], digest: str, stamp: str, entry: Entry) -> None:
    connection.execute("INSERT INTO parsed_entries (digest, parser, entry) VALUES (%s, %s, %s) "
                       "ON CONFLICT DO NOTHING", (digest, stamp, dump_entry(entry)))
