"""Given names and surnames: whether a word is a first name people are given, which
tells a byline's bare name (``Jessica Rudder``) from a heading or a place in
capitals (``Recent Posts``, ``Middle East Correspondent``), and whether it is a
family name, for where a name must stand out from a headline.

The names come from faker's person providers (MIT licensed and maintained: some
31,000 first names and 28,000 surnames from 80-odd locales) rather than a
hand-typed list. They are read
once, on first use, so that importing the parser stays cheap for processes that
never read a bare byline.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

_GIVEN_NAME_LISTS = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary")
_SURNAME_LISTS = ("last_names",)


def is_given_name(word: str) -> bool:
    """Whether ``word`` (any case, an initial's full stop aside) is a first name."""
    return word.strip(".").casefold() in _names(_GIVEN_NAME_LISTS)


def is_surname(word: str) -> bool:
    """Whether ``word`` (any case) is a family name."""
    return word.casefold() in _names(_SURNAME_LISTS)


@cache
def _names(list_names: tuple[str, ...]) -> frozenset[str]:
    # Imported here, not at the top: faker's package loads its locale table on
    # import, a cost only worth paying once a byline needs it.
    from faker.providers import person

    names: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        provider = getattr(importlib.import_module(f"{person.__name__}.{module.name}"), "Provider", None)
        for list_name in list_names:
            # Locales define some lists as properties of the instance: read the
            # class attribute where one is a plain sequence or mapping.
            listed = next((vars(cls)[list_name] for cls in getattr(provider, "__mro__", ())
                           if list_name in vars(cls)), None)
            if isinstance(listed, (tuple, list, dict)):
                names.update(name.casefold() for name in listed if isinstance(name, str) and " " not in name)
    return frozenset(names)
