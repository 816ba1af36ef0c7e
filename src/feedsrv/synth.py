"""Synthetic articles in the style of the seeds, for demos, tests and benchmarks.

Deterministic: the same seed number and count always give the same files, so a
generated history is a reproducible fixture. Articles spread over many outlets,
reporters and the topics the shipped config declares, with bylines, desk lines,
datelines, captions, cited sources and copyright lines like the real ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from .atomic import atomic_write

FIRST_NAMES = ("Amira", "Boris", "Chen", "Dana", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jonas",
               "Karim", "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Samir", "Tara")
LAST_NAMES = ("Haddad", "Ivanova", "Kowalski", "Lindqvist", "Mansour", "Novak", "Okafor", "Petrov",
              "Rahimi", "Sato", "Tanaka", "Usman", "Vasquez", "Weber", "Yilmaz")
OUTLET_WORDS = ("Daily", "Global", "Evening", "Northern", "Harbor", "Capital", "Frontier", "Civic")
OUTLET_KINDS = ("Herald", "Ledger", "Observer", "Courier", "Tribune", "Gazette", "Monitor")
DESKS = ("Desk Reporter, Europe", "Staff Writer", "Middle East Correspondent", "Senior Editor",
         "Desk Reporter, Asia")
PLACES = (("MOSCOW", "Russia"), ("DAMASCUS", "Syria"), ("BEIRUT", "Lebanon"), ("ANKARA", "Turkey"),
          ("TEHRAN", "Iran"), ("GENEVA", "Switzerland"), ("AMMAN", "Jordan"), ("BAGHDAD", "Iraq"))
AGENCIES = ("Reuters", "AP", "AFP", "Getty Images")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
SUBJECTS = ("The foreign minister", "A senior Syrian official", "The Russian delegation", "Diplomats in Geneva",
            "The United Nations envoy", "Military commanders", "Rebel leaders", "The Kremlin")
VERBS = ("said on", "warned during", "confirmed after", "rejected claims made at", "welcomed the outcome of")
OBJECTS = ("the latest round of peace talks", "a meeting with Iranian allies", "the summit in Moscow",
           "renewed airstrikes near Aleppo", "negotiations over a political settlement in Syria",
           "the visit of the Syrian president", "a ceasefire proposal for the Middle East")
CLAUSES = ("as fighting continued in the north of the country", "according to officials in Damascus",
           "while western governments urged restraint", "amid growing pressure from regional powers",
           "after weeks of diplomatic deadlock", "as Russian troops reinforced positions")
HEADLINE_VERBS = ("Meets", "Warns", "Rejects", "Backs", "Urges", "Questions")


@dataclass(frozen=True, slots=True)
class SyntheticArticle:
    """One generated article: its file name, text and the facts written into it."""

    name: str
    text: str
    author: str
    outlet: str
    published: date


def _sentence(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}, {rng.choice(CLAUSES)}."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))


def _long_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def make_outlets(count: int, rng: random.Random) -> list[str]:
    """``count`` distinct outlet names."""
    names = [f"{word} {kind}" for word in OUTLET_WORDS for kind in OUTLET_KINDS]
    rng.shuffle(names)
    return names[:count]


# Histories of more than ten years' worth of daily articles get several a day, as a
# large outlet's do, rather than dates centuries ahead.
MAX_SPAN_DAYS = 3652


def generate_articles(count: int, *, seed: int = 0, outlets: int = 50, reporters: int = 60,
                      start: date = date(2015, 1, 1)) -> list[SyntheticArticle]:
    """``count`` articles from ``start`` on, deterministic from ``seed``: one a day,
    or, beyond :data:`MAX_SPAN_DAYS` articles, spread evenly over that many days
    (in file name order, oldest first)."""
    rng = random.Random(seed)
    outlet_names = make_outlets(min(outlets, len(OUTLET_WORDS) * len(OUTLET_KINDS)), rng)
    people = sorted({f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES})
    rng.shuffle(people)
    people = people[:reporters]
    articles = []
    for number in range(count):
        published = start + timedelta(days=number * min(count, MAX_SPAN_DAYS) // count)
        outlet, author = rng.choice(outlet_names), rng.choice(people)
        city, country = rng.choice(PLACES)
        blocks: list[str] = []
        if rng.random() < 0.7:
            blocks.append(f"{rng.choice(('Assad', 'Putin', 'Envoy', 'Minister'))} "
                          f"{rng.choice(HEADLINE_VERBS)} {rng.choice(OBJECTS).title()} in {city.title()}")
        blocks.append(f"{rng.choice(('By', 'By', 'by'))} {author}")
        if rng.random() < 0.5:
            blocks.append(f"{outlet} {rng.choice(DESKS)}")
        blocks.append(f"{city}, {country}\u2013" if rng.random() < 0.7 else f"{city} \u2014")
        paragraphs = [_paragraph(rng) for _ in range(rng.randint(3, 12))]
        if rng.random() < 0.6:
            caption = f"{_sentence(rng)} (Photo courtesy of {rng.choice(AGENCIES)})"
            paragraphs.insert(rng.randint(1, len(paragraphs)), caption)
        blocks.extend(paragraphs)
        blocks.append("For more information, please see")
        for back in sorted(rng.sample(range(4), rng.randint(1, 3)), reverse=True):
            cited = rng.choice([name for name in outlet_names if name != outlet])
            blocks.append(f"{cited}\u2013{rng.choice(OBJECTS).capitalize()}\u2014 "
                          f"{_long_date(published - timedelta(days=back))}")
        # The newest source is dated the day of the article, which the parser reads
        # as its publication date (an article is never older than its sources).
        if not blocks[-1].endswith(_long_date(published)):
            blocks.append(f"{rng.choice(outlet_names)}\u2013{rng.choice(OBJECTS).capitalize()}\u2014 "
                          f"{_long_date(published)}")
        blocks.append(f"\u00a9 2010-{published.year} {outlet}.")
        articles.append(SyntheticArticle(name=f"synthetic_{number:06d}.txt", text="\n\n".join(blocks) + "\n",
                                         author=author, outlet=outlet, published=published))
    return articles


def write_articles(articles: list[SyntheticArticle], directory: Path) -> None:
    """Write the articles as UTF-8 files into ``directory`` (created if missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    for article in articles:
        with atomic_write(directory / article.name, mode=0o644) as stream:
            stream.write(article.text.encode("utf-8"))
