"""HTML pages: the index of feeds, one landing page per outlet, topic and author, and
one page per article.

Plain string templates with every interpolated value escaped; the only markup not
escaped here is an entry's ``content``, which the parser builds from escaped text.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from .catalog import Catalog, Feed, author_key
from .config import SiteConfig
from .model import Entry
from .render import FORMATS
from .urls import INDEX, OPML, FeedKind, article_path, feed_key, landing_path

STYLESHEET = """
:root { color-scheme: light dark; --muted: #666; --rule: #ddd; }
@media (prefers-color-scheme: dark) { :root { --muted: #aaa; --rule: #444; } }
body { font: 1.0625rem/1.6 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       max-width: 44rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
main { overflow-wrap: break-word; }
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
table.feeds td:last-child { white-space: nowrap; }
a.feed { font-size: .85rem; margin-right: .5rem; }
form.filter label { display: inline-block; margin: .2rem 1rem .2rem 0; font-size: .9rem; }
"""


def _page(title: str, config: SiteConfig, body: str, feeds: list[Feed], description: str) -> bytes:
    discovery = "\n".join(
        f'<link rel="alternate" type="{feed_format.media_type}" '
        f'title="{escape(feed.title)} ({feed_format.label})" '
        f'href="{escape(config.url(feed.path(feed_format.extension)))}">'
        for feed in feeds for feed_format in FORMATS.values()
    )
    html = f"""<!DOCTYPE html>
<html lang="{escape(config.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<meta name="description" content="{escape(description)}">
{discovery}
<style>{STYLESHEET}</style>
</head>
<body>
<header class="site"><p><a href="{escape(config.url(INDEX))}">{escape(config.title)}</a></p></header>
<main>
{body}
</main>
</body>
</html>
"""
    return html.encode("utf-8")


def _link(config: SiteConfig, path: str, text: str) -> str:
    return f'<a href="{escape(config.url(path))}">{escape(text)}</a>'


def _feed_links(feed: Feed, config: SiteConfig) -> str:
    return " ".join(
        f'<a class="feed" href="{escape(config.url(feed.path(feed_format.extension)))}" '
        f'type="{feed_format.media_type}">{feed_format.label}</a>'
        for feed_format in FORMATS.values()
    )


def _feed_rows(feeds: list[Feed], config: SiteConfig) -> str:
    # Each feed's name leads to its page (the index for everything), then its formats.
    return "\n".join(
        f'<tr id="{escape(feed.key.replace("/", "-"))}"><td>{_link(config, feed.landing_path, feed.name)}'
        f" <small>({len(feed.history)})</small></td><td>{_feed_links(feed, config)}</td></tr>"
        for feed in feeds
    )


def _filter_form(feed: Feed, catalog: Catalog, config: SiteConfig) -> str:
    """A GET form whose action is the feed, so submitting it (no script needed) asks for
    a filtered feed (:mod:`feedsrv.filters`); a blank field is no filter, and each
    format is a button naming its own document. The feed's own kind is not offered."""
    fields = []
    selects: tuple[tuple[FeedKind, str, str], ...] = (("topic", "Topic", "any topic"),
                                                      ("outlet", "Outlet", "any outlet"))
    for kind, label, anything in selects:
        choices = catalog.feeds_of_kind(kind)
        if kind != feed.kind and choices:
            options = "".join(f'<option value="{escape(choice.slug)}">{escape(choice.name)}</option>'
                              for choice in choices)
            fields.append(f'<label>{label} <select name="{kind}"><option value="">{anything}</option>'
                          f"{options}</select></label>")
    if feed.kind != "author":
        fields.append('<label>Author <input name="author" placeholder="name" maxlength="256"></label>')
    fields.append('<label>Since <input type="date" name="since"></label>')
    fields.append('<label>Until <input type="date" name="until"></label>')
    fields.append(f'<label>At most <input type="number" name="limit" min="1" max="{feed.page_size}" '
                  f'placeholder="{feed.page_size}"></label>')
    buttons = " ".join(
        f'<button type="submit" formaction="{escape(config.url(feed.path(feed_format.extension)))}">'
        f"{feed_format.label}</button>" for feed_format in FORMATS.values())
    return (f'<form class="filter" method="get" action="{escape(config.url(feed.path("atom")))}">\n'
            f'<p class="meta">A feed of some of these articles only:</p>\n'
            f'<p>{" ".join(fields)}</p>\n<p>Get the feed as {buttons}</p>\n</form>')


def _date(moment: datetime) -> str:
    return f'<time datetime="{moment.isoformat()}">{moment:%-d %B %Y}</time>'


def _byline(entry: Entry, config: SiteConfig) -> str:
    # Reporters and the outlet link to their pages, where their feeds are.
    authors = ", ".join(_link(config, landing_path(author_key(name)), name) for name in entry.authors)
    outlet = (_link(config, landing_path(feed_key("outlet", entry.outlet_slug)), entry.outlet)
              if entry.outlet and entry.outlet_slug else escape(entry.outlet or ""))
    parts = [f"By {authors}" if authors else outlet]
    if entry.author_role:
        parts.append(escape(entry.author_role))
    if authors and outlet:
        parts.append(outlet)
    return ", ".join(part for part in parts if part)


def _entry_list(entries: tuple[Entry, ...], config: SiteConfig) -> str:
    items = "\n".join(
        f'<li>{_link(config, article_path(entry.slug), entry.title)}'
        f'<span class="meta">{_byline(entry, config)} · {_date(entry.published)}</span></li>'
        for entry in entries
    )
    return f'<ul class="entries">\n{items}\n</ul>'


def render_article_page(entry: Entry, catalog: Catalog, config: SiteConfig) -> bytes:
    """The HTML page of one article: headline, byline, dateline, content, and the
    feeds it is in (site, outlet, topics, authors), linked and autodiscoverable."""
    feeds = catalog.entry_feeds(entry)
    dateline = f'<span class="dateline">{escape(entry.dateline)}</span> · ' if entry.dateline else ""
    updated = (f" · updated {_date(entry.updated)}"
               if entry.updated.date() != entry.published.date() else "")
    topics = [feed for feed in feeds if feed.kind == "topic"]
    topic_links = ", ".join(_link(config, feed.landing_path, feed.name) for feed in topics)
    topic_line = f'<p class="meta">Topics: {topic_links}</p>' if topics else ""
    body = f"""<article>
<h1>{escape(entry.title)}</h1>
<p class="byline">{_byline(entry, config)}</p>
<p class="meta">{dateline}{_date(entry.published)}{updated}</p>
{entry.content}
{topic_line}
</article>
{_also_covered(entry, catalog, config)}<section>
<h2>Follow</h2>
<table class="feeds">
{_feed_rows(feeds, config)}
</table>
</section>"""
    return _page(f"{entry.title} — {config.title}", config, body, feeds, entry.summary or entry.title)


def _also_covered(entry: Entry, catalog: Catalog, config: SiteConfig) -> str:
    """The other outlets' articles of the entry's story, linked; nothing when alone."""
    related = catalog.stories.related(entry)
    if not related:
        return ""
    items = []
    for other in related:
        outlet = f"{escape(other.outlet)}: " if other.outlet else ""
        # An article with no date at all is dated the epoch: no date is better.
        dated = f' <span class="meta">· {_date(other.published)}</span>' if other.published_from != "none" else ""
        items.append(f"<li>{outlet}{_link(config, article_path(other.slug), other.title or other.slug)}{dated}</li>")
    return f'<section class="related">\n<h2>Also covered by</h2>\n<ul>\n{chr(10).join(items)}\n</ul>\n</section>\n'


def render_feed_page(feed: Feed, catalog: Catalog, config: SiteConfig) -> bytes:
    """The landing page of an outlet, topic or author: the feed in every format
    (autodiscoverable), a form building a filtered feed of it, and every one of its
    articles, newest first."""
    count = len(feed.history)
    archives = (f" The feeds carry the newest {feed.page_size}; older ones are in"
                f" {feed.archive_count} archive page{'s' if feed.archive_count != 1 else ''} they link to."
                if feed.archive_count else "")
    body = f"""<h1>{escape(feed.name)}</h1>
<p>{escape(feed.subtitle)}</p>
<p class="feeds">Subscribe: {_feed_links(feed, config)}</p>
<h2>Filtered feed</h2>
{_filter_form(feed, catalog, config)}
<h2>Articles</h2>
<p class="meta">{count} article{'s' if count != 1 else ''}, newest first.{archives}</p>
{_entry_list(feed.history, config)}"""
    return _page(feed.title, config, body, [feed], feed.subtitle)


def render_index_page(catalog: Catalog, config: SiteConfig) -> bytes:
    """The home page: every feed with its formats, a form building a filtered feed
    of everything, then the newest articles."""
    sections = []
    kinds: tuple[tuple[FeedKind, str], ...] = (("all", "Everything"), ("stories", "Stories"), ("outlet", "Outlets"),
                                               ("topic", "Topics"), ("author", "Authors"))
    for kind, heading in kinds:
        feeds = catalog.feeds_of_kind(kind)
        if feeds:
            sections.append(f'<h2>{heading}</h2>\n<table class="feeds">\n{_feed_rows(feeds, config)}\n</table>')
    opml = _link(config, OPML, "every feed as OPML")
    body = f"""<h1>{escape(config.title)}</h1>
<p>{escape(config.description)}</p>
<p class="feeds">Subscribe to any feed below, or import {opml} into your feed reader.</p>
{chr(10).join(sections)}
<h2>Filtered feed</h2>
{_filter_form(catalog.feeds["all"], catalog, config)}
<h2>Latest articles</h2>
{_entry_list(catalog.feeds["all"].entries, config)}"""
    return _page(config.title, config, body, list(catalog.feeds.values()), config.description)
