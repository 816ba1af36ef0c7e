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
    ("Submitted by Tom Reyes on 08/09/2012 14:30 -0400", ("Tom Reyes",)),
    ("Contributed by Ann Kerr Friday, 28 December 2007", ("Ann Kerr",)),
    ("By Ruth Bell And Omar Haddad For The Evening Courier", ("Ruth Bell", "Omar Haddad")),
])
def test_words_after_the_name_are_no_part_of_it(byline: str, authors: tuple[str, ...]) -> None:
    text = f"Library to close after vote\n\n{byline}\n\n{BODY}\n"
    assert parse_article(text, source="article.txt").authors == authors


@pytest.mark.parametrize(("lines", "authors"), [
    (["By", "Maria Lopez", "@marialopez", "Tom Reyes"], ("Maria Lopez", "Tom Reyes")),
    (["By", "Ruth Bell", "and", "Omar Haddad"], ("Ruth Bell", "Omar Haddad")),
    (["By", "Ann Kerr News Reporter", "Tim Walsh Senior Reporter", "Sara Cole"],
     ("Ann Kerr", "Tim Walsh", "Sara Cole")),
    (["Author:", "Sam Duarte"], ("Sam Duarte",)),
])
def test_a_byline_set_one_author_a_line_is_one_byline(lines: list[str], authors: tuple[str, ...]) -> None:
    header = "\n\n".join(lines)
    text = f"Library to close after vote\n\n{header}\n\nPublished March 3, 2021\n\n{BODY}\n"
    assert parse_article(text, source="article.txt").authors == authors


@pytest.mark.parametrize(("header", "authors"), [
    # A name under the headline, with no date line below it, opening with a given name.
    ("Jessica Moore", ("Jessica Moore",)),
    ("March 3, 2021\n\nDaniel Okafor", ("Daniel Okafor",)),
    # Capitalized words that open with no given name are a heading, not a byline.
    ("Breaking Story", ()),
])
def test_a_bare_name_under_the_headline_is_a_byline(header: str, authors: tuple[str, ...]) -> None:
    text = f"Library to close after vote\n\n{header}\n\n{BODY}\n"
    assert parse_article(text, source="article.txt").authors == authors


def test_a_name_heading_a_box_below_the_lead_is_no_byline() -> None:
    text = f"Library to close after vote\n\n{BODY}\n\nMaria Lopez\n\n{BODY}\n"
    assert parse_article(text, source="article.txt").authors == ()


def test_after_a_name_a_beat_is_a_job_title_not_an_author() -> None:
    text = f"Library to close after vote\n\nBy Maria Lopez, Middle East Correspondent\n\n{BODY}\n"
    assert parse_article(text, source="article.txt").authors == ("Maria Lopez",)


@pytest.mark.parametrize(("line", "authors"), [
    ("Daniel Okafor 5 hours ago", ("Daniel Okafor",)),
    ("Top Stories 3 hours ago", ()),
])
def test_a_name_beside_a_relative_date_is_a_byline(line: str, authors: tuple[str, ...]) -> None:
    text = f"Library to close after vote\n\n{line}\n\n{BODY}\n"
    assert parse_article(text, source="article.txt").authors == authors


@pytest.mark.parametrize(("line", "authors"), [
    ("Maria Lopez · Evening Courier · Posted: Mar 03, 2021 4:00 AM EST", ("Maria Lopez",)),
    ("Ann Kerr|Published 4 months ago", ("Ann Kerr",)),
    ("Sam Duarte • 8h", ("Sam Duarte",)),
    # A photo's credit, not a byline.
    ("Tom Reyes | Example Images", ()),
])
def test_a_byline_in_dotted_or_barred_parts_names_its_authors_first(line: str, authors: tuple[str, ...]) -> None:
    text = f"Library to close after vote\n\n{line}\n\n{BODY}\n"
    assert parse_article(text, source="article.txt").authors == authors


@pytest.mark.parametrize(("line", "authors"), [
    ("By Maria Lopez Last updated Nov 8, 2023", ("Maria Lopez",)),
    ("---- by Tom Reyes", ("Tom Reyes",)),
    ("February 4, 2020 • words written by Ann Kerr • Art by Sam Duarte", ("Ann Kerr",)),
])
def test_a_byline_around_other_words_names_only_its_authors(line: str, authors: tuple[str, ...]) -> None:
    text = f"Library to close after vote\n\n{line}\n\n{BODY}\n"
    assert parse_article(text, source="article.txt").authors == authors


@pytest.mark.parametrize(("top", "authors"), [
    # Copied from below the headline: the page opens with its byline.
    ("Jessica Moore", ("Jessica Moore",)),
    # Four capitalized words that open with a given name read as a headline.
    ("Olive Harvest Festival Returns", ()),
    # A given name over a word that is no surname: a short headline.
    ("Grace Period", ()),
])
def test_given_names_over_the_lead_open_a_page_as_its_byline(top: str, authors: tuple[str, ...]) -> None:
    text = f"{top}\n\n{BODY}\n\n{BODY}\n"
    assert parse_article(text, source="article.txt").authors == authors


@pytest.mark.parametrize(("top", "title", "authors"), [
    # A page copied from its top may open with the byline, over buttons or a date.
    ("Zorvan Whitaker\n\nView Profile\n\nEmail", None, ("Zorvan Whitaker",)),
    ("Alyene Senger and Grant Hodges\n\nAugust 9, 2012 at 4:00 pm\n\nLeave a comment", None,
     ("Alyene Senger", "Grant Hodges")),
    # Given names and initials may stand between; a surname may be set in capitals.
    ("Katie J.M. Baker\n\nView Profile", None, ("Katie J.M. Baker",)),
    ("Ian LYNAM\n\nView Profile", None, ("Ian LYNAM",)),
    # A headline ending in a surname is still a headline.
    ("Trump Defeats Clinton\n\nAugust 9, 2012", "Trump Defeats Clinton", ()),
])
def test_names_at_the_top_of_the_page_sign_it(top: str, title: str | None, authors: tuple[str, ...]) -> None:
    entry = parse_article(f"{top}\n\n{BODY}\n\nThe vote was close.\n", source="article.txt")
    assert (entry.authors, entry.title if title else entry.body[0]) == (authors, title or BODY)


@pytest.mark.parametrize(("lines", "authors"), [
    (["Nizaar Kinsella 2 minutes ago"], ("Nizaar Kinsella",)),
    (["Adam Vidler and AP", "June 30, 2026 - 4.34pm"], ("Adam Vidler",)),
    (["One man makes a knowingly futile attempt at predicting snow for decades.", "Jon Metcalfe", "@citycalfe"],
     ("Jon Metcalfe",)),
])
def test_a_name_over_a_handle_or_beside_the_wires_is_a_byline(lines: list[str], authors: tuple[str, ...]) -> None:
    header = "\n\n".join(lines)
    text = f"Library to close after vote\n\n{header}\n\n{BODY}\n"
    assert parse_article(text, source="article.txt").authors == authors


# Byline forms of many sites, each with the authors and outlet it names.
BYLINE_FORMS = [
    ("Maria Lopez and Tom Reyes, Reuters", ("Maria Lopez", "Tom Reyes"), "Reuters"),
    ("Maria Lopez / The Evening Courier", ("Maria Lopez",), "The Evening Courier"),
    ("Maria Lopez - The Evening Courier", ("Maria Lopez",), "The Evening Courier"),
    ("Maria Lopez, Newcastle University", ("Maria Lopez",), None),
    ("Maria Lopez Contributor", ("Maria Lopez",), None),
    ("Words: Maria Lopez", ("Maria Lopez",), None),
    ("Reporting by Maria Lopez; Editing by Tom Reyes", ("Maria Lopez",), None),
    ("Maria Lopez@mlopez", ("Maria Lopez",), None),
    # The newsroom's address names the outlet by its domain.
    ("Maria Lopez mlopez@example.com", ("Maria Lopez",), "example.com"),
    ("Claudia Tanclaudiat@example.com.sg@ClaudiaTanBT", ("Claudia Tan",), "example.com.sg"),
    ("Maria Lopez, Ph.D.", ("Maria Lopez",), None),
    ("By Maria Lopez Special to the Evening Courier", ("Maria Lopez",), "Evening Courier"),
    ("All India Edited by Maria Lopez (with inputs from Agencies)", ("Maria Lopez",), None),
    ("Andrew Ramsey, Melbourne Cricket Ground", ("Andrew Ramsey",), None),
    ("Maria Lopez (Reuters)", ("Maria Lopez",), "Reuters"),
    ("Article by Maria Lopez", ("Maria Lopez",), None),
    ("Interview by Maria Lopez", ("Maria Lopez",), None),
    ("Review by Maria Lopez", ("Maria Lopez",), None),
    ("Author Maria Lopez", ("Maria Lopez",), None),
    # A photo's credit and a heading are no bylines.
    ("Maria Lopez/AP", (), None),
    ("Recent Posts", (), None),
    ("Story: Council Votes", (), None),
]


@pytest.mark.parametrize(("line", "authors", "outlet"), BYLINE_FORMS)
def test_byline_forms(line: str, authors: tuple[str, ...], outlet: str | None) -> None:
    entry = parse_article(f"Library to close after vote\n\n{line}\n\n{BODY}\n", source="article.txt")
    assert (entry.authors, entry.outlet) == (authors, outlet)


def test_a_dash_lost_to_a_wrong_encoding_still_separates() -> None:
    # "—" read in the wrong encoding and replaced prints as "?".
    lead = ("MELBOURNE, Australia (AP) ? Novak Djokovic gives a different kind of impression from the "
            "other players, officials said on Tuesday.")
    entry = parse_article(f"Djokovic wins\n\nBy JOHN PYE ? 1 day ago\n\n{lead}\n\n{BODY}\n", source="article.txt")
    assert (entry.authors, entry.dateline, entry.body[0]) == (("JOHN PYE",), "MELBOURNE, Australia", lead)


def test_an_acronym_after_a_name_is_no_part_of_it() -> None:
    # "CEO" is no surname in capitals ("Ian LYNAM"): no author may carry it.
    entry = parse_article(f"Library to close after vote\n\nGina Trapani CEO\n\n{BODY}\n", source="article.txt")
    assert [name for name in entry.authors if "CEO" in name] == []
