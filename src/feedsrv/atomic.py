"""Writing a file so that no reader ever sees half of it.

The bytes go to a temporary dotfile beside the target, which is then renamed over
it: a rename within one directory is atomic, so a reader, a crash and a second
writer all see the old file or the new one, never a torn one. A *durable* write
also flushes the file, then the directory's entry, to disk, so that once it
returns the new file survives a power cut.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from typing import BinaryIO

StrPath = str | os.PathLike[str]


@contextlib.contextmanager
def atomic_write(path: StrPath, *, durable: bool = False, mode: int = 0o600, mtime: float | None = None,
                 prefix: str | None = None, suffix: str = ".tmp", dir_fd: int | None = None) -> Iterator[BinaryIO]:
    """Replace the file at ``path`` with what the block writes to the stream it is
    given, once the block ends; should it raise, ``path`` is left as it was.

    ``mode`` is set whatever the umask; ``mtime``, when given, becomes the file's
    modification time. The temporary file is named ``prefix`` (``.<name>.`` by
    default), random letters and ``suffix``: a dotfile, which the article loader and
    the watcher pass over. It is created anew, never through a link, and a link
    standing at ``path`` is replaced, not written through. With ``dir_fd``, ``path``
    is relative to that directory descriptor, as for :mod:`os` functions.
    """
    parent, name = os.path.split(os.fspath(path))
    temporary = os.path.join(parent, f"{f'.{name}.' if prefix is None else prefix}{secrets.token_hex(8)}{suffix}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600,
                         dir_fd=dir_fd)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            yield stream
            stream.flush()
            # On the open file: a link renamed over the temporary name meanwhile must
            # not lend its target these permissions.
            os.fchmod(stream.fileno(), mode)
            if mtime is not None:
                os.utime(stream.fileno(), (mtime, mtime))
            if durable:
                os.fsync(stream.fileno())
        os.replace(temporary, path, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary, dir_fd=dir_fd)
        raise
    if durable:
        sync_directory(parent or ".", dir_fd=dir_fd)


def sync_directory(directory: StrPath, *, dir_fd: int | None = None) -> None:
    """Flush a directory's entries (a rename, a deletion) to disk."""
    descriptor = os.open(directory, os.O_RDONLY | os.O_CLOEXEC, dir_fd=dir_fd)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
