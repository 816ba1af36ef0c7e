"""The event loop ``feedsrv serve`` runs in (``server.event_loop``): uvloop where it
is installed, else the standard library's asyncio loop.

uvloop is a dependency wherever it builds (CPython, not Windows), so ``auto`` is
uvloop nearly everywhere; the asyncio loop stays a working fallback, and the
choice a setting, so an operator can rule the loop out when chasing a bug.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from typing import Literal

from ..config import EventLoop
from ..errors import ConfigError

LoopName = Literal["uvloop", "asyncio"]


@dataclass(frozen=True, slots=True)
class LoopChoice:
    """The loop ``server.event_loop`` resolved to: what the log calls it, and the
    factory each process calls for a loop of its own (a loop must not cross a fork)."""

    name: LoopName
    description: str
    new_loop: Callable[[], asyncio.AbstractEventLoop]


def choose_event_loop(setting: EventLoop) -> LoopChoice:
    """The loop to serve with: uvloop for ``uvloop``, and for ``auto`` when uvloop
    can be imported; asyncio's otherwise. Raises :class:`ConfigError` for
    ``uvloop`` when it cannot be imported, before anything starts."""
    if setting != "asyncio":
        try:
            import uvloop
        except ImportError as exc:
            if setting == "uvloop":
                raise ConfigError("server.event_loop",
                                  f"uvloop is not installed ({exc}): install it, or set auto or asyncio") from None
        else:
            return LoopChoice("uvloop", f"uvloop {version('uvloop')}", uvloop.new_event_loop)
    return LoopChoice("asyncio", "asyncio (the standard library's)", asyncio.new_event_loop)
