"""Exceptions raised by feedsrv's library code.

Only the edges (the CLI and the HTTP layer) turn these into messages or statuses.
"""

from __future__ import annotations

from pathlib import Path


class FeedsrvError(Exception):
    """Base class for every error feedsrv raises on purpose."""


class ParseError(FeedsrvError):
    """An article file that cannot be turned into an entry."""

    def __init__(self, path: str | Path, message: str) -> None:
        self.path = str(path)
        self.message = message
        super().__init__(f"{self.path}: {message}")


class ConfigError(FeedsrvError):
    """A configuration value that is missing, of the wrong type or out of range."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        self.message = message
        super().__init__(f"config error at {key}: {message}")


class ExportError(FeedsrvError):
    """A static export that cannot be written where it must go."""

    def __init__(self, path: str | Path, message: str) -> None:
        self.path = str(path)
        self.message = message
        super().__init__(f"cannot write {self.path}: {message}")


class InitError(FeedsrvError):
    """A new site that cannot be written where it was asked for, or would replace files."""

    def __init__(self, path: str | Path, message: str) -> None:
        self.path = str(path)
        self.message = message
        super().__init__(f"cannot start a site at {self.path}: {message}")


class DatabaseError(FeedsrvError):
    """The database cannot be reached, or holds what this feedsrv cannot work with.

    ``where`` is the host, port and database name, never the password."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        self.message = message
        super().__init__(f"database at {where}: {message}")
