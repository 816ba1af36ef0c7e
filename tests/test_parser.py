"""Tests for feedsrv.parse.

First the article files in ``tests/data/articles``: each ``<name>.txt`` is parsed and
compared with ``<name>.expected.json`` beside it. Then the rules one by one:
decoding, normalization, ids, declared metadata, dates, titles, outlets, captions,
sources, topics, errors, and robustness on hostile input.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import json
import random
import re
import time
import uuid
import xml.etree.ElementTree as ElementTree
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from feedsrv.config import ArticleMeta, Outlet, Topic, load_config
from feedsrv.errors import ParseError
from feedsrv.model import Caption, Entry, Reference
from feedsrv.parse import ParseOptions, decode_article, parse_article
from feedsrv.parse._dates import DateContext, find_dates
from feedsrv.parse._prose import derive_title

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = Path(__file__).resolve().parent / "data" / "articles"
ARTICLE_FILES = sorted(ARTICLES.rglob("*.txt"))
SHIPPED_CONFIG = ROOT / "config" / "feedsrv.toml"
SEEDS = ROOT / "seeds"

LEAD = ("The city council voted on Tuesday to approve a budget that adds money for parks, "
        "libraries and road repairs across every district of the city.")
SECOND = "Opponents said the plan spends too much and promised to fight it next year."


def article(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs) + "\n"


def parse(text: str, *, source: str = "articles/story.txt", **kwargs: Any) -> Entry:
    return parse_article(text, source=source, **kwargs)


@pytest.fixture(scope="module")
def shipped_options() -> ParseOptions:
    return ParseOptions.from_config(load_config(SHIPPED_CONFIG))


# --- the article files ------------------------------------------------------------


def as_json(value: Any) -> Any:
    """An entry field as the expected.json files write it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value):
        return {field.name: as_json(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [as_json(item) for item in value]
    return value


def load_case(path: Path, shipped_options: ParseOptions) -> tuple[Entry, dict[str, Any]]:
    expected = json.loads(path.with_name(f"{path.stem}.expected.json").read_text(encoding="utf-8"))
    options = shipped_options if expected.get("config") == "shipped" else ParseOptions()
    modified = datetime.fromisoformat(expected["modified"]) if "modified" in expected else None
    text, warnings = decode_article(path.read_bytes(), source=str(path))
    assert warnings == []
    return parse_article(text, source=str(path), options=options, modified=modified), expected


def test_there_are_article_files_and_each_has_its_expectations() -> None:
    assert len(ARTICLE_FILES) >= 6
    for path in ARTICLE_FILES:
        assert path.with_name(f"{path.stem}.expected.json").is_file(), path


def test_seed_copies_are_byte_identical() -> None:
    seeds = sorted(SEEDS.glob("*.txt"))
    assert seeds
    for seed in seeds:
        assert (ARTICLES / seed.name).read_bytes() == seed.read_bytes()


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=[path.stem for path in ARTICLE_FILES])
def test_article_fields(path: Path, shipped_options: ParseOptions) -> None:
    entry, expected = load_case(path, shipped_options)
    for name, value in expected["expect"].items():
        assert as_json(getattr(entry, name)) == value, name


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=[path.stem for path in ARTICLE_FILES])
def test_article_body_and_content(path: Path, shipped_options: ParseOptions) -> None:
    entry, expected = load_case(path, shipped_options)
    if "body_count" in expected:
        assert len(entry.body) == expected["body_count"]
    if "body_starts" in expected:
        for paragraph, start in zip(entry.body, expected["body_starts"], strict=True):
            assert paragraph.startswith(start)
    for text in expected.get("not_in_body", []):
        assert not any(text in paragraph for paragraph in entry.body), text
    for html in expected.get("content_has", []):
        assert html in entry.content
    assert len(entry.topics) >= expected.get("min_topics", 0)


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=[path.stem for path in ARTICLE_FILES])
def test_article_invariants(path: Path, shipped_options: ParseOptions) -> None:
    entry, _ = load_case(path, shipped_options)
    assert entry.title and "\n" not in entry.title
    if entry.title_derived:
        assert_good_derived_title(entry.title, without_dateline(entry.body[0], entry.dateline))
    assert entry.summary and len(entry.summary) <= 300
    assert entry.body[0].startswith(entry.summary.rstrip("…"))
    assert entry.published.tzinfo and entry.updated.tzinfo
    assert entry.updated >= entry.published
    assert uuid.UUID(entry.id.removeprefix("urn:uuid:")).version == 5
    ElementTree.fromstring(f"<div>{entry.content}</div>")
    assert all(str(path) in warning for warning in entry.warnings)
    for paragraph in entry.body:
        assert paragraph == " ".join(paragraph.split())


def without_dateline(lead: str, dateline: str | None) -> str:
    """The lead after its ``CITY (Agency) —`` opening (a dateline may stand on a line of its own)."""
    if not dateline or not lead.startswith(dateline):
        return lead
    return re.sub(r"^.*?(?:—|–|--|-)\s*", "", lead[len(dateline):], count=1)


def assert_good_derived_title(title: str, paragraph: str) -> None:
    # 110 characters, and up to 125 to finish a name.
    assert len(title) <= 125
    assert paragraph.startswith(title)
    following = paragraph[len(title):len(title) + 1]
    assert following in ("", " ", ".", ",", ";", ":", "!", "?"), "cut inside a word"
    assert not title.endswith((",", ";", ":", "-", "–", "—", "(", "“", " and", " or", " the", " of", " to"))


def test_derived_title_seed_is_cut_at_a_word() -> None:
    text = (ARTICLES / "000_035b52bdb15d24f1.txt").read_text(encoding="utf-8")
    entry = parse(text)
    assert entry.title_derived
    assert_good_derived_title(entry.title, entry.body[0])


@pytest.mark.parametrize(("lead", "title"), [
    # The name the cut falls in is finished, within 125 characters.
    ("In a surprise visit to Moscow, President Bashar al-Assad of Syria met with the Russian President "
     "Vladimir Putin to discuss the situation in Syria.",
     "In a surprise visit to Moscow, President Bashar al-Assad of Syria met with the Russian President "
     "Vladimir Putin"),
    # One too long to finish within 125: the cut goes before it, then dangling words.
    ("The committee that oversees the regional transport authority met on Thursday with the Chief Executive "
     "Officer Maximilian Alexander Bartholomew Worthington-Smythe to talk.",
     "The committee that oversees the regional transport authority met on Thursday"),
    # A cut after a name, before a lower-case word, is left alone.
    ("Residents of the coastal town said on Monday that the storm had flooded dozens of homes near the "
     "harbour and the old market square overnight.",
     "Residents of the coastal town said on Monday that the storm had flooded dozens of homes near the harbour"),
], ids=["finished", "too-long", "no-name"])
def test_a_derived_title_never_ends_inside_a_name(lead: str, title: str) -> None:
    assert derive_title(lead) == title
    assert_good_derived_title(title, lead)


# --- decoding ---------------------------------------------------------------------

CAFE = "Café owners protest “unfair” rents\n\nThe owners said the rents were unfair.\n"


@pytest.mark.parametrize("data", [
    CAFE.encode("utf-8"),
    b"\xef\xbb\xbf" + CAFE.encode("utf-8"),
    b"\xff\xfe" + CAFE.encode("utf-16-le"),
    b"\xfe\xff" + CAFE.encode("utf-16-be"),
], ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom"])
def test_decode_unicode_encodings(data: bytes) -> None:
    text, warnings = decode_article(data, source="a/cafe.txt")
    assert text == CAFE
    assert warnings == []


def test_decode_invalid_utf8_falls_back_to_cp1252_with_a_warning() -> None:
    text, warnings = decode_article(CAFE.encode("cp1252"), source="a/legacy.txt")
    assert text == CAFE
    assert len(warnings) == 1
    assert "a/legacy.txt" in warnings[0] and "cp1252" in warnings[0]


def test_decode_bytes_cp1252_leaves_undefined_are_read_as_latin1() -> None:
    text, warnings = decode_article(b"Caf\xe9 \x81\x8d ok\n\nMore text here.", source="odd.txt")
    assert text.startswith("Café \x81\x8d ok")
    assert warnings
    entry = parse(text)
    assert "\x81" not in entry.title


NAMED = ("Renée Müller Wins “Best Café” Award\r\n\r\nBy Renée Müller\r\n\r\n"
         "The judges called her café “the best in town” on Tuesday, and she thanked her staff.\r\n")
# Latin-1 has no curly quotes: its quotation marks are guillemets.
NAMED_LATIN1 = NAMED.replace("“", "«").replace("”", "»")


@pytest.mark.parametrize(("data", "expected", "warned"), [
    (NAMED.encode("utf-8"), NAMED, False),
    (NAMED.encode("utf-8-sig"), NAMED, False),
    (NAMED.encode("utf-16"), NAMED, False),
    (codecs.BOM_UTF16_BE + NAMED.encode("utf-16-be"), NAMED, False),
    (NAMED.encode("cp1252"), NAMED, True),
    (NAMED_LATIN1.encode("latin-1"), NAMED_LATIN1, True),
], ids=["utf-8", "utf-8-bom", "utf-16-bom", "utf-16-be-bom", "cp1252", "latin-1"])
def test_encodings_keep_names_and_quotes(data: bytes, expected: str, warned: bool) -> None:
    text, warnings = decode_article(data, source="a/named.txt")
    assert text == expected
    assert bool(warnings) == warned
    entry = parse(text)
    assert entry.authors == ("Renée Müller",)
    assert entry.title == expected.split("\r\n", 1)[0]
    assert entry.body == (expected.split("\r\n\r\n")[2].strip(),)


@pytest.mark.parametrize("data", [
    b"Headline\x00\n\nBody text.",
    bytes(range(256)) * 8,
    bytes(range(1, 9)) * 100,
    bytes(random.Random(7).randrange(0x80, 0x100) for _ in range(2000)),
], ids=["nul", "all-bytes", "controls", "high-bytes"])
def test_decode_rejects_binary_data(data: bytes) -> None:
    with pytest.raises(ParseError) as raised:
        decode_article(data, source="a/binary.txt")
    assert raised.value.path == "a/binary.txt"
    assert "binary" in raised.value.message


@pytest.mark.parametrize("data", [b"", b"  \n\n \t\r\n", b"\xef\xbb\xbf", b"\xff\xfe"])
def test_decode_rejects_empty_text(data: bytes) -> None:
    with pytest.raises(ParseError, match="empty"):
        decode_article(data, source="a/empty.txt")


# --- normalization ----------------------------------------------------------------


def test_unicode_spaces_become_spaces_and_runs_collapse() -> None:
    entry = parse(article("Council\u00a0Backs\u2009Budget", "The\u00a0council \u00a0 voted\u202fyes.\u3000 Really."))
    assert entry.title == "Council Backs Budget"
    assert entry.body == ("The council voted yes. Really.",)


def test_characters_xml_forbids_are_removed() -> None:
    junk = "\x00\x01\x08\x0b\x0c\x0e\x1f\x7f\x85\x9f\ufffe\uffff\ud800\udfff"
    entry = parse(article(f"Council{junk} Backs Budget", f"The council{junk} voted yes.", SECOND))
    assert entry.title == "Council Backs Budget"
    assert entry.body[0] == "The council voted yes."
    ElementTree.fromstring(f"<div>{entry.content}</div>")


def test_curly_quotes_and_dashes_are_kept() -> None:
    entry = parse(article("“Yes,” said the mayor – twice — and left.", SECOND))
    assert entry.body[0] == "“Yes,” said the mayor – twice — and left."


def test_markup_and_cdata_end_in_text_are_escaped_in_content() -> None:
    entry = parse(article("Budget <b>Passes</b>", "Tom & Jerry said ]]> and <script>alert(1)</script> twice."))
    assert entry.body == ("Tom & Jerry said ]]> and <script>alert(1)</script> twice.",)
    assert "<p>Tom &amp; Jerry said ]]&gt; and &lt;script&gt;alert(1)&lt;/script&gt; twice.</p>" in entry.content
    assert "<script>" not in entry.content and "]]>" not in entry.content


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_line_endings(newline: str) -> None:
    text = article("Council Backs Budget", LEAD, SECOND).replace("\n", newline)
    entry = parse(text)
    assert entry.title == "Council Backs Budget"
    assert entry.body == (LEAD, SECOND)


def test_single_newline_separated_paragraphs() -> None:
    entry = parse("Council Backs Budget\nBy Jane Doe\n" + LEAD + "\n" + SECOND + "\n")
    assert entry.title == "Council Backs Budget"
    assert entry.authors == ("Jane Doe",)
    assert entry.body == (LEAD, SECOND)


def test_hard_wrapped_paragraphs_are_joined() -> None:
    wrapped = ("The city council voted on Tuesday to approve a budget that adds\n"
               "money for parks, libraries and road repairs across every district\n"
               "of the city.")
    entry = parse(article("Council Backs Budget", wrapped, SECOND))
    assert entry.body == (LEAD, SECOND)


# --- ids and slugs ----------------------------------------------------------------


def test_id_is_stable_across_edits_of_the_text() -> None:
    first = parse(article("Council Backs Budget", LEAD, SECOND))
    edited = parse(article("Council Backs a Bigger Budget", SECOND, "A new closing paragraph."))
    assert first.id == edited.id
    assert first.id.startswith("urn:uuid:")


def test_id_differs_for_another_file_and_another_outlet() -> None:
    text = article("Council Backs Budget", LEAD)
    assert parse(text, source="a/one.txt").id != parse(text, source="a/two.txt").id
    assert parse(text, source="a/one.txt").id == parse(text, source="elsewhere/one.txt").id
    signed = article("Council Backs Budget", LEAD, "© 2019 Example Gazette.")
    assert parse(signed, source="a/one.txt").id != parse(text, source="a/one.txt").id


def test_slug_comes_from_the_file_stem() -> None:
    entry = parse(article("Council Backs Budget", LEAD), source="/srv/articles/007_Big Story.txt")
    assert entry.slug == "007-big-story"
    assert entry.source == "/srv/articles/007_Big Story.txt"


# --- declared metadata ------------------------------------------------------------


def test_declared_metadata_wins(shipped_options: ParseOptions) -> None:
    meta = ArticleMeta(
        id="tag:example.org,2016:budget", title="Declared Title", author="Ann Lee and Bo Chan",
        outlet="mideast TIME", published=datetime(2016, 5, 1, 9, 0, tzinfo=UTC),
        updated=datetime(2016, 5, 2, tzinfo=UTC), topics=("russia",),
    )
    text = article("Council Backs Budget", "By Jane Doe", "Published 3 March 2016", LEAD, "© 2016 Example Gazette.")
    entry = parse(text, options=shipped_options, meta=meta)
    assert entry.id == "tag:example.org,2016:budget"
    assert (entry.title, entry.title_derived) == ("Declared Title", False)
    assert entry.authors == ("Ann Lee", "Bo Chan")
    assert (entry.outlet, entry.outlet_slug) == ("Mideast Time", "mideast-time")
    assert (entry.published, entry.published_from) == (datetime(2016, 5, 1, 9, 0, tzinfo=UTC), "declared")
    assert entry.updated == datetime(2016, 5, 2, tzinfo=UTC)
    assert entry.topics == ("russia",)


def test_declared_unknown_outlet_and_empty_topics() -> None:
    entry = parse(article("Council Backs Budget", LEAD), meta=ArticleMeta(outlet="The Example Post", topics=()))
    assert (entry.outlet, entry.outlet_slug) == ("The Example Post", "the-example-post")
    assert entry.topics == ()


def test_declared_update_before_publication_is_clamped() -> None:
    meta = ArticleMeta(published=datetime(2016, 5, 1, tzinfo=UTC), updated=datetime(2016, 4, 1, tzinfo=UTC))
    entry = parse(article("Council Backs Budget", LEAD), meta=meta)
    assert entry.updated == entry.published


def test_declared_naive_dates_get_the_site_zone() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    entry = parse(article("Council Backs Budget", LEAD), options=ParseOptions(timezone=berlin),
                  meta=ArticleMeta(published=datetime(2016, 5, 1, 9, 0)))
    assert entry.published == datetime(2016, 5, 1, 9, 0, tzinfo=berlin)


# --- dates ------------------------------------------------------------------------


def published_from_line(line: str, **kwargs: Any) -> tuple[datetime, str]:
    entry = parse(article("Council Backs Budget", line, LEAD), **kwargs)
    return entry.published, entry.published_from


@pytest.mark.parametrize(("line", "expected"), [
    ("Published 21 October 2o15", datetime(2015, 10, 21, tzinfo=UTC)),
    ("Posted Oct. 21, 2O15", datetime(2015, 10, 21, tzinfo=UTC)),
    ("Posted 10/21/15", datetime(2015, 10, 21, tzinfo=UTC)),
    ("Published Oct. 21, '15", datetime(2015, 10, 21, tzinfo=UTC)),
    ("Published 21.10.2015", datetime(2015, 10, 21, tzinfo=UTC)),
    ("21st October 2015", datetime(2015, 10, 21, tzinfo=UTC)),
    ("Wednesday, October 21, 2015", datetime(2015, 10, 21, tzinfo=UTC)),
    ("2015-10-21", datetime(2015, 10, 21, tzinfo=UTC)),
    ("Published: 2015-10-21T08:30:00Z", datetime(2015, 10, 21, 8, 30, tzinfo=UTC)),
    ("Published Nov 18, 2019 at 4:07 PM", datetime(2019, 11, 18, 16, 7, tzinfo=UTC)),
    ("By Jane Doe, October 21, 2015", datetime(2015, 10, 21, tzinfo=UTC)),
], ids=lambda value: value if isinstance(value, str) else "")
def test_dates_stated_in_the_text(line: str, expected: datetime) -> None:
    assert published_from_line(line) == (expected, "text")


@pytest.mark.parametrize(("line", "offset"), [
    ("Published Nov 18, 2019 8:19 PM EST", timedelta(hours=-5)),
    ("Published 4:00 am CST, Wednesday, November 20, 2019", timedelta(hours=-6)),
    ("Nov. 18th 2019 12:12 pm PT", timedelta(hours=-8)),
    ("2019-11-20T05:47:00+02:00", timedelta(hours=2)),
    ("20 Nov 2019 19:09 GMT", timedelta(0)),
    ("Tue 19 Nov 2019 12.00 BST", timedelta(hours=1)),
])
def test_a_stated_time_zone_is_kept(line: str, offset: timedelta) -> None:
    published, published_from = published_from_line(line)
    assert published_from == "text"
    assert published.utcoffset() == offset


@pytest.mark.parametrize(("text", "expected"), [
    # A day over 12 elsewhere in the article shows the order.
    (article("Council Backs Budget", "Published 05/10/2015", LEAD, "The vote of 21/10/2015 stands."),
     date(2015, 10, 5)),
    (article("Council Backs Budget", "Published 05/10/2015", LEAD, "The vote of 10/21/2015 stands."),
     date(2015, 5, 10)),
    # Written-out dates show it too: "21 October 2015" is written day first.
    (article("Council Backs Budget", "Published 05/10/2015", LEAD, "It met on 21 October 2015."), date(2015, 10, 5)),
    (article("Council Backs Budget", "Published 05/10/2015", LEAD, "It met on October 21, 2015."), date(2015, 5, 10)),
    # Without context: month first with slashes, day first with dots.
    (article("Council Backs Budget", "Published 05/10/2015", LEAD), date(2015, 5, 10)),
    (article("Council Backs Budget", "Published 05.10.2015", LEAD), date(2015, 10, 5)),
], ids=["day-over-12", "month-day-over-12", "written-day-first", "written-month-first", "slashes", "dots"])
def test_day_and_month_order_is_read_from_context(text: str, expected: date) -> None:
    entry = parse(text)
    assert (entry.published.date(), entry.published_from) == (expected, "text")


def test_two_digit_years_and_typed_o_for_zero() -> None:
    assert published_from_line("Posted 10/21/15")[0].date() == date(2015, 10, 21)
    assert published_from_line("Posted 21 Oct '15")[0].date() == date(2015, 10, 21)
    assert published_from_line("Posted 21 Oct 2o15")[0].date() == date(2015, 10, 21)
    # A bare two-digit number after a month is a count, not a year.
    entry = parse(article("Council Backs Budget", "Posted Oct 21 15", LEAD), modified=datetime(2020, 1, 1, tzinfo=UTC))
    assert entry.published_from == "mtime"


def test_dates_without_a_zone_get_the_site_zone() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    published, _ = published_from_line("Published 21 October 2015 14:30", options=ParseOptions(timezone=berlin))
    assert published == datetime(2015, 10, 21, 14, 30, tzinfo=berlin)
    published, _ = published_from_line("Published 21 October 2015", options=ParseOptions(timezone=berlin))
    assert published == datetime(2015, 10, 21, tzinfo=berlin)


@pytest.mark.parametrize("line", [
    "Tuesday", "Published Tuesday", "Posted yesterday at 5 pm", "Today 12:01 AM", "3 hours ago",
    "Published October 2015", "Posted 21 October", "Updated Nov 19, 9:41 AM",
])
def test_relative_or_partial_dates_are_never_dates(line: str) -> None:
    modified = datetime(2020, 2, 3, 4, 5, 6, 789, tzinfo=UTC)
    entry = parse(article("Council Backs Budget", line, LEAD), modified=modified)
    assert (entry.published, entry.published_from) == (datetime(2020, 2, 3, 4, 5, 6, tzinfo=UTC), "mtime")
    assert any("modification time" in warning for warning in entry.warnings)


def test_embedded_posts_are_dated_sources() -> None:
    text = article("Council Backs Budget", LEAD, "What a vote! pic.twitter.com/abc",
                   "— Jane Roe (@janeroe) November 18, 2019", SECOND)
    entry = parse(text, modified=datetime(2020, 1, 1, tzinfo=UTC))
    assert entry.references == (Reference("", "Jane Roe (@janeroe)", date(2019, 11, 18)),)
    assert entry.body == (LEAD, "What a vote! pic.twitter.com/abc", SECOND)
    assert (entry.published.date(), entry.published_from) == (date(2019, 11, 18), "references")


def test_a_correction_note_dates_an_update() -> None:
    note = "Correction, Nov. 15, 2019: An earlier version misspelled a name."
    entry = parse(article("Council Backs Budget", LEAD, note), modified=datetime(2020, 1, 1, tzinfo=UTC))
    assert entry.body == (LEAD, note)
    # With no other date, the article existed by its correction.
    assert (entry.published.date(), entry.published_from) == (date(2019, 11, 15), "text")
    entry = parse(article("Council Backs Budget", "Published 1 November 2019", LEAD, note))
    assert entry.published.date() == date(2019, 11, 1)
    assert entry.updated.date() == date(2019, 11, 15)


def test_dates_in_body_prose_are_not_publication_dates() -> None:
    body = "The tour starts on June 9, 2020 in West Palm Beach and ends on Oct. 10, 2020."
    entry = parse(article("Band Sets Tour", body), modified=datetime(2019, 11, 19, tzinfo=UTC))
    assert entry.published_from == "mtime"


def test_updated_line() -> None:
    entry = parse(article("Council Backs Budget", "Published 21 October 2015 | Updated 22 October 2015 10:00",
                          LEAD))
    assert entry.published == datetime(2015, 10, 21, tzinfo=UTC)
    assert entry.updated == datetime(2015, 10, 22, 10, 0, tzinfo=UTC)


def test_updated_is_never_before_published() -> None:
    entry = parse(article("Council Backs Budget", "Published 21 October 2015", "Updated 20 October 2015", LEAD))
    assert entry.updated == entry.published == datetime(2015, 10, 21, tzinfo=UTC)


def test_text_dates_win_over_references() -> None:
    text = article("Council Backs Budget", "Published 21 October 2015", LEAD, "Sources:",
                   "Example Times – Council votes — 25 October 2015")
    entry = parse(text)
    assert (entry.published, entry.published_from) == (datetime(2015, 10, 21, tzinfo=UTC), "text")


def test_newest_reference_date_when_the_text_states_none() -> None:
    text = article("Council Backs Budget", LEAD, "Sources:", "Example Times – Council votes — 25 October 2015",
                   "Daily Planet – Budget passes — 2 November 2015",
                   "Example Times – Earlier story — 1 March 2015")
    entry = parse(text, modified=datetime(2020, 1, 1, tzinfo=UTC))
    assert (entry.published, entry.published_from) == (datetime(2015, 11, 2, tzinfo=UTC), "references")


def test_no_date_at_all_is_the_epoch_with_a_warning() -> None:
    entry = parse(article("Council Backs Budget", LEAD), source="a/undated.txt")
    assert (entry.published, entry.published_from) == (datetime(1970, 1, 1, tzinfo=UTC), "none")
    assert entry.warnings and "a/undated.txt" in entry.warnings[0]


@pytest.mark.parametrize(("line", "found"), [
    ("Updated Nov. 19, 2019 8:21 am ET / Original Nov. 19, 2019 8:02 am ET",
     [("updated", "2019-11-19T08:21:00-05:00"), ("published", "2019-11-19T08:02:00-05:00")]),
    ("PUBLISHED: November 19, 2019 at 8:59 pm | UPDATED: November 19, 2019 at 10:16 pm",
     [("published", "2019-11-19T20:59:00+00:00"), ("updated", "2019-11-19T22:16:00+00:00")]),
    ("Updated 0339 GMT (1139 HKT) November 19, 2019", [("updated", "2019-11-19T03:39:00+00:00")]),
    ("Feb 30, 2019 and 31/31/2019 and 1.2.3.4", []),
    ("page 1/2/3 of 12 May", []),
])
def test_find_dates(line: str, found: list[tuple[str, str]]) -> None:
    assert [(stated.kind, stated.when.isoformat()) for stated in find_dates(line, DateContext(UTC))] == found


# --- headline, byline, desk line, dateline ------------------------------------------


def test_headline_needs_a_short_unpunctuated_line_at_the_top() -> None:
    assert parse(article("Council Backs Budget", LEAD)).title == "Council Backs Budget"
    assert parse(article("Is the budget too big?", LEAD)).title == "Is the budget too big?"
    entry = parse(article("The council met.", LEAD))
    assert entry.title_derived and entry.body[0] == "The council met."
    # Below a byline, a line that is not prose is no headline and no story either.
    entry = parse(article("By Jane Doe", "Council Backs Budget", LEAD))
    assert entry.title_derived and entry.body == (LEAD,)


def test_a_lone_line_is_body_not_headline() -> None:
    entry = parse("Council backs budget\n")
    assert entry.body == ("Council backs budget",)
    assert entry.title == "Council backs budget" and entry.title_derived


@pytest.mark.parametrize("paragraph", [
    LEAD,
    "In a surprise visit to Moscow, President Bashar al-Assad of Syria met with the Russian President and, "
    "after long talks, left.",
    "Officials said the agreement, which took months to negotiate and was signed on Monday by both sides, "
    "would hold — for now.",
    "The plan to rebuild the old harbour and its two piers, which the council had rejected twice before "
    "(in long and bitter sessions), passed.",
    "Mr. Smith went to Washington on Monday. He left on Tuesday.",
])
def test_derived_titles(paragraph: str) -> None:
    entry = parse(article(paragraph))
    assert entry.title_derived
    assert_good_derived_title(entry.title, entry.body[0])


def test_derived_title_from_one_endless_word_is_cut_to_size() -> None:
    entry = parse(article("A" * 150 + " tail."))
    assert entry.title == "A" * 110


def test_derived_title_is_the_lead_sentence_when_short() -> None:
    entry = parse(article("Mr. Smith went to Washington on Monday. He left on Tuesday."))
    assert entry.title == "Mr. Smith went to Washington on Monday"
    entry = parse(article("The mayor said “we listened.” Then she left."))
    assert entry.title == "The mayor said “we listened”"
    entry = parse(article("Is the budget too big? Many think so."))
    assert entry.title == "Is the budget too big?"


@pytest.mark.parametrize(("line", "authors", "role", "outlet"), [
    ("by Shelby Vcelka", ("Shelby Vcelka",), None, None),
    ("By Jane Doe and John Roe", ("Jane Doe", "John Roe"), None, None),
    ("By Ann Lee, Bo Chan and Cy Dodd", ("Ann Lee", "Bo Chan", "Cy Dodd"), None, None),
    ("BY RENÉE DUPONT", ("RENÉE DUPONT",), None, None),
    ("By Jane Doe, Staff Writer", ("Jane Doe",), "Staff Writer", None),
    ("Jane Doe, Staff Writer", ("Jane Doe",), "Staff Writer", None),
    ("By Michael Smith Business Columnist", ("Michael Smith",), "Business Columnist", None),
    ("By Ahmed Karim, Middle East Correspondent", ("Ahmed Karim",), "Middle East Correspondent", None),
    ("By Ann Lee, Reporter for the Example Herald", ("Ann Lee",), "Reporter", "Example Herald"),
    ("By Jane Doe, Reuters", ("Jane Doe",), None, "Reuters"),
    ("By Jill Doe, CNN Business", ("Jill Doe",), None, "CNN Business"),
    ("By Jon Garber FOXBusiness", ("Jon Garber",), None, "FOX Business"),
    ("Written by Rachael Link, MS, RD on November 14, 2019", ("Rachael Link",), None, None),
    ("By Mike Wall 2019-11-18T20:51:19Z Science & Astronomy", ("Mike Wall",), None, None),
    ("By Mary O'Brien-Smith | 21 October 2015", ("Mary O'Brien-Smith",), None, None),
    ("By Tess Bonn - 11/19/19 06:56 AM EST", ("Tess Bonn",), None, None),
    ("By Staff Reports", (), "Staff Reports", None),
])
def test_bylines(line: str, authors: tuple[str, ...], role: str | None, outlet: str | None) -> None:
    entry = parse(article("Council Backs Budget", line, LEAD))
    assert entry.authors == authors
    assert entry.author_role == role
    assert entry.outlet == outlet
    assert entry.body == (LEAD,)


def test_by_in_prose_is_no_byline() -> None:
    text = article("Council Backs Budget", LEAD, "By the end of the year, the parks will reopen.")
    entry = parse(text)
    assert entry.authors == ()
    assert entry.body[-1] == "By the end of the year, the parks will reopen."


def test_desk_line_gives_outlet_and_role(shipped_options: ParseOptions) -> None:
    entry = parse(article("by Ann Lee", "Example Herald Desk Reporter, Asia", LEAD))
    assert (entry.outlet, entry.outlet_slug, entry.author_role) == ("Example Herald", "example-herald",
                                                                   "Desk Reporter, Asia")
    entry = parse(article("by Ann Lee", "Washington Correspondent", LEAD))
    assert (entry.outlet, entry.author_role) == (None, "Washington Correspondent")
    entry = parse(article("by Ann Lee", "Impunity Watch Senior Correspondent, Africa", LEAD), options=shipped_options)
    assert (entry.outlet, entry.outlet_slug) == ("Impunity Watch", "impunity-watch")
    assert entry.author_role == "Senior Correspondent, Africa"


def test_headline_with_a_job_word_is_no_desk_line() -> None:
    entry = parse(article("Newspaper Editor Resigns After Row", LEAD))
    assert entry.title == "Newspaper Editor Resigns After Row"
    assert entry.author_role is None


@pytest.mark.parametrize(("paragraph", "dateline", "rest"), [
    ("BEIRUT, Lebanon — Officials said talks stalled.", "BEIRUT, Lebanon", "Officials said talks stalled."),
    ("WASHINGTON (Reuters) - Stocks rose.", "WASHINGTON", "Stocks rose."),
    ("ST. LOUIS, Mo. -- The river rose.", "ST. LOUIS, Mo.", "The river rose."),
    ("WILKES-BARRE, Pa. – The mine closed.", "WILKES-BARRE, Pa.", "The mine closed."),
    ("LONDON, Oct. 21, 2015 — Markets fell.", "LONDON", "Markets fell."),
])
def test_dateline_at_the_start_of_the_first_paragraph(paragraph: str, dateline: str, rest: str) -> None:
    entry = parse(article("Council Backs Budget", paragraph, SECOND))
    assert entry.dateline == dateline
    # The lead keeps its dateline, as the story prints it.
    assert entry.body == (paragraph, SECOND)
    derived = parse(article(paragraph, SECOND))
    assert derived.title_derived and derived.title == rest.rstrip(".")


def test_no_dateline_in_ordinary_prose() -> None:
    entry = parse(article("Council Backs Budget", "President Assad of Syria - a long-time ally - flew in.", SECOND))
    assert entry.dateline is None
    assert entry.body[0] == "President Assad of Syria - a long-time ally - flew in."


def test_dateline_date_is_a_stated_date() -> None:
    entry = parse(article("Markets Fall", "LONDON, Oct. 21, 2015 — Markets fell.", SECOND))
    assert (entry.published, entry.published_from) == (datetime(2015, 10, 21, tzinfo=UTC), "text")


# --- outlets ----------------------------------------------------------------------


def test_unknown_outlet_from_copyright_line() -> None:
    entry = parse(article("Council Backs Budget", LEAD, "Copyright © 2019 The Example Gazette. All rights reserved."))
    assert (entry.outlet, entry.outlet_slug) == ("The Example Gazette", "the-example-gazette")
    assert entry.body == (LEAD,)


def test_configured_outlet_matched_by_alias() -> None:
    outlets = {"gazette": Outlet(slug="gazette", name="The Example Gazette", aliases=("Example Gazette", "EG"))}
    entry = parse(article("Council Backs Budget", LEAD, "© 2019 EG"), options=ParseOptions(outlets=outlets))
    assert (entry.outlet, entry.outlet_slug) == ("The Example Gazette", "gazette")


def test_author_archive_line_names_the_outlet() -> None:
    entry = parse(article("Council Backs Budget", LEAD, "Author: Example Herald Archive"))
    assert entry.outlet == "Example Herald"
    assert entry.body == (LEAD,)


def test_author_line_with_a_person() -> None:
    entry = parse(article("Council Backs Budget", LEAD, "Author: Jane Doe"))
    assert entry.authors == ("Jane Doe",)


def test_photo_copyright_credit_is_not_the_outlet() -> None:
    entry = parse(article("Council Backs Budget", "© Jane Smith", "The mayor, pictured at city hall.", LEAD))
    assert entry.outlet is None
    assert entry.captions == (Caption("The mayor, pictured at city hall.", "Jane Smith"),)


# --- captions ---------------------------------------------------------------------


@pytest.mark.parametrize(("paragraph", "caption"), [
    ("The mayor speaks. (Photo courtesy of Reuters)", Caption("The mayor speaks.", "Reuters", position=1)),
    ("The mayor speaks. (AP Photo/Jane Smith)", Caption("The mayor speaks.", "AP Photo/Jane Smith", position=1)),
    ("The mayor speaks. (Photo: Jane Smith/Example Agency)",
     Caption("The mayor speaks.", "Jane Smith/Example Agency", position=1)),
    ("The mayor speaks. (Getty Images)", Caption("The mayor speaks.", "Getty Images", position=1)),
    ("The mayor speaks. (Image credit: NASA)", Caption("The mayor speaks.", "NASA", position=1)),
])
def test_captions_with_their_credit(paragraph: str, caption: Caption) -> None:
    entry = parse(article("Council Backs Budget", LEAD, paragraph, SECOND))
    assert entry.captions == (caption,)
    assert entry.body == (LEAD, SECOND)


@pytest.mark.parametrize("credit_line", ["Photo: Jane Smith / Example Agency", "Credit: Jane Smith",
                                         "Image: Jane Smith", "Jane Smith | Getty Images"])
def test_credit_line_after_a_caption(credit_line: str) -> None:
    entry = parse(article("Council Backs Budget", LEAD, "The mayor at city hall.", credit_line, SECOND))
    assert [caption.text for caption in entry.captions] == ["The mayor at city hall."]
    assert entry.body == (LEAD, SECOND)
    assert "<figure><figcaption>The mayor at city hall. <small>" in entry.content


def test_parenthetical_that_is_no_credit_stays_in_the_text() -> None:
    paragraph = "The mayor spoke for an hour (her longest speech)."
    entry = parse(article("Council Backs Budget", LEAD, paragraph))
    assert entry.captions == ()
    assert entry.body == (LEAD, paragraph)


def test_caption_figure_stands_where_the_caption_stood() -> None:
    entry = parse(article("Council Backs Budget", LEAD, "The mayor. (Photo courtesy of Reuters)", SECOND))
    assert entry.content.index("<p>The city") < entry.content.index("<figure>") < entry.content.index("<p>Opponents")


# --- sources ----------------------------------------------------------------------


def test_references_after_a_sources_header() -> None:
    text = article("Council Backs Budget", LEAD, "Sources:",
                   "Example Times – Council votes – again — 25 October 2015",
                   "Daily Planet - Budget passes, 2 November 2015",
                   "https://example.org/report",
                   "A source without a date")
    entry = parse(text)
    assert entry.references == (
        Reference("Example Times", "Council votes – again", date(2015, 10, 25)),
        Reference("Daily Planet", "Budget passes", date(2015, 11, 2)),
        Reference("example.org", "https://example.org/report", None),
        Reference("", "A source without a date", None),
    )
    assert entry.body == (LEAD,)
    assert ("<li>Example Times: <cite>Council votes – again</cite>, "
            "<time datetime=\"2015-10-25\">25 October 2015</time></li>") in entry.content


def test_long_prose_after_sources_is_body_again() -> None:
    long_paragraph = "Later, " + LEAD * 2
    entry = parse(article("Council Backs Budget", LEAD, "References", "Example Times – Votes — 1 May 2015",
                          long_paragraph))
    assert len(entry.references) == 1
    assert entry.body == (LEAD, long_paragraph)


# --- boilerplate ------------------------------------------------------------------


def test_page_furniture_is_not_body() -> None:
    text = article("Council Backs Budget", "Facebook", "Twitter", "Share this article", "0", "@citydesk",
                   LEAD, "Read more", "* * *", "Advertisement", SECOND, "Leave a Reply",
                   "Your email address will not be published.", "© 2019 All rights reserved.")
    entry = parse(text)
    assert entry.body == (LEAD, SECOND)
    assert entry.outlet is None


# --- summary ----------------------------------------------------------------------


def test_summary_is_cut_at_a_sentence_end() -> None:
    paragraph = " ".join([LEAD] * 4)
    entry = parse(article("Council Backs Budget", paragraph))
    assert len(entry.summary) <= 300
    assert entry.summary.endswith("city.")


def test_summary_without_sentence_end_is_cut_at_a_word() -> None:
    paragraph = " ".join(["word"] * 100)
    entry = parse(article("Council Backs Budget", paragraph))
    assert entry.summary.endswith("word…")
    assert len(entry.summary) <= 300


# --- topics -----------------------------------------------------------------------


def test_topics_count_whole_words_and_phrases() -> None:
    topics = {
        "rail": Topic(slug="rail", name="Rail", keywords=("train", "rail line"), min_hits=2),
        "parks": Topic(slug="parks", name="Parks", keywords=("park",), min_hits=1),
        "budget": Topic(slug="budget", name="Budget", keywords=("budget",), min_hits=3),
    }
    options = ParseOptions(topics=topics)
    entry = parse(article("Trains and the Budget", "The new Rail\u00a0Line opened; a train left. Parking fees rose."),
                  options=options)
    assert entry.topics == ("rail",)
    entry = parse(article("Budget Vote", "The budget passed. The BUDGET is big."), options=options)
    assert entry.topics == ("budget",)


def test_seeds_land_in_at_least_two_topics(shipped_options: ParseOptions) -> None:
    for seed in sorted(SEEDS.glob("*.txt")):
        entry = parse(seed.read_text(encoding="utf-8"), options=shipped_options, source=str(seed))
        assert len(entry.topics) >= 2, seed.name
        assert list(entry.topics) == [slug for slug in shipped_options.topics if slug in entry.topics]


# --- options and errors -----------------------------------------------------------


def test_options_from_config() -> None:
    config = load_config(SHIPPED_CONFIG)
    options = ParseOptions.from_config(config)
    assert options.outlets == config.outlets and options.topics == config.topics
    assert options.timezone == config.timezone and options.language == config.language
    french = dataclasses.replace(options, language="fr")
    assert parse(article("Council Backs Budget", LEAD), options=french).language == "fr"


@pytest.mark.parametrize("text", ["", "  \n\n\t\n", "Facebook\n\nTwitter\n\nShare\n",
                                  "Council Backs Budget\n\nBy Jane Doe\n\n© 2019 Example Gazette.\n"])
def test_nothing_usable_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse(text, source="a/nothing.txt")
    assert raised.value.path == "a/nothing.txt"


# --- robustness -------------------------------------------------------------------

FRAGMENTS = [
    "By", "by Jane Doe", "Published", "21 October 2o15", "—", "–", "(", ")", "(Photo courtesy of", "©",
    "Sources:", "For more information, please see", "MOSCOW, Russia–", "Leave a Reply", "Author:", "\u00a0",
    "\r\n", "\n\n", "\n", "\x00", "\ufffe", "\ud800", "]]>", "<b>", "&", "Staff Writer", "Desk Reporter, Europe",
    "10/21/15", "12:00 PM EST", "Tuesday", "“", "”", "http://example.org/x", "Mr.", "U.S.", "...", "'15",
    "2019-11-20T05:47:00+02:00", "AP Photo/", "Getty Images", "|", "Impunity Watch", "0", "@handle",
]


def test_random_input_only_ever_raises_parse_error(shipped_options: ParseOptions) -> None:
    rng = random.Random(20151021)
    words = [*FRAGMENTS, *LEAD.split()]
    for _ in range(400):
        text = " ".join(rng.choice(words) for _ in range(rng.randrange(0, 120)))
        try:
            entry = parse(text, options=shipped_options, modified=datetime(2020, 1, 1, tzinfo=UTC))
        except ParseError:
            continue
        assert entry.body and entry.title
        ElementTree.fromstring(f"<div>{entry.content}</div>")


def test_random_bytes_only_ever_raise_parse_error() -> None:
    rng = random.Random(7)
    for _ in range(200):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 300)))
        try:
            text, _ = decode_article(data, source="a/random.txt")
            parse(text)
        except ParseError:
            continue


@pytest.mark.parametrize("hostile", [
    "(" * 50_000, " " * 50_000 + "x", "1/" * 30_000, "By " * 20_000, "A, " * 20_000, "— " * 30_000,
    ("MOSCOW, " * 5_000) + "—", "2o" * 30_000, "Photo: " * 10_000, "o" * 60_000 + ".", "\n" * 50_000 + "x",
    ("Title\n" * 5_000), "21 October " * 8_000,
], ids=lambda text: re.sub(r"\W", "_", text[:12]))
def test_hostile_input_is_parsed_in_linear_time(hostile: str) -> None:
    started = time.perf_counter()
    with contextlib.suppress(ParseError):
        parse(hostile)
    assert time.perf_counter() - started < 5
