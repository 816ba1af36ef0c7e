"""The range of dates an article may carry, shared by the config and the parser."""

from __future__ import annotations

from datetime import UTC, datetime

# The years an article's date may fall in. Far beyond them a date is a typo or an
# attack, and at the ends of datetime's range (years 1 and 9999) a zone offset
# pushes it past what converting to UTC can represent.
MIN_YEAR, MAX_YEAR = 1900, 2199
DATE_RANGE = f"years {MIN_YEAR} to {MAX_YEAR}"


def in_range(moment: datetime) -> bool:
    """Whether ``moment``'s year is within :data:`DATE_RANGE` and it converts to UTC."""
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        return False
    try:
        moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return False
    return True
