"""Process pools for the CPU-bound work of building a site: parsing articles and
rendering feeds, which threads would not spread over cores.

While the process runs a single thread (start-up, ``feedsrv build``), workers are
forked: they start at once, share the parent's memory (the parsed history, copied on
write) and import nothing again. Once other threads run (a server reloading in a
worker thread), forking could copy a lock another thread holds, so workers are
spawned: fresh interpreters that import feedsrv first.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

from .config import SiteConfig

Shared = TypeVar("Shared")
Item = TypeVar("Item")
Outcome = TypeVar("Outcome")

# What the workers of a pool work on, handed to each worker once as it starts; a
# worker process holds nothing else.
_worker_shared: Any = None


def usable_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def process_count(config: SiteConfig, tasks: int, *, per_process: int) -> int:
    """How many processes to give ``tasks`` units of work: ``site.build_processes``
    (one per core by default), but no more than one per ``per_process`` units, below
    which a process costs more to start than it saves."""
    return max(1, min(config.build_processes or usable_cores(), tasks // per_process))


def forking_is_safe() -> bool:
    """Whether this process runs one thread, so a fork copies no lock held elsewhere."""
    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


def pool_context() -> BaseContext:
    """fork where :func:`forking_is_safe`, else spawn."""
    return multiprocessing.get_context("fork" if forking_is_safe() else "spawn")


def chunks(items: Sequence[Item], size: int) -> list[Sequence[Item]]:
    """``items`` cut into consecutive runs of ``size`` (the last may be shorter)."""
    return [items[start:start + size] for start in range(0, len(items), size)]


def map_shared(function: Callable[[Shared, Sequence[Item]], Outcome], shared: Shared,
               parts: list[Sequence[Item]], processes: int) -> Iterator[Outcome]:
    """``function(shared, part)`` for each of ``parts``, in order, by ``processes``
    workers (:func:`pool_context`).

    ``shared`` goes to each worker once, as it starts, not with every part: a
    forked worker inherits it with the parent's memory (nothing is copied), a
    spawned one receives it pickled. ``function`` must be a module-level function,
    which travels by name.
    """
    with ProcessPoolExecutor(processes, mp_context=pool_context(), initializer=_adopt, initargs=(shared,)) as pool:
        yield from pool.map(partial(_call_with_shared, function), parts)


def _adopt(shared: object) -> None:
    global _worker_shared
    _worker_shared = shared


def _call_with_shared(function: Callable[[Any, Sequence[Item]], Outcome], part: Sequence[Item]) -> Outcome:
    return function(_worker_shared, part)
