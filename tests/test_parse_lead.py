"""Where the story starts, case by case: a small article in, its lead out. Each case
is invented, in the style of copied pages."""

from __future__ import annotations

from feedsrv.parse import parse_article

TITLE = "Council Backs Budget"
LEAD = ("The city council voted on Tuesday to approve a budget that adds money for parks, "
        "libraries and road repairs across every district of the city.")
SECOND = "Opponents said the plan spends too much and promised to fight it next year."


def body_of(*paragraphs: str) -> tuple[str, ...]:
    return parse_article("\n\n".join(paragraphs) + "\n", source="articles/story.txt").body


def test_a_date_in_the_story_after_a_long_lead_keeps_the_lead() -> None:
    letter = "Dear Mrs. Doe:"
    entry_body = body_of(TITLE, "By Jane Doe", LEAD + " " + SECOND, "November 29th, 1918", letter,
                         "Your son was brought to this hospital on the 13th of November, very sick.")
    assert entry_body[0] == LEAD + " " + SECOND


def test_a_dek_above_a_date_line_naming_the_author_is_no_lead() -> None:
    dek = ("The government has unveiled a plan to help the industry cut the cost of solar panels by half "
           "before 2030, with grants for factories and research and a new agency to run them.")
    assert body_of(TITLE, dek, "November 20, 2019 Jane Doe", LEAD, SECOND) == (LEAD, SECOND)
