"""Reading the articles directory: files in, entries and per-file problems out."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from .config import SiteConfig
from .errors import ConfigError, ParseError
from .model import Entry
from .parser import ParseOptions, decode_article, parse_article

ARTICLE_SUFFIX = ".txt"


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What a pass over the articles directory produced.

    ``errors`` name files that were skipped; ``warnings`` name files that were used
    but degraded (a guessed encoding, a missing date). Each message starts with the
    file's path.
    """

    entries: tuple[Entry, ...]
    errors: tuple[str, ...]
    warnings: tuple[str, ...]


def article_paths(directory: Path) -> list[Path]:
    """Article files in ``directory``, sorted by name.

    Dotfiles and editor leftovers are not articles: they are half-written or hidden
    on purpose.
    """
    if not directory.is_dir():
        raise ConfigError("site.articles_dir", f"not a directory: {directory}")
    return sorted(
        path for path in directory.iterdir()
        if path.suffix == ARTICLE_SUFFIX and not path.name.startswith((".", "~")) and path.is_file()
    )


def load_article(path: Path, config: SiteConfig, options: ParseOptions | None = None) -> Entry:
    """Read, decode and parse one article file; raise :class:`ParseError` naming it."""
    options = options or ParseOptions.from_config(config)
    try:
        stat = path.stat()
        if stat.st_size > config.max_article_bytes:
            raise ParseError(path, f"file is {stat.st_size} bytes, over the limit of "
                                   f"{config.max_article_bytes} (site.max_article_bytes)")
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(path, f"cannot read: {exc.strerror or exc}") from None
    text, decode_warnings = decode_article(data, source=str(path))
    modified = datetime.fromtimestamp(int(stat.st_mtime), tz=UTC)
    entry = parse_article(text, source=str(path), options=options,
                          meta=config.articles.get(path.stem), modified=modified)
    if decode_warnings:
        entry = replace(entry, warnings=(*decode_warnings, *entry.warnings))
    return entry


def load_articles(config: SiteConfig) -> LoadResult:
    """Parse every article in ``config.articles_dir``.

    A bad file never stops the others: it is skipped and reported in ``errors``.
    """
    options = ParseOptions.from_config(config)
    entries: list[Entry] = []
    errors: list[str] = []
    warnings: list[str] = []
    seen_slugs: dict[str, Path] = {}
    for path in article_paths(config.articles_dir):
        try:
            entry = load_article(path, config, options)
        except ParseError as exc:
            errors.append(f"{exc.path}: skipped: {exc.message}")
            continue
        if entry.slug in seen_slugs:
            errors.append(f"{path}: skipped: its URL /articles/{entry.slug} is taken by "
                          f"{seen_slugs[entry.slug]}")
            continue
        seen_slugs[entry.slug] = path
        entries.append(entry)
        warnings.extend(entry.warnings)
    return LoadResult(entries=tuple(entries), errors=tuple(errors), warnings=tuple(warnings))
