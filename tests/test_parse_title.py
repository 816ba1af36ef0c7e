"""Which line is the headline, case by case: a small article in, the title out. Each
case is invented, in the style of copied pages."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import pytest

from feedsrv.parse._headline import MODEL_NAME
from feedsrv.parse.train import train
from storyparts import LEAD, SECOND, TITLE, parse


def title_of(*paragraphs: str) -> str:
    return parse(*paragraphs).title


@pytest.mark.parametrize(("paragraphs", "title"), [
    # The comment count printed beside the headline, counted again further down.
    (("Council Backs Budget After Long Night 212", "Posted by jdoe on Tuesday", LEAD, SECOND,
      "100 of 212 comments loaded"), "Council Backs Budget After Long Night"),
    # A number that is no count stays.
    (("Council Backs Budget For 2015", "By Jane Doe", LEAD, SECOND), "Council Backs Budget For 2015"),
    # A link onward above the date line is no headline; the one over the byline is.
    (("More City Hall Stories »", "January 18, 2015", "Council Backs Budget After Long Night", "By Jane Doe",
      LEAD, SECOND), "Council Backs Budget After Long Night"),
    # A caption first, then the headline over its date line.
    (("Jan 13, 2015; Springfield, USA; Council members vote on the budget at City Hall on Tuesday night.",
      "Council Backs Budget After Long Night", "4:44 PM 01/13/2015", LEAD, SECOND),
     "Council Backs Budget After Long Night"),
    # A breadcrumb trail ending in the headline.
    (("Home News City Hall Council Backs Budget After Long Night", "Council Backs Budget After Long Night",
      "By Jane Doe", LEAD, SECOND), "Council Backs Budget After Long Night"),
    # The blog's name, then the post's title that starts with it.
    (("Notes From City Hall", "Wednesday, January 14, 2015", "Notes From City Hall: Part 5", LEAD, SECOND),
     "Notes From City Hall: Part 5"),
    # A longer line under a related heading is another story.
    (("Council backs budget", "By Jane Doe 14/01/2015", "Related Articles",
      "Council backs budget after a long night", LEAD, SECOND), "Council backs budget"),
])
def test_headline(paragraphs: tuple[str, ...], title: str) -> None:
    assert title_of(*paragraphs) == title


# Where the rules find no headline, the learned model (``_headline``) may: a title
# ending with a full stop over share buttons, tags or a credit, not a byline.
@pytest.mark.parametrize(("paragraphs", "title"), [
    (("Council Approves New Budget For Parks.", "Tags: budget, parks", LEAD, SECOND),
     "Council Approves New Budget For Parks."),
    (("Council Approves New Budget For Parks.", "Posted in City Hall", LEAD, SECOND),
     "Council Approves New Budget For Parks."),
    (("Council approves new budget for parks.", "Comments (4)", LEAD, SECOND),
     "Council approves new budget for parks."),
    (("Council Approves New Budget For Parks.", "Leave a comment", LEAD, SECOND),
     "Council Approves New Budget For Parks."),
])
def test_learned_headline(paragraphs: tuple[str, ...], title: str) -> None:
    assert title_of(*paragraphs) == title


@pytest.mark.parametrize("paragraphs", [
    # A lead first: the title is derived from it, the model has no line to choose.
    ("Council members voted on the budget late on Tuesday night.", LEAD, SECOND),
    # Only page furniture above the lead.
    ("Email", "Print", LEAD, SECOND),
    # A byline, however much it looks like a title, is none.
    ("by Jane Doe, City Hall Correspondent", LEAD, SECOND),
    ("JANE DOE", "Jan. 14, 2015", LEAD, SECOND),
])
def test_no_learned_headline(paragraphs: tuple[str, ...]) -> None:
    entry = parse(*paragraphs)
    assert entry.title_derived


def test_retraining_gives_the_packaged_model(tmp_path: Path) -> None:
    # The packaged model was trained by `python -m feedsrv.parse.train` on the
    # corpus's annotated lines (tests/data/corpus/train/*.lines.json): retraining
    # gives it byte for byte, so the model can be rebuilt and reviewed like code.
    retrained = tmp_path / MODEL_NAME
    train(sorted((Path(__file__).parent / "data" / "corpus").glob("*/")), retrained)
    packaged = resources.files("feedsrv.parse").joinpath(MODEL_NAME).read_bytes()
    assert hashlib.sha256(retrained.read_bytes()).hexdigest() == hashlib.sha256(packaged).hexdigest()


@pytest.mark.parametrize("above", ["Home > News > Local", "Home / News / Local", "BREAKING", "Exclusive:"])
def test_a_breadcrumb_or_a_flash_above_the_headline_is_no_headline(above: str) -> None:
    entry = parse(above, TITLE, LEAD, SECOND)
    assert (entry.title, entry.body[0]) == (TITLE, LEAD)
