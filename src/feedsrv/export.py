"""Static export: the site written as files, for any static host.

Files sit at the same paths the server uses (``/feeds/all.atom`` →
``OUT/feeds/all.atom``, ``/feeds/all/archive/1.json`` → ``OUT/feeds/all/archive/1.json``),
each with a ``.gz`` sibling for ``gzip_static``-style serving. HTML pages become
``index.html`` inside a directory of their path, so ``/articles/<slug>`` and
``/topics/<slug>`` resolve on ordinary static hosts.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path, PurePosixPath

from .site import Resource, Site


def export_path(url_path: str) -> PurePosixPath:
    """The file, relative to the export root, that holds the resource at ``url_path``."""
    relative = PurePosixPath(url_path.lstrip("/"))
    if url_path == "/" or not relative.suffix:
        return relative / "index.html"
    return relative


def _write_atomically(target: Path, data: bytes, mtime: float) -> None:
    # A static host may be serving the directory while we write: never expose a
    # partial file.
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        # The file's mtime becomes the static server's Last-Modified.
        os.utime(temporary, (mtime, mtime))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def export_resource(resource: Resource, out: Path) -> list[Path]:
    """Write one resource (and its gzip sibling) under ``out``; return the files."""
    target = out / export_path(resource.path)
    mtime = resource.last_modified.timestamp()
    _write_atomically(target, resource.identity.body, mtime)
    written = [target]
    gzipped = resource.variants.get("gzip")
    if gzipped is not None:
        sibling = target.with_name(target.name + ".gz")
        _write_atomically(sibling, gzipped.body, mtime)
        written.append(sibling)
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
