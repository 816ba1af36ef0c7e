"""Where the story starts and what counts as its body, case by case: a small article
in, the body paragraphs out. Each case is invented, in the style of copied pages."""

from __future__ import annotations

import pytest

from storyparts import LEAD, SECOND, TITLE, body_of

# Lines of page furniture, wherever they stand: none is the story.
FURNITURE = [
    "I would like to be emailed about offers, events and updates from Example News. Read our privacy notice",
    "By signing up, you agree to our Privacy Policy and Terms of Use.",
    "Read more »",
    "Pin It",
    "Jump to navigation Jump to search",
    "Skip to main content",
    "Print | Email | Return to Top",
    "View/Post Comments",
    "Posted in: Politics, City Hall |",
    "Categories: City Hall, Budget 2015, Parks and Recreation, Libraries, Roads, Taxes, Opinion, Local News, "
    "Elections, Council Meetings, Public Works, Transportation, Neighborhoods, Schools, Community Events",
    # What the page says of itself and of the reader's account.
    "Reading time: 4 minutes",
    "This article is more than 2 years old",
    "Listen here on your chosen podcast platform.",
    "Audio: listen to this story",
    "Add this recipe to ZipList!",
    "Jump to recipe",
    "Already a subscriber? Log in",
    "Subscribe now for unlimited access.",
    "You have 3 free articles remaining.",
    "Get the latest news delivered to your inbox.",
    "Want more stories like this?",
    "Support independent journalism",
    "This post may contain affiliate links.",
    "We may earn a commission when you buy through links on our site.",
    "Our editors independently select these products.",
    "Story continues below advertisement",
    "Comments (12)",
    "Please enable JavaScript",
    "Cookie settings",
    "Home > News > Local",
    "BREAKING NEWS",
    "Exclusive:",
]


@pytest.mark.parametrize("line", FURNITURE)
def test_furniture_above_the_lead_is_not_the_story(line: str) -> None:
    assert body_of(TITLE, "By Jane Doe", line, LEAD, SECOND) == (LEAD, SECOND)


@pytest.mark.parametrize("line", FURNITURE)
def test_furniture_below_the_story_is_not_its_body(line: str) -> None:
    assert body_of(TITLE, "By Jane Doe", LEAD, SECOND, line) == (LEAD, SECOND)


@pytest.mark.parametrize("note", [
    "(Corrects third paragraph to show the vote was on Tuesday, not Monday.)",
    "(Cross-posted from the city's official blog.)",
    "(File Photo. The council chamber before Tuesday's vote on the budget for next year.)",
])
def test_a_note_in_parentheses_above_the_story_is_not_its_lead(note: str) -> None:
    assert body_of(TITLE, "By Jane Doe", note, LEAD, SECOND)[0] == LEAD


def test_an_aside_in_parentheses_after_a_short_lead_is_the_story_s() -> None:
    aside = "(The council has not passed a budget on time in a decade, unlike its neighbours.)"
    assert body_of(TITLE, "By Jane Doe", "Remember last year's budget fight?", aside, LEAD) \
        == ("Remember last year's budget fight?", aside, LEAD)


def test_a_lead_may_end_with_a_colon_above_what_it_introduces() -> None:
    lead = "The mayor, who met reporters at city hall on Tuesday evening, said something nobody expected:"
    quote = "“This is the best budget the city has had in twenty years, and I will sign it tomorrow.”"
    assert body_of(TITLE, "By Jane Doe", lead, quote, SECOND) == (lead, quote, SECOND)
    long_lead = ("Council members who met at city hall on Tuesday evening after a long public hearing listed what "
                 "the new budget pays for:")
    assert body_of(TITLE, "By Jane Doe", long_lead, "Parks", "Libraries", SECOND)[0] == long_lead


@pytest.mark.parametrize("credit", [
    "Post written by Jane Doe.",
    "Posted by jdoe on Tuesday July 24, @10:46AM",
    "from the no-rest-for-the-weary dept.",
    "Posted on November 5, 2012, 9:58 am, by Jane Doe, under City Hall, Budget.",
])
def test_a_blog_post_s_credit_line_is_not_its_lead(credit: str) -> None:
    assert body_of(TITLE, credit, LEAD, SECOND) == (LEAD, SECOND)


def test_a_blog_post_s_credit_line_below_it_is_not_its_body() -> None:
    assert body_of(TITLE, LEAD, SECOND, "Posted on 07/28/2012 at 3:00 AM | 2 comments") == (LEAD, SECOND)
