"""Server-side SVG charts: hours by year with the goal line, the cohort by status."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tracker.web.charts import hours_chart, status_chart

SVG = "{http://www.w3.org/2000/svg}"
BY_YEAR = [
    {"year": 2024, "counted": 1200.0, "capped": 80.0, "pending": 0.0},
    {"year": 2025, "counted": 2100.5, "capped": 0.0, "pending": 160.0},
]


def test_hours_chart_stacks_each_year_and_draws_the_goal(app):
    with app.test_request_context("/?lang=en"):
        svg = str(hours_chart(BY_YEAR, 6000, "2027-03-01"))
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == "Hours by year"
    desc = root.find(f"{SVG}desc").text
    assert "3,300.5 hours counted so far of 6,000 required; 160 pending." in desc
    assert "2027-03-01" in desc
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert [b.find(f"{SVG}title").text for b in bars] == [
        "Counted 2024: 1,200", "Over a cap (not counted) 2024: 80", "Counted 2025: 2,100.5",
        "Pending approval 2025: 160",
    ]  # fmt: skip
    assert any(line.get("stroke-dasharray") for line in root.iter(f"{SVG}line"))


def test_charts_speak_the_page_language_and_escape_what_they_show(app):
    with app.test_request_context("/?lang=pl"):
        svg = str(hours_chart(BY_YEAR, 6000, None, title="<b>Godziny</b>"))
        cohort = str(status_chart({"met": 3, "in_progress": 0, "not_started": 2},
                                  {"met": "Spełniony", "not_started": "<i>x</i>"}))  # fmt: skip
    assert "3 300,5" in svg.replace("\u00a0", " ") and "<b>" not in svg
    root = ET.fromstring(cohort)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert labels == ["Spełniony: 3", "<i>x</i>: 2"]  # escaped in the markup, text when parsed


def test_no_hours_and_no_enrolments_draw_nothing(app):
    with app.test_request_context("/"):
        assert str(hours_chart([], 100)) == ""
        assert str(status_chart({}, {})) == ""
