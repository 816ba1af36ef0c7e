"""Value objects that flow from the parser to the renderers.

Every datetime here is timezone-aware; the parser attaches UTC (or the configured
zone) to dates that name none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


def reduce_fields(value: Any) -> tuple[type, tuple[Any, ...]]:
    """``__reduce__`` for frozen dataclasses: pickled as a call of the class with its
    fields in order."""
    # Pickled as a call of the class with its fields in order: half the time to
    # dump and load of the default protocol for frozen, slotted dataclasses (a
    # setattr per field), which the parse cache and the parsing pool pay per entry.
    return type(value), tuple(getattr(value, name) for name in value.__match_args__)


@dataclass(frozen=True, slots=True)
class Caption:
    """A photo caption and the credit it carries (``Reuters``, ``AP Photo/…``)."""

    text: str
    credit: str | None = None

    __reduce__ = reduce_fields


@dataclass(frozen=True, slots=True)
class Reference:
    """A source the article cites: outlet, headline and the date it gives."""

    outlet: str
    title: str
    date: date | None = None

    __reduce__ = reduce_fields


@dataclass(frozen=True, slots=True)
class Entry:
    """One article, normalized.

    ``body`` holds the plain-text paragraphs of the story, in order, the lead with
    its dateline as printed; no headline, dek, byline, caption, credit, cited source
    or page furniture. ``content`` is the HTML rendering of body, captions and
    references that feeds carry as full content.

    ``published_from`` names the rule that decided ``published``:

    - ``"declared"``: the config's ``[articles.<stem>]`` table;
    - ``"text"``: a full date the article states about itself (a date line, a dated
      byline or dateline, a correction note);
    - ``"references"``: the newest date among the sources it cites, embedded posts
      included (an article is no older than what it cites);
    - ``"mtime"``: the file's modification time, in whole seconds;
    - ``"none"``: no date at all and no file time given; ``published`` is then the
      Unix epoch, 1970-01-01T00:00:00Z.
    """

    id: str
    slug: str
    title: str
    title_derived: bool
    authors: tuple[str, ...]
    author_role: str | None
    outlet: str | None
    outlet_slug: str | None
    dateline: str | None
    published: datetime
    published_from: str
    updated: datetime
    summary: str
    body: tuple[str, ...]
    content: str
    captions: tuple[Caption, ...] = ()
    references: tuple[Reference, ...] = ()
    topics: tuple[str, ...] = ()
    language: str = "en"
    source: str = ""
    warnings: tuple[str, ...] = field(default=(), compare=False)

    __reduce__ = reduce_fields

    @property
    def author(self) -> str | None:
        """The byline as one string, or None when the article names no person."""
        return ", ".join(self.authors) if self.authors else None
