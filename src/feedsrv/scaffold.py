"""A new site: `feedsrv init DIR` writes a commented config and one sample article.

The config is written from :data:`~feedsrv.config.SETTINGS`: every setting under its
section with its help text and its default, commented out, so the file shows what can
be set and follows the defaults of the feedsrv that reads it. (It lives here, not in
``config``, whose every module is part of the parser's cache stamp.)

What it writes never replaces a file: a site's config and articles are its
publisher's work, so an existing one stops the command before anything is written.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .config import SETTINGS
from .errors import InitError

CONFIG_NAME = "feedsrv.toml"
ARTICLES_NAME = "articles"
SAMPLE_NAME = "welcome.txt"

# A setting's value as TOML writes it (config.toml_value's result).
TomlValue = str | int | float | bool

_WIDTH = 88
# The README's cross-references, `[Scaling out](#scaling-out)`, read as their words.
_LINK = re.compile(r"\[([^\]]+)\]\(#[^)]*\)")

_HEADER = """\
# feedsrv configuration, written by `feedsrv init`. Every setting is listed with its
# default, commented out: uncomment a line to change it. The README's "Configuration"
# section documents them all, and the [outlets.<slug>], [topics.<slug>] and
# [articles.<file stem>] tables. Relative paths are taken from this file's directory.
"""

# In the seeds' style, so the parser reads a headline, byline, desk line and
# dateline from it; the front matter fixes its date, which the text does not give.
SAMPLE_ARTICLE = """\
---
published: 2025-01-01T09:00:00+00:00
---
A New Site Publishes Its First Article

By Dana Weber

Feedsrv News Desk Reporter, Europe

GENEVA, Switzerland–

This is the first article of a new feedsrv site. It is a plain-text file in the articles \
directory, written the way a news page reads when copied: a headline, a byline, a dateline, \
then the story, paragraph by paragraph.

Every file in this directory whose name ends in .txt is parsed into an entry and published \
in each feed it belongs to: the feed of all articles and one feed per outlet, topic and \
author, each in RSS 2.0, Atom 1.0 and JSON Feed 1.1.

Add, edit or delete a file while the server runs and the feeds follow. Replace this article \
with your own, and set the title and address of the site in feedsrv.toml.
"""


def toml_literal(value: TomlValue) -> str:
    """``value`` as TOML writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        # JSON's string escapes are a subset of TOML's basic string escapes.
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def commented_config(values: Mapping[str, TomlValue]) -> str:
    """The text of a config file setting ``values`` (by dotted key) and giving every
    other setting commented out, each under its help text and with its default."""
    unknown = set(values) - {setting.key for setting in SETTINGS}
    if unknown:
        raise ValueError(f"not settings: {', '.join(sorted(unknown))}")
    lines = [_HEADER]
    for section in dict.fromkeys(setting.section for setting in SETTINGS):
        lines.append(f"[{section}]")
        for setting in SETTINGS:
            if setting.section != section:
                continue
            lines.extend(textwrap.wrap(_LINK.sub(r"\1", setting.help), _WIDTH, initial_indent="# ",
                                       subsequent_indent="# ", break_long_words=False, break_on_hyphens=False))
            if setting.key in values:
                lines.append(f"# Default: {toml_literal(setting.default)}")
                lines.append(f"{setting.name} = {toml_literal(values[setting.key])}")
            else:
                lines.append(f"# {setting.name} = {toml_literal(setting.default)}")
            lines.append("")
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class NewSite:
    """The files :func:`init_site` wrote."""

    config: Path
    articles_dir: Path
    sample: Path


def init_site(directory: Path) -> NewSite:
    """Write ``directory/feedsrv.toml`` (every setting, commented, with the articles
    directory set) and ``directory/articles/welcome.txt``, creating ``directory`` if
    needed. Raises :class:`InitError`, having written nothing, when either exists."""
    site = NewSite(directory / CONFIG_NAME, directory / ARTICLES_NAME, directory / ARTICLES_NAME / SAMPLE_NAME)
    for existing in (site.config, site.articles_dir):
        if existing.exists() or existing.is_symlink():
            raise InitError(directory, f"{existing} exists; feedsrv init never overwrites")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        site.articles_dir.mkdir()
        # "x": a file made meanwhile by someone else is refused, not replaced.
        with site.config.open("x", encoding="utf-8") as config:
            config.write(commented_config({"site.articles_dir": ARTICLES_NAME}))
        with site.sample.open("x", encoding="utf-8") as sample:
            sample.write(SAMPLE_ARTICLE)
    except FileExistsError as exc:
        raise InitError(directory, f"{exc.filename} exists; feedsrv init never overwrites") from None
    except OSError as exc:
        raise InitError(directory, exc.strerror or str(exc)) from None
    return site
