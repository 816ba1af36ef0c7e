"""The SVG charts of the /stats page: axes, ticks, numbers, stacking, escaping, well-formedness."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from lxml import etree

from feedsrv.stats.charts import Series, compact, date_ticks, grouped, human_bytes, nice_ticks, sparkline, stacked_bars

DATA = Path(__file__).parent / "data" / "stats_page"
SVG = "{http://www.w3.org/2000/svg}"


def cases(name: str) -> list[tuple[str, str]]:
    """The ``given -> expected`` lines of a data file, comments left out."""
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [tuple(part.strip() for part in line.split("->")) for line in lines  # type: ignore[misc]
            if line.strip() and not line.startswith("#")]


def hostile_names() -> list[str]:
    lines = (DATA / "hostile_names.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


@pytest.mark.parametrize(("top", "ticks"), cases("nice_ticks.txt"), ids=lambda value: value)
def test_nice_ticks(top: str, ticks: str) -> None:
    assert nice_ticks(int(top)) == tuple(int(tick) for tick in ticks.split())


@pytest.mark.parametrize("top", [*range(200), 999, 1001, 54_321, 10**6 + 1, 987_654_321])
def test_nice_ticks_cover_the_top_in_round_steps(top: int) -> None:
    ticks = nice_ticks(top)
    step = ticks[1]
    assert ticks[0] == 0 and ticks[-1] >= top and ticks[-2] < max(top, 1)
    assert all(b - a == step for a, b in itertools.pairwise(ticks))
    assert re.fullmatch(r"[125]0*", str(step)), step
    assert 2 <= len(ticks) <= 7


@pytest.mark.parametrize(("number", "shown"), cases("numbers.txt"), ids=lambda value: value)
def test_numbers(number: str, shown: str) -> None:
    axis, table, size = (part.strip() for part in shown.split("|"))
    assert (compact(int(number)), grouped(int(number)), human_bytes(int(number))) == (axis, table, size)


@pytest.mark.parametrize(("span", "ticks"), cases("date_ticks.txt"), ids=lambda value: value[:21])
def test_date_ticks(span: str, ticks: str) -> None:
    first, last = (date.fromisoformat(day) for day in span.split())
    expected = re.findall(r"(\S+) \(([^)]*)\)", ticks)
    chart = etree.fromstring(stacked_bars(title="t", first=first, series=[
        Series("n", "#000", (1,) * ((last - first).days + 1))], unit="n").encode())
    labels = [text.text for text in chart.iter(f"{SVG}text") if text.get("text-anchor") == "middle"]
    assert [day.isoformat() for day in date_ticks(first, last)] == [day for day, _ in expected]
    assert labels == [label for _, label in expected]


@pytest.mark.parametrize("span", range(1, 401))
def test_date_ticks_are_few_and_inside_the_span(span: int) -> None:
    for first in (date(2026, 1, 1), date(2026, 2, 17), date(2025, 12, 31)):
        last = first + timedelta(days=span - 1)
        ticks = date_ticks(first, last)
        assert 1 <= len(ticks) <= 10, (first, span, ticks)
        assert list(ticks) == sorted(set(ticks)) and first <= ticks[0] and ticks[-1] <= last


def parse(svg: str) -> etree._Element:
    """The chart as XML: it must be well-formed on its own, namespace and all."""
    root = etree.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    return root


def test_bars_stack_the_series_of_each_day_to_scale() -> None:
    first = date(2026, 5, 1)
    series = [Series("direct", "#111111", (10, 0, 30)), Series("Feedly", "#222222", (5, 0, 20))]
    chart = parse(stacked_bars(title="Subscribers", first=first, series=series, unit="subscribers"))
    days = chart.findall(f"{SVG}g")
    assert [day.findtext(f"{SVG}title") for day in days] == [
        "2026-05-01: 15 subscribers (direct 10, Feedly 5)", "2026-05-02: 0 subscribers",
        "2026-05-03: 50 subscribers (direct 30, Feedly 20)"]
    # The y axis runs 0 to 50 in steps of 10 over 200 px: 4 px a subscriber.
    axis = [text.text for text in chart.iter(f"{SVG}text") if text.get("text-anchor") == "end"]
    assert axis == ["0", "10", "20", "30", "40", "50"]
    bars = [[(rect.get("fill"), float(rect.get("height"))) for rect in day.findall(f"{SVG}rect")] for day in days]
    assert bars[0][:2] == [("#111111", 40.0), ("#222222", 20.0)]
    assert bars[2][:2] == [("#111111", 120.0), ("#222222", 80.0)]
    # A day of zero draws no bar, only the column that carries its tooltip.
    assert [fill for fill, _ in bars[1]] == ["#000"]
    first_bar, second_bar = days[2].findall(f"{SVG}rect")[:2]
    assert float(second_bar.get("y")) + float(second_bar.get("height")) == pytest.approx(float(first_bar.get("y")))


def test_chart_is_labelled_for_screen_readers() -> None:
    chart = parse(stacked_bars(title="Requests for /feeds/all.atom", first=date(2026, 1, 1),
                               series=[Series("200 full", "#000", (1,) * 31)], unit="responses"))
    label = "Requests for /feeds/all.atom, 31 days from 2026-01-01 to 2026-01-31"
    assert chart.get("role") == "img" and chart.get("aria-label") == label
    assert chart.findtext(f"{SVG}title") == label
    legend = [text.text for text in chart.findall(f"{SVG}text") if text.get("text-anchor") is None]
    assert legend == ["200 full"]


def test_one_day_and_no_figures() -> None:
    one = parse(stacked_bars(title="t", first=date(2026, 1, 1), series=[Series("a", "#000", (0,))], unit="n"))
    assert [day.findtext(f"{SVG}title") for day in one.findall(f"{SVG}g")] == ["2026-01-01: 0 n"]
    assert [text.text for text in one.iter(f"{SVG}text") if text.get("text-anchor") == "end"] == ["0", "1"]
    assert [text.text for text in one.iter(f"{SVG}text") if text.get("text-anchor") == "middle"] == ["1 Jan 2026"]
    # A day's bar is not a block across the whole chart.
    (bar,) = parse(stacked_bars(title="t", first=date(2026, 1, 1), series=[Series("a", "#123456", (9,))],
                                unit="n")).find(f"{SVG}g").findall(f"{SVG}rect[@fill='#123456']")
    assert float(bar.get("width")) == 40
    nothing = parse(stacked_bars(title="t", first=date(2026, 1, 1), series=[], unit="n"))
    assert nothing.findall(f"{SVG}g") == []


def test_large_numbers_are_compact_on_the_axis_and_grouped_in_tooltips() -> None:
    chart = parse(stacked_bars(title="t", first=date(2026, 1, 1), series=[Series("Feedly", "#000", (2_345_678,))],
                               unit="subscribers"))
    assert [text.text for text in chart.iter(f"{SVG}text") if text.get("text-anchor") == "end"] == [
        "0", "500k", "1M", "1.5M", "2M", "2.5M"]
    assert chart.find(f"{SVG}g").findtext(f"{SVG}title") == "2026-01-01: 2,345,678 subscribers (Feedly 2,345,678)"


def test_a_long_legend_wraps_inside_the_chart() -> None:
    series = [Series(f"aggregator no. {n:02}", "#000", (n,)) for n in range(12)]
    chart = parse(stacked_bars(title="t", first=date(2026, 1, 1), series=series, unit="n", width=400))
    legend = [text for text in chart.findall(f"{SVG}text") if text.get("text-anchor") is None]
    # Two of these fit in a row of 400 px, at about 7 px a character.
    assert len({text.get("y") for text in legend}) == 6
    assert all(float(text.get("x")) + 7 * len(text.text) <= 400 for text in legend)
    assert float(chart.find(f"{SVG}line").get("y1")) > max(float(text.get("y")) for text in legend)


@pytest.mark.parametrize("name", hostile_names())
def test_names_come_out_as_text(name: str) -> None:
    svg = stacked_bars(title=f"Subscribers of {name}", first=date(2026, 1, 1), series=[Series(name, "#000", (3,))],
                       unit="subscribers")
    chart = parse(svg)
    assert chart.get("aria-label").startswith(f"Subscribers of {name}, ")
    assert [text.text for text in chart.findall(f"{SVG}text") if text.get("text-anchor") is None] == [name]
    assert chart.find(f"{SVG}g").findtext(f"{SVG}title") == f"2026-01-01: 3 subscribers ({name} 3)"
    assert {element.tag for element in chart.iter()} <= {f"{SVG}{tag}" for tag in ("svg", "title", "g", "rect",
                                                                                  "line", "text")}
    spark = parse(sparkline([1, 2], label=name))
    assert spark.get("aria-label") == f"{name}: 1 to 2"


def test_sparkline() -> None:
    line = parse(sparkline([0, 5, 10], label="Subscribers of /feeds/all.atom", width=102, height=24))
    assert line.findtext(f"{SVG}title") == "Subscribers of /feeds/all.atom: 0 to 10"
    assert line.find(f"{SVG}polyline").get("points") == "1,22 51,12 101,2"
    flat = parse(sparkline([7, 7], label="x"))
    assert flat.get("aria-label") == "x: 7"
    assert parse(sparkline([4], label="x")).find(f"{SVG}circle") is not None
    assert [child.tag for child in parse(sparkline([], label="x"))] == [f"{SVG}title"]


def test_same_figures_same_bytes() -> None:
    def draw() -> str:
        return stacked_bars(title="t", first=date(2026, 1, 1), unit="n",
                            series=[Series("a", "#000", tuple(range(0, 900, 7))), Series("b", "#111", (3,) * 129)])
    assert draw() == draw()
