"""Subscriber counts read from User-Agents: one case a line of tests/data/stats/user_agents.txt."""

from __future__ import annotations

import pytest

from conftest import ROOT
from feedsrv.stats import AggregatorReport, parse_user_agent

CASES = ROOT / "tests" / "data" / "stats" / "user_agents.txt"


def _cases() -> list[tuple[str, AggregatorReport | None]]:
    cases = []
    for line in CASES.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        user_agent, aggregator, subscribers, feed_id = line.split("\t")
        expected = None if aggregator == "-" else AggregatorReport(
            aggregator, int(subscribers), "" if feed_id == "-" else feed_id)
        cases.append((user_agent, expected))
    return cases


@pytest.mark.parametrize(("user_agent", "expected"), _cases(), ids=lambda value: str(value)[:60])
def test_the_count_an_aggregator_reports_is_read(user_agent: str, expected: AggregatorReport | None) -> None:
    assert parse_user_agent(user_agent) == expected


def test_the_file_covers_services_and_readers_without_a_count() -> None:
    cases = _cases()
    services = {expected.aggregator for _, expected in cases if expected is not None}
    assert len(services) >= 6
    assert sum(expected is None for _, expected in cases) >= 6
