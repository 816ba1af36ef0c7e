"""The stories the last run served, kept on disk so the next start serves them at once.

A large history is grouped into stories while the server already serves (see
``server.stories_before_serving``). Served without them meanwhile, every feed with
related coverage would change twice at each restart: a new ``ETag`` and a WebSub
notification without the relations, and again with them. So the stories a run
ends with are written beside the parse cache (``site.parse_cache``'s directory,
``stories.json``: the slugs of each story's articles), and the next start serves
them until its own grouping is done; when no article changed meanwhile, the two
are the same and no feed changes.

The file is a hint, never trusted further: a story naming an article that is not
there is left out, one that cannot be read or was written by other grouping code
is ignored (logged), and a failed write only costs that flip at the next start.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from pathlib import Path

from .atomic import atomic_write
from .config import SiteConfig
from .model import Entry
from .stories import Stories, remembered_stories

log = logging.getLogger(__name__)

_FORMAT = 1
_NAME = "stories.json"


def hints_path(config: SiteConfig) -> Path | None:
    """Where ``config``'s stories are remembered: beside its parse cache, none without one."""
    return None if config.parse_cache is None else config.parse_cache.with_name(_NAME)


def read_hints(config: SiteConfig, entries_by_slug: Mapping[str, Entry]) -> Stories:
    """The stories the last run wrote, of the entries in ``entries_by_slug``; none
    when there is no file, or it is unreadable or of other grouping code (logged)."""
    path = hints_path(config)
    if path is None:
        return remembered_stories(())
    try:
        data = json.loads(path.read_bytes())
        if data.get("stamp") != _stamp():
            log.info("%s: stories of other grouping code; served once grouped", path)
            return remembered_stories(())
        groups = [[str(slug) for slug in group] for group in data["stories"]]
    except FileNotFoundError:
        return remembered_stories(())
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        log.warning("%s: unreadable stories (%s); served once grouped", path, exc)
        return remembered_stories(())
    return remembered_stories([entries_by_slug[slug] for slug in group] for group in groups
                              if all(slug in entries_by_slug for slug in group))


def write_hints(config: SiteConfig, stories: Stories) -> None:
    """Remember ``stories`` for the next start; a failure is logged, never raised."""
    path = hints_path(config)
    if path is None:
        return
    data = {"stamp": _stamp(), "stories": [[entry.slug for entry in story.entries] for story in stories.all()]}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path, mode=0o600) as stream:
            stream.write(json.dumps(data, separators=(",", ":")).encode())
    except OSError as exc:
        log.warning("%s: cannot remember the stories (%s)", path, exc)


def _stamp() -> str:
    """The file's format and a digest of the grouping code: other code may group otherwise."""
    code = (Path(__file__).parent / "stories.py").read_bytes()
    return f"{_FORMAT}:{hashlib.sha256(code).hexdigest()}"
