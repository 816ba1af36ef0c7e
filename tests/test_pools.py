"""The process pools the build shares its work out to."""

from __future__ import annotations

import operator

from feedsrv.pools import chunks, map_shared


def test_chunks_cut_in_order_with_a_shorter_last_one() -> None:
    assert chunks((1, 2, 3, 4, 5), 2) == [(1, 2), (3, 4), (5,)]
    assert chunks([], 3) == []


def test_map_shared_calls_with_the_shared_value_in_order() -> None:
    # A module-level function, as a spawned worker needs: shared * part repeats it.
    outcomes = list(map_shared(operator.mul, 2, chunks((1, 2, 3, 4, 5), 2), processes=2))
    assert outcomes == [(1, 2, 1, 2), (3, 4, 3, 4), (5, 5)]
