"""Choosing the outlet among the lines that name one: mentions grouped by the name
they give, scored by the strongest kind of line and how many lines support it, and
the group shown in its best written form."""

from __future__ import annotations

from dataclasses import dataclass

from ._outlets import TRAILING_CONNECTORS, looks_like_domain


@dataclass(frozen=True, slots=True)
class OutletMention:
    """A line that names the outlet: its evidence ``weight`` (a copyright notice or
    a staff byline says more than a domain in an address or an agency's slug), the
    ``line`` and the ``name`` it states."""

    weight: int
    line: str
    name: str


# Lines beyond the first that repeat a name add to its score, but only so far: a
# name on many lines of a long article is as likely a subject as the publisher.
_MAX_EXTRA_LINES = 2
_MAX_INITIALS = 5
_DOMAIN_SUFFIX_LABELS = frozenset({"co", "com", "org", "net", "ac", "gov", "edu"})


def choose_outlet(mentions: list[OutletMention], author_names: tuple[str, ...] = ()) -> str | None:
    """The name the evidence supports best: mentions are grouped by the name they
    give (``The Denver Post``, ``Denver Post`` and ``denverpost.com`` are one), each
    group scored by its strongest kind plus the number of other lines supporting it;
    ties go to the stronger kind, then to the earlier mention. The group is shown
    in its best written form: a name over a domain, ``The X`` over ``X``, mixed
    case over capitals. Never an author's name or first name (``Follow Stevie on Twitter``)."""
    people = {name.casefold() for name in author_names}
    people.update(name.split()[0].casefold() for name in author_names if name.split())
    groups: dict[str, list[tuple[int, OutletMention]]] = {}
    for order, mention in enumerate(mentions):
        key = _outlet_key(mention.name)
        if not key or mention.name.casefold() in people:
            continue
        groups.setdefault(key, []).append((order, mention))
    if not groups:
        return None
    _merge_extended_names(groups)

    def score(group: list[tuple[int, OutletMention]]) -> tuple[int, int, int]:
        strongest = max(mention.weight for _, mention in group)
        lines = len({mention.line for _, mention in group})
        return strongest + min(lines - 1, _MAX_EXTRA_LINES), strongest, -group[0][0]

    best = max(groups.values(), key=score)
    return min((mention.name for _, mention in best), key=_display_rank)


def _merge_extended_names(groups: dict[str, list[tuple[int, OutletMention]]]) -> None:
    """Fold a name that extends another by whole words into it: "Example Courier
    Middle East" (a desk line's outlet and beat) supports "Example Courier"."""
    names = {key: group[0][1].name for key, group in groups.items()}
    for key in sorted(groups, key=len, reverse=True):
        words = names[key].casefold().split()
        shorter = next((other for other in groups if other != key and len(other) < len(key)
                        and words[:len(names[other].split())] == names[other].casefold().split()), None)
        if shorter:
            groups[shorter].extend((order, OutletMention(mention.weight, mention.line, names[shorter]))
                                   for order, mention in groups.pop(key))
    # "Support DG" beside "© 2012 Desiring God": the initials stand for the name.
    for key in [key for key in groups if names[key].isupper() and len(names[key]) <= _MAX_INITIALS]:
        full = next((other for other in groups if other != key and _initials(names[other]) == names[key]), None)
        if full:
            groups[full].extend((order, OutletMention(mention.weight, mention.line, names[full]))
                                for order, mention in groups.pop(key))


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.split() if word.lower() not in TRAILING_CONNECTORS).upper()


def _outlet_key(name: str) -> str:
    if " " not in name and looks_like_domain(name):
        labels = [label for label in name.casefold().split(".")[:-1] if label != "www"]
        while len(labels) > 1 and labels[-1] in _DOMAIN_SUFFIX_LABELS:
            labels.pop()
        name = labels[-1] if labels else ""
    name = name.casefold().removeprefix("the ")
    return "".join(char for char in name if char.isalnum())


def _display_rank(name: str) -> tuple[bool, bool, bool]:
    # False sorts first: a written name, then "The X", then mixed case.
    return (" " not in name and looks_like_domain(name), not name.startswith("The "), name.isupper())
