"""Representations: variants per coding, their tags and headers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import get_args

from feedsrv.representations import CODINGS, IDENTITY, IMMUTABLE, Coding, inline_disposition, make_resource

MODIFIED = datetime(2015, 10, 22, 12, 30, 5, tzinfo=UTC)


def test_a_saved_feed_is_named_after_its_path() -> None:
    assert inline_disposition("/feeds/topics/syria/archive/2.json") == 'inline; filename="topics-syria-archive-2.json"'


def test_each_coding_is_its_own_representation_with_its_own_tag() -> None:
    body = b"<feed>" + b"entry " * 500 + b"</feed>"
    resource = make_resource("/feeds/all.atom", "application/atom+xml; charset=utf-8", body, MODIFIED,
                             cache_control=IMMUTABLE)
    assert set(resource.variants) == {IDENTITY, *CODINGS}
    tags = {variant.etag for variant in resource.variants.values()}
    assert len(tags) == len(resource.variants)
    assert resource.variants["gzip"].headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in resource.identity.headers


def test_the_codings_are_identity_and_the_compressed_ones() -> None:
    assert set(get_args(Coding)) == {IDENTITY, *CODINGS}


def test_a_coding_that_does_not_make_the_body_smaller_is_left_out() -> None:
    resource = make_resource("/feeds/all.json", "application/feed+json; charset=utf-8", b"{}", MODIFIED,
                             cache_control="public, max-age=60")
    assert set(resource.variants) == {IDENTITY}
    assert "Vary" not in resource.identity.headers
