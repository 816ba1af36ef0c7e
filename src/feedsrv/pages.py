"""HTML pages: the index of feeds and one page per article.

Plain string templates with every interpolated value escaped; the only markup not
escaped here is an entry's ``content``, which the parser builds from escaped text.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from .catalog import Catalog, Feed
from .config import SiteConfig
from .model import Entry
from .render import entry_url

FEED_FORMATS = (("atom", "Atom", "application/atom+xml"), ("rss", "RSS", "application/rss+xml"))

STYLESHEET = """
:root { color-scheme: light dark; --muted: #666; --rule: #ddd; }
@media (prefers-color-scheme: dark) { :root { --muted: #aaa; --rule: #444; } }
body { font: 1.0625rem/1.6 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       max-width: 44rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
header.site { border-bottom: 1px solid var(--rule); margin-bottom: 1.5rem; }
header.site a { color: inherit; text-decoration: none; font-weight: 600; }
h1 { line-height: 1.25; font-size: 1.75rem; margin: .5rem 0; }
h2 { font-size: 1.2rem; margin-top: 2rem; }
.byline, .meta, .feeds, small, figcaption { color: var(--muted); }
.dateline { font-weight: 600; text-transform: none; }
figure { margin: 1.5rem 0; padding-left: 1rem; border-left: 3px solid var(--rule); }
ul.entries { list-style: none; padding: 0; }
ul.entries li { margin: .9rem 0; }
ul.entries .meta { display: block; font-size: .9rem; }
table.feeds { border-collapse: collapse; width: 100%; }
table.feeds td { padding: .3rem .5rem .3rem 0; border-bottom: 1px solid var(--rule); }
a.feed { font-size: .85rem; margin-right: .5rem; }
"""


def _page(title: str, config: SiteConfig, body: str, feeds: list[Feed]) -> bytes:
    discovery = "\n".join(
        f'<link rel="alternate" type="{media}" title="{escape(feed.title)} ({label})" '
        f'href="{escape(config.url(feed.path(ext)))}">'
        for feed in feeds for ext, label, media in FEED_FORMATS
    )
    html = f"""<!DOCTYPE html>
<html lang="{escape(config.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
{discovery}
<style>{STYLESHEET}</style>
</head>
<body>
<header class="site"><p><a href="{escape(config.url('/'))}">{escape(config.title)}</a></p></header>
<main>
{body}
</main>
</body>
</html>
"""
    return html.encode("utf-8")


def _feed_links(feed: Feed, config: SiteConfig) -> str:
    return " ".join(
        f'<a class="feed" href="{escape(config.url(feed.path(ext)))}" type="{media}">{label}</a>'
        for ext, label, media in FEED_FORMATS
    )


def _date(moment: datetime) -> str:
    return f'<time datetime="{moment.isoformat()}">{moment:%-d %B %Y}</time>'


def _byline(entry: Entry) -> str:
    who = entry.author or entry.outlet
    parts = [f"By {escape(who)}" if entry.author else escape(who or "")]
    if entry.author_role:
        parts.append(escape(entry.author_role))
    if entry.author and entry.outlet:
        parts.append(escape(entry.outlet))
    return ", ".join(part for part in parts if part)


def entry_feeds(entry: Entry, catalog: Catalog) -> list[Feed]:
    """The feeds an entry appears in (as far as its outlet and topics go), all first."""
    keys = ["all"]
    if entry.outlet_slug:
        keys.append(f"outlets/{entry.outlet_slug}")
    keys.extend(f"topics/{slug}" for slug in entry.topics)
    return [catalog.feeds[key] for key in keys if key in catalog.feeds]


def render_article_page(entry: Entry, catalog: Catalog, config: SiteConfig) -> bytes:
    """The HTML page of one article: headline, byline, dateline, content, feeds."""
    feeds = entry_feeds(entry, catalog)
    dateline = f'<span class="dateline">{escape(entry.dateline)}</span> · ' if entry.dateline else ""
    feed_rows = "\n".join(
        f"<tr><td>{escape(feed.title)}</td><td>{_feed_links(feed, config)}</td></tr>" for feed in feeds
    )
    updated = (f" · updated {_date(entry.updated)}"
               if entry.updated.date() != entry.published.date() else "")
    body = f"""<article>
<h1>{escape(entry.title)}</h1>
<p class="byline">{_byline(entry)}</p>
<p class="meta">{dateline}{_date(entry.published)}{updated}</p>
{entry.content}
</article>
<section>
<h2>Follow</h2>
<table class="feeds">
{feed_rows}
</table>
</section>"""
    return _page(f"{entry.title} — {config.title}", config, body, feeds)


def render_index_page(catalog: Catalog, config: SiteConfig) -> bytes:
    """The home page: every feed with its formats, then the newest articles."""
    sections = []
    for kind, heading in (("all", "Everything"), ("outlet", "Outlets"), ("topic", "Topics")):
        feeds = catalog.feeds_of_kind(kind)
        if not feeds:
            continue
        rows = "\n".join(
            f'<tr id="{escape(feed.key.replace("/", "-"))}"><td>{escape(feed.title)}'
            f" <small>({len(feed.entries)})</small></td><td>{_feed_links(feed, config)}</td></tr>"
            for feed in feeds
        )
        sections.append(f'<h2>{heading}</h2>\n<table class="feeds">\n{rows}\n</table>')
    items = "\n".join(
        f'<li><a href="{escape(entry_url(entry, config))}">{escape(entry.title)}</a>'
        f'<span class="meta">{_byline(entry)} · {_date(entry.published)}</span></li>'
        for entry in catalog.feeds["all"].entries
    )
    body = f"""<h1>{escape(config.title)}</h1>
<p>{escape(config.description)}</p>
{chr(10).join(sections)}
<h2>Latest articles</h2>
<ul class="entries">
{items}
</ul>"""
    return _page(config.title, config, body, list(catalog.feeds.values()))
