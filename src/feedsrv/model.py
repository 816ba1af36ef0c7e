"""Value objects that flow from the parser to the renderers.

Every datetime here is timezone-aware; the parser attaches UTC (or the configured
zone) to dates that name none.
"""

from __future__ import annotations

import html as html_text
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

# The rule that decided an entry's ``published`` (see :class:`Entry`).
PublishedFrom = Literal["declared", "text", "references", "mtime", "none"]

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July",
               "August", "September", "October", "November", "December")


def reduce_fields(value: Any) -> tuple[type, tuple[Any, ...]]:
    """``__reduce__`` for frozen dataclasses: pickled as a call of the class with its
    fields in order."""
    # Quicker to dump and load than the default protocol for frozen, slotted
    # dataclasses (a setattr per field), which the parse cache and the parsing pool
    # pay per entry (docs/benchmarks.md, "Start-up").
    return type(value), tuple(getattr(value, name) for name in value.__match_args__)


@dataclass(frozen=True, slots=True)
class Caption:
    """A photo caption and the credit it carries (``Reuters``, ``AP Photo/…``);
    ``position`` is the number of body paragraphs that come before it."""

    text: str
    credit: str | None = None
    position: int = 0

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
    or page furniture. :attr:`content` is the HTML that feeds carry as full content:
    ``html`` when given, else made from body, captions and references when asked for
    (kept, it would double the memory a history takes).

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
    published_from: PublishedFrom
    updated: datetime
    summary: str
    body: tuple[str, ...]
    captions: tuple[Caption, ...] = ()
    references: tuple[Reference, ...] = ()
    topics: tuple[str, ...] = ()
    language: str = "en"
    source: str = ""
    warnings: tuple[str, ...] = field(default=(), compare=False)
    html: str | None = None

    __reduce__ = reduce_fields

    @property
    def content(self) -> str:
        """HTML of the story: paragraphs, figures where the captions stood, then the
        sources it cites."""
        if self.html is not None:
            return self.html
        escape = html_text.escape
        parts = []
        captions = iter(self.captions)
        caption = next(captions, None)
        for number, paragraph in enumerate((*self.body, None)):
            while caption is not None and caption.position <= number:
                parts.append(_figure(caption))
                caption = next(captions, None)
            if paragraph is not None:
                parts.append(f"<p>{escape(paragraph)}</p>")
        if self.references:
            items = "".join(f"<li>{_reference_html(reference)}</li>" for reference in self.references)
            parts.append(f"<h2>Sources</h2><ul>{items}</ul>")
        return "\n".join(parts)

    @property
    def author(self) -> str | None:
        """The byline as one string, or None when the article names no person."""
        return ", ".join(self.authors) if self.authors else None


def _figure(caption: Caption) -> str:
    escape = html_text.escape
    credit = f"<small>{escape(_credit_label(caption.credit))}</small>" if caption.credit else ""
    separator = " " if caption.text and credit else ""
    return f"<figure><figcaption>{escape(caption.text)}{separator}{credit}</figcaption></figure>"


def _credit_label(credit: str) -> str:
    """``Photo: Reuters``, but ``AP Photo/Jane Doe`` as it stands: it says photo already."""
    return credit if "photo" in credit.casefold() else f"Photo: {credit}"


def _reference_html(reference: Reference) -> str:
    text = f"<cite>{html_text.escape(reference.title)}</cite>"
    if reference.outlet:
        text = f"{html_text.escape(reference.outlet)}: {text}"
    if reference.date:
        cited = reference.date
        text += (f", <time datetime=\"{cited.isoformat()}\">"
                 f"{cited.day} {MONTH_NAMES[cited.month - 1]} {cited.year}</time>")
    return text
