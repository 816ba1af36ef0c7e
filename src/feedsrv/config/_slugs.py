"""URL slugs of names: file stems, outlets, people."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SLUG_STRIP = re.compile(r"[^a-z0-9]+")
# The longest slug in a URL: its file, <slug>.txt, stays well within the 255 bytes
# file systems allow in a name (past them, writing fails with ENAMETOOLONG), and its
# URLs well within the request line servers accept.
MAX_SLUG_LENGTH = 200
# The digest that keeps apart names cut to the same slug.
_NAME_DIGEST_LENGTH = 12


def slugify(text: str) -> str:
    """Lower-case ASCII slug of ``text``: ``Mail & Guardian`` → ``mail-guardian``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _SLUG_STRIP.sub("-", ascii_text.lower()).strip("-")


def name_slug(text: str) -> str:
    """The URL slug of a name (a file stem, an outlet, a person): :func:`slugify`,
    cut to :data:`MAX_SLUG_LENGTH` with a digest of the whole name so that two long
    names sharing a beginning keep apart."""
    slug = slugify(text)
    if len(slug) <= MAX_SLUG_LENGTH:
        return slug
    digest = hashlib.sha256(text.casefold().encode("utf-8", "surrogatepass")).hexdigest()[:_NAME_DIGEST_LENGTH]
    return f"{slug[:MAX_SLUG_LENGTH - _NAME_DIGEST_LENGTH - 1].rstrip('-')}-{digest}"
