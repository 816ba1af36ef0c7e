"""Validation helpers for rendered feeds, shared by every test that serves or writes one.

``from feedcheck import validate_atom, validate_rss, parse_with_feedparser``; each
raises AssertionError naming what is wrong, so a failing test says why.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
from lxml import etree

ATOM_SCHEMA = Path(__file__).parent / "data" / "atom.rng"

_NAMESPACES = {"atom": "http://www.w3.org/2005/Atom"}
_SCHEMATRON = "{http://www.ascc.net/xml/schematron}"


def validate_atom(data: bytes) -> None:
    """Assert ``data`` is a valid Atom 1.0 document: the RFC 4287 RELAX NG schema,
    plus the Schematron rules embedded in it, which lxml's RelaxNG ignores."""
    document = _parse(data)
    schema = _atom_schema()
    if not schema.validate(document):
        raise AssertionError(f"invalid Atom:\n{schema.error_log}")
    for context, test, message in _atom_rules():
        for node in document.xpath(f"//{context}", namespaces=_NAMESPACES):
            if not node.xpath(f"boolean({test})", namespaces=_NAMESPACES):
                raise AssertionError(f"invalid Atom (line {node.sourceline}): {message}")


def validate_rss(data: bytes) -> None:
    """Assert ``data`` is a valid RSS 2.0 document: one channel with title, link and
    description; every item with a title or a description; RFC 822 dates with a
    zone; absolute links; unique guids, and permalink guids that are URLs."""
    root = _parse(data).getroot()
    assert root.tag == "rss" and root.get("version") == "2.0", f"root is <{root.tag} version={root.get('version')!r}>"
    channels = root.findall("channel")
    assert len(channels) == 1, f"expected one <channel>, found {len(channels)}"
    channel = channels[0]
    for name in ("title", "link", "description"):
        assert channel.find(name) is not None, f"<channel> lacks <{name}>"
    _check_url(channel.findtext("link"), "<channel><link>")
    for name in ("pubDate", "lastBuildDate"):
        if channel.find(name) is not None:
            _check_rfc822(channel.findtext(name), f"<channel><{name}>")

    guids: set[str] = set()
    for position, item in enumerate(channel.iterfind("item"), start=1):
        where = f"<item> #{position}"
        assert item.findtext("title") or item.findtext("description"), f"{where} has neither title nor description"
        if item.find("link") is not None:
            _check_url(item.findtext("link"), f"{where} <link>")
        if item.find("pubDate") is not None:
            _check_rfc822(item.findtext("pubDate"), f"{where} <pubDate>")
        guid = item.find("guid")
        if guid is None:
            continue
        value = guid.text or ""
        assert value, f"{where} has an empty <guid>"
        assert value not in guids, f"{where} repeats guid {value!r}"
        guids.add(value)
        permalink = guid.get("isPermaLink", "true")
        assert permalink in ("true", "false"), f"{where} guid isPermaLink={permalink!r}"
        if permalink == "true":
            _check_url(value, f"{where} permalink <guid>")


def parse_with_feedparser(data: bytes) -> feedparser.FeedParserDict:
    """Parse ``data`` as a feed reader would; assert feedparser found nothing amiss."""
    result = feedparser.parse(data)
    assert result.bozo == 0, f"feedparser: {result.get('bozo_exception')!r}"
    assert result.version, "feedparser did not recognize the feed format"
    return result


def _parse(data: bytes) -> etree._ElementTree:
    assert data.startswith(b"<?xml "), f"no XML declaration: {data[:40]!r}"
    try:
        return etree.ElementTree(etree.fromstring(data))
    except etree.XMLSyntaxError as exc:
        raise AssertionError(f"not well-formed XML: {exc}") from None


@cache
def _atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(ATOM_SCHEMA))


@cache
def _atom_rules() -> tuple[tuple[str, str, str], ...]:
    grammar = etree.parse(ATOM_SCHEMA)
    return tuple(
        (rule.get("context"), check.get("test"), " ".join(check.text.split()))
        for rule in grammar.iter(f"{_SCHEMATRON}rule")
        for check in rule.iter(f"{_SCHEMATRON}assert")
    )


def _check_rfc822(text: str | None, where: str) -> None:
    try:
        moment = parsedate_to_datetime(text or "")
    except (TypeError, ValueError):
        raise AssertionError(f"{where} is not an RFC 822 date: {text!r}") from None
    assert moment.tzinfo is not None, f"{where} has no time zone: {text!r}"


def _check_url(text: str | None, where: str) -> None:
    parts = urlsplit(text or "")
    assert parts.scheme in ("http", "https") and parts.netloc, f"{where} is not an absolute URL: {text!r}"
