"""Static export: the site written as files, for any static host.

Files sit at the same paths the server uses (``/feeds/all.atom`` →
``OUT/feeds/all.atom``, ``/feeds/all/archive/1.json`` → ``OUT/feeds/all/archive/1.json``),
each with a ``.gz`` sibling for ``gzip_static``-style serving. HTML pages become
``index.html`` inside a directory of their path, so ``/articles/<slug>`` and
``/topics/<slug>`` resolve on ordinary static hosts.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path, PurePosixPath

from .atomic import atomic_write
from .errors import ExportError
from .representations import Resource
from .site import Site
from .urls import export_path


def _write_atomically(out: Path, relative: PurePosixPath, data: bytes, mtime: float) -> None:
    # A static host may be serving the directory while we write: never expose a
    # partial file. The files are public, and their mtime becomes the static
    # server's Last-Modified.
    directory = _open_directory(out, relative.parent)
    try:
        with atomic_write(relative.name, mode=0o644, mtime=mtime, dir_fd=directory) as stream:
            stream.write(data)
    finally:
        os.close(directory)


def _open_directory(out: Path, relative: PurePosixPath) -> int:
    """A descriptor of the directory ``out/relative``, made as needed, each step below
    ``out`` taken without following a link: a link planted in the output (``feeds``
    pointing at ``/etc``, say) must not make the export write outside it."""
    out.mkdir(parents=True, exist_ok=True)
    directory = os.open(out, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    reached = out
    try:
        for part in relative.parts:
            reached = reached / part
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, dir_fd=directory)
            try:
                inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=directory)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise ExportError(reached, "a link or a file stands where the export needs a directory, "
                                               "and the export writes through neither") from None
                raise
            os.close(directory)
            directory = inner
    except BaseException:
        os.close(directory)
        raise
    return directory


def export_resource(resource: Resource, out: Path) -> list[Path]:
    """Write one resource (and its gzip sibling) under ``out``; return the files.

    Raises :class:`ExportError` when a link or a file stands where a directory of the
    export goes."""
    relative = export_path(resource.path)
    mtime = resource.last_modified.timestamp()
    _write_atomically(out, relative, resource.identity.body, mtime)
    written = [out / relative]
    gzipped = resource.variants.get("gzip")
    if gzipped is not None:
        sibling = relative.with_name(relative.name + ".gz")
        _write_atomically(out, sibling, gzipped.body, mtime)
        written.append(out / sibling)
    return written


def export_site(site: Site, out: Path) -> list[Path]:
    """Write every resource of ``site`` under ``out`` (archive and landing pages
    included); return the files written."""
    written: list[Path] = []
    for path in site.paths():
        resource = site.resource(path)
        # paths() lists only what the site serves, so every path resolves.
        assert resource is not None, path
        written.extend(export_resource(resource, out))
    return written
