"""Issue 11 rules on where the story starts and where it ends, case by case: a small
article in, the body paragraphs out. Each case is invented, in the style of copied
pages."""

from __future__ import annotations

import pytest

from feedsrv.parse._captions import read_slash_credit
from storyparts import LEAD, SECOND, TITLE, body_of


@pytest.mark.parametrize("notice", [
    "All content © Copyright 2001 - 2009 Example Media and Channel 9. All Rights Reserved.",
    "All Content is Copyright © 2009 Example Sports News. This material is intended solely for personal use.",
    "This material may not be published, broadcast, rewritten or redistributed.",
    "Distributed by Example Wire. This material may not be published, broadcast, rewritten or redistributed.",
    "(The article may not be reproduced without the written permission of the publisher.)",
])
def test_a_rights_notice_below_the_story_is_not_its_body(notice: str) -> None:
    assert body_of(TITLE, "By Jane Doe", LEAD, SECOND, notice) == (LEAD, SECOND)


def test_a_paragraph_on_what_may_not_be_published_is_the_story_s() -> None:
    ruling = "The judge ruled that the names of the two witnesses may not be published until the trial ends."
    assert body_of(TITLE, "By Jane Doe", LEAD, ruling) == (LEAD, ruling)


@pytest.mark.parametrize("line", [
    "Trademarks property of their respective owners. Comments owned by the poster. © 2015 All Rights Reserved.",
    "← Parks Department Names New Director",
    "Library Hours Extended for Summer →",
    "Be the first to like this.",
])
def test_page_furniture_below_the_story_is_not_its_body(line: str) -> None:
    assert body_of(TITLE, "By Jane Doe", LEAD, SECOND, line) == (LEAD, SECOND)


@pytest.mark.parametrize("marker", [
    "One Comment leave one →",
    "No comments:",
    "42 of 118 comments loaded",
    "Article Comments",
    "Reader Comments",
    "12 Responses to “Council Backs Budget”",
])
def test_the_comment_section_ends_the_story(marker: str) -> None:
    comment = "I have lived here for thirty years and I have never seen the roads in such a state as this."
    assert body_of(TITLE, "By Jane Doe", LEAD, SECOND, marker, comment) == (LEAD, SECOND)


WIKI_LEAD = ("A budget (from Old French bougette, purse) is a financial plan for a defined period, often one "
             "year, that sets out expected income and planned spending.")


@pytest.mark.parametrize("hatnote", [
    "This article is about the financial plan. For other uses, see Budget (disambiguation).",
    "\"Budgets\" redirects here. For the band, see Budgets (band).",
    "For the budget of a government, see government budget.",
    "Not to be confused with Budgie.",
])
def test_a_hatnote_above_the_lead_is_not_the_lead(hatnote: str) -> None:
    assert body_of("Budget", "From Wikipedia, the free encyclopedia", hatnote, WIKI_LEAD, SECOND)[0] == WIKI_LEAD


def test_a_pointer_within_the_site_can_be_the_lead() -> None:
    pointer = "For a list of all the posts on this blog, see the archive page."
    assert body_of(TITLE, pointer, LEAD, SECOND)[0] == pointer


@pytest.mark.parametrize("credit", [
    "By Jane Doe/Getty Images.",
    "Jane Doe/Reuters",
    "JANE DOE/AFP via Getty Images",
    "Jane Doe/jdoe@example.com",
])
def test_a_slash_credit_above_the_lead_is_not_the_lead(credit: str) -> None:
    assert body_of(TITLE, "By John Roe", credit, LEAD, SECOND) == (LEAD, SECOND)


@pytest.mark.parametrize(("line", "is_credit"), [
    ("Kevin Mazur/WireImage", True),
    ("Study Your Target/Interviewer beforehand", False),
    ("Parks/Recreation", False),
    ("The council voted/approved it.", False),
])
def test_what_a_slash_credit_is(line: str, is_credit: bool) -> None:
    assert (read_slash_credit(line) is not None) is is_credit


BIO_TEASER = "Jane Doe is a reporter and cartoonist in Chicago. She writes and draws for her blog Night Desk ..."


@pytest.mark.parametrize("more", ["Read more »", "Continue reading", "Full bio"])
def test_a_teaser_cut_short_above_a_read_more_link_is_not_the_lead(more: str) -> None:
    assert body_of(TITLE, "By Jane Doe", BIO_TEASER, more, LEAD, SECOND) == (LEAD, SECOND)


def test_a_teaser_cut_short_below_the_story_is_not_its_body() -> None:
    assert body_of(TITLE, "By Jane Doe", LEAD, SECOND, BIO_TEASER, "Read more »") == (LEAD, SECOND)


def test_a_paragraph_trailing_off_in_the_story_is_the_story_s() -> None:
    trailing = "And then the lights went out in the chamber ..."
    assert body_of(TITLE, "By Jane Doe", LEAD, trailing, SECOND) == (LEAD, trailing, SECOND)


LONG_LEAD = ("The city's winter festival returns over the next four weekends along the river. Surrounded by "
             "hills, old warehouses and new parks, the festival is one of the largest of its kind in the region "
             "and draws visitors from across the state, with music, food stalls and a lantern walk on every "
             "evening of its run.")


def test_a_photo_credit_under_a_long_lead_leaves_it_the_lead() -> None:
    body = body_of(TITLE, "By Jane Doe", LONG_LEAD, "Photo credit: John Roe", "December 1st to 2nd: Opening night",
                   LEAD, SECOND)
    assert body[0] == LONG_LEAD


def test_a_photo_credit_under_a_short_caption_makes_it_no_lead() -> None:
    caption = "Mayor Jane Doe speaks to reporters at City Hall on Tuesday."
    assert body_of(TITLE, "By Jane Doe", caption, "Photo credit: John Roe", LEAD, SECOND)[0] == LEAD


@pytest.mark.parametrize("heading", ["Read more...", "More Trending", "Read more…"])
def test_headlines_under_a_related_heading_are_not_the_body(heading: str) -> None:
    headlines = ["Mayor Names New Parks Chief", "Library Hours Extended for Summer"]
    assert body_of(TITLE, "By Jane Doe", LEAD, SECOND, heading, *headlines) == (LEAD, SECOND)


def test_a_long_paragraph_printed_twice_is_body_once() -> None:
    assert body_of(TITLE, "By Jane Doe", LEAD, SECOND, "Click through to see the plan.", LEAD) \
        == (LEAD, SECOND, "Click through to see the plan.")


def test_a_short_line_may_repeat_in_the_story() -> None:
    assert body_of(TITLE, "By Jane Doe", LEAD, "Yes.", SECOND, "Yes.") == (LEAD, "Yes.", SECOND, "Yes.")
