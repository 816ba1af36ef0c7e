"""The HTTP caching and content-coding rules, one at a time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from feedsrv.representations import http_date, parse_http_date
from feedsrv.web.caching import CodingMemo, accepted_codings, choose_coding, etag_matches, is_not_modified

ALL = ("identity", "gzip", "br")
MODIFIED = datetime(2015, 10, 22, 12, 30, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "available", "expected"),
    [
        (None, ALL, "identity"),
        ("", ALL, "identity"),
        ("gzip", ALL, "gzip"),
        ("x-gzip", ALL, "gzip"),
        ("gzip, deflate, br", ALL, "br"),
        ("gzip, br;q=0.5", ALL, "gzip"),
        ("br;q=0, gzip;q=0", ALL, "identity"),
        ("*", ALL, "br"),
        ("*;q=0.5, gzip", ALL, "gzip"),
        ("deflate", ALL, "identity"),
        ("br", ("identity", "gzip"), "identity"),
        ("GZIP;Q=0.8", ALL, "gzip"),
        ("gzip;q=abc", ALL, "identity"),
        ("identity;q=0, *;q=0", ALL, "identity"),
    ],
)
def test_choose_coding(header, available, expected):
    assert choose_coding(header, available) == expected


def test_accepted_codings_reads_quality_values():
    assert accepted_codings("gzip;q=0.7, br , *;q=0") == {"gzip": 0.7, "br": 1.0, "*": 0.0}


@pytest.mark.parametrize(
    ("header", "etag", "expected"),
    [
        ('"abc"', '"abc"', True),
        ('W/"abc"', '"abc"', True),
        ('"abc"', 'W/"abc"', True),
        ('"xyz", "abc"', '"abc"', True),
        ('"x,y", "abc"', '"abc"', True),
        ('"x,y"', '"abc"', False),
        ('"abc-gzip"', '"abc"', False),
        ("*", '"abc"', True),
        ('"ab"', '"abc"', False),
    ],
)
def test_etag_matches_uses_weak_comparison(header, etag, expected):
    assert etag_matches(header, etag) is expected


def test_http_date_is_imf_fixdate_in_gmt():
    assert http_date(MODIFIED) == "Thu, 22 Oct 2015 12:30:05 GMT"
    assert parse_http_date("Thu, 22 Oct 2015 12:30:05 GMT") == MODIFIED
    assert parse_http_date("yesterday") is None


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, False),
        ({"If-None-Match": '"tag"'}, True),
        ({"If-None-Match": '"other"'}, False),
        ({"If-Modified-Since": "Thu, 22 Oct 2015 12:30:05 GMT"}, True),
        ({"If-Modified-Since": "Thu, 22 Oct 2015 12:30:04 GMT"}, False),
        ({"If-Modified-Since": "Fri, 23 Oct 2015 00:00:00 GMT"}, True),
        ({"If-Modified-Since": "not a date"}, False),
        # If-None-Match wins over If-Modified-Since, whichever way it points.
        ({"If-None-Match": '"other"', "If-Modified-Since": "Fri, 23 Oct 2015 00:00:00 GMT"}, False),
        ({"If-None-Match": '"tag"', "If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"}, True),
    ],
)
def test_is_not_modified(headers, expected):
    # Sub-second precision on the resource must not defeat a date copied from Last-Modified.
    assert is_not_modified(headers, '"tag"', MODIFIED.replace(microsecond=900_000)) is expected


def test_coding_memo_answers_as_choose_coding_does_and_stays_bounded():
    memo = CodingMemo(limit=3)
    headers = [None, "gzip", "br;q=0.5, gzip", "*;q=0", "identity;q=0, gzip;q=0", "x-gzip", "gzip"]
    for header in headers:
        for available in (ALL, ("identity", "gzip"), ("identity",)):
            assert memo.choose(header, available) == choose_coding(header, available)
    assert len(memo._chosen) <= 3
