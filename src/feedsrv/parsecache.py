"""What the last start-up parsed, kept on disk so the next one reads only what changed.

Parsing is most of a start-up's cost (docs/benchmarks.md, "Start-up"), and the
entries depend on nothing but a file's bytes, the
parser's code and the settings it reads. The cache holds the per-file states of
:mod:`feedsrv.sources` (a file's key, modification time, size and inode, and what it
gave); a file whose key is unchanged is not read again. The cache is one file,
stamped with a digest of the parser's code and of every setting it reads: a new
parser or another config makes it stale, and it is then ignored and replaced.

It is written atomically (a temporary file renamed over the old one), so a crash
or two processes writing at once leave a whole cache, never a torn one; one that
cannot be read (truncated, or written by another Python) is ignored with a warning,
never an error: it only costs the time of parsing again.

The file is a pickle, so it must live where only the operator can write, as the
config does (``site.parse_cache``, by default under the config's ``state/``).
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from .atomic import atomic_write
from .config import SiteConfig
from .model import Entry

log = logging.getLogger(__name__)

_FORMAT = 2
_CHUNK = 1000

# The modules whose code decides what a file's entry is (the parser and everything
# it imports, and this reading of files): a change to any of them, and only to
# them, makes the cache stale. tests/test_parsecache.py checks the list is whole.
PARSER_MODULES = ("atomic", "config", "config._dates", "config._load", "config._settings", "config._slugs",
                  "config._tables", "errors", "model", "parse", "parse._article", "parse._bylines", "parse._captions",
                  "parse._datelines", "parse._dates", "parse._files", "parse._furniture", "parse._headline",
                  "parse._lead", "parse._names", "parse._outlet_choice", "parse._outlets", "parse._people",
                  "parse._prose", "parse._reading", "parse._references", "parse._text", "parsecache", "pools",
                  "sources", "urls")
# The data files that decide entries as the code does: a retrained model is a new parser.
PARSER_DATA = ("parse/headline.crfsuite",)


def code_digest() -> str:
    """A digest of the code of :data:`PARSER_MODULES` and of the :data:`PARSER_DATA` files."""
    digest = hashlib.sha256()
    for name in PARSER_MODULES:
        digest.update(name.encode())
        digest.update(_module_file(name).read_bytes())
    for name in PARSER_DATA:
        digest.update(name.encode())
        digest.update(_data_file(name).read_bytes())
    # The parser reads given names and surnames from faker's data: another release
    # may list other names.
    digest.update(f"faker {metadata.version('faker')}".encode())
    return digest.hexdigest()


def _module_file(name: str) -> Path:
    """The source file of the module ``feedsrv.<name>``: a package's is its ``__init__.py``."""
    path = Path(__file__).parent.joinpath(*name.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def _data_file(name: str) -> Path:
    """The file ``name`` of the feedsrv package, a path relative to it."""
    return Path(__file__).parent.joinpath(*name.split("/"))


def parser_stamp(config: SiteConfig) -> str:
    """The parser's version: a digest of its code and of the settings it reads, which
    with a file's name and bytes decide the file's entry wherever the file lives."""
    parts = (_FORMAT, code_digest(), config.max_article_bytes, config.language, str(config.timezone),
             sorted(config.outlets.items()), sorted(config.topics.items()), sorted(config.articles.items()))
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def cache_stamp(config: SiteConfig) -> str:
    """What the cached entries depend on besides the files themselves: the parser's
    version and the directory, as an entry names the path it was read from."""
    parts = (parser_stamp(config), str(config.articles_dir))
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def dump_entry(entry: Entry) -> bytes:
    """``entry`` as the cache stores it, for stores of entries other than the cache file."""
    return pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)


def load_entry(data: bytes) -> Entry:
    """The entry :func:`dump_entry` gave ``data`` for; like the cache file, ``data``
    must come from where only the operator can write."""
    entry = pickle.loads(data)
    if not isinstance(entry, Entry):
        raise TypeError(f"not a stored entry but {type(entry).__name__}")
    return entry


def read_cache(config: SiteConfig) -> Mapping[str, Any]:
    """The file states cached for ``config``'s articles; empty when there is no cache,
    when it is stale, or when it cannot be read (logged)."""
    path = config.parse_cache
    if path is None:
        return {}
    try:
        with path.open("rb") as stream:
            stamp = pickle.load(stream)
            if stamp != cache_stamp(config):
                log.info("%s: parse cache made by other code or settings; parsing every article", path)
                return {}
            files: dict[str, Any] = {}
            for _ in range(pickle.load(stream)):
                files.update(pickle.load(stream))
    except FileNotFoundError:
        return {}
    except Exception as exc:  # noqa: BLE001 — any unreadable cache only costs a parse
        log.warning("%s: unreadable parse cache (%s); parsing every article", path, exc)
        return {}
    return files


def write_cache(config: SiteConfig, files: Mapping[str, Any]) -> None:
    """Replace the cache with ``files``; a failure is logged, never raised."""
    path = config.parse_cache
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Readable by its owner only, as it is a pickle; a lost cache costs a parse,
        # so the write need not be durable.
        with atomic_write(path, mode=0o600) as stream:
            pickle.dump(cache_stamp(config), stream, protocol=pickle.HIGHEST_PROTOCOL)
            # In chunks: a pickler keeps a memo entry for every object it wrote,
            # so one pickle of a whole history would grow a memo of millions.
            names = list(files)
            chunks = range(0, len(names), _CHUNK)
            pickle.dump(len(chunks), stream, protocol=pickle.HIGHEST_PROTOCOL)
            for start in chunks:
                chunk = {name: files[name] for name in names[start:start + _CHUNK]}
                pickle.dump(chunk, stream, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError as exc:
        log.warning("%s: cannot write the parse cache: %s", path, exc.strerror or exc)
