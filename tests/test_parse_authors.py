"""Bylines: which words of a byline name its authors."""

from __future__ import annotations

import pytest

from feedsrv.parse import parse_article

BODY = ("The council voted on Tuesday to close the old library on Mill Street, ending a "
        "campaign that had run for more than a decade and divided the town.")


@pytest.mark.parametrize(("byline", "authors"), [
    ("By Maria Lopez Updated Nov 8, 2023", ("Maria Lopez",)),
    ("By Tom Reyes Sponsored", ("Tom Reyes",)),
    ("By Ann Kerr Published in City News March 3, 2021", ("Ann Kerr",)),
    ("By Sam Duarte Leave a comment", ("Sam Duarte",)),
    ("By Ruth Bell And Omar Haddad For The Evening Courier", ("Ruth Bell", "Omar Haddad")),
])
def test_words_after_the_name_are_no_part_of_it(byline: str, authors: tuple[str, ...]) -> None:
    text = f"Library to close after vote\n\n{byline}\n\n{BODY}\n"
    assert parse_article(text, source="article.txt").authors == authors
