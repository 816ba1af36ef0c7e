"""Where the story starts and what is not the story: the rules of
:mod:`feedsrv.parse._lead` and of the body reader, one by one, on small articles."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from feedsrv.model import Caption, Entry
from feedsrv.parse import parse_article

LEAD = ("The city council voted on Tuesday to approve a budget that adds money for parks, "
        "libraries and road repairs across every district of the city.")
SECOND = "Opponents said the plan spends too much and promised to fight it next year."
THIRD = "The mayor is expected to sign the budget into law before the end of the month."


def parse(*paragraphs: str, **kwargs: Any) -> Entry:
    return parse_article("\n\n".join(paragraphs) + "\n", source="articles/story.txt", **kwargs)


# --- the lead ---------------------------------------------------------------------


def test_a_dek_above_the_byline_is_not_the_story() -> None:
    entry = parse("Council Backs Budget", "Parks and libraries get more money next year.", "By Jane Doe",
                  "Published 21 October 2015", LEAD, SECOND)
    assert entry.body == (LEAD, SECOND)
    assert entry.authors == ("Jane Doe",)
    assert entry.published.date() == date(2015, 10, 21)


def test_promotions_above_the_date_line_are_not_the_story() -> None:
    entry = parse("Council Backs Budget", "A dek that sums the story up in a sentence or so.", "Breaking News Emails",
                  "Get breaking news alerts and special reports. The news that matters, delivered daily.",
                  "SUBSCRIBE", "Oct. 21, 2015, 9:28 AM UTC", "By Jane Doe", LEAD, SECOND)
    assert entry.body == (LEAD, SECOND)


def test_a_photo_above_the_lead_keeps_its_caption() -> None:
    caption = "The mayor speaks to reporters at city hall after the vote on Tuesday, flanked by council members."
    entry = parse("Council Backs Budget", "By Jane Doe", caption, "Photo: Jane Smith / Example Agency", LEAD, SECOND)
    assert entry.body == (LEAD, SECOND)
    assert entry.captions == (Caption(caption, "Jane Smith / Example Agency"),)


def test_share_buttons_and_their_slogans_are_not_the_lead() -> None:
    entry = parse("Council Backs Budget", "by Jane Doe October 21, 2015", "Sharing is caring!", "858shares",
                  "Pinterest", "Facebook", "Copy Link URL Copied!", "Print", LEAD, SECOND)
    assert entry.body == (LEAD, SECOND)


def test_a_short_lead_is_followed_by_prose() -> None:
    entry = parse("Council Backs Budget", "By Jane Doe", "The council met.", LEAD, SECOND)
    assert entry.body == ("The council met.", LEAD, SECOND)
    # An advertisement between two paragraphs of the story changes nothing.
    entry = parse("Council Backs Budget", "By Jane Doe", "The council met.", "Advertisement", LEAD, SECOND)
    assert entry.body == ("The council met.", LEAD, SECOND)


def test_a_dateline_lead_wins_over_a_promotion_standing_alone() -> None:
    lead = "BERLIN (AP) — " + LEAD
    entry = parse("Council Backs Budget", "By Jane Doe", "Published 21 October 2015",
                  "Chat with us in Messenger. Find out what is happening in the world as it unfolds.",
                  "JUST WATCHED", "Mayor: budget talks going well", lead, SECOND)
    assert entry.body == (lead, SECOND)
    assert entry.dateline == "BERLIN"


def test_a_video_card_is_not_the_lead() -> None:
    entry = parse("Council Backs Budget", "By Jane Doe", "Video", "Mayor talks budget",
                  "The mayor explains the budget to reporters at city hall on Monday afternoon.", LEAD, SECOND)
    assert entry.body == (LEAD, SECOND)


def test_key_points_and_bulleted_summaries_are_not_the_story() -> None:
    entry = parse("Council Backs Budget", "Published Tue, Nov 19 2019 7:33 AM EST", "Jane Doe @janedoe", "Key Points",
                  "The council approved the budget on Tuesday.", "Parks and libraries get more money.",
                  "VIDEO 1:23", "Mayor talks budget", "Council backs budget for parks, roads", LEAD, SECOND)
    assert entry.body == (LEAD, SECOND)
    assert entry.authors == ("Jane Doe",)
    entry = parse("Council Backs Budget", "By Jane Doe", "- The council approved the budget on Tuesday.",
                  "- Parks and libraries get more money.", LEAD, SECOND)
    assert entry.body == (LEAD, SECOND)


def test_a_name_over_a_reading_time_is_the_byline() -> None:
    entry = parse("Council Backs Budget", "Jane Doe", "3 Min Read", "LONDON (Reuters) - " + LEAD, SECOND)
    assert entry.authors == ("Jane Doe",)
    assert entry.body[0] == "LONDON (Reuters) - " + LEAD


def test_labels_after_the_story_has_begun_are_the_story_s() -> None:
    long_lead = LEAD + " " + SECOND + " " + THIRD + " " + LEAD
    entry = parse("Council Backs Budget", "By Jane Doe", long_lead, SECOND,
                  "Ann Lee, Example Herald political correspondent", THIRD)
    assert entry.body == (long_lead, SECOND, THIRD)
    assert entry.authors == ("Jane Doe",)


def test_the_sources_end_the_search_for_a_lead() -> None:
    entry = parse("Council Backs Budget", LEAD, "Sources:", "Example Times – Votes — 1 May 2015", SECOND * 8)
    assert entry.body == (LEAD, SECOND * 8)
    assert len(entry.references) == 1


def test_without_prose_the_body_starts_after_the_labels() -> None:
    entry = parse("Council Backs Budget", "By Jane Doe", "Ingredients", "8 ripe pears", "1 lemon")
    assert entry.body == ("Ingredients", "8 ripe pears", "1 lemon")


# --- headline and bylines ---------------------------------------------------------


def test_a_headline_may_end_with_a_full_stop_when_a_date_line_follows() -> None:
    entry = parse("Meth. We are on it. They just might be.", "Updated Nov 19, 2019, 9:41 AM", LEAD, SECOND)
    assert (entry.title, entry.title_derived) == ("Meth. We are on it. They just might be.", False)
    assert entry.body == (LEAD, SECOND)


def test_a_byline_broken_after_by() -> None:
    entry = parse("Council Backs Budget", "By", "Al Root", "Published 21 October 2015", LEAD)
    assert entry.authors == ("Al Root",)
    assert entry.body == (LEAD,)


@pytest.mark.parametrize("date_line", ["21 Oct 2015, 19:09", "1 day ago", "- Nov. 18th 2019 12:12 pm PT"])
def test_a_bare_name_above_a_date_line_is_the_byline(date_line: str) -> None:
    entry = parse("Council Backs Budget", "Debbie White", date_line, LEAD)
    assert entry.authors == ("Debbie White",)
    assert entry.body == (LEAD,)


@pytest.mark.parametrize(("line", "authors"), [
    ("Jane Doe and John Roe", ("Jane Doe", "John Roe")),
    ("Jane Doe in London", ("Jane Doe",)),
])
def test_bare_names_above_a_date_line(line: str, authors: tuple[str, ...]) -> None:
    entry = parse("Council Backs Budget", line, "Tue 19 Nov 2019 12.00 GMT",
                  "Last modified on Tue 19 Nov 2019 14.00 GMT", LEAD)
    assert entry.authors == authors
    assert entry.updated > entry.published


def test_a_title_case_headline_above_a_date_line_is_no_byline() -> None:
    entry = parse("Putin Meets Assad", "21 October 2015", LEAD)
    assert (entry.title, entry.authors) == ("Putin Meets Assad", ())
    entry = parse("JANIE HAR", "Nov. 20, 2019", LEAD)
    assert (entry.authors, entry.title_derived) == (("JANIE HAR",), True)


@pytest.mark.parametrize("byline", ["Jane Doe | Staff Writer", "Jane Doe - Staff Writer", "Jane Doe, Staff Writer"])
def test_a_byline_without_by(byline: str) -> None:
    entry = parse("Council Backs Budget", byline, LEAD)
    assert (entry.authors, entry.author_role) == (("Jane Doe",), "Staff Writer")


def test_a_bare_name_above_a_job_title_is_the_byline() -> None:
    entry = parse("Council Backs Budget", "Tom Gillespie", "News reporter @TomGillespie1", LEAD)
    assert (entry.authors, entry.author_role) == (("Tom Gillespie",), "News reporter")


def test_words_below_a_date_line_or_a_desk_name_are_no_byline() -> None:
    assert parse("Council Backs Budget", "21 Oct 2015", "Order Reprints", LEAD).authors == ()
    assert parse("Council Backs Budget", "Example Sport", "21 Oct 2015", LEAD).authors == ()


@pytest.mark.parametrize(("byline", "authors", "outlet"), [
    ("by Regan December 6, 2017", ("Regan",), None),
    ("written by Regan", ("Regan",), None),
    ("By Reuters", (), "Reuters"),
    ("By AP", (), "AP"),
])
def test_one_word_bylines(byline: str, authors: tuple[str, ...], outlet: str | None) -> None:
    entry = parse("Council Backs Budget", byline, LEAD)
    assert (entry.authors, entry.outlet) == (authors, outlet)


def test_a_byline_s_words_after_its_date_name_a_section() -> None:
    entry = parse("Council Backs Budget", "By Jane Doe - Staff Writer 2019-11-18T23:30:00Z Health", LEAD)
    assert (entry.authors, entry.author_role, entry.outlet) == (("Jane Doe",), "Staff Writer", None)


def test_a_name_with_a_capitalized_particle_first() -> None:
    assert parse("Council Backs Budget", "By Al Root", LEAD).authors == ("Al Root",)
    assert parse("Council Backs Budget", "By Bill de Blasio", LEAD).authors == ("Bill de Blasio",)


# --- captions, related links, furniture -------------------------------------------


@pytest.mark.parametrize(("paragraph", "caption"), [
    ("Image caption The mayor at city hall", Caption("The mayor at city hall", position=1)),
    ("The mayor at city hall on Monday. Photograph by Jane Smith/AFP/Getty Images",
     Caption("The mayor at city hall on Monday.", "Jane Smith/AFP/Getty Images", position=1)),
    ("The mayor at city hall after the vote Credit: Getty - Contributor",
     Caption("The mayor at city hall after the vote", "Getty - Contributor", position=1)),
    ("The mayor at city hall on Monday. Photograph: Jane Smith/Example Agency",
     Caption("The mayor at city hall on Monday.", "Jane Smith/Example Agency", position=1)),
])
def test_captions_in_the_body(paragraph: str, caption: Caption) -> None:
    entry = parse("Council Backs Budget", LEAD, paragraph, SECOND)
    assert entry.captions == (caption,)
    assert entry.body == (LEAD, SECOND)


@pytest.mark.parametrize("credit", ["Image copyright Getty Images", "Credit... Jane Smith/Example Times"])
def test_credit_lines_are_no_outlet(credit: str) -> None:
    entry = parse("Council Backs Budget", LEAD, "The mayor at city hall.", credit, SECOND)
    assert entry.outlet is None
    assert entry.body == (LEAD, SECOND)


def test_a_block_of_related_links_is_not_the_story() -> None:
    entry = parse("Council Backs Budget", LEAD, "Most read in world news", "RANDY ANDY",
                  "Andrew parties in unearthed pics despite claiming 'he avoids PDAs'", "Warning",
                  "Furious mum demands kids clothes have gender labels scrapped", SECOND)
    assert entry.body == (LEAD, SECOND)


@pytest.mark.parametrize("heading", ["Related Stories", "More from Politics", "Sponsored Stories", "Around the Web",
                                     "Next Up In Tech", "You might also like:", "Trending Now"])
def test_headings_over_other_stories(heading: str) -> None:
    entry = parse("Council Backs Budget", LEAD, heading, "Mayor Opens New Library", "Another Headline Here", SECOND)
    assert entry.body == (LEAD, SECOND)


def test_the_author_box_ends_the_story() -> None:
    entry = parse("Council Backs Budget", LEAD, SECOND, "About the author",
                  "Jane covers city hall. She has reported on budgets for a decade.")
    assert entry.body == (LEAD, SECOND)


def test_related_links_and_counters_are_not_the_story() -> None:
    entry = parse("Council Backs Budget", LEAD, "Related: Council votes on parks", "195 Shares",
                  "Read more: Budget explained", SECOND)
    assert entry.body == (LEAD, SECOND)


@pytest.mark.parametrize("line", ["Tags: budget, parks", "Filed under: Politics", "In This Article: budget, parks",
                                  "Sign up for our daily newsletter", "Subscribe to our podcast"])
def test_index_terms_and_calls_to_action_are_not_the_story(line: str) -> None:
    assert parse("Council Backs Budget", LEAD, line, SECOND).body == (LEAD, SECOND)


def test_lists_in_the_story_stay() -> None:
    dates = ["June 9 -- Coral Sky Amphitheatre, West Palm Beach, FL", "June 10 -- Example Arena, Tampa, FL"]
    entry = parse("Band Sets Tour", LEAD, "The tour dates:", *dates, SECOND,
                  modified=datetime(2020, 1, 1, tzinfo=UTC))
    assert entry.body == (LEAD, "The tour dates:", *dates, SECOND)
