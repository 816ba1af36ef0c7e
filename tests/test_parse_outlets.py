"""Which publication an article names, case by case: a small article in, the outlet
out. Each case is invented, in the style of copied pages; no outlet is configured."""

from __future__ import annotations

import pytest

from feedsrv.parse._outlet_choice import OutletMention, choose_outlet
from storyparts import LEAD, SECOND, TITLE, parse


def outlet_of(*paragraphs: str) -> str | None:
    return parse(*paragraphs).outlet


# A footer line, the outlet it names.
COPYRIGHT = [
    ("© 1996- The Example Post", "The Example Post"),
    ("Copyright © 2017 Example Tavern. Powered by WordPress and Stargazer.", "Example Tavern"),
    ("© Example News Today", "Example News Today"),
    ("Privacy Policy • © 2008-2010 Example Wed, all rights reserved. • RSS", "Example Wed"),
    ("© 2023 - Example Magazine - Published: Example New Media", "Example Magazine"),
    ("Copyright © 2015 · ExampleBuzz", "ExampleBuzz"),
    ("Original content © 2002-2023 by Example.net", "Example.net"),
    ("Copyright 2015 © U.S. Example & World Report LP.", "U.S. Example & World Report"),
    ("Example Fair Copyright © 2012", "Example Fair"),
    ("Copyright © 2021 The Example Courier, a division of Example Media Group", "The Example Courier"),
]


@pytest.mark.parametrize(("line", "outlet"), COPYRIGHT)
def test_copyright_notice_names_the_outlet(line: str, outlet: str) -> None:
    assert outlet_of(TITLE, LEAD, SECOND, line) == outlet


@pytest.mark.parametrize("line", ["© Jane Doe", "Copyright Jane Doe/Example Agency",
                                  "Content Copyright © 2002-2012"])
def test_a_photo_credit_or_a_bare_notice_names_no_outlet(line: str) -> None:
    assert outlet_of(TITLE, LEAD, SECOND, line) is None


def test_the_reporter_s_outlet_beats_the_copyright_holder() -> None:
    # The holder is often the owner (a media group), the bio names the publication.
    assert outlet_of(TITLE, LEAD, SECOND, "Jane Doe is a staff writer at Example Technica.",
                     "© 2012 Example Nast. All rights reserved") == "Example Technica"


def test_several_lines_outweigh_one() -> None:
    mentions = [OutletMention(3, "a", "Example Wire"), OutletMention(3, "b", "Example Times"),
                OutletMention(2, "c", "exampletimes.com")]
    assert choose_outlet(mentions) == "Example Times"


def test_the_written_name_beats_its_domain() -> None:
    mentions = [OutletMention(2, "a", "exampletimes.com"), OutletMention(3, "b", "The Example Times")]
    assert choose_outlet(mentions) == "The Example Times"


def test_a_name_extended_by_a_beat_supports_the_name() -> None:
    mentions = [OutletMention(3, "a", "Example Courier Middle East"), OutletMention(2, "b", "Example Courier"),
                OutletMention(3, "c", "Example Wire")]
    assert choose_outlet(mentions) == "Example Courier"


def test_initials_support_the_name_they_stand_for() -> None:
    mentions = [OutletMention(3, "Support EC", "EC"), OutletMention(2, "© 2012 Example Courier", "Example Courier")]
    assert choose_outlet(mentions) == "Example Courier"


def test_an_author_first_name_is_no_outlet() -> None:
    assert choose_outlet([OutletMention(3, "Follow Stevie on Twitter", "Stevie")], ("Stevie Doe",)) is None


# A line of self-promotion, the outlet it names.
PROMOTIONS = [
    ("I would like to be emailed about offers, events and updates from The Example Star. Read our privacy notice",
     "The Example Star"),
    ("Stay up to date on all the latest news from Example.com", "Example.com"),
    ("Sign up for The Example Week's Free Newsletters", "The Example Week"),
    ("More from Example Nation", "Example Nation"),
    ("Join Example News Blog at Google+ to comment, share, and follow.", "Example News Blog"),
    ("Advertising disclosure: we may be paid for some links. Thank you for supporting Example Weekly.",
     "Example Weekly"),
    ("Add ExampleNews to your Google News feed.", "ExampleNews"),
    ("[ Keep up on the day's headlines with ExampleWorld's Today's Headlines newsletter. ]", "ExampleWorld"),
    ("Example Standard would like to keep you informed about offers, events and updates by email",
     "Example Standard"),
    ("Follow Example Mirror:", "Example Mirror"),
    ("Subscribe to The Example Courier", "The Example Courier"),
    ("Support Example News", "Example News"),
    ("Download The Example Courier app", "The Example Courier"),
    ("Get the Example Courier newsletter", "Example Courier"),
    ("Become a member of The Example Courier", "The Example Courier"),
    ("This story was originally published by The Example Courier.", "The Example Courier"),
    ("The Example Courier is an independent newspaper.", "The Example Courier"),
]


@pytest.mark.parametrize(("line", "outlet"), PROMOTIONS)
def test_self_promotion_names_the_outlet(line: str, outlet: str) -> None:
    assert outlet_of(TITLE, LEAD, SECOND, line) == outlet


@pytest.mark.parametrize("line", ["More from Jane Doe", "More from UK", "Follow Jane Doe:",
                                  "Follow Lena on Twitter: @lenadoe", "Follow Dr. Doe on Twitter",
                                  "SIGN UP FOR OUR NEWSLETTER", "Support Our Sponsors", "Get Involved",
                                  "Read the latest updates from the event at our live blog.",
                                  "We may earn a commission when you buy through links on our site."])
def test_promotion_of_a_person_or_section_names_no_outlet(line: str) -> None:
    assert outlet_of(TITLE, "By Jane Doe", LEAD, SECOND, line) is None


# A staff signature or a reporter's bio, the outlet it names.
STAFF = [
    ("Example Voice Staff", "Example Voice"),
    ("By Example.com Staff | Tags: Fantasy, Football", "Example.com"),
    ("Senior Politics Reporter, Example Post", "Example Post"),
    ("Jane Doe / Jane is an Associate Writer at Example Technica, where she covers phones.", "Example Technica"),
    ("Jane Doe is a reporter for Example Tech covering free speech online.", "Example Tech"),
    ("Jane Doe is Example Today's Senior Editor. She also hosts a podcast.", "Example Today"),
    ("Jane Doe covers city hall for The Example Courier.", "The Example Courier"),
    ("Example Courier Staff Report", "Example Courier"),
    ("Have a news tip? Email news@examplecourier.com", "examplecourier.com"),
]


@pytest.mark.parametrize(("line", "outlet"), STAFF)
def test_staff_line_names_the_outlet(line: str, outlet: str) -> None:
    assert outlet_of(TITLE, LEAD, SECOND, line) == outlet


@pytest.mark.parametrize("line", ["Sports Staff", "Staff Writer, Jane Doe"])
def test_staff_line_of_a_section_or_person_names_no_outlet(line: str) -> None:
    assert outlet_of(TITLE, LEAD, SECOND, line) is None


# A byline, the outlet it names.
BYLINES = [
    ("By Jane Doe | Example Advance Media for Example.com", "Example.com"),
    ("By Jane Doe For Example.Com", "Example.Com"),
    ("Text by Example Digital", "Example Digital"),
    ("Written by Example Today on November 7, 2023", "Example Today"),
    ("By Example News with Agencies", "Example News"),
    ("By Example News Desk", "Example News"),
    ("By The Example Courier Editorial Board", "The Example Courier"),
]


@pytest.mark.parametrize(("line", "outlet"), BYLINES)
def test_byline_names_the_outlet(line: str, outlet: str) -> None:
    entry = parse(TITLE, line, LEAD, SECOND)
    # The newsroom is the outlet, never an author.
    assert (entry.outlet, [name for name in entry.authors if "Example" in name]) == (outlet, [])


@pytest.mark.parametrize("line", ["Jane Doe March 9, 2017 13", "Jane Doe | Tags: Nightmare, Football",
                                  "by Jane Doe. Posted on 3:30 pm Tuesday Nov 13, 2012"])
def test_byline_counters_and_labels_name_no_outlet(line: str) -> None:
    assert outlet_of(TITLE, line, LEAD, SECOND) is None
