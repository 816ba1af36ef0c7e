"""Reading the articles directory: files in, entries and per-file problems out.

A pass can start from the previous pass's result: a file whose modification time,
size and inode are unchanged keeps its entry without being read again, so a reload
after one edit parses one file. The first pass of a process starts from the parse
cache (:mod:`feedsrv.parsecache`), so a restart parses only what changed since the
last; many files to read are parsed by one process per core.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import gc
import hashlib
import logging
import operator
import os
import stat as stat_module
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

from .config import SiteConfig, in_range
from .errors import ConfigError, ParseError
from .model import Entry, reduce_fields
from .parse import ParseOptions, parse_file_text
from .parsecache import read_cache, write_cache
from .pools import chunks, map_shared, process_count
from .urls import article_path


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a history is read or built: reading a
    cache or the database's entries, or parsing a large history, makes millions of
    objects, none of them garbage, and the collections they set off took much of the
    time; a reload's copies of the indexes (a reference per entry each) made every
    collection walk them (docs/benchmarks.md, "Start-up", "Incremental update" and
    "Shared store")."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

log = logging.getLogger(__name__)

ARTICLE_SUFFIX = ".txt"

# A spawned process of the parsing pool imports the parser before it starts, which
# takes as long as parsing a few hundred articles (docs/benchmarks.md, "Figures
# quoted from code comments"): fewer files than this per process are parsed in this
# one.
_MIN_FILES_PER_PROCESS = 200
_MAX_CHUNK = 500
# Up to this many entries removed at once, they are filtered out one by one.
_FEW_REMOVED = 8



@dataclass(frozen=True, slots=True)
class FileState:
    """What one article file gave when it was last read.

    ``key`` (modification time in ns, size, inode) tells whether the file changed
    since. ``entry`` is what the file contributes: its parsed contents, or, when the
    current contents are unusable (``error``), the last entry it gave, so a broken
    save never takes a published article down. ``digest`` is a digest of the name
    and bytes ``entry`` was read from.
    """

    key: tuple[int, int, int]
    entry: Entry | None
    error: str | None = None
    digest: int = 0

    __reduce__ = reduce_fields


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What a pass over the articles directory produced.

    ``entries`` are in no particular order. ``errors`` name files that were
    skipped; ``warnings`` name files that were used but degraded (a guessed
    encoding, a missing date, a broken edit of a published article). Each message
    starts with the file's path. ``files`` is the per-file state the next pass starts
    from; ``parsed`` names the files this pass read. ``slugs`` names the file each
    served slug comes from, ``ids`` the file each served entry id comes from;
    ``contested`` holds the slugs and ids more than one file claims.
    ``changes``, for a pass that looked at a few files only, holds the entries it
    stopped and started serving, so what follows costs what changed.
    ``fingerprint`` tells apart every set of served article files (names and bytes):
    instances serving the same files with the same feedsrv show the same one.
    """

    entries: tuple[Entry, ...]
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    files: MappingProxyType[str, FileState] = field(default_factory=lambda: MappingProxyType({}), compare=False)
    parsed: tuple[str, ...] = field(default=(), compare=False)
    slugs: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}), compare=False)
    ids: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}), compare=False)
    contested: frozenset[str] = field(default=frozenset(), compare=False)
    changes: EntryChanges | None = field(default=None, compare=False)
    fingerprint: str = field(default=f"{0:032x}", compare=False)


@dataclass(frozen=True, slots=True)
class EntryChanges:
    """Entries a pass stopped serving and those it started serving."""

    removed: tuple[Entry, ...]
    added: tuple[Entry, ...]


def is_article_name(name: str) -> bool:
    """Whether a file called ``name`` is an article: ``*.txt``, and not a dotfile or
    an editor's leftover (``~`` backups, ``#autosave#``), which are hidden on purpose
    or half-written. Swap, temporary and partial files (``.swp``, ``.tmp``, ``.part``,
    vim's ``4913`` probe) never end in ``.txt``."""
    return name.endswith(ARTICLE_SUFFIX) and not name.startswith((".", "~", "#"))


def printable_path(path: str) -> str:
    """``path`` as it can be printed: the bytes of a name that is not UTF-8 (which
    :func:`os.fsdecode` turns into lone surrogates, which no stream can write) shown
    as ``\\xe9`` escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _file_key(stat: os.stat_result) -> tuple[int, int, int]:
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


def _scan(directory: Path) -> dict[str, tuple[int, int, int]]:
    """The key of every article file in ``directory``, by path, sorted by name.

    Keys are taken before reading: a write landing after it changes the key, so the
    next pass reads the file again rather than keeping a stale entry. Links and
    other files that are not regular have a key too (of their own, not of what a
    link points to): reading refuses them, with a message naming them.
    """
    if not directory.is_dir():
        raise ConfigError("site.articles_dir", f"not a directory: {directory}")
    keys = {}
    with os.scandir(directory) as found:
        candidates = sorted((item.name, item.path) for item in found if is_article_name(item.name))
    for _, path in candidates:
        try:
            keys[path] = _file_key(os.lstat(path))
        except FileNotFoundError:
            continue  # deleted since the directory was listed
    return keys


def load_article(path: Path, config: SiteConfig, options: ParseOptions | None = None) -> Entry:
    """Read, decode and parse one article file; raise :class:`ParseError` naming it."""
    return _load_article(path, config, options)[0]


def _load_article(path: Path, config: SiteConfig, options: ParseOptions | None) -> tuple[Entry, int]:
    """The entry of the file at ``path`` and the digest of its name and bytes."""
    if not _is_utf8(path.name):
        # Its stem would be the entry's slug and id, which must be text.
        raise ParseError(printable_path(str(path)), "the file name is not UTF-8; rename the file")
    data, stat = read_article_file(path, config.max_article_bytes)
    entry = parse_file_text(data, path, config, options=options, modified=modification_time(stat))
    return entry, file_digest(path.name, data)


def file_digest(name: str, data: bytes) -> int:
    """A digest of an article file's name and bytes, which are all its entry depends
    on besides the parser, its settings and, for an undated article, the file's time."""
    digest = hashlib.blake2b(name.encode("utf-8", "surrogateescape") + b"\0", digest_size=16)
    digest.update(data)
    return int.from_bytes(digest.digest(), "big")


def modification_time(stat: os.stat_result) -> datetime | None:
    """The file's modification time, or None when it is outside the dates feeds
    can carry (``touch -d 1800-01-01``): such a time says nothing about the article."""
    try:
        moment = datetime.fromtimestamp(int(stat.st_mtime), tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return moment if in_range(moment) else None


def read_article_file(path: Path, limit: int) -> tuple[bytes, os.stat_result]:
    """The bytes of the article file at ``path`` and its status, read from one open
    file: raise :class:`ParseError` naming it if it holds more than ``limit`` bytes,
    is a symbolic link, or is not a regular file.

    A link is never followed, wherever it points: whoever can put a file in the
    articles directory could otherwise publish any file feedsrv can read. Opening
    does not wait on a FIFO, and the limit applies to the bytes read, since a file's
    reported size may be less than what it gives (0 for /proc files).
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ParseError(path, "a symbolic link, which feedsrv does not follow") from None
        raise ParseError(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        stat = os.fstat(descriptor)
        if not stat_module.S_ISREG(stat.st_mode):
            raise ParseError(path, f"not a regular file ({_file_kind(stat.st_mode)})")
        with open(descriptor, "rb", closefd=False) as stream:
            data = stream.read(limit + 1)
    except OSError as exc:
        raise ParseError(path, f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise ParseError(path, f"file is over the limit of {limit} bytes (site.max_article_bytes)")
    return data, stat


def _file_kind(mode: int) -> str:
    kinds = ((stat_module.S_ISDIR, "a directory"), (stat_module.S_ISFIFO, "a FIFO"),
             (stat_module.S_ISSOCK, "a socket"), (stat_module.S_ISCHR, "a character device"),
             (stat_module.S_ISBLK, "a block device"))
    return next((kind for is_kind, kind in kinds if is_kind(mode)), "of an unknown kind")


def load_articles(config: SiteConfig, previous: LoadResult | None = None, *,
                  changed: Iterable[str] | None = None) -> LoadResult:
    """Parse every article in ``config.articles_dir``.

    With ``previous`` (a result of the same config), only files added or changed
    since are read; when none was added, changed or removed, ``previous`` itself is
    returned. With ``changed`` too (the paths file-system events named), only those
    files are looked at, so a reload after one edit costs one file, not a scan of
    the whole directory. Without ``previous``, the parse cache (``site.parse_cache``)
    plays its part, and is written anew when a file had to be read.

    A bad file never stops the others: it is skipped and reported in ``errors``,
    unless it gave an entry before, which is kept with a warning.
    """
    if previous is not None and changed is not None:
        return _load_changed(config, previous, changed)
    earlier = previous.files if previous is not None else read_cache(config)
    keys = _scan(config.articles_dir)
    # Files to read, with their key and their previous state.
    pending: dict[str, tuple[tuple[int, int, int], FileState | None]] = {}
    states: dict[str, FileState] = {}
    for name, key in keys.items():
        before = earlier.get(name)
        if before is not None and before.key == key:
            states[name] = before
        else:
            pending[name] = (key, before)
    for name, outcome in zip(pending, read_articles(list(pending), config), strict=True):
        states[name] = _file_state(*pending[name], outcome)
    # In directory order, which settles slug conflicts.
    files = {name: states[name] for name in keys}
    parsed = list(pending)
    # A pass that read a few files of many leaves the cache as it is: the next
    # start-up reads those few again, rather than this one writing the whole
    # history (seconds at a large one: docs/benchmarks.md, "Start-up") for them.
    if parsed and len(parsed) >= max(1, min(_MIN_FILES_PER_PROCESS, len(files) // 10)):
        write_cache(config, files)
    if previous is not None and not parsed and files.keys() == earlier.keys():
        return previous
    return _collect(files, parsed)


def _load_changed(config: SiteConfig, previous: LoadResult, changed: Iterable[str]) -> LoadResult:
    """``previous`` with the files at the ``changed`` paths looked at again: read when
    added or changed, dropped when gone. Every other file keeps its state unlooked."""
    directory = config.articles_dir
    if not directory.is_dir():
        raise ConfigError("site.articles_dir", f"not a directory: {directory}")
    keys: dict[str, tuple[int, int, int] | None] = {}  # None: no longer an article file
    for changed_path in changed:
        name = os.path.basename(changed_path)
        if is_article_name(name):
            path = os.path.join(directory, name)
            try:
                # As in _scan: a link or a FIFO is there, and reading refuses it.
                keys[path] = _file_key(os.lstat(path))
            except OSError:
                keys[path] = None
    pending = {path: (key, previous.files.get(path)) for path, key in keys.items()
               if key is not None and (path not in previous.files or previous.files[path].key != key)}
    gone = [path for path, key in keys.items() if key is None and path in previous.files]
    if not pending and not gone:
        return previous
    # copy() of a mapping proxy copies the dict behind it in one go; dict(proxy)
    # looks up every key (docs/benchmarks.md, "Incremental update").
    files = previous.files.copy()
    for path in gone:
        del files[path]
    new_names = [path for path in pending if path not in files]
    for path, outcome in zip(pending, read_articles(list(pending), config), strict=True):
        files[path] = _file_state(*pending[path], outcome)
    if new_names:
        # Back in directory order (every path has the same directory).
        files = {path: files[path] for path in sorted(files)}
    parsed = list(pending)
    return (_collect_changes(previous, files, [*pending, *gone], parsed)
            or _collect(files, parsed))


def _file_state(key: tuple[int, int, int], before: FileState | None,
                outcome: tuple[Entry, int] | str) -> FileState:
    if isinstance(outcome, str):
        # Unusable now: the last good entry, if any, stays.
        if before is None:
            return FileState(key, None, outcome)
        return FileState(key, before.entry, outcome, before.digest)
    entry, digest = outcome
    return FileState(key, entry, None, digest)


def read_articles(paths: list[str], config: SiteConfig) -> list[tuple[Entry, int] | str]:
    """Read and parse the files at ``paths``: for each, its entry and the digest of
    its name and bytes, or the message of the :class:`ParseError` it raised, in the
    order given.

    Many files are parsed by a pool of processes (:mod:`feedsrv.pools`), one per core
    (``site.build_processes``).
    """
    processes = process_count(config, len(paths), per_process=_MIN_FILES_PER_PROCESS)
    if processes <= 1:
        return _read_chunk(config, paths)
    # Chunks of a few hundred files keep the processes' messages few and large, and
    # several chunks per process even out the load when some files are longer.
    parts = chunks(paths, max(1, min(_MAX_CHUNK, -(-len(paths) // (processes * 8)))))
    try:
        return [outcome for part in map_shared(_read_chunk, config, parts, processes) for outcome in part]
    except BrokenProcessPool:
        # A spawned process imports the main module again, which fails for a script
        # read from standard input or one that starts work on import (no
        # `if __name__ == "__main__":`): the articles are still read, in this process.
        log.warning("parsing %d articles in one process: the parsing processes could not start", len(paths))
        return _read_chunk(config, paths)


def _read_chunk(config: SiteConfig, paths: Sequence[str]) -> list[tuple[Entry, int] | str]:
    options = ParseOptions.from_config(config)
    outcomes: list[tuple[Entry, int] | str] = []
    for name in paths:
        try:
            outcomes.append(_load_article(Path(name), config, options))
        except ParseError as exc:
            outcomes.append(exc.message)
    return outcomes


def collect_states(files: dict[str, FileState], parsed: list[str], *, previous: LoadResult | None = None,
                   changed: Sequence[str] = ()) -> LoadResult:
    """The result of a pass that left ``files`` (by path, in the order that settles
    slug and id conflicts) after reading the ``parsed`` paths: for loaders other than
    the directory's, such as the database's. With ``previous`` and ``changed`` (the
    paths whose states may differ from ``previous``'s), it is made from those alone
    when it can, as a reload of a few files is."""
    if previous is not None:
        return _collect_changes(previous, files, list(changed), parsed) or _collect(files, parsed)
    return _collect(files, parsed)


def _collect(files: dict[str, FileState], parsed: list[str]) -> LoadResult:
    entries: list[Entry] = []
    errors: list[str] = []
    warnings: list[str] = []
    slugs: dict[str, str] = {}
    ids: dict[str, str] = {}
    contested: set[str] = set()
    for path, state in files.items():
        if state.entry is None:
            errors.append(f"{printable_path(path)}: skipped: {state.error}")
            continue
        entry = state.entry
        # The first file in directory order keeps the slug and the id: two entries
        # with one id would be one entry to every reader.
        conflict = _conflict(entry, slugs, ids)
        if conflict:
            contested.update((entry.slug, entry.id))
            errors.append(f"{path}: skipped: {conflict}")
            continue
        slugs[entry.slug] = path
        ids[entry.id] = path
        entries.append(entry)
        warnings.extend(_messages(path, state))
    fingerprint = sum(files[path].digest for path in slugs.values())
    return LoadResult(entries=tuple(entries), errors=tuple(errors), warnings=tuple(warnings),
                      files=MappingProxyType(files), parsed=tuple(parsed), slugs=MappingProxyType(slugs),
                      ids=MappingProxyType(ids), contested=frozenset(contested),
                      fingerprint=_fingerprint(fingerprint))


def _conflict(entry: Entry, slugs: Mapping[str, str], ids: Mapping[str, str]) -> str | None:
    """Why ``entry`` cannot be served beside the files that hold ``slugs`` and ``ids``."""
    if entry.slug in slugs:
        return f"its URL {article_path(entry.slug)} is taken by {slugs[entry.slug]}"
    if entry.id in ids:
        return f"its id {entry.id!r} is taken by {ids[entry.id]}"
    return None


def _fingerprint(total: int) -> str:
    # A sum of the served files' digests: one change updates it at the cost of one file.
    return f"{total % (1 << 128):032x}"


def _messages(path: str, state: FileState) -> list[str]:
    """The warnings of a file whose entry is served."""
    assert state.entry is not None
    messages = list(state.entry.warnings)
    if state.error is not None:
        messages.insert(0, f"{path}: unusable, still serving its last good version: {state.error}")
    return messages


def _collect_changes(previous: LoadResult, files: dict[str, FileState], changed: list[str],
                     parsed: list[str]) -> LoadResult | None:
    """What :func:`_collect` would make of ``files``, from ``previous`` and the states
    of the ``changed`` paths alone; None when a changed file takes part in a slug or
    id conflict, whose outcome depends on files in between (collect them all then)."""
    slugs, ids = previous.slugs.copy(), previous.ids.copy()
    served_before: dict[str, Entry] = {}
    for path in changed:
        before = previous.files.get(path)
        if before is not None and before.entry is not None:
            if {before.entry.slug, before.entry.id} & previous.contested:
                return None
            if previous.slugs.get(before.entry.slug) == path:
                served_before[path] = before.entry
                del slugs[before.entry.slug]
                del ids[before.entry.id]
    served_now: dict[str, Entry] = {}
    for path in changed:
        state = files.get(path)
        if state is not None and state.entry is not None:
            if _conflict(state.entry, slugs, ids):
                return None
            slugs[state.entry.slug] = path
            ids[state.entry.id] = path
            served_now[path] = state.entry
    removed = [entry for path, entry in served_before.items() if served_now.get(path) is not entry]
    added = [entry for path, entry in served_now.items() if served_before.get(path) is not entry]
    entries = (*_without_entries(previous.entries, removed), *added)
    prefixes = tuple(f"{printable_path(path)}: " for path in changed)
    errors = [message for message in previous.errors if not message.startswith(prefixes)]
    warnings = [message for message in previous.warnings if not message.startswith(prefixes)]
    for path in changed:
        state = files.get(path)
        if state is None:
            continue
        if path in served_now:
            warnings.extend(_messages(path, state))
        else:
            errors.append(f"{printable_path(path)}: skipped: {state.error}")
    fingerprint = (int(previous.fingerprint, 16) - sum(previous.files[path].digest for path in served_before)
                   + sum(files[path].digest for path in served_now))
    return LoadResult(entries=entries, errors=tuple(errors), warnings=tuple(warnings),
                      files=MappingProxyType(files), parsed=tuple(parsed), slugs=MappingProxyType(slugs),
                      ids=MappingProxyType(ids), contested=previous.contested,
                      changes=EntryChanges(tuple(removed), tuple(added)),
                      fingerprint=_fingerprint(fingerprint))


def _without_entries(entries: tuple[Entry, ...], removed: list[Entry]) -> tuple[Entry, ...]:
    """``entries`` less the very objects in ``removed``."""
    if len(removed) <= _FEW_REMOVED:
        # A filter with a C predicate per removed entry, well ahead of a Python loop
        # over a large history (docs/benchmarks.md, "Figures quoted from code comments").
        for entry in removed:
            entries = tuple(filter(functools.partial(operator.is_not, entry), entries))
        return entries
    gone = {id(entry) for entry in removed}
    return tuple(entry for entry in entries if id(entry) not in gone)
