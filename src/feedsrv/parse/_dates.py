"""Reading the dates an article states: ``21 October 2015``, ``Nov. 18th 2019 12:12 pm PT``,
``Published 4:00 am CST, Wednesday, November 20, 2019``, ``2019-11-20T05:47:00Z``.

Only complete dates are read: a day, a month and a year must all be written out.
Weekday names and words like "yesterday" are never turned into dates, and nothing
is guessed from fragments (no fuzzy parsing). A numeric date whose day and month
could be swapped (``05/10/2019``) is read in the order the article's other dates show
(:func:`date_context`). Patterns are anchored on word boundaries and use no nested
quantifiers, so matching stays linear.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from dateutil.parser import isoparse

from ..config import MAX_YEAR, MIN_YEAR

PUBLISHED = "published"
UPDATED = "updated"

_MONTH_NUMBERS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}

_MONTH = (r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?")
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b"
# A two-digit year needs its apostrophe in prose ("Oct. 21, '15"): a bare number
# after a month is as likely a count as a year.
_YEAR = r"(?P<year>\d{4}|['’]\d{2})\b"
# Hyphens may join the parts too: "20-Nov-2019", "Nov-20-2019".
_DAY_MONTH_YEAR = re.compile(rf"\b{_DAY}(?:(?: of)?\s{{1,3}}|-){_MONTH}(?:,?\s{{1,3}}|-){_YEAR}", re.IGNORECASE)
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH}(?:\s{{0,3}}|-){_DAY}(?:,?\s{{1,3}}|-){_YEAR}", re.IGNORECASE)
_NUMERIC = re.compile(r"(?<![\d/.-])\b(?P<first>[0-3]?\d)(?P<sep>[/.-])(?P<second>[0-3]?\d)(?P=sep)"
                      r"(?P<year>\d{4}|\d{2})\b(?![/.-]\d)")
_YEAR_FIRST = re.compile(r"\b(?P<year>\d{4})(?P<sep>[/.-])(?P<month>[01]?\d)(?P=sep)(?P<day>[0-3]?\d)\b(?![.-]\d)")
_ISO_DATETIME = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?"
                           r"(?:Z|[+-]\d{2}(?::?\d{2})?)?(?![\w:])")

_FIXED_ZONES: dict[str, float] = {
    "UTC": 0, "GMT": 0, "UT": 0, "Z": 0, "WET": 0,
    "BST": 1, "CET": 1, "WEST": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3,
    "IST": 5.5, "PKT": 5, "ICT": 7, "WIB": 7, "HKT": 8, "SGT": 8, "AWST": 8,
    "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
    "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10,
}
# Zone names without a season follow the local clock, daylight saving included.
_REGION_ZONES = {
    "ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver", "PT": "America/Los_Angeles",
}
_ZONE_NAMES = "|".join(sorted((*_FIXED_ZONES, *_REGION_ZONES), key=len, reverse=True))

# Clock times: 9:41, 9:41 AM, 9 a.m., the 24-hour "0339" when a zone follows, and the
# British "12.00 GMT" or "1.16pm" when a zone or am/pm says it is no decimal number.
_CLOCK = re.compile(
    r"\b(?P<hour>[0-2]?\d):(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d))?(?:\s?(?P<half>[aApP])\.?\s?[mM]\b\.?)?"
    r"|\b(?P<bare_hour>1[0-2]|0?[1-9])\s?(?P<bare_half>[aApP])\.?\s?[mM]\b\.?"
    r"|\b(?P<military>[01]\d|2[0-3])(?P<military_minute>[0-5]\d)(?=\s?(?:GMT|UTC|UT|Z)\b)"
    rf"|\b(?P<dot_hour>[0-2]?\d)\.(?P<dot_minute>[0-5]\d)(?:(?:\s?(?P<dot_half>[aApP])\.?\s?[mM]\b\.?)"
    rf"|(?=\s\(?(?:{_ZONE_NAMES})\b))"
)
_ZONE = re.compile(r"\s?\(?(?P<name>[A-Z]{1,5}\b|[+-]\d{2}:?\d{2}\b)")

_LABEL = re.compile(
    r"\b(?P<label>last updated|last modified|last edited|updated|modified|revised|first published|published|posted"
    r"|original|created|date)\b",
    re.IGNORECASE,
)
_UPDATE_LABELS = frozenset({"last updated", "last modified", "last edited", "updated", "modified", "revised"})
# A line that is only a label, announcing the date on the line below: "Updated:".
_LABEL_ALONE = re.compile(rf"{_LABEL.pattern}(?:\s(?:on|at))?\s?:?", re.IGNORECASE)
# Where one stated date ends and the next begins: "Posted … | Updated …".
_SEPARATOR = re.compile(r"\s[|/]\s|;|\|")

_ZONE_NAME = re.compile(rf"\(?\b(?:{_ZONE_NAMES})\b\)?")
# The names alone, which the regex engine finds quickly by their first letters.
_ZONE_NAME_HINT = re.compile(rf"(?:{_ZONE_NAMES})")
# Weekday abbreviations only with their full stop or comma, or before a day's number
# ("Tue 19 Nov"): "Sun" may be a newspaper.
_WEEKDAY = re.compile(
    r"\b(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?=[.,]|\s\d))\.?",
    re.IGNORECASE,
)
# Separators left side by side once the dates between them are gone: "Doe, , ," → "Doe,".
_EMPTY_PUNCTUATION = re.compile(r"[,;|](?: ?[,;|])+")
_DANGLING_BEFORE_DATE = frozenset({"on", "at", "-", "–", "—", "|", ",", ";", ":", "/", "•", "·"})
# What may stand beside a date on a line that holds nothing else: "Today", "3 hours
# ago", and the pieces of a date without its year ("Nov 19", "Posted October 2015").
_DATE_FILLER = re.compile(
    r"\b(?:on|at|today|yesterday|tonight|now|just|ago|an?|\d{1,4}(?:st|nd|rd|th)?"
    r"|(?:sec|min(?:ute)?|hour|hr|day|week|month|year)s?(?: read| listen)?"
    r"|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b"
    r"|[-–—|,;:()/.•·]",
    re.IGNORECASE,
)

_DIGIT = re.compile(r"\d")
# The letter o typed for a zero inside a number: "2o15", "2O15".
_DIGITS_WITH_O = re.compile(r"\b[\doO]{2,4}\b")
# What the scans above need to find anything, looked for first: the scans try every
# position of a whole article, these skip ahead to an o or a separator. A numeric
# date needs digits around two separators, before the repair some of them o's.
_O_BESIDE_DIGIT = re.compile(r"[oO](?:(?<=\d[oO])|(?=\d))")
_NUMERIC_HINT = re.compile(r"[/.-](?<=[\doO][/.-])[\doO][\doO]?[/.-][\doO][\doO]")

_TWO_DIGIT_YEAR_PIVOT = 70  # '69 is 2069, '70 is 1970


@dataclass(frozen=True, slots=True)
class DateContext:
    """How to read the dates of one article: the zone of dates that name none, and
    whether ambiguous numeric dates put the day first (None: the separator's habit)."""

    zone: tzinfo
    day_first: bool | None = None


@dataclass(frozen=True, slots=True)
class StatedDate:
    """A complete date found in a line, with the clock time written next to it.

    ``kind`` is ``"published"``, ``"updated"`` or ``""`` when no label precedes it;
    ``start``/``end`` delimit the date (without its time) in the line.
    """

    when: datetime
    kind: str
    start: int
    end: int


def _repair_digits(line: str) -> str:
    """Fix the letter o typed for a zero inside numbers (``2o15`` → ``2015``); the
    result has the same length, so positions in it hold in the original."""
    if not _O_BESIDE_DIGIT.search(line):
        return line
    return _DIGITS_WITH_O.sub(_zero_for_o, line)


def _zero_for_o(match: re.Match[str]) -> str:
    token = match.group()
    if any(char.isdigit() for char in token):
        return token.replace("o", "0").replace("O", "0")
    return token


def date_context(text: str, zone: tzinfo) -> DateContext:
    """The context for reading ``text``'s dates: ``zone``, and the day/month order
    that its unambiguous numeric dates (``21/10/2015``, ``10/21/2015``) show, else the
    order of its written-out dates (``21 October 2015``, ``October 21, 2015``)."""
    if not _NUMERIC_HINT.search(text):
        return DateContext(zone)
    repaired = _repair_digits(text)
    day_first = month_first = ambiguous = 0
    for match in _NUMERIC.finditer(repaired):
        first, second = int(match["first"]), int(match["second"])
        day_first += first > 12 >= second
        month_first += second > 12 >= first
        ambiguous += first <= 12 and second <= 12
    if not ambiguous:
        return DateContext(zone)
    if day_first == month_first:
        day_first = sum(1 for _ in _DAY_MONTH_YEAR.finditer(repaired))
        month_first = sum(1 for _ in _MONTH_DAY_YEAR.finditer(repaired))
    if day_first == month_first:
        return DateContext(zone)
    return DateContext(zone, day_first=day_first > month_first)


def find_dates(line: str, context: DateContext) -> list[StatedDate]:
    """Every complete date in ``line``, in order, each with its label and time.

    A date without a stated time is midnight in ``context.zone``; a stated time
    without a zone is in ``context.zone``; a stated zone is kept.
    """
    if not _DIGIT.search(line):
        return []  # every complete date has a day or a year in digits
    default_zone = context.zone
    repaired = _repair_digits(line)
    spans = _date_spans(repaired, context)
    found = []
    for index, (start, end, day) in enumerate(spans):
        previous_end = spans[index - 1][1] if index else 0
        next_start = spans[index + 1][0] if index + 1 < len(spans) else len(repaired)
        kind, label_end = _label_before(repaired, previous_end, start)
        when = day if isinstance(day, datetime) else (
            _time_after(repaired, end, next_start, day, default_zone)
            or _time_before(repaired, max(previous_end, label_end), start, day, default_zone)
            or datetime(day.year, day.month, day.day, tzinfo=default_zone))
        found.append(StatedDate(when=when, kind=kind, start=start, end=end))
    return found


def label_kind(line: str) -> str | None:
    """What a line holding only a date label (``Updated:``, ``Published on``) says of
    the date on the line below it: ``"published"`` or ``"updated"``; None for any
    other line."""
    match = _LABEL_ALONE.fullmatch(line)
    if not match:
        return None
    return UPDATED if match["label"].lower() in _UPDATE_LABELS else PUBLISHED


def remove_dates(line: str, found: Sequence[StatedDate]) -> str:
    """``line`` without its dates, clock times, time zones and weekday names; the
    rest, punctuation included, is kept (``By Jane Doe, Wednesday, 20 Nov 2019`` →
    ``By Jane Doe``). A date between words separated them, so a ``|`` takes its
    place there: ``By Jane Doe 2019-11-18 Science`` → ``By Jane Doe | Science``."""
    pieces = []
    position = 0
    for stated in found:
        pieces.append(line[position:stated.start])
        position = stated.end
    pieces.append(line[position:])
    rest = " | ".join(pieces)
    # Each pattern tries every position of the line; what it needs is quicker to find.
    if _DIGIT.search(rest):
        rest = _CLOCK.sub(" ", rest)
    if _ZONE_NAME_HINT.search(rest):
        rest = _ZONE_NAME.sub(" ", rest)
    rest = _WEEKDAY.sub(" ", rest)
    words = _EMPTY_PUNCTUATION.sub(_first_punctuation, " ".join(rest.split())).split()
    # Words that only led up to the date: "By Jane Doe on", "By Jane Doe -".
    while words and words[-1].lower() in _DANGLING_BEFORE_DATE:
        words.pop()
    while words and words[0] in _DANGLING_BEFORE_DATE:
        words.pop(0)
    return " ".join(words).strip(" ,;")


def strip_dates(line: str, found: Sequence[StatedDate]) -> str:
    """``line`` without its dates, times, date labels and punctuation: what is left
    says whether the line held anything but a date."""
    rest = _LABEL.sub(" ", remove_dates(line, found))
    return " ".join(_DATE_FILLER.sub(" ", rest).split())


def _first_punctuation(match: re.Match[str]) -> str:
    return match.group()[0]


def _date_spans(line: str, context: DateContext) -> list[tuple[int, int, date | datetime]]:
    """Non-overlapping complete dates in ``line`` as (start, end, date), in order;
    an ISO 8601 date-time gives a datetime, which includes its time."""
    candidates = sorted(_date_candidates(line, context), key=lambda item: (item[0], -item[1]))
    spans: list[tuple[int, int, date | datetime]] = []
    for start, end, day in candidates:
        if not spans or start >= spans[-1][1]:
            spans.append((start, end, day))
    return spans


def _date_candidates(line: str, context: DateContext) -> Iterator[tuple[int, int, date | datetime]]:
    # The patterns try every position of the line; the separators they need are
    # quicker to look for, and most lines have none.
    hyphen, slash = "-" in line, "/" in line
    for match in _ISO_DATETIME.finditer(line) if hyphen else ():
        when = _iso_datetime(match.group(), context.zone)
        if when:
            yield match.start(), match.end(), when
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for match in pattern.finditer(line):
            month = _MONTH_NUMBERS[match["month"][:3].lower()]
            day = _make_date(_year(match["year"]), month, int(match["day"]))
            if day:
                yield match.start(), match.end(), day
    for match in _YEAR_FIRST.finditer(line) if hyphen or slash or "." in line else ():
        day = _make_date(int(match["year"]), int(match["month"]), int(match["day"]))
        if day:
            yield match.start(), match.end(), day
    for match in _NUMERIC.finditer(line) if _NUMERIC_HINT.search(line) else ():
        day = _numeric_date(match, context.day_first)
        if day:
            yield match.start(), match.end(), day


def _iso_datetime(text: str, zone: tzinfo) -> datetime | None:
    try:
        when = isoparse(text.replace(" ", "T").replace(",", "."))
    except (ValueError, OverflowError):
        return None
    if not MIN_YEAR <= when.year <= MAX_YEAR:
        return None
    return when if when.tzinfo else when.replace(tzinfo=zone)


def _numeric_date(match: re.Match[str], context_day_first: bool | None) -> date | None:
    """``11/19/2019``, ``19.11.2019``: a number over 12 says which is the day; else
    the article's order decides, else the separator's habit: month first with
    slashes and hyphens (American), day first with dots (European)."""
    first, second = int(match["first"]), int(match["second"])
    if first > 12 or second > 12:
        day_first = first > 12
    elif context_day_first is not None:
        day_first = context_day_first
    else:
        day_first = match["sep"] == "."
    month, day = (second, first) if day_first else (first, second)
    return _make_date(_year(match["year"]), month, day)


def _year(text: str) -> int:
    digits = text.lstrip("'’")
    year = int(digits)
    if len(digits) == 2:
        year += 2000 if year < _TWO_DIGIT_YEAR_PIVOT else 1900
    return year


def _make_date(year: int, month: int, day: int) -> date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _label_before(line: str, start: int, end: int) -> tuple[str, int]:
    """The last date label between ``start`` and ``end`` and where it ends."""
    kind, label_end = "", start
    for match in _LABEL.finditer(line, start, end):
        kind = UPDATED if match["label"].lower() in _UPDATE_LABELS else PUBLISHED
        label_end = match.end()
    return kind, label_end


def _time_after(line: str, start: int, end: int, day: date, zone: tzinfo) -> datetime | None:
    """A clock time following the date, before the next label or separator."""
    stop = end
    for boundary in (_LABEL.search(line, start, end), _SEPARATOR.search(line, start, end)):
        if boundary:
            stop = min(stop, boundary.start())
    return _first_time(line, start, stop, day, zone)


def _time_before(line: str, start: int, end: int, day: date, zone: tzinfo) -> datetime | None:
    """A clock time between the date's label and the date: "Published 4:00 am CST, …"."""
    if not _DIGIT.search(line, start, end):
        return None  # every clock time has a digit
    segment_start = start
    for separator in _SEPARATOR.finditer(line, start, end):
        segment_start = separator.end()
    return _first_time(line, segment_start, end, day, zone)


def _first_time(line: str, start: int, end: int, day: date, zone: tzinfo) -> datetime | None:
    if not _DIGIT.search(line, start, end):
        return None
    for match in _CLOCK.finditer(line, start, end):
        clock = _clock_of(match)
        if clock is None:
            continue
        hour, minute, second = clock
        stated_zone = _zone_after(line, match.end(), end)
        return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=stated_zone or zone)
    return None


def _clock_of(match: re.Match[str]) -> tuple[int, int, int] | None:
    if match["military"]:
        return int(match["military"]), int(match["military_minute"]), 0
    if match["bare_hour"]:
        hour, minute, second, half = int(match["bare_hour"]), 0, 0, match["bare_half"]
    elif match["dot_hour"]:
        hour, minute, second, half = int(match["dot_hour"]), int(match["dot_minute"]), 0, match["dot_half"]
    else:
        hour, minute = int(match["hour"]), int(match["minute"])
        second, half = int(match["second"] or 0), match["half"]
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half in "pP" else 0)
    if hour > 23:
        return None
    return hour, minute, second


def _zone_after(line: str, start: int, end: int) -> tzinfo | None:
    match = _ZONE.match(line, start, end)
    return _zone_named(match["name"]) if match else None


def _zone_named(name: str) -> tzinfo | None:
    """The time zone an abbreviation (``EST``, ``PT``) or offset (``+02:00``) names."""
    if name[0] in "+-":
        digits = name[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 23 or minutes > 59:
            return None
        offset = timedelta(hours=hours, minutes=minutes)
        return timezone(-offset if name[0] == "-" else offset)
    if name in _REGION_ZONES:
        return ZoneInfo(_REGION_ZONES[name])
    if name in _FIXED_ZONES:
        offset_hours = _FIXED_ZONES[name]
        return UTC if offset_hours == 0 else timezone(timedelta(hours=offset_hours), name)
    return None
