"""Noticing changes in the articles directory.

File-system events (inotify, FSEvents, ReadDirectoryChangesW through ``watchfiles``)
tell within milliseconds that an article was added, edited, renamed or deleted;
where they are unavailable (some network and container file systems, an exhausted
inotify limit), a scan every few seconds does the same job. Either way the caller's
``on_change`` does the work: it is given the paths that events named, and looks
at those files alone, or ``None`` for a scan of the whole directory (at the start,
when polling, and now and then in case events were missed); either way it
re-reads only what changed, so a missed or coalesced event costs nothing but
latency. A whole scan of a large directory takes a while (docs/benchmarks.md,
"Start-up"), so scans never take more than a tenth of the time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from pathlib import Path

import watchfiles

from .config import WATCH_MODES, Watch
from .sources import is_article_name, printable_path

log = logging.getLogger(__name__)


# watchfiles yields a batch once no change came for STEP ms, or after DEBOUNCE ms of
# uninterrupted changes, so a burst (an rsync, a git checkout) gives one reload and
# a steady stream of edits still shows up within half a second.
DEBOUNCE_MS = 500
STEP_MS = 50
RESCAN_MS = 5_000
# After the event watcher fails, it starts again after this pause.
RESTART_SECONDS = DEBOUNCE_MS / 1000
# Whole scans are spaced at least this many times their own duration apart.
SCAN_SPACING = 10

# What watchfiles yields: the changes since the last batch.
_Batch = set[tuple[watchfiles.Change, str]]
# Called with the changed paths, or None to scan the whole directory.
OnChange = Callable[[set[str] | None], Awaitable[object]]


async def watch_directory(directory: Path, on_change: OnChange, *, mode: Watch, poll_interval: float,
                          stop: asyncio.Event) -> None:
    """Call ``on_change()`` after article files in ``directory`` change, until ``stop``
    is set; ``on_change(paths)`` is given the paths of the changed files, or None
    to look at every file.

    ``mode`` is ``auto`` (file-system events, falling back to polling when they
    cannot be had), ``poll`` (call every ``poll_interval`` seconds) or ``off``
    (return at once). ``on_change`` is also called once at the start, for changes
    made before the watch began. A failing ``on_change``, or a batch of events the
    watcher cannot deliver, is logged and a whole scan follows: the watch goes on.
    """
    if mode not in WATCH_MODES:
        raise ValueError(f"watch mode must be one of {', '.join(WATCH_MODES)}, not {mode!r}")
    if mode == "off":
        return
    if mode == "auto":
        try:
            await _watch_events(directory, on_change, stop)
            return
        except (OSError, RuntimeError) as exc:
            # OSError: no such directory, or the inotify limit is reached;
            # RuntimeError: watchfiles' WatchfilesRustInternalError for anything else.
            log.warning("cannot watch %s for file-system events (%s); scanning it every %g s instead",
                        directory, exc, poll_interval)
    await _poll(on_change, poll_interval, stop)


async def _watch_events(directory: Path, on_change: OnChange, stop: asyncio.Event) -> None:
    """Follow file-system events until ``stop`` is set; raise OSError or RuntimeError
    when the watcher cannot start."""
    log.info("watching %s for changed articles", directory)
    scans = _Scans(on_change)
    # A scan right after the watcher starts catches what changed while the site was
    # being built.
    scans.owe()
    while not stop.is_set():
        # The watcher thread checks `stop` every STEP_MS, so setting it ends the watch
        # promptly; cancelling instead would wait for the thread's own timeout. A
        # batch is also yielded (empty) after RESCAN_MS without events, so a rescan
        # catches anything events missed (an overflowing event queue, say).
        batches = watchfiles.awatch(directory, watch_filter=_is_article_change, stop_event=stop,
                                    debounce=DEBOUNCE_MS, step=STEP_MS, rust_timeout=RESCAN_MS,
                                    yield_on_timeout=True, recursive=False)
        batch = await _start(batches)
        try:
            await scans.catch_up()
            while True:
                try:
                    changes = await batch
                except StopAsyncIteration:
                    return
                if changes:
                    if not await _call(on_change, {path for _, path in changes}):
                        # The files of a failed batch are read again by a whole scan.
                        scans.owe()
                elif scans.due(RESCAN_MS / 1000):
                    scans.owe()
                await scans.catch_up()
                batch = asyncio.ensure_future(anext(batches))
        except Exception:
            # A batch watchfiles cannot deliver (a file name that is not UTF-8: an
            # ExceptionGroup of its task group) ends its generator. Another takes
            # over after a pause, so an error that recurs does not spin, and a whole
            # scan reads what the lost batch and the pause held.
            log.exception("watching %s for file-system events failed; scanning it again", directory)
            scans.owe()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), RESTART_SECONDS)
        finally:
            batch.cancel()


async def _start(batches: AsyncGenerator[_Batch, None]) -> asyncio.Future[_Batch]:
    """The future of the first batch of ``batches``, once the watcher has started.

    The generator's first step starts the watcher, before it waits for events: a
    failure to start (OSError, RuntimeError) is raised here, every later one when a
    batch is awaited.
    """
    batch = asyncio.ensure_future(anext(batches))
    await asyncio.sleep(0)
    if batch.done() and isinstance(batch.exception(), (OSError, RuntimeError)):
        await batch
    return batch


async def _poll(on_change: OnChange, interval: float, stop: asyncio.Event) -> None:
    log.info("scanning the articles directory every %g s", interval)
    scans = _Scans(on_change)
    await scans.scan()
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), scans.wait(interval))
        if not stop.is_set():
            await scans.scan()


class _Scans:
    """Whole scans of the directory, spaced so they take at most 1/SCAN_SPACING of
    the time however large it grows."""

    def __init__(self, on_change: OnChange) -> None:
        self._on_change = on_change
        self._duration = 0.0
        self._ended = time.monotonic()
        self._owed = False

    async def scan(self) -> None:
        started = time.monotonic()
        # A failed scan owes another.
        self._owed = not await _call(self._on_change, None)
        self._ended = time.monotonic()
        self._duration = self._ended - started

    def owe(self) -> None:
        """Ask for a whole scan, made by :meth:`catch_up` as soon as the spacing allows."""
        self._owed = True

    async def catch_up(self) -> None:
        """Scan if a scan is owed and the spacing allows it."""
        if self._owed and self.due(0):
            await self.scan()

    def wait(self, interval: float) -> float:
        """Seconds to wait after a scan before the next, at least ``interval``."""
        return max(interval, self._duration * SCAN_SPACING)

    def due(self, interval: float) -> bool:
        return time.monotonic() - self._ended >= self.wait(interval)


def _is_article_change(_change: watchfiles.Change, path: str) -> bool:
    return is_article_name(Path(path).name)


async def _call(on_change: OnChange, paths: set[str] | None) -> bool:
    """Whether ``on_change(paths)`` succeeded; a failure is logged with the files."""
    try:
        await on_change(paths)
    except Exception:
        # The server keeps serving what it has.
        files = "every file" if paths is None else ", ".join(printable_path(path) for path in sorted(paths))
        log.exception("reloading the articles failed (%s)", files)
        return False
    return True
