"""Server-side SVG charts: lines broken at missing weeks, axes labelled in the metric's unit, a text
equivalent for screen readers, escaping, and the heat grid's severity shades."""

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from coaching.agendas.units import metric_value
from coaching.portal.charts import Series, axis_label, line_chart, severity_level

WEEKS = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(6)]
SVG = "{http://www.w3.org/2000/svg}"


def percent(value: float) -> str:
    return metric_value("win_rate", value)


def parse(svg: str) -> ET.Element:
    # Inline SVG in HTML has no namespace declaration; add it so the XML parser checks the markup.
    return ET.fromstring(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def test_a_missing_week_breaks_the_line():
    svg = line_chart([Series("Ana", [0.2, 0.3, None, 0.25, 0.3, 0.35])], WEEKS, fmt=percent, title="Win rate")
    root = parse(svg)
    lines = root.findall(f"{SVG}polyline")
    assert [len(line.get("points").split()) for line in lines] == [2, 3]
    assert root.get("role") == "img" and root.get("aria-label") == "Win rate"


def test_axis_labels_carry_the_unit_and_the_description_reads_first_and_last():
    svg = line_chart(
        [Series("Ana", [0.2, None, None, None, None, 0.4]), Series("Team", [0.3] * 6, "team")],
        WEEKS,
        fmt=percent,
        title="Win rate",
    )
    root = parse(svg)
    axis = [text.text for text in root.findall(f"{SVG}text")]
    assert axis == ["40%", "20%", "5 Jan", "9 Feb"]
    desc = root.find(f"{SVG}desc").text
    assert "Ana: 20% in the week of 5 Jan, 40% in the week of 9 Feb." in desc
    assert "Team: 30%" in desc
    assert root.findall(f"{SVG}polyline")[0].get("class") == "chart__line chart__line--team"


def test_a_single_point_is_a_dot_and_no_data_says_so():
    dot = parse(line_chart([Series("Ana", [None, None, None, None, None, 5.0])], WEEKS, fmt=str, title="Deals"))
    assert not dot.findall(f"{SVG}polyline") and dot.findall(f"{SVG}circle")
    empty = line_chart([Series("Ana", [None] * 6)], WEEKS, fmt=str, title="Deals")
    assert "No data in these weeks" in empty and "chart--empty" in empty


def test_points_stay_inside_the_drawing_area():
    svg = line_chart([Series("Ana", [100.0, 5000.0, 20.0, 0.0, 7.5, 3000.0])], WEEKS, fmt=str, title="x")
    points = [tuple(map(float, p.split(","))) for p in re.findall(r"[\d.]+,[\d.]+", svg)]
    assert points and all(0 <= x <= 320 and 0 <= y <= 132 for x, y in points)


def test_titles_are_escaped():
    svg = line_chart([Series("<b>", [1.0, 2.0])], WEEKS[:2], fmt=str, title='Win "rate" <script>')
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    parse(svg)


def test_axis_labels_drop_unit_words_the_caption_already_names():
    assert axis_label("4.5/week") == "4.5"
    assert axis_label("2.1 per deal") == "2.1"
    assert axis_label("1.4 per 91 days open") == "1.4"
    assert axis_label("107 days") == "107"
    assert axis_label("$48k") == "$48k"


@pytest.mark.parametrize(
    ("severity", "level"), [(None, 0), (0.0, 0), (0.1, 1), (0.25, 2), (0.49, 2), (0.5, 3), (0.75, 4), (1.0, 4)]
)
def test_severity_shades(severity, level):
    assert severity_level(severity) == level
