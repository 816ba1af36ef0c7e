"""Where an article names its outlet when no outlet is configured: the rules of
:mod:`feedsrv.parse._outlets` and their order in the parser."""

from __future__ import annotations

from typing import Any

import pytest

from feedsrv.model import Entry
from feedsrv.parse import parse_article
from feedsrv.parse._outlets import brand_name, company_name, read_copyright

LEAD = ("The city council voted on Tuesday to approve a budget that adds money for parks, "
        "libraries and road repairs across every district of the city.")
SECOND = "Opponents said the plan spends too much and promised to fight it next year."


def parse(*paragraphs: str, **kwargs: Any) -> Entry:
    return parse_article("\n\n".join(paragraphs) + "\n", source="articles/story.txt", **kwargs)


@pytest.mark.parametrize(("line", "outlet"), [
    ("© 2019 Example Gazette. All rights reserved.", "Example Gazette"),
    ("Copyright 2019 Example News Now. All rights reserved.", "Example News Now"),
    ("© 2019 ExampleLive.com. All rights reserved (About Us).", "ExampleLive.com"),
    # The brand before the sign, not the company after it.
    ("Examplenews © 2019 Owner Ads, LLC. All rights reserved.", "Examplenews"),
    # A company's name without its legal form.
    ("Copyright © 2019, Example Media, Inc., Contact Us", "Example Media"),
    ("© 2019 Example Jazeera Media Network", "Example Jazeera"),
    ("© 2019 The Example Times Company", "The Example Times"),
    # The site promoting itself.
    ("Subscribe to ExampleInsider on YouTube", "ExampleInsider"),
    ("Follow Example News on Instagram, Facebook and Twitter.", "Example News"),
    ("Click here to subscribe to The Example Newsletter", "The Example"),
    ("Originally published on Example Science.", "Example Science"),
    ("READ MORE ON EXAMPLE BUSINESS BY CLICKING HERE", "EXAMPLE BUSINESS"),
    ("On ExampleChronicle.com: Another headline about cars", "ExampleChronicle.com"),
    # The reporter's bio and the newsroom's addresses.
    ("Jane Doe is a reporter for Example News.", "Example News"),
    ("Jane Doe is a staff writer at The Example Times. Reach her at jdoe@example.com.", "The Example Times"),
    ("Email Jane Doe at jdoe@example.com or follow her @jdoe.", "example.com"),
    ("Join our forums! And if you have a news tip, let us know at: community@example.org.", "example.org"),
])
def test_lines_that_name_the_outlet(line: str, outlet: str) -> None:
    entry = parse("Council Backs Budget", LEAD, SECOND, line)
    assert entry.outlet == outlet
    assert entry.body == (LEAD, SECOND)


@pytest.mark.parametrize("line", [
    "Image copyright Getty Images",  # a photo credit
    "© Jane Smith",  # a photo credit too: no year, no company
    "Follow Jane Doe on Twitter",  # the reporter, not the outlet
    "More from UK",  # a section
    "Follow Politics on Twitter",  # a section too
    "Write to jane.doe@gmail.com",  # anyone's address
    "Be sure to visit Example Water on Facebook, Twitter, and Instagram.",  # an advertiser
    "This article was reprinted on Example.com.",  # where it went, not where it came from
])
def test_lines_that_name_no_outlet(line: str) -> None:
    assert parse("Council Backs Budget", LEAD, SECOND, line).outlet is None


def test_a_byline_address_and_a_bio_name_the_author_too() -> None:
    entry = parse("Council Backs Budget", "By Megan Rowe meganr@example.com(509) 459-5382", LEAD)
    assert (entry.authors, entry.outlet) == (("Megan Rowe",), "example.com")
    entry = parse("Council Backs Budget", LEAD, "Email Tariq Malik at tmalik@example.com.")
    assert (entry.authors, entry.outlet) == (("Tariq Malik",), "example.com")
    entry = parse("Council Backs Budget", LEAD, "Phil Helsel is a reporter for Example News.")
    assert (entry.authors, entry.outlet) == (("Phil Helsel",), "Example News")


def test_a_desk_line_naming_a_news_outlet() -> None:
    entry = parse("Council Backs Budget", "Posted on November 19, 2019", "Jane Doe", "Example News Reporter", LEAD)
    assert (entry.authors, entry.author_role, entry.outlet) == (("Jane Doe",), "Reporter", "Example News")
    entry = parse("Council Backs Budget", "Tom Gillespie", "News reporter @TomGillespie1", LEAD)
    assert (entry.author_role, entry.outlet) == ("News reporter", None)


def test_a_lead_opening_with_the_site_s_domain() -> None:
    lead = "ExampleNEWS.Net - " + LEAD
    entry = parse("Council Backs Budget", lead, SECOND)
    assert entry.outlet == "ExampleNEWS.Net"
    assert entry.body == (lead, SECOND)


def test_a_photo_the_outlet_commissioned() -> None:
    entry = parse("Council Backs Budget", "By Jane Doe", "October 21, 2015",
                  "Cells with taste receptors sometimes develop inside the lungs of infected animals.",
                  "RenderStudio for Example Magazine", LEAD)
    assert entry.outlet == "Example Magazine"
    assert parse("Council Backs Budget", LEAD, "Trouble for Example Post", SECOND).outlet is None


def test_glued_brands_come_apart() -> None:
    assert parse("Council Backs Budget", "By Jane Doe EXAMPLEBusiness", LEAD).outlet == "EXAMPLE Business"
    assert brand_name("ExampleNEWS.Net") == "ExampleNEWS.Net"


def test_the_most_telling_line_wins() -> None:
    # The copyright's brand over the byline's outlet over the site's self-promotion
    # over an address over the company owning the copyright over a wire agency.
    lines = ["BERLIN (Wire) — " + LEAD, "Follow Promo Times on Twitter", "Write to us at news@example.com",
             "Copyright © 2019, Owner Media, Inc."]
    assert parse("Council Backs Budget", *lines).outlet == "Promo Times"
    assert parse("Council Backs Budget", "By Jane Doe | Byline Daily", *lines).outlet == "Byline Daily"
    assert parse("Council Backs Budget", *lines, "Brand © 2019 Owner Media, Inc.").outlet == "Brand"
    assert parse("Council Backs Budget", LEAD, *lines[2:]).outlet == "example.com"
    assert parse("Council Backs Budget", lines[0], lines[3]).outlet == "Owner Media"
    assert parse("Council Backs Budget", lines[0]).outlet == "Wire"


@pytest.mark.parametrize(("holder", "company"), [
    ("Quiller Media, Inc., Contact Us", ("Quiller Media", True)),
    ("Example Media Network", ("Example", True)),
    ("Gamer Network", ("Gamer Network", False)),
    ("Coastal News", ("Coastal News", False)),
])
def test_company_names(holder: str, company: tuple[str, bool]) -> None:
    assert company_name(holder) == company


def test_copyright_notices() -> None:
    assert read_copyright("This site © 2018 Gamer Network. All Rights Reserved.").holder == "Gamer Network"
    assert read_copyright("Legal Notice Terms and Conditions Privacy Policy © example magazine 2019") is None
    assert read_copyright("© 2019 All rights reserved.").holder == ""
