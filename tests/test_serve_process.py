"""README command 1 for real: `feedsrv serve` as a process, from the project root, no config flag."""

from __future__ import annotations

from conftest import ROOT
from feedcheck import parse_with_feedparser
from serving import free_port, http_get, running_server


def test_serve_from_the_project_root():
    with running_server([], cwd=ROOT, port=free_port()) as port:
        first = http_get(port, "/feeds/all.atom")
        assert first.status == 200
        parsed = parse_with_feedparser(first.body)
        assert len(parsed.entries) == 2
        assert all(entry.title and entry.link and entry.id and entry.author for entry in parsed.entries)
        again = http_get(port, "/feeds/all.atom", {"If-None-Match": first.headers["ETag"]})
        assert (again.status, again.body) == (304, b"")
        assert again.headers["ETag"] == first.headers["ETag"]
