"""The pieces of a small invented article the case-by-case parser tests assemble:
a headline, a lead and the paragraphs after it, in the style of copied pages."""

from __future__ import annotations

from feedsrv.model import Entry
from feedsrv.parse import parse_article

TITLE = "Council Backs Budget"
LEAD = ("The city council voted on Tuesday to approve a budget that adds money for parks, "
        "libraries and road repairs across every district of the city.")
SECOND = "Opponents said the plan spends too much and promised to fight it next year."
# Long enough that, with the two above, the story has begun (the top ends) before a
# line placed after it.
THIRD = ("The mayor, who proposed the budget in the spring, said the new money would be spent on "
         "the projects residents had asked for at public meetings held in every ward of the city over the winter, "
         "and that the savings found elsewhere in the budget, from energy to office rents, "
         "would keep property taxes where they are for at least another two years.")


def parse(*paragraphs: str) -> Entry:
    """The entry of an article made of ``paragraphs``."""
    return parse_article("\n\n".join(paragraphs) + "\n", source="articles/story.txt")


def body_of(*paragraphs: str) -> tuple[str, ...]:
    """The body paragraphs of an article made of ``paragraphs``."""
    return parse(*paragraphs).body
