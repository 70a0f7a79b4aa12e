"""The main journeys in a real browser: hours from logging to approval to statement; sign-off."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, logout, nav

pytestmark = pytest.mark.e2e

CANDIDATE = "elena.rossi@demo.tracker"
COORDINATOR = "coordinator@demo.tracker"
MENTOR = "mentor.lee@demo.tracker"
COUNTED = re.compile(r"Counted ([\d,]+(?:\.\d+)?) of ([\d,]+(?:\.\d+)?) h")


def open_progress(page: Any) -> None:
    """From the candidate's home, follow the first credential to its progress page."""
    page.goto("/")
    page.locator("main table a").first.click()
    page.wait_for_url(re.compile(r"/candidates/\d+/progress/"))


def counted_hours(page: Any) -> float:
    text = page.locator("main").inner_text()
    match = COUNTED.search(text)
    assert match, "no hours requirement on the progress page"
    return float(match.group(1).replace(",", ""))


def test_hours_logged_approved_counted_and_stated(page: Any, shot: Any) -> None:
    employer = f"E2E Planning Desk {secrets.token_hex(3)}"

    login(page, CANDIDATE)
    shot(page, "1-candidate-home")
    open_progress(page)
    before = counted_hours(page)
    shot(page, "2-progress-before")

    nav(page, "My records")
    page.get_by_role("link", name="Log hours").click()
    expect(page.get_by_role("heading", name="Log experience hours")).to_be_visible()
    page.get_by_label("First day").fill("2025-11-03")
    page.get_by_label("Last day").fill("2025-11-28")
    page.get_by_label("Hours worked in this period").fill("80")
    page.get_by_label("Kind of work").select_option("financial-planning")
    page.get_by_label("Employer").fill(employer)
    page.get_by_label("What you did").fill("Client reviews, logged by the browser test.")
    shot(page, "3-log-hours-form")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-success")).to_contain_text("was added")
    row = page.get_by_role("row").filter(has_text=employer)
    expect(row).to_contain_text("Pending")
    shot(page, "4-records-pending")
    logout(page)

    login(page, COORDINATOR)
    nav(page, "Approvals")
    row = page.get_by_role("row").filter(has_text=employer)
    expect(row).to_contain_text("Elena Rossi")
    shot(page, "5-approval-queue")
    row.get_by_role("button", name=re.compile(r"^Approve 80 hours of Elena Rossi")).click()
    expect(page.locator(".flash-success")).to_contain_text("Approved 80 hours of Elena Rossi")
    expect(page.get_by_role("row").filter(has_text=employer)).to_have_count(0)
    shot(page, "6-approved")
    logout(page)

    login(page, CANDIDATE)
    open_progress(page)
    after = counted_hours(page)
    shot(page, "7-progress-after")
    assert after == pytest.approx(before + 80), (before, after)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download progress statement (PDF)").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    shot(page, "8-statement-downloaded")


def test_mentor_signs_off_internship(page: Any, shot: Any) -> None:
    login(page, MENTOR)
    shot(page, "1-mentor-home")
    nav(page, "Internships")
    row = page.get_by_role("row").filter(has_text="Elena Rossi")
    expect(row).to_contain_text("Pending")
    shot(page, "2-internships")
    row.get_by_role("link", name=re.compile(r"^Review the internship of Elena Rossi")).click()
    expect(page.get_by_role("heading", name="Sign off")).to_be_visible()
    page.get_by_label("Comment").fill("Hours match the desk's timesheets.")
    shot(page, "3-review")
    page.get_by_role("button", name="Sign off internship").click()
    expect(page.locator(".flash-success")).to_contain_text("Signed off: 480 hours")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Approved")
    expect(page.get_by_role("button", name="Sign off internship")).to_have_count(0)
    shot(page, "4-signed-off")

    nav(page, "Internships")
    expect(page.get_by_role("row").filter(has_text="Elena Rossi")).to_contain_text("Approved")
    shot(page, "5-list-approved")
