"""Writing article files so that no reader ever sees half of one.

A new version goes to a temporary dotfile in the articles directory (which the
loader and the watcher ignore), is flushed to disk, then renamed over the article:
a rename within one directory is atomic, so the watcher, a request and a crash all
see the old file or the new one. Syncing the directory makes the rename itself
survive a power cut before the API acknowledges it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path

from .atomic import atomic_write, sync_directory
from .config import MAX_SLUG_LENGTH, slugify
from .sources import ARTICLE_SUFFIX

TEMPORARY_PREFIX = ".feedsrv-"
TEMPORARY_SUFFIX = ".tmp"
# Slugs made from titles: long enough to be descriptive, short enough for a readable URL.
TITLE_SLUG_LENGTH = 80


def write_atomically(target: Path, data: bytes) -> None:
    """Replace ``target`` with ``data``: durable and all-or-nothing once this returns."""
    # Articles are public; the temporary name is one remove_stale_temporaries finds.
    with atomic_write(target, durable=True, mode=0o644, prefix=TEMPORARY_PREFIX, suffix=TEMPORARY_SUFFIX) as stream:
        stream.write(data)


def remove_durably(target: Path) -> None:
    """Delete ``target`` and make the deletion durable."""
    target.unlink()
    sync_directory(target.parent)


def remove_stale_temporaries(directory: Path) -> list[Path]:
    """Delete temporary files a killed writer left in ``directory``; return them.

    They never hold an acknowledged article (an article is acknowledged after its
    rename), so nothing is lost.
    """
    removed = []
    for path in directory.glob(f"{TEMPORARY_PREFIX}*{TEMPORARY_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(path)
    return removed


def article_file(directory: Path, slug: str) -> Path:
    """The file a new article with URL slug ``slug`` is written to."""
    return directory / f"{slug}{ARTICLE_SUFFIX}"


def slug_from_title(title: str) -> str:
    """A URL slug for an article titled ``title``: at most :data:`TITLE_SLUG_LENGTH`
    characters, cut at a hyphen; ``article`` when the title has no Latin letters or
    digits."""
    slug = slugify(title)
    if len(slug) > TITLE_SLUG_LENGTH:
        slug = slug[:TITLE_SLUG_LENGTH + 1].rsplit("-", 1)[0] or slug[:TITLE_SLUG_LENGTH]
    return slug or "article"


def unique_slug(slug: str, taken: Iterable[str]) -> str:
    """``slug``, or ``slug-2``, ``slug-3``, … when it is taken; a slug that a suffix
    would take past :data:`MAX_SLUG_LENGTH` is shortened to make room."""
    taken = set(taken)
    candidate, number = slug, 1
    while candidate in taken:
        number += 1
        suffix = f"-{number}"
        candidate = slug[:MAX_SLUG_LENGTH - len(suffix)].rstrip("-") + suffix
    return candidate


def is_slug(text: str) -> bool:
    """Whether ``text`` is a slug feedsrv would make: lower-case ASCII letters, digits
    and single inner hyphens, at most :data:`MAX_SLUG_LENGTH` characters."""
    return 0 < len(text) <= MAX_SLUG_LENGTH and slugify(text) == text
