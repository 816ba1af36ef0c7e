"""Which date the text gives as the article's publication (and update), case by case:
a small article in, the dates out. Each case is invented, in the style of copied pages."""

from __future__ import annotations

import pytest

from storyparts import LEAD, SECOND, THIRD, TITLE, parse


def dates_of(*paragraphs: str) -> tuple[str, str, str]:
    """The published day, where it came from, and the updated day."""
    entry = parse(*paragraphs)
    return entry.published.date().isoformat(), entry.published_from, entry.updated.date().isoformat()


# Lines about the article that state its date beside other things.
SIDE_DATES = [
    ("Jane Doe · Example News · Posted: Aug 8, 2024 4:00 AM EDT", "2024-08-08"),
    ("January 13, 2020 at 08:45 AM | categories: Politics, City Hall", "2020-01-13"),
    ("Story published on Oct 5, 2022.", "2022-10-05"),
    ("Example Daily, December 11, 2014", "2014-12-11"),
]


@pytest.mark.parametrize(("line", "day"), SIDE_DATES)
def test_a_date_stated_beside_other_things_at_the_top_is_the_publication(line: str, day: str) -> None:
    assert dates_of(TITLE, line, LEAD, SECOND)[:2] == (day, "text")


def test_a_date_an_update_follows_is_the_first_publication() -> None:
    line = "By Jane Doe on December 27, 2014 at 4:28 PM, updated December 29, 2014 at 9:00 AM"
    assert dates_of(TITLE, line, LEAD, SECOND) == ("2014-12-27", "text", "2014-12-29")


def test_a_label_alone_names_the_date_on_the_line_below() -> None:
    paragraphs = (TITLE, "By Jane Doe", "Published:", "March 2, 2021", "Updated:", "March 4, 2021", LEAD, SECOND)
    assert dates_of(*paragraphs) == ("2021-03-02", "text", "2021-03-04")


def test_an_update_alone_is_the_publication_only_when_nothing_else_is_stated() -> None:
    assert dates_of(TITLE, "Last edited 12 May 2018", LEAD, SECOND) == ("2018-05-12", "text", "2018-05-12")


def test_a_date_line_wins_over_a_date_beside_other_things() -> None:
    paragraphs = (TITLE, "January 13, 2020 at 08:45 AM | categories: Politics, City Hall", "By Jane Doe",
                  "January 9, 2020", LEAD, SECOND)
    assert dates_of(*paragraphs)[0] == "2020-01-09"


def test_an_embedded_post_s_date_in_the_body_is_not_the_article_s() -> None:
    post = "Jane Roe (@janeroe) November 2, 2012"
    story = (LEAD, SECOND, THIRD, post, SECOND.replace("next year", "again"))
    assert dates_of(TITLE, "By Jane Doe", "March 2, 2021", *story)[0] == "2021-03-02"
    assert dates_of(TITLE, "By Jane Doe", *story)[1] != "text"


def test_a_date_in_running_prose_is_not_the_article_s() -> None:
    sentence = "The budget takes effect on January 1, 2016, after a final vote in the spring."
    assert dates_of(TITLE, "By Jane Doe", LEAD, sentence, SECOND)[1] != "text"


# Sentences in which the page dates the article itself, below the story.
SELF_DATED = [
    ("This entry was posted on Wednesday, November 20th, 2019 at 2:05 pm and is filed under Politics.", "2019-11-20"),
    ("This article was originally published on Nov 20, 2019.", "2019-11-20"),
    ("Posted on November 20, 2019 in Politics | 3 Comments", "2019-11-20"),
    # A CMS's signature names the author before the date.
    ("This entry was written by jane, posted on 10/18/2019 at 12:22 pm.", "2019-10-18"),
    ("Submitted by Jane Doe on 11/20/2019 14:30 -0400", "2019-11-20"),
    ("Written on November 20, 2019 by Jane Doe", "2019-11-20"),
]


@pytest.mark.parametrize(("line", "day"), SELF_DATED)
def test_a_sentence_dating_the_article_below_it_is_the_publication(line: str, day: str) -> None:
    assert dates_of(TITLE, LEAD, SECOND, THIRD, line)[:2] == (day, "text")


def test_a_sentence_about_something_else_being_published_is_no_date_of_the_article() -> None:
    sentence = "The report was published on January 5, 2016, and found that the roads needed repair."
    assert dates_of(TITLE, LEAD, SECOND, THIRD, sentence)[1] != "text"


@pytest.mark.parametrize("line", ["20-Nov-2019", "Nov-20-2019", "2019.11.20",
                                  "Written on November 20, 2019 by Jane Doe"])
def test_date_lines_in_the_header(line: str) -> None:
    assert dates_of(TITLE, line, LEAD, SECOND)[:2] == ("2019-11-20", "text")
