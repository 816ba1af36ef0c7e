"""Validation helpers for rendered feeds, shared by every test that serves or writes one.

``from feedcheck import validate_atom, validate_rss, validate_json_feed,
parse_with_feedparser``; each raises AssertionError naming what is wrong, so a
failing test says why.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
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


JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
_JSON_FEED_KEYS = {"version", "title", "home_page_url", "feed_url", "description", "user_comment",
                   "next_url", "icon", "favicon", "authors", "author", "language", "expired", "hubs", "items"}
_JSON_ITEM_KEYS = {"id", "url", "external_url", "title", "content_html", "content_text", "summary", "image",
                   "banner_image", "date_published", "date_modified", "authors", "author", "tags", "language",
                   "attachments"}
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def validate_json_feed(data: bytes) -> dict:
    """Assert ``data`` is a valid JSON Feed 1.1 document (https://jsonfeed.org/version/1.1)
    and return it: UTF-8 JSON; ``version``, ``title`` and ``items`` present; every
    item with a unique string ``id`` and ``content_html`` or ``content_text``; URLs
    absolute; dates RFC 3339; authors with a name, url or avatar; tags strings; no
    key the specification does not define, unless it is an ``_`` extension."""
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AssertionError(f"not UTF-8 JSON: {exc}") from None
    assert isinstance(document, dict), "the top level is not an object"
    _check_keys(document, _JSON_FEED_KEYS, "feed")
    assert document.get("version") == JSON_FEED_VERSION, f"version is {document.get('version')!r}"
    assert isinstance(document.get("title"), str) and document["title"], "feed lacks a title"
    for name in ("home_page_url", "feed_url", "next_url", "icon", "favicon"):
        if name in document:
            _check_url(document[name], f"feed {name}")
    for name in ("description", "user_comment", "language"):
        if name in document:
            assert isinstance(document[name], str), f"feed {name} is not a string"
    if "expired" in document:
        assert isinstance(document["expired"], bool), "feed expired is not a boolean"
    _check_json_authors(document, "feed")
    items = document.get("items")
    assert isinstance(items, list), "feed lacks an items array"
    ids: set[str] = set()
    for position, item in enumerate(items, start=1):
        where = f"item #{position}"
        assert isinstance(item, dict), f"{where} is not an object"
        _check_keys(item, _JSON_ITEM_KEYS, where)
        assert isinstance(item.get("id"), str) and item["id"], f"{where} lacks a string id"
        assert item["id"] not in ids, f"{where} repeats id {item['id']!r}"
        ids.add(item["id"])
        contents = [name for name in ("content_html", "content_text") if name in item]
        assert contents, f"{where} has neither content_html nor content_text"
        for name in (*contents, "title", "summary", "language"):
            if name in item:
                assert isinstance(item[name], str), f"{where} {name} is not a string"
        for name in ("url", "external_url", "image", "banner_image"):
            if name in item:
                _check_url(item[name], f"{where} {name}")
        for name in ("date_published", "date_modified"):
            if name in item:
                _check_rfc3339(item[name], f"{where} {name}")
        if "tags" in item:
            assert isinstance(item["tags"], list) and all(isinstance(tag, str) for tag in item["tags"]), \
                f"{where} tags are not a list of strings"
        _check_json_authors(item, where)
    return document


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


def _check_keys(record: dict, known: set[str], where: str) -> None:
    unknown = [key for key in record if key not in known and not key.startswith("_")]
    assert not unknown, f"{where} has keys JSON Feed 1.1 does not define: {unknown}"


def _check_json_authors(record: dict, where: str) -> None:
    if "authors" not in record:
        return
    authors = record["authors"]
    assert isinstance(authors, list), f"{where} authors is not an array"
    for author in authors:
        assert isinstance(author, dict), f"{where} has an author that is not an object"
        assert any(isinstance(author.get(name), str) and author[name] for name in ("name", "url", "avatar")), \
            f"{where} has an author with no name, url or avatar"
        for name in ("url", "avatar"):
            if name in author:
                _check_url(author[name], f"{where} author {name}")


def _check_rfc3339(text: object, where: str) -> None:
    assert isinstance(text, str) and _RFC3339.fullmatch(text), f"{where} is not an RFC 3339 date: {text!r}"
    try:
        datetime.fromisoformat(text.upper())
    except ValueError:
        raise AssertionError(f"{where} is not a valid date: {text!r}") from None


def _check_rfc822(text: str | None, where: str) -> None:
    try:
        moment = parsedate_to_datetime(text or "")
    except (TypeError, ValueError):
        raise AssertionError(f"{where} is not an RFC 822 date: {text!r}") from None
    assert moment.tzinfo is not None, f"{where} has no time zone: {text!r}"


def _check_url(text: str | None, where: str) -> None:
    parts = urlsplit(text or "")
    assert parts.scheme in ("http", "https") and parts.netloc, f"{where} is not an absolute URL: {text!r}"
