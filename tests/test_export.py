"""`feedsrv build`: the same paths and bytes as the server, with .gz siblings."""

from __future__ import annotations

import gzip
import os

from feedsrv.export import export_site
from feedsrv.urls import export_path


def test_export_paths():
    assert str(export_path("/")) == "index.html"
    assert str(export_path("/feeds/topics/syria.atom")) == "feeds/topics/syria.atom"
    assert str(export_path("/articles/002-3b1ee3ced2e6f8f0")) == "articles/002-3b1ee3ced2e6f8f0/index.html"


def test_export_writes_every_resource_with_the_server_bytes(seed_site, tmp_path):
    written = export_site(seed_site, tmp_path)
    paths = list(seed_site.paths())
    assert len(written) == 2 * len(paths)
    for path in paths:
        resource = seed_site.resource(path)
        target = tmp_path / export_path(path)
        assert target.read_bytes() == resource.identity.body
        sibling = target.with_name(target.name + ".gz")
        assert gzip.decompress(sibling.read_bytes()) == resource.identity.body
        assert os.stat(target).st_mtime == resource.last_modified.timestamp()
    assert (tmp_path / "feeds" / "all.atom").is_file()
    assert not list(tmp_path.rglob(".*"))
